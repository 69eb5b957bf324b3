/* What each step op is, and the steps back in the spec's notation, for the trace, the
 * failure diagnostics and docs/experiments.md (tests/catalogue_md.c builds this file on
 * the host too). */
#include "experiments/experiment.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "machine/layout.h"
#include "model/vmx.h"
#include "hv/features.h"

/* --- the notation ------------------------------------------------------------------- */

static const char *exception_mnemonic(unsigned vector)
{
	static const char *const names[32] = { [0] = "#DE", [1] = "#DB", [3] = "#BP", [6] = "#UD",
		[8] = "#DF", [10] = "#TS", [11] = "#NP", [12] = "#SS", [13] = "#GP", [14] = "#PF",
		[17] = "#AC", [18] = "#MC" };
	return vector < 32 && names[vector] ? names[vector] : "#?";
}

static const char *context_name(const struct step *s)
{
	return s->ctx == IN_GUEST ? "G" : "H";
}

/* What the step has the generator send, "NMI, INTR": the same in the notation and in C. */
static void add_send_list(const struct step *s, char *buf, unsigned len, size_t *n)
{
	for (unsigned i = 0; i < s->nsends; i++)
		snappend(buf, len, n, "%s%s", i ? ", " : "", s->sends[i] == GEN_NMI ? "NMI" : "INTR");
}

static void describe_sends(const struct step *s, char *buf, unsigned len)
{
	size_t n = 0;
	buf[0] = 0;
	add_send_list(s, buf, len, &n);
}

static void describe_expectation(const struct step *s, char *buf, unsigned len)
{
	if (!s->nexpected) {
		snprintf(buf, len, "none");
		return;
	}
	size_t n = 0;
	for (unsigned i = 0; i < s->nexpected; i++) {
		const struct expected_event *e = &s->expected[i];
		snappend(buf, len, &n, "%s%s", i ? (s->either ? " or " : ", ") : "",
			 e->source == OBS_NONE ? "none" : obs_source_name(e->source));
		if (e->has_detail)
			snappend(buf, len, &n, "(%s %u)", e->source == OBS_ENTRY_VMFAIL ? "error" : "qualification",
				 e->detail);
		if (e->anchor == AT_G_HANDLER || e->anchor == AT_H_HANDLER)
			snappend(buf, len, &n, " at %s's handler %#x", e->anchor == AT_G_HANDLER ? "G" : "H",
				 e->vector);
		else if (e->anchor == AT_HOST_EXIT_ENTRY)
			snappend(buf, len, &n, " at H's VM-exit entry");
		else if (e->anchor == AT_AFTER_VMCALL_NEXT)
			snappend(buf, len, &n, " one instruction after VMCALL");
		else if (e->anchor == AT_IRET)
			snappend(buf, len, &n, " at the IRET");
		else if (e->anchor == AT_PAGE_IRET || e->anchor == AT_AFTER_PAGE_IRET)
			snappend(buf, len, &n, " %s the IRET", e->anchor == AT_PAGE_IRET ? "at" : "after");
	}
	if (s->either)
		snappend(buf, len, &n, " (measured)");
}

static void describe_set(const struct step *s, char *buf, unsigned len)
{
	const struct xvbw *c = &s->controls;
	snprintf(buf, len, "set(%d,%d,%d,%d)", c->nmi_exiting, c->virtual_nmis, c->blocking, c->nmi_window);
}

static void describe_check(const struct step *s, char *buf, unsigned len)
{
	const struct xvbw *c = &s->controls;
	snprintf(buf, len, "check(%d,%d,%d,%d)", c->nmi_exiting, c->virtual_nmis, c->blocking, c->nmi_window);
}

static void describe_check_b(const struct step *s, char *buf, unsigned len)
{
	snprintf(buf, len, "check(B=%d)", s->value);
}

static void describe_check_bit12(const struct step *s, char *buf, unsigned len)
{
	snprintf(buf, len, "check(bit12=%d at that exit)", s->value);
}

static void describe_inject(const struct step *s, char *buf, unsigned len)
{
	switch (s->injection) {
	case INJECT_KIND_NMI:
		if (s->has_error_code)
			snprintf(buf, len, "inject(NMI with error code %#x)", s->error_code);
		else if (s->vector == VEC_NMI)
			snprintf(buf, len, "inject(NMI)");
		else
			snprintf(buf, len, "inject(NMI with vector %#x)", s->vector);
		return;
	case INJECT_KIND_INTR:
		snprintf(buf, len, "inject(INTR %#x)", s->vector);
		return;
	case INJECT_KIND_EXCEPTION:
		if (s->has_error_code)
			snprintf(buf, len, "inject(%s(%#x))", exception_mnemonic(s->vector), s->error_code);
		else
			snprintf(buf, len, "inject(%s)", exception_mnemonic(s->vector));
		return;
	}
}

