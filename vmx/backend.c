/*
 * The VMX backend (hv/hv.h): the engine's requests in terms of the VMCS, and VM exits
 * in the engine's terms.
 */
#include "vmx/backend.h"

#include "lib/printf.h"
#include "machine/anchors.h"
#include "machine/descriptors.h"
#include "machine/vmx_arch.h"
#include "machine/x86.h"
#include "vmx/ept.h"
#include "vmx/exit.h"
#include "vmx/vmcs.h"
#include "vmx/vmx.h"

static guest_exit_handler engine_handler;

/* --- exits ------------------------------------------------------------------------- */

static uint32_t interruption_type(const struct vm_exit *e)
{
	return e->interruption_info & INTR_INFO_TYPE_MASK;
}

static enum guest_exit_kind kind_of(const struct vm_exit *e)
{
	if (e->vmfail)
		return GUEST_EXIT_ENTRY_VMFAIL;
	if (e->reason & EXIT_REASON_ENTRY_FAILURE_BIT)
		return GUEST_EXIT_ENTRY_BAD_GUEST;
	switch (e->basic_reason) {
	case EXIT_REASON_VMCALL: return GUEST_EXIT_HYPERCALL;
	case EXIT_REASON_NMI_WINDOW: return GUEST_EXIT_NMI_WINDOW;
	case EXIT_REASON_INTERRUPT_WINDOW: return GUEST_EXIT_INTERRUPT_WINDOW;
	case EXIT_REASON_MONITOR_TRAP_FLAG: return GUEST_EXIT_MTF;
	case EXIT_REASON_PREEMPTION_TIMER: return GUEST_EXIT_PREEMPTION_TIMER;
	case EXIT_REASON_EPT_VIOLATION: return GUEST_EXIT_NESTED_PAGE_FAULT;
	case EXIT_REASON_EPT_MISCONFIG: return GUEST_EXIT_NESTED_PAGE_MISCONFIG;
	case EXIT_REASON_INIT_SIGNAL: return GUEST_EXIT_INIT;
	case EXIT_REASON_EXCEPTION_OR_NMI:
		return interruption_type(e) == INTR_TYPE_NMI ? GUEST_EXIT_NMI : GUEST_EXIT_EXCEPTION;
	default: return GUEST_EXIT_OTHER;
	}
}

static void to_guest_exit(const struct vm_exit *e, struct guest_exit *g)
{
	*g = (struct guest_exit){
		.kind = kind_of(e), .vector = (uint8_t)(e->interruption_info & INTR_INFO_VECTOR_MASK),
		.guest_rip = e->guest_rip, .hit_before_hlt = e->hit_before_hlt,
		.during_delivery = (e->idt_vectoring_info & INTR_INFO_VALID) != 0,
		.name = e->vmfail ? vm_instruction_error_name(e->instruction_error) : exit_reason_name(e->basic_reason),
	};
	struct exit_record *r = &g->rec;
	r->entry_info = (uint32_t)vmcs_read(ENTRY_INTERRUPTION_INFO);
	r->interruptibility = e->interruptibility;
	r->activity = e->activity_state;
	if (e->vmfail) {
		r->detail = e->instruction_error;
		return;
	}
	r->reason = e->reason;
	r->info = e->interruption_info;
	r->error = e->interruption_error;
	r->idt_vectoring = e->idt_vectoring_info;
	r->idt_vectoring_error = (uint32_t)vmcs_read(IDT_VECTORING_ERROR_CODE);
	r->length = e->instruction_length;
	r->qualification = e->qualification;
	r->guest_physical = e->guest_physical;
}

static bool hand_exit_to_engine(const struct vm_exit *e, struct gprs *regs)
{
	struct guest_exit g;
	to_guest_exit(e, &g);
	return engine_handler && engine_handler(&g, regs);
}

static void set_exit_handler(guest_exit_handler h)
{
	engine_handler = h;
	vmexit_set_handler(hand_exit_to_engine);
}

static void skip_instruction(const struct guest_exit *e)
{
	vmcs_write(GUEST_RIP, e->guest_rip + e->rec.length);
}

static void resume_at(uintptr_t rip)
{
	vmcs_write(GUEST_RIP, rip);
}

/* The exits the engine answers by clearing the control that caused them: without that
 * the guest could not run (NMI window: spec 21), or every instruction (MTF) or every
 * entry (a timer of 0) would exit again. */
