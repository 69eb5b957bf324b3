/*
 * The model's clauses (model/vmx.c) driven with made-up experiments: what each predicts,
 * with the masks of the bits the SDM defines, what a quirk changes, what it leaves to
 * the processor's choice, and what it refuses to predict (timing).
 */
#include <string.h>

#include "experiments/notation.h"
#include "model/vmx.h"
#include "tests/unit.h"
#include "machine/vmx_arch.h"

#define EXPERIMENT(...) { .number = 200, .title = "test", .rule = "SDM", .basis = BASIS_SDM, STEPS(__VA_ARGS__) }

static struct prediction p;

static void predict(const struct experiment *x, unsigned quirks, unsigned choices)
{
	struct model_config c = { .vmx = true, .quirks = quirks, .choices = choices };
	model_predict(x, &c, &p);
}

/* The n-th prediction of that source, or 0. */
static const struct predicted *nth(enum obs_source s, unsigned n)
{
	for (unsigned i = 0; i < p.count; i++)
		if (p.items[i].source == s && !n--)
			return &p.items[i];
	return 0;
}

static unsigned events_in(unsigned step)
{
	unsigned n = 0;
	for (unsigned i = 0; i < p.count; i++)
		n += p.items[i].step == step && obs_is_event(p.items[i].source);
	return n;
}

/* 26.6.1: VM entry replaces the host's blocking; the held NMI lands after the entry. */
static void test_entry_replaces_blocking(void)
{
	const struct experiment x = EXPERIMENT(
		H(WAIT(SENDS(NMI), EXPECT(NMI_H))), H(WAIT(SENDS(NMI, INTR), EXPECT(INTR_H))),
		H(SET(0, 0, 0, 0)), G(SINCE_ENTRY(EXPECT(NMI_G))), G(IRET(EXPECT_NONE())));
	predict(&x, 0, 0);
	CHECK(p.unsupported == NULL);
	const struct predicted *nmi = nth(OBS_NMI_G, 0);
	CHECK(nmi && nmi->anchor == AT_AFTER_VMCALL && nmi->step == 3);
	/* With Bochs 2.7's quirk the NMI stays held until G's IRET unblocks it. */
	predict(&x, QUIRK_ENTRY_KEEPS_NMI_BLOCKING, 0);
	nmi = nth(OBS_NMI_G, 0);
	CHECK(nmi && nmi->anchor == AT_AFTER_IRET && nmi->step == 4);
	CHECK(p.quirks_fired == QUIRK_ENTRY_KEEPS_NMI_BLOCKING);
}

/* 27.2.2: bit 12 is undefined with NMI exiting and no virtual NMIs, defined (0) with them;
 * 27.3.4: the NMI exit saves blocking as it was; 27.2.3: IDT-vectoring valid bit only. */
static void test_nmi_exit_record(void)
{
	const struct experiment plain = EXPERIMENT(H(SET(1, 0, 0, 0)), G(WAIT(SENDS(NMI), EXPECT(EXIT_NMI))));
	predict(&plain, 0, 0);
	const struct predicted *e = nth(OBS_EXIT_NMI, 0);
	CHECK(e != NULL);
	if (!e)
		return;
	CHECK_INT_EQ(e->rec.info, 0x80000202);
	CHECK_INT_EQ(e->mask.info & INTR_INFO_NMI_UNBLOCKED_BY_IRET, 0);
	CHECK_INT_EQ(e->mask.idt_vectoring, INTR_INFO_VALID);
	CHECK_INT_EQ(e->rec.interruptibility, 0);
	CHECK_INT_EQ(e->mask.length, 0);           /* undefined for an NMI exit (27.2.5) */
	CHECK_INT_EQ(e->mask.activity, 0);         /* the NMI may hit before the HLT: timing */
	const struct experiment virtual = EXPERIMENT(H(SET(1, 1, 0, 0)),
							    G(WAIT(SENDS(NMI), EXPECT(EXIT_NMI)), SETTLE()));
	predict(&virtual, 0, 0);
	e = nth(OBS_EXIT_NMI, 0);
	CHECK(e && (e->mask.info & INTR_INFO_NMI_UNBLOCKED_BY_IRET));
	CHECK(e && e->rec.activity == ACTIVITY_HLT && e->mask.activity == 0xffffffffu); /* settled */
	predict(&virtual, QUIRK_HLT_EXIT_SAVES_ACTIVE, 0);
	e = nth(OBS_EXIT_NMI, 0);
	CHECK(e && e->rec.activity == ACTIVITY_ACTIVE);
	predict(&plain, QUIRK_NMI_EXIT_SAVES_BLOCKING, 0);
	e = nth(OBS_EXIT_NMI, 0);
	CHECK(e && e->rec.interruptibility == INTERRUPTIBILITY_NMI);
	/* Every VMCALL's record: reason 18, instruction length 3. */
	const struct predicted *v = nth(OBS_EXIT_VMCALL, 0);
	CHECK(v && v->rec.reason == EXIT_REASON_VMCALL && v->rec.length == 3 && v->mask.length == 0xffffffffu);
}

