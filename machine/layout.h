/*
 * Constants shared by the assembly and C sides of the boot path.
 * Kept free of C so that .S files can include it.
 */
#ifndef MACHINE_LAYOUT_H
#define MACHINE_LAYOUT_H

#define KERNEL_LOAD_ADDR   0x200000

/* GDT selectors (machine/gdt.S holds the table; the entry code relies on these numbers). */
#define SEL_CODE32         0x08
#define SEL_DATA           0x10
#define SEL_CODE64         0x18
#define SEL_TSS_FIRST      0x20  /* one TSS descriptor pair (16 bytes) per TSS from here */

/*
 * Every CPU owns one naturally aligned area holding its state and all of its stacks, so
 * that this_cpu() is the stack pointer rounded down: it works in the host, in the guest
 * and in any handler, with no segment register or MSR involved.
 */
#define CPU_AREA_SHIFT     16
#define CPU_AREA_SIZE      (1 << CPU_AREA_SHIFT)
#define MAX_CPUS           2

#define MB2_BOOTLOADER_MAGIC 0x36d76289
#define MB1_BOOTLOADER_MAGIC 0x2badb002

/* Low-memory page the AP trampoline is copied to when the memory map allows it. */
#define TRAMPOLINE_DEFAULT 0x8000

/* Interrupt vectors (lib/apic.h explains each). */
#define VEC_NMI            2
#define VEC_DB             1
#define VEC_NP             11
#define VEC_GP             13
#define VEC_INJECTED       0x21  /* injected into the guest by VM entry, never by the APIC */
#define VEC_GENERATOR      0x22  /* the generator's fixed-vector IPI ("INTR") */
#define VEC_WAKE           0x30  /* experimenter -> generator: "look at the mailbox" */
#define VEC_TIMER          0x31  /* LAPIC timer: delays and bounded waits */
#define VEC_SPURIOUS       0xff

#define ISR_STUB_SIZE      16    /* each IDT stub is aligned to this; stub = base + 16 * vector */

#endif
