#include "vmx/controls.h"

struct control_choice vmx_adjust_controls(uint64_t capability_msr, uint32_t wanted)
{
	uint32_t must_be_one = (uint32_t)capability_msr;
	uint32_t may_be_one = (uint32_t)(capability_msr >> 32);
	struct control_choice c = {
		.value = (wanted | must_be_one) & may_be_one,
		.refused = wanted & ~may_be_one,
	};
	return c;
}
