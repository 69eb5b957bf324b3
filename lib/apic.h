/*
 * Local APIC, in whichever mode the firmware left it: xAPIC (MMIO) or x2APIC (MSRs).
 * Used by the host and, unchanged, by the guest: the guest shares the address space and
 * its MSR accesses do not exit, so it reaches the same physical APIC.
 */
#ifndef LIB_APIC_H
#define LIB_APIC_H

#include <stdbool.h>
#include <stdint.h>

enum apic_mode { APIC_XAPIC, APIC_X2APIC };

#define APIC_DM_FIXED   (0u << 8)
#define APIC_DM_NMI     (4u << 8)
#define APIC_DM_INIT    (5u << 8)
#define APIC_DM_STARTUP (6u << 8)

/* Reads the mode and base from IA32_APIC_BASE (global, once, on the BSP): the mode the
 * firmware left, or x2APIC when asked for and supported. */
void apic_detect(bool want_x2apic);
/* Software-enables this CPU's APIC with our spurious vector and masks LINT0. */
void apic_init_cpu(void);
enum apic_mode apic_mode(void);
const char *apic_mode_name(void);
uint32_t apic_id(void);
void apic_eoi(void);
/* Sends an IPI; in xAPIC mode waits (bounded) until the APIC has accepted it. */
void apic_send_ipi(uint32_t dest_apic_id, uint32_t mode_and_vector);

/* LAPIC timer, one-shot, divide by 1. */
void apic_timer_arm(uint32_t vector, uint32_t count);
void apic_timer_stop(void);
uint32_t apic_timer_current(void);

#endif
