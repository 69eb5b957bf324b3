/*
 * The SVM model's clauses (model/svm.c) driven with made-up experiments: what each
 * predicts, with the masks of the VMCB bits the APM defines, what each quirk changes,
 * what the APM leaves to the processor (choices), and what the model refuses to predict.
 */
#include <string.h>

#include "experiments/notation.h"
#include "machine/layout.h"
#include "machine/svm_arch.h"
#include "model/svm.h"
#include "tests/unit.h"

#define EXPERIMENT(...) { .number = 200, .title = "test", .rule = "APM", .basis = BASIS_APM, \
			  .backend = BACKEND_SVM, STEPS(__VA_ARGS__) }

static struct prediction p;

static void predict_with(const struct experiment *x, unsigned quirks, unsigned choices, unsigned features)
{
	struct model_config c = { .vmx = true, .quirks = quirks, .choices = choices, .features = features };
	model_predict(x, &c, &p);
}

static void predict(const struct experiment *x, unsigned quirks, unsigned choices)
{
	predict_with(x, quirks, choices, 0);
}

/* The n-th prediction of that source, or 0. */
static const struct predicted *nth(enum obs_source s, unsigned n)
{
	for (unsigned i = 0; i < p.count; i++)
		if (p.items[i].source == s && !n--)
			return &p.items[i];
	return 0;
}

/* 15.21.9 Table 15-13 and 15.17: the intercepted NMI exits, stays pending, and the host
 * takes it at the STGI after #VMEXIT -- before the engine records the exit. */
static void test_nmi_intercept_leaves_it_pending(void)
{
	const struct experiment x = EXPERIMENT(H(SVM(1, 0)), G(WAIT(SENDS(NMI), EXPECT(EXIT_NMI))));
	predict(&x, 0, 0);
	CHECK(p.unsupported == NULL);
	const struct predicted *h = nth(OBS_NMI_H, 0), *e = nth(OBS_EXIT_NMI, 0);
	CHECK(h && e && h < e && h->anchor == AT_HOST_EXIT_ENTRY && e->anchor == AT_AFTER_HLT);
	if (!e)
		return;
	CHECK_INT_EQ(e->rec.reason, SVM_EXIT_NMI);
	CHECK_INT_EQ(e->mask.idt_vectoring, EVENT_VALID);       /* EXITINTINFO: V only */
	CHECK_INT_EQ(e->mask.qualification, 0);                 /* EXITINFO1 undefined (15.6) */
	CHECK_INT_EQ(e->mask.interruptibility, 0);              /* the STI's shadow: timing */
	CHECK_INT_EQ(e->mask.entry_info, 0xffffffffu);          /* EVENTINJ cleared */
	CHECK_INT_EQ(e->mask.length, 0);                        /* nRIP: not offered */
	/* With NRIP save, an NMI's exit resets nRIP (15.7.1); Bochs leaves RIP there. */
	predict_with(&x, 0, 0, MODEL_FEATURE_NRIP_SAVE);
	e = nth(OBS_EXIT_NMI, 0);
	CHECK(e && e->rec.length == SVM_NO_NRIP && e->mask.length == 0xffffffffu);
	predict_with(&x, SVM_QUIRK_NRIP_NOT_RESET, 0, MODEL_FEATURE_NRIP_SAVE);
	e = nth(OBS_EXIT_NMI, 0);
	CHECK(e && e->rec.length == 0 && p.quirks_fired == SVM_QUIRK_NRIP_NOT_RESET);
	/* The hypercall's exit is an instruction intercept: nRIP after the VMMCALL. */
	const struct predicted *call = nth(OBS_EXIT_VMCALL, 0);
	CHECK(call && call->rec.reason == SVM_EXIT_VMMCALL && call->rec.length == 3);
}

/* GIF = 0 holds the NMI through the H steps until a stgi step (15.17, Table 15-10). */
static void test_gif_held_at_exit(void)
{
	const struct experiment x = EXPERIMENT(
		H(SVM(1, 0)), H(GIF_AT_EXIT()), G(WAIT(SENDS(NMI), EXPECT(EXIT_NMI)), HOST_AT_EXIT()),
		H(SPIN(NO_SENDS(), EXPECT_NONE())), H(STGI(EXPECT(NMI_H))), H(IRET(EXPECT_NONE())));
	predict(&x, 0, 0);
	CHECK(p.unsupported == NULL);
	const struct predicted *h = nth(OBS_NMI_H, 0);
	CHECK(h && h->anchor == AT_AFTER_STGI && h->step == 4);
	/* A wait in the host with GIF = 0 could never end: not a prediction. */
	const struct experiment stuck = EXPERIMENT(H(CLGI()), H(WAIT(SENDS(NMI), EXPECT_NONE())));
	predict(&stuck, 0, 0);
	CHECK(p.unsupported != NULL);
}

/* 15.20: injected NMIs ignore the vector and block nothing (Bochs 2.7: they do); EVENTINJ
 * is cleared at the next #VMEXIT (Bochs: only its V bit). */
