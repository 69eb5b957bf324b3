/*
 * Experiments as data, in the vocabulary of the catalogue (docs/experiments.md):
 *
 *   spec:  vmcall: set(0,0,1,0) · wait(G: NMI, INTR → INTR@G) · iret(G → NMI@G)
 *   here:  H(SET(0,0,1,0)), G(WAIT(SENDS(NMI, INTR), EXPECT(INTR_G))), G(IRET(EXPECT(NMI_G)))
 *
 * H(...) steps run in the host (L1), G(...) steps in the guest (L2). A run of H steps
 * between G steps is one VMCALL: the guest executes VMCALL, the host runs them, and the
 * guest resumes at the instruction after the VMCALL -- where "after VM entry" events
 * land, checked by a G(SINCE_ENTRY(...)) step. G(VMCALL()) separates two VMCALLs that
 * follow each other with nothing in between in the guest.
 *
 * An expectation is a list of up to two observations, in order, each an event source
 * and the rip where it must hit. Without AT(...) the rip is the step's natural anchor
 * (step_ops[] in experiments/describe.c): after the HLT for WAIT, after the IRET for
 * IRET, after the VMCALL for SINCE_ENTRY in G, the host's VM-exit entry in H, and the
 * faulting IRET itself for a VM exit caused by the fault of FIRET.
 */
#ifndef EXPERIMENTS_EXPERIMENT_H
#define EXPERIMENTS_EXPERIMENT_H

#include <stdbool.h>
#include <stdint.h>

#include "experiments/generator.h"
#include "experiments/observe.h"

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
			      following H steps are a VMCALL of their own */
	OP_MEASURE_EXIT,   /* measure(state saved by the last <source> exit): informational */
	OP_VMENTRY,        /* H: the VM entry happens here; expect O (a failed entry, or what G
			      observes after a successful one); after a failed entry the VMCS
			      is as it was when this run of H steps began */
	OP_SHADOW,         /* H: interruptibility bits 1:0 (STI: also RFLAGS.IF = 1) */
	OP_GUEST_IF,       /* H: the guest's RFLAGS.IF */
	OP_EXIT_CONTROL,   /* H: monitor trap flag, interrupt-window exiting, preemption timer */
	OP_ENTER_HLT,      /* H: the next VM entry enters G in the HLT state (bounded: IF = 1
			      and the wait timer armed, so nothing can halt G for ever) */
	OP_SEND_AFTER_ENTRY, /* H: the generator sends, 1 ms from now (after the VM entry) */
	OP_NMI_GATE,       /* H: G's IDT with its NMI gate present (1) or not present (0) */
	OP_REINJECT,       /* H: inject what the last <source> exit's IDT-vectoring info says */
	OP_CHECK_EXIT,     /* H: check(field & mask = bits at that <source> exit) */
	OP_MEASURE,        /* H: measure(a field of the last <source> exit): informational */
	OP_EPT,            /* H: EPT (the identity map, vmx/ept.h) on (1) or off (0) */
	OP_EPT_ARM_IRET,   /* H: the IRET frame written into the EPT frame page, the page made
			      not present, and the engine's response to the violation chosen */
	OP_EIRET,          /* eiret(ctx -> expect O): an IRET whose frame is in that page */
	OP_COUNT
};

enum anchor {
	AT_STEP,           /* the step's natural place (see above) */
	AT_AFTER_HLT,
	AT_AFTER_IRET,
	AT_AFTER_VMCALL,
	AT_FIRET,          /* the faulting IRET instruction */
	AT_AFTER_FIRET,    /* where the fix-up resumes after a faulting IRET */
	AT_HOST_EXIT_ENTRY,/* the first instruction of the host's VM-exit handler */
	AT_G_HANDLER,      /* the first instruction of G's handler for .vector */
	AT_H_HANDLER,      /* the first instruction of H's handler for .vector */
	AT_AFTER_VMCALL_NEXT, /* the instruction after the one after VMCALL (a shadow's end) */
	AT_PAGE_IRET,      /* the IRET whose frame is in the EPT frame page */
	AT_AFTER_PAGE_IRET,/* where that IRET returns to */
	AT_ELSEWHERE,      /* observed only: a rip the experiments have no name for */
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

#define MAX_SENDS 5
#define MAX_EXPECTED 2

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
	bool settle;            /* WAIT: the generator waits 1 ms after "send now", so that
				   the event finds the HLT itself */
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
};

struct experiment {
	unsigned number;
	const char *title;
	const char *rule;     /* the SDM rule it tests, with its section */
	enum basis basis;
	unsigned nsteps;
	const struct step *steps;
};

