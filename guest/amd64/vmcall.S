/*
 * The guest's one way out: VMCALL with the operation in rax and its argument in rbx
 * (guest/hypercall.h). The host resumes the guest at after_vmcall, the address that
 * "after VM entry" events are expected at. */
#include "machine/layout.h"

	.text
	.code64

/* uintptr_t guest_vmcall(uintptr_t op, uintptr_t arg): op in rax, arg in rbx, result
 * in rax. */
	.global guest_vmcall, vmcall_instruction, after_vmcall, after_vmcall_next
guest_vmcall:
	pushq %rbx
	movq %rdi, %rax
	movq %rsi, %rbx
vmcall_instruction:
	vmcall
after_vmcall:
	cli			/* the host may have set IF to inject an interrupt */
after_vmcall_next:
	popq %rbx
	ret

/* An exception the host injects at VM entry (#DB, #GP(0)) reaches G's handler with the
 * saved rip at after_vmcall: it resumes there (SDM 26.5.1: injected exceptions are
 * delivered before the first guest instruction). */
	.section .fixups, "a"
	.quad VEC_DB, after_vmcall, after_vmcall
	.quad VEC_GP, after_vmcall, after_vmcall
	.previous