/* Vol. 3A 6.7.1, 25.3: a faulting IRET unblocks; with #GP exiting, bit 12 says so. */
static void test_faulting_iret(void)
{
	const struct experiment x = EXPERIMENT(H(SET(0, 0, 1, 0)), H(GP_EXITING(1)),
						      G(FIRET(EXPECT(EXIT_GP))), H(CHECK_BIT12(1)));
	predict(&x, 0, 0);
	const struct predicted *e = nth(OBS_EXIT_GP, 0);
	CHECK(e && e->anchor == AT_FIRET && e->rec.info == 0x80001b0d && e->rec.error == 0);
	CHECK(e && (e->mask.info & INTR_INFO_NMI_UNBLOCKED_BY_IRET));
	CHECK(p.values[3].present && p.values[3].value == 1 && p.values[3].mask == 1);
	/* With NMI exiting and no virtual NMIs, bit 12 is undefined: a check of it asserts nothing. */
	const struct experiment undefined = EXPERIMENT(H(SET(1, 0, 1, 0)), H(GP_EXITING(1)),
							      G(FIRET(EXPECT(EXIT_GP))), H(CHECK_BIT12(0)));
	predict(&undefined, 0, 0);
	CHECK(p.values[3].present && p.values[3].mask == 0);
}

/* 26.6.6: the NMI window takes priority over a held NMI; the host then takes the NMI at
 * its exit handler's first instruction, recorded before the exit. */
static void test_window_before_nmi(void)
{
	const struct experiment x = EXPERIMENT(
		H(WAIT(SENDS(NMI), EXPECT(NMI_H))), H(WAIT(SENDS(NMI, INTR), EXPECT(INTR_H))), H(SET(1, 1, 0, 1)),
		G(SINCE_ENTRY(EXPECT_PAIR(EV_AT(NMI_H, AT_HOST_EXIT_ENTRY), EV_AT(EXIT_NMIW, AT_AFTER_VMCALL)))));
	predict(&x, 0, 0);
	CHECK_INT_EQ(events_in(3), 2);
	const struct predicted *h = nth(OBS_NMI_H, 1), *w = nth(OBS_EXIT_NMIW, 0);
	CHECK(h && w && h < w && h->anchor == AT_HOST_EXIT_ENTRY);
}

/* Where the SDM lets the processor choose, the model says it consulted the choice. */
static void test_choices(void)
{
	/* Every combination of the consulted choices, each once, 0 first. */
	unsigned seen = 0, n = 1, ch = 0;
	while (model_next_choices(0x5, &ch)) {
		seen |= 1u << ch;
		n++;
	}
	CHECK_INT_EQ(n, 4);
	CHECK_INT_EQ(seen, (1u << 1) | (1u << 4) | (1u << 5));
	ch = 0;
	CHECK(!model_next_choices(0, &ch));
	const struct experiment x = EXPERIMENT(H(SET(1, 1, 0, 1)), H(SHADOW(STI)), G(SINCE_ENTRY(EXPECT_NONE())));
	predict(&x, 0, 0);
	CHECK(p.choices_consulted & CHOICE_STI_BLOCKS_NMI);
	const struct predicted *w = nth(OBS_EXIT_NMIW, 0);
	CHECK(w && w->anchor == AT_AFTER_VMCALL);
	predict(&x, 0, CHOICE_STI_BLOCKS_NMI);
	w = nth(OBS_EXIT_NMIW, 0);
	CHECK(w && w->anchor == AT_AFTER_VMCALL_NEXT);
	CHECK(w && (w->rec.interruptibility & INTERRUPTIBILITY_STI) == 0);
}

