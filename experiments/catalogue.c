/*
 * The experiment catalogue: shared/spec/experiments.md, step for step, in the notation
 * of experiments/experiment.h. Numbers are stable: never renumber, add at the end.
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

/* SDM references (Vol. 3C; section numbers as in the 2023+ editions). */
#define SDM_NMI_EXITING "SDM 25.2 (NMI exiting: NMIs cause VM exits) / 25.3 (IRET and NMI blocking)"
#define SDM_VIRTUAL_NMIS "SDM 25.3 + 24.4.2 Table 24-3 (virtual NMIs: bit 3 is virtual-NMI blocking)"
#define SDM_BLOCKING_BIT "SDM 24.4.2 Table 24-3 (interruptibility state, blocking by NMI)"
#define SDM_ENTRY_BLOCKING "SDM 26.6.1 (blocking after VM entry) / 27.3.4, 27.5 (NMI blocking saved and set by VM exits)"
#define SDM_INJECTION "SDM 26.6.1.2 (VM entries and event injection; NMI injection and blocking)"
#define SDM_NMI_WINDOW "SDM 25.2 / 26.7.6 (NMI-window exiting)"
#define SDM_IRET_FAULT "SDM 6.7.1 + 25.3 + 27.1/27.2.2 (IRET unblocks NMIs even if it faults; bit 12)"

