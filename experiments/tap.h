/*
 * The TAP 13 stream on the console: the plan, one line per experiment with its YAML
 * diagnostic, the legend of the known deviations seen, the summary. Descriptions escape
 * '#' and '\' (TAP 13) and diagnostics are quoted YAML strings, so TAP consumers (prove,
 * tap-parser) and YAML parsers read the log as the kernel means it. Every byte crosses a
 * serial line (87 us at 115200 baud): each fact is said once.
 */
#ifndef EXPERIMENTS_TAP_H
#define EXPERIMENTS_TAP_H

#include <stdbool.h>
#include <stdint.h>

#include "experiments/results.h"

void tap_plan(void);
/* One run, in catalogue order, as results_judge() judged it, with what it measured. */
void tap_result(const struct experiment *x, const struct run_result *r, const char (*measured)[DIAG_LEN],
		unsigned nmeasured);
void tap_skip(const struct experiment *x, const char *why);
/* Random order: one line per experiment over all its runs, at the end. */
void tap_random_results(void);
/* Random order: a failure as it happens (the verdicts come at the end). */
void tap_random_failure(unsigned run_index, const struct experiment *x, const struct run_result *r);
/* The known deviations seen (each once, with its evidence), those that did not show,
 * and SUMMARY. */
void tap_summary(const struct summary *s, uint64_t total_us);

#endif
