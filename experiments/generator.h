/*
 * The event generator: the BSP sends the experimenter an NMI or a fixed interrupt
 * ("INTR", vector VEC_GENERATOR) when asked, in the order asked, each after a short
 * delay and each accepted by the target's APIC before the next is sent. It halts while
 * idle. Requests can come from the host or the guest: the mailbox is plain memory.
 */
#ifndef EXPERIMENTS_GENERATOR_H
#define EXPERIMENTS_GENERATOR_H

#include <stdbool.h>
#include <stdint.h>

#include "model/step.h"

#define GEN_MAX_EVENTS 8

/* BSP, before the experimenter starts: who sends and who receives. */
void generator_init(uint32_t generator_apic_id, uint32_t target_apic_id);
/* BSP: serves requests forever; while_idle runs between batches (the watchdog). */
__attribute__((noreturn)) void generator_main(void (*while_idle)(void));

/* Experimenter: queues a batch and wakes the generator; returns at once. The first event
 * follows "send now" by a few microseconds, or by first_delay_us. */
void generator_request(const enum gen_event *events, unsigned count);
void generator_request_delayed(const enum gen_event *events, unsigned count, uint64_t first_delay_us);
/* Experimenter, with no HLT of its own to wait for: "send now", after delay_us. */
void generator_send_later(const enum gen_event *events, unsigned count, uint64_t delay_us);
/* Experimenter: "send now", then HLT (machine/anchors.h, wait_halted_signalling). The
 * generator waits for the signal, then for a short delay, so that the first event
 * usually finds the experimenter halted; one that lands before the HLT counts as having
 * woken it. Option ready_delay=US (test only) stretches the time before the HLT. */
void generator_halt_ready(void);
/* Experimenter: true once every event of the last batch has been sent (bounded wait). */
bool generator_wait_idle(uint64_t timeout_us);

#endif
