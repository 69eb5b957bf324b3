#include "lib/timer.h"

#include "lib/apic.h"
#include "lib/printf.h"
#include "machine/cpu.h"
#include "machine/layout.h"
#include "machine/x86.h"

#define PIT_HZ 1193182
#define PIT_CHANNEL2 0x42
#define PIT_COMMAND 0x43
#define PORT_B 0x61
#define PORT_B_GATE2 0x01
#define PORT_B_SPEAKER 0x02
#define PORT_B_OUT2 0x20
#define CALIBRATION_MS 10
#define PIT_TIMEOUT_TSC (1ull << 34)  /* far beyond 10 ms on anything that has a PIT */

static struct timer_calibration cal;
static volatile bool fired[MAX_CPUS];

const struct timer_calibration *timer_calibration(void) { return &cal; }

/* Mode 0 on channel 2 raises OUT2 when the count runs out; the gate is port B bit 0. */
static bool calibrate_with_pit(void)
{
	uint16_t count = (uint16_t)(PIT_HZ * CALIBRATION_MS / 1000);
	outb(PORT_B, (uint8_t)((inb(PORT_B) & ~PORT_B_SPEAKER) & ~PORT_B_GATE2));
	outb(PIT_COMMAND, 0xb0); /* channel 2, lobyte/hibyte, mode 0, binary */
	outb(PIT_CHANNEL2, count & 0xff);
	outb(PIT_CHANNEL2, count >> 8);
	apic_timer_arm(0x10000 | VEC_TIMER, 0xffffffff); /* masked: counts, never fires */
	uint64_t start = rdtsc();
	outb(PORT_B, (uint8_t)(inb(PORT_B) | PORT_B_GATE2));
	while (!(inb(PORT_B) & PORT_B_OUT2))
		if (rdtsc() - start > PIT_TIMEOUT_TSC)
			return false;
	uint64_t tsc = rdtsc() - start;
	uint32_t apic = 0xffffffff - apic_timer_current();
	apic_timer_stop();
	cal.tsc_khz = tsc / CALIBRATION_MS;
	cal.apic_khz = apic / CALIBRATION_MS;
	cal.reference = "PIT";
	return cal.tsc_khz > 0 && cal.apic_khz > 0;
}

/* Without a PIT: the TSC from CPUID, and the LAPIC timer measured against the TSC. */
static bool calibrate_with_cpuid(void)
{
	struct cpuid_regs r = cpuid(0, 0);
	if (r.eax >= 0x15) {
		struct cpuid_regs t = cpuid(0x15, 0);
		if (t.eax && t.ebx && t.ecx) {
			cal.tsc_khz = (uint64_t)t.ecx * t.ebx / t.eax / 1000;
			cal.reference = "CPUID 0x15";
		}
	}
	if (!cal.tsc_khz && r.eax >= 0x16) {
		cal.tsc_khz = (uint64_t)(cpuid(0x16, 0).eax & 0xffff) * 1000;
		cal.reference = "CPUID 0x16";
	}
	if (!cal.tsc_khz)
		return false;
	apic_timer_arm(0x10000 | VEC_TIMER, 0xffffffff);
	spin_us(CALIBRATION_MS * 1000);
	cal.apic_khz = (0xffffffff - apic_timer_current()) / CALIBRATION_MS;
	apic_timer_stop();
	return cal.apic_khz > 0;
}

bool timer_calibrate(void)
{
	if (calibrate_with_pit() || calibrate_with_cpuid())
		return true;
	printf("timer: no usable reference (no PIT, no CPUID 0x15/0x16 frequency)\n");
	return false;
}

uint64_t tsc_to_us(uint64_t tsc_delta)
{
	return cal.tsc_khz ? tsc_delta * 1000 / cal.tsc_khz : 0;
}

uint64_t us_to_tsc(uint64_t us)
{
	return us * cal.tsc_khz / 1000;
}

uint64_t time_us(void)
{
	return tsc_to_us(rdtsc());
}

void spin_us(uint64_t us)
{
	uint64_t end = rdtsc() + us_to_tsc(us);
	while (rdtsc() < end)
		pause();
}

uint32_t apic_ticks_for_us(uint64_t us)
{
	uint64_t ticks = us * cal.apic_khz / 1000;
	return ticks > 0xffffffff ? 0xffffffff : (ticks ? (uint32_t)ticks : 1);
}

bool timer_fired_here(void) { return fired[this_cpu()->index]; }
void timer_clear_fired_here(void) { fired[this_cpu()->index] = false; }

void timer_on_interrupt(void)
{
	fired[this_cpu()->index] = true;
}

void delay_us(uint64_t us)
{
	uintptr_t flags = read_flags();
	timer_clear_fired_here();
	apic_timer_arm(VEC_TIMER, apic_ticks_for_us(us));
	while (!timer_fired_here()) {
		cli();
		if (timer_fired_here())
			break;
		sti_hlt();
	}
	cli();
	if (flags & RFLAGS_IF)
		sti();
}

void timer_arm_us(uint64_t us)
{
	timer_clear_fired_here();
	apic_timer_arm(VEC_TIMER, apic_ticks_for_us(us));
}

void timer_disarm(void)
{
	apic_timer_stop();
}
