/*
 * The step interpreter. The same code runs in the host (H steps, inside the VMCALL's
 * exit handler) and in the guest (G steps): it only touches shared memory, the APIC
 * and, for host steps, the VMCS.
 */
#include <stdarg.h>

#include "experiments/options.h"
#include "experiments/run.h"
#include "guest/hypercall.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "machine/anchors.h"
#include "machine/layout.h"
#include "machine/trap.h"
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

/* --- where events hit -------------------------------------------------------- */

static uintptr_t natural_anchor(const struct step *s, const struct expected_event *e)
{
	switch (s->op) {
	case OP_WAIT: return (uintptr_t)after_hlt;
	case OP_IRET: return (uintptr_t)after_iret;
	case OP_FIRET: return e->source == OBS_EXIT_GP ? (uintptr_t)faulting_iret
						       : (uintptr_t)after_faulting_iret;
	case OP_SINCE_ENTRY:
		return s->ctx == IN_GUEST ? (uintptr_t)after_vmcall : (uintptr_t)vmexit_entry;
	default: return 0;
	}
}

static uintptr_t anchor_address(const struct step *s, const struct expected_event *e)
{
	switch (e->anchor) {
	case AT_STEP: return natural_anchor(s, e);
	case AT_AFTER_HLT: return (uintptr_t)after_hlt;
	case AT_AFTER_IRET: return (uintptr_t)after_iret;
	case AT_AFTER_VMCALL: return (uintptr_t)after_vmcall;
	case AT_FIRET: return (uintptr_t)faulting_iret;
	case AT_AFTER_FIRET: return (uintptr_t)after_faulting_iret;
	case AT_HOST_EXIT_ENTRY: return (uintptr_t)vmexit_entry;
	case AT_G_HANDLER: return guest_handler_address(e->vector);
	case AT_H_HANDLER: return host_handler_address(e->vector);
	}
	return 0;
}

static bool in_stub_table(uintptr_t rip, uintptr_t (*handler)(unsigned), unsigned *vector)
{
	uintptr_t base = handler(0);
	if (rip < base || rip >= handler(255) + ISR_STUB_SIZE || (rip - base) % ISR_STUB_SIZE)
		return false;
	*vector = (unsigned)((rip - base) / ISR_STUB_SIZE);
	return true;
}

