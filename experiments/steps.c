/*
 * The step interpreter. The same code runs in the host (H steps, inside the VMCALL's
 * exit handler) and in the guest (G steps): it only touches shared memory, the APIC
 * and, for host steps, the VMCS.
 */
#include <stdarg.h>

#include "experiments/places.h"
#include "experiments/generator.h"
#include "experiments/judge.h"
#include "experiments/options.h"
#include "experiments/run.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "lib/timer.h"
#include "machine/anchors.h"
#include "machine/descriptors.h"
#include "machine/layout.h"
#include "machine/x86.h"
#include "hv/hv.h"

struct run_state run;

#define GENERATOR_IDLE_TIMEOUT_US 100000

void trace(const char *fmt, ...)
{
	if (!options.verbose)
		return;
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

void run_fail(const char *expected, const char *observed)
{
	if (run.failure.failed)
		return;
	run.failure.failed = true;
	run.failure.step = run.step;
	snprintf(run.failure.expected, DIAG_LEN, "%s", expected);
	snprintf(run.failure.observed, DIAG_LEN, "%s", observed);
}

/* A failure the judge found: its divergence from the SDM's model is the diagnostic. */
static void fail_from_judge(void)
{
	run.judge_failed = true;
	struct judgement j;
	judge_conclude(&j);
	unsigned step = run.step;
	run.step = j.sdm.found && j.sdm.step < run.x->nsteps ? j.sdm.step : step;
	run_fail(j.sdm.expected, j.sdm.observed);
	run.step = step;
}

/* The one place a step's window is judged against the model. */
static bool judge_step(unsigned index)
{
	bool ok = judge_window(index, obs_at(0), obs_count());
	if (options.verbose) {
		char observed[DIAG_LEN];
		describe_window(index, obs_at(0), obs_count(), observed, sizeof(observed));
		trace("      observed: %s%s\n", observed, ok ? "" : " (the model disagrees)");
	}
	if (!ok)
		fail_from_judge();
	return ok;
}

/* A value step: what it read (read_value), judged, then its window. */
static bool judge_read(unsigned index)
{
	char seen[96];
	if (run.read.absent)
		snprintf(seen, sizeof(seen), "no such exit was recorded");
	else
		run.read.describe(run.read.value, seen, sizeof(seen));
	trace("      read: %s\n", seen);
	if (!judge_value(index, run.read.absent, run.read.value, run.read.describe)) {
		fail_from_judge();
		return false;
	}
	return judge_step(index);
}

static void read_value(uint64_t value, void (*describe)(uint64_t v, char *buf, unsigned len))
{
	run.read.present = true;
	run.read.absent = false;
	run.read.value = value;
	run.read.describe = describe;
}

/* A value step whose exit did not happen: judged like a value (a deviation's model may
 * predict just that). */
static void read_nothing(void (*describe)(uint64_t v, char *buf, unsigned len))
{
	read_value(0, describe);
	run.read.absent = true;
}

/* Whether an event (not an exception with a fix-up, not a VMCALL) was recorded since mark. */
static bool event_seen_since(unsigned mark)
{
	for (unsigned i = mark; i < obs_count(); i++)
		if (obs_is_event(obs_at(i)->source))
			return true;
	return false;
}

static void add_measurement(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void add_measurement(const char *fmt, ...)
{
	if (run.nmeasured == MAX_MEASUREMENTS)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(run.measured[run.nmeasured++], DIAG_LEN, fmt, ap);
	va_end(ap);
	trace("      measured: %s\n", run.measured[run.nmeasured - 1]);
}

/* --- the steps -------------------------------------------------------------------- */

#define SETTLE_DELAY_US (SETTLE_DELAY_MS * 1000)

/* wait(ctx: sends → expect O): halt until an event ends the wait or the bound expires.
 * A wake-up that recorded nothing (a stale timer tick) halts again. */
static bool do_wait(const struct step *s)
{
	unsigned mark = obs_count();
	if (s->settle) /* the window before the HLT may be stretched (ready_delay=): wait it out too */
		generator_request_delayed(s->sends, s->nsends, SETTLE_DELAY_US + options.ready_delay_us);
	else
		generator_request(s->sends, s->nsends);
	obs_arm_timeout(options.timeout_ms * 1000);
	generator_halt_ready();
	while (!event_seen_since(mark))
		wait_halted();
	obs_disarm_timeout();
	if (!generator_wait_idle(GENERATOR_IDLE_TIMEOUT_US)) {
		char observed[64];
		snprintf(observed, sizeof(observed), "the generator CPU did not finish within %u ms",
			 GENERATOR_IDLE_TIMEOUT_US / 1000);
		run_fail("the generator to finish sending", observed);
		return false;
	}
	return true;
}

static bool do_iret(const struct step *s)
{
	(void)s;
	execute_iret();
	return true;
}

static bool do_faulting_iret(const struct step *s)
{
	(void)s;
	execute_faulting_iret();
	return true;
}

static bool do_int2(const struct step *s)
{
	(void)s;
	obs_nmi_not_sent(); /* its handler's entry is not an NMI the generator sent */
	execute_int2();
	return true;
}

static bool do_since_entry(const struct step *s)
{
	(void)s;
	obs_disarm_timeout(); /* ENTER_HLT's bound, if one was armed */
	return true;
}

static void describe_controls(uint64_t v, char *buf, unsigned len)
{
	struct xvbw c = xvbw_of_value(v);
	snprintf(buf, len, "(%d,%d,%d,%d)", c.nmi_exiting, c.virtual_nmis, c.blocking, c.nmi_window);
}

static void describe_b(uint64_t v, char *buf, unsigned len)
{
	snprintf(buf, len, "B=%u", (unsigned)v);
}

static void describe_bit12(uint64_t v, char *buf, unsigned len)
{
	snprintf(buf, len, "bit12=%u", (unsigned)v);
}

static bool do_nothing(const struct step *s)
{
	(void)s;
	return true;
}

/* The last exit of the kind a measuring step names; if there was none, that is what it
 * measured. */
static const struct observation *exit_to_measure(const struct step *s)
{
	const struct observation *o = obs_last(s->exit);
	if (!o)
		add_measurement("no %s was recorded", obs_source_name(s->exit));
	return o;
}

/* Informational: what the last exit of that kind saved, next to what other platforms
 * were seen to save. Never a verdict. */
static bool do_measure_exit(const struct step *s)
{
	const struct observation *o = exit_to_measure(s);
	if (o)
		add_measurement("the %s saved activity state %u and instruction length %u (%s)",
				obs_source_name(s->exit), o->rec.activity, o->rec.length, s->reference);
	return true;
}

/* The VM entry under test happens between the two calls: the first stops the run of H
 * steps here, the second (after a failed entry, in the host; after a successful one, in
 * the guest's next VMCALL) judges what it brought. */
static bool do_vmentry(const struct step *s)
{
	(void)s;
	if (run.vmentry_pending != run.step + 1) {
		run.vmentry_pending = run.step + 1;
		run.stop_host_steps = true;
		run.not_judged = true;
		return true;
	}
	run.vmentry_pending = 0;
	return true;
}

/* The engine's bound on a guest halted by VM entry (OP_ENTER_HLT): with IF = 1 its
 * interrupt wakes G (recorded as a timeout) should nothing else. */
void steps_before_vm_entry(void)
{
	/* The sends first: handing them over may wait for the generator's previous batch,
	 * which must not eat into the bound. */
	if (run.nsends_after_entry)
		generator_send_later(run.sends_after_entry, run.nsends_after_entry, SETTLE_DELAY_US);
	if (run.hlt_entry)
		obs_arm_timeout(options.timeout_ms * 1000);
	run.hlt_entry = false;
	run.nsends_after_entry = 0;
}

void steps_after_failed_entry(void)
{
	obs_disarm_timeout();
}

static bool do_send_after_entry(const struct step *s)
{
	for (unsigned i = 0; i < s->nsends; i++)
		run.sends_after_entry[i] = s->sends[i];
	run.nsends_after_entry = s->nsends;
	return true;
}

static const struct step *describing; /* the CHECK_EXIT step being read, for its describer */

static void describe_field(uint64_t v, char *buf, unsigned len)
{
	snprintf(buf, len, "%s & %#x = %#llx at the %s",
		 obs_field_name_for(run.x->backend == BACKEND_SVM, describing->field), describing->mask,
		 (unsigned long long)v, obs_source_name(describing->exit));
}

static bool do_check_exit(const struct step *s)
{
	const struct observation *o = obs_last(s->exit);
	describing = s;
	if (!o)
		read_nothing(describe_field);
	else
		read_value(record_field(&o->rec, s->field) & s->mask, describe_field);
	return true;
}

static bool do_measure(const struct step *s)
{
	const struct observation *o = exit_to_measure(s);
	if (o)
		add_measurement("the %s saved %s %#llx (%s)", obs_source_name(s->exit),
				obs_field_name_for(run.x->backend == BACKEND_SVM, s->field),
				(unsigned long long)record_field(&o->rec, s->field), s->reference);
	return true;
}

/* --- NMI unblocking due to IRET with EPT ---------------------------------------- */

static bool do_page_iret(const struct step *s)
{
	(void)s;
	execute_page_iret(hv->frame_page + FRAME_PAGE_IRET_OFFSET);
	return true;
}

/* --- SVM's global interrupt flag ------------------------------------------------------ */

/* clgi / stgi: the instructions themselves (machine/<arch>/anchors.S), in the host or,
 * with VGIF, in the guest; what STGI releases lands at after_stgi. */
static bool do_clgi(const struct step *s)
{
	(void)s;
	execute_clgi();
	return true;
}

static bool do_stgi(const struct step *s)
{
	(void)s;
	execute_stgi();
	return true;
}

/* spin(H: sends -> O): no HLT -- with GIF = 0 nothing, not even the bound's timer, could
 * end one -- but one wait bound of spinning on the TSC while the generator sends. */
static bool do_spin(const struct step *s)
{
	/* A spin has no timer: a guest's wait bound left armed (H steps inside an exit) must
	 * not fire into the guest later. */
	obs_disarm_timeout();
	if (s->nsends)
		generator_send_later(s->sends, s->nsends, SETTLE_DELAY_US);
	spin_us(options.timeout_ms * 1000);
	if (s->nsends && !generator_wait_idle(GENERATOR_IDLE_TIMEOUT_US)) {
		run_fail("the generator to finish sending", "the generator CPU did not finish during the spin");
		return false;
	}
	return true;
}

/* What the value a backend step read says, in the step's notation. */
static void (*value_describer(enum step_op op))(uint64_t v, char *buf, unsigned len)
{
	return op == OP_CHECK_CONTROLS ? describe_controls : op == OP_CHECK_BIT12 ? describe_bit12 : describe_b;
}

/*
 * A step on the hypervisor's controls: the backend does it (hv->execute). The engine
 * keeps its own books: an injected NMI is counted (stray-NMI detection), a check's value
 * is judged, the HLT bound armed, the EPT frame page's answer remembered.
 */
static bool do_controls_step(const struct step *s)
{
	struct step_io io = { 0 };
	const struct observation *last = s->op == OP_REINJECT ? obs_last(s->exit)
					 : s->op == OP_CHECK_BIT12 ? obs_last(OBS_EXIT_GP) : 0;
	io.last_exit = last ? &last->rec : 0;
	hv->execute(s, &io);
	if (io.failed) {
		run_fail("the step to be done", io.failed);
		return false;
	}
	if (io.injected_nmi)
		obs_nmi_not_sent();
	if (io.has_value && !io.last_exit && s->op == OP_CHECK_BIT12)
		read_nothing(value_describer(s->op));
	else if (io.has_value)
		read_value(io.value, value_describer(s->op));
	if (s->op == OP_ENTER_HLT)
		run.hlt_entry = true;
	if (s->op == OP_EPT_ARM_IRET)
		run.ept_response = s->response;
	return true;
}

/* Indexed by enum step_op; what each op is otherwise is in step_ops[] (describe.c). */
static bool (*const execute[OP_COUNT])(const struct step *s) = {
	[OP_SET] = do_controls_step,
	[OP_CHECK_CONTROLS] = do_controls_step,
	[OP_CHECK_B] = do_controls_step,
	[OP_CHECK_BIT12] = do_controls_step,
	[OP_INJECT] = do_controls_step,
	[OP_EXC_EXITING] = do_controls_step,
	[OP_WAIT] = do_wait,
	[OP_IRET] = do_iret,
	[OP_FIRET] = do_faulting_iret,
	[OP_INT2] = do_int2,
	[OP_SINCE_ENTRY] = do_since_entry,
	[OP_VMCALL] = do_nothing,
	[OP_MEASURE_EXIT] = do_measure_exit,
	[OP_VMENTRY] = do_vmentry,
	[OP_SHADOW] = do_controls_step,
	[OP_GUEST_IF] = do_controls_step,
	[OP_EXIT_CONTROL] = do_controls_step,
	[OP_ENTER_HLT] = do_controls_step,
	[OP_SEND_AFTER_ENTRY] = do_send_after_entry,
	[OP_NMI_GATE] = do_controls_step,
	[OP_REINJECT] = do_controls_step,
	[OP_CHECK_EXIT] = do_check_exit,
	[OP_MEASURE] = do_measure,
	[OP_EPT] = do_controls_step,
	[OP_EPT_ARM_IRET] = do_controls_step,
	[OP_EIRET] = do_page_iret,
	[OP_SVM_INTERCEPTS] = do_controls_step,
	[OP_CLGI] = do_clgi,
	[OP_STGI] = do_stgi,
	[OP_SPIN] = do_spin,
	[OP_GIF_AT_EXIT] = do_controls_step,
	[OP_VNMI] = do_controls_step,
	[OP_VGIF] = do_controls_step,
};

/* Options "hang=N" and "fault=N" (test only) act in the first guest step, or in the
 * first step of a host-only experiment. */
static bool test_hook_here(unsigned index)
{
	const struct experiment *x = run.x;
	for (unsigned i = 0; i < x->nsteps; i++)
		if (x->steps[i].ctx == IN_GUEST)
			return i == index;
	return index == 0;
}

bool step_execute(unsigned index)
{
	const struct step *s = &run.x->steps[index];
	run.step = index;
	run.progress++;
	obs_set_window(index);
	if (test_hook_in(HOOK_HANG, run.x->number) && test_hook_here(index))
		for (;;)
			cli(); /* test only: nothing but the watchdog can end this */
	if (test_hook_in(HOOK_FAULT, run.x->number) && test_hook_here(index))
		__asm__ volatile("ud2"); /* test only: an unexpected exception in a step */
	char text[128];
	step_describe_in(run.x, index, text, sizeof(text));
	trace("    [%s] %s\n", s->ctx == IN_GUEST ? "G" : "H", text);
	if (s->op >= OP_COUNT || !execute[s->op]) {
		run_fail("a known step", "an unknown step operation");
		return false;
	}
	run.read.present = false;
	run.not_judged = false;
	if (!execute[s->op](s))
		return false;
	if (run.not_judged)
		return true; /* VMENTRY: its entry happens now, it is judged when reached again */
	if (run.read.present)
		return judge_read(index);
	return judge_step(index);
}
