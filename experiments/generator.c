#include "experiments/generator.h"

#include "experiments/engine.h"
#include "experiments/options.h"
#include "experiments/run.h"
#include "lib/apic.h"
#include "lib/console.h"
#include "lib/platform.h"
#include "lib/printf.h"
#include "lib/timer.h"
#include "machine/anchors.h"
#include "machine/layout.h"
#include "machine/x86.h"

/* Long enough for the experimenter to get from "ready" to its HLT: a few instructions. */
#define SEND_DELAY_US 20
#define READY_TIMEOUT_US 100000

static struct {
	volatile uint32_t requested, completed, ready;
	unsigned count;
	uint64_t first_delay_us;  /* before the first event of the batch */
	enum gen_event events[GEN_MAX_EVENTS];
	uint32_t generator_apic_id, target_apic_id;
} mailbox;

void generator_request_delayed(const enum gen_event *events, unsigned count, uint64_t first_delay_us)
{
	/* One batch at a time: the previous one is sent before the mailbox is reused. */
	generator_wait_idle(READY_TIMEOUT_US);
	if (count > GEN_MAX_EVENTS)
		count = GEN_MAX_EVENTS;
	for (unsigned i = 0; i < count; i++)
		mailbox.events[i] = events[i];
	mailbox.count = count;
	mailbox.first_delay_us = first_delay_us;
	__sync_synchronize();
	mailbox.requested++;
	apic_send_ipi(mailbox.generator_apic_id, APIC_DM_FIXED | VEC_WAKE);
}

void generator_request(const enum gen_event *events, unsigned count)
{
	generator_request_delayed(events, count, SEND_DELAY_US);
}

void generator_send_later(const enum gen_event *events, unsigned count, uint64_t delay_us)
{
	generator_request_delayed(events, count, delay_us);
	mailbox.ready = mailbox.requested;
}

void generator_halt_ready(void)
{
	uint64_t until = options.ready_delay_us ? rdtsc() + us_to_tsc(options.ready_delay_us) : 0;
	wait_halted_signalling(&mailbox.ready, mailbox.requested, until);
}

/* Bounded: an experimenter that never says "ready" still gets its events. */
static void wait_for_ready(unsigned batch)
{
	uint64_t deadline = time_us() + READY_TIMEOUT_US;
	while (mailbox.ready != batch && time_us() < deadline)
		pause();
}

bool generator_wait_idle(uint64_t timeout_us)
{
	uint64_t deadline = time_us() + timeout_us;
	while (mailbox.completed != mailbox.requested) {
		if (time_us() > deadline)
			return false;
		pause();
	}
	return true;
}

static volatile uint32_t nmis_sent;

uint32_t generator_nmis_sent(void) { return nmis_sent; }

static void send(enum gen_event e)
{
	uint32_t icr = e == GEN_NMI ? APIC_DM_NMI : (APIC_DM_FIXED | VEC_GENERATOR);
	nmis_sent += e == GEN_NMI;
	apic_send_ipi(mailbox.target_apic_id, icr);
}

/* Option stray=N (test only): once in the run, an NMI nobody asked for, sent before the
 * first batch of experiment N -- as firmware, a BMC or a nested hypervisor might. */
static void maybe_send_stray_nmi(void)
{
	static bool sent;
	if (sent || !run.active || options.stray_experiment != run.x->number)
		return;
	sent = true;
	unsigned seen = obs_count();
	apic_send_ipi(mailbox.target_apic_id, APIC_DM_NMI);
	/* It lands before anything the generator counts (bounded: a platform may lose it). */
	uint64_t deadline = time_us() + READY_TIMEOUT_US;
	while (obs_count() == seen && time_us() < deadline)
		pause();
}

void generator_init(uint32_t generator_apic_id, uint32_t target_apic_id)
{
	mailbox.generator_apic_id = generator_apic_id;
	mailbox.target_apic_id = target_apic_id;
	__sync_synchronize();
}

/*
 * The watchdog: while idle, the generator looks at the experimenter's heartbeat (steps
 * and VM exits). A step can legitimately take one bounded wait plus the sends, so no
 * progress for ten wait bounds (plus time to print a failure at a slow baud rate) means
 * the experimenter is stuck where no timer reaches it: an endless loop with interrupts
 * off, a VM entry that never completes.
 *
 * First an INIT: in VMX non-root operation it is a VM exit (SDM 25.2), which the engine
 * turns into a timeout verdict for the step and recovers from. If the experimenter is
 * stuck in VMX root, INIT stays blocked; after another bound the run ends with a
 * "Bail out!" that says where it was stuck, rather than hang.
 *
 * Printing counts as progress: one console write can take long (a scroll redraws the
 * whole framebuffer; a slow baud rate), and while the experimenter writes it is not stuck.
 */
#define WATCHDOG_PERIOD_US 20000
#define EXPERIMENTER_CPU 1  /* its index (boot/main.c) */

static void describe_stuck(char *buf, unsigned len)
{
	if (run.active) {
		char text[96];
		step_describe(&run.x->steps[run.step], text, sizeof(text));
		snprintf(buf, len, "in experiment %u, step %u (%s)", run.x->number, run.step + 1, text);
	} else {
		snprintf(buf, len, "during the %s", run.phase);
	}
}

static void watchdog_poll(void)
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
	if (!init_sent && run.active) {
		init_sent = true;
		run.watchdog_ms = (unsigned)ms;
		printf("# watchdog: no progress for %llu ms %s: sending INIT to end it\n", ms, where);
		apic_send_ipi(mailbox.target_apic_id, APIC_DM_INIT);
		return;
	}
	char reason[240];
	snprintf(reason, sizeof(reason), "watchdog: no progress for %llu ms %s", ms, where);
	engine_bail_out(reason);
}

void generator_main(void)
{
	for (;;) {
		cli();
		if (mailbox.completed == mailbox.requested) {
			watchdog_poll();
			timer_arm_us(WATCHDOG_PERIOD_US);
			sti_hlt();
			continue;
		}
		unsigned batch = mailbox.requested;
		__sync_synchronize();
		wait_for_ready(batch);
		maybe_send_stray_nmi();
		for (unsigned i = 0; i < mailbox.count; i++) {
			delay_us(i ? SEND_DELAY_US : mailbox.first_delay_us);
			send(mailbox.events[i]);
		}
		mailbox.completed = batch;
	}
}
