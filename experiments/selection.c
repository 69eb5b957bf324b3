#include "experiments/selection.h"

#include "experiments/options.h"

static struct {
	const struct experiment *selected[MAX_EXPERIMENT + 1];
	unsigned count, runs_done, runs_planned;
	uint64_t random_state;
} sel;

static unsigned first_unknown_number(void)
{
	for (unsigned n = 1; n <= MAX_EXPERIMENT; n++)
		if (options_names(n) && !experiment_numbered(n))
			return n;
	return 0;
}

unsigned selection_init(void)
{
	unsigned unknown = first_unknown_number();
	if (unknown)
		return unknown;
	for (unsigned i = 0; i < catalogue_size; i++)
		if (options_selects(catalogue[i].number))
			sel.selected[sel.count++] = &catalogue[i];
	sel.runs_planned = options.order == ORDER_RANDOM ? (unsigned)options.iterations : sel.count;
	sel.random_state = options.seed;
	return 0;
}

unsigned selection_count(void) { return sel.count; }
unsigned selection_last_number(void) { return sel.count ? sel.selected[sel.count - 1]->number : 0; }
const struct experiment *selection_at(unsigned i) { return i < sel.count ? sel.selected[i] : 0; }
unsigned selection_runs_planned(void) { return sel.runs_planned; }
unsigned selection_runs_done(void) { return sel.runs_done; }

/* xorshift64: deterministic for a seed, good enough to mix the order. */
static uint64_t next_random(void)
{
	uint64_t x = sel.random_state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return sel.random_state = x;
}

const struct experiment *selection_next(void)
{
	if (sel.runs_done >= sel.runs_planned || !sel.count)
		return 0;
	unsigned pick = options.order == ORDER_RANDOM ? (unsigned)(next_random() % sel.count) : sel.runs_done;
	sel.runs_done++;
	return sel.selected[pick];
}
