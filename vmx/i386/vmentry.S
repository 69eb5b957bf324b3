/* i386 VM entry and exit; see vmx/amd64/vmentry.S. */
	.text
	.code32

	.global vmx_launch
vmx_launch:
	vmlaunch
	setc %al
	setz %dl
	movzbl %al, %eax
	movzbl %dl, %edx
	leal (%eax, %edx, 2), %eax	/* 1: VMfailInvalid, 2: VMfailValid */
	ret

	.global vmexit_entry
vmexit_entry:
	pushl %ebp
	pushl %edi
	pushl %esi
	pushl %edx
	pushl %ecx
	pushl %ebx
	pushl %eax
	movl %esp, %eax
	cld
	pushl %eax
	call vmexit_dispatch
	addl $4, %esp
	popl %eax
	popl %ebx
	popl %ecx
	popl %edx
	popl %esi
	popl %edi
	popl %ebp
	vmresume
	setc %al
	setz %dl
	movzbl %al, %eax
	movzbl %dl, %edx
	leal (%eax, %edx, 2), %eax
	pushl %eax
	call vmresume_failed
	ud2
