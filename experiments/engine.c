/*
 * The engine: picks the experiments, starts each from the clean baseline, drives the
 * guest through VMCALLs and VM exits, judges, reports (TAP 13), recovers the baseline
 * after a failure, and ends the run with a summary.
 */
#include "experiments/engine.h"

#include "experiments/deviations.h"
#include "experiments/generator.h"
#include "experiments/guest_runner.h"
#include "experiments/options.h"
#include "experiments/run.h"
#include "guest/hypercall.h"
#include "lib/platform.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "lib/timer.h"
#include "machine/anchors.h"
#include "machine/trap.h"
#include "vmx/exit.h"
#include "vmx/vmcs.h"
#include "vmx/vmx.h"
#include "vmx/vmx_defs.h"

#define MAX_CATALOGUE 64
#define PROBE_TIMEOUT_US 100000

struct tally {
	unsigned runs, passed, failed, known;
	uint64_t total_us;
	struct failure first_failure;
};

static struct {
	struct cpu *cpu;
	bool vmx;
	const char *skip_reason;
	unsigned selected[MAX_CATALOGUE]; /* catalogue indices */
	unsigned nselected, runs_done, total_runs;
	uint64_t random_state;
	uint64_t start_tsc, run_start_tsc;
	struct tally tally[MAX_CATALOGUE];
	struct checkpoint host_steps;  /* where an exception in a host step lands */
	bool init_consumed;            /* the last VM exit was the watchdog's INIT */
	bool selftest_failed;
	volatile bool in_host_steps;
} engine;

/* --- selection ------------------------------------------------------------------ */

static bool experiment_supported(const struct experiment *x, const char **why)
{
	if (!experiment_needs_vmx(x))
		return true;
	if (!engine.vmx) {
		*why = engine.skip_reason;
		return false;
	}
	bool virtual_nmis = false, window = false;
	for (unsigned i = 0; i < x->nsteps; i++) {
		const struct step *s = &x->steps[i];
		if (s->op == OP_SET) {
			virtual_nmis |= s->controls[1] != 0;
			window |= s->controls[3] != 0;
		}
	}
	if (!vmx_nmi_controls_supported(virtual_nmis, window)) {
		*why = "this CPU lacks a needed control (NMI exiting, virtual NMIs or NMI-window exiting)";
		return false;
	}
	return true;
}

/* A number the user named that the catalogue does not have is an error, not a no-op. */
static void refuse_unknown_numbers(void)
{
	uint64_t known = 0;
	for (unsigned i = 0; i < catalogue_size; i++)
		known |= 1ull << catalogue[i].number;
	uint64_t unknown = options.experiments.named & ~known;
	if (!unknown)
		return;
	unsigned first = 0;
	while (!(unknown & (1ull << first)))
		first++;
	printf("Bail out! exp= names experiment %u, which the catalogue does not have (it has 1-%u)\n",
	       first, catalogue[catalogue_size - 1].number);
	platform_exit(STATUS_FAIL);
}

static void select_experiments(void)
{
	refuse_unknown_numbers();
	for (unsigned i = 0; i < catalogue_size && i < MAX_CATALOGUE; i++)
		if (options.experiments.selected & (1ull << catalogue[i].number))
			engine.selected[engine.nselected++] = i;
	engine.total_runs = options.order == ORDER_RANDOM ? (unsigned)options.iterations : engine.nselected;
	engine.random_state = options.seed;
}

/* xorshift64: deterministic for a seed, good enough to mix the order. */
static uint64_t next_random(void)
{
	uint64_t x = engine.random_state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return engine.random_state = x;
}

static const struct experiment *next_experiment(void)
{
	if (engine.runs_done >= engine.total_runs || !engine.nselected)
		return 0;
	unsigned pick = options.order == ORDER_RANDOM ? (unsigned)(next_random() % engine.nselected)
						      : engine.runs_done;
	return &catalogue[engine.selected[pick]];
}

static struct tally *tally_of(const struct experiment *x)
{
	return &engine.tally[x - catalogue];
}

/* --- reporting -------------------------------------------------------------------- */

static void print_failure(const struct experiment *x, const struct failure *f)
{
	char text[96];
	step_describe(&x->steps[f->step], text, sizeof(text));
	printf("  ---\n  step: %u of %u, [%s] %s\n  expected: %s\n  observed: %s\n  rule: %s%s\n  ...\n",
	       f->step + 1, x->nsteps, x->steps[f->step].ctx == IN_GUEST ? "G" : "H", text,
	       f->expected, f->observed, x->rule,
	       x->sdm_derived ? " (SDM-derived: not yet confirmed on silicon)" : "");
}

