#include "experiments/tap.h"

#include "experiments/options.h"
#include "experiments/scenario.h"
#include "experiments/scenario_run.h"
#include "experiments/selection.h"
#include "lib/platform.h"
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
	enum backend_kind backend = selection_backend();
	for (; next_number < number; next_number++) {
		const struct experiment *x = experiment_numbered(next_number);
		if (x && x->backend == backend)
			printf("ok %u # SKIP not selected (exp=)\n", next_number);
		else
			printf("ok %u # SKIP not in the %s catalogue\n", next_number, catalogue_of(backend)->name);
	}
	if (next_number == number)
		next_number++;
}

void tap_plan(void)
{
	printf("TAP version 13\n");
	if (options.scenarios.last) {
		printf("# random scenarios %llu-%llu of seed %llu, %u to a test point\n",
		       (unsigned long long)options.scenarios.first, (unsigned long long)options.scenarios.last,
		       (unsigned long long)options.seed, SCENARIO_BATCH);
		printf("1..%u\n", scenario_run_batches());
		return;
	}
	if (options.order == ORDER_RANDOM)
		printf("# random order: seed %llu, %u runs over %u experiments\n", (unsigned long long)options.seed,
		       selection_runs_planned(), selection_count());
	printf("1..%u\n", selection_last_number());
}

/* A pass is its number and time; whatever did not pass says what the experiment is (the
 * titles of the others are in docs/experiments.md and the report: every byte counts). */
static void print_test_line(bool ok, const struct experiment *x)
{
	skip_unselected_before(x->number);
	printf("%s %u", ok ? "ok" : "not ok", x->number);
	if (!ok) {
		printf(" - ");
		print_description(x->title);
	}
}

/* "entry-keeps-nmi-blocking, nmi-exit-saves-blocking" */
static void print_quirks(unsigned quirks)
{
	bool first = true;
	for (unsigned q = 1; q; q <<= 1)
		if (quirks & q) {
			printf("%s%s", first ? "" : ", ", model_quirk_name(q));
			first = false;
		}
}

static void print_directive(const struct experiment *x, const struct run_result *r)
{
	const char *name = deviation_platform_name(platform()->kind);
	if (r->verdict == VERDICT_KNOWN) {
		printf(" # TODO known %s deviation [", name);
		print_quirks(r->quirks);
		printf("]");
	} else if (r->verdict == VERDICT_REPORTED) {
		const struct reported_deviation *d = reported_deviation_for(platform()->kind, x->number);
		printf(" # TODO reported for %s (not reproduced here): %s", d->platform_name, d->note);
	}
	printf("\n");
}

static void print_failure(const struct experiment *x, const struct run_result *r)
{
	char step[200];
	step_describe_numbered(x, r->failure.step, step, sizeof(step));
	printf("  ---\n");
	print_yaml("step", step);
	print_yaml("expected", r->failure.expected);
	print_yaml("observed", r->failure.observed);
	print_yaml("rule", x->rule);
	if (x->basis == BASIS_SDM)
		printf("  basis: \"SDM-derived: not yet confirmed on silicon\"\n");
	else if (x->basis == BASIS_APM)
		printf("  basis: \"APM-derived: not yet confirmed on silicon\"\n");
	if (options.strict && r->quirks) {
		printf("  deviation: \"known %s deviation [", deviation_platform_name(platform()->kind));
		print_quirks(r->quirks);
		printf("] (strict: counted as a failure)\"\n");
	} else if (r->remark[0]) {
		print_yaml("deviation", r->remark);
	}
	printf("  ...\n");
}

/* What the SDM leaves to the processor and this run settled. */
static void print_choices(const struct run_result *r)
{
	for (unsigned c = 1; c; c <<= 1)
		if (r->choices_settled & c)
			printf("  # measured: %s\n", model_choice_name(c, (r->choices_taken & c) != 0));
}

