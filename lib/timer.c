#include "lib/timer.h"

#include "lib/apic.h"
#include "lib/platform.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "machine/cpu.h"
#include "machine/layout.h"
#include "machine/msr.h"
#include "machine/x86.h"

#define PIT_HZ 1193182
#define PIT_CHANNEL2 0x42
#define PIT_COMMAND 0x43
#define PIT_MODE0_CHANNEL2 0xb0   /* channel 2, lobyte/hibyte, mode 0, binary */
#define PIT_LATCH_CHANNEL2 0x80
#define PORT_B 0x61
#define PORT_B_GATE2 0x01
#define PORT_B_SPEAKER 0x02
#define PORT_B_OUT2 0x20
#define PM_TIMER_HZ 3579545
#define CALIBRATION_MS 10
#define SAMPLES 3        /* good samples wanted */
#define ATTEMPTS 12      /* at most this many tries for them */
#define MAX_POLLS 20000000u          /* ~20 s of port reads on silicon: the clock is dead */
#define MAX_UNCERTAINTY_DIVISOR 200  /* a sample whose edges are blurred by > 0.5 % is disturbed */
#define MAX_SPREAD_PERCENT 1         /* good samples agree within this */
#define CPUID_HYPERVISOR_BIT (1u << 31)

static struct timer_calibration cal;
static volatile bool fired[MAX_CPUS];

const struct timer_calibration *timer_calibration(void) { return &cal; }

/* One timing of a reference interval: TSC ticks, and how blurred its two edges were. */
struct sample {
	uint64_t tsc, uncertainty;
};

static uint64_t midpoint(uint64_t a, uint64_t b) { return a + (b - a) / 2; }

static uint16_t pit_read_count(void)
{
	outb(PIT_COMMAND, PIT_LATCH_CHANNEL2);
	uint8_t lo = inb(PIT_CHANNEL2);
	return (uint16_t)(lo | inb(PIT_CHANNEL2) << 8);
}

/* Mode 0 on channel 2, gate (port B bit 0) low: OUT2 low until the count runs out. */
static void pit_arm(uint16_t count)
{
	outb(PORT_B, (uint8_t)((inb(PORT_B) & ~PORT_B_SPEAKER) & ~PORT_B_GATE2));
	outb(PIT_COMMAND, PIT_MODE0_CHANNEL2);
	outb(PIT_CHANNEL2, count & 0xff);
	outb(PIT_CHANNEL2, count >> 8);
}

/*
 * Whether channel 2 really counts: right after arming, OUT2 must be low (mode 0 drives
 * it low when the mode is written), and with the gate open the latched count must fall.
 * Without a PIT (QEMU -M q35,pit=off) port 0x61 and the counter read 0xff.
 */
static bool pit_counts(const char **why)
{
	pit_arm(0xffff);
	uint8_t b = inb(PORT_B);
	if (b & PORT_B_OUT2) {
		*why = b == 0xff ? "unusable: port 0x61 reads 0xff (no PIT?)" : "unusable: OUT2 high right after arming";
		return false;
	}
	outb(PORT_B, (uint8_t)(inb(PORT_B) | PORT_B_GATE2));
	uint16_t first = pit_read_count(), later = first;
	for (unsigned i = 0; i < 1000 && later == first; i++)
		later = pit_read_count();
	if (later >= first) {
		*why = "unusable: channel 2's count does not fall";
		return false;
	}
	return true;
}

static bool pit_sample(struct sample *s)
{
	pit_arm((uint16_t)(PIT_HZ * CALIBRATION_MS / 1000));
	if (inb(PORT_B) & PORT_B_OUT2)
		return false;
	uint64_t t0 = rdtsc();
	outb(PORT_B, (uint8_t)(inb(PORT_B) | PORT_B_GATE2));
	uint64_t t1 = rdtsc(), low = t1, now;
	for (unsigned polls = 0;; polls++) {
		uint64_t before = rdtsc();
		if (inb(PORT_B) & PORT_B_OUT2) {
			now = rdtsc();
			break;
		}
		low = before;
		if (polls == MAX_POLLS)
			return false;
	}
	/* OUT2 rose between the start of the last low read and the end of the high one. */
	s->tsc = midpoint(low, now) - midpoint(t0, t1);
	s->uncertainty = (now - low) + (t1 - t0);
	return true;
}

static uint32_t pm_timer_mask(bool is_32bit) { return is_32bit ? 0xffffffffu : 0xffffffu; }

static bool pm_timer_counts(uint16_t port, const char **why)
{
	uint32_t first = inl(port), later = first;
	if (first == 0xffffffffu) {
		*why = "unusable: its port reads all ones";
		return false;
	}
	for (unsigned i = 0; i < 100000 && later == first; i++)
		later = inl(port);
	if (later == first) {
		*why = "unusable: it does not count";
		return false;
	}
	return true;
}

