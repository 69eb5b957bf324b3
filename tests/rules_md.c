/*
 * Writes docs/rules.md, the rule inventory: every SDM rule of model/sdm_rules.c with the
 * model clauses that apply it and the experiments that exercise it -- found by running
 * the model over the catalogue (under every choice the SDM leaves open) and over random
 * scenarios, with model_config.applied telling which rule each clause applies.
 *
 * It fails (status 1, and says why on stderr) when a rule has no experiment and does not
 * say why, or says why not although an experiment exercises it: `make unit-test` runs it
 * and compares its output with the committed file; `make docs` rewrites the file.
 */
#include <stdio.h>
#include <string.h>

#include "experiments/experiment.h"
#include "experiments/scenario.h"
#include "model/rules.h"
#include "model/vmx.h"
#include "tests/catalogue_common.h"

#define SCENARIO_SEED 1
#define SCENARIOS 2000
#define MAX_CLAUSES 8

struct rule_use {
	bool in_experiment[MAX_EXPERIMENT + 1];
	unsigned experiments;
	unsigned scenarios;
	const char *clauses[MAX_CLAUSES];
	unsigned nclauses;
};

static struct rule_use uses[RULE_COUNT];
static bool seen_here[RULE_COUNT];   /* applied in the experiment or scenario being run */

static void note_clause(struct rule_use *u, const char *clause)
{
	for (unsigned i = 0; i < u->nclauses; i++)
		if (!strcmp(u->clauses[i], clause))
			return;
	if (u->nclauses < MAX_CLAUSES)
		u->clauses[u->nclauses++] = clause;
}

static void applied(void *ctx, enum sdm_rule rule, const char *clause)
{
	(void)ctx;
	if (rule >= RULE_COUNT)
		return;
	seen_here[rule] = true;
	note_clause(&uses[rule], clause);
}

/* The model over x under every combination of the choices it consults; seen_here gets
 * the rules applied in any of them. */
static void run_model(const struct experiment *x)
{
	static struct prediction p;
	struct model_config c = { .vmx = true, .applied = applied };
	memset(seen_here, 0, sizeof(seen_here));
	model_predict(x, &c, &p);
	unsigned consulted = p.choices_consulted;
	while (model_next_choices(consulted, &c.choices))
		model_predict(x, &c, &p);
}

static void survey(void)
{
	for (unsigned i = 0; i < catalogue_size; i++) {
		run_model(&catalogue[i]);
		for (unsigned r = 0; r < RULE_COUNT; r++)
			if (seen_here[r]) {
				uses[r].in_experiment[catalogue[i].number] = true;
				uses[r].experiments++;
			}
	}
	struct scenario_vocabulary v = { .features = 0xffu };
	uint64_t rng = SCENARIO_SEED;
	for (unsigned i = 1; i <= SCENARIOS; i++) {
		static struct scenario s;
		static struct prediction p;
		scenario_generate(&rng, i, &v, &s, &p);
		run_model(&s.x);
		for (unsigned r = 0; r < RULE_COUNT; r++)
			uses[r].scenarios += seen_here[r];
	}
}

/* "RULE_ENTRY_BLOCKING_V0" -> "entry-blocking-v0". */
static const char *kebab(const char *id, char *buf, unsigned len)
{
	const char *from = strncmp(id, "RULE_", 5) ? id : id + 5;
	unsigned n = 0;
	for (; *from && n + 1 < len; from++)
		buf[n++] = *from == '_' ? '-' : (char)(*from >= 'A' && *from <= 'Z' ? *from - 'A' + 'a' : *from);
	buf[n] = 0;
	return buf;
}

static void print_experiments(const struct rule_use *u)
{
	unsigned first = 0, last = 0, spans = 0;
	for (unsigned n = 1; n <= MAX_EXPERIMENT + 1; n++) {
		bool take = n <= MAX_EXPERIMENT && u->in_experiment[n];
		if (take && first && n == last + 1) {
			last = n;
			continue;
		}
		if (first) {
			char anchor[32];
			experiment_anchor(first, anchor, sizeof(anchor));
			printf("%s[%u](experiments.md#%s)", spans++ ? ", " : "", first, anchor);
			if (last != first) {
				experiment_anchor(last, anchor, sizeof(anchor));
				printf("-[%u](experiments.md#%s)", last, anchor);
			}
		}
		first = last = take ? n : 0;
	}
}

