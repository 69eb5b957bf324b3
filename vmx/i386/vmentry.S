/* i386 VM entry and exit; see vmx/amd64/vmentry.S. */
#include "machine/i386/gprs.h"

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
	PUSH_GPRS
	movl %esp, %eax
	cld
	pushl %eax
	call vmexit_dispatch
	addl $4, %esp
resume_guest:
	POP_GPRS
	vmresume
	/* VMRESUME failed: see vmx/amd64/vmentry.S. */
	PUSH_GPRS
	setc %al
	setz %dl
	movzbl %al, %eax
	movzbl %dl, %edx
	leal (%eax, %edx, 2), %eax
	movl %esp, %ecx
	cld
	pushl %eax
	pushl %ecx
	call vmentry_failed
	addl $8, %esp
	jmp resume_guest
