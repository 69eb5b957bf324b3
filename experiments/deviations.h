/*
 * Known deviations: platforms known to disagree with silicon (or the SDM) on an
 * experiment, each with its signature -- the step where that platform is known to fail
 * and what it is known to observe there. A failure that matches the signature is a known
 * failure (TAP TODO); a failure anywhere else, or observing something else, is an
 * unexpected failure, so a new bug cannot hide behind an old one. Deviations reported by
 * others that were never reproduced have no signature: their failures are shown as
 * reported, not as known.
 */
#ifndef EXPERIMENTS_DEVIATIONS_H
#define EXPERIMENTS_DEVIATIONS_H

#include <stdbool.h>

#include "experiments/experiment.h"
#include "experiments/judge.h"
#include "lib/platform.h"

struct deviation {
	enum platform_kind platform;
	unsigned experiment;
	const char *platform_name;
	const char *note;        /* what the platform does instead */
	const char *evidence;    /* where that was established (runs, source lines, a report) */
	bool confirmed;          /* has a signature */
	unsigned step;           /* the signature: the failing step (1-based) ... */
	struct outcome seen;     /* ... and what is observed there */
};

/* The signature, in the catalogue's notation (deviations.c). */
#define SIGNATURE(n, what) .confirmed = true, .step = (n), .seen = what
#define NO_SIGNATURE .confirmed = false
#define SAW_NONE { .nevents = 0 }
#define SAW(e) { .events = { e }, .nevents = 1 }
#define SAW_PAIR(a, b) { .events = { a, b }, .nevents = 2 }
#define SAW_VALUE(v) { .is_value = true, .value = (v) }

extern const struct deviation deviations[];
extern const unsigned deviation_count;

const struct deviation *deviation_for(enum platform_kind platform, unsigned experiment);

enum deviation_verdict {
	DEVIATION_NONE,        /* no deviation is known for this platform and experiment */
	DEVIATION_MATCHES,     /* the failure is the known one */
	DEVIATION_DIFFERS,     /* a known deviation exists, but this failure is another one */
	DEVIATION_REPORTED,    /* reported by others, no signature to compare with */
};

/* How a failure at step `index` that saw `outcome` (0: not a step's judgement) relates
 * to deviation d (0: none). */
enum deviation_verdict deviation_judge(const struct deviation *d, unsigned index, const struct outcome *outcome);

/* "step 5 ([G] after VM entry -> NMI@G) observes none". */
void deviation_describe_signature(const struct deviation *d, char *buf, unsigned len);

#endif