static void describe_exc_exiting(const struct step *s, char *buf, unsigned len)
{
	if (s->value)
		snprintf(buf, len, "exception bitmap |= %s", exception_mnemonic(s->vector));
	else
		snprintf(buf, len, "clear %s exiting", exception_mnemonic(s->vector));
}

static const char *modifiers(const struct step *s)
{
	if (s->host_at_exit)
		return "; H steps at that exit";
	return s->settle ? "; sent " VALUE_TEXT(SETTLE_DELAY_MS) " ms after the HLT" : "";
}

static void describe_wait(const struct step *s, char *buf, unsigned len)
{
	char sends[48], expected[120];
	describe_sends(s, sends, sizeof(sends));
	describe_expectation(s, expected, sizeof(expected));
	snprintf(buf, len, "wait(%s: %s -> %s%s)", context_name(s), sends, expected, modifiers(s));
}

static void describe_iret(const struct step *s, char *buf, unsigned len)
{
	char expected[96];
	describe_expectation(s, expected, sizeof(expected));
	snprintf(buf, len, "%s(%s -> %s)", s->op == OP_FIRET ? "firet" : "iret", context_name(s), expected);
}

static void describe_int2(const struct step *s, char *buf, unsigned len)
{
	char expected[96];
	describe_expectation(s, expected, sizeof(expected));
	snprintf(buf, len, "int2(%s -> %s)", context_name(s), expected);
}

static void describe_since_entry(const struct step *s, char *buf, unsigned len)
{
	char expected[96];
	describe_expectation(s, expected, sizeof(expected));
	snprintf(buf, len, "%s -> %s%s", s->ctx == IN_GUEST ? "after VM entry" : "since the VM exit", expected,
		 modifiers(s));
}

static void describe_vmcall(const struct step *s, char *buf, unsigned len)
{
	char expected[96];
	if (!s->nexpected) {
		snprintf(buf, len, "vmcall");
		return;
	}
	describe_expectation(s, expected, sizeof(expected));
	snprintf(buf, len, "vmcall: after VM entry -> %s", expected);
}

static void describe_measure_exit(const struct step *s, char *buf, unsigned len)
{
	snprintf(buf, len, "measure(activity state and instruction length saved by that %s)",
		 obs_source_name(s->exit));
}

static void describe_vmentry(const struct step *s, char *buf, unsigned len)
{
	char expected[120];
	describe_expectation(s, expected, sizeof(expected));
	snprintf(buf, len, "VM entry -> %s", expected);
}

static void describe_shadow(const struct step *s, char *buf, unsigned len)
{
	static const char *const names[] = { [SHADOW_NONE] = "none", [SHADOW_STI] = "STI, IF=1",
					     [SHADOW_MOV_SS] = "MOV-SS" };
	snprintf(buf, len, "shadow(%s)", names[s->shadow]);
}

static void describe_guest_if(const struct step *s, char *buf, unsigned len)
{
	snprintf(buf, len, "guest IF=%d", s->value);
}

static void describe_exit_control(const struct step *s, char *buf, unsigned len)
{
	if (s->control == CONTROL_PREEMPTION_TIMER)
		snprintf(buf, len, "preemption timer = %u", s->timer);
	else
		snprintf(buf, len, "%s = %d", s->control == CONTROL_MTF ? "monitor trap flag" : "interrupt-window exiting",
			 s->value);
}

static void describe_enter_hlt(const struct step *s, char *buf, unsigned len)
{
	(void)s;
	snprintf(buf, len, "enter G in HLT (bounded by the wait timer)");
}

static void describe_send_after_entry(const struct step *s, char *buf, unsigned len)
{
	char sends[48];
	describe_sends(s, sends, sizeof(sends));
	snprintf(buf, len, "send(%s, %u ms after the VM entry)", sends, SETTLE_DELAY_MS);
}

static void describe_nmi_gate(const struct step *s, char *buf, unsigned len)
{
	snprintf(buf, len, "G's NMI gate %s", s->value ? "present" : "not present");
}

static void describe_reinject(const struct step *s, char *buf, unsigned len)
{
	snprintf(buf, len, "re-inject the IDT-vectoring info of that %s", obs_source_name(s->exit));
}

/* The experiment being described is SVM's: its records are the VMCB's words
 * (step_describe_in sets it around one description). */
