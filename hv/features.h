/* What an experiment may need of the hypervisor's hardware: each a capability the CPU
 * reports (for VMX in its capability MSRs, SDM Vol. 3D Appendix A; for SVM in CPUID
 * 8000_000Ah). The backend names the bit behind a missing one (hv->missing). */
#ifndef HV_FEATURES_H
#define HV_FEATURES_H

enum hv_feature {
	FEATURE_VIRTUAL_NMIS = 1u << 0,      /* pin-based bit 5 */
	FEATURE_NMI_WINDOW = 1u << 1,        /* primary processor-based bit 22 */
	FEATURE_HLT_STATE = 1u << 2,         /* IA32_VMX_MISC bit 6: entry in the HLT state */
	FEATURE_MTF = 1u << 3,               /* primary processor-based bit 27 */
	FEATURE_INTERRUPT_WINDOW = 1u << 4,  /* primary processor-based bit 2 */
	FEATURE_PREEMPTION_TIMER = 1u << 5,  /* pin-based bit 6 */
	FEATURE_EPT = 1u << 6,               /* secondary controls, EPT, 4-level walk, INVEPT */
	FEATURE_NMI_EXITING = 1u << 7,       /* pin-based bit 3 (SVM: the NMI intercept): every
						experiment with a guest */
	/* SVM: CPUID 8000_000Ah:EDX (APM Vol. 2, 15.4, "Enabling SVM"). */
	FEATURE_SVM_NRIP_SAVE = 1u << 8,     /* bit 3: nRIP saved at #VMEXIT */
	FEATURE_SVM_VGIF = 1u << 9,          /* bit 16: virtual GIF */
	FEATURE_SVM_VNMI = 1u << 10,         /* bit 25: NMI virtualization */
};

#endif
