#include "experiments/tap.h"

#include "experiments/options.h"
#include "experiments/selection.h"
#include "lib/printf.h"

/* A TAP description: '#' would start a directive and '\' escapes, so both are escaped. */
static void print_description(const char *text)
{
	for (const char *p = text; *p; p++)
		printf("%s%c", *p == '#' || *p == '\\' ? "\\" : "", *p);
}

/* A YAML diagnostic value, double-quoted: any ": " or '#' inside stays text. */
static void print_yaml(const char *key, const char *value)
{
	printf("  %s: \"", key);
	for (const char *p = value; *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if ((unsigned char)*p < 0x20)
			printf("\\x%02x", (unsigned char)*p);
		else
			printf("%c", *p);
	}
	printf("\"\n");
}

/* TAP numbers are experiment numbers (users quote "ok 17"), and TAP wants 1..N in order:
 * the numbers below the last selected one that are not selected are skipped, in place. */
static unsigned next_number = 1;

static void skip_unselected_before(unsigned number)
{
	for (; next_number < number; next_number++) {
		const struct experiment *x = experiment_numbered(next_number);
		if (x)
			printf("ok %u - ", next_number), print_description(x->title),
				printf(" # SKIP not selected (exp=)\n");
		else
			printf("ok %u - (no experiment %u in this catalogue) # SKIP not in the catalogue\n",
			       next_number, next_number);
	}
	if (next_number == number)
		next_number++;
}

void tap_plan(void)
{
	printf("TAP version 13\n");
	if (options.order == ORDER_RANDOM)
		printf("# random order: seed %llu, %u runs over %u experiments\n", (unsigned long long)options.seed,
		       selection_runs_planned(), selection_count());
	printf("1..%u\n", selection_last_number());
}

static void print_test_line(bool ok, const struct experiment *x)
{
	skip_unselected_before(x->number);
	printf("%s %u - ", ok ? "ok" : "not ok", x->number);
	print_description(x->title);
}

/* What the failure block says about the platform's known deviation, or 0. */
static const char *deviation_remark(const struct deviation *d, enum deviation_verdict how, char *buf, unsigned len)
{
	if (!d)
		return 0;
	if (options.strict && (how == DEVIATION_MATCHES || how == DEVIATION_REPORTED)) {
		snprintf(buf, len, "%s %s deviation (strict: counted as a failure)",
			 how == DEVIATION_MATCHES ? "known" : "reported", d->platform_name);
		return buf;
	}
	if (how != DEVIATION_DIFFERS)
		return 0;
	char signature[200];
	deviation_describe_signature(d, signature, sizeof(signature));
	snprintf(buf, len, "known %s deviation differs: %s", d->platform_name, signature);
	return buf;
}

static void print_failure(const struct experiment *x, const struct failure *f, const char *remark)
{
	char step[200];
	step_describe_numbered(x, f->step, step, sizeof(step));
	printf("  ---\n");
	print_yaml("step", step);
	print_yaml("expected", f->expected);
	print_yaml("observed", f->observed);
	print_yaml("rule", x->rule);
	if (x->basis == BASIS_SDM)
		printf("  basis: \"SDM-derived: not yet confirmed on silicon\"\n");
	if (remark)
		print_yaml("deviation", remark);
	printf("  ...\n");
}

static void print_directive(enum verdict v, const struct deviation *d)
{
	if (v == VERDICT_KNOWN)
		printf(" # TODO known %s deviation: %s", d->platform_name, d->note);
	else if (v == VERDICT_REPORTED)
		printf(" # TODO reported for %s (signature not confirmed): %s", d->platform_name, d->note);
	printf("\n");
}

static void print_notes(const struct experiment *x, const struct deviation *d, enum verdict v)
{
	if (run.broken)
		printf("  # break=%u: one expectation of this experiment was deliberately wrong (test only)\n",
		       x->number);
	else if (d && v == VERDICT_PASS)
		printf("  # note: the known %s deviation did not show (fixed?): %s\n", d->platform_name, d->note);
	for (unsigned i = 0; i < run.nmeasured; i++)
		printf("  # measured: %s\n", run.measured[i]);
}

void tap_result(const struct experiment *x, uint64_t us, enum verdict v, enum deviation_verdict how)
{
	const struct deviation *d = results_deviation(x);
	char remark[320];
	print_test_line(v == VERDICT_PASS, x);
	printf(" (%llu us)", (unsigned long long)us);
	print_directive(v, d);
	if (v != VERDICT_PASS)
		print_failure(x, &run.failure, deviation_remark(d, how, remark, sizeof(remark)));
	print_notes(x, d, v);
}

void tap_skip(const struct experiment *x, const char *why)
{
	print_test_line(true, x);
	printf(" # SKIP %s\n", why);
}

void tap_random_failure(unsigned run_index, const struct experiment *x)
{
	char step[200];
	step_describe_numbered(x, run.failure.step, step, sizeof(step));
	printf("# run %u: experiment %u failed at step %s: expected %s; observed %s\n", run_index, x->number,
	       step, run.failure.expected, run.failure.observed);
}

static void print_random_result(const struct experiment *x)
{
	const struct tally *t = results_of(x);
	const struct deviation *d = results_deviation(x);
	char remark[320];
	bool inconsistent;
	enum verdict v = results_overall(x, &inconsistent);
	print_test_line(v == VERDICT_PASS, x);
	printf(" (%u runs: %u passed, %u failed; mean %llu us)", t->runs, t->passed,
	       t->failed + t->known + t->reported, (unsigned long long)(t->total_us / t->runs));
	if (inconsistent)
		printf("\n  # inconsistent: the verdict depends on what ran before (%u passed, %u unexpected, "
		       "%u known, %u reported)\n", t->passed, t->failed, t->known, t->reported);
	else
		print_directive(v, d);
	if (v != VERDICT_PASS)
		print_failure(x, &t->first_failure, deviation_remark(d, t->first_deviation, remark, sizeof(remark)));
	else if (d)
		printf("  # note: the known %s deviation did not show (fixed?): %s\n", d->platform_name, d->note);
}

void tap_random_results(void)
{
	for (unsigned i = 0; i < selection_count(); i++) {
		const struct experiment *x = selection_at(i);
		const struct tally *t = results_of(x);
		if (t->skipped)
			tap_skip(x, t->skip_reason);
		else if (!t->runs)
			tap_skip(x, "not run: the random order never picked it (more iterations=, or another seed=)");
		else
			print_random_result(x);
	}
}

void tap_summary(const struct summary *s, uint64_t total_us)
{
	printf("# %u experiment runs in %llu us of this machine's time\n", selection_runs_done(),
	       (unsigned long long)total_us);
	unsigned not_selected = selection_last_number() - selection_count();
	if (not_selected)
		printf("# %u of the numbers 1-%u were not selected (exp=): reported as skipped\n", not_selected,
		       selection_last_number());
	printf("SUMMARY: %u tests, %u unexpected failures, %u known failures, %u skipped, "
	       "%u known deviations did not show%s\n", s->tests + not_selected, s->unexpected, s->known,
	       s->skipped + not_selected, s->not_shown,
	       options.strict ? " (strict: known deviations count as failures)" : "");
}
