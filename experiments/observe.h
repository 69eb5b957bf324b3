/*
 * Observations: the events that end a wait or follow an IRET or a VM entry, each with
 * where it hit. Host handlers, guest handlers and the VM-exit handler all append to one
 * log in shared memory; the step interpreter compares it with what the step expects.
 */
#ifndef EXPERIMENTS_OBSERVE_H
#define EXPERIMENTS_OBSERVE_H

#include <stdbool.h>
#include <stdint.h>

enum obs_source {
	OBS_NONE,
	OBS_NMI_G,     /* NMI delivered through the guest IDT */
	OBS_INTR_G,    /* the generator's interrupt through the guest IDT */
	OBS_NMI_H,     /* NMI delivered through the host IDT */
	OBS_INTR_H,    /* the generator's interrupt through the host IDT */
	OBS_EXIT_NMI,  /* VM exit, basic reason 0, interruption type NMI */
	OBS_EXIT_NMIW, /* VM exit, basic reason 8 (NMI window) */
	OBS_EXIT_GP,   /* VM exit, basic reason 0, hardware exception 13 */
	OBS_GP_G,      /* #GP through the guest IDT (a faulting IRET) */
	OBS_GP_H,      /* #GP through the host IDT */
	OBS_TIMEOUT,   /* the wait's timer fired: nothing ended the wait in time */
	OBS_SOURCE_COUNT
};

struct observation {
	enum obs_source source;
	uintptr_t rip;
	/* VM exits only: what the VMCS said. */
	uint32_t interruption_info, interruptibility, activity_state, instruction_length;
};

#define OBS_LOG_SIZE 32

const char *obs_source_name(enum obs_source s);
/* Observations that count as events (ending waits, failing "none"); #GP deliveries are
 * recorded for diagnostics and fix-ups, not as events. */
bool obs_is_event(enum obs_source s);
/* VM exits, whose VMCS state the observation carries. */
bool obs_is_exit(enum obs_source s);
/* VM exits caused by a fault: they save the faulting instruction's rip. */
bool obs_is_fault_exit(enum obs_source s);

void obs_record(const struct observation *o);
void obs_clear(void);
unsigned obs_count(void);
const struct observation *obs_at(unsigned i);
/* The observations from index `mark` on, and how many there are. */
const struct observation *obs_since(unsigned mark, unsigned *count);
/* The latest observation from `s`, or 0. */
const struct observation *obs_last(enum obs_source s);

/* Whether the LAPIC timer currently bounds a wait (its interrupt is an observation). */
void obs_arm_timeout(uint64_t us);
void obs_disarm_timeout(void);

/* Installs the trap hooks that feed the log (host and guest handlers). */
void obs_install_trap_hooks(void);

#endif
