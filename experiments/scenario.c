#include "experiments/scenario.h"

#include "experiments/deviations.h"
#include "experiments/notation.h"
#include "hv/features.h"
#include "lib/printf.h"
#include "lib/string.h"

/* --- drawing ---------------------------------------------------------------------------- */

/* xorshift64: deterministic for a seed, good enough to mix the steps. */
static uint64_t next(uint64_t *rng)
{
	uint64_t x = *rng ? *rng : 0x9e3779b97f4a7c15ull;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *rng = x;
}

static unsigned below(uint64_t *rng, unsigned n)
{
	return (unsigned)(next(rng) % n);
}

static bool chance(uint64_t *rng, unsigned percent)
{
	return below(rng, 100) < percent;
}

/* (X, V, B, W) that VM entry accepts: virtual NMIs need NMI exiting, NMI-window exiting
 * virtual NMIs (SDM 26.2.1.1); the refused ones are the catalogue's business (39, 40). */
static struct step random_set(uint64_t *rng, unsigned features)
{
	struct xvbw c = { 0 };
	c.nmi_exiting = chance(rng, 60);
	c.virtual_nmis = c.nmi_exiting && (features & FEATURE_VIRTUAL_NMIS) && chance(rng, 60);
	c.nmi_window = c.virtual_nmis && (features & FEATURE_NMI_WINDOW) && chance(rng, 35);
	c.blocking = chance(rng, 35);
	return (struct step)H(SET(c.nmi_exiting, c.virtual_nmis, c.blocking, c.nmi_window));
}

static struct step random_wait(uint64_t *rng, enum step_context ctx)
{
	struct step s = { .ctx = ctx, .op = OP_WAIT };
	static const enum gen_event batches[][2] = { { GEN_NMI }, { GEN_INTR }, { GEN_NMI, GEN_INTR }, { GEN_NMI, GEN_NMI } };
	static const unsigned sizes[] = { 1, 1, 2, 2 };
	unsigned k = below(rng, 4);
	for (unsigned i = 0; i < sizes[k]; i++)
		s.sends[i] = batches[k][i];
	s.nsends = (uint8_t)sizes[k];
	s.settle = ctx == IN_GUEST && sizes[k] == 1 && chance(rng, 15);
	return s;
}

static struct step random_injection(uint64_t *rng)
{
	switch (below(rng, 5)) {
	case 0: case 1: return (struct step)H(INJECT_NMI());
	case 2: return (struct step)H(INJECT_INTR(0x21));
	case 3: return (struct step)H(INJECT_EXC(1));
	default: return (struct step)H(INJECT_EXC_ERR(13, 0));
	}
}

/* One H step; the controls that need a feature only where this CPU has it. */
static struct step random_host_step(uint64_t *rng, unsigned features)
{
	for (;;) {
		unsigned k = below(rng, 100);
		if (k < 24)
			return random_set(rng, features);
		if (k < 34)
			return random_wait(rng, IN_HOST);
		if (k < 40)
			return (struct step)H(IRET(EXPECT_NONE()));
		if (k < 42)
			return (struct step)H(FIRET(EXPECT_NONE()));
		if (k < 54)
			return random_injection(rng);
		if (k < 60)
			return (struct step)H(SHADOW(STI));
		if (k < 65)
			return (struct step)H(SHADOW(MOV_SS));
		if (k < 68)
			return (struct step)H(GUEST_IF(1));
		if (k < 73)
			return (struct step)H(GP_EXITING(chance(rng, 70)));
		if (k < 76)
			return (struct step)H(NMI_GATE(0));
		if (k < 79)
			return (struct step)H(EXC_EXITING(11, chance(rng, 80)));
		if (k < 82 && (features & FEATURE_INTERRUPT_WINDOW))
			return (struct step)H(INTR_WINDOW(1));
		if (k < 85 && (features & FEATURE_PREEMPTION_TIMER))
			return (struct step)H(PREEMPT_TIMER(0));
		if (k < 86 && (features & FEATURE_MTF))
			return (struct step)H(MTF(1));
		if (k >= 86 && k < 93)
			return (struct step)H(CHECK_B(0));
		if (k >= 93)
			return (struct step)H(CHECK_XVBW(0, 0, 0, 0));
	}
}

