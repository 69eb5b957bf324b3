#ifndef MACHINE_DESCRIPTORS_H
#define MACHINE_DESCRIPTORS_H

#include "machine/cpu.h"
#include "machine/x86.h"

void descriptors_init_global(void);
/* Installs the CPU's TSS descriptors, loads the host IDT and the host TR. */
void descriptors_init_cpu(struct cpu *c);
/* The GDT's descriptor for a selector (its low 8 bytes): where a guest's segment state
 * (the VMCS's access rights, the VMCB's attributes) comes from. */
uint64_t gdt_descriptor(uint16_t selector);
struct descriptor_pointer guest_idt_pointer(void);
struct descriptor_pointer guest_idt_without_nmi_pointer(void);

#endif
