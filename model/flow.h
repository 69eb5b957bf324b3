/*
 * The engine's flow, once for every model: how an experiment's steps run, as the engine
 * runs them (experiments/engine.c) -- the first VM entry from the baseline, the guest's
 * steps, each run of H steps inside one VMCALL and the VM entry that ends it, a VMENTRY
 * step whose entry is under test (after a failed one the H steps go on from there with
 * the VMCS as the run began), H steps inside an exit (HOST_AT_EXIT), the last VMCALL.
 * What happens at each of those points is the model's: model/vmx.c (the SDM's rules),
 * model/svm.c (the APM's), through struct flow_ops.
 *
 * A model's state begins with a struct model_flow, so a flow_ops callback can turn the
 * flow back into its model.
 */
#ifndef MODEL_FLOW_H
#define MODEL_FLOW_H

#include <stdbool.h>

#include "model/model.h"

struct model_flow;

/* A place in the guest's or host's code: an anchor, and a vector for handler entries. */
struct place {
	enum anchor anchor;
	uint8_t vector;
};

static inline struct place place(enum anchor a) { return (struct place){ .anchor = a }; }
static inline struct place g_handler(uint8_t v) { return (struct place){ .anchor = AT_G_HANDLER, .vector = v }; }
static inline struct place h_handler(uint8_t v) { return (struct place){ .anchor = AT_H_HANDLER, .vector = v }; }

struct flow_ops {
	void (*host_step)(struct model_flow *f, const struct step *s);
	void (*guest_step)(struct model_flow *f, const struct step *s);
	/* A VM entry that resumes the guest at `resume`; false if it failed (recorded). */
	bool (*enter_guest)(struct model_flow *f, enum anchor resume);
	/* The guest after a VM entry from a run of H steps, at after_vmcall. */
	void (*after_entry)(struct model_flow *f);
	/* The guest's VMCALL (VMMCALL) exit: the H steps that follow run in the host. */
	void (*vmcall_exit)(struct model_flow *f);
	/* A run of H steps begins: a failed VMENTRY goes back to the VMCS (VMCB) as it is now. */
	void (*run_starts)(struct model_flow *f);
	bool (*in_guest)(const struct model_flow *f);
	/* Takes the one event of highest priority due at guest boundary p; false if none. */
	bool (*take_one)(struct model_flow *f, struct place p);
	/* After the last step, before the last VMCALL: what must not be left pending (may be
	 * 0). */
	void (*before_end)(struct model_flow *f);
	/* "VM entry" or "VMRUN", for the reasons the flow cannot go on. */
	const char *baseline_fails, *entry_fails_outside_vmentry, *entry_inside_exit;
};

struct model_flow {
	const struct flow_ops *ops;
	const struct experiment *x;
	const struct model_config *c;
	struct prediction *out;
	unsigned step;              /* the step being run */
	unsigned window;            /* the step whose judgement window events fall in */
	unsigned vmentry_step;      /* VMENTRY: its index + 1 while its entry is under way */
	bool handoff_done;          /* HOST_AT_EXIT: the H steps ran inside the exit */
	struct predicted last[OBS_SOURCE_COUNT]; /* the last exit of each kind (REINJECT, CHECK_*) */
	bool has_last[OBS_SOURCE_COUNT];
};

/* Runs experiment f->x over the model whose flow f is (f->ops, x, c, out set; out
 * cleared by the caller). */
void flow_run(struct model_flow *f);

/* HOST_AT_EXIT: the H steps from `first` inside the exit being taken. */
void flow_host_steps_inside_exit(struct model_flow *f, unsigned first);

/* The model cannot predict this experiment: why, at the step being run (the first
 * reason counts). */
void flow_unsupported(struct model_flow *f, const char *why);
static inline bool flow_stopped(const struct model_flow *f) { return f->out->unsupported != 0; }

/* The next predicted observation, at place p in the current judgement window. */
struct predicted *flow_emit(struct model_flow *f, enum obs_source s, struct place p);

/* Whether the processor made choice ch (enum model_choice, enum svm_choice) in this run;
 * the prediction records that it depended on it. */
bool flow_choice(struct model_flow *f, unsigned ch);

/* The value step being run reads `value` on the bits of `mask`. */
void flow_predict_value(struct model_flow *f, uint64_t value, uint64_t mask);

/* The last exit (or failed entry) of kind s predicted so far, or 0; and recording one. */
const struct predicted *flow_last_exit(const struct model_flow *f, enum obs_source s);
void flow_remember_exit(struct model_flow *f, const struct predicted *e);

/* Everything due at guest boundary p, one event after another while the guest runs
 * (ops->take_one); an event that recurs at every boundary is the model's to explain. */
void flow_guest_boundary(struct model_flow *f, struct place p);

/* Field f of a predicted record: its value and the bits the manual defines. */
void predicted_define(struct predicted *e, enum obs_field f, uint64_t value, uint64_t mask);

#endif
