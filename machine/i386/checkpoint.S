/* See machine/amd64/checkpoint.S: setjmp and longjmp for the engine. */
	.text
	.code32

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
