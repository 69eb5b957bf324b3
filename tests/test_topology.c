/* topology_choose_experimenter: another core than the BSP's when there is one. */
#include <stdint.h>

#include "boot/topology.h"
#include "tests/unit.h"

void test_topology(void)
{
	/* QEMU -smp 4,sockets=1,cores=2,threads=2: APIC IDs 0-3, SMT shift 1. */
	uint32_t qemu[] = { 0, 1, 2, 3 };
	struct experimenter_choice c = topology_choose_experimenter(qemu, 4, 0, 1);
	CHECK(c.found);
	CHECK_INT_EQ(c.apic_id, 2);
	CHECK(!c.shares_core);

	/* Without SMT the first other CPU is fine. */
	c = topology_choose_experimenter(qemu, 4, 0, 0);
	CHECK_INT_EQ(c.apic_id, 1);
	CHECK(!c.shares_core);

	/* The BSP need not be first; a hybrid laptop: P-cores 0/1 and 8/9, E-cores 16, 18. */
	uint32_t laptop[] = { 0, 1, 8, 9, 16, 18 };
	c = topology_choose_experimenter(laptop, 6, 9, 1);
	CHECK_INT_EQ(c.apic_id, 0);
	CHECK(!c.shares_core);

	/* One core with two threads: the sibling, said so. */
	uint32_t one_core[] = { 0, 1 };
	c = topology_choose_experimenter(one_core, 2, 0, 1);
	CHECK(c.found);
	CHECK_INT_EQ(c.apic_id, 1);
	CHECK(c.shares_core);

	/* Only the BSP. */
	c = topology_choose_experimenter(one_core, 1, 0, 1);
	CHECK(!c.found);

	CHECK(topology_same_core(6, 7, 1));
	CHECK(!topology_same_core(5, 6, 1));
	CHECK(topology_same_core(4, 7, 2));
}
