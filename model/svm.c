/*
 * The SVM model (model/svm.h): AMD's rules on NMIs under SVM as clauses, run the way the
 * engine and the SVM backend (svm/) run an experiment.
 *
 * APM references are to the AMD64 Architecture Programmer's Manual Vol. 2 (publication
 * 24593), chapter 15, "Secure Virtual Machine", each with its section's title: editions
 * renumber sections, titles stay.
 *
 * What the backend does around every guest run, and the model with it: CLGI, VMRUN (GIF
 * = 1 in the guest), #VMEXIT (GIF = 0), the VMCB read, then STGI -- unless an H step asked
 * to keep GIF = 0 at that exit (GIF_AT_EXIT) -- so that an NMI held by GIF lands in the
 * host right after that STGI (AT_HOST_EXIT_ENTRY), before the engine sees the exit.
 *
 * Layout: the state, the records, the host, the guest (boundaries, delivery, NMIs),
 * #VMEXIT, VMRUN, waits and IRETs, the steps, the run of a whole experiment.
 */
#include "model/svm.h"

#include "model/flow.h"

#include "machine/svm_arch.h"

#define VECTOR_DB 1
#define VECTOR_NMI 2
#define VECTOR_NP 11
#define VECTOR_GP 13
#define VECTOR_GENERATOR 0x22 /* the generator's INTR: machine/layout.h VEC_GENERATOR */
#define VECTOR_TIMER 0x31     /* the wait bound: machine/layout.h VEC_TIMER */
#define VMMCALL_LENGTH 3      /* 0f 01 d9 */
/* #NP while delivering through IDT gate 2: the selector error code (APM Vol. 2 8.4.1,
 * "Selector-Error Code"): index 2, IDT (bit 1), EXT (bit 0: the source is external). */
#define NP_ERROR_NMI_GATE 0x13u
#define NP_ERROR_IDT 0x2u
/* The guest runs in the mode of the build the model is part of: its IDT gates are 16
 * bytes in long mode, 8 in 32-bit mode; its IRET is IRETQ (48 cf) or IRET (cf). */
#define IDT_GATE_SIZE (2 * sizeof(void *))
#define IRET_LENGTH (sizeof(void *) == 8 ? 2u : 1u)
#define EVENT_DEFINED (EVENT_VALID | EVENT_ERROR_VALID | EVENT_TYPE_MASK | EVENT_VECTOR_MASK)

/* What H wrote in the VMCB for the next VMRUN (and #VMEXIT wrote back). */
struct vmcb {
	bool nmi_intercept, iret_intercept;
	bool shadow;                /* INTERRUPT_SHADOW */
	bool guest_if;              /* the guest's RFLAGS.IF */
	uint32_t exceptions;        /* exception intercepts, bit n = vector n */
	bool nmi_gate;              /* G's IDTR names the IDT whose gate 2 is present */
	bool inject;                /* EVENTINJ.V */
	enum injection inject_kind;
	uint8_t inject_vector;
	bool inject_has_error;
	uint32_t inject_error;
	uint32_t eventinj;          /* the EVENTINJ word as written: what a #VMEXIT may leave */
	bool vnmi_enable, vnmi_pending, vnmi_masked;  /* 60h bits 26, 11, 12 */
	bool vgif_enable, v_gif;    /* 60h bits 25, 9 */
};

struct model {
	struct model_flow flow;     /* first: the engine's flow (model/flow.h) runs the steps */
	struct vmcb vmcb;
	struct vmcb run_start;      /* the VMCB when the current run of H steps began */
	/* The processor. */
	bool in_guest;
	bool gif;                   /* the host's GIF; 1 while the guest runs */
	bool hold_gif;              /* the backend keeps GIF = 0 at the next #VMEXIT */
	bool nmi_blocked;           /* NMI masking of the context that runs */
	bool host_blocked_aside;    /* separate masks (choice): the host's while the guest runs */
	bool nmi_pending;           /* at most one NMI is held */
	bool intr_pending;          /* the generator's INTR held in the APIC */
	/* The guest while it runs. */
	bool shadow_live;
	bool if_live;
	bool halted;
	/* The last event the guest had injected or took as an exception without an
	 * intercept (SVM_QUIRK_EXITINTINFO_STALE). */
	bool recorded_valid;
	uint32_t recorded, recorded_error;
	/* The engine. */
	bool at_wait, settled;
	unsigned depth;
};

static void unsupported(struct model *m, const char *why) { flow_unsupported(&m->flow, why); }

static bool stopped(const struct model *m) { return flow_stopped(&m->flow); }

static bool quirk(struct model *m, enum svm_quirk q) { return (m->flow.c->quirks & q) != 0; }

static void fired(struct model *m, enum svm_quirk q) { m->flow.out->quirks_fired |= q; }

static bool choice(struct model *m, enum svm_choice ch) { return flow_choice(&m->flow, ch); }

/* --- predictions ---------------------------------------------------------------------- */

static struct predicted *emit(struct model *m, enum obs_source s, struct place p)
{
	return flow_emit(&m->flow, s, p);
}

/* --- records ----------------------------------------------------------------------------- */

/*
 * The virtual interrupt control word as #VMEXIT writes it back (15.21.10, "NMI
 * Virtualization": "On #VMEXIT, V_NMI and V_NMI_MASK are written back to the VMCB";
 * 15.33.2, "Virtual GIF (VGIF)": V_GIF "is saved on #VMEXIT"). Only the bits of a
 * feature the VMCB enables are defined.
 */
