#include "experiments/options.h"

#include "lib/cmdline.h"
#include "lib/console.h"
#include "lib/ports.h"
#include "lib/printf.h"
#include "lib/string.h"

#define DEFAULT_SEED 1
#define DEFAULT_ITERATIONS 2000
#define MAX_ITERATIONS 10000000
#define DEFAULT_VMCALL_ROUNDS 1000
/* A wait's bound: on silicon and under emulators with their own clock, and under QEMU
 * TCG, whose clock is the host's (options_choose_defaults). */
#define DEFAULT_TIMEOUT_MS 10
#define DEFAULT_TIMEOUT_MS_WALL_CLOCK 250
#define MAX_TIMEOUT_MS 600000
#define MAX_SERIAL_PORT 0xfff8  /* the UART's eight registers must fit below 0x10000 */
#define MIN_BAUD 50
#define MAX_READY_DELAY_US 1000000

/* seed and iterations stay 0 until given, so that options_parse can tell a seed given
 * with order=seq (an error) from none. */
static const struct options defaults = {
	.serial_port = COM1_PORT,
	.baud = DEFAULT_BAUD,
	.timeout_ms = 0, /* chosen per platform: options_choose_defaults() */
	.vmcall_rounds = DEFAULT_VMCALL_ROUNDS,
	.order = ORDER_SEQUENTIAL,
};

struct options options;

static void set_bit(uint64_t *words, unsigned n)
{
	words[n / 64] |= 1ull << (n % 64);
}

static bool has_bit(const uint64_t *words, unsigned n)
{
	return n >= 1 && n <= MAX_EXPERIMENT && (words[n / 64] >> (n % 64) & 1);
}

static void set_all(uint64_t *words)
{
	for (unsigned n = 1; n <= MAX_EXPERIMENT; n++)
		set_bit(words, n);
}

static bool parse_number(const char **p, unsigned *out)
{
	unsigned v = 0, digits = 0;
	while (**p >= '0' && **p <= '9' && digits < 4) {
		v = v * 10 + (unsigned)(*(*p)++ - '0');
		digits++;
	}
	*out = v;
	return digits > 0;
}

/* One item: "N" or "N-M", optionally preceded by '-' for an exclusion: sets its bits in
 * include or exclude. */
static bool parse_item(const char **p, uint64_t *include, uint64_t *exclude, bool *excluded,
		       char *err, size_t errlen)
{
	const char *start = *p;
	unsigned lo, hi;
	*excluded = **p == '-';
	if (*excluded)
		(*p)++;
	if (!parse_number(p, &lo))
		goto bad;
	hi = lo;
	if (**p == '-') {
		(*p)++;
		if (!parse_number(p, &hi))
			goto bad;
	}
	if (**p && **p != ',')
		goto bad;
	if (lo < 1 || hi > MAX_EXPERIMENT || lo > hi) {
		snprintf(err, errlen, "'%.*s' is not a range within 1..%d", (int)(*p - start), start,
			 MAX_EXPERIMENT);
		return false;
	}
	for (unsigned n = lo; n <= hi; n++)
		set_bit(*excluded ? exclude : include, n);
	return true;
bad:
	snprintf(err, errlen, "cannot read '%s' (examples: exp=17  exp=1-30,35  exp=-18,-19)", start);
	return false;
}

int parse_experiment_list(const char *value, void *dest, char *err, size_t errlen)
{
	uint64_t include[SELECTION_WORDS] = { 0 }, exclude[SELECTION_WORDS] = { 0 };
	bool any_included = false;
	const char *p = value;
	if (!*p) {
		snprintf(err, errlen, "needs at least one experiment number");
		return -1;
	}
	while (*p) {
		bool excluded;
		if (!parse_item(&p, include, exclude, &excluded, err, errlen))
			return -1;
		any_included |= !excluded;
		if (*p == ',' && !*++p) {
			snprintf(err, errlen, "'%s' ends with ','; a number must follow it", value);
			return -1;
		}
	}
	/* Only exclusions: everything but those. */
	struct experiment_selection *selection = dest;
	if (!any_included)
		set_all(include);
	for (unsigned i = 0; i < SELECTION_WORDS; i++) {
		selection->selected[i] = include[i] & ~exclude[i];
		selection->named[i] = (any_included ? include[i] : 0) | exclude[i];
	}
	return 0;
}

