/*
 * The judging core (experiments/judge.c) and the deviation signatures
 * (experiments/deviations.c) with made-up observations: matching in order, anchors and
 * their reverse, outcomes, and when a failure is the known one.
 */
#include <string.h>

#include "experiments/deviations.h"
#include "experiments/judge.h"
#include "guest/hypercall.h"
#include "machine/anchors.h"
#include "machine/layout.h"
#include "machine/trap.h"
#include "tests/unit.h"

static struct observation at(enum obs_source source, const void *where)
{
	return (struct observation){ .source = source, .rip = (uintptr_t)where };
}

static struct observation at_rip(enum obs_source source, uintptr_t rip)
{
	return (struct observation){ .source = source, .rip = rip };
}

static void test_natural_anchors(void)
{
	struct step wait = G(WAIT(SENDS(NMI), EXPECT(NMI_G)));
	struct step iret = G(IRET(EXPECT(EXIT_NMIW)));
	struct step firet = G(FIRET(EXPECT(EXIT_GP)));
	struct step since_g = G(SINCE_ENTRY(EXPECT(NMI_G)));
	struct step since_h = H(SINCE_ENTRY(EXPECT(NMI_H)));
	CHECK_INT_EQ(anchor_address(&wait, &wait.expected[0]), (uintptr_t)after_hlt);
	CHECK_INT_EQ(anchor_address(&iret, &iret.expected[0]), (uintptr_t)after_iret);
	/* A fault's exit is saved at the faulting instruction; other events after it. */
	CHECK_INT_EQ(anchor_address(&firet, &firet.expected[0]), (uintptr_t)faulting_iret);
	struct expected_event nmi_after = EV(NMI_G);
	CHECK_INT_EQ(anchor_address(&firet, &nmi_after), (uintptr_t)after_faulting_iret);
	CHECK_INT_EQ(anchor_address(&since_g, &since_g.expected[0]), (uintptr_t)after_vmcall);
	CHECK_INT_EQ(anchor_address(&since_h, &since_h.expected[0]), (uintptr_t)vmexit_entry);
	/* The IRET from the EPT frame page: its violation is saved at the IRET (fault-like),
	 * other events land after it. */
	struct step eiret = G(EIRET(EXPECT(EXIT_EPT)));
	CHECK_INT_EQ(anchor_address(&eiret, &eiret.expected[0]), (uintptr_t)page_iret);
	struct expected_event window = EV(EXIT_NMIW);
	CHECK_INT_EQ(anchor_address(&eiret, &window), (uintptr_t)after_page_iret);
	CHECK_INT_EQ(anchor_of(OBS_EXIT_NMIW, (uintptr_t)page_iret).anchor, AT_PAGE_IRET);
	CHECK_INT_EQ(anchor_of(OBS_EXIT_NMIW, (uintptr_t)after_page_iret).anchor, AT_AFTER_PAGE_IRET);
	struct expected_event handler = EV_AT_G_HANDLER(NMI_G, VEC_GP);
	CHECK_INT_EQ(anchor_address(&since_g, &handler), guest_handler_address(VEC_GP));
}

static void test_anchor_of(void)
{
	struct expected_event e = anchor_of(OBS_NMI_G, (uintptr_t)after_vmcall);
	CHECK_INT_EQ(e.anchor, AT_AFTER_VMCALL);
	e = anchor_of(OBS_EXIT_NMI, guest_handler_address(0x21));
	CHECK_INT_EQ(e.anchor, AT_G_HANDLER);
	CHECK_INT_EQ(e.vector, 0x21);
	e = anchor_of(OBS_NMI_H, host_handler_address(VEC_GP));
	CHECK_INT_EQ(e.anchor, AT_H_HANDLER);
	CHECK_INT_EQ(e.vector, VEC_GP);
	/* Inside a stub but not its first instruction: no name. */
	CHECK_INT_EQ(anchor_of(OBS_NMI_G, guest_handler_address(3) + 1).anchor, AT_ELSEWHERE);
	CHECK_INT_EQ(anchor_of(OBS_NMI_G, 0x1234).anchor, AT_ELSEWHERE);
	char buf[64];
	CHECK(strstr(describe_rip((uintptr_t)after_hlt, buf, sizeof(buf)), "(after HLT)") != NULL);
	CHECK(strstr(describe_rip(guest_handler_address(0x21), buf, sizeof(buf)), "(guest handler 0x21 entry)"));
}

