#include "experiments/scenario_run.h"

#include "experiments/deviations.h"
#include "experiments/options.h"
#include "experiments/scenario.h"
#include "lib/platform.h"
#include "lib/printf.h"
#include "lib/string.h"

/* Runs spent on shrinking one diverging scenario, at most: each is one more experiment. */
#define MAX_SHRINK_RUNS 80

/* One batch's tallies; the TAP line says them when the batch is done. */
struct batch {
	unsigned first, count;
	unsigned agree, known, diverge;
	unsigned quirks;                 /* the known deviations seen in it */
	bool has_divergence;
	unsigned divergence_index;
	struct run_result divergence;    /* the first scenario that diverged */
};

static struct {
	unsigned features;
	uint64_t rng;
	unsigned drawn;                  /* scenarios drawn so far */
	unsigned judged;                 /* scenarios of the range run and judged */
	struct scenario current;         /* the scenario running now (drawn, or a shrink candidate) */
	struct prediction prediction;    /* the SDM model's, for the reproducer */
	struct batch batch;
	/* Shrinking the batch's first divergence: the shortest that still diverges, the next
	 * step to leave out, the runs spent. */
	bool shrinking, try_cut, improved;
	struct scenario drawn_scenario, shortest, candidate;
	unsigned next_drop, shrink_runs;
	/* The whole run. */
	unsigned agree, known, diverge, batches_done, batches_unexpected, batches_known;
	unsigned runs;                   /* drawn and shrink candidates */
	unsigned quirks_seen;
	unsigned quirk_scenarios[MODEL_QUIRK_COUNT];
} sr;

/* Scenarios before the range's first are drawn (the draw is one sequence) but not run. */
void scenario_run_init(unsigned features, void (*drew_one)(void))
{
	memset(&sr, 0, sizeof(sr));
	sr.features = features;
	sr.rng = options.seed;
	struct scenario_vocabulary v = { .features = features };
	while (sr.drawn + 1 < options.scenarios.first) {
		scenario_generate(&sr.rng, ++sr.drawn, &v, &sr.current, &sr.prediction);
		drew_one();
	}
	sr.batch.first = sr.drawn;
}

static unsigned scenarios_planned(void)
{
	return (unsigned)(options.scenarios.last - options.scenarios.first + 1);
}

unsigned scenario_run_batches(void)
{
	return (scenarios_planned() + SCENARIO_BATCH - 1) / SCENARIO_BATCH;
}

/* --- the TAP line of a batch ------------------------------------------------------------- */

/* "entry-keeps-nmi-blocking 12, nmi-exit-saves-blocking 3": the quirks (those counted,
 * when counts are given). */
static void print_quirk_counts(unsigned quirks, const unsigned *counts)
{
	bool first = true;
	for (unsigned i = 0; i < MODEL_QUIRK_COUNT; i++)
		if ((quirks & (1u << i)) && (!counts || counts[i])) {
			printf("%s%s", first ? "" : ", ", model_quirk_name((enum model_quirk)(1u << i)));
			if (counts)
				printf(" %u", counts[i]);
			first = false;
		}
}

/* The reproducers: the diverging scenario as drawn and the shortest found, as C. */
static void print_reproducers(void)
{
	static struct prediction p;
	printf("  # scenario %u (seed %llu), as drawn; each EXPECT is the SDM model's:\n", sr.batch.divergence_index,
	       (unsigned long long)options.seed);
	struct model_config sdm = { .vmx = true };
	model_predict(&sr.drawn_scenario.x, &sdm, &p);
	scenario_print(&sr.drawn_scenario, &p, "  #   ");
	model_predict(&sr.shortest.x, &sdm, &p);
	printf("  # the shortest scenario found that still diverges (%u step%s, %u run%s to find it), ready for "
	       "experiments/catalogue.c:\n", sr.shortest.x.nsteps, sr.shortest.x.nsteps == 1 ? "" : "s", sr.shrink_runs,
	       sr.shrink_runs == 1 ? "" : "s");
	scenario_print(&sr.shortest, &p, "  #   ");
}

static void print_divergence(const struct batch *b)
{
	char step[200];
	const struct experiment *x = &sr.drawn_scenario.x;
	step_describe_numbered(x, b->divergence.failure.step, step, sizeof(step));
	printf("  ---\n  scenario: \"%u\"\n  step: \"%s\"\n", b->divergence_index, step);
	printf("  expected: \"%s\"\n", b->divergence.failure.expected);
	printf("  observed: \"%s\"\n", b->divergence.failure.observed);
	printf("  ...\n");
	if (test_hook_in(HOOK_BREAK, b->divergence_index))
		printf("  # break=%u: the model's first prediction was deliberately wrong (test only)\n",
		       b->divergence_index);
	print_reproducers();
}

static void print_batch(const struct batch *b)
{
	unsigned number = (b->first + 1 - (unsigned)options.scenarios.first) / SCENARIO_BATCH + 1;
	const char *platform_name = deviation_platform_name(platform()->kind);
	printf("%s %u - scenarios %u-%u (seed %llu): %u agree with the SDM's model", b->diverge || b->known ? "not ok" : "ok",
	       number, b->first + 1, b->first + b->count, (unsigned long long)options.seed, b->agree);
	if (b->known)
		printf(", %u with %s's known deviations", b->known, platform_name);
	if (b->diverge)
		printf(", %u diverge", b->diverge);
	if (b->known && !b->diverge && !options.strict) {
		printf(" # TODO known %s deviation [", platform_name);
		print_quirk_counts(b->quirks, 0);
		printf("]");
	}
	printf("\n");
	if (b->has_divergence)
		print_divergence(b);
}