const char *const test_hook_keys[TEST_HOOK_COUNT] = {
	[HOOK_BREAK] = "break", [HOOK_HANG] = "hang", [HOOK_FAULT] = "fault",
	[HOOK_STORM] = "storm", [HOOK_STRAY] = "stray", [HOOK_DUPLICATE] = "duplicate",
};

const char *options_run_unit(void)
{
	return options.scenarios.last ? "scenario" : "experiment";
}

bool test_hook_in(enum test_hook h, unsigned number)
{
	return h < TEST_HOOK_COUNT && options.hook_experiment[h] == number;
}

bool options_selects(unsigned n)
{
	return has_bit(options.experiments.selected, n);
}

bool options_names(unsigned n)
{
	return has_bit(options.experiments.named, n);
}

/* Up to 9 decimal digits (more would not be a scenario number anyway). */
static bool read_decimal(const char **p, uint64_t *out)
{
	unsigned digits = 0;
	*out = 0;
	while (**p >= '0' && **p <= '9' && digits++ < 9)
		*out = *out * 10 + (uint64_t)(*(*p)++ - '0');
	return digits > 0 && !(**p >= '0' && **p <= '9');
}

/* "N" (1..N) or "A-B" (A..B): the scenarios to run. */
static int parse_scenario_range(const char *value, void *dest, char *err, size_t errlen)
{
	struct scenario_range *r = dest;
	const char *p = value;
	uint64_t first = 1, last;
	bool read = read_decimal(&p, &last);
	if (read && *p == '-') {
		p++;
		first = last;
		read = read_decimal(&p, &last);
	}
	if (!read || *p) {
		snprintf(err, errlen, "cannot read '%s' (examples: scenarios=5000  scenarios=340-340)", value);
		return -1;
	}
	if (first < 1 || last > MAX_SCENARIOS || first > last) {
		snprintf(err, errlen, "'%s' is not a range within 1..%u", value, MAX_SCENARIOS);
		return -1;
	}
	r->first = first;
	r->last = last;
	return 0;
}

