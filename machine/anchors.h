/* Addresses the experiments name as "where an event hit" (machine/<arch>/anchors.S and,
 * for those alike in both builds, machine/anchors.S;
 * vmx/<arch>/vmentry.S has vmexit_entry, svm/<arch>/vmrun.S svm_exit_entry,
 * guest/<arch>/vmcall.S after_vmcall). */
#ifndef MACHINE_ANCHORS_H
#define MACHINE_ANCHORS_H

#include <stdbool.h>
#include <stdint.h>

void wait_halted(void);
/* *flag = value, then (after spinning until the TSC reaches until_tsc, if that is in the
 * future) wait_halted(). An event that lands between the store and the HLT counts as
 * landing at after_hlt: see in_halt_window(). */
void wait_halted_signalling(volatile uint32_t *flag, uint32_t value, uint64_t until_tsc);
void execute_iret(void);

extern const char after_hlt[], after_iret[], iret_instruction[], vmexit_entry[];

/* CLGI and STGI (AMD SVM: the global interrupt flag); what STGI releases lands at
 * after_stgi. */
void execute_clgi(void);
void execute_stgi(void);
extern const char after_stgi[];
extern const char halt_window[];

/* Whether rip lies between the "send now" store and the HLT: an event there ends the
 * wait as if it had woken the HLT, and execution resumes at after_hlt. */
static inline bool in_halt_window(uintptr_t rip)
{
	return rip >= (uintptr_t)halt_window && rip < (uintptr_t)after_hlt;
}

/* An IRET whose frame names a null CS (#GP(0) at faulting_iret), and where its fix-up
 * resumes. */
void execute_faulting_iret(void);
extern const char faulting_iret[], after_faulting_iret[];

/* INT 2: the software interrupt through the NMI gate, which calls the NMI handler
 * without being an NMI (SDM Vol. 3A 6.3.3); the handler returns to after_int2. */
void execute_int2(void);
extern const char after_int2[];

/* An IRET whose frame the caller placed in the EPT frame page (vmx/ept.h): page_iret is
 * the IRET, after_page_iret where the frame returns to. */
void execute_page_iret(void *frame);
extern const char page_iret[], after_page_iret[];

/* setjmp/longjmp for the engine (machine/<arch>/checkpoint.S): checkpoint_save returns 0, and 1 again when
 * checkpoint_resume jumps back to it. Only callee-saved state is kept. */
struct checkpoint {
	uintptr_t regs[8];
};
int checkpoint_save(struct checkpoint *c) __attribute__((returns_twice));
__attribute__((noreturn)) void checkpoint_resume(struct checkpoint *c);

#endif
