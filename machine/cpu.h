/* Per-CPU state. Each CPU owns one CPU_AREA_SIZE-aligned area: struct cpu at its start,
 * the CPU's host stack filling the rest up to the end of the area. */
#ifndef MACHINE_CPU_H
#define MACHINE_CPU_H

#include <stdbool.h>
#include <stdint.h>

#include "machine/layout.h"
#include "machine/x86.h"

#define PAGE_SIZE 4096
#define TSS_SIZE 104
#define GUEST_STACK_SIZE 12288
#define EXIT_STACK_SIZE 12288
#define MIN_HOST_STACK_SIZE 12288

enum cpu_role { ROLE_GENERATOR, ROLE_EXPERIMENTER };

struct cpu {
	/* The hypervisor's pages first: they must be page-aligned and the area is. A CPU
	 * runs one backend: VMX's pages, or SVM's in the same places. */
	union {
		uint8_t vmxon_region[PAGE_SIZE];
		uint8_t svm_host_save[PAGE_SIZE];   /* VM_HSAVE_PA: where VMRUN saves the host */
	};
	union {
		uint8_t vmcs[PAGE_SIZE];
		uint8_t vmcb[PAGE_SIZE];
	};
	union {
		uint8_t msr_bitmap[PAGE_SIZE];
		uint8_t svm_host_vmload[PAGE_SIZE]; /* the host's VMSAVE / VMLOAD state */
	};

	unsigned index;
	uint32_t apic_id;
	enum cpu_role role;
	volatile bool online;

	uint8_t host_tss[TSS_SIZE] __attribute__((aligned(16)));
	uint8_t guest_tss[TSS_SIZE] __attribute__((aligned(16)));

	/* Stacks grow down; the host stack is the rest of the area (cpu_host_stack_top). */
	uint8_t guest_stack[GUEST_STACK_SIZE] __attribute__((aligned(16)));
	uint8_t exit_stack[EXIT_STACK_SIZE] __attribute__((aligned(16)));
};

union cpu_area {
	struct cpu cpu;
	uint8_t bytes[CPU_AREA_SIZE];
} __attribute__((aligned(CPU_AREA_SIZE)));

_Static_assert(CPU_AREA_SIZE - sizeof(struct cpu) >= MIN_HOST_STACK_SIZE,
	       "struct cpu leaves too little room for the host stack");

extern union cpu_area cpu_areas[MAX_CPUS];

static inline struct cpu *this_cpu(void)
{
	return (struct cpu *)(read_sp() & ~(uintptr_t)(CPU_AREA_SIZE - 1));
}

static inline uintptr_t cpu_host_stack_top(const struct cpu *c)
{
	return (uintptr_t)c + CPU_AREA_SIZE;
}

static inline uintptr_t cpu_guest_stack_top(struct cpu *c)
{
	return (uintptr_t)(c->guest_stack + GUEST_STACK_SIZE);
}

static inline uintptr_t cpu_exit_stack_top(struct cpu *c)
{
	return (uintptr_t)(c->exit_stack + EXIT_STACK_SIZE);
}

/* GDT selectors of a CPU's TSSes (machine/descriptors.c). */
static inline uint16_t cpu_host_tss_selector(const struct cpu *c) { return SEL_TSS_FIRST + 32 * c->index; }
static inline uint16_t cpu_guest_tss_selector(const struct cpu *c) { return SEL_TSS_FIRST + 32 * c->index + 16; }

#endif
