#include "experiments/deviations.h"

#define KVM_NOTE "reported for QEMU/KVM nested (2022-23)"
#define KVM_REF "spec/experiments.md known deviations; KVM bugzilla 217304"
#define KVM_FIXED_NOTE "reported for QEMU/KVM nested (2022-23); a 2023 KVM patch was reported to fix it"
#define VMWARE_REF "spec/experiments.md; seeds/000_641d9327d707bd3b.txt (VMware Workstation 17.0.1)"

#define QEMU_TCG_REF "observed on QEMU 7.2 TCG (Debian 12); target/i386/tcg/seg_helper.c helper_iret_protected()"

static const struct deviation deviations[] = {
	/* QEMU TCG: clears HF2_NMI_MASK only after helper_ret_protected() returns; the #GP
	 * for the null CS longjmps out before that, so a faulting IRET leaves NMIs blocked,
	 * against SDM Vol. 3A 6.7.1 ("IRET unblocks NMIs even if it faults"). */
	{ PLATFORM_QEMU_TCG, 31, "QEMU TCG",
	  "a faulting IRET leaves NMIs blocked: the NMI is not taken at the #GP handler", QEMU_TCG_REF },

	{ PLATFORM_KVM, 2, "QEMU/KVM", KVM_NOTE, KVM_REF },
	{ PLATFORM_KVM, 3, "QEMU/KVM", KVM_FIXED_NOTE, KVM_REF },
	{ PLATFORM_KVM, 4, "QEMU/KVM", KVM_NOTE, KVM_REF },
	{ PLATFORM_KVM, 6, "QEMU/KVM", KVM_NOTE, KVM_REF },
	{ PLATFORM_KVM, 13, "QEMU/KVM", KVM_FIXED_NOTE, KVM_REF },
	{ PLATFORM_KVM, 14, "QEMU/KVM", KVM_FIXED_NOTE, KVM_REF },
	{ PLATFORM_KVM, 18, "QEMU/KVM", KVM_NOTE, KVM_REF },
	{ PLATFORM_KVM, 19, "QEMU/KVM", KVM_NOTE, KVM_REF },
	{ PLATFORM_KVM, 24, "QEMU/KVM", KVM_NOTE, KVM_REF },
	{ PLATFORM_VMWARE, 15, "VMware", "reported for VMware Workstation 17.0.1", VMWARE_REF },
	{ PLATFORM_VMWARE, 16, "VMware", "reported for VMware Workstation 17.0.1", VMWARE_REF },
	{ PLATFORM_VMWARE, 17, "VMware",
	  "the NMI is not taken at the injected handler's first instruction; the guest runs on and the "
	  "NMI reaches the host after a later VM exit", VMWARE_REF },
};

const struct deviation *deviation_for(enum platform_kind platform, unsigned experiment)
{
	for (unsigned i = 0; i < sizeof(deviations) / sizeof(deviations[0]); i++)
		if (deviations[i].platform == platform && deviations[i].experiment == experiment)
			return &deviations[i];
	return 0;
}
