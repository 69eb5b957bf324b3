/*
 * The VMX model (model/vmx.h): the SDM's NMI rules as clauses, run the way the engine
 * runs an experiment.
 *
 * SDM references are to Vol. 3A and 3C in the numbering whose VMX chapters are 24 (VMCS),
 * 25 (VMX non-root operation), 26 (VM entries) and 27 (VM exits); editions from 2023 on
 * number them one to three higher, so each reference also names its section's title.
 * docs/rules.md lists every rule with the clause here that implements it.
 *
 * Layout: the state (what H wrote in the VMCS; what the processor holds), the records
 * exits leave, the guest's instruction boundaries (where everything that is due is
 * taken, in the SDM's priority order), delivery through the guest IDT, VM exits and the
 * engine's answers to them, VM entries, the steps, and the run of a whole experiment.
 */
#include "model/vmx.h"

#include "model/flow.h"

#include "machine/vmx_arch.h"

#define VECTOR_DB 1
#define VECTOR_NMI 2
#define VECTOR_NP 11
#define VECTOR_GP 13
#define VECTOR_GENERATOR 0x22 /* the generator's INTR: machine/layout.h VEC_GENERATOR */
#define VECTOR_TIMER 0x31     /* the wait bound: machine/layout.h VEC_TIMER */
#define VMCALL_LENGTH 3       /* 0f 01 c1 */
#define VM_INSTRUCTION_ERROR_ENTRY_CONTROLS 7 /* SDM 30.4, "VM Instruction Error Numbers" */
#define INTERRUPTIBILITY_DEFINED 0xfu
/* #NP while delivering through IDT gate 2: error code = index 2, IDT bit, EXT bit
 * (Vol. 3A 6.13, "Error Code"): (2 << 3) | 2 | 1. */
#define NP_ERROR_NMI_GATE 0x13u
/* The EPT violation of the IRET's frame read (27.2.1, Table 27-7): bits 2:0 the access
 * (a data read), 5:3 the permissions (none: not present), 7 and 8 (a guest-linear
 * address, translated to the page itself). Bits 6 and 9-11 depend on the processor. */
#define EPT_QUAL_FRAME_READ 0x181u
#define EPT_QUAL_DEFINED 0x1bfu

/* The fields of the VMCS the steps write and the exits save. */
struct vmcs {
	bool x, v, w, b;            /* NMI exiting, virtual NMIs, NMI-window exiting, bit 3 */
	enum shadow shadow;         /* interruptibility bits 1:0 */
	bool guest_if;              /* guest RFLAGS.IF */
	bool hlt;                   /* activity state HLT */
	bool intr_window, mtf, timer;
	uint32_t timer_value;
	uint32_t exceptions;        /* exception bitmap */
	bool nmi_gate;              /* G's IDTR names the IDT whose NMI gate is present */
	bool inject;                /* VM-entry interruption information, valid */
	enum injection inject_kind;
	uint8_t inject_vector;
	bool inject_has_error;
	uint32_t inject_error;
	uint32_t entry_info;        /* the VM-entry interruption information as written; a VM
				       exit clears only its valid bit (27.2) */
	bool ept;
};

struct model {
	struct model_flow flow;     /* first: the engine's flow (model/flow.h) runs the steps */
	struct vmcs vmcs;
	struct vmcs run_start;      /* the VMCS when the current run of H steps began */
	/* The logical processor. */
	bool in_guest;
	bool nmi_blocked;           /* blocking of NMIs (in the guest with V = 1: always 0) */
	bool vnmi_blocked;          /* virtual-NMI blocking, in the guest with V = 1 */
	bool nmi_pending;           /* at most one NMI is held (Vol. 3A 6.7.1) */
	bool intr_pending;          /* the generator's INTR held in the APIC */
	bool bound_pending;         /* the wait's bound (the LAPIC timer) held in the APIC */
	/* The guest while it runs. */
	enum shadow shadow_live;    /* the blocking given at VM entry, until one instruction ran */
	bool if_live;
	bool halted;
	bool mtf_due;               /* an MTF exit is due at the next boundary (25.5.2) */
	bool injected_this_entry;   /* QUIRK_INJECTION_HOLDS_PENDING_NMI */
	bool hold_nmi_for_host;     /* that quirk, in effect */
	/* The engine. */
	bool at_wait;               /* events are landing at a wait's HLT */
	bool settled;               /* ... and find the HLT itself (SETTLE) */
	enum ept_response ept_response;
	bool hlt_bound_armed;       /* ENTER_HLT's timer */
	enum gen_event later[MAX_SENDS];
	unsigned nlater;            /* SEND_AFTER_ENTRY: sent once the guest is halted */
	bool reblock_after_exit;    /* the engine's answer to the EPT violation (REBLOCK) */
	unsigned depth;             /* nested guest boundaries (handlers within handlers) */
};

static void unsupported(struct model *m, const char *why) { flow_unsupported(&m->flow, why); }

static bool stopped(const struct model *m) { return flow_stopped(&m->flow); }

static bool quirk(struct model *m, enum model_quirk q)
{
	return (m->flow.c->quirks & q) != 0;
}

/* A quirk's clause changed the outcome: recorded, so a verdict can name it. */
static void fired(struct model *m, enum model_quirk q) { m->flow.out->quirks_fired |= q; }

/* A clause applies an SDM rule (model/rules.h): the inventory learns which clause, in
 * which experiment. */
#define APPLY(m, rule) applied(m, rule, __func__)
static void applied(struct model *m, enum sdm_rule rule, const char *clause)
{
	if (m->flow.c->applied)
		m->flow.c->applied(m->flow.c->applied_ctx, rule, clause);
}

static bool choice(struct model *m, enum model_choice ch) { return flow_choice(&m->flow, ch); }

/* --- predictions -------------------------------------------------------------------- */

static struct predicted *emit(struct model *m, enum obs_source s, struct place p)
{
	return flow_emit(&m->flow, s, p);
}

/* --- the guest's blocking ------------------------------------------------------------ */

/* Bit 3 of the interruptibility state (24.4.2, Table 24-3, "Format of Interruptibility
 * State"): blocking by NMI, or virtual-NMI blocking when virtual NMIs = 1. */
static bool guest_bit3(const struct model *m)
{
	return m->vmcs.v ? m->vnmi_blocked : m->nmi_blocked;
}

/* Whether blocking by STI or MOV-SS holds off NMIs and the NMI window here (Table 24-3:
 * MOV-SS blocks NMIs; STI may, by the processor's choice; App. C reason 8). */
static bool shadow_blocks_nmi(struct model *m)
{
	if (m->shadow_live == SHADOW_MOV_SS) {
		APPLY(m, RULE_MOV_SS_BLOCKS_NMI);
		return true;
	}
	if (m->shadow_live != SHADOW_STI)
		return false;
	APPLY(m, RULE_STI_MAY_BLOCK_NMI);
	return choice(m, CHOICE_STI_BLOCKS_NMI);
}

/*
 * An NMI is taken in the guest (delivered, or it exits) unless NMIs are blocked (25.2,
 * "Other Causes of VM Exits": "NMIs ... if blocking by NMI is not in effect"; 25.3).
 * Virtual-NMI blocking never blocks a real NMI, and with virtual NMIs = 1 VM entry leaves
 * NMIs unblocked (24.4.2; 26.6.1, "Interruptibility State"), so then nmi_blocked is 0
 * in the guest. Shadows block it for one instruction.
 */
static bool guest_takes_nmi(struct model *m)
{
	if (!m->nmi_pending || shadow_blocks_nmi(m))
		return false;
	if (m->hold_nmi_for_host) {
		fired(m, QUIRK_INJECTION_HOLDS_PENDING_NMI);
		return false;
	}
	if (m->nmi_blocked)
		APPLY(m, m->vmcs.x ? RULE_NMI_EXITS_UNLESS_BLOCKED : RULE_NMI_BLOCKS_UNTIL_IRET);
	return !m->nmi_blocked;
}

/* --- records ------------------------------------------------------------------------- */

/*
 * What every VM exit saves of the guest (27.3.4, "Saving Non-Register State"): the
 * interruptibility state as it was before the exit (bits 3:0 defined; bit 2, blocking
 * by SMI, is 0 outside SMM) and the activity state. At a wait's HLT the event may have
 * hit just before the HLT (the halt window, machine/anchors.h): then the STI shadow
 * and the activity state depend on timing, and are not compared unless it settled.
 */
/* QUIRK_HLT_EXIT_SAVES_ACTIVE: an event that would wake the halted processor is due
 * (an NMI not blocked, the NMI window, an interrupt with IF = 1, an MTF exit). */
static bool wake_due(const struct model *m)
{
	return (m->nmi_pending && !m->nmi_blocked) || (m->vmcs.w && m->vmcs.v && !m->vnmi_blocked) ||
	       ((m->intr_pending || m->bound_pending) && m->if_live) || m->mtf_due;
}