static void test_injection(void)
{
	const struct experiment x = EXPERIMENT(
		H(SVM(0, 0)), H(INJECT_NMI_VECTOR(VEC_INJECTED)), G(SINCE_ENTRY(EXPECT(NMI_G))),
		G(WAIT(SENDS(NMI), EXPECT(NMI_G))), G(IRET(EXPECT_NONE())));
	predict(&x, 0, 0);
	CHECK(p.unsupported == NULL);
	const struct predicted *first = nth(OBS_NMI_G, 0), *second = nth(OBS_NMI_G, 1);
	CHECK(first && first->anchor == AT_AFTER_VMCALL && second && second->anchor == AT_AFTER_HLT);
	predict(&x, SVM_QUIRK_INJECTED_NMI_BLOCKS | SVM_QUIRK_EVENTINJ_KEEPS_EVENT, 0);
	second = nth(OBS_NMI_G, 1);
	CHECK(second && second->anchor == AT_AFTER_IRET);        /* held until G's IRET */
	CHECK(nth(OBS_TIMEOUT, 0) != NULL);
	const struct predicted *end = nth(OBS_EXIT_VMCALL, 1);
	CHECK(end && end->rec.entry_info == (EVENT_TYPE_NMI | VEC_INJECTED));
	/* An exception with vector 2 is refused before the guest runs (15.20). */
	const struct experiment refused = EXPERIMENT(H(INJECT_EXC(VEC_NMI)), H(VMENTRY(EXPECT_ONE(EV_VMEXIT_INVALID))));
	predict(&refused, 0, 0);
	const struct predicted *invalid = nth(OBS_VMEXIT_INVALID, 0);
	CHECK(invalid && invalid->rec.reason == SVM_EXIT_INVALID && invalid->mask.idt_vectoring == 0);
}

/* 15.7.2: an exit during an NMI's delivery records it in EXITINTINFO; QEMU says type 3
 * and Bochs an old event; QEMU's #NP error code is the gate's offset. */
static void test_delivery_exit(void)
{
	const struct experiment x = EXPERIMENT(
		H(SVM(0, 0)), H(INJECT_INTR(VEC_INJECTED)), G(SINCE_ENTRY(EXPECT_NONE())), H(NMI_GATE(0)),
		H(EXC_EXITING(VEC_NP, 1)), G(WAIT(SENDS(NMI), EXPECT(EXIT_NP))));
	predict(&x, 0, 0);
	const struct predicted *e = nth(OBS_EXIT_NP, 0);
	CHECK(e && e->rec.idt_vectoring == 0x80000202u && e->mask.idt_vectoring == 0x80000fffu);
	CHECK(e && e->rec.qualification == 0x13 && e->rec.reason == SVM_EXIT_EXCEPTION_BASE + VEC_NP);
	predict(&x, SVM_QUIRK_EXITINTINFO_NMI_AS_EXCEPTION | SVM_QUIRK_NP_ERROR_GATE_OFFSET, 0);
	e = nth(OBS_EXIT_NP, 0);
	CHECK(e && e->rec.idt_vectoring == 0x80000302u);
	CHECK(e && e->rec.qualification == VEC_NMI * 2 * sizeof(void *) + 2);
	predict(&x, SVM_QUIRK_EXITINTINFO_STALE, 0);
	e = nth(OBS_EXIT_NP, 0);
	CHECK(e && e->rec.idt_vectoring == (EVENT_VALID | VEC_INJECTED));
	/* Without an event before it in the run, the stale value is unknown: no prediction. */
	const struct experiment unknown = EXPERIMENT(H(SVM(0, 0)), H(NMI_GATE(0)), H(EXC_EXITING(VEC_NP, 1)),
						     G(WAIT(SENDS(NMI), EXPECT(EXIT_NP))));
	predict(&unknown, SVM_QUIRK_EXITINTINFO_STALE, 0);
	CHECK(p.unsupported != NULL);
}

