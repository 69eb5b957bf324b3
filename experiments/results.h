/*
 * Verdicts: each run of an experiment judged against the platform's known deviations,
 * tallied per experiment, and the run's summary. The TAP output (experiments/tap.c)
 * prints what this decides.
 */
#ifndef EXPERIMENTS_RESULTS_H
#define EXPERIMENTS_RESULTS_H

#include <stdbool.h>
#include <stdint.h>

#include "experiments/deviations.h"
#include "experiments/experiment.h"
#include "experiments/run.h"

enum verdict {
	VERDICT_PASS,
	VERDICT_FAIL,      /* an unexpected failure */
	VERDICT_KNOWN,     /* the platform's known deviation, matched by its signature */
	VERDICT_REPORTED,  /* a failure where others reported a deviation without a signature */
};

/* One experiment's runs (one in catalogue order; any number in random order). */
struct tally {
	unsigned runs, passed, failed, known, reported;
	uint64_t total_us;
	bool skipped;              /* unsupported here; why */
	const char *skip_reason;
	struct failure first_failure;      /* the first failure of any kind */
	enum deviation_verdict first_deviation;
};

struct summary {
	unsigned tests, unexpected, known, skipped, not_shown, not_run;
};

/* Judges one run: its failure (if any) against the platform's deviation. With strict,
 * a known or reported deviation is a failure like any other. */
enum verdict results_record(const struct experiment *x, uint64_t us, const struct failure *f,
			    enum deviation_verdict *how);
void results_record_skip(const struct experiment *x, const char *why);
const struct tally *results_of(const struct experiment *x);
/* The deviation this platform has for x, or 0. */
const struct deviation *results_deviation(const struct experiment *x);

/* The experiment's overall verdict over its runs; inconsistent when it both passed and
 * failed, or failed in different ways. */
enum verdict results_overall(const struct experiment *x, bool *inconsistent);

struct summary results_summary(void);

#endif
