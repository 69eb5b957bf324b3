#include "experiments/deviations.h"

#include "lib/printf.h"

#define KVM_NOTE "reported for QEMU/KVM nested (2022-23)"
#define KVM_REF "reported by users (KVM bugzilla 217304); not reproduced here, so no signature"
#define KVM_FIXED_NOTE "reported for QEMU/KVM nested (2022-23); a 2023 KVM patch was reported to fix it"
#define VMWARE_NOTE "reported for VMware Workstation 17.0.1"
#define VMWARE_REF "reported by a user (VMware Workstation 17.0.1); not reproduced here, so no signature"
#define VMWARE_17_REF "the reporter's serial log (VMware Workstation 17.0.1, build 21139696): after VM " \
	"entry the guest ran on; the NMI reached the host after a later VM exit (CPUID)"

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
#define BOCHS_REF "Bochs 2.7 (Debian 2.7+dfsg-4+deb12u1): signature from runs of both builds; source lines in experiments/deviations.c"
#define BOCHS_ENTRY "VM entry does not unblock NMIs that H blocked in VMX root (cpu/vmx.cc:2142 only " \
	"ever masks): the held NMI stays held in G"
#define BOCHS_ENTRY_VNMI "VM entry with virtual NMIs leaves H's NMI blocking in place (cpu/vmx.cc:2142), " \
	"so H is still blocked after the VM exit"
#define BOCHS_INJECT "injecting an NMI with virtual NMIs = 0 sets blocking by NMI (cpu/vmx.cc:2198); " \
	"the next exit saves B=1, hardware reads 0"



/*
 * Catalogue II on Bochs 2.7, from runs of both builds and the upstream source (the stored
 * copy of bochs-emu/Bochs is newer than 2.7: function names, not 2.7 line numbers):
 *
 * BOCHS_NO_VNMI_INJECT_CHECK: VMenterLoadCheckGuestState() refuses an NMI injection only
 *   when interruptibility bits 1:0 (STI, MOV-SS) are set ("VMCS guest interrupts blocked
 *   when injecting NMI"); the SDM 26.3.1.5 check of bit 3 with virtual NMIs is missing,
 *   reported upstream as bochs-emu/Bochs issue 648 (October 2025). The entry succeeds and
 *   G takes the NMI.
 * BOCHS_HLT_ACTIVITY: an exit from the HLT state saves activity state 0: cpu/event.cc
 *   handleWaitForEvent() sets activity_state = ACTIVE for a pending unmasked NMI before
 *   handleAsyncEvent() takes it (and VMexit()s), and VMexitSaveGuestState() saves
 *   activity_state. The same shows as experiment 5's measurement (activity 0, length 0).
 */
#define BOCHS_NO_VNMI_INJECT_CHECK "VM entry does not refuse injecting an NMI under virtual-NMI blocking " \
	"(no SDM 26.3.1.5 bit-3 check in VMenterLoadCheckGuestState(); bochs-emu/Bochs issue 648): G takes the NMI"
#define BOCHS_HLT_ACTIVITY "an exit from HLT saves activity state 0: handleWaitForEvent() (cpu/event.cc) makes " \
	"the CPU active before the exit is taken"

/* Only the models with the monitor trap flag (corei7_icelake_u, tigerlake) run 68 and 69;
 * the mechanism in 2.7 is not confirmed from its source. */
#define BOCHS_NO_MTF_AFTER_INJECTION "no MTF exit follows a VM entry that injects an NMI: G runs its NMI " \
	"handler and returns without an exit (seen on corei7_icelake_u)"
#define BOCHS_MTF_REF "Bochs 2.7 runs of both builds with --cpu corei7_icelake_u; upstream handleAsyncEvent() " \
	"(cpu/event.cc) unmasks a masked pending MTF event at a boundary without exiting; 2.7's path not confirmed"

#define QEMU_TCG_REF "QEMU 7.2 TCG (Debian 12), both builds; target/i386/tcg/seg_helper.c helper_iret_protected()"

/* Shorthands for the signatures below. */
#define NONE_SEEN SAW_NONE
#define TIMEOUT_AFTER_HLT SAW(EV_AT(TIMEOUT, AT_AFTER_HLT))
#define B_IS_1 SAW_VALUE(1)

