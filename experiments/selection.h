/* Which experiments run, and in which order: the catalogue filtered by exp=, in catalogue
 * order or (order=random) drawn at random with the seed. */
#ifndef EXPERIMENTS_SELECTION_H
#define EXPERIMENTS_SELECTION_H

#include "experiments/experiment.h"

#include <stdbool.h>
#include <stddef.h>

/*
 * Builds the selection from the options (experiments/options.h) and checks it against the
 * catalogue: every number exp= names exists, something is left to run, and break=, hang=,
 * fault=, storm=, stray= and duplicate= (options.h, enum test_hook) name a selected
 * experiment. Returns false with the problem in err
 * (nothing the user asked for is ignored). The BSP calls it with the command line, before
 * the console moves to the serial= port and before the experimenter starts.
 */
bool selection_init(char *err, size_t errlen);

/* The catalogue the run uses, that of its backend (boot/main.c, from CPUID): set before
 * selection_init; VMX by default. */
void selection_use_backend(enum backend_kind backend);
enum backend_kind selection_backend(void);

unsigned selection_count(void);
/* The highest selected experiment number: TAP numbers are experiment numbers, so the plan
 * is 1..this, and the numbers below it that are not selected are reported as skipped. */
unsigned selection_last_number(void);
const struct experiment *selection_at(unsigned i);
/* Runs the order plans: the selection once (seq), or options.iterations (random). */
unsigned selection_runs_planned(void);
/* The next experiment to run, or 0 once the planned runs are done. */
const struct experiment *selection_next(void);
unsigned selection_runs_done(void);

#endif