static void save_virtual_interrupts(struct model *m, struct predicted *e)
{
	const struct vmcb *v = &m->vmcb;
	uint32_t value = 0, mask = 0;
	if (v->vnmi_enable) {
		value |= V_INTR_V_NMI_ENABLE | (v->vnmi_pending ? V_INTR_V_NMI : 0) | (v->vnmi_masked ? V_INTR_V_NMI_MASK : 0);
		mask |= V_INTR_V_NMI_ENABLE | V_INTR_V_NMI | V_INTR_V_NMI_MASK;
	}
	if (v->vgif_enable) {
		value |= V_INTR_V_GIF_ENABLE | (v->v_gif ? V_INTR_V_GIF : 0);
		mask |= V_INTR_V_GIF_ENABLE | V_INTR_V_GIF;
	}
	predicted_define(e, FIELD_INFO, value, mask);
}

/*
 * What every #VMEXIT leaves in the VMCB (15.6, "#VMEXIT"): EXITCODE; EXITINFO1 and 2,
 * "undefined for intercepts where their use is not indicated"; EXITINTINFO, whose V bit
 * says whether the intercept came during event delivery (15.7.2, "Intercepts During IDT
 * Interrupt Delivery"), the rest meaningful only with V = 1; INTERRUPT_SHADOW, "saved on
 * #VMEXIT" (15.21.5, "Interrupt Shadows") -- at a wait's HLT the event may have hit in
 * the STI's shadow before the HLT, so there it is compared only once the event settled;
 * EVENTINJ, cleared (Vol. 3, VMRUN: "clear EVENTINJ field in VMCB"); nRIP, where NRIP
 * save is offered, zero for an intercept that is not an instruction's (15.7.1, "State
 * Saved on Exit").
 */
static struct predicted exit_record(struct model *m, enum obs_source s, struct place p, uint32_t exitcode)
{
	struct predicted e = { .source = s, .anchor = p.anchor, .vector = p.vector, .step = (uint8_t)m->flow.window };
	predicted_define(&e, FIELD_REASON, exitcode, 0xffffffffu);
	predicted_define(&e, FIELD_IDT_VECTORING, 0, EVENT_VALID);
	bool timing = m->at_wait && !m->settled;
	predicted_define(&e, FIELD_INTERRUPTIBILITY, m->shadow_live ? VMCB_SHADOW_INTERRUPT : 0, timing ? 0 : VMCB_SHADOW_INTERRUPT);
	save_virtual_interrupts(m, &e);
	uint32_t eventinj = 0;
	if (quirk(m, SVM_QUIRK_EVENTINJ_KEEPS_EVENT) && (m->vmcb.eventinj & ~EVENT_VALID)) {
		eventinj = m->vmcb.eventinj & ~EVENT_VALID;
		fired(m, SVM_QUIRK_EVENTINJ_KEEPS_EVENT);
	}
	predicted_define(&e, FIELD_ENTRY_INFO, eventinj, 0xffffffffu);
	if (m->flow.c->features & MODEL_FEATURE_NRIP_SAVE) {
		uint32_t nrip = SVM_NO_NRIP;
		if (quirk(m, SVM_QUIRK_NRIP_NOT_RESET)) {
			nrip = 0;
			fired(m, SVM_QUIRK_NRIP_NOT_RESET);
		}
		predicted_define(&e, FIELD_LENGTH, nrip, 0xffffffffu);
	}
	return e;
}

/* An instruction intercept: nRIP is the next sequential instruction's (15.7.1). */
static void define_next_rip(struct model *m, struct predicted *e, uint32_t length)
{
	if (m->flow.c->features & MODEL_FEATURE_NRIP_SAVE)
		predicted_define(e, FIELD_LENGTH, length, 0xffffffffu);
}

/* An exception intercept for the fault of an instruction `length` bytes long: nRIP is
 * reset to zero -- or, with SVM_QUIRK_NRIP_NOT_RESET, the instruction after it. */
static void define_fault_nrip(struct model *m, struct predicted *e, uint32_t length)
{
	if ((m->flow.c->features & MODEL_FEATURE_NRIP_SAVE) && quirk(m, SVM_QUIRK_NRIP_NOT_RESET))
		predicted_define(e, FIELD_LENGTH, length, 0xffffffffu);
}

/* An intercepted exception: EXITCODE 40h + vector, EXITINFO1 its error code (15.12,
 * "Exception Intercepts"). */
static struct predicted exception_exit(struct model *m, enum obs_source s, struct place p, uint8_t vector,
				       uint32_t error)
{
	struct predicted e = exit_record(m, s, p, SVM_EXIT_EXCEPTION_BASE + vector);
	predicted_define(&e, FIELD_QUALIFICATION, error, 0xffffffffu);
	return e;
}

/* --- the host ------------------------------------------------------------------------------ */

/* The host takes a held NMI once GIF is 1 and it is not masked (15.17, "Global Interrupt
 * Flag, STGI and CLGI Instructions", Table 15-10: "Held pending until GIF==1"), through
 * its IDT; its handler does not IRET, so NMIs stay masked until an IRET step. */
static void host_boundary(struct model *m, struct place p)
{
	if (m->nmi_pending && m->gif && !m->nmi_blocked) {
		m->nmi_pending = false;
		m->nmi_blocked = true;
		emit(m, OBS_NMI_H, p);
	}
}

/* --- the guest ------------------------------------------------------------------------------ */

static void guest_boundary(struct model *m, struct place p);
static void exit_to_host(struct model *m, struct predicted e, struct place resume);

/* Whether the interrupt shadow holds an NMI off here (15.13.2, "NMI Intercept": "may be
 * blocked for one instruction following an STI"). */