enum status { EXERCISED, MEASURED_ONLY, NOT_TESTABLE, NOT_BUILT, MISSING, STALE };

static enum status status_of(const struct sdm_rule_entry *r, const struct rule_use *u)
{
	if (u->experiments && r->not_here)
		return STALE;
	if (u->experiments)
		return r->measured ? MEASURED_ONLY : EXERCISED;
	if (!r->not_here)
		return MISSING;
	return strncmp(r->not_here, "not testable here", 17) ? NOT_BUILT : NOT_TESTABLE;
}

static void print_rule(unsigned i)
{
	const struct sdm_rule_entry *r = &sdm_rules[i];
	const struct rule_use *u = &uses[i];
	char id[64];
	kebab(r->id, id, sizeof(id));
	printf("### <a name=\"%s\"></a>%s\n\n", id, id);
	printf("%s %s, \"%s\". %s%s\n\n", strncmp(r->section, "Vol.", 4) && strncmp(r->section, "App", 3) ? "SDM Vol. 3C"
											: "SDM", r->section, r->title, r->says,
	       r->measured ? " *(Left to the processor: measured, never asserted.)*" : "");
	if (u->nclauses) {
		printf("- Model: ");
		for (unsigned k = 0; k < u->nclauses; k++)
			printf("%s`%s()`", k ? ", " : "", u->clauses[k]);
		printf(" (model/vmx.c)\n");
	}
	if (u->experiments) {
		printf("- Experiments: ");
		print_experiments(u);
		printf("\n");
	}
	printf("- Random scenarios: %u of %u (seed %u)\n", u->scenarios, SCENARIOS, SCENARIO_SEED);
	if (r->not_here)
		printf("- No experiment: %s\n", r->not_here);
	printf("\n");
}

int main(void)
{
	survey();
	unsigned count[STALE + 1] = { 0 };
	int failed = 0;
	for (unsigned i = 0; i < RULE_COUNT; i++) {
		const struct sdm_rule_entry *r = &sdm_rules[i];
		enum status s = status_of(r, &uses[i]);
		count[s]++;
		if (!r->id || !r->section || !r->title || !r->says) {
			fprintf(stderr, "rules: entry %u of model/sdm_rules.c is incomplete\n", i);
			failed = 1;
		} else if (s == MISSING) {
			fprintf(stderr, "rules: %s has no experiment and does not say why (model/sdm_rules.c)\n", r->id);
			failed = 1;
		} else if (s == STALE) {
			fprintf(stderr, "rules: %s says no experiment exercises it, but %u do\n", r->id, uses[i].experiments);
			failed = 1;
		}
	}
	printf("# The rule inventory\n\n");
	printf("<!-- Generated by tests/rules_md.c from model/sdm_rules.c and the model: edit those, then `make docs`. -->\n\n");
	printf("Every statement of the Intel SDM (Vol. 3A and 3C) about NMIs and NMI blocking under VMX\n"
	       "that this project knows of, in our words, with the clause of the model (`model/vmx.c`)\n"
	       "that applies it and the experiments that exercise it. Both are found by running the\n"
	       "model, not written by hand: over every experiment of the catalogue, under every choice\n"
	       "the SDM leaves to the processor, and over %u random scenarios (seed %u, every feature).\n"
	       "A rule exercised by no experiment says why. Sections are numbered as in the 2016-era\n"
	       "editions where that text was read; later editions number the VMX chapters up to three\n"
	       "higher, so the title is what identifies a section.\n\n", SCENARIOS, SCENARIO_SEED);
	printf("%u rules: %u exercised by experiments (%u of them left to the processor and measured), "
	       "%u not built yet, %u not testable here.\n\n", RULE_COUNT, count[EXERCISED] + count[MEASURED_ONLY],
	       count[MEASURED_ONLY], count[NOT_BUILT], count[NOT_TESTABLE]);
	for (unsigned i = 0; i < RULE_COUNT; i++)
		print_rule(i);
	return failed;
}