/* What depends on timing is not predicted: a second event sent after the wait ended,
 * when it is not held, could land anywhere. */
static void test_unsupported(void)
{
	const struct experiment x = EXPERIMENT(H(SET(0, 0, 0, 0)), G(WAIT(SENDS(INTR, NMI), EXPECT(INTR_G))));
	predict(&x, 0, 0);
	CHECK(p.unsupported != NULL);
	const struct experiment held = EXPERIMENT(H(SET(0, 0, 1, 0)), G(WAIT(SENDS(NMI, INTR), EXPECT(INTR_G))));
	predict(&held, 0, 0);
	CHECK(p.unsupported == NULL);
	/* An entry into HLT that the NMI window ends at once: the NMI sent 1 ms later finds the
	 * host somewhere in its steps. */
	const struct experiment woken = EXPERIMENT(H(SET(1, 1, 0, 1)), H(ENTER_HLT()), H(SEND_AFTER_ENTRY(SENDS(NMI))),
						   G(SINCE_ENTRY(EXPECT(EXIT_NMIW))), H(SET(0, 0, 0, 0)));
	predict(&woken, 0, 0);
	CHECK(p.unsupported != NULL && p.unsupported_step == 3);
}

/* 26.6.2, 27.3.4: an exit from the HLT state that VM entry left the guest in saves HLT;
 * Bochs's quirk saves active, except for the preemption timer. */
static void test_exits_from_hlt(void)
{
	const struct experiment timer = EXPERIMENT(H(SET(1, 0, 0, 0)), H(PREEMPT_TIMER(0)), H(ENTER_HLT()),
						   G(SINCE_ENTRY(EXPECT(EXIT_PREEMPT))));
	predict(&timer, QUIRK_HLT_EXIT_SAVES_ACTIVE, 0);
	const struct predicted *e = nth(OBS_EXIT_PREEMPT, 0);
	CHECK(e && e->rec.activity == ACTIVITY_HLT && e->mask.activity == 0xffffffffu);
	CHECK_INT_EQ(p.quirks_fired, 0);
	/* With the NMI window open too, something else woke it: Bochs saves active. */
	const struct experiment timer_window = EXPERIMENT(H(SET(1, 1, 0, 1)), H(PREEMPT_TIMER(0)), H(ENTER_HLT()),
							  G(SINCE_ENTRY(EXPECT_PAIR(EV(EXIT_PREEMPT), EV(EXIT_NMIW)))));
	predict(&timer_window, QUIRK_HLT_EXIT_SAVES_ACTIVE, 0);
	e = nth(OBS_EXIT_PREEMPT, 0);
	CHECK(e && e->rec.activity == ACTIVITY_ACTIVE && p.quirks_fired == QUIRK_HLT_EXIT_SAVES_ACTIVE);
	predict(&timer_window, 0, 0);
	e = nth(OBS_EXIT_PREEMPT, 0);
	CHECK(e && e->rec.activity == ACTIVITY_HLT);
	const struct experiment nmi = EXPERIMENT(H(SET(1, 0, 0, 0)), H(ENTER_HLT()), H(SEND_AFTER_ENTRY(SENDS(NMI))),
						 G(SINCE_ENTRY(EXPECT(EXIT_NMI))));
	predict(&nmi, 0, 0);
	e = nth(OBS_EXIT_NMI, 0);
	CHECK(e && e->rec.activity == ACTIVITY_HLT);
	predict(&nmi, QUIRK_HLT_EXIT_SAVES_ACTIVE, 0);
	e = nth(OBS_EXIT_NMI, 0);
	CHECK(e && e->rec.activity == ACTIVITY_ACTIVE && p.quirks_fired == QUIRK_HLT_EXIT_SAVES_ACTIVE);
	/* 26.6.5: the interrupt-window exit wakes it at once; Bochs waits for the bound's
	 * interrupt, and takes the window exit ahead of it. */
	const struct experiment window = EXPERIMENT(H(SET(0, 0, 0, 0)), H(INTR_WINDOW(1)), H(ENTER_HLT()),
						    G(SINCE_ENTRY(EXPECT(EXIT_INTRW))));
	predict(&window, 0, 0);
	e = nth(OBS_EXIT_INTRW, 0);
	CHECK(e && e->rec.activity == ACTIVITY_HLT && nth(OBS_TIMEOUT, 0) == NULL);
	predict(&window, QUIRK_HLT_HOLDS_INTERRUPT_WINDOW | QUIRK_HLT_EXIT_SAVES_ACTIVE, 0);
	e = nth(OBS_EXIT_INTRW, 0);
	CHECK(e && e->rec.activity == ACTIVITY_ACTIVE && nth(OBS_TIMEOUT, 0) != NULL);
}