static bool shadow_holds_nmi(struct model *m)
{
	return m->shadow_live && choice(m, SVM_CHOICE_SHADOW_BLOCKS_NMI);
}

/* Events the guest had injected, or took as exceptions: the Bochs deviation records them. */
static void remember_event(struct model *m, uint32_t event, uint32_t error)
{
	m->recorded_valid = true;
	m->recorded = event & ~EVENT_VALID;
	m->recorded_error = error;
}

/*
 * EXITINTINFO for an exit during the delivery of an NMI (15.7.2, Table 15-1: type 2,
 * "NMI"): valid, type NMI, vector 2. `physical`: a real NMI, not one VMRUN injected (an
 * injected event is recorded "as though [it] had occurred normally", 15.20).
 */
static void define_nmi_vectoring(struct model *m, struct predicted *e, bool physical)
{
	uint32_t info = EVENT_VALID | EVENT_TYPE_NMI | VECTOR_NMI, error = 0;
	if (physical && quirk(m, SVM_QUIRK_EXITINTINFO_NMI_AS_EXCEPTION)) {
		info = EVENT_VALID | EVENT_TYPE_EXCEPTION | VECTOR_NMI;
		fired(m, SVM_QUIRK_EXITINTINFO_NMI_AS_EXCEPTION);
	} else if (physical && quirk(m, SVM_QUIRK_EXITINTINFO_STALE)) {
		if (!m->recorded_valid) {
			unsupported(m, "a stale EXITINTINFO from before this experiment");
			return;
		}
		info = EVENT_VALID | m->recorded;
		error = m->recorded_error;
		fired(m, SVM_QUIRK_EXITINTINFO_STALE);
	}
	predicted_define(e, FIELD_IDT_VECTORING, info, EVENT_DEFINED);
	if (info & EVENT_ERROR_VALID)
		predicted_define(e, FIELD_IDT_VECTORING_ERROR, error, 0xffffffffu);
}

/*
 * NMI gate 2 not present: its delivery raises #NP (APM Vol. 2 8.4.1, "Selector-Error
 * Code": EXT, IDT, index 2), intercepted as the step's exception intercepts say, an
 * intercept during delivery (15.7.2): EXITINTINFO names the NMI, which is lost until H
 * re-injects it. A virtual NMI's delivery that exits leaves V_NMI_MASK saved 0 (15.21.10).
 */
static void nmi_gate_missing(struct model *m, struct place p, bool physical, bool virtual_nmi)
{
	if (!(m->vmcb.exceptions & (1u << VECTOR_NP))) {
		unsupported(m, "an NMI through a gate that is not present, without the #NP intercept");
		return;
	}
	if (virtual_nmi)
		m->vmcb.vnmi_masked = false;
	uint32_t error = NP_ERROR_NMI_GATE;
	if (quirk(m, SVM_QUIRK_NP_ERROR_GATE_OFFSET)) {
		error = VECTOR_NMI * IDT_GATE_SIZE + NP_ERROR_IDT;
		fired(m, SVM_QUIRK_NP_ERROR_GATE_OFFSET);
	}
	struct predicted e = exception_exit(m, OBS_EXIT_NP, p, VECTOR_NP, error);
	define_nmi_vectoring(m, &e, physical);
	if (stopped(m))
		return;
	exit_to_host(m, e, p);
}

/*
 * Delivery through G's IDT at place p (APM Vol. 2, chapter 8). Every gate is an
 * interrupt gate: IF = 0 in the handler, which records what it is (an observation with
 * rip p, or none for the injected interrupt 0x21), does not IRET and returns with the
 * flags it interrupted. The delivery is the instruction a shadow covered.
 */
static void deliver_to_guest(struct model *m, struct place p, enum obs_source what, uint8_t vector)
{
	bool interrupted_if = m->if_live;
	m->if_live = false;
	m->shadow_live = false;
	m->halted = false;
	if (++m->depth > 4) {
		unsupported(m, "handlers nested too deep");
		return;
	}
	guest_boundary(m, g_handler(vector));
	m->depth--;
	if (stopped(m))
		return;
	if (what != OBS_NONE) {
		struct predicted *o = emit(m, what, p);
		if (what == OBS_EXC_G)
			o->vector = vector;
	}
	m->if_live = interrupted_if;
}

/*
 * A physical NMI taken in the guest (15.21.9, "NMI Support", Table 15-13, "NMI Handling
 * in Different Operating Modes"): with the NMI intercept, "#VMEXIT(NMI), NMI is still
 * pending" (15.13.2); without it "Taken normally": delivered through G's IDT, masking
 * further NMIs until an IRET.
 */
static void guest_nmi(struct model *m, struct place p)
{
	if (m->vmcb.nmi_intercept) {
		exit_to_host(m, exit_record(m, OBS_EXIT_NMI, p, SVM_EXIT_NMI), p);
		return;
	}
	m->nmi_pending = false;
	if (!m->vmcb.nmi_gate) {
		m->nmi_blocked = choice(m, SVM_CHOICE_DELIVERY_EXIT_BLOCKS) || m->nmi_blocked;
		nmi_gate_missing(m, p, true, false);
		return;
	}
	m->nmi_blocked = true;
	deliver_to_guest(m, p, OBS_NMI_G, VECTOR_NMI);
}

/*
 * A virtual NMI (15.21.10): taken when not masked, GIF and (with VGIF) V_GIF are 1 and
 * the guest is not in an interrupt shadow -- here the shadow is a condition, not a
 * choice. "V_NMI is cleared and V_NMI_MASK is set before the IDT is accessed."
 */
