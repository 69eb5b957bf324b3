/*
 * The engine: the lifecycle of each experiment. It starts each from the clean baseline,
 * drives the guest through VMCALLs and VM exits, has the step interpreter judge, reports
 * the verdict (experiments/tap.c), recovers the baseline after a failure, and ends the
 * run with a summary. docs/design.md draws the lifecycle.
 */
#include "experiments/engine.h"

#include "experiments/places.h"
#include "experiments/deviations.h"
#include "experiments/generator.h"
#include "experiments/judge.h"
#include "experiments/guest_runner.h"
#include "experiments/options.h"
#include "experiments/results.h"
#include "experiments/scenario_run.h"
#include "experiments/run.h"
#include "experiments/selection.h"
#include "experiments/tap.h"
#include "guest/hypercall.h"
#include "hv/hv.h"
#include "lib/platform.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "lib/timer.h"
#include "machine/anchors.h"
#include "machine/descriptors.h"
#include "machine/layout.h"
#include "machine/msr.h"
#include "machine/trap.h"

#define PROBE_TIMEOUT_US 100000

/*
 * A step that sees more VM exits than this is in a storm: an event that exits again at
 * every VM entry (a platform that keeps the NMI pending across the exit it caused, say).
 * Legitimate steps see a handful; the observation log holds 32.
 */
#define MAX_EXITS_PER_STEP 256

/* A VM entry that fails again and again after the engine mended the VMCS (a platform
 * that refuses our baseline, say) cannot be recovered from. */
#define MAX_FAILED_ENTRIES_IN_A_ROW 3

/* Attempts at an experiment whose runs something outside it disturbs, before it is
 * reported as void (a skip: it says nothing about the platform). */
#define MAX_ATTEMPTS 3

static struct {
	struct cpu *cpu;
	bool vmx;
	const char *skip_reason;
	uint64_t start_tsc, run_start_tsc;
	struct checkpoint host_steps;  /* where an exception in a host step lands */
	bool init_consumed;            /* the last VM exit was the watchdog's INIT */
	bool selftest_failed;
	volatile bool in_host_steps;
	/* Exits since the step in progress began (run.progress), for the storm bound. */
	unsigned step_seen, exits_in_step;
	uint64_t step_first_exit_tsc;
	bool storm_armed;              /* option storm=N: the guest exits at every entry */
	unsigned failed_entries;       /* in a row: a VMCS that cannot be mended ends the run */
	/* A run disturbed by something outside the experiment (a stray NMI) is void: the
	 * same experiment runs again, a bounded number of times. An extra NMI that comes back
	 * in the same step of every attempt is the platform's, not noise (repeat_step). */
	const struct experiment *again;
	unsigned attempts;
	bool stray_before;         /* the previous attempt had an extra NMI, */
	unsigned stray_step;       /* ... in this window */
	bool smi_countable;            /* MSR_SMI_COUNT exists here */
	uint64_t smis_at_start;
} engine;

static __attribute__((noreturn)) void finish_run(void);

/* SMIs since reset (see smis_during_failure()); false where the MSR does not exist. */
static bool smi_count(uint64_t *count)
{
	return rdmsr_safe(MSR_SMI_COUNT, count);
}

/* --- what can run here ---------------------------------------------------------------- */

/* The other catalogue's experiments, named with exp=, are skipped with this reason. */
static const char *other_catalogue(const struct experiment *x)
{
	static char why[96];
	snprintf(why, sizeof(why), "in the %s catalogue: this run uses the %s catalogue", catalogue_of(x->backend)->name,
		 catalogue_of(selection_backend())->name);
	return why;
}

static bool experiment_supported(const struct experiment *x, const char **why)
{
	if (x->backend != selection_backend()) {
		*why = other_catalogue(x);
		return false;
	}
	if (!experiment_needs_vmx(x))
		return true;
	if (!engine.vmx) {
		*why = engine.skip_reason;
		return false;
	}
	*why = hv->missing(FEATURE_NMI_EXITING | experiment_needs(x));
	return *why == 0;
}

