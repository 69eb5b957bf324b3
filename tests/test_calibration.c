/* calibration_choose: which TSC frequency wins when the sources agree or disagree. */
#include <stdint.h>
#include <string.h>

#include "lib/calibration.h"
#include "tests/unit.h"

enum { PIT, PM, C15, HV, C16, PLATFORM_INFO, N };

static struct tsc_source src[N];

static void reset(void)
{
	src[PIT] = (struct tsc_source){ "PIT", TSC_MEASURED, 0, "unusable" };
	src[PM] = (struct tsc_source){ "ACPI PM timer", TSC_MEASURED, 0, "none" };
	src[C15] = (struct tsc_source){ "CPUID 0x15", TSC_EXACT, 0, "not offered" };
	src[HV] = (struct tsc_source){ "CPUID 0x40000010", TSC_EXACT, 0, "not offered" };
	src[C16] = (struct tsc_source){ "CPUID 0x16", TSC_NOMINAL, 0, "not offered" };
	src[PLATFORM_INFO] = (struct tsc_source){ "MSR_PLATFORM_INFO", TSC_NOMINAL, 0, "not read" };
}

static int choose(struct tsc_decision *d)
{
	return calibration_choose(src, N, d) ? d->chosen : -1;
}

static void test_agreement(void)
{
	struct tsc_decision d;
	CHECK(calibration_agree(2400000, 2399000));
	CHECK(calibration_agree(2400000, 2352000));   /* 2 % */
	CHECK(!calibration_agree(2400000, 2340000));
	CHECK(!calibration_agree(0, 0));

	/* QEMU TCG: both clocks, no CPUID figures. */
	reset();
	src[PIT].khz = 2445080, src[PM].khz = 2445450;
	CHECK_INT_EQ(choose(&d), PIT);
	CHECK_STR_EQ(d.note, "");

	/* QEMU -M q35,pit=off: the PIT was seen not to count, the PM timer is used. */
	reset();
	src[PM].khz = 2445443;
	CHECK_INT_EQ(choose(&d), PM);

	/* Silicon: clocks and CPUID agree. */
	reset();
	src[PIT].khz = 2112000, src[PM].khz = 2111800, src[C15].khz = 2112000, src[C16].khz = 2100000;
	CHECK_INT_EQ(choose(&d), PIT);
	CHECK_STR_EQ(d.note, "");
}

/* Bochs: the TSC runs at the emulated instruction rate, not CPUID 0x16's 3.5 GHz. */
static void test_nominal_never_overrules(void)
{
	struct tsc_decision d;
	reset();
	src[PIT].khz = 100006, src[PM].khz = 99996, src[C16].khz = 3500000;
	CHECK_INT_EQ(choose(&d), PIT);
	CHECK_STR_EQ(d.note, "CPUID 0x16 says 3500000 kHz (nominal), not what the PIT measured: ignored");

	/* One clock only, still: a nominal figure is not a measurement. */
	reset();
	src[PM].khz = 100000, src[PLATFORM_INFO].khz = 3500000;
	CHECK_INT_EQ(choose(&d), PM);
}

/* One measurement against an exact statement: nothing can be trusted, both are named. */
static void test_exact_disagrees(void)
{
	struct tsc_decision d;
	reset();
	src[PIT].khz = 3172, src[C15].khz = 2400000;
	CHECK_INT_EQ(choose(&d), -1);
	CHECK_STR_EQ(d.note, "the PIT measured 3172 kHz but CPUID 0x15 says 2400000 kHz exactly");

	/* Two agreeing clocks outvote it (and it is reported). */
	reset();
	src[PIT].khz = 2400000, src[PM].khz = 2401000, src[HV].khz = 1000000;
	CHECK_INT_EQ(choose(&d), PIT);
	CHECK_STR_EQ(d.note, "CPUID 0x40000010 says 1000000 kHz (exact), not what the PIT measured: ignored");
}

/* Clocks that disagree: a CPUID figure settles it, or the run cannot go on. */
static void test_clocks_disagree(void)
{
	struct tsc_decision d;
	reset();
	src[PIT].khz = 3172, src[PM].khz = 2445443;
	CHECK_INT_EQ(choose(&d), -1);
	CHECK_STR_EQ(d.note, "the PIT measured 3172 kHz but the ACPI PM timer 2445443 kHz, and no CPUID "
			     "figure settles which is right");

	src[C16].khz = 2400000;
	CHECK_INT_EQ(choose(&d), PM);
	CHECK_STR_EQ(d.note, "the PIT measured 3172 kHz, which nothing else confirms: ignored");

	/* Claims backing both clocks settle nothing. */
	src[PLATFORM_INFO].khz = 3200;
	CHECK_INT_EQ(choose(&d), -1);
}

static void test_no_clock(void)
{
	struct tsc_decision d;
	reset();
	CHECK_INT_EQ(choose(&d), -1);
	CHECK_STR_EQ(d.note, "no clock could be measured and the CPU states no TSC frequency");

	src[C16].khz = 2400000;
	CHECK_INT_EQ(choose(&d), C16);
	CHECK_STR_EQ(d.note, "no clock could be measured: CPUID 0x16's nominal figure is used, not a measurement");

	src[C15].khz = 2112000;
	CHECK_INT_EQ(choose(&d), C15);
	CHECK_STR_EQ(d.note, "");
}

void test_calibration(void)
{
	test_agreement();
	test_nominal_never_overrules();
	test_exact_disagrees();
	test_clocks_disagree();
	test_no_clock();
}