static bool describing_svm;

static void describe_check_exit(const struct step *s, char *buf, unsigned len)
{
	const char *field = obs_field_name_for(describing_svm, s->field);
	if (s->mask == 0xffffffffu)
		snprintf(buf, len, "check(%s = %#x at that %s)", field, s->bits, obs_source_name(s->exit));
	else
		snprintf(buf, len, "check(%s & %#x = %#x at that %s)", field, s->mask, s->bits, obs_source_name(s->exit));
}

static void describe_measure(const struct step *s, char *buf, unsigned len)
{
	snprintf(buf, len, "measure(%s saved by that %s)", obs_field_name_for(describing_svm, s->field),
		 obs_source_name(s->exit));
}

static void describe_ept(const struct step *s, char *buf, unsigned len)
{
	snprintf(buf, len, "EPT %s", s->value ? "on (identity map)" : "off");
}

static void describe_ept_arm_iret(const struct step *s, char *buf, unsigned len)
{
	snprintf(buf, len, "IRET frame into the EPT frame page, page not present; at its violation: %s",
		 s->response == EPT_RESPONSE_REBLOCK ? "map it, B=1 if bit 12 = 1" : "map it only");
}

static void describe_eiret(const struct step *s, char *buf, unsigned len)
{
	char expected[96];
	describe_expectation(s, expected, sizeof(expected));
	snprintf(buf, len, "eiret(%s: frame in that page -> %s)", context_name(s), expected);
}

static void describe_svm_intercepts(const struct step *s, char *buf, unsigned len)
{
	snprintf(buf, len, "svm(%d,%d)", s->intercepts.nmi, s->intercepts.iret);
}

static void describe_clgi(const struct step *s, char *buf, unsigned len)
{
	snprintf(buf, len, "clgi%s", s->ctx == IN_GUEST ? " (V_GIF = 0)" : "");
}

static void describe_stgi(const struct step *s, char *buf, unsigned len)
{
	char expected[96];
	describe_expectation(s, expected, sizeof(expected));
	snprintf(buf, len, "stgi(%s -> %s)", context_name(s), expected);
}

static void describe_spin(const struct step *s, char *buf, unsigned len)
{
	char sends[48], expected[96];
	if (s->nsends)
		describe_sends(s, sends, sizeof(sends));
	else
		snprintf(sends, sizeof(sends), "nothing sent");
	describe_expectation(s, expected, sizeof(expected));
	snprintf(buf, len, "spin(%s: %s -> %s)", context_name(s), sends, expected);
}

static void describe_gif_at_exit(const struct step *s, char *buf, unsigned len)
{
	(void)s;
	snprintf(buf, len, "GIF stays 0 at the next #VMEXIT");
}

static void describe_vnmi(const struct step *s, char *buf, unsigned len)
{
	snprintf(buf, len, "vnmi(%d,%d,%d)", s->vnmi.enable, s->vnmi.pending, s->vnmi.masked);
}

static void describe_vgif(const struct step *s, char *buf, unsigned len)
{
	snprintf(buf, len, "VGIF %s", s->value ? "on, V_GIF = 1" : "off");
}

/* The one table of what each step op is. */
#define PROPS(vmx, judged, guest_at, host_at, fault_at, describer, features) \
	{ .needs_vmx = vmx, .judges = judged, .in_guest = guest_at, .in_host = host_at, .fault = fault_at, \
	  .describe = describer, .needs = features }
#define SETUP(describer, features) PROPS(true, JUDGES_NOTHING, AT_STEP, AT_STEP, AT_STEP, describer, features)
#define VALUE_CHECK(describer) PROPS(true, JUDGES_VALUE, AT_STEP, AT_STEP, AT_STEP, describer, 0)