static void save_guest_state(struct model *m, struct predicted *e, uint32_t reason)
{
	uint32_t intr = (m->shadow_live == SHADOW_STI ? INTERRUPTIBILITY_STI : 0) |
			(m->shadow_live == SHADOW_MOV_SS ? INTERRUPTIBILITY_MOV_SS : 0) |
			(guest_bit3(m) ? INTERRUPTIBILITY_NMI : 0);
	bool timing = m->at_wait && !m->settled;
	predicted_define(e, FIELD_INTERRUPTIBILITY, intr, timing ? INTERRUPTIBILITY_DEFINED & ~INTERRUPTIBILITY_STI
						       : INTERRUPTIBILITY_DEFINED);
	APPLY(m, RULE_EXIT_SAVES_INTERRUPTIBILITY);
	if (m->halted)
		APPLY(m, RULE_EXIT_SAVES_ACTIVITY);
	uint32_t activity = m->halted ? ACTIVITY_HLT : ACTIVITY_ACTIVE;
	bool timer_alone = reason == EXIT_REASON_PREEMPTION_TIMER && !wake_due(m);
	if (m->halted && !timer_alone && quirk(m, QUIRK_HLT_EXIT_SAVES_ACTIVE)) {
		activity = ACTIVITY_ACTIVE;
		if (!timing) /* else the field is not compared: the quirk changes nothing */
			fired(m, QUIRK_HLT_EXIT_SAVES_ACTIVE);
	}
	predicted_define(e, FIELD_ACTIVITY, activity, timing ? 0 : 0xffffffffu);
}

/*
 * The fields an exit defines whatever its cause (27.2, "Recording VM-Exit Information
 * and Updating VM-Entry Control Fields"): the exit reason; the exit qualification,
 * cleared for the exits here that define none (27.2.1, "Basic VM-Exit Information");
 * the interruption information, whose valid bit is 0 unless an event exited (27.2.2,
 * "Information for VM Exits Due to Vectored Events"); the IDT-vectoring information,
 * whose valid bit is 0 unless the exit came during event delivery -- the rest of both
 * is then undefined (27.2.3, "Information for VM Exits During Event Delivery"). The
 * instruction length is defined only for the exits 27.2.5 lists.
 */
static struct predicted exit_record(struct model *m, enum obs_source s, struct place p, uint32_t reason)
{
	struct predicted e = { .source = s, .anchor = p.anchor, .vector = p.vector, .step = (uint8_t)m->flow.window };
	APPLY(m, RULE_EXIT_REASON);
	APPLY(m, RULE_EXIT_QUALIFICATION_ZERO);
	APPLY(m, RULE_EXIT_IDT_VECTORING_INVALID);
	predicted_define(&e, FIELD_REASON, reason, 0xffffffffu);
	predicted_define(&e, FIELD_QUALIFICATION, 0, ~0ull);
	predicted_define(&e, FIELD_INFO, 0, INTR_INFO_VALID);
	predicted_define(&e, FIELD_IDT_VECTORING, 0, INTR_INFO_VALID);
	save_guest_state(m, &e, reason);
	return e;
}

/*
 * Bit 12 of an exit's interruption information, "NMI unblocking due to IRET" (27.2.2):
 * undefined with NMI exiting = 1 and virtual NMIs = 0, when the IDT-vectoring
 * information is valid, and for #DF; otherwise 1 exactly when the exit is due to a fault
 * of an IRET that removed blocking by NMI (virtual NMIs = 0) or virtual-NMI blocking.
 */
static void define_bit12(struct model *m, struct predicted *e, enum obs_field f, bool unblocked,
			 bool vectoring)
{
	bool undefined = (m->vmcs.x && !m->vmcs.v) || vectoring;
	if (vectoring)
		APPLY(m, RULE_EXIT_BIT12_UNDEFINED_VECTORING);
	else if (undefined)
		APPLY(m, RULE_EXIT_BIT12_UNDEFINED_X1_V0);
	else if (f == FIELD_QUALIFICATION)
		APPLY(m, RULE_EPT_QUALIFICATION_BIT12);
	else if (unblocked)
		APPLY(m, RULE_EXIT_BIT12_FAULTING_IRET);
	uint32_t bit = f == FIELD_QUALIFICATION ? EPT_QUAL_NMI_UNBLOCKED_BY_IRET : INTR_INFO_NMI_UNBLOCKED_BY_IRET;
	uint64_t value = record_field(&e->rec, f), mask = record_field(&e->mask, f);
	value = unblocked && !undefined ? value | bit : value & ~(uint64_t)bit;
	mask = undefined ? mask & ~(uint64_t)bit : mask | bit;
	predicted_define(e, f, value, mask);
}

/* An exception's exit: valid, hardware exception, its vector, its error code (27.2.2). */
static void define_exception(struct predicted *e, uint8_t vector, bool has_error, uint32_t error)
{
	uint32_t info = INTR_INFO_VALID | INTR_TYPE_HARDWARE_EXCEPTION | vector |
			(has_error ? INTR_INFO_ERROR_CODE_VALID : 0);
	predicted_define(e, FIELD_INFO, info, INTR_INFO_VALID | 0xfffu);
	if (has_error)
		predicted_define(e, FIELD_ERROR, error, 0xffffffffu);
}

/* --- the host -------------------------------------------------------------------------- */

/* The host takes a held NMI once it is not blocked (Vol. 3A 6.7.1, "Handling Multiple
 * NMIs"), through its IDT at the place it is; its handler does not IRET, so NMIs stay
 * blocked until an IRET step. */
static void host_boundary(struct model *m, struct place p)
{
	if (m->nmi_pending && !m->nmi_blocked) {
		if (p.anchor == AT_HOST_EXIT_ENTRY)
			APPLY(m, RULE_HOST_TAKES_HELD_NMI);
		APPLY(m, RULE_NMI_BLOCKS_UNTIL_IRET);
		m->nmi_pending = false;
		m->nmi_blocked = true;
		emit(m, OBS_NMI_H, p);
	}
}

/* --- the guest ------------------------------------------------------------------------- */

static void guest_boundary(struct model *m, struct place p);
static void exit_to_host(struct model *m, struct predicted e, struct place resume);
static bool enter_guest(struct model *m, struct place resume);

/*
 * Delivery of an event through G's IDT (Vol. 3A 6.12), at place p in the guest. Every
 * gate is an interrupt gate: IF = 0 in the handler. The handler records what it is (an
 * observation with rip p, or none for the injected interrupt 0x21), does not IRET, and
 * returns to `resume` with the flags it interrupted. G's NMI gate may be made not
 * present: delivering an NMI then raises #NP, which exits when the bitmap says so and
 * is an exit during event delivery (27.2.3): the NMI is lost until H re-injects it.
 * `injected`: the event comes from VM entry (26.5.1, "Vectored-Event Injection").
 */
static void deliver_to_guest(struct model *m, struct place p, enum obs_source what, uint8_t vector,
			     struct place resume, bool injected)
{
	if (vector == VECTOR_NMI && !m->vmcs.nmi_gate) {
		if (!(m->vmcs.exceptions & (1u << VECTOR_NP))) {
			unsupported(m, "an NMI through a gate that is not present, without #NP exiting");
			return;
		}
		/* 27.1, "Architectural State before a VM Exit": a VM exit during the delivery of
		 * an NMI comes after NMIs are blocked (virtual NMIs = 0) -- with virtual NMIs an
		 * injected NMI's virtual-NMI blocking is in effect (set at injection). */
		if (!m->vmcs.v) {
			APPLY(m, RULE_EXIT_DURING_NMI_DELIVERY_BLOCKS);
			m->nmi_blocked = true;
		}
		APPLY(m, RULE_NOT_PRESENT_GATE);
		APPLY(m, RULE_EXCEPTION_BITMAP);
		APPLY(m, RULE_EXIT_INFO_EXCEPTION);
		APPLY(m, RULE_EXIT_IDT_VECTORING_DELIVERY);
		struct predicted e = exit_record(m, OBS_EXIT_NP, p, EXIT_REASON_EXCEPTION_OR_NMI);
		define_exception(&e, VECTOR_NP, true, NP_ERROR_NMI_GATE);
		define_bit12(m, &e, FIELD_INFO, false, true);
		predicted_define(&e, FIELD_IDT_VECTORING, INTR_INFO_VALID | INTR_TYPE_NMI | VECTOR_NMI, INTR_INFO_VALID | 0xfffu);
		exit_to_host(m, e, p);
		return;
	}
	if (injected && m->shadow_live != SHADOW_NONE)
		APPLY(m, RULE_ENTRY_VECTORING_NO_SHADOW);
	bool interrupted_if = m->if_live;
	m->if_live = false;
	m->shadow_live = SHADOW_NONE; /* the delivery is the instruction the shadow covered */
	m->halted = false;
	struct place handler = g_handler(vector);
	if (++m->depth > 4) {
		unsupported(m, "handlers nested too deep");
		return;
	}
	guest_boundary(m, handler);
	m->depth--;
	if (stopped(m))
		return;
	if (what != OBS_NONE) {
		struct predicted *o = emit(m, what, p);
		if (what == OBS_EXC_G)
			o->vector = vector;
	}
	/* popf; [sti;] ret: back with the interrupted flags; an STI's shadow covers the RET. */
	m->if_live = interrupted_if;
	(void)resume;
}

