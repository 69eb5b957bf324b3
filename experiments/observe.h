/*
 * Observations: the events that end a wait or follow an IRET or a VM entry, each with
 * where it hit. Host handlers, guest handlers and the VM-exit handler all append to one
 * log in shared memory; the step interpreter compares it with what the step expects.
 */
#ifndef EXPERIMENTS_OBSERVE_H
#define EXPERIMENTS_OBSERVE_H

#include <stdbool.h>
#include <stdint.h>

#include "model/event.h"

struct observation {
	enum obs_source source;
	uintptr_t rip;
	uint8_t vector;           /* EXC_G: the exception */
	bool hit_before_hlt;      /* it hit before the wait's HLT: counted at after_hlt */
	uint8_t window;           /* the judgement window open when it was recorded (obs_set_window) */
	struct exit_record rec;   /* VM exits and failed VM entries: what the VMCS said */
};

#define OBS_LOG_SIZE 128

/* Appends o, stamped with the window open now. */
void obs_record(const struct observation *o);
/* The step whose judgement window is open (experiments/judge.h); nsteps: the end. */
void obs_set_window(unsigned step);
void obs_clear(void);
/* The first NMI since obs_clear() that the generator did not send (nor the experiment
 * cause itself: each injected NMI and each INT 2 is counted with obs_nmi_not_sent()), or
 * 0. */
const struct observation *obs_stray_nmi(void);
void obs_nmi_not_sent(void);
/* Whether an NMI exit consumes its NMI (VMX) or leaves it pending for the host (SVM). */
void obs_nmi_exit_consumes(bool consumes);
/* The generator, just before it sends an NMI. */
void obs_nmi_sent(void);
/* Since obs_clear(): NMIs sent, and NMIs arrived less those injected. */
unsigned obs_nmis_sent(void);
unsigned obs_nmis_arrived(void);
unsigned obs_count(void);
const struct observation *obs_at(unsigned i);
/* The latest observation from `s`, or 0. */
const struct observation *obs_last(enum obs_source s);

/* Whether the LAPIC timer currently bounds a wait (its interrupt is an observation). */
void obs_arm_timeout(uint64_t us);
void obs_disarm_timeout(void);

/* Installs the trap hooks that feed the log (host and guest handlers). */
void obs_install_trap_hooks(void);

#endif
