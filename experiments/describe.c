/* What each step op is, and the steps back in the spec's notation, for the trace, the
 * failure diagnostics and docs/experiments.md (tests/catalogue_md.c builds this file on
 * the host too). */
#include "experiments/experiment.h"
#include "lib/printf.h"
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

static int describe_sends(const struct step *s, char *buf, unsigned len)
{
	int n = 0;
	for (unsigned i = 0; i < s->nsends; i++)
		n += snprintf(buf + n, len > (unsigned)n ? len - n : 0, "%s%s", i ? ", " : "",
			      s->sends[i] == GEN_NMI ? "NMI" : "INTR");
	return n;
}

static int describe_expectation(const struct step *s, char *buf, unsigned len)
{
	if (!s->nexpected)
		return snprintf(buf, len, "none");
	int n = 0;
	for (unsigned i = 0; i < s->nexpected; i++) {
		const struct expected_event *e = &s->expected[i];
		n += snprintf(buf + n, len > (unsigned)n ? len - n : 0, "%s%s", i ? (s->either ? " or " : ", ") : "",
			      e->source == OBS_NONE ? "none" : obs_source_name(e->source));
		if (e->has_detail)
			n += snprintf(buf + n, len > (unsigned)n ? len - n : 0, "(%s %u)",
				      e->source == OBS_ENTRY_VMFAIL ? "error" : "qualification", e->detail);
		if (e->anchor == AT_G_HANDLER || e->anchor == AT_H_HANDLER)
			n += snprintf(buf + n, len > (unsigned)n ? len - n : 0, " at %s's handler %#x",
				      e->anchor == AT_G_HANDLER ? "G" : "H", e->vector);
		else if (e->anchor == AT_HOST_EXIT_ENTRY)
			n += snprintf(buf + n, len > (unsigned)n ? len - n : 0, " at H's VM-exit entry");
		else if (e->anchor == AT_AFTER_VMCALL_NEXT)
			n += snprintf(buf + n, len > (unsigned)n ? len - n : 0, " one instruction after VMCALL");
		else if (e->anchor == AT_IRET)
			n += snprintf(buf + n, len > (unsigned)n ? len - n : 0, " at the IRET");
		else if (e->anchor == AT_PAGE_IRET || e->anchor == AT_AFTER_PAGE_IRET)
			n += snprintf(buf + n, len > (unsigned)n ? len - n : 0, " %s the IRET",
				      e->anchor == AT_PAGE_IRET ? "at" : "after");
	}
	if (s->either)
		n += snprintf(buf + n, len > (unsigned)n ? len - n : 0, " (measured)");
	return n;
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
		if (s->vector == 2)
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
	return s->settle ? "; sent 1 ms after the HLT" : "";
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

static void describe_since_entry(const struct step *s, char *buf, unsigned len)
{
	char expected[96];
	describe_expectation(s, expected, sizeof(expected));
	snprintf(buf, len, "%s -> %s%s", s->ctx == IN_GUEST ? "after VM entry" : "since the VM exit", expected,
		 modifiers(s));
}

static void describe_vmcall(const struct step *s, char *buf, unsigned len)
{
	(void)s;
	snprintf(buf, len, "vmcall");
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
	snprintf(buf, len, "send(%s, 1 ms after the VM entry)", sends);
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
#define PROPS(op_name, vmx, judged, guest_at, host_at, fault_at, describer, features) \
	{ .name = op_name, .needs_vmx = vmx, .judges = judged, .in_guest = guest_at, .in_host = host_at, \
	  .fault = fault_at, .describe = describer, .needs = features }
#define SETUP(op_name, describer, features) \
	PROPS(op_name, true, JUDGES_NOTHING, AT_STEP, AT_STEP, AT_STEP, describer, features)
#define VALUE_CHECK(op_name, describer) \
	PROPS(op_name, true, JUDGES_VALUE, AT_STEP, AT_STEP, AT_STEP, describer, 0)

const struct step_op_properties step_ops[OP_COUNT] = {
	[OP_SET] = SETUP("set", describe_set, 0),
	[OP_CHECK_CONTROLS] = VALUE_CHECK("check", describe_check),
	[OP_CHECK_B] = VALUE_CHECK("check(B)", describe_check_b),
	[OP_CHECK_BIT12] = VALUE_CHECK("check(bit12)", describe_check_bit12),
	[OP_INJECT] = SETUP("inject", describe_inject, 0),
	[OP_EXC_EXITING] = SETUP("exception exiting", describe_exc_exiting, 0),
	[OP_WAIT] = PROPS("wait", false, JUDGES_EVENTS, AT_AFTER_HLT, AT_AFTER_HLT, AT_AFTER_HLT, describe_wait, 0),
	[OP_IRET] = PROPS("iret", false, JUDGES_EVENTS, AT_AFTER_IRET, AT_AFTER_IRET, AT_AFTER_IRET, describe_iret, 0),
	[OP_FIRET] = PROPS("firet", false, JUDGES_EVENTS, AT_AFTER_FIRET, AT_AFTER_FIRET, AT_FIRET, describe_iret, 0),
	[OP_SINCE_ENTRY] = PROPS("since entry", true, JUDGES_EVENTS, AT_AFTER_VMCALL, AT_HOST_EXIT_ENTRY,
				 AT_AFTER_VMCALL, describe_since_entry, 0),
	[OP_VMCALL] = SETUP("vmcall", describe_vmcall, 0),
	[OP_MEASURE_EXIT] = SETUP("measure", describe_measure_exit, 0),
	/* A failed entry leaves the guest's rip where it was: after the VMCALL. */
	[OP_VMENTRY] = PROPS("VM entry", true, JUDGES_EVENTS, AT_AFTER_VMCALL, AT_AFTER_VMCALL, AT_AFTER_VMCALL,
			     describe_vmentry, 0),
	[OP_SHADOW] = SETUP("shadow", describe_shadow, 0),
	[OP_GUEST_IF] = SETUP("guest IF", describe_guest_if, 0),
	[OP_EXIT_CONTROL] = SETUP("exit control", describe_exit_control, 0),
	[OP_ENTER_HLT] = SETUP("enter HLT", describe_enter_hlt, FEATURE_HLT_STATE),
	[OP_SEND_AFTER_ENTRY] = SETUP("send after entry", describe_send_after_entry, 0),
	[OP_NMI_GATE] = SETUP("NMI gate", describe_nmi_gate, 0),
	[OP_REINJECT] = SETUP("re-inject", describe_reinject, 0),
	[OP_CHECK_EXIT] = VALUE_CHECK("check", describe_check_exit),
	[OP_MEASURE] = SETUP("measure", describe_measure, 0),
	[OP_EPT] = SETUP("EPT", describe_ept, FEATURE_EPT),
	[OP_EPT_ARM_IRET] = SETUP("arm the EPT frame page", describe_ept_arm_iret, FEATURE_EPT),
	/* Its EPT violation is fault-like: saved at the IRET, which then executes again. */
	[OP_EIRET] = PROPS("eiret", true, JUDGES_EVENTS, AT_AFTER_PAGE_IRET, AT_AFTER_PAGE_IRET, AT_PAGE_IRET,
			   describe_eiret, FEATURE_EPT),
	[OP_SVM_INTERCEPTS] = SETUP("svm", describe_svm_intercepts, 0),
	[OP_CLGI] = SETUP("clgi", describe_clgi, 0),
	/* What GIF = 0 held lands right after the STGI. */
	[OP_STGI] = PROPS("stgi", true, JUDGES_EVENTS, AT_AFTER_STGI, AT_AFTER_STGI, AT_AFTER_STGI, describe_stgi, 0),
	/* A spin has no place where events land: what it sends must be held. */
	[OP_SPIN] = PROPS("spin", false, JUDGES_EVENTS, AT_ELSEWHERE, AT_ELSEWHERE, AT_ELSEWHERE, describe_spin, 0),
	[OP_GIF_AT_EXIT] = SETUP("GIF at exit", describe_gif_at_exit, 0),
	[OP_VNMI] = SETUP("vnmi", describe_vnmi, FEATURE_SVM_VNMI),
	[OP_VGIF] = SETUP("vgif", describe_vgif, FEATURE_SVM_VGIF),
};

void step_describe(const struct step *s, char *buf, unsigned len)
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

unsigned step_needs(const struct step *s)
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
