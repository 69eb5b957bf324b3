/*
 * The experiment catalogue, step for step, in the notation of experiments/experiment.h;
 * docs/experiments.md is generated from it. Numbers are stable: never renumber, add at
 * the end.
 * Expectations are what silicon does (1-30) or what the SDM prescribes (31 on); an
 * emulator that disagrees goes into experiments/deviations.c, never in here.
 */
#include "experiments/experiment.h"
#include "experiments/notation.h"

/* Common openings. "H blocked": H took an NMI and did not IRET. */
#define H_BLOCKED                                      \
	H(WAIT(SENDS(NMI), EXPECT(NMI_H))),            \
	H(WAIT(SENDS(INTR), EXPECT(INTR_H)))
#define H_BLOCKED_ONE_NMI_PENDING                      \
	H_BLOCKED,                                     \
	H(WAIT(SENDS(NMI, INTR), EXPECT(INTR_H)))
#define H_BLOCKED_TWO_NMIS_SENT                        \
	H_BLOCKED_ONE_NMI_PENDING,                     \
	H(WAIT(SENDS(NMI, INTR), EXPECT(INTR_H)))
/* Common ending: H is not blocked and still takes NMIs and interrupts normally. */
#define H_TAKES_NMI_THEN_INTR                          \
	H(WAIT(SENDS(NMI), EXPECT(NMI_H))),            \
	H(IRET(EXPECT_NONE())),                        \
	H(WAIT(SENDS(INTR), EXPECT(INTR_H)))

/*
 * SDM references: Vol. 3C, numbered as in the editions whose VMX chapters are 24 (VMCS),
 * 25 (VMX non-root operation), 26 (VM entries) and 27 (VM exits); editions from 2023 on
 * number them one to three higher, so every reference also names its section's title.
 */
#define SDM_NMI_EXITING "SDM 25.2 (NMI exiting: NMIs cause VM exits) / 25.3 (IRET and NMI blocking)"
#define SDM_VIRTUAL_NMIS "SDM 25.3 + 24.4.2 Table 24-3 (virtual NMIs: bit 3 is virtual-NMI blocking)"
#define SDM_BLOCKING_BIT "SDM 24.4.2 Table 24-3 (interruptibility state, blocking by NMI)"
#define SDM_ENTRY_BLOCKING "SDM 26.6.1 (interruptibility state: blocking after VM entry) / 27.1 (an NMI that causes a VM exit blocks NMIs once the exit completes) / 27.3.4 (saving non-register state)"
#define SDM_INJECTION "SDM 26.5.1.1 (details of vectored-event injection: an injected NMI blocks NMIs, or sets virtual-NMI blocking) / 26.6.1 (interruptibility state after VM entry)"
#define SDM_NMI_WINDOW "SDM 25.2 (other causes of VM exits) / 26.6.6 (NMI-window exiting after VM entry)"
#define SDM_IRET_FAULT "SDM 6.7.1 + 25.3 + 27.1/27.2.2 (IRET unblocks NMIs even if it faults; bit 12)"
/*
 * Where the NMI-window exit after a faulting IRET lands. The IRET begins with virtual-NMI
 * blocking, so no window exit comes before it; it removes that blocking although it
 * faults (25.3); the #GP, not in the exception bitmap, is delivered through G's IDT as
 * part of the IRET (25.2), with no instruction boundary in between. The first boundary
 * without virtual-NMI blocking is the first instruction of G's #GP handler, where the
 * window exit comes (25.2, App. C reason 8: "at the beginning of an instruction, there
 * was no virtual-NMI blocking"), and it is not an exit during event delivery (27.2.3:
 * IDT-vectoring invalid). An exit saved at the IRET would be one at an instruction that
 * began with blocking in effect, and a #GP that was never delivered although nothing made
 * it exit. 26.6.6 says the same for an injected exception ("these VM exits follow event
 * injection"): experiment 74 is that case.
 */
#define SDM_IRET_FAULT_WINDOW "SDM 25.3 (IRET removes virtual-NMI blocking even if it faults) / 25.2 (a #GP not in " \
	"the bitmap is delivered through G's IDT, as part of the IRET) / App. C reason 8, 26.6.6 (the NMI-window " \
	"exit comes at the first instruction without virtual-NMI blocking: G's #GP handler)"

/* Catalogue II (39 on): the rest of the SDM's rules on NMIs under VMX. */
#define SDM_ENTRY_CONTROLS "SDM 26.2.1.1 (checks on VM-execution control fields: virtual NMIs need NMI exiting, " \
	"NMI-window exiting needs virtual NMIs) / 26.2 and 30.4 (a failed check is VMfailValid, error 7)"
#define SDM_ENTRY_VECTOR "SDM 26.2.1.3 (checks on VM-entry control fields: an injected NMI has vector 2) / " \
	"26.2 and 30.4 (VMfailValid, error 7)"
#define SDM_ENTRY_GUEST_NMI "SDM 26.3.1.5 (checks on guest non-register state: blocking by NMI must be 0 to " \
	"inject an NMI with virtual NMIs) / 26.7 (VM-entry failure: exit reason 33 with bit 31, qualification 0)"
#define SDM_ENTRY_GUEST_NMI_NOTE "SDM 26.3.1.5, note (with virtual NMIs = 0 there is no requirement that " \
	"blocking by NMI be 0 to inject an NMI)"
#define SDM_ENTRY_MOV_SS "SDM 26.3.1.5 (blocking by MOV-SS must be 0 to inject an NMI) / 26.7 (the valid bit " \
	"of the VM-entry interruption information is not cleared; the guest-state area is not modified)"
#define SDM_ENTRY_STI "SDM 26.3.1.5 (a processor may require blocking by STI to be 0 to inject an NMI; " \
	"others may not) / 26.7 (qualification 3 names that failure): implementation-specific, measured"
#define SDM_ENTRY_FAIL_BLOCKING "SDM 26.7 (after a VM entry fails on guest state, blocking by NMI is what it " \
	"was before the VM entry)"
#define SDM_SHADOW_MOV_SS "SDM 26.6.1 (blocking by MOV-SS given at VM entry lasts one instruction) / 25.2, " \
	"App. C reason 8 (no NMI-window exit while events are blocked by MOV SS)"
#define SDM_SHADOW_STI "SDM 24.4.2 Table 24-3 (blocking by STI blocks interrupts, and optionally other " \
	"events, for one instruction): implementation-specific, measured"
#define SDM_SHADOW_HELD_NMI "SDM 26.6.1 (after VM entry NMIs are blocked only for ordinary reasons, such as " \
	"MOV SS) / Vol. 3A 6.8.3 (MOV SS inhibits events until after the next instruction)"
#define SDM_WINDOW_AFTER_INJECTION "SDM 26.6.6 (NMI-window exits follow event injection) / 27.2.3 (not an exit " \
	"during event delivery: IDT-vectoring invalid)"
#define SDM_HLT_ENTRY "SDM 26.6.2 (a VM entry that is not vectoring ends in the activity state the VMCS " \
	"names) / 26.6.6 (NMI-window exits wake a processor that just entered HLT by VM entry)"
#define SDM_HLT_VECTORING "SDM 26.6.2 (a vectoring VM entry leaves the processor active) / 26.6.6"
#define SDM_HLT_WAKE "SDM 26.6.2 / 25.2 (with NMI exiting 0 an NMI is delivered through the guest IDT, " \
	"and it ends the HLT)"
#define SDM_HLT_SAVED "SDM 27.3.4 (the activity state saved is the one before the VM exit) / 27.1 (an event " \
	"that exits directly returns the processor to the active state only after the exit)"
#define SDM_DELIVERY_EXIT "SDM 27.2.3 (IDT-vectoring information of an exit during NMI delivery) / 27.1 (an " \
	"NMI whose delivery causes an exit blocks NMIs before the exit) / 31.7.1.2 (the VMM re-injects it)"
#define SDM_DELIVERY_EXIT_VNMI "SDM 27.1 (with virtual NMIs, an injected NMI whose delivery causes an exit " \
	"leaves virtual-NMI blocking in effect) / 27.2.3 / 26.3.1.5 and 31.7.1.2 (re-injection with B = 0)"
#define SDM_PRIORITY_TIMER "SDM 25.2 (VMX-preemption timer exits take priority over NMI-window exits) / " \
	"26.6.4 (a timer of 0 exits before the first guest instruction, after event injection)"
#define SDM_PRIORITY_MTF "SDM 25.5.2 (with the monitor trap flag, a VM entry that injects an event has an " \
	"MTF exit pending before the first instruction after it: the handler's)"
#define SDM_PRIORITY_WINDOWS "SDM 26.6.6 (NMI-window exits take priority over NMIs) / 25.2 (NMIs take " \
	"priority over interrupt-window exits)"
#define SDM_PRIORITY_NMI_OVER_INTRW "SDM 25.2 and 26.6.5 (NMIs and higher priority events take priority " \
	"over interrupt-window exits)"
#define SDM_HOST_BLOCKED_AFTER_EXIT "SDM 27.1 (an NMI that causes a VM exit blocks subsequent NMIs once the " \
	"exit completes) / Vol. 3A 6.7.1 (until the next IRET)"
#define SDM_INTR_WINDOW_WAKES_HLT "SDM 26.6.5 (Interrupt-Window Exiting: these VM exits wake the logical processor " \
	"if it just entered the HLT state because of a VM entry) / 27.3.4 (Saving Non-Register State: the activity " \
	"state before the exit, HLT)"
