#include "experiments/options.h"

#include "lib/cmdline.h"
#include "lib/console.h"
#include "lib/printf.h"
#include "lib/string.h"

/* Every experiment: all bits but bit 0, which is no experiment. */
#define ALL_EXPERIMENTS { ~1ull, ~0ull, ~0ull, ~0ull }
_Static_assert(SELECTION_WORDS == 4, "ALL_EXPERIMENTS has one word per 64 experiment numbers");

struct options options = {
	.serial_port = COM1_PORT,
	.baud = DEFAULT_BAUD,
	.timeout_ms = 0, /* chosen per platform: options_choose_defaults() */
	.vmcall_rounds = 1000,
	.experiments = { .selected = ALL_EXPERIMENTS },
	.order = ORDER_SEQUENTIAL,
	.seed = 1,
	.iterations = 2000,
};

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

/* One item: "N" or "N-M" added to the include set, or, preceded by '-', to the exclude
 * set; *excluded says which. */
static bool parse_item(const char **p, uint64_t *include, uint64_t *exclude, bool *excluded, char *err,
		       size_t errlen)
{
	const char *start = *p;
	unsigned lo, hi;
	*excluded = **p == '-';
	uint64_t *bits = *excluded ? exclude : include;
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
	if (lo < 1 || hi > MAX_SELECTABLE || lo > hi) {
		snprintf(err, errlen, "'%.*s' is not a range within 1..%d", (int)(*p - start), start, MAX_SELECTABLE);
		return false;
	}
	for (unsigned n = lo; n <= hi; n++)
		bits[n / 64] |= 1ull << (n % 64);
	return true;
bad:
	snprintf(err, errlen, "cannot read '%s' (examples: exp=17  exp=1-30,35  exp=-18,-19)", start);
	return false;
}

int parse_experiment_list(const char *value, void *dest, char *err, size_t errlen)
{
	static const uint64_t all[SELECTION_WORDS] = ALL_EXPERIMENTS;
	uint64_t include[SELECTION_WORDS] = { 0 }, exclude[SELECTION_WORDS] = { 0 };
	bool any_included = false;
	const char *p = value;
	if (!*p) {
		snprintf(err, errlen, "needs at least one experiment number");
		return -1;
	}
	while (*p) {
		bool is_exclusion;
		if (!parse_item(&p, include, exclude, &is_exclusion, err, errlen))
			return -1;
		any_included |= !is_exclusion;
		if (*p == ',')
			p++;
	}
	/* Only exclusions: everything but those. */
	struct experiment_selection *selection = dest;
	for (unsigned w = 0; w < SELECTION_WORDS; w++) {
		selection->selected[w] = (any_included ? include[w] : all[w]) & ~exclude[w];
		selection->named[w] = include[w] | exclude[w];
	}
	return 0;
}

static bool in_set(const uint64_t *set, unsigned n)
{
	return n <= MAX_SELECTABLE && (set[n / 64] >> (n % 64) & 1);
}

bool options_selects(unsigned n)
{
	return in_set(options.experiments.selected, n);
}

bool options_names(unsigned n)
{
	return in_set(options.experiments.named, n);
}

static const struct option option_table[] = {
	{ .key = "exp", .type = OPT_CUSTOM, .dest = &options.experiments, .parse = parse_experiment_list,
	  .help = "experiments to run: 17, 1-30,35, -18,-19 (default: all)" },
	{ .key = "order", .type = OPT_CHOICE, .dest = &options.order, .choices = "seq|random",
	  .help = "run the selection in order, or in random order (default seq)" },
	{ .key = "seed", .type = OPT_UINT, .dest = &options.seed, .min = 1, .max = UINT64_MAX,
	  .help = "seed of the random order (default 1)" },
	{ .key = "iterations", .type = OPT_UINT, .dest = &options.iterations, .min = 1, .max = 10000000,
	  .help = "experiments to run in random order (default 2000)" },
	{ .key = "verbose", .type = OPT_FLAG, .dest = &options.verbose,
	  .help = "step-by-step trace of every experiment" },
	{ .key = "timeout", .type = OPT_UINT, .dest = &options.timeout_ms, .min = 1, .max = 600000,
	  .help = "ms a wait may take before it is declared stuck (default 10; 250 under QEMU TCG)" },
	{ .key = "serial", .type = OPT_UINT, .dest = &options.serial_port, .min = 1, .max = 0xffff,
	  .help = "I/O port of the 16550 UART (default 0x3f8, COM1)" },
	{ .key = "baud", .type = OPT_UINT, .dest = &options.baud, .min = 50, .max = 115200,
	  .help = "serial speed (default 115200)" },
	{ .key = "x2apic", .type = OPT_FLAG, .dest = &options.x2apic,
	  .help = "switch the APICs to x2APIC mode (default: the mode the firmware left)" },
	{ .key = "reboot", .type = OPT_FLAG, .dest = &options.reboot,
	  .help = "reset the machine at the end instead of halting (hardware)" },
	{ .key = "vmcalls", .type = OPT_UINT, .dest = &options.vmcall_rounds, .min = 1, .max = 100000000,
	  .help = "VMCALL round trips in the self-test (default 1000)" },
	{ .key = "break", .type = OPT_UINT, .dest = &options.break_experiment, .min = 1, .max = MAX_SELECTABLE,
	  .help = "test only: experiment N expects the wrong thing (shows failure reporting and recovery)" },
	{ .key = "hang", .type = OPT_UINT, .dest = &options.hang_experiment, .min = 1, .max = MAX_SELECTABLE,
	  .help = "test only: experiment N hangs with interrupts off in its first guest step (shows the watchdog)" },
	{ .key = "ready_delay", .type = OPT_UINT, .dest = &options.ready_delay_us, .min = 1, .max = 1000000,
	  .help = "test only: us between a wait's \"send now\" and its HLT (shows that verdicts do not depend on it)" },
	{ .key = "strict", .type = OPT_FLAG, .dest = &options.strict,
	  .help = "known deviations count as failures (for a maintainer checking a fix)" },
	{ .key = "storm", .type = OPT_UINT, .dest = &options.storm_experiment, .min = 1, .max = MAX_SELECTABLE,
	  .help = "test only: experiment N's guest exits at every VM entry (shows that a storm ends with a verdict)" },
	{ .key = "stray", .type = OPT_UINT, .dest = &options.stray_experiment, .min = 1, .max = MAX_SELECTABLE,
	  .help = "test only: an NMI nobody asked for arrives in experiment N (shows that it is caught, and the experiment run again)" },
	{ .key = "fault", .type = OPT_UINT, .dest = &options.fault_experiment, .min = 1, .max = MAX_SELECTABLE,
	  .help = "test only: experiment N's first guest step raises #UD (shows that the run goes on)" },
};

/*
 * A wait normally ends within microseconds; its bound only costs time when an event
 * never comes. Under QEMU TCG time is the host's wall clock and a busy host can stall a
 * virtual CPU for milliseconds, so the bound there is wider.
 */
void options_choose_defaults(bool wall_clock_emulator)
{
	if (!options.timeout_ms)
		options.timeout_ms = wall_clock_emulator ? 250 : 10;
}

static char scratch[1024];

bool options_parse(const char *cmdline, char *err, unsigned errlen)
{
	if (strlen(cmdline) >= sizeof(scratch)) {
		snprintf(err, errlen, "command line longer than %u characters", (unsigned)sizeof(scratch) - 1);
		return false;
	}
	return cmdline_parse(cmdline, option_table, sizeof(option_table) / sizeof(option_table[0]),
			     scratch, sizeof(scratch), err, errlen) == 0;
}
