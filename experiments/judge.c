#include "experiments/judge.h"

#include <stdarg.h>

#include "guest/hypercall.h"
#include "lib/printf.h"
#include "machine/anchors.h"
#include "machine/layout.h"
#include "machine/trap.h"

/* --- anchors -------------------------------------------------------------------- */

/* The named anchors: where each is, and what the diagnostics call it. */
static const struct {
	enum anchor anchor;
	const char *at;
	const char *name;
} named[] = {
	{ AT_AFTER_HLT, after_hlt, "after HLT" },
	{ AT_AFTER_IRET, after_iret, "after IRET" },
	{ AT_AFTER_VMCALL, after_vmcall, "after VMCALL" },
	{ AT_AFTER_VMCALL_NEXT, after_vmcall_next, "one instruction after VMCALL" },
	{ AT_HOST_EXIT_ENTRY, vmexit_entry, "host VM-exit entry" },
	{ AT_FIRET, faulting_iret, "the faulting IRET" },
	{ AT_AFTER_FIRET, after_faulting_iret, "after the faulting IRET" },
	{ AT_PAGE_IRET, page_iret, "the IRET from the EPT frame page" },
	{ AT_AFTER_PAGE_IRET, after_page_iret, "after the IRET from the EPT frame page" },
};
#define NAMED_COUNT (sizeof(named) / sizeof(named[0]))

static enum anchor natural_anchor(const struct step *s, const struct expected_event *e)
{
	const struct step_op_properties *p = &step_ops[s->op];
	if (obs_is_fault_exit(e->source))
		return p->fault;
	return s->ctx == IN_GUEST ? p->in_guest : p->in_host;
}

