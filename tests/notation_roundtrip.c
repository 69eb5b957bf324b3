/*
 * The notation printer, round trip: tests/notation_reprint.c printed the catalogue and a
 * run of random scenarios as C; compiled here, each must give back the steps it was
 * printed from, field by field. Expectations are the SDM model's prediction, so they are
 * compared where the catalogue's step says what the SDM's model predicts (not where it
 * measures one of two outcomes, EXPECT_EITHER, or a silicon-only result).
 */
#include <stdio.h>
#include <string.h>

#include "experiments/experiment.h"
#include "experiments/scenario.h"
#include "model/vmx.h"
#include "tests/notation_roundtrip.h"

static unsigned failures, compared_steps, compared_expectations;

static void fail(const struct experiment *x, unsigned step, const char *what)
{
	if (++failures <= 20)
		printf("notation round trip: experiment %u (%s), step %u: %s differs\n", x->number, x->title, step + 1, what);
}

static bool same_event(const struct step *a, const struct expected_event *e, const struct step *b,
		       const struct expected_event *f)
{
	if (e->source != f->source || expected_anchor(a, e) != expected_anchor(b, f))
		return false;
	if ((e->anchor == AT_G_HANDLER || e->anchor == AT_H_HANDLER) && e->vector != f->vector)
		return false;
	/* EV_BAD_GUEST_ANY leaves the qualification open; the model names one. */
	return !e->has_detail || !f->has_detail || e->detail == f->detail;
}

static bool same_expectation(const struct step *a, const struct step *b)
{
	if (a->nexpected != b->nexpected)
		return false;
	for (unsigned i = 0; i < a->nexpected; i++)
		if (!same_event(a, &a->expected[i], b, &b->expected[i]))
			return false;
	return true;
}

#define SAME(field) do { if (a->field != b->field) fail(x, i, #field); } while (0)

/* What a step does, without what it expects (or, for a check, the value it checks). */
static void compare_action(const struct experiment *x, unsigned i, const struct step *a, const struct step *b)
{
	SAME(ctx); SAME(op); SAME(vector); SAME(injection); SAME(has_error_code); SAME(error_code);
	SAME(shadow); SAME(control); SAME(timer); SAME(response); SAME(exit); SAME(field); SAME(mask);
	SAME(nsends); SAME(settle); SAME(host_at_exit);
	bool check = a->op == OP_CHECK_CONTROLS || a->op == OP_CHECK_B || a->op == OP_CHECK_BIT12;
	if (!check)
		SAME(value);
	if (a->op != OP_CHECK_CONTROLS && memcmp(&a->controls, &b->controls, sizeof(a->controls)))
		fail(x, i, "controls");
	if (memcmp(a->sends, b->sends, a->nsends * sizeof(a->sends[0])))
		fail(x, i, "sends");
	if ((a->reference || b->reference) && (!a->reference || !b->reference || strcmp(a->reference, b->reference)))
		fail(x, i, "reference");
	compared_steps++;
}

/* A catalogue experiment: everything, the expectation too where the SDM's model speaks
 * for it. */
static void compare_experiment(const struct experiment *x, const struct experiment *reprinted)
{
	if (x->nsteps != reprinted->nsteps) {
		fail(x, 0, "the number of steps");
		return;
	}
	for (unsigned i = 0; i < x->nsteps; i++) {
		const struct step *a = &x->steps[i], *b = &reprinted->steps[i];
		compare_action(x, i, a, b);
		SAME(value); SAME(bits);
		if (memcmp(&a->controls, &b->controls, sizeof(a->controls)))
			fail(x, i, "controls");
		if (x->basis == BASIS_SDM && !a->either) {
			compared_expectations++;
			if (!same_expectation(a, b))
				fail(x, i, "the expectation");
		}
	}
}

/* The value a check step of the reprinted scenario says, as the model reads it. */
static uint64_t checked_value(const struct step *s)
{
	switch (s->op) {
	case OP_CHECK_CONTROLS:
		return s->controls.nmi_exiting * 1000u + s->controls.virtual_nmis * 100u + s->controls.blocking * 10u +
		       (unsigned)s->controls.nmi_window;
	case OP_CHECK_B: case OP_CHECK_BIT12: return (uint64_t)s->value;
	default: return s->bits;
	}
}

/* A scenario: the same actions, and the reprint says what the SDM's model predicts for
 * it (its events, each check's value), as a catalogue entry must. */
static void compare_scenario(const struct experiment *x, const struct experiment *reprinted)
{
	static struct prediction p;
	struct model_config sdm = { .vmx = true };
	/* The reprint may end with one more step: G SINCE_ENTRY, saying what follows the
	 * last H steps' VM entry. */
	bool extra = reprinted->nsteps == x->nsteps + 1;
	if (reprinted->nsteps != x->nsteps && !extra) {
		fail(x, 0, "the number of steps");
		return;
	}
	if (extra && (reprinted->steps[x->nsteps].ctx != IN_GUEST || reprinted->steps[x->nsteps].op != OP_SINCE_ENTRY ||
		      !reprinted->steps[x->nsteps].nexpected))
		fail(x, x->nsteps, "the closing G(SINCE_ENTRY(...))");
	model_predict(reprinted, &sdm, &p);
	for (unsigned i = 0; i < reprinted->nsteps; i++) {
		const struct step *b = &reprinted->steps[i];
		if (i < x->nsteps)
			compare_action(x, i, &x->steps[i], b);
		struct step predicted = *b;
		predicted.nexpected = 0;
		for (unsigned k = 0; k < p.count; k++) {
			const struct predicted *e = &p.items[k];
			if (e->step != i || !obs_is_event(e->source) || predicted.nexpected == MAX_EXPECTED)
				continue;
			predicted.expected[predicted.nexpected++] = (struct expected_event){
				.source = e->source, .anchor = e->anchor, .vector = e->vector };
		}
		compared_expectations++;
		if (!same_expectation(b, &predicted))
			fail(x, i, "the expectation (against the SDM model's)");
		const struct predicted_value *v = &p.values[i];
		if (v->present && !v->absent && checked_value(b) != v->value)
			fail(x, i, "the checked value (against the SDM model's)");
	}
}

int main(void)
{
	for (unsigned i = 0; i < catalogue_size; i++)
		compare_experiment(&catalogue[i], &reprinted_catalogue[i]);
	unsigned n = 0;
	for (unsigned k = 0; k < ROUNDTRIP_VOCABULARIES; k++) {
		struct scenario_vocabulary v = { .features = roundtrip_features[k] };
		uint64_t rng = ROUNDTRIP_SEED + k;
		for (unsigned i = 1; i <= ROUNDTRIP_SCENARIOS; i++) {
			static struct scenario s;
			static struct prediction p;
			scenario_generate(&rng, i, &v, &s, &p);
			compare_scenario(&s.x, &reprinted_scenarios[n++]);
		}
	}
	printf("notation round trip: %u steps (%u expectations) of %u experiments and %u scenarios printed as C "
	       "and compiled back: %u differ\n", compared_steps, compared_expectations, catalogue_size, n, failures);
	return failures ? 1 : 0;
}
