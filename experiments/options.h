/* The user's choices, from the multiboot command line (README: "Options"). */
#ifndef EXPERIMENTS_OPTIONS_H
#define EXPERIMENTS_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum run_order { ORDER_SEQUENTIAL, ORDER_RANDOM };

/* Experiment numbers that can be selected: 1..MAX_SELECTABLE, the catalogue's range
 * (MAX_EXPERIMENT in experiments/experiment.h), as a set of 64-bit words. */
#define MAX_SELECTABLE 255
#define SELECTION_WORDS ((MAX_SELECTABLE + 64) / 64)

struct options {
	uint64_t serial_port;
	uint64_t baud;
	bool verbose;
	bool reboot;
	bool x2apic;             /* switch the APICs to x2APIC mode */
	uint64_t timeout_ms;     /* bound on one wait */
	uint64_t vmcall_rounds;  /* self-test: VMCALL round trips */
	struct experiment_selection {
		uint64_t selected[SELECTION_WORDS]; /* bit n of the set: experiment n is selected */
		uint64_t named[SELECTION_WORDS];    /* bit n: the user named n (not just "all but ...") */
	} experiments;
	unsigned order;          /* enum run_order */
	uint64_t seed;
	uint64_t iterations;     /* random order: experiments to run */
	uint64_t break_experiment; /* test only: this experiment expects the wrong thing */
	uint64_t hang_experiment;  /* test only: this experiment hangs (the watchdog's test) */
	uint64_t fault_experiment; /* test only: this experiment's first step raises #UD */
	uint64_t storm_experiment; /* test only: this experiment's guest exits at every VM entry */
	uint64_t ready_delay_us;   /* test only: spin between a wait's "send now" and its HLT */
	uint64_t stray_experiment; /* test only: an NMI nobody asked for arrives in this experiment */
	bool strict;             /* known deviations count as failures */
};

extern struct options options;

/* Returns false with a message (naming the valid keys) in err. */
bool options_parse(const char *cmdline, char *err, unsigned errlen);
/* Fills in the defaults that depend on the platform (the wait bound). */
void options_choose_defaults(bool wall_clock_emulator);

/* Whether experiment n is selected, and whether the user named it (exp=17 or exp=-17;
 * not just "all"). */
bool options_selects(unsigned n);
bool options_names(unsigned n);

/* "exp=" syntax: "1-30,35", "-18,-19" (all but), "5,-3" ... into a struct
 * experiment_selection. Exposed for the unit tests. */
int parse_experiment_list(const char *value, void *dest, char *err, size_t errlen);

#endif
