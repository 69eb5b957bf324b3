/*
 * The boot path's CPU requirements, checked before the entry code relies on them: in
 * 32-bit protected mode with paging off, before any C. A CPU that lacks one (the amd64
 * build on a CPU without long mode, say) gets a "Bail out!" line that names it and
 * "EXIT: STATUS=1" on COM1, and an emulator is told to exit, as lib/platform.c does at
 * the end of a run -- instead of a triple fault and silence. The command line is not
 * read yet, so the message goes to COM1 whatever serial= says.
 */
#include "boot/requirements.h"

#define COM1            0x3f8
#define UART_DATA       0
#define UART_IER        1
#define UART_FCR        2
#define UART_LCR        3
#define UART_MCR        4
#define UART_LSR        5
#define LSR_THR_EMPTY   0x20
#define LSR_IDLE        0x40
#define UART_SPINS      1000000

#define EFLAGS_ID       (1 << 21)
#define CPUID_1_ECX_HYPERVISOR 31
#define QEMU_DEBUG_EXIT_PORT 0xf4
#define BOCHS_SHUTDOWN_PORT  0x8900
#define STATUS_FAIL     1

/* The ACPI RSDP: "RSD PTR " on a 16-byte boundary in the BIOS area, its OEM ID at 9. */
#define BIOS_AREA_START 0xe0000
#define BIOS_AREA_END   0x100000
#define RSDP_SIG_LOW    0x20445352  /* "RSD " */
#define RSDP_SIG_HIGH   0x20525450  /* "PTR " */
#define OEM_BOCH        0x48434f42  /* "BOCH" */

	.section .text.entry, "ax"
	.code32
	.global check_requirements

/*
 * %esi: a table of requirements (boot/requirements.h), ended by a zero leaf. Returns
 * when the CPU meets them all; otherwise prints the first unmet one's message and ends
 * the run. Needs a stack; clobbers eax, ebx, ecx, edx, esi, edi, ebp.
 */
check_requirements:
	/* CPUID exists when software can flip EFLAGS.ID (SDM Vol. 1, 19.1). */
	pushfl
	popl %eax
	movl %eax, %ecx
	xorl $EFLAGS_ID, %eax
	pushl %eax
	popfl
	pushfl
	popl %eax
	pushl %ecx
	popfl
	xorl %ecx, %eax
	testl $EFLAGS_ID, %eax
	jnz 1f
	movl $no_cpuid_message, %esi
	jmp early_bail_out
1:	movb $1, have_cpuid
next_requirement:
	movl (%esi), %edi
	testl %edi, %edi
	jz 3f
	/* A leaf above the highest one of its range (CPUID 0 or 0x80000000) is missing. */
	movl %edi, %eax
	andl $0x80000000, %eax
	xorl %ecx, %ecx
	cpuid
	cmpl %edi, %eax
	jb 2f
	movl %edi, %eax
	xorl %ecx, %ecx
	cpuid
	pushl %edx
	pushl %ecx
	pushl %ebx
	pushl %eax
	movl 4(%esi), %edi
	movl (%esp,%edi,4), %eax
	addl $16, %esp
	movl 8(%esi), %ecx
	btl %ecx, %eax
	jnc 2f
	addl $16, %esi
	jmp next_requirement
2:	movl 12(%esi), %esi
	jmp early_bail_out
3:	ret

/* %esi: the message. Prints "Bail out! <message>" and "EXIT: STATUS=1", then stops. */
early_bail_out:
	movl %esi, %ebp
	call uart_init
	movl $bail_out_prefix, %esi
	call uart_puts
	movl %ebp, %esi
	call uart_puts
	movl $exit_line, %esi
	call uart_puts
	call uart_drain
	call is_emulator
	jz 2f
	movb $STATUS_FAIL, %al
	outb %al, $QEMU_DEBUG_EXIT_PORT
	movl $bochs_shutdown, %esi
	movw $BOCHS_SHUTDOWN_PORT, %dx
