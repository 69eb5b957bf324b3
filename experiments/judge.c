#include "experiments/judge.h"

#include "experiments/places.h"
#include "lib/printf.h"

struct candidate {
	struct prediction p;
	bool platform;        /* the platform's quirks applied */
	unsigned choices;
	bool alive;
	struct divergence why;
};

static struct {
	const struct experiment *x;
	bool vmx, broken;
	unsigned quirks;                       /* the platform's */
	unsigned features;    /* enum model_feature: what this platform offers */
	unsigned ncandidates;
	struct candidate c[JUDGE_MAX_CANDIDATES];
	unsigned judged[MODEL_MAX_STEPS + 1];  /* observations each window had when judged */
} judge;

/* --- the candidates ----------------------------------------------------------------- */

void judge_set_features(unsigned features)
{
	judge.features = features;
}

/* Every combination of the choices the prediction consulted, for one set of quirks: each
 * subset of `consulted` once, the empty one first. */
static void add_candidates(const struct experiment *x, struct model_config c, bool platform)
{
	c.features = judge.features;
	c.choices = 0;
	unsigned consulted = model_choices(x, &c);
	for (bool more = true; more && judge.ncandidates < JUDGE_MAX_CANDIDATES;
	     more = model_next_choices(consulted, &c.choices)) {
		struct candidate *k = &judge.c[judge.ncandidates++];
		model_predict(x, &c, &k->p);
		k->platform = platform;
		k->choices = c.choices;
		k->alive = true;
		k->why.found = false;
	}
}

/* break=N: a wrong first prediction, the same in every candidate. */
static void break_prediction(struct prediction *p)
{
	if (p->count)
		p->items[0].source = p->items[0].source == OBS_TIMEOUT ? OBS_NMI_G : OBS_TIMEOUT;
	else
		for (unsigned i = 0; i < MODEL_MAX_STEPS; i++)
			if (p->values[i].present) {
				p->values[i].value ^= p->values[i].mask & -p->values[i].mask;
				return;
			}
}

bool judge_begin(const struct experiment *x, bool vmx, unsigned platform_quirks, bool broken, const char **why)
{
	judge.x = x;
	judge.vmx = vmx;
	judge.quirks = platform_quirks;
	judge.broken = broken;
	judge.ncandidates = 0;
	for (unsigned i = 0; i <= MODEL_MAX_STEPS; i++)
		judge.judged[i] = 0;
	add_candidates(x, (struct model_config){ .vmx = vmx }, false);
	unsigned sdm = judge.ncandidates;
	if (platform_quirks)
		add_candidates(x, (struct model_config){ .vmx = vmx, .quirks = platform_quirks }, true);
	for (unsigned i = 0; i < judge.ncandidates; i++) {
		if (judge.c[i].p.unsupported && i < sdm) {
			*why = judge.c[i].p.unsupported;
			return false;
		}
		judge.c[i].alive = !judge.c[i].p.unsupported;
		if (broken)
			break_prediction(&judge.c[i].p);
	}
	return true;
}

/* --- describing ------------------------------------------------------------------------ */

