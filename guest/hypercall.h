/* The guest's calls into the host: VMCALL with the operation in RAX and one argument in
 * RBX; the host runs the operation, puts the result in RAX, and resumes the guest after
 * the VMCALL (at after_vmcall). */
#ifndef GUEST_HYPERCALL_H
#define GUEST_HYPERCALL_H

#include <stdint.h>

enum hypercall {
	HC_PING,              /* self-test round trip: returns arg + 1 */
	HC_SELFTEST_ARM_NMI,  /* self-test: NMI exiting on, and the host awaits one NMI exit */
	HC_SELFTEST_DONE,     /* self-test finished; arg = wrong PING results seen in G */
	HC_HOST_STEPS,        /* run the H steps from index arg; returns the next G step */
	HC_EXPERIMENT_DONE,   /* the experiment is over (passed or failed) */
	HC_BASELINE_DONE,     /* the guest's part of establishing the baseline is done */
};

/* guest/<arch>/vmcall.S */
uintptr_t guest_vmcall(uintptr_t op, uintptr_t arg);
extern const char vmcall_instruction[], after_vmcall[];
/* The instruction after the one at after_vmcall: where an event held off by a shadow
 * (blocking by STI or MOV-SS at VM entry) lands. */
extern const char after_vmcall_next[];

static inline uintptr_t hypercall(enum hypercall op, uintptr_t arg)
{
	return guest_vmcall((uintptr_t)op, arg);
}

#endif