static struct step random_guest_step(uint64_t *rng)
{
	unsigned k = below(rng, 100);
	if (k < 38)
		return random_wait(rng, IN_GUEST);
	if (k < 58)
		return (struct step)G(IRET(EXPECT_NONE()));
	if (k < 70)
		return (struct step)G(FIRET(EXPECT_NONE()));
	if (k < 78)
		return (struct step)G(INT2(EXPECT_NONE()));
	if (k < 94)
		return (struct step)G(SINCE_ENTRY(EXPECT_NONE()));
	return (struct step)G(VMCALL());
}

static void append(struct scenario *s, struct step step)
{
	if (s->x.nsteps < SCENARIO_MAX_STEPS)
		s->steps[s->x.nsteps++] = step;
}

/* An entry into HLT ends a run of H steps; the guest's next step must be "after VM
 * entry" (the engine's bound on the HLT is disarmed there). */
static void append_hlt_entry(uint64_t *rng, struct scenario *s)
{
	append(s, (struct step)H(ENTER_HLT()));
	if (chance(rng, 60)) {
		struct step send = H(SEND_AFTER_ENTRY(SENDS(NMI)));
		if (chance(rng, 30))
			send.sends[0] = GEN_INTR;
		append(s, send);
	}
	append(s, (struct step)G(SINCE_ENTRY(EXPECT_NONE())));
}

/* The EPT frame page, as the catalogue's family 4 uses it: on, armed, G's IRET from it,
 * off. */
static void append_ept_block(uint64_t *rng, unsigned features, struct scenario *s)
{
	append(s, (struct step)H(EPT(1)));
	append(s, random_set(rng, features));
	struct step arm = H(EPT_ARM_IRET(REBLOCK));
	if (chance(rng, 40))
		arm.response = EPT_RESPONSE_RESTORE_ONLY;
	append(s, arm);
	append(s, (struct step)G(EIRET(EXPECT_NONE())));
	append(s, (struct step)H(EPT(0)));
}

/* The things a pairing block sets up for the next VM entry to find at once. */
enum pair_member {
	PAIR_MOV_SS, PAIR_STI, PAIR_INJECTION, PAIR_TIMER, PAIR_INTR_WINDOW, PAIR_MTF, PAIR_GUEST_IF,
	PAIR_NO_NMI_GATE,
	PAIR_KINDS
};

/* Appends member m; false (nothing appended) where it needs a feature this CPU lacks. */
static bool append_pair_member(uint64_t *rng, unsigned features, enum pair_member m, struct scenario *s)
{
	static const unsigned needs[PAIR_KINDS] = { [PAIR_TIMER] = FEATURE_PREEMPTION_TIMER,
						    [PAIR_INTR_WINDOW] = FEATURE_INTERRUPT_WINDOW,
						    [PAIR_MTF] = FEATURE_MTF };
	if (needs[m] && !(features & needs[m]))
		return false;
	switch (m) {
	case PAIR_MOV_SS: append(s, (struct step)H(SHADOW(MOV_SS))); break;
	case PAIR_STI: append(s, (struct step)H(SHADOW(STI))); break;
	case PAIR_INJECTION: append(s, random_injection(rng)); break;
	case PAIR_TIMER: append(s, (struct step)H(PREEMPT_TIMER(0))); break;
	case PAIR_INTR_WINDOW: append(s, (struct step)H(INTR_WINDOW(1))); break;
	case PAIR_MTF: append(s, (struct step)H(MTF(1))); break;
	case PAIR_GUEST_IF: append(s, (struct step)H(GUEST_IF(1))); break;
	default: /* PAIR_NO_NMI_GATE: an NMI delivered through it raises #NP, which exits */
		append(s, (struct step)H(EXC_EXITING(11, 1)));
		append(s, (struct step)H(NMI_GATE(0)));
		break;
	}
	return true;
}

