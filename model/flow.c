#include "model/flow.h"

void flow_unsupported(struct model_flow *f, const char *why)
{
	if (f->out->unsupported)
		return;
	f->out->unsupported = why;
	f->out->unsupported_step = f->step;
}

struct predicted *flow_emit(struct model_flow *f, enum obs_source s, struct place p)
{
	static struct predicted overflow;
	if (f->out->count == MODEL_MAX_PREDICTED) {
		flow_unsupported(f, "more observations than the model can hold");
		return &overflow;
	}
	struct predicted *e = &f->out->items[f->out->count++];
	*e = (struct predicted){ .source = s, .anchor = p.anchor, .vector = p.vector, .step = (uint8_t)f->window };
	return e;
}

bool flow_choice(struct model_flow *f, unsigned ch)
{
	f->out->choices_consulted |= ch;
	return (f->c->choices & ch) != 0;
}

void flow_predict_value(struct model_flow *f, uint64_t value, uint64_t mask)
{
	f->out->values[f->step] = (struct predicted_value){ .present = true, .value = value & mask, .mask = mask };
}

const struct predicted *flow_last_exit(const struct model_flow *f, enum obs_source s)
{
	return s < OBS_SOURCE_COUNT && f->has_last[s] ? &f->last[s] : 0;
}

void flow_remember_exit(struct model_flow *f, const struct predicted *e)
{
	f->last[e->source] = *e;
	f->has_last[e->source] = true;
}

void flow_guest_boundary(struct model_flow *f, struct place p)
{
	for (unsigned n = 0; n < 16; n++) {
		if (flow_stopped(f) || !f->ops->in_guest(f) || !f->ops->take_one(f, p))
			return;
	}
	flow_unsupported(f, "an event that recurs at every boundary");
}

void predicted_define(struct predicted *e, enum obs_field f, uint64_t value, uint64_t mask)
{
	record_set_field(&e->rec, f, value);
	record_set_field(&e->mask, f, mask);
}

/*
 * H steps from `first` while they are H steps. A VMENTRY step whose entry has not
 * happened yet stops the run there (*at_vmentry); the second time it is reached it only
 * judges. Returns the first step not run.
 */
static unsigned host_steps(struct model_flow *f, unsigned first, bool *at_vmentry)
{
	const struct experiment *x = f->x;
	unsigned i = first;
	*at_vmentry = false;
	for (; i < x->nsteps && x->steps[i].ctx == IN_HOST && !flow_stopped(f); i++) {
		f->step = i;
		f->window = i;
		const struct step *s = &x->steps[i];
		if (s->op == OP_VMENTRY) {
			if (f->vmentry_step != i + 1) {
				f->vmentry_step = i + 1;
				*at_vmentry = true;
				return i;
			}
			f->vmentry_step = 0;
			continue;
		}
		f->ops->host_step(f, s);
	}
	return i;
}

void flow_host_steps_inside_exit(struct model_flow *f, unsigned first)
{
	bool at_vmentry;
	unsigned step = f->step, window = f->window;
	host_steps(f, first, &at_vmentry);
	if (at_vmentry)
		flow_unsupported(f, f->ops->entry_inside_exit);
	f->step = step;
	f->window = window;
	f->handoff_done = true;
}

/* The step the guest goes on with after H steps ran inside an exit (HOST_AT_EXIT). */
static unsigned next_guest_step(const struct model_flow *f, unsigned i)
{
	while (i < f->x->nsteps && f->x->steps[i].ctx == IN_HOST)
		i++;
	return i;
}

/* A run of H steps in one VMCALL and the VM entry that ends it (or, for a VMENTRY step,
 * the entry under test). Returns the step the guest goes on with; nsteps at the end. */
static unsigned host_run(struct model_flow *f, unsigned first)
{
	const struct experiment *x = f->x;
	f->ops->run_starts(f);
	for (unsigned attempt = 0; attempt < MODEL_MAX_STEPS && !flow_stopped(f); attempt++) {
		bool at_vmentry;
		unsigned next = host_steps(f, first, &at_vmentry);
		if (!f->c->vmx || flow_stopped(f))
			return next;
		f->window = next;
		f->step = next < x->nsteps ? next : f->step;
		if (!f->ops->enter_guest(f, AT_AFTER_VMCALL)) {
			if (!at_vmentry) {
				flow_unsupported(f, f->ops->entry_fails_outside_vmentry);
				f->out->entry_fails = true;
				return x->nsteps;
			}
			first = next; /* the H steps from the VMENTRY on, then the entry again */
			continue;
		}
		f->ops->after_entry(f);
		return next; /* after a VMENTRY step: the guest's next VMCALL judges it */
	}
	return x->nsteps;
}

void flow_run(struct model_flow *f)
{
	const struct experiment *x = f->x;
	if (x->nsteps >= MODEL_MAX_STEPS) {
		flow_unsupported(f, "too many steps");
		return;
	}
	/* The first entry: into the experiment's guest code, from the baseline. */
	if (f->c->vmx && !f->ops->enter_guest(f, AT_ELSEWHERE))
		flow_unsupported(f, f->ops->baseline_fails);
	unsigned i = 0;
	while (i < x->nsteps && !flow_stopped(f)) {
		const struct step *s = &x->steps[i];
		f->window = i;
		f->step = i;
		if (s->ctx == IN_HOST) {
			if (f->c->vmx)
				f->ops->vmcall_exit(f);
			i = host_run(f, i);
			continue;
		}
		if (!f->c->vmx || !f->ops->in_guest(f)) {
			flow_unsupported(f, "a guest step without a guest");
			return;
		}
		f->handoff_done = false;
		f->ops->guest_step(f, s);
		i = s->host_at_exit && f->handoff_done ? next_guest_step(f, i + 1) : i + 1;
	}
	f->window = x->nsteps;
	if (f->c->vmx && !flow_stopped(f)) {
		if (f->ops->before_end)
			f->ops->before_end(f);
		if (!flow_stopped(f))
			f->ops->vmcall_exit(f);
	}
}