/* What the APM leaves open is a choice, consulted only where it matters. */
static void test_choices(void)
{
	const struct experiment mask = EXPERIMENT(
		H(SVM(0, 0)), G(WAIT(SENDS(NMI), EXPECT(NMI_G))), H(WAIT(SENDS(NMI), EXPECT(NMI_H))));
	struct model_config c = { .vmx = true };
	CHECK_INT_EQ(model_choices(&mask, &c), SVM_CHOICE_SHARED_NMI_MASK);
	predict(&mask, 0, SVM_CHOICE_SHARED_NMI_MASK);
	CHECK(nth(OBS_NMI_H, 0) == NULL && nth(OBS_TIMEOUT, 0) != NULL);  /* one mask: H is masked */
	predict(&mask, 0, 0);
	CHECK(nth(OBS_NMI_H, 0) != NULL);                                 /* its own: H is not */
	const struct experiment shadow = EXPERIMENT(
		H(SVM(0, 0)), H(CLGI()), H(SPIN(SENDS(NMI), EXPECT_NONE())), H(SHADOW(STI)),
		G(SINCE_ENTRY(EXPECT(NMI_G))));
	predict(&shadow, 0, SVM_CHOICE_SHADOW_BLOCKS_NMI);
	CHECK(nth(OBS_NMI_G, 0) && nth(OBS_NMI_G, 0)->anchor == AT_AFTER_VMCALL_NEXT);
	predict(&shadow, 0, 0);
	CHECK(nth(OBS_NMI_G, 0) && nth(OBS_NMI_G, 0)->anchor == AT_AFTER_VMCALL);
	/* QEMU ignores the shadow at VMRUN: the same as "not held" for an NMI ... */
	predict(&shadow, SVM_QUIRK_VMRUN_IGNORES_SHADOW, SVM_CHOICE_SHADOW_BLOCKS_NMI);
	CHECK(nth(OBS_NMI_G, 0) && nth(OBS_NMI_G, 0)->anchor == AT_AFTER_VMCALL);
	/* ... but not for an interrupt, which a shadow always holds (15.21.5). */
	const struct experiment intr = EXPERIMENT(
		H(SVM(0, 0)), H(SPIN(SENDS(INTR), EXPECT_NONE())), H(SHADOW(STI)), G(SINCE_ENTRY(EXPECT_NONE())));
	predict(&intr, 0, 0);
	CHECK(nth(OBS_INTR_G, 0) == NULL && p.choices_consulted == 0);
	predict(&intr, SVM_QUIRK_VMRUN_IGNORES_SHADOW, 0);
	CHECK(nth(OBS_INTR_G, 0) && nth(OBS_INTR_G, 0)->anchor == AT_AFTER_VMCALL);
}

/* 15.9: the IRET intercept exits at the IRET; the engine clears it and the IRET runs. */
static void test_iret_intercept(void)
{
	const struct experiment x = EXPERIMENT(
		H(SVM(0, 1)), G(WAIT(SENDS(NMI), EXPECT(NMI_G))), G(IRET(EXPECT_ONE(EV_AT(EXIT_IRET, AT_IRET)))),
		G(WAIT(SENDS(NMI), EXPECT(NMI_G))));
	predict_with(&x, 0, 0, MODEL_FEATURE_NRIP_SAVE);
	CHECK(p.unsupported == NULL);
	const struct predicted *e = nth(OBS_EXIT_IRET, 0);
	CHECK(e && e->rec.reason == SVM_EXIT_IRET && e->rec.length == (sizeof(void *) == 8 ? 2u : 1u)); /* IRETQ, IRET */
	CHECK(nth(OBS_EXIT_IRET, 1) == NULL);                  /* one-shot */
	CHECK(nth(OBS_NMI_G, 1) != NULL);                      /* the IRET ran: unmasked */
}

/* 15.21.10: a virtual NMI is taken when not masked and not in a shadow, masks itself,
 * and an IRET clears the mask; V_NMI_ENABLE needs the NMI intercept. */
static void test_virtual_nmis(void)
{
	const struct experiment x = EXPERIMENT(
		H(SVM(1, 0)), H(VNMI(1, 1, 0)), G(SINCE_ENTRY(EXPECT(NMI_G))), H(CHECK_VINTR(EXIT_VMCALL, 0x1800, 0x1000)));
	predict(&x, 0, 0);
	CHECK(p.unsupported == NULL);
	CHECK(nth(OBS_NMI_G, 0) && nth(OBS_NMI_G, 0)->anchor == AT_AFTER_VMCALL);
	CHECK(p.values[3].present && p.values[3].value == V_INTR_V_NMI_MASK && p.values[3].mask == 0x1800);
	const struct experiment refused = EXPERIMENT(H(VNMI(1, 0, 0)), H(VMENTRY(EXPECT_ONE(EV_VMEXIT_INVALID))));
	predict(&refused, 0, 0);
	CHECK(nth(OBS_VMEXIT_INVALID, 0) != NULL);
	const struct experiment shadow = EXPERIMENT(H(SVM(1, 0)), H(VNMI(1, 1, 0)), H(SHADOW(STI)),
						    G(SINCE_ENTRY(EXPECT(NMI_G))));
	predict(&shadow, 0, 0);
	CHECK(nth(OBS_NMI_G, 0) && nth(OBS_NMI_G, 0)->anchor == AT_AFTER_VMCALL_NEXT && p.choices_consulted == 0);
}

static void test_names(void)
{
	for (unsigned q = 1u << MODEL_SVM_FIRST_BIT; q && q <= SVM_QUIRK_LAST; q <<= 1)
		CHECK(strncmp(model_quirk_name(q), "svm-", 4) == 0);
	for (unsigned c = 1u << MODEL_SVM_FIRST_BIT; c && c <= SVM_CHOICE_LAST; c <<= 1)
		CHECK(strcmp(model_choice_name(c, true), model_choice_name(c, false)) != 0);
}

void test_svm_model(void)
{
	test_nmi_intercept_leaves_it_pending();
	test_gif_held_at_exit();
	test_injection();
	test_delivery_exit();
	test_choices();
	test_iret_intercept();
	test_virtual_nmis();
	test_names();
}