/* "EXIT_NMI at 0x20fce8 (after HLT) [info 0x80000202, ...]": an observation. */
static void add_observation(const struct observation *o, char *buf, size_t len, size_t *used)
{
	char where[64];
	const struct exit_record *r = &o->rec;
	snappend(buf, len, used, "%s at %s", obs_source_name(o->source), describe_rip(o->rip, where, sizeof(where)));
	if (judge.x && judge.x->backend == BACKEND_SVM && obs_is_exit(o->source))
		snappend(buf, len, used, " [EXITCODE %#x, EXITINFO1 %#llx, EXITINTINFO %#x, INTERRUPT_SHADOW %u, "
			 "V_INTR %#x, EVENTINJ %#x, nRIP-RIP %#x]", r->reason, (unsigned long long)r->qualification,
			 r->idt_vectoring, r->interruptibility, r->info, r->entry_info, r->length);
	else if (o->source == OBS_ENTRY_VMFAIL)
		snappend(buf, len, used, " [VM-instruction error %u]", r->detail);
	else if (o->source == OBS_ENTRY_BAD_GUEST)
		snappend(buf, len, used, " [qualification %llu, entry info %#x, interruptibility %#x]",
			 (unsigned long long)r->qualification, r->entry_info, r->interruptibility);
	else if (o->source == OBS_EXIT_EPT)
		snappend(buf, len, used, " [qualification %#llx, interruptibility %#x, idt-vectoring %#x]",
			 (unsigned long long)r->qualification, r->interruptibility, r->idt_vectoring);
	else if (obs_is_exit(o->source))
		snappend(buf, len, used, " [info %#x, interruptibility %#x, activity %u, length %u, idt-vectoring %#x]",
			 r->info, r->interruptibility, r->activity, r->length, r->idt_vectoring);
	if (o->hit_before_hlt)
		snappend(buf, len, used, " (it hit before the HLT)");
}

/* "NMI_G at 0x20fce8 (after HLT)": where the model predicts an event. */
static void add_predicted(const struct predicted *p, char *buf, size_t len, size_t *used)
{
	char where[64];
	uintptr_t address = anchor_address(p->anchor, p->vector);
	snappend(buf, len, used, "%s at %s", obs_source_name(p->source),
		 address ? describe_rip(address, where, sizeof(where)) : anchor_name(p->anchor));
}

/* The events a prediction has in window `step`, or "none". */
static void describe_predicted_events(const struct prediction *p, unsigned step, char *buf, unsigned len)
{
	size_t used = 0;
	buf[0] = 0;
	for (unsigned i = 0; i < p->count; i++) {
		if (p->items[i].step != step || !obs_is_event(p->items[i].source))
			continue;
		snappend(buf, len, &used, "%s", used ? ", " : "");
		add_predicted(&p->items[i], buf, len, &used);
	}
	if (!used)
		snprintf(buf, len, "none");
}

/* The observations tagged with window `step`, copied out in order. */
static unsigned window_of(unsigned step, const struct observation *log, unsigned count,
			  const struct observation **out, unsigned max)
{
	unsigned n = 0;
	for (unsigned i = 0; i < count && n < max; i++)
		if (log[i].window == step)
			out[n++] = &log[i];
	return n;
}

/* The events among obs[0..n), or "none". */
static void describe_observed_events(const struct observation **obs, unsigned n, char *buf, unsigned len)
{
	size_t used = 0;
	buf[0] = 0;
	for (unsigned i = 0; i < n; i++) {
		if (!obs_is_event(obs[i]->source))
			continue;
		snappend(buf, len, &used, "%s", used ? ", " : "");
		add_observation(obs[i], buf, len, &used);
	}
	if (!used)
		snprintf(buf, len, "none");
}

void describe_window(unsigned step, const struct observation *log, unsigned count, char *buf, unsigned len)
{
	const struct observation *obs[OBS_LOG_SIZE];
	describe_observed_events(obs, window_of(step, log, count, obs, OBS_LOG_SIZE), buf, len);
}

/* --- comparing ---------------------------------------------------------------------------- */

static bool same_place(const struct observation *o, const struct predicted *p)
{
	uint8_t vector;
	enum anchor a = anchor_of(o->rip, &vector);
	if (a != p->anchor)
		return false;
	if (a == AT_G_HANDLER || a == AT_H_HANDLER)
		return vector == p->vector;
	return o->source != OBS_EXC_G || o->vector == p->vector;
}

/*
 * Whether the window agrees with candidate k; if not, what differs, in its divergence.
 * Events are listed whole (expected and observed); when the events agree, the first
 * observation that differs is named with the field and the bits that differ.
 */
