#include "experiments/deviations.h"

#define KVM_NOTE "reported for QEMU/KVM nested (2022-23)"
#define KVM_REF "spec/experiments.md known deviations; KVM bugzilla 217304"
#define KVM_FIXED_NOTE "reported for QEMU/KVM nested (2022-23); a 2023 KVM patch was reported to fix it"
#define VMWARE_REF "spec/experiments.md; seeds/000_641d9327d707bd3b.txt (VMware Workstation 17.0.1)"

/*
 * Bochs 2.7 (Debian 2.7+dfsg-4+deb12u1), established on this project's runs (both builds,
 * same verdicts) and in its source:
 *
 * BOCHS_ENTRY: cpu/vmx.cc:2142-2147, VMenterLoadCheckGuestState(), only ever *masks*
 *   NMIs (or virtual NMIs) when interruptibility bit 3 is 1; with bit 3 = 0 it leaves in
 *   place whatever blocking was in force before VM entry. So NMI blocking acquired in VMX
 *   root (H took an NMI, no IRET) carries into the guest: a held NMI is neither delivered
 *   to G (X = 0) nor turned into a VM exit (X = 1) after VM entry, and with virtual NMIs
 *   H is still blocked after the next VM exit. Silicon (these experiments, 1-30) and the
 *   SDM (26.6.1: after VM entry NMI blocking is as bit 3 says; with virtual NMIs, NMIs are
 *   not blocked in VMX non-root operation) disagree.
 * BOCHS_INJECT: cpu/vmx.cc:2198-2202, VMenterInjectEvents(), masks NMIs when it injects
 *   an NMI with virtual NMIs = 0, so the next VM exit saves blocking by NMI = 1
 *   (VMexitSaveGuestState(), vmx.cc:2448-2451); hardware reads 0 (experiments 18, 19).
 * Also seen, not verdicts of their own: an INIT that causes a VM exit stays pending
 * (cpu/event.cc:233-241 calls VMexit() without clearing it), so it exits again at the
 * next VM entry (the engine stops the run then); an NMI that causes a VM exit is first masked
 * (cpu/event.cc:307-311, handleAsyncEvent(), mask_event() before VMexit_Event()), so the
 * exit saves blocking by NMI = 1 and leaves H blocked; and the exit saves activity state
 * 0 and instruction length 0 for an NMI that hit during HLT (experiment 5's information).
 */
#define BOCHS_REF "Bochs 2.7 source and runs: see experiments/deviations.c"
#define BOCHS_ENTRY "VM entry does not unblock NMIs that H blocked in VMX root (cpu/vmx.cc:2142 only " \
	"ever masks): the held NMI stays held in G"
#define BOCHS_ENTRY_VNMI "VM entry with virtual NMIs leaves H's NMI blocking in place (cpu/vmx.cc:2142), " \
	"so H is still blocked after the VM exit"
#define BOCHS_INJECT "injecting an NMI with virtual NMIs = 0 sets blocking by NMI (cpu/vmx.cc:2198); " \
	"the next exit saves B=1, hardware reads 0"

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

	/* Bochs 2.7: see the note above. */
	{ PLATFORM_BOCHS, 3, "Bochs 2.7", BOCHS_ENTRY, BOCHS_REF },
	{ PLATFORM_BOCHS, 7, "Bochs 2.7", BOCHS_ENTRY, BOCHS_REF },
	{ PLATFORM_BOCHS, 10, "Bochs 2.7", BOCHS_ENTRY, BOCHS_REF },
	{ PLATFORM_BOCHS, 11, "Bochs 2.7", BOCHS_ENTRY, BOCHS_REF },
	{ PLATFORM_BOCHS, 13, "Bochs 2.7", BOCHS_ENTRY_VNMI, BOCHS_REF },
	{ PLATFORM_BOCHS, 14, "Bochs 2.7", BOCHS_ENTRY_VNMI, BOCHS_REF },
	{ PLATFORM_BOCHS, 15, "Bochs 2.7", BOCHS_ENTRY, BOCHS_REF },
	{ PLATFORM_BOCHS, 16, "Bochs 2.7", BOCHS_ENTRY, BOCHS_REF },
	{ PLATFORM_BOCHS, 17, "Bochs 2.7", BOCHS_ENTRY, BOCHS_REF },
	{ PLATFORM_BOCHS, 18, "Bochs 2.7", BOCHS_INJECT, BOCHS_REF },
	{ PLATFORM_BOCHS, 19, "Bochs 2.7", BOCHS_INJECT, BOCHS_REF },
	{ PLATFORM_BOCHS, 24, "Bochs 2.7", BOCHS_ENTRY_VNMI, BOCHS_REF },
	{ PLATFORM_BOCHS, 26, "Bochs 2.7", BOCHS_ENTRY, BOCHS_REF },
	{ PLATFORM_BOCHS, 27, "Bochs 2.7", BOCHS_ENTRY, BOCHS_REF },
	{ PLATFORM_BOCHS, 28, "Bochs 2.7", BOCHS_ENTRY, BOCHS_REF },
	{ PLATFORM_BOCHS, 30, "Bochs 2.7", BOCHS_ENTRY, BOCHS_REF },
	{ PLATFORM_BOCHS, 34, "Bochs 2.7",
	  "after the EXIT_GP, H took the NMI; VM entry with B=0 leaves that blocking in G "
	  "(cpu/vmx.cc:2142), so the next exit saves B=1", BOCHS_REF },
};

const struct deviation *deviation_for(enum platform_kind platform, unsigned experiment)
{
	for (unsigned i = 0; i < sizeof(deviations) / sizeof(deviations[0]); i++)
		if (deviations[i].platform == platform && deviations[i].experiment == experiment)
			return &deviations[i];
	return 0;
}
