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
};

/*
 * The current driver of the guest handles each exit and returns true, or false for an
 * exit it did not expect (then the exit is printed with a VMCS dump and the run ends
 * with a failure). Guest registers may be changed; they are loaded on VMRESUME.
 */
typedef bool (*vmexit_handler)(const struct vm_exit *e, struct gprs *guest_regs);
void vmexit_set_handler(vmexit_handler h);

/* Moves the guest past the instruction that caused the exit (VMCALL and the like). */
void vmexit_skip_instruction(const struct vm_exit *e);

void vmexit_print(const struct vm_exit *e);

/* Every VM exit counts: a heartbeat the watchdog can read. */
extern volatile unsigned vmexit_count;

#endif
