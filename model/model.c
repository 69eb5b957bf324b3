/* The models' common ground (model/model.h): which model runs an experiment, how a
 * record is compared, and the names of quirks and choices of either model. */
#include "model/model.h"

#include "model/svm.h"
#include "model/vmx.h"

void model_predict(const struct experiment *x, const struct model_config *c, struct prediction *out)
{
	if (x->backend == BACKEND_SVM)
		svm_model_predict(x, c, out);
	else
		vmx_model_predict(x, c, out);
}

unsigned model_choices(const struct experiment *x, const struct model_config *c)
{
	static struct prediction p;
	struct model_config k = *c;
	unsigned consulted = 0, known;
	do {
		known = consulted;
		k.choices = 0;
		for (bool more = true; more; more = model_next_choices(known, &k.choices)) {
			model_predict(x, &k, &p);
			consulted |= p.choices_consulted;
		}
	} while (consulted != known);
	return consulted;
}

bool record_agrees(const struct exit_record *seen, const struct predicted *p, enum obs_field *first)
{
	for (enum obs_field f = 0; f < FIELD_COUNT; f++) {
		uint64_t mask = record_field(&p->mask, f);
		if ((record_field(seen, f) & mask) != (record_field(&p->rec, f) & mask)) {
			if (first)
				*first = f;
			return false;
		}
	}
	return true;
}

bool model_predictions_differ(const struct prediction *a, const struct prediction *b)
{
	if (a->count != b->count)
		return true;
	for (unsigned i = 0; i < a->count; i++) {
		const struct predicted *p = &a->items[i], *q = &b->items[i];
		if (p->source != q->source || p->anchor != q->anchor || p->vector != q->vector || p->step != q->step ||
		    !record_agrees(&q->rec, p, 0) || !record_agrees(&p->rec, q, 0))
			return true;
	}
	for (unsigned i = 0; i < MODEL_MAX_STEPS; i++) {
		const struct predicted_value *v = &a->values[i], *w = &b->values[i];
		if (v->present != w->present || v->absent != w->absent || v->value != w->value || v->mask != w->mask)
			return true;
	}
	return false;
}

unsigned model_quirks_that_matter(const struct experiment *x, const struct model_config *c,
				  const struct prediction *p, struct prediction *scratch)
{
	unsigned matter = 0;
	for (unsigned q = 1; q; q <<= 1) {
		if (!(p->quirks_fired & q))
			continue;
		struct model_config without = *c;
		without.quirks &= ~q;
		without.applied = 0;
		model_predict(x, &without, scratch);
		if (scratch->unsupported || model_predictions_differ(p, scratch))
			matter |= q;
	}
	return matter;
}

const char *model_quirk_name(unsigned q)
{
	if (q >= 1u << MODEL_SVM_FIRST_BIT)
		return svm_quirk_name((enum svm_quirk)q);
	return vmx_quirk_name((enum model_quirk)q);
}

const char *model_choice_name(unsigned c, bool taken)
{
	if (c >= 1u << MODEL_SVM_FIRST_BIT)
		return svm_choice_name((enum svm_choice)c, taken);
	return vmx_choice_name((enum model_choice)c, taken);
}
