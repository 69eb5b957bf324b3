/*
 * AP start-up trampoline. boot/smp.c copies it to a free page below 1 MiB and sends
 * INIT-SIPI-SIPI with that page's number as the vector; the AP starts here in real mode
 * with CS = page >> 4 and IP = 0. It only switches to 32-bit protected mode and jumps
 * into the kernel proper (ap_entry32), which does the rest exactly as the BSP did.
 * The two data words at the end are patched by the BSP after copying.
 */
#include "machine/layout.h"

	.section .rodata
	.code16
	.global trampoline_start, trampoline_end
	.global trampoline_gdtr, trampoline_target
trampoline_start:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	lgdtl trampoline_gdtr - trampoline_start
	movl %cr0, %eax
	orl $1, %eax
	movl %eax, %cr0
	/* Far jump through memory: 32-bit offset then selector, both filled in by the BSP. */
	ljmpl *(trampoline_target - trampoline_start)

	.balign 8
trampoline_gdtr:
	.short 0
	.long 0
	.balign 8
trampoline_target:
	.long 0			/* offset: ap_entry32 */
	.short SEL_CODE32
trampoline_end:
	.code32