static bool window_agrees(struct candidate *k, unsigned step, const struct observation **obs, unsigned n)
{
	const struct prediction *p = &k->p;
	unsigned oi = 0;
	enum obs_field field = FIELD_COUNT;
	const struct observation *bad = 0;
	const struct predicted *want = 0;
	bool missing = false;
	for (unsigned pi = 0; pi < p->count && !bad && !missing; pi++) {
		const struct predicted *q = &p->items[pi];
		if (q->step != step)
			continue;
		if (oi == n) {
			missing = true, want = q;
			break;
		}
		const struct observation *o = obs[oi++];
		if (o->source != q->source || !same_place(o, q))
			bad = o, want = q;
		else if ((obs_is_exit(o->source) || obs_is_entry_failure(o->source)) && !record_agrees(&o->rec, q, &field))
			bad = o, want = q;
	}
	if (!bad && !missing && oi == n)
		return true;
	struct divergence *d = &k->why;
	d->found = true;
	d->step = step;
	size_t expected_len = 0, observed_len = 0;
	if (field != FIELD_COUNT && bad) {
		uint64_t mask = record_field(&want->mask, field);
		bool svm = judge.x->backend == BACKEND_SVM;
		add_predicted(want, d->expected, DIAG_LEN, &expected_len);
		snappend(d->expected, DIAG_LEN, &expected_len, " with %s & %#llx = %#llx", obs_field_name_for(svm, field),
			 (unsigned long long)mask, (unsigned long long)(record_field(&want->rec, field) & mask));
		add_observation(bad, d->observed, DIAG_LEN, &observed_len);
		snappend(d->observed, DIAG_LEN, &observed_len, ": %s %#llx", obs_field_name_for(svm, field),
			 (unsigned long long)record_field(&bad->rec, field));
		return false;
	}
	describe_predicted_events(p, step, d->expected, DIAG_LEN);
	describe_observed_events(obs, n, d->observed, DIAG_LEN);
	/* The events agree: the difference is in an observation that is not an event. */
	if (bad && !obs_is_event(bad->source) && !obs_is_event(want->source)) {
		add_predicted(want, d->expected, DIAG_LEN, &expected_len);
		add_observation(bad, d->observed, DIAG_LEN, &observed_len);
	} else if (missing && !obs_is_event(want->source)) {
		add_predicted(want, d->expected, DIAG_LEN, &expected_len);
		snprintf(d->observed, DIAG_LEN, "no %s", obs_source_name(want->source));
	} else if (!bad && !missing && oi < n && !obs_is_event(obs[oi]->source)) {
		snprintf(d->expected, DIAG_LEN, "no %s", obs_source_name(obs[oi]->source));
		add_observation(obs[oi], d->observed, DIAG_LEN, &observed_len);
	}
	return false;
}

static bool any_alive(void)
{
	for (unsigned i = 0; i < judge.ncandidates; i++)
		if (judge.c[i].alive)
			return true;
	return false;
}

bool judge_window(unsigned step, const struct observation *log, unsigned count)
{
	const struct observation *obs[OBS_LOG_SIZE];
	unsigned n = window_of(step, log, count, obs, OBS_LOG_SIZE);
	if (step <= MODEL_MAX_STEPS)
		judge.judged[step] = n;
	for (unsigned i = 0; i < judge.ncandidates; i++)
		if (judge.c[i].alive && !window_agrees(&judge.c[i], step, obs, n))
			judge.c[i].alive = false;
	return any_alive();
}

bool judge_value(unsigned step, bool absent, uint64_t value, void (*describe)(uint64_t v, char *buf, unsigned len))
{
	for (unsigned i = 0; i < judge.ncandidates; i++) {
		struct candidate *k = &judge.c[i];
		const struct predicted_value *v = step < MODEL_MAX_STEPS ? &k->p.values[step] : 0;
		if (!k->alive || !v || !v->present)
			continue;
		if (absent == v->absent && (absent || (value & v->mask) == (v->value & v->mask)))
			continue;
		k->alive = false;
		k->why.found = true;
		k->why.step = step;
		if (v->absent)
			snprintf(k->why.expected, DIAG_LEN, "no such exit to read");
		else
			describe(v->value, k->why.expected, DIAG_LEN);
		if (absent)
			snprintf(k->why.observed, DIAG_LEN, "no such exit was recorded");
		else
			describe(value & (v->absent ? ~0ull : v->mask), k->why.observed, DIAG_LEN);
	}
	return any_alive();
}

