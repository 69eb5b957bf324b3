/*
 * Judging: where the catalogue's anchors are, what a rip is called, whether what was
 * observed is what a step expects, and what a step saw in the catalogue's own
 * vocabulary (the form known deviations are written in). Pure functions over
 * observations, so the host unit tests can feed them made-up ones.
 */
#ifndef EXPERIMENTS_JUDGE_H
#define EXPERIMENTS_JUDGE_H

#include <stdbool.h>
#include <stdint.h>

#include "experiments/experiment.h"
#include "experiments/observe.h"

/* What a step saw: the events it judged, each with its anchor, or the value it read. */
#define MAX_OUTCOME_EVENTS 4
struct outcome {
	bool is_value;
	int value;        /* a bit, or the controls as four digits: (1,1,1,0) is 1110 */
	uint8_t nevents;
	bool more;        /* more events than MAX_OUTCOME_EVENTS */
	struct expected_event events[MAX_OUTCOME_EVENTS];
};

/* The address an expected event must hit. */
uintptr_t anchor_address(const struct step *s, const struct expected_event *e);
/* The anchor (and vector) of an observed rip; AT_ELSEWHERE if it has no name. */
struct expected_event anchor_of(enum obs_source source, uintptr_t rip);

/* "0x208dbe (after HLT)", "0x20a060 (guest handler 0x21 entry)", or hex. Returns buf. */
const char *describe_rip(uintptr_t rip, char *buf, unsigned len);
/* The events among obs[0..n), or "none". */
void describe_events(const struct observation *obs, unsigned n, char *buf, unsigned len);
/* What step s expects, with addresses, or "none". */
void describe_expected(const struct step *s, char *buf, unsigned len);

/* Whether the events among obs[0..n) are exactly those step s expects, in order (or,
 * for EXPECT_EITHER, exactly one event that is one of the two). */
bool events_match(const struct step *s, const struct observation *obs, unsigned n);

struct outcome outcome_of_events(const struct observation *obs, unsigned n);
struct outcome outcome_of_value(int value);
int xvbw_digits(const struct xvbw *c);
bool outcome_equal(const struct outcome *a, const struct outcome *b);
/* Symbolic: "none", "timeout after HLT", "B=1", "EXIT_NMIW after VMCALL". */
void describe_outcome(const struct outcome *o, const struct step *s, char *buf, unsigned len);

#endif
