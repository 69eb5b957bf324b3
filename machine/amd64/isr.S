/*
 * amd64 interrupt entry stubs and the IRET-free return.
 *
 * Two sets of 256 stubs, one for the host IDT and one for the guest IDT, each stub
 * ISR_STUB_SIZE bytes apart so that "the first instruction of the handler for vector v"
 * is simply base + v * ISR_STUB_SIZE. Stubs push a dummy error code where the CPU does
 * not, then the vector, and join the common path that saves the registers into a
 * struct trap_frame (machine/trap.h) and calls trap_dispatch().
 *
 * Handlers never execute IRET: IRET would unblock NMIs, and the experiments decide
 * exactly where that happens. trap_dispatch() leaves the return address and flags on the
 * interrupted stack and tells us (in the vector and error-code slots) where that is and
 * whether interrupts were enabled; we switch to it, POPF with IF clear, and RET -- with
 * an STI right before the RET when IF was set, so that its one-instruction shadow keeps
 * a pending interrupt from landing inside this stub.
 */
#include "machine/layout.h"
#include "machine/trap.h"
#include "machine/amd64/gprs.h"

.macro STUB ctx
	.balign ISR_STUB_SIZE
	.if !EXCEPTION_HAS_ERROR_CODE(vec)
	pushq $0
	.endif
	pushq $vec
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
	pushq (GPRS_COUNT + 5) * 8(%rsp)	/* interrupted_sp: the RSP the CPU saved */
	pushq $\ctx
	movq %rsp, %rdi
	cld
	call trap_dispatch
	jmp trap_return
.endm

	.text
	.code64
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
	addq $16, %rsp			/* context, interrupted_sp */
	POP_GPRS
	/* (%rsp): resume_if, 8(%rsp): resume_sp -> [flags without IF, return address] */
	btq $0, (%rsp)
	jc 1f
	movq 8(%rsp), %rsp
	popfq
	ret
1:	movq 8(%rsp), %rsp
	popfq
	sti
	ret
