/* VMX bring-up: capabilities, VMXON, the VMCS for our guest, VMLAUNCH. */
#ifndef VMX_VMX_H
#define VMX_VMX_H

#include <stdbool.h>
#include <stdint.h>

#include "machine/cpu.h"

struct vmx_caps {
	uint64_t basic, misc;
	uint64_t pin, proc, exit, entry; /* the TRUE_* MSRs when IA32_VMX_BASIC[55] says so */
	uint64_t proc2, ept_vpid;        /* 0 when the CPU has no secondary controls / EPT */
	bool true_controls;
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
};

/* Whether this CPU can do VMX at all; *why says why not. Touches no state. */
bool vmx_available(const char **why);
void vmx_read_caps(struct vmx_caps *caps);
void vmx_print_caps(const struct vmx_caps *caps);

/* IA32_FEATURE_CONTROL, CR0/CR4 fixed bits, VMXON, then a fresh current VMCS. */
bool vmx_enable(struct cpu *c, const char **why);

/*
 * Fills the VMCS: host state from the running CPU; guest state that shares our
 * address space and code, with its own IDT, stack and TSS; the base controls, derived
 * from the capability MSRs. Returns false (and names the refused controls) if the CPU
 * lacks a control the experiments need.
 */
bool vmx_setup_vmcs(struct cpu *c, void (*guest_entry)(void), const char **why);

/* Points the guest at a fresh entry: RIP, an empty stack, RFLAGS = 2, active. */
void vmx_reset_guest(struct cpu *c, void (*guest_entry)(void));

/* VMLAUNCH; returns only on failure, after printing the decoded failure. */
void vmx_launch_guest(void);

/* The capabilities vmx_enable() read. */
const struct vmx_caps *vmx_current_caps(void);

/* Of `features` (enum hv_feature, or'ed), the first this CPU lacks, named with the
 * capability bit that says so (a SKIP reason); 0 when it has them all. */
const char *vmx_missing_feature(unsigned features);

#endif
