/*
 * The catalogues (VMX, and SVM from 101) are the lists of experiments: numbers unique and
 * ascending within 1..MAX_EXPERIMENT across both, every step op known and described --
 * and each experiment's own model (model/vmx.h, model/svm.h) predicts exactly what its
 * EXPECT(...) says (every event, its place, every value a check reads), for every choice
 * the manual leaves to the processor; an EXPECT_EITHER is exactly the set of outcomes
 * those choices give. A check may only assert bits the model says the manual defines.
 * Known deviations are quirks of a platform, each with its evidence.
 */
#include <string.h>

#include "experiments/deviations.h"
#include "experiments/experiment.h"
#include "experiments/judge.h"
#include "model/svm.h"
#include "experiments/scenario.h"
#include "model/vmx.h"
#include "tests/unit.h"

/* Every experiment of both catalogues, VMX's first. */
static unsigned experiment_count(void)
{
	return catalogue_size + catalogue_svm_size;
}

static const struct experiment *experiment_at(unsigned i)
{
	return i < catalogue_size ? &catalogue[i] : &catalogue_svm[i - catalogue_size];
}

static void test_numbers(void)
{
	CHECK(catalogue_size > 0 && catalogue_svm_size > 0);
	CHECK(catalogue_svm[0].number == 101);  /* SVM's family of numbers */
	for (unsigned i = 0; i < experiment_count(); i++) {
		const struct experiment *x = experiment_at(i);
		bool svm = i >= catalogue_size;
		CHECK(x->number >= 1 && x->number <= MAX_EXPERIMENT);
		if (i)
			CHECK(x->number > experiment_at(i - 1)->number);  /* unique and ascending */
		CHECK(x->title && x->title[0] && x->rule && strstr(x->rule, svm ? "APM" : "SDM"));
		CHECK(x->backend == (svm ? BACKEND_SVM : BACKEND_VMX));
		CHECK(!svm || x->basis == BASIS_APM);
		CHECK(x->nsteps > 0 && x->nsteps < MODEL_MAX_STEPS);
		CHECK(experiment_numbered(x->number) == x);
	}
	CHECK(experiment_numbered(0) == NULL);
	CHECK(catalogue_of(BACKEND_SVM)->experiments == catalogue_svm);
}

static void test_steps(void)
{
	for (unsigned i = 0; i < experiment_count(); i++) {
		const struct experiment *x = experiment_at(i);
		for (unsigned j = 0; j < x->nsteps; j++) {
			const struct step *s = &x->steps[j];
			CHECK(s->op < OP_COUNT && step_ops[s->op].describe);
			CHECK(s->nexpected <= MAX_EXPECTED && s->nsends <= MAX_SENDS);
			if (step_ops[s->op].judges != JUDGES_EVENTS)
				CHECK_INT_EQ(s->nexpected, 0);
			if (s->op == OP_WAIT)
				CHECK(s->nsends > 0);
		}
	}
}

/* --- the model reproduces every expectation ------------------------------------------- */

static bool event_is(const struct predicted *p, const struct step *s, const struct expected_event *e)
{
	bool handler = e->anchor == AT_G_HANDLER || e->anchor == AT_H_HANDLER;
	if (p->source != e->source || p->anchor != expected_anchor(s, e) || (handler && p->vector != e->vector))
		return false;
	if (!e->has_detail)
		return true;
	return p->source == OBS_ENTRY_VMFAIL ? p->rec.detail == e->detail : p->rec.qualification == e->detail;
}

/* The events the model predicts in window i. */
static unsigned events_in(const struct prediction *p, unsigned i, const struct predicted **out, unsigned max)
{
	unsigned n = 0;
	for (unsigned k = 0; k < p->count; k++)
		if (p->items[k].step == i && obs_is_event(p->items[k].source) && n < max)
			out[n++] = &p->items[k];
	return n;
}

