/* The watchdog: no verdict may wait for ever on a stuck experimenter (experiments/watchdog.c). */
#ifndef EXPERIMENTS_WATCHDOG_H
#define EXPERIMENTS_WATCHDOG_H

#include <stdint.h>

void watchdog_init(uint32_t experimenter_apic_id);
/* One look at the experimenter's heartbeat: an INIT, or a bail-out, when it is stuck. */
void watchdog_poll(void);

#endif
