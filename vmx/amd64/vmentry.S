/*
 * amd64 VM entry and exit. The host's VM-exit RIP is vmexit_entry and its RSP the top
 * of the CPU's exit stack: the guest's registers are saved there as a struct gprs and
 * handed to vmexit_dispatch(); when it returns we load them back and VMRESUME.
 * A host NMI unblocked by the VM exit lands on vmexit_entry's first instruction, which
 * is why experiments 24 and 34 name that address.
 */
#include "machine/amd64/gprs.h"

	.text
	.code64

/* enum vmx_status vmx_launch(void): returns only if VMLAUNCH fails. */
	.global vmx_launch
vmx_launch:
	vmlaunch
	setc %al
	setz %dl
	movzbl %al, %eax
	movzbl %dl, %edx
	leal (%rdx, %rdx), %edx
	orl %edx, %eax			/* 1: VMfailInvalid, 2: VMfailValid */
	ret

	.global vmexit_entry
vmexit_entry:
	PUSH_GPRS
	movq %rsp, %rdi
	subq $8, %rsp			/* 15 pushes from a 16-aligned top: realign for the call */
	cld
	call vmexit_dispatch
	addq $8, %rsp
	POP_GPRS
	vmresume
	/* Only reached if VMRESUME failed. */
	setc %al
	setz %dl
	movzbl %al, %edi
	movzbl %dl, %edx
	leal (%rdi, %rdx, 2), %edi
	andq $-16, %rsp
	call vmresume_failed		/* does not return */
	ud2
