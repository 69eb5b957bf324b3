#include "experiments/generator.h"

#include "boot/layout.h"
#include "lib/apic.h"
#include "lib/timer.h"
#include "lib/x86.h"

/* Long enough for the experimenter to get from its request to its HLT. */
#define SEND_DELAY_US 20

static struct {
	volatile unsigned requested, completed;
	unsigned count;
	enum gen_event events[GEN_MAX_EVENTS];
	uint32_t generator_apic_id, target_apic_id;
} mailbox;

void generator_request(const enum gen_event *events, unsigned count)
{
	if (count > GEN_MAX_EVENTS)
		count = GEN_MAX_EVENTS;
	for (unsigned i = 0; i < count; i++)
		mailbox.events[i] = events[i];
	mailbox.count = count;
	__sync_synchronize();
	mailbox.requested++;
	apic_send_ipi(mailbox.generator_apic_id, APIC_DM_FIXED | VEC_WAKE);
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

static void send(enum gen_event e)
{
	uint32_t icr = e == GEN_NMI ? APIC_DM_NMI : (APIC_DM_FIXED | VEC_GENERATOR);
	apic_send_ipi(mailbox.target_apic_id, icr);
}

void generator_init(uint32_t generator_apic_id, uint32_t target_apic_id)
{
	mailbox.generator_apic_id = generator_apic_id;
	mailbox.target_apic_id = target_apic_id;
	__sync_synchronize();
}

void generator_main(void)
{
	for (;;) {
		cli();
		if (mailbox.completed == mailbox.requested) {
			sti_hlt();
			continue;
		}
		unsigned batch = mailbox.requested;
		__sync_synchronize();
		for (unsigned i = 0; i < mailbox.count; i++) {
			delay_us(SEND_DELAY_US);
			send(mailbox.events[i]);
		}
		mailbox.completed = batch;
	}
}
