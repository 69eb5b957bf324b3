#include "experiments/results.h"

#include "experiments/options.h"
#include "experiments/selection.h"
#include "lib/platform.h"
#include "lib/printf.h"
#include "lib/string.h"

static struct tally tallies[MAX_EXPERIMENT + 1];
static unsigned quirks_seen;

static struct tally *tally_of(const struct experiment *x)
{
	return &tallies[x->number <= MAX_EXPERIMENT ? x->number : 0];
}

const struct tally *results_of(const struct experiment *x) { return tally_of(x); }

/* The SDM model's divergence as the run's failure, for a run the engine did not stop. */
static void failure_from(const struct divergence *d, const struct experiment *x, struct failure *f)
{
	f->failed = true;
	f->step = d->step < x->nsteps ? d->step : x->nsteps - 1;
	snprintf(f->expected, DIAG_LEN, "%s", d->expected);
	snprintf(f->observed, DIAG_LEN, "%s%s", d->step < x->nsteps ? "" : "after the last step: ", d->observed);
}

static void remark_platform(const struct experiment *x, const struct judgement *j, struct run_result *r)
{
	const char *name = deviation_platform_name(platform()->kind);
	if (!platform_quirks(platform()->kind, x->backend) || !name || !j->platform.found)
		return;
	char step[160];
	step_describe_numbered(x, j->platform.step < x->nsteps ? j->platform.step : x->nsteps - 1, step, sizeof(step));
	snprintf(r->remark, DIAG_LEN, "the known %s deviations do not explain it: with them the model expects %s at "
		 "step %s, observed %s", name, j->platform.expected, step, j->platform.observed);
}

void results_judge(const struct experiment *x, const struct failure *engine_failure, const struct judgement *j,
		   struct run_result *r)
{
	const struct reported_deviation *reported = reported_deviation_for(platform()->kind, x->number);
	memset(r, 0, sizeof(*r));
	r->deviation_expected = j->deviation_expected;
	r->choices_settled = j->choices_settled;
	r->choices_taken = j->choices_taken;
	if (engine_failure->failed) {
		r->failure = *engine_failure;
		r->verdict = reported && !options.strict ? VERDICT_REPORTED : VERDICT_FAIL;
		return;
	}
	if (j->sdm_holds) {
		r->verdict = VERDICT_PASS;
		return;
	}
	failure_from(&j->sdm, x, &r->failure);
	if (j->platform_holds) {
		r->quirks = j->quirks;
		r->verdict = options.strict ? VERDICT_FAIL : VERDICT_KNOWN;
		return;
	}
	remark_platform(x, j, r);
	r->verdict = reported && !options.strict ? VERDICT_REPORTED : VERDICT_FAIL;
}

void results_record(const struct experiment *x, const struct run_result *r)
{
	struct tally *t = tally_of(x);
	t->runs++;
	t->total_us += r->us;
	t->deviation_expected |= r->deviation_expected;
	if (r->verdict != VERDICT_PASS && !(t->failed + t->known + t->reported))
		t->first_failure = *r;
	t->passed += r->verdict == VERDICT_PASS;
	t->failed += r->verdict == VERDICT_FAIL;
	t->known += r->verdict == VERDICT_KNOWN;
	t->reported += r->verdict == VERDICT_REPORTED;
	if (r->verdict == VERDICT_KNOWN || (options.strict && r->quirks))
		quirks_seen |= r->quirks;
}

void results_record_skip(const struct experiment *x, const char *why)
{
	struct tally *t = tally_of(x);
	t->skipped = true;
	t->skip_reason = why;
}

enum verdict results_overall(const struct experiment *x, bool *inconsistent)
{
	const struct tally *t = tally_of(x);
	unsigned kinds = (t->passed > 0) + (t->failed > 0) + (t->known > 0) + (t->reported > 0);
	*inconsistent = kinds > 1;
	if (t->failed || *inconsistent)
		return VERDICT_FAIL;
	if (t->known)
		return VERDICT_KNOWN;
	return t->reported ? VERDICT_REPORTED : VERDICT_PASS;
}

struct summary results_summary(void)
{
	struct summary s = { .runs = selection_runs_done(), .quirks_seen = quirks_seen };
	for (unsigned i = 0; i < selection_count(); i++) {
		const struct experiment *x = selection_at(i);
		const struct tally *t = tally_of(x);
		bool inconsistent;
		s.tests++;
		if (t->skipped || !t->runs) {
			s.skipped++;
			s.not_run += !t->skipped;
			continue;
		}
		enum verdict v = results_overall(x, &inconsistent);
		s.unexpected += v == VERDICT_FAIL;
		s.known += v == VERDICT_KNOWN || v == VERDICT_REPORTED;
		s.not_shown += v == VERDICT_PASS && t->deviation_expected;
	}
	return s;
}
