/*
 * An executable model of AMD's rules on NMIs under SVM (AMD64 APM Vol. 2, chapter 15,
 * "Secure Virtual Machine"), as the engine exercises them: the same predictions as the
 * VMX model (model/model.h), from the APM instead of the SDM.
 *
 * Given an SVM experiment, the model runs it the way the engine and the SVM backend do
 * -- the guest's VMMCALLs, each run of H steps, every VMRUN and #VMEXIT with the CLGI
 * before it and the STGI after it, the engine's answers to exits -- and predicts every
 * observation in order, and for every #VMEXIT the VMCB's words (model/event.h says which
 * word is which field), with a mask of the bits the APM defines there.
 *
 * Every rule is a clause of model/svm.c citing its APM section with its title. Where the
 * APM leaves a behaviour open (what happens to NMI masking across VMRUN and #VMEXIT, NMIs
 * in an interrupt shadow, a faulting IRET, an exit during NMI delivery) the model is run
 * once per choice (enum svm_choice) and the run reports which one the platform took:
 * measured, never asserted. A platform's known deviation is a quirk (enum svm_quirk): a
 * change to one clause, with its evidence in experiments/deviations.c.
 *
 * Quirks and choices are bits 16-31 of the words model/model.h shares with VMX.
 */
#ifndef MODEL_SVM_H
#define MODEL_SVM_H

#include <stdbool.h>

#include "model/model.h"

/* Where the APM leaves the behaviour to the processor. */
enum svm_choice {
	/* One NMI mask for host and guest: VMRUN and #VMEXIT neither save nor load it, so
	 * blocking in one context carries into the other (the APM lists NMI masking among
	 * neither the state VMRUN saves and loads, 15.5.1, nor what #VMEXIT restores, 15.6).
	 * Not taken: the guest starts unblocked and the host gets its own masking back. */
	SVM_CHOICE_SHARED_NMI_MASK = 1u << 16,
	/* NMIs are held for the instruction in an interrupt shadow (15.13.2, "NMI
	 * Intercept": "NMI interrupts (and SMIs) may be blocked for one instruction following
	 * an STI"). */
	SVM_CHOICE_SHADOW_BLOCKS_NMI = 1u << 17,
	/* An IRET that faults still unblocks NMIs (the APM says nothing of a faulting IRET
	 * for physical NMIs; for virtual ones only a successful IRET counts, 15.21.10). */
	SVM_CHOICE_FAULTING_IRET_UNBLOCKS = 1u << 18,
	/* A #VMEXIT during the delivery of a physical NMI leaves NMIs masked (15.7.2 says
	 * what EXITINTINFO records, nothing of the masking). */
	SVM_CHOICE_DELIVERY_EXIT_BLOCKS = 1u << 19,
	SVM_CHOICE_LAST = SVM_CHOICE_DELIVERY_EXIT_BLOCKS
};

/* A platform's known deviation from the APM, as a change to one clause. */
enum svm_quirk {
	/* An NMI injected with EVENTINJ masks further NMIs until an IRET (15.20: "An injected
	 * NMI does not block delivery of further NMIs"). */
	SVM_QUIRK_INJECTED_NMI_BLOCKS = 1u << 16,
	/* An exit during the delivery of a physical NMI records it in EXITINTINFO as an
	 * exception (type 3, vector 2), not as an NMI (15.7.2, Table 15-1: type 2). */
	SVM_QUIRK_EXITINTINFO_NMI_AS_EXCEPTION = 1u << 17,
	/* An exit during the delivery of a physical NMI records in EXITINTINFO the last
	 * event injected or exception delivered in the guest, valid, instead of the NMI. */
	SVM_QUIRK_EXITINTINFO_STALE = 1u << 18,
	/* The #NP of a gate that is not present has as error code the gate's byte offset in
	 * the IDT plus the IDT bit -- vector x 16 + 2 with the 16-byte gates of long mode,
	 * vector x 8 + 2 in 32-bit mode -- and no EXT (APM Vol. 2 8.4.1, "Selector-Error Code":
	 * the index is the vector, EXT is 1 for an external event). */
	SVM_QUIRK_NP_ERROR_GATE_OFFSET = 1u << 19,
	/* VMRUN does not load INTERRUPT_SHADOW from the VMCB (15.5.1, "Loading Guest State";
	 * 15.21.5: "loaded on VMRUN"): the guest never starts in a shadow. */
	SVM_QUIRK_VMRUN_IGNORES_SHADOW = 1u << 20,
	/* #VMEXIT clears only the valid bit of EVENTINJ, not the field (Vol. 3, VMRUN:
	 * "clear EVENTINJ field in VMCB"). */
	SVM_QUIRK_EVENTINJ_KEEPS_EVENT = 1u << 21,
	/* nRIP is not reset to zero after an intercept that is not an instruction's (15.7.1:
	 * "For all other intercepts, nRIP is reset to zero"): it is the guest's RIP for an
	 * event taken at an instruction boundary, the next instruction's after a fault. */
	SVM_QUIRK_NRIP_NOT_RESET = 1u << 22,
	SVM_QUIRK_LAST = SVM_QUIRK_NRIP_NOT_RESET
};

/* Runs the SVM model over x (model_predict() calls it for an SVM experiment). */
void svm_model_predict(const struct experiment *x, const struct model_config *c, struct prediction *out);

const char *svm_quirk_name(enum svm_quirk q);
const char *svm_choice_name(enum svm_choice c, bool taken);

#endif