static bool virtual_nmi_due(const struct model *m)
{
	const struct vmcb *v = &m->vmcb;
	return v->vnmi_enable && v->vnmi_pending && !v->vnmi_masked && (!v->vgif_enable || v->v_gif) &&
	       !m->shadow_live;
}

static void virtual_nmi(struct model *m, struct place p)
{
	m->vmcb.vnmi_pending = false;
	m->vmcb.vnmi_masked = true;
	if (!m->vmcb.nmi_gate) {
		nmi_gate_missing(m, p, false, true);
		return;
	}
	deliver_to_guest(m, p, OBS_NMI_G, VECTOR_NMI);
}

/*
 * Whether a held physical NMI is taken at this boundary: not masked, not held by the
 * shadow. With VGIF, what V_GIF = 0 does to a physical NMI that is not intercepted is not
 * stated (15.33.2 keeps physical interrupts "intercepted by the hypervisor"): the model
 * does not go there.
 */
static bool guest_takes_nmi(struct model *m)
{
	if (!m->nmi_pending || m->nmi_blocked || shadow_holds_nmi(m))
		return false;
	if (m->vmcb.vgif_enable && !m->vmcb.v_gif && !m->vmcb.nmi_intercept) {
		unsupported(m, "a physical NMI without the intercept while V_GIF = 0 (not stated)");
		return false;
	}
	return true;
}

/*
 * Everything due at a guest instruction boundary, in priority order: a physical NMI
 * (which "takes priority over virtual NMI", 15.21.10), a virtual NMI, then a held INTR
 * with IF = 1 and no shadow (with V_INTR_MASKING = 0, "EFLAGS.IF controls both virtual
 * and physical interrupts", 15.21.1, "Virtualizing APIC.TPR").
 */
static bool take_one(struct model *m, struct place p)
{
	if (guest_takes_nmi(m)) {
		guest_nmi(m, p);
		return true;
	}
	if (virtual_nmi_due(m)) {
		virtual_nmi(m, p);
		return true;
	}
	if (m->intr_pending && m->if_live && !m->shadow_live) {
		m->intr_pending = false;
		deliver_to_guest(m, p, OBS_INTR_G, VECTOR_GENERATOR);
		return true;
	}
	return false;
}

static void guest_boundary(struct model *m, struct place p)
{
	flow_guest_boundary(&m->flow, p);
}

/* The guest at after_vmcall after a VMRUN: what is due there, then its first
 * instruction (CLI) runs and ends a shadow given by VMRUN, then what is due after it. */
static void guest_at_after_vmcall(struct model *m)
{
	guest_boundary(m, place(AT_AFTER_VMCALL));
	if (stopped(m) || !m->in_guest)
		return;
	m->if_live = false;
	bool shadow = m->shadow_live;
	m->shadow_live = false;
	if (shadow)
		guest_boundary(m, place(AT_AFTER_VMCALL_NEXT));
}

/* --- #VMEXIT ---------------------------------------------------------------------------------- */

static bool enter_guest(struct model *m, struct place resume);

/*
 * The world switch back to the host (15.6, "#VMEXIT"): the guest's state written back,
 * "Disables interrupts by clearing the GIF", and NMI masking as the processor keeps it
 * (a choice: one mask for both, or the host's own back). Then the backend reads the VMCB
 * and sets GIF again unless asked not to; a held NMI lands right after that STGI.
 */
static void leave_guest(struct model *m)
{
	m->vmcb.shadow = m->shadow_live;
	m->vmcb.guest_if = m->if_live;
	m->vmcb.inject = false;
	m->in_guest = false;
	m->halted = false;
	if (m->nmi_blocked != m->host_blocked_aside && !choice(m, SVM_CHOICE_SHARED_NMI_MASK))
		m->nmi_blocked = m->host_blocked_aside;
	m->host_blocked_aside = false;
	m->gif = !m->hold_gif;
	m->hold_gif = false;
	host_boundary(m, place(AT_HOST_EXIT_ENTRY));
}

static void record(struct model *m, const struct predicted *e)
{
	if (m->flow.out->count == MODEL_MAX_PREDICTED) {
		unsupported(m, "more observations than the model can hold");
		return;
	}
	m->flow.out->items[m->flow.out->count++] = *e;
	flow_remember_exit(&m->flow, e);
}

/*
 * An exit the engine answers and resumes from (an NMI, an exception, the IRET
 * intercept): the record, then -- for a G step with HOST_AT_EXIT whose first expected
 * event this is -- the H steps after it, inside the exit; then VMRUN back to `resume`.
 */
static void exit_to_host(struct model *m, struct predicted e, struct place resume)
{
	leave_guest(m);
	record(m, &e);
	if (stopped(m))
		return;
	const struct step *s = &m->flow.x->steps[m->flow.step];
	if (s->ctx == IN_GUEST && s->host_at_exit && !m->flow.handoff_done && s->nexpected &&
	    s->expected[0].source == e.source)
		flow_host_steps_inside_exit(&m->flow, m->flow.step + 1);
	if (stopped(m))
		return;
	if (m->shadow_live && resume.anchor != AT_AFTER_VMCALL) {
		unsupported(m, "a resume in an interrupt shadow away from after_vmcall");
		return;
	}
	if (enter_guest(m, resume))
		guest_boundary(m, resume);
}

/* The guest's VMMCALL (15.9, "Instruction Intercepts"): an exit like any other, its
 * nRIP the instruction after it; the engine skips it and runs H steps in the host. */
