/* Time: the TSC for timestamps, the LAPIC timer for halting delays and bounded waits.
 * The TSC is measured against the PIT and the ACPI PM timer and cross-checked with what
 * the CPU states (lib/calibration.h decides); the LAPIC timer is measured against the TSC. */
#ifndef LIB_TIMER_H
#define LIB_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/calibration.h"

#define TIMER_SOURCES 6

struct timer_calibration {
	uint64_t tsc_khz;
	uint64_t apic_khz;     /* LAPIC timer ticks per ms at divide-by-1 */
	const char *reference; /* the source used: "PIT", "ACPI PM timer", "CPUID 0x15", ... */
	bool ok;
	struct tsc_source sources[TIMER_SOURCES];  /* everything that was tried, for the banner */
	unsigned nsources;
	struct tsc_decision decision;  /* its note: the disagreements, or why it failed */
	uint16_t pm_timer_port;
};

/*
 * pm_timer_port: the ACPI PM timer's I/O port from the FADT (0: none). Returns false
 * when no frequency can be trusted (timer_calibration()->decision.note says why, naming
 * the values); the caller ends the run.
 */
bool timer_calibrate(uint16_t pm_timer_port, bool pm_timer_32bit);
const struct timer_calibration *timer_calibration(void);

uint64_t time_us(void);
uint64_t tsc_to_us(uint64_t tsc_delta);
uint64_t us_to_tsc(uint64_t us);
/* Busy-waits: for callers that must not take interrupts. */
void spin_us(uint64_t us);
/* Halts until the LAPIC timer fires; interrupts are enabled while waiting and the
 * caller's IF is restored afterwards. */
void delay_us(uint64_t us);


/* Arms this CPU's LAPIC timer to raise VEC_TIMER once after `us`: the bound on a wait. */
void timer_arm_us(uint64_t us);
void timer_disarm(void);

/* Called by the trap dispatcher for VEC_TIMER. */
void timer_on_interrupt(void);

#endif
