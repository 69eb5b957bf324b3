/*
 * Known deviations: what a platform does instead of what silicon, the SDM or the APM says,
 * as a quirk of the model (model/vmx.h, model/svm.h: a change to one clause), with its
 * evidence. The judge
 * runs the model with a platform's quirks applied next to the SDM's; a failure is the
 * known deviation only if that model predicts every observation of the run -- so the
 * same deviation is recognised in any experiment or scenario, and a new bug that merely
 * looks like an old one is not.
 *
 * Deviations reported by others and never reproduced here have no clause: a failure of
 * that experiment on that platform is shown as reported, not as known.
 */
#ifndef EXPERIMENTS_DEVIATIONS_H
#define EXPERIMENTS_DEVIATIONS_H

#include <stdbool.h>

#include "lib/platform.h"
#include "model/model.h"
#include "model/step.h"

struct deviation {
	enum platform_kind platform;
	const char *platform_name;
	unsigned quirk;          /* one bit: enum model_quirk (VMX) or enum svm_quirk (SVM) */
	const char *note;        /* what the platform does instead */
	const char *evidence;    /* where that was established (runs, source lines, a report) */
};

struct reported_deviation {
	enum platform_kind platform;
	unsigned experiment;
	const char *platform_name;
	const char *note;
	const char *evidence;
};

extern const struct deviation deviations[];
extern const unsigned deviation_count;
extern const struct reported_deviation reported_deviations[];
extern const unsigned reported_deviation_count;

/* The quirks of a platform in the model of that backend (enum model_quirk for VMX, enum
 * svm_quirk for SVM), 0 for none. */
unsigned platform_quirks(enum platform_kind platform, enum backend_kind backend);
/* Each platform's VMX quirks (a set per platform that has any, each once: what random
 * scenarios are drawn for): *sets gets up to max of them; returns how many. */
unsigned deviation_quirk_sets(unsigned *sets, unsigned max);
/* The platform's deviation that is this quirk, or 0. */
const struct deviation *deviation_of(enum platform_kind platform, unsigned quirk);
/* A deviation reported for this platform and experiment, or 0. */
const struct reported_deviation *reported_deviation_for(enum platform_kind platform, unsigned experiment);
/* "Bochs 2.7": the name deviations use for the platform, or 0 if it has none. */
const char *deviation_platform_name(enum platform_kind platform);

#endif
