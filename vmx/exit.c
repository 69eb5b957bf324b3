#include "vmx/exit.h"

#include "lib/platform.h"
#include "lib/printf.h"
#include "machine/anchors.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_defs.h"
#include "vmx/vmx_insn.h"

static vmexit_handler current_handler;

void vmexit_set_handler(vmexit_handler h) { current_handler = h; }

static void read_exit(struct vm_exit *e)
{
	e->reason = (uint32_t)vmcs_read(EXIT_REASON);
	e->basic_reason = e->reason & 0xffff;
	e->qualification = (uintptr_t)vmcs_read(EXIT_QUALIFICATION);
	e->interruption_info = (uint32_t)vmcs_read(EXIT_INTERRUPTION_INFO);
	e->interruption_error = (uint32_t)vmcs_read(EXIT_INTERRUPTION_ERROR_CODE);
	e->idt_vectoring_info = (uint32_t)vmcs_read(IDT_VECTORING_INFO);
	e->instruction_length = (uint32_t)vmcs_read(EXIT_INSTRUCTION_LENGTH);
	e->guest_rip = (uintptr_t)vmcs_read(GUEST_RIP);
	e->interruptibility = (uint32_t)vmcs_read(GUEST_INTERRUPTIBILITY);
	e->activity_state = (uint32_t)vmcs_read(GUEST_ACTIVITY_STATE);
}

void vmexit_print(const struct vm_exit *e)
{
	printf("VM exit: reason %#x (%s%s), qualification %#lx\n", e->reason,
	       (e->reason & EXIT_REASON_ENTRY_FAILURE_BIT) ? "VM-entry failure, " : "",
	       exit_reason_name(e->basic_reason), (unsigned long)e->qualification);
	printf("  guest rip %#lx, interruption info %#x (error %#x), IDT-vectoring info %#x\n",
	       (unsigned long)e->guest_rip, e->interruption_info, e->interruption_error,
	       e->idt_vectoring_info);
	printf("  instruction length %u, interruptibility %#x, activity state %u\n",
	       e->instruction_length, e->interruptibility, e->activity_state);
}

static __attribute__((noreturn)) void unexpected_exit(const struct vm_exit *e)
{
	printf("FATAL: unexpected VM exit\n");
	vmexit_print(e);
	if (e->basic_reason == EXIT_REASON_INVALID_GUEST_STATE)
		printf("  (SDM 26.3.1: a guest-state check failed; the dump shows the state)\n");
	else if (e->basic_reason == EXIT_REASON_MSR_LOADING)
		printf("  (SDM 26.4: loading MSR entry %lu failed)\n", (unsigned long)e->qualification);
	vmcs_dump();
	platform_exit(STATUS_FAIL);
}

void vmexit_skip_instruction(const struct vm_exit *e)
{
	vmcs_write(GUEST_RIP, e->guest_rip + e->instruction_length);
}

/* Called by vmx/<arch>/vmentry.S on every VM exit, on the exit stack. */
volatile unsigned vmexit_count;

/* Exits caused by an event rather than by the instruction at the guest's rip. */
static bool caused_by_event(const struct vm_exit *e)
{
	if (e->basic_reason == EXIT_REASON_EXCEPTION_OR_NMI)
		return (e->interruption_info & INTR_INFO_TYPE_MASK) == INTR_TYPE_NMI;
	return e->basic_reason == EXIT_REASON_EXTERNAL_INTERRUPT || e->basic_reason == EXIT_REASON_NMI_WINDOW;
}

/*
 * An event that exits between a wait's "send now" and its HLT counts as having woken
 * the HLT (machine/anchors.h, in_halt_window): the guest resumes after the HLT, and the
 * exit is seen there, whatever the timing of the sender.
 */
static void resume_after_halt_window(struct vm_exit *e)
{
	if (!caused_by_event(e) || !in_halt_window(e->guest_rip))
		return;
	e->guest_rip = (uintptr_t)after_hlt;
	vmcs_write(GUEST_RIP, e->guest_rip);
}

void vmexit_dispatch(struct gprs *regs)
{
	struct vm_exit e;
	vmexit_count++;
	read_exit(&e);
	resume_after_halt_window(&e);
	if (!current_handler || !current_handler(&e, regs))
		unexpected_exit(&e);
	/* An exit from HLT saves activity state HLT (SDM 27.3.4); resuming in it would halt
	 * the guest again, so the guest goes on as active from the instruction after HLT. */
	if (vmcs_read(GUEST_ACTIVITY_STATE) == ACTIVITY_HLT)
		vmcs_write(GUEST_ACTIVITY_STATE, ACTIVITY_ACTIVE);
}

/* Called by vmx/<arch>/vmentry.S when VMRESUME itself fails (status 1 or 2). */
__attribute__((noreturn)) void vmresume_failed(uintptr_t status)
{
	printf("FATAL: VMRESUME failed: %s", status == 1 ? "VMfailInvalid" : "VMfailValid");
	if (status != 1) {
		uint32_t error = (uint32_t)vmcs_read(VM_INSTRUCTION_ERROR);
		printf(", VM-instruction error %u (%s)\n", error, vm_instruction_error_name(error));
		vmcs_dump();
	} else {
		printf(" (no current VMCS)\n");
	}
	platform_exit(STATUS_FAIL);
}
