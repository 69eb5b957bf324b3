#include "boot/topology.h"

bool topology_same_core(uint32_t a, uint32_t b, unsigned smt_shift)
{
	return smt_shift >= 32 || (a >> smt_shift) == (b >> smt_shift);
}

struct experimenter_choice topology_choose_experimenter(const uint32_t *ids, unsigned n,
							 uint32_t bsp_apic_id, unsigned smt_shift)
{
	struct experimenter_choice sibling = { false, 0, false };
	for (unsigned i = 0; i < n; i++) {
		if (ids[i] == bsp_apic_id)
			continue;
		if (!topology_same_core(ids[i], bsp_apic_id, smt_shift))
			return (struct experimenter_choice){ true, ids[i], false };
		if (!sibling.found)
			sibling = (struct experimenter_choice){ true, ids[i], true };
	}
	return sibling;
}
