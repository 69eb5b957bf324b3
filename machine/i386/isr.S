/*
 * i386 interrupt entry stubs and the IRET-free return; see machine/amd64/isr.S for the
 * design. At the same privilege level the CPU pushes only EIP, CS and EFLAGS, so the
 * interrupted stack pointer is the address just above that frame.
 */
#include "machine/layout.h"
#include "machine/trap.h"
#include "machine/i386/gprs.h"

.macro STUB ctx
	.balign ISR_STUB_SIZE
	.if !EXCEPTION_HAS_ERROR_CODE(vec)
	pushl $0
	.endif
	pushl $vec
	jmp \ctx\()_trap_common
.endm

.macro STUB_TABLE ctx
	.balign ISR_STUB_SIZE
	.global \ctx\()_isr_stubs
\ctx\()_isr_stubs:
	vec = 0
	.rept 256
	STUB \ctx
	vec = vec + 1
	.endr
	/* linker.ld asserts that each table is exactly 256 * ISR_STUB_SIZE bytes. */
.endm

.macro SAVE_AND_DISPATCH ctx
	PUSH_GPRS
	leal (GPRS_COUNT + 5) * 4(%esp), %eax	/* interrupted_sp: just above EIP, CS, EFLAGS */
	pushl %eax
	pushl $\ctx
	movl %esp, %eax
	cld
	pushl %eax
	call trap_dispatch
	addl $4, %esp
	jmp trap_return
.endm

	.text
	.code32
STUB_TABLE host
STUB_TABLE guest
	.balign ISR_STUB_SIZE
	.global isr_stubs_end
isr_stubs_end:

host_trap_common:
	SAVE_AND_DISPATCH CTX_HOST
guest_trap_common:
	SAVE_AND_DISPATCH CTX_GUEST

trap_return:
	addl $8, %esp			/* context, interrupted_sp */
	POP_GPRS
	btl $0, (%esp)
	jc 1f
	movl 4(%esp), %esp
	popfl
	ret
1:	movl 4(%esp), %esp
	popfl
	sti
	ret
