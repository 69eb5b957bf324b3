/*
 * Experiments as data: the steps of the catalogue's notation (docs/experiments.md), as
 * the engine runs them and the model (model/vmx.h) predicts them. The macros that write
 * them are in experiments/notation.h, for catalogue files only.
 *
 * H steps run in the host (L1), G steps in the guest (L2). A run of H steps between G
 * steps is one VMCALL: the guest executes VMCALL, the host runs them, and the guest
 * resumes at the instruction after the VMCALL -- where "after VM entry" events land,
 * checked by a G SINCE_ENTRY step. A G VMCALL step separates two VMCALLs that follow
 * each other with nothing in between in the guest; what lands after the first one is its
 * expectation (VMCALL() when nothing does).
 *
 * An expectation is a list of up to two events, in order, each a source and the place
 * where it must hit. AT_STEP is the step's natural place (step_ops[] in
 * experiments/describe.c): after the HLT for WAIT, after the IRET for IRET, after the
 * VMCALL for SINCE_ENTRY in G, the host's VM-exit entry in H, and the faulting IRET
 * itself for a VM exit caused by the fault of FIRET.
 */
#ifndef MODEL_STEP_H
#define MODEL_STEP_H

#include <stdbool.h>
#include <stdint.h>

#include "model/event.h"

/* What the generator CPU can send the experimenter. */
enum gen_event { GEN_NMI, GEN_INTR };

/* How long the generator waits after "send now" when the event must find the HLT itself
 * (a WAIT with SETTLE), or after the VM entry for SEND_AFTER_ENTRY. */
#define SETTLE_DELAY_MS 1

enum step_context { IN_GUEST, IN_HOST };

enum step_op {
	OP_SET,            /* set(X,V,B,W) */
	OP_CHECK_CONTROLS, /* check(X,V,B,W) */
	OP_CHECK_B,        /* check(B=b) */
	OP_CHECK_BIT12,    /* check(bit12=b at that exit): the last EXIT_GP */
	OP_INJECT,         /* inject(NMI), inject(INTR v), inject(#DB), inject(#GP(0)) ... */
	OP_EXC_EXITING,    /* exception bitmap |= #v (1) or clear #v exiting (0) */
	OP_WAIT,           /* wait(ctx: sends → expect O) */
	OP_IRET,           /* iret(ctx → expect O) */
	OP_FIRET,          /* firet(ctx → expect O): IRET with a null CS, #GP(0) */
	OP_SINCE_ENTRY,    /* expect O since this context was entered (VM entry for G,
			      the VMCALL's exit for H) */
	OP_VMCALL,         /* G only: end the guest's run of steps here, so that the
			      following H steps are a VMCALL of their own; expect O since
			      VM entry (as SINCE_ENTRY, but never after an entry into HLT) */
	OP_MEASURE_EXIT,   /* measure(state saved by the last <source> exit): informational */
	OP_VMENTRY,        /* H: the VM entry happens here; expect O (a failed entry, or what G
			      observes after a successful one); after a failed entry the VMCS
			      is as it was when this run of H steps began */
	OP_SHADOW,         /* H: interruptibility bits 1:0 (STI: also RFLAGS.IF = 1) */
	OP_GUEST_IF,       /* H: the guest's RFLAGS.IF */
	OP_EXIT_CONTROL,   /* H: monitor trap flag, interrupt-window exiting, preemption timer */
	OP_ENTER_HLT,      /* H: the next VM entry enters G in the HLT state (bounded: IF = 1
			      and the wait timer armed, so nothing can halt G for ever) */
	OP_SEND_AFTER_ENTRY, /* H: the generator sends, SETTLE_DELAY_MS from now (after the VM entry) */
	OP_NMI_GATE,       /* H: G's IDT with its NMI gate present (1) or not present (0) */
	OP_REINJECT,       /* H: inject what the last <source> exit's IDT-vectoring info says */
	OP_CHECK_EXIT,     /* H: check(field & mask = bits at that <source> exit) */
	OP_MEASURE,        /* H: measure(a field of the last <source> exit): informational */
	OP_EPT,            /* H: EPT (the identity map, vmx/ept.h) on (1) or off (0) */
	OP_EPT_ARM_IRET,   /* H: the IRET frame written into the EPT frame page, the page made
			      not present, and the engine's response to the violation chosen */
	OP_EIRET,          /* eiret(ctx -> expect O): an IRET whose frame is in that page */
	/* SVM (model/svm.h); the ops above that mean the same there are reused: VMCALL is
	 * the hypercall (VMMCALL), INJECT writes EVENTINJ, SHADOW the VMCB's INTERRUPT_SHADOW,
	 * EXC_EXITING the exception intercepts, REINJECT copies EXITINTINFO to EVENTINJ. */
	OP_SVM_INTERCEPTS, /* H: svm(N,I): the NMI intercept and the IRET intercept */
	OP_CLGI,           /* clgi: GIF = 0 (in G with VGIF: V_GIF = 0) */
	OP_STGI,           /* stgi(ctx -> expect O): GIF = 1; what it releases lands after it */
	OP_SPIN,           /* spin(H: sends -> expect O): no HLT, one wait bound of spinning
			      while the generator sends (GIF = 0 holds even the bound's timer) */
	OP_GIF_AT_EXIT,    /* H: the next #VMEXIT leaves GIF = 0 for the H steps after it, until
			      a stgi step (the engine otherwise sets it at once) */
	OP_VNMI,           /* H: vnmi(E,P,M): V_NMI_ENABLE, V_NMI (pending), V_NMI_MASK */
	OP_VGIF,           /* H: V_GIF_ENABLE, with V_GIF = 1 */
	OP_INT2,           /* int2(ctx -> expect O): INT 2, the software interrupt through the
			      NMI gate; its handler returns to after_int2 */
	OP_COUNT
};