static const struct option option_table[] = {
	{ .key = "exp", .type = OPT_CUSTOM, .dest = &options.experiments, .parse = parse_experiment_list,
	  .value_name = "LIST",
	  .help = "experiments to run: 17, 1-30,35, or -18,-19 (all but those); each number must be in the "
		  "catalogue (default: all)" },
	{ .key = "order", .type = OPT_CHOICE, .dest = &options.order, .choices = "seq|random",
	  .help = "run the selection in catalogue order, or in random order with seed= and iterations= "
		  "(default: seq)" },
	{ .key = "seed", .type = OPT_UINT, .dest = &options.seed, .min = 1, .max = UINT64_MAX,
	  .help = "seed of the random order (needs order=random) or of the random scenarios (scenarios=) "
		  "(default: " VALUE_TEXT(DEFAULT_SEED) ")" },
	{ .key = "iterations", .type = OPT_UINT, .dest = &options.iterations, .min = 1, .max = MAX_ITERATIONS,
	  .help = "experiments to run in random order, 1 to " VALUE_TEXT(MAX_ITERATIONS) " (needs order=random) "
		  "(default: " VALUE_TEXT(DEFAULT_ITERATIONS) ")" },
	{ .key = "verbose", .type = OPT_FLAG, .dest = &options.verbose,
	  .help = "step-by-step trace of every experiment: each step, what it observed, each VM exit" },
	{ .key = "timeout", .type = OPT_UINT, .dest = &options.timeout_ms, .min = 1, .max = MAX_TIMEOUT_MS,
	  .value_name = "MS",
	  .help = "bound on one wait in ms, 1 to " VALUE_TEXT(MAX_TIMEOUT_MS) "; the watchdog allows ten of these "
		  "plus 2 s (default: " VALUE_TEXT(DEFAULT_TIMEOUT_MS) "; " VALUE_TEXT(DEFAULT_TIMEOUT_MS_WALL_CLOCK)
		  " under QEMU TCG, whose clock is the busy host's)" },
	{ .key = "serial", .type = OPT_UINT, .dest = &options.serial_port, .min = 1, .max = MAX_SERIAL_PORT,
	  .value_name = "PORT",
	  .help = "I/O port of the 16550 UART for the log (0x2f8, a PCI card's port), up to "
		  VALUE_TEXT(MAX_SERIAL_PORT) " (default: the port the ACPI SPCR table names, the firmware's "
		  "console, when it is an I/O-port 16550; else " VALUE_TEXT(COM1_PORT) ", COM1)" },
	{ .key = "baud", .type = OPT_UINT, .dest = &options.baud, .min = MIN_BAUD, .max = UART_CLOCK,
	  .help = "serial speed, " VALUE_TEXT(MIN_BAUD) " to " VALUE_TEXT(UART_CLOCK) " (default: the SPCR's, "
		  "when the log goes to its port; else " VALUE_TEXT(DEFAULT_BAUD) ")" },
	{ .key = "x2apic", .type = OPT_FLAG, .dest = &options.x2apic,
	  .help = "switch both CPUs' local APICs to x2APIC mode before the experiments; where the CPU lacks "
		  "x2APIC (CPUID.1:ECX[21] = 0) the banner says so and the run stays in xAPIC mode "
		  "(default: the mode the firmware left)" },
	{ .key = "reboot", .type = OPT_FLAG, .dest = &options.reboot,
	  .help = "reset the machine at the end instead of halting (hardware)" },
	{ .key = "vmcalls", .type = OPT_UINT, .dest = &options.vmcall_rounds, .min = 1, .max = 100000000,
	  .help = "VMCALL round trips in the self-test (default: " VALUE_TEXT(DEFAULT_VMCALL_ROUNDS) ")" },
	{ .key = "break", .type = OPT_UINT, .dest = &options.hook_experiment[HOOK_BREAK], .min = 1, .max = MAX_SCENARIOS,
	  .help = "test only: the model's first prediction for experiment N is deliberately wrong (shows "
		  "failure reporting and recovery; for a scenario, shrinking and the reproducer)" },
	{ .key = "hang", .type = OPT_UINT, .dest = &options.hook_experiment[HOOK_HANG], .min = 1, .max = MAX_SCENARIOS,
	  .help = "test only: experiment N hangs with interrupts off in its first guest step (shows the watchdog)" },
	{ .key = "ready_delay", .type = OPT_UINT, .dest = &options.ready_delay_us, .min = 1,
	  .max = MAX_READY_DELAY_US, .value_name = "US",
	  .help = "test only: a spin of US microseconds (up to " VALUE_TEXT(MAX_READY_DELAY_US) ") between a "
		  "wait's \"send now\" and its HLT (shows that no verdict depends on when an event arrives)" },
	{ .key = "scenarios", .type = OPT_CUSTOM, .dest = &options.scenarios, .parse = parse_scenario_range,
	  .value_name = "N|A-B",
	  .help = "random scenarios instead of the catalogue: 1 to N, or A to B, of the draw seed= gives "
		  "(up to " VALUE_TEXT(MAX_SCENARIOS) "), each judged against the model, 100 to a TAP test point (README, \"Random "
		  "scenarios\") (default: off: the catalogue runs)" },
	{ .key = "strict", .type = OPT_FLAG, .dest = &options.strict,
	  .help = "known and reported deviations count as failures: status 1 if any shows (for a maintainer "
		  "checking a fix)" },
	{ .key = "stray", .type = OPT_UINT, .dest = &options.hook_experiment[HOOK_STRAY], .min = 1, .max = MAX_SCENARIOS,
	  .help = "test only: once, an NMI nobody asked for arrives in experiment N (shows that it is caught, "
		  "the run is void and the experiment runs again)" },
	{ .key = "duplicate", .type = OPT_UINT, .dest = &options.hook_experiment[HOOK_DUPLICATE], .min = 1,
	  .max = MAX_SCENARIOS,
	  .help = "test only: every NMI sent in experiment N arrives twice, on every attempt (shows that a "
		  "platform that duplicates NMIs fails it)" },
	{ .key = "storm", .type = OPT_UINT, .dest = &options.hook_experiment[HOOK_STORM], .min = 1, .max = MAX_SCENARIOS,
	  .help = "test only: experiment N's guest exits at every VM entry (shows that a storm ends with a verdict)" },
	{ .key = "fault", .type = OPT_UINT, .dest = &options.hook_experiment[HOOK_FAULT], .min = 1, .max = MAX_SCENARIOS,
	  .help = "test only: experiment N's first guest step raises #UD (shows that the run goes on)" },
};

