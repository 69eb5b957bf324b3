/* The guest half of the VMX self-test: VMCALL round trips, then an NMI that must come
 * back to the host as an NMI VM exit while the guest halts. */
#include "guest/selftest.h"

#include "boot/anchors.h"
#include "boot/options.h"
#include "experiments/generator.h"
#include "guest/hypercall.h"
#include "lib/timer.h"

static unsigned check_round_trips(void)
{
	unsigned failures = 0;
	for (uintptr_t i = 0; i < options.vmcall_rounds; i++)
		if (hypercall(HC_PING, i) != i + 1)
			failures++;
	return failures;
}

void guest_selftest_main(void)
{
	unsigned failures = check_round_trips();
	hypercall(HC_SELFTEST_ARM_NMI, 0);
	enum gen_event nmi = GEN_NMI;
	generator_request(&nmi, 1);
	/* Bounded by the LAPIC timer: a lost NMI ends the wait instead of hanging it. */
	timer_arm_us(options.timeout_ms * 1000);
	generator_ready();
	wait_halted();
	timer_disarm();
	hypercall(HC_SELFTEST_DONE, failures);
	for (;;)
		wait_halted(); /* not reached: the host ends the run */
}