static void clear_one_shot(const struct guest_exit *e)
{
	switch (e->kind) {
	case GUEST_EXIT_NMI_WINDOW: vmcs_clear_bits(PROC_BASED_CONTROLS, PROC_NMI_WINDOW_EXITING); return;
	case GUEST_EXIT_INTERRUPT_WINDOW: vmcs_clear_bits(PROC_BASED_CONTROLS, PROC_INTERRUPT_WINDOW_EXITING); return;
	case GUEST_EXIT_MTF: vmcs_clear_bits(PROC_BASED_CONTROLS, PROC_MONITOR_TRAP_FLAG); return;
	case GUEST_EXIT_PREEMPTION_TIMER: vmcs_clear_bits(PIN_BASED_CONTROLS, PIN_PREEMPTION_TIMER); return;
	default: return;
	}
}

/* --- the controls -------------------------------------------------------------------- */

static bool has_preemption_timer(void) { return !vmx_missing_feature(FEATURE_PREEMPTION_TIMER); }
static bool has_mtf(void) { return !vmx_missing_feature(FEATURE_MTF); }

/* The secondary controls exist as a VMCS field only where they can be activated. */
static bool has_secondary_controls(void)
{
	return (vmx_current_caps()->proc >> 32) & PROC_ACTIVATE_SECONDARY;
}

/* The spec's (X, V, B, W) into the VMCS. */
static void write_nmi_controls(const struct xvbw *c)
{
	uint64_t pin = vmcs_read(PIN_BASED_CONTROLS) & ~(uint64_t)(PIN_NMI_EXITING | PIN_VIRTUAL_NMIS);
	uint64_t proc = vmcs_read(PROC_BASED_CONTROLS) & ~(uint64_t)PROC_NMI_WINDOW_EXITING;
	uint64_t intr = vmcs_read(GUEST_INTERRUPTIBILITY) & ~(uint64_t)INTERRUPTIBILITY_NMI;
	vmcs_write(PIN_BASED_CONTROLS, pin | (c->nmi_exiting ? PIN_NMI_EXITING : 0) |
					       (c->virtual_nmis ? PIN_VIRTUAL_NMIS : 0));
	vmcs_write(GUEST_INTERRUPTIBILITY, intr | (c->blocking ? INTERRUPTIBILITY_NMI : 0));
	vmcs_write(PROC_BASED_CONTROLS, proc | (c->nmi_window ? PROC_NMI_WINDOW_EXITING : 0));
}

/* The spec's (X, V, B, W) as the VMCS has them, as check(X,V,B,W) reads them. */
static uint64_t read_nmi_controls(void)
{
	uint64_t pin = vmcs_read(PIN_BASED_CONTROLS);
	struct xvbw c = { .nmi_exiting = (pin & PIN_NMI_EXITING) != 0, .virtual_nmis = (pin & PIN_VIRTUAL_NMIS) != 0,
			  .blocking = (vmcs_read(GUEST_INTERRUPTIBILITY) & INTERRUPTIBILITY_NMI) != 0,
			  .nmi_window = (vmcs_read(PROC_BASED_CONTROLS) & PROC_NMI_WINDOW_EXITING) != 0 };
	return xvbw_value(&c);
}

static bool restore_baseline_controls(void)
{
	static const struct xvbw clean = { 0 };
	write_nmi_controls(&clean);
	vmcs_clear_bits(PIN_BASED_CONTROLS, has_preemption_timer() ? PIN_PREEMPTION_TIMER : 0);
	vmcs_clear_bits(PROC_BASED_CONTROLS, PROC_INTERRUPT_WINDOW_EXITING | (has_mtf() ? PROC_MONITOR_TRAP_FLAG : 0));
	vmcs_clear_bits(GUEST_INTERRUPTIBILITY, INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS);
	vmcs_write(ENTRY_INTERRUPTION_INFO, 0);
	vmcs_write(ENTRY_EXCEPTION_ERROR_CODE, 0);
	vmcs_write(ENTRY_INSTRUCTION_LENGTH, 0);
	vmcs_write(EXCEPTION_BITMAP, 0);
	vmcs_write(GUEST_ACTIVITY_STATE, ACTIVITY_ACTIVE);
	vmcs_write(GUEST_IDTR_BASE, guest_idt_pointer().base);
	return ept_reset() == VMX_OK;
}

/* (1,1,0,0): a guest IRET then clears virtual-NMI blocking, which a VM entry with B = 0
 * should already have done and some emulators do not. */
static bool prepare_baseline_iret(void)
{
	static const struct xvbw virtual_nmis_only = { .nmi_exiting = 1, .virtual_nmis = 1 };
	if (vmx_missing_feature(FEATURE_NMI_EXITING | FEATURE_VIRTUAL_NMIS))
		return false;
	write_nmi_controls(&virtual_nmis_only);
	return true;
}

