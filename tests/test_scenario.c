/*
 * Random scenarios (experiments/scenario.c): the same seed draws the same scenarios, every
 * scenario drawn is one the model predicts whatever the processor chooses, uses only the
 * features it was given, and the shrinking helpers keep that true. (That the printed
 * reproducer compiles back to the same steps: tests/notation_roundtrip.c.)
 */
#include <string.h>

#include "experiments/deviations.h"
#include "experiments/experiment.h"
#include "experiments/scenario.h"
#include "hv/features.h"
#include "model/vmx.h"
#include "tests/unit.h"

#define ALL_FEATURES 0xffu
#define DRAWN 400

static struct scenario a, b, shorter;
static struct prediction p;

static bool same_steps(const struct scenario *x, const struct scenario *y)
{
	return x->x.nsteps == y->x.nsteps && !memcmp(x->steps, y->steps, x->x.nsteps * sizeof(struct step));
}

static void test_deterministic(void)
{
	struct scenario_vocabulary v = { .features = ALL_FEATURES };
	uint64_t r1 = 1, r2 = 1, r3 = 2;
	unsigned differ = 0;
	for (unsigned i = 1; i <= 50; i++) {
		scenario_generate(&r1, i, &v, &a, &p);
		scenario_generate(&r2, i, &v, &b, &p);
		CHECK(same_steps(&a, &b));
		scenario_generate(&r3, i, &v, &b, &p);
		differ += !same_steps(&a, &b);
	}
	CHECK(differ > 40);
	CHECK_STR_EQ(a.x.title, "scenario 50");
	CHECK_INT_EQ(a.x.number, 50);
}

/* Supported by the model with these quirks under every combination of the choices it
 * consults. */
static bool predictable_with(const struct experiment *x, unsigned quirks)
{
	struct model_config c = { .vmx = true, .quirks = quirks };
	model_predict(x, &c, &p);
	if (p.unsupported)
		return false;
	unsigned consulted = p.choices_consulted;
	while (model_next_choices(consulted, &c.choices)) {
		model_predict(x, &c, &p);
		if (p.unsupported)
			return false;
	}
	return true;
}

/* By the SDM's model and by each platform's. */
static bool predictable_whatever_chosen(const struct experiment *x)
{
	unsigned sets[8], n = deviation_quirk_sets(sets, 8);
	for (unsigned i = 0; i < n; i++)
		if (!predictable_with(x, sets[i]))
			return false;
	return predictable_with(x, 0);
}

static void test_valid(unsigned features, uint64_t seed)
{
	struct scenario_vocabulary v = { .features = features };
	uint64_t rng = seed;
	unsigned invalid = 0, outside = 0, short_ones = 0, events = 0;
	for (unsigned i = 1; i <= DRAWN; i++) {
		scenario_generate(&rng, i, &v, &a, &p);
		events += p.count;
		short_ones += a.x.nsteps < 3 || a.x.nsteps > SCENARIO_MAX_STEPS;
		outside += (experiment_needs(&a.x) & ~features) != 0;
		invalid += !predictable_whatever_chosen(&a.x);
	}
	CHECK_INT_EQ(invalid, 0);
	CHECK_INT_EQ(outside, 0);
	CHECK_INT_EQ(short_ones, 0);
	CHECK(events > DRAWN); /* they observe something */
}

/* Without a feature, no step that needs it; with all, each shows up. */
static void test_vocabulary(void)
{
	static const unsigned optional[] = { FEATURE_EPT, FEATURE_MTF, FEATURE_PREEMPTION_TIMER,
					     FEATURE_INTERRUPT_WINDOW, FEATURE_HLT_STATE, FEATURE_NMI_WINDOW };
	struct scenario_vocabulary all = { .features = ALL_FEATURES };
	uint64_t rng = 3;
	unsigned used = 0;
	for (unsigned i = 1; i <= DRAWN; i++) {
		scenario_generate(&rng, i, &all, &a, &p);
		used |= experiment_needs(&a.x);
	}
	for (unsigned k = 0; k < sizeof(optional) / sizeof(optional[0]); k++)
		CHECK(used & optional[k]);
	test_valid(ALL_FEATURES, 1);
	test_valid(FEATURE_NMI_EXITING, 4);
	test_valid(FEATURE_NMI_EXITING | FEATURE_VIRTUAL_NMIS | FEATURE_HLT_STATE, 5);
}

static void test_shrinking(void)
{
	struct scenario_vocabulary v = { .features = ALL_FEATURES };
	uint64_t rng = 9;
	unsigned dropped = 0, cut = 0;
	for (unsigned i = 1; i <= 60; i++) {
		scenario_generate(&rng, i, &v, &a, &p);
		CHECK(!scenario_without(&a, a.x.nsteps, &shorter, &p));
		for (unsigned d = 0; d < a.x.nsteps; d++)
			if (scenario_without(&a, d, &shorter, &p)) {
				dropped++;
				CHECK_INT_EQ(shorter.x.nsteps, a.x.nsteps - 1);
				CHECK(shorter.x.steps == shorter.steps);
				CHECK(predictable_whatever_chosen(&shorter.x));
				CHECK(!memcmp(&shorter.steps[d], &a.steps[d + 1], sizeof(struct step) * (a.x.nsteps - 1 - d)));
			}
		if (scenario_cut_after(&a, 1, &shorter, &p)) {
			cut++;
			CHECK_INT_EQ(shorter.x.nsteps, 2);
			CHECK(!memcmp(shorter.steps, a.steps, 2 * sizeof(struct step)));
		}
		CHECK(!scenario_cut_after(&a, a.x.nsteps - 1, &shorter, &p)); /* nothing to cut */
	}
	CHECK(dropped > 60);
	CHECK(cut > 0);
}

void test_scenario(void)
{
	test_deterministic();
	test_vocabulary();
	test_shrinking();
}
