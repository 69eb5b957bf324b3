/*
 * Architectural SVM constants: AMD64 Architecture Programmer's Manual Vol. 2 (publication
 * 24593), chapter 15 "Secure Virtual Machine" and Appendix B "VMCB Layout". Sections are
 * cited with their titles, which stay put when editions renumber.
 */
#ifndef MACHINE_SVM_ARCH_H
#define MACHINE_SVM_ARCH_H

/* CPUID (15.4, "Enabling SVM"; 15.5.1; 15.7.1; 15.21.10; 15.33.2). */
#define CPUID_80000001_ECX_SVM        (1u << 2)
#define CPUID_8000000A_EDX_NP         (1u << 0)
#define CPUID_8000000A_EDX_SVML       (1u << 2)
#define CPUID_8000000A_EDX_NRIPS      (1u << 3)   /* nRIP saved at #VMEXIT */
#define CPUID_8000000A_EDX_VGIF       (1u << 16)  /* 15.33.2, "Virtual GIF (VGIF)" */
#define CPUID_8000000A_EDX_VNMI       (1u << 25)  /* 15.21.10, "NMI Virtualization" */

/* MSRs (15.30, "SVM Related MSRs"). */
#define MSR_VM_CR                     0xc0010114u
#define VM_CR_SVMDIS                  (1u << 4)   /* 15.30.1, "VM_CR MSR (C001_0114h)" */
#define MSR_VM_HSAVE_PA               0xc0010117u /* 15.30.4, "VM_HSAVE_PA MSR (C001_0117h)" */
#define EFER_SVME                     (1u << 12)
#define EFER_LME                      (1u << 8)

/* VMCB control area (Appendix B, Table B-1, "VMCB Layout, Control Area"): byte offsets. */
#define VMCB_EXCEPTION_INTERCEPTS     0x008
#define VMCB_INTERCEPTS_1             0x00c       /* INTR (bit 0) ... shutdown (bit 31) */
#define VMCB_INTERCEPTS_2             0x010       /* VMRUN (bit 0), VMMCALL (bit 1), ... */
#define VMCB_IOPM_BASE_PA             0x040
#define VMCB_MSRPM_BASE_PA            0x048
#define VMCB_GUEST_ASID               0x058
#define VMCB_TLB_CONTROL              0x05c
#define VMCB_V_INTR                   0x060       /* the virtual interrupt control word */
#define VMCB_INTERRUPT_SHADOW         0x068
#define VMCB_EXITCODE                 0x070
#define VMCB_EXITINFO1                0x078
#define VMCB_EXITINFO2                0x080
#define VMCB_EXITINTINFO              0x088       /* 64 bits: the error code is bits 63:32 */
#define VMCB_NP_ENABLE                0x090
#define VMCB_EVENTINJ                 0x0a8       /* 64 bits: the error code is bits 63:32 */
#define VMCB_NRIP                     0x0c8

/* VMCB state-save area (Appendix B, Table B-2, "VMCB Layout, State Save Area"), as
 * offsets from the VMCB's start. A segment is its selector (+0, 16 bits), attributes
 * (+2, 16 bits: descriptor bits 47:40 and 55:52), limit (+4, 32) and base (+8, 64). */
#define VMCB_ES                       0x400
#define VMCB_CS                       0x410
#define VMCB_SS                       0x420
#define VMCB_DS                       0x430
#define VMCB_FS                       0x440       /* FS, GS, LDTR, TR: VMLOAD / VMSAVE state */
#define VMCB_GS                       0x450
#define VMCB_GDTR                     0x460
#define VMCB_LDTR                     0x470
#define VMCB_IDTR                     0x480
#define VMCB_TR                       0x490
#define VMCB_SEGMENT_SELECTOR         0x0
#define VMCB_SEGMENT_ATTRIB           0x2
#define VMCB_SEGMENT_LIMIT            0x4
#define VMCB_SEGMENT_BASE             0x8
#define VMCB_CPL                      0x4cb
#define VMCB_EFER                     0x4d0
#define VMCB_CR4                      0x548
#define VMCB_CR3                      0x550
#define VMCB_CR0                      0x558
#define VMCB_DR7                      0x560
#define VMCB_DR6                      0x568
#define VMCB_RFLAGS                   0x570
#define VMCB_RIP                      0x578
#define VMCB_RSP                      0x5d8
#define VMCB_RAX                      0x5f8
#define VMCB_CR2                      0x640
#define VMCB_G_PAT                    0x668

/* Intercept bits at 0Ch (the first vector) and 10h (the second): EXITCODE - 60h. */
#define INTERCEPT_INTR                (1u << 0)
#define INTERCEPT_NMI                 (1u << 1)
#define INTERCEPT_INIT                (1u << 3)
#define INTERCEPT_IRET                (1u << 20)
#define INTERCEPT_HLT                 (1u << 24)
#define INTERCEPT_SHUTDOWN            (1u << 31)
#define INTERCEPT_VMRUN               (1u << 0)   /* second vector: must be 1 (15.5.1) */
#define INTERCEPT_VMMCALL             (1u << 1)
#define INTERCEPT_CLGI                (1u << 5)
#define INTERCEPT_STGI                (1u << 4)

/* The virtual interrupt control word at 60h (Table B-1; 15.21.10; 15.33.2). */
#define V_INTR_V_GIF                  (1u << 9)
#define V_INTR_V_NMI                  (1u << 11)  /* a virtual NMI is pending (KVM: V_NMI_PENDING) */
#define V_INTR_V_NMI_MASK             (1u << 12)  /* virtual NMIs are masked (KVM: V_NMI_BLOCKING) */
#define V_INTR_MASKING                (1u << 24)
#define V_INTR_V_GIF_ENABLE           (1u << 25)
#define V_INTR_V_NMI_ENABLE           (1u << 26)

#define VMCB_SHADOW_INTERRUPT         (1u << 0)   /* 68h bit 0, INTERRUPT_SHADOW */
#define TLB_CONTROL_FLUSH_ALL         0x01u

/* EXITCODE values (Appendix C, "SVM Intercept Exit Codes"). */
#define SVM_EXIT_EXCEPTION_BASE       0x40u       /* + vector */
#define SVM_EXIT_INTR                 0x60u
#define SVM_EXIT_NMI                  0x61u
#define SVM_EXIT_INIT                 0x63u
#define SVM_EXIT_IRET                 0x74u
#define SVM_EXIT_HLT                  0x78u
#define SVM_EXIT_SHUTDOWN             0x7fu
#define SVM_EXIT_VMRUN                0x80u
#define SVM_EXIT_VMMCALL              0x81u
#define SVM_EXIT_NPF                  0x400u
#define SVM_EXIT_INVALID              0xffffffffu /* -1: VMEXIT_INVALID, as its low 32 bits */

/* EXITINTINFO and EVENTINJ (15.7.2, "Intercepts During IDT Interrupt Delivery", Figure
 * 15-1; 15.20, "Event Injection", Figure 15-5: the same encoding). */
#define EVENT_VECTOR_MASK             0xffu
#define EVENT_TYPE_MASK               (7u << 8)
#define EVENT_TYPE_INTR               (0u << 8)
#define EVENT_TYPE_NMI                (2u << 8)
#define EVENT_TYPE_EXCEPTION          (3u << 8)
#define EVENT_TYPE_SOFTWARE_INT       (4u << 8)
#define EVENT_ERROR_VALID             (1u << 11)  /* EV */
#define EVENT_VALID                   (1u << 31)  /* V */

/* The record's length field where nRIP was reset to zero (model/event.h). */
#define SVM_NO_NRIP                   0xffffffffu

#endif
