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
	OBS_EXIT_NP,   /* VM exit, basic reason 0, hardware exception 11 (#NP) */
	OBS_EXIT_INTRW,   /* VM exit, basic reason 7 (interrupt window) */
	OBS_EXIT_MTF,     /* VM exit, basic reason 37 (monitor trap flag) */
	OBS_EXIT_PREEMPT, /* VM exit, basic reason 52 (VMX-preemption timer expired) */
	OBS_EXIT_EPT,     /* VM exit, basic reason 48 (EPT violation) */
	OBS_ENTRY_VMFAIL,    /* VM entry failed with VMfailValid: .detail = VM-instruction error */
	OBS_ENTRY_BAD_GUEST, /* VM entry failed on guest state (exit reason 33 with bit 31):
				.detail = exit qualification */
	OBS_EXC_G,     /* another exception through the guest IDT with a fix-up (an injected
			  one), .vector: recorded, not an event */
	OBS_SOURCE_COUNT
};

struct observation {
	enum obs_source source;
	uintptr_t rip;
	/* VM exits and failed VM entries only: what the VMCS said. */
	uint32_t interruption_info, interruption_error, interruptibility, activity_state, instruction_length;
	uint32_t idt_vectoring_info, idt_vectoring_error;
	uint32_t entry_info;      /* failed entries: the VM-entry interruption information left */
	uint32_t detail;          /* ENTRY_VMFAIL: the VM-instruction error; ENTRY_BAD_GUEST: the
				     exit qualification */
	uint64_t qualification;   /* the exit qualification */
	uint64_t guest_physical;  /* EPT exits */
	uint8_t vector;           /* EXC_G */
	bool in_halt_window;      /* it hit before the wait's HLT: counted at after_hlt */
};

/* A field of an exit's observation, for check(...) and measure(...) steps. */
enum obs_field {
	FIELD_INFO,             /* exit interruption information */
	FIELD_ERROR,            /* exit interruption error code */
	FIELD_IDT_VECTORING,    /* IDT-vectoring information */
	FIELD_INTERRUPTIBILITY, /* guest interruptibility state saved */
	FIELD_ACTIVITY,         /* guest activity state saved */
	FIELD_LENGTH,           /* VM-exit instruction length */
	FIELD_QUALIFICATION,    /* exit qualification */
	FIELD_ENTRY_INFO,       /* failed entry: VM-entry interruption information left */
	FIELD_DETAIL,           /* failed entry: error number or qualification */
	FIELD_GUEST_PHYSICAL,   /* EPT exits: guest-physical address */
	FIELD_COUNT
};
uint64_t obs_field_value(const struct observation *o, enum obs_field f);
const char *obs_field_name(enum obs_field f);

#define OBS_LOG_SIZE 32

const char *obs_source_name(enum obs_source s);
/* Observations that count as events (ending waits, failing "none"); #GP deliveries are
 * recorded for diagnostics and fix-ups, not as events. */
bool obs_is_event(enum obs_source s);
/* VM exits, whose VMCS state the observation carries. */
bool obs_is_exit(enum obs_source s);
/* VM entries that failed (VMfailValid, or invalid guest state). */
bool obs_is_entry_failure(enum obs_source s);
/* VM exits caused by a fault: they save the faulting instruction's rip. */
bool obs_is_fault_exit(enum obs_source s);

void obs_record(const struct observation *o);
void obs_clear(void);
/* The first NMI since obs_clear() that the generator did not send (nor the experiment
 * inject: each injection is counted with obs_nmi_injected()), or 0. */
const struct observation *obs_stray_nmi(void);
void obs_nmi_injected(void);
/* The generator, just before it sends an NMI. */
void obs_nmi_sent(void);
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
