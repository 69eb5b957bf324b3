/*
 * amd64 entry: from multiboot's 32-bit protected mode (or the AP trampoline) into long
 * mode with the low 4 GiB identity-mapped by 2 MiB pages, which covers the kernel, the
 * LAPIC, the IOAPIC and ACPI tables. A framebuffer above 4 GiB is added later from C
 * (boot/paging.c), with tables from spare_page_tables. The guest shares these page
 * tables (same CR3).
 */
#include "boot/requirements.h"
#include "machine/layout.h"

#define CR0_PE      (1 << 0)
#define CR0_PG      (1 << 31)
#define CR4_PAE     (1 << 5)
#define MSR_EFER    0xc0000080
#define EFER_LME    (1 << 8)
#define PTE_PRESENT_RW  0x3
#define PDE_LARGE       0x83	/* present, writable, 2 MiB page */

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
	jmp enter_long_mode

/* From boot/trampoline.S: protected mode, paging off, stack from ap_boot_stack. */
ap_entry32:
	movl $SEL_DATA, %eax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl ap_boot_stack, %esp
	movl $ap_entry, %edi
	jmp enter_long_mode

build_page_tables:
	movl $pdpt, %eax
	orl $PTE_PRESENT_RW, %eax
	movl %eax, pml4
	/* PDPT[0..3] -> four page directories, one per GiB. */
	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $12, %eax
	addl $(page_dirs + PTE_PRESENT_RW), %eax
	movl %eax, pdpt(,%ecx,8)
	incl %ecx
	cmpl $4, %ecx
	jne 1b
	/* 2048 large pages: entry i maps physical i * 2 MiB. */
	xorl %ecx, %ecx
2:	movl %ecx, %eax
	shll $21, %eax
	orl $PDE_LARGE, %eax
	movl %eax, page_dirs(,%ecx,8)
	incl %ecx
	cmpl $2048, %ecx
	jne 2b
	ret

/* %edi: the 64-bit C function to call once in long mode (it does not return). */
enter_long_mode:
	lgdt gdt_pointer
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $pml4, %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr
	movl %cr0, %eax
	orl $(CR0_PG | CR0_PE), %eax
	movl %eax, %cr0
	ljmp $SEL_CODE64, $1f

	.code64
1:	movl $SEL_DATA, %eax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw %ax, %fs
	movw %ax, %gs
	movl %edi, %edi
	andq $-16, %rsp
	call *%rdi
2:	cli
	hlt
	jmp 2b

/* What this file relies on; the AP is the same CPU, so the BSP checks for both. Long mode
 * first: without it the others do not matter, and the i386 build is the way out. */
	.section .rodata
	.balign 4
requirements:
	REQUIRE 0x80000001, REG_EDX, 29, "this CPU has no long mode (CPUID.80000001H:EDX[29] = 0): the amd64 build cannot run on it; boot the i386 build (GRUB menu entry id 'i386', 'NMI experiments - i386 (full suite)')"
	REQUIRE 1, REG_EDX, 6, "this CPU has no PAE (CPUID.01H:EDX[6] = 0), which the amd64 build's page tables need"
	REQUIRE 1, REG_EDX, 5, "this CPU has no RDMSR/WRMSR (CPUID.01H:EDX[5] = 0), which the switch to long mode needs"
	REQUIRE 1, REG_EDX, 4, "this CPU has no time-stamp counter (CPUID.01H:EDX[4] = 0), which every measurement needs"
	END_REQUIREMENTS

	.data
	.balign 4
	.global boot_magic, boot_info
boot_magic:	.long 0
boot_info:	.long 0

/* boot/framebuffer.c: a framebuffer of up to 1 GiB needs at most two page directories,
 * and two page-directory-pointer tables when it straddles a 512 GiB line. */
	.global spare_page_table_count
	.balign 4
spare_page_table_count:	.long 4

	.bss
	.balign 4096
	.global pml4, page_table_root, spare_page_tables
page_table_root:
pml4:		.skip 4096
pdpt:		.skip 4096
page_dirs:	.skip 4 * 4096
spare_page_tables:	.skip 4 * 4096
