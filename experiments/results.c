#include "experiments/results.h"

#include "experiments/options.h"
#include "experiments/selection.h"
#include "lib/platform.h"

static struct tally tallies[MAX_EXPERIMENT + 1];

static struct tally *tally_of(const struct experiment *x)
{
	return &tallies[x->number <= MAX_EXPERIMENT ? x->number : 0];
}

const struct tally *results_of(const struct experiment *x) { return tally_of(x); }

const struct deviation *results_deviation(const struct experiment *x)
{
	return deviation_for(platform()->kind, x->number);
}

static enum verdict verdict_of(const struct failure *f, enum deviation_verdict how)
{
	if (!f->failed)
		return VERDICT_PASS;
	if (options.strict)
		return VERDICT_FAIL;
	if (how == DEVIATION_MATCHES)
		return VERDICT_KNOWN;
	return how == DEVIATION_REPORTED ? VERDICT_REPORTED : VERDICT_FAIL;
}

enum verdict results_record(const struct experiment *x, uint64_t us, const struct failure *f,
			    enum deviation_verdict *how)
{
	struct tally *t = tally_of(x);
	*how = DEVIATION_NONE;
	if (f->failed)
		*how = deviation_judge(results_deviation(x), f->step, f->has_outcome ? &f->outcome : 0);
	enum verdict v = verdict_of(f, *how);
	t->runs++;
	t->total_us += us;
	if (f->failed && !(t->failed + t->known + t->reported)) {
		t->first_failure = *f;
		t->first_deviation = *how;
	}
	t->passed += v == VERDICT_PASS;
	t->failed += v == VERDICT_FAIL;
	t->known += v == VERDICT_KNOWN;
	t->reported += v == VERDICT_REPORTED;
	return v;
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
	struct summary s = { 0 };
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
		s.not_shown += v == VERDICT_PASS && results_deviation(x) != 0;
	}
	return s;
}
