/*
 * The VMX self-test: the foundation the experiments stand on. The guest makes
 * `vmcalls` VMCALL round trips, then halts while the generator sends it an NMI; with
 * NMI exiting = 1 that NMI must come back as a VM exit (basic reason 0, interruption
 * type NMI) at the instruction after the guest's HLT.
 */
#include "experiments/selftest.h"

#include "experiments/engine.h"
#include "experiments/generator.h"
#include "experiments/options.h"
#include "experiments/run.h"
#include "guest/hypercall.h"
#include "lib/platform.h"
#include "lib/printf.h"
#include "lib/timer.h"
#include "machine/anchors.h"
#include "vmx/exit.h"
#include "vmx/vmcs.h"
#include "vmx/vmx.h"
#include "vmx/vmx_defs.h"

/* --- the guest half ------------------------------------------------------------- */

static unsigned check_round_trips(void)
{
	unsigned failures = 0;
	for (uintptr_t i = 0; i < options.vmcall_rounds; i++)
		if (hypercall(HC_PING, i) != i + 1)
			failures++;
	return failures;
}

static void guest_selftest_main(void)
{
	unsigned failures = check_round_trips();
	hypercall(HC_SELFTEST_ARM_NMI, 0);
	enum gen_event nmi = GEN_NMI;
	generator_request(&nmi, 1);
	/* Bounded by the LAPIC timer: a lost NMI ends the wait instead of hanging it. */
	timer_arm_us(options.timeout_ms * 1000);
	generator_halt_ready();
	timer_disarm();
	hypercall(HC_SELFTEST_DONE, failures);
	for (;;)
		wait_halted(); /* not reached: the host ends the run */
}

/* --- the host half -------------------------------------------------------------- */

static struct {
	struct cpu *cpu;
	uint64_t pings, first_ping_tsc, last_ping_tsc;
	bool nmi_armed;
	unsigned nmi_exits;
	struct vm_exit nmi_exit;
} st;

static bool is_nmi_exit(const struct vm_exit *e)
{
	return e->basic_reason == EXIT_REASON_EXCEPTION_OR_NMI &&
	       (e->interruption_info & INTR_INFO_TYPE_MASK) == INTR_TYPE_NMI;
}

static unsigned report_round_trips(uintptr_t guest_failures)
{
	uint64_t us = tsc_to_us(st.last_ping_tsc - st.first_ping_tsc);
	bool ok = st.pings == options.vmcall_rounds && guest_failures == 0;
	printf("# selftest: %s - %llu VMCALL round trips (%llu wrong results, %llu us)\n", ok ? "ok" : "not ok",
	       (unsigned long long)st.pings, (unsigned long long)guest_failures, (unsigned long long)us);
	return ok ? 0 : 1;
}

static unsigned report_nmi_exit(void)
{
	const struct vm_exit *e = &st.nmi_exit;
	bool ok = st.nmi_exits == 1 && e->guest_rip == (uintptr_t)after_hlt;
	printf("# selftest: %s - NMI sent by the BSP with NMI exiting = 1 arrives as an NMI VM exit\n",
	       ok ? "ok" : "not ok");
	if (st.nmi_exits == 0)
		printf("#   no NMI VM exit within %llu ms\n", (unsigned long long)options.timeout_ms);
	else
		printf("#   %u NMI exit(s); interruption info %#x, guest rip %#lx (after HLT is %#lx), "
		       "activity state %u, instruction length %u, interruptibility %#x\n",
		       st.nmi_exits, e->interruption_info, (unsigned long)e->guest_rip,
		       (unsigned long)(uintptr_t)after_hlt, e->activity_state, e->instruction_length,
		       e->interruptibility);
	return ok ? 0 : 1;
}

/*
 * The engine drives the guest through VMCALL: without working round trips nothing
 * could run. A wrong NMI exit is a finding about the platform: the experiments still
 * run (they say more about it), and the run fails.
 */
static void finish(uintptr_t guest_failures)
{
	if (report_round_trips(guest_failures)) {
		printf("Bail out! VMCALL round trips failed: the experiments cannot drive the guest\n");
		platform_exit(STATUS_FAIL);
	}
	bool nmi_failed = report_nmi_exit() != 0;
	/* Leave the guest as the experiments' baseline expects it: no NMI exiting, no
	 * blocking by NMI (which some emulators save as 1 after an NMI exit). */
	vmcs_clear_bits(PIN_BASED_CONTROLS, PIN_NMI_EXITING);
	vmcs_clear_bits(GUEST_INTERRUPTIBILITY, INTERRUPTIBILITY_NMI);
	engine_begin(st.cpu, nmi_failed);
}

static void hypercall_from_guest(struct gprs *r)
{
	switch ((enum hypercall)r->rax) {
	case HC_PING:
		if (st.pings++ == 0)
			st.first_ping_tsc = rdtsc();
		st.last_ping_tsc = rdtsc();
		r->rax = r->rbx + 1;
		break;
	case HC_SELFTEST_ARM_NMI:
		vmcs_set_bits(PIN_BASED_CONTROLS, PIN_NMI_EXITING);
		st.nmi_armed = true;
		break;
	case HC_SELFTEST_DONE:
		finish(r->rbx);
		break;
	default:
		break;
	}
}

static bool selftest_exit(const struct vm_exit *e, struct gprs *r)
{
	if (e->basic_reason == EXIT_REASON_VMCALL) {
		vmexit_skip_instruction(e); /* first: finish() restarts the guest elsewhere */
		hypercall_from_guest(r);
		return true;
	}
	if (is_nmi_exit(e) && st.nmi_armed) {
		st.nmi_exits++;
		st.nmi_exit = *e;
		/* The host may be NMI-blocked after an NMI exit; IRET leaves it unblocked. */
		execute_iret();
		return true;
	}
	return false;
}

void selftest_run(struct cpu *c)
{
	const char *why;
	st.cpu = c;
	run.phase = "VMX self-test (VMLAUNCH, VMCALL round trips, NMI exit)";
	if (!vmx_setup_vmcs(c, guest_selftest_main, &why)) {
		printf("VMX: cannot set up the VMCS: %s\n", why);
		platform_exit(STATUS_FAIL);
	}
	vmexit_set_handler(selftest_exit);
	printf("VMX: VMLAUNCH into the guest\n");
	vmx_launch_guest();
	platform_exit(STATUS_FAIL);
}