void tap_result(const struct experiment *x, const struct run_result *r, const char (*measured)[DIAG_LEN],
		unsigned nmeasured)
{
	print_test_line(r->verdict == VERDICT_PASS, x);
	printf(" (%llu us)", (unsigned long long)r->us);
	print_directive(x, r);
	if (r->verdict != VERDICT_PASS)
		print_failure(x, r);
	if (test_hook_in(HOOK_BREAK, x->number))
		printf("  # break=%u: the model's first prediction was deliberately wrong (test only)\n", x->number);
	print_choices(r);
	for (unsigned i = 0; i < nmeasured; i++)
		printf("  # measured: %s\n", measured[i]);
}

void tap_skip(const struct experiment *x, const char *why)
{
	print_test_line(true, x);
	printf(" # SKIP %s\n", why);
}

void tap_random_failure(unsigned run_index, const struct experiment *x, const struct run_result *r)
{
	char step[200];
	step_describe_numbered(x, r->failure.step, step, sizeof(step));
	printf("# run %u: experiment %u failed at step %s: expected %s; observed %s\n", run_index, x->number, step,
	       r->failure.expected, r->failure.observed);
}

static void print_random_result(const struct experiment *x)
{
	const struct tally *t = results_of(x);
	bool inconsistent;
	enum verdict v = results_overall(x, &inconsistent);
	print_test_line(v == VERDICT_PASS, x);
	printf(" (%u runs: %u passed, %u failed; mean %llu us)", t->runs, t->passed,
	       t->failed + t->known + t->reported, (unsigned long long)(t->total_us / t->runs));
	if (inconsistent)
		printf("\n  # inconsistent: the verdict depends on what ran before (%u passed, %u unexpected, "
		       "%u known, %u reported)\n", t->passed, t->failed, t->known, t->reported);
	else
		print_directive(x, &t->first_failure);
	if (v != VERDICT_PASS)
		print_failure(x, &t->first_failure);
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

/* Each known deviation that explained a failure, once: what the platform does instead
 * (the evidence is in the docs, generated from experiments/deviations.c). */
static void print_deviation_legend(unsigned seen)
{
	if (seen)
		printf("# the evidence for each deviation: docs/experiments.md, \"Known deviations\"\n");
	for (unsigned q = 1; q; q <<= 1) {
		const struct deviation *d = deviation_of(platform()->kind, q);
		if (!d || !(seen & q))
			continue;
		/* In pieces: one printf holds 512 characters. */
		printf("# deviation %s (%s): ", model_quirk_name(d->quirk), d->platform_name);
		printf("%s\n", d->note);
	}
}

/* The experiments where the platform's known deviations predicted a difference that did
 * not show, on one line. */
static void print_not_shown(unsigned count)
{
	if (!count)
		return;
	printf("# note: known %s deviations that did not show (fixed?):", deviation_platform_name(platform()->kind));
	for (unsigned i = 0; i < selection_count(); i++) {
		const struct experiment *x = selection_at(i);
		const struct tally *t = results_of(x);
		bool inconsistent;
		if (t->runs && !t->skipped && t->deviation_expected && results_overall(x, &inconsistent) == VERDICT_PASS)
			printf(" %u", x->number);
	}
	printf("\n");
}

void tap_summary(const struct summary *s, uint64_t total_us)
{
	print_deviation_legend(s->quirks_seen);
	print_not_shown(s->not_shown);
	printf("# %u %s runs in %llu us of this machine's time, printing included\n", s->runs, options_run_unit(),
	       (unsigned long long)total_us);
	unsigned not_selected = options.scenarios.last ? 0 : selection_last_number() - selection_count();
	if (not_selected)
		printf("# %u of the numbers 1-%u were not selected (exp=): reported as skipped\n", not_selected,
		       selection_last_number());
	printf("SUMMARY: %u tests, %u unexpected failures, %u known failures, %u skipped, "
	       "%u known deviations did not show%s\n", s->tests + not_selected, s->unexpected, s->known,
	       s->skipped + not_selected, s->not_shown,
	       options.strict ? " (strict: known deviations count as failures)" : "");
}
