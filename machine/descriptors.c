/* IDTs (one for the host, one for the guest) and the per-CPU TSS descriptors. */
#include "machine/descriptors.h"

#include "machine/arch.h"
#include "machine/cpu.h"

#define GATE_INTERRUPT_PRESENT 0x8e   /* P=1, DPL=0, 32/64-bit interrupt gate */
#define TSS_AVAILABLE_PRESENT  0x89   /* P=1, DPL=0, available 32/64-bit TSS */
#define TSS_IOMAP_BASE_OFFSET  102

extern uint64_t gdt[];
extern const uint8_t host_isr_stubs[], guest_isr_stubs[];

/* Wide enough for 256 16-byte (amd64) or 8-byte (i386) gates. */
static uint64_t host_idt[512] __attribute__((aligned(16)));
static uint64_t guest_idt[512] __attribute__((aligned(16)));
/* The same with gate 2 not present, so that delivering an NMI through it raises #NP
 * before anything is pushed (SDM Vol. 3A 6.12.1.1). */
static uint64_t guest_idt_without_nmi[512] __attribute__((aligned(16)));

uintptr_t host_handler_address(unsigned vector)
{
	return (uintptr_t)host_isr_stubs + vector * ISR_STUB_SIZE;
}

uintptr_t guest_handler_address(unsigned vector)
{
	return (uintptr_t)guest_isr_stubs + vector * ISR_STUB_SIZE;
}

/* Low 8 bytes of a gate or system descriptor; amd64 adds base/offset bits 63:32 in the
 * next 8 bytes. */
static uint64_t gate_low(uintptr_t handler)
{
	uint64_t h = handler;
	return (h & 0xffff) | ((uint64_t)SEL_KERNEL_CODE << 16) |
	       ((uint64_t)GATE_INTERRUPT_PRESENT << 40) | (((h >> 16) & 0xffff) << 48);
}

static void fill_idt(uint64_t *idt, uintptr_t (*handler)(unsigned))
{
	for (unsigned v = 0; v < 256; v++) {
		uint64_t h = handler(v);
		if (ARCH_IS_64BIT) {
			idt[2 * v] = gate_low(h);
			idt[2 * v + 1] = h >> 32;
		} else {
			idt[v] = gate_low(h);
		}
	}
}

static struct descriptor_pointer idt_pointer(uint64_t *idt)
{
	struct descriptor_pointer p = {
		.limit = (uint16_t)(256 * (ARCH_IS_64BIT ? 16 : 8) - 1),
		.base = (uintptr_t)idt,
	};
	return p;
}

uint64_t gdt_descriptor(uint16_t selector)
{
	const uint64_t *table = (const uint64_t *)sgdt().base;
	return table[selector / 8];
}

static struct descriptor_pointer host_idt_pointer(void) { return idt_pointer(host_idt); }
struct descriptor_pointer guest_idt_pointer(void) { return idt_pointer(guest_idt); }
struct descriptor_pointer guest_idt_without_nmi_pointer(void) { return idt_pointer(guest_idt_without_nmi); }

static void set_tss_descriptor(uint16_t selector, const uint8_t *tss)
{
	uint64_t base = (uintptr_t)tss;
	uint64_t limit = TSS_SIZE - 1;
	uint64_t *d = &gdt[selector / 8];
	d[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
	       ((uint64_t)TSS_AVAILABLE_PRESENT << 40) | (((base >> 24) & 0xff) << 56);
	d[1] = base >> 32; /* amd64's upper half; an unused slot on i386 */
}

static void init_tss(uint8_t *tss)
{
	for (unsigned i = 0; i < TSS_SIZE; i++) /* this layer uses no library */
		tss[i] = 0;
	/* No I/O permission bitmap: its offset points past the limit. */
	tss[TSS_IOMAP_BASE_OFFSET] = TSS_SIZE;
}

void descriptors_init_global(void)
{
	fill_idt(host_idt, host_handler_address);
	fill_idt(guest_idt, guest_handler_address);
	fill_idt(guest_idt_without_nmi, guest_handler_address);
	/* The P bit (47) of gate 2: its low 8 bytes on either build. */
	guest_idt_without_nmi[ARCH_IS_64BIT ? 2 * VEC_NMI : VEC_NMI] &= ~(1ull << 47);
}

void descriptors_init_cpu(struct cpu *c)
{
	init_tss(c->host_tss);
	init_tss(c->guest_tss);
	set_tss_descriptor(cpu_host_tss_selector(c), c->host_tss);
	set_tss_descriptor(cpu_guest_tss_selector(c), c->guest_tss);
	struct descriptor_pointer idt = host_idt_pointer();
	lidt(&idt);
	ltr(cpu_host_tss_selector(c));
}
