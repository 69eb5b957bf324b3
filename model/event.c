#include "model/event.h"

static const char *const source_names[OBS_SOURCE_COUNT] = {
	[OBS_NONE] = "none", [OBS_NMI_G] = "NMI@G", [OBS_INTR_G] = "INTR@G",
	[OBS_NMI_H] = "NMI@H", [OBS_INTR_H] = "INTR@H", [OBS_EXIT_NMI] = "EXIT_NMI",
	[OBS_EXIT_NMIW] = "EXIT_NMIW", [OBS_EXIT_GP] = "EXIT_GP", [OBS_GP_G] = "#GP@G",
	[OBS_GP_H] = "#GP@H", [OBS_TIMEOUT] = "timeout", [OBS_EXIT_NP] = "EXIT_NP",
	[OBS_EXIT_INTRW] = "EXIT_INTRW", [OBS_EXIT_MTF] = "EXIT_MTF", [OBS_EXIT_PREEMPT] = "EXIT_PREEMPT",
	[OBS_EXIT_EPT] = "EXIT_EPT", [OBS_ENTRY_VMFAIL] = "ENTRY_VMFAIL", [OBS_ENTRY_BAD_GUEST] = "ENTRY_BAD_GUEST",
	[OBS_EXC_G] = "exception@G", [OBS_EXIT_VMCALL] = "EXIT_VMCALL", [OBS_EXIT_IRET] = "EXIT_IRET",
	[OBS_VMEXIT_INVALID] = "VMEXIT_INVALID",
};

const char *obs_source_name(enum obs_source s)
{
	return s < OBS_SOURCE_COUNT && source_names[s] ? source_names[s] : "?";
}

bool obs_is_event(enum obs_source s)
{
	return s != OBS_NONE && s != OBS_GP_G && s != OBS_GP_H && s != OBS_EXC_G && s != OBS_EXIT_VMCALL &&
	       s < OBS_SOURCE_COUNT;
}

bool obs_is_exit(enum obs_source s)
{
	switch (s) {
	case OBS_EXIT_NMI: case OBS_EXIT_NMIW: case OBS_EXIT_GP: case OBS_EXIT_NP: case OBS_EXIT_INTRW:
	case OBS_EXIT_MTF: case OBS_EXIT_PREEMPT: case OBS_EXIT_EPT: case OBS_ENTRY_BAD_GUEST:
	case OBS_EXIT_VMCALL: case OBS_EXIT_IRET: case OBS_VMEXIT_INVALID:
		return true;
	default:
		return false;
	}
}

bool obs_is_entry_failure(enum obs_source s)
{
	return s == OBS_ENTRY_VMFAIL || s == OBS_ENTRY_BAD_GUEST || s == OBS_VMEXIT_INVALID;
}

/* A VM exit caused by a fault saves the rip of the faulting instruction, as the fault
 * itself would have pushed it (SDM Vol. 3C 27.3.3, "Saving RIP"). */
bool obs_is_fault_exit(enum obs_source s)
{
	return s == OBS_EXIT_GP || s == OBS_EXIT_NP || s == OBS_EXIT_EPT;
}

const char *anchor_name(enum anchor a)
{
	switch (a) {
	case AT_STEP: return "at the step's place";
	case AT_AFTER_HLT: return "after HLT";
	case AT_AFTER_IRET: return "after IRET";
	case AT_AFTER_VMCALL: return "after VMCALL";
	case AT_FIRET: return "the faulting IRET";
	case AT_AFTER_FIRET: return "after the faulting IRET";
	case AT_HOST_EXIT_ENTRY: return "host VM-exit entry";
	case AT_G_HANDLER: return "G's handler";
	case AT_H_HANDLER: return "H's handler";
	case AT_AFTER_VMCALL_NEXT: return "one instruction after VMCALL";
	case AT_PAGE_IRET: return "the IRET from the EPT frame page";
	case AT_AFTER_PAGE_IRET: return "after the IRET from the EPT frame page";
	case AT_VMCALL: return "the VMCALL";
	case AT_ELSEWHERE: return "an unnamed rip";
	case AT_AFTER_STGI: return "after STGI";
	case AT_IRET: return "the IRET";
	case AT_AFTER_INT2: return "after INT 2";
	}
	return "?";
}