const struct experiment catalogue[] = {
	{ 1, "(0,0,0,0): an NMI in G goes through G's IDT; IRET in G then finds nothing pending",
	  SDM_NMI_EXITING, false,
	  STEPS(H(SET(0, 0, 0, 0)),
		G(WAIT(SENDS(NMI), EXPECT(NMI_G))),
		G(IRET(EXPECT_NONE())),
		G(WAIT(SENDS(INTR), EXPECT(INTR_G)))) },

	{ 2, "(0,0,1,0): G blocked by the VMCS bit; the NMI stays pending across a VM exit, IRET in G releases one",
	  SDM_BLOCKING_BIT, false,
	  STEPS(H(SET(0, 0, 1, 0)),
		G(WAIT(SENDS(NMI, INTR), EXPECT(INTR_G))),
		H(CHECK_B(1)),
		H(SINCE_ENTRY(EXPECT_NONE())),
		H(WAIT(SENDS(NMI, INTR), EXPECT(INTR_H))),
		G(IRET(EXPECT(NMI_G))),
		G(IRET(EXPECT_NONE()))) },

	{ 3, "H blocked with one NMI pending; VM entry with (0,0,0,0) delivers it to G right after entry",
	  SDM_ENTRY_BLOCKING, false,
	  STEPS(H_BLOCKED_ONE_NMI_PENDING,
		H(SET(0, 0, 0, 0)),
		G(SINCE_ENTRY(EXPECT(NMI_G))),
		G(IRET(EXPECT_NONE()))) },

	{ 4, "(0,0,1,0): after a VM exit H is still NMI-blocked; H's IRET releases the pending NMI",
	  SDM_ENTRY_BLOCKING, false,
	  STEPS(H(SET(0, 0, 1, 0)),
		G(VMCALL()),
		H(WAIT(SENDS(NMI, INTR), EXPECT(INTR_H))),
		H(IRET(EXPECT(NMI_H))),
		H(IRET(EXPECT_NONE())),
		G(IRET(EXPECT_NONE()))) },

	{ 5, "(1,0,0,0): an NMI in G causes a VM exit (at HLT)",
	  SDM_NMI_EXITING, false,
	  STEPS(H(SET(1, 0, 0, 0)),
		G(WAIT(SENDS(NMI), EXPECT(EXIT_NMI))),
		H(IRET(EXPECT_NONE())),
		G(WAIT(SENDS(INTR), EXPECT(INTR_G)))) },

	{ 6, "(1,0,1,0): G blocked; the NMI does not exit, IRET in G does not unblock, IRET in H does",
	  SDM_NMI_EXITING, false,
	  STEPS(H(SET(1, 0, 1, 0)),
		G(WAIT(SENDS(NMI, INTR), EXPECT(INTR_G))),
		G(IRET(EXPECT_NONE())),
		H(CHECK_B(1)),
		H(IRET(EXPECT(NMI_H))),
		H(IRET(EXPECT_NONE())),
		H(SET(1, 0, 0, 0))) },

	{ 7, "H blocked with one NMI pending; VM entry with (1,0,0,0) exits at once for the NMI",
	  SDM_ENTRY_BLOCKING, false,
	  STEPS(H_BLOCKED_ONE_NMI_PENDING,
		H(SET(1, 0, 0, 0)),
		G(SINCE_ENTRY(EXPECT(EXIT_NMI))),
		H(CHECK_B(0)),
		H(IRET(EXPECT_NONE()))) },

	{ 8, "(1,1,0,0): an NMI in G causes a VM exit (at HLT), with virtual NMIs",
	  SDM_VIRTUAL_NMIS, false,
	  STEPS(H(SET(1, 1, 0, 0)),
		G(WAIT(SENDS(NMI), EXPECT(EXIT_NMI))),
		H(IRET(EXPECT_NONE())),
		G(WAIT(SENDS(INTR), EXPECT(INTR_G)))) },

	{ 9, "(1,1,1,0): virtual-NMI blocking does not block real NMIs; they still exit",
	  SDM_VIRTUAL_NMIS, false,
	  STEPS(H(SET(1, 1, 1, 0)),
		G(WAIT(SENDS(NMI), EXPECT(EXIT_NMI))),
		G(WAIT(SENDS(INTR), EXPECT(INTR_G))),
		H(CHECK_B(1)),
		H(IRET(EXPECT_NONE()))) },

	{ 10, "H blocked with one NMI pending; VM entry with (1,1,0,0) exits at once for the NMI",
	  SDM_ENTRY_BLOCKING, false,
	  STEPS(H_BLOCKED_ONE_NMI_PENDING,
		H(SET(1, 1, 0, 0)),
		G(SINCE_ENTRY(EXPECT(EXIT_NMI))),
		H(CHECK_B(0)),
		H(IRET(EXPECT_NONE()))) },

	{ 11, "H blocked with one NMI pending; VM entry with (1,1,1,0) exits at once for the NMI",
	  SDM_ENTRY_BLOCKING, false,
	  STEPS(H_BLOCKED_ONE_NMI_PENDING,
		H(SET(1, 1, 1, 0)),
		G(SINCE_ENTRY(EXPECT(EXIT_NMI))),
		H(CHECK_B(1)),
		H(IRET(EXPECT_NONE()))) },

	{ 12, "(1,1,1,0): IRET in G removes virtual-NMI blocking",
	  SDM_VIRTUAL_NMIS, false,
	  STEPS(H(SET(1, 1, 1, 0)),
		G(IRET(EXPECT_NONE())),
		H(CHECK_B(0)),
		H_TAKES_NMI_THEN_INTR) },

	{ 13, "H blocked, nothing pending; a VM entry with (1,1,0,0) and the next VM exit leave H unblocked",
	  SDM_ENTRY_BLOCKING, false,
	  STEPS(H_BLOCKED,
		H(SET(1, 1, 0, 0)),
		G(VMCALL()),
		H(CHECK_B(0)),
		H_TAKES_NMI_THEN_INTR) },

	{ 14, "H blocked, nothing pending; a VM entry with (1,1,1,0) and the next VM exit leave H unblocked",
	  SDM_ENTRY_BLOCKING, false,
	  STEPS(H_BLOCKED,
		H(SET(1, 1, 1, 0)),
		G(VMCALL()),
		H(CHECK_B(1)),
		H_TAKES_NMI_THEN_INTR) },

	{ 15, "H blocked with one NMI pending; (0,0,0,0) + inject(INTR 0x21): NMI@G at the injected handler's first instruction",
	  SDM_INJECTION, false,
	  STEPS(H_BLOCKED_ONE_NMI_PENDING,
		H(SET(0, 0, 0, 0)),
		H(INJECT_INTR(INJECTED)),
		G(SINCE_ENTRY(EXPECT_ONE(EV_AT_G_HANDLER(NMI_G, INJECTED)))),
		H(CHECK_B(1)),
		H(IRET(EXPECT_NONE())),
		H(SET(0, 0, 0, 0))) },

	{ 16, "H blocked with one NMI pending; (1,0,0,0) + inject(INTR 0x21): EXIT_NMI at the injected handler's first instruction",
	  SDM_INJECTION, false,
	  STEPS(H_BLOCKED_ONE_NMI_PENDING,
		H(SET(1, 0, 0, 0)),
		H(INJECT_INTR(INJECTED)),
		G(SINCE_ENTRY(EXPECT_ONE(EV_AT_G_HANDLER(EXIT_NMI, INJECTED)))),
		H(CHECK_B(0)),
		H(IRET(EXPECT_NONE())),
		H(SET(0, 0, 0, 0))) },

	{ 17, "H blocked with one NMI pending; (1,1,1,0) + inject(INTR 0x21): EXIT_NMI at the injected handler's first instruction",
	  SDM_VIRTUAL_NMIS, false,
	  STEPS(H_BLOCKED_ONE_NMI_PENDING,
		H(SET(1, 1, 1, 0)),
		H(INJECT_INTR(INJECTED)),
		G(SINCE_ENTRY(EXPECT_ONE(EV_AT_G_HANDLER(EXIT_NMI, INJECTED)))),
		H(CHECK_B(1)),
		H(IRET(EXPECT_NONE())),
		H(SET(0, 0, 0, 0))) },

	{ 18, "(0,0,0,0) + inject(NMI), H not blocked: NMI@G, and the saved blocking-by-NMI bit reads 0",
	  SDM_INJECTION, false,
	  STEPS(H_TAKES_NMI_THEN_INTR,
		H(SET(0, 0, 0, 0)),
		H(INJECT_NMI()),
		G(SINCE_ENTRY(EXPECT(NMI_G))),
		H(CHECK_B(0)),
		H(IRET(EXPECT_NONE())),
		H(SET(0, 0, 0, 0))) },

	{ 19, "(1,0,0,0) + inject(NMI): NMI@G; B reads 0 and H is not blocked",
	  SDM_INJECTION, false,
	  STEPS(H(SET(1, 0, 0, 0)),
		H(INJECT_NMI()),
		G(SINCE_ENTRY(EXPECT(NMI_G))),
		H(CHECK_B(0)),
		H_TAKES_NMI_THEN_INTR,
		H(SET(0, 0, 0, 0))) },

	{ 20, "(1,1,0,0) + inject(NMI): the injection sets virtual-NMI blocking (B reads 1); H is not blocked",
	  SDM_INJECTION, false,
	  STEPS(H(SET(1, 1, 0, 0)),
		H(INJECT_NMI()),
		G(SINCE_ENTRY(EXPECT(NMI_G))),
		H(CHECK_B(1)),
		H_TAKES_NMI_THEN_INTR,
		H(SET(0, 0, 0, 0))) },

	{ 21, "(1,1,0,1): no virtual-NMI blocking, so an NMI-window exit right after VM entry",
	  SDM_NMI_WINDOW, false,
	  STEPS(H(SET(1, 1, 0, 1)),
		G(SINCE_ENTRY(EXPECT(EXIT_NMIW))),
		H(CHECK(1, 1, 0, 0)),
		H_TAKES_NMI_THEN_INTR,
		H(SET(0, 0, 0, 0))) },

	{ 22, "(1,1,1,1): virtual-NMI blocking holds the NMI window shut",
	  SDM_NMI_WINDOW, false,
	  STEPS(H(SET(1, 1, 1, 1)),
		G(SINCE_ENTRY(EXPECT_NONE())),
		H(CHECK(1, 1, 1, 1)),
		H_TAKES_NMI_THEN_INTR,
		H(SET(0, 0, 0, 0))) },

	{ 23, "(1,1,1,1): IRET in G opens the NMI window: EXIT_NMIW right after the IRET",
	  SDM_NMI_WINDOW, false,
	  STEPS(H(SET(1, 1, 1, 1)),
		G(SINCE_ENTRY(EXPECT_NONE())),
		G(IRET(EXPECT(EXIT_NMIW))),
		H(CHECK(1, 1, 0, 0)),
		H_TAKES_NMI_THEN_INTR,
		H(SET(0, 0, 0, 0))) },

	{ 24, "H blocked with one NMI pending; (1,1,0,1): the NMI-window exit, then the NMI lands in H at the VM-exit entry",
	  SDM_NMI_WINDOW, false,
	  STEPS(H_BLOCKED_ONE_NMI_PENDING,
		H(SET(1, 1, 0, 1)),
		G(SINCE_ENTRY(EXPECT_PAIR(EV_AT(NMI_H, AT_HOST_EXIT_ENTRY), EV_AT(EXIT_NMIW, AT_AFTER_VMCALL)))),
		H(CHECK(1, 1, 0, 0)),
		H(IRET(EXPECT_NONE())),
		H(SET(0, 0, 0, 0))) },

	{ 25, "(1,1,0,1) + inject(NMI): the injection sets virtual-NMI blocking first; IRET in G opens the window",
	  SDM_NMI_WINDOW, false,
	  STEPS(H(SET(1, 1, 0, 1)),
		H(INJECT_NMI()),
		G(SINCE_ENTRY(EXPECT(NMI_G))),
		G(IRET(EXPECT(EXIT_NMIW))),
		H(CHECK(1, 1, 0, 0)),
		H_TAKES_NMI_THEN_INTR,
		H(SET(0, 0, 0, 0))) },

	{ 26, "H blocked with one NMI pending; (1,1,0,0) + inject(NMI): the injected NMI first, then the pending one exits",
	  SDM_INJECTION, false,
	  STEPS(H_BLOCKED_ONE_NMI_PENDING,
		H(SET(1, 1, 0, 0)),
		H(INJECT_NMI()),
		G(SINCE_ENTRY(EXPECT_PAIR(EV_AT_G_HANDLER(EXIT_NMI, VEC_NMI), EV_AT(NMI_G, AT_AFTER_VMCALL)))),
		H(CHECK(1, 1, 1, 0)),
		H(IRET(EXPECT_NONE())),
		H(SET(0, 0, 0, 0))) },

	{ 27, "H blocked, two NMIs sent while blocked; VM entry with (0,0,0,0): G gets one, one is lost",
	  SDM_ENTRY_BLOCKING, false,
	  STEPS(H_BLOCKED_TWO_NMIS_SENT,
		H(SET(0, 0, 0, 0)),
		G(SINCE_ENTRY(EXPECT(NMI_G))),
		G(IRET(EXPECT_NONE())),
		H(CHECK(0, 0, 0, 0)),
		H(IRET(EXPECT_NONE()))) },

	{ 28, "H blocked, two NMIs sent while blocked; VM entry with (1,0,0,0): one exit, one NMI lost",
	  SDM_ENTRY_BLOCKING, false,
	  STEPS(H_BLOCKED_TWO_NMIS_SENT,
		H(SET(1, 0, 0, 0)),
		G(SINCE_ENTRY(EXPECT(EXIT_NMI))),
		G(IRET(EXPECT_NONE())),
		H(CHECK(1, 0, 0, 0)),
		H(IRET(EXPECT_NONE())),
		H(SET(0, 0, 0, 0))) },

	{ 29, "host only: three NMIs sent while H is blocked; H's IRET releases exactly one",
	  "SDM Vol. 3A 6.7.1 (handling multiple NMIs: at most one is held pending)", false,
	  STEPS(H_BLOCKED_TWO_NMIS_SENT,
		H(WAIT(SENDS(NMI, INTR), EXPECT(INTR_H))),
		H(IRET(EXPECT(NMI_H))),
		H(IRET(EXPECT_NONE())),
		H(IRET(EXPECT_NONE()))) },

	{ 30, "H blocked, two NMIs sent while blocked; VM entry with (1,1,0,0): one exit, one NMI lost",
	  SDM_ENTRY_BLOCKING, false,
	  STEPS(H_BLOCKED_TWO_NMIS_SENT,
		H(SET(1, 1, 0, 0)),
		G(SINCE_ENTRY(EXPECT(EXIT_NMI))),
		G(IRET(EXPECT_NONE())),
		H(CHECK(1, 1, 0, 0)),
		H(IRET(EXPECT_NONE())),
		H(SET(0, 0, 0, 0))) },

	/* 31-38: IRET that faults. Expectations from the SDM, not yet confirmed on silicon. */

	{ 31, "host only: H blocked with one NMI pending; a faulting IRET in H still unblocks: NMI@H at H's #GP entry",
	  SDM_IRET_FAULT, true,
	  STEPS(H(WAIT(SENDS(NMI), EXPECT(NMI_H))),
		H(WAIT(SENDS(NMI, INTR), EXPECT(INTR_H))),
		H(FIRET(EXPECT_ONE(EV_AT_H_HANDLER(NMI_H, VEC_GP)))),
		H(IRET(EXPECT_NONE()))) },

	{ 32, "(0,0,1,0), G blocked with one NMI pending; a faulting IRET in G: NMI@G at G's #GP entry",
	  SDM_IRET_FAULT, true,
	  STEPS(H(SET(0, 0, 1, 0)),
		G(WAIT(SENDS(NMI, INTR), EXPECT(INTR_G))),
		G(FIRET(EXPECT_ONE(EV_AT_G_HANDLER(NMI_G, VEC_GP)))),
		G(IRET(EXPECT_NONE())),
		H(CHECK_B(0))) },

	{ 33, "(0,0,1,0) + #GP exiting: the faulting IRET exits with bit 12 = 1 and saved B = 0",
	  SDM_IRET_FAULT, true,
	  STEPS(H(SET(0, 0, 1, 0)),
		H(GP_EXITING(1)),
		G(FIRET(EXPECT(EXIT_GP))),
		H(CHECK_BIT12(1)),
		H(CHECK_B(0)),
		H(GP_EXITING(0))) },

	{ 34, "(0,0,1,0) + #GP exiting, one NMI pending: NMI@H at the VM-exit entry, then EXIT_GP with bit 12 = 1",
	  SDM_IRET_FAULT, true,
	  STEPS(H(SET(0, 0, 1, 0)),
		H(GP_EXITING(1)),
		G(WAIT(SENDS(NMI, INTR), EXPECT(INTR_G))),
		G(FIRET(EXPECT_PAIR(EV_AT(NMI_H, AT_HOST_EXIT_ENTRY), EV(EXIT_GP)))),
		H(CHECK_BIT12(1)),
		H(CHECK_B(0)),
		H(IRET(EXPECT_NONE())),
		H(GP_EXITING(0))) },

	{ 35, "(1,1,1,0) + #GP exiting: the faulting IRET exits with bit 12 = 1 and saved B = 0",
	  SDM_IRET_FAULT, true,
	  STEPS(H(SET(1, 1, 1, 0)),
		H(GP_EXITING(1)),
		G(FIRET(EXPECT(EXIT_GP))),
		H(CHECK_BIT12(1)),
		H(CHECK_B(0)),
		H(GP_EXITING(0)),
		H(SET(0, 0, 0, 0))) },

	{ 36, "(1,1,1,1): a faulting IRET removes virtual-NMI blocking: EXIT_NMIW at G's #GP entry",
	  SDM_IRET_FAULT, true,
	  STEPS(H(SET(1, 1, 1, 1)),
		G(SINCE_ENTRY(EXPECT_NONE())),
		G(FIRET(EXPECT_ONE(EV_AT_G_HANDLER(EXIT_NMIW, VEC_GP)))),
		H(CHECK(1, 1, 0, 0)),
		H(SET(0, 0, 0, 0))) },

	{ 37, "(1,0,1,0), G blocked with one NMI pending: a faulting IRET changes nothing; H's IRET releases the NMI",
	  SDM_IRET_FAULT, true,
	  STEPS(H(SET(1, 0, 1, 0)),
		G(WAIT(SENDS(NMI, INTR), EXPECT(INTR_G))),
		G(FIRET(EXPECT_NONE())),
		H(CHECK_B(1)),
		H(IRET(EXPECT(NMI_H))),
		H(IRET(EXPECT_NONE())),
		H(SET(0, 0, 0, 0))) },

	{ 38, "control case, nothing blocked: a faulting IRET exits with bit 12 = 0",
	  SDM_IRET_FAULT, true,
	  STEPS(H(SET(0, 0, 0, 0)),
		H(GP_EXITING(1)),
		G(FIRET(EXPECT(EXIT_GP))),
		H(CHECK_BIT12(0)),
		H(CHECK_B(0)),
		H(GP_EXITING(0))) },
};

const unsigned catalogue_size = sizeof(catalogue) / sizeof(catalogue[0]);

const struct experiment *experiment_by_number(unsigned number)
{
	for (unsigned i = 0; i < catalogue_size; i++)
		if (catalogue[i].number == number)
			return &catalogue[i];
	return 0;
}

bool experiment_needs_vmx(const struct experiment *x)
{
	for (unsigned i = 0; i < x->nsteps; i++) {
		const struct step *s = &x->steps[i];
		if (s->ctx == IN_GUEST || s->op == OP_SET || s->op == OP_CHECK_CONTROLS ||
		    s->op == OP_CHECK_B || s->op == OP_CHECK_BIT12 || s->op == OP_INJECT_NMI ||
		    s->op == OP_INJECT_INTR || s->op == OP_GP_EXITING || s->op == OP_SINCE_ENTRY)
			return true;
	}
	return false;
}
