/*
 * Judging: every observation against the model's prediction, in full.
 *
 * Each step's judgement window holds the observations recorded while it was open
 * (observe.h stamps each with its window); the windows partition the run, so every
 * observation is judged by exactly one step -- or, after the last step, by the end of
 * the experiment. A window agrees with a prediction when the same observations came, in
 * the same order, each at the predicted place, each exit's record equal on every bit the
 * SDM defines (model/vmx.h).
 *
 * The judge holds candidates: the model as the SDM states it, once per combination of
 * the choices the SDM leaves to the processor, and -- on a platform with known
 * deviations -- the same with the platform's quirks applied. A candidate that disagrees
 * with a window drops out; the experiment goes on while one is left. It passes when an
 * SDM candidate lasts to the end, is the platform's known deviation when only a quirked
 * one does, and fails otherwise. Pure functions over observations and predictions, so
 * the host unit tests drive them.
 */
#ifndef EXPERIMENTS_JUDGE_H
#define EXPERIMENTS_JUDGE_H

#include <stdbool.h>
#include <stdint.h>

#include "experiments/experiment.h"
#include "experiments/observe.h"
#include "model/model.h"

#define DIAG_LEN 320
#define JUDGE_MAX_CANDIDATES 16

/* Where a candidate first disagreed with what was observed. */
struct divergence {
	bool found;
	unsigned step;             /* the window: a step index, or nsteps for the end */
	char expected[DIAG_LEN];
	char observed[DIAG_LEN];
};

/* What the judge concluded about one experiment run. */
struct judgement {
	bool sdm_holds;            /* an SDM candidate agreed with everything */
	bool platform_holds;       /* else: a candidate with the platform's quirks did */
	unsigned quirks;           /* the quirks that made the difference there */
	struct divergence sdm;     /* how the SDM model (the candidate that lasted longest) diverged */
	struct divergence platform;/* how the platform's model diverged, if it did */
	/* Choices the SDM leaves open that this run settled (enum model_choice): which way. */
	unsigned choices_settled, choices_taken;
	bool deviation_expected;   /* the platform's model predicts something else here */
};

/*
 * Starts judging a run of x: the candidates, predicted now. `platform_quirks` 0: none.
 * `broken` (option break=N): every candidate's first prediction is made wrong on
 * purpose. Returns false, with the model's reason, when the model cannot predict x.
 */
bool judge_begin(const struct experiment *x, bool vmx, unsigned platform_quirks, bool broken, const char **why);
/* What the platform offers where a record depends on it (enum model_feature): every
 * later judge_begin predicts with it. */
void judge_set_features(unsigned features);
/* Judges window `step` (a step index, or nsteps for the end) on the log. Returns false
 * when no candidate is left. */
bool judge_window(unsigned step, const struct observation *log, unsigned count);
/* Judges what a value step read (absent: the exit it reads did not happen); describe
 * says a value as the step's notation does. */
bool judge_value(unsigned step, bool absent, uint64_t value, void (*describe)(uint64_t v, char *buf, unsigned len));
/* After the end window: every window judged saw all of its observations. */
bool judge_late(const struct observation *log, unsigned count);
void judge_conclude(struct judgement *j);

/* The events recorded in window `step` (a step index, or nsteps for the end) of the log,
 * each with where it hit and what its exit saved: "EXIT_NMI at 0x20fce8 (after HLT)
 * [info 0x80000202, ...], NMI_G at ...", or "none". */
void describe_window(unsigned step, const struct observation *log, unsigned count, char *buf, unsigned len);

#endif