const struct step_op_properties step_ops[OP_COUNT] = {
	[OP_SET] = SETUP(describe_set, 0),
	[OP_CHECK_CONTROLS] = VALUE_CHECK(describe_check),
	[OP_CHECK_B] = VALUE_CHECK(describe_check_b),
	[OP_CHECK_BIT12] = VALUE_CHECK(describe_check_bit12),
	[OP_INJECT] = SETUP(describe_inject, 0),
	[OP_EXC_EXITING] = SETUP(describe_exc_exiting, 0),
	[OP_WAIT] = PROPS(false, JUDGES_EVENTS, AT_AFTER_HLT, AT_AFTER_HLT, AT_AFTER_HLT, describe_wait, 0),
	[OP_IRET] = PROPS(false, JUDGES_EVENTS, AT_AFTER_IRET, AT_AFTER_IRET, AT_AFTER_IRET, describe_iret, 0),
	[OP_FIRET] = PROPS(false, JUDGES_EVENTS, AT_AFTER_FIRET, AT_AFTER_FIRET, AT_FIRET, describe_iret, 0),
	[OP_INT2] = PROPS(false, JUDGES_EVENTS, AT_AFTER_INT2, AT_AFTER_INT2, AT_AFTER_INT2, describe_int2, 0),
	[OP_SINCE_ENTRY] = PROPS(true, JUDGES_EVENTS, AT_AFTER_VMCALL, AT_HOST_EXIT_ENTRY, AT_AFTER_VMCALL,
				 describe_since_entry, 0),
	[OP_VMCALL] = PROPS(true, JUDGES_EVENTS, AT_AFTER_VMCALL, AT_AFTER_VMCALL, AT_AFTER_VMCALL,
			    describe_vmcall, 0),
	[OP_MEASURE_EXIT] = SETUP(describe_measure_exit, 0),
	/* A failed entry leaves the guest's rip where it was: after the VMCALL. */
	[OP_VMENTRY] = PROPS(true, JUDGES_EVENTS, AT_AFTER_VMCALL, AT_AFTER_VMCALL, AT_AFTER_VMCALL,
			     describe_vmentry, 0),
	[OP_SHADOW] = SETUP(describe_shadow, 0),
	[OP_GUEST_IF] = SETUP(describe_guest_if, 0),
	[OP_EXIT_CONTROL] = SETUP(describe_exit_control, 0),
	[OP_ENTER_HLT] = SETUP(describe_enter_hlt, FEATURE_HLT_STATE),
	[OP_SEND_AFTER_ENTRY] = SETUP(describe_send_after_entry, 0),
	[OP_NMI_GATE] = SETUP(describe_nmi_gate, 0),
	[OP_REINJECT] = SETUP(describe_reinject, 0),
	[OP_CHECK_EXIT] = VALUE_CHECK(describe_check_exit),
	[OP_MEASURE] = SETUP(describe_measure, 0),
	[OP_EPT] = SETUP(describe_ept, FEATURE_EPT),
	[OP_EPT_ARM_IRET] = SETUP(describe_ept_arm_iret, FEATURE_EPT),
	/* Its EPT violation is fault-like: saved at the IRET, which then executes again. */
	[OP_EIRET] = PROPS(true, JUDGES_EVENTS, AT_AFTER_PAGE_IRET, AT_AFTER_PAGE_IRET, AT_PAGE_IRET,
			   describe_eiret, FEATURE_EPT),
	[OP_SVM_INTERCEPTS] = SETUP(describe_svm_intercepts, 0),
	[OP_CLGI] = SETUP(describe_clgi, 0),
	/* What GIF = 0 held lands right after the STGI. */
	[OP_STGI] = PROPS(true, JUDGES_EVENTS, AT_AFTER_STGI, AT_AFTER_STGI, AT_AFTER_STGI, describe_stgi, 0),
	/* A spin has no place where events land: what it sends must be held. */
	[OP_SPIN] = PROPS(false, JUDGES_EVENTS, AT_ELSEWHERE, AT_ELSEWHERE, AT_ELSEWHERE, describe_spin, 0),
	[OP_GIF_AT_EXIT] = SETUP(describe_gif_at_exit, 0),
	[OP_VNMI] = SETUP(describe_vnmi, FEATURE_SVM_VNMI),
	[OP_VGIF] = SETUP(describe_vgif, FEATURE_SVM_VGIF),
};

/* The step in the spec's notation, in the words step_describe_in chose. */
static void step_describe(const struct step *s, char *buf, unsigned len)
{
	if (s->op < OP_COUNT && step_ops[s->op].describe)
		step_ops[s->op].describe(s, buf, len);
	else
		snprintf(buf, len, "(unknown step op %u)", (unsigned)s->op);
}

void step_describe_in(const struct experiment *x, unsigned index, char *buf, unsigned len)
{
	describing_svm = x->backend == BACKEND_SVM;
	step_describe(&x->steps[index], buf, len);
	describing_svm = false;
}

void step_describe_numbered(const struct experiment *x, unsigned index, char *buf, unsigned len)
{
	char text[128];
	step_describe_in(x, index, text, sizeof(text));
	snprintf(buf, len, "%u of %u, [%s] %s", index + 1, x->nsteps, context_name(&x->steps[index]), text);
}

/* --- what an experiment needs ---------------------------------------------------------- */

