/* See guest/amd64/vmcall.S. */
#include "machine/layout.h"

	.text
	.code32

/* uintptr_t guest_vmcall(uintptr_t op, uintptr_t arg) */
	.global guest_vmcall, vmcall_instruction, after_vmcall, after_vmcall_next
guest_vmcall:
	pushl %ebx
	movl 8(%esp), %eax
	movl 12(%esp), %ebx
vmcall_instruction:
	vmcall
after_vmcall:
	cli			/* the host may have set IF to inject an interrupt */
after_vmcall_next:
	popl %ebx
	ret

/* An exception the host injects at VM entry (#DB, #GP(0)) reaches G's handler with the
 * saved rip at after_vmcall: it resumes there (SDM 26.5.1: injected exceptions are
 * delivered before the first guest instruction). */
	.section .fixups, "a"
	.long VEC_DB, after_vmcall, after_vmcall
	.long VEC_GP, after_vmcall, after_vmcall
	.previous
