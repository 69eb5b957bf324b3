/*
 * The SVM catalogue: NMIs under AMD-V, in the notation of experiments/notation.h, from
 * the AMD64 Architecture Programmer's Manual Vol. 2 (publication 24593), chapter 15
 * "Secure Virtual Machine"; docs/experiments.md is generated from it. Numbers start at
 * 101 and are stable: never renumber, add at the end. Expectations are what the APM
 * prescribes (no silicon result yet: basis APM); where it leaves the behaviour open the
 * experiment measures it. An emulator that disagrees goes into experiments/deviations.c,
 * never in here.
 *
 * svm(N,I) writes the VMCB's NMI intercept and IRET intercept. The backend (svm/) always
 * intercepts VMRUN, VMMCALL (the guest's hypercall) and shutdown, runs the guest with
 * ASID 1 and V_INTR_MASKING = 0 (G takes interrupts through its own IDT), and around
 * every guest run executes CLGI, VMRUN, then after #VMEXIT reads the VMCB and executes
 * STGI: an NMI the exit left pending lands in the host right after that STGI, "H's
 * VM-exit entry" here.
 */
#include "experiments/experiment.h"
#include "experiments/notation.h"

#include "machine/layout.h"
#include "machine/svm_arch.h"

#define INJECTED VEC_INJECTED /* an injected external interrupt, 0x21 */
#define SVM_EXPERIMENT .basis = BASIS_APM, .backend = BACKEND_SVM

/* A VMRUN that injects INTR 0x21 first, so that an EXITINTINFO left over from an earlier
 * event is recognisable (G's handler for 0x21 records nothing). */
#define INJECTED_INTR_FIRST                            \
	H(INJECT_INTR(INJECTED)),                      \
	G(SINCE_ENTRY(EXPECT_NONE()))

#define APM_NMI_INTERCEPT "APM 15.13.2 (NMI Intercept: intercepted NMIs cause an exit and are held pending) / " \
	"15.21.9 (NMI Support, Table 15-13: with GIF = 1 and the intercept, #VMEXIT(NMI), the NMI still pending; " \
	"without it, taken normally)"
#define APM_GIF "APM 15.17 (Global Interrupt Flag, STGI and CLGI Instructions, Table 15-10: NMIs held pending " \
	"until GIF == 1) / 15.6 (#VMEXIT: clears GIF) / 15.5.1 (Basic Operation: VMRUN sets GIF once the guest " \
	"state is loaded)"
#define APM_INJECT "APM 15.20 (Event Injection: taken before the first guest instruction, not subject to " \
	"intercept checks; an injected NMI does not block delivery of further NMIs) / Vol. 3 VMRUN (#VMEXIT " \
	"clears EVENTINJ)"
#define APM_INJECT_VECTOR "APM 15.20 (Event Injection: if TYPE is 2 (NMI), the VECTOR field is ignored)"
#define APM_INJECT_INVALID "APM 15.20 (Event Injection: TYPE 3 with a vector that is not an exception's, " \
	"vector 2 included, makes VMRUN exit with VMEXIT_INVALID) / 15.5.1 (Canonicalization and Consistency " \
	"Checks: illegal event injection)"
#define APM_IRET_INTERCEPT "APM 15.9 (Instruction Intercepts, Table 15-7: IRET) / 15.7 (Intercept Operation: " \
	"instruction intercepts occur before the results of the instruction are committed)"
#define APM_IRET_BEFORE_FAULT "APM 15.9 (Instruction Intercepts, Table 15-7: the IRET intercept takes " \
	"priority over any exceptions) / 15.12 (Exception Intercepts)"
#define APM_FAULTING_IRET "APM Vol. 2 chapter 8 (an NMI masks further NMIs until the next IRET; nothing " \
	"on an IRET that faults): implementation-specific, measured"
#define APM_DELIVERY_EXIT "APM 15.7.2 (Intercepts During IDT Interrupt Delivery, Table 15-1: EXITINTINFO " \
	"records the NMI, type 2) / 15.20 (Event Injection: re-injecting it) / Vol. 2 8.4.1 (Selector-Error " \
	"Code: EXT for an event external to the program)"
