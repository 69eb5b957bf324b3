/*
 * Which CPU becomes the experimenter. The first other CPU in the MADT is often the BSP's
 * hyperthread sibling (QEMU -smp 4,sockets=1,cores=2,threads=2 lists APIC IDs 0, 1, 2,
 * 3; 1 shares the BSP's core), which shares its execution resources with the generator:
 * the generator's polling and sends then steal cycles from the experiment being timed.
 * So a CPU on another core is preferred; a sibling only when there is nothing else.
 * Pure, for the unit tests.
 */
#ifndef BOOT_TOPOLOGY_H
#define BOOT_TOPOLOGY_H

#include <stdbool.h>
#include <stdint.h>

struct experimenter_choice {
	bool found;
	uint32_t apic_id;
	bool shares_core;   /* the BSP's SMT sibling: nothing else was there */
};

/* ids: enabled CPUs in MADT order; smt_shift: lib/platform.h's platform_smt_topology. */
struct experimenter_choice topology_choose_experimenter(const uint32_t *ids, unsigned n,
							 uint32_t bsp_apic_id, unsigned smt_shift);

/* Whether two APIC IDs are threads of one core. */
bool topology_same_core(uint32_t a, uint32_t b, unsigned smt_shift);

#endif