/* An NMI taken in the guest: with NMI exiting it exits (25.2), otherwise it is
 * delivered through G's IDT and blocks NMIs (Vol. 3A 6.7.1). */
static void guest_nmi(struct model *m, struct place p)
{
	m->nmi_pending = false;
	APPLY(m, RULE_NMI_EXITING);
	if (m->halted)
		APPLY(m, RULE_NMI_WAKES_HLT);
	if (m->vmcs.exceptions & (1u << VECTOR_NMI))
		APPLY(m, RULE_EXCEPTION_BITMAP_NOT_NMI);
	if (m->vmcs.x) {
		APPLY(m, RULE_NMI_EXITS_UNLESS_BLOCKED);
		APPLY(m, RULE_NMI_EXIT_BLOCKS_AFTER_EXIT);
		APPLY(m, RULE_EXIT_INFO_NMI);
		/* 27.1: an NMI that causes a VM exit blocks NMIs only once the exit completes, so
		 * the exit saves the blocking as it was (27.3.4). */
		struct predicted e = exit_record(m, OBS_EXIT_NMI, p, EXIT_REASON_EXCEPTION_OR_NMI);
		predicted_define(&e, FIELD_INFO, INTR_INFO_VALID | INTR_TYPE_NMI | VECTOR_NMI, INTR_INFO_VALID | 0xfffu);
		define_bit12(m, &e, FIELD_INFO, false, false);
		if (quirk(m, QUIRK_NMI_EXIT_SAVES_BLOCKING) && !m->vmcs.v && !m->nmi_blocked) {
			e.rec.interruptibility |= INTERRUPTIBILITY_NMI;
			fired(m, QUIRK_NMI_EXIT_SAVES_BLOCKING);
		}
		m->nmi_blocked = true; /* the host's, once in VMX root */
		exit_to_host(m, e, p);
		return;
	}
	APPLY(m, RULE_NMI_DELIVERED_THROUGH_GATE_2);
	APPLY(m, RULE_NMI_BLOCKS_UNTIL_IRET);
	m->nmi_blocked = true;
	deliver_to_guest(m, p, OBS_NMI_G, VECTOR_NMI, p, false);
}

/* Exits the engine answers by clearing the control that caused them (experiments/engine.c:
 * one-shot controls), so that the guest can run on. */
static void one_shot_exit(struct model *m, enum obs_source s, struct place p, uint32_t reason)
{
	exit_to_host(m, exit_record(m, s, p, reason), p);
}

/* What can be due at one boundary, highest priority first. */
enum due {
	DUE_MTF, DUE_TIMER, DUE_NMI_WINDOW, DUE_NMI, DUE_INTERRUPT_WINDOW, DUE_INTR, DUE_COUNT
};

/* The inventory's rule for "hi is taken before lo" (model/rules.h). */
static enum sdm_rule priority_rule(enum due hi, enum due lo)
{
	static const enum sdm_rule pairs[DUE_COUNT][DUE_COUNT] = {
		[DUE_MTF] = { [DUE_TIMER] = RULE_PRIORITY_MTF_TIMER, [DUE_NMI_WINDOW] = RULE_PRIORITY_MTF_NMI_WINDOW,
			      [DUE_NMI] = RULE_PRIORITY_MTF_NMI, [DUE_INTERRUPT_WINDOW] = RULE_PRIORITY_MTF_INTERRUPT_WINDOW,
			      [DUE_INTR] = RULE_PRIORITY_MTF_INTR },
		[DUE_TIMER] = { [DUE_NMI_WINDOW] = RULE_PRIORITY_TIMER_NMI_WINDOW, [DUE_NMI] = RULE_PRIORITY_TIMER_NMI,
				[DUE_INTERRUPT_WINDOW] = RULE_PRIORITY_TIMER_INTERRUPT_WINDOW,
				[DUE_INTR] = RULE_PRIORITY_TIMER_INTR },
		[DUE_NMI_WINDOW] = { [DUE_NMI] = RULE_PRIORITY_NMI_WINDOW_NMI,
				     [DUE_INTERRUPT_WINDOW] = RULE_PRIORITY_NMI_WINDOW_INTERRUPT_WINDOW,
				     [DUE_INTR] = RULE_PRIORITY_NMI_WINDOW_INTR },
		[DUE_NMI] = { [DUE_INTERRUPT_WINDOW] = RULE_PRIORITY_NMI_INTERRUPT_WINDOW,
			      [DUE_INTR] = RULE_PRIORITY_NMI_INTR },
		[DUE_INTERRUPT_WINDOW] = { [DUE_INTR] = RULE_PRIORITY_INTERRUPT_WINDOW_INTR },
	};
	return pairs[hi][lo];
}

/* For the inventory: the pairs where `taken` went before something else also due. Only
 * the unambiguous cases count (no shadow in effect: whether one holds an event off is
 * partly the processor's choice). */
static void apply_priorities(struct model *m, enum due taken)
{
	bool open = m->shadow_live == SHADOW_NONE;
	bool due[DUE_COUNT] = {
		[DUE_MTF] = m->mtf_due,
		[DUE_TIMER] = m->vmcs.timer && open,
		[DUE_NMI_WINDOW] = m->vmcs.w && m->vmcs.v && !m->vnmi_blocked && open,
		[DUE_NMI] = m->nmi_pending && !m->nmi_blocked && !m->hold_nmi_for_host && open,
		[DUE_INTERRUPT_WINDOW] = m->vmcs.intr_window && m->if_live && open,
		[DUE_INTR] = (m->intr_pending || m->bound_pending) && m->if_live && open,
	};
	for (enum due lower = taken + 1; lower < DUE_COUNT; lower++)
		if (due[lower])
			applied(m, priority_rule(taken, lower), "take_one");
}

/*
 * Everything due at an instruction boundary of the guest, in the SDM's priority order
 * (Vol. 3A 6.9, "Priority Among Simultaneous Exceptions and Interrupts", with the VMX
 * events 25.2 places in it), each exit followed by the engine's answer and a VM entry
 * back to the same place:
 *  1. an MTF exit pending after an entry that injected an event (25.5.2, "Monitor Trap
 *     Flag": its priority is above debug traps);
 *  2. the VMX-preemption timer at 0 (26.6.4, "VMX-Preemption Timer": before the first
 *     instruction, after event injection; 25.2: below debug traps, above NMI-window
 *     exits; whether a shadow holds it off the SDM does not say: a choice);
 *  3. the NMI window (25.2; 26.6.6, "NMI-Window Exiting": with no virtual-NMI blocking,
 *     before the first instruction, after event injection), which takes priority over
 *     NMIs and wakes a processor halted by VM entry;
 *  4. a held NMI (25.2; delivered or exiting, see guest_takes_nmi);
 *  5. the interrupt window (26.6.5, "Interrupt-Window Exiting"), below NMIs (25.2);
 *  6. a held external interrupt, with IF = 1 and no shadow.
 */
static bool take_one(struct model *m, struct place p)
{
	if (m->mtf_due) {
		apply_priorities(m, DUE_MTF);
		m->mtf_due = false;
		m->vmcs.mtf = false;
		one_shot_exit(m, OBS_EXIT_MTF, p, EXIT_REASON_MONITOR_TRAP_FLAG);
		return true;
	}
	if (m->vmcs.timer && m->shadow_live != SHADOW_NONE)
		APPLY(m, RULE_TIMER_SHADOW_UNSPECIFIED);
	if (m->vmcs.timer && !(m->shadow_live != SHADOW_NONE && choice(m, CHOICE_SHADOW_HOLDS_TIMER))) {
		if (m->vmcs.timer_value) {
			unsupported(m, "a preemption timer other than 0 (when it expires depends on timing)");
			return false;
		}
		APPLY(m, RULE_ENTRY_TIMER_ZERO);
		apply_priorities(m, DUE_TIMER);
		m->vmcs.timer = false; /* the engine's answer */
		one_shot_exit(m, OBS_EXIT_PREEMPT, p, EXIT_REASON_PREEMPTION_TIMER);
		return true;
	}
	if (m->vmcs.w && m->vmcs.v && !m->vnmi_blocked && !shadow_blocks_nmi(m)) {
		APPLY(m, RULE_NMI_WINDOW_EXITING);
		if (p.anchor == AT_AFTER_VMCALL)
			APPLY(m, RULE_ENTRY_NMI_WINDOW);
		if (m->halted)
			APPLY(m, RULE_NMI_WINDOW_WAKES_HLT);
		apply_priorities(m, DUE_NMI_WINDOW);
		m->vmcs.w = false;
		one_shot_exit(m, OBS_EXIT_NMIW, p, EXIT_REASON_NMI_WINDOW);
		return true;
	}
	if (guest_takes_nmi(m)) {
		apply_priorities(m, DUE_NMI);
		guest_nmi(m, p);
		return true;
	}
	/* 26.6.5 ("Interrupt-Window Exiting"): the exit wakes a processor halted by VM entry,
	 * as an external interrupt would. */
	bool interrupts_open = m->if_live && m->shadow_live == SHADOW_NONE;
	bool held_by_hlt = m->halted && quirk(m, QUIRK_HLT_HOLDS_INTERRUPT_WINDOW);
	if (held_by_hlt && m->vmcs.intr_window && interrupts_open)
		fired(m, QUIRK_HLT_HOLDS_INTERRUPT_WINDOW);
	if (m->vmcs.intr_window && interrupts_open && !held_by_hlt) {
		APPLY(m, RULE_ENTRY_INTERRUPT_WINDOW);
		if (m->halted)
			APPLY(m, RULE_INTERRUPT_WINDOW_WAKES_HLT);
		apply_priorities(m, DUE_INTERRUPT_WINDOW);
		m->vmcs.intr_window = false;
		one_shot_exit(m, OBS_EXIT_INTRW, p, EXIT_REASON_INTERRUPT_WINDOW);
		return true;
	}
	if (m->bound_pending || m->intr_pending)
		APPLY(m, RULE_MASKABLE_NEEDS_IF);
	/* The APIC delivers the higher vector first: the wait's bound (0x31) before the
	 * generator's INTR (0x22). */
	if (m->bound_pending && interrupts_open) {
		m->bound_pending = false;
		deliver_to_guest(m, p, OBS_TIMEOUT, VECTOR_TIMER, p, false);
		return true;
	}
	if (m->intr_pending && interrupts_open) {
		m->intr_pending = false;
		deliver_to_guest(m, p, OBS_INTR_G, VECTOR_GENERATOR, p, false);
		return true;
	}
	return false;
}

