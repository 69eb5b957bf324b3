/*
 * The step interpreter. The same code runs in the host (H steps, inside the VMCALL's
 * exit handler) and in the guest (G steps): it only touches shared memory, the APIC
 * and, for host steps, the VMCS.
 */
#include <stdarg.h>

#include "experiments/judge.h"
#include "experiments/options.h"
#include "experiments/run.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "lib/timer.h"
#include "machine/anchors.h"
#include "machine/layout.h"
#include "machine/x86.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_defs.h"

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

void run_fail(const char *expected, const char *observed, const struct outcome *outcome)
{
	if (run.failure.failed)
		return;
	run.failure.failed = true;
	run.failure.step = run.step;
	snprintf(run.failure.expected, DIAG_LEN, "%s", expected);
	snprintf(run.failure.observed, DIAG_LEN, "%s", observed);
	run.failure.has_outcome = outcome != 0;
	if (outcome)
		run.failure.outcome = *outcome;
}

/* The one place a check's outcome is traced and, if wrong, recorded. */
static bool judge(bool ok, const char *expected, const char *observed, const struct outcome *outcome)
{
	trace("      observed: %s\n", observed);
	if (!ok)
		run_fail(expected, observed, outcome);
	return ok;
}

static bool check_events(const struct step *s, unsigned mark)
{
	char expected[DIAG_LEN], observed[DIAG_LEN];
	unsigned n;
	const struct observation *obs = obs_since(mark, &n);
	describe_events(obs, n, observed, sizeof(observed));
	describe_expected(s, expected, sizeof(expected));
	struct outcome seen = outcome_of_events(obs, n);
	return judge(events_match(s, obs, n), expected, observed, &seen);
}

static bool event_seen_since(unsigned mark)
{
	for (unsigned i = mark; i < obs_count(); i++)
		if (obs_is_event(obs_at(i)->source))
			return true;
	return false;
}

/* --- the steps -------------------------------------------------------------------- */

/* wait(ctx: sends → expect O): halt until an event ends the wait or the bound expires.
 * A wake-up that recorded nothing (a stale timer tick) halts again. */
static bool do_wait(const struct step *s)
{
	unsigned mark = obs_count();
	generator_request(s->sends, s->nsends);
	obs_arm_timeout(options.timeout_ms * 1000);
	generator_halt_ready();
	while (!event_seen_since(mark))
		wait_halted();
	obs_disarm_timeout();
	if (!generator_wait_idle(GENERATOR_IDLE_TIMEOUT_US)) {
		run_fail("the generator to finish sending", "the generator CPU did not finish within 100 ms", 0);
		return false;
	}
	return check_events(s, mark);
}

static bool do_iret(const struct step *s)
{
	unsigned mark = obs_count();
	execute_iret();
	return check_events(s, mark);
}

static bool do_faulting_iret(const struct step *s)
{
	unsigned mark = obs_count();
	execute_faulting_iret();
	return check_events(s, mark);
}

static bool do_since_entry(const struct step *s)
{
	return check_events(s, run.entry_mark);
}

void nmi_controls_write(const struct xvbw *c)
{
	uint64_t pin = vmcs_read(PIN_BASED_CONTROLS) & ~(uint64_t)(PIN_NMI_EXITING | PIN_VIRTUAL_NMIS);
	uint64_t proc = vmcs_read(PROC_BASED_CONTROLS) & ~(uint64_t)PROC_NMI_WINDOW_EXITING;
	uint64_t intr = vmcs_read(GUEST_INTERRUPTIBILITY) & ~(uint64_t)INTERRUPTIBILITY_NMI;
	vmcs_write(PIN_BASED_CONTROLS, pin | (c->nmi_exiting ? PIN_NMI_EXITING : 0) |
					       (c->virtual_nmis ? PIN_VIRTUAL_NMIS : 0));
	vmcs_write(GUEST_INTERRUPTIBILITY, intr | (c->blocking ? INTERRUPTIBILITY_NMI : 0));
	vmcs_write(PROC_BASED_CONTROLS, proc | (c->nmi_window ? PROC_NMI_WINDOW_EXITING : 0));
}

static struct xvbw read_nmi_controls(void)
{
	uint64_t pin = vmcs_read(PIN_BASED_CONTROLS);
	return (struct xvbw){
		.nmi_exiting = (pin & PIN_NMI_EXITING) != 0,
		.virtual_nmis = (pin & PIN_VIRTUAL_NMIS) != 0,
		.blocking = (vmcs_read(GUEST_INTERRUPTIBILITY) & INTERRUPTIBILITY_NMI) != 0,
		.nmi_window = (vmcs_read(PROC_BASED_CONTROLS) & PROC_NMI_WINDOW_EXITING) != 0,
	};
}

static bool do_set(const struct step *s)
{
	nmi_controls_write(&s->controls);
	return true;
}

static bool do_check_controls(const struct step *s)
{
	struct xvbw now = read_nmi_controls();
	const struct xvbw *want = &s->controls;
	char expected[32], observed[32];
	snprintf(expected, sizeof(expected), "(%d,%d,%d,%d)", want->nmi_exiting, want->virtual_nmis,
		 want->blocking, want->nmi_window);
	snprintf(observed, sizeof(observed), "(%d,%d,%d,%d)", now.nmi_exiting, now.virtual_nmis,
		 now.blocking, now.nmi_window);
	struct outcome seen = outcome_of_value(xvbw_digits(&now));
	return judge(xvbw_digits(&now) == xvbw_digits(want), expected, observed, &seen);
}

