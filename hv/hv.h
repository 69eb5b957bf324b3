/*
 * The hypervisor's side of an experiment, whatever the vendor: what the engine asks of a
 * backend (vmx/ for Intel VT-x, svm/ for AMD-V) and what a backend tells the engine.
 * The engine speaks of "a guest exit", "the guest's controls", "an injected event"; the
 * backend knows the VMCS or the VMCB. Start-up picks the backend (boot/main.c) and sets
 * `hv`; nothing outside the backends names a vendor's structure.
 */
#ifndef HV_HV_H
#define HV_HV_H

#include <stdbool.h>
#include <stdint.h>

#include "hv/features.h"
#include "machine/arch.h"
#include "machine/cpu.h"
#include "model/event.h"
#include "model/step.h"

/* What ended a stretch of guest execution, in the engine's terms. */
enum guest_exit_kind {
	GUEST_EXIT_HYPERCALL,        /* VMCALL / VMMCALL: the guest asks the host */
	GUEST_EXIT_NMI,              /* an NMI exited (NMI exiting / the NMI intercept) */
	GUEST_EXIT_NMI_WINDOW,
	GUEST_EXIT_EXCEPTION,        /* .vector */
	GUEST_EXIT_INTERRUPT_WINDOW,
	GUEST_EXIT_MTF,
	GUEST_EXIT_PREEMPTION_TIMER,
	GUEST_EXIT_NESTED_PAGE_FAULT,/* EPT violation / nested page fault */
	GUEST_EXIT_NESTED_PAGE_MISCONFIG,
	GUEST_EXIT_INIT,
	GUEST_EXIT_ENTRY_VMFAIL,     /* the entry failed before loading the guest */
	GUEST_EXIT_ENTRY_BAD_GUEST,  /* the entry failed on the guest's state */
	GUEST_EXIT_IRET,             /* SVM: the IRET intercept, saved at the IRET */
	GUEST_EXIT_ENTRY_INVALID,    /* SVM: VMRUN refused the guest (VMEXIT_INVALID) */
	GUEST_EXIT_OTHER,
};

struct guest_exit {
	enum guest_exit_kind kind;
	uint8_t vector;              /* GUEST_EXIT_EXCEPTION */
	uintptr_t guest_rip;
	bool hit_before_hlt;         /* it hit before a wait's HLT: counted at after_hlt */
	bool during_delivery;        /* the exit came while delivering an event (IDT-vectoring valid) */
	struct exit_record rec;      /* what the vendor's structure says (model/event.h) */
	const char *name;            /* the vendor's name for it: "EPT violation", "VMEXIT_NPF" */
};

/* The backend calls it for every exit; returns false for an exit it did not expect (the
 * backend then prints what it can and ends the run). */
typedef bool (*guest_exit_handler)(const struct guest_exit *e, struct gprs *regs);

/* What a step the backend executes needs from the engine, and tells it back. */
struct step_io {
	const struct exit_record *last_exit; /* REINJECT, ...: the last exit of the step's kind, or 0 */
	/* Out: */
	bool injected_nmi;           /* the next entry injects an NMI (the stray-NMI count) */
	bool has_value;              /* a check: what it read */
	uint64_t value;
	const char *failed;          /* what went wrong, if the step could not be done */
};

/* Where in the frame page the IRET's frame lies: near the end, so that an event delivered
 * on the stack the IRET leaves has most of the page below it. */
#define FRAME_PAGE_IRET_OFFSET 0xf00

struct hv_backend {
	const char *name;            /* "VMX", "SVM": what the banner and the log say */
	/* Where a held NMI lands in the host after an exit (the anchor AT_HOST_EXIT_ENTRY):
	 * VMX, the exit handler's first instruction; SVM, the instruction after the STGI
	 * that follows #VMEXIT. */
	const char *exit_entry;
	/* Whether the watchdog's INIT ends a stuck guest with an exit the engine can answer
	 * (VMX: SDM 25.2); under SVM an INIT stays pending and resets the host (APM 15.13.4). */
	bool init_ends_guest;
	/* Whether an NMI exit consumes the NMI (VMX, SDM 27.1) or leaves it pending for the
	 * host (SVM: "#VMEXIT(NMI), NMI is still pending", APM 15.21.9). */
	bool nmi_exit_consumes;
	/* Of `features` (enum hv_feature), the first this CPU lacks, named with the bit that
	 * says so (a SKIP reason); 0 when it has them all. */
	const char *(*missing)(unsigned features);
	/* Sets up the control structure for a guest at `entry` and enters it; returns only if
	 * that failed, with why. */
	void (*start_guest)(struct cpu *c, void (*entry)(void), const char **why);
	/* The guest at a fresh entry point: RIP, an empty stack, RFLAGS = 2, active. */
	void (*reset_guest)(struct cpu *c, void (*entry)(void));
	void (*set_exit_handler)(guest_exit_handler h);
	/* Past the instruction that exited (a hypercall), or to where a fix-up resumes. */
	void (*skip_instruction)(const struct guest_exit *e);
	void (*resume_at)(uintptr_t rip);
	/* NMIs exit (NMI exiting, the NMI intercept): the self-test's one control. */
	void (*intercept_nmis)(bool on);
	/* Every control an experiment may set, back to the baseline (nothing intercepted or
	 * injected, no blocking, active, the full IDT). Returns false if a nested-paging
	 * invalidation failed. */
	bool (*baseline)(void);
	/* The controls under which one guest IRET clears whatever virtual blocking the
	 * platform may keep from an earlier experiment (the engine's baseline); false when the
	 * CPU has no such blocking to clear. */
	bool (*prepare_baseline_iret)(void);
	/* Option storm=N (test only): make every VM entry exit at once; false if impossible. */
	bool (*arm_storm)(void);
	/* The controls as a run of H steps found them, put back after a refused entry. */
	void (*save_controls)(void);
	void (*restore_controls)(void);
	/* Executes step s, an op on the hypervisor's controls (experiments/steps.c hands
	 * them over); one it does not implement sets io->failed. */
	void (*execute)(const struct step *s, struct step_io *io);
	/* The engine's answer to an exit that a one-shot control caused: the control off. */
	void (*clear_one_shot)(const struct guest_exit *e);
	/* Where the guest's IRET frame page is (an EPT/NPT-revocable page), and the answers
	 * to its violation: map it again, and set blocking by NMI again. */
	uint8_t *frame_page;
	bool (*in_frame_page)(uint64_t guest_physical);
	bool (*restore_frame_page)(void);
	void (*reblock_nmis)(void);
	/* Whether the exit says IRET had unblocked NMIs and was not during delivery
	 * (31.7.1.2: then the VMM sets blocking by NMI again). */
	bool (*exit_unblocked_nmis)(const struct guest_exit *e);
	/* The guest's linear address of a nested page fault, for diagnostics. */
	uint64_t (*fault_linear_address)(void);
	/* Prints the whole control structure (verbose diagnostics). */
	void (*dump)(void);
};

/* The backend of this run (0 without virtualization). */
extern const struct hv_backend *hv;

#endif
