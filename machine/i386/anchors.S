/* See machine/amd64/anchors.S. */
#include "machine/layout.h"

	.text
	.code32

/* void wait_halted_signalling(volatile uint32_t *flag, uint32_t value, uint64_t until_tsc) */
	.global wait_halted_signalling, halt_window
wait_halted_signalling:
	movl 4(%esp), %eax
	movl 8(%esp), %ecx
	movl %ecx, (%eax)
halt_window:
1:	rdtsc
	cmpl 16(%esp), %edx
	ja wait_halted
	jb 2f
	cmpl 12(%esp), %eax
	jae wait_halted
2:	pause
	jmp 1b

	.global wait_halted, after_hlt
wait_halted:
	sti
	hlt
after_hlt:
	cli
	ret

	.global execute_iret, iret_instruction, after_iret
execute_iret:
	pushfl
	pushl %cs
	pushl $after_iret
iret_instruction:
	iretl
after_iret:
	ret

/* See machine/amd64/anchors.S. */
	.global execute_faulting_iret, faulting_iret, after_faulting_iret
execute_faulting_iret:
	pushl %ebp
	movl %esp, %ebp
	pushfl				/* EFLAGS */
	pushl $0			/* CS: null, hence #GP(0) */
	pushl $after_faulting_iret	/* EIP */
faulting_iret:
	iretl
after_faulting_iret:
	movl %ebp, %esp
	popl %ebp
	ret

	.section .fixups, "a"
	.long VEC_GP, faulting_iret, after_faulting_iret
	.previous

/* See machine/amd64/anchors.S. The frame is EIP, CS, EFLAGS: a return to the same
 * privilege level pops no stack pointer, so ESP is left just above the frame. */
	.global execute_page_iret, page_iret, after_page_iret
execute_page_iret:
	pushl %ebp
	movl %esp, %ebp
	movl 8(%ebp), %esp
page_iret:
	iretl
after_page_iret:
	movl %ebp, %esp
	popl %ebp
	ret
