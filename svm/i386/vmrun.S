/* i386 VMRUN loop: see svm/amd64/vmrun.S. VMRUN from 32-bit protected mode needs only
 * CR0.PE, CPL 0 and EFER.SVME (APM 15.5.1), and takes the VMCB's address from EAX. */
#include "machine/i386/gprs.h"

	.text
	.code32

	.global svm_enter, svm_exit_entry
svm_enter:
	cli
	movl 4(%esp), %esp
svm_resume:
	clgi
	movl svm_vmcb_pa, %eax
	vmload %eax
	LOAD_GPRS_BUT_ACC %esp
	vmrun %eax
	SAVE_GPRS_BUT_ACC %esp
	movl svm_host_state_pa, %eax
	vmload %eax
	cld
	movl %esp, %eax
	subl $12, %esp			/* keep the call 16-byte aligned */
	pushl %eax
	call svm_exit_received
	addl $16, %esp
	testb %al, %al
	jz svm_exit_entry
	stgi
svm_exit_entry:
	movl %esp, %eax
	subl $12, %esp
	pushl %eax
	call svm_exit_dispatch
	addl $16, %esp
	jmp svm_resume