const struct deviation deviations[] = {
	/* QEMU TCG: clears HF2_NMI_MASK only after helper_ret_protected() returns; the #GP
	 * for the null CS longjmps out before that, so a faulting IRET leaves NMIs blocked,
	 * against SDM Vol. 3A 6.7.1 ("IRET unblocks NMIs even if it faults"). */
	{ PLATFORM_QEMU_TCG, 31, "QEMU TCG",
	  "a faulting IRET leaves NMIs blocked: the NMI is not taken at the #GP handler", QEMU_TCG_REF,
	  SIGNATURE(3, NONE_SEEN) },

	{ PLATFORM_KVM, 2, "QEMU/KVM", KVM_NOTE, KVM_REF, NO_SIGNATURE },
	{ PLATFORM_KVM, 3, "QEMU/KVM", KVM_FIXED_NOTE, KVM_REF, NO_SIGNATURE },
	{ PLATFORM_KVM, 4, "QEMU/KVM", KVM_NOTE, KVM_REF, NO_SIGNATURE },
	{ PLATFORM_KVM, 6, "QEMU/KVM", KVM_NOTE, KVM_REF, NO_SIGNATURE },
	{ PLATFORM_KVM, 13, "QEMU/KVM", KVM_FIXED_NOTE, KVM_REF, NO_SIGNATURE },
	{ PLATFORM_KVM, 14, "QEMU/KVM", KVM_FIXED_NOTE, KVM_REF, NO_SIGNATURE },
	{ PLATFORM_KVM, 18, "QEMU/KVM", KVM_NOTE, KVM_REF, NO_SIGNATURE },
	{ PLATFORM_KVM, 19, "QEMU/KVM", KVM_NOTE, KVM_REF, NO_SIGNATURE },
	{ PLATFORM_KVM, 24, "QEMU/KVM", KVM_NOTE, KVM_REF, NO_SIGNATURE },
	{ PLATFORM_VMWARE, 15, "VMware", VMWARE_NOTE, VMWARE_REF, NO_SIGNATURE },
	{ PLATFORM_VMWARE, 16, "VMware", VMWARE_NOTE, VMWARE_REF, NO_SIGNATURE },
	/* The reporter's log shows no VM exit at the injected handler: after VM entry nothing
	 * is observed. */
	{ PLATFORM_VMWARE, 17, "VMware",
	  "the NMI is not taken at the injected handler's first instruction; the guest runs on and the "
	  "NMI reaches the host after a later VM exit", VMWARE_17_REF, SIGNATURE(6, NONE_SEEN) },

	/* Bochs 2.7: see the note above. */
	{ PLATFORM_BOCHS, 3, "Bochs 2.7", BOCHS_ENTRY, BOCHS_REF, SIGNATURE(5, NONE_SEEN) },
	{ PLATFORM_BOCHS, 7, "Bochs 2.7", BOCHS_ENTRY, BOCHS_REF, SIGNATURE(5, NONE_SEEN) },
	{ PLATFORM_BOCHS, 10, "Bochs 2.7", BOCHS_ENTRY, BOCHS_REF, SIGNATURE(5, NONE_SEEN) },
	{ PLATFORM_BOCHS, 11, "Bochs 2.7", BOCHS_ENTRY, BOCHS_REF, SIGNATURE(5, NONE_SEEN) },
	{ PLATFORM_BOCHS, 13, "Bochs 2.7", BOCHS_ENTRY_VNMI, BOCHS_REF, SIGNATURE(6, TIMEOUT_AFTER_HLT) },
	{ PLATFORM_BOCHS, 14, "Bochs 2.7", BOCHS_ENTRY_VNMI, BOCHS_REF, SIGNATURE(6, TIMEOUT_AFTER_HLT) },
	{ PLATFORM_BOCHS, 15, "Bochs 2.7", BOCHS_ENTRY, BOCHS_REF, SIGNATURE(6, NONE_SEEN) },
	{ PLATFORM_BOCHS, 16, "Bochs 2.7", BOCHS_ENTRY, BOCHS_REF, SIGNATURE(6, NONE_SEEN) },
	{ PLATFORM_BOCHS, 17, "Bochs 2.7", BOCHS_ENTRY, BOCHS_REF, SIGNATURE(6, NONE_SEEN) },
	{ PLATFORM_BOCHS, 18, "Bochs 2.7", BOCHS_INJECT, BOCHS_REF, SIGNATURE(7, B_IS_1) },
	{ PLATFORM_BOCHS, 19, "Bochs 2.7", BOCHS_INJECT, BOCHS_REF, SIGNATURE(4, B_IS_1) },
	{ PLATFORM_BOCHS, 24, "Bochs 2.7", BOCHS_ENTRY_VNMI, BOCHS_REF,
	  SIGNATURE(5, SAW(EV_AT(EXIT_NMIW, AT_AFTER_VMCALL))) },
	{ PLATFORM_BOCHS, 26, "Bochs 2.7", BOCHS_ENTRY, BOCHS_REF, SIGNATURE(6, SAW(EV_AT(NMI_G, AT_AFTER_VMCALL))) },
	{ PLATFORM_BOCHS, 27, "Bochs 2.7", BOCHS_ENTRY, BOCHS_REF, SIGNATURE(6, NONE_SEEN) },
	{ PLATFORM_BOCHS, 28, "Bochs 2.7", BOCHS_ENTRY, BOCHS_REF, SIGNATURE(6, NONE_SEEN) },
	{ PLATFORM_BOCHS, 30, "Bochs 2.7", BOCHS_ENTRY, BOCHS_REF, SIGNATURE(6, NONE_SEEN) },
	{ PLATFORM_BOCHS, 34, "Bochs 2.7",
	  "after the EXIT_GP, H took the NMI; VM entry with B=0 leaves that blocking in G "
	  "(cpu/vmx.cc:2142), so the next exit saves B=1", BOCHS_REF, SIGNATURE(6, B_IS_1) },
	{ PLATFORM_BOCHS, 42, "Bochs 2.7", BOCHS_NO_VNMI_INJECT_CHECK, BOCHS_REF,
	  SIGNATURE(3, SAW(EV_AT(NMI_G, AT_AFTER_VMCALL))) },
	{ PLATFORM_BOCHS, 49, "Bochs 2.7", BOCHS_ENTRY, BOCHS_REF, SIGNATURE(6, NONE_SEEN) },
	{ PLATFORM_BOCHS, 50, "Bochs 2.7", BOCHS_ENTRY, BOCHS_REF, SIGNATURE(6, NONE_SEEN) },
	{ PLATFORM_BOCHS, 56, "Bochs 2.7", BOCHS_HLT_ACTIVITY, BOCHS_REF, SIGNATURE(3, SAW_VALUE(0)) },
	{ PLATFORM_BOCHS, 68, "Bochs 2.7", BOCHS_NO_MTF_AFTER_INJECTION, BOCHS_MTF_REF,
	  SIGNATURE(4, SAW(EV_AT(NMI_G, AT_AFTER_VMCALL))) },
	{ PLATFORM_BOCHS, 69, "Bochs 2.7", BOCHS_NO_MTF_AFTER_INJECTION, BOCHS_MTF_REF,
	  SIGNATURE(4, SAW(EV_AT(NMI_G, AT_AFTER_VMCALL))) },
	{ PLATFORM_BOCHS, 71, "Bochs 2.7", BOCHS_ENTRY, BOCHS_REF, SIGNATURE(7, SAW(EV_AT(EXIT_INTRW, AT_AFTER_VMCALL))) },
};