/* Experiment 5 also asks for the saved activity state and instruction length. */
static void print_informational(const struct experiment *x)
{
	const struct observation *o = obs_last(OBS_EXIT_NMI);
	if (x->number == 5 && o)
		printf("  # info: the NMI exit from HLT saved activity state %u and instruction length %u "
		       "(Intel hardware: 1 and 1; KVM: 0 and 1; Bochs: 0 and 0)\n",
		       o->activity_state, o->instruction_length);
}

static void print_result(const struct experiment *x, uint64_t us, const struct deviation *d)
{
	bool failed = run.failure.failed;
	printf("%s %u - %s (%llu us)", failed ? "not ok" : "ok", x->number, x->title, (unsigned long long)us);
	if (failed && d)
		printf(" # TODO known %s deviation: %s\n", d->platform_name, d->note);
	else
		printf("\n");
	if (failed)
		print_failure(x, &run.failure);
	if (run.broken)
		printf("  # break=%u: one expectation of this experiment was deliberately wrong (test only)\n",
		       x->number);
	else if (d && !failed)
		printf("  # note: the known %s deviation did not show (fixed?): %s\n", d->platform_name, d->note);
	print_informational(x);
}

static void print_skip(const struct experiment *x, const char *why)
{
	printf("ok %u - %s # SKIP %s\n", x->number, x->title, why);
}

static void print_random_result(const struct experiment *x, const struct tally *t, bool inconsistent)
{
	bool ok = t->failed == 0;
	const struct deviation *d = deviation_for(platform()->kind, x->number);
	printf("%s %u - %s (%u runs: %u passed, %u failed; mean %llu us)", ok ? "ok" : "not ok",
	       x->number, x->title, t->runs, t->passed, t->failed,
	       (unsigned long long)(t->runs ? t->total_us / t->runs : 0));
	if (inconsistent)
		printf(" # inconsistent: the verdict depends on what ran before\n");
	else if (!ok && d)
		printf(" # TODO known %s deviation: %s\n", d->platform_name, d->note);
	else
		printf("\n");
	if (!ok)
		print_failure(x, &t->first_failure);
}

static __attribute__((noreturn)) void finish_run(void)
{
	unsigned tests = 0, unexpected = 0, known = 0, skipped = 0;
	run.phase = 0; /* only printing is left: nothing for the watchdog to watch */
	bool random = options.order == ORDER_RANDOM;
	for (unsigned i = 0; i < engine.nselected; i++) {
		const struct experiment *x = &catalogue[engine.selected[i]];
		struct tally *t = tally_of(x);
		const char *why;
		tests++;
		if (!experiment_supported(x, &why)) {
			skipped++;
			if (random)
				print_skip(x, why);
			continue;
		}
		/* The same experiment must get the same verdict every time it runs. */
		bool inconsistent = t->passed && t->failed;
		unexpected += t->failed > t->known || inconsistent;
		known += t->known > 0 && !inconsistent;
		if (random)
			print_random_result(x, t, inconsistent);
	}
	uint64_t total_us = tsc_to_us(rdtsc() - engine.start_tsc);
	printf("# %u experiment runs in %llu us of this machine's time\n", engine.runs_done,
	       (unsigned long long)total_us);
	printf("SUMMARY: %u tests, %u unexpected failures, %u known failures, %u skipped\n", tests,
	       unexpected, known, skipped);
	/* Without VMX the hypervisor itself went untested: the run is a skip even when the
	 * host-only experiments passed. */
	bool untested = !engine.vmx || tests == skipped;
	if (engine.selftest_failed)
		printf("# the VMX self-test failed (see its lines above): the run fails\n");
	bool failed = unexpected || engine.selftest_failed;
	platform_exit(failed ? STATUS_FAIL : untested ? STATUS_SKIP : STATUS_PASS);
}

static void print_plan(void)
{
	printf("TAP version 13\n");
	if (options.order == ORDER_RANDOM)
		printf("# random order: seed %llu, %u runs over %u experiments\n",
		       (unsigned long long)options.seed, engine.total_runs, engine.nselected);
	printf("1..%u\n", engine.nselected);
}

/* --- running one experiment ---------------------------------------------------------- */

static void finish_baseline(void);

/*
 * IRET drops the host's NMI blocking; an NMI held pending lands right after it and
 * blocks again, so repeat until one lands no more (at most one can be held).
 * Returns whether an NMI was held.
 */
