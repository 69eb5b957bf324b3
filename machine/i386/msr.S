/* See machine/amd64/msr.S. cdecl: arguments on the stack. */
#include "machine/layout.h"

	.text
	.code32

/* bool rdmsr_safe(uint32_t msr, uint64_t *value) */
	.global rdmsr_safe
rdmsr_safe:
	movl 4(%esp), %ecx
	xorl %eax, %eax
	xorl %edx, %edx
rdmsr_safe_insn:
	rdmsr
	movl 8(%esp), %ecx
	movl %eax, (%ecx)
	movl %edx, 4(%ecx)
	movl $1, %eax
	ret
rdmsr_safe_fault:
	movl 8(%esp), %ecx
	movl $0, (%ecx)
	movl $0, 4(%ecx)
	xorl %eax, %eax
	ret

/* bool wrmsr_safe(uint32_t msr, uint64_t value) */
	.global wrmsr_safe
wrmsr_safe:
	movl 4(%esp), %ecx
	movl 8(%esp), %eax
	movl 12(%esp), %edx
wrmsr_safe_insn:
	wrmsr
	movl $1, %eax
	ret
wrmsr_safe_fault:
	xorl %eax, %eax
	ret

	.section .fixups, "a"
	.long VEC_GP, rdmsr_safe_insn, rdmsr_safe_fault
	.long VEC_GP, wrmsr_safe_insn, wrmsr_safe_fault
	.previous
