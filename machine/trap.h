/* What the interrupt entry stubs (machine/<arch>/isr.S) hand to C, and the fix-up table. */
#ifndef MACHINE_TRAP_H
#define MACHINE_TRAP_H

#include <stdbool.h>
#include <stdint.h>

#include "machine/arch.h"

enum trap_context { CTX_HOST = 0, CTX_GUEST = 1 };

/* Layout fixed by the stubs: lowest address first. */
struct trap_frame {
	uintptr_t context;        /* enum trap_context: which IDT the event came through */
	uintptr_t interrupted_sp; /* the stack pointer at the moment the event hit */
	struct gprs regs;
	/* In: what the stub pushed. Out (set by trap_dispatch for the IRET-free return):
	 * whether to re-enable interrupts, and where the [flags, return address] pair is. */
	union { uintptr_t vector; uintptr_t resume_if; };
	union { uintptr_t error_code; uintptr_t resume_sp; };
	uintptr_t rip, cs, rflags;
	/* amd64 only, and only readable there: rsp, ss. */
};

void trap_dispatch(struct trap_frame *f);
/* "#GP general protection" and so on. */
const char *exception_name(unsigned vector);

/* The first instruction of the host's / guest's handler for `vector`. */
uintptr_t host_handler_address(unsigned vector);
uintptr_t guest_handler_address(unsigned vector);

/*
 * Exception fix-ups: an instruction that faults on purpose names where execution
 * resumes. Looked up by the host and guest exception handlers, and by the host when
 * an exception causes a VM exit.
 */
struct fixup {
	uintptr_t vector;  /* natural width, so the assembly tables are three words */
	uintptr_t fault_rip, resume_rip;
};
bool fixup_lookup(unsigned vector, uintptr_t rip, uintptr_t *resume_rip);

/*
 * Called for events the stubs deliver. This layer knows no device: start-up installs
 * how interrupts are acknowledged and how an unhandled exception ends the run
 * (lib/interrupts.c); the experiments install the observers.
 */
struct trap_hooks {
	void (*acknowledge)(unsigned vector);                 /* vectors 32-255, first */
	__attribute__((noreturn)) void (*fatal)(const struct trap_frame *f);
	void (*nmi)(enum trap_context ctx, uintptr_t rip);
	void (*interrupt)(enum trap_context ctx, unsigned vector, uintptr_t rip);
	/* Returns true when it handled the exception (e.g. recorded an expected fault). */
	bool (*exception)(struct trap_frame *f);
};
extern struct trap_hooks trap_hooks;

#endif
