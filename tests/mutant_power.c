/*
 * How well the suite tells a plausible bug: linked with the SDM's model (model/vmx.c)
 * and with a mutant of it (one clause changed, its entry point renamed
 * mutant_vmx_model_predict; scripts/mutants builds one per entry of
 * tests/model_mutants.txt), it counts where a platform that behaves like the mutant would
 * show: the catalogue experiments, and the random scenarios of the given draws, whose
 * prediction differs from every outcome the SDM allows. Both are judged in full against
 * the model on the machine, so what differs here is a failure there.
 *
 *   mutant-power FEATURES SEED:FIRST-LAST ...
 *
 * prints one line: "catalogue N first E; SEED:FIRST-LAST N first S; ..." (first 0: none).
 * FEATURES is the CPU's (hv/features.h) the scenarios are drawn for.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiments/experiment.h"
#include "experiments/scenario.h"
#include "model/vmx.h"

void mutant_vmx_model_predict(const struct experiment *x, const struct model_config *c, struct prediction *out);

/* Whether the mutant's prediction for x (the processor's choices all 0) is none of the
 * SDM's, for any combination of the choices the SDM leaves open. */
static bool tells(const struct experiment *x)
{
	static struct prediction sdm, mutant;
	struct model_config c = { .vmx = true };
	mutant_vmx_model_predict(x, &c, &mutant);
	if (mutant.unsupported)
		return false;
	unsigned consulted = model_choices(x, &c);  /* over every combination, not only the first */
	vmx_model_predict(x, &c, &sdm);
	for (;;) {
		if (sdm.unsupported || !model_predictions_differ(&sdm, &mutant))
			return false;
		if (!model_next_choices(consulted, &c.choices))
			return true;
		vmx_model_predict(x, &c, &sdm);
	}
}

static void catalogue_column(void)
{
	unsigned told = 0, first = 0;
	for (unsigned i = 0; i < catalogue_size; i++)
		if (tells(&catalogue[i]) && !told++)
			first = catalogue[i].number;
	printf("catalogue %u first %u", told, first);
}

static bool scenario_column(const char *draw, unsigned features)
{
	unsigned long long seed;
	unsigned from, to;
	if (sscanf(draw, "%llu:%u-%u", &seed, &from, &to) != 3 || !from || from > to) {
		fprintf(stderr, "mutant-power: '%s' is not SEED:FIRST-LAST\n", draw);
		return false;
	}
	static struct scenario s;
	static struct prediction p;
	struct scenario_vocabulary v = { .features = features };
	uint64_t rng = seed;
	unsigned told = 0, first = 0;
	for (unsigned i = 1; i <= to; i++) {
		scenario_generate(&rng, i, &v, &s, &p);
		if (i >= from && tells(&s.x) && !told++)
			first = i;
	}
	printf("; %s %u first %u", draw, told, first);
	return true;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: mutant-power FEATURES SEED:FIRST-LAST ...\n");
		return 2;
	}
	unsigned features = (unsigned)strtoul(argv[1], 0, 0);
	catalogue_column();
	for (int i = 2; i < argc; i++)
		if (!scenario_column(argv[i], features))
			return 2;
	printf("\n");
	return 0;
}
