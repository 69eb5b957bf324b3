/*
 * What the interrupt entry stubs (machine/<arch>/isr.S) hand to C, and the fix-up table.
 * The stubs include this header too: what they share with C comes first, free of C.
 */
#ifndef MACHINE_TRAP_H
#define MACHINE_TRAP_H

/* Which IDT an event came through (struct trap_frame's context): each stub table pushes
 * its own. */
#define CTX_HOST  0
#define CTX_GUEST 1

/* The exceptions for which the CPU pushes an error code (SDM Vol. 3A, Table 6-1): #DF,
 * #TS, #NP, #SS, #GP, #PF, #AC, #CP, #VC, #SX. For every other vector the stub pushes a 0
 * in its place, so that all frames look alike. Read by C and by the assembler's .if. */
#define EXCEPTION_HAS_ERROR_CODE(v) \
	((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

#ifndef __ASSEMBLER__

#include <stdbool.h>
#include <stdint.h>

#include "machine/arch.h"

/* Layout fixed by the stubs: lowest address first. */
struct trap_frame {
	uintptr_t context;        /* CTX_HOST or CTX_GUEST */
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
	void (*nmi)(unsigned context, uintptr_t rip);                     /* CTX_HOST, CTX_GUEST */
	void (*interrupt)(unsigned context, unsigned vector, uintptr_t rip);
	/* Returns true when it handled the exception (e.g. recorded an expected fault). */
	bool (*exception)(struct trap_frame *f);
};
extern struct trap_hooks trap_hooks;

#endif /* __ASSEMBLER__ */

#endif