1:	lodsb
	testb %al, %al
	jz 2f
	outb %al, %dx
	jmp 1b
2:	cli
	hlt
	jmp 2b

/* 115200 8N1, polled, as lib/console.c sets it up. */
uart_init:
	movw $(COM1 + UART_IER), %dx
	xorb %al, %al
	outb %al, %dx
	movw $(COM1 + UART_LCR), %dx
	movb $0x80, %al          /* DLAB */
	outb %al, %dx
	movw $(COM1 + UART_DATA), %dx
	movb $1, %al             /* divisor 1: 115200 */
	outb %al, %dx
	movw $(COM1 + UART_IER), %dx
	xorb %al, %al
	outb %al, %dx
	movw $(COM1 + UART_LCR), %dx
	movb $0x03, %al          /* 8N1 */
	outb %al, %dx
	movw $(COM1 + UART_FCR), %dx
	movb $0x07, %al          /* enable and clear the FIFOs */
	outb %al, %dx
	movw $(COM1 + UART_MCR), %dx
	movb $0x03, %al          /* DTR, RTS */
	outb %al, %dx
	ret

/* %al: the byte. The wait is bounded: a missing UART reads 0xff, a stuck one never drains. */
uart_putc:
	movb %al, %ah
	movl $UART_SPINS, %ecx
	movw $(COM1 + UART_LSR), %dx
1:	inb %dx, %al
	testb $LSR_THR_EMPTY, %al
	jnz 2f
	loop 1b
2:	movb %ah, %al
	movw $(COM1 + UART_DATA), %dx
	outb %al, %dx
	ret

/* %esi: a NUL-terminated string; "\n" goes out as "\r\n". */
uart_puts:
1:	lodsb
	testb %al, %al
	jz 3f
	cmpb $'\n', %al
	jne 2f
	movb $'\r', %al
	call uart_putc
	movb $'\n', %al
2:	call uart_putc
	jmp 1b
3:	ret

/* Until the last byte has left (so nothing is lost when the emulator exits). */
uart_drain:
	movl $UART_SPINS, %ecx
	movw $(COM1 + UART_LSR), %dx
1:	inb %dx, %al
	testb $LSR_IDLE, %al
	jnz 2f
	loop 1b
2:	ret

/*
 * Whether this is an emulator with exit ports, as lib/platform.c decides later: a
 * hypervisor (QEMU, KVM: the CPUID hypervisor bit) or Bochs-style ACPI tables (Bochs,
 * and QEMU's SeaBIOS), whose RSDP in the BIOS area has the OEM ID "BOCHS". Real
 * hardware never sees the writes. Returns with ZF clear when it is one.
 */
is_emulator:
	cmpb $0, have_cpuid
	je 1f
	movl $1, %eax
	xorl %ecx, %ecx
	cpuid
	btl $CPUID_1_ECX_HYPERVISOR, %ecx
	jc 3f
1:	movl $BIOS_AREA_START, %esi
2:	cmpl $RSDP_SIG_LOW, (%esi)
	jne 4f
	cmpl $RSDP_SIG_HIGH, 4(%esi)
	jne 4f
	cmpl $OEM_BOCH, 9(%esi)
	jne 4f
	cmpb $'S', 13(%esi)
	je 3f
4:	addl $16, %esi
	cmpl $BIOS_AREA_END, %esi
	jb 2b
	xorl %eax, %eax          /* ZF set: not an emulator */
	ret
3:	orl $1, %eax             /* ZF clear */
	ret

	.section .rodata
bail_out_prefix:   .asciz "Bail out! "
exit_line:         .asciz "\nEXIT: STATUS=1\n"
bochs_shutdown:    .asciz "Shutdown"
no_cpuid_message:  .asciz "this CPU has no CPUID instruction (EFLAGS.ID cannot be changed); nmi-lab needs at least an i686 (Pentium Pro)"

	.data
have_cpuid:        .byte 0
