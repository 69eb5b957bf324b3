#include "experiments/generator.h"

#include "experiments/options.h"
#include "experiments/run.h"
#include "lib/apic.h"
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

static void send_one(enum gen_event e)
{
	uint32_t icr = e == GEN_NMI ? APIC_DM_NMI : (APIC_DM_FIXED | VEC_GENERATOR);
	if (e == GEN_NMI)
		obs_nmi_sent(); /* before the IPI: the NMI cannot arrive uncounted */
	apic_send_ipi(mailbox.target_apic_id, icr);
}

/* An NMI the generator does not count (obs_nmi_sent), as if someone else had sent it;
 * it lands before the generator goes on (bounded: a platform may lose it). */
static void send_uncounted_nmi(void)
{
	unsigned seen = obs_count();
	apic_send_ipi(mailbox.target_apic_id, APIC_DM_NMI);
	uint64_t deadline = time_us() + READY_TIMEOUT_US;
	while (obs_count() == seen && time_us() < deadline)
		pause();
}

/* Option stray=N (test only): once in the run, an NMI nobody asked for, sent before the
 * first batch of experiment N -- as firmware, a BMC or a nested hypervisor might. */
static void maybe_send_stray_nmi(void)
{
	static bool sent;
	if (sent || !run.active || !test_hook_in(HOOK_STRAY, run.x->number))
		return;
	sent = true;
	send_uncounted_nmi();
}

/* Option duplicate=N (test only): in every attempt of experiment N, each NMI the generator
 * sends is followed by an uncounted one, as a platform that delivers an NMI twice would. */
static void maybe_duplicate(enum gen_event e)
{
	if (e == GEN_NMI && run.active && test_hook_in(HOOK_DUPLICATE, run.x->number))
		send_uncounted_nmi();
}

void generator_init(uint32_t generator_apic_id, uint32_t target_apic_id)
{
	mailbox.generator_apic_id = generator_apic_id;
	mailbox.target_apic_id = target_apic_id;
	__sync_synchronize();
}

/* How often the idle generator looks up from its HLT (the watchdog's period). */
#define IDLE_PERIOD_US 20000

void generator_main(void (*while_idle)(void))
{
	for (;;) {
		cli();
		if (mailbox.completed == mailbox.requested) {
			while_idle();
			timer_arm_us(IDLE_PERIOD_US);
			sti_hlt();
			continue;
		}
		unsigned batch = mailbox.requested;
		__sync_synchronize();
		wait_for_ready(batch);
		maybe_send_stray_nmi();
		for (unsigned i = 0; i < mailbox.count; i++) {
			delay_us(i ? SEND_DELAY_US : mailbox.first_delay_us);
			send_one(mailbox.events[i]);
			maybe_duplicate(mailbox.events[i]);
		}
		mailbox.completed = batch;
	}
}
