/*
 * An executable model of the SDM's NMI rules under VMX, as the engine exercises them.
 *
 * Given an experiment (model/step.h), the model runs it the way the engine does -- the
 * guest's VMCALLs, each run of H steps, every VM entry and exit, the engine's own answers
 * to exits (clearing one-shot controls, fix-ups, the EPT frame page) -- and predicts
 * every observation in order: each event with the place it hits, and for every VM exit
 * or failed VM entry the whole record, with a mask of the bits the SDM defines there.
 * Each prediction is tagged with the step whose judgement window it falls in (the
 * windows partition the run: experiments/judge.h), so nothing the platform does goes
 * unchecked.
 *
 * Every rule is a clause of model/vmx.c that cites its SDM section with its title;
 * docs/rules.md lists them, with the experiments that exercise each. Where the SDM
 * leaves a behaviour to the processor, the model either masks the bits it leaves
 * undefined, or (for a choice with consequences) is run once per choice: enum
 * model_choice, reported as measured. A platform's known deviation is a quirk: a change
 * to one clause (enum model_quirk), so that "the model with that deviation applied"
 * predicts what the platform does, in any experiment or scenario.
 *
 * Pure and freestanding: no I/O, no globals; the kernel and the host tests link it.
 */
#ifndef MODEL_VMX_H
#define MODEL_VMX_H

#include <stdbool.h>
#include <stdint.h>

#include "model/event.h"
#include "model/model.h"
#include "model/rules.h"
#include "model/step.h"

/* Where the SDM lets the processor choose, with consequences for what follows. */
enum model_choice {
	/* Blocking by STI also blocks NMIs and NMI-window exits (Table 24-3, "Blocking by
	 * STI": "may also block ... NMIs"; experiment 48). */
	CHOICE_STI_BLOCKS_NMI = 1u << 0,
	/* VM entry refuses an NMI injection under blocking by STI (26.3.1.5: "A processor
	 * may require blocking by STI to be 0 for VM entry to inject an NMI"; 45). */
	CHOICE_STI_REFUSES_NMI_INJECTION = 1u << 1,
	/* Blocking by STI or MOV-SS holds off the VMX-preemption timer's exit for the one
	 * instruction (25.2 puts the timer below debug traps and names no shadow; 26.6.4 says
	 * only that the activity state may block it: left open, measured). */
	CHOICE_SHADOW_HOLDS_TIMER = 1u << 2,
	MODEL_CHOICE_COUNT = 3
};

/* A platform's known deviation from the SDM or silicon, as a change to one clause. The
 * evidence for each is in experiments/deviations.c. */
enum model_quirk {
	/* VM entry only ever sets NMI blocking (bit 3 = 1), never clears what the host or an
	 * earlier guest run left: H's blocking carries into G, and virtual-NMI blocking
	 * survives an entry with bit 3 = 0. */
	QUIRK_ENTRY_KEEPS_NMI_BLOCKING = 1u << 0,
	/* Injecting an NMI with virtual NMIs = 0 sets blocking by NMI. */
	QUIRK_INJECTED_NMI_BLOCKS = 1u << 1,
	/* An NMI that exits (virtual NMIs = 0) blocks NMIs before the exit: the exit saves
	 * blocking by NMI = 1. */
	QUIRK_NMI_EXIT_SAVES_BLOCKING = 1u << 2,
	/* An exit from the HLT state saves activity state 0, unless the VMX-preemption timer
	 * caused it with nothing else due that would wake the processor. */
	QUIRK_HLT_EXIT_SAVES_ACTIVE = 1u << 3,
	/* No 26.3.1.5 check of an NMI injection under virtual-NMI blocking: the entry succeeds. */
	QUIRK_NO_VIRTUAL_NMI_INJECTION_CHECK = 1u << 4,
	/* No MTF exit after a VM entry, whether it injects an event or not. */
	QUIRK_NO_MTF_AFTER_ENTRY = 1u << 5,
	/* A faulting IRET (in the host) leaves NMIs blocked. */
	QUIRK_FAULTING_IRET_KEEPS_BLOCKING = 1u << 6,
	/* After a VM entry that injects an event, an NMI held for the guest is neither
	 * delivered nor exits in the guest: it reaches the host at the next VM exit. */
	QUIRK_INJECTION_HOLDS_PENDING_NMI = 1u << 7,
	/* An interrupt-window exit does not wake a guest halted by VM entry: it comes when an
	 * interrupt wakes it, before that interrupt is delivered. */
	QUIRK_HLT_HOLDS_INTERRUPT_WINDOW = 1u << 8,
	MODEL_QUIRK_COUNT = 9
};

/* Runs the VMX model over x (model_predict() calls it for a VMX experiment). */
void vmx_model_predict(const struct experiment *x, const struct model_config *c, struct prediction *out);

/* "entry-keeps-nmi-blocking": a VMX quirk's name; a VMX choice, said both ways. */
const char *vmx_quirk_name(enum model_quirk q);
const char *vmx_choice_name(enum model_choice c, bool taken);

#endif
