/*
 * The watchdog, run by the generator CPU while it is idle (generator_main's while_idle).
 */
#include "experiments/watchdog.h"

#include "experiments/engine.h"
#include "experiments/options.h"
#include "experiments/run.h"
#include "hv/hv.h"
#include "lib/apic.h"
#include "lib/console.h"
#include "lib/platform.h"
#include "lib/printf.h"
#include "lib/timer.h"

static uint32_t experimenter_apic_id;

void watchdog_init(uint32_t experimenter) { experimenter_apic_id = experimenter; }

/*
 * The watchdog: while idle, the generator looks at the experimenter's heartbeat: the
 * steps it starts (not its VM exits: a storm of exits is no progress). A step can
 * legitimately take one bounded wait plus the sends, so no progress for ten wait bounds
 * (plus time to print a failure at a slow baud rate) means the experimenter is stuck
 * where no timer reaches it: an endless loop with interrupts off, a VM entry that never
 * completes.
 *
 * First an INIT: in VMX non-root operation it is a VM exit (SDM 25.2), which the engine
 * turns into a timeout verdict for the step and recovers from. If the experimenter is
 * stuck in VMX root, INIT stays blocked; after another bound the run ends with a
 * "Bail out!" that says where it was stuck, rather than hang.
 *
 * Under SVM there is no INIT to send: an intercepted INIT "remains pending until the VMM
 * sets GIF" and then resets the host (APM 15.13.4, "INIT Intercept"; Table 15-12), one
 * that is not intercepted resets the experimenter at once, and QEMU resets the host even
 * with GIF = 0. Nothing the engine could answer is left, so the watchdog bails out at the
 * first bound, naming the experiment and step: bounded, with the summary, never a hang.
 *
 * Printing counts as progress: one console write can take long (a scroll redraws the
 * whole framebuffer; a slow baud rate), and while the experimenter writes it is not stuck.
 */
#define EXPERIMENTER_CPU 1  /* its index (boot/main.c) */

static void describe_stuck(char *buf, unsigned len)
{
	if (run.active) {
		char text[96];
		step_describe_in(run.x, run.step, text, sizeof(text));
		snprintf(buf, len, "in %s %u, step %u (%s)", options_run_unit(), run.x->number, run.step + 1, text);
	} else {
		snprintf(buf, len, "during the %s", run.phase);
	}
}

void watchdog_poll(void)
{
	static unsigned last_progress;
	static uint64_t last_change_us;
	static bool init_sent;
	uint64_t now = time_us();
	uint64_t bound_us = options.timeout_ms * 1000 * 10 + 2000000;
	/* Steps, not VM exits: a storm is no progress; printing is (a slow screen). */
	unsigned printing = console_activity(EXPERIMENTER_CPU);  /* odd while it writes */
	unsigned beat = run.progress + printing;
	if (!run.phase || platform_exiting() || beat != last_progress || (printing & 1)) {
		last_progress = beat;
		last_change_us = now;
		init_sent = false;
		return;
	}
	if (now - last_change_us < (init_sent ? 2 * bound_us : bound_us))
		return;
	char where[160];
	describe_stuck(where, sizeof(where));
	unsigned long long ms = (now - last_change_us) / 1000;
	if (!init_sent && run.active && hv && hv->init_ends_guest) {
		init_sent = true;
		run.watchdog_ms = (unsigned)ms;
		printf("# watchdog: no progress for %llu ms %s: sending INIT to end it\n", ms, where);
		apic_send_ipi(experimenter_apic_id, APIC_DM_INIT);
		return;
	}
	if (!init_sent && run.active)
		printf("# watchdog: no progress for %llu ms %s: under %s an INIT would reset the experimenter, so the "
		       "run ends here\n", ms, where, hv ? hv->name : "this backend");
	char reason[240];
	snprintf(reason, sizeof(reason), "watchdog: no progress for %llu ms %s", ms, where);
	engine_bail_out(reason);
}

