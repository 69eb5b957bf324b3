/* See machine/amd64/anchors.S. */
	.text
	.code32

	.global wait_halted, after_hlt
wait_halted:
	sti
	hlt
after_hlt:
	cli
	ret

	.global execute_iret, after_iret
execute_iret:
	pushfl
	pushl %cs
	pushl $after_iret
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
	.long 13, faulting_iret, after_faulting_iret
	.previous
