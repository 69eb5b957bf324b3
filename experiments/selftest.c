/*
 * The self-test: the foundation the experiments stand on, on either backend. The guest
 * makes `vmcalls` hypercall round trips, then halts while the generator sends it an NMI;
 * with NMIs intercepted (NMI exiting, the NMI intercept) that NMI must come back as an
 * NMI exit at the instruction after the guest's HLT.
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
#include "hv/hv.h"

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
	struct guest_exit nmi_exit;
} st;

static unsigned report_round_trips(uintptr_t guest_failures)
{
	uint64_t us = tsc_to_us(st.last_ping_tsc - st.first_ping_tsc);
	bool ok = st.pings == options.vmcall_rounds && guest_failures == 0;
	printf("# selftest: %s - %llu hypercall round trips (%llu wrong results, %llu us)\n", ok ? "ok" : "not ok",
	       (unsigned long long)st.pings, (unsigned long long)guest_failures, (unsigned long long)us);
	return ok ? 0 : 1;
}

static unsigned report_nmi_exit(void)
{
	const struct guest_exit *e = &st.nmi_exit;
	bool ok = st.nmi_exits == 1 && e->guest_rip == (uintptr_t)after_hlt;
	printf("# selftest: %s - NMI sent by the BSP with NMIs intercepted arrives as an NMI VM exit\n",
	       ok ? "ok" : "not ok");
	if (st.nmi_exits == 0)
		printf("#   no NMI VM exit within %llu ms\n", (unsigned long long)options.timeout_ms);
	else
		printf("#   %u NMI exit(s); interruption info %#x, guest rip %#lx (after HLT is %#lx), "
		       "activity state %u, instruction length %u, interruptibility %#x\n",
		       st.nmi_exits, e->rec.info, (unsigned long)e->guest_rip,
		       (unsigned long)(uintptr_t)after_hlt, e->rec.activity, e->rec.length,
		       e->rec.interruptibility);
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
		printf("Bail out! hypercall round trips failed: the experiments cannot drive the guest\n");
		platform_exit(STATUS_FAIL);
	}
	bool nmi_failed = report_nmi_exit() != 0;
	/* Leave the guest as the experiments' baseline expects it: nothing intercepted, no
	 * blocking by NMI (which some emulators save as 1 after an NMI exit). */
	hv->baseline();
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
		hv->intercept_nmis(true);
		st.nmi_armed = true;
		break;
	case HC_SELFTEST_DONE:
		finish(r->rbx);
		break;
	default:
		break;
	}
}

static bool selftest_exit(const struct guest_exit *e, struct gprs *r)
{
	if (e->kind == GUEST_EXIT_HYPERCALL) {
		hv->skip_instruction(e); /* first: finish() restarts the guest elsewhere */
		hypercall_from_guest(r);
		return true;
	}
	if (e->kind == GUEST_EXIT_NMI && st.nmi_armed) {
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
	run.phase = "self-test (the first VM entry, hypercall round trips, an NMI exit)";
	hv->set_exit_handler(selftest_exit);
	hv->start_guest(c, guest_selftest_main, &why);
	printf("%s: cannot start the guest: %s\n", hv->name, why);
	platform_exit(STATUS_FAIL);
}