static const char *const field_names[FIELD_COUNT] = {
	[FIELD_REASON] = "exit reason", [FIELD_INFO] = "interruption info", [FIELD_ERROR] = "error code",
	[FIELD_IDT_VECTORING] = "IDT-vectoring info", [FIELD_IDT_VECTORING_ERROR] = "IDT-vectoring error",
	[FIELD_INTERRUPTIBILITY] = "interruptibility", [FIELD_ACTIVITY] = "activity state",
	[FIELD_LENGTH] = "instruction length", [FIELD_QUALIFICATION] = "qualification",
	[FIELD_ENTRY_INFO] = "VM-entry interruption info", [FIELD_DETAIL] = "VM-instruction error",
	[FIELD_GUEST_PHYSICAL] = "guest-physical address",
};

static const char *obs_field_name(enum obs_field f)
{
	return f < FIELD_COUNT ? field_names[f] : "?";
}

/* The VMCB words an SVM record holds (model/event.h). */
static const char *const svm_field_names[FIELD_COUNT] = {
	[FIELD_REASON] = "EXITCODE", [FIELD_INFO] = "V_INTR control (060h)", [FIELD_ERROR] = "unused",
	[FIELD_IDT_VECTORING] = "EXITINTINFO", [FIELD_IDT_VECTORING_ERROR] = "EXITINTINFO error code",
	[FIELD_INTERRUPTIBILITY] = "INTERRUPT_SHADOW", [FIELD_ACTIVITY] = "unused",
	[FIELD_LENGTH] = "nRIP - RIP", [FIELD_QUALIFICATION] = "EXITINFO1",
	[FIELD_ENTRY_INFO] = "EVENTINJ", [FIELD_DETAIL] = "unused", [FIELD_GUEST_PHYSICAL] = "EXITINFO2",
};

const char *obs_field_name_for(bool svm, enum obs_field f)
{
	if (!svm)
		return obs_field_name(f);
	return f < FIELD_COUNT ? svm_field_names[f] : "?";
}

/* The one table of where each field lives in the record. */
static void *field_address(struct exit_record *r, enum obs_field f, unsigned *width)
{
	*width = 4;
	switch (f) {
	case FIELD_REASON: return &r->reason;
	case FIELD_INFO: return &r->info;
	case FIELD_ERROR: return &r->error;
	case FIELD_IDT_VECTORING: return &r->idt_vectoring;
	case FIELD_IDT_VECTORING_ERROR: return &r->idt_vectoring_error;
	case FIELD_INTERRUPTIBILITY: return &r->interruptibility;
	case FIELD_ACTIVITY: return &r->activity;
	case FIELD_LENGTH: return &r->length;
	case FIELD_ENTRY_INFO: return &r->entry_info;
	case FIELD_DETAIL: return &r->detail;
	case FIELD_QUALIFICATION: *width = 8; return &r->qualification;
	case FIELD_GUEST_PHYSICAL: *width = 8; return &r->guest_physical;
	case FIELD_COUNT: break;
	}
	return 0;
}

uint64_t record_field(const struct exit_record *r, enum obs_field f)
{
	unsigned width;
	const void *p = field_address((struct exit_record *)r, f, &width);
	if (!p)
		return 0;
	return width == 8 ? *(const uint64_t *)p : *(const uint32_t *)p;
}

void record_set_field(struct exit_record *r, enum obs_field f, uint64_t value)
{
	unsigned width;
	void *p = field_address(r, f, &width);
	if (!p)
		return;
	if (width == 8)
		*(uint64_t *)p = value;
	else
		*(uint32_t *)p = (uint32_t)value;
}