#define APM_DELIVERY_EXIT_MASK "APM 15.7.2 (Intercepts During IDT Interrupt Delivery: nothing on NMI " \
	"masking after the exit) / 15.6 (#VMEXIT): implementation-specific, measured"
#define APM_MASK_SWITCH "APM 15.5.1 (Basic Operation: the state VMRUN saves and loads) / 15.6 (#VMEXIT: " \
	"the state it restores): NMI masking is in neither list: implementation-specific, measured"
#define APM_SHADOW_NMI "APM 15.21.5 (Interrupt Shadows: INTERRUPT_SHADOW is loaded on VMRUN) / 15.13.2 " \
	"(NMI Intercept: NMIs may be blocked for one instruction following an STI): implementation-specific, " \
	"measured"
#define APM_SHADOW_INTR "APM 15.21.5 (Interrupt Shadows: the instruction in an interrupt shadow does not " \
	"recognize interrupts; INTERRUPT_SHADOW is loaded on VMRUN)"
#define APM_VGIF "APM 15.33.2 (Virtual GIF (VGIF): CLGI in the guest clears V_GIF while physical interrupts " \
	"are still intercepted; V_GIF is saved on #VMEXIT)"
#define APM_VNMI_CHECK "APM 15.21.10 (NMI Virtualization: V_NMI_ENABLE without the NMI intercept results " \
	"in #VMEXIT(INVALID))"
#define APM_VNMI "APM 15.21.10 (NMI Virtualization: a pending V_NMI is taken when not masked; V_NMI is " \
	"cleared and V_NMI_MASK set before the IDT is accessed; a successful IRET clears V_NMI_MASK; both are " \
	"written back at #VMEXIT)"
#define APM_VNMI_INJECT "APM 15.21.10 (NMI Virtualization: with NMI virtualization an NMI injected with " \
	"EVENTINJ makes VMRUN set V_NMI_MASK)"
#define APM_VNMI_DELIVERY_EXIT "APM 15.21.10 (NMI Virtualization: a #VMEXIT during the virtual NMI's " \
	"delivery sets EXITINTINFO and saves V_NMI_MASK as 0) / 15.7.2"
#define APM_VNMI_SHADOW "APM 15.21.10 (NMI Virtualization: a virtual NMI is taken only when the processor " \
	"is not in an interrupt shadow)"
#define APM_VNMI_PRIORITY "APM 15.21.10 (NMI Virtualization: physical NMI takes priority over virtual NMI; " \
	"NMI intercepts apply to physical NMIs only)"

/* EXITINTINFO of an NMI (Table 15-1) and the selector error code of gate 2 (EXT | IDT). */
#define EXITINTINFO_NMI 0x80000202u
#define NP_ERROR_NMI_GATE 0x13u
#define V_NMI_BITS (V_INTR_V_NMI | V_INTR_V_NMI_MASK)

