/* The kernel's own option table: the "exp=" selection syntax and whole command lines. */
#include <stdint.h>
#include <string.h>

#include "experiments/options.h"
#include "tests/unit.h"

static uint64_t bits(unsigned lo, unsigned hi)
{
	uint64_t b = 0;
	for (unsigned n = lo; n <= hi; n++)
		b |= 1ull << n;
	return b;
}

static struct experiment_selection last;

static uint64_t selection(const char *value, int *status, char *err, size_t errlen)
{
	struct experiment_selection dest = { { 0 }, { 0 } };
	*status = parse_experiment_list(value, &dest, err, errlen);
	last = dest;
	return dest.selected[0];
}

static void test_experiment_lists(void)
{
	char err[160];
	int status;
	CHECK_INT_EQ(selection("17", &status, err, sizeof(err)), 1ull << 17);
	CHECK_INT_EQ(status, 0);
	CHECK_INT_EQ(selection("1-30,35", &status, err, sizeof(err)), bits(1, 30) | 1ull << 35);
	/* Only exclusions: everything but those. */
	uint64_t all_but = selection("-18,-19", &status, err, sizeof(err));
	CHECK_INT_EQ(status, 0);
	CHECK(all_but & (1ull << 17));
	CHECK(!(all_but & (1ull << 18)) && !(all_but & (1ull << 19)));
	CHECK(!(all_but & 1)); /* there is no experiment 0 */
	CHECK_INT_EQ(last.named[0], 1ull << 18 | 1ull << 19); /* "all" names nothing by itself */
	CHECK_INT_EQ(last.selected[3], ~0ull);                 /* up to the last number */
	CHECK_INT_EQ(selection("1-5,-3", &status, err, sizeof(err)), bits(1, 5) & ~(1ull << 3));
	CHECK_INT_EQ(selection("-2-4", &status, err, sizeof(err)) & bits(1, 6), bits(1, 6) & ~bits(2, 4));
	/* Numbers past 63 are in the next words of the set. */
	CHECK_INT_EQ(selection("62-65,255", &status, err, sizeof(err)), bits(62, 63));
	CHECK_INT_EQ(status, 0);
	CHECK_INT_EQ(last.selected[1], bits(0, 1));
	CHECK_INT_EQ(last.selected[3], 1ull << 63);
	CHECK_INT_EQ(last.named[1], bits(0, 1));
}

static void test_bad_experiment_lists(void)
{
	char err[160];
	int status;
	selection("0", &status, err, sizeof(err));
	CHECK_INT_EQ(status, -1);
	CHECK(strstr(err, "within 1..255") != NULL);
	selection("5-3", &status, err, sizeof(err));
	CHECK_INT_EQ(status, -1);
	selection("x", &status, err, sizeof(err));
	CHECK_INT_EQ(status, -1);
	CHECK(strstr(err, "examples") != NULL);
	selection("3,", &status, err, sizeof(err));
	CHECK_INT_EQ(status, 0);
	selection("", &status, err, sizeof(err));
	CHECK_INT_EQ(status, -1);
	selection("1-256", &status, err, sizeof(err));
	CHECK_INT_EQ(status, -1);
}

static void test_command_lines(void)
{
	char err[512];
	CHECK(options_parse("exp=17 verbose order=random seed=9 iterations=50 timeout=20", err, sizeof(err)));
	CHECK_INT_EQ(options.experiments.selected[0], 1ull << 17);
	CHECK_INT_EQ(options.experiments.named[0], 1ull << 17);
	CHECK(options_selects(17) && !options_selects(64) && options_names(17) && !options_names(18));
	CHECK(options.verbose);
	CHECK_INT_EQ(options.order, ORDER_RANDOM);
	CHECK_INT_EQ(options.seed, 9);
	CHECK_INT_EQ(options.iterations, 50);
	CHECK_INT_EQ(options.timeout_ms, 20);
	CHECK(!options_parse("exp=17 colour=blue", err, sizeof(err)));
	CHECK(strstr(err, "colour") != NULL && strstr(err, "exp") != NULL && strstr(err, "timeout") != NULL);
	CHECK(!options_parse("order=rnd", err, sizeof(err)));
	CHECK(strstr(err, "seq|random") != NULL);
	CHECK(!options_parse("timeout=0", err, sizeof(err)));
	/* An explicit bound wins over the platform's default. */
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

void test_options(void)
{
	test_experiment_lists();
	test_bad_experiment_lists();
	test_command_lines();
}
