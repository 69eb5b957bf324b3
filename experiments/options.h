/* The user's choices, from the multiboot command line (README: "Options"). */
#ifndef EXPERIMENTS_OPTIONS_H
#define EXPERIMENTS_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "experiments/experiment.h"

/* A selection holds experiments 1..MAX_EXPERIMENT, one bit each (bit 0 is unused). */
#define SELECTION_WORDS (MAX_EXPERIMENT / 64 + 1)

enum run_order { ORDER_SEQUENTIAL, ORDER_RANDOM };

/*
 * The test-only options that name an experiment (break=N, hang=N, ...): each shows that
 * something works (failure reporting, the watchdog, recovery, storms, stray and duplicated
 * NMIs) by acting in experiment N, which must exist and be selected -- or, with
 * scenarios=, in scenario N (and the shorter ones shrinking draws from it). Declared here
 * once; the options table and selection_init() check them all alike.
 */
enum test_hook {
	HOOK_BREAK,      /* break=N: the model's first prediction is deliberately wrong */
	HOOK_HANG,       /* hang=N: the first guest step hangs with interrupts off (the watchdog) */
	HOOK_FAULT,      /* fault=N: the first guest step raises #UD (the run goes on) */
	HOOK_STORM,      /* storm=N: the guest exits at every VM entry (a storm ends with a verdict) */
	HOOK_STRAY,      /* stray=N: once, an NMI nobody asked for (a void run, then a verdict) */
	HOOK_DUPLICATE,  /* duplicate=N: every NMI sent arrives twice, on every attempt (a failure) */
	TEST_HOOK_COUNT
};
extern const char *const test_hook_keys[TEST_HOOK_COUNT];
/* What the run is made of, for messages: "scenario" with scenarios=, else "experiment". */
const char *options_run_unit(void);
/* Whether hook h acts in experiment `number`. */
bool test_hook_in(enum test_hook h, unsigned number);

struct options {
	uint64_t serial_port;
	uint64_t baud;
	bool verbose;
	bool reboot;
	bool x2apic;             /* switch the APICs to x2APIC mode */
	uint64_t timeout_ms;     /* bound on one wait */
	uint64_t vmcall_rounds;  /* self-test: VMCALL round trips */
	struct experiment_selection {
		uint64_t selected[SELECTION_WORDS]; /* bit n: experiment n is selected */
		uint64_t named[SELECTION_WORDS];    /* bit n: the user named n (not just "all but ...") */
	} experiments;
	unsigned order;          /* enum run_order */
	uint64_t seed;           /* random order only (an error with order=seq) */
	uint64_t iterations;     /* random order only: experiments to run */
	uint64_t hook_experiment[TEST_HOOK_COUNT]; /* test only: the experiment each hook acts in, or 0 */
	uint64_t ready_delay_us;   /* test only: spin between a wait's "send now" and its HLT */
	bool strict;             /* known deviations count as failures */
	/* Random scenarios instead of the catalogue (experiments/scenario.h): scenarios=N runs
	 * 1..N, scenarios=A-B runs A..B of the same draw (last = 0: none). */
	struct scenario_range { uint64_t first, last; } scenarios;
#define MAX_SCENARIOS 1000000
};

extern struct options options;

/* Starts from the defaults and reads the whole line. Returns false with a message in err
 * (for an unknown key, naming the valid keys). The checks that need the catalogue are
 * selection_init()'s (experiments/selection.h). */
bool options_parse(const char *cmdline, char *err, unsigned errlen);
/* The options with their help, in the parser's order: what README's option table is
 * generated from (tests/options_md.c, make docs). */
struct option;
const struct option *options_table(size_t *count);
/* Fills in the defaults that depend on the platform (the wait bound). */
void options_choose_defaults(bool wall_clock_emulator);

/* Whether experiment n is selected, and whether the user named it (exp=17 or exp=-17;
 * not just "all"). False for any n outside 1..MAX_EXPERIMENT. */
bool options_selects(unsigned n);
bool options_names(unsigned n);

/* "exp=" syntax: "1-30,35", "-18,-19" (all but), "5,-3" ... into a struct
 * experiment_selection. Exposed for the unit tests. */
int parse_experiment_list(const char *value, void *dest, char *err, size_t errlen);

#endif