static void test_matching(void)
{
	struct step pair = G(SINCE_ENTRY(EXPECT_PAIR(EV_AT(NMI_H, AT_HOST_EXIT_ENTRY), EV_AT(EXIT_NMIW, AT_AFTER_VMCALL))));
	struct observation in_order[] = { at(OBS_NMI_H, vmexit_entry), at(OBS_GP_G, after_hlt),
					  at(OBS_EXIT_NMIW, after_vmcall) };
	CHECK(events_match(&pair, in_order, 3)); /* #GP deliveries are not events */
	struct observation reversed[] = { at(OBS_EXIT_NMIW, after_vmcall), at(OBS_NMI_H, vmexit_entry) };
	CHECK(!events_match(&pair, reversed, 2));
	CHECK(!events_match(&pair, in_order, 1));                  /* one missing */
	struct observation extra[] = { at(OBS_NMI_H, vmexit_entry), at(OBS_EXIT_NMIW, after_vmcall),
				       at(OBS_NMI_G, after_vmcall) };
	CHECK(!events_match(&pair, extra, 3));                     /* one too many */
	struct observation wrong_place[] = { at(OBS_NMI_H, after_hlt), at(OBS_EXIT_NMIW, after_vmcall) };
	CHECK(!events_match(&pair, wrong_place, 2));

	struct step none = G(IRET(EXPECT_NONE()));
	CHECK(events_match(&none, 0, 0));
	struct observation gp_only[] = { at(OBS_GP_G, after_iret) };
	CHECK(events_match(&none, gp_only, 1));
	struct observation timeout[] = { at(OBS_TIMEOUT, after_iret) };
	CHECK(!events_match(&none, timeout, 1));
}

static void test_descriptions(void)
{
	char buf[240];
	struct observation obs[] = { at(OBS_TIMEOUT, after_hlt), at(OBS_GP_H, after_hlt) };
	describe_events(obs, 2, buf, sizeof(buf));
	CHECK(strstr(buf, "timeout at ") == buf);
	CHECK(strstr(buf, "#GP") == NULL);
	describe_events(obs + 1, 1, buf, sizeof(buf));
	CHECK_STR_EQ(buf, "none");
	struct observation exit = at(OBS_EXIT_NMI, after_hlt);
	exit.interruption_info = 0x80000202;
	describe_events(&exit, 1, buf, sizeof(buf));
	CHECK(strstr(buf, "[info 0x80000202, interruptibility 0, activity 0, length 0, idt-vectoring 0]") != NULL);
	struct observation ept = at(OBS_EXIT_EPT, page_iret);
	ept.qualification = 0x1181;
	describe_events(&ept, 1, buf, sizeof(buf));
	CHECK(strstr(buf, "(the IRET from the EPT frame page) [qualification 0x1181, interruptibility 0, idt-vectoring 0]"));
	/* Never past the buffer, always terminated. */
	struct observation many[8];
	for (unsigned i = 0; i < 8; i++)
		many[i] = exit;
	char small[40];
	describe_events(many, 8, small, sizeof(small));
	CHECK(strlen(small) < sizeof(small));
}

