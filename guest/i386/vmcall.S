/* See guest/amd64/vmcall.S. */
	.text
	.code32

/* uintptr_t guest_vmcall(uintptr_t op, uintptr_t arg) */
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
