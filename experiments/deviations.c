#include "experiments/deviations.h"

#include "model/svm.h"
#include "model/vmx.h"

/*
 * Bochs 2.7 (Debian 2.7+dfsg-4+deb12u1), established on this project's runs (both builds,
 * the same observations) and in its source. Line numbers are 2.7's where a session could
 * read Debian's source package; otherwise function names of the upstream source
 * (bochs-emu/Bochs), with what changed after 2.7 where its issue tracker says so.
 */
#define BOCHS "Bochs 2.7"
#define BOCHS_RUNS "runs of both builds under Debian's Bochs 2.7 (deterministic: the same on every run)"

#define QEMU_TCG "QEMU TCG"
#define VMWARE "VMware"
#define KVM "QEMU/KVM"

const struct deviation deviations[] = {
	{ PLATFORM_BOCHS, BOCHS, QUIRK_ENTRY_KEEPS_NMI_BLOCKING,
	  "VM entry never unblocks NMIs: with bit 3 = 0 it leaves in place the blocking the host acquired in "
	  "VMX root (and virtual-NMI blocking from an earlier guest run), so a held NMI stays held in G, and "
	  "with virtual NMIs H is still blocked after the next exit",
	  "cpu/vmx.cc:2142-2147 (VMenterLoadCheckGuestState) only masks when bit 3 is 1; upstream later unmasks "
	  "BX_EVENT_NMI and BX_EVENT_VMX_VIRTUAL_NMI first (bochs-emu/Bochs #211, 2024); " BOCHS_RUNS },
	{ PLATFORM_BOCHS, BOCHS, QUIRK_INJECTED_NMI_BLOCKS,
	  "injecting an NMI with virtual NMIs = 0 sets blocking by NMI: the next exit saves bit 3 = 1, where "
	  "silicon saves 0 (experiments 18 and 19)",
	  "cpu/vmx.cc:2198-2202 (VMenterInjectEvents) masks NMIs for an injected NMI; VMexitSaveGuestState() "
	  "(vmx.cc:2448-2451) saves the mask; " BOCHS_RUNS },
	{ PLATFORM_BOCHS, BOCHS, QUIRK_NMI_EXIT_SAVES_BLOCKING,
	  "an NMI that exits masks NMIs before the exit, so the exit saves blocking by NMI = 1 (the SDM: the "
	  "blocking as it was, 0) and the guest is blocked again after the next entry",
	  "cpu/event.cc:307-311 (handleAsyncEvent) calls mask_event() before VMexit_Event() for an NMI; fixed "
	  "upstream in bochs-emu/Bochs #211 (2024); " BOCHS_RUNS },
	{ PLATFORM_BOCHS, BOCHS, QUIRK_HLT_EXIT_SAVES_ACTIVE,
	  "an exit taken while the guest is in the HLT state saves activity state 0 (the SDM: 1, HLT), except a "
	  "VMX-preemption-timer exit when nothing else due would wake the processor (no unblocked NMI, open NMI "
	  "window, interrupt with IF = 1 or MTF exit), which saves 1",
	  "cpu/event.cc handleWaitForEvent() makes the CPU active for a pending unmasked event (NMI, virtual-NMI "
	  "window, interrupt with IF = 1, MTF) before handleAsyncEvent() takes the highest one and VMexit()s, but "
	  "leaves the wait for an expired preemption timer without; VMexitSaveGuestState() saves activity_state; "
	  BOCHS_RUNS " (the timer: experiment 91, alone, and 92, with the NMI window)" },
	{ PLATFORM_BOCHS, BOCHS, QUIRK_NO_VIRTUAL_NMI_INJECTION_CHECK,
	  "VM entry does not refuse an NMI injection under virtual-NMI blocking (SDM 26.3.1.5): the entry "
	  "succeeds and G takes the NMI",
	  "VMenterLoadCheckGuestState() checks bits 1:0 only (\"VMCS guest interrupts blocked when injecting "
	  "NMI\"); the bit-3 check is commented out upstream (bochs-emu/Bochs #648, 2025); " BOCHS_RUNS },
	{ PLATFORM_BOCHS, BOCHS, QUIRK_NO_MTF_AFTER_ENTRY,
	  "no MTF exit follows a VM entry, whether it injects an event (experiments 68, 69, 84-86: G runs the "
	  "handler and returns without an exit) or not (81: none after G's first instruction); seen on "
	  "corei7_icelake_u (Bochs's default models with the monitor trap flag are it and tigerlake)",
	  "runs of both builds with --cpu corei7_icelake_u; upstream's handling of the monitor trap flag at VM "
	  "entry (the event signalled at entry, taken after one instruction) came after 2.7 (stlintel/Bochs #29, "
	  "2022)" },
	{ PLATFORM_BOCHS, BOCHS, QUIRK_HLT_HOLDS_INTERRUPT_WINDOW,
	  "an interrupt-window exit does not wake a guest that VM entry left in the HLT state (SDM 26.6.5: it "
	  "does): the exit comes only when an interrupt wakes G, ahead of that interrupt, and saves activity "
	  "state 0 (experiment 75)",
	  "cpu/event.cc handleWaitForEvent() wakes for pending interrupts with IF = 1, NMIs, MTF and the "
	  "virtual-NMI window, not for BX_EVENT_VMX_INTERRUPT_WINDOW_EXITING; " BOCHS_RUNS },

	/* QEMU 7.2 TCG (Debian 12): target/i386/tcg/seg_helper.c helper_iret_protected() clears
	 * HF2_NMI_MASK only after helper_ret_protected() returns; the #GP for the null CS longjmps
	 * out before that. */
	{ PLATFORM_QEMU_TCG, QEMU_TCG, QUIRK_FAULTING_IRET_KEEPS_BLOCKING,
	  "a faulting IRET leaves NMIs blocked (Vol. 3A 6.7.1: IRET unblocks NMIs even if it faults): the held "
	  "NMI is not taken at the #GP handler",
	  "QEMU 7.2 target/i386/tcg/seg_helper.c helper_iret_protected(): HF2_NMI_MASK is cleared after "
	  "helper_ret_protected(), which the #GP leaves by longjmp; runs of both builds" },

	/*
	 * SVM (model/svm.h). Bochs 2.7 with an AMD model (ryzen): cpu/svm.cc names the
	 * functions of the upstream source (bochs-emu/Bochs), read for the mechanism; the
	 * verdicts are 2.7's own, on runs of both builds. QEMU 7.2 TCG (Debian 12, 7.2.22):
	 * target/i386 lines of Debian's patched tree.
	 */
	{ PLATFORM_BOCHS, BOCHS, SVM_QUIRK_INJECTED_NMI_BLOCKS,
	  "an NMI injected with EVENTINJ masks further NMIs until an IRET (APM 15.20, Event Injection: \"An "
	  "injected NMI does not block delivery of further NMIs\"): an NMI sent inside the injected NMI's handler "
	  "waits for G's IRET, and after a VMMCALL from that handler H is still masked",
	  "cpu/svm.cc SvmInjectEvents() calls mask_event(BX_EVENT_NMI) for an injected NMI in the source 2.7 was "
	  "cut from (a later upstream revision drops it: \"injected NMI doesn't mask delivery of further NMIs\"); "
	  BOCHS_RUNS },
	{ PLATFORM_BOCHS, BOCHS, SVM_QUIRK_EXITINTINFO_STALE,
	  "a #VMEXIT during the delivery of a physical NMI records in EXITINTINFO the last event injected (or the "
	  "last exception delivered in the guest), valid, instead of the NMI (APM 15.7.2, Table 15-1: type 2); "
	  "re-injecting EXITINTINFO then injects that old event",
	  "cpu/svm.cc Svm_Vmexit() writes ctrls->exitintinfo | 0x80000000 when in_event; only SvmInjectEvents() and "
	  "SvmInterceptException() (for exceptions not intercepted) set ctrls->exitintinfo, never the delivery of "
	  "a hardware NMI or INTR; " BOCHS_RUNS },
	{ PLATFORM_BOCHS, BOCHS, SVM_QUIRK_EVENTINJ_KEEPS_EVENT,
	  "#VMEXIT clears only the valid bit of EVENTINJ and leaves the injected event's vector and type there "
	  "(APM Vol. 3, VMRUN: on #VMEXIT the processor clears the EVENTINJ field)",
	  "cpu/svm.cc Svm_Vmexit(): vmcb_write32(SVM_CONTROL32_EVENT_INJECTION, ctrls->eventinj & ~0x80000000); "
	  BOCHS_RUNS },
	{ PLATFORM_BOCHS, BOCHS, SVM_QUIRK_NRIP_NOT_RESET,
	  "after an intercept that is not an instruction's, nRIP is not reset to zero (APM 15.7.1, State Saved on "
	  "Exit: \"For all other intercepts, nRIP is reset to zero\"): it is the guest's RIP after an NMI or an "
	  "event's delivery, and the instruction after a faulting one (an IRET's #GP)",
	  "cpu/svm.cc Svm_Vmexit() writes RIP to SVM_CONTROL64_NRIP on every #VMEXIT when NRIP save is offered "
	  "(ryzen, zambezi, trinity_apu: CPUID 8000_000Ah:EDX = 0x44f), before RIP is rewound to prev_rip; "
	  BOCHS_RUNS },
	{ PLATFORM_QEMU_TCG, QEMU_TCG, SVM_QUIRK_EXITINTINFO_NMI_AS_EXCEPTION,
	  "a #VMEXIT during the delivery of a physical NMI records it in EXITINTINFO as an exception (0x80000302: "
	  "type 3, vector 2) instead of an NMI (APM 15.7.2, Table 15-1: type 2); re-injecting it is then "
	  "VMEXIT_INVALID (15.20: vector 2 is not an exception)",
	  "QEMU 7.2 target/i386/tcg/sysemu/seg_helper.c:93-97 handle_even_inj(): the type is SVM_EVTINJ_TYPE_SOFT "
	  "or SVM_EVTINJ_TYPE_EXEPT, never SVM_EVTINJ_TYPE_NMI; svm_helper.c:873-880 do_vmexit() copies it to "
	  "EXITINTINFO; runs of both builds" },
	{ PLATFORM_QEMU_TCG, QEMU_TCG, SVM_QUIRK_NP_ERROR_GATE_OFFSET,
	  "the #NP of a not-present IDT gate has as error code the gate's byte offset plus the IDT bit, without "
	  "EXT: 0x22 for gate 2 in long mode (vector x 16 + 2), 0x12 in 32-bit mode (APM Vol. 2 8.4.1, "
	  "Selector-Error Code: the index is the vector and EXT is 1 for an external event such as an NMI: 0x13)",
	  "QEMU 7.2 target/i386/tcg/seg_helper.c:909 do_interrupt64(): raise_exception_err(env, EXCP0B_NOSEG, "
	  "intno * 16 + 2); :648 and :679 (do_interrupt_protected) intno * 8 + 2; no EXT in either; runs of both "
	  "builds" },
	{ PLATFORM_QEMU_TCG, QEMU_TCG, SVM_QUIRK_VMRUN_IGNORES_SHADOW,
	  "VMRUN does not load INTERRUPT_SHADOW from the VMCB (APM 15.21.5, Interrupt Shadows: \"loaded on VMRUN\"): "
	  "an interrupt held at VMRUN is taken at the first guest instruction although the VMCB puts it in a "
	  "shadow, and an exit there saves INTERRUPT_SHADOW = 0",
	  "QEMU 7.2 target/i386/tcg/sysemu/svm_helper.c helper_vmrun() never reads control.int_state; do_vmexit() "
	  "only writes it (svm_helper.c:747-755); runs of both builds" },

	/* VMware Workstation 17.0.1: a user's serial log of experiment 17 (the report this
	 * project began from): after the entry that injected INTR 0x21 the guest ran on, and the
	 * NMI reached the host after the next VM exit (CPUID). */
	{ PLATFORM_VMWARE, VMWARE, QUIRK_INJECTION_HOLDS_PENDING_NMI,
	  "after a VM entry that injects an event, an NMI held for the guest is neither delivered nor exits in G "
	  "(the SDM: at the handler's first instruction); it reaches the host after the next VM exit",
	  "a user's serial log (VMware Workstation 17.0.1, build 21139696), experiment 17; not reproduced here" },
};