/* TSC ticks per PM-timer interval of CALIBRATION_MS; each edge bracketed by two TSC reads. */
static bool pm_timer_sample(uint16_t port, uint32_t mask, struct sample *s, uint64_t *pm_ticks)
{
	const uint32_t wanted = (uint32_t)((uint64_t)PM_TIMER_HZ * CALIBRATION_MS / 1000);
	uint64_t t0 = rdtsc();
	uint32_t start = inl(port) & mask;
	uint64_t t1 = rdtsc(), before = t1, after = t1;
	uint32_t elapsed = 0;
	for (unsigned polls = 0; elapsed < wanted; polls++) {
		if (polls == MAX_POLLS)
			return false;
		before = rdtsc();
		elapsed = ((inl(port) & mask) - start) & mask;
		after = rdtsc();
	}
	s->tsc = midpoint(before, after) - midpoint(t0, t1);
	s->uncertainty = (after - before) + (t1 - t0);
	*pm_ticks = elapsed;
	return true;
}

/*
 * The best of up to SAMPLES good samples: an SMI or a descheduled virtual CPU blurs a
 * sample's edges, so samples with blurred edges are dropped (and retried, up to
 * ATTEMPTS), the sharpest one is used, and the rest must agree with it.
 */
static uint64_t best_khz(const uint64_t *khz, const uint64_t *blur, unsigned n, const char **why)
{
	int best = -1;
	for (unsigned i = 0; i < n; i++)
		if (best < 0 || blur[i] < blur[best])
			best = (int)i;
	if (best < 0) {
		*why = "unusable: every sample was disturbed (SMIs? a busy host?)";
		return 0;
	}
	for (unsigned i = 0; i < n; i++) {
		uint64_t diff = khz[i] > khz[best] ? khz[i] - khz[best] : khz[best] - khz[i];
		if (diff * 100 > khz[best] * MAX_SPREAD_PERCENT) {
			*why = "unusable: its samples disagree by more than " VALUE_TEXT(MAX_SPREAD_PERCENT) " %";
			return 0;
		}
	}
	return khz[best];
}

static void measure_with_pit(struct tsc_source *src)
{
	*src = (struct tsc_source){ .name = "PIT", .kind = TSC_MEASURED };
	if (!pit_counts(&src->unavailable))
		return;
	uint64_t khz[SAMPLES] = { 0 }, blur[SAMPLES] = { 0 };
	unsigned good = 0;
	for (unsigned i = 0; i < ATTEMPTS && good < SAMPLES; i++) {
		struct sample s = { 0, 0 };
		if (pit_sample(&s) && s.uncertainty * MAX_UNCERTAINTY_DIVISOR < s.tsc) {
			khz[good] = s.tsc / CALIBRATION_MS;
			blur[good++] = s.uncertainty;
		}
	}
	src->khz = best_khz(khz, blur, good, &src->unavailable);
}

static void measure_with_pm_timer(struct tsc_source *src, uint16_t port, bool is_32bit)
{
	*src = (struct tsc_source){ .name = "ACPI PM timer", .kind = TSC_MEASURED };
	if (!port) {
		src->unavailable = "none (the FADT names no PM timer port)";
		return;
	}
	if (!pm_timer_counts(port, &src->unavailable))
		return;
	uint64_t khz[SAMPLES] = { 0 }, blur[SAMPLES] = { 0 };
	unsigned good = 0;
	for (unsigned i = 0; i < ATTEMPTS && good < SAMPLES; i++) {
		struct sample s = { 0, 0 };
		uint64_t ticks = 0;
		if (pm_timer_sample(port, pm_timer_mask(is_32bit), &s, &ticks) &&
		    s.uncertainty * MAX_UNCERTAINTY_DIVISOR < s.tsc) {
			khz[good] = s.tsc * PM_TIMER_HZ / ticks / 1000;
			blur[good++] = s.uncertainty;
		}
	}
	src->khz = best_khz(khz, blur, good, &src->unavailable);
}

/* CPUID 0x15 states the TSC rate exactly, but only when it also gives the crystal. */
static void read_cpuid_15(struct tsc_source *src, uint32_t max_leaf)
{
	*src = (struct tsc_source){ .name = "CPUID 0x15", .kind = TSC_EXACT, .unavailable = "not offered" };
	if (max_leaf < 0x15)
		return;
	struct cpuid_regs t = cpuid(0x15, 0);
	if (!t.eax || !t.ebx)
		return;
	if (!t.ecx) {
		src->unavailable = "no crystal frequency (ECX = 0)";
		return;
	}
	src->khz = (uint64_t)t.ecx * t.ebx / t.eax / 1000;
}

static void read_cpuid_16(struct tsc_source *src, uint32_t max_leaf)
{
	*src = (struct tsc_source){ .name = "CPUID 0x16", .kind = TSC_NOMINAL, .unavailable = "not offered" };
	if (max_leaf >= 0x16)
		src->khz = (uint64_t)(cpuid(0x16, 0).eax & 0xffff) * 1000;
}

