/*
 * The vocabulary of what can happen during an experiment: the events (where they come
 * from), the places they can hit (anchors), and the record a VM exit or a failed VM entry
 * leaves. The model predicts in these terms (model/vmx.h) and the engine observes in
 * them (experiments/observe.h), so a prediction and an observation compare field by
 * field. Pure data and names: no addresses, no I/O.
 */
#ifndef MODEL_EVENT_H
#define MODEL_EVENT_H

#include <stdbool.h>
#include <stdint.h>

enum obs_source {
	OBS_NONE,
	OBS_NMI_G,     /* NMI delivered through the guest IDT */
	OBS_INTR_G,    /* the generator's interrupt through the guest IDT */
	OBS_NMI_H,     /* NMI delivered through the host IDT */
	OBS_INTR_H,    /* the generator's interrupt through the host IDT */
	OBS_EXIT_NMI,  /* VM exit, basic reason 0, interruption type NMI */
	OBS_EXIT_NMIW, /* VM exit, basic reason 8 (NMI window) */
	OBS_EXIT_GP,   /* VM exit, basic reason 0, hardware exception 13 */
	OBS_GP_G,      /* #GP through the guest IDT (a faulting IRET, an injected #GP) */
	OBS_GP_H,      /* #GP through the host IDT */
	OBS_TIMEOUT,   /* the wait's timer fired: nothing ended the wait in time */
	OBS_EXIT_NP,   /* VM exit, basic reason 0, hardware exception 11 (#NP) */
	OBS_EXIT_INTRW,   /* VM exit, basic reason 7 (interrupt window) */
	OBS_EXIT_MTF,     /* VM exit, basic reason 37 (monitor trap flag) */
	OBS_EXIT_PREEMPT, /* VM exit, basic reason 52 (VMX-preemption timer expired) */
	OBS_EXIT_EPT,     /* VM exit, basic reason 48 (EPT violation) */
	OBS_ENTRY_VMFAIL,    /* VM entry failed with VMfailValid: detail = VM-instruction error */
	OBS_ENTRY_BAD_GUEST, /* VM entry failed on guest state (exit reason 33 with bit 31):
				detail = exit qualification */
	OBS_EXC_G,     /* another exception through the guest IDT with a fix-up (an injected
			  one): recorded with its vector, not an event */
	OBS_EXIT_VMCALL,  /* the guest's VMCALL (the engine's own transport): its record is
			     checked like any exit's, but it is not an event */
	OBS_EXIT_IRET,    /* SVM: #VMEXIT(IRET), EXITCODE 74h (the IRET intercept) */
	OBS_VMEXIT_INVALID, /* SVM: VMRUN refused the guest, EXITCODE -1 (VMEXIT_INVALID) */
	OBS_SOURCE_COUNT
};

const char *obs_source_name(enum obs_source s);
/* Observations that count as events (ending waits, failing "none"); exception deliveries
 * with a fix-up and the engine's VMCALLs are recorded and checked, but are not events. */
bool obs_is_event(enum obs_source s);
/* VM exits (and failed entries that exit), whose VMCS record the observation carries. */
bool obs_is_exit(enum obs_source s);
/* VM entries that failed (VMfailValid, or invalid guest state). */
bool obs_is_entry_failure(enum obs_source s);
/* VM exits caused by a fault: they save the faulting instruction's rip. */
bool obs_is_fault_exit(enum obs_source s);

/* Where an event hits. The engine turns an anchor into an address (experiments/places.c). */
enum anchor {
	AT_STEP,           /* the step's natural place (experiments/experiment.h) */
	AT_AFTER_HLT,
	AT_AFTER_IRET,
	AT_AFTER_VMCALL,
	AT_FIRET,          /* the faulting IRET instruction */
	AT_AFTER_FIRET,    /* where the fix-up resumes after a faulting IRET */
	AT_HOST_EXIT_ENTRY,/* the first instruction of the host's VM-exit handler */
	AT_G_HANDLER,      /* the first instruction of G's handler for .vector */
	AT_H_HANDLER,      /* the first instruction of H's handler for .vector */
	AT_AFTER_VMCALL_NEXT, /* the instruction after the one after VMCALL (a shadow's end) */
	AT_PAGE_IRET,      /* the IRET whose frame is in the EPT frame page */
	AT_AFTER_PAGE_IRET,/* where that IRET returns to */
	AT_VMCALL,         /* the guest's VMCALL instruction */
	AT_ELSEWHERE,      /* observed only: a rip the experiments have no name for */
	AT_AFTER_STGI,     /* the instruction after a stgi step's STGI */
	AT_IRET,           /* the IRET instruction of an iret step (an intercept saves it) */
	AT_AFTER_INT2,     /* where an int2 step's INT 2 returns to */
};