/* (1,1,0,1) with the window kept open: every VM entry exits at once for the NMI window. */
static bool arm_storm(void)
{
	static const struct xvbw window_open = { .nmi_exiting = 1, .virtual_nmis = 1, .nmi_window = 1 };
	if (vmx_missing_feature(FEATURE_NMI_EXITING | FEATURE_VIRTUAL_NMIS | FEATURE_NMI_WINDOW))
		return false;
	write_nmi_controls(&window_open);
	return true;
}

/*
 * What a run of H steps may change for the next VM entry, saved when it begins and put
 * back after a VM entry that failed as expected (OP_VMENTRY): the steps after that entry
 * start from the VMCS as it was, not from the one that was refused.
 */
static struct {
	uint64_t pin, proc, proc2, exceptions, entry_info, entry_error, entry_length;
	uint64_t interruptibility, activity, rflags, idtr_base, timer;
} snapshot;

static void save_controls(void)
{
	snapshot.pin = vmcs_read(PIN_BASED_CONTROLS);
	snapshot.proc = vmcs_read(PROC_BASED_CONTROLS);
	snapshot.proc2 = has_secondary_controls() ? vmcs_read(PROC_BASED_CONTROLS2) : 0;
	snapshot.exceptions = vmcs_read(EXCEPTION_BITMAP);
	snapshot.entry_info = vmcs_read(ENTRY_INTERRUPTION_INFO);
	snapshot.entry_error = vmcs_read(ENTRY_EXCEPTION_ERROR_CODE);
	snapshot.entry_length = vmcs_read(ENTRY_INSTRUCTION_LENGTH);
	snapshot.interruptibility = vmcs_read(GUEST_INTERRUPTIBILITY);
	snapshot.activity = vmcs_read(GUEST_ACTIVITY_STATE);
	snapshot.rflags = vmcs_read(GUEST_RFLAGS);
	snapshot.idtr_base = vmcs_read(GUEST_IDTR_BASE);
	snapshot.timer = has_preemption_timer() ? vmcs_read(PREEMPTION_TIMER_VALUE) : 0;
}

static void restore_controls(void)
{
	vmcs_write(PIN_BASED_CONTROLS, snapshot.pin);
	vmcs_write(PROC_BASED_CONTROLS, snapshot.proc);
	if (has_secondary_controls())
		vmcs_write(PROC_BASED_CONTROLS2, snapshot.proc2);
	vmcs_write(EXCEPTION_BITMAP, snapshot.exceptions);
	vmcs_write(ENTRY_INTERRUPTION_INFO, snapshot.entry_info);
	vmcs_write(ENTRY_EXCEPTION_ERROR_CODE, snapshot.entry_error);
	vmcs_write(ENTRY_INSTRUCTION_LENGTH, snapshot.entry_length);
	vmcs_write(GUEST_INTERRUPTIBILITY, snapshot.interruptibility);
	vmcs_write(GUEST_ACTIVITY_STATE, snapshot.activity);
	vmcs_write(GUEST_RFLAGS, snapshot.rflags);
	vmcs_write(GUEST_IDTR_BASE, snapshot.idtr_base);
	if (has_preemption_timer())
		vmcs_write(PREEMPTION_TIMER_VALUE, snapshot.timer);
}

/* --- the steps the VMCS carries -------------------------------------------------------- */

static void write_injection(const struct step *s, struct step_io *io)
{
	static const uint32_t types[] = { [INJECT_KIND_NMI] = INTR_TYPE_NMI, [INJECT_KIND_INTR] = INTR_TYPE_EXTERNAL,
					  [INJECT_KIND_EXCEPTION] = INTR_TYPE_HARDWARE_EXCEPTION };
	uint32_t info = INTR_INFO_VALID | types[s->injection] | s->vector;
	io->injected_nmi = s->injection == INJECT_KIND_NMI;
	if (s->has_error_code) {
		info |= INTR_INFO_ERROR_CODE_VALID;
		vmcs_write(ENTRY_EXCEPTION_ERROR_CODE, s->error_code);
	}
	vmcs_write(ENTRY_INTERRUPTION_INFO, info);
	/* SDM 26.3.1.4: injecting an external interrupt requires RFLAGS.IF = 1 in the guest
	 * state. The guest's VMCALL stub clears IF again right after its anchor. */
	if (s->injection == INJECT_KIND_INTR)
		vmcs_set_bits(GUEST_RFLAGS, RFLAGS_IF);
}