bool judge_late(const struct observation *log, unsigned count)
{
	unsigned per_window[MODEL_MAX_STEPS + 1] = { 0 };
	for (unsigned i = 0; i < count; i++)
		if (log[i].window <= MODEL_MAX_STEPS)
			per_window[log[i].window]++;
	for (unsigned s = 0; s <= judge.x->nsteps && s <= MODEL_MAX_STEPS; s++) {
		if (per_window[s] == judge.judged[s])
			continue;
		for (unsigned i = 0; i < judge.ncandidates; i++) {
			struct candidate *k = &judge.c[i];
			if (!k->alive)
				continue;
			k->alive = false;
			k->why.found = true;
			k->why.step = s;
			snprintf(k->why.expected, DIAG_LEN, "%u observations in this step's window", judge.judged[s]);
			snprintf(k->why.observed, DIAG_LEN, "%u more after it was judged", per_window[s] - judge.judged[s]);
		}
	}
	return any_alive();
}

/* Of the candidates of one kind, the one that lasted (alive, or failing latest). */
static const struct candidate *best(bool platform)
{
	const struct candidate *b = 0;
	for (unsigned i = 0; i < judge.ncandidates; i++) {
		const struct candidate *k = &judge.c[i];
		if (k->platform != platform)
			continue;
		if (!b || (k->alive && !b->alive) || (!k->alive && !b->alive && k->why.step > b->why.step))
			b = k;
	}
	return b;
}

/* A choice the run settled: every SDM candidate left took it one way, some that dropped
 * out the other. */
static void settle_choices(struct judgement *j)
{
	for (unsigned bit = 1; bit; bit <<= 1) {
		unsigned alive_with = 0, alive_without = 0, consulted = 0;
		for (unsigned i = 0; i < judge.ncandidates; i++) {
			const struct candidate *k = &judge.c[i];
			if (k->platform)
				continue;
			consulted |= k->p.choices_consulted;
			if (k->alive && (k->choices & bit))
				alive_with++;
			else if (k->alive)
				alive_without++;
		}
		if (!(consulted & bit) || (alive_with && alive_without) || !(alive_with + alive_without))
			continue;
		j->choices_settled |= bit;
		j->choices_taken |= alive_with ? bit : 0;
	}
}

/* Whether the platform's model predicts something else than an SDM candidate that held
 * (same choices): its deviations were expected here and did not show. */
static bool deviation_expected(void)
{
	for (unsigned k = 0; k < judge.ncandidates; k++) {
		if (judge.c[k].platform || !judge.c[k].alive)
			continue;
		for (unsigned i = 0; i < judge.ncandidates; i++)
			if (judge.c[i].platform && judge.c[i].choices == judge.c[k].choices &&
			    model_predictions_differ(&judge.c[i].p, &judge.c[k].p))
				return true;
	}
	return false;
}

/* The platform's quirks that its prediction needs (a deliberately broken prediction
 * differs from any other: then every quirk that fired). */
static unsigned quirks_that_matter(const struct candidate *k)
{
	static struct prediction scratch;
	if (judge.broken)
		return k->p.quirks_fired;
	struct model_config c = { .vmx = judge.vmx, .quirks = judge.quirks, .choices = k->choices,
				  .features = judge.features };
	return model_quirks_that_matter(judge.x, &c, &k->p, &scratch);
}

void judge_conclude(struct judgement *j)
{
	*j = (struct judgement){ .deviation_expected = deviation_expected() };
	const struct candidate *sdm = best(false), *platform = best(true);
	j->sdm_holds = sdm && sdm->alive;
	if (sdm)
		j->sdm = sdm->why;
	if (platform) {
		j->platform_holds = !j->sdm_holds && platform->alive;
		j->platform = platform->why;
		j->quirks = quirks_that_matter(platform);
	}
	settle_choices(j);
}