static void guest_boundary(struct model *m, struct place p)
{
	flow_guest_boundary(&m->flow, p);
}

/* The guest at after_vmcall after a VM entry: what is due there, then its first
 * instruction (CLI) runs, which ends a shadow given at entry, then what is due after it
 * (26.6.1: the shadow lasts one instruction). An MTF exit comes after that instruction
 * (25.5.2). */
static void guest_at_after_vmcall(struct model *m)
{
	if (m->halted)
		return;
	guest_boundary(m, place(AT_AFTER_VMCALL));
	if (stopped(m) || !m->in_guest)
		return;
	m->if_live = false;
	bool shadow = m->shadow_live != SHADOW_NONE;
	if (shadow)
		APPLY(m, RULE_ENTRY_SHADOW_ONE_INSTRUCTION);
	m->shadow_live = SHADOW_NONE;
	if (m->vmcs.mtf && quirk(m, QUIRK_NO_MTF_AFTER_ENTRY)) {
		fired(m, QUIRK_NO_MTF_AFTER_ENTRY);
	} else if (m->vmcs.mtf) {
		APPLY(m, RULE_MTF_AFTER_INSTRUCTION);
		m->mtf_due = true;
	}
	if (shadow || m->mtf_due)
		guest_boundary(m, place(AT_AFTER_VMCALL_NEXT));
}

/* --- VM exits --------------------------------------------------------------------------- */


/* For the inventory: what a VM exit does to NMI blocking (27.5.5; 27.3.4), as the
 * clause `exit` applies it. */
static void apply_exit_blocking(struct model *m, const char *exit)
{
	if (m->vmcs.v)
		applied(m, RULE_EXIT_VIRTUAL_BLOCKING_SAVED, exit);
	else if (m->nmi_blocked)
		applied(m, RULE_EXIT_LEAVES_NMI_BLOCKING, exit);
}

/*
 * A VM exit: the record, saved state into the VMCS (27.3, "Saving Guest State"), the
 * host in VMX root with NMI blocking as the guest left it (27.5.5, "Updating Non-Register
 * State": a VM exit does not unblock NMIs); an NMI held and not blocked reaches the host
 * at the first instruction of its exit handler, before the handler records the exit.
 * VM exits clear the valid bit of the VM-entry interruption information (27.2.4,
 * "Updating VM-Entry Control Fields"). Then the engine answers (engine.c) and, unless
 * the H steps of a HOST_AT_EXIT run in between, enters the guest again at `resume`.
 */
static void exit_to_host(struct model *m, struct predicted e, struct place resume)
{
	m->vmcs.b = (e.rec.interruptibility & INTERRUPTIBILITY_NMI) != 0;
	apply_exit_blocking(m, __func__);
	if (m->vmcs.v && !quirk(m, QUIRK_ENTRY_KEEPS_NMI_BLOCKING))
		m->vnmi_blocked = false; /* lives in the VMCS from here on */
	if (m->reblock_after_exit) {
		APPLY(m, RULE_VMM_REBLOCK_AFTER_IRET_FAULT);
		m->vmcs.b = true;
		m->reblock_after_exit = false;
	}
	m->vmcs.shadow = m->shadow_live;
	m->vmcs.guest_if = m->if_live;
	m->vmcs.inject = false;
	m->vmcs.entry_info &= ~INTR_INFO_VALID;
	m->in_guest = false;
	/* The engine resumes a guest that exited from HLT as active (vmx/exit.c). */
	m->vmcs.hlt = false;
	m->halted = false;
	m->mtf_due = false;
	host_boundary(m, place(AT_HOST_EXIT_ENTRY));
	if (m->flow.out->count == MODEL_MAX_PREDICTED) {
		unsupported(m, "more observations than the model can hold");
		return;
	}
	m->flow.out->items[m->flow.out->count++] = e;
	flow_remember_exit(&m->flow, &e);
	const struct step *s = &m->flow.x->steps[m->flow.step];
	if (s->ctx == IN_GUEST && s->host_at_exit && !m->flow.handoff_done && s->nexpected &&
	    s->expected[0].source == e.source)
		flow_host_steps_inside_exit(&m->flow, m->flow.step + 1);
	if (stopped(m))
		return;
	if (enter_guest(m, resume))
		guest_boundary(m, resume);
}

/* The guest's VMCALL: an exit like any other, whose record is checked too (27.2.5: its
 * instruction length is defined). The engine skips it; the H steps run in VMX root. */
static void vmcall_exit(struct model *m)
{
	struct predicted e = exit_record(m, OBS_EXIT_VMCALL, place(AT_VMCALL), EXIT_REASON_VMCALL);
	APPLY(m, RULE_EXIT_INSTRUCTION_LENGTH);
	predicted_define(&e, FIELD_LENGTH, VMCALL_LENGTH, 0xffffffffu);
	m->vmcs.b = (e.rec.interruptibility & INTERRUPTIBILITY_NMI) != 0;
	apply_exit_blocking(m, __func__);
	if (m->vmcs.v && !quirk(m, QUIRK_ENTRY_KEEPS_NMI_BLOCKING))
		m->vnmi_blocked = false;
	m->vmcs.shadow = SHADOW_NONE;
	m->vmcs.guest_if = false;
	m->vmcs.inject = false;
	m->vmcs.entry_info &= ~INTR_INFO_VALID;
	m->vmcs.hlt = false;
	m->in_guest = false;
	m->halted = false;
	host_boundary(m, place(AT_HOST_EXIT_ENTRY));
	if (m->flow.out->count < MODEL_MAX_PREDICTED)
		m->flow.out->items[m->flow.out->count++] = e;
	m->hold_nmi_for_host = false;
}

/* --- VM entries ------------------------------------------------------------------------- */

/* A failed VM entry: the observation, then the VMCS as it was when the run of H steps
 * began (the engine restores it too) and NMI blocking as it was before (26.7, "VM-Entry
 * Failures During or After Loading Guest State"). */
static void entry_failed(struct model *m, enum obs_source s, uint32_t detail)
{
	if (m->nlater) {
		unsupported(m, "events sent after a VM entry that failed (they land wherever the host is by then)");
		return;
	}
	struct predicted *e = emit(m, s, place(AT_AFTER_VMCALL));
	predicted_define(e, FIELD_ENTRY_INFO, m->vmcs.entry_info, INTR_INFO_VALID | 0xfffu);
	if (s == OBS_ENTRY_VMFAIL) {
		APPLY(m, RULE_ENTRY_VMFAIL_CONTROLS);
		predicted_define(e, FIELD_DETAIL, detail, 0xffffffffu);
	} else {
		APPLY(m, RULE_ENTRY_FAIL_GUEST_STATE);
		APPLY(m, RULE_ENTRY_FAIL_KEEPS_BLOCKING);
		/* 26.7: exit reason 33 with bit 31; the guest-state area is not modified. */
		predicted_define(e, FIELD_REASON, EXIT_REASON_ENTRY_FAILURE_BIT | EXIT_REASON_INVALID_GUEST_STATE, 0xffffffffu);
		predicted_define(e, FIELD_QUALIFICATION, detail, ~0ull);
		uint32_t intr = (m->vmcs.shadow == SHADOW_STI ? INTERRUPTIBILITY_STI : 0) |
				(m->vmcs.shadow == SHADOW_MOV_SS ? INTERRUPTIBILITY_MOV_SS : 0) |
				(m->vmcs.b ? INTERRUPTIBILITY_NMI : 0);
		predicted_define(e, FIELD_INTERRUPTIBILITY, intr, INTERRUPTIBILITY_DEFINED);
		predicted_define(e, FIELD_ACTIVITY, m->vmcs.hlt ? ACTIVITY_HLT : ACTIVITY_ACTIVE, 0xffffffffu);
	}
	flow_remember_exit(&m->flow, e);
	m->vmcs = m->run_start;
}