const struct experiment catalogue_svm[] = {
	/* Family 1: the NMI intercept and GIF. */

	{ .number = 101, .title = "svm(0,0): an NMI in G goes through G's IDT; IRET in G then finds nothing pending",
	  .rule = APM_NMI_INTERCEPT, SVM_EXPERIMENT,
	  STEPS(H(SVM(0, 0)),
		G(WAIT(SENDS(NMI), EXPECT(NMI_G))),
		G(IRET(EXPECT_NONE())),
		G(WAIT(SENDS(INTR), EXPECT(INTR_G)))) },

	{ .number = 102, .title = "svm(1,0): an NMI in halted G exits (#VMEXIT(NMI) after the HLT) and stays pending: H takes it at the STGI after the exit",
	  .rule = APM_NMI_INTERCEPT " / " APM_GIF, SVM_EXPERIMENT,
	  STEPS(H(SVM(1, 0)),
		G(WAIT(SENDS(NMI), EXPECT_PAIR(EV_AT(NMI_H, AT_HOST_EXIT_ENTRY), EV(EXIT_NMI)))),
		H(CHECK_EXITCODE(EXIT_NMI, SVM_EXIT_NMI)),
		H(CHECK_EXITINTINFO(EXIT_NMI, 0)),
		H(IRET(EXPECT_NONE())),
		H(SVM(0, 0)),
		G(WAIT(SENDS(INTR), EXPECT(INTR_G)))) },

	{ .number = 103, .title = "svm(1,0), GIF kept 0 at the exit: the NMI that exited stays pending while H spins, and lands at H's STGI",
	  .rule = APM_NMI_INTERCEPT " / " APM_GIF, SVM_EXPERIMENT,
	  STEPS(H(SVM(1, 0)),
		H(GIF_AT_EXIT()),
		G(WAIT(SENDS(NMI), EXPECT(EXIT_NMI)), HOST_AT_EXIT()),
		H(SPIN(NO_SENDS(), EXPECT_NONE())),
		H(STGI(EXPECT(NMI_H))),
		H(IRET(EXPECT_NONE())),
		H(SVM(0, 0)),
		G(WAIT(SENDS(INTR), EXPECT(INTR_G)))) },

	{ .number = 104, .title = "H: CLGI holds an NMI while H spins; STGI releases it right after the STGI",
	  .rule = APM_GIF, SVM_EXPERIMENT,
	  STEPS(H(CLGI()),
		H(SPIN(SENDS(NMI), EXPECT_NONE())),
		H(STGI(EXPECT(NMI_H))),
		H(IRET(EXPECT_NONE()))) },

	{ .number = 105, .title = "CLGI holds an NMI; VMRUN with svm(0,0) sets GIF and G takes it before its first instruction",
	  .rule = APM_GIF " / " APM_NMI_INTERCEPT, SVM_EXPERIMENT,
	  STEPS(H(SVM(0, 0)),
		H(CLGI()),
		H(SPIN(SENDS(NMI), EXPECT_NONE())),
		G(SINCE_ENTRY(EXPECT(NMI_G))),
		G(IRET(EXPECT_NONE()))) },

	{ .number = 106, .title = "CLGI holds an NMI; VMRUN with svm(1,0) exits before G's first instruction, and H takes the NMI at the STGI after the exit",
	  .rule = APM_GIF " / " APM_NMI_INTERCEPT, SVM_EXPERIMENT,
	  STEPS(H(SVM(1, 0)),
		H(CLGI()),
		H(SPIN(SENDS(NMI), EXPECT_NONE())),
		G(SINCE_ENTRY(EXPECT_PAIR(EV_AT(NMI_H, AT_HOST_EXIT_ENTRY), EV_AT(EXIT_NMI, AT_AFTER_VMCALL)))),
		H(IRET(EXPECT_NONE())),
		H(SVM(0, 0))) },

	/* Family 2: EVENTINJ of type NMI. */

	{ .number = 107, .title = "svm(1,0) + inject(NMI): the injected NMI is delivered, not intercepted; the next #VMEXIT leaves EVENTINJ clear",
	  .rule = APM_INJECT, SVM_EXPERIMENT,
	  STEPS(H(SVM(1, 0)),
		H(INJECT_NMI()),
		G(SINCE_ENTRY(EXPECT(NMI_G))),
		H(CHECK_EVENTINJ(EXIT_VMCALL, 0)),
		H(SVM(0, 0))) },

	{ .number = 108, .title = "inject(NMI) does not mask NMIs: an NMI sent before G's IRET is taken at once, inside the injected NMI's handler",
	  .rule = APM_INJECT, SVM_EXPERIMENT,
	  STEPS(H(SVM(0, 0)),
		H(INJECT_NMI()),
		G(SINCE_ENTRY(EXPECT(NMI_G))),
		G(WAIT(SENDS(NMI), EXPECT(NMI_G))),
		G(IRET(EXPECT_NONE()))) },

	{ .number = 109, .title = "svm(1,0) + inject(NMI): after the injected NMI an NMI sent to G exits at once",
	  .rule = APM_INJECT " / " APM_NMI_INTERCEPT, SVM_EXPERIMENT,
	  STEPS(H(SVM(1, 0)),
		H(INJECT_NMI()),
		G(SINCE_ENTRY(EXPECT(NMI_G))),
		G(WAIT(SENDS(NMI), EXPECT_PAIR(EV_AT(NMI_H, AT_HOST_EXIT_ENTRY), EV(EXIT_NMI)))),
		H(IRET(EXPECT_NONE())),
		H(SVM(0, 0))) },

	{ .number = 110, .title = "inject(NMI), G leaves with VMMCALL before any IRET: H is not NMI-masked",
	  .rule = APM_INJECT, SVM_EXPERIMENT,
	  STEPS(H(SVM(0, 0)),
		H(INJECT_NMI()),
		G(SINCE_ENTRY(EXPECT(NMI_G))),
		H(WAIT(SENDS(NMI), EXPECT(NMI_H))),
		H(IRET(EXPECT_NONE()))) },

	{ .number = 111, .title = "inject(NMI with vector 0x21): the vector is ignored: G takes an NMI through gate 2",
	  .rule = APM_INJECT_VECTOR, SVM_EXPERIMENT,
	  STEPS(H(SVM(0, 0)),
		H(INJECT_NMI_VECTOR(INJECTED)),
		G(SINCE_ENTRY(EXPECT(NMI_G)))) },

	{ .number = 112, .title = "inject(exception with vector 2) is refused: VMEXIT_INVALID, no guest instruction runs; inject(NMI) next to it enters",
	  .rule = APM_INJECT_INVALID, SVM_EXPERIMENT,
	  STEPS(H(SVM(0, 0)),
		H(INJECT_EXC(VEC_NMI)),
		H(VMENTRY(EXPECT_ONE(EV_VMEXIT_INVALID))),
		H(INJECT_NMI()),
		G(SINCE_ENTRY(EXPECT(NMI_G)))) },

	/* Family 3: the IRET intercept, and IRETs that fault. */

	{ .number = 113, .title = "svm(0,1): G's IRET exits at the IRET (#VMEXIT(IRET)); H clears the intercept, the IRET runs and unmasks NMIs",
	  .rule = APM_IRET_INTERCEPT, SVM_EXPERIMENT,
	  STEPS(H(SVM(0, 1)),
		G(WAIT(SENDS(NMI), EXPECT(NMI_G))),
		G(IRET(EXPECT_ONE(EV_AT(EXIT_IRET, AT_IRET)))),
		G(WAIT(SENDS(NMI), EXPECT(NMI_G))),
		G(IRET(EXPECT_NONE())),
		H(CHECK_EXITCODE(EXIT_IRET, SVM_EXIT_IRET)),
		H(SVM(0, 0))) },

	{ .number = 114, .title = "svm(0,1) + #GP intercepted: an IRET that faults exits for the IRET intercept first, then for its #GP",
	  .rule = APM_IRET_BEFORE_FAULT, SVM_EXPERIMENT,
	  STEPS(H(SVM(0, 1)),
		H(EXC_EXITING(VEC_GP, 1)),
		G(FIRET(EXPECT_PAIR(EV_AT(EXIT_IRET, AT_FIRET), EV(EXIT_GP)))),
		H(CHECK_EXITINFO1(EXIT_GP, 0)),
		H(EXC_EXITING(VEC_GP, 0)),
		H(SVM(0, 0))) },

	{ .number = 115, .title = "svm(0,0), G NMI-masked with an NMI pending: whether an IRET that faults unmasks NMIs is the processor's choice (measured)",
	  .rule = APM_FAULTING_IRET, SVM_EXPERIMENT,
	  STEPS(H(SVM(0, 0)),
		G(WAIT(SENDS(NMI), EXPECT(NMI_G))),
		G(WAIT(SENDS(NMI, INTR), EXPECT(INTR_G))),
		G(FIRET(EXPECT_EITHER(EV_NONE, EV_AT_G_HANDLER(NMI_G, VEC_GP)))),
		G(IRET(EXPECT_EITHER(EV_NONE, EV(NMI_G)))),
		G(IRET(EXPECT_NONE()))) },

	{ .number = 116, .title = "H NMI-masked with an NMI pending: whether an IRET that faults unmasks NMIs (measured; H only)",
	  .rule = APM_FAULTING_IRET, SVM_EXPERIMENT,
	  STEPS(H(WAIT(SENDS(NMI), EXPECT(NMI_H))),
		H(WAIT(SENDS(NMI, INTR), EXPECT(INTR_H))),
		H(FIRET(EXPECT_EITHER(EV_NONE, EV_AT_H_HANDLER(NMI_H, VEC_GP)))),
		H(IRET(EXPECT_EITHER(EV_NONE, EV(NMI_H)))),
		H(IRET(EXPECT_NONE()))) },

	/* Family 4: exits during NMI delivery, EXITINTINFO and re-injection. */

	{ .number = 117, .title = "svm(0,0), G's NMI gate not present, #NP intercepted: the exit during the NMI's delivery records it in EXITINTINFO; re-injected, G gets one NMI",
	  .rule = APM_DELIVERY_EXIT, SVM_EXPERIMENT,
	  STEPS(H(SVM(0, 0)),
		INJECTED_INTR_FIRST,
		H(NMI_GATE(0)),
		H(EXC_EXITING(VEC_NP, 1)),
		G(WAIT(SENDS(NMI), EXPECT(EXIT_NP))),
		H(CHECK_EXITINTINFO(EXIT_NP, EXITINTINFO_NMI)),
		H(CHECK_EXITINFO1(EXIT_NP, NP_ERROR_NMI_GATE)),
		H(NMI_GATE(1)),
		H(EXC_EXITING(VEC_NP, 0)),
		H(REINJECT(EXIT_NP)),
		H(VMENTRY(EXPECT(NMI_G)))) },

	{ .number = 118, .title = "svm(0,0) + inject(NMI), G's NMI gate not present, #NP intercepted: EXITINTINFO records the injected NMI; re-injected, G gets one NMI",
	  .rule = APM_DELIVERY_EXIT " / " APM_INJECT, SVM_EXPERIMENT,
	  STEPS(H(SVM(0, 0)),
		H(NMI_GATE(0)),
		H(EXC_EXITING(VEC_NP, 1)),
		H(INJECT_NMI()),
		G(SINCE_ENTRY(EXPECT(EXIT_NP))),
		H(CHECK_EXITINTINFO(EXIT_NP, EXITINTINFO_NMI)),
		H(CHECK_EXITINFO1(EXIT_NP, NP_ERROR_NMI_GATE)),
		H(NMI_GATE(1)),
		H(EXC_EXITING(VEC_NP, 0)),
		H(REINJECT(EXIT_NP)),
		G(SINCE_ENTRY(EXPECT(NMI_G)))) },

	{ .number = 119, .title = "svm(0,0), gate 2 not present: whether H is NMI-masked right after an exit during an NMI's delivery (measured)",
	  .rule = APM_DELIVERY_EXIT_MASK " / " APM_MASK_SWITCH, SVM_EXPERIMENT,
	  STEPS(H(SVM(0, 0)),
		INJECTED_INTR_FIRST,
		H(NMI_GATE(0)),
		H(EXC_EXITING(VEC_NP, 1)),
		G(WAIT(SENDS(NMI), EXPECT(EXIT_NP)), HOST_AT_EXIT()),
		H(NMI_GATE(1)),
		H(EXC_EXITING(VEC_NP, 0)),
		H(WAIT(SENDS(NMI), EXPECT_EITHER(EV(NMI_H), EV(TIMEOUT)))),
		H(IRET(EXPECT_EITHER(EV_NONE, EV(NMI_H)))),
		H(IRET(EXPECT_NONE()))) },

	/* Family 5: NMI masking across VMRUN and #VMEXIT (the APM does not say). */

	{ .number = 120, .title = "svm(0,0): G takes an NMI and leaves with VMMCALL before its IRET: whether H is NMI-masked then (measured)",
	  .rule = APM_MASK_SWITCH, SVM_EXPERIMENT,
	  STEPS(H(SVM(0, 0)),
		G(WAIT(SENDS(NMI), EXPECT(NMI_G))),
		H(WAIT(SENDS(NMI), EXPECT_EITHER(EV(NMI_H), EV(TIMEOUT)))),
		H(IRET(EXPECT_EITHER(EV_NONE, EV(NMI_H)))),
		H(IRET(EXPECT_NONE()))) },

	{ .number = 121, .title = "H takes an NMI and runs G before its IRET, svm(0,0): whether G is NMI-masked then (measured)",
	  .rule = APM_MASK_SWITCH, SVM_EXPERIMENT,
	  STEPS(H(WAIT(SENDS(NMI), EXPECT(NMI_H))),
		H(SVM(0, 0)),
		G(WAIT(SENDS(NMI), EXPECT_EITHER(EV(NMI_G), EV(TIMEOUT)))),
		G(IRET(EXPECT_EITHER(EV_NONE, EV(NMI_G)))),
		G(IRET(EXPECT_NONE()))) },

	/* Family 6: the interrupt shadow. */

	{ .number = 122, .title = "INTERRUPT_SHADOW at VMRUN with an NMI held by CLGI, svm(0,0): whether the shadow holds the NMI for one instruction (measured)",
	  .rule = APM_SHADOW_NMI, SVM_EXPERIMENT,
	  STEPS(H(SVM(0, 0)),
		H(CLGI()),
		H(SPIN(SENDS(NMI), EXPECT_NONE())),
		H(SHADOW(STI)),
		G(SINCE_ENTRY(EXPECT_EITHER(EV_AT(NMI_G, AT_AFTER_VMCALL), EV_AT(NMI_G, AT_AFTER_VMCALL_NEXT)))),
		G(IRET(EXPECT_NONE()))) },

	{ .number = 123, .title = "INTERRUPT_SHADOW at VMRUN with an INTR held and IF = 1: G does not take it in the shadow; with IF = 1 and no shadow it does",
	  .rule = APM_SHADOW_INTR, SVM_EXPERIMENT,
	  STEPS(H(SVM(0, 0)),
		H(SPIN(SENDS(INTR), EXPECT_NONE())),
		H(SHADOW(STI)),
		G(SINCE_ENTRY(EXPECT_NONE())),
		H(GUEST_IF(1)),
		G(SINCE_ENTRY(EXPECT(INTR_G)))) },

	/* Family 7: virtual GIF. */

	{ .number = 124, .title = "VGIF, svm(1,0): G's CLGI clears V_GIF only: an NMI sent to G still exits, and the exit saves V_GIF = 0",
	  .rule = APM_VGIF, SVM_EXPERIMENT,
	  STEPS(H(SVM(1, 0)),
		H(VGIF(1)),
		G(CLGI()),
		G(WAIT(SENDS(NMI), EXPECT_PAIR(EV_AT(NMI_H, AT_HOST_EXIT_ENTRY), EV(EXIT_NMI)))),
		H(CHECK_VINTR(EXIT_NMI, V_INTR_V_GIF, 0)),
		G(STGI(EXPECT_NONE())),
		H(IRET(EXPECT_NONE())),
		H(VGIF(0)),
		H(SVM(0, 0))) },

	/* Family 8: NMI virtualization (vNMI). */

	{ .number = 125, .title = "vnmi(1,0,0) without the NMI intercept is refused: VMEXIT_INVALID; with svm(1,0) next to it G enters",
	  .rule = APM_VNMI_CHECK, SVM_EXPERIMENT,
	  STEPS(H(SVM(0, 0)),
		H(VNMI(1, 0, 0)),
		H(VMENTRY(EXPECT_ONE(EV_VMEXIT_INVALID))),
		H(SVM(1, 0)),
		H(VNMI(1, 0, 0)),
		G(SINCE_ENTRY(EXPECT_NONE())),
		H(VNMI(0, 0, 0)),
		H(SVM(0, 0))) },

	{ .number = 126, .title = "svm(1,0), vnmi(1,1,0): G takes the virtual NMI before its first instruction; the exit saves V_NMI = 0, V_NMI_MASK = 1; G's IRET clears the mask",
	  .rule = APM_VNMI, SVM_EXPERIMENT,
	  STEPS(H(SVM(1, 0)),
		H(VNMI(1, 1, 0)),
		G(SINCE_ENTRY(EXPECT(NMI_G))),
		H(CHECK_VINTR(EXIT_VMCALL, V_NMI_BITS, V_INTR_V_NMI_MASK)),
		G(IRET(EXPECT_NONE())),
		H(CHECK_VINTR(EXIT_VMCALL, V_NMI_BITS, 0)),
		H(VNMI(0, 0, 0)),
		H(SVM(0, 0))) },

	{ .number = 127, .title = "svm(1,0), vnmi(1,1,1): the virtual NMI waits for V_NMI_MASK to clear, and lands right after G's IRET",
	  .rule = APM_VNMI, SVM_EXPERIMENT,
	  STEPS(H(SVM(1, 0)),
		H(VNMI(1, 1, 1)),
		G(SINCE_ENTRY(EXPECT_NONE())),
		G(IRET(EXPECT(NMI_G))),
		G(IRET(EXPECT_NONE())),
		H(VNMI(0, 0, 0)),
		H(SVM(0, 0))) },

	{ .number = 128, .title = "svm(1,0), vnmi(1,0,0) + inject(NMI): VMRUN sets V_NMI_MASK for the injected NMI",
	  .rule = APM_VNMI_INJECT, SVM_EXPERIMENT,
	  STEPS(H(SVM(1, 0)),
		H(VNMI(1, 0, 0)),
		H(INJECT_NMI()),
		G(SINCE_ENTRY(EXPECT(NMI_G))),
		H(CHECK_VINTR(EXIT_VMCALL, V_INTR_V_NMI_MASK, V_INTR_V_NMI_MASK)),
		H(VNMI(0, 0, 0)),
		H(SVM(0, 0))) },

	{ .number = 129, .title = "svm(1,0), vnmi(1,1,0), gate 2 not present, #NP intercepted: the exit during the virtual NMI's delivery records the NMI and saves V_NMI_MASK = 0",
	  .rule = APM_VNMI_DELIVERY_EXIT, SVM_EXPERIMENT,
	  STEPS(H(SVM(1, 0)),
		H(NMI_GATE(0)),
		H(EXC_EXITING(VEC_NP, 1)),
		H(VNMI(1, 1, 0)),
		G(SINCE_ENTRY(EXPECT(EXIT_NP))),
		H(CHECK_EXITINTINFO(EXIT_NP, EXITINTINFO_NMI)),
		H(CHECK_VINTR(EXIT_NP, V_NMI_BITS, 0)),
		H(NMI_GATE(1)),
		H(EXC_EXITING(VEC_NP, 0)),
		H(REINJECT(EXIT_NP)),
		G(SINCE_ENTRY(EXPECT(NMI_G))),
		H(VNMI(0, 0, 0)),
		H(SVM(0, 0))) },

	{ .number = 130, .title = "svm(1,0), vnmi(1,1,0) + INTERRUPT_SHADOW: the virtual NMI waits for the shadow's instruction",
	  .rule = APM_VNMI_SHADOW, SVM_EXPERIMENT,
	  STEPS(H(SVM(1, 0)),
		H(VNMI(1, 1, 0)),
		H(SHADOW(STI)),
		G(SINCE_ENTRY(EXPECT_ONE(EV_AT(NMI_G, AT_AFTER_VMCALL_NEXT)))),
		H(VNMI(0, 0, 0)),
		H(SVM(0, 0))) },

	{ .number = 131, .title = "svm(1,0), vnmi(1,1,0), a physical NMI held by CLGI: the physical NMI exits first, with V_NMI still pending; then G takes the virtual one",
	  .rule = APM_VNMI_PRIORITY, SVM_EXPERIMENT,
	  STEPS(H(SVM(1, 0)),
		H(CLGI()),
		H(SPIN(SENDS(NMI), EXPECT_NONE())),
		H(VNMI(1, 1, 0)),
		G(SINCE_ENTRY(EXPECT_SEQ(EV_AT(NMI_H, AT_HOST_EXIT_ENTRY), EV_AT(EXIT_NMI, AT_AFTER_VMCALL),
					   EV_AT(NMI_G, AT_AFTER_VMCALL)))),
		H(CHECK_VINTR(EXIT_NMI, V_NMI_BITS, V_INTR_V_NMI)),
		H(IRET(EXPECT_NONE())),
		H(VNMI(0, 0, 0)),
		H(SVM(0, 0))) },
};

const unsigned catalogue_svm_size = sizeof(catalogue_svm) / sizeof(catalogue_svm[0]);