static const struct catalogue catalogues[] = {
	{ BACKEND_VMX, "vmx", "VMX", catalogue, &catalogue_size },
	{ BACKEND_SVM, "svm", "SVM", catalogue_svm, &catalogue_svm_size },
};

const struct catalogue *catalogue_of(enum backend_kind backend)
{
	return &catalogues[backend == BACKEND_SVM ? 1 : 0];
}

const struct experiment *experiment_numbered(unsigned number)
{
	for (unsigned c = 0; c < sizeof(catalogues) / sizeof(catalogues[0]); c++)
		for (unsigned i = 0; i < *catalogues[c].size; i++)
			if (catalogues[c].experiments[i].number == number)
				return &catalogues[c].experiments[i];
	return 0;
}

bool experiment_needs_vmx(const struct experiment *x)
{
	for (unsigned i = 0; i < x->nsteps; i++)
		if (x->steps[i].ctx == IN_GUEST || step_ops[x->steps[i].op].needs_vmx)
			return true;
	return false;
}

/* The features step_ops[] names, and those the step's arguments turn on. */
static unsigned step_needs(const struct step *s)
{
	static const unsigned control_needs[] = { [CONTROL_MTF] = FEATURE_MTF,
						  [CONTROL_INTERRUPT_WINDOW] = FEATURE_INTERRUPT_WINDOW,
						  [CONTROL_PREEMPTION_TIMER] = FEATURE_PREEMPTION_TIMER };
	unsigned needs = step_ops[s->op].needs;
	if (s->op == OP_SET || s->op == OP_CHECK_CONTROLS) {
		needs |= s->controls.virtual_nmis ? FEATURE_VIRTUAL_NMIS : 0;
		needs |= s->controls.nmi_window ? FEATURE_NMI_WINDOW : 0;
	}
	if (s->op == OP_EXIT_CONTROL && s->value)
		needs |= control_needs[s->control];
	/* In the guest, CLGI and STGI are VGIF's (APM 15.33.2). */
	if ((s->op == OP_CLGI || s->op == OP_STGI) && s->ctx == IN_GUEST)
		needs |= FEATURE_SVM_VGIF;
	if (s->op == OP_VGIF && !s->value)
		needs &= ~(unsigned)FEATURE_SVM_VGIF;
	if (s->op == OP_VNMI && !s->vnmi.enable)
		needs &= ~(unsigned)FEATURE_SVM_VNMI;
	return needs;
}

unsigned experiment_needs(const struct experiment *x)
{
	unsigned needs = 0;
	for (unsigned i = 0; i < x->nsteps; i++)
		needs |= step_needs(&x->steps[i]);
	return needs;
}

enum anchor expected_anchor(const struct step *s, const struct expected_event *e)
{
	const struct step_op_properties *p = &step_ops[s->op];
	if (e->anchor != AT_STEP)
		return e->anchor;
	if (obs_is_fault_exit(e->source))
		return p->fault;
	return s->ctx == IN_GUEST ? p->in_guest : p->in_host;
}

/* --- the steps as C in the catalogue's notation (scenario reproducers) ------------------ */

static const char *const source_c_names[OBS_SOURCE_COUNT] = {
	[OBS_NMI_G] = "NMI_G", [OBS_INTR_G] = "INTR_G", [OBS_NMI_H] = "NMI_H", [OBS_INTR_H] = "INTR_H",
	[OBS_EXIT_NMI] = "EXIT_NMI", [OBS_EXIT_NMIW] = "EXIT_NMIW", [OBS_EXIT_GP] = "EXIT_GP", [OBS_GP_G] = "GP_G",
	[OBS_GP_H] = "GP_H", [OBS_TIMEOUT] = "TIMEOUT", [OBS_EXIT_NP] = "EXIT_NP", [OBS_EXIT_INTRW] = "EXIT_INTRW",
	[OBS_EXIT_MTF] = "EXIT_MTF", [OBS_EXIT_PREEMPT] = "EXIT_PREEMPT", [OBS_EXIT_EPT] = "EXIT_EPT",
	[OBS_ENTRY_VMFAIL] = "ENTRY_VMFAIL", [OBS_ENTRY_BAD_GUEST] = "ENTRY_BAD_GUEST", [OBS_EXC_G] = "EXC_G",
	[OBS_EXIT_VMCALL] = "EXIT_VMCALL",
};