/* 26.2.1.1, 26.3.1.5: refused entries, their records, the VMCS back as the run began. */
static void test_failed_entries(void)
{
	const struct experiment x = EXPERIMENT(H(SET(0, 1, 0, 0)), H(VMENTRY(EXPECT_ONE(EV_VMFAIL(7)))),
						      H(CHECK_XVBW(0, 0, 0, 0)));
	predict(&x, 0, 0);
	const struct predicted *f = nth(OBS_ENTRY_VMFAIL, 0);
	CHECK(f && f->rec.detail == 7 && f->step == 1);
	CHECK(p.values[2].present && p.values[2].value == 0);
	const struct experiment bad = EXPERIMENT(H(SET(1, 1, 1, 0)), H(INJECT_NMI()),
							H(VMENTRY(EXPECT_ONE(EV_BAD_GUEST(0)))));
	predict(&bad, 0, 0);
	f = nth(OBS_ENTRY_BAD_GUEST, 0);
	CHECK(f && f->rec.entry_info == 0x80000202 && (f->rec.interruptibility & INTERRUPTIBILITY_NMI));
	predict(&bad, QUIRK_NO_VIRTUAL_NMI_INJECTION_CHECK, 0);
	CHECK(nth(OBS_ENTRY_BAD_GUEST, 0) == NULL && nth(OBS_NMI_G, 0) != NULL);
}

/* check(X,V,B,W): the model predicts what xvbw_value says of the controls SET wrote
 * (the value the backend reads), wherever it predicts at all, and xvbw_of_value gives
 * those controls back. */
static void test_controls_value(void)
{
	unsigned predicted = 0;
	for (unsigned bits = 0; bits < 16; bits++) {
		struct xvbw c = { .nmi_exiting = bits >> 3 & 1, .virtual_nmis = bits >> 2 & 1, .blocking = bits >> 1 & 1,
				  .nmi_window = bits & 1 };
		struct step steps[] = { { .ctx = IN_HOST, .op = OP_SET, .controls = c },
					{ .ctx = IN_HOST, .op = OP_CHECK_CONTROLS, .controls = c } };
		const struct experiment x = { .number = 200, .title = "test", .rule = "SDM", .basis = BASIS_SDM,
					      .nsteps = 2, .steps = steps };
		struct xvbw back = xvbw_of_value(xvbw_value(&c));
		CHECK(memcmp(&back, &c, sizeof(c)) == 0);
		predict(&x, 0, 0);
		if (p.unsupported)
			continue; /* controls no VM entry accepts (V without X, W without V) */
		CHECK(p.values[1].present && p.values[1].value == xvbw_value(&c));
		predicted++;
	}
	CHECK(predicted >= 8);
}

void test_model(void)
{
	test_entry_replaces_blocking();
	test_nmi_exit_record();
	test_faulting_iret();
	test_window_before_nmi();
	test_choices();
	test_unsupported();
	test_exits_from_hlt();
	test_failed_entries();
	test_controls_value();
}