const struct option *options_table(size_t *count)
{
	*count = sizeof(option_table) / sizeof(option_table[0]);
	return option_table;
}

/*
 * A wait normally ends within microseconds; its bound only costs time when an event
 * never comes. Under QEMU TCG time is the host's wall clock and a busy host can stall a
 * virtual CPU for milliseconds, so the bound there is wider.
 */
void options_choose_defaults(bool wall_clock_emulator)
{
	if (!options.timeout_ms)
		options.timeout_ms = wall_clock_emulator ? DEFAULT_TIMEOUT_MS_WALL_CLOCK
						       : DEFAULT_TIMEOUT_MS;
}

static char scratch[1024];

/* scenarios= runs random scenarios instead of the catalogue: what chooses or orders
 * catalogue experiments would be ignored with it, so it is an error. (The test hooks
 * then act in scenario N.) */
static bool check_scenarios(char *err, unsigned errlen)
{
	const char *clash = options.order == ORDER_RANDOM ? "order=random" : options.iterations ? "iterations" : 0;
	for (unsigned w = 0; !clash && w < SELECTION_WORDS; w++)
		clash = options.experiments.named[w] ? "exp" : 0;
	if (!clash)
		return true;
	snprintf(err, errlen, "option '%s' does not go with scenarios= (random scenarios replace the catalogue)", clash);
	return false;
}

/* seed= and iterations= mean something only in random order (seed= also with scenarios=):
 * otherwise they would be ignored, so they are an error. */
static bool choose_random_order_defaults(char *err, unsigned errlen)
{
	if (options.scenarios.last && !check_scenarios(err, errlen))
		return false;
	bool seed = options.seed && !options.scenarios.last;
	const char *given = seed ? "seed" : options.iterations ? "iterations" : 0;
	if (options.order != ORDER_RANDOM && given) {
		snprintf(err, errlen, "option '%s' applies only to order=random%s (the order is seq)", given,
			 seed ? " or scenarios=" : "");
		return false;
	}
	if (!options.seed)
		options.seed = DEFAULT_SEED;
	if (!options.iterations)
		options.iterations = DEFAULT_ITERATIONS;
	return true;
}

bool options_parse(const char *cmdline, char *err, unsigned errlen)
{
	options = defaults;
	set_all(options.experiments.selected);
	if (errlen)
		err[0] = 0;
	if (!cmdline)
		cmdline = "";
	if (strlen(cmdline) >= sizeof(scratch)) {
		snprintf(err, errlen, "command line longer than %u characters", (unsigned)sizeof(scratch) - 1);
		return false;
	}
	return cmdline_parse(cmdline, option_table, sizeof(option_table) / sizeof(option_table[0]),
			     scratch, sizeof(scratch), err, errlen) == 0 &&
	       choose_random_order_defaults(err, errlen);
}