uintptr_t anchor_address(const struct step *s, const struct expected_event *e)
{
	enum anchor a = e->anchor == AT_STEP ? natural_anchor(s, e) : e->anchor;
	if (a == AT_G_HANDLER)
		return guest_handler_address(e->vector);
	if (a == AT_H_HANDLER)
		return host_handler_address(e->vector);
	for (unsigned i = 0; i < NAMED_COUNT; i++)
		if (named[i].anchor == a)
			return (uintptr_t)named[i].at;
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

struct expected_event anchor_of(enum obs_source source, uintptr_t rip)
{
	struct expected_event e = { .source = source, .anchor = AT_ELSEWHERE };
	unsigned vector;
	for (unsigned i = 0; i < NAMED_COUNT; i++)
		if (rip == (uintptr_t)named[i].at)
			e.anchor = named[i].anchor;
	if (e.anchor == AT_ELSEWHERE && in_stub_table(rip, guest_handler_address, &vector))
		e.anchor = AT_G_HANDLER, e.vector = (uint8_t)vector;
	else if (e.anchor == AT_ELSEWHERE && in_stub_table(rip, host_handler_address, &vector))
		e.anchor = AT_H_HANDLER, e.vector = (uint8_t)vector;
	return e;
}

/* --- describing -------------------------------------------------------------------- */

/* snprintf that appends at *n and never runs past len. */
static void append(char *buf, unsigned len, int *n, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void append(char *buf, unsigned len, int *n, const char *fmt, ...)
{
	if (*n >= (int)len)
		return;
	va_list ap;
	va_start(ap, fmt);
	*n += vsnprintf(buf + *n, len - *n, fmt, ap);
	va_end(ap);
}

const char *describe_rip(uintptr_t rip, char *buf, unsigned len)
{
	struct expected_event e = anchor_of(OBS_NONE, rip);
	int n = 0;
	append(buf, len, &n, "%#lx", (unsigned long)rip);
	if (e.anchor == AT_G_HANDLER || e.anchor == AT_H_HANDLER)
		append(buf, len, &n, " (%s handler %#x entry)", e.anchor == AT_G_HANDLER ? "guest" : "host",
		       e.vector);
	for (unsigned i = 0; i < NAMED_COUNT; i++)
		if (named[i].anchor == e.anchor)
			append(buf, len, &n, " (%s)", named[i].name);
	return buf;
}

/* "EXIT_NMI at 0x... (after HLT) [info 0x80000202, ...]". Returns the length. */
static int describe_observation(const struct observation *o, char *buf, unsigned len)
{
	char where[64];
	int n = 0;
	append(buf, len, &n, "%s at %s", obs_source_name(o->source), describe_rip(o->rip, where, sizeof(where)));
	if (o->source == OBS_ENTRY_VMFAIL)
		append(buf, len, &n, " [VM-instruction error %u]", o->detail);
	else if (o->source == OBS_ENTRY_BAD_GUEST)
		append(buf, len, &n, " [qualification %u, entry info %#x, interruptibility %#x]", o->detail,
		       o->entry_info, o->interruptibility);
	else if (o->source == OBS_EXIT_EPT)
		append(buf, len, &n, " [qualification %#llx, interruptibility %#x, idt-vectoring %#x]",
		       (unsigned long long)o->qualification, o->interruptibility, o->idt_vectoring_info);
	else if (obs_is_exit(o->source))
		append(buf, len, &n, " [info %#x, interruptibility %#x, activity %u, length %u, idt-vectoring %#x]",
		       o->interruption_info, o->interruptibility, o->activity_state, o->instruction_length,
		       o->idt_vectoring_info);
	if (o->in_halt_window)
		append(buf, len, &n, " (it hit before the HLT)");
	return n;
}

void describe_events(const struct observation *obs, unsigned n, char *buf, unsigned len)
{
	int used = 0;
	buf[0] = 0;
	for (unsigned i = 0; i < n; i++) {
		if (!obs_is_event(obs[i].source))
			continue;
		append(buf, len, &used, "%s", used ? ", " : "");
		if (used < (int)len)
			used += describe_observation(&obs[i], buf + used, len - used);
	}
	if (!used)
		snprintf(buf, len, "none");
}

void describe_expected(const struct step *s, char *buf, unsigned len)
{
	int n = 0;
	buf[0] = 0;
	for (unsigned i = 0; i < s->nexpected; i++) {
		char where[64];
		const struct expected_event *e = &s->expected[i];
		append(buf, len, &n, "%s%s at %s", i ? ", then " : "", obs_source_name(e->source),
		       describe_rip(anchor_address(s, e), where, sizeof(where)));
	}
	if (!n)
		snprintf(buf, len, "none");
}

/* --- matching ----------------------------------------------------------------------- */

static bool event_is(const struct step *s, const struct expected_event *e, const struct observation *o)
{
	return o->source == e->source && o->rip == anchor_address(s, e) && (!e->has_detail || o->detail == e->detail);
}

/* EXPECT_EITHER: exactly one event, one of the two; *which says which (0 or 1). */
static bool either_matches(const struct step *s, const struct observation *obs, unsigned n, unsigned *which)
{
	const struct observation *only = 0;
	for (unsigned i = 0; i < n; i++) {
		if (!obs_is_event(obs[i].source))
			continue;
		if (only)
			return false;
		only = &obs[i];
	}
	for (unsigned k = 0; only && k < s->nexpected; k++)
		if (event_is(s, &s->expected[k], only)) {
			*which = k;
			return true;
		}
	return false;
}

bool events_match(const struct step *s, const struct observation *obs, unsigned n)
{
	unsigned matched = 0, which;
	if (s->either)
		return either_matches(s, obs, n, &which);
	for (unsigned i = 0; i < n; i++) {
		if (!obs_is_event(obs[i].source))
			continue;
		if (matched == s->nexpected)
			return false; /* one more than expected */
		if (!event_is(s, &s->expected[matched++], &obs[i]))
			return false;
	}
	return matched == s->nexpected;
}

/* --- outcomes ------------------------------------------------------------------------ */

struct outcome outcome_of_events(const struct observation *obs, unsigned n)
{
	struct outcome o = { .is_value = false };
	for (unsigned i = 0; i < n; i++) {
		if (!obs_is_event(obs[i].source))
			continue;
		if (o.nevents == MAX_OUTCOME_EVENTS) {
			o.more = true;
			break;
		}
		struct expected_event e = anchor_of(obs[i].source, obs[i].rip);
		if (obs_is_entry_failure(obs[i].source))
			e.has_detail = true, e.detail = obs[i].detail;
		o.events[o.nevents++] = e;
	}
	return o;
}

struct outcome outcome_of_value(int value)
{
	return (struct outcome){ .is_value = true, .value = value };
}

int xvbw_digits(const struct xvbw *c)
{
	return c->nmi_exiting * 1000 + c->virtual_nmis * 100 + c->blocking * 10 + c->nmi_window;
}

static bool same_event(const struct expected_event *a, const struct expected_event *b)
{
	bool has_vector = a->anchor == AT_G_HANDLER || a->anchor == AT_H_HANDLER;
	return a->source == b->source && a->anchor == b->anchor && (!has_vector || a->vector == b->vector) &&
	       a->has_detail == b->has_detail && (!a->has_detail || a->detail == b->detail);
}

bool outcome_equal(const struct outcome *a, const struct outcome *b)
{
	if (a->is_value != b->is_value)
		return false;
	if (a->is_value)
		return a->value == b->value;
	if (a->nevents != b->nevents || a->more || b->more)
		return false;
	for (unsigned i = 0; i < a->nevents; i++)
		if (!same_event(&a->events[i], &b->events[i]))
			return false;
	return true;
}

static void describe_anchor(const struct expected_event *e, char *buf, unsigned len, int *n)
{
	if (e->anchor == AT_G_HANDLER || e->anchor == AT_H_HANDLER) {
		append(buf, len, n, " at %s's handler %#x", e->anchor == AT_G_HANDLER ? "G" : "H", e->vector);
		return;
	}
	for (unsigned i = 0; i < NAMED_COUNT; i++)
		if (named[i].anchor == e->anchor) {
			append(buf, len, n, " %s", named[i].name);
			return;
		}
	append(buf, len, n, " %s", e->anchor == AT_STEP ? "at the step's place" : "at an unnamed rip");
}

static void describe_value(int value, const struct step *s, char *buf, unsigned len)
{
	if (s && s->op == OP_CHECK_CONTROLS)
		snprintf(buf, len, "(%d,%d,%d,%d)", value / 1000, value / 100 % 10, value / 10 % 10, value % 10);
	else
		snprintf(buf, len, "%s=%d", s && s->op == OP_CHECK_BIT12 ? "bit12" : "B", value);
}

void describe_outcome(const struct outcome *o, const struct step *s, char *buf, unsigned len)
{
	int n = 0;
	if (o->is_value) {
		describe_value(o->value, s, buf, len);
		return;
	}
	buf[0] = 0;
	for (unsigned i = 0; i < o->nevents; i++) {
		append(buf, len, &n, "%s%s", i ? ", " : "", obs_source_name(o->events[i].source));
		if (o->events[i].has_detail)
			append(buf, len, &n, "(%u)", o->events[i].detail);
		describe_anchor(&o->events[i], buf, len, &n);
	}
	if (o->more)
		append(buf, len, &n, ", ...");
	if (!n)
		snprintf(buf, len, "none");
}
