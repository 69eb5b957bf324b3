/* Saving and restoring the general-purpose registers in struct gprs order (machine/arch.h),
 * shared by the interrupt stubs, the VM-exit entry and the VMRUN loop. Assembly only. */
.macro PUSH_GPRS
	pushq %r15
	pushq %r14
	pushq %r13
	pushq %r12
	pushq %r11
	pushq %r10
	pushq %r9
	pushq %r8
	pushq %rbp
	pushq %rdi
	pushq %rsi
	pushq %rdx
	pushq %rcx
	pushq %rbx
	pushq %rax
.endm

.macro POP_GPRS
	popq %rax
	popq %rbx
	popq %rcx
	popq %rdx
	popq %rsi
	popq %rdi
	popq %rbp
	popq %r8
	popq %r9
	popq %r10
	popq %r11
	popq %r12
	popq %r13
	popq %r14
	popq %r15
.endm

/* Every register of a struct gprs but the accumulator, from and to the frame at `frame`
 * (slot 0 is the accumulator: VMRUN takes the VMCB's address there and #VMEXIT gives it
 * back). The offsets follow PUSH_GPRS's order. */
.macro LOAD_GPRS_BUT_ACC frame
	movq 8(\frame), %rbx
	movq 16(\frame), %rcx
	movq 24(\frame), %rdx
	movq 32(\frame), %rsi
	movq 40(\frame), %rdi
	movq 48(\frame), %rbp
	movq 56(\frame), %r8
	movq 64(\frame), %r9
	movq 72(\frame), %r10
	movq 80(\frame), %r11
	movq 88(\frame), %r12
	movq 96(\frame), %r13
	movq 104(\frame), %r14
	movq 112(\frame), %r15
.endm

.macro SAVE_GPRS_BUT_ACC frame
	movq %rbx, 8(\frame)
	movq %rcx, 16(\frame)
	movq %rdx, 24(\frame)
	movq %rsi, 32(\frame)
	movq %rdi, 40(\frame)
	movq %rbp, 48(\frame)
	movq %r8, 56(\frame)
	movq %r9, 64(\frame)
	movq %r10, 72(\frame)
	movq %r11, 80(\frame)
	movq %r12, 88(\frame)
	movq %r13, 96(\frame)
	movq %r14, 104(\frame)
	movq %r15, 112(\frame)
.endm

#define GPRS_COUNT 15