/*
 * Two things at once: controls drawn to favour an open NMI window (NMI exiting, virtual
 * NMIs and NMI-window exiting likely where offered, bit 3 unlikely), then two different
 * members the next VM entry finds together -- the pairs the SDM orders by priority (25.2,
 * "Other Causes of VM Exits"; Vol. 3A 6.9) or lets block each other (shadows against
 * NMIs and the NMI window). Drawn one step at a time, a given pair is rare: a model
 * mutant that only such a pair shows went unseen for hundreds of scenarios (make
 * mutants).
 */
static void append_pairing(uint64_t *rng, unsigned features, struct scenario *s)
{
	bool exiting = chance(rng, 75);
	bool virtual_nmis = exiting && (features & FEATURE_VIRTUAL_NMIS) && chance(rng, 80);
	bool window = virtual_nmis && (features & FEATURE_NMI_WINDOW) && chance(rng, 70);
	append(s, (struct step)H(SET(exiting, virtual_nmis, chance(rng, 25), window)));
	enum pair_member first = below(rng, PAIR_KINDS), second;
	while (!append_pair_member(rng, features, first, s))
		first = below(rng, PAIR_KINDS);
	do
		second = below(rng, PAIR_KINDS);
	while (second == first || !append_pair_member(rng, features, second, s));
	append(s, random_guest_step(rng));
}

static void draw(uint64_t *rng, const struct scenario_vocabulary *v, struct scenario *s)
{
	unsigned target = 6 + below(rng, 14);
	while (s->x.nsteps < target && s->x.nsteps < SCENARIO_MAX_STEPS - 6) {
		unsigned k = below(rng, 100);
		if (k < 6 && (v->features & FEATURE_EPT)) {
			append_ept_block(rng, v->features, s);
		} else if (k < 12 && (v->features & FEATURE_HLT_STATE)) {
			append(s, random_set(rng, v->features));
			append_hlt_entry(rng, s);
		} else if (k < 22) {
			append_pairing(rng, v->features, s);
		} else if (k < 60) {
			unsigned n = 1 + below(rng, 4);
			for (unsigned i = 0; i < n; i++)
				append(s, random_host_step(rng, v->features));
		} else {
			append(s, random_guest_step(rng));
		}
	}
}

/* --- making it valid ------------------------------------------------------------------------ */

static void reset_experiment(struct scenario *s, unsigned nsteps)
{
	s->x.steps = s->steps;
	s->x.nsteps = nsteps;
	s->x.title = s->title;
	s->x.rule = "random scenario: every observation against the model";
	s->x.basis = BASIS_SDM;
}

/* The model's prediction with these quirks, for every choice the SDM leaves to the
 * processor; *p is the first that cannot predict, if one cannot. */
static void predict_with(const struct scenario *s, unsigned quirks, struct prediction *p)
{
	struct model_config c = { .vmx = true, .quirks = quirks };
	model_predict(&s->x, &c, p);
	unsigned consulted = p->choices_consulted;
	while (!p->unsupported && model_next_choices(consulted, &c.choices))
		model_predict(&s->x, &c, p);
}

/* A valid scenario is one the SDM's model predicts whatever the processor chooses, and so
 * does the model with each platform's known deviations (so that the judge can tell a
 * known deviation from a new one, on any platform: the scenarios of a seed are the same
 * everywhere). *p is the first prediction that fails, or the SDM's without choices. */
static void predict(const struct scenario *s, struct prediction *p)
{
	unsigned sets[8];
	unsigned n = deviation_quirk_sets(sets, 8);
	for (unsigned i = 0; i < n; i++) {
		predict_with(s, sets[i], p);
		if (p->unsupported)
			return;
	}
	predict_with(s, 0, p);
	if (!p->unsupported && p->choices_consulted) {
		struct model_config sdm = { .vmx = true };
		model_predict(&s->x, &sdm, p);
	}
}

