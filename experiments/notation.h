/*
 * The catalogue's notation, for the files that write experiments as data
 * (experiments/catalogue.c, the deviations' signatures, tests that build steps):
 *
 *   spec:  vmcall: set(0,0,1,0) · wait(G: NMI, INTR → INTR@G) · iret(G → NMI@G)
 *   here:  H(SET(0,0,1,0)), G(WAIT(SENDS(NMI, INTR), EXPECT(INTR_G))), G(IRET(EXPECT(NMI_G)))
 *
 * The types are model/step.h's; what each op means is in experiments/experiment.h.
 */
#ifndef EXPERIMENTS_NOTATION_H
#define EXPERIMENTS_NOTATION_H

#include "machine/layout.h"
#include "model/step.h"

/* The vectors: VEC_NMI, VEC_DB, VEC_NP, VEC_GP (machine/layout.h) and the external
 * interrupt VM entry injects, never the APIC. */
#define INJECTED VEC_INJECTED

#define H(...) { .ctx = IN_HOST, __VA_ARGS__ }
#define G(...) { .ctx = IN_GUEST, __VA_ARGS__ }

#define XVBW(x, v, b, w)  { .nmi_exiting = (x), .virtual_nmis = (v), .blocking = (b), .nmi_window = (w) }
#define SET(x, v, b, w)   .op = OP_SET, .controls = XVBW(x, v, b, w)
#define CHECK_XVBW(x, v, b, w) .op = OP_CHECK_CONTROLS, .controls = XVBW(x, v, b, w)
#define CHECK_B(b)        .op = OP_CHECK_B, .value = (b)
#define CHECK_BIT12(b)    .op = OP_CHECK_BIT12, .value = (b)
#define INJECT_NMI()      .op = OP_INJECT, .injection = INJECT_KIND_NMI, .vector = VEC_NMI
#define INJECT_NMI_VECTOR(v) .op = OP_INJECT, .injection = INJECT_KIND_NMI, .vector = (v)
#define INJECT_INTR(v)    .op = OP_INJECT, .injection = INJECT_KIND_INTR, .vector = (v)
#define INJECT_EXC(v)     .op = OP_INJECT, .injection = INJECT_KIND_EXCEPTION, .vector = (v)
#define INJECT_EXC_ERR(v, e) INJECT_EXC(v), .has_error_code = true, .error_code = (e)
/* An NMI with "deliver error code" set: an invalid injection (26.2.1.3). */
#define INJECT_NMI_WITH_ERROR(e) INJECT_NMI(), .has_error_code = true, .error_code = (e)
#define EXC_EXITING(v, on) .op = OP_EXC_EXITING, .vector = (v), .value = (on)
#define GP_EXITING(on)    EXC_EXITING(VEC_GP, on)
#define WAIT(sends, ...)  .op = OP_WAIT, sends, __VA_ARGS__
#define IRET(...)         .op = OP_IRET, __VA_ARGS__
#define FIRET(...)        .op = OP_FIRET, __VA_ARGS__
#define INT2(...)         .op = OP_INT2, __VA_ARGS__
#define SINCE_ENTRY(...)  .op = OP_SINCE_ENTRY, __VA_ARGS__
#define VMCALL(...)       .op = OP_VMCALL, __VA_ARGS__
#define MEASURE_EXIT(src, ref) .op = OP_MEASURE_EXIT, .exit = OBS_##src, .reference = (ref)
#define MEASURE(src, f, ref) .op = OP_MEASURE, .exit = OBS_##src, .field = FIELD_##f, .reference = (ref)
#define VMENTRY(...)      .op = OP_VMENTRY, __VA_ARGS__
#define SHADOW(which)     .op = OP_SHADOW, .shadow = SHADOW_##which
#define GUEST_IF(on)      .op = OP_GUEST_IF, .value = (on)
#define MTF(on)           .op = OP_EXIT_CONTROL, .control = CONTROL_MTF, .value = (on)
#define INTR_WINDOW(on)   .op = OP_EXIT_CONTROL, .control = CONTROL_INTERRUPT_WINDOW, .value = (on)
#define PREEMPT_TIMER(v)  .op = OP_EXIT_CONTROL, .control = CONTROL_PREEMPTION_TIMER, .value = 1, .timer = (v)
#define ENTER_HLT()       .op = OP_ENTER_HLT
#define SEND_AFTER_ENTRY(sends) .op = OP_SEND_AFTER_ENTRY, sends
#define NMI_GATE(present) .op = OP_NMI_GATE, .value = (present)
#define REINJECT(src)     .op = OP_REINJECT, .exit = OBS_##src
#define CHECK_EXIT(src, f, m, b) .op = OP_CHECK_EXIT, .exit = OBS_##src, .field = FIELD_##f, .mask = (m), .bits = (b)
/* IDT-vectoring information: with the valid bit 0 the rest is undefined (SDM 27.2.3,
 * "Information for VM Exits During Event Delivery"), so only that bit is checked then. */
