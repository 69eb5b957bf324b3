/* rdmsr_safe / wrmsr_safe (machine/msr.h): the MSR instruction has a #GP fix-up that
 * resumes at the failure return. */
#include "machine/layout.h"

	.text
	.code64

/* bool rdmsr_safe(uint32_t msr [edi], uint64_t *value [rsi]) */
	.global rdmsr_safe
rdmsr_safe:
	movl %edi, %ecx
	xorl %eax, %eax
	xorl %edx, %edx
rdmsr_safe_insn:
	rdmsr
	shlq $32, %rdx
	orq %rdx, %rax
	movq %rax, (%rsi)
	movl $1, %eax
	ret
rdmsr_safe_fault:
	movq $0, (%rsi)
	xorl %eax, %eax
	ret

/* bool wrmsr_safe(uint32_t msr [edi], uint64_t value [rsi]) */
	.global wrmsr_safe
wrmsr_safe:
	movl %edi, %ecx
	movl %esi, %eax
	movq %rsi, %rdx
	shrq $32, %rdx
wrmsr_safe_insn:
	wrmsr
	movl $1, %eax
	ret
wrmsr_safe_fault:
	xorl %eax, %eax
	ret

	.section .fixups, "a"
	.quad VEC_GP, rdmsr_safe_insn, rdmsr_safe_fault
	.quad VEC_GP, wrmsr_safe_insn, wrmsr_safe_fault
	.previous
