/* Addresses the experiments name as "where an event hit" (machine/<arch>/anchors.S;
 * vmx/<arch>/vmentry.S has vmexit_entry, guest/<arch>/vmcall.S after_vmcall). */
#ifndef MACHINE_ANCHORS_H
#define MACHINE_ANCHORS_H

#include <stdint.h>

void wait_halted(void);
void execute_iret(void);

extern const char after_hlt[], after_iret[], vmexit_entry[];

/* An IRET whose frame names a null CS (#GP(0) at faulting_iret), and where its fix-up
 * resumes. */
void execute_faulting_iret(void);
extern const char faulting_iret[], after_faulting_iret[];

/* setjmp/longjmp for the engine (machine/<arch>/checkpoint.S): checkpoint_save returns 0, and 1 again when
 * checkpoint_resume jumps back to it. Only callee-saved state is kept. */
struct checkpoint {
	uintptr_t regs[8];
};
int checkpoint_save(struct checkpoint *c) __attribute__((returns_twice));
__attribute__((noreturn)) void checkpoint_resume(struct checkpoint *c);

#endif
