/*
 * libFuzzer target: the kernel's own options (experiments/options.c) and the checks
 * against the catalogue (experiments/selection.c), on any bytes. Invariants: a failure
 * has a printable, NUL-terminated, non-empty message; an accepted line leaves every
 * option in its documented range and a selection of at least one catalogue experiment
 * that the test options (break= ...) name; exp= alone never selects 0 or a number
 * above MAX_EXPERIMENT.
 */
#include <stdbool.h>
#include <stdint.h>

#include "experiments/options.h"
#include "experiments/selection.h"
#include "lib/printf.h"
#include "tests/fuzz/fuzz_common.h"

static bool in(const uint64_t *words, unsigned n)
{
	return words[n / 64] >> (n % 64) & 1;
}

static void check_experiment_list(const char *value)
{
	struct experiment_selection s;
	char err[128];
	memset(&s, 0x5a, sizeof(s));
	if (parse_experiment_list(value, &s, err, sizeof(err)) != 0) {
		/* Raw: cmdline_parse escapes what the custom parser echoes. */
		require_terminated_message(err, sizeof(err));
		return;
	}
	REQUIRE(!in(s.selected, 0) && !in(s.named, 0));
	/* No bit above MAX_EXPERIMENT in the last word. */
	for (unsigned n = MAX_EXPERIMENT + 1; n < SELECTION_WORDS * 64; n++)
		REQUIRE(!in(s.selected, n) && !in(s.named, n));
	/* What is selected was named, unless only exclusions were given. */
	for (unsigned n = 1; n <= MAX_EXPERIMENT; n++)
		REQUIRE(!in(s.selected, n) || in(s.named, n) || value[0] == '-');
}

static void check_test_option(uint64_t n)
{
	REQUIRE(n <= MAX_EXPERIMENT);
	REQUIRE(n == 0 || (experiment_numbered((unsigned)n) && options_selects((unsigned)n)));
}

static void check_accepted(void)
{
	REQUIRE(options.serial_port >= 1 && options.serial_port <= 0xfff8);
	REQUIRE(options.baud >= 50 && options.baud <= 115200);
	REQUIRE(options.timeout_ms <= 600000);
	REQUIRE(options.vmcall_rounds >= 1 && options.vmcall_rounds <= 100000000);
	REQUIRE(options.order == ORDER_SEQUENTIAL || options.order == ORDER_RANDOM);
	REQUIRE(options.seed >= 1);
	REQUIRE(options.iterations >= 1 && options.iterations <= 10000000);
	if (options.order == ORDER_SEQUENTIAL)
		REQUIRE(options.seed == 1 && options.iterations == 2000);
	REQUIRE(options.ready_delay_us <= 1000000);
	REQUIRE(!options_selects(0) && !options_selects(MAX_EXPERIMENT + 1));
	REQUIRE(!options_names(0) && !options_names(MAX_EXPERIMENT + 1));
}

static void check_selection(void)
{
	char err[256];
	if (!selection_init(err, sizeof(err))) {
		require_message(err, sizeof(err));
		return;
	}
	unsigned count = selection_count();
	REQUIRE(count >= 1 && count <= catalogue_size);
	for (unsigned i = 0; i < count; i++)
		REQUIRE(options_selects(selection_at(i)->number));
	REQUIRE(selection_runs_planned() == (options.order == ORDER_RANDOM ? options.iterations : count));
	for (unsigned h = 0; h < TEST_HOOK_COUNT; h++)
		check_test_option(options.hook_experiment[h]);
	/* The first few runs come from the selection. */
	for (unsigned i = 0; i < 4; i++) {
		const struct experiment *x = selection_next();
		REQUIRE(x != NULL || selection_runs_done() == selection_runs_planned());
		if (x)
			REQUIRE(options_selects(x->number));
	}
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char *line = input_string(data, size);
	char err[512];
	check_experiment_list(line);
	if (options_parse(line, err, sizeof(err))) {
		REQUIRE(err[0] == 0);
		check_accepted();
		check_selection();
	} else {
		require_message(err, sizeof(err));
	}
	free(line);
	return 0;
}
