/*
 * amd64 VMRUN loop (APM Vol. 2 15.5, "VMRUN Instruction"; 15.17, "Global Interrupt Flag,
 * STGI and CLGI Instructions"). RSP points at the guest's struct gprs (machine/arch.h) at
 * the top of the exit stack for good: VMRUN saves the host's RSP and RAX and #VMEXIT
 * restores them, so after every exit RSP is that frame again and RAX the VMCB's address.
 *
 *   CLGI                   nothing reaches the host between here and the guest (the APM
 *                          assumes "VMM software cleared GIF some time before")
 *   VMLOAD guest, VMRUN    GIF = 1 in the guest
 *   #VMEXIT                GIF = 0; save the guest's registers, VMLOAD the host's state
 *   svm_exit_received()    reads the VMCB with GIF = 0
 *   STGI                   unless an H step keeps GIF = 0 (GIF_AT_EXIT)
 * svm_exit_entry:          where an NMI the exit left pending lands in the host
 *   svm_exit_dispatch()    the engine's answer; then again from the top
 */
#include "machine/amd64/gprs.h"

	.text
	.code64

/* void svm_enter(struct gprs *frame): never returns. */
	.global svm_enter, svm_exit_entry
svm_enter:
	cli
	movq %rdi, %rsp
svm_resume:
	clgi
	movq svm_vmcb_pa, %rax
	vmload %rax
	LOAD_GPRS_BUT_ACC %rsp
	vmrun %rax
	SAVE_GPRS_BUT_ACC %rsp
	movq svm_host_state_pa, %rax
	vmload %rax
	cld
	movq %rsp, %rdi
	call svm_exit_received		/* the frame is 16-byte aligned: so is the call */
	testb %al, %al
	jz svm_exit_entry
	stgi
svm_exit_entry:
	movq %rsp, %rdi
	call svm_exit_dispatch
	jmp svm_resume