/* --- the notation ------------------------------------------------------------ */

#define H(...) { .ctx = IN_HOST, __VA_ARGS__ }
#define G(...) { .ctx = IN_GUEST, __VA_ARGS__ }

#define XVBW(x, v, b, w)  { .nmi_exiting = (x), .virtual_nmis = (v), .blocking = (b), .nmi_window = (w) }
#define SET(x, v, b, w)   .op = OP_SET, .controls = XVBW(x, v, b, w)
#define CHECK(x, v, b, w) .op = OP_CHECK_CONTROLS, .controls = XVBW(x, v, b, w)
#define CHECK_B(b)        .op = OP_CHECK_B, .value = (b)
#define CHECK_BIT12(b)    .op = OP_CHECK_BIT12, .value = (b)
#define INJECT_NMI()      .op = OP_INJECT, .injection = INJECT_KIND_NMI, .vector = 2
#define INJECT_NMI_VECTOR(v) .op = OP_INJECT, .injection = INJECT_KIND_NMI, .vector = (v)
#define INJECT_INTR(v)    .op = OP_INJECT, .injection = INJECT_KIND_INTR, .vector = (v)
#define INJECT_EXC(v)     .op = OP_INJECT, .injection = INJECT_KIND_EXCEPTION, .vector = (v)
#define INJECT_EXC_ERR(v, e) INJECT_EXC(v), .has_error_code = true, .error_code = (e)
#define EXC_EXITING(v, on) .op = OP_EXC_EXITING, .vector = (v), .value = (on)
#define GP_EXITING(on)    EXC_EXITING(13, on)
#define WAIT(sends, ...)  .op = OP_WAIT, sends, __VA_ARGS__
#define IRET(...)         .op = OP_IRET, __VA_ARGS__
#define FIRET(...)        .op = OP_FIRET, __VA_ARGS__
#define SINCE_ENTRY(...)  .op = OP_SINCE_ENTRY, __VA_ARGS__
#define VMCALL()          .op = OP_VMCALL
#define MEASURE_EXIT(src, ref) .op = OP_MEASURE_EXIT, .exit = OBS_##src, .reference = (ref)
#define MEASURE(src, f, ref) .op = OP_MEASURE, .exit = OBS_##src, .field = FIELD_##f, .reference = (ref)
#define VMENTRY(...)      .op = OP_VMENTRY, __VA_ARGS__
#define SHADOW(which)     .op = OP_SHADOW, .shadow = SHADOW_##which
#define GUEST_IF(on)      .op = OP_GUEST_IF, .value = (on)
#define MTF(on)           .op = OP_EXIT_CONTROL, .control = CONTROL_MTF, .value = (on)
#define INTR_WINDOW(on)   .op = OP_EXIT_CONTROL, .control = CONTROL_INTERRUPT_WINDOW, .value = (on)
#define PREEMPT_TIMER(v)  .op = OP_EXIT_CONTROL, .control = CONTROL_PREEMPTION_TIMER, .value = 1, .timer = (v)
#define ENTER_HLT()       .op = OP_ENTER_HLT
#define SEND_AFTER_ENTRY(sends) .op = OP_SEND_AFTER_ENTRY, sends
#define NMI_GATE(present) .op = OP_NMI_GATE, .value = (present)
#define REINJECT(src)     .op = OP_REINJECT, .exit = OBS_##src
#define CHECK_EXIT(src, f, m, b) .op = OP_CHECK_EXIT, .exit = OBS_##src, .field = FIELD_##f, .mask = (m), .bits = (b)
#define CHECK_IDTV(src, v) CHECK_EXIT(src, IDT_VECTORING, 0x80000fffu, v)
#define CHECK_INFO(src, v) CHECK_EXIT(src, INFO, 0x80000fffu, v)
#define CHECK_ERROR(src, v) CHECK_EXIT(src, ERROR, 0xffffffffu, v)
#define CHECK_ACTIVITY(src, v) CHECK_EXIT(src, ACTIVITY, 0xffffffffu, v)
#define CHECK_SAVED_B(src, b) CHECK_EXIT(src, INTERRUPTIBILITY, 1u << 3, (b) ? 1u << 3 : 0)
#define CHECK_SAVED_SHADOW(src, v) CHECK_EXIT(src, INTERRUPTIBILITY, 3u, v)
#define CHECK_QUAL(src, m, v) CHECK_EXIT(src, QUALIFICATION, m, v)
#define EPT(on)           .op = OP_EPT, .value = (on)
#define EPT_ARM_IRET(how) .op = OP_EPT_ARM_IRET, .response = EPT_RESPONSE_##how
#define EIRET(...)        .op = OP_EIRET, __VA_ARGS__
/* Modifiers of a WAIT or SINCE_ENTRY. */
#define SETTLE()          .settle = true
#define HOST_AT_EXIT()    .host_at_exit = true

