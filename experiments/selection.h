/* Which experiments run, and in which order: the catalogue filtered by exp=, in catalogue
 * order or (order=random) drawn at random with the seed. */
#ifndef EXPERIMENTS_SELECTION_H
#define EXPERIMENTS_SELECTION_H

#include "experiments/experiment.h"

/* Reads the options. Returns 0, or the first number exp= names that the catalogue does
 * not have (an error: nothing the user asked for is ignored). */
unsigned selection_init(void);

unsigned selection_count(void);
/* The highest selected experiment number: TAP numbers are experiment numbers, so the plan
 * is 1..this, and the numbers below it that are not selected are reported as skipped. */
unsigned selection_last_number(void);
const struct experiment *selection_at(unsigned i);
/* Runs the order plans: the selection once (seq), or options.iterations (random). */
unsigned selection_runs_planned(void);
/* The next experiment to run, or 0 once the planned runs are done. */
const struct experiment *selection_next(void);
unsigned selection_runs_done(void);

#endif