static const char *anchor_c_name(enum anchor a)
{
	switch (a) {
	case AT_AFTER_HLT: return "AT_AFTER_HLT";
	case AT_AFTER_IRET: return "AT_AFTER_IRET";
	case AT_AFTER_VMCALL: return "AT_AFTER_VMCALL";
	case AT_FIRET: return "AT_FIRET";
	case AT_AFTER_FIRET: return "AT_AFTER_FIRET";
	case AT_HOST_EXIT_ENTRY: return "AT_HOST_EXIT_ENTRY";
	case AT_AFTER_VMCALL_NEXT: return "AT_AFTER_VMCALL_NEXT";
	case AT_PAGE_IRET: return "AT_PAGE_IRET";
	case AT_AFTER_PAGE_IRET: return "AT_AFTER_PAGE_IRET";
	case AT_VMCALL: return "AT_VMCALL";
	case AT_AFTER_INT2: return "AT_AFTER_INT2";
	default: return "AT_ELSEWHERE";
	}
}

/* The catalogue's names for the vectors it uses (machine/layout.h; INJECTED is
 * experiments/catalogue.c's), else the number. */
static const char *vector_c_name(unsigned vector, char *buf, unsigned len)
{
	switch (vector) {
	case VEC_DB: return "VEC_DB";
	case VEC_NMI: return "VEC_NMI";
	case VEC_NP: return "VEC_NP";
	case VEC_GP: return "VEC_GP";
	case VEC_INJECTED: return "INJECTED";
	default: snprintf(buf, len, "%#x", vector); return buf;
	}
}

/* Where EV(src) places an event in this step. */
static enum anchor natural_anchor(const struct step *s, enum obs_source source)
{
	struct expected_event e = { .source = source, .anchor = AT_STEP };
	return expected_anchor(s, &e);
}

/* One predicted event as the notation writes it: EV(src) at the step's natural place,
 * EV_AT(src, AT_...) elsewhere, EV_AT_G_HANDLER(src, v) at a handler. */
static void add_event(const struct step *s, const struct predicted *e, char *buf, unsigned len, size_t *n)
{
	const char *src = source_c_names[e->source] ? source_c_names[e->source] : "NONE";
	char vec[8];
	if (e->source == OBS_ENTRY_VMFAIL)
		snappend(buf, len, n, "EV_VMFAIL(%u)", e->rec.detail);
	else if (e->source == OBS_ENTRY_BAD_GUEST)
		snappend(buf, len, n, "EV_BAD_GUEST(%llu)", (unsigned long long)e->rec.qualification);
	else if (e->anchor == AT_G_HANDLER || e->anchor == AT_H_HANDLER)
		snappend(buf, len, n, "EV_AT_%s_HANDLER(%s, %s)", e->anchor == AT_G_HANDLER ? "G" : "H", src,
		    vector_c_name(e->vector, vec, sizeof(vec)));
	else if (e->anchor == natural_anchor(s, e->source))
		snappend(buf, len, n, "EV(%s)", src);
	else
		snappend(buf, len, n, "EV_AT(%s, %s)", src, anchor_c_name(e->anchor));
}

/* EXPECT_NONE(), EXPECT(src), EXPECT_ONE(e), EXPECT_PAIR(a, b), EXPECT_SEQ(a, b, c...):
 * what the model predicts in the step's window. More than MAX_EXPECTED events the notation
 * cannot say: a comment says so. */
static void add_expect(const struct step *s, const struct predicted *const *ev, unsigned count, char *buf,
		       unsigned len, size_t *n)
{
	if (count == 0) {
		snappend(buf, len, n, "EXPECT_NONE()");
		return;
	}
	if (count > MAX_EXPECTED) {
		snappend(buf, len, n, "EXPECT_NONE() /* the model predicts %u events here */", count);
		return;
	}
	if (count == 1 && ev[0]->anchor == natural_anchor(s, ev[0]->source) && ev[0]->source != OBS_ENTRY_VMFAIL &&
	    ev[0]->source != OBS_ENTRY_BAD_GUEST) {
		snappend(buf, len, n, "EXPECT(%s)", source_c_names[ev[0]->source]);
		return;
	}
	snappend(buf, len, n, count == 1 ? "EXPECT_ONE(" : count == 2 ? "EXPECT_PAIR(" : "EXPECT_SEQ(");
	for (unsigned i = 0; i < count; i++) {
		if (i)
			snappend(buf, len, n, ", ");
		add_event(s, ev[i], buf, len, n);
	}
	snappend(buf, len, n, ")");
}

static void add_sends(const struct step *s, char *buf, unsigned len, size_t *n)
{
	snappend(buf, len, n, "SENDS(");
	add_send_list(s, buf, len, n);
	snappend(buf, len, n, ")");
}

