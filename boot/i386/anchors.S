/* See boot/amd64/anchors.S. */
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

	.global guest_vmcall, after_vmcall
guest_vmcall:
	pushl %ebx
	movl 8(%esp), %eax
	movl 12(%esp), %ebx
	vmcall
after_vmcall:
	cli			/* the host may have set IF to inject an interrupt */
	popl %ebx
	ret

/* See boot/amd64/anchors.S. */
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

/* See boot/amd64/anchors.S: setjmp and longjmp for the engine. */
	.global checkpoint_save, checkpoint_resume
checkpoint_save:
	movl 4(%esp), %eax
	movl %ebx, 0(%eax)
	movl %esi, 4(%eax)
	movl %edi, 8(%eax)
	movl %ebp, 12(%eax)
	leal 4(%esp), %ecx		/* the caller's stack pointer after our return */
	movl %ecx, 16(%eax)
	movl (%esp), %ecx		/* the return address */
	movl %ecx, 20(%eax)
	xorl %eax, %eax
	ret

checkpoint_resume:
	movl 4(%esp), %eax
	movl 0(%eax), %ebx
	movl 4(%eax), %esi
	movl 8(%eax), %edi
	movl 12(%eax), %ebp
	movl 16(%eax), %esp
	movl 20(%eax), %ecx
	movl $1, %eax
	jmpl *%ecx