struct expected_event {
	enum obs_source source;
	enum anchor anchor;
	uint8_t vector;    /* AT_G_HANDLER / AT_H_HANDLER */
	bool has_detail;   /* failed entries: the error number or qualification must be .detail */
	uint32_t detail;
};

/* The spec's four NMI controls, each 0 or 1. */
struct xvbw {
	int8_t nmi_exiting;   /* X: pin-based "NMI exiting" */
	int8_t virtual_nmis;  /* V: pin-based "virtual NMIs" */
	int8_t blocking;      /* B: interruptibility bit 3, "blocking by NMI" */
	int8_t nmi_window;    /* W: processor-based "NMI-window exiting" */
};

/* What check(X,V,B,W) reads and judges: the controls as the decimal digits XVBW, so that
 * (1,1,1,0) is 1110 and a value reads as the notation writes it. */
static inline uint64_t xvbw_value(const struct xvbw *c)
{
	return (c->nmi_exiting ? 1000u : 0) + (c->virtual_nmis ? 100u : 0) + (c->blocking ? 10u : 0) +
	       (c->nmi_window ? 1u : 0);
}

static inline struct xvbw xvbw_of_value(uint64_t value)
{
	return (struct xvbw){ .nmi_exiting = (int8_t)(value / 1000 % 10), .virtual_nmis = (int8_t)(value / 100 % 10),
			      .blocking = (int8_t)(value / 10 % 10), .nmi_window = (int8_t)(value % 10) };
}

/* SVM's NMI controls in the VMCB (APM Vol. 2, Appendix B, Table B-1, "VMCB Layout,
 * Control Area"): the NMI intercept (offset 0Ch bit 1), the IRET intercept (0Ch bit 20). */
struct svm_intercepts {
	int8_t nmi;           /* N */
	int8_t iret;          /* I */
};