/* 26.2.1.3: "deliver error code" is 1 exactly for a hardware exception that pushes one
 * (in protected mode): #DF, #TS, #NP, #SS, #GP, #PF, #AC. */
static bool injection_error_code_ok(const struct vmcs *v)
{
	bool pushes = v->inject_kind == INJECT_KIND_EXCEPTION &&
		      (v->inject_vector == 8 || (v->inject_vector >= 10 && v->inject_vector <= 14) ||
		       v->inject_vector == 17);
	return v->inject_has_error == pushes;
}

/*
 * The checks of the VM-execution and VM-entry control fields (26.2.1.1, "VM-Execution
 * Control Fields": virtual NMIs need NMI exiting, NMI-window exiting needs virtual NMIs;
 * 26.2.1.3, "VM-Entry Control Fields": an injected NMI has vector 2, and an error code
 * only where the event pushes one): VMfailValid with error 7. Several may fail at once;
 * the SDM lets the processor check in any order (26.2), but all give error 7 here.
 */
static bool control_checks_pass(struct model *m)
{
	const struct vmcs *v = &m->vmcs;
	unsigned failed = 0;
	if (v->v && !v->x) {
		APPLY(m, RULE_ENTRY_VIRTUAL_NMIS_NEED_NMI_EXITING);
		failed++;
	}
	if (v->w && !v->v) {
		APPLY(m, RULE_ENTRY_NMI_WINDOW_NEEDS_VIRTUAL_NMIS);
		failed++;
	}
	if (v->inject && v->inject_kind == INJECT_KIND_NMI && v->inject_vector != VECTOR_NMI) {
		APPLY(m, RULE_ENTRY_INJECTED_NMI_VECTOR_2);
		failed++;
	}
	if (v->inject && !injection_error_code_ok(v)) {
		if (v->inject_kind == INJECT_KIND_NMI)
			APPLY(m, RULE_ENTRY_INJECTED_NMI_NO_ERROR_CODE);
		failed++;
	}
	if (failed > 1)
		APPLY(m, RULE_ENTRY_CHECKS_ANY_ORDER);
	if (failed)
		entry_failed(m, OBS_ENTRY_VMFAIL, VM_INSTRUCTION_ERROR_ENTRY_CONTROLS);
	return !failed;
}

/* 26.3.1.5 on an NMI injection: blocking by MOV-SS must be 0, blocking by STI may have
 * to be; with virtual NMIs, virtual-NMI blocking must be 0 (with virtual NMIs = 0 the
 * SDM's note says blocking by NMI may be 1). */
static bool nmi_injection_refused(struct model *m)
{
	const struct vmcs *v = &m->vmcs;
	bool bad = false;
	if (v->shadow == SHADOW_MOV_SS) {
		APPLY(m, RULE_ENTRY_NMI_INJECTION_MOV_SS);
		bad = true;
	}
	if (v->shadow == SHADOW_STI) {
		APPLY(m, RULE_ENTRY_NMI_INJECTION_STI_MAY);
		bad |= choice(m, CHOICE_STI_REFUSES_NMI_INJECTION);
	}
	if (v->v && v->b) {
		APPLY(m, RULE_ENTRY_NMI_INJECTION_VIRTUAL_BLOCKING);
		if (quirk(m, QUIRK_NO_VIRTUAL_NMI_INJECTION_CHECK))
			fired(m, QUIRK_NO_VIRTUAL_NMI_INJECTION_CHECK);
		else
			bad = true;
	}
	if (!v->v && v->b)
		APPLY(m, RULE_ENTRY_NMI_INJECTION_BLOCKING_V0);
	return bad;
}

/*
 * The checks of a VM entry that involve what the steps write: the control fields, then
 * the guest's non-register state (26.3.1.5, "Checks on Guest Non-Register State"), whose
 * failure is an exit with reason 33 and bit 31 (26.7), qualification 0.
 */
static bool entry_checks_pass(struct model *m)
{
	const struct vmcs *v = &m->vmcs;
	if (!control_checks_pass(m))
		return false;
	bool bad = v->inject && v->inject_kind == INJECT_KIND_NMI && nmi_injection_refused(m);
	/* An external interrupt is injected only with IF = 1 and neither shadow. */
	if (v->inject && v->inject_kind == INJECT_KIND_INTR) {
		APPLY(m, RULE_ENTRY_INTR_INJECTION_OPEN);
		bad |= !v->guest_if || v->shadow != SHADOW_NONE;
	}
	/* Blocking by STI needs IF = 1; the HLT state neither shadow. */
	if (v->shadow == SHADOW_STI && !v->guest_if) {
		APPLY(m, RULE_ENTRY_STI_NEEDS_IF);
		bad = true;
	}
	if (v->hlt && v->shadow != SHADOW_NONE) {
		APPLY(m, RULE_ENTRY_HLT_WITHOUT_SHADOW);
		bad = true;
	}
	if (bad) {
		entry_failed(m, OBS_ENTRY_BAD_GUEST, 0);
		return false;
	}
	return true;
}

/*
 * Loading the guest's blocking (26.6.1, "Interruptibility State"): with virtual NMIs = 0,
 * NMIs are blocked after VM entry exactly when bit 3 is 1 -- whatever the host had;
 * with virtual NMIs = 1, virtual-NMI blocking is bit 3 and NMIs are not blocked.
 */
static void load_blocking(struct model *m)
{
	bool b = m->vmcs.b;
	if (quirk(m, QUIRK_ENTRY_KEEPS_NMI_BLOCKING)) {
		bool before_real = m->nmi_blocked, before_virtual = m->vnmi_blocked;
		if (m->vmcs.v) {
			m->vnmi_blocked = before_virtual || b;
		} else {
			m->nmi_blocked = before_real || b;
		}
		bool sdm_real = m->vmcs.v ? false : b, sdm_virtual = m->vmcs.v ? b : m->vnmi_blocked;
		if (m->nmi_blocked != sdm_real || (m->vmcs.v && m->vnmi_blocked != sdm_virtual))
			fired(m, QUIRK_ENTRY_KEEPS_NMI_BLOCKING);
		return;
	}
	if (m->vmcs.v) {
		APPLY(m, RULE_VIRTUAL_NMIS);
		APPLY(m, RULE_ENTRY_BLOCKING_V1);
		if (b)
			APPLY(m, RULE_BIT3_VIRTUAL_NMI_BLOCKING);
		m->vnmi_blocked = b;
		m->nmi_blocked = false;
	} else {
		APPLY(m, RULE_ENTRY_BLOCKING_V0);
		if (b)
			APPLY(m, RULE_BIT3_BLOCKING_BY_NMI);
		m->nmi_blocked = b;
	}
}

/*
 * Injection (26.5.1, "Vectored-Event Injection"; 26.5.1.1, "Details of Vectored-Event
 * Injection"): the event is delivered through G's IDT as if it had happened at the
 * entry's rip, whatever blocks events there; an injected NMI with virtual NMIs = 1 sets
 * virtual-NMI blocking (26.6.1). With virtual NMIs = 0, silicon leaves blocking by NMI
 * clear after an injected NMI (experiments 18 and 19: the next exit saves bit 3 = 0).
 * Injected exceptions are not subject to the exception bitmap.
 */
static void inject(struct model *m)
{
	const struct vmcs *v = &m->vmcs;
	struct place p = place(AT_AFTER_VMCALL);
	APPLY(m, RULE_INJECTION_DELIVERED);
	APPLY(m, RULE_EXIT_CLEARS_INJECTION);
	if (m->halted) {
		APPLY(m, RULE_ENTRY_INJECTION_INTO_HLT);
		APPLY(m, RULE_ENTRY_VECTORING_ACTIVE);
	}
	m->halted = false; /* 26.6.2, "Activity State": a vectoring entry leaves it active */
	m->injected_this_entry = true;
	switch (v->inject_kind) {
	case INJECT_KIND_NMI:
		if (v->v) {
			APPLY(m, RULE_INJECTED_NMI_VIRTUAL_BLOCKING);
			m->vnmi_blocked = true;
		} else if (quirk(m, QUIRK_INJECTED_NMI_BLOCKS)) {
			m->nmi_blocked = true;
			fired(m, QUIRK_INJECTED_NMI_BLOCKS);
		} else if (m->nmi_pending && !m->nmi_blocked) {
			unsupported(m, "an NMI held and unblocked while an NMI is injected with virtual NMIs = 0");
			return;
		} else {
			APPLY(m, RULE_INJECTED_NMI_BLOCKING_V0);
		}
		deliver_to_guest(m, p, OBS_NMI_G, VECTOR_NMI, p, true);
		return;
	case INJECT_KIND_INTR:
		deliver_to_guest(m, p, OBS_NONE, v->inject_vector, p, true);
		return;
	case INJECT_KIND_EXCEPTION:
		if (v->inject_vector != VECTOR_DB && v->inject_vector != VECTOR_GP) {
			unsupported(m, "an injected exception the guest has no fix-up for");
			return;
		}
		if (v->exceptions & (1u << v->inject_vector))
			APPLY(m, RULE_INJECTION_NOT_BITMAPPED);
		deliver_to_guest(m, p, v->inject_vector == VECTOR_GP ? OBS_GP_G : OBS_EXC_G, v->inject_vector, p,
				 true);
		return;
	}
}