/* Family 8 (75 on): the rule inventory's gaps (docs/rules.md). */
#define SDM_BITMAP_NOT_NMI "SDM 24.6.3 (Exception Bitmap: exceptions 0-31; an NMI is not an exception, NMI exiting " \
	"alone decides) / 25.2 (Other Causes of VM Exits)"
#define SDM_INT2 "SDM Vol. 3A 6.3.3 (Software-Generated Interrupts: INT 2 calls the NMI handler, but the " \
	"processor's NMI-handling hardware is not activated) / 25.2 (Other Causes of VM Exits: NMI exiting is for NMIs)"
#define SDM_ENTRY_ERROR_CODE "SDM 26.2.1.3 (VM-Entry Control Fields: deliver-error-code is 1 only for a hardware " \
	"exception that pushes one) / 30.4 (VM Instruction Error Numbers: 7)"
#define SDM_ENTRY_STI_IF "SDM 26.3.1.5 (Checks on Guest Non-Register State: blocking by STI must be 0 if " \
	"RFLAGS.IF = 0) / 26.7 (VM-Entry Failures During or After Loading Guest State)"
#define SDM_ENTRY_HLT_SHADOW "SDM 26.3.1.5 (Checks on Guest Non-Register State: the HLT activity state requires " \
	"blocking by STI and MOV-SS = 0) / 26.7"
#define SDM_INJECTION_NOT_BITMAPPED "SDM 26.5.1.2 (VM Exits During Event Injection: an injected exception does not " \
	"cause a VM exit by itself, whatever the exception bitmap says)"
#define SDM_MTF_INSTRUCTION "SDM 25.5.2 (Monitor Trap Flag: an MTF exit comes at the boundary after the guest's " \
	"first instruction)"
#define SDM_TIMER_SHADOW "SDM 25.2 / 26.6.4 (VMX-Preemption Timer: the exit comes before the first instruction; " \
	"whether blocking by MOV-SS holds it off is not said: measured)"
#define SDM_PRIORITY_TIMER_NMI "SDM 25.2 (Other Causes of VM Exits: preemption-timer exits rank above NMIs) / " \
	"26.6.1 (NMIs are unblocked by an entry with bit 3 = 0) / 27.5.5 (the held NMI reaches the host after the exit)"
#define SDM_PRIORITY_MTF_PAIRS "SDM 25.5.2 (Monitor Trap Flag: MTF exits take priority over debug traps and " \
	"lower-priority events: the preemption timer, NMI-window exits, NMIs)"
#define SDM_PRIORITY_TIMER_INTRW "SDM 25.2 / 26.6.4 / 26.6.5 (the preemption timer's exit ranks above the interrupt " \
	"window's)"
#define SDM_CHECKS_ANY_ORDER "SDM 26.2 (Checks on VMX Controls and Host-State Area: checks in any order) / " \
	"26.2.1.1, 26.2.1.3 (two failed checks at once; both are error 7)"
/* Family 4 (59-65). */
#define SDM_EPT_BIT12 "SDM 27.2.1 (Exit Qualification for EPT Violations: bit 12, NMI unblocking due to IRET)"
#define SDM_EPT_IRET_CLEARS "27.1 (Architectural State before a VM Exit: an EPT violation during IRET clears " \
	"blocking by NMI, or virtual-NMI blocking, before the exit)"
#define SDM_EPT_WINDOW "25.2 / 26.6.6 (NMI-window exiting: the exit comes before the first instruction " \
	"that begins without virtual-NMI blocking, after the VM entry if there is none)"
#define SDM_EPT_REBLOCK "31.7.1.2 (Resuming Guest Software after Handling an Exception: the VMM sets " \
	"blocking by NMI again)"
/* The EPT violation of the IRET's frame read (Table 27-7): bits 2:0 the access, 5:3 the
 * permissions found, 7 and 8 a guest-linear address translated to the page itself. */
#define EPT_QUAL_MASK 0x11bfu
#define EPT_QUAL_FRAME_READ 0x181u /* a data read, page not present, linear address valid */
#define EPT_QUAL_BIT12 0x1000u