static void vmmcall_exit(struct model *m)
{
	struct predicted e = exit_record(m, OBS_EXIT_VMCALL, place(AT_VMCALL), SVM_EXIT_VMMCALL);
	define_next_rip(m, &e, VMMCALL_LENGTH);
	leave_guest(m);
	m->vmcb.guest_if = false;
	record(m, &e);
}

/* --- VMRUN ----------------------------------------------------------------------------------- */

/* The EVENTINJ word a step's injection writes (15.20, "Event Injection", Figure 15-5). */
static uint32_t eventinj_word(const struct vmcb *v)
{
	static const uint32_t types[] = { [INJECT_KIND_NMI] = EVENT_TYPE_NMI, [INJECT_KIND_INTR] = EVENT_TYPE_INTR,
					  [INJECT_KIND_EXCEPTION] = EVENT_TYPE_EXCEPTION };
	return EVENT_VALID | types[v->inject_kind] | v->inject_vector | (v->inject_has_error ? EVENT_ERROR_VALID : 0);
}

/*
 * VMRUN refused: #VMEXIT(VMEXIT_INVALID) before the guest ran. The exit path sets GIF
 * as after any exit; the backend names the rip the entry was for (the VMCB's saved RIP is
 * not specified after a failed VMRUN), and restores the VMCB the H steps began with.
 * Only EXITCODE is defined.
 */
static void vmrun_refused(struct model *m)
{
	m->gif = !m->hold_gif;
	m->hold_gif = false;
	host_boundary(m, place(AT_HOST_EXIT_ENTRY));
	struct predicted *e = emit(m, OBS_VMEXIT_INVALID, place(AT_AFTER_VMCALL));
	predicted_define(e, FIELD_REASON, SVM_EXIT_INVALID, 0xffffffffu);
	flow_remember_exit(&m->flow, e);
	m->vmcb = m->run_start;
}

/*
 * The consistency checks that involve what the steps write (15.5.1, "Basic Operation",
 * "Canonicalization and Consistency Checks": "Illegal event injection (Section 15.20)"):
 * EVENTINJ of type 3 with a vector that is not an exception's ("this includes vector 2,
 * which is an NMI, not an exception", 15.20); V_NMI_ENABLE without the NMI intercept
 * (15.21.10: "results in #VMEXIT(INVALID)").
 */
static bool vmrun_checks_pass(struct model *m)
{
	const struct vmcb *v = &m->vmcb;
	bool not_an_exception = v->inject_vector == VECTOR_NMI || v->inject_vector == 9 || v->inject_vector == 15 ||
				(v->inject_vector >= 22 && v->inject_vector <= 27) || v->inject_vector > 31;
	if ((v->inject && v->inject_kind == INJECT_KIND_EXCEPTION && not_an_exception) ||
	    (v->vnmi_enable && !v->nmi_intercept)) {
		vmrun_refused(m);
		return false;
	}
	return true;
}

/*
 * EVENTINJ (15.20): the event is taken "unconditionally before executing the first guest
 * instruction", "not subject to intercept checks"; "If TYPE is 2 (NMI), the VECTOR field
 * is ignored"; "An injected NMI does not block delivery of further NMIs" -- but with NMI
 * virtualization "VMRUN sets V_NMI_MASK in the guest state" (15.21.10).
 */
static void inject(struct model *m, struct place p)
{
	struct vmcb *v = &m->vmcb;
	remember_event(m, eventinj_word(v), v->inject_error);
	switch (v->inject_kind) {
	case INJECT_KIND_NMI:
		if (v->vnmi_enable)
			v->vnmi_masked = true;
		if (quirk(m, SVM_QUIRK_INJECTED_NMI_BLOCKS)) {
			if (!m->nmi_blocked)
				fired(m, SVM_QUIRK_INJECTED_NMI_BLOCKS);
			m->nmi_blocked = true;
		}
		if (!v->nmi_gate) {
			nmi_gate_missing(m, p, false, false);
			return;
		}
		deliver_to_guest(m, p, OBS_NMI_G, VECTOR_NMI);
		return;
	case INJECT_KIND_INTR:
		deliver_to_guest(m, p, OBS_NONE, v->inject_vector);
		return;
	case INJECT_KIND_EXCEPTION:
		if (v->inject_vector != VECTOR_DB && v->inject_vector != VECTOR_GP) {
			unsupported(m, "an injected exception the guest has no fix-up for");
			return;
		}
		deliver_to_guest(m, p, v->inject_vector == VECTOR_GP ? OBS_GP_G : OBS_EXC_G, v->inject_vector);
		return;
	}
}

/*
 * VMRUN that resumes the guest at `resume` (15.5.1): the checks; the guest's state,
 * INTERRUPT_SHADOW among it ("loaded on VMRUN", 15.21.5) and with NMI virtualization
 * V_NMI and V_NMI_MASK; NMI masking as the processor keeps it (a choice); "the processor
 * reenables interrupts by setting GIF to 1"; then the injected event. What is due at
 * `resume` is the caller's. Returns false if VMRUN was refused.
 */
