/*
 * The experiment catalogue, step for step, in the notation of experiments/experiment.h;
 * docs/experiments.md is generated from it. Numbers are stable: never renumber, add at
 * the end.
 * Expectations are what silicon does (1-30) or what the SDM prescribes (31-38); an
 * emulator that disagrees goes into experiments/deviations.c, never in here.
 */
#include "experiments/experiment.h"

#include "machine/layout.h"

#define INJECTED VEC_INJECTED /* the injected external interrupt, 0x21 */

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
#define SDM_ENTRY_BLOCKING "SDM 26.6.1 (blocking after VM entry) / 27.3.4, 27.5 (NMI blocking saved and set by VM exits)"
#define SDM_INJECTION "SDM 26.6.1.2 (VM entries and event injection; NMI injection and blocking)"
#define SDM_NMI_WINDOW "SDM 25.2 (other causes of VM exits) / 26.6.6 (NMI-window exiting after VM entry)"
#define SDM_IRET_FAULT "SDM 6.7.1 + 25.3 + 27.1/27.2.2 (IRET unblocks NMIs even if it faults; bit 12)"
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
		H(CHECK(1, 1, 0, 0)),
		H_TAKES_NMI_THEN_INTR,
		H(SET(0, 0, 0, 0))) },

	{ .number = 22, .title = "(1,1,1,1): virtual-NMI blocking holds the NMI window shut",
	  .rule = SDM_NMI_WINDOW, .basis = BASIS_SILICON,
	  STEPS(H(SET(1, 1, 1, 1)),
		G(SINCE_ENTRY(EXPECT_NONE())),
		H(CHECK(1, 1, 1, 1)),
		H_TAKES_NMI_THEN_INTR,
		H(SET(0, 0, 0, 0))) },

	{ .number = 23, .title = "(1,1,1,1): IRET in G opens the NMI window: EXIT_NMIW right after the IRET",
	  .rule = SDM_NMI_WINDOW, .basis = BASIS_SILICON,
	  STEPS(H(SET(1, 1, 1, 1)),
		G(SINCE_ENTRY(EXPECT_NONE())),
		G(IRET(EXPECT(EXIT_NMIW))),
		H(CHECK(1, 1, 0, 0)),
		H_TAKES_NMI_THEN_INTR,
		H(SET(0, 0, 0, 0))) },

	{ .number = 24, .title = "H blocked with one NMI pending; (1,1,0,1): the NMI-window exit, then the NMI lands in H at the VM-exit entry",
	  .rule = SDM_NMI_WINDOW, .basis = BASIS_SILICON,
	  STEPS(H_BLOCKED_ONE_NMI_PENDING,
		H(SET(1, 1, 0, 1)),
		G(SINCE_ENTRY(EXPECT_PAIR(EV_AT(NMI_H, AT_HOST_EXIT_ENTRY), EV_AT(EXIT_NMIW, AT_AFTER_VMCALL)))),
		H(CHECK(1, 1, 0, 0)),
		H(IRET(EXPECT_NONE())),
		H(SET(0, 0, 0, 0))) },

	{ .number = 25, .title = "(1,1,0,1) + inject(NMI): the injection sets virtual-NMI blocking first; IRET in G opens the window",
	  .rule = SDM_NMI_WINDOW, .basis = BASIS_SILICON,
	  STEPS(H(SET(1, 1, 0, 1)),
		H(INJECT_NMI()),
		G(SINCE_ENTRY(EXPECT(NMI_G))),
		G(IRET(EXPECT(EXIT_NMIW))),
		H(CHECK(1, 1, 0, 0)),
		H_TAKES_NMI_THEN_INTR,
		H(SET(0, 0, 0, 0))) },

	{ .number = 26, .title = "H blocked with one NMI pending; (1,1,0,0) + inject(NMI): the injected NMI first, then the pending one exits",
	  .rule = SDM_INJECTION, .basis = BASIS_SILICON,
	  STEPS(H_BLOCKED_ONE_NMI_PENDING,
		H(SET(1, 1, 0, 0)),
		H(INJECT_NMI()),
		G(SINCE_ENTRY(EXPECT_PAIR(EV_AT_G_HANDLER(EXIT_NMI, VEC_NMI), EV_AT(NMI_G, AT_AFTER_VMCALL)))),
		H(CHECK(1, 1, 1, 0)),
		H(IRET(EXPECT_NONE())),
		H(SET(0, 0, 0, 0))) },

	{ .number = 27, .title = "H blocked, two NMIs sent while blocked; VM entry with (0,0,0,0): G gets one, one is lost",
	  .rule = SDM_ENTRY_BLOCKING, .basis = BASIS_SILICON,
	  STEPS(H_BLOCKED_TWO_NMIS_SENT,
		H(SET(0, 0, 0, 0)),
		G(SINCE_ENTRY(EXPECT(NMI_G))),
		G(IRET(EXPECT_NONE())),
		H(CHECK(0, 0, 0, 0)),
		H(IRET(EXPECT_NONE()))) },

	{ .number = 28, .title = "H blocked, two NMIs sent while blocked; VM entry with (1,0,0,0): one exit, one NMI lost",
	  .rule = SDM_ENTRY_BLOCKING, .basis = BASIS_SILICON,
	  STEPS(H_BLOCKED_TWO_NMIS_SENT,
		H(SET(1, 0, 0, 0)),
		G(SINCE_ENTRY(EXPECT(EXIT_NMI))),
		G(IRET(EXPECT_NONE())),
		H(CHECK(1, 0, 0, 0)),
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
		H(CHECK(1, 1, 0, 0)),
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
	  .rule = SDM_IRET_FAULT, .basis = BASIS_SDM,
	  STEPS(H(SET(1, 1, 1, 1)),
		G(SINCE_ENTRY(EXPECT_NONE())),
		G(FIRET(EXPECT_ONE(EV_AT_G_HANDLER(EXIT_NMIW, VEC_GP)))),
		H(CHECK(1, 1, 0, 0)),
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
		H(CHECK(1, 1, 0, 0)),
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
		H(CHECK(1, 1, 0, 0)),
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
};

const unsigned catalogue_size = sizeof(catalogue) / sizeof(catalogue[0]);
