#include "vmx/controls.h"

#include "machine/vmx_arch.h"

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

/*
 * IA32_FEATURE_CONTROL (SDM Vol. 3C, "Enabling and Entering VMX Operation"): once bit 0
 * (lock) is set, only a reset changes it; VMXON outside SMX needs bit 2. Firmware that
 * enables Intel TXT but not plain VT-x sets bit 1 (VMXON inside SMX, i.e. only in a TXT
 * measured launch) alone.
 */
bool vmx_feature_control_allows_vmxon(uint64_t fc, const char **why)
{
	if (!(fc & FEATURE_CONTROL_LOCKED) || (fc & FEATURE_CONTROL_VMXON_OUTSIDE_SMX))
		return true;
	if (fc & FEATURE_CONTROL_VMXON_INSIDE_SMX)
		*why = "the firmware allows VMX only inside SMX, in an Intel TXT measured launch "
		       "(IA32_FEATURE_CONTROL locked with bit 1 set, bit 2 clear); enable VT-x itself, "
		       "not only TXT, in the firmware setup";
	else
		*why = "VMX disabled by firmware (IA32_FEATURE_CONTROL locked with VMXON off); "
		       "enable VT-x in the firmware setup";
	return false;
}
