/*
 * int checkpoint_save(struct checkpoint *c) / void checkpoint_resume(struct checkpoint *c):
 * setjmp and longjmp, so that an unexpected exception in a host step can abandon the
 * step's frames and let the engine go on with the next experiment. Saves the
 * callee-saved registers, the stack pointer and the return address.
 */
	.text
	.code64

	.global checkpoint_save, checkpoint_resume
checkpoint_save:
	movq %rbx, 0(%rdi)
	movq %rbp, 8(%rdi)
	movq %r12, 16(%rdi)
	movq %r13, 24(%rdi)
	movq %r14, 32(%rdi)
	movq %r15, 40(%rdi)
	leaq 8(%rsp), %rax		/* the caller's stack pointer after our return */
	movq %rax, 48(%rdi)
	movq (%rsp), %rax		/* the return address */
	movq %rax, 56(%rdi)
	xorl %eax, %eax
	ret

checkpoint_resume:
	movq 0(%rdi), %rbx
	movq 8(%rdi), %rbp
	movq 16(%rdi), %r12
	movq 24(%rdi), %r13
	movq 32(%rdi), %r14
	movq 40(%rdi), %r15
	movq 48(%rdi), %rsp
	movl $1, %eax
	jmpq *56(%rdi)