#define CHECK_IDTV(src, v) CHECK_EXIT(src, IDT_VECTORING, ((v) & 0x80000000u) ? 0x80000fffu : 0x80000000u, v)
#define CHECK_INFO(src, v) CHECK_EXIT(src, INFO, 0x80000fffu, v)
#define CHECK_ERROR(src, v) CHECK_EXIT(src, ERROR, 0xffffffffu, v)
#define CHECK_ACTIVITY(src, v) CHECK_EXIT(src, ACTIVITY, 0xffffffffu, v)
#define CHECK_SAVED_B(src, b) CHECK_EXIT(src, INTERRUPTIBILITY, 1u << 3, (b) ? 1u << 3 : 0)
#define CHECK_SAVED_SHADOW(src, v) CHECK_EXIT(src, INTERRUPTIBILITY, 3u, v)
#define CHECK_QUAL(src, m, v) CHECK_EXIT(src, QUALIFICATION, m, v)
#define EPT(on)           .op = OP_EPT, .value = (on)
#define EPT_ARM_IRET(how) .op = OP_EPT_ARM_IRET, .response = EPT_RESPONSE_##how
#define EIRET(...)        .op = OP_EIRET, __VA_ARGS__
/* SVM (model/svm.h). */
#define SVM(n, i)         .op = OP_SVM_INTERCEPTS, .intercepts = { .nmi = (n), .iret = (i) }
#define CLGI()            .op = OP_CLGI
#define STGI(...)         .op = OP_STGI, __VA_ARGS__
#define SPIN(sends, ...)  .op = OP_SPIN, sends, __VA_ARGS__
#define NO_SENDS()        .nsends = 0
#define GIF_AT_EXIT()     .op = OP_GIF_AT_EXIT
#define VNMI(e, p, m)     .op = OP_VNMI, .vnmi = { .enable = (e), .pending = (p), .masked = (m) }
#define VGIF(on)          .op = OP_VGIF, .value = (on)
/* VMRUN refused the guest: #VMEXIT with EXITCODE VMEXIT_INVALID (APM 15.5.1). */
#define EV_VMEXIT_INVALID { .source = OBS_VMEXIT_INVALID, .anchor = AT_STEP }
/* EXITINTINFO: with V = 0 nothing else of it is meaningful (APM 15.7.2). */
#define CHECK_EXITINTINFO(src, v) CHECK_EXIT(src, IDT_VECTORING, ((v) & 0x80000000u) ? 0x80000fffu : 0x80000000u, v)
#define CHECK_EXITCODE(src, v) CHECK_EXIT(src, REASON, 0xffffffffu, v)
#define CHECK_EXITINFO1(src, v) CHECK_EXIT(src, QUALIFICATION, 0xffffffffu, v)
#define CHECK_VINTR(src, m, v) CHECK_EXIT(src, INFO, m, v)
#define CHECK_SHADOW_SAVED(src, v) CHECK_EXIT(src, INTERRUPTIBILITY, 1u, v)
#define CHECK_EVENTINJ(src, v) CHECK_EXIT(src, ENTRY_INFO, 0xffffffffu, v)
/* A measured outcome that may be no event at all (with EXPECT_EITHER). */
#define EV_NONE             { .source = OBS_NONE, .anchor = AT_STEP }
/* Modifiers of a WAIT or SINCE_ENTRY. */
#define SETTLE()          .settle = true
#define HOST_AT_EXIT()    .host_at_exit = true

#define ARG_COUNT(...) ARG_COUNT_(__VA_ARGS__, 5, 4, 3, 2, 1)
#define ARG_COUNT_(a, b, c, d, e, n, ...) n
#define SENDS(...) .sends = { __VA_ARGS__ }, .nsends = ARG_COUNT(__VA_ARGS__)
#define NMI GEN_NMI
#define INTR GEN_INTR

#define EV(src)             { .source = OBS_##src, .anchor = AT_STEP }
#define EV_AT(src, where)   { .source = OBS_##src, .anchor = (where) }
#define EV_AT_G_HANDLER(src, v) { .source = OBS_##src, .anchor = AT_G_HANDLER, .vector = (v) }
#define EV_AT_H_HANDLER(src, v) { .source = OBS_##src, .anchor = AT_H_HANDLER, .vector = (v) }
#define EXPECT(src)         .expected = { EV(src) }, .nexpected = 1
#define EXPECT_ONE(e)       .expected = { e }, .nexpected = 1
#define EXPECT_PAIR(a, b)   .expected = { a, b }, .nexpected = 2
/* Three or four, in order (a random scenario's reproducer may need them). */
#define EXPECT_SEQ(...)     .expected = { __VA_ARGS__ }, \
	.nexpected = sizeof((struct expected_event[]){ __VA_ARGS__ }) / sizeof(struct expected_event)
#define EXPECT_NONE()       .nexpected = 0
/* Implementation-specific outcomes: exactly one of the two, reported as measured. */
#define EXPECT_EITHER(a, b) .expected = { a, b }, .nexpected = 2, .either = true
/* Failed VM entries (SDM 26.2: VMfailValid with an error number; 26.7: an exit with
 * reason 33 and bit 31, and a qualification). */
#define EV_VMFAIL(error)    { .source = OBS_ENTRY_VMFAIL, .anchor = AT_STEP, .has_detail = true, .detail = (error) }
#define EV_BAD_GUEST(qual)  { .source = OBS_ENTRY_BAD_GUEST, .anchor = AT_STEP, .has_detail = true, .detail = (qual) }
#define EV_BAD_GUEST_ANY    { .source = OBS_ENTRY_BAD_GUEST, .anchor = AT_STEP }

#define STEPS(...) \
	.steps = (const struct step[]){ __VA_ARGS__ }, \
	.nsteps = sizeof((const struct step[]){ __VA_ARGS__ }) / sizeof(struct step)

#endif
