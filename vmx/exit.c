#include "vmx/exit.h"

#include "lib/platform.h"
#include "lib/printf.h"
#include "machine/anchors.h"
#include "vmx/vmcs.h"
#include "machine/vmx_arch.h"
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
	e->guest_physical = e->basic_reason == EXIT_REASON_EPT_VIOLATION || e->basic_reason == EXIT_REASON_EPT_MISCONFIG
				    ? vmcs_read(GUEST_PHYSICAL_ADDRESS) : 0;
	e->vmfail = false;
	e->hit_before_hlt = false;
}

static void vmexit_print(const struct vm_exit *e)
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

/* Exits caused by an event rather than by the instruction at the guest's rip: the event
 * itself, or a fault while delivering an NMI or an external interrupt (the IDT-vectoring
 * information names it, SDM 27.2.3). */
static bool caused_by_event(const struct vm_exit *e)
{
	uint32_t vectoring = e->idt_vectoring_info & (INTR_INFO_VALID | INTR_INFO_TYPE_MASK);
	if (vectoring == (INTR_INFO_VALID | INTR_TYPE_NMI) || vectoring == (INTR_INFO_VALID | INTR_TYPE_EXTERNAL))
		return true;
	if (e->basic_reason == EXIT_REASON_EXCEPTION_OR_NMI)
		return (e->interruption_info & INTR_INFO_TYPE_MASK) == INTR_TYPE_NMI;
	return e->basic_reason == EXIT_REASON_EXTERNAL_INTERRUPT || e->basic_reason == EXIT_REASON_NMI_WINDOW ||
	       e->basic_reason == EXIT_REASON_INTERRUPT_WINDOW || e->basic_reason == EXIT_REASON_PREEMPTION_TIMER;
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
	e->hit_before_hlt = true;
	vmcs_write(GUEST_RIP, e->guest_rip);
}

void vmexit_dispatch(struct gprs *regs)
{
	struct vm_exit e;
	read_exit(&e);
	resume_after_halt_window(&e);
	/* An exit from HLT saves activity state HLT (SDM 27.3.4); resuming in it would halt
	 * the guest again, so it goes on as active from the instruction after the HLT --
	 * unless the handler asks for the HLT state at the next entry. */
	if (e.activity_state == ACTIVITY_HLT)
		vmcs_write(GUEST_ACTIVITY_STATE, ACTIVITY_ACTIVE);
	if (!current_handler || !current_handler(&e, regs))
		unexpected_exit(&e);
}

void vmentry_failed(struct gprs *regs, uintptr_t status)
{
	if (status == 1) {
		printf("FATAL: VMRESUME failed: VMfailInvalid (no current VMCS)\n");
		platform_exit(STATUS_FAIL);
	}
	struct vm_exit e = {
		.vmfail = true,
		.instruction_error = (uint32_t)vmcs_read(VM_INSTRUCTION_ERROR),
		.guest_rip = (uintptr_t)vmcs_read(GUEST_RIP),
		.interruptibility = (uint32_t)vmcs_read(GUEST_INTERRUPTIBILITY),
		.activity_state = (uint32_t)vmcs_read(GUEST_ACTIVITY_STATE),
	};
	if (current_handler && current_handler(&e, regs))
		return;
	printf("FATAL: VMRESUME failed: VMfailValid, VM-instruction error %u (%s)\n", e.instruction_error,
	       vm_instruction_error_name(e.instruction_error));
	vmcs_dump();
	platform_exit(STATUS_FAIL);
}