static bool enter_guest(struct model *m, struct place resume)
{
	if (!vmrun_checks_pass(m))
		return false;
	m->in_guest = true;
	m->host_blocked_aside = false;
	if (m->nmi_blocked && !choice(m, SVM_CHOICE_SHARED_NMI_MASK)) {
		m->host_blocked_aside = true;
		m->nmi_blocked = false;
	}
	m->shadow_live = m->vmcb.shadow;
	if (m->shadow_live && quirk(m, SVM_QUIRK_VMRUN_IGNORES_SHADOW)) {
		m->shadow_live = false;
		fired(m, SVM_QUIRK_VMRUN_IGNORES_SHADOW);
	}
	m->if_live = m->vmcb.guest_if;
	m->halted = false;
	if (!m->vmcb.inject)
		return true;
	if (m->shadow_live) {
		unsupported(m, "an injection into an interrupt shadow (not stated)");
		return true;
	}
	if (m->nmi_pending && !m->nmi_blocked) {
		unsupported(m, "a held NMI next to an injected event (their order is not stated)");
		return true;
	}
	m->vmcb.inject = false;
	inject(m, resume);
	return true;
}

/* --- the waits and IRETs ------------------------------------------------------------------- */

/* Something the generator sent arrives while the CPU is halted at place p, IF = 1.
 * Returns whether it produced an event. */
static bool arrive(struct model *m, enum gen_event ev, struct place p)
{
	unsigned before = m->flow.out->count;
	if (ev == GEN_INTR) {
		if (m->in_guest)
			deliver_to_guest(m, p, OBS_INTR_G, VECTOR_GENERATOR);
		else
			emit(m, OBS_INTR_H, p);
		return true;
	}
	m->nmi_pending = true;
	if (m->in_guest)
		guest_boundary(m, p);
	else
		host_boundary(m, p);
	for (unsigned i = before; i < m->flow.out->count; i++)
		if (obs_is_event(m->flow.out->items[i].source))
			return true;
	return false;
}

static void wait_timeout(struct model *m, struct place p)
{
	if (m->in_guest)
		deliver_to_guest(m, p, OBS_TIMEOUT, VECTOR_TIMER);
	else
		emit(m, OBS_TIMEOUT, p);
}

/* Whether an NMI sent now is held wherever it arrives (masked, or GIF = 0 in the host). */
static bool nmi_held(const struct model *m)
{
	return m->nmi_blocked || (!m->in_guest && !m->gif);
}

/*
 * wait(ctx: sends -> O): STI; HLT while the generator sends, each event accepted before
 * the next. The first event ends the wait; what is sent after it must be held. A host
 * with GIF = 0 cannot wait: nothing, not even the bound's timer, could end the HLT.
 */
