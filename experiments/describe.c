/* Steps back into the spec's notation, for the trace, the failure diagnostics and
 * docs/experiments.md (tests/catalogue_md.c builds this file on the host too). */
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
	return s < OBS_SOURCE_COUNT ? names[s] : "?";
}

bool obs_is_event(enum obs_source s)
{
	return s != OBS_NONE && s != OBS_GP_G && s != OBS_GP_H;
}


static int describe_sends(const struct step *s, char *buf, unsigned len)
{
	int n = 0;
	for (unsigned i = 0; i < s->nsends; i++)
		n += snprintf(buf + n, len > (unsigned)n ? len - n : 0, "%s%s", i ? ", " : "",
			      s->sends[i] == GEN_NMI ? "NMI" : "INTR");
	return n;
}

static int describe_expected(const struct step *s, char *buf, unsigned len)
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

void step_describe(const struct step *s, char *buf, unsigned len)
{
	const char *ctx = s->ctx == IN_GUEST ? "G" : "H";
	const int8_t *c = s->controls;
	char sends[48], expected[96];
	describe_sends(s, sends, sizeof(sends));
	describe_expected(s, expected, sizeof(expected));
	switch (s->op) {
	case OP_SET: snprintf(buf, len, "set(%d,%d,%d,%d)", c[0], c[1], c[2], c[3]); break;
	case OP_CHECK_CONTROLS: snprintf(buf, len, "check(%d,%d,%d,%d)", c[0], c[1], c[2], c[3]); break;
	case OP_CHECK_B: snprintf(buf, len, "check(B=%d)", c[0]); break;
	case OP_CHECK_BIT12: snprintf(buf, len, "check(bit12=%d at that exit)", c[0]); break;
	case OP_INJECT_NMI: snprintf(buf, len, "inject(NMI)"); break;
	case OP_INJECT_INTR: snprintf(buf, len, "inject(INTR %#x)", s->vector); break;
	case OP_GP_EXITING: snprintf(buf, len, c[0] ? "exception bitmap |= #GP" : "clear #GP exiting"); break;
	case OP_WAIT: snprintf(buf, len, "wait(%s: %s -> %s)", ctx, sends, expected); break;
	case OP_IRET: snprintf(buf, len, "iret(%s -> %s)", ctx, expected); break;
	case OP_FIRET: snprintf(buf, len, "firet(%s -> %s)", ctx, expected); break;
	case OP_SINCE_ENTRY:
		snprintf(buf, len, "%s -> %s", s->ctx == IN_GUEST ? "after VM entry" : "since the VM exit", expected);
		break;
	case OP_VMCALL: snprintf(buf, len, "vmcall"); break;
	}
}
