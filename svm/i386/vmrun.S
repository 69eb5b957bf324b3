/* i386 VMRUN loop: see svm/amd64/vmrun.S. VMRUN from 32-bit protected mode needs only
 * CR0.PE, CPL 0 and EFER.SVME (APM 15.5.1), and takes the VMCB's address from EAX. */
#include "machine/i386/gprs.h"

#define FRAME_EBX 4
#define FRAME_ECX 8
#define FRAME_EDX 12
#define FRAME_ESI 16
#define FRAME_EDI 20
#define FRAME_EBP 24

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
	movl FRAME_EBX(%esp), %ebx
	movl FRAME_ECX(%esp), %ecx
	movl FRAME_EDX(%esp), %edx
	movl FRAME_ESI(%esp), %esi
	movl FRAME_EDI(%esp), %edi
	movl FRAME_EBP(%esp), %ebp
	vmrun %eax
	movl %ebx, FRAME_EBX(%esp)
	movl %ecx, FRAME_ECX(%esp)
	movl %edx, FRAME_EDX(%esp)
	movl %esi, FRAME_ESI(%esp)
	movl %edi, FRAME_EDI(%esp)
	movl %ebp, FRAME_EBP(%esp)
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
