/*
 * The GDT shared by all CPUs. The code and data descriptors are static; the TSS
 * descriptors are filled in by machine/descriptors.c (each CPU has a host TSS and a guest TSS).
 * Accessed bits are preset because VM entry requires them in the guest segment
 * access rights that are copied from these descriptors (SDM 27.3.1.2).
 */
#include "machine/layout.h"

	.data
	.balign 16
	.global gdt, gdt_end, gdt_pointer
gdt:
	.quad 0
	.quad 0x00cf9b000000ffff	/* SEL_CODE32: 4 GiB, 32-bit, execute/read */
	.quad 0x00cf93000000ffff	/* SEL_DATA:   4 GiB, read/write */
	.quad 0x00af9b000000ffff	/* SEL_CODE64: long mode code */
	.fill MAX_CPUS * 2 * 2, 8, 0	/* host and guest TSS per CPU, 16 bytes each */
gdt_end:

	.balign 8
	.short 0
gdt_pointer:				/* 6-byte form, usable from 16-, 32- and 64-bit code */
	.short gdt_end - gdt - 1
	.long gdt