/* "after HLT", "G's handler 0x21", "an unnamed rip". */
const char *anchor_name(enum anchor a);

/*
 * What a VM exit (or a VM entry that failed) leaves behind: the VMCS fields the SDM
 * defines for it. A prediction carries a second record as its mask: the bits the SDM
 * defines for that exit, the only bits ever compared.
 *
 * Under SVM the same record holds the VMCB's words after a #VMEXIT (svm/backend.c fills
 * it; APM Vol. 2, Appendix B, Table B-1, "VMCB Layout, Control Area"):
 *   reason              EXITCODE (070h), low 32 bits: VMEXIT_INVALID is 0xffffffff
 *   qualification       EXITINFO1 (078h): an intercepted exception's error code
 *   guest_physical      EXITINFO2 (080h)
 *   idt_vectoring       EXITINTINFO (088h) bits 31:0, the IDT-vectoring information's
 *                       encoding (vector, type, EV, V); idt_vectoring_error its bits 63:32
 *   interruptibility    bit 0: INTERRUPT_SHADOW (068h bit 0), the one interrupt shadow
 *   info                the virtual interrupt control word (060h) bits 31:0: V_GIF (9),
 *                       V_NMI (11), V_NMI_MASK (12), V_GIF_ENABLE (25), V_NMI_ENABLE (26)
 *   entry_info          EVENTINJ (0A8h) bits 31:0 as the #VMEXIT left it
 *   length              nRIP (0C8h) - RIP where CPUID 8000_000Ah:EDX[3] (NRIPS) offers it,
 *                       0xffffffff where nRIP is 0; 0 without NRIPS
 *   error, activity, detail: unused (0)
 * obs_field_name_for() names the fields so.
 */
struct exit_record {
	uint32_t reason;              /* the exit-reason field (bit 31: a failed entry) */
	uint32_t info, error;         /* VM-exit interruption information and error code */
	uint32_t idt_vectoring, idt_vectoring_error;
	uint32_t interruptibility;    /* guest interruptibility state saved */
	uint32_t activity;            /* guest activity state saved */
	uint32_t length;              /* VM-exit instruction length */
	uint32_t entry_info;          /* failed entries: the VM-entry interruption info left */
	uint32_t detail;              /* VMfailValid: the VM-instruction error */
	uint64_t qualification;
	uint64_t guest_physical;      /* EPT violations */
};

/* A field of the record, for check(...), measure(...) and the diagnostics. */
enum obs_field {
	FIELD_REASON,           /* exit reason */
	FIELD_INFO,             /* exit interruption information */
	FIELD_ERROR,            /* exit interruption error code */
	FIELD_IDT_VECTORING,    /* IDT-vectoring information */
	FIELD_IDT_VECTORING_ERROR, /* IDT-vectoring error code */
	FIELD_INTERRUPTIBILITY, /* guest interruptibility state saved */
	FIELD_ACTIVITY,         /* guest activity state saved */
	FIELD_LENGTH,           /* VM-exit instruction length */
	FIELD_QUALIFICATION,    /* exit qualification */
	FIELD_ENTRY_INFO,       /* failed entry: VM-entry interruption information left */
	FIELD_DETAIL,           /* VMfailValid: the VM-instruction error */
	FIELD_GUEST_PHYSICAL,   /* EPT exits: guest-physical address */
	FIELD_COUNT
};

uint64_t record_field(const struct exit_record *r, enum obs_field f);
void record_set_field(struct exit_record *r, enum obs_field f, uint64_t value);
/* The name of a field in a record of that architecture's: the VMCS's, or the VMCB's. */
const char *obs_field_name_for(bool svm, enum obs_field f);

#endif
