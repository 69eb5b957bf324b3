#ifndef BOOT_SMP_H
#define BOOT_SMP_H

#include <stdbool.h>
#include <stdint.h>

#include "boot/bootinfo.h"
#include "machine/cpu.h"

/* Starts the AP with APIC ID `apic_id` on `ap` (INIT-SIPI-SIPI through a real-mode
 * trampoline below 1 MiB) and waits until it reports in. */
bool smp_start_ap(const struct boot_info *b, uint32_t apic_id, struct cpu *ap, const char **why);

#endif
