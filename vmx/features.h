/* What an experiment may need beyond NMI exiting: each a capability the CPU reports in
 * its VMX capability MSRs (SDM Vol. 3D, Appendix A). */
#ifndef VMX_FEATURES_H
#define VMX_FEATURES_H

enum vmx_feature {
	FEATURE_VIRTUAL_NMIS = 1u << 0,      /* pin-based bit 5 */
	FEATURE_NMI_WINDOW = 1u << 1,        /* primary processor-based bit 22 */
	FEATURE_HLT_STATE = 1u << 2,         /* IA32_VMX_MISC bit 6: entry in the HLT state */
	FEATURE_MTF = 1u << 3,               /* primary processor-based bit 27 */
	FEATURE_INTERRUPT_WINDOW = 1u << 4,  /* primary processor-based bit 2 */
	FEATURE_PREEMPTION_TIMER = 1u << 5,  /* pin-based bit 6 */
	FEATURE_EPT = 1u << 6,               /* secondary controls, EPT, 4-level walk, INVEPT */
};

#endif
