/*
 * Running random scenarios (option scenarios=N): the engine asks for the next experiment
 * and reports each verdict here instead of to the catalogue's tallies. Scenarios are drawn
 * in batches of SCENARIO_BATCH, each batch one TAP test point; a scenario that diverges
 * from the model is shrunk (more runs of shorter scenarios) before the next is drawn.
 */
#ifndef EXPERIMENTS_SCENARIO_RUN_H
#define EXPERIMENTS_SCENARIO_RUN_H

#include <stdbool.h>

#include "experiments/results.h"

/* Before the first: the features the scenarios may use (enum hv_feature). The scenarios
 * before the range's first are drawn here, drew_one() called after each: under an
 * emulator a draw takes milliseconds, and thousands of them must not look stuck. */
void scenario_run_init(unsigned features, void (*drew_one)(void));
/* The TAP plan: how many test points (batches). */
unsigned scenario_run_batches(void);
/* The next experiment to run (a new scenario, or a shorter one while shrinking), or 0. */
const struct experiment *scenario_run_next(void);
/* The verdict of the experiment scenario_run_next() gave last. */
void scenario_run_record(const struct run_result *r);
/* The run bails out: the batch so far becomes its test point (with the scenario that
 * stopped it, if it diverged), shrinking or not. */
void scenario_run_cut_short(void);
/* The scenarios of the range not run to a verdict. */
unsigned scenario_run_not_run(void);
/* The run's SUMMARY counts, and the totals line before it. */
struct summary scenario_run_summary(void);

#endif