/* Nehalem and Westmere run their bus at 133.33 MHz, later Core CPUs at 100 MHz; Atoms
 * have other clocks, and CPUs before Nehalem have no MSR_PLATFORM_INFO. */
static uint64_t intel_bus_khz(unsigned family, unsigned model)
{
	static const uint8_t bus_133[] = { 0x1a, 0x1e, 0x1f, 0x2e, 0x25, 0x2c, 0x2f };
	static const uint8_t atoms[] = { 0x1c, 0x26, 0x27, 0x35, 0x36, 0x37, 0x4a, 0x4c, 0x4d,
					 0x5a, 0x5c, 0x5d, 0x5f, 0x7a, 0x86, 0x96, 0x9c };
	if (family != 6 || model < 0x1a)
		return 0;
	for (unsigned i = 0; i < sizeof(atoms); i++)
		if (model == atoms[i])
			return 0;
	for (unsigned i = 0; i < sizeof(bus_133); i++)
		if (model == bus_133[i])
			return 133333;
	return 100000;
}

static void read_platform_info(struct tsc_source *src)
{
	const struct platform_info *p = platform();
	*src = (struct tsc_source){ .name = "MSR_PLATFORM_INFO", .kind = TSC_NOMINAL,
				    .unavailable = "not read (not an Intel Core CPU)" };
	uint64_t bus = strcmp(p->vendor, "GenuineIntel") ? 0 : intel_bus_khz(p->family, p->model);
	uint64_t v;
	if (!bus)
		return;
	if (!rdmsr_safe(MSR_PLATFORM_INFO, &v)) {
		src->unavailable = "#GP on RDMSR 0xce";
		return;
	}
	src->khz = ((v >> 8) & 0xff) * bus;
	if (!src->khz)
		src->unavailable = "gives ratio 0 (no figure)";
}

/* VMware's leaf, which KVM and others offer too: EAX = the TSC's kHz. */
static void read_hypervisor_leaf(struct tsc_source *src)
{
	*src = (struct tsc_source){ .name = "CPUID 0x40000010", .kind = TSC_EXACT, .unavailable = "not offered" };
	if ((cpuid(1, 0).ecx & CPUID_HYPERVISOR_BIT) && cpuid(0x40000000, 0).eax >= 0x40000010)
		src->khz = cpuid(0x40000010, 0).eax;
}

/* The LAPIC timer (divide by 1, masked: it counts but never fires) against the TSC. */
static uint64_t measure_apic_khz(uint64_t tsc_khz)
{
	uint64_t khz[3];
	for (unsigned i = 0; i < 3; i++) {
		apic_timer_arm(0x10000 | VEC_TIMER, 0xffffffff);
		uint64_t t0 = rdtsc();
		uint32_t c0 = apic_timer_current();
		uint64_t end = t0 + tsc_khz * CALIBRATION_MS, t1;
		while ((t1 = rdtsc()) < end)
			pause();
		uint32_t c1 = apic_timer_current();
		khz[i] = t1 > t0 ? (uint64_t)(c0 - c1) * tsc_khz / (t1 - t0) : 0;
	}
	apic_timer_stop();
	/* The median of three. */
	uint64_t a = khz[0], b = khz[1], c = khz[2];
	return a > b ? (b > c ? b : a > c ? c : a) : (a > c ? a : b > c ? c : b);
}

bool timer_calibrate(uint16_t pm_timer_port, bool pm_timer_32bit)
{
	uint32_t max_leaf = cpuid(0, 0).eax;
	cal.pm_timer_port = pm_timer_port;
	measure_with_pit(&cal.sources[0]);
	measure_with_pm_timer(&cal.sources[1], pm_timer_port, pm_timer_32bit);
	read_cpuid_15(&cal.sources[2], max_leaf);
	read_hypervisor_leaf(&cal.sources[3]);
	read_cpuid_16(&cal.sources[4], max_leaf);
	read_platform_info(&cal.sources[5]);
	cal.nsources = TIMER_SOURCES;
	cal.ok = calibration_choose(cal.sources, cal.nsources, &cal.decision);
	if (!cal.ok)
		return false;
	const struct tsc_source *chosen = &cal.sources[cal.decision.chosen];
	cal.tsc_khz = chosen->khz;
	cal.reference = chosen->name;
	cal.apic_khz = measure_apic_khz(cal.tsc_khz);
	if (!cal.apic_khz) {
		cal.ok = false;
		snprintf(cal.decision.note, sizeof(cal.decision.note), "the LAPIC timer does not count");
	}
	return cal.ok;
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

/* LAPIC timer ticks for a duration, saturating at the 32-bit counter's maximum. */
static uint32_t apic_ticks_for_us(uint64_t us)
{
	uint64_t ticks = us * cal.apic_khz / 1000;
	return ticks > 0xffffffff ? 0xffffffff : (ticks ? (uint32_t)ticks : 1);
}

static bool timer_fired_here(void) { return fired[this_cpu()->index]; }
static void timer_clear_fired_here(void) { fired[this_cpu()->index] = false; }

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