#define ARG_COUNT(...) ARG_COUNT_(__VA_ARGS__, 5, 4, 3, 2, 1)
#define ARG_COUNT_(a, b, c, d, e, n, ...) n
#define SENDS(...) .sends = { __VA_ARGS__ }, .nsends = ARG_COUNT(__VA_ARGS__)
#define NMI GEN_NMI
#define INTR GEN_INTR

#define EV(src)             { .source = OBS_##src, .anchor = AT_STEP }
#define EV_AT(src, where)   { .source = OBS_##src, .anchor = (where) }
#define EV_AT_G_HANDLER(src, v) { .source = OBS_##src, .anchor = AT_G_HANDLER, .vector = (v) }
#define EV_AT_H_HANDLER(src, v) { .source = OBS_##src, .anchor = AT_H_HANDLER, .vector = (v) }
#define EXPECT(src)         .expected = { EV(src) }, .nexpected = 1
#define EXPECT_ONE(e)       .expected = { e }, .nexpected = 1
#define EXPECT_PAIR(a, b)   .expected = { a, b }, .nexpected = 2
#define EXPECT_NONE()       .nexpected = 0
/* Implementation-specific outcomes: exactly one of the two, reported as measured. */
#define EXPECT_EITHER(a, b) .expected = { a, b }, .nexpected = 2, .either = true
/* Failed VM entries (SDM 26.2: VMfailValid with an error number; 26.7: an exit with
 * reason 33 and bit 31, and a qualification). */
#define EV_VMFAIL(error)    { .source = OBS_ENTRY_VMFAIL, .anchor = AT_STEP, .has_detail = true, .detail = (error) }
#define EV_BAD_GUEST(qual)  { .source = OBS_ENTRY_BAD_GUEST, .anchor = AT_STEP, .has_detail = true, .detail = (qual) }
#define EV_BAD_GUEST_ANY    { .source = OBS_ENTRY_BAD_GUEST, .anchor = AT_STEP }

#define STEPS(...) \
	.steps = (const struct step[]){ __VA_ARGS__ }, \
	.nsteps = sizeof((const struct step[]){ __VA_ARGS__ }) / sizeof(struct step)

/* --- what each step op is ------------------------------------------------------ */

enum step_judges {
	JUDGES_NOTHING,  /* sets something up */
	JUDGES_EVENTS,   /* compares observations with .expected */
	JUDGES_VALUE,    /* compares a VMCS value with .controls or .value */
};

struct step_op_properties {
	const char *name;          /* for diagnostics */
	bool needs_vmx;            /* touches the VMCS (every G step needs VMX as well) */
	unsigned needs;            /* enum vmx_feature bits, beyond what step_needs() adds */
	enum step_judges judges;
	/* Natural anchors (AT_STEP): where events land in the guest and in the host, and
	 * where a VM exit caused by a fault of the step's own instruction is saved. */
	enum anchor in_guest, in_host, fault;
	/* The step in the spec's notation (step_describe). */
	void (*describe)(const struct step *s, char *buf, unsigned len);
};

/* Indexed by enum step_op (experiments/describe.c). */
extern const struct step_op_properties step_ops[OP_COUNT];

/* --- the catalogue --------------------------------------------------------------- */

extern const struct experiment catalogue[];
extern const unsigned catalogue_size;
/* The catalogue's highest experiment number (selections are sized for it). */
#define MAX_EXPERIMENT 255

/* The experiment with that number, or 0. */
const struct experiment *experiment_numbered(unsigned number);
bool experiment_needs_vmx(const struct experiment *x);
/* The VMX features (enum vmx_feature, or'ed) a step and an experiment need. */
unsigned step_needs(const struct step *s);
unsigned experiment_needs(const struct experiment *x);

/* Writes the step in the spec's notation, e.g. "wait(G: NMI, INTR → INTR@G)". */
void step_describe(const struct step *s, char *buf, unsigned len);
/* "[G] wait(...)" with its number: "5 of 6, [G] after VM entry -> NMI@G". */
void step_describe_numbered(const struct experiment *x, unsigned index, char *buf, unsigned len);

#endif
