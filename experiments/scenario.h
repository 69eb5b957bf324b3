/*
 * Random scenarios against the model (option scenarios=N, with seed=S): experiments built
 * at random from the step vocabulary, run by the same engine and judged by the same model
 * as the catalogue. What a hand-picked catalogue misses -- a field one experiment away, a
 * pairing nobody staged -- a scenario may hit.
 *
 * A scenario is valid when the model can predict it (model/vmx.h: nothing that depends
 * on timing, nothing the engine does not do), whatever the processor chooses where the SDM
 * lets it, with and without each platform's known deviations (experiments/deviations.c:
 * the judge needs both to tell a known deviation from a new one); the generator keeps
 * drawing until it is.
 * Deterministic from the seed: the same N and S give the same scenarios on any platform
 * whose CPU offers the same VMX features (the draw uses only those it has).
 *
 * A scenario the platform disagrees with (and its known deviations do not explain) is
 * shrunk: steps are left out, one at a time, as long as what is left still diverges, so
 * the log ends with a short reproducer in the catalogue's notation, ready to paste.
 *
 * The TAP stream has one test point per batch of SCENARIO_BATCH scenarios (README,
 * "Random scenarios").
 */
#ifndef EXPERIMENTS_SCENARIO_H
#define EXPERIMENTS_SCENARIO_H

#include <stdbool.h>
#include <stdint.h>

#include "experiments/experiment.h"
#include "model/vmx.h"

#define SCENARIO_MAX_STEPS 28
#define SCENARIO_BATCH 100

/* What the generator may use: the features of this CPU (enum hv_feature) it has. */
struct scenario_vocabulary {
	unsigned features;
};

struct scenario {
	struct experiment x;
	struct step steps[SCENARIO_MAX_STEPS];
	char title[48];
};

/*
 * Draws scenario number `index` from *rng (xorshift64, advanced), valid for the model;
 * the model's prediction of it is left in *p.
 */
void scenario_generate(uint64_t *rng, unsigned index, const struct scenario_vocabulary *v, struct scenario *s,
		       struct prediction *p);

/* The same scenario without step `drop` (and whatever depended on it), if the model can
 * still predict it; false if not. */
bool scenario_without(const struct scenario *s, unsigned drop, struct scenario *out, struct prediction *p);
/* Cut after step `last` (0-based): what came after the first divergence. */
bool scenario_cut_after(const struct scenario *s, unsigned last, struct scenario *out, struct prediction *p);

/* Prints scenario s as C in the catalogue's notation (experiments/notation.h), each step's
 * EXPECT(...) as the model predicts it, one step per line with `prefix` before it; when it
 * ends with H steps and events follow their VM entry, a G(SINCE_ENTRY(...)) line says them. */
void scenario_print(const struct scenario *s, const struct prediction *p, const char *prefix);

#endif