static bool do_check_b(const struct step *s)
{
	uint64_t interruptibility = vmcs_read(GUEST_INTERRUPTIBILITY);
	int b = (interruptibility & INTERRUPTIBILITY_NMI) != 0;
	char expected[32], observed[64];
	snprintf(expected, sizeof(expected), "B=%d", s->value);
	snprintf(observed, sizeof(observed), "B=%d (interruptibility %#llx)", b,
		 (unsigned long long)interruptibility);
	struct outcome seen = outcome_of_value(b);
	return judge(b == s->value, expected, observed, &seen);
}

/* Bit 12 of the VM-exit interruption information: "NMI unblocking due to IRET"
 * (SDM 27.2.2). */
static bool do_check_bit12(const struct step *s)
{
	const struct observation *o = obs_last(OBS_EXIT_GP);
	char expected[48], observed[80];
	snprintf(expected, sizeof(expected), "bit12=%d at the EXIT_GP", s->value);
	if (!o)
		return judge(false, expected, "no EXIT_GP was recorded", 0);
	int bit = (o->interruption_info & INTR_INFO_NMI_UNBLOCKED_BY_IRET) != 0;
	snprintf(observed, sizeof(observed), "bit12=%d (interruption info %#x)", bit, o->interruption_info);
	struct outcome seen = outcome_of_value(bit);
	return judge(bit == s->value, expected, observed, &seen);
}

static bool do_inject_nmi(const struct step *s)
{
	(void)s;
	vmcs_write(ENTRY_INTERRUPTION_INFO, INTR_INFO_VALID | INTR_TYPE_NMI | VEC_NMI);
	return true;
}

static bool do_inject_intr(const struct step *s)
{
	vmcs_write(ENTRY_INTERRUPTION_INFO, INTR_INFO_VALID | INTR_TYPE_EXTERNAL | s->vector);
	/* SDM 26.3.1.4: injecting an external interrupt requires RFLAGS.IF = 1 in the guest
	 * state. The guest's VMCALL stub clears IF again right after its anchor. */
	vmcs_set_bits(GUEST_RFLAGS, RFLAGS_IF);
	return true;
}

static bool do_gp_exiting(const struct step *s)
{
	if (s->value)
		vmcs_set_bits(EXCEPTION_BITMAP, 1u << VEC_GP);
	else
		vmcs_clear_bits(EXCEPTION_BITMAP, 1u << VEC_GP);
	return true;
}

static bool do_nothing(const struct step *s)
{
	(void)s;
	return true;
}

/* Informational: what the last exit of that kind saved, next to what other platforms
 * were seen to save. Never a verdict. */
static bool do_measure_exit(const struct step *s)
{
	const struct observation *o = obs_last(s->exit);
	if (run.nmeasured == MAX_MEASUREMENTS)
		return true;
	char *line = run.measured[run.nmeasured++];
	if (!o)
		snprintf(line, DIAG_LEN, "no %s was recorded", obs_source_name(s->exit));
	else
		snprintf(line, DIAG_LEN, "the %s saved activity state %u and instruction length %u (%s)",
			 obs_source_name(s->exit), o->activity_state, o->instruction_length, s->reference);
	trace("      measured: %s\n", line);
	return true;
}

/* Indexed by enum step_op; what each op is otherwise is in step_ops[] (describe.c). */
static bool (*const execute[OP_COUNT])(const struct step *s) = {
	[OP_SET] = do_set,
	[OP_CHECK_CONTROLS] = do_check_controls,
	[OP_CHECK_B] = do_check_b,
	[OP_CHECK_BIT12] = do_check_bit12,
	[OP_INJECT_NMI] = do_inject_nmi,
	[OP_INJECT_INTR] = do_inject_intr,
	[OP_GP_EXITING] = do_gp_exiting,
	[OP_WAIT] = do_wait,
	[OP_IRET] = do_iret,
	[OP_FIRET] = do_faulting_iret,
	[OP_SINCE_ENTRY] = do_since_entry,
	[OP_VMCALL] = do_nothing,
	[OP_MEASURE_EXIT] = do_measure_exit,
};

/*
 * Option "break=N" (test only): the first expectation of experiment N is turned into a
 * wrong one, to show that a failure is reported with its diagnostic and that recovery
 * lets the next experiment pass. The catalogue itself is never touched.
 */
static const struct step *maybe_broken(const struct step *s, struct step *copy)
{
	if (options.break_experiment != run.x->number || run.broken || step_ops[s->op].judges == JUDGES_NOTHING)
		return s;
	run.broken = true;
	*copy = *s;
	if (s->op == OP_CHECK_CONTROLS)
		copy->controls.nmi_exiting = !copy->controls.nmi_exiting;
	else if (step_ops[s->op].judges == JUDGES_VALUE)
		copy->value = !copy->value;
	else if (copy->nexpected) {
		copy->expected[0].source = OBS_TIMEOUT;
	} else {
		copy->nexpected = 1, copy->expected[0] = (struct expected_event)EV(TIMEOUT);
	}
	trace("      (break=%u: this expectation is deliberately wrong)\n", run.x->number);
	return copy;
}

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
	struct step broken;
	const struct step *s = maybe_broken(&run.x->steps[index], &broken);
	run.step = index;
	run.progress++;
	if (options.hang_experiment == run.x->number && test_hook_here(index))
		for (;;)
			cli(); /* test only: nothing but the watchdog can end this */
	if (options.fault_experiment == run.x->number && test_hook_here(index))
		__asm__ volatile("ud2"); /* test only: an unexpected exception in a step */
	char text[128];
	step_describe(s, text, sizeof(text));
	trace("    [%s] %s\n", s->ctx == IN_GUEST ? "G" : "H", text);
	if (s->op >= OP_COUNT || !execute[s->op]) {
		run_fail("a known step", "an unknown step operation", 0);
		return false;
	}
	return execute[s->op](s);
}