const unsigned deviation_count = sizeof(deviations) / sizeof(deviations[0]);

#define KVM_NOTE "reported for QEMU/KVM nested (2022-23)"
#define KVM_FIXED_NOTE "reported for QEMU/KVM nested (2022-23); a 2023 KVM patch was reported to fix it"
#define KVM_REF "reported by users (KVM bugzilla 217304); not reproduced here"
#define VMWARE_NOTE "reported for VMware Workstation 17.0.1"
#define VMWARE_REF "reported by a user (VMware Workstation 17.0.1); not reproduced here"

const struct reported_deviation reported_deviations[] = {
	{ PLATFORM_KVM, 2, KVM, KVM_NOTE, KVM_REF },
	{ PLATFORM_KVM, 3, KVM, KVM_FIXED_NOTE, KVM_REF },
	{ PLATFORM_KVM, 4, KVM, KVM_NOTE, KVM_REF },
	{ PLATFORM_KVM, 6, KVM, KVM_NOTE, KVM_REF },
	{ PLATFORM_KVM, 13, KVM, KVM_FIXED_NOTE, KVM_REF },
	{ PLATFORM_KVM, 14, KVM, KVM_FIXED_NOTE, KVM_REF },
	{ PLATFORM_KVM, 18, KVM, KVM_NOTE, KVM_REF },
	{ PLATFORM_KVM, 19, KVM, KVM_NOTE, KVM_REF },
	{ PLATFORM_KVM, 24, KVM, KVM_NOTE, KVM_REF },
	{ PLATFORM_VMWARE, 15, VMWARE, VMWARE_NOTE, VMWARE_REF },
	{ PLATFORM_VMWARE, 16, VMWARE, VMWARE_NOTE, VMWARE_REF },
};

