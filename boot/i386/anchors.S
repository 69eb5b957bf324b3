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
	popl %ebx
	ret