/* The next runnable experiment, skipping (and reporting) unsupported ones; 0 at the end. */
static const struct experiment *next_runnable(void)
{
	const struct experiment *x;
	const char *why;
	while ((x = selection_next()) && !experiment_supported(x, &why)) {
		results_record_skip(x, why);
		if (options.order == ORDER_SEQUENTIAL)
			tap_skip(x, why);
	}
	return x;
}

/* --- the end of a run ---------------------------------------------------------------- */

static __attribute__((noreturn)) void end_run(bool failed)
{
	run.phase = 0; /* only printing is left: nothing for the watchdog to watch */
	if (options.order == ORDER_RANDOM)
		tap_random_results();
	struct summary s = options.scenarios.last ? scenario_run_summary() : results_summary();
	tap_summary(&s, tsc_to_us(rdtsc() - engine.start_tsc));
	if (engine.selftest_failed)
		printf("# the VMX self-test failed (see its lines above): the run fails\n");
	/* Without VMX the hypervisor itself went untested: the run is a skip even when the
	 * host-only experiments passed. */
	bool untested = !engine.vmx || s.tests == s.skipped;
	failed |= s.unexpected || engine.selftest_failed;
	platform_exit(failed ? STATUS_FAIL : untested ? STATUS_SKIP : STATUS_PASS);
}

static __attribute__((noreturn)) void finish_run(void)
{
	end_run(false);
}

