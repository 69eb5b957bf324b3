/* VM exits: what happened, decoded once, handed to whoever drives the guest. */
#ifndef VMX_EXIT_H
#define VMX_EXIT_H

#include <stdbool.h>
#include <stdint.h>

#include "machine/arch.h"

struct vm_exit {
	uint32_t reason;        /* full exit-reason field */
	uint32_t basic_reason;  /* bits 15:0 */
	uintptr_t qualification;
	uint32_t interruption_info, interruption_error;
	uint32_t idt_vectoring_info;
	uint32_t instruction_length;
	uintptr_t guest_rip;
	uint32_t interruptibility, activity_state;
	uint64_t guest_physical;  /* EPT violations and misconfigurations */
	bool hit_before_hlt;      /* the event hit before a wait's HLT; guest_rip is after it */
	/* A VMRESUME that failed with VMfailValid (SDM 26.2: checks on controls and host
	 * state) rather than an exit: no exit field above is meaningful. */
	bool vmfail;
	uint32_t instruction_error;
};

/*
 * The current driver of the guest handles each exit and returns true, or false for an
 * exit it did not expect (then the exit is printed with a VMCS dump and the run ends
 * with a failure). Guest registers may be changed; they are loaded on VMRESUME.
 */
typedef bool (*vmexit_handler)(const struct vm_exit *e, struct gprs *guest_regs);
/* The same handler sees a VMRESUME that failed with VMfailValid (e->vmfail); if it
 * returns true, VMRESUME is tried again with the VMCS as the handler left it. */
void vmexit_set_handler(vmexit_handler h);

/* Called by vmx/<arch>/vmentry.S on every VM exit, on the exit stack. */
void vmexit_dispatch(struct gprs *regs);
/* Called by vmx/<arch>/vmentry.S when VMRESUME itself fails (status 1 or 2). */
void vmentry_failed(struct gprs *regs, uintptr_t status);

#endif
