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

#define FRAME_RBX 8
#define FRAME_RCX 16
#define FRAME_RDX 24
#define FRAME_RSI 32
#define FRAME_RDI 40
#define FRAME_RBP 48
#define FRAME_R8 56
#define FRAME_R9 64
#define FRAME_R10 72
#define FRAME_R11 80
#define FRAME_R12 88
#define FRAME_R13 96
#define FRAME_R14 104
#define FRAME_R15 112

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
	movq FRAME_RBX(%rsp), %rbx
	movq FRAME_RCX(%rsp), %rcx
	movq FRAME_RDX(%rsp), %rdx
	movq FRAME_RSI(%rsp), %rsi
	movq FRAME_RDI(%rsp), %rdi
	movq FRAME_RBP(%rsp), %rbp
	movq FRAME_R8(%rsp), %r8
	movq FRAME_R9(%rsp), %r9
	movq FRAME_R10(%rsp), %r10
	movq FRAME_R11(%rsp), %r11
	movq FRAME_R12(%rsp), %r12
	movq FRAME_R13(%rsp), %r13
	movq FRAME_R14(%rsp), %r14
	movq FRAME_R15(%rsp), %r15
	vmrun %rax
	movq %rbx, FRAME_RBX(%rsp)
	movq %rcx, FRAME_RCX(%rsp)
	movq %rdx, FRAME_RDX(%rsp)
	movq %rsi, FRAME_RSI(%rsp)
	movq %rdi, FRAME_RDI(%rsp)
	movq %rbp, FRAME_RBP(%rsp)
	movq %r8, FRAME_R8(%rsp)
	movq %r9, FRAME_R9(%rsp)
	movq %r10, FRAME_R10(%rsp)
	movq %r11, FRAME_R11(%rsp)
	movq %r12, FRAME_R12(%rsp)
	movq %r13, FRAME_R13(%rsp)
	movq %r14, FRAME_R14(%rsp)
	movq %r15, FRAME_R15(%rsp)
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
