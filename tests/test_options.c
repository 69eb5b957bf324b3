/* The kernel's own option table: the "exp=" selection syntax, whole command lines, and the
 * checks against the catalogue (experiments/selection.c). */
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "experiments/options.h"
#include "experiments/selection.h"
#include "lib/printf.h"
#include "tests/unit.h"

static struct experiment_selection last;
static char err[512];

static bool in(const uint64_t *words, unsigned n)
{
	return words[n / 64] >> (n % 64) & 1;
}

/* Whether exactly the experiments lo..hi (and no other of 0..MAX_EXPERIMENT) are set. */
static bool exactly(const uint64_t *words, unsigned lo, unsigned hi)
{
	for (unsigned n = 0; n <= MAX_EXPERIMENT; n++)
		if (in(words, n) != (n >= lo && n <= hi))
			return false;
	return true;
}

static int list(const char *value)
{
	memset(&last, 0x5a, sizeof(last));
	err[0] = 0;
	return parse_experiment_list(value, &last, err, sizeof(err));
}

static void test_experiment_lists(void)
{
	CHECK_INT_EQ(list("17"), 0);
	CHECK(exactly(last.selected, 17, 17));
	CHECK(exactly(last.named, 17, 17));
	CHECK_INT_EQ(list("1-30,35"), 0);
	CHECK(in(last.selected, 1) && in(last.selected, 30) && in(last.selected, 35));
	CHECK(!in(last.selected, 31) && !in(last.selected, 34) && !in(last.selected, 36));
	/* Only exclusions: everything but those, up to the last possible number. */
	CHECK_INT_EQ(list("-18,-19"), 0);
	CHECK(in(last.selected, 17) && in(last.selected, 20) && in(last.selected, MAX_EXPERIMENT));
	CHECK(!in(last.selected, 18) && !in(last.selected, 19));
	CHECK(!in(last.selected, 0)); /* there is no experiment 0 */
	CHECK(exactly(last.named, 18, 19)); /* "all" names nothing by itself */
	CHECK_INT_EQ(list("1-5,-3"), 0);
	CHECK(in(last.selected, 2) && !in(last.selected, 3) && in(last.selected, 4) && !in(last.selected, 6));
	CHECK_INT_EQ(list("-2-4"), 0);
	CHECK(in(last.selected, 1) && !in(last.selected, 2) && !in(last.selected, 4) && in(last.selected, 5));
}

/* printf into one of two static buffers (two may be in use in one CHECK). */
__attribute__((format(printf, 1, 2)))
static const char *fmt(const char *format, ...)
{
	static char bufs[2][160];
	static unsigned next;
	char *buf = bufs[next++ % 2];
	va_list ap;
	va_start(ap, format);
	vsnprintf(buf, sizeof(bufs[0]), format, ap);
	va_end(ap);
	return buf;
}

/* Every number up to MAX_EXPERIMENT, in every word of the selection; MAX_EXPERIMENT is the
 * only limit (nothing here assumes its value). */
