/* Addresses the experiments name as "where an event hit" (boot/<arch>/anchors.S and
 * vmx/<arch>/vmentry.S). */
#ifndef BOOT_ANCHORS_H
#define BOOT_ANCHORS_H

#include <stdint.h>

void wait_halted(void);
void execute_iret(void);
uintptr_t guest_vmcall(uintptr_t op, uintptr_t arg);

extern const char after_hlt[], after_iret[], after_vmcall[], vmexit_entry[];

/* setjmp/longjmp for the engine (boot/<arch>/checkpoint.S): checkpoint_save returns 0, and 1 again when
 * checkpoint_resume jumps back to it. Only callee-saved state is kept. */
struct checkpoint {
	uintptr_t regs[8];
};
int checkpoint_save(struct checkpoint *c) __attribute__((returns_twice));
__attribute__((noreturn)) void checkpoint_resume(struct checkpoint *c);

#endif
