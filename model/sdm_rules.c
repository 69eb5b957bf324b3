/*
 * The SDM's NMI rules under VMX (model/rules.h): one entry per rule, in our words. Which
 * clause implements a rule and which experiments exercise it is not written here: the
 * model says so as it runs (tests/rules_md.c, docs/rules.md).
 *
 * not_here: why no experiment exercises the rule on this harness -- "not testable here"
 * (SMM, a feature the harness lacks) or "not built yet" with what it would take. The
 * inventory counts both kinds.
 */
#include "model/rules.h"

/* RULE(name, section, title, says): section and title often come as one macro, so the
 * arguments are expanded before they are split. */
#define RULE(...) RULE_(__VA_ARGS__)
#define RULE_(name, sect, ttl, text) [name] = { .id = #name, .section = sect, .title = ttl, .says = text }
#define MEASURED_RULE(...) MEASURED_RULE_(__VA_ARGS__)
#define MEASURED_RULE_(name, sect, ttl, text) \
	[name] = { .id = #name, .section = sect, .title = ttl, .says = text, .measured = true }
#define RULE_NOT_HERE(...) RULE_NOT_HERE_(__VA_ARGS__)
#define RULE_NOT_HERE_(name, sect, ttl, text, why) \
	[name] = { .id = #name, .section = sect, .title = ttl, .says = text, .not_here = why }

#define PIN "24.6.1", "Pin-Based VM-Execution Controls"
#define PROC "24.6.2", "Processor-Based VM-Execution Controls"
#define GUEST_STATE "24.4.2", "Guest Non-Register State (Table 24-3, Format of Interruptibility State)"
#define ACTIVITY_FIELD "24.4.2", "Guest Non-Register State (activity state)"
#define BITMAP "24.6.3", "Exception Bitmap"
#define EXEC_CHECKS "26.2.1.1", "VM-Execution Control Fields"
#define ENTRY_CONTROL_CHECKS "26.2.1.3", "VM-Entry Control Fields"
#define GUEST_CHECKS "26.3.1.5", "Checks on Guest Non-Register State"
#define ENTRY_FAILURES "26.7", "VM-Entry Failures During or After Loading Guest State"
#define INJECTION "26.5.1", "Vectored-Event Injection"
#define INJECTION_DETAILS "26.5.1.1", "Details of Vectored-Event Injection"
#define AFTER_ENTRY_BLOCKING "26.6.1", "Interruptibility State"
#define AFTER_ENTRY_ACTIVITY "26.6.2", "Activity State"
#define OTHER_EXITS "25.2", "Other Causes of VM Exits"
#define INSTRUCTION_CHANGES "25.3", "Changes to Instruction Behavior in VMX Non-Root Operation"
#define PRIORITY "Vol. 3A 6.9 and 25.2", "Priority Among Simultaneous Exceptions and Interrupts; Other Causes of VM Exits"
#define BEFORE_EXIT "27.1", "Architectural State before a VM Exit"
#define VECTORED_INFO "27.2.2", "Information for VM Exits Due to Vectored Events"
#define DELIVERY_INFO "27.2.3", "Information for VM Exits During Event Delivery"
#define SAVING "27.3.4", "Saving Non-Register State"
#define RESUMING "31.7.1.2", "Resuming Guest Software after Handling an Exception"
#define MULTIPLE_NMIS "Vol. 3A 6.7.1", "Handling Multiple NMIs"

#define NEEDS_SHUTDOWN "not built yet: a step op that enters the guest in the shutdown state (IA32_VMX_MISC bit 7)"
#define NEEDS_SIPI "not built yet: entry into wait-for-SIPI (IA32_VMX_MISC bit 8) and a SIPI from the generator CPU"
#define NO_HELD_INTR "not built yet: the generator's interrupts arrive at a wait's HLT, where the guest has IF = 1 " \
	"and takes them at once; no step holds one pending into a boundary where something else is due"
#define MTF_AFTER_CLI "not built yet: an MTF exit is due at G's handler entry or after its first instruction after " \
	"a VMCALL, which is CLI, so RFLAGS.IF is 0 there (needs a guest step that runs with IF = 1 after VM entry)"
#define SMM_ONLY "not testable here: needs an SMI handler and SMRAM (firmware), or an SMM monitor"

const struct sdm_rule_entry sdm_rules[RULE_COUNT] = {
	/* Controls and the interruptibility state. */
	RULE(RULE_NMI_EXITING, PIN,
	     "NMI exiting = 1: an NMI the guest does not block causes a VM exit; = 0: it goes through descriptor 2 "
	     "of the guest's IDT."),
	RULE(RULE_VIRTUAL_NMIS, PIN,
	     "Virtual NMIs = 1: NMIs are never blocked in the guest, and bit 3 of the interruptibility state is "
	     "virtual-NMI blocking instead."),
	RULE(RULE_NMI_WINDOW_EXITING, PROC,
	     "NMI-window exiting = 1: a VM exit at the beginning of any instruction when there is no virtual-NMI "
	     "blocking (and no blocking by MOV-SS)."),
	RULE(RULE_BIT3_BLOCKING_BY_NMI, GUEST_STATE,
	     "With virtual NMIs = 0, bit 3 is blocking by NMI: 1 means NMIs are blocked; 0 does not mean nothing "
	     "else blocks them."),
	RULE(RULE_BIT3_VIRTUAL_NMI_BLOCKING, GUEST_STATE,
	     "With virtual NMIs = 1, bit 3 is virtual-NMI blocking: the guest is not ready for a virtual NMI; it "
	     "does not block real NMIs."),
	RULE(RULE_MOV_SS_BLOCKS_NMI, GUEST_STATE,
	     "Blocking by MOV-SS holds off NMIs (and the NMI window) on the instruction boundary after it."),
	MEASURED_RULE(RULE_STI_MAY_BLOCK_NMI, GUEST_STATE,
		      "Blocking by STI holds off interrupts for one instruction and, optionally, other events: whether "
		      "NMIs and the NMI window wait is the processor's choice."),
	RULE(RULE_ACTIVITY_HLT, ACTIVITY_FIELD,
	     "Activity state 1, HLT: the processor is inactive as after HLT (IA32_VMX_MISC bit 6 says VM entry can "
	     "load it)."),
	RULE_NOT_HERE(RULE_ACTIVITY_SHUTDOWN, ACTIVITY_FIELD,
		      "Activity state 2, shutdown: external interrupts and SIPIs are blocked, NMIs are not: an NMI exits "
		      "(NMI exiting = 1, saving shutdown) or wakes the guest through its IDT.", NEEDS_SHUTDOWN),
	RULE_NOT_HERE(RULE_ACTIVITY_WAIT_FOR_SIPI, ACTIVITY_FIELD,
		      "Activity state 3, wait-for-SIPI: NMIs are blocked (no exit, no delivery) until a SIPI exit.",
		      NEEDS_SIPI),
	RULE(RULE_EXCEPTION_BITMAP, BITMAP,
	     "An exception whose bit in the exception bitmap is 1 causes a VM exit instead of being delivered."),
	RULE(RULE_EXCEPTION_BITMAP_NOT_NMI, BITMAP,
	     "NMIs are not exceptions: bit 2 of the exception bitmap has no effect on them (NMI exiting decides)."),

	/* VM-entry checks and failures. */
	RULE(RULE_ENTRY_VIRTUAL_NMIS_NEED_NMI_EXITING, EXEC_CHECKS,
	     "Virtual NMIs = 1 requires NMI exiting = 1, else VM entry fails (VMfailValid)."),
	RULE(RULE_ENTRY_NMI_WINDOW_NEEDS_VIRTUAL_NMIS, EXEC_CHECKS,
	     "NMI-window exiting = 1 requires virtual NMIs = 1, else VM entry fails (VMfailValid)."),
	RULE(RULE_ENTRY_INJECTED_NMI_VECTOR_2, ENTRY_CONTROL_CHECKS,
	     "An injected NMI (type 2) must have vector 2, else VM entry fails (VMfailValid)."),
	RULE(RULE_ENTRY_INJECTED_NMI_NO_ERROR_CODE, ENTRY_CONTROL_CHECKS,
	     "\"Deliver error code\" may be 1 only for a hardware exception that pushes one: an NMI injected with it "
	     "fails VM entry (VMfailValid)."),
	RULE_NOT_HERE(RULE_ENTRY_INJECTION_RESERVED_BITS, ENTRY_CONTROL_CHECKS,
		      "Bits 30:12 of the VM-entry interruption information are reserved: an injection that sets one "
		      "(such as bit 12 copied from IDT-vectoring information) fails VM entry.",
		      "not built yet: an injection step that sets a reserved bit (the re-injection of 57 and 58 clears it)"),
	RULE(RULE_ENTRY_NMI_INJECTION_MOV_SS, GUEST_CHECKS,
	     "Injecting an NMI requires blocking by MOV-SS = 0, else the entry fails as invalid guest state."),
	MEASURED_RULE(RULE_ENTRY_NMI_INJECTION_STI_MAY, GUEST_CHECKS,
		      "A processor may require blocking by STI = 0 to inject an NMI; others do not."),
	RULE(RULE_ENTRY_NMI_INJECTION_VIRTUAL_BLOCKING, GUEST_CHECKS,
	     "With virtual NMIs = 1, injecting an NMI requires bit 3 = 0, else the entry fails as invalid guest "
	     "state."),
	RULE(RULE_ENTRY_NMI_INJECTION_BLOCKING_V0, GUEST_CHECKS,
	     "With virtual NMIs = 0 there is no such requirement: an NMI may be injected with blocking by NMI = 1."),
	RULE(RULE_ENTRY_INTR_INJECTION_OPEN, GUEST_CHECKS,
	     "Injecting an external interrupt requires RFLAGS.IF = 1 and blocking by STI and MOV-SS = 0."),
	RULE(RULE_ENTRY_STI_NEEDS_IF, GUEST_CHECKS,
	     "Blocking by STI must be 0 when RFLAGS.IF = 0."),
	RULE(RULE_ENTRY_HLT_WITHOUT_SHADOW, GUEST_CHECKS,
	     "The HLT activity state requires blocking by STI and MOV-SS = 0."),
	RULE(RULE_ENTRY_INJECTION_INTO_HLT, GUEST_CHECKS,
	     "With activity state HLT, VM entry may inject an external interrupt, an NMI, #DB or #MC (among "
	     "others); the entry is then vectoring."),
	RULE_NOT_HERE(RULE_ENTRY_INJECTION_INTO_WAIT_FOR_SIPI, GUEST_CHECKS,
		      "With activity state wait-for-SIPI no injection is allowed; with shutdown only NMIs and #MC.",
		      NEEDS_SIPI),
	MEASURED_RULE(RULE_ENTRY_CHECKS_ANY_ORDER, "26.2", "Checks on VMX Controls and Host-State Area",
		      "The checks may be made in any order: with several faults, which error number is reported is the "
		      "processor's; experiments break one check at a time."),
	RULE(RULE_ENTRY_VMFAIL_CONTROLS, "30.4", "VM Instruction Error Numbers",
	     "A failed check of the control fields is VMfailValid with error 7, \"VM entry with invalid control "
	     "field(s)\"."),
	RULE(RULE_ENTRY_FAIL_GUEST_STATE, ENTRY_FAILURES,
	     "A failed guest-state check is a VM exit with reason 33 and bit 31 set, qualification 0; the guest-state "
	     "area and the injection field are not modified."),
	RULE(RULE_ENTRY_FAIL_KEEPS_BLOCKING, ENTRY_FAILURES,
	     "After such a failure, blocking by NMI is what it was before the VM entry."),

	/* Event injection. */
	RULE(RULE_INJECTION_DELIVERED, INJECTION,
	     "An injected event is delivered through the guest's IDT as if it had occurred at the entry's rip, "
	     "whatever blocks events there."),
	RULE(RULE_INJECTED_NMI_VIRTUAL_BLOCKING, INJECTION_DETAILS,
	     "With virtual NMIs = 1, injecting an NMI sets virtual-NMI blocking."),
	RULE(RULE_INJECTED_NMI_BLOCKING_V0, INJECTION_DETAILS,
	     "With virtual NMIs = 0 the SDM states no blocking effect of an injected NMI; silicon leaves the next "
	     "exit's bit 3 at 0 (experiments 18 and 19, measured on Intel hardware)."),
	RULE(RULE_INJECTION_NOT_BITMAPPED, "26.5.1.2", "VM Exits During Event Injection",
	     "An injected exception never causes a VM exit by itself, whatever the exception bitmap says; exits "
	     "come only from faults during its delivery."),
	RULE_NOT_HERE(RULE_INJECTION_PENDING_MTF, "26.5.2", "Injection of Pending MTF VM Exits",
		      "Injection type 7 makes an MTF exit pending right after VM entry, above a pending NMI.",
		      "not built yet: an injection step of type 7 (needs the monitor trap flag)"),

	/* After VM entry. */
	RULE(RULE_ENTRY_BLOCKING_V0, AFTER_ENTRY_BLOCKING,
	     "With virtual NMIs = 0, NMIs are blocked after VM entry exactly when bit 3 = 1, whatever the host's "
	     "blocking was."),
	RULE(RULE_ENTRY_BLOCKING_V1, AFTER_ENTRY_BLOCKING,
	     "With virtual NMIs = 1, NMIs are not blocked after VM entry; virtual-NMI blocking is bit 3."),
	RULE(RULE_ENTRY_SHADOW_ONE_INSTRUCTION, AFTER_ENTRY_BLOCKING,
	     "Blocking by STI or MOV-SS given at VM entry lasts until the guest's first instruction completes."),
	RULE(RULE_ENTRY_VECTORING_NO_SHADOW, AFTER_ENTRY_BLOCKING,
	     "After a vectoring VM entry there is no blocking by STI or MOV-SS: the delivery is the instruction "
	     "it covered."),
	RULE(RULE_ENTRY_VECTORING_ACTIVE, AFTER_ENTRY_ACTIVITY,
	     "A vectoring VM entry (one that injects) leaves the processor active, whatever the activity state."),
	RULE(RULE_ENTRY_ACTIVITY_LOADED, AFTER_ENTRY_ACTIVITY,
	     "A VM entry that is not vectoring ends in the activity state the guest-state area names."),
	RULE(RULE_ENTRY_TIMER_ZERO, "26.6.4", "VMX-Preemption Timer",
	     "A preemption timer of 0 causes a VM exit before the guest's first instruction, after any event "
	     "injection."),
	RULE(RULE_ENTRY_INTERRUPT_WINDOW, "26.6.5", "Interrupt-Window Exiting",
	     "Interrupt-window exiting = 1 with RFLAGS.IF = 1 and no blocking by STI or MOV-SS: a VM exit before the "
	     "first instruction, after injection; NMIs take priority over it."),
	RULE(RULE_INTERRUPT_WINDOW_WAKES_HLT, "26.6.5", "Interrupt-Window Exiting",
	     "That VM exit wakes a processor that VM entry left in the HLT state."),
	RULE(RULE_ENTRY_NMI_WINDOW, "26.6.6", "NMI-Window Exiting",
	     "NMI-window exiting = 1 with no virtual-NMI blocking: a VM exit before the first instruction, after "
	     "injection."),
	RULE(RULE_NMI_WINDOW_WAKES_HLT, "26.6.6", "NMI-Window Exiting",
	     "That VM exit wakes a processor that VM entry left in the HLT (or shutdown) state, not one in "
	     "wait-for-SIPI."),
	RULE(RULE_MTF_AFTER_INJECTION, "25.5.2", "Monitor Trap Flag",
	     "With the monitor trap flag, a VM entry that injects an event has an MTF exit pending before the "
	     "first instruction of the handler."),
	RULE(RULE_MTF_AFTER_INSTRUCTION, "25.5.2", "Monitor Trap Flag",
	     "Otherwise the MTF exit comes at the boundary after the guest's first instruction."),
	RULE_NOT_HERE(RULE_PENDING_DEBUG_BEFORE_NMI, "26.6.3", "Delivery of Pending Debug Exceptions after VM Entry",
		      "A pending debug exception after VM entry has the priority of a trap on the previous instruction: "
		      "above NMIs and NMI-window exits.",
		      "not built yet: a step that sets the pending debug exceptions field (BS) with RFLAGS.TF"),

	/* Non-root operation. */
	RULE(RULE_NMI_EXITS_UNLESS_BLOCKED, OTHER_EXITS,
	     "With NMI exiting = 1, an NMI causes a VM exit if blocking by NMI is not in effect; else it is held."),
	RULE(RULE_NMI_DELIVERED_THROUGH_GATE_2, OTHER_EXITS,
	     "With NMI exiting = 0, an NMI is delivered through the guest's IDT and blocks further NMIs."),
	RULE(RULE_NMI_WAKES_HLT, OTHER_EXITS,
	     "An NMI ends the HLT state: it exits (saved at the rip after the HLT) or its handler runs."),
	MEASURED_RULE(RULE_TIMER_SHADOW_UNSPECIFIED, OTHER_EXITS,
		      "Whether blocking by STI or MOV-SS holds off the preemption timer's exit for an instruction the SDM "
		      "does not say: measured."),
	RULE(RULE_IRET_X0_UNBLOCKS, INSTRUCTION_CHANGES,
	     "With NMI exiting = 0, IRET in the guest unblocks NMIs, as outside VMX."),
	RULE(RULE_IRET_X1_KEEPS_BLOCKING, INSTRUCTION_CHANGES,
	     "With NMI exiting = 1 and virtual NMIs = 0, IRET does not change blocking by NMI."),
	RULE(RULE_IRET_V1_CLEARS_VIRTUAL_BLOCKING, INSTRUCTION_CHANGES,
	     "With virtual NMIs = 1, IRET removes virtual-NMI blocking."),
	RULE(RULE_IRET_UNBLOCKS_EVEN_IF_FAULT, MULTIPLE_NMIS,
	     "IRET unblocks NMIs (or virtual NMIs) even if it faults."),
	RULE(RULE_INT2_IS_NOT_AN_NMI, "Vol. 3A 6.3.3", "Software-Generated Interrupts",
	     "INT 2 calls the NMI handler but is not an NMI: it does not block NMIs, does not exit with NMI "
	     "exiting, and sets no virtual-NMI blocking."),
	RULE_NOT_HERE(RULE_INIT_EXITS, OTHER_EXITS,
		      "INIT in VMX non-root operation causes a VM exit; it ranks above NMIs and does not clear a pending "
		      "NMI.", "not built yet: an INIT from the generator CPU as a step (the watchdog uses INIT only to "
		      "end a stuck run)"),
	RULE_NOT_HERE(RULE_TASK_SWITCH_NMI, "25.4.2", "Treatment of Task Switches",
		      "An NMI through a task gate in the guest's IDT causes a task-switch VM exit.",
		      "not testable here: task gates exist only for a 32-bit guest; both builds' guests have one IDT "
		      "format per build and no TSS for them"),

	/* Priorities, pair by pair: the first is taken first when both are due. */
	RULE(RULE_PRIORITY_MTF_TIMER, PRIORITY, "An MTF exit comes before the preemption timer's."),
	RULE(RULE_PRIORITY_MTF_NMI_WINDOW, PRIORITY, "An MTF exit comes before an NMI-window exit."),
	RULE(RULE_PRIORITY_MTF_NMI, PRIORITY, "An MTF exit comes before a pending NMI."),
	RULE_NOT_HERE(RULE_PRIORITY_MTF_INTERRUPT_WINDOW, PRIORITY, "An MTF exit comes before an interrupt-window exit.", MTF_AFTER_CLI),
	RULE_NOT_HERE(RULE_PRIORITY_MTF_INTR, PRIORITY, "An MTF exit comes before a maskable interrupt.", MTF_AFTER_CLI),
	RULE(RULE_PRIORITY_TIMER_NMI_WINDOW, PRIORITY, "The preemption timer's exit comes before an NMI-window exit."),
	RULE(RULE_PRIORITY_TIMER_NMI, PRIORITY, "The preemption timer's exit comes before a pending NMI."),
	RULE(RULE_PRIORITY_TIMER_INTERRUPT_WINDOW, PRIORITY,
	     "The preemption timer's exit comes before an interrupt-window exit."),
	RULE_NOT_HERE(RULE_PRIORITY_TIMER_INTR, PRIORITY, "The preemption timer's exit comes before a maskable interrupt.", NO_HELD_INTR),
	RULE(RULE_PRIORITY_NMI_WINDOW_NMI, PRIORITY, "An NMI-window exit comes before a pending NMI."),
	RULE(RULE_PRIORITY_NMI_WINDOW_INTERRUPT_WINDOW, PRIORITY,
	     "An NMI-window exit comes before an interrupt-window exit."),
	RULE_NOT_HERE(RULE_PRIORITY_NMI_WINDOW_INTR, PRIORITY, "An NMI-window exit comes before a maskable interrupt.", NO_HELD_INTR),
	RULE(RULE_PRIORITY_NMI_INTERRUPT_WINDOW, PRIORITY, "A pending NMI comes before an interrupt-window exit."),
	RULE_NOT_HERE(RULE_PRIORITY_NMI_INTR, PRIORITY, "A pending NMI comes before a maskable interrupt.", NO_HELD_INTR),
	RULE_NOT_HERE(RULE_PRIORITY_INTERRUPT_WINDOW_INTR, PRIORITY, "An interrupt-window exit comes before the maskable interrupt it is a window for.", NO_HELD_INTR),

	/* VM exits. */
	RULE(RULE_NMI_EXIT_BLOCKS_AFTER_EXIT, BEFORE_EXIT,
	     "An NMI that causes a VM exit blocks NMIs only once the exit completes: the exit saves bit 3 as it was, "
	     "and the host is then blocked until its IRET."),
	RULE(RULE_EXIT_DURING_NMI_DELIVERY_BLOCKS, BEFORE_EXIT,
	     "A VM exit during the delivery of an NMI (virtual NMIs = 0) comes after NMIs are blocked: the exit "
	     "saves bit 3 = 1."),
	RULE(RULE_EXIT_LEAVES_NMI_BLOCKING, "27.5.5", "Updating Non-Register State",
	     "A VM exit does not unblock NMIs: the host is blocked if the guest was (virtual NMIs = 0)."),
	RULE(RULE_EXIT_VIRTUAL_BLOCKING_SAVED, SAVING,
	     "With virtual NMIs = 1 the exit saves virtual-NMI blocking in bit 3; it has no effect in the host."),
	RULE(RULE_HOST_TAKES_HELD_NMI, "27.5.5", "Updating Non-Register State",
	     "An NMI held and no longer blocked reaches the host as soon as the exit completes, at the first "
	     "instruction of its exit handler."),
	RULE(RULE_EXIT_REASON, "Appendix C", "VMX Basic Exit Reasons",
	     "Exit reasons: 0 exception or NMI, 7 interrupt window, 8 NMI window, 18 VMCALL, 33 invalid guest state, "
	     "37 MTF, 48 EPT violation, 52 preemption timer."),
	RULE(RULE_EXIT_QUALIFICATION_ZERO, "27.2.1", "Basic VM-Exit Information",
	     "Exits that define no exit qualification clear it."),
	RULE(RULE_EXIT_INFO_NMI, VECTORED_INFO,
	     "An NMI exit's interruption information: valid, type 2 (NMI), vector 2, no error code."),
	RULE(RULE_EXIT_INFO_EXCEPTION, VECTORED_INFO,
	     "An exception exit's interruption information: valid, type 3, the vector, and the error code when "
	     "one is pushed; other exits leave the valid bit 0."),
	RULE(RULE_EXIT_BIT12_FAULTING_IRET, VECTORED_INFO,
	     "Bit 12, \"NMI unblocking due to IRET\", is 1 when the exit is due to a fault of an IRET that unblocked "
	     "NMIs (or virtual NMIs)."),
	MEASURED_RULE(RULE_EXIT_BIT12_UNDEFINED_X1_V0, VECTORED_INFO,
		      "Bit 12 is undefined with NMI exiting = 1 and virtual NMIs = 0: never compared."),
	MEASURED_RULE(RULE_EXIT_BIT12_UNDEFINED_VECTORING, VECTORED_INFO,
		      "Bit 12 is undefined when the IDT-vectoring information is valid: never compared."),
	RULE(RULE_EPT_QUALIFICATION_BIT12, "27.2.1", "Basic VM-Exit Information (Table 27-7, Exit Qualification for "
	     "EPT Violations)",
	     "Bit 12 of an EPT violation's qualification is 1 when the violation came in an IRET that unblocked "
	     "NMIs (undefined with NMI exiting = 1 and virtual NMIs = 0)."),
	RULE(RULE_EPT_VIOLATION_IN_IRET_UNBLOCKS, BEFORE_EXIT,
	     "An EPT violation during IRET comes after the IRET unblocked NMIs (or virtual NMIs)."),
	RULE(RULE_EXIT_IDT_VECTORING_INVALID, DELIVERY_INFO,
	     "An exit that is not during event delivery has IDT-vectoring valid bit 0; the rest of the field is "
	     "undefined then."),
	RULE(RULE_EXIT_IDT_VECTORING_DELIVERY, DELIVERY_INFO,
	     "An exit during event delivery saves the event in the IDT-vectoring information: valid, its type and "
	     "vector."),
	RULE(RULE_EXIT_INSTRUCTION_LENGTH, "27.2.4", "Information for VM Exits Due to Instruction Execution",
	     "The instruction length is defined for exits caused by an instruction (VMCALL: 3), undefined for NMI "
	     "and other event exits."),
	RULE(RULE_EXIT_SAVES_INTERRUPTIBILITY, SAVING,
	     "Every exit saves blocking by STI, MOV-SS and NMI (bits 3:0) as they were at the exit."),
	RULE(RULE_EXIT_SAVES_ACTIVITY, SAVING,
	     "Every exit saves the activity state: HLT if the processor was in the HLT state."),
	RULE(RULE_EXIT_CLEARS_INJECTION, "27.2", "Recording VM-Exit Information and Updating VM-Entry Control Fields",
	     "A VM exit clears the valid bit of the VM-entry interruption information."),
	RULE_NOT_HERE(RULE_EXIT_TRIPLE_FAULT, "Appendix C", "VMX Basic Exit Reasons",
		      "A triple fault in the guest (e.g. delivering an NMI through a broken IDT) is VM exit reason 2.",
		      "not built yet: a guest step that breaks the #DF path too"),

	/* The VMM's part and the architecture outside VMX. */
	RULE(RULE_VMM_REBLOCK_AFTER_IRET_FAULT, RESUMING,
	     "A VMM that resumes a guest after a fault of an IRET that unblocked NMIs (bit 12 = 1) sets blocking "
	     "again, so that the IRET, executed again, unblocks once."),
	RULE(RULE_VMM_REINJECT, RESUMING,
	     "A VMM that resumes after an exit during event delivery re-injects the event the IDT-vectoring "
	     "information names."),
	RULE(RULE_VMM_REINJECT_NMI_CLEARS_BIT3, RESUMING,
	     "With virtual NMIs = 1, a VMM re-injecting an NMI clears bit 3 first (the entry check would refuse it)."),
	RULE(RULE_NMI_BLOCKS_UNTIL_IRET, MULTIPLE_NMIS,
	     "Delivering an NMI blocks further NMIs until the next IRET."),
	RULE(RULE_ONE_NMI_HELD, MULTIPLE_NMIS,
	     "While NMIs are blocked, one NMI is held pending; more are lost."),
	RULE(RULE_HOST_IRET_UNBLOCKS, MULTIPLE_NMIS,
	     "IRET in the host unblocks NMIs; a held NMI is taken right after it."),
	RULE(RULE_NOT_PRESENT_GATE, "Vol. 3A 6.13", "Error Code",
	     "Delivery through a not-present gate raises #NP with the gate's index, the IDT bit and EXT set "
	     "(0x13 for gate 2)."),
	RULE(RULE_MASKABLE_NEEDS_IF, "Vol. 3A 6.8.1", "Masking Maskable Hardware Interrupts",
	     "A maskable interrupt is taken only with RFLAGS.IF = 1 and no blocking by STI or MOV-SS."),
	RULE(RULE_FAULTING_IRET_DELIVERS_FAULT, MULTIPLE_NMIS,
	     "A faulting IRET with no exit for the fault: the fault is delivered, and what the unblocking released "
	     "lands at the first instruction of its handler."),

	/* SMM. */
	RULE_NOT_HERE(RULE_SMM_BLOCKS_NMI, "34.8", "NMI Handling While in SMM",
		      "An SMI blocks NMIs until RSM; one NMI is latched meanwhile.", SMM_ONLY),
	RULE_NOT_HERE(RULE_SMM_VMX_CRITICAL_STATE, "34.14.1", "Default Treatment of SMI Delivery",
		      "An SMI in VMX non-root operation saves and restores the NMI blocking state across SMM.",
		      SMM_ONLY),
};
