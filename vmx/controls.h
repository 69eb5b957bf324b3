/* Choosing VMX control values from the capability MSRs (SDM Vol. 3C, Appendix A.3-A.5). */
#ifndef VMX_CONTROLS_H
#define VMX_CONTROLS_H

#include <stdbool.h>
#include <stdint.h>

/*
 * A capability MSR (IA32_VMX_[TRUE_]PINBASED_CTLS etc.) reports in bits 31:0 the
 * allowed-0 settings (a 1 there means the control must be 1) and in bits 63:32 the
 * allowed-1 settings (a 0 there means the control must be 0).
 */
struct control_choice {
	uint32_t value;   /* what to write to the VMCS: wanted | required-1 */
	uint32_t refused; /* wanted bits the CPU does not allow to be 1 (value is then unusable) */
};

struct control_choice vmx_adjust_controls(uint64_t capability_msr, uint32_t wanted);

/* Whether IA32_FEATURE_CONTROL's value lets VMXON run outside SMX (unlocked: we set it);
 * else *why names the case, the "only inside SMX" (Intel TXT) one included. */
bool vmx_feature_control_allows_vmxon(uint64_t feature_control, const char **why);

#endif