static void test_large_numbers(void)
{
	const unsigned max = MAX_EXPERIMENT;
	const unsigned picked[] = { 63, 64, 65, 127, 128, 200, max };
	CHECK_INT_EQ(list(fmt("63,64,65,127,128,200,%u", max)), 0);
	unsigned count = 0;
	for (unsigned n = 0; n <= MAX_EXPERIMENT; n++)
		count += in(last.selected, n);
	CHECK_INT_EQ(count, 7);
	for (unsigned i = 0; i < sizeof(picked) / sizeof(picked[0]); i++)
		CHECK(in(last.selected, picked[i]) && in(last.named, picked[i]));
	CHECK_INT_EQ(list(fmt("1-%u", max)), 0);
	CHECK(exactly(last.selected, 1, max));
	CHECK_INT_EQ(list("100-200,-150"), 0);
	CHECK(in(last.selected, 149) && !in(last.selected, 150) && in(last.selected, 151));
	CHECK_INT_EQ(list(fmt("%u", max + 1)), -1);
	CHECK_STR_EQ(err, fmt("'%u' is not a range within 1..%u", max + 1, max));
	CHECK_INT_EQ(list(fmt("1-%u", max + 1)), -1);
	CHECK_STR_EQ(err, fmt("'1-%u' is not a range within 1..%u", max + 1, max));
	/* The options that name an experiment (or a scenario) take the scenarios' range; an
	 * experiment number beyond the catalogue is selection_init()'s error. */
	const unsigned top = MAX_SCENARIOS;
	CHECK(options_parse(fmt("break=%u hang=%u fault=%u storm=%u stray=%u duplicate=%u", top, top, top, top, top, top),
			    err, sizeof(err)));
	static const char *const keys[] = { "break", "hang", "fault", "storm", "stray", "duplicate" };
	for (unsigned i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		CHECK(!options_parse(fmt("%s=%u", keys[i], top + 1), err, sizeof(err)));
		CHECK_STR_EQ(err, fmt("option '%s': %u is out of range 1..%u", keys[i], top + 1, top));
	}
	/* The accessors agree with the selection and say no outside it. */
	CHECK(options_parse(fmt("exp=64,%u", max), err, sizeof(err)));
	CHECK(options_selects(64) && options_selects(max) && options_names(max));
	CHECK(!options_selects(63) && !options_selects(0) && !options_selects(max + 1) && !options_names(max + 1));
}

static void test_bad_experiment_lists(void)
{
	CHECK_INT_EQ(list("0"), -1);
	CHECK_STR_EQ(err, fmt("'0' is not a range within 1..%d", MAX_EXPERIMENT));
	CHECK_INT_EQ(list("5-3"), -1);
	CHECK_INT_EQ(list("x"), -1);
	CHECK(strstr(err, "examples") != NULL);
	CHECK_INT_EQ(list(""), -1);
	CHECK_INT_EQ(list("1-999"), -1);
	/* A trailing comma is a number missing, not nothing. */
	CHECK_INT_EQ(list("3,"), -1);
	CHECK_STR_EQ(err, "'3,' ends with ','; a number must follow it");
	CHECK_INT_EQ(list("29,"), -1);
	CHECK_INT_EQ(list(",29"), -1);
	CHECK_INT_EQ(list("29,,30"), -1);
	CHECK(!options_parse("exp=29,", err, sizeof(err)));
	CHECK_STR_EQ(err, "option 'exp': '29,' ends with ','; a number must follow it");
}

static void test_command_lines(void)
{
	CHECK(options_parse("exp=17 verbose order=random seed=9 iterations=50 timeout=20", err, sizeof(err)));
	CHECK(exactly(options.experiments.selected, 17, 17));
	CHECK(exactly(options.experiments.named, 17, 17));
	CHECK(options.verbose);
	CHECK_INT_EQ(options.order, ORDER_RANDOM);
	CHECK_INT_EQ(options.seed, 9);
	CHECK_INT_EQ(options.iterations, 50);
	CHECK_INT_EQ(options.timeout_ms, 20);
	/* Each parse starts from the defaults. */
	CHECK(options_parse("", err, sizeof(err)));
	CHECK(exactly(options.experiments.selected, 1, MAX_EXPERIMENT));
	CHECK(exactly(options.experiments.named, 1, 0));
	CHECK(!options.verbose);
	CHECK_INT_EQ(options.order, ORDER_SEQUENTIAL);
	CHECK_INT_EQ(options.seed, 1);
	CHECK_INT_EQ(options.iterations, 2000);
	CHECK_INT_EQ(options.serial_port, 0x3f8);
	CHECK(options_parse(NULL, err, sizeof(err)));
	CHECK(!options_parse("exp=17 colour=blue", err, sizeof(err)));
	CHECK(strstr(err, "colour") != NULL && strstr(err, "exp") != NULL && strstr(err, "timeout") != NULL);
	CHECK(!options_parse("order=rnd", err, sizeof(err)));
	CHECK(strstr(err, "seq|random") != NULL);
	CHECK(!options_parse("timeout=0", err, sizeof(err)));
	/* An explicit bound wins over the platform's default. */
	CHECK(options_parse("timeout=20", err, sizeof(err)));
	options_choose_defaults(true);
	CHECK_INT_EQ(options.timeout_ms, 20);
	/* Unset: wider under a wall-clock emulator, tight elsewhere. */
	options.timeout_ms = 0;
	options_choose_defaults(true);
	CHECK_INT_EQ(options.timeout_ms, 250);
	options.timeout_ms = 0;
	options_choose_defaults(false);
	CHECK_INT_EQ(options.timeout_ms, 10);
}