const struct experiment catalogue[] = {
	{ .number = 1, .title = "(0,0,0,0): an NMI in G goes through G's IDT; IRET in G then finds nothing pending",
	  .rule = SDM_NMI_EXITING, .basis = BASIS_SILICON,
	  STEPS(H(SET(0, 0, 0, 0)),
		G(WAIT(SENDS(NMI), EXPECT(NMI_G))),
		G(IRET(EXPECT_NONE())),
		G(WAIT(SENDS(INTR), EXPECT(INTR_G)))) },

	{ .number = 2, .title = "(0,0,1,0): G blocked by the VMCS bit; the NMI stays pending across a VM exit, IRET in G releases one",
	  .rule = SDM_BLOCKING_BIT, .basis = BASIS_SILICON,
	  STEPS(H(SET(0, 0, 1, 0)),
		G(WAIT(SENDS(NMI, INTR), EXPECT(INTR_G))),
		H(CHECK_B(1)),
		H(SINCE_ENTRY(EXPECT_NONE())),
		H(WAIT(SENDS(NMI, INTR), EXPECT(INTR_H))),
		G(IRET(EXPECT(NMI_G))),
		G(IRET(EXPECT_NONE()))) },

	{ .number = 3, .title = "H blocked with one NMI pending; VM entry with (0,0,0,0) delivers it to G right after entry",
	  .rule = SDM_ENTRY_BLOCKING, .basis = BASIS_SILICON,
	  STEPS(H_BLOCKED_ONE_NMI_PENDING,
		H(SET(0, 0, 0, 0)),
		G(SINCE_ENTRY(EXPECT(NMI_G))),
		G(IRET(EXPECT_NONE()))) },

	{ .number = 4, .title = "(0,0,1,0): after a VM exit H is still NMI-blocked; H's IRET releases the pending NMI",
	  .rule = SDM_ENTRY_BLOCKING, .basis = BASIS_SILICON,
	  STEPS(H(SET(0, 0, 1, 0)),
		G(VMCALL()),
		H(WAIT(SENDS(NMI, INTR), EXPECT(INTR_H))),
		H(IRET(EXPECT(NMI_H))),
		H(IRET(EXPECT_NONE())),
		G(IRET(EXPECT_NONE()))) },

	{ .number = 5, .title = "(1,0,0,0): an NMI in G causes a VM exit (at HLT)",
	  .rule = SDM_NMI_EXITING, .basis = BASIS_SILICON,
	  STEPS(H(SET(1, 0, 0, 0)),
		G(WAIT(SENDS(NMI), EXPECT(EXIT_NMI))),
		H(MEASURE_EXIT(EXIT_NMI, "Intel hardware: 1 and 1; KVM: 0 and 1; Bochs: 0 and 0")),
		H(IRET(EXPECT_NONE())),
		G(WAIT(SENDS(INTR), EXPECT(INTR_G)))) },

	{ .number = 6, .title = "(1,0,1,0): G blocked; the NMI does not exit, IRET in G does not unblock, IRET in H does",
	  .rule = SDM_NMI_EXITING, .basis = BASIS_SILICON,
	  STEPS(H(SET(1, 0, 1, 0)),
		G(WAIT(SENDS(NMI, INTR), EXPECT(INTR_G))),
		G(IRET(EXPECT_NONE())),
		H(CHECK_B(1)),
		H(IRET(EXPECT(NMI_H))),
		H(IRET(EXPECT_NONE())),
		H(SET(1, 0, 0, 0))) },

	{ .number = 7, .title = "H blocked with one NMI pending; VM entry with (1,0,0,0) exits at once for the NMI",
	  .rule = SDM_ENTRY_BLOCKING, .basis = BASIS_SILICON,
	  STEPS(H_BLOCKED_ONE_NMI_PENDING,
		H(SET(1, 0, 0, 0)),
		G(SINCE_ENTRY(EXPECT(EXIT_NMI))),
		H(CHECK_B(0)),
		H(IRET(EXPECT_NONE()))) },

	{ .number = 8, .title = "(1,1,0,0): an NMI in G causes a VM exit (at HLT), with virtual NMIs",
	  .rule = SDM_VIRTUAL_NMIS, .basis = BASIS_SILICON,
	  STEPS(H(SET(1, 1, 0, 0)),
		G(WAIT(SENDS(NMI), EXPECT(EXIT_NMI))),
		H(IRET(EXPECT_NONE())),
		G(WAIT(SENDS(INTR), EXPECT(INTR_G)))) },

	{ .number = 9, .title = "(1,1,1,0): virtual-NMI blocking does not block real NMIs; they still exit",
	  .rule = SDM_VIRTUAL_NMIS, .basis = BASIS_SILICON,
	  STEPS(H(SET(1, 1, 1, 0)),
		G(WAIT(SENDS(NMI), EXPECT(EXIT_NMI))),
		G(WAIT(SENDS(INTR), EXPECT(INTR_G))),
		H(CHECK_B(1)),
		H(IRET(EXPECT_NONE()))) },

	{ .number = 10, .title = "H blocked with one NMI pending; VM entry with (1,1,0,0) exits at once for the NMI",
	  .rule = SDM_ENTRY_BLOCKING, .basis = BASIS_SILICON,
	  STEPS(H_BLOCKED_ONE_NMI_PENDING,
		H(SET(1, 1, 0, 0)),
		G(SINCE_ENTRY(EXPECT(EXIT_NMI))),
		H(CHECK_B(0)),
		H(IRET(EXPECT_NONE()))) },

	{ .number = 11, .title = "H blocked with one NMI pending; VM entry with (1,1,1,0) exits at once for the NMI",
	  .rule = SDM_ENTRY_BLOCKING, .basis = BASIS_SILICON,
	  STEPS(H_BLOCKED_ONE_NMI_PENDING,
		H(SET(1, 1, 1, 0)),
		G(SINCE_ENTRY(EXPECT(EXIT_NMI))),
		H(CHECK_B(1)),
		H(IRET(EXPECT_NONE()))) },

	{ .number = 12, .title = "(1,1,1,0): IRET in G removes virtual-NMI blocking",
	  .rule = SDM_VIRTUAL_NMIS, .basis = BASIS_SILICON,
	  STEPS(H(SET(1, 1, 1, 0)),
		G(IRET(EXPECT_NONE())),
		H(CHECK_B(0)),
		H_TAKES_NMI_THEN_INTR) },

	{ .number = 13, .title = "H blocked, nothing pending; a VM entry with (1,1,0,0) and the next VM exit leave H unblocked",
	  .rule = SDM_ENTRY_BLOCKING, .basis = BASIS_SILICON,
	  STEPS(H_BLOCKED,
		H(SET(1, 1, 0, 0)),
		G(VMCALL()),
		H(CHECK_B(0)),
		H_TAKES_NMI_THEN_INTR) },

	{ .number = 14, .title = "H blocked, nothing pending; a VM entry with (1,1,1,0) and the next VM exit leave H unblocked",
	  .rule = SDM_ENTRY_BLOCKING, .basis = BASIS_SILICON,
	  STEPS(H_BLOCKED,
		H(SET(1, 1, 1, 0)),
		G(VMCALL()),
		H(CHECK_B(1)),
		H_TAKES_NMI_THEN_INTR) },

	{ .number = 15, .title = "H blocked with one NMI pending; (0,0,0,0) + inject(INTR 0x21): NMI@G at the injected handler's first instruction",
	  .rule = SDM_INJECTION, .basis = BASIS_SILICON,
	  STEPS(H_BLOCKED_ONE_NMI_PENDING,
		H(SET(0, 0, 0, 0)),
		H(INJECT_INTR(INJECTED)),
		G(SINCE_ENTRY(EXPECT_ONE(EV_AT_G_HANDLER(NMI_G, INJECTED)))),
		H(CHECK_B(1)),
		H(IRET(EXPECT_NONE())),
		H(SET(0, 0, 0, 0))) },

	{ .number = 16, .title = "H blocked with one NMI pending; (1,0,0,0) + inject(INTR 0x21): EXIT_NMI at the injected handler's first instruction",
	  .rule = SDM_INJECTION, .basis = BASIS_SILICON,
	  STEPS(H_BLOCKED_ONE_NMI_PENDING,
		H(SET(1, 0, 0, 0)),
		H(INJECT_INTR(INJECTED)),
		G(SINCE_ENTRY(EXPECT_ONE(EV_AT_G_HANDLER(EXIT_NMI, INJECTED)))),
		H(CHECK_B(0)),
		H(IRET(EXPECT_NONE())),
		H(SET(0, 0, 0, 0))) },

	{ .number = 17, .title = "H blocked with one NMI pending; (1,1,1,0) + inject(INTR 0x21): EXIT_NMI at the injected handler's first instruction",
	  .rule = SDM_VIRTUAL_NMIS, .basis = BASIS_SILICON,
	  STEPS(H_BLOCKED_ONE_NMI_PENDING,
		H(SET(1, 1, 1, 0)),
		H(INJECT_INTR(INJECTED)),
		G(SINCE_ENTRY(EXPECT_ONE(EV_AT_G_HANDLER(EXIT_NMI, INJECTED)))),
		H(CHECK_B(1)),
		H(IRET(EXPECT_NONE())),
		H(SET(0, 0, 0, 0))) },

	{ .number = 18, .title = "(0,0,0,0) + inject(NMI), H not blocked: NMI@G, and the saved blocking-by-NMI bit reads 0",
	  .rule = SDM_INJECTION, .basis = BASIS_SILICON,
	  STEPS(H_TAKES_NMI_THEN_INTR,
		H(SET(0, 0, 0, 0)),
		H(INJECT_NMI()),
		G(SINCE_ENTRY(EXPECT(NMI_G))),
		H(CHECK_B(0)),
		H(IRET(EXPECT_NONE())),
		H(SET(0, 0, 0, 0))) },

	{ .number = 19, .title = "(1,0,0,0) + inject(NMI): NMI@G; B reads 0 and H is not blocked",
	  .rule = SDM_INJECTION, .basis = BASIS_SILICON,
	  STEPS(H(SET(1, 0, 0, 0)),
		H(INJECT_NMI()),
		G(SINCE_ENTRY(EXPECT(NMI_G))),
		H(CHECK_B(0)),
		H_TAKES_NMI_THEN_INTR,
		H(SET(0, 0, 0, 0))) },

	{ .number = 20, .title = "(1,1,0,0) + inject(NMI): the injection sets virtual-NMI blocking (B reads 1); H is not blocked",
	  .rule = SDM_INJECTION, .basis = BASIS_SILICON,
	  STEPS(H(SET(1, 1, 0, 0)),
		H(INJECT_NMI()),
		G(SINCE_ENTRY(EXPECT(NMI_G))),
		H(CHECK_B(1)),
		H_TAKES_NMI_THEN_INTR,
		H(SET(0, 0, 0, 0))) },

	{ .number = 21, .title = "(1,1,0,1): no virtual-NMI blocking, so an NMI-window exit right after VM entry",
	  .rule = SDM_NMI_WINDOW, .basis = BASIS_SILICON,
	  STEPS(H(SET(1, 1, 0, 1)),
		G(SINCE_ENTRY(EXPECT(EXIT_NMIW))),
		H(CHECK_XVBW(1, 1, 0, 0)),
		H_TAKES_NMI_THEN_INTR,
		H(SET(0, 0, 0, 0))) },

	{ .number = 22, .title = "(1,1,1,1): virtual-NMI blocking holds the NMI window shut",
	  .rule = SDM_NMI_WINDOW, .basis = BASIS_SILICON,
	  STEPS(H(SET(1, 1, 1, 1)),
		G(SINCE_ENTRY(EXPECT_NONE())),
		H(CHECK_XVBW(1, 1, 1, 1)),
		H_TAKES_NMI_THEN_INTR,
		H(SET(0, 0, 0, 0))) },

	{ .number = 23, .title = "(1,1,1,1): IRET in G opens the NMI window: EXIT_NMIW right after the IRET",
	  .rule = SDM_NMI_WINDOW, .basis = BASIS_SILICON,
	  STEPS(H(SET(1, 1, 1, 1)),
		G(SINCE_ENTRY(EXPECT_NONE())),
		G(IRET(EXPECT(EXIT_NMIW))),
		H(CHECK_XVBW(1, 1, 0, 0)),
		H_TAKES_NMI_THEN_INTR,
		H(SET(0, 0, 0, 0))) },

	{ .number = 24, .title = "H blocked with one NMI pending; (1,1,0,1): the NMI-window exit, then the NMI lands in H at the VM-exit entry",
	  .rule = SDM_NMI_WINDOW, .basis = BASIS_SILICON,
	  STEPS(H_BLOCKED_ONE_NMI_PENDING,
		H(SET(1, 1, 0, 1)),
		G(SINCE_ENTRY(EXPECT_PAIR(EV_AT(NMI_H, AT_HOST_EXIT_ENTRY), EV_AT(EXIT_NMIW, AT_AFTER_VMCALL)))),
		H(CHECK_XVBW(1, 1, 0, 0)),
		H(IRET(EXPECT_NONE())),
		H(SET(0, 0, 0, 0))) },

	{ .number = 25, .title = "(1,1,0,1) + inject(NMI): the injection sets virtual-NMI blocking first; IRET in G opens the window",
	  .rule = SDM_NMI_WINDOW, .basis = BASIS_SILICON,
	  STEPS(H(SET(1, 1, 0, 1)),
		H(INJECT_NMI()),
		G(SINCE_ENTRY(EXPECT(NMI_G))),
		G(IRET(EXPECT(EXIT_NMIW))),
		H(CHECK_XVBW(1, 1, 0, 0)),
		H_TAKES_NMI_THEN_INTR,
		H(SET(0, 0, 0, 0))) },

	{ .number = 26, .title = "H blocked with one NMI pending; (1,1,0,0) + inject(NMI): the injected NMI first, then the pending one exits",
	  .rule = SDM_INJECTION, .basis = BASIS_SILICON,
	  STEPS(H_BLOCKED_ONE_NMI_PENDING,
		H(SET(1, 1, 0, 0)),
		H(INJECT_NMI()),
		G(SINCE_ENTRY(EXPECT_PAIR(EV_AT_G_HANDLER(EXIT_NMI, VEC_NMI), EV_AT(NMI_G, AT_AFTER_VMCALL)))),
		H(CHECK_XVBW(1, 1, 1, 0)),
		H(IRET(EXPECT_NONE())),
		H(SET(0, 0, 0, 0))) },

	{ .number = 27, .title = "H blocked, two NMIs sent while blocked; VM entry with (0,0,0,0): G gets one, one is lost",
	  .rule = SDM_ENTRY_BLOCKING, .basis = BASIS_SILICON,
	  STEPS(H_BLOCKED_TWO_NMIS_SENT,
		H(SET(0, 0, 0, 0)),
		G(SINCE_ENTRY(EXPECT(NMI_G))),
		G(IRET(EXPECT_NONE())),
		H(CHECK_XVBW(0, 0, 0, 0)),
		H(IRET(EXPECT_NONE()))) },

	{ .number = 28, .title = "H blocked, two NMIs sent while blocked; VM entry with (1,0,0,0): one exit, one NMI lost",
	  .rule = SDM_ENTRY_BLOCKING, .basis = BASIS_SILICON,
	  STEPS(H_BLOCKED_TWO_NMIS_SENT,
		H(SET(1, 0, 0, 0)),
		G(SINCE_ENTRY(EXPECT(EXIT_NMI))),
		G(IRET(EXPECT_NONE())),
		H(CHECK_XVBW(1, 0, 0, 0)),
		H(IRET(EXPECT_NONE())),
		H(SET(0, 0, 0, 0))) },

	{ .number = 29, .title = "host only: three NMIs sent while H is blocked; H's IRET releases exactly one",
	  .rule = "SDM Vol. 3A 6.7.1 (handling multiple NMIs: at most one is held pending)", .basis = BASIS_SILICON,
	  STEPS(H_BLOCKED_TWO_NMIS_SENT,
		H(WAIT(SENDS(NMI, INTR), EXPECT(INTR_H))),
		H(IRET(EXPECT(NMI_H))),
		H(IRET(EXPECT_NONE())),
		H(IRET(EXPECT_NONE()))) },

	{ .number = 30, .title = "H blocked, two NMIs sent while blocked; VM entry with (1,1,0,0): one exit, one NMI lost",
	  .rule = SDM_ENTRY_BLOCKING, .basis = BASIS_SILICON,
	  STEPS(H_BLOCKED_TWO_NMIS_SENT,
		H(SET(1, 1, 0, 0)),
		G(SINCE_ENTRY(EXPECT(EXIT_NMI))),
		G(IRET(EXPECT_NONE())),
		H(CHECK_XVBW(1, 1, 0, 0)),
		H(IRET(EXPECT_NONE())),
		H(SET(0, 0, 0, 0))) },

	/* 31-38: IRET that faults. Expectations from the SDM, not yet confirmed on silicon. */

	{ .number = 31, .title = "host only: H blocked with one NMI pending; a faulting IRET in H still unblocks: NMI@H at H's #GP entry",
	  .rule = SDM_IRET_FAULT, .basis = BASIS_SDM,
	  STEPS(H(WAIT(SENDS(NMI), EXPECT(NMI_H))),
		H(WAIT(SENDS(NMI, INTR), EXPECT(INTR_H))),
		H(FIRET(EXPECT_ONE(EV_AT_H_HANDLER(NMI_H, VEC_GP)))),
		H(IRET(EXPECT_NONE()))) },

	{ .number = 32, .title = "(0,0,1,0), G blocked with one NMI pending; a faulting IRET in G: NMI@G at G's #GP entry",
	  .rule = SDM_IRET_FAULT, .basis = BASIS_SDM,
	  STEPS(H(SET(0, 0, 1, 0)),
		G(WAIT(SENDS(NMI, INTR), EXPECT(INTR_G))),
		G(FIRET(EXPECT_ONE(EV_AT_G_HANDLER(NMI_G, VEC_GP)))),
		G(IRET(EXPECT_NONE())),
		H(CHECK_B(0))) },

	{ .number = 33, .title = "(0,0,1,0) + #GP exiting: the faulting IRET exits with bit 12 = 1 and saved B = 0",
	  .rule = SDM_IRET_FAULT, .basis = BASIS_SDM,
	  STEPS(H(SET(0, 0, 1, 0)),
		H(GP_EXITING(1)),
		G(FIRET(EXPECT(EXIT_GP))),
		H(CHECK_BIT12(1)),
		H(CHECK_B(0)),
		H(GP_EXITING(0))) },

	{ .number = 34, .title = "(0,0,1,0) + #GP exiting, one NMI pending: NMI@H at the VM-exit entry, then EXIT_GP with bit 12 = 1",
	  .rule = SDM_IRET_FAULT, .basis = BASIS_SDM,
	  STEPS(H(SET(0, 0, 1, 0)),
		H(GP_EXITING(1)),
		G(WAIT(SENDS(NMI, INTR), EXPECT(INTR_G))),
		G(FIRET(EXPECT_PAIR(EV_AT(NMI_H, AT_HOST_EXIT_ENTRY), EV(EXIT_GP)))),
		H(CHECK_BIT12(1)),
		H(CHECK_B(0)),
		H(IRET(EXPECT_NONE())),
		H(GP_EXITING(0))) },

	{ .number = 35, .title = "(1,1,1,0) + #GP exiting: the faulting IRET exits with bit 12 = 1 and saved B = 0",
	  .rule = SDM_IRET_FAULT, .basis = BASIS_SDM,
	  STEPS(H(SET(1, 1, 1, 0)),
		H(GP_EXITING(1)),
		G(FIRET(EXPECT(EXIT_GP))),
		H(CHECK_BIT12(1)),
		H(CHECK_B(0)),
		H(GP_EXITING(0)),
		H(SET(0, 0, 0, 0))) },

	{ .number = 36, .title = "(1,1,1,1): a faulting IRET removes virtual-NMI blocking: EXIT_NMIW at G's #GP entry",
	  .rule = SDM_IRET_FAULT_WINDOW, .basis = BASIS_SDM,
	  STEPS(H(SET(1, 1, 1, 1)),
		G(SINCE_ENTRY(EXPECT_NONE())),
		G(FIRET(EXPECT_ONE(EV_AT_G_HANDLER(EXIT_NMIW, VEC_GP)))),
		H(CHECK_XVBW(1, 1, 0, 0)),
		H(SET(0, 0, 0, 0))) },

	{ .number = 37, .title = "(1,0,1,0), G blocked with one NMI pending: a faulting IRET changes nothing; H's IRET releases the NMI",
	  .rule = SDM_IRET_FAULT, .basis = BASIS_SDM,
	  STEPS(H(SET(1, 0, 1, 0)),
		G(WAIT(SENDS(NMI, INTR), EXPECT(INTR_G))),
		G(FIRET(EXPECT_NONE())),
		H(CHECK_B(1)),
		H(IRET(EXPECT(NMI_H))),
		H(IRET(EXPECT_NONE())),
		H(SET(0, 0, 0, 0))) },

	{ .number = 38, .title = "control case, nothing blocked: a faulting IRET exits with bit 12 = 0",
	  .rule = SDM_IRET_FAULT, .basis = BASIS_SDM,
	  STEPS(H(SET(0, 0, 0, 0)),
		H(GP_EXITING(1)),
		G(FIRET(EXPECT(EXIT_GP))),
		H(CHECK_BIT12(0)),
		H(CHECK_B(0)),
		H(GP_EXITING(0))) },

	/* Family 1: VM-entry checks that involve NMIs. A refused entry is an observation
	 * of the VMENTRY step; the VMCS then is as the run of H steps found it. */

	{ .number = 39, .title = "set(0,1,0,0): virtual NMIs without NMI exiting are refused (VMfailValid 7); (1,1,0,0) next to it enters",
	  .rule = SDM_ENTRY_CONTROLS, .basis = BASIS_SDM,
	  STEPS(H(SET(0, 1, 0, 0)),
		H(VMENTRY(EXPECT_ONE(EV_VMFAIL(7)))),
		H(SET(1, 1, 0, 0)),
		G(SINCE_ENTRY(EXPECT_NONE())),
		H(CHECK_XVBW(1, 1, 0, 0)),
		H(SET(0, 0, 0, 0))) },

	{ .number = 40, .title = "set(1,0,0,1): NMI-window exiting without virtual NMIs is refused (VMfailValid 7); (1,1,0,1) next to it exits for the window",
	  .rule = SDM_ENTRY_CONTROLS, .basis = BASIS_SDM,
	  STEPS(H(SET(1, 0, 0, 1)),
		H(VMENTRY(EXPECT_ONE(EV_VMFAIL(7)))),
		H(SET(1, 1, 0, 1)),
		G(SINCE_ENTRY(EXPECT(EXIT_NMIW))),
		H(CHECK_XVBW(1, 1, 0, 0)),
		H(SET(0, 0, 0, 0))) },

	{ .number = 41, .title = "inject(NMI) with vector 0x21 is refused (VMfailValid 7); vector 2 next to it is delivered",
	  .rule = SDM_ENTRY_VECTOR, .basis = BASIS_SDM,
	  STEPS(H(SET(0, 0, 0, 0)),
		H(INJECT_NMI_VECTOR(INJECTED)),
		H(VMENTRY(EXPECT_ONE(EV_VMFAIL(7)))),
		H(INJECT_NMI()),
		G(SINCE_ENTRY(EXPECT(NMI_G))),
		G(IRET(EXPECT_NONE()))) },

	{ .number = 42, .title = "(1,1,1,0) + inject(NMI): injecting an NMI under virtual-NMI blocking is invalid guest state; (1,1,0,0) next to it delivers",
	  .rule = SDM_ENTRY_GUEST_NMI, .basis = BASIS_SDM,
	  STEPS(H(SET(1, 1, 1, 0)),
		H(INJECT_NMI()),
		H(VMENTRY(EXPECT_ONE(EV_BAD_GUEST(0)))),
		H(SET(1, 1, 0, 0)),
		H(INJECT_NMI()),
		G(SINCE_ENTRY(EXPECT(NMI_G))),
		H(CHECK_B(1)),
		H(SET(0, 0, 0, 0))) },

	{ .number = 43, .title = "(0,0,1,0) + inject(NMI): without virtual NMIs the injection is allowed under blocking by NMI: NMI@G",
	  .rule = SDM_ENTRY_GUEST_NMI_NOTE, .basis = BASIS_SDM,
	  STEPS(H(SET(0, 0, 1, 0)),
		H(INJECT_NMI()),
		G(SINCE_ENTRY(EXPECT(NMI_G))),
		G(IRET(EXPECT_NONE())),
		H(SET(0, 0, 0, 0))) },

	{ .number = 44, .title = "blocking by MOV-SS + inject(NMI): invalid guest state, the VMCS left as written; the shadow alone enters",
	  .rule = SDM_ENTRY_MOV_SS, .basis = BASIS_SDM,
	  STEPS(H(SET(0, 0, 0, 0)),
		H(SHADOW(MOV_SS)),
		H(INJECT_NMI()),
		H(VMENTRY(EXPECT_ONE(EV_BAD_GUEST(0)))),
		H(CHECK_EXIT(ENTRY_BAD_GUEST, ENTRY_INFO, 0x80000fffu, 0x80000202u)),
		H(CHECK_EXIT(ENTRY_BAD_GUEST, INTERRUPTIBILITY, 0xfu, 0x2u)),
		H(SHADOW(MOV_SS)),
		G(SINCE_ENTRY(EXPECT_NONE()))) },

	{ .number = 45, .title = "blocking by STI + inject(NMI): whether the entry is refused is the processor's choice (measured)",
	  .rule = SDM_ENTRY_STI, .basis = BASIS_SDM,
	  STEPS(H(SET(0, 0, 0, 0)),
		H(SHADOW(STI)),
		H(INJECT_NMI()),
		H(VMENTRY(EXPECT_EITHER(EV_BAD_GUEST_ANY, EV_AT(NMI_G, AT_AFTER_VMCALL)))),
		G(IRET(EXPECT_NONE())),
		H(SET(0, 0, 0, 0))) },

	{ .number = 46, .title = "H blocked; a VM entry refused for its guest state leaves H blocked: the NMI sent then lands at H's IRET",
	  .rule = SDM_ENTRY_FAIL_BLOCKING, .basis = BASIS_SDM,
	  STEPS(H_BLOCKED,
		H(SET(0, 0, 0, 0)),
		H(SHADOW(MOV_SS)),
		H(INJECT_NMI()),
		H(VMENTRY(EXPECT_ONE(EV_BAD_GUEST(0)))),
		H(WAIT(SENDS(NMI, INTR), EXPECT(INTR_H))),
		H(IRET(EXPECT(NMI_H))),
		H(IRET(EXPECT_NONE()))) },

	/* Family 2: shadows (interruptibility bits 0 and 1) given at VM entry. */

	{ .number = 47, .title = "(1,1,0,1) + blocking by MOV-SS at VM entry: the NMI-window exit comes one instruction later",
	  .rule = SDM_SHADOW_MOV_SS, .basis = BASIS_SDM,
	  STEPS(H(SET(1, 1, 0, 1)),
		H(SHADOW(MOV_SS)),
		G(SINCE_ENTRY(EXPECT_ONE(EV_AT(EXIT_NMIW, AT_AFTER_VMCALL_NEXT)))),
		H(CHECK_SAVED_SHADOW(EXIT_NMIW, 0)),
		H(CHECK_XVBW(1, 1, 0, 0)),
		H(SET(0, 0, 0, 0))) },

	{ .number = 48, .title = "(1,1,0,1) + blocking by STI at VM entry: whether the NMI-window exit waits one instruction is the processor's choice (measured)",
	  .rule = SDM_SHADOW_STI, .basis = BASIS_SDM,
	  STEPS(H(SET(1, 1, 0, 1)),
		H(SHADOW(STI)),
		G(SINCE_ENTRY(EXPECT_EITHER(EV_AT(EXIT_NMIW, AT_AFTER_VMCALL), EV_AT(EXIT_NMIW, AT_AFTER_VMCALL_NEXT)))),
		H(CHECK_XVBW(1, 1, 0, 0)),
		H(SET(0, 0, 0, 0))) },

	{ .number = 49, .title = "H blocked with one NMI pending; (0,0,0,0) + blocking by MOV-SS: NMI@G one instruction after VM entry",
	  .rule = SDM_SHADOW_HELD_NMI, .basis = BASIS_SDM,
	  STEPS(H_BLOCKED_ONE_NMI_PENDING,
		H(SET(0, 0, 0, 0)),
		H(SHADOW(MOV_SS)),
		G(SINCE_ENTRY(EXPECT_ONE(EV_AT(NMI_G, AT_AFTER_VMCALL_NEXT)))),
		G(IRET(EXPECT_NONE()))) },

	{ .number = 50, .title = "H blocked with one NMI pending; (1,0,0,0) + blocking by MOV-SS: EXIT_NMI one instruction after VM entry",
	  .rule = SDM_SHADOW_HELD_NMI, .basis = BASIS_SDM,
	  STEPS(H_BLOCKED_ONE_NMI_PENDING,
		H(SET(1, 0, 0, 0)),
		H(SHADOW(MOV_SS)),
		G(SINCE_ENTRY(EXPECT_ONE(EV_AT(EXIT_NMI, AT_AFTER_VMCALL_NEXT)))),
		H(CHECK_SAVED_SHADOW(EXIT_NMI, 0)),
		H(IRET(EXPECT_NONE())),
		H(SET(0, 0, 0, 0))) },

	/* Family 3: event delivery, the HLT activity state, exits during delivery. */

	{ .number = 51, .title = "(1,1,0,1) + inject(INTR 0x21): the NMI-window exit follows the injection: EXIT_NMIW at G's handler 0x21",
	  .rule = SDM_WINDOW_AFTER_INJECTION, .basis = BASIS_SDM,
	  STEPS(H(SET(1, 1, 0, 1)),
		H(INJECT_INTR(INJECTED)),
		G(SINCE_ENTRY(EXPECT_ONE(EV_AT_G_HANDLER(EXIT_NMIW, INJECTED)))),
		H(CHECK_IDTV(EXIT_NMIW, 0)),
		H(CHECK_XVBW(1, 1, 0, 0)),
		H(SET(0, 0, 0, 0))) },

	{ .number = 52, .title = "(1,1,0,1) + inject(#DB): the NMI-window exit follows the injected exception: EXIT_NMIW at G's #DB handler",
	  .rule = SDM_WINDOW_AFTER_INJECTION, .basis = BASIS_SDM,
	  STEPS(H(SET(1, 1, 0, 1)),
		H(INJECT_EXC(VEC_DB)),
		G(SINCE_ENTRY(EXPECT_ONE(EV_AT_G_HANDLER(EXIT_NMIW, VEC_DB)))),
		H(CHECK_IDTV(EXIT_NMIW, 0)),
		H(CHECK_XVBW(1, 1, 0, 0)),
		H(SET(0, 0, 0, 0))) },

	{ .number = 53, .title = "(1,1,0,1), VM entry into HLT: the NMI-window exit wakes G at once, at the entry's rip",
	  .rule = SDM_HLT_ENTRY, .basis = BASIS_SDM,
	  STEPS(H(SET(1, 1, 0, 1)),
		H(ENTER_HLT()),
		G(SINCE_ENTRY(EXPECT(EXIT_NMIW))),
		H(CHECK_IDTV(EXIT_NMIW, 0)),
		H(CHECK_ACTIVITY(EXIT_NMIW, 1)),
		H(CHECK_XVBW(1, 1, 0, 0)),
		H(SET(0, 0, 0, 0))) },

	{ .number = 54, .title = "(1,1,0,1), VM entry into HLT injecting INTR 0x21: the entry is vectoring, G active: EXIT_NMIW at G's handler 0x21",
	  .rule = SDM_HLT_VECTORING, .basis = BASIS_SDM,
	  STEPS(H(SET(1, 1, 0, 1)),
		H(ENTER_HLT()),
		H(INJECT_INTR(INJECTED)),
		G(SINCE_ENTRY(EXPECT_ONE(EV_AT_G_HANDLER(EXIT_NMIW, INJECTED)))),
		H(CHECK_ACTIVITY(EXIT_NMIW, 0)),
		H(CHECK_XVBW(1, 1, 0, 0)),
		H(SET(0, 0, 0, 0))) },

	{ .number = 55, .title = "(0,0,0,0), VM entry into HLT: an NMI sent after the entry wakes G: NMI@G at the entry's rip",
	  .rule = SDM_HLT_WAKE, .basis = BASIS_SDM,
	  STEPS(H(SET(0, 0, 0, 0)),
		H(ENTER_HLT()),
		H(SEND_AFTER_ENTRY(SENDS(NMI))),
		G(SINCE_ENTRY(EXPECT(NMI_G))),
		G(IRET(EXPECT_NONE()))) },

	{ .number = 56, .title = "(1,0,0,0): an NMI exit taken while G is halted saves activity state HLT",
	  .rule = SDM_HLT_SAVED, .basis = BASIS_SDM,
	  STEPS(H(SET(1, 0, 0, 0)),
		G(WAIT(SENDS(NMI), EXPECT(EXIT_NMI)), SETTLE()),
		H(CHECK_ACTIVITY(EXIT_NMI, 1)),
		H(IRET(EXPECT_NONE())),
		H(SET(0, 0, 0, 0))) },

	{ .number = 57, .title = "(0,0,0,0), G's NMI gate not present, #NP exiting: the exit during NMI delivery saves IDT-vectoring NMI and B=1; re-injected, G gets one NMI",
	  .rule = SDM_DELIVERY_EXIT, .basis = BASIS_SDM,
	  STEPS(H(SET(0, 0, 0, 0)),
		H(NMI_GATE(0)),
		H(EXC_EXITING(VEC_NP, 1)),
		G(WAIT(SENDS(NMI), EXPECT(EXIT_NP))),
		H(CHECK_INFO(EXIT_NP, 0x80000b0bu)),
		H(CHECK_ERROR(EXIT_NP, 0x13u)),
		H(CHECK_IDTV(EXIT_NP, 0x80000202u)),
		H(CHECK_SAVED_B(EXIT_NP, 1)),
		H(NMI_GATE(1)),
		H(EXC_EXITING(VEC_NP, 0)),
		H(REINJECT(EXIT_NP)),
		G(SINCE_ENTRY(EXPECT(NMI_G))),
		G(IRET(EXPECT_NONE())),
		H(CHECK_B(0))) },

	{ .number = 58, .title = "(1,1,0,0) + inject(NMI), NMI gate not present, #NP exiting: exit during delivery, virtual-NMI blocking saved; re-injected, G gets one NMI",
	  .rule = SDM_DELIVERY_EXIT_VNMI, .basis = BASIS_SDM,
	  STEPS(H(SET(1, 1, 0, 0)),
		H(NMI_GATE(0)),
		H(EXC_EXITING(VEC_NP, 1)),
		H(INJECT_NMI()),
		G(SINCE_ENTRY(EXPECT(EXIT_NP))),
		H(CHECK_INFO(EXIT_NP, 0x80000b0bu)),
		H(CHECK_ERROR(EXIT_NP, 0x13u)),
		H(CHECK_IDTV(EXIT_NP, 0x80000202u)),
		H(CHECK_SAVED_B(EXIT_NP, 1)),
		H(NMI_GATE(1)),
		H(EXC_EXITING(VEC_NP, 0)),
		H(REINJECT(EXIT_NP)),
		G(SINCE_ENTRY(EXPECT(NMI_G))),
		H(CHECK_B(1)),
		G(IRET(EXPECT_NONE())),
		H(CHECK_B(0)),
		H(SET(0, 0, 0, 0))) },

	/*
	 * Family 4: NMI unblocking due to IRET with EPT (SDM 27.2.1, 27.1, 31.7.1.2).
	 * G's IRET reads its frame from a page the host made not present in the EPT (an
	 * identity map, on only here). The engine takes the EPT violation only at that IRET
	 * and on that page (anything else ends the experiment with the qualification and
	 * addresses), maps the page again, re-blocks if the step says so, and resumes G at
	 * the IRET. REBLOCK applies 31.7.1.2, written for an IRET that faults with virtual
	 * NMIs (bit 12 of the interruption information), to the EPT violation's bit 12, as
	 * KVM does; only 63 depends on it (64 is the same without it). Qualification mask
	 * 0x11bf: bits 2:0 (access: a data read), 5:3 (the page's permissions: none), 7 and
	 * 8 (a linear address, translated to the page itself) and 12; bits 6 and 9-11 are
	 * left out.
	 */

	{ .number = 59, .title = "(0,0,1,0), EPT: G's IRET reads its frame from a page the EPT does not map: EPT violation with bit 12 = 1 and B = 0 at the exit; H re-blocks, the re-executed IRET unblocks",
	  .rule = SDM_EPT_BIT12 " + " SDM_EPT_IRET_CLEARS " + " SDM_EPT_REBLOCK, .basis = BASIS_SDM,
	  STEPS(H(EPT(1)),
		H(SET(0, 0, 1, 0)),
		H(EPT_ARM_IRET(REBLOCK)),
		G(EIRET(EXPECT(EXIT_EPT))),
		H(CHECK_QUAL(EXIT_EPT, EPT_QUAL_MASK, EPT_QUAL_FRAME_READ | EPT_QUAL_BIT12)),
		H(CHECK_IDTV(EXIT_EPT, 0)),
		H(CHECK_SAVED_B(EXIT_EPT, 0)),
		H(CHECK_B(0)),
		H(EPT(0))) },

	{ .number = 60, .title = "(1,1,1,0), EPT: the same with virtual NMIs: bit 12 = 1, virtual-NMI blocking clear at the exit",
	  .rule = SDM_EPT_BIT12 " + " SDM_EPT_IRET_CLEARS " + " SDM_EPT_REBLOCK, .basis = BASIS_SDM,
	  STEPS(H(EPT(1)),
		H(SET(1, 1, 1, 0)),
		H(EPT_ARM_IRET(REBLOCK)),
		G(EIRET(EXPECT(EXIT_EPT))),
		H(CHECK_QUAL(EXIT_EPT, EPT_QUAL_MASK, EPT_QUAL_FRAME_READ | EPT_QUAL_BIT12)),
		H(CHECK_IDTV(EXIT_EPT, 0)),
		H(CHECK_SAVED_B(EXIT_EPT, 0)),
		H(CHECK_B(0)),
		H(EPT(0)),
		H(SET(0, 0, 0, 0))) },

	{ .number = 61, .title = "(0,0,0,0), EPT: control case, nothing blocked before the IRET: the EPT violation has bit 12 = 0",
	  .rule = SDM_EPT_BIT12 " ('For all other relevant VM exits, bit 12 is cleared to 0')", .basis = BASIS_SDM,
	  STEPS(H(EPT(1)),
		H(SET(0, 0, 0, 0)),
		H(EPT_ARM_IRET(REBLOCK)),
		G(EIRET(EXPECT(EXIT_EPT))),
		H(CHECK_QUAL(EXIT_EPT, EPT_QUAL_MASK, EPT_QUAL_FRAME_READ)),
		H(CHECK_IDTV(EXIT_EPT, 0)),
		H(CHECK_SAVED_B(EXIT_EPT, 0)),
		H(CHECK_B(0)),
		H(EPT(0))) },

	{ .number = 62, .title = "(1,0,1,0), EPT: NMI exiting without virtual NMIs: bit 12 is undefined (measured); the IRET leaves blocking by NMI set",
	  .rule = "SDM 25.3 (IRET with NMI exiting = 1 does not affect blocking of NMIs) + 27.2.1 (Exit "
		  "Qualification for EPT Violations: bit 12 is undefined with NMI exiting = 1 and virtual NMIs = 0; "
		  "measured, not judged)", .basis = BASIS_SDM,
	  STEPS(H(EPT(1)),
		H(SET(1, 0, 1, 0)),
		H(EPT_ARM_IRET(RESTORE_ONLY)),
		G(EIRET(EXPECT(EXIT_EPT))),
		H(MEASURE(EXIT_EPT, QUALIFICATION, "bit 12 (0x1000) is undefined here, SDM 27.2.1")),
		H(CHECK_QUAL(EXIT_EPT, EPT_QUAL_MASK & ~EPT_QUAL_BIT12, EPT_QUAL_FRAME_READ)),
		H(CHECK_SAVED_B(EXIT_EPT, 1)),
		H(CHECK_B(1)),
		H(IRET(EXPECT_NONE())),
		H(EPT(0)),
		H(SET(0, 0, 0, 0))) },

	{ .number = 63, .title = "(1,1,1,1), EPT: H re-blocks after the violation, so the re-executed IRET opens the NMI window once: EXIT_NMIW right after the IRET",
	  .rule = SDM_EPT_BIT12 " + " SDM_EPT_IRET_CLEARS " + " SDM_EPT_REBLOCK " + " SDM_EPT_WINDOW, .basis = BASIS_SDM,
	  STEPS(H(EPT(1)),
		H(SET(1, 1, 1, 1)),
		H(EPT_ARM_IRET(REBLOCK)),
		G(SINCE_ENTRY(EXPECT_NONE())),
		G(EIRET(EXPECT_PAIR(EV(EXIT_EPT), EV_AT(EXIT_NMIW, AT_AFTER_PAGE_IRET)))),
		H(CHECK_QUAL(EXIT_EPT, EPT_QUAL_MASK, EPT_QUAL_FRAME_READ | EPT_QUAL_BIT12)),
		H(CHECK_SAVED_B(EXIT_EPT, 0)),
		H(CHECK_XVBW(1, 1, 0, 0)),
		H(EPT(0)),
		H(SET(0, 0, 0, 0))) },

	{ .number = 64, .title = "(1,1,1,1), EPT: H does not re-block, so the window is open at the VM entry: EXIT_NMIW at the IRET, before it executes again",
	  .rule = "SDM " SDM_EPT_IRET_CLEARS " + " SDM_EPT_WINDOW, .basis = BASIS_SDM,
	  STEPS(H(EPT(1)),
		H(SET(1, 1, 1, 1)),
		H(EPT_ARM_IRET(RESTORE_ONLY)),
		G(SINCE_ENTRY(EXPECT_NONE())),
		G(EIRET(EXPECT_PAIR(EV(EXIT_EPT), EV_AT(EXIT_NMIW, AT_PAGE_IRET)))),
		H(CHECK_SAVED_B(EXIT_EPT, 0)),
		H(CHECK_XVBW(1, 1, 0, 0)),
		H(EPT(0)),
		H(SET(0, 0, 0, 0))) },

	{ .number = 65, .title = "(0,0,1,0), EPT, one NMI pending while G is blocked: the violation clears blocking, so the NMI lands in H at the VM-exit entry, once; bit 12 = 1",
	  .rule = SDM_EPT_BIT12 " + " SDM_EPT_IRET_CLEARS " (so the pending NMI is taken after the exit)", .basis = BASIS_SDM,
	  STEPS(H(EPT(1)),
		H(SET(0, 0, 1, 0)),
		H(EPT_ARM_IRET(REBLOCK)),
		G(WAIT(SENDS(NMI, INTR), EXPECT(INTR_G))),
		G(EIRET(EXPECT_PAIR(EV_AT(NMI_H, AT_HOST_EXIT_ENTRY), EV(EXIT_EPT)))),
		H(CHECK_QUAL(EXIT_EPT, EPT_QUAL_MASK, EPT_QUAL_FRAME_READ | EPT_QUAL_BIT12)),
		H(CHECK_SAVED_B(EXIT_EPT, 0)),
		H(CHECK_B(0)),
		H(IRET(EXPECT_NONE())),
		H(EPT(0))) },

	/* Family 5: priorities among concurrent events. */

	{ .number = 66, .title = "(1,1,0,1) + preemption timer 0: the timer exit comes before the NMI-window exit",
	  .rule = SDM_PRIORITY_TIMER, .basis = BASIS_SDM,
	  STEPS(H(SET(1, 1, 0, 1)),
		H(PREEMPT_TIMER(0)),
		G(SINCE_ENTRY(EXPECT_PAIR(EV_AT(EXIT_PREEMPT, AT_AFTER_VMCALL), EV_AT(EXIT_NMIW, AT_AFTER_VMCALL)))),
		H(CHECK_XVBW(1, 1, 0, 0)),
		H(SET(0, 0, 0, 0))) },

	{ .number = 67, .title = "(1,1,0,0) + inject(NMI) + preemption timer 0: the timer exit follows the injection, at G's NMI handler",
	  .rule = SDM_PRIORITY_TIMER, .basis = BASIS_SDM,
	  STEPS(H(SET(1, 1, 0, 0)),
		H(INJECT_NMI()),
		H(PREEMPT_TIMER(0)),
		G(SINCE_ENTRY(EXPECT_PAIR(EV_AT_G_HANDLER(EXIT_PREEMPT, VEC_NMI), EV_AT(NMI_G, AT_AFTER_VMCALL)))),
		H(CHECK_B(1)),
		H(SET(0, 0, 0, 0))) },

	{ .number = 68, .title = "(1,1,0,0) + inject(NMI) + monitor trap flag: the MTF exit lands at the first instruction of G's NMI handler",
	  .rule = SDM_PRIORITY_MTF, .basis = BASIS_SDM,
	  STEPS(H(SET(1, 1, 0, 0)),
		H(INJECT_NMI()),
		H(MTF(1)),
		G(SINCE_ENTRY(EXPECT_PAIR(EV_AT_G_HANDLER(EXIT_MTF, VEC_NMI), EV_AT(NMI_G, AT_AFTER_VMCALL)))),
		H(CHECK_B(1)),
		H(SET(0, 0, 0, 0))) },

	{ .number = 69, .title = "(0,0,0,0) + inject(NMI) + monitor trap flag: the MTF exit lands at G's NMI handler without NMI exiting too",
	  .rule = SDM_PRIORITY_MTF, .basis = BASIS_SDM,
	  STEPS(H(SET(0, 0, 0, 0)),
		H(INJECT_NMI()),
		H(MTF(1)),
		G(SINCE_ENTRY(EXPECT_PAIR(EV_AT_G_HANDLER(EXIT_MTF, VEC_NMI), EV_AT(NMI_G, AT_AFTER_VMCALL)))),
		G(IRET(EXPECT_NONE()))) },

	{ .number = 70, .title = "(1,1,0,1) + interrupt-window exiting, nothing blocked: the NMI-window exit comes first",
	  .rule = SDM_PRIORITY_WINDOWS, .basis = BASIS_SDM,
	  STEPS(H(SET(1, 1, 0, 1)),
		H(INTR_WINDOW(1)),
		H(GUEST_IF(1)),
		G(SINCE_ENTRY(EXPECT_PAIR(EV_AT(EXIT_NMIW, AT_AFTER_VMCALL), EV_AT(EXIT_INTRW, AT_AFTER_VMCALL)))),
		H(CHECK_XVBW(1, 1, 0, 0)),
		H(SET(0, 0, 0, 0))) },

	{ .number = 71, .title = "H blocked with one NMI pending; (1,0,0,0) + interrupt-window exiting: EXIT_NMI comes before the interrupt-window exit",
	  .rule = SDM_PRIORITY_NMI_OVER_INTRW, .basis = BASIS_SDM,
	  STEPS(H_BLOCKED_ONE_NMI_PENDING,
		H(SET(1, 0, 0, 0)),
		H(INTR_WINDOW(1)),
		H(GUEST_IF(1)),
		G(SINCE_ENTRY(EXPECT_PAIR(EV_AT(EXIT_NMI, AT_AFTER_VMCALL), EV_AT(EXIT_INTRW, AT_AFTER_VMCALL)))),
		H(IRET(EXPECT_NONE())),
		H(SET(0, 0, 0, 0))) },

	/* Family 6: the host's blocking after an NMI exit, seen inside that exit. */

	{ .number = 72, .title = "(1,0,0,0): after an NMI exit H is NMI-blocked: an NMI sent to H before its IRET stays pending and lands at that IRET",
	  .rule = SDM_HOST_BLOCKED_AFTER_EXIT, .basis = BASIS_SDM,
	  STEPS(H(SET(1, 0, 0, 0)),
		G(WAIT(SENDS(NMI), EXPECT(EXIT_NMI)), HOST_AT_EXIT()),
		H(WAIT(SENDS(NMI, INTR), EXPECT(INTR_H))),
		H(IRET(EXPECT(NMI_H))),
		H(IRET(EXPECT_NONE())),
		G(WAIT(SENDS(INTR), EXPECT(INTR_G))),
		H(SET(0, 0, 0, 0))) },

	{ .number = 73, .title = "(1,1,0,0): after an NMI exit H is NMI-blocked with virtual NMIs too: the NMI sent to H lands at its IRET",
	  .rule = SDM_HOST_BLOCKED_AFTER_EXIT, .basis = BASIS_SDM,
	  STEPS(H(SET(1, 1, 0, 0)),
		G(WAIT(SENDS(NMI), EXPECT(EXIT_NMI)), HOST_AT_EXIT()),
		H(WAIT(SENDS(NMI, INTR), EXPECT(INTR_H))),
		H(IRET(EXPECT(NMI_H))),
		H(IRET(EXPECT_NONE())),
		G(WAIT(SENDS(INTR), EXPECT(INTR_G))),
		H(SET(0, 0, 0, 0))) },

	/* Family 7: experiment 36's sibling, without the IRET. */

	{ .number = 74, .title = "(1,1,0,1) + inject(#GP(0)): the NMI-window exit follows the injected exception: EXIT_NMIW at G's #GP entry",
	  .rule = SDM_WINDOW_AFTER_INJECTION, .basis = BASIS_SDM,
	  STEPS(H(SET(1, 1, 0, 1)),
		H(INJECT_EXC_ERR(VEC_GP, 0)),
		G(SINCE_ENTRY(EXPECT_ONE(EV_AT_G_HANDLER(EXIT_NMIW, VEC_GP)))),
		H(CHECK_IDTV(EXIT_NMIW, 0)),
		H(CHECK_XVBW(1, 1, 0, 0)),
		H(SET(0, 0, 0, 0))) },

	/* Family 8 (75 on): rules the model's inventory (docs/rules.md) found without an
	 * experiment, and pairings random scenarios found the platforms disagree on. */

	{ .number = 75, .title = "(0,0,0,0) + interrupt-window exiting, VM entry into HLT with IF = 1: the interrupt-window exit wakes G at once, saving activity state HLT",
	  .rule = SDM_INTR_WINDOW_WAKES_HLT, .basis = BASIS_SDM,
	  STEPS(H(SET(0, 0, 0, 0)),
		H(INTR_WINDOW(1)),
		H(ENTER_HLT()),
		G(SINCE_ENTRY(EXPECT(EXIT_INTRW))),
		H(CHECK_ACTIVITY(EXIT_INTRW, 1))) },

	{ .number = 76, .title = "(0,0,0,0) + exception bitmap bit 2: an NMI is not an exception, it still goes through G's IDT",
	  .rule = SDM_BITMAP_NOT_NMI, .basis = BASIS_SDM,
	  STEPS(H(SET(0, 0, 0, 0)),
		H(EXC_EXITING(VEC_NMI, 1)),
		G(WAIT(SENDS(NMI), EXPECT(NMI_G))),
		G(IRET(EXPECT_NONE())),
		H(EXC_EXITING(VEC_NMI, 0))) },

	{ .number = 77, .title = "inject(NMI) with deliver-error-code = 1 is refused (VMfailValid 7); without it the NMI is delivered",
	  .rule = SDM_ENTRY_ERROR_CODE, .basis = BASIS_SDM,
	  STEPS(H(SET(0, 0, 0, 0)),
		H(INJECT_NMI_WITH_ERROR(0)),
		H(VMENTRY(EXPECT_ONE(EV_VMFAIL(7)))),
		H(INJECT_NMI()),
		G(SINCE_ENTRY(EXPECT(NMI_G))),
		G(IRET(EXPECT_NONE()))) },

	{ .number = 78, .title = "blocking by STI with RFLAGS.IF = 0 at VM entry is invalid guest state; H's NMI blocking is untouched",
	  .rule = SDM_ENTRY_STI_IF, .basis = BASIS_SDM,
	  STEPS(H(SET(0, 0, 0, 0)),
		H(SHADOW(STI)),
		H(GUEST_IF(0)),
		H(VMENTRY(EXPECT_ONE(EV_BAD_GUEST(0)))),
		H(CHECK_SAVED_SHADOW(ENTRY_BAD_GUEST, 1)),
		H(WAIT(SENDS(NMI), EXPECT(NMI_H))),
		H(IRET(EXPECT_NONE()))) },

	{ .number = 79, .title = "VM entry into HLT with blocking by MOV-SS is invalid guest state; the entry after it runs G",
	  .rule = SDM_ENTRY_HLT_SHADOW, .basis = BASIS_SDM,
	  STEPS(H(SET(0, 0, 0, 0)),
		H(ENTER_HLT()),
		H(SHADOW(MOV_SS)),
		H(VMENTRY(EXPECT_ONE(EV_BAD_GUEST(0)))),
		H(CHECK_ACTIVITY(ENTRY_BAD_GUEST, 1)),
		G(SINCE_ENTRY(EXPECT_NONE())),
		G(WAIT(SENDS(NMI), EXPECT(NMI_G))),
		G(IRET(EXPECT_NONE()))) },

	{ .number = 80, .title = "#GP exiting + inject(#GP(0)): the injected #GP goes to G's handler without a VM exit",
	  .rule = SDM_INJECTION_NOT_BITMAPPED, .basis = BASIS_SDM,
	  STEPS(H(SET(0, 0, 0, 0)),
		H(GP_EXITING(1)),
		H(INJECT_EXC_ERR(VEC_GP, 0)),
		G(SINCE_ENTRY(EXPECT_NONE())),
		H(GP_EXITING(0))) },

	{ .number = 81, .title = "(0,0,0,0) + monitor trap flag, nothing injected: the MTF exit comes after G's first instruction",
	  .rule = SDM_MTF_INSTRUCTION, .basis = BASIS_SDM,
	  STEPS(H(SET(0, 0, 0, 0)),
		H(MTF(1)),
		G(SINCE_ENTRY(EXPECT_ONE(EV_AT(EXIT_MTF, AT_AFTER_VMCALL_NEXT)))),
		H(CHECK_XVBW(0, 0, 0, 0))) },

	{ .number = 82, .title = "preemption timer 0 + blocking by MOV-SS at VM entry: whether the timer exit waits one instruction is the processor's (measured)",
	  .rule = SDM_TIMER_SHADOW, .basis = BASIS_SDM,
	  STEPS(H(SET(0, 0, 0, 0)),
		H(PREEMPT_TIMER(0)),
		H(SHADOW(MOV_SS)),
		G(SINCE_ENTRY(EXPECT_EITHER(EV_AT(EXIT_PREEMPT, AT_AFTER_VMCALL), EV_AT(EXIT_PREEMPT, AT_AFTER_VMCALL_NEXT))))) },

	{ .number = 83, .title = "H blocked with one NMI pending; (1,0,0,0) + preemption timer 0: the timer exit comes first, then H takes the NMI",
	  .rule = SDM_PRIORITY_TIMER_NMI, .basis = BASIS_SDM,
	  STEPS(H(WAIT(SENDS(NMI, NMI), EXPECT(NMI_H))),
		H(SET(1, 0, 0, 0)),
		H(PREEMPT_TIMER(0)),
		G(SINCE_ENTRY(EXPECT_PAIR(EV_AT(NMI_H, AT_HOST_EXIT_ENTRY), EV(EXIT_PREEMPT)))),
		H(IRET(EXPECT_NONE())),
		H(SET(0, 0, 0, 0))) },

	{ .number = 84, .title = "(0,0,0,0) + inject(#DB) + monitor trap flag + preemption timer 0: the MTF exit comes before the timer's",
	  .rule = SDM_PRIORITY_MTF_PAIRS, .basis = BASIS_SDM,
	  STEPS(H(SET(0, 0, 0, 0)),
		H(INJECT_EXC(VEC_DB)),
		H(MTF(1)),
		H(PREEMPT_TIMER(0)),
		G(SINCE_ENTRY(EXPECT_PAIR(EV_AT_G_HANDLER(EXIT_MTF, VEC_DB), EV_AT_G_HANDLER(EXIT_PREEMPT, VEC_DB))))) },

	{ .number = 85, .title = "(1,1,0,1) + inject(#DB) + monitor trap flag: the MTF exit comes before the NMI-window exit",
	  .rule = SDM_PRIORITY_MTF_PAIRS, .basis = BASIS_SDM,
	  STEPS(H(SET(1, 1, 0, 1)),
		H(INJECT_EXC(VEC_DB)),
		H(MTF(1)),
		G(SINCE_ENTRY(EXPECT_PAIR(EV_AT_G_HANDLER(EXIT_MTF, VEC_DB), EV_AT_G_HANDLER(EXIT_NMIW, VEC_DB)))),
		H(SET(0, 0, 0, 0))) },

	{ .number = 86, .title = "H blocked with one NMI pending; (1,0,0,0) + inject(#DB) + monitor trap flag: the MTF exit comes first, then H takes the NMI",
	  .rule = SDM_PRIORITY_MTF_PAIRS, .basis = BASIS_SDM,
	  STEPS(H(WAIT(SENDS(NMI, NMI), EXPECT(NMI_H))),
		H(SET(1, 0, 0, 0)),
		H(INJECT_EXC(VEC_DB)),
		H(MTF(1)),
		G(SINCE_ENTRY(EXPECT_PAIR(EV_AT(NMI_H, AT_HOST_EXIT_ENTRY), EV_AT_G_HANDLER(EXIT_MTF, VEC_DB)))),
		H(IRET(EXPECT_NONE())),
		H(SET(0, 0, 0, 0))) },

	{ .number = 87, .title = "(0,0,0,0) + interrupt-window exiting with IF = 1 + preemption timer 0: the timer exit comes first",
	  .rule = SDM_PRIORITY_TIMER_INTRW, .basis = BASIS_SDM,
	  STEPS(H(SET(0, 0, 0, 0)),
		H(GUEST_IF(1)),
		H(INTR_WINDOW(1)),
		H(PREEMPT_TIMER(0)),
		G(SINCE_ENTRY(EXPECT_PAIR(EV(EXIT_PREEMPT), EV(EXIT_INTRW))))) },

	{ .number = 88, .title = "(0,1,0,0) + inject(NMI) with vector 0x21: two control checks fail at once (virtual NMIs without NMI exiting; an NMI not on vector 2): VMfailValid 7",
	  .rule = SDM_CHECKS_ANY_ORDER, .basis = BASIS_SDM,
	  STEPS(H(SET(0, 1, 0, 0)),
		H(INJECT_NMI_VECTOR(INJECTED)),
		H(VMENTRY(EXPECT_ONE(EV_VMFAIL(7)))),
		H(SET(0, 0, 0, 0)),
		G(SINCE_ENTRY(EXPECT_NONE()))) },

	{ .number = 89, .title = "(0,0,0,0): INT 2 in G runs G's NMI handler but is not an NMI: it blocks nothing, and an NMI sent next is delivered",
	  .rule = SDM_INT2, .basis = BASIS_SDM,
	  STEPS(H(SET(0, 0, 0, 0)),
		G(INT2(EXPECT(NMI_G))),
		G(WAIT(SENDS(NMI), EXPECT(NMI_G))),
		G(IRET(EXPECT_NONE()))) },

	{ .number = 90, .title = "(1,1,0,0): INT 2 in G does not exit and sets no virtual-NMI blocking; an NMI sent next exits",
	  .rule = SDM_INT2, .basis = BASIS_SDM,
	  STEPS(H(SET(1, 1, 0, 0)),
		G(INT2(EXPECT(NMI_G))),
		H(CHECK_B(0)),
		G(WAIT(SENDS(NMI), EXPECT(EXIT_NMI))),
		H(IRET(EXPECT_NONE())),
		H(SET(0, 0, 0, 0))) },

	{ .number = 91, .title = "(0,0,0,0) + preemption timer 0, VM entry into HLT: the timer's exit saves activity state HLT",
	  .rule = SDM_HLT_SAVED, .basis = BASIS_SDM,
	  STEPS(H(SET(0, 0, 0, 0)),
		H(PREEMPT_TIMER(0)),
		H(ENTER_HLT()),
		G(SINCE_ENTRY(EXPECT(EXIT_PREEMPT))),
		H(CHECK_ACTIVITY(EXIT_PREEMPT, 1))) },

	{ .number = 92, .title = "(1,1,0,1) + preemption timer 0, VM entry into HLT: the timer's exit comes first and saves activity state HLT (the NMI window is open too); the NMI-window exit follows",
	  .rule = SDM_HLT_SAVED, .basis = BASIS_SDM,
	  STEPS(H(SET(1, 1, 0, 1)),
		H(PREEMPT_TIMER(0)),
		H(ENTER_HLT()),
		G(SINCE_ENTRY(EXPECT_PAIR(EV(EXIT_PREEMPT), EV(EXIT_NMIW)))),
		H(CHECK_ACTIVITY(EXIT_PREEMPT, 1)),
		H(SET(0, 0, 0, 0))) },
};

const unsigned catalogue_size = sizeof(catalogue) / sizeof(catalogue[0]);