/* NMI virtualization (APM 15.21.10, "NMI Virtualization"; VMCB offset 60h bits 26, 11, 12). */
struct vnmi_fields {
	int8_t enable;        /* E: V_NMI_ENABLE */
	int8_t pending;       /* P: V_NMI, a virtual NMI is pending */
	int8_t masked;        /* M: V_NMI_MASK (KVM: V_NMI_BLOCKING) */
};

#define MAX_SENDS 5
#define MAX_EXPECTED 4

/* What inject(...) puts in the VM-entry interruption-information field (24.8.3). */
enum injection { INJECT_KIND_NMI, INJECT_KIND_INTR, INJECT_KIND_EXCEPTION };
enum shadow { SHADOW_NONE, SHADOW_STI, SHADOW_MOV_SS };
enum exit_control { CONTROL_MTF, CONTROL_INTERRUPT_WINDOW, CONTROL_PREEMPTION_TIMER };
/* What the engine does at the EPT violation of an armed frame page (EPT_ARM_IRET): map the
 * page again, and under REBLOCK also set blocking by NMI when the exit qualification says
 * the IRET had unblocked NMIs (SDM 31.7.1.2); then the IRET executes again. */
enum ept_response { EPT_RESPONSE_NONE, EPT_RESPONSE_REBLOCK, EPT_RESPONSE_RESTORE_ONLY };

struct step {
	enum step_context ctx;
	enum step_op op;
	struct xvbw controls;   /* SET, CHECK_CONTROLS */
	struct svm_intercepts intercepts; /* SVM_INTERCEPTS */
	struct vnmi_fields vnmi; /* VNMI */
	/* CHECK_B, CHECK_BIT12: the expected bit; EXC_EXITING, GUEST_IF, NMI_GATE,
	 * EXIT_CONTROL (MTF, interrupt window): on or off */
	int8_t value;
	uint8_t vector;         /* INJECT, EXC_EXITING */
	enum injection injection;
	bool has_error_code;    /* INJECT of an exception that pushes one */
	uint32_t error_code;
	enum shadow shadow;     /* SHADOW */
	enum exit_control control; /* EXIT_CONTROL */
	uint32_t timer;         /* EXIT_CONTROL, preemption timer: its value */
	enum ept_response response; /* EPT_ARM_IRET */
	enum obs_source exit;   /* MEASURE_EXIT, MEASURE, CHECK_EXIT, REINJECT: which exit */
	enum obs_field field;   /* MEASURE, CHECK_EXIT */
	uint32_t mask, bits;    /* CHECK_EXIT: field & mask must be bits */
	const char *reference;  /* MEASURE(_EXIT): what other platforms were seen to save */
	uint8_t nsends;
	enum gen_event sends[MAX_SENDS];
	bool settle;            /* WAIT: the generator waits SETTLE_DELAY_MS after "send now",
				   so that the event finds the HLT itself */
	bool host_at_exit;      /* G WAIT or SINCE_ENTRY: the H steps after it run inside the
				   VM exit it expects first, before any VM entry */
	uint8_t nexpected;
	bool either;            /* measured: exactly one event, one of the two expected */
	struct expected_event expected[MAX_EXPECTED];
};

/* Where an experiment's expectation comes from. */
enum basis {
	BASIS_SILICON,  /* what Intel silicon did (the original LHV experiments) */
	BASIS_SDM,      /* what the SDM prescribes, not yet confirmed on silicon */
	BASIS_APM,      /* what AMD's manual prescribes, not yet confirmed on silicon */
};

/* The virtualization an experiment is for: its catalogue, its model, its backend. */
enum backend_kind {
	BACKEND_VMX,    /* Intel VT-x (experiments/catalogue.c, model/vmx.h) */
	BACKEND_SVM,    /* AMD-V (experiments/catalogue_svm.c, model/svm.h) */
};

struct experiment {
	unsigned number;
	const char *title;
	const char *rule;     /* the SDM (or APM) rule it tests, with its section and title */
	enum basis basis;
	enum backend_kind backend;
	unsigned nsteps;
	const struct step *steps;
};

#endif
