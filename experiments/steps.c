/*
 * The step interpreter. The same code runs in the host (H steps, inside the VMCALL's
 * exit handler) and in the guest (G steps): it only touches shared memory, the APIC
 * and, for host steps, the VMCS.
 */
#include <stdarg.h>

#include "experiments/anchors.h"
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
		unsigned n;
		const struct observation *obs = obs_since(0, &n);
		struct observation mine[8];
		unsigned k = 0;
		for (unsigned i = 0; i < n && k < 8; i++)
			if (obs[i].window == index)
				mine[k++] = obs[i];
		describe_events(mine, k, observed, sizeof(observed));
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

static bool do_since_entry(const struct step *s)
{
	(void)s;
	obs_disarm_timeout(); /* ENTER_HLT's bound, if one was armed */
	return true;
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

static void describe_controls(uint64_t v, char *buf, unsigned len)
{
	snprintf(buf, len, "(%u,%u,%u,%u)", (unsigned)(v / 1000), (unsigned)(v / 100 % 10), (unsigned)(v / 10 % 10),
		 (unsigned)(v % 10));
}

static bool do_check_controls(const struct step *s)
{
	(void)s;
	struct xvbw now = read_nmi_controls();
	read_value((uint64_t)(now.nmi_exiting * 1000 + now.virtual_nmis * 100 + now.blocking * 10 + now.nmi_window),
		   describe_controls);
	return true;
}

static void describe_b(uint64_t v, char *buf, unsigned len)
{
	snprintf(buf, len, "B=%u", (unsigned)v);
}

static bool do_check_b(const struct step *s)
{
	(void)s;
	read_value((vmcs_read(GUEST_INTERRUPTIBILITY) & INTERRUPTIBILITY_NMI) != 0, describe_b);
	return true;
}

static void describe_bit12(uint64_t v, char *buf, unsigned len)
{
	snprintf(buf, len, "bit12=%u", (unsigned)v);
}

/* Bit 12 of the VM-exit interruption information: "NMI unblocking due to IRET"
 * (SDM 27.2.2). */
static bool do_check_bit12(const struct step *s)
{
	(void)s;
	const struct observation *o = obs_last(OBS_EXIT_GP);
	if (!o)
		read_nothing(describe_bit12);
	else
		read_value((o->rec.info & INTR_INFO_NMI_UNBLOCKED_BY_IRET) != 0, describe_bit12);
	return true;
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
	if (!o || !(o->rec.idt_vectoring & INTR_INFO_VALID)) {
		if (o)
			snprintf(observed, sizeof(observed), "IDT-vectoring info %#x (not valid)", o->rec.idt_vectoring);
		else
			snprintf(observed, sizeof(observed), "no %s was recorded", obs_source_name(s->exit));
		run_fail(expected, observed);
		return false;
	}
	uint32_t info = o->rec.idt_vectoring & ~0x7ffff000u;
	uint32_t type = info & INTR_INFO_TYPE_MASK;
	if (info & INTR_INFO_ERROR_CODE_VALID)
		vmcs_write(ENTRY_EXCEPTION_ERROR_CODE, o->rec.idt_vectoring_error);
	if (type >= INTR_TYPE_SOFTWARE_INTERRUPT)
		vmcs_write(ENTRY_INSTRUCTION_LENGTH, o->rec.length);
	if (type == INTR_TYPE_NMI && (vmcs_read(PIN_BASED_CONTROLS) & PIN_VIRTUAL_NMIS))
		vmcs_clear_bits(GUEST_INTERRUPTIBILITY, INTERRUPTIBILITY_NMI);
	if (type == INTR_TYPE_EXTERNAL)
		vmcs_set_bits(GUEST_RFLAGS, RFLAGS_IF);
	vmcs_write(ENTRY_INTERRUPTION_INFO, info);
	if (type == INTR_TYPE_NMI)
		obs_nmi_injected();
	return true;
}

static const struct step *describing; /* the CHECK_EXIT step being read, for its describer */

static void describe_field(uint64_t v, char *buf, unsigned len)
{
	snprintf(buf, len, "%s & %#x = %#llx at the %s", obs_field_name(describing->field), describing->mask,
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
	const struct observation *o = obs_last(s->exit);
	if (!o)
		add_measurement("no %s was recorded", obs_source_name(s->exit));
	else
		add_measurement("the %s saved %s %#llx (%s)", obs_source_name(s->exit), obs_field_name(s->field),
				(unsigned long long)record_field(&o->rec, s->field), s->reference);
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
	if (status == VMX_OK)
		return true;
	run_fail("INVEPT to succeed", status == VMX_FAIL_INVALID ? "INVEPT failed: VMfailInvalid" : "INVEPT failed: VMfailValid");
	return false;
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
	(void)s;
	execute_page_iret(page_iret_frame());
	return true;
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
	if (options.hang_experiment == run.x->number && test_hook_here(index))
		for (;;)
			cli(); /* test only: nothing but the watchdog can end this */
	if (options.fault_experiment == run.x->number && test_hook_here(index))
		__asm__ volatile("ud2"); /* test only: an unexpected exception in a step */
	char text[128];
	step_describe(s, text, sizeof(text));
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