static bool unblock_host_nmis(void)
{
	bool held = false;
	for (int i = 0; i < 3; i++) {
		unsigned mark = obs_count();
		execute_iret();
		if (obs_count() == mark)
			break;
		held = true;
	}
	return held;
}

static void set_baseline_controls(void)
{
	static const int8_t clean[4] = { 0, 0, 0, 0 };
	nmi_controls_write(clean);
	vmcs_write(ENTRY_INTERRUPTION_INFO, 0);
	vmcs_write(EXCEPTION_BITMAP, 0);
}

/*
 * The spec's baseline: H not NMI-blocked, nothing pending, controls (0,0,0,0), no
 * injection, G at its entry. Experiments restore it themselves; establishing it here as
 * well keeps one experiment's leak (or a platform's, see deviations.c) from becoming the
 * next one's failure, so verdicts do not depend on the order. A leak is still reported.
 *
 * First, where virtual NMIs exist, the guest executes one IRET under (1,1,0,0): that
 * clears virtual-NMI blocking, which a VM entry with B = 0 should already have done and
 * some emulators do not. Then, in the host, controls are cleared and an IRET drops any
 * host NMI blocking.
 */
static void begin_experiment(const struct experiment *x)
{
	static const int8_t virtual_nmis_only[4] = { 1, 1, 0, 0 };
	memset(&run.failure, 0, sizeof(run.failure));
	run.broken = false;
	run.x = x;
	run.entry_mark = 0;
	if (options.verbose)
		printf("Experiment: %u\n", x->number);
	run.phase = "baseline before an experiment";
	if (engine.vmx && vmx_nmi_controls_supported(true, false)) {
		nmi_controls_write(virtual_nmis_only);
		vmx_reset_guest(engine.cpu, guest_baseline_main);
		return; /* continues in finish_baseline() on HC_BASELINE_DONE */
	}
	finish_baseline();
}

static void finish_baseline(void)
{
	if (engine.vmx) {
		set_baseline_controls();
		vmx_reset_guest(engine.cpu, guest_experiment_main);
	}
	if (unblock_host_nmis())
		printf("# note: an NMI was held pending when experiment %u began (left by the previous one)\n",
		       run.x->number);
	obs_clear();
	run.active = true;
	engine.run_start_tsc = rdtsc();
}

static bool restore_baseline(void);

/* Judges the experiment that just ended; on a failure, restores the baseline. */
static void end_experiment(void)
{
	const struct experiment *x = run.x;
	uint64_t us = tsc_to_us(rdtsc() - engine.run_start_tsc);
	run.active = false;
	const struct deviation *d = deviation_for(platform()->kind, x->number);
	struct tally *t = tally_of(x);
	t->runs++;
	t->total_us += us;
	if (run.failure.failed) {
		if (!t->failed)
			t->first_failure = run.failure;
		t->failed++;
		t->known += d != 0;
	} else {
		t->passed++;
	}
	engine.runs_done++;
	if (options.order == ORDER_SEQUENTIAL)
		print_result(x, us, d);
	else if (run.failure.failed && !d)
		printf("# run %u: experiment %u failed at step %u: expected %s; observed %s\n",
		       engine.runs_done, x->number, run.failure.step + 1, run.failure.expected,
		       run.failure.observed);
	if (!run.failure.failed)
		return;
	run.phase = "recovery after a failed experiment";
	if (!restore_baseline()) {
		printf("Bail out! cannot restore the baseline after experiment %u\n", x->number);
		platform_exit(STATUS_FAIL);
	}
}

/* The next runnable experiment, skipping (and reporting) unsupported ones; 0 at the end. */
static const struct experiment *next_runnable(void)
{
	const struct experiment *x;
	const char *why;
	while ((x = next_experiment()) && !experiment_supported(x, &why)) {
		if (options.order == ORDER_SEQUENTIAL)
			print_skip(x, why);
		engine.runs_done++;
	}
	return x;
}

/* --- recovery ----------------------------------------------------------------------- */

/* NMI blocking in the host cannot be read; the probe shows it is gone. */
static bool probe_host_takes_nmi(void)
{
	enum gen_event nmi = GEN_NMI;
	unsigned mark = obs_count();
	generator_request(&nmi, 1);
	obs_arm_timeout(PROBE_TIMEOUT_US);
	generator_ready();
	while (obs_count() == mark)
		wait_halted();
	obs_disarm_timeout();
	bool ok = obs_at(mark)->source == OBS_NMI_H;
	execute_iret();
	return ok;
}

