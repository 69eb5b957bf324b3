/*
 * The catalogue is the one list of experiments: numbers unique and ascending within
 * 1..MAX_EXPERIMENT, every step op known and described, and every known deviation
 * naming an experiment that exists, with a signature that fits the step it names.
 */
#include <string.h>

#include "experiments/deviations.h"
#include "experiments/experiment.h"
#include "tests/unit.h"

static void test_numbers(void)
{
	CHECK(catalogue_size > 0);
	for (unsigned i = 0; i < catalogue_size; i++) {
		const struct experiment *x = &catalogue[i];
		CHECK(x->number >= 1 && x->number <= MAX_EXPERIMENT);
		if (i)
			CHECK(x->number > catalogue[i - 1].number);  /* unique and ascending */
		CHECK(x->title && x->title[0] && x->rule && strstr(x->rule, "SDM"));
		CHECK(x->nsteps > 0);
		CHECK(experiment_numbered(x->number) == x);
	}
	CHECK(experiment_numbered(0) == NULL);
}

static void test_steps(void)
{
	for (unsigned i = 0; i < catalogue_size; i++) {
		const struct experiment *x = &catalogue[i];
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

static void test_deviations(void)
{
	for (unsigned i = 0; i < deviation_count; i++) {
		const struct deviation *d = &deviations[i];
		const struct experiment *x = experiment_numbered(d->experiment);
		CHECK(x != NULL);
		CHECK(d->note && d->evidence && d->platform_name);
		CHECK(deviation_for(d->platform, d->experiment) == d);  /* one per platform and experiment */
		if (!x || !d->confirmed)
			continue;
		CHECK(d->step >= 1 && d->step <= x->nsteps);
		if (d->step < 1 || d->step > x->nsteps)
			continue;
		/* A signature observes what its step judges: events, or a value. */
		enum step_judges judges = step_ops[x->steps[d->step - 1].op].judges;
		CHECK(judges != JUDGES_NOTHING);
		CHECK(d->seen.is_value == (judges == JUDGES_VALUE));
	}
}

void test_catalogue(void)
{
	test_numbers();
	test_steps();
	test_deviations();
}
