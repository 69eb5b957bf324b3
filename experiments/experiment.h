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
	OP_INJECT_NMI,     /* inject(NMI) */
	OP_INJECT_INTR,    /* inject(INTR v) */
	OP_GP_EXITING,     /* exception bitmap |= #GP (1) or clear #GP exiting (0) */
	OP_WAIT,           /* wait(ctx: sends → expect O) */
	OP_IRET,           /* iret(ctx → expect O) */
	OP_FIRET,          /* firet(ctx → expect O): IRET with a null CS, #GP(0) */
	OP_SINCE_ENTRY,    /* expect O since this context was entered (VM entry for G,
			      the VMCALL's exit for H) */
	OP_VMCALL,         /* G only: end the guest's run of steps here, so that the
			      following H steps are a VMCALL of their own */
	OP_MEASURE_EXIT,   /* measure(state saved by the last <source> exit): informational */
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
	AT_ELSEWHERE,      /* observed only: a rip the experiments have no name for */
};

struct expected_event {
	enum obs_source source;
	enum anchor anchor;
	uint8_t vector;    /* AT_G_HANDLER / AT_H_HANDLER */
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

struct step {
	enum step_context ctx;
	enum step_op op;
	struct xvbw controls;   /* SET, CHECK_CONTROLS */
	int8_t value;           /* CHECK_B, CHECK_BIT12: the expected bit; GP_EXITING: on or off */
	uint8_t vector;         /* INJECT_INTR */
	enum obs_source exit;   /* MEASURE_EXIT: whose saved state */
	const char *reference;  /* MEASURE_EXIT: what other platforms were seen to save */
	uint8_t nsends;
	enum gen_event sends[MAX_SENDS];
	uint8_t nexpected;
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
#define INJECT_NMI()      .op = OP_INJECT_NMI
#define INJECT_INTR(v)    .op = OP_INJECT_INTR, .vector = (v)
#define GP_EXITING(on)    .op = OP_GP_EXITING, .value = (on)
#define WAIT(sends, ...)  .op = OP_WAIT, sends, __VA_ARGS__
#define IRET(...)         .op = OP_IRET, __VA_ARGS__
#define FIRET(...)        .op = OP_FIRET, __VA_ARGS__
#define SINCE_ENTRY(...)  .op = OP_SINCE_ENTRY, __VA_ARGS__
#define VMCALL()          .op = OP_VMCALL
#define MEASURE_EXIT(src, ref) .op = OP_MEASURE_EXIT, .exit = OBS_##src, .reference = (ref)

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
/* The controls an experiment ever sets to 1, or'ed together (for capability checks). */
struct xvbw experiment_controls_used(const struct experiment *x);

/* Writes the step in the spec's notation, e.g. "wait(G: NMI, INTR → INTR@G)". */
void step_describe(const struct step *s, char *buf, unsigned len);
/* "[G] wait(...)" with its number: "5 of 6, [G] after VM entry -> NMI@G". */
void step_describe_numbered(const struct experiment *x, unsigned index, char *buf, unsigned len);

#endif