/* Nothing the user gives is ignored: each of these is an error that names the problem. */
static void test_nothing_ignored(void)
{
	CHECK(!options_parse("exp=1 exp=2", err, sizeof(err)));
	CHECK_STR_EQ(err, "option 'exp' is given twice; give each option once");
	CHECK(!options_parse("verbose verbose=0", err, sizeof(err)));
	CHECK_STR_EQ(err, "option 'verbose' is given twice; give each option once");
	CHECK(!options_parse("seed=5", err, sizeof(err)));
	CHECK_STR_EQ(err, "option 'seed' applies only to order=random or scenarios= (the order is seq)");
	CHECK(!options_parse("iterations=5 order=seq", err, sizeof(err)));
	CHECK_STR_EQ(err, "option 'iterations' applies only to order=random (the order is seq)");
	CHECK(options_parse("iterations=5 order=random", err, sizeof(err)));
	CHECK_INT_EQ(options.iterations, 5);
	CHECK_INT_EQ(options.seed, 1);
	CHECK(!options_parse("serial=0xffff", err, sizeof(err)));
	CHECK_STR_EQ(err, "option 'serial': 0xffff is out of range 0x1..0xfff8");
	CHECK(options_parse("serial=0xfff8", err, sizeof(err)));
	/* Control bytes in an unknown key (or a value) are escaped, never echoed raw. */
	CHECK(!options_parse("col\x1b[2Jour=1", err, sizeof(err)));
	const char *prefix = "unknown option 'col\\x1b[2Jour'; valid options: exp, ";
	CHECK(strncmp(err, prefix, strlen(prefix)) == 0);
	CHECK(!options_parse("exp=\x07\xff", err, sizeof(err)));
	CHECK(strstr(err, "cannot read '\\x07\\xff'") != NULL);
}

/* The checks that need the catalogue. */
static bool selection(const char *cmdline)
{
	err[0] = 0;
	return options_parse(cmdline, err, sizeof(err)) && selection_init(err, sizeof(err));
}