/* After a failure: controls and injection cleared, host NMI blocking dropped by an IRET,
 * pending events drained, and a probe that an NMI reaches the host normally. */
static bool restore_baseline(void)
{
	if (engine.vmx)
		set_baseline_controls();
	generator_wait_idle(PROBE_TIMEOUT_US);
	unblock_host_nmis();
	sti();
	spin_us(200); /* a pending interrupt is taken here */
	cli();
	bool ok = probe_host_takes_nmi();
	obs_clear();
	if (!ok)
		printf("# recovery: an NMI sent to the host did not arrive\n");
	return ok;
}

/* --- the host side of the guest ------------------------------------------------------ */

static void record_exit(enum obs_source s, const struct vm_exit *e)
{
	struct observation o = {
		.source = s, .rip = e->guest_rip, .interruption_info = e->interruption_info,
		.interruptibility = e->interruptibility, .activity_state = e->activity_state,
		.instruction_length = e->instruction_length,
	};
	obs_record(&o);
	char where[64];
	trace("      VM exit: %s at %s\n", obs_source_name(s), describe_rip(e->guest_rip, where, sizeof(where)));
}

static unsigned run_host_steps(unsigned first)
{
	const struct experiment *x = run.x;
	volatile unsigned i = first; /* lives across checkpoint_save() */
	trace("  Enter host, exp=%u, step=%u\n", x->number, first + 1);
	if (checkpoint_save(&engine.host_steps)) {
		/* Back from host_exception(): the step's frames are gone, the failure recorded. */
		engine.in_host_steps = false;
		trace("  Leave host (aborted)\n");
		return x->nsteps;
	}
	engine.in_host_steps = true;
	while (i < x->nsteps && x->steps[i].ctx == IN_HOST && !run.failure.failed)
		step_execute(i++);
	engine.in_host_steps = false;
	trace("  Leave host\n");
	if (run.failure.failed)
		return x->nsteps;
	run.entry_mark = obs_count();
	return i;
}

static void start_next_or_finish(void)
{
	const struct experiment *x = next_runnable();
	if (!x)
		finish_run();
	begin_experiment(x);
}

static void hypercall_from_guest(struct gprs *r)
{
	switch ((enum hypercall)r->rax) {
	case HC_HOST_STEPS:
		r->rax = run_host_steps((unsigned)r->rbx);
		break;
	case HC_EXPERIMENT_DONE:
		end_experiment();
		start_next_or_finish();
		break;
	case HC_BASELINE_DONE:
		finish_baseline();
		break;
	default: {
		char observed[DIAG_LEN];
		snprintf(observed, sizeof(observed), "unknown hypercall %lu", (unsigned long)r->rax);
		run_fail("a known hypercall", observed);
	}
	}
}

static uint32_t interruption_type(const struct vm_exit *e)
{
	return e->interruption_info & INTR_INFO_TYPE_MASK;
}

/* An exit nobody asked for fails the experiment and starts the next one. */
static void abort_experiment(const struct vm_exit *e, const char *what)
{
	char observed[DIAG_LEN];
	snprintf(observed, sizeof(observed), "%s: VM exit reason %#x (%s) at guest rip %#lx, info %#x",
		 what, e->reason, exit_reason_name(e->basic_reason), (unsigned long)e->guest_rip,
		 e->interruption_info);
	run_fail("no other VM exit", observed);
	end_experiment();
	start_next_or_finish();
}

/* The watchdog's INIT ended a step that made no progress: a timeout verdict for it. */
static void watchdog_timeout(const struct vm_exit *e)
{
	char observed[DIAG_LEN];
	snprintf(observed, sizeof(observed),
		 "no progress for %u ms (the watchdog's INIT found the guest at rip %#lx)",
		 run.watchdog_ms, (unsigned long)e->guest_rip);
	run.watchdog_ms = 0;
	engine.init_consumed = true; /* checked at the next VM exit */
	run_fail("the step to finish", observed);
	end_experiment();
	start_next_or_finish();
}

/*
 * The INIT that caused a VM exit is consumed (SDM 25.2: it causes the exit instead of
 * being processed). A platform that delivers it again at the next VM entry would end
 * every experiment that way; say so and stop. Bochs 2.7 does: cpu/event.cc:233-241
 * calls VMexit() for a pending INIT without clearing it.
 */
static __attribute__((noreturn)) void init_delivered_twice(void)
{
	printf("Bail out! the watchdog's INIT caused a second VM exit at the next VM entry: this "
	       "platform does not consume an INIT that exits, so the run cannot go on\n");
	platform_exit(STATUS_FAIL);
}

