/* Architectural VMX constants (SDM Vol. 3C chapters 24-27 and Vol. 3D Appendix A/C). */
#ifndef MACHINE_VMX_ARCH_H
#define MACHINE_VMX_ARCH_H

/* Capability MSRs (Appendix A). */
#define MSR_IA32_VMX_BASIC            0x480
#define MSR_IA32_VMX_PINBASED_CTLS    0x481
#define MSR_IA32_VMX_PROCBASED_CTLS   0x482
#define MSR_IA32_VMX_EXIT_CTLS        0x483
#define MSR_IA32_VMX_ENTRY_CTLS       0x484
#define MSR_IA32_VMX_MISC             0x485
#define MSR_IA32_VMX_CR0_FIXED0       0x486
#define MSR_IA32_VMX_CR0_FIXED1       0x487
#define MSR_IA32_VMX_CR4_FIXED0       0x488
#define MSR_IA32_VMX_CR4_FIXED1       0x489
#define MSR_IA32_VMX_PROCBASED_CTLS2  0x48b
#define MSR_IA32_VMX_EPT_VPID_CAP     0x48c
#define MSR_IA32_VMX_TRUE_PINBASED_CTLS  0x48d
#define MSR_IA32_VMX_TRUE_PROCBASED_CTLS 0x48e
#define MSR_IA32_VMX_TRUE_EXIT_CTLS      0x48f
#define MSR_IA32_VMX_TRUE_ENTRY_CTLS     0x490

#define VMX_BASIC_TRUE_CTLS (1ull << 55)
#define VMX_BASIC_REVISION_MASK 0x7fffffffu

#define FEATURE_CONTROL_LOCKED (1u << 0)
#define FEATURE_CONTROL_VMXON_INSIDE_SMX (1u << 1)
#define FEATURE_CONTROL_VMXON_OUTSIDE_SMX (1u << 2)

/* Pin-based VM-execution controls (24.6.1). */
#define PIN_EXTERNAL_INTERRUPT_EXITING (1u << 0)
#define PIN_NMI_EXITING                (1u << 3)
#define PIN_VIRTUAL_NMIS               (1u << 5)
#define PIN_PREEMPTION_TIMER           (1u << 6)

/* Primary processor-based VM-execution controls (24.6.2). */
#define PROC_INTERRUPT_WINDOW_EXITING  (1u << 2)
#define PROC_HLT_EXITING               (1u << 7)
#define PROC_NMI_WINDOW_EXITING        (1u << 22)
#define PROC_MONITOR_TRAP_FLAG         (1u << 27)
#define PROC_USE_MSR_BITMAPS           (1u << 28)
#define PROC_ACTIVATE_SECONDARY        (1u << 31)

/* Secondary processor-based VM-execution controls (24.6.2, Table 24-7). */
#define PROC2_ENABLE_EPT               (1u << 1)

/* VM-exit controls (24.7.1) and VM-entry controls (24.8.1). */
#define EXIT_HOST_ADDRESS_SPACE_SIZE   (1u << 9)
#define ENTRY_IA32E_MODE_GUEST         (1u << 9)

/* IA32_VMX_MISC (A.6): activity states supported. */
#define VMX_MISC_ACTIVITY_HLT          (1u << 6)
#define VMX_MISC_ACTIVITY_SHUTDOWN     (1u << 7)
#define VMX_MISC_ACTIVITY_WAIT_SIPI    (1u << 8)

/* Basic exit reasons (Appendix C). */
#define EXIT_REASON_EXCEPTION_OR_NMI   0
#define EXIT_REASON_EXTERNAL_INTERRUPT 1
#define EXIT_REASON_TRIPLE_FAULT       2
#define EXIT_REASON_INIT_SIGNAL        3
#define EXIT_REASON_INTERRUPT_WINDOW   7
#define EXIT_REASON_NMI_WINDOW         8
#define EXIT_REASON_CPUID              10
#define EXIT_REASON_HLT                12
#define EXIT_REASON_VMCALL             18
#define EXIT_REASON_INVALID_GUEST_STATE 33
#define EXIT_REASON_MSR_LOADING        34
#define EXIT_REASON_MONITOR_TRAP_FLAG  37
#define EXIT_REASON_MACHINE_CHECK      41
#define EXIT_REASON_EPT_VIOLATION      48
#define EXIT_REASON_EPT_MISCONFIG      49
#define EXIT_REASON_PREEMPTION_TIMER   52
#define EXIT_REASON_ENTRY_FAILURE_BIT  (1u << 31)

/* Interruption-information fields (24.8.3, 24.9.2). */
#define INTR_INFO_VECTOR_MASK          0xffu
#define INTR_INFO_TYPE_SHIFT           8
#define INTR_INFO_TYPE_MASK            (7u << 8)
#define INTR_TYPE_EXTERNAL             (0u << 8)
#define INTR_TYPE_NMI                  (2u << 8)
#define INTR_TYPE_HARDWARE_EXCEPTION   (3u << 8)
#define INTR_TYPE_SOFTWARE_INTERRUPT   (4u << 8)
#define INTR_INFO_ERROR_CODE_VALID     (1u << 11)
#define INTR_INFO_NMI_UNBLOCKED_BY_IRET (1u << 12)
#define INTR_INFO_VALID                (1u << 31)

/* Exit qualification of an EPT violation (27.2.1, Table 27-7). */
#define EPT_QUAL_NMI_UNBLOCKED_BY_IRET (1u << 12)

/* Guest interruptibility state (24.4.2, Table 24-3). */
#define INTERRUPTIBILITY_STI           (1u << 0)
#define INTERRUPTIBILITY_MOV_SS        (1u << 1)
#define INTERRUPTIBILITY_SMI           (1u << 2)
#define INTERRUPTIBILITY_NMI           (1u << 3)

/* Guest activity state (24.4.2). */
#define ACTIVITY_ACTIVE   0
#define ACTIVITY_HLT      1

#define SEGMENT_UNUSABLE  (1u << 16)

#endif