static void finish_batch(void)
{
	struct batch *b = &sr.batch;
	print_batch(b);
	sr.batches_done++;
	sr.batches_unexpected += b->diverge || (options.strict && b->known);
	sr.batches_known += !b->diverge && b->known && !options.strict;
	memset(b, 0, sizeof(*b));
	b->first = sr.drawn;
}

void scenario_run_cut_short(void)
{
	sr.shrinking = false;
	if (sr.batch.count)
		finish_batch();
}

unsigned scenario_run_not_run(void)
{
	return scenarios_planned() - sr.judged;
}

/* --- drawing and shrinking ------------------------------------------------------------------ */

static const struct experiment *run_this(const struct scenario *s)
{
	sr.current = *s;
	sr.current.x.steps = sr.current.steps;
	return &sr.current.x;
}

/*
 * The next candidate while shrinking: first the scenario cut after the step where it
 * diverged, then one step at a time left out, from the end, for as long as passes over it
 * still find one to leave out; each candidate the model can predict is run, and one that
 * still diverges becomes the shortest.
 */
static const struct experiment *next_candidate(void)
{
	if (sr.try_cut) {
		sr.try_cut = false;
		if (scenario_cut_after(&sr.shortest, sr.batch.divergence.failure.step, &sr.candidate, &sr.prediction)) {
			sr.shrink_runs++;
			return run_this(&sr.candidate);
		}
	}
	while (sr.shrink_runs < MAX_SHRINK_RUNS) {
		if (sr.next_drop == 0) {
			if (!sr.improved)
				break;
			sr.improved = false;
			sr.next_drop = sr.shortest.x.nsteps;
			continue;
		}
		if (scenario_without(&sr.shortest, --sr.next_drop, &sr.candidate, &sr.prediction)) {
			sr.shrink_runs++;
			return run_this(&sr.candidate);
		}
	}
	sr.shrinking = false;
	return 0;
}

static void start_shrinking(const struct run_result *r)
{
	struct batch *b = &sr.batch;
	b->has_divergence = true;
	b->divergence_index = sr.drawn;
	b->divergence = *r;
	sr.drawn_scenario = sr.current;
	sr.drawn_scenario.x.steps = sr.drawn_scenario.steps;
	sr.shortest = sr.drawn_scenario;
	sr.shortest.x.steps = sr.shortest.steps;
	sr.shrinking = true;
	sr.try_cut = true;
	sr.next_drop = sr.shortest.x.nsteps;
	sr.improved = false;
	sr.shrink_runs = 0;
}

const struct experiment *scenario_run_next(void)
{
	if (sr.shrinking) {
		const struct experiment *x = next_candidate();
		if (x)
			return x;
	}
	if (sr.batch.count == SCENARIO_BATCH || (sr.drawn == options.scenarios.last && sr.batch.count))
		finish_batch();
	if (sr.drawn == options.scenarios.last)
		return 0;
	struct scenario_vocabulary v = { .features = sr.features };
	scenario_generate(&sr.rng, ++sr.drawn, &v, &sr.current, &sr.prediction);
	return &sr.current.x;
}

static void count_known(struct batch *b, unsigned quirks)
{
	b->known++;
	b->quirks |= quirks;
	sr.known++;
	sr.quirks_seen |= quirks;
	for (unsigned i = 0; i < MODEL_QUIRK_COUNT; i++)
		sr.quirk_scenarios[i] += (quirks >> i) & 1;
}

void scenario_run_record(const struct run_result *r)
{
	sr.runs++;
	if (sr.shrinking) {
		if (r->verdict != VERDICT_PASS && !r->quirks) {
			sr.shortest = sr.current;
			sr.shortest.x.steps = sr.shortest.steps;
			sr.next_drop = sr.shortest.x.nsteps;
			sr.improved = true;
		}
		return;
	}
	struct batch *b = &sr.batch;
	b->count++;
	sr.judged++;
	if (r->verdict == VERDICT_PASS) {
		b->agree++;
		sr.agree++;
	} else if (r->verdict == VERDICT_KNOWN || r->quirks) {
		/* Known deviations only (with strict= they fail the batch). */
		count_known(b, r->quirks);
	} else {
		b->diverge++;
		sr.diverge++;
		printf("# scenario %u diverges at step %u (alone: scenarios=%u-%u seed=%llu): expected %s; observed %s\n",
		       sr.drawn, r->failure.step + 1, sr.drawn, sr.drawn, (unsigned long long)options.seed,
		       r->failure.expected, r->failure.observed);
		if (r->remark[0])
			printf("#   (%s)\n", r->remark);
		if (!b->has_divergence)
			start_shrinking(r);
	}
}

struct summary scenario_run_summary(void)
{
	printf("# scenarios: %u run (seed %llu): %u agree with the SDM's model, %u with known deviations",
	       sr.judged, (unsigned long long)options.seed, sr.agree, sr.known);
	if (sr.known) {
		printf(" (");
		print_quirk_counts(~0u, sr.quirk_scenarios);
		printf(")");
	}
	printf(", %u diverge\n", sr.diverge);
	return (struct summary){ .tests = sr.batches_done, .unexpected = sr.batches_unexpected,
				 .known = sr.batches_known, .runs = sr.runs, .quirks_seen = sr.quirks_seen };
}
