/*
 * The TAP 13 stream on the console: the plan, one line per experiment with its YAML
 * diagnostic, the summary. Descriptions escape '#' and '\' (TAP 13) and diagnostics are
 * quoted YAML strings, so TAP consumers (prove, tap-parser) and YAML parsers read the log
 * as the kernel means it.
 */
#ifndef EXPERIMENTS_TAP_H
#define EXPERIMENTS_TAP_H

#include <stdbool.h>
#include <stdint.h>

#include "experiments/results.h"

void tap_plan(void);
/* One run, in catalogue order: the verdict results_record() gave it. */
void tap_result(const struct experiment *x, uint64_t us, enum verdict v, enum deviation_verdict how);
void tap_skip(const struct experiment *x, const char *why);
/* Random order: one line per experiment over all its runs, at the end. */
void tap_random_results(void);
/* Random order: a failure as it happens (the verdicts come at the end). */
void tap_random_failure(unsigned run_index, const struct experiment *x);
void tap_summary(const struct summary *s, uint64_t total_us);

#endif