void engine_bail_out(const char *reason)
{
	/* The experiment it stopped in failed; its verdict comes before the bail-out. */
	if (run.active) {
		run.active = false;
		run_fail("the experiment to finish", reason);
		struct judgement j;
		judge_conclude(&j);
		struct run_result r;
		results_judge(run.x, &run.failure, &j, &r);
		r.us = tsc_to_us(rdtsc() - engine.run_start_tsc);
		if (options.scenarios.last) {
			scenario_run_record(&r);
		} else {
			results_record(run.x, &r);
			if (options.order == ORDER_SEQUENTIAL)
				tap_result(run.x, &r, (const char (*)[DIAG_LEN])run.measured, run.nmeasured);
		}
	}
	if (options.scenarios.last)
		scenario_run_cut_short(); /* the batch so far, as its test point */
	printf("Bail out! %s\n", reason);
	unsigned not_run = options.scenarios.last ? scenario_run_not_run() : selection_runs_planned() - selection_runs_done();
	if (not_run && options.order == ORDER_SEQUENTIAL)
		printf("# %u %ss not run: the run bailed out\n", not_run, options_run_unit());
	end_run(true);
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

/* Everything an experiment may have set for the guest, back to the baseline. */
static void set_baseline_controls(void)
{
	obs_disarm_timeout();
	run.ept_response = EPT_RESPONSE_NONE;
	if (!hv->baseline())
		printf("# note: the nested-paging invalidation failed while paging was turned off for the baseline\n");
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
	memset(&run.failure, 0, sizeof(run.failure));
	run.judge_failed = false;
	run.nmeasured = 0;
	run.vmentry_pending = 0;
	run.stop_host_steps = false;
	run.handoff_done = false;
	run.ept_response = EPT_RESPONSE_NONE;
	run.hlt_entry = false;
	run.nsends_after_entry = 0;
	run.x = x;
	const char *why;
	if (!judge_begin(x, engine.vmx, platform_quirks(platform()->kind, x->backend), test_hook_in(HOOK_BREAK, x->number),
			 &why))
		run_fail("the model to predict this experiment", why);
	if (options.verbose)
		printf("Experiment: %u\n", x->number);
	run.phase = "baseline before an experiment";
	if (engine.vmx && hv->prepare_baseline_iret()) {
		hv->reset_guest(engine.cpu, guest_baseline_main);
		return; /* continues in finish_baseline() on HC_BASELINE_DONE */
	}
	finish_baseline();
}

/* Option storm=N (test only): (1,1,0,1) with the window kept open makes every VM entry
 * exit at once for the NMI window; the engine must end that with a verdict. */
static void maybe_arm_storm(void)
{
	engine.storm_armed = test_hook_in(HOOK_STORM, run.x->number) && hv->arm_storm();
}

static void finish_baseline(void)
{
	if (engine.vmx) {
		set_baseline_controls();
		hv->reset_guest(engine.cpu, guest_experiment_main);
	}
	/* A random scenario may well end with an NMI held; an experiment of the catalogue
	 * should not (each restores the baseline itself). */
	if (unblock_host_nmis() && !options.scenarios.last)
		printf("# note: an NMI was held pending when experiment %u began (left by the previous one)\n",
		       run.x->number);
	obs_clear();
	obs_set_window(0);
	if (engine.smi_countable)
		smi_count(&engine.smis_at_start);
	if (engine.vmx)
		maybe_arm_storm();
	engine.step_seen = run.progress;
	engine.exits_in_step = 0;
	engine.step_first_exit_tsc = rdtsc();
	run.active = true;
	engine.run_start_tsc = rdtsc();
}

static bool restore_baseline(void);

/* After a failed or void run: the baseline back, or the run cannot go on. */
static void restore_or_bail_out(const struct experiment *x, const char *phase)
{
	run.phase = phase;
	if (restore_baseline())
		return;
	char reason[96];
	snprintf(reason, sizeof(reason), "cannot restore the baseline after experiment %u", x->number);
	engine_bail_out(reason);
}

/*
 * More NMIs arrived than the generator sent (and the experiment injected): firmware, a
 * BMC, an NMI button or a nested hypervisor sent one -- or the platform delivered one
 * twice. Says where it hit; true if so.
 */
static bool stray_nmi(char *why, unsigned len)
{
	const struct observation *o = obs_stray_nmi();
	if (!o)
		return false;
	char where[64];
	snprintf(why, len, "stray NMI at %s (%s) in step %u: more NMIs arrived than the generator had sent",
		 describe_rip(o->rip, where, sizeof(where)), obs_source_name(o->source), o->window + 1);
	return true;
}

/*
 * An extra NMI in the same step as in the previous attempt: it repeats, so it is the
 * platform's doing (an NMI delivered twice, a re-injection gone wrong), not a disturbance
 * from outside. Fills the failure that says so; true if it repeats.
 */
static bool duplicated_nmi(struct failure *f)
{
	const struct observation *o = obs_stray_nmi();
	if (!o || !engine.stray_before || engine.stray_step != o->window)
		return false;
	char where[64];
	f->failed = true;
	f->step = o->window < run.x->nsteps ? o->window : run.x->nsteps - 1;
	snprintf(f->expected, DIAG_LEN, "as many NMIs as were sent (%u) and injected", obs_nmis_sent());
	snprintf(f->observed, DIAG_LEN, "%u NMIs arrived for %u sent: the extra one at %s (%s), in this step on "
		 "every attempt (%u), so the platform's, not a disturbance", obs_nmis_arrived(), obs_nmis_sent(),
		 describe_rip(o->rip, where, sizeof(where)), obs_source_name(o->source), engine.attempts + 1);
	return true;
}

/*
 * SMIs: an SMI stalls the experimenter for as long as firmware likes, and an IRET in the
 * SMI handler unblocks NMIs (SDM Vol. 3C 34.8). MSR_SMI_COUNT shows they happened; a
 * failure that coincides with one is the SMI's, not the platform's. Where the MSR does
 * not exist (#GP, caught by the fix-up) SMIs cannot be seen, which start_run() says.
 */
static bool smis_during_failure(bool failed, char *why, unsigned len)
{
	uint64_t now;
	if (!failed || !engine.smi_countable || !smi_count(&now) || now == engine.smis_at_start)
		return false;
	snprintf(why, len, "%llu SMIs during the failed run (MSR_SMI_COUNT)",
		 (unsigned long long)(now - engine.smis_at_start));
	return true;
}

static void attempts_done(void)
{
	engine.again = 0;
	engine.attempts = 0;
	engine.stray_before = false;
}

/* A disturbed run is void: no verdict; the same experiment runs again, or, after
 * MAX_ATTEMPTS, it is reported as void. Returns true if this run was void. */
static bool void_if_disturbed(const struct experiment *x, bool failed)
{
	char why[200];
	bool stray = stray_nmi(why, sizeof(why));
	if (!stray && !smis_during_failure(failed, why, sizeof(why))) {
		attempts_done();
		return false;
	}
	printf("# %s, in %s %u: the run is void\n", why, options_run_unit(), x->number);
	engine.stray_before = stray;
	engine.stray_step = stray ? obs_stray_nmi()->window : 0;
	if (++engine.attempts < MAX_ATTEMPTS) {
		engine.again = x;
	} else {
		results_record_skip(x, "void: every attempt was disturbed from outside (stray NMIs or SMIs)");
		if (options.order == ORDER_SEQUENTIAL)
			tap_skip(x, "void: every attempt was disturbed from outside (stray NMIs or SMIs)");
		attempts_done();
	}
	restore_or_bail_out(x, "recovery after a void run");
	return true;
}

/* A catalogue experiment's verdict: tallied, and printed now (or, in random order, at
 * the end, but for an unexpected failure). */
static void report(const struct experiment *x, const struct run_result *r)
{
	results_record(x, r);
	if (options.order == ORDER_SEQUENTIAL)
		tap_result(x, r, (const char (*)[DIAG_LEN])run.measured, run.nmeasured);
	else if (r->verdict == VERDICT_FAIL)
		tap_random_failure(selection_runs_done(), x, r);
}

/* The steps ran to the end: the end window (the guest's last VMCALL), and nothing late. */
static void judge_the_end(const struct experiment *x)
{
	if (run.failure.failed)
		return;
	obs_set_window(x->nsteps);
	if (!judge_window(x->nsteps, obs_at(0), obs_count()) || !judge_late(obs_at(0), obs_count()))
		run.judge_failed = true;
}

/* Judges the experiment that just ended; on a failure, restores the baseline. */
static void end_experiment(void)
{
	const struct experiment *x = run.x;
	uint64_t us = tsc_to_us(rdtsc() - engine.run_start_tsc);
	run.active = false;
	engine.storm_armed = false;
	judge_the_end(x);
	struct judgement j;
	judge_conclude(&j);
	static const struct failure none;
	struct failure duplicate = { 0 };
	bool repeated = duplicated_nmi(&duplicate);
	struct run_result r;
	results_judge(x, repeated ? &duplicate : run.failure.failed && !run.judge_failed ? &run.failure : &none, &j, &r);
	r.us = us;
	if (repeated)
		attempts_done();
	else if (void_if_disturbed(x, r.verdict != VERDICT_PASS))
		return;
	if (options.scenarios.last)
		scenario_run_record(&r);
	else
		report(x, &r);
	if (r.verdict != VERDICT_PASS)
		restore_or_bail_out(x, "recovery after a failed experiment");
}

/* --- recovery ----------------------------------------------------------------------- */

/* NMI blocking in the host cannot be read; the probe shows it is gone. */
static bool probe_host_takes_nmi(void)
{
	enum gen_event nmi = GEN_NMI;
	unsigned mark = obs_count();
	generator_request(&nmi, 1);
	obs_arm_timeout(PROBE_TIMEOUT_US);
	generator_halt_ready();
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

static void record_exit(enum obs_source s, const struct guest_exit *e)
{
	struct observation o = { .source = s, .rip = e->guest_rip, .hit_before_hlt = e->hit_before_hlt, .rec = e->rec };
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
		/* Back from unexpected_exception(): the step's frames are gone, the failure recorded. */
		engine.in_host_steps = false;
		trace("  Leave host (aborted)\n");
		return x->nsteps;
	}
	engine.in_host_steps = true;
	while (i < x->nsteps && x->steps[i].ctx == IN_HOST && !run.failure.failed) {
		step_execute(i);
		if (run.stop_host_steps) {
			/* OP_VMENTRY: the entry under test ends this run of steps; step i is
			 * executed again, to judge, once that entry has failed or succeeded. */
			run.stop_host_steps = false;
			break;
		}
		i++;
	}
	engine.in_host_steps = false;
	trace("  Leave host\n");
	if (run.failure.failed)
		return x->nsteps;
	obs_set_window(i); /* what follows the VM entry is the next step's (or the VMENTRY's) */
	steps_before_vm_entry();
	return i;
}

static void start_next_or_finish(void)
{
	const struct experiment *x = engine.again ? engine.again : options.scenarios.last ? scenario_run_next() : next_runnable();
	if (!x)
		finish_run();
	begin_experiment(x);
}

static void hypercall_from_guest(struct gprs *r)
{
	switch ((enum hypercall)r->rax) {
	case HC_HOST_STEPS:
		hv->save_controls();
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

/* An exit nobody asked for, or a storm, fails the experiment and starts the next one. */
static void abort_experiment(const char *expected, const char *observed)
{
	run_fail(expected, observed);
	end_experiment();
	start_next_or_finish();
}

static void abort_on_exit(const struct guest_exit *e, const char *what)
{
	char observed[DIAG_LEN];
	snprintf(observed, sizeof(observed), "%s: VM exit reason %#x (%s) at guest rip %#lx, info %#x",
		 what, e->rec.reason, e->name, (unsigned long)e->guest_rip, e->rec.info);
	abort_experiment("no other VM exit", observed);
}

/* The watchdog's INIT ended a step that made no progress: a timeout verdict for it. */
static void watchdog_timeout(const struct guest_exit *e)
{
	char observed[DIAG_LEN];
	snprintf(observed, sizeof(observed),
		 "no progress for %u ms (the watchdog's INIT found the guest at rip %#lx)",
		 run.watchdog_ms, (unsigned long)e->guest_rip);
	run.watchdog_ms = 0;
	engine.init_consumed = true; /* checked at the next VM exit */
	abort_experiment("the step to finish", observed);
}

/*
 * The INIT that caused a VM exit is consumed (SDM 25.2: it causes the exit instead of
 * being processed). A platform that delivers it again at the next VM entry would end
 * every experiment that way; say so and stop. Bochs 2.7 does: cpu/event.cc:233-241
 * calls VMexit() for a pending INIT without clearing it.
 */
static __attribute__((noreturn)) void init_delivered_twice(void)
{
	engine_bail_out("the watchdog's INIT caused a second VM exit at the next VM entry: this "
		 "platform does not consume an INIT that exits, so the run cannot go on");
}

/* Progress is a step advancing, not exits happening: a step that keeps exiting is a
 * storm, ended with a verdict that names it. Returns true when it ended one. */
static bool exit_storm(enum obs_source s, const struct guest_exit *e)
{
	if (engine.step_seen != run.progress) {
		engine.step_seen = run.progress;
		engine.exits_in_step = 0;
		engine.step_first_exit_tsc = rdtsc();
	}
	/* In the baseline as well (run.active is not set yet): a platform that exits at every
	 * entry must not keep the engine from ever starting the experiment. */
	if (!run.x || ++engine.exits_in_step <= MAX_EXITS_PER_STEP)
		return false;
	char expected[64], observed[DIAG_LEN], where[64];
	snprintf(expected, sizeof(expected), "the step to advance (at most %u VM exits in one step)",
		 MAX_EXITS_PER_STEP);
	snprintf(observed, sizeof(observed), "exit storm: %u %s in %llu us at %s%s", engine.exits_in_step,
		 obs_source_name(s), (unsigned long long)tsc_to_us(rdtsc() - engine.step_first_exit_tsc),
		 describe_rip(e->guest_rip, where, sizeof(where)), run.active ? "" : ", before the experiment began");
	abort_experiment(expected, observed);
	return true;
}

/* The exits one-shot controls cause are observations; the control is cleared (the
 * backend knows which), unless option storm=N wants the window kept open. */
static void one_shot_exit(enum obs_source s, const struct guest_exit *e)
{
	record_exit(s, e);
	if (!engine.storm_armed || s != OBS_EXIT_NMIW)
		hv->clear_one_shot(e);
}

/* An NMI exit is an observation; an exception exit too, where the experiments cause one:
 * #GP of a faulting IRET (resumed at its fix-up), #NP while delivering an event through
 * a gate that is not present (the event is in the IDT-vectoring information and is
 * dropped until a step re-injects it; G resumes where the exit left it, SDM 27.2.3). */
static void exception_or_nmi_exit(const struct guest_exit *e)
{
	if (e->kind == GUEST_EXIT_NMI) {
		record_exit(OBS_EXIT_NMI, e);
		return;
	}
	uintptr_t resume;
	if (e->vector == VEC_GP) {
		record_exit(OBS_EXIT_GP, e);
		if (fixup_lookup(VEC_GP, e->guest_rip, &resume)) {
			hv->resume_at(resume);
			return;
		}
	}
	if (e->vector == VEC_NP && e->during_delivery) {
		record_exit(OBS_EXIT_NP, e);
		return;
	}
	abort_on_exit(e, "unexpected exception in the guest");
}

/* A nested-paging exit the experiments did not arm: a bug of ours or the platform's,
 * described with what the exit saved. */
static void unexpected_paging_exit(const struct guest_exit *e)
{
	char observed[DIAG_LEN];
	if (e->kind == GUEST_EXIT_NESTED_PAGE_MISCONFIG)
		snprintf(observed, sizeof(observed), "%s at guest rip %#lx, guest-physical %#llx: an entry of the "
			 "engine's identity map is invalid (SDM 28.2.3.1)", e->name, (unsigned long)e->guest_rip,
			 (unsigned long long)e->rec.guest_physical);
	else
		snprintf(observed, sizeof(observed), "%s at guest rip %#lx: qualification %#llx, guest-physical %#llx, "
			 "guest-linear %#llx, idt-vectoring %#x", e->name, (unsigned long)e->guest_rip,
			 (unsigned long long)e->rec.qualification, (unsigned long long)e->rec.guest_physical,
			 (unsigned long long)hv->fault_linear_address(), e->rec.idt_vectoring);
	abort_experiment("no nested-paging exit but G's IRET at page_iret reading the armed frame page", observed);
}

static bool armed_violation(const struct guest_exit *e)
{
	return run.active && run.ept_response != EPT_RESPONSE_NONE && e->guest_rip == (uintptr_t)page_iret &&
	       hv->in_frame_page(e->rec.guest_physical);
}

/*
 * The violation an EPT_ARM_IRET step armed: G's IRET at page_iret reading its frame from
 * the page made not present. The engine answers as the step chose: the page mapped
 * again and, under REBLOCK, blocking by NMI set again when the exit says the IRET had
 * unblocked NMIs and it was not during event delivery (SDM 31.7.1.2). The exit is
 * fault-like (RIP is the IRET's), so the IRET executes again. Returns whether it was
 * recorded.
 */
static bool frame_page_violation(const struct guest_exit *e)
{
	if (!armed_violation(e)) {
		unexpected_paging_exit(e);
		return false;
	}
	record_exit(OBS_EXIT_EPT, e);
	enum ept_response response = run.ept_response;
	run.ept_response = EPT_RESPONSE_NONE;
	if (!hv->restore_frame_page()) {
		abort_experiment("the invalidation to succeed", "the invalidation failed after the frame page was mapped again");
		return false;
	}
	if (response == EPT_RESPONSE_REBLOCK && hv->exit_unblocked_nmis(e))
		hv->reblock_nmis();
	return true;
}

/* The source an exit is observed as; OBS_NONE for the others. */
static enum obs_source exit_source(const struct guest_exit *e)
{
	switch (e->kind) {
	case GUEST_EXIT_NMI: return OBS_EXIT_NMI;
	case GUEST_EXIT_NMI_WINDOW: return OBS_EXIT_NMIW;
	case GUEST_EXIT_INTERRUPT_WINDOW: return OBS_EXIT_INTRW;
	case GUEST_EXIT_MTF: return OBS_EXIT_MTF;
	case GUEST_EXIT_PREEMPTION_TIMER: return OBS_EXIT_PREEMPT;
	case GUEST_EXIT_NESTED_PAGE_FAULT: return OBS_EXIT_EPT;
	case GUEST_EXIT_IRET: return OBS_EXIT_IRET;
	case GUEST_EXIT_EXCEPTION: return e->vector == VEC_NP ? OBS_EXIT_NP : OBS_EXIT_GP;
	default: return OBS_NONE;
	}
}

/*
 * A VM entry that failed: VMfailValid (SDM 26.2, checks on controls and host state) or
 * an exit with reason 33 and bit 31 (26.7, invalid guest state). When a VMENTRY step
 * expects it, it is that step's observation: the controls go back to what they were when
 * the run of H steps began, and the steps from the VMENTRY on run now, in the host, with
 * the guest resuming after them. Otherwise it fails the experiment.
 */
static enum obs_source failed_entry_source(enum guest_exit_kind kind)
{
	return kind == GUEST_EXIT_ENTRY_VMFAIL ? OBS_ENTRY_VMFAIL
	       : kind == GUEST_EXIT_ENTRY_INVALID ? OBS_VMEXIT_INVALID : OBS_ENTRY_BAD_GUEST;
}

static void entry_failed(const struct guest_exit *e, struct gprs *r)
{
	enum obs_source source = failed_entry_source(e->kind);
	struct observation o = { .source = source, .rip = e->guest_rip, .rec = e->rec };
	if (++engine.failed_entries > MAX_FAILED_ENTRIES_IN_A_ROW)
		engine_bail_out("VM entry keeps failing after the controls were restored: this platform refuses "
				"the engine's baseline guest state");
	if (run.active && run.vmentry_pending) {
		obs_record(&o);
		trace("      VM entry failed: %s\n", obs_source_name(o.source));
		steps_after_failed_entry();
		hv->restore_controls();
		r->rax = run_host_steps(run.vmentry_pending - 1);
		return;
	}
	char observed[DIAG_LEN];
	if (source == OBS_ENTRY_VMFAIL)
		snprintf(observed, sizeof(observed), "VM entry failed: VMfailValid, VM-instruction error %u (%s)",
			 e->rec.detail, e->name);
	else
		snprintf(observed, sizeof(observed), "VM entry failed: exit reason %#x (%s), qualification %#llx",
			 e->rec.reason, e->name, (unsigned long long)e->rec.qualification);
	if (options.verbose)
		hv->dump();
	abort_experiment("the VM entry to succeed", observed);
}

/*
 * HOST_AT_EXIT: the H steps after a G step run inside the first exit that step expects,
 * before any VM entry could change the host's state (SDM 26.6.1: VM entry replaces NMI
 * blocking); the guest then goes on with the step after them.
 */
static bool hand_off_at_exit(enum obs_source s)
{
	const struct step *step = run.active ? &run.x->steps[run.step] : 0;
	if (!step || step->ctx != IN_GUEST || !step->host_at_exit || run.handoff_done || !step->nexpected ||
	    step->expected[0].source != s)
		return false;
	run.handoff_done = true;
	unsigned index = run.step;
	run.guest_resume_step = run_host_steps(index + 1);
	run.step = index;
	obs_set_window(index); /* back in the G step's window */
	return true;
}

static bool engine_exit(const struct guest_exit *e, struct gprs *r)
{
	bool init_consumed = engine.init_consumed;
	engine.init_consumed = false;
	if (e->kind == GUEST_EXIT_ENTRY_VMFAIL || e->kind == GUEST_EXIT_ENTRY_BAD_GUEST ||
	    e->kind == GUEST_EXIT_ENTRY_INVALID) {
		entry_failed(e, r);
		return true;
	}
	engine.failed_entries = 0;
	enum obs_source source = exit_source(e);
	if (source != OBS_NONE && exit_storm(source, e))
		return true;
	switch (e->kind) {
	case GUEST_EXIT_HYPERCALL:
		if (run.active)
			record_exit(OBS_EXIT_VMCALL, e);
		hv->skip_instruction(e); /* first: the hypercall may restart the guest */
		hypercall_from_guest(r);
		return true;
	case GUEST_EXIT_INIT:
		if (init_consumed)
			init_delivered_twice();
		if (!run.watchdog_ms)
			break;
		watchdog_timeout(e);
		return true;
	case GUEST_EXIT_NMI:
	case GUEST_EXIT_EXCEPTION:
		exception_or_nmi_exit(e);
		hand_off_at_exit(source);
		return true;
	case GUEST_EXIT_NMI_WINDOW:
	case GUEST_EXIT_INTERRUPT_WINDOW:
	case GUEST_EXIT_MTF:
	case GUEST_EXIT_PREEMPTION_TIMER:
	case GUEST_EXIT_IRET:
		one_shot_exit(source, e);
		hand_off_at_exit(source);
		return true;
	case GUEST_EXIT_NESTED_PAGE_FAULT:
		if (frame_page_violation(e))
			hand_off_at_exit(source);
		return true;
	case GUEST_EXIT_NESTED_PAGE_MISCONFIG:
		unexpected_paging_exit(e);
		return true;
	default:
		break;
	}
	abort_on_exit(e, "unexpected VM exit");
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

static void start_run(void)
{
	install_hooks();
	/* The selection was built and checked with the command line (boot/main.c). */
	uint64_t smis;
	engine.smi_countable = smi_count(&smis);
	if (engine.smi_countable)
		printf("SMI: %llu so far (MSR_SMI_COUNT); a failure during an SMI is void and runs again\n",
		       (unsigned long long)smis);
	else
		printf("SMI: not countable here (MSR_SMI_COUNT raises #GP): an SMI during an experiment cannot be seen\n");
	tap_plan();
	engine.start_tsc = rdtsc();
}

/* What a record may depend on besides the rules: the judge's models must know it. */
static unsigned model_features(void)
{
	return hv->missing(FEATURE_SVM_NRIP_SAVE) ? 0 : MODEL_FEATURE_NRIP_SAVE;
}

/* The features this CPU offers the experiments (enum hv_feature), for random scenarios. */
static unsigned features_here(void)
{
	unsigned features = 0;
	for (unsigned f = 1; f && f <= FEATURE_NMI_EXITING; f <<= 1)
		features |= hv->missing(f) ? 0 : f;
	return features;
}

/* A scenario before the range's first was drawn: the watchdog's heartbeat. */
static void drew_scenario(void)
{
	run.progress++;
}

void engine_begin(struct cpu *c, bool selftest_failed)
{
	engine.cpu = c;
	engine.vmx = true;
	engine.selftest_failed = selftest_failed;
	places_set_host_exit_entry(hv->exit_entry);
	obs_nmi_exit_consumes(hv->nmi_exit_consumes);
	judge_set_features(model_features());
	if (options.scenarios.last && selection_backend() != BACKEND_VMX) {
		/* Scenarios are drawn from the VMX model's vocabulary (experiments/scenario.c). */
		printf("TAP version 13\n1..0 # SKIP random scenarios are drawn for VMX; this run's backend is %s\n",
		       hv->name);
		finish_run();
	}
	if (options.scenarios.last) {
		run.phase = "draw of the scenarios before the range's first";
		scenario_run_init(features_here(), drew_scenario);
	}
	start_run();
	hv->set_exit_handler(engine_exit);
	start_next_or_finish();
}

void engine_run_without_vmx(const char *reason)
{
	static char why[160];
	snprintf(why, sizeof(why), "needs %s, which is not available (%s)", catalogue_of(selection_backend())->name,
		 reason);
	engine.skip_reason = why;
	if (options.scenarios.last) {
		/* Random scenarios exercise the hypervisor: with none, nothing runs. */
		printf("TAP version 13\n1..0 # SKIP random scenarios %s\n", why);
		finish_run();
	}
	start_run();
	const struct experiment *x;
	while ((x = engine.again ? engine.again : next_runnable())) {
		begin_experiment(x);
		run_host_steps(0);
		obs_set_window(x->nsteps);
		end_experiment();
	}
	finish_run();
}
