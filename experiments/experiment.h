/*
 * What each step op is (step_ops[], experiments/describe.c), the catalogue, and what an
 * experiment needs to run. The steps themselves are model/step.h's; the notation that
 * writes them is experiments/notation.h.
 */
#ifndef EXPERIMENTS_EXPERIMENT_H
#define EXPERIMENTS_EXPERIMENT_H

#include <stdbool.h>
#include <stdint.h>

#include "model/step.h"

/* --- what each step op is ------------------------------------------------------ */

enum step_judges {
	JUDGES_NOTHING,  /* sets something up */
	JUDGES_EVENTS,   /* compares observations with .expected */
	JUDGES_VALUE,    /* compares a VMCS value with .controls or .value */
};

struct step_op_properties {
	bool needs_vmx;            /* touches the VMCS (every G step needs VMX as well) */
	unsigned needs;            /* enum hv_feature bits, beyond what step_needs() adds */
	enum step_judges judges;
	/* Natural anchors (AT_STEP): where events land in the guest and in the host, and
	 * where a VM exit caused by a fault of the step's own instruction is saved. */
	enum anchor in_guest, in_host, fault;
	/* The step in the spec's notation (step_describe_in). */
	void (*describe)(const struct step *s, char *buf, unsigned len);
};

/* Indexed by enum step_op (experiments/describe.c). */
extern const struct step_op_properties step_ops[OP_COUNT];

/* --- the catalogue --------------------------------------------------------------- */

extern const struct experiment catalogue[];      /* VMX: experiments/catalogue.c */
extern const unsigned catalogue_size;
extern const struct experiment catalogue_svm[];  /* SVM: experiments/catalogue_svm.c */
extern const unsigned catalogue_svm_size;

/* A catalogue with its name: "vmx" in the log's "Catalogue:" line, "VMX" in prose. */
struct catalogue {
	enum backend_kind backend;
	const char *key, *name;
	const struct experiment *experiments;
	const unsigned *size;
};
const struct catalogue *catalogue_of(enum backend_kind backend);
/* The catalogue's highest experiment number (selections are sized for it). */
#define MAX_EXPERIMENT 255

/* The experiment with that number, in either catalogue, or 0. */
const struct experiment *experiment_numbered(unsigned number);
bool experiment_needs_vmx(const struct experiment *x);
/* The VMX features (enum hv_feature, or'ed) an experiment needs. */
unsigned experiment_needs(const struct experiment *x);

/* Where an expected event of the step is: its anchor, AT_STEP resolved to the step op's
 * natural place (for the context, or the faulting instruction for an exit a fault causes). */
enum anchor expected_anchor(const struct step *s, const struct expected_event *e);

/* Writes step `index` of x in the spec's notation, e.g. "wait(G: NMI, INTR → INTR@G)", in
 * x's architecture's words (an SVM exit's EXITCODE). */
void step_describe_in(const struct experiment *x, unsigned index, char *buf, unsigned len);
/* The step as C in the catalogue's notation (experiments/notation.h), its EXPECT(...) the
 * `count` events given (a check's value from v): "G(WAIT(SENDS(NMI), EXPECT(EXIT_NMI))),". */
struct predicted;
struct predicted_value;
void step_print_notation(const struct step *s, const struct predicted *const *events, unsigned count,
			 const struct predicted_value *v, char *buf, unsigned len);
/* "[G] wait(...)" with its number: "5 of 6, [G] after VM entry -> NMI@G". */
void step_describe_numbered(const struct experiment *x, unsigned index, char *buf, unsigned len);

#endif