const char *describe_rip(uintptr_t rip, char *buf, unsigned len)
{
	static const struct { const char *at; const char *name; } named[] = {
		{ after_hlt, "after HLT" }, { after_iret, "after IRET" },
		{ after_vmcall, "after VMCALL" }, { vmexit_entry, "host VM-exit entry" },
		{ faulting_iret, "the faulting IRET" }, { after_faulting_iret, "after the faulting IRET" },
	};
	for (unsigned i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		if (rip == (uintptr_t)named[i].at) {
			snprintf(buf, len, "%#lx (%s)", (unsigned long)rip, named[i].name);
			return buf;
		}
	unsigned v;
	if (in_stub_table(rip, guest_handler_address, &v))
		snprintf(buf, len, "%#lx (guest handler %#x entry)", (unsigned long)rip, v);
	else if (in_stub_table(rip, host_handler_address, &v))
		snprintf(buf, len, "%#lx (host handler %#x entry)", (unsigned long)rip, v);
	else
		snprintf(buf, len, "%#lx", (unsigned long)rip);
	return buf;
}

/* --- comparing what happened with what the step expects -------------------------- */

static int describe_observation(const struct observation *o, char *buf, unsigned len)
{
	char where[64];
	int n = snprintf(buf, len, "%s at %s", obs_source_name(o->source),
			 describe_rip(o->rip, where, sizeof(where)));
	if (o->source == OBS_EXIT_NMI || o->source == OBS_EXIT_GP || o->source == OBS_EXIT_NMIW)
		n += snprintf(buf + n, len > (unsigned)n ? len - n : 0,
			      " [info %#x, interruptibility %#x, activity %u, length %u]",
			      o->interruption_info, o->interruptibility, o->activity_state,
			      o->instruction_length);
	return n;
}

static void describe_events_since(unsigned mark, char *buf, unsigned len)
{
	int n = 0;
	buf[0] = 0;
	for (unsigned i = mark; i < obs_count() && n < (int)len; i++) {
		if (!obs_is_event(obs_at(i)->source))
			continue;
		n += snprintf(buf + n, len - n, "%s", n ? ", " : "");
		if (n < (int)len)
			n += describe_observation(obs_at(i), buf + n, len - n);
	}
	if (!n)
		snprintf(buf, len, "none");
}

static void describe_expected(const struct step *s, char *buf, unsigned len)
{
	int n = 0;
	buf[0] = 0;
	for (unsigned i = 0; i < s->nexpected && n < (int)len; i++) {
		char where[64];
		const struct expected_event *e = &s->expected[i];
		n += snprintf(buf + n, len - n, "%s%s at %s", i ? ", then " : "",
			      obs_source_name(e->source),
			      describe_rip(anchor_address(s, e), where, sizeof(where)));
	}
	if (!n)
		snprintf(buf, len, "none");
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

/* The one place a check's outcome is traced and, if wrong, recorded. */
static bool judge(bool ok, const char *expected, const char *observed)
{
	trace("      observed: %s\n", observed);
	if (!ok)
		run_fail(expected, observed);
	return ok;
}

static bool matches(const struct step *s, unsigned mark)
{
	unsigned matched = 0;
	for (unsigned i = mark; i < obs_count(); i++) {
		const struct observation *o = obs_at(i);
		if (!obs_is_event(o->source))
			continue;
		if (matched == s->nexpected)
			return false; /* one more than expected */
		const struct expected_event *e = &s->expected[matched++];
		if (o->source != e->source || o->rip != anchor_address(s, e))
			return false;
	}
	return matched == s->nexpected;
}

static bool check_events(const struct step *s, unsigned mark)
{
	char expected[DIAG_LEN], observed[DIAG_LEN];
	describe_events_since(mark, observed, sizeof(observed));
	describe_expected(s, expected, sizeof(expected));
	return judge(matches(s, mark), expected, observed);
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
	generator_ready();
	do
		wait_halted();
	while (!event_seen_since(mark));
	obs_disarm_timeout();
	if (!generator_wait_idle(GENERATOR_IDLE_TIMEOUT_US)) {
		run_fail("the generator to finish sending", "the generator CPU did not finish within 100 ms");
		return false;
	}
	return check_events(s, mark);
}

static bool do_iret(const struct step *s, void (*iret)(void))
{
	unsigned mark = obs_count();
	iret();
	return check_events(s, mark);
}

void nmi_controls_write(const int8_t *c)
{
	uint64_t pin = vmcs_read(PIN_BASED_CONTROLS) & ~(uint64_t)(PIN_NMI_EXITING | PIN_VIRTUAL_NMIS);
	uint64_t proc = vmcs_read(PROC_BASED_CONTROLS) & ~(uint64_t)PROC_NMI_WINDOW_EXITING;
	uint64_t intr = vmcs_read(GUEST_INTERRUPTIBILITY) & ~(uint64_t)INTERRUPTIBILITY_NMI;
	vmcs_write(PIN_BASED_CONTROLS, pin | (c[0] ? PIN_NMI_EXITING : 0) | (c[1] ? PIN_VIRTUAL_NMIS : 0));
	vmcs_write(GUEST_INTERRUPTIBILITY, intr | (c[2] ? INTERRUPTIBILITY_NMI : 0));
	vmcs_write(PROC_BASED_CONTROLS, proc | (c[3] ? PROC_NMI_WINDOW_EXITING : 0));
}

static void read_nmi_controls(int8_t *c)
{
	uint64_t pin = vmcs_read(PIN_BASED_CONTROLS);
	c[0] = (pin & PIN_NMI_EXITING) != 0;
	c[1] = (pin & PIN_VIRTUAL_NMIS) != 0;
	c[2] = (vmcs_read(GUEST_INTERRUPTIBILITY) & INTERRUPTIBILITY_NMI) != 0;
	c[3] = (vmcs_read(PROC_BASED_CONTROLS) & PROC_NMI_WINDOW_EXITING) != 0;
}

static bool do_check_controls(const struct step *s)
{
	int8_t now[4];
	read_nmi_controls(now);
	char expected[32], observed[32];
	snprintf(expected, sizeof(expected), "(%d,%d,%d,%d)", s->controls[0], s->controls[1],
		 s->controls[2], s->controls[3]);
	snprintf(observed, sizeof(observed), "(%d,%d,%d,%d)", now[0], now[1], now[2], now[3]);
	return judge(!memcmp(now, s->controls, 4), expected, observed);
}

static bool do_check_b(const struct step *s)
{
	int b = (vmcs_read(GUEST_INTERRUPTIBILITY) & INTERRUPTIBILITY_NMI) != 0;
	char expected[32], observed[64];
	snprintf(expected, sizeof(expected), "B=%d", s->controls[0]);
	snprintf(observed, sizeof(observed), "B=%d (interruptibility %#llx)", b,
		 (unsigned long long)vmcs_read(GUEST_INTERRUPTIBILITY));
	return judge(b == s->controls[0], expected, observed);
}

/* Bit 12 of the VM-exit interruption information: "NMI unblocking due to IRET"
 * (SDM 27.2.2). */
static bool do_check_bit12(const struct step *s)
{
	const struct observation *o = obs_last(OBS_EXIT_GP);
	char expected[48], observed[80];
	snprintf(expected, sizeof(expected), "bit12=%d at the EXIT_GP", s->controls[0]);
	if (!o)
		return judge(false, expected, "no EXIT_GP was recorded");
	int bit = (o->interruption_info & INTR_INFO_NMI_UNBLOCKED_BY_IRET) != 0;
	snprintf(observed, sizeof(observed), "bit12=%d (interruption info %#x)", bit, o->interruption_info);
	return judge(bit == s->controls[0], expected, observed);
}

static void do_inject(const struct step *s)
{
	uint32_t info = s->op == OP_INJECT_NMI ? (INTR_INFO_VALID | INTR_TYPE_NMI | VEC_NMI)
					       : (INTR_INFO_VALID | INTR_TYPE_EXTERNAL | s->vector);
	vmcs_write(ENTRY_INTERRUPTION_INFO, info);
	/* SDM 26.3.1.4: injecting an external interrupt requires RFLAGS.IF = 1 in the guest
	 * state. The guest's VMCALL stub clears IF again right after its anchor. */
	if (s->op == OP_INJECT_INTR)
		vmcs_set_bits(GUEST_RFLAGS, RFLAGS_IF);
}

static void do_gp_exiting(const struct step *s)
{
	if (s->controls[0])
		vmcs_set_bits(EXCEPTION_BITMAP, 1u << VEC_GP);
	else
		vmcs_clear_bits(EXCEPTION_BITMAP, 1u << VEC_GP);
}

static bool has_expectation(const struct step *s)
{
	return s->op == OP_WAIT || s->op == OP_IRET || s->op == OP_FIRET || s->op == OP_SINCE_ENTRY ||
	       s->op == OP_CHECK_B || s->op == OP_CHECK_BIT12 || s->op == OP_CHECK_CONTROLS;
}

/*
 * Option "break=N" (test only): the first expectation of experiment N is turned into a
 * wrong one, to show that a failure is reported with its diagnostic and that recovery
 * lets the next experiment pass. The catalogue itself is never touched.
 */
static const struct step *maybe_broken(const struct step *s, struct step *copy)
{
	if (options.break_experiment != run.x->number || run.broken || !has_expectation(s))
		return s;
	run.broken = true;
	*copy = *s;
	if (s->op == OP_CHECK_CONTROLS || s->op == OP_CHECK_B || s->op == OP_CHECK_BIT12)
		copy->controls[0] = !copy->controls[0];
	else if (copy->nexpected)
		copy->expected[0].source = OBS_TIMEOUT;
	else
		copy->nexpected = 1, copy->expected[0] = (struct expected_event)EV(TIMEOUT);
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
	char text[96];
	step_describe(s, text, sizeof(text));
	trace("    [%s] %s\n", s->ctx == IN_GUEST ? "G" : "H", text);
	switch (s->op) {
	case OP_SET: nmi_controls_write(s->controls); return true;
	case OP_CHECK_CONTROLS: return do_check_controls(s);
	case OP_CHECK_B: return do_check_b(s);
	case OP_CHECK_BIT12: return do_check_bit12(s);
	case OP_INJECT_NMI:
	case OP_INJECT_INTR: do_inject(s); return true;
	case OP_GP_EXITING: do_gp_exiting(s); return true;
	case OP_WAIT: return do_wait(s);
	case OP_IRET: return do_iret(s, execute_iret);
	case OP_FIRET: return do_iret(s, execute_faulting_iret);
	case OP_SINCE_ENTRY: return check_events(s, run.entry_mark);
	case OP_VMCALL: return true;
	}
	run_fail("a known step", "an unknown step operation");
	return false;
}