static void test_selection(void)
{
	unsigned last_number = catalogue[catalogue_size - 1].number;
	char range[64], expected[256];
	snprintf(range, sizeof(range), "%u-%u", catalogue[0].number, last_number);

	CHECK(selection(""));
	CHECK_INT_EQ(selection_count(), catalogue_size);
	CHECK_INT_EQ(selection_runs_planned(), catalogue_size);
	CHECK(selection("exp=17,3"));
	CHECK_INT_EQ(selection_count(), 2);
	CHECK_INT_EQ(selection_at(0)->number, 3); /* catalogue order */
	CHECK_INT_EQ(selection_at(1)->number, 17);
	CHECK(selection("exp=17 order=random iterations=7"));
	CHECK_INT_EQ(selection_runs_planned(), 7);
	for (unsigned i = 0; i < 7; i++)
		CHECK_INT_EQ(selection_next()->number, 17);
	CHECK(selection_next() == NULL);

	CHECK(!selection("exp=29,200"));
	snprintf(expected, sizeof(expected),
		 "exp= names experiment 200, which the catalogue does not have (it has %s)", range);
	CHECK_STR_EQ(err, expected);
	CHECK(!selection("exp=-200"));
	CHECK_STR_EQ(err, expected);
	/* An empty selection is an error, not a run of nothing. */
	snprintf(expected, sizeof(expected), "exp= leaves no experiment to run (the catalogue has %s)", range);
	char all_out[64];
	snprintf(all_out, sizeof(all_out), "exp=-1-%u", last_number);
	CHECK(!selection(all_out));
	CHECK_STR_EQ(err, expected);
	CHECK(!selection("exp=29,-29"));
	CHECK_STR_EQ(err, expected);
	/* A test option must name an experiment that runs. */
	CHECK(!selection("exp=12 break=20"));
	CHECK_STR_EQ(err, "break=20 names experiment 20, which exp= does not select");
	CHECK(!selection("exp=-5 hang=5"));
	CHECK_STR_EQ(err, "hang=5 names experiment 5, which exp= does not select");
	CHECK(!selection("exp=1-3 fault=4"));
	CHECK_STR_EQ(err, "fault=4 names experiment 4, which exp= does not select");
	CHECK(!selection("storm=200"));
	snprintf(expected, sizeof(expected), "storm=200: the catalogue has no experiment 200 (it has %s)", range);
	CHECK_STR_EQ(err, expected);
	CHECK(selection("exp=12,20 break=20 storm=12 fault=12 hang=20 stray=12 duplicate=20"));
	/* Every test hook alike: stray= and duplicate= name a selected experiment too. */
	CHECK(!selection("exp=29 stray=99"));
	snprintf(expected, sizeof(expected), "stray=99: the catalogue has no experiment 99 (it has %s)", range);
	CHECK_STR_EQ(err, expected);
	CHECK(!selection("exp=29 duplicate=31"));
	CHECK_STR_EQ(err, "duplicate=31 names experiment 31, which exp= does not select");
	/* With scenarios=, a test hook names a scenario; what picks experiments clashes. */
	CHECK(selection("scenarios=500 seed=3 break=300 hang=499 stray=1"));
	CHECK_INT_EQ(options.hook_experiment[HOOK_BREAK], 300);
	CHECK(test_hook_in(HOOK_HANG, 499) && !test_hook_in(HOOK_HANG, 300));
	CHECK(!selection("scenarios=10 break=11"));
	CHECK_STR_EQ(err, "break=11 names scenario 11, which scenarios=1-10 does not run");
	CHECK(selection("scenarios=340-340 seed=7 hang=340"));
	CHECK_INT_EQ(options.scenarios.first, 340);
	CHECK_INT_EQ(options.scenarios.last, 340);
	CHECK(!selection("scenarios=340-350 hang=339"));
	CHECK_STR_EQ(err, "hang=339 names scenario 339, which scenarios=340-350 does not run");
	CHECK(selection("scenarios=5000"));
	CHECK_INT_EQ(options.scenarios.first, 1);
	CHECK_INT_EQ(options.scenarios.last, 5000);
	CHECK(!selection("scenarios=20-10"));
	CHECK_STR_EQ(err, "option 'scenarios': '20-10' is not a range within 1..1000000");
	CHECK(!selection("scenarios=1000001"));
	CHECK(!selection("scenarios=5-"));
	CHECK_STR_EQ(err, "option 'scenarios': cannot read '5-' (examples: scenarios=5000  scenarios=340-340)");
	CHECK(!selection("scenarios=x"));
	CHECK(!selection("scenarios=10 exp=17"));
	CHECK_STR_EQ(err, "option 'exp' does not go with scenarios= (random scenarios replace the catalogue)");
	CHECK(!selection("scenarios=10 order=random"));
	CHECK_STR_EQ(err, "option 'order=random' does not go with scenarios= (random scenarios replace the catalogue)");
	CHECK(!selection("scenarios=0"));
}

void test_options(void)
{
	test_experiment_lists();
	test_large_numbers();
	test_bad_experiment_lists();
	test_command_lines();
	test_nothing_ignored();
	test_selection();
}
