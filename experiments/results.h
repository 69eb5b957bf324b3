/*
 * Verdicts: each run of an experiment judged (experiments/judge.h) against the SDM's
 * model and the platform's known deviations, tallied per experiment, and the run's
 * summary. The TAP output (experiments/tap.c) prints what this decides.
 */
#ifndef EXPERIMENTS_RESULTS_H
#define EXPERIMENTS_RESULTS_H

#include <stdbool.h>
#include <stdint.h>

#include "experiments/deviations.h"
#include "experiments/experiment.h"
#include "experiments/judge.h"
#include "experiments/run.h"

enum verdict {
	VERDICT_PASS,
	VERDICT_FAIL,      /* an unexpected failure */
	VERDICT_KNOWN,     /* the platform's known deviation: its model predicted every observation */
	VERDICT_REPORTED,  /* a failure where others reported a deviation this project never reproduced */
};

/* One run of one experiment, as judged. */
struct run_result {
	enum verdict verdict;
	uint64_t us;
	/* Not a pass: where the SDM's model (or the engine) first disagreed. */
	struct failure failure;
	unsigned quirks;           /* the platform's known deviations that explain it (KNOWN; FAIL with strict=) */
	bool deviation_expected;   /* the platform's model predicts something else here */
	char remark[DIAG_LEN];     /* FAIL on a platform with deviations: how its model diverged too */
	unsigned choices_settled, choices_taken; /* the SDM's choices this run settled (measured) */
};

/* One experiment's runs (one in catalogue order; any number in random order). */
struct tally {
	unsigned runs, passed, failed, known, reported;
	uint64_t total_us;
	bool skipped;              /* unsupported here; why */
	const char *skip_reason;
	struct run_result first_failure;   /* the first run that did not pass */
	bool deviation_expected;
};

struct summary {
	unsigned tests, unexpected, known, skipped, not_shown, not_run;
	unsigned runs;        /* experiments (or scenarios) run, each attempt once */
	unsigned quirks_seen; /* the known deviations that explained a failure (the legend) */
};

/*
 * The verdict of one run: `engine_failure` is set when the engine stopped it (an
 * exception, a storm, the watchdog, a step it could not execute); otherwise the judge's
 * conclusion decides. With strict, known and reported deviations are failures.
 */
void results_judge(const struct experiment *x, const struct failure *engine_failure, const struct judgement *j,
		   struct run_result *r);
void results_record(const struct experiment *x, const struct run_result *r);
void results_record_skip(const struct experiment *x, const char *why);
const struct tally *results_of(const struct experiment *x);

/* The experiment's overall verdict over its runs; inconsistent when it both passed and
 * failed, or failed in different ways. */
enum verdict results_overall(const struct experiment *x, bool *inconsistent);

struct summary results_summary(void);

#endif
