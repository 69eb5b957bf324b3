/*
 * The guest's one way out: VMCALL with the operation in rax and its argument in rbx
 * (guest/hypercall.h). The host resumes the guest at after_vmcall, the address that
 * "after VM entry" events are expected at. */
	.text
	.code64

/* uintptr_t guest_vmcall(uintptr_t op, uintptr_t arg): op in rax, arg in rbx, result
 * in rax. */
	.global guest_vmcall, after_vmcall
guest_vmcall:
	pushq %rbx
	movq %rdi, %rax
	movq %rsi, %rbx
	vmcall
after_vmcall:
	cli			/* the host may have set IF to inject an interrupt */
	popq %rbx
	ret