/*
 * A VM entry that resumes the guest at `resume`: the checks, the guest's blocking and
 * shadows, the activity state, injection. What is due at the resume point is the
 * caller's (after a VMCALL: guest_at_after_vmcall; after another exit: the boundary of
 * the instruction the guest goes back to). Returns false if the entry failed.
 */
static bool enter_guest(struct model *m, struct place resume)
{
	if (!entry_checks_pass(m))
		return false;
	(void)resume;
	m->in_guest = true;
	load_blocking(m);
	m->shadow_live = m->vmcs.shadow;
	m->if_live = m->vmcs.guest_if;
	m->halted = m->vmcs.hlt;
	if (m->halted && !m->vmcs.inject) {
		APPLY(m, RULE_ACTIVITY_HLT);
		APPLY(m, RULE_ENTRY_ACTIVITY_LOADED);
	}
	m->injected_this_entry = false;
	/* 25.5.2: with the monitor trap flag, an entry that injects an event has an MTF exit
	 * pending before the first instruction after it (the handler's). */
	m->mtf_due = m->vmcs.mtf && m->vmcs.inject;
	if (m->mtf_due)
		APPLY(m, RULE_MTF_AFTER_INJECTION);
	if (m->mtf_due && quirk(m, QUIRK_NO_MTF_AFTER_ENTRY)) {
		m->mtf_due = false;
		fired(m, QUIRK_NO_MTF_AFTER_ENTRY);
	}
	if (m->vmcs.mtf && !m->vmcs.inject && !quirk(m, QUIRK_NO_MTF_AFTER_ENTRY) &&
	    resume.anchor != AT_AFTER_VMCALL) {
		unsupported(m, "the monitor trap flag at an entry that injects nothing, away from after_vmcall");
		return true;
	}
	if (m->vmcs.inject) {
		if (quirk(m, QUIRK_INJECTION_HOLDS_PENDING_NMI) && m->nmi_pending)
			m->hold_nmi_for_host = true;
		inject(m);
		m->vmcs.inject = false;
	}
	return true;
}

/* --- the guest's waits and IRETs ----------------------------------------------------------- */

/* Something the generator sent arrives while the CPU is halted at place p (a wait's
 * HLT, or G halted by VM entry), IF = 1. Returns whether it produced an event. */
static bool arrive(struct model *m, enum gen_event ev, struct place p)
{
	unsigned before = m->flow.out->count;
	if (ev == GEN_INTR) {
		if (!m->in_guest) {
			emit(m, OBS_INTR_H, p);
			return true;
		}
		/* It wakes the HLT; what is due then (an interrupt-window exit first, 25.2) is
		 * taken in order. */
		m->intr_pending = true;
		m->halted = false;
		guest_boundary(m, p);
		return true;
	}
	/* A second NMI while one is held is lost (Vol. 3A 6.7.1): at most one is held. */
	m->nmi_pending = true;
	if (m->in_guest) {
		if (guest_takes_nmi(m))
			guest_nmi(m, p);
	} else {
		host_boundary(m, p);
	}
	if (m->nmi_pending)
		APPLY(m, RULE_ONE_NMI_HELD);
	for (unsigned i = before; i < m->flow.out->count; i++)
		if (obs_is_event(m->flow.out->items[i].source))
			return true;
	return false;
}

/* The wait's bound: the LAPIC timer's interrupt through the IDT of whoever waits; in the
 * guest it wakes the HLT like any interrupt, and what is due is taken first. */
static void wait_timeout(struct model *m, struct place p)
{
	if (!m->in_guest) {
		emit(m, OBS_TIMEOUT, p);
		return;
	}
	m->bound_pending = true;
	m->halted = false;
	guest_boundary(m, p);
}

/*
 * wait(ctx: sends -> O): STI; HLT, and the generator sends, each event accepted before
 * the next. The first event ends the wait; what is sent after it must be held wherever it
 * arrives, or where it lands would depend on timing.
 */
static void do_wait(struct model *m, const struct step *s)
{
	struct place p = place(AT_AFTER_HLT);
	if (m->intr_pending) {
		unsupported(m, "an interrupt held from before the wait (it would race the sends)");
		return;
	}
	m->at_wait = true;
	m->settled = s->settle;
	if (m->in_guest)
		m->if_live = true;
	m->halted = true;
	/* STI; HLT: what is due once the STI's shadow is over wakes the HLT before anything
	 * is sent (an interrupt-window exit does, 26.7.5); then the sends race the wait's
	 * end, unless each is held. */
	bool ended = false;
	if (m->in_guest) {
		unsigned before = m->flow.out->count;
		guest_boundary(m, p);
		for (unsigned i = before; i < m->flow.out->count; i++)
			ended |= obs_is_event(m->flow.out->items[i].source);
		if (ended && s->nsends) {
			unsupported(m, "a wait that something ends before the generator sends (the sends race its end)");
			return;
		}
	}
	for (unsigned i = 0; i < s->nsends && !stopped(m); i++) {
		if (ended) {
			bool held = s->sends[i] == GEN_NMI && (m->in_guest ? !m->vmcs.v && m->nmi_blocked : m->nmi_blocked);
			if (!held) {
				unsupported(m, "an event sent after the wait ended that is not held");
				return;
			}
			APPLY(m, RULE_ONE_NMI_HELD);
			m->nmi_pending = true;
			continue;
		}
		ended = arrive(m, s->sends[i], p);
	}
	if (!ended && !stopped(m))
		wait_timeout(m, p);
	m->at_wait = false;
	m->settled = false;
	m->halted = false;
	if (m->in_guest) {
		guest_boundary(m, p); /* back at after_hlt with IF = 1, then CLI */
		m->if_live = false;
	}
}

/*
 * INT 2 (Vol. 3A 6.3.3, "Software-Generated Interrupts"): "the NMI interrupt handler is
 * called, but the processor's NMI-handling hardware is not activated". It blocks no NMIs
 * and sets no virtual-NMI blocking; NMI exiting concerns NMIs only (25.2, "Other Causes
 * of VM Exits") and a software interrupt is not in the exception bitmap's reach (25.2),
 * so in the guest it goes through G's IDT. Its handler returns to after_int2.
 */
static void do_int2(struct model *m)
{
	struct place after = place(AT_AFTER_INT2);
	if (m->in_guest && !m->vmcs.nmi_gate) {
		unsupported(m, "INT 2 through a gate that is not present");
		return;
	}
	APPLY(m, RULE_INT2_IS_NOT_AN_NMI);
	if (m->in_guest) {
		deliver_to_guest(m, after, OBS_NMI_G, VECTOR_NMI, after, false);
		if (!stopped(m))
			guest_boundary(m, after);
	} else {
		emit(m, OBS_NMI_H, after);
		host_boundary(m, after);
	}
}

/*
 * IRET in the guest (25.3, "Changes to Instruction Behavior in VMX Non-Root Operation"):
 * with NMI exiting = 0 it unblocks NMIs as outside VMX (Vol. 3A 6.7.1); with NMI exiting
 * = 1 it leaves blocking of NMIs alone and, with virtual NMIs = 1, removes virtual-NMI
 * blocking. It does so even when it faults (Vol. 3A 6.7.1; 25.3). Returns whether it
 * removed blocking (bit 12 of a fault's exit).
 */
static bool guest_iret_unblocks(struct model *m)
{
	bool was;
	if (!m->vmcs.x) {
		was = m->nmi_blocked;
		if (was)
			APPLY(m, RULE_IRET_X0_UNBLOCKS);
		m->nmi_blocked = false;
	} else if (m->vmcs.v) {
		was = m->vnmi_blocked;
		if (was)
			APPLY(m, RULE_IRET_V1_CLEARS_VIRTUAL_BLOCKING);
		m->vnmi_blocked = false;
	} else {
		if (m->nmi_blocked)
			APPLY(m, RULE_IRET_X1_KEEPS_BLOCKING);
		was = false;
	}
	return was;
}

static void host_iret_unblocks(struct model *m)
{
	if (m->nmi_blocked)
		APPLY(m, RULE_HOST_IRET_UNBLOCKS);
	m->nmi_blocked = false;
}

static void do_iret(struct model *m)
{
	if (m->in_guest) {
		guest_iret_unblocks(m);
		guest_boundary(m, place(AT_AFTER_IRET));
	} else {
		host_iret_unblocks(m);
		host_boundary(m, place(AT_AFTER_IRET));
	}
}

/*
 * firet: an IRET whose frame names a null CS, so it raises #GP(0) at the IRET; NMI
 * unblocking happens anyway (Vol. 3A 6.7.1: "even if the IRET causes a fault"). In the
 * guest, #GP exits when the bitmap says so (25.2), saved at the IRET (fault-like,
 * 27.3.3) with bit 12 (27.2.2); the engine's fix-up resumes after it. Otherwise the
 * #GP is delivered through the IDT, and what the unblocking released lands at the
 * first instruction of the #GP handler.
 */