static bool engine_exit(const struct vm_exit *e, struct gprs *r)
{
	bool init_consumed = engine.init_consumed;
	engine.init_consumed = false;
	if (e->reason & EXIT_REASON_ENTRY_FAILURE_BIT) {
		/* Rare and always worth the whole picture: which guest state was refused. */
		vmexit_print(e);
		vmcs_dump();
		abort_experiment(e, "VM entry failed");
		return true;
	}
	switch (e->basic_reason) {
	case EXIT_REASON_VMCALL:
		vmexit_skip_instruction(e); /* first: the hypercall may restart the guest */
		hypercall_from_guest(r);
		return true;
	case EXIT_REASON_INIT_SIGNAL:
		if (init_consumed)
			init_delivered_twice();
		if (!run.watchdog_ms)
			break;
		watchdog_timeout(e);
		return true;
	case EXIT_REASON_NMI_WINDOW:
		record_exit(OBS_EXIT_NMIW, e);
		/* The window stays open; without clearing W the guest could not run (spec 21). */
		vmcs_clear_bits(PROC_BASED_CONTROLS, PROC_NMI_WINDOW_EXITING);
		return true;
	case EXIT_REASON_EXCEPTION_OR_NMI:
		if (interruption_type(e) == INTR_TYPE_NMI) {
			record_exit(OBS_EXIT_NMI, e);
			return true;
		}
		if ((e->interruption_info & INTR_INFO_VECTOR_MASK) == VEC_GP) {
			uintptr_t resume;
			record_exit(OBS_EXIT_GP, e);
			if (fixup_lookup(VEC_GP, e->guest_rip, &resume)) {
				vmcs_write(GUEST_RIP, resume);
				return true;
			}
		}
		abort_experiment(e, "unexpected exception in the guest");
		return true;
	default:
		break;
	}
	abort_experiment(e, "unexpected VM exit");
	return true;
}

static void fail_with_exception(const struct trap_frame *f)
{
	char observed[DIAG_LEN];
	snprintf(observed, sizeof(observed), "exception %lu, %s (error code %#lx), in the %s at rip %#lx",
		 (unsigned long)f->vector, exception_name((unsigned)f->vector), (unsigned long)f->error_code,
		 f->context == CTX_GUEST ? "guest" : "host", (unsigned long)f->rip);
	run_fail("no exception", observed);
}

/* Where a host step that faulted resumes: the engine's checkpoint. */
static __attribute__((noreturn)) void abandon_host_steps(void)
{
	checkpoint_resume(&engine.host_steps);
}

/*
 * An exception that no fix-up expects ends the experiment, not the run: in the guest by
 * ending its steps, in a host step by going back to the checkpoint taken before the host
 * steps. Anywhere else it is a bug of ours, and fatal.
 */
static bool unexpected_exception(struct trap_frame *f)
{
	if (!run.active)
		return false;
	if (f->context == CTX_GUEST) {
		fail_with_exception(f);
		f->rip = (uintptr_t)guest_end_experiment;
		return true;
	}
	if (!engine.in_host_steps)
		return false;
	fail_with_exception(f);
	f->rip = (uintptr_t)abandon_host_steps;
	return true;
}

static bool (*observe_exception)(struct trap_frame *f);

static bool on_exception(struct trap_frame *f)
{
	return observe_exception(f) || unexpected_exception(f);
}

static void install_hooks(void)
{
	obs_install_trap_hooks();
	observe_exception = trap_hooks.exception;
	trap_hooks.exception = on_exception;
}

/* --- entry points ------------------------------------------------------------------- */

void engine_begin(struct cpu *c, bool selftest_failed)
{
	engine.cpu = c;
	engine.vmx = true;
	engine.selftest_failed = selftest_failed;
	install_hooks();
	select_experiments();
	print_plan();
	engine.start_tsc = rdtsc();
	vmexit_set_handler(engine_exit);
	start_next_or_finish();
}

void engine_run_without_vmx(const char *reason)
{
	static char why[160];
	snprintf(why, sizeof(why), "needs VMX, which is not available (%s)", reason);
	engine.skip_reason = why;
	install_hooks();
	select_experiments();
	print_plan();
	engine.start_tsc = rdtsc();
	const struct experiment *x;
	while ((x = next_runnable())) {
		begin_experiment(x);
		run_host_steps(0);
		end_experiment();
	}
	finish_run();
}
