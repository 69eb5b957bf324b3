/* Thin wrappers around the x86 instructions the C code needs. Same source for both builds:
 * natural-width values are uintptr_t. */
#ifndef MACHINE_X86_H
#define MACHINE_X86_H

#include <stdbool.h>
#include <stdint.h>

#define RFLAGS_CF (1u << 0)
#define RFLAGS_ZF (1u << 6)
#define RFLAGS_IF (1u << 9)

#define CR0_PE (1u << 0)
#define CR0_NE (1u << 5)
#define CR0_PG (1u << 31)
#define CR4_PSE (1u << 4)
#define CR4_PAE (1u << 5)
#define CR4_VMXE (1u << 13)

#define MSR_IA32_APIC_BASE 0x1b
#define MSR_IA32_FEATURE_CONTROL 0x3a
#define MSR_IA32_SYSENTER_CS 0x174
#define MSR_IA32_SYSENTER_ESP 0x175
#define MSR_IA32_SYSENTER_EIP 0x176
#define MSR_EFER 0xc0000080

struct cpuid_regs { uint32_t eax, ebx, ecx, edx; };

static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs r;
	__asm__ volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			 : "a"(leaf), "c"(subleaf));
	return r;
}

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" :: "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

#define DEFINE_CR_ACCESSORS(n) \
	static inline uintptr_t read_cr##n(void) { uintptr_t v; __asm__ volatile("mov %%cr" #n ", %0" : "=r"(v)); return v; } \
	static inline void write_cr##n(uintptr_t v) { __asm__ volatile("mov %0, %%cr" #n :: "r"(v) : "memory"); }
DEFINE_CR_ACCESSORS(0)
DEFINE_CR_ACCESSORS(2)
DEFINE_CR_ACCESSORS(3)
DEFINE_CR_ACCESSORS(4)
#undef DEFINE_CR_ACCESSORS

static inline uintptr_t read_flags(void)
{
	uintptr_t f;
	__asm__ volatile("pushf; pop %0" : "=r"(f));
	return f;
}

/* The stack pointer, read through a local's address so it needs no per-arch register name. */
static inline uintptr_t read_sp(void)
{
	volatile char here;
	return (uintptr_t)&here;
}

/* A pointer to a fixed low physical address (identity-mapped), laundered so that the
 * compiler does not treat it as a null-pointer offset. */
static inline const volatile void *low_memory(uintptr_t address)
{
	__asm__("" : "+r"(address));
	return (const volatile void *)address;
}

static inline void cli(void) { __asm__ volatile("cli" ::: "memory"); }
static inline void sti(void) { __asm__ volatile("sti" ::: "memory"); }
static inline void pause(void) { __asm__ volatile("pause" ::: "memory"); }

/* Enable interrupts and halt in one go: STI's shadow guarantees that an interrupt that
 * became pending before the HLT still wakes it. */
static inline void sti_hlt(void) { __asm__ volatile("sti; hlt" ::: "memory"); }

static inline __attribute__((noreturn)) void halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

struct descriptor_pointer {
	uint16_t limit;
	uintptr_t base;
} __attribute__((packed));

static inline struct descriptor_pointer sgdt(void)
{
	struct descriptor_pointer p;
	__asm__ volatile("sgdt %0" : "=m"(p));
	return p;
}

static inline struct descriptor_pointer sidt(void)
{
	struct descriptor_pointer p;
	__asm__ volatile("sidt %0" : "=m"(p));
	return p;
}

static inline void lidt(const struct descriptor_pointer *p) { __asm__ volatile("lidt %0" :: "m"(*p)); }
static inline void ltr(uint16_t sel) { __asm__ volatile("ltr %0" :: "r"(sel)); }

static inline uint16_t read_cs(void) { uint16_t s; __asm__ volatile("mov %%cs, %0" : "=r"(s)); return s; }
static inline uint16_t read_ss(void) { uint16_t s; __asm__ volatile("mov %%ss, %0" : "=r"(s)); return s; }
static inline uint16_t read_ds(void) { uint16_t s; __asm__ volatile("mov %%ds, %0" : "=r"(s)); return s; }
static inline uint16_t read_es(void) { uint16_t s; __asm__ volatile("mov %%es, %0" : "=r"(s)); return s; }
static inline uint16_t read_fs(void) { uint16_t s; __asm__ volatile("mov %%fs, %0" : "=r"(s)); return s; }
static inline uint16_t read_gs(void) { uint16_t s; __asm__ volatile("mov %%gs, %0" : "=r"(s)); return s; }
static inline uint16_t read_tr(void) { uint16_t s; __asm__ volatile("str %0" : "=r"(s)); return s; }

#endif