const unsigned deviation_count = sizeof(deviations) / sizeof(deviations[0]);

const struct deviation *deviation_for(enum platform_kind platform, unsigned experiment)
{
	for (unsigned i = 0; i < deviation_count; i++)
		if (deviations[i].platform == platform && deviations[i].experiment == experiment)
			return &deviations[i];
	return 0;
}

enum deviation_verdict deviation_judge(const struct deviation *d, unsigned index, const struct outcome *outcome)
{
	if (!d)
		return DEVIATION_NONE;
	if (!d->confirmed)
		return DEVIATION_REPORTED;
	if (outcome && index + 1 == d->step && outcome_equal(outcome, &d->seen))
		return DEVIATION_MATCHES;
	return DEVIATION_DIFFERS;
}

void deviation_describe_signature(const struct deviation *d, char *buf, unsigned len)
{
	const struct experiment *x = experiment_numbered(d->experiment);
	if (!x || !d->confirmed || d->step < 1 || d->step > x->nsteps) {
		snprintf(buf, len, "no signature");
		return;
	}
	char step[160], seen[96];
	step_describe_numbered(x, d->step - 1, step, sizeof(step));
	describe_outcome(&d->seen, &x->steps[d->step - 1], seen, sizeof(seen));
	snprintf(buf, len, "it fails at step %s, observing %s", step, seen);
}