static void test_outcomes(void)
{
	struct observation obs[] = { at(OBS_EXIT_NMIW, after_vmcall), at(OBS_GP_G, after_hlt),
				     at_rip(OBS_NMI_G, guest_handler_address(0x21)) };
	struct outcome o = outcome_of_events(obs, 3);
	CHECK_INT_EQ(o.nevents, 2);
	CHECK_INT_EQ(o.events[0].anchor, AT_AFTER_VMCALL);
	CHECK_INT_EQ(o.events[1].anchor, AT_G_HANDLER);
	struct outcome same = SAW_PAIR(EV_AT(EXIT_NMIW, AT_AFTER_VMCALL), EV_AT_G_HANDLER(NMI_G, 0x21));
	CHECK(outcome_equal(&o, &same));
	struct outcome other_vector = SAW_PAIR(EV_AT(EXIT_NMIW, AT_AFTER_VMCALL), EV_AT_G_HANDLER(NMI_G, 0x22));
	CHECK(!outcome_equal(&o, &other_vector));
	struct outcome none = SAW_NONE;
	CHECK(!outcome_equal(&o, &none));
	struct outcome empty = outcome_of_events(obs + 1, 1);
	CHECK(outcome_equal(&empty, &none));
	struct outcome b1 = outcome_of_value(1), b1_too = SAW_VALUE(1), b0 = SAW_VALUE(0);
	CHECK(outcome_equal(&b1, &b1_too));
	CHECK(!outcome_equal(&b1, &b0));
	CHECK(!outcome_equal(&b0, &none));  /* a value is not "no events" */
	struct xvbw c = XVBW(1, 1, 1, 0);
	CHECK_INT_EQ(xvbw_digits(&c), 1110);

	char buf[120];
	struct step check = H(.op = OP_CHECK_CONTROLS, .controls = XVBW(1, 1, 0, 0));
	struct outcome seen = outcome_of_value(1110);
	describe_outcome(&seen, &check, buf, sizeof(buf));
	CHECK_STR_EQ(buf, "(1,1,1,0)");
	struct outcome t = SAW(EV_AT(TIMEOUT, AT_AFTER_HLT));
	describe_outcome(&t, 0, buf, sizeof(buf));
	CHECK_STR_EQ(buf, "timeout after HLT");
}

/* The case: a Bochs that saves B=1 on an NMI exit fails 7 at check(B=0); the
 * known deviation of 7 is "nothing after VM entry" at step 5, so this is another bug. */
static void test_signatures(void)
{
	const struct deviation *d = deviation_for(PLATFORM_BOCHS, 7);
	CHECK(d != NULL);
	if (!d)
		return;
	struct outcome none = SAW_NONE, b1 = SAW_VALUE(1);
	CHECK_INT_EQ(deviation_judge(d, 4, &none), DEVIATION_MATCHES);   /* step 5, 0-based 4 */
	CHECK_INT_EQ(deviation_judge(d, 5, &b1), DEVIATION_DIFFERS);     /* check(B=0) sees B=1 */
	CHECK_INT_EQ(deviation_judge(d, 4, 0), DEVIATION_DIFFERS);        /* an exception, a storm */
	struct outcome exit_seen = SAW(EV_AT(EXIT_NMI, AT_AFTER_VMCALL));
	CHECK_INT_EQ(deviation_judge(d, 4, &exit_seen), DEVIATION_DIFFERS);
	CHECK_INT_EQ(deviation_judge(0, 4, &none), DEVIATION_NONE);
	const struct deviation *kvm = deviation_for(PLATFORM_KVM, 2);
	CHECK(kvm != NULL && !kvm->confirmed);
	CHECK_INT_EQ(deviation_judge(kvm, 0, &none), DEVIATION_REPORTED);
	char buf[240];
	deviation_describe_signature(d, buf, sizeof(buf));
	CHECK_STR_EQ(buf, "it fails at step 5 of 7, [G] after VM entry -> EXIT_NMI, observing none");
}

void test_judge(void)
{
	test_natural_anchors();
	test_anchor_of();
	test_matching();
	test_descriptions();
	test_outcomes();
	test_signatures();
}
