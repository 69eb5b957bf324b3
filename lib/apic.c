#include "lib/apic.h"

#include "machine/x86.h"

#define APIC_BASE_X2APIC_ENABLE (1u << 10)
#define APIC_BASE_ENABLE        (1u << 11)
#define APIC_BASE_ADDR_MASK     0xfffff000u

/* Register offsets in the xAPIC page; the x2APIC MSR is 0x800 + offset / 16. */
#define REG_ID        0x020
#define REG_EOI       0x0b0
#define REG_SVR       0x0f0
#define REG_ICR_LOW   0x300
#define REG_ICR_HIGH  0x310
#define REG_LVT_TIMER 0x320
#define REG_LVT_LINT0 0x350
#define REG_TIMER_INITIAL 0x380
#define REG_TIMER_CURRENT 0x390
#define REG_TIMER_DIVIDE  0x3e0

#define SVR_ENABLE        (1u << 8)
#define LVT_MASKED        (1u << 16)
#define ICR_BUSY          (1u << 12)
#define ICR_LEVEL_ASSERT  (1u << 14)
#define TIMER_DIVIDE_BY_1 0xb
#define VEC_SPURIOUS_APIC 0xff

static enum apic_mode mode;
static volatile uint32_t *mmio;

#define CPUID_1_ECX_X2APIC (1u << 21)

static bool x2apic_supported(void)
{
	return (cpuid(1, 0).ecx & CPUID_1_ECX_X2APIC) != 0;
}

void apic_detect(bool want_x2apic)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);
	if (!(base & APIC_BASE_ENABLE))
		wrmsr(MSR_IA32_APIC_BASE, base |= APIC_BASE_ENABLE);
	/* SDM Vol. 3A 11.12.5: xAPIC to x2APIC is one write with both enable bits set. */
	if (want_x2apic && !(base & APIC_BASE_X2APIC_ENABLE) && x2apic_supported())
		wrmsr(MSR_IA32_APIC_BASE, base |= APIC_BASE_X2APIC_ENABLE);
	mode = (base & APIC_BASE_X2APIC_ENABLE) ? APIC_X2APIC : APIC_XAPIC;
	mmio = (volatile uint32_t *)(uintptr_t)(base & APIC_BASE_ADDR_MASK);
}

enum apic_mode apic_mode(void) { return mode; }

const char *apic_mode_name(void) { return mode == APIC_X2APIC ? "x2APIC" : "xAPIC"; }

static uint32_t apic_read(uint32_t reg)
{
	if (mode == APIC_X2APIC)
		return (uint32_t)rdmsr(0x800 + reg / 16);
	return mmio[reg / 4];
}

static void apic_write(uint32_t reg, uint32_t v)
{
	if (mode == APIC_X2APIC)
		wrmsr(0x800 + reg / 16, v);
	else
		mmio[reg / 4] = v;
}

/*
 * Every CPU takes the BSP's mode. An INIT keeps an APIC in the mode it was in (SDM Vol.
 * 3A 11.12.5.1: "An INIT in this state keeps the x2APIC in the x2APIC mode"), so an AP
 * the firmware left in x2APIC mode is still in it after INIT-SIPI-SIPI; it is in xAPIC
 * mode only if the firmware left it there. x2APIC to xAPIC is not a legal transition
 * (#GP): it goes through "disabled" (EN = 0, EXTD = 0).
 */
void apic_init_cpu(void)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);
	if ((base & APIC_BASE_X2APIC_ENABLE) && mode == APIC_XAPIC)
		wrmsr(MSR_IA32_APIC_BASE, base &= ~(uint64_t)(APIC_BASE_X2APIC_ENABLE | APIC_BASE_ENABLE));
	base |= APIC_BASE_ENABLE;
	if (mode == APIC_X2APIC)
		base |= APIC_BASE_X2APIC_ENABLE;
	wrmsr(MSR_IA32_APIC_BASE, base);
	apic_write(REG_SVR, SVR_ENABLE | VEC_SPURIOUS_APIC);
	/* The legacy PIC is masked, and nothing we test arrives through LINT0. */
	apic_write(REG_LVT_LINT0, LVT_MASKED);
	apic_write(REG_LVT_TIMER, LVT_MASKED);
}

uint32_t apic_id(void)
{
	if (mode == APIC_X2APIC)
		return (uint32_t)rdmsr(0x802);
	return apic_read(REG_ID) >> 24;
}

void apic_eoi(void)
{
	apic_write(REG_EOI, 0);
}

static bool xapic_wait_idle(void)
{
	for (unsigned spins = 0; spins < 1000000; spins++) {
		if (!(apic_read(REG_ICR_LOW) & ICR_BUSY))
			return true;
		pause();
	}
	return false;
}

/* Returns false if an xAPIC ICR stayed busy (the IPI was not accepted). */
static bool send_ipi_checked(uint32_t dest, uint32_t mode_and_vector)
{
	uint32_t low = mode_and_vector | ICR_LEVEL_ASSERT;
	if (mode == APIC_X2APIC) {
		/*
		 * x2APIC has no delivery-status bit: the write is the send. And it is not
		 * serializing (SDM Vol. 3A 11.12.3): it "may complete before all preceding
		 * stores are globally visible", so the IPI could reach the target before the
		 * mailbox store it announces. MFENCE orders the stores; LFENCE keeps the WRMSR
		 * from starting before the MFENCE is done (Linux's weak_wrmsr_fence).
		 */
		__asm__ volatile("mfence; lfence" ::: "memory");
		wrmsr(0x830, ((uint64_t)dest << 32) | low);
		return true;
	}
	if (!xapic_wait_idle())
		return false;
	apic_write(REG_ICR_HIGH, dest << 24);
	apic_write(REG_ICR_LOW, low);
	return xapic_wait_idle();
}

void apic_send_ipi(uint32_t dest, uint32_t mode_and_vector)
{
	(void)send_ipi_checked(dest, mode_and_vector);
}

void apic_timer_arm(uint32_t vector, uint32_t count)
{
	apic_write(REG_TIMER_DIVIDE, TIMER_DIVIDE_BY_1);
	apic_write(REG_LVT_TIMER, vector);
	apic_write(REG_TIMER_INITIAL, count ? count : 1);
}

void apic_timer_stop(void)
{
	apic_write(REG_LVT_TIMER, LVT_MASKED);
	apic_write(REG_TIMER_INITIAL, 0);
}

uint32_t apic_timer_current(void)
{
	return apic_read(REG_TIMER_CURRENT);
}
