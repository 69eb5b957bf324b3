/*
 * Shared by the host programs that write the catalogue's documents (tests/catalogue_md.c
 * writes docs/experiments.md, tests/catalogue_json.c docs/catalogue.json): the platforms
 * a deviation can name, and the anchor of an experiment's section, so that the JSON's
 * links always point at a heading the Markdown has.
 */
#ifndef TESTS_CATALOGUE_COMMON_H
#define TESTS_CATALOGUE_COMMON_H

#include <stdbool.h>

#include "experiments/deviations.h"
#include "experiments/experiment.h"
#include "lib/platform.h"

struct platform_names {
	enum platform_kind kind;
	const char *key;     /* stable identifier for machines: "bochs", "kvm", ... */
	const char *banner;  /* what the kernel's "Platform:" banner line says (lib/platform.c) */
};

extern const struct platform_names platform_names[];
extern const unsigned platform_names_count;

/* "experiment-17": the id docs/experiments.md gives experiment 17's heading. */
void experiment_anchor(unsigned number, char *buf, unsigned len);

/* What a platform's known deviations change in an experiment (catalogue_common.c). */
struct expected_difference {
	unsigned quirks;        /* enum model_quirk: the clauses that change something */
	bool certain;           /* for every choice the SDM leaves open, not just some */
	unsigned step;          /* the first step (1-based) whose events differ; 0: only records */
	char observed[240];     /* the events the platform's model predicts there */
};
bool expected_deviation(const struct experiment *x, enum platform_kind p, struct expected_difference *d);

#endif
