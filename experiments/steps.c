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
#include "machine/descriptors.h"
#include "machine/layout.h"
#include "machine/x86.h"
#include "vmx/ept.h"
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

static bool check_events(const struct step *s, unsigned mark)
{
	char expected[DIAG_LEN], observed[DIAG_LEN];
	unsigned n;
	const struct observation *obs = obs_since(mark, &n);
	/* A step whose H steps ran inside its exit is judged on what came up to that exit. */
	if (s->host_at_exit && run.handoff_done && run.handoff_end >= mark)
		n = run.handoff_end - mark;
	describe_events(obs, n, observed, sizeof(observed));
	describe_expected(s, expected, sizeof(expected));
	struct outcome seen = outcome_of_events(obs, n);
	bool ok = judge(events_match(s, obs, n), expected, observed, &seen);
	if (ok && s->either)
		add_measurement("step %u: %s", run.step + 1, observed);
	return ok;
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
/* How long the generator waits after "send now" when the event must find the HLT itself
 * (SETTLE) or must come after a VM entry (SEND_AFTER_ENTRY). */
#define SETTLE_DELAY_US 1000

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
	obs_disarm_timeout(); /* ENTER_HLT's bound, if one was armed */
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

static bool do_inject(const struct step *s)
{
	static const uint32_t types[] = { [INJECT_KIND_NMI] = INTR_TYPE_NMI, [INJECT_KIND_INTR] = INTR_TYPE_EXTERNAL,
					  [INJECT_KIND_EXCEPTION] = INTR_TYPE_HARDWARE_EXCEPTION };
	uint32_t info = INTR_INFO_VALID | types[s->injection] | s->vector;
	if (s->injection == INJECT_KIND_NMI)
		obs_nmi_injected();
	if (s->has_error_code) {
		info |= INTR_INFO_ERROR_CODE_VALID;
		vmcs_write(ENTRY_EXCEPTION_ERROR_CODE, s->error_code);
	}
	vmcs_write(ENTRY_INTERRUPTION_INFO, info);
	/* SDM 26.3.1.4: injecting an external interrupt requires RFLAGS.IF = 1 in the guest
	 * state. The guest's VMCALL stub clears IF again right after its anchor. */
	if (s->injection == INJECT_KIND_INTR)
		vmcs_set_bits(GUEST_RFLAGS, RFLAGS_IF);
	return true;
}

static bool do_exc_exiting(const struct step *s)
{
	if (s->value)
		vmcs_set_bits(EXCEPTION_BITMAP, 1u << s->vector);
	else
		vmcs_clear_bits(EXCEPTION_BITMAP, 1u << s->vector);
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
	if (!o)
		add_measurement("no %s was recorded", obs_source_name(s->exit));
	else
		add_measurement("the %s saved activity state %u and instruction length %u (%s)",
				obs_source_name(s->exit), o->activity_state, o->instruction_length, s->reference);
	return true;
}

/* The VM entry under test happens between the two calls: the first stops the run of H
 * steps here, the second (after a failed entry, in the host; after a successful one, in
 * the guest's next VMCALL) judges what it brought. */
static bool do_vmentry(const struct step *s)
{
	if (run.vmentry_pending != run.step + 1) {
		run.vmentry_pending = run.step + 1;
		run.vmentry_mark = obs_count();
		run.stop_host_steps = true;
		return true;
	}
	run.vmentry_pending = 0;
	return check_events(s, run.vmentry_mark);
}

/* SDM 24.4.2 Table 24-3: bit 0 blocking by STI, bit 1 blocking by MOV-SS; 26.3.1.5:
 * blocking by STI needs RFLAGS.IF = 1. */
static bool do_shadow(const struct step *s)
{
	static const uint32_t bits[] = { [SHADOW_NONE] = 0, [SHADOW_STI] = INTERRUPTIBILITY_STI,
					 [SHADOW_MOV_SS] = INTERRUPTIBILITY_MOV_SS };
	uint64_t intr = vmcs_read(GUEST_INTERRUPTIBILITY) & ~(uint64_t)(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS);
	vmcs_write(GUEST_INTERRUPTIBILITY, intr | bits[s->shadow]);
	if (s->shadow == SHADOW_STI)
		vmcs_set_bits(GUEST_RFLAGS, RFLAGS_IF);
	return true;
}

static bool do_guest_if(const struct step *s)
{
	if (s->value)
		vmcs_set_bits(GUEST_RFLAGS, RFLAGS_IF);
	else
		vmcs_clear_bits(GUEST_RFLAGS, RFLAGS_IF);
	return true;
}

static bool do_exit_control(const struct step *s)
{
	enum vmcs_field field = s->control == CONTROL_PREEMPTION_TIMER ? PIN_BASED_CONTROLS : PROC_BASED_CONTROLS;
	uint32_t bit = s->control == CONTROL_MTF ? PROC_MONITOR_TRAP_FLAG
		       : s->control == CONTROL_INTERRUPT_WINDOW ? PROC_INTERRUPT_WINDOW_EXITING : PIN_PREEMPTION_TIMER;
	if (s->control == CONTROL_PREEMPTION_TIMER)
		vmcs_write(PREEMPTION_TIMER_VALUE, s->timer);
	if (s->value)
		vmcs_set_bits(field, bit);
	else
		vmcs_clear_bits(field, bit);
	return true;
}

/* SDM 26.6.2: a VM entry that is not vectoring ends in the activity state the VMCS
 * names. The wait timer bounds the HLT: with IF = 1 its interrupt wakes G (recorded as
 * a timeout) should nothing else. */
static bool do_enter_hlt(const struct step *s)
{
	(void)s;
	vmcs_write(GUEST_ACTIVITY_STATE, ACTIVITY_HLT);
	vmcs_set_bits(GUEST_RFLAGS, RFLAGS_IF);
	obs_arm_timeout(options.timeout_ms * 1000);
	return true;
}

static bool do_send_after_entry(const struct step *s)
{
	generator_send_later(s->sends, s->nsends, SETTLE_DELAY_US);
	return true;
}

static bool do_nmi_gate(const struct step *s)
{
	struct descriptor_pointer idt = s->value ? guest_idt_pointer() : guest_idt_without_nmi_pointer();
	vmcs_write(GUEST_IDTR_BASE, idt.base);
	return true;
}

/* SDM 31.7.1.2: the VMM copies the IDT-vectoring information to the VM-entry
 * interruption information, with bits 30:12 clear (bit 12 is undefined there), and the
 * error code and instruction length where they apply; 26.3.1.5: injecting an NMI with
 * virtual NMIs needs blocking by NMI clear. */
static bool do_reinject(const struct step *s)
{
	const struct observation *o = obs_last(s->exit);
	char expected[64], observed[96];
	snprintf(expected, sizeof(expected), "valid IDT-vectoring info at the %s", obs_source_name(s->exit));
	if (!o || !(o->idt_vectoring_info & INTR_INFO_VALID)) {
		if (o)
			snprintf(observed, sizeof(observed), "IDT-vectoring info %#x (not valid)", o->idt_vectoring_info);
		else
			snprintf(observed, sizeof(observed), "no %s was recorded", obs_source_name(s->exit));
		return judge(false, expected, observed, 0);
	}
	uint32_t info = o->idt_vectoring_info & ~0x7ffff000u;
	uint32_t type = info & INTR_INFO_TYPE_MASK;
	if (info & INTR_INFO_ERROR_CODE_VALID)
		vmcs_write(ENTRY_EXCEPTION_ERROR_CODE, o->idt_vectoring_error);
	if (type >= INTR_TYPE_SOFTWARE_INTERRUPT)
		vmcs_write(ENTRY_INSTRUCTION_LENGTH, o->instruction_length);
	if (type == INTR_TYPE_NMI && (vmcs_read(PIN_BASED_CONTROLS) & PIN_VIRTUAL_NMIS))
		vmcs_clear_bits(GUEST_INTERRUPTIBILITY, INTERRUPTIBILITY_NMI);
	if (type == INTR_TYPE_EXTERNAL)
		vmcs_set_bits(GUEST_RFLAGS, RFLAGS_IF);
	vmcs_write(ENTRY_INTERRUPTION_INFO, info);
	if (type == INTR_TYPE_NMI)
		obs_nmi_injected();
	return true;
}

static bool do_check_exit(const struct step *s)
{
	const struct observation *o = obs_last(s->exit);
	char expected[96], observed[128];
	snprintf(expected, sizeof(expected), "%s & %#x = %#x at the %s", obs_field_name(s->field), s->mask, s->bits,
		 obs_source_name(s->exit));
	if (!o) {
		snprintf(observed, sizeof(observed), "no %s was recorded", obs_source_name(s->exit));
		return judge(false, expected, observed, 0);
	}
	uint64_t raw = obs_field_value(o, s->field);
	uint32_t value = (uint32_t)raw & s->mask;
	snprintf(observed, sizeof(observed), "%s & %#x = %#x (%s %#llx)", obs_field_name(s->field), s->mask, value,
		 obs_field_name(s->field), (unsigned long long)raw);
	struct outcome seen = outcome_of_value((int)value);
	return judge(value == s->bits, expected, observed, &seen);
}

static bool do_measure(const struct step *s)
{
	const struct observation *o = obs_last(s->exit);
	if (!o)
		add_measurement("no %s was recorded", obs_source_name(s->exit));
	else
		add_measurement("the %s saved %s %#llx (%s)", obs_source_name(s->exit), obs_field_name(s->field),
				(unsigned long long)obs_field_value(o, s->field), s->reference);
	return true;
}

/* --- NMI unblocking due to IRET with EPT ---------------------------------------- */

static bool do_ept(const struct step *s)
{
	if (s->value)
		ept_enable();
	else
		ept_disable();
	return true;
}

/* The frame lies near the end of the page, so an event delivered on the stack the IRET
 * leaves has most of the page below it. */
#define PAGE_IRET_FRAME_OFFSET 0xf00
#define RFLAGS_FIXED_1 0x2u

static uintptr_t *page_iret_frame(void)
{
	return (uintptr_t *)(ept_frame_page + PAGE_IRET_FRAME_OFFSET);
}

/* What an IRET to the same privilege level pops: RIP, CS, RFLAGS and, in 64-bit mode,
 * RSP and SS (SDM Vol. 2A, IRET); a 32-bit IRET reads only the first three and leaves
 * ESP right above them, where RSP points here too. IF = 0, as G runs its steps. */
static void write_page_iret_frame(void)
{
	uintptr_t *frame = page_iret_frame();
	frame[0] = (uintptr_t)after_page_iret;
	frame[1] = (uintptr_t)vmcs_read(GUEST_CS_SELECTOR);
	frame[2] = RFLAGS_FIXED_1;
	frame[3] = (uintptr_t)(frame + 5);
	frame[4] = (uintptr_t)vmcs_read(GUEST_SS_SELECTOR);
}

static bool invept_succeeded(enum vmx_status status)
{
	const char *observed = status == VMX_OK ? "INVEPT succeeded"
			       : status == VMX_FAIL_INVALID ? "INVEPT failed: VMfailInvalid" : "INVEPT failed: VMfailValid";
	return judge(status == VMX_OK, "INVEPT to succeed", observed, 0);
}

/* The host writes the frame (EPT does not apply to its own accesses), then makes the page
 * not present for G; the engine answers the violation (experiments/engine.c). */
static bool do_ept_arm_iret(const struct step *s)
{
	write_page_iret_frame();
	run.ept_response = s->response;
	return invept_succeeded(ept_revoke_frame_page());
}

static bool do_page_iret(const struct step *s)
{
	unsigned mark = obs_count();
	execute_page_iret(page_iret_frame());
	return check_events(s, mark);
}

/* Indexed by enum step_op; what each op is otherwise is in step_ops[] (describe.c). */
static bool (*const execute[OP_COUNT])(const struct step *s) = {
	[OP_SET] = do_set,
	[OP_CHECK_CONTROLS] = do_check_controls,
	[OP_CHECK_B] = do_check_b,
	[OP_CHECK_BIT12] = do_check_bit12,
	[OP_INJECT] = do_inject,
	[OP_EXC_EXITING] = do_exc_exiting,
	[OP_WAIT] = do_wait,
	[OP_IRET] = do_iret,
	[OP_FIRET] = do_faulting_iret,
	[OP_SINCE_ENTRY] = do_since_entry,
	[OP_VMCALL] = do_nothing,
	[OP_MEASURE_EXIT] = do_measure_exit,
	[OP_VMENTRY] = do_vmentry,
	[OP_SHADOW] = do_shadow,
	[OP_GUEST_IF] = do_guest_if,
	[OP_EXIT_CONTROL] = do_exit_control,
	[OP_ENTER_HLT] = do_enter_hlt,
	[OP_SEND_AFTER_ENTRY] = do_send_after_entry,
	[OP_NMI_GATE] = do_nmi_gate,
	[OP_REINJECT] = do_reinject,
	[OP_CHECK_EXIT] = do_check_exit,
	[OP_MEASURE] = do_measure,
	[OP_EPT] = do_ept,
	[OP_EPT_ARM_IRET] = do_ept_arm_iret,
	[OP_EIRET] = do_page_iret,
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
