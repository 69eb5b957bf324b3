"""The report's words, shared by every format: what each verdict is called and means, the
marks, and the notation the legend explains."""

from .model import Verdict

SDM_DERIVED_MARK = "\u2020"   # dagger
SDM_DERIVED_LEGEND = "SDM- or APM-derived (no silicon result yet): weigh a failure accordingly"
EXPECTED_TEXT = {"silicon": "silicon", "sdm": "SDM", "apm": "APM"}

VERDICT_TEXT = {
    Verdict.PASS: "PASS", Verdict.FAIL: "FAIL", Verdict.XFAIL: "XFAIL", Verdict.SKIP: "SKIP",
    Verdict.TIMEOUT: "TIMEOUT", Verdict.NOT_RUN: "",
}
NOT_RUN_TEXT = "not run"   # a NOT_RUN the run itself reported ("# SKIP not run: ...")
VERDICT_MEANING = {
    Verdict.PASS: "passed",
    Verdict.FAIL: "unexpected failure",
    Verdict.XFAIL: "known failure (a documented deviation of this platform)",
    Verdict.SKIP: "skipped (needs a feature this platform lacks)",
    Verdict.TIMEOUT: "unexpected failure: a step ran out of time (its bound, or the watchdog)",
    Verdict.NOT_RUN: "not run (not selected, never picked in random order, or not reached by an incomplete run)",
}

# The notation of the titles and diagnostics (experiments/experiment.h, describe.c, engine.c).
NOTATION = (
    ("H, G", "H: the hypervisor (L1, in VMX root operation); G: its guest (L2)"),
    ("(X,V,B,W)", "the controls set before VM entry: X = NMI exiting, V = virtual NMIs, B = blocking by NMI "
                  "(guest interruptibility bit 3; virtual-NMI blocking when V = 1), W = NMI-window exiting"),
    ("H blocked", "H took an NMI and has not executed IRET, so further NMIs are held pending"),
    ("NMI@G, INTR@G", "an NMI / the generator's interrupt taken by G through G's IDT"),
    ("NMI@H, INTR@H", "the same, taken by H"),
    ("EXIT_NMI", "a VM exit caused by an NMI (exit reason 0, NMI exiting = 1)"),
    ("EXIT_NMIW", "an NMI-window VM exit (exit reason 8)"),
    ("EXIT_GP", "a VM exit for #GP (the exception bitmap's bit 13)"),
    ("#GP@G, #GP@H", "a general-protection fault taken by G / by H"),
    ("timeout", "nothing ended the wait within its bound; \"no progress for N ms\": the watchdog had to end it"),
    ("set(X,V,B,W), check(...)", "write the controls / compare what the VMCS holds (check(B=b): the saved "
                                 "blocking-by-NMI bit; check(bit12=b): \"NMI unblocking due to IRET\" of that exit)"),
    ("wait(ctx: sends -> O)", "halt in ctx (H or G) while the other CPU sends the events; O must end the wait"),
    ("iret(ctx -> O), firet(ctx -> O)", "a real IRET / one whose frame names a null CS, so it faults with #GP(0)"),
    ("inject(NMI), inject(INTR v)", "event injection with the next VM entry"),
    ("after VM entry -> O", "what must have happened once G is back after its VMCALL"),
    ("svm(N,I)", "SVM (experiments 101 on): the VMCB's NMI intercept N and IRET intercept I; "
                 "vnmi(E,P,M): V_NMI_ENABLE, V_NMI, V_NMI_MASK"),
    ("EXIT_IRET, VMEXIT_INVALID", "SVM: #VMEXIT(IRET); a VMRUN the processor refused (EXITCODE -1)"),
    ("clgi, stgi, spin(H: sends -> O)", "SVM: clear / set the global interrupt flag (STGI releases what "
                                        "GIF = 0 held); spin one wait bound without HLT while events are sent"),
    ("step: k of n, [G]/[H]", "the step that failed, and where it ran"),
    ("at 0x... (after HLT)", "where an event hit: the rip, named when the experiments know it (after HLT, "
                             "after IRET, after VMCALL, the host's VM-exit entry, a handler's first instruction)"),
)


def verdict_value_text(value: str | None) -> str:
    if value is None:
        return "absent"
    if value == Verdict.NOT_RUN.value:
        return "not run"
    return value
