#include "experiments/selection.h"

#include "experiments/options.h"
#include "lib/printf.h"
#include "lib/string.h"

static struct {
	const struct experiment *selected[MAX_EXPERIMENT + 1];
	unsigned count, runs_done, runs_planned;
	uint64_t random_state;
} sel;

/* The catalogue of this run: the backend's (start-up chooses it from CPUID). */
static enum backend_kind run_backend = BACKEND_VMX;

void selection_use_backend(enum backend_kind backend) { run_backend = backend; }
enum backend_kind selection_backend(void) { return run_backend; }

static unsigned first_unknown_number(void)
{
	for (unsigned n = 1; n <= MAX_EXPERIMENT; n++)
		if (options_names(n) && !experiment_numbered(n))
			return n;
	return 0;
}

/* "1-74": the numbers of this run's catalogue. */
static const char *catalogue_range(void)
{
	static char range[24];
	const struct catalogue *c = catalogue_of(run_backend);
	snprintf(range, sizeof(range), "%u-%u", c->experiments[0].number, c->experiments[*c->size - 1].number);
	return range;
}

/*
 * Whether experiment x runs in this selection: exp= selects it and it is in this run's
 * catalogue -- or exp= names it (then the other catalogue's experiment is reported as
 * skipped, with the reason, rather than ignored).
 */
static bool selected(const struct experiment *x)
{
	return options_selects(x->number) && (x->backend == run_backend || options_names(x->number));
}

/* A test option (break=N ...) is only meaningful for an experiment that runs. */
static bool check_test_option(const char *key, uint64_t n, char *err, size_t errlen)
{
	if (!n)
		return true;
	if (options.scenarios.last) {
		if (n >= options.scenarios.first && n <= options.scenarios.last)
			return true;
		snprintf(err, errlen, "%s=%u names scenario %u, which scenarios=%u-%u does not run", key, (unsigned)n,
			 (unsigned)n, (unsigned)options.scenarios.first, (unsigned)options.scenarios.last);
		return false;
	}
	if (!experiment_numbered((unsigned)n))
		snprintf(err, errlen, "%s=%u: the catalogue has no experiment %u (it has %s)", key,
			 (unsigned)n, (unsigned)n, catalogue_range());
	else if (!options_selects((unsigned)n))
		snprintf(err, errlen, "%s=%u names experiment %u, which exp= does not select", key,
			 (unsigned)n, (unsigned)n);
	else
		return true;
	return false;
}

bool selection_init(char *err, size_t errlen)
{
	memset(&sel, 0, sizeof(sel));
	unsigned unknown = first_unknown_number();
	if (unknown) {
		snprintf(err, errlen, "exp= names experiment %u, which the catalogue does not have (it has %s)",
			 unknown, catalogue_range());
		return false;
	}
	for (unsigned n = 1; n <= MAX_EXPERIMENT; n++) {
		const struct experiment *x = experiment_numbered(n);
		if (x && selected(x))
			sel.selected[sel.count++] = x;
	}
	if (!sel.count) {
		snprintf(err, errlen, "exp= leaves no experiment to run (the catalogue has %s)", catalogue_range());
		return false;
	}
	for (unsigned h = 0; h < TEST_HOOK_COUNT; h++)
		if (!check_test_option(test_hook_keys[h], options.hook_experiment[h], err, errlen))
			return false;
	sel.runs_planned = options.order == ORDER_RANDOM ? (unsigned)options.iterations : sel.count;
	sel.random_state = options.seed;
	return true;
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
