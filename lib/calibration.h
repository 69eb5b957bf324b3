/*
 * Which TSC frequency to believe. Every bound of the run is derived from it, so a wrong
 * one (a clock-gated PIT that "expires" at once made QEMU -M q35,pit=off read 3172 kHz on
 * a 2.4 GHz host) silently breaks every verdict. lib/timer.c measures and reads what it
 * can; this decides, and is pure so the unit tests can try every disagreement.
 *
 * Measurements (the PIT, the ACPI PM timer) count only once their clock was seen to
 * count. Exact claims (CPUID 0x15 with the crystal enumerated, a hypervisor's leaf
 * 0x40000010) state the TSC rate. Nominal claims (CPUID 0x16's base frequency, which
 * the SDM says not to use for this, and MSR_PLATFORM_INFO's ratio times the bus clock)
 * only cross-check. Under emulators the TSC often runs at another rate than the CPUID
 * model says (Bochs: instructions per second), so a nominal claim never overrules a
 * measurement; it is reported.
 */
#ifndef LIB_CALIBRATION_H
#define LIB_CALIBRATION_H

#include <stdbool.h>
#include <stdint.h>

enum tsc_source_kind { TSC_MEASURED, TSC_EXACT, TSC_NOMINAL };

struct tsc_source {
	const char *name;          /* "PIT", "ACPI PM timer", "CPUID 0x15", ... */
	enum tsc_source_kind kind;
	uint64_t khz;              /* 0: not available */
	const char *unavailable;   /* why not, when khz is 0 */
};

struct tsc_decision {
	int chosen;       /* index of the source used, -1 when none can be trusted */
	char note[256];   /* the disagreements (chosen >= 0), or why nothing was chosen */
};

/* Within 2 %: what separates a working clock from a wrong one is far more. */
bool calibration_agree(uint64_t a_khz, uint64_t b_khz);

/*
 * Measured sources first in order of preference. Two or more agreeing measurements win
 * over any claim; one measurement wins over nominal claims but not over a disagreeing
 * exact one (then nothing is chosen: both values are named); measurements that disagree
 * are settled by a claim that agrees with one of them, else nothing is chosen. Without
 * measurements: the first exact claim, else the first nominal one.
 */
bool calibration_choose(const struct tsc_source *s, unsigned n, struct tsc_decision *d);

#endif
