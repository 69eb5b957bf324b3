/* Time: the TSC for timestamps, the LAPIC timer for halting delays and bounded waits.
 * Both are calibrated against the PIT (or CPUID 0x15/0x16 where there is no PIT). */
#ifndef LIB_TIMER_H
#define LIB_TIMER_H

#include <stdbool.h>
#include <stdint.h>

struct timer_calibration {
	uint64_t tsc_khz;
	uint64_t apic_khz;   /* LAPIC timer ticks per ms at divide-by-1 */
	const char *reference; /* "PIT", "CPUID 0x15", "CPUID 0x16" */
};

/* Returns false (with a reason printed) if no reference could be used. */
bool timer_calibrate(void);
const struct timer_calibration *timer_calibration(void);

uint64_t time_us(void);
uint64_t tsc_to_us(uint64_t tsc_delta);
uint64_t us_to_tsc(uint64_t us);
/* Busy-waits: for callers that must not take interrupts. */
void spin_us(uint64_t us);
/* Halts until the LAPIC timer fires; interrupts are enabled while waiting and the
 * caller's IF is restored afterwards. */
void delay_us(uint64_t us);

/* LAPIC timer ticks for a duration, saturating at the 32-bit counter's maximum. */
uint32_t apic_ticks_for_us(uint64_t us);

/* Arms this CPU's LAPIC timer to raise VEC_TIMER once after `us`: the bound on a wait. */
void timer_arm_us(uint64_t us);
void timer_disarm(void);

/* Called by the trap dispatcher for VEC_TIMER. */
void timer_on_interrupt(void);
bool timer_fired_here(void);
void timer_clear_fired_here(void);

#endif