const unsigned reported_deviation_count = sizeof(reported_deviations) / sizeof(reported_deviations[0]);

/* The quirk bits of a backend's model (model/model.h). */
static unsigned backend_quirk_bits(enum backend_kind backend)
{
	unsigned svm = ~0u << MODEL_SVM_FIRST_BIT;
	return backend == BACKEND_SVM ? svm : ~svm;
}

unsigned platform_quirks(enum platform_kind platform, enum backend_kind backend)
{
	unsigned quirks = 0;
	for (unsigned i = 0; i < deviation_count; i++)
		if (deviations[i].platform == platform)
			quirks |= deviations[i].quirk;
	return quirks & backend_quirk_bits(backend);
}

unsigned deviation_quirk_sets(unsigned *sets, unsigned max)
{
	unsigned n = 0;
	for (unsigned i = 0; i < deviation_count; i++) {
		unsigned quirks = platform_quirks(deviations[i].platform, BACKEND_VMX), k = 0;
		while (k < n && sets[k] != quirks)
			k++;
		if (k == n && n < max)
			sets[n++] = quirks;
	}
	return n;
}

const struct deviation *deviation_of(enum platform_kind platform, unsigned quirk)
{
	for (unsigned i = 0; i < deviation_count; i++)
		if (deviations[i].platform == platform && deviations[i].quirk == quirk)
			return &deviations[i];
	return 0;
}

const struct reported_deviation *reported_deviation_for(enum platform_kind platform, unsigned experiment)
{
	for (unsigned i = 0; i < reported_deviation_count; i++)
		if (reported_deviations[i].platform == platform && reported_deviations[i].experiment == experiment)
			return &reported_deviations[i];
	return 0;
}

const char *deviation_platform_name(enum platform_kind platform)
{
	for (unsigned i = 0; i < deviation_count; i++)
		if (deviations[i].platform == platform)
			return deviations[i].platform_name;
	for (unsigned i = 0; i < reported_deviation_count; i++)
		if (reported_deviations[i].platform == platform)
			return reported_deviations[i].platform_name;
	return 0;
}