static bool events_agree(const struct step *s, const struct predicted **ev, unsigned n, unsigned *which)
{
	if (s->either) {
		for (unsigned k = 0; k < s->nexpected; k++)
			if ((s->expected[k].source == OBS_NONE && n == 0) ||
			    (n == 1 && event_is(ev[0], s, &s->expected[k]))) {
				*which = k;
				return true;
			}
		return false;
	}
	if (n != s->nexpected)
		return false;
	for (unsigned k = 0; k < n; k++)
		if (!event_is(ev[k], s, &s->expected[k]))
			return false;
	return true;
}

/* What the catalogue says a value step reads, and which bits it asserts. */
static void step_value(const struct step *s, uint64_t *value, uint64_t *mask)
{
	const struct xvbw *c = &s->controls;
	*mask = s->op == OP_CHECK_EXIT ? s->mask : s->op == OP_CHECK_CONTROLS ? ~0ull : 1;
	*value = s->op == OP_CHECK_CONTROLS ? (uint64_t)(c->nmi_exiting * 1000 + c->virtual_nmis * 100 +
							 c->blocking * 10 + c->nmi_window)
		 : s->op == OP_CHECK_EXIT ? s->bits : (uint64_t)s->value;
}

static bool value_agrees(const struct step *s, const struct predicted_value *v)
{
	uint64_t value, mask;
	step_value(s, &value, &mask);
	/* Present, defined on every bit the step asserts, and equal there. */
	return v->present && !v->absent && !(mask & ~v->mask) && (v->value & mask) == (value & mask);
}

/* One run of the model over x with the given choices against x's expectations; returns
 * which alternative each EXPECT_EITHER step took (bit i: step i took its second). */
static unsigned check_prediction(const struct experiment *x, const struct prediction *p)
{
	unsigned took_second = 0;
	for (unsigned i = 0; i <= x->nsteps; i++) {
		const struct step *s = i < x->nsteps ? &x->steps[i] : 0;
		const struct predicted *ev[8];
		unsigned n = events_in(p, i, ev, 8), which = 0;
		bool judges = s && step_ops[s->op].judges == JUDGES_EVENTS;
		bool ok = judges ? events_agree(s, ev, n, &which) : n == 0;
		if (!ok)
			unit_check(false, "the model predicts the events this step expects", "experiment", (int)x->number);
		took_second |= which ? 1u << i : 0;
		if (s && step_ops[s->op].judges == JUDGES_VALUE && !value_agrees(s, &p->values[i]))
			unit_check(false, "the model predicts the value this check reads", "experiment", (int)x->number);
	}
	return took_second;
}

/* Once with what a platform may or may not offer (SVM's nRIP), each choice combination. */
static void check_experiment(const struct experiment *x, unsigned features)
{
	static struct prediction p;
	struct model_config c = { .vmx = true, .features = features };
	unsigned consulted = model_choices(x, &c), seconds = 0, firsts = ~0u;
	for (bool more = true; more; more = model_next_choices(consulted, &c.choices)) {
		model_predict(x, &c, &p);
		if (!unit_check(p.unsupported == NULL, p.unsupported ? p.unsupported : "", "experiment", (int)x->number))
			continue;
		unsigned took = check_prediction(x, &p);
		seconds |= took;
		firsts &= took;
	}
	/* An EXPECT_EITHER is exactly the set of the choices' outcomes: each alternative is
	 * what some choice gives. */
	for (unsigned j = 0; j < x->nsteps; j++)
		if (x->steps[j].either) {
			unit_check(seconds & 1u << j, "an EXPECT_EITHER alternative that no choice gives", "experiment", (int)x->number);
			CHECK(!(firsts & 1u << j));
		}
}

static void test_model_reproduces_catalogue(void)
{
	for (unsigned i = 0; i < experiment_count(); i++) {
		check_experiment(experiment_at(i), 0);
		if (experiment_at(i)->backend == BACKEND_SVM)
			check_experiment(experiment_at(i), MODEL_FEATURE_NRIP_SAVE);
	}
}

/* --- deviations -------------------------------------------------------------------------- */

