/* What each step op is, and the steps back in the spec's notation, for the trace, the
 * failure diagnostics and docs/experiments.md (tests/catalogue_md.c builds this file on
 * the host too). */
#include "experiments/experiment.h"
#include "lib/printf.h"

static const char *const names[OBS_SOURCE_COUNT] = {
	[OBS_NONE] = "none", [OBS_NMI_G] = "NMI@G", [OBS_INTR_G] = "INTR@G",
	[OBS_NMI_H] = "NMI@H", [OBS_INTR_H] = "INTR@H", [OBS_EXIT_NMI] = "EXIT_NMI",
	[OBS_EXIT_NMIW] = "EXIT_NMIW", [OBS_EXIT_GP] = "EXIT_GP", [OBS_GP_G] = "#GP@G",
	[OBS_GP_H] = "#GP@H", [OBS_TIMEOUT] = "timeout",
};

const char *obs_source_name(enum obs_source s)
{
	return s < OBS_SOURCE_COUNT && names[s] ? names[s] : "?";
}

bool obs_is_event(enum obs_source s)
{
	return s != OBS_NONE && s != OBS_GP_G && s != OBS_GP_H;
}

bool obs_is_exit(enum obs_source s)
{
	return s == OBS_EXIT_NMI || s == OBS_EXIT_NMIW || s == OBS_EXIT_GP;
}

/* A VM exit caused by a fault saves the rip of the faulting instruction, as the fault
 * itself would have pushed it (SDM Vol. 3C 27.3.3, saving RIP). */
bool obs_is_fault_exit(enum obs_source s)
{
	return s == OBS_EXIT_GP;
}

/* --- the notation ------------------------------------------------------------------- */

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
		n += snprintf(buf + n, len > (unsigned)n ? len - n : 0, "%s%s", i ? ", " : "",
			      obs_source_name(e->source));
		if (e->anchor == AT_G_HANDLER || e->anchor == AT_H_HANDLER)
			n += snprintf(buf + n, len > (unsigned)n ? len - n : 0, " at %s's handler %#x",
				      e->anchor == AT_G_HANDLER ? "G" : "H", e->vector);
		else if (e->anchor == AT_HOST_EXIT_ENTRY)
			n += snprintf(buf + n, len > (unsigned)n ? len - n : 0, " at H's VM-exit entry");
	}
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

static void describe_inject_nmi(const struct step *s, char *buf, unsigned len)
{
	(void)s;
	snprintf(buf, len, "inject(NMI)");
}

static void describe_inject_intr(const struct step *s, char *buf, unsigned len)
{
	snprintf(buf, len, "inject(INTR %#x)", s->vector);
}

static void describe_gp_exiting(const struct step *s, char *buf, unsigned len)
{
	snprintf(buf, len, s->value ? "exception bitmap |= #GP" : "clear #GP exiting");
}

static void describe_wait(const struct step *s, char *buf, unsigned len)
{
	char sends[48], expected[96];
	describe_sends(s, sends, sizeof(sends));
	describe_expectation(s, expected, sizeof(expected));
	snprintf(buf, len, "wait(%s: %s -> %s)", context_name(s), sends, expected);
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
	snprintf(buf, len, "%s -> %s", s->ctx == IN_GUEST ? "after VM entry" : "since the VM exit", expected);
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

/* The one table of what each step op is. */
const struct step_op_properties step_ops[OP_COUNT] = {
	[OP_SET] = { "set", true, JUDGES_NOTHING, AT_STEP, AT_STEP, AT_STEP, describe_set },
	[OP_CHECK_CONTROLS] = { "check", true, JUDGES_VALUE, AT_STEP, AT_STEP, AT_STEP, describe_check },
	[OP_CHECK_B] = { "check(B)", true, JUDGES_VALUE, AT_STEP, AT_STEP, AT_STEP, describe_check_b },
	[OP_CHECK_BIT12] = { "check(bit12)", true, JUDGES_VALUE, AT_STEP, AT_STEP, AT_STEP, describe_check_bit12 },
	[OP_INJECT_NMI] = { "inject(NMI)", true, JUDGES_NOTHING, AT_STEP, AT_STEP, AT_STEP, describe_inject_nmi },
	[OP_INJECT_INTR] = { "inject(INTR)", true, JUDGES_NOTHING, AT_STEP, AT_STEP, AT_STEP, describe_inject_intr },
	[OP_GP_EXITING] = { "#GP exiting", true, JUDGES_NOTHING, AT_STEP, AT_STEP, AT_STEP, describe_gp_exiting },
	[OP_WAIT] = { "wait", false, JUDGES_EVENTS, AT_AFTER_HLT, AT_AFTER_HLT, AT_AFTER_HLT, describe_wait },
	[OP_IRET] = { "iret", false, JUDGES_EVENTS, AT_AFTER_IRET, AT_AFTER_IRET, AT_AFTER_IRET, describe_iret },
	[OP_FIRET] = { "firet", false, JUDGES_EVENTS, AT_AFTER_FIRET, AT_AFTER_FIRET, AT_FIRET, describe_iret },
	[OP_SINCE_ENTRY] = { "since entry", true, JUDGES_EVENTS, AT_AFTER_VMCALL, AT_HOST_EXIT_ENTRY,
			     AT_AFTER_VMCALL, describe_since_entry },
	[OP_VMCALL] = { "vmcall", true, JUDGES_NOTHING, AT_STEP, AT_STEP, AT_STEP, describe_vmcall },
	[OP_MEASURE_EXIT] = { "measure", true, JUDGES_NOTHING, AT_STEP, AT_STEP, AT_STEP, describe_measure_exit },
};

void step_describe(const struct step *s, char *buf, unsigned len)
{
	if (s->op < OP_COUNT && step_ops[s->op].describe)
		step_ops[s->op].describe(s, buf, len);
	else
		snprintf(buf, len, "(unknown step op %u)", (unsigned)s->op);
}

void step_describe_numbered(const struct experiment *x, unsigned index, char *buf, unsigned len)
{
	char text[128];
	step_describe(&x->steps[index], text, sizeof(text));
	snprintf(buf, len, "%u of %u, [%s] %s", index + 1, x->nsteps, context_name(&x->steps[index]), text);
}

/* --- what an experiment needs ---------------------------------------------------------- */

const struct experiment *experiment_numbered(unsigned number)
{
	for (unsigned i = 0; i < catalogue_size; i++)
		if (catalogue[i].number == number)
			return &catalogue[i];
	return 0;
}

bool experiment_needs_vmx(const struct experiment *x)
{
	for (unsigned i = 0; i < x->nsteps; i++)
		if (x->steps[i].ctx == IN_GUEST || step_ops[x->steps[i].op].needs_vmx)
			return true;
	return false;
}

struct xvbw experiment_controls_used(const struct experiment *x)
{
	struct xvbw used = { 0, 0, 0, 0 };
	for (unsigned i = 0; i < x->nsteps; i++) {
		const struct step *s = &x->steps[i];
		if (s->op != OP_SET)
			continue;
		used.nmi_exiting |= s->controls.nmi_exiting;
		used.virtual_nmis |= s->controls.virtual_nmis;
		used.blocking |= s->controls.blocking;
		used.nmi_window |= s->controls.nmi_window;
	}
	return used;
}
