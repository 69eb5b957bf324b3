/*
 * i386 entry: from multiboot's 32-bit protected mode (or the AP trampoline) to paging
 * with the whole 4 GiB identity-mapped by 4 MiB (PSE) pages, which covers the kernel,
 * the LAPIC, the IOAPIC and ACPI tables. VMX operation requires CR0.PG = 1 (SDM 23.8);
 * the guest shares these page tables (same CR3). A framebuffer above 4 GiB gets PSE-36
 * entries in a window of this directory later, from C (boot/paging.c): 32-bit paging
 * needs no further tables for that.
 */
#include "boot/requirements.h"
#include "machine/layout.h"

#define CR0_PE      (1 << 0)
#define CR0_PG      (1 << 31)
#define CR4_PSE     (1 << 4)
#define PDE_LARGE   0x83	/* present, writable, 4 MiB page */

	.section .text.entry, "ax"
	.code32
	.global _start, ap_entry32
_start:
	cli
	cld
	movl %eax, boot_magic
	movl %ebx, boot_info
	movl $(cpu_areas + CPU_AREA_SIZE), %esp
	movl $requirements, %esi
	call check_requirements
	call build_page_tables
	movl $bsp_entry, %edi
	jmp enable_paging

ap_entry32:
	movl $SEL_DATA, %eax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl ap_boot_stack, %esp
	movl $ap_entry, %edi
	jmp enable_paging

build_page_tables:
	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $22, %eax
	orl $PDE_LARGE, %eax
	movl %eax, page_dir(,%ecx,4)
	incl %ecx
	cmpl $1024, %ecx
	jne 1b
	ret

/* %edi: the C function to call with paging on (it does not return). */
enable_paging:
	lgdt gdt_pointer
	ljmp $SEL_CODE32, $1f
1:	movl $SEL_DATA, %eax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw %ax, %fs
	movw %ax, %gs
	movl %cr4, %eax
	orl $CR4_PSE, %eax
	movl %eax, %cr4
	movl $page_dir, %eax
	movl %eax, %cr3
	movl %cr0, %eax
	orl $(CR0_PG | CR0_PE), %eax
	movl %eax, %cr0
	andl $-16, %esp
	call *%edi
2:	cli
	hlt
	jmp 2b

/* What this file (4 MiB pages) and the C code built for i686 (CMOV, MSRs, the TSC) rely
 * on; the AP is the same CPU, so the BSP checks for both. */
	.section .rodata
	.balign 4
requirements:
	REQUIRE 1, REG_EDX, 3, "this CPU has no 4 MiB pages (PSE, CPUID.01H:EDX[3] = 0), which the i386 build's page tables need"
	REQUIRE 1, REG_EDX, 15, "this CPU has no CMOV (CPUID.01H:EDX[15] = 0): the i386 build needs an i686 (Pentium Pro or later)"
	REQUIRE 1, REG_EDX, 5, "this CPU has no RDMSR/WRMSR (CPUID.01H:EDX[5] = 0), which the APIC set-up needs"
	REQUIRE 1, REG_EDX, 4, "this CPU has no time-stamp counter (CPUID.01H:EDX[4] = 0), which every measurement needs"
	END_REQUIREMENTS

	.data
	.balign 4
	.global boot_magic, boot_info
boot_magic:	.long 0
boot_info:	.long 0

	.global spare_page_table_count, spare_page_tables
	.balign 4
spare_page_table_count:	.long 0
spare_page_tables:

	.bss
	.balign 4096
	.global page_table_root
page_table_root:
page_dir:	.skip 4096