static void do_wait(struct model *m, const struct step *s)
{
	struct place p = place(AT_AFTER_HLT);
	if (m->intr_pending) {
		unsupported(m, "an interrupt held from before the wait (it would race the sends)");
		return;
	}
	if (!m->in_guest && !m->gif) {
		unsupported(m, "a wait in the host with GIF = 0");
		return;
	}
	m->at_wait = true;
	m->settled = s->settle;
	if (m->in_guest)
		m->if_live = true;
	m->halted = true;
	bool ended = false;
	for (unsigned i = 0; i < s->nsends && !stopped(m); i++) {
		if (ended) {
			if (s->sends[i] != GEN_NMI || !nmi_held(m)) {
				unsupported(m, "an event sent after the wait ended that is not held");
				return;
			}
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
		guest_boundary(m, p);
		m->if_live = false;
	}
}

/* spin(H: sends -> O): the host spins for one bound with IF = 0 while the generator
 * sends; what arrives must be held (an NMI by GIF = 0 or masking, an INTR by IF = 0). */
static void do_spin(struct model *m, const struct step *s)
{
	if (m->in_guest) {
		unsupported(m, "a spin in the guest");
		return;
	}
	for (unsigned i = 0; i < s->nsends; i++) {
		if (s->sends[i] == GEN_INTR) {
			m->intr_pending = true;
			continue;
		}
		if (!nmi_held(m)) {
			unsupported(m, "an NMI that lands somewhere in a spin");
			return;
		}
		m->nmi_pending = true;
	}
}

/*
 * IRET unmasks NMIs (the general x86 rule, APM Vol. 2 chapter 8: an NMI masks further
 * NMIs until the next IRET), and with NMI virtualization a successful IRET in the guest
 * clears V_NMI_MASK (15.21.10). The IRET intercept (15.9, Table 15-7; "The intercept
 * takes priority over any exceptions") exits before any of it, at the IRET -- "before the
 * results of the instruction are committed" (15.7, "Intercept Operation") -- and the
 * engine answers by clearing the intercept, so the IRET then executes (KVM's way of
 * seeing the end of an NMI handler). nRIP is the instruction after the IRET.
 */
static bool iret_intercepted(struct model *m, struct place at)
{
	if (!m->vmcb.iret_intercept)
		return false;
	struct predicted e = exit_record(m, OBS_EXIT_IRET, at, SVM_EXIT_IRET);
	define_next_rip(m, &e, IRET_LENGTH);
	m->vmcb.iret_intercept = false;
	exit_to_host(m, e, at);
	return true;
}

static void do_iret(struct model *m)
{
	if (!m->in_guest) {
		m->nmi_blocked = false;
		host_boundary(m, place(AT_AFTER_IRET));
		return;
	}
	if (iret_intercepted(m, place(AT_IRET)) && (stopped(m) || !m->in_guest))
		return;
	m->nmi_blocked = false;
	m->vmcb.vnmi_masked = false;
	guest_boundary(m, place(AT_AFTER_IRET));
}

/*
 * firet: an IRET whose frame names a null CS, #GP(0) at the IRET. Whether it unmasks
 * NMIs although it faults is open (a choice); a virtual NMI's mask stays ("when the
 * guest successfully completes an IRET", 15.21.10). The #GP exits when intercepted,
 * saved at the IRET, EXITINFO1 its error code (15.12); the engine's fix-up resumes after
 * it. Otherwise it is delivered through the IDT, where what the IRET released lands at
 * the first instruction of the #GP handler.
 */
static void do_faulting_iret(struct model *m)
{
	struct place iret = place(AT_FIRET), after = place(AT_AFTER_FIRET);
	if (!m->in_guest) {
		if (m->nmi_blocked && choice(m, SVM_CHOICE_FAULTING_IRET_UNBLOCKS))
			m->nmi_blocked = false;
		host_boundary(m, h_handler(VECTOR_GP));
		emit(m, OBS_GP_H, iret);
		host_boundary(m, after);
		return;
	}
	if (iret_intercepted(m, iret) && (stopped(m) || !m->in_guest))
		return;
	if (m->nmi_blocked && choice(m, SVM_CHOICE_FAULTING_IRET_UNBLOCKS))
		m->nmi_blocked = false;
	if (m->vmcb.exceptions & (1u << VECTOR_GP)) {
		struct predicted e = exception_exit(m, OBS_EXIT_GP, iret, VECTOR_GP, 0);
		define_fault_nrip(m, &e, IRET_LENGTH);
		exit_to_host(m, e, after);
		return;
	}
	remember_event(m, EVENT_TYPE_EXCEPTION | EVENT_ERROR_VALID | VECTOR_GP, 0);
	deliver_to_guest(m, iret, OBS_GP_G, VECTOR_GP);
	guest_boundary(m, after);
}

/* clgi / stgi (15.17): GIF = 0 holds NMIs and INTRs; STGI lets what it held be taken
 * right after it. In the guest with VGIF they change V_GIF only (15.33.2). */
static void do_gif(struct model *m, bool set)
{
	if (m->in_guest) {
		if (!m->vmcb.vgif_enable) {
			unsupported(m, "CLGI or STGI in the guest without VGIF");
			return;
		}
		m->vmcb.v_gif = set;
		if (set)
			guest_boundary(m, place(AT_AFTER_STGI));
		return;
	}
	m->gif = set;
	if (set)
		host_boundary(m, place(AT_AFTER_STGI));
}

/* --- the steps ----------------------------------------------------------------------------- */

static void predict_value(struct model *m, uint64_t value, uint64_t mask)
{
	flow_predict_value(&m->flow, value, mask);
}

static const struct predicted *last_exit(struct model *m, enum obs_source s)
{
	return flow_last_exit(&m->flow, s);
}

static void set_injection(struct model *m, enum injection kind, uint8_t vector, bool has_error, uint32_t error)
{
	struct vmcb *v = &m->vmcb;
	v->inject = true;
	v->inject_kind = kind;
	v->inject_vector = vector;
	v->inject_has_error = has_error;
	v->inject_error = error;
	v->eventinj = eventinj_word(v);
}

/* REINJECT: "re-injecting (see Section 15.20) the fault recorded in EXITINTINFO" (15.7.2):
 * the backend copies EXITINTINFO into EVENTINJ as it is. */
static void reinject(struct model *m, const struct step *s)
{
	const struct predicted *e = last_exit(m, s->exit);
	if (!e) {
		unsupported(m, "a re-injection of an exit the run did not have");
		return;
	}
	uint32_t info = e->rec.idt_vectoring;
	if (!(info & EVENT_VALID) || !(e->mask.idt_vectoring & EVENT_VALID)) {
		unsupported(m, "a re-injection of an exit that was not during event delivery");
		return;
	}
	uint32_t type = info & EVENT_TYPE_MASK;
	if (type != EVENT_TYPE_NMI && type != EVENT_TYPE_INTR && type != EVENT_TYPE_EXCEPTION) {
		unsupported(m, "a re-injection of a software event");
		return;
	}
	enum injection kind = type == EVENT_TYPE_NMI ? INJECT_KIND_NMI
			      : type == EVENT_TYPE_INTR ? INJECT_KIND_INTR : INJECT_KIND_EXCEPTION;
	set_injection(m, kind, (uint8_t)(info & EVENT_VECTOR_MASK), (info & EVENT_ERROR_VALID) != 0,
		      e->rec.idt_vectoring_error);
}

static void check_exit(struct model *m, const struct step *s)
{
	const struct predicted *e = last_exit(m, s->exit);
	if (e)
		predict_value(m, record_field(&e->rec, s->field) & s->mask, record_field(&e->mask, s->field) & s->mask);
	else
		m->flow.out->values[m->flow.step] = (struct predicted_value){ .present = true, .absent = true };
}

/* What an H step changes (svm/backend.c does it to the VMCB). */
static void host_step(struct model *m, const struct step *s)
{
	struct vmcb *v = &m->vmcb;
	switch (s->op) {
	case OP_SVM_INTERCEPTS: v->nmi_intercept = s->intercepts.nmi, v->iret_intercept = s->intercepts.iret; return;
	case OP_CHECK_EXIT: check_exit(m, s); return;
	case OP_INJECT: set_injection(m, s->injection, s->vector, s->has_error_code, s->error_code); return;
	case OP_EXC_EXITING:
		v->exceptions = s->value ? v->exceptions | 1u << s->vector : v->exceptions & ~(1u << s->vector);
		return;
	case OP_WAIT: do_wait(m, s); return;
	case OP_SPIN: do_spin(m, s); return;
	case OP_IRET: do_iret(m); return;
	case OP_FIRET: do_faulting_iret(m); return;
	case OP_CLGI: do_gif(m, false); return;
	case OP_STGI: do_gif(m, true); return;
	case OP_GIF_AT_EXIT: m->hold_gif = true; return;
	case OP_SINCE_ENTRY: case OP_MEASURE: case OP_VMENTRY: return;
	case OP_SHADOW:
		if (s->shadow == SHADOW_MOV_SS) {
			unsupported(m, "a MOV-SS shadow (SVM has one INTERRUPT_SHADOW)");
			return;
		}
		v->shadow = s->shadow == SHADOW_STI;
		if (v->shadow)
			v->guest_if = true;
		return;
	case OP_GUEST_IF: v->guest_if = s->value; return;
	case OP_NMI_GATE: v->nmi_gate = s->value; return;
	case OP_REINJECT: reinject(m, s); return;
	case OP_VNMI:
		v->vnmi_enable = s->vnmi.enable, v->vnmi_pending = s->vnmi.pending, v->vnmi_masked = s->vnmi.masked;
		return;
	case OP_VGIF: v->vgif_enable = s->value, v->v_gif = true; return;
	default: break;
	}
	unsupported(m, "a step the SVM host does not run");
}

static void guest_step(struct model *m, const struct step *s)
{
	switch (s->op) {
	case OP_WAIT: do_wait(m, s); return;
	case OP_IRET: do_iret(m); return;
	case OP_FIRET: do_faulting_iret(m); return;
	case OP_CLGI: do_gif(m, false); return;
	case OP_STGI: do_gif(m, true); return;
	case OP_SINCE_ENTRY: case OP_VMCALL: return;
	default: unsupported(m, "a step the SVM guest does not run"); return;
	}
}

/* --- a whole experiment, as the engine runs it (model/flow.c) ---------------------------- */

static struct model *model_of(struct model_flow *f) { return (struct model *)f; }

static void flow_host_step(struct model_flow *f, const struct step *s) { host_step(model_of(f), s); }
static void flow_guest_step(struct model_flow *f, const struct step *s) { guest_step(model_of(f), s); }
static bool flow_enter_guest(struct model_flow *f, enum anchor resume) { return enter_guest(model_of(f), place(resume)); }
static void flow_vmcall_exit(struct model_flow *f) { vmmcall_exit(model_of(f)); }
static void flow_run_starts(struct model_flow *f) { model_of(f)->run_start = model_of(f)->vmcb; }
static bool flow_in_guest(const struct model_flow *f) { return ((const struct model *)f)->in_guest; }
static bool flow_take_one(struct model_flow *f, struct place p) { return take_one(model_of(f), p); }

static void flow_after_entry(struct model_flow *f)
{
	struct model *m = model_of(f);
	if (!stopped(m) && m->in_guest)
		guest_at_after_vmcall(m);
}

static const struct flow_ops svm_flow = {
	.host_step = flow_host_step, .guest_step = flow_guest_step, .enter_guest = flow_enter_guest,
	.after_entry = flow_after_entry, .vmcall_exit = flow_vmcall_exit, .run_starts = flow_run_starts,
	.in_guest = flow_in_guest, .take_one = flow_take_one,
	.baseline_fails = "the baseline VMRUN fails",
	.entry_fails_outside_vmentry = "a VMRUN that fails outside a VMENTRY step (the engine ends the experiment)",
	.entry_inside_exit = "a VMRUN under test among H steps that run inside an exit",
};

void svm_model_predict(const struct experiment *x, const struct model_config *c, struct prediction *out)
{
	struct model m = { .flow = { .ops = &svm_flow, .x = x, .c = c, .out = out }, .gif = true };
	*out = (struct prediction){ 0 };
	m.vmcb.nmi_gate = true;
	flow_run(&m.flow);
}

/* --- names --------------------------------------------------------------------------------- */

const char *svm_quirk_name(enum svm_quirk q)
{
	switch (q) {
	case SVM_QUIRK_INJECTED_NMI_BLOCKS: return "svm-injected-nmi-blocks";
	case SVM_QUIRK_EXITINTINFO_NMI_AS_EXCEPTION: return "svm-exitintinfo-nmi-as-exception";
	case SVM_QUIRK_EXITINTINFO_STALE: return "svm-exitintinfo-stale";
	case SVM_QUIRK_NP_ERROR_GATE_OFFSET: return "svm-np-error-gate-offset";
	case SVM_QUIRK_VMRUN_IGNORES_SHADOW: return "svm-vmrun-ignores-shadow";
	case SVM_QUIRK_EVENTINJ_KEEPS_EVENT: return "svm-eventinj-keeps-event";
	case SVM_QUIRK_NRIP_NOT_RESET: return "svm-nrip-not-reset";
	}
	return "?";
}

const char *svm_choice_name(enum svm_choice c, bool taken)
{
	switch (c) {
	case SVM_CHOICE_SHARED_NMI_MASK:
		return taken ? "one NMI mask for host and guest: VMRUN and #VMEXIT keep it" :
			       "VMRUN starts the guest with NMIs unmasked and #VMEXIT gives the host its own masking back";
	case SVM_CHOICE_SHADOW_BLOCKS_NMI:
		return taken ? "the interrupt shadow holds NMIs off for its instruction" :
			       "the interrupt shadow does not hold NMIs off";
	case SVM_CHOICE_FAULTING_IRET_UNBLOCKS:
		return taken ? "an IRET that faults unmasks NMIs" : "an IRET that faults leaves NMIs masked";
	case SVM_CHOICE_DELIVERY_EXIT_BLOCKS:
		return taken ? "a #VMEXIT during an NMI's delivery leaves NMIs masked" :
			       "a #VMEXIT during an NMI's delivery leaves NMIs unmasked";
	}
	return "?";
}