static void test_deviations(void)
{
	for (unsigned i = 0; i < deviation_count; i++) {
		const struct deviation *d = &deviations[i];
		CHECK(d->note && d->note[0] && d->evidence && d->evidence[0] && d->platform_name);
		CHECK(d->quirk && !(d->quirk & (d->quirk - 1)));          /* one clause each */
		CHECK(deviation_of(d->platform, d->quirk) == d);          /* once per platform */
		CHECK((d->quirk & platform_quirks(d->platform, BACKEND_VMX)) ||
		      (d->quirk & platform_quirks(d->platform, BACKEND_SVM)));
		CHECK(strcmp(model_quirk_name(d->quirk), "?") != 0);
	}
	for (unsigned i = 0; i < reported_deviation_count; i++) {
		const struct reported_deviation *r = &reported_deviations[i];
		CHECK(experiment_numbered(r->experiment) != NULL);
		CHECK(reported_deviation_for(r->platform, r->experiment) == r);
	}
	/* Bochs 2.7's quirks change the model's prediction of many experiments (which ones,
	 * tests/check_expected_tables.py holds against tests/expected/bochs-2.7.txt), and a
	 * prediction changes exactly where a quirk says it fired. */
	static struct prediction sdm, bochs;
	unsigned differ = 0;
	for (unsigned i = 0; i < catalogue_size; i++) {
		struct model_config c = { .vmx = true }, q = { .vmx = true, .quirks = platform_quirks(PLATFORM_BOCHS, BACKEND_VMX) };
		model_predict(&catalogue[i], &c, &sdm);
		model_predict(&catalogue[i], &q, &bochs);
		static struct prediction scratch;
		bool changed = model_predictions_differ(&sdm, &bochs);
		differ += changed;
		if (changed != (model_quirks_that_matter(&catalogue[i], &q, &bochs, &scratch) != 0))
			unit_check(false, "a quirk fired exactly where the prediction changed", "experiment",
				   (int)catalogue[i].number);
	}
	CHECK(differ > 20);
	static const enum platform_kind svm_platforms[] = { PLATFORM_BOCHS, PLATFORM_QEMU_TCG };
	for (unsigned k = 0; k < 2; k++) {
		unsigned quirks = platform_quirks(svm_platforms[k], BACKEND_SVM), fired = 0;
		for (unsigned i = 0; i < catalogue_svm_size; i++) {
			struct model_config q = { .vmx = true, .quirks = quirks, .features = MODEL_FEATURE_NRIP_SAVE };
			model_predict(&catalogue_svm[i], &q, &bochs);
			fired |= bochs.quirks_fired;
		}
		CHECK_INT_EQ(fired, quirks);
	}
}

/* A quirk that changes a prediction says so (quirks_fired), or a known failure would
 * name no deviation: in every experiment and in random scenarios, for every platform. */
static void check_quirks_named(const struct experiment *x, unsigned quirks)
{
	static struct prediction sdm, platform;
	struct model_config c = { .vmx = true }, q = { .vmx = true, .quirks = quirks };
	model_predict(x, &c, &sdm);
	model_predict(x, &q, &platform);
	if (!sdm.unsupported && !platform.unsupported && model_predictions_differ(&sdm, &platform))
		unit_check(platform.quirks_fired != 0, "a quirk that changes the prediction fires", "experiment",
			   (int)x->number);
}

static void test_quirks_named(void)
{
	unsigned sets[8], n = deviation_quirk_sets(sets, 8);
	for (unsigned k = 0; k < n; k++) {
		for (unsigned i = 0; i < catalogue_size; i++)
			check_quirks_named(&catalogue[i], sets[k]);
		struct scenario_vocabulary v = { .features = 0xffu };
		uint64_t rng = 11;
		for (unsigned i = 1; i <= 500; i++) {
			static struct scenario s;
			static struct prediction p;
			scenario_generate(&rng, i, &v, &s, &p);
			check_quirks_named(&s.x, sets[k]);
		}
	}
}

void test_catalogue(void)
{
	test_numbers();
	test_steps();
	test_model_reproduces_catalogue();
	test_deviations();
	test_quirks_named();
}
