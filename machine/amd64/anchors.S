/*
 * The instructions whose addresses the experiments name ("the instruction after the
 * HLT", "after the IRET", "after the VMCALL"). Host and guest both call these, so each
 * anchor is one address. The i386 file has the same functions.
 */
#include "machine/layout.h"

	.text
	.code64

/*
 * void wait_halted_signalling(volatile uint32_t *flag, uint32_t value, uint64_t until_tsc):
 * *flag = value ("send now"), then -- after spinning until the TSC reaches until_tsc, a
 * test option that stretches this window; 0 for no spin -- on into wait_halted. An event
 * may land anywhere from the store on: NMIs are not masked by IF, and the sender cannot
 * know when we reach the HLT. The handlers treat a rip in [halt_window, after_hlt) as
 * after_hlt and resume there, as OS idle loops do (in_halt_window()), so where such an
 * event is recorded does not depend on timing. Clobbers rax, rcx, rdx.
 */
	.global wait_halted_signalling, halt_window
wait_halted_signalling:
	movq %rdx, %rcx
	movl %esi, (%rdi)
halt_window:
1:	rdtsc
	shlq $32, %rdx
	orq %rdx, %rax
	cmpq %rcx, %rax
	jae wait_halted
	pause
	jmp 1b

/* void wait_halted(void): STI; HLT. Its shadow makes a pending interrupt wake the HLT
 * rather than land before it, so every event ends the wait at after_hlt. Must follow
 * the window above. */
	.global wait_halted, after_hlt
wait_halted:
	sti
	hlt
after_hlt:
	cli
	ret

/* void execute_iret(void): an IRET to the next instruction, the only IRET that runs.
 * Clobbers rax and rcx (caller-saved). */
	.global execute_iret, iret_instruction, after_iret
execute_iret:
	movq %rsp, %rax
	movl %ss, %ecx
	pushq %rcx
	pushq %rax
	pushfq
	movl %cs, %ecx
	pushq %rcx
	pushq $after_iret
iret_instruction:		/* where an IRET intercept saves the guest (SVM) */
	iretq
after_iret:
	ret

/*
 * void execute_faulting_iret(void): an IRET whose frame names a null CS selector, so it
 * raises #GP(0) with the saved RIP at the IRET itself. The #GP handler (host or guest),
 * or the host when #GP exits, resumes at after_faulting_iret through the fix-up table;
 * RBP restores the stack either way.
 */
	.global execute_faulting_iret, faulting_iret, after_faulting_iret
execute_faulting_iret:
	pushq %rbp
	movq %rsp, %rbp
	movl %ss, %ecx
	pushq %rcx			/* SS */
	pushq %rbp			/* RSP */
	pushfq				/* RFLAGS */
	pushq $0			/* CS: null, hence #GP(0) */
	pushq $after_faulting_iret	/* RIP */
faulting_iret:
	iretq
after_faulting_iret:
	movq %rbp, %rsp
	popq %rbp
	ret

	.section .fixups, "a"
	.quad VEC_GP, faulting_iret, after_faulting_iret
	.previous

/*
 * void execute_page_iret(void *frame): an IRET whose frame lies in the page the host can
 * make not present in the EPT (vmx/ept.h), so that the IRET's own reads of the frame are
 * what causes the EPT violation, saved at page_iret. The host writes the frame (RIP =
 * after_page_iret, CS, RFLAGS, RSP, SS) and resumes the guest at page_iret once the page
 * is mapped again; RBP restores the stack after it.
 */
	.global execute_page_iret, page_iret, after_page_iret
execute_page_iret:
	pushq %rbp
	movq %rsp, %rbp
	movq %rdi, %rsp
page_iret:
	iretq
after_page_iret:
	movq %rbp, %rsp
	popq %rbp
	ret
