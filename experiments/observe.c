#include "experiments/observe.h"

#include "lib/string.h"
#include "lib/timer.h"
#include "machine/cpu.h"
#include "machine/layout.h"
#include "machine/trap.h"
#include "machine/x86.h"

static struct {
	volatile unsigned count;
	struct observation entries[OBS_LOG_SIZE];
	volatile bool timeout_armed;
	volatile unsigned window;
} log;

/*
 * NMIs that arrived (delivered to H or G, or an NMI exit), less those the experiment
 * injected, can never outnumber those the generator has sent so far: an NMI is counted
 * as sent before its IPI goes out, and one held pending arrives later or never. One that
 * arrives when the count is already even was sent by someone else.
 */
static volatile int nmi_arrivals;
static volatile uint32_t nmis_sent, nmis_sent_at_clear;
static struct observation first_stray;
static volatile bool stray_seen;

/* Whether an NMI exit consumes the NMI (VMX: SDM 27.1) or leaves it pending, so that the
 * host takes it next (SVM: APM 15.13.2): then the NMI@H that follows is its arrival. */
static bool exit_consumes_nmi = true;

void obs_nmi_exit_consumes(bool consumes) { exit_consumes_nmi = consumes; }

static bool is_nmi_arrival(const struct observation *o)
{
	return o->source == OBS_NMI_H || o->source == OBS_NMI_G || (o->source == OBS_EXIT_NMI && exit_consumes_nmi);
}

static void count_nmi_arrival(const struct observation *o)
{
	int arrived = __sync_add_and_fetch(&nmi_arrivals, 1);
	if (arrived > (int)(nmis_sent - nmis_sent_at_clear) && !stray_seen) {
		first_stray = *o;
		stray_seen = true;
	}
}

void obs_nmi_not_sent(void) { __sync_fetch_and_sub(&nmi_arrivals, 1); }
void obs_nmi_sent(void) { __sync_fetch_and_add(&nmis_sent, 1); }
unsigned obs_nmis_sent(void) { return nmis_sent - nmis_sent_at_clear; }
unsigned obs_nmis_arrived(void) { return nmi_arrivals < 0 ? 0 : (unsigned)nmi_arrivals; }

const struct observation *obs_stray_nmi(void) { return stray_seen ? &first_stray : 0; }

/* Handlers on one CPU append; they may nest (an NMI inside an interrupt handler), so
 * the slot is claimed atomically before it is filled. */
void obs_record(const struct observation *o)
{
	struct observation stamped = *o;
	stamped.window = (uint8_t)log.window;
	if (is_nmi_arrival(&stamped))
		count_nmi_arrival(&stamped);
	unsigned i = __sync_fetch_and_add(&log.count, 1);
	if (i < OBS_LOG_SIZE)
		log.entries[i] = stamped;
}

void obs_set_window(unsigned step)
{
	log.window = step;
}

static void obs_record_simple(enum obs_source s, uintptr_t rip)
{
	struct observation o = { .source = s, .rip = rip };
	obs_record(&o);
}

void obs_clear(void)
{
	log.count = 0;
	nmi_arrivals = 0;
	stray_seen = false;
	nmis_sent_at_clear = nmis_sent;
}

unsigned obs_count(void)
{
	return log.count < OBS_LOG_SIZE ? log.count : OBS_LOG_SIZE;
}

const struct observation *obs_at(unsigned i) { return &log.entries[i]; }

const struct observation *obs_last(enum obs_source s)
{
	for (unsigned i = obs_count(); i-- > 0;)
		if (log.entries[i].source == s)
			return &log.entries[i];
	return 0;
}

void obs_arm_timeout(uint64_t us)
{
	log.timeout_armed = true;
	timer_arm_us(us);
}

void obs_disarm_timeout(void)
{
	timer_disarm();
	log.timeout_armed = false;
}

/* Only the experimenter observes; the generator's own timer and wake-ups are not events. */
static bool observing_here(void)
{
	return this_cpu()->role == ROLE_EXPERIMENTER;
}

static void on_nmi(unsigned context, uintptr_t rip)
{
	if (observing_here())
		obs_record_simple(context == CTX_GUEST ? OBS_NMI_G : OBS_NMI_H, rip);
}

static void on_interrupt(unsigned context, unsigned vector, uintptr_t rip)
{
	if (!observing_here())
		return;
	if (vector == VEC_GENERATOR)
		obs_record_simple(context == CTX_GUEST ? OBS_INTR_G : OBS_INTR_H, rip);
	else if (vector == VEC_TIMER && log.timeout_armed) {
		/* A timer that fired after its wait ended stays pending; only an armed one
		 * speaks. */
		log.timeout_armed = false;
		obs_record_simple(OBS_TIMEOUT, rip);
	}
}

/* An exception that has a fix-up is expected (a faulting IRET, an injected exception):
 * it is recorded -- so that "NMI@G at G's #GP entry" can be told apart from a #GP that
 * never happened -- and execution moves on where the fix-up says. */
static bool on_exception(struct trap_frame *f)
{
	uintptr_t resume;
	if (!fixup_lookup((unsigned)f->vector, f->rip, &resume))
		return false;
	if (f->vector == VEC_GP) {
		obs_record_simple(f->context == CTX_GUEST ? OBS_GP_G : OBS_GP_H, f->rip);
	} else if (f->context == CTX_GUEST) {
		struct observation o = { .source = OBS_EXC_G, .rip = f->rip, .vector = (uint8_t)f->vector };
		obs_record(&o);
	}
	f->rip = resume;
	return true;
}

void obs_install_trap_hooks(void)
{
	trap_hooks.nmi = on_nmi;
	trap_hooks.interrupt = on_interrupt;
	trap_hooks.exception = on_exception;
}