/* SDM 24.4.2 Table 24-3: bit 0 blocking by STI, bit 1 blocking by MOV-SS; 26.3.1.5:
 * blocking by STI needs RFLAGS.IF = 1. */
static void write_shadow(const struct step *s)
{
	static const uint32_t bits[] = { [SHADOW_NONE] = 0, [SHADOW_STI] = INTERRUPTIBILITY_STI,
					 [SHADOW_MOV_SS] = INTERRUPTIBILITY_MOV_SS };
	uint64_t intr = vmcs_read(GUEST_INTERRUPTIBILITY) & ~(uint64_t)(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS);
	vmcs_write(GUEST_INTERRUPTIBILITY, intr | bits[s->shadow]);
	if (s->shadow == SHADOW_STI)
		vmcs_set_bits(GUEST_RFLAGS, RFLAGS_IF);
}

static void set_or_clear(enum vmcs_field field, uint64_t bits, bool on)
{
	if (on)
		vmcs_set_bits(field, bits);
	else
		vmcs_clear_bits(field, bits);
}

static void write_exit_control(const struct step *s)
{
	if (s->control == CONTROL_PREEMPTION_TIMER) {
		vmcs_write(PREEMPTION_TIMER_VALUE, s->timer);
		set_or_clear(PIN_BASED_CONTROLS, PIN_PREEMPTION_TIMER, s->value);
		return;
	}
	set_or_clear(PROC_BASED_CONTROLS,
		     s->control == CONTROL_MTF ? PROC_MONITOR_TRAP_FLAG : PROC_INTERRUPT_WINDOW_EXITING, s->value);
}

/* SDM 31.7.1.2: the VMM copies the IDT-vectoring information to the VM-entry
 * interruption information, with bits 30:12 clear (bit 12 is undefined there), and the
 * error code and instruction length where they apply; 26.3.1.5: injecting an NMI with
 * virtual NMIs needs blocking by NMI clear. */
static void write_reinjection(const struct step *s, struct step_io *io)
{
	const struct exit_record *o = io->last_exit;
	if (!o || !(o->idt_vectoring & INTR_INFO_VALID)) {
		io->failed = o ? "the IDT-vectoring information of that exit is not valid" : "no such exit was recorded";
		return;
	}
	(void)s;
	uint32_t info = o->idt_vectoring & ~0x7ffff000u;
	uint32_t type = info & INTR_INFO_TYPE_MASK;
	if (info & INTR_INFO_ERROR_CODE_VALID)
		vmcs_write(ENTRY_EXCEPTION_ERROR_CODE, o->idt_vectoring_error);
	if (type >= INTR_TYPE_SOFTWARE_INTERRUPT)
		vmcs_write(ENTRY_INSTRUCTION_LENGTH, o->length);
	if (type == INTR_TYPE_NMI && (vmcs_read(PIN_BASED_CONTROLS) & PIN_VIRTUAL_NMIS))
		vmcs_clear_bits(GUEST_INTERRUPTIBILITY, INTERRUPTIBILITY_NMI);
	if (type == INTR_TYPE_EXTERNAL)
		vmcs_set_bits(GUEST_RFLAGS, RFLAGS_IF);
	vmcs_write(ENTRY_INTERRUPTION_INFO, info);
	io->injected_nmi = type == INTR_TYPE_NMI;
}

#define RFLAGS_FIXED_1 0x2u

/* What an IRET to the same privilege level pops: RIP, CS, RFLAGS and, in 64-bit mode,
 * RSP and SS (SDM Vol. 2A, IRET); a 32-bit IRET reads only the first three and leaves
 * ESP right above them, where RSP points here too. IF = 0, as G runs its steps. The host
 * writes it (EPT does not apply to its own accesses), then makes the page not present. */
static void arm_frame_page(struct step_io *io)
{
	uintptr_t *frame = (uintptr_t *)(ept_frame_page + FRAME_PAGE_IRET_OFFSET);
	frame[0] = (uintptr_t)after_page_iret;
	frame[1] = (uintptr_t)vmcs_read(GUEST_CS_SELECTOR);
	frame[2] = RFLAGS_FIXED_1;
	frame[3] = (uintptr_t)(frame + 5);
	frame[4] = (uintptr_t)vmcs_read(GUEST_SS_SELECTOR);
	enum vmx_status status = ept_revoke_frame_page();
	if (status != VMX_OK)
		io->failed = status == VMX_FAIL_INVALID ? "INVEPT failed: VMfailInvalid" : "INVEPT failed: VMfailValid";
}