static void do_faulting_iret(struct model *m)
{
	struct place iret = place(AT_FIRET), after = place(AT_AFTER_FIRET);
	APPLY(m, RULE_FAULTING_IRET_DELIVERS_FAULT);
	if (!m->in_guest) {
		if (m->nmi_blocked)
			APPLY(m, RULE_IRET_UNBLOCKS_EVEN_IF_FAULT);
		if (quirk(m, QUIRK_FAULTING_IRET_KEEPS_BLOCKING))
			fired(m, QUIRK_FAULTING_IRET_KEEPS_BLOCKING);
		else
			host_iret_unblocks(m);
		host_boundary(m, h_handler(VECTOR_GP));
		emit(m, OBS_GP_H, iret);
		host_boundary(m, after);
		return;
	}
	bool unblocked = guest_iret_unblocks(m);
	if (unblocked)
		APPLY(m, RULE_IRET_UNBLOCKS_EVEN_IF_FAULT);
	if (m->vmcs.exceptions & (1u << VECTOR_GP)) {
		APPLY(m, RULE_EXCEPTION_BITMAP);
		APPLY(m, RULE_EXIT_INFO_EXCEPTION);
		struct predicted e = exit_record(m, OBS_EXIT_GP, iret, EXIT_REASON_EXCEPTION_OR_NMI);
		define_exception(&e, VECTOR_GP, true, 0);
		define_bit12(m, &e, FIELD_INFO, unblocked, false);
		exit_to_host(m, e, after);
		return;
	}
	deliver_to_guest(m, iret, OBS_GP_G, VECTOR_GP, after, false);
	guest_boundary(m, after);
}

/*
 * eiret: G's IRET reads its frame from the page H made not present in the EPT. The EPT
 * violation is fault-like, saved at the IRET; an IRET that would have unblocked NMIs
 * unblocks them before the exit (27.1) and says so in bit 12 of the qualification
 * (27.2.1, "Exit Qualification for EPT Violations", Table 27-7; undefined with NMI
 * exiting = 1 and virtual NMIs = 0). The engine maps the page again and, under REBLOCK,
 * sets blocking by NMI again when bit 12 is 1 and the IDT-vectoring information is
 * invalid (31.7.1.2, "Resuming Guest Software after Handling an Exception"); the IRET
 * then executes again.
 */
static void do_page_iret(struct model *m)
{
	if (!m->vmcs.ept || m->ept_response == EPT_RESPONSE_NONE) {
		unsupported(m, "an eiret without EPT on and the frame page armed");
		return;
	}
	struct place iret = place(AT_PAGE_IRET);
	bool unblocked = guest_iret_unblocks(m);
	if (unblocked) {
		APPLY(m, RULE_IRET_UNBLOCKS_EVEN_IF_FAULT);
		APPLY(m, RULE_EPT_VIOLATION_IN_IRET_UNBLOCKS);
	}
	struct predicted e = exit_record(m, OBS_EXIT_EPT, iret, EXIT_REASON_EPT_VIOLATION);
	predicted_define(&e, FIELD_QUALIFICATION, EPT_QUAL_FRAME_READ, EPT_QUAL_DEFINED);
	define_bit12(m, &e, FIELD_QUALIFICATION, unblocked, false);
	enum ept_response response = m->ept_response;
	m->ept_response = EPT_RESPONSE_NONE;
	bool reblock = response == EPT_RESPONSE_REBLOCK && (e.rec.qualification & EPT_QUAL_NMI_UNBLOCKED_BY_IRET) &&
		       (e.mask.qualification & EPT_QUAL_NMI_UNBLOCKED_BY_IRET);
	/* The engine's answer comes before the VM entry that retries the IRET. */
	m->reblock_after_exit = reblock;
	exit_to_host(m, e, iret);
	if (stopped(m) || !m->in_guest)
		return;
	/* The IRET executes again, its frame readable now. */
	guest_iret_unblocks(m);
	guest_boundary(m, place(AT_AFTER_PAGE_IRET));
}

/* --- after a VM entry from a run of H steps -------------------------------------------- */

/*
 * The guest after a VM entry at after_vmcall. Halted by the entry (26.6.2, "Activity
 * State"), it wakes for what is due at once (26.7.6: an NMI-window exit wakes it), then
 * for what the generator sends after the entry, or the bound's interrupt (IF = 1). Then,
 * active, it runs on from after_vmcall.
 */
static void guest_after_entry(struct model *m)
{
	if (m->halted) {
		guest_boundary(m, place(AT_AFTER_VMCALL));
		if (m->nlater && !stopped(m) && (!m->halted || !m->in_guest)) {
			unsupported(m, "events sent after a VM entry into HLT that ended at once (where they land is timing)");
			return;
		}
		if (m->halted && m->in_guest && !stopped(m)) {
			bool woke = false;
			for (unsigned i = 0; i < m->nlater && !stopped(m); i++) {
				if (woke && !(m->later[i] == GEN_NMI && !m->vmcs.v && m->nmi_blocked)) {
					unsupported(m, "an event sent after the guest woke that is not held");
					return;
				}
				if (woke)
					m->nmi_pending = true;
				else
					woke = arrive(m, m->later[i], place(AT_AFTER_VMCALL));
			}
			m->nlater = 0;
			if (!woke && !stopped(m)) {
				if (!m->hlt_bound_armed) {
					unsupported(m, "a guest halted by VM entry with nothing to wake it");
					return;
				}
				wait_timeout(m, place(AT_AFTER_VMCALL));
			}
		}
	} else if (m->nlater) {
		unsupported(m, "events sent after a VM entry that does not halt the guest (where they land is timing)");
		return;
	}
	if (!stopped(m) && m->in_guest)
		guest_at_after_vmcall(m);
}

/* --- the steps ------------------------------------------------------------------------ */

static void predict_value(struct model *m, uint64_t value, uint64_t mask)
{
	flow_predict_value(&m->flow, value, mask);
}

static int digit(int8_t v) { return v ? 1 : 0; }

static void set_controls(struct model *m, const struct xvbw *c)
{
	m->vmcs.x = c->nmi_exiting, m->vmcs.v = c->virtual_nmis, m->vmcs.b = c->blocking, m->vmcs.w = c->nmi_window;
}

static void set_injection(struct model *m, enum injection kind, uint8_t vector, bool has_error, uint32_t error)
{
	m->vmcs.inject = true;
	m->vmcs.inject_kind = kind;
	m->vmcs.inject_vector = vector;
	m->vmcs.inject_has_error = has_error;
	m->vmcs.inject_error = error;
	m->vmcs.entry_info = INTR_INFO_VALID | vector | (has_error ? INTR_INFO_ERROR_CODE_VALID : 0) |
			     (kind == INJECT_KIND_NMI ? INTR_TYPE_NMI
			      : kind == INJECT_KIND_INTR ? INTR_TYPE_EXTERNAL : INTR_TYPE_HARDWARE_EXCEPTION);
	/* 26.3.1.4: an external interrupt is injected with RFLAGS.IF = 1 (the engine sets it) */
	if (kind == INJECT_KIND_INTR)
		m->vmcs.guest_if = true;
}

/* The last exit of that kind, as the model predicted it, or 0. */
static const struct predicted *last_exit(struct model *m, enum obs_source s)
{
	return flow_last_exit(&m->flow, s);
}

/* A value step that reads an exit the run did not have: it finds nothing. */
static void predict_absent(struct model *m)
{
	m->flow.out->values[m->flow.step] = (struct predicted_value){ .present = true, .absent = true };
}

/* REINJECT: what 31.7.1.2 tells the VMM to do with the IDT-vectoring information of an
 * exit during event delivery; with virtual NMIs, an NMI is re-injected with blocking by
 * NMI cleared (26.3.1.5). */
static void reinject(struct model *m, const struct step *s)
{
	const struct predicted *e = last_exit(m, s->exit);
	if (!e) {
		unsupported(m, "a re-injection of an exit the run did not have");
		return;
	}
	uint32_t idt = e->rec.idt_vectoring;
	if (!(idt & INTR_INFO_VALID) || !(e->mask.idt_vectoring & INTR_INFO_VALID)) {
		unsupported(m, "a re-injection of an exit that was not during event delivery");
		return;
	}
	uint32_t type = idt & INTR_INFO_TYPE_MASK;
	enum injection kind = type == INTR_TYPE_NMI ? INJECT_KIND_NMI
			      : type == INTR_TYPE_EXTERNAL ? INJECT_KIND_INTR : INJECT_KIND_EXCEPTION;
	if (type != INTR_TYPE_NMI && type != INTR_TYPE_EXTERNAL && type != INTR_TYPE_HARDWARE_EXCEPTION) {
		unsupported(m, "a re-injection of a software event");
		return;
	}
	APPLY(m, RULE_VMM_REINJECT);
	set_injection(m, kind, (uint8_t)(idt & INTR_INFO_VECTOR_MASK), (idt & INTR_INFO_ERROR_CODE_VALID) != 0,
		      e->rec.idt_vectoring_error);
	if (kind == INJECT_KIND_NMI && m->vmcs.v) {
		APPLY(m, RULE_VMM_REINJECT_NMI_CLEARS_BIT3);
		m->vmcs.b = false;
	}
}