static void add_injection(const struct step *s, char *buf, unsigned len, size_t *n)
{
	char vec[8];
	const char *v = vector_c_name(s->vector, vec, sizeof(vec));
	if (s->injection == INJECT_KIND_NMI && s->vector == VEC_NMI && s->has_error_code)
		snappend(buf, len, n, "INJECT_NMI_WITH_ERROR(%#x)", s->error_code);
	else if (s->injection == INJECT_KIND_NMI && s->vector == VEC_NMI)
		snappend(buf, len, n, "INJECT_NMI()");
	else if (s->injection == INJECT_KIND_NMI)
		snappend(buf, len, n, "INJECT_NMI_VECTOR(%s)", v);
	else if (s->injection == INJECT_KIND_INTR)
		snappend(buf, len, n, "INJECT_INTR(%s)", v);
	else if (s->has_error_code)
		snappend(buf, len, n, "INJECT_EXC_ERR(%s, %#x)", v, s->error_code);
	else
		snappend(buf, len, n, "INJECT_EXC(%s)", v);
}

static void add_control(const struct step *s, char *buf, unsigned len, size_t *n)
{
	if (s->control == CONTROL_PREEMPTION_TIMER)
		snappend(buf, len, n, "PREEMPT_TIMER(%u)", s->timer);
	else
		snappend(buf, len, n, "%s(%d)", s->control == CONTROL_MTF ? "MTF" : "INTR_WINDOW", s->value);
}

static const char *const field_c_names[FIELD_COUNT] = {
	[FIELD_REASON] = "REASON", [FIELD_INFO] = "INFO", [FIELD_ERROR] = "ERROR", [FIELD_IDT_VECTORING] = "IDT_VECTORING",
	[FIELD_IDT_VECTORING_ERROR] = "IDT_VECTORING_ERROR", [FIELD_INTERRUPTIBILITY] = "INTERRUPTIBILITY",
	[FIELD_ACTIVITY] = "ACTIVITY", [FIELD_LENGTH] = "LENGTH", [FIELD_QUALIFICATION] = "QUALIFICATION",
	[FIELD_ENTRY_INFO] = "ENTRY_INFO", [FIELD_DETAIL] = "DETAIL", [FIELD_GUEST_PHYSICAL] = "GUEST_PHYSICAL",
};

/* A check of an exit's field, with the model's value (the record as predicted), in the
 * shorthand the catalogue uses for that field and mask where there is one. */
static void add_check_exit(const struct step *s, const struct predicted_value *v, char *buf, unsigned len, size_t *n)
{
	const char *src = source_c_names[s->exit];
	unsigned bits = v && v->present && !v->absent ? (unsigned)v->value : s->bits;
	if (s->field == FIELD_IDT_VECTORING && s->mask == ((bits & 0x80000000u) ? 0x80000fffu : 0x80000000u))
		snappend(buf, len, n, "CHECK_IDTV(%s, %#x)", src, bits);
	else if (s->field == FIELD_INFO && s->mask == 0x80000fffu)
		snappend(buf, len, n, "CHECK_INFO(%s, %#x)", src, bits);
	else if (s->field == FIELD_ERROR && s->mask == 0xffffffffu)
		snappend(buf, len, n, "CHECK_ERROR(%s, %#x)", src, bits);
	else if (s->field == FIELD_ACTIVITY && s->mask == 0xffffffffu)
		snappend(buf, len, n, "CHECK_ACTIVITY(%s, %u)", src, bits);
	else if (s->field == FIELD_INTERRUPTIBILITY && s->mask == 1u << 3)
		snappend(buf, len, n, "CHECK_SAVED_B(%s, %u)", src, bits ? 1 : 0);
	else if (s->field == FIELD_INTERRUPTIBILITY && s->mask == 3u)
		snappend(buf, len, n, "CHECK_SAVED_SHADOW(%s, %u)", src, bits);
	else if (s->field == FIELD_QUALIFICATION)
		snappend(buf, len, n, "CHECK_QUAL(%s, %#x, %#x)", src, s->mask, bits);
	else
		snappend(buf, len, n, "CHECK_EXIT(%s, %s, %#x, %#x)", src, field_c_names[s->field], s->mask, bits);
}

