/*
 * What every model predicts, whatever the virtualization: the prediction of an
 * experiment (each observation with its place and, for exits, the whole record with a
 * mask of the bits the manual defines), the configuration a model runs under, and the
 * one entry point that runs the experiment's own model -- model/vmx.h for VMX (the SDM's
 * rules), model/svm.h for SVM (the APM's).
 *
 * Quirks (a platform's known deviations, each a change to one clause) and choices (what
 * the manual leaves to the processor) are bits of one word each, shared by the models:
 * VMX's clauses use bits 0-15, SVM's bits 16-31. So one platform's deviations on both
 * architectures live in one table (experiments/deviations.c), and a verdict names them
 * alike.
 *
 * Pure and freestanding: no I/O, no globals; the kernel and the host tests link it.
 */
#ifndef MODEL_MODEL_H
#define MODEL_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "model/event.h"
#include "model/rules.h"
#include "model/step.h"

/* The first quirk and choice bit of the SVM model (model/svm.h). */
#define MODEL_SVM_FIRST_BIT 16

struct model_config {
	bool vmx;           /* a guest exists (VMX or SVM); false: only host steps run */
	unsigned quirks;    /* enum model_quirk, enum svm_quirk */
	unsigned choices;   /* enum model_choice, enum svm_choice: the processor's choices in this run */
	unsigned features;  /* enum model_feature: what the platform offers, where a record
			       depends on it */
	/* For the rule inventory (tests/rules_md.c): called each time a clause applies a
	 * rule, with the clause's name; 0 in the kernel. The SDM's rules: the VMX model
	 * calls it, the SVM model does not (yet). */
	void (*applied)(void *ctx, enum sdm_rule rule, const char *clause);
	void *applied_ctx;
};

/* What a record may depend on besides the rules (model_config.features). */
enum model_feature {
	MODEL_FEATURE_NRIP_SAVE = 1u << 0,  /* SVM: nRIP is saved (CPUID 8000_000Ah:EDX[3]) */
};

/* One predicted observation. */
struct predicted {
	enum obs_source source;
	enum anchor anchor;          /* never AT_STEP */
	uint8_t vector;              /* AT_G_HANDLER / AT_H_HANDLER; EXC_G's exception */
	uint8_t step;                /* the step whose window it falls in; nsteps: the end */
	struct exit_record rec, mask;/* exits and failed entries: the bits the manual defines */
};

/* What a value step reads, and which of its bits are defined; absent: it reads an exit
 * that did not happen (a deviation's model may predict that: the check finds nothing). */
struct predicted_value {
	bool present;
	bool absent;
	uint64_t value, mask;
};

#define MODEL_MAX_STEPS 64
#define MODEL_MAX_PREDICTED 96

struct prediction {
	unsigned count;
	struct predicted items[MODEL_MAX_PREDICTED];
	struct predicted_value values[MODEL_MAX_STEPS];
	/* The choices this experiment's outcome depends on: running it with each
	 * combination of these gives every outcome the manual allows. */
	unsigned choices_consulted;
	/* The quirks that changed something here. */
	unsigned quirks_fired;
	/* The model cannot predict this experiment (a step it does not model, or a
	 * situation whose outcome depends on timing): why, and at which step. */
	const char *unsupported;
	unsigned unsupported_step;
	bool entry_fails;          /* ... because a VM entry fails outside a VMENTRY step */
};

/* The combinations of the choices a prediction consulted, one after another: the first
 * is 0, then each call gives the next in *choices, false after the last. Running the
 * model once per combination gives every outcome the manual allows. */
static inline bool model_next_choices(unsigned consulted, unsigned *choices)
{
	if ((*choices & consulted) == consulted)
		return false;
	*choices = ((*choices | ~consulted) + 1) & consulted;
	return true;
}

/* Runs the model of x's architecture (x->backend) over experiment x. */
void model_predict(const struct experiment *x, const struct model_config *c, struct prediction *out);

/* Every choice x's outcome may depend on under c: what the predictions consult, for every
 * combination of what they consult (a choice may matter only after another was made). */
unsigned model_choices(const struct experiment *x, const struct model_config *c);

/* Whether an observed record agrees with a predicted one, on the bits the manual
 * defines; the first field that differs otherwise. */
bool record_agrees(const struct exit_record *seen, const struct predicted *p, enum obs_field *first);

/* Whether two predictions of the same experiment differ in any observation, record bit
 * either defines, or value. */
bool model_predictions_differ(const struct prediction *a, const struct prediction *b);

/* The quirks of c that p (the prediction of x under c) needs: those whose removal alone
 * changes it. A quirk can fire without changing anything compared (a blocking nothing
 * tests afterwards); a known failure names only the ones that matter. `scratch` is the
 * caller's (no globals here). */
unsigned model_quirks_that_matter(const struct experiment *x, const struct model_config *c,
				  const struct prediction *p, struct prediction *scratch);

/* "entry-keeps-nmi-blocking": a quirk's name (one bit of either model), for diagnostics;
 * "?" for a bit no model uses. A choice, said both ways. */
const char *model_quirk_name(unsigned q);
const char *model_choice_name(unsigned c, bool taken);

#endif
