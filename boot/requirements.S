/*
 * The boot path's CPU requirements, checked before the entry code relies on them: in
 * 32-bit protected mode with paging off, before any C. A CPU that lacks one (the amd64
 * build on a CPU without long mode, say) gets a "Bail out!" line that names it and
 * "EXIT: STATUS=1" on COM1, and an emulator is told to exit, as lib/platform.c does at
 * the end of a run -- instead of a triple fault and silence. The command line is not
 * read yet, so the message goes to COM1 whatever serial= says.
 */
#include "boot/requirements.h"
#include "lib/ports.h"

#define UART_SPINS      1000000

#define EFLAGS_ID       (1 << 21)
#define CPUID_1_ECX_HYPERVISOR 31
#define STATUS_FAIL     1          /* lib/platform.h's, said in exit_line below */

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

/* 115200 8N1, polled, as lib/console.c sets it up: uart_setup's writes, in order.
 * Clobbers al, dx, esi. */
uart_init:
	movl $uart_setup, %esi
1:	movzbw (%esi), %dx
	addw $COM1_PORT, %dx
	movb 1(%esi), %al
	outb %al, %dx
	addl $2, %esi
	cmpl $uart_setup_end, %esi
	jb 1b
	ret

/* %bl: the LSR bit to wait for. The wait is bounded: a missing UART reads 0xff, a stuck
 * one never drains. Clobbers al, ecx, dx. */
uart_wait:
	movl $UART_SPINS, %ecx
	movw $(COM1_PORT + UART_LSR), %dx
1:	inb %dx, %al
	testb %bl, %al
	jnz 2f
	loop 1b
2:	ret

/* %al: the byte. */
uart_putc:
	movb %al, %ah
	movb $LSR_THR_EMPTY, %bl
	call uart_wait
	movb %ah, %al
	movw $(COM1_PORT + UART_DATA), %dx
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
	movb $LSR_TRANSMITTER_IDLE, %bl
	jmp uart_wait

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
/* (register, value) */
uart_setup:
	.byte UART_IER, 0                       /* polled: no UART interrupts */
	.byte UART_LCR, LCR_DLAB
	.byte UART_DATA, 1                      /* divisor 1: UART_CLOCK baud */
	.byte UART_IER, 0                       /* the divisor's high byte */
	.byte UART_LCR, LCR_8N1
	.byte UART_FCR, FCR_ENABLE_AND_CLEAR
	.byte UART_MCR, MCR_DTR_RTS
uart_setup_end:
bail_out_prefix:   .asciz "Bail out! "
exit_line:         .asciz "\nEXIT: STATUS=1\n"
bochs_shutdown:    .asciz "Shutdown"
no_cpuid_message:  .asciz "this CPU has no CPUID instruction (EFLAGS.ID cannot be changed); nmi-lab needs at least an i686 (Pentium Pro)"

	.data
have_cpuid:        .byte 0