/* The op and its arguments, without the step's context or expectation. */
static void add_op(const struct step *s, const struct predicted_value *v, char *buf, unsigned len, size_t *n)
{
	static const char *const shadows[] = { [SHADOW_NONE] = "NONE", [SHADOW_STI] = "STI", [SHADOW_MOV_SS] = "MOV_SS" };
	const struct xvbw *c = &s->controls;
	uint64_t value = v && v->present ? v->value : 0;
	struct xvbw read = xvbw_of_value(value);
	char vec[8];
	switch (s->op) {
	case OP_SET:
		snappend(buf, len, n, "SET(%d, %d, %d, %d)", c->nmi_exiting, c->virtual_nmis, c->blocking, c->nmi_window);
		return;
	case OP_CHECK_CONTROLS:
		snappend(buf, len, n, "CHECK_XVBW(%d, %d, %d, %d)", read.nmi_exiting, read.virtual_nmis, read.blocking,
			 read.nmi_window);
		return;
	case OP_CHECK_B: snappend(buf, len, n, "CHECK_B(%u)", (unsigned)value); return;
	case OP_CHECK_BIT12: snappend(buf, len, n, "CHECK_BIT12(%u)", (unsigned)value); return;
	case OP_INJECT: add_injection(s, buf, len, n); return;
	case OP_EXC_EXITING:
		if (s->vector == VEC_GP)
			snappend(buf, len, n, "GP_EXITING(%d)", s->value);
		else
			snappend(buf, len, n, "EXC_EXITING(%s, %d)", vector_c_name(s->vector, vec, sizeof(vec)),
				 s->value);
		return;
	case OP_SHADOW: snappend(buf, len, n, "SHADOW(%s)", shadows[s->shadow]); return;
	case OP_GUEST_IF: snappend(buf, len, n, "GUEST_IF(%d)", s->value); return;
	case OP_EXIT_CONTROL: add_control(s, buf, len, n); return;
	case OP_ENTER_HLT: snappend(buf, len, n, "ENTER_HLT()"); return;
	case OP_SEND_AFTER_ENTRY:
		snappend(buf, len, n, "SEND_AFTER_ENTRY(");
		add_sends(s, buf, len, n);
		snappend(buf, len, n, ")");
		return;
	case OP_NMI_GATE: snappend(buf, len, n, "NMI_GATE(%d)", s->value); return;
	case OP_REINJECT: snappend(buf, len, n, "REINJECT(%s)", source_c_names[s->exit]); return;
	case OP_EPT: snappend(buf, len, n, "EPT(%d)", s->value); return;
	case OP_EPT_ARM_IRET:
		snappend(buf, len, n, "EPT_ARM_IRET(%s)",
			 s->response == EPT_RESPONSE_REBLOCK ? "REBLOCK" : "RESTORE_ONLY");
		return;
	case OP_CHECK_EXIT: add_check_exit(s, v, buf, len, n); return;
	case OP_MEASURE_EXIT:
		snappend(buf, len, n, "MEASURE_EXIT(%s, \"%s\")", source_c_names[s->exit], s->reference);
		return;
	case OP_MEASURE:
		snappend(buf, len, n, "MEASURE(%s, %s, \"%s\")", source_c_names[s->exit], field_c_names[s->field],
			 s->reference);
		return;
	default: snappend(buf, len, n, "/* op %u */", (unsigned)s->op); return;
	}
}

void step_print_notation(const struct step *s, const struct predicted *const *events, unsigned count,
			 const struct predicted_value *v, char *buf, unsigned len)
{
	size_t n = 0;
	static const char *const judged[OP_COUNT] = { [OP_WAIT] = "WAIT", [OP_IRET] = "IRET", [OP_FIRET] = "FIRET",
		[OP_SINCE_ENTRY] = "SINCE_ENTRY", [OP_VMENTRY] = "VMENTRY", [OP_EIRET] = "EIRET", [OP_VMCALL] = "VMCALL",
		[OP_INT2] = "INT2" };
	snappend(buf, len, &n, "%s(", s->ctx == IN_GUEST ? "G" : "H");
	if (s->op == OP_VMCALL && !count) {
		snappend(buf, len, &n, "VMCALL()");
	} else if (s->op < OP_COUNT && judged[s->op]) {
		snappend(buf, len, &n, "%s(", judged[s->op]);
		if (s->op == OP_WAIT)
			add_sends(s, buf, len, &n), snappend(buf, len, &n, ", ");
		add_expect(s, events, count, buf, len, &n);
		snappend(buf, len, &n, ")%s%s", s->settle ? ", SETTLE()" : "",
			 s->host_at_exit ? ", HOST_AT_EXIT()" : "");
	} else {
		add_op(s, v, buf, len, &n);
		if (count)
			snappend(buf, len, &n, " /* the model predicts %u event(s) in this step's window */", count);
	}
	snappend(buf, len, &n, "),");
}