/* Where the model first cannot predict, the scenario ends (a failing entry gets a
 * VMENTRY step of its own instead); a few rounds make it valid or empty. */
static bool make_valid(struct scenario *s, struct prediction *p)
{
	for (unsigned round = 0; round < 8 && s->x.nsteps; round++) {
		predict(s, p);
		if (!p->unsupported)
			return true;
		unsigned at = p->unsupported_step < s->x.nsteps ? p->unsupported_step : s->x.nsteps - 1;
		if (p->entry_fails && s->x.nsteps < SCENARIO_MAX_STEPS && at > 0 &&
		    s->steps[at - 1].ctx == IN_HOST) {
			for (unsigned i = s->x.nsteps; i > at; i--)
				s->steps[i] = s->steps[i - 1];
			s->steps[at] = (struct step)H(VMENTRY(EXPECT_NONE()));
			s->x.nsteps++;
			continue;
		}
		s->x.nsteps = at;
	}
	return false;
}

void scenario_generate(uint64_t *rng, unsigned index, const struct scenario_vocabulary *v, struct scenario *s,
		       struct prediction *p)
{
	for (;;) {
		memset(s->steps, 0, sizeof(s->steps));
		reset_experiment(s, 0);
		snprintf(s->title, sizeof(s->title), "scenario %u", index);
		s->x.number = index;
		draw(rng, v, s);
		reset_experiment(s, s->x.nsteps);
		if (make_valid(s, p) && s->x.nsteps >= 3)
			return;
	}
}

/* --- shrinking ------------------------------------------------------------------------------- */

static bool still_valid(struct scenario *out, struct prediction *p)
{
	reset_experiment(out, out->x.nsteps);
	predict(out, p);
	return !p->unsupported && out->x.nsteps > 0;
}

bool scenario_without(const struct scenario *s, unsigned drop, struct scenario *out, struct prediction *p)
{
	if (drop >= s->x.nsteps)
		return false;
	*out = *s;
	for (unsigned i = drop; i + 1 < s->x.nsteps; i++)
		out->steps[i] = s->steps[i + 1];
	out->x.nsteps = s->x.nsteps - 1;
	return still_valid(out, p);
}

bool scenario_cut_after(const struct scenario *s, unsigned last, struct scenario *out, struct prediction *p)
{
	*out = *s;
	out->x.nsteps = last + 1 < s->x.nsteps ? last + 1 : s->x.nsteps;
	return out->x.nsteps < s->x.nsteps && still_valid(out, p);
}

/* --- printing ---------------------------------------------------------------------------------- */

static void print_step(const struct step *step, unsigned window, const struct prediction *p,
		       const struct predicted_value *v, const char *prefix)
{
	const struct predicted *events[MODEL_MAX_PREDICTED];
	unsigned n = 0;
	for (unsigned k = 0; k < p->count && n < MODEL_MAX_PREDICTED; k++)
		if (p->items[k].step == window && obs_is_event(p->items[k].source))
			events[n++] = &p->items[k];
	char line[320];
	step_print_notation(step, events, n, v, line, sizeof(line));
	printf("%s%s\n", prefix, line);
}

/* What comes after the last step, when that is an H step, is what follows its VM entry:
 * a G SINCE_ENTRY step says it (the run ends with the guest's VMCALL either way), so the
 * reproducer shows every event it expects. */
void scenario_print(const struct scenario *s, const struct prediction *p, const char *prefix)
{
	unsigned last = s->x.nsteps;
	for (unsigned i = 0; i < last; i++)
		print_step(&s->steps[i], i, p, &p->values[i], prefix);
	bool after_entry = false;
	for (unsigned k = 0; k < p->count; k++)
		after_entry |= p->items[k].step == last && obs_is_event(p->items[k].source);
	if (after_entry && last && s->steps[last - 1].ctx == IN_HOST) {
		static const struct step since_entry = G(SINCE_ENTRY(EXPECT_NONE()));
		static const struct predicted_value none;
		print_step(&since_entry, last, p, &none, prefix);
	}
}