static void execute_step(const struct step *s, struct step_io *io)
{
	switch (s->op) {
	case OP_SET: write_nmi_controls(&s->controls); return;
	case OP_CHECK_CONTROLS: io->has_value = true, io->value = read_nmi_controls(); return;
	case OP_CHECK_B:
		io->has_value = true;
		io->value = (vmcs_read(GUEST_INTERRUPTIBILITY) & INTERRUPTIBILITY_NMI) != 0;
		return;
	/* Bit 12 of the last EXIT_GP's interruption information: "NMI unblocking due to
	 * IRET" (SDM 27.2.2). */
	case OP_CHECK_BIT12:
		io->has_value = true;
		io->value = io->last_exit && (io->last_exit->info & INTR_INFO_NMI_UNBLOCKED_BY_IRET);
		return;
	case OP_INJECT: write_injection(s, io); return;
	case OP_EXC_EXITING: set_or_clear(EXCEPTION_BITMAP, 1u << s->vector, s->value); return;
	case OP_SHADOW: write_shadow(s); return;
	case OP_GUEST_IF: set_or_clear(GUEST_RFLAGS, RFLAGS_IF, s->value); return;
	case OP_EXIT_CONTROL: write_exit_control(s); return;
	/* SDM 26.6.2: a VM entry that is not vectoring ends in the activity state the VMCS
	 * names; IF = 1, so that the engine's bound can wake it. */
	case OP_ENTER_HLT:
		vmcs_write(GUEST_ACTIVITY_STATE, ACTIVITY_HLT);
		vmcs_set_bits(GUEST_RFLAGS, RFLAGS_IF);
		return;
	case OP_NMI_GATE:
		vmcs_write(GUEST_IDTR_BASE, (s->value ? guest_idt_pointer() : guest_idt_without_nmi_pointer()).base);
		return;
	case OP_REINJECT: write_reinjection(s, io); return;
	case OP_EPT:
		if (s->value)
			ept_enable();
		else
			ept_disable();
		return;
	case OP_EPT_ARM_IRET: arm_frame_page(io); return;
	default: io->failed = "a step the VMX backend does not implement"; return;
	}
}

/* --- the EPT frame page ------------------------------------------------------------------ */

static bool restore_frame_page(void)
{
	return ept_restore_frame_page() == VMX_OK;
}

static void reblock_nmis(void)
{
	vmcs_set_bits(GUEST_INTERRUPTIBILITY, INTERRUPTIBILITY_NMI);
}

/* SDM 31.7.1.2: bit 12 of the qualification set, and the IDT-vectoring information
 * invalid (the re-block decision is vmx/ept_map.c's pure function). */
static bool exit_unblocked_nmis(const struct guest_exit *e)
{
	return ept_violation_needs_reblock(e->rec.qualification, e->rec.idt_vectoring);
}

static uint64_t fault_linear_address(void)
{
	return vmcs_read(GUEST_LINEAR_ADDRESS);
}

static void start_guest(struct cpu *c, void (*entry)(void), const char **why)
{
	if (!vmx_setup_vmcs(c, entry, why))
		return;
	printf("VMX: VMLAUNCH into the guest\n");
	vmx_launch_guest();
	*why = "VMLAUNCH failed";
}

static void intercept_nmis(bool on)
{
	set_or_clear(PIN_BASED_CONTROLS, PIN_NMI_EXITING, on);
}

const struct hv_backend vmx_backend = {
	.name = "VMX",
	.exit_entry = vmexit_entry,
	.init_ends_guest = true,
	.nmi_exit_consumes = true,
	.missing = vmx_missing_feature,
	.start_guest = start_guest,
	.reset_guest = vmx_reset_guest,
	.set_exit_handler = set_exit_handler,
	.skip_instruction = skip_instruction,
	.resume_at = resume_at,
	.intercept_nmis = intercept_nmis,
	.baseline = restore_baseline_controls,
	.prepare_baseline_iret = prepare_baseline_iret,
	.arm_storm = arm_storm,
	.save_controls = save_controls,
	.restore_controls = restore_controls,
	.execute = execute_step,
	.clear_one_shot = clear_one_shot,
	.frame_page = ept_frame_page,
	.in_frame_page = ept_in_frame_page,
	.restore_frame_page = restore_frame_page,
	.reblock_nmis = reblock_nmis,
	.exit_unblocked_nmis = exit_unblocked_nmis,
	.fault_linear_address = fault_linear_address,
	.dump = vmcs_dump,
};
