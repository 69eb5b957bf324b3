/*
 * amd64 VM entry and exit. The host's VM-exit RIP is vmexit_entry and its RSP the top
 * of the CPU's exit stack: the guest's registers are saved there as a struct gprs and
 * handed to vmexit_dispatch(); when it returns we load them back and VMRESUME.
 * A host NMI unblocked by the VM exit lands on vmexit_entry's first instruction, which
 * is why experiments 24 and 34 name that address. A VMRESUME that fails goes to
 * vmentry_failed() with the same register frame.
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
resume_guest:
	POP_GPRS
	vmresume
	/*
	 * Only reached if VMRESUME failed. The guest's registers are still live and PUSH
	 * leaves the flags alone, so save them first, then decode CF/ZF. vmentry_failed()
	 * returns only if the VMCS was mended (a failed entry is an observation too, SDM
	 * 26.2): then try again.
	 */
	PUSH_GPRS
	setc %al
	setz %dl
	movzbl %al, %esi
	movzbl %dl, %edx
	leal (%rsi, %rdx, 2), %esi	/* 1: VMfailInvalid, 2: VMfailValid */
	movq %rsp, %rdi
	subq $8, %rsp
	cld
	call vmentry_failed
	addq $8, %rsp
	jmp resume_guest