static void value_step(struct model *m, const struct step *s)
{
	const struct predicted *e;
	switch (s->op) {
	case OP_CHECK_CONTROLS:
		predict_value(m, (uint64_t)(digit(m->vmcs.x) * 1000 + digit(m->vmcs.v) * 100 + digit(m->vmcs.b) * 10 +
					    digit(m->vmcs.w)), ~0ull);
		return;
	case OP_CHECK_B:
		predict_value(m, m->vmcs.b, 1);
		return;
	case OP_CHECK_BIT12:
		if ((e = last_exit(m, OBS_EXIT_GP)))
			predict_value(m, (e->rec.info >> 12) & 1, (e->mask.info >> 12) & 1);
		else
			predict_absent(m);
		return;
	case OP_CHECK_EXIT:
		if ((e = last_exit(m, s->exit)))
			predict_value(m, record_field(&e->rec, s->field) & s->mask, record_field(&e->mask, s->field) & s->mask);
		else
			predict_absent(m);
		return;
	default:
		return;
	}
}

/* What an H step changes (the engine's experiments/steps.c does it to the VMCS). */
static void host_step(struct model *m, const struct step *s)
{
	switch (s->op) {
	case OP_SET: set_controls(m, &s->controls); return;
	case OP_CHECK_CONTROLS: case OP_CHECK_B: case OP_CHECK_BIT12: case OP_CHECK_EXIT:
		value_step(m, s);
		return;
	case OP_INJECT: set_injection(m, s->injection, s->vector, s->has_error_code, s->error_code); return;
	case OP_EXC_EXITING:
		m->vmcs.exceptions = s->value ? m->vmcs.exceptions | 1u << s->vector : m->vmcs.exceptions & ~(1u << s->vector);
		return;
	case OP_WAIT: do_wait(m, s); return;
	case OP_IRET: do_iret(m); return;
	case OP_FIRET: do_faulting_iret(m); return;
	case OP_INT2: do_int2(m); return;
	case OP_SINCE_ENTRY: case OP_MEASURE_EXIT: case OP_MEASURE: case OP_VMENTRY: return;
	case OP_SHADOW:
		m->vmcs.shadow = s->shadow;
		if (s->shadow == SHADOW_STI)
			m->vmcs.guest_if = true;
		return;
	case OP_GUEST_IF: m->vmcs.guest_if = s->value; return;
	case OP_EXIT_CONTROL:
		if (s->control == CONTROL_MTF)
			m->vmcs.mtf = s->value;
		else if (s->control == CONTROL_INTERRUPT_WINDOW)
			m->vmcs.intr_window = s->value;
		else
			m->vmcs.timer = s->value, m->vmcs.timer_value = s->timer;
		return;
	case OP_ENTER_HLT:
		m->vmcs.hlt = true;
		m->vmcs.guest_if = true;
		m->hlt_bound_armed = true;
		return;
	case OP_SEND_AFTER_ENTRY:
		for (unsigned i = 0; i < s->nsends; i++)
			m->later[i] = s->sends[i];
		m->nlater = s->nsends;
		return;
	case OP_NMI_GATE: m->vmcs.nmi_gate = s->value; return;
	case OP_REINJECT: reinject(m, s); return;
	case OP_EPT:
		m->vmcs.ept = s->value;
		m->ept_response = EPT_RESPONSE_NONE;
		return;
	case OP_EPT_ARM_IRET:
		if (!m->vmcs.ept)
			unsupported(m, "the EPT frame page armed with EPT off");
		m->ept_response = s->response;
		return;
	case OP_VMCALL: case OP_EIRET: case OP_COUNT: break;
	/* SVM's (model/svm.c). */
	case OP_SVM_INTERCEPTS: case OP_CLGI: case OP_STGI: case OP_SPIN: case OP_GIF_AT_EXIT: case OP_VNMI:
	case OP_VGIF:
		break;
	}
	unsupported(m, "a step the host does not run");
}

static void guest_step(struct model *m, const struct step *s)
{
	if (m->hlt_bound_armed && s->op != OP_SINCE_ENTRY) {
		unsupported(m, "a guest step other than 'after VM entry' after an entry into HLT (the bound is armed)");
		return;
	}
	switch (s->op) {
	case OP_WAIT: do_wait(m, s); return;
	case OP_IRET: do_iret(m); return;
	case OP_FIRET: do_faulting_iret(m); return;
	case OP_INT2: do_int2(m); return;
	case OP_EIRET: do_page_iret(m); return;
	case OP_SINCE_ENTRY: m->hlt_bound_armed = false; return;
	case OP_VMCALL: return;
	default: unsupported(m, "a step the guest does not run"); return;
	}
}

/* --- a whole experiment, as the engine runs it (model/flow.c) ---------------------------- */

static struct model *model_of(struct model_flow *f) { return (struct model *)f; }

static void flow_host_step(struct model_flow *f, const struct step *s) { host_step(model_of(f), s); }
static void flow_guest_step(struct model_flow *f, const struct step *s) { guest_step(model_of(f), s); }
static bool flow_enter_guest(struct model_flow *f, enum anchor resume) { return enter_guest(model_of(f), place(resume)); }
static void flow_after_entry(struct model_flow *f) { guest_after_entry(model_of(f)); }
static void flow_vmcall_exit(struct model_flow *f) { vmcall_exit(model_of(f)); }
static void flow_run_starts(struct model_flow *f) { model_of(f)->run_start = model_of(f)->vmcs; }
static bool flow_in_guest(const struct model_flow *f) { return ((const struct model *)f)->in_guest; }
static bool flow_take_one(struct model_flow *f, struct place p) { return take_one(model_of(f), p); }

/* The engine's bound on an entry into HLT stays armed until a G SINCE_ENTRY step. */
static void flow_before_end(struct model_flow *f)
{
	if (model_of(f)->hlt_bound_armed)
		flow_unsupported(f, "an entry into HLT at the end of the experiment (the bound stays armed)");
}

static const struct flow_ops vmx_flow = {
	.host_step = flow_host_step, .guest_step = flow_guest_step, .enter_guest = flow_enter_guest,
	.after_entry = flow_after_entry, .vmcall_exit = flow_vmcall_exit, .run_starts = flow_run_starts,
	.in_guest = flow_in_guest, .take_one = flow_take_one, .before_end = flow_before_end,
	.baseline_fails = "the baseline entry fails",
	.entry_fails_outside_vmentry = "a VM entry that fails outside a VMENTRY step (the engine ends the experiment)",
	.entry_inside_exit = "a VM entry under test among H steps that run inside an exit",
};

void vmx_model_predict(const struct experiment *x, const struct model_config *c, struct prediction *out)
{
	struct model m = { .flow = { .ops = &vmx_flow, .x = x, .c = c, .out = out } };
	*out = (struct prediction){ 0 };
	m.vmcs.nmi_gate = true;
	flow_run(&m.flow);
}

/* --- names ------------------------------------------------------------------------ */

const char *vmx_quirk_name(enum model_quirk q)
{
	switch (q) {
	case QUIRK_ENTRY_KEEPS_NMI_BLOCKING: return "entry-keeps-nmi-blocking";
	case QUIRK_INJECTED_NMI_BLOCKS: return "injected-nmi-blocks";
	case QUIRK_NMI_EXIT_SAVES_BLOCKING: return "nmi-exit-saves-blocking";
	case QUIRK_HLT_EXIT_SAVES_ACTIVE: return "hlt-exit-saves-active";
	case QUIRK_NO_VIRTUAL_NMI_INJECTION_CHECK: return "no-virtual-nmi-injection-check";
	case QUIRK_NO_MTF_AFTER_ENTRY: return "no-mtf-after-entry";
	case QUIRK_FAULTING_IRET_KEEPS_BLOCKING: return "faulting-iret-keeps-blocking";
	case QUIRK_INJECTION_HOLDS_PENDING_NMI: return "injection-holds-pending-nmi";
	case QUIRK_HLT_HOLDS_INTERRUPT_WINDOW: return "hlt-holds-interrupt-window";
	default: break;
	}
	return "?";
}

const char *vmx_choice_name(enum model_choice c, bool taken)
{
	switch (c) {
	case CHOICE_STI_BLOCKS_NMI:
		return taken ? "blocking by STI holds off NMIs and the NMI window" :
			       "blocking by STI does not hold off NMIs or the NMI window";
	case CHOICE_STI_REFUSES_NMI_INJECTION:
		return taken ? "VM entry refuses an NMI injection under blocking by STI" :
			       "VM entry injects an NMI under blocking by STI";
	case CHOICE_SHADOW_HOLDS_TIMER:
		return taken ? "blocking by STI or MOV-SS holds off the preemption-timer exit" :
			       "the preemption-timer exit comes through blocking by STI or MOV-SS";
	default: break;
	}
	return "?";
}
