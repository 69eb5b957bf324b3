#include "vmx/vmx.h"

#include "lib/printf.h"
#include "lib/string.h"
#include "machine/anchors.h"
#include "machine/arch.h"
#include "machine/descriptors.h"
#include "machine/x86.h"
#include "vmx/controls.h"
#include "vmx/ept_map.h"
#include "hv/features.h"
#include "vmx/vmcs.h"
#include "machine/vmx_arch.h"
#include "vmx/vmx_insn.h"

#define CPUID_1_ECX_VMX (1u << 5)

enum vmx_status vmx_launch(void);

static struct vmx_caps caps;

bool vmx_available(const char **why)
{
	if (!(cpuid(1, 0).ecx & CPUID_1_ECX_VMX)) {
		*why = "CPUID.1:ECX[5] = 0";
		return false;
	}
	return vmx_feature_control_allows_vmxon(rdmsr(MSR_IA32_FEATURE_CONTROL), why);
}

/* Allowed-1 settings are bits 63:32 of a capability MSR (Appendix A.3). */
static bool may_be_one(uint64_t cap, uint32_t bit) { return (cap >> 32) & bit; }

void vmx_read_caps(struct vmx_caps *c)
{
	c->basic = rdmsr(MSR_IA32_VMX_BASIC);
	c->misc = rdmsr(MSR_IA32_VMX_MISC);
	/* Appendix A.2: with bit 55 set, the TRUE_* MSRs report which default-1 controls
	 * may in fact be 0. */
	c->true_controls = (c->basic & VMX_BASIC_TRUE_CTLS) != 0;
	c->pin = rdmsr(c->true_controls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS : MSR_IA32_VMX_PINBASED_CTLS);
	c->proc = rdmsr(c->true_controls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS : MSR_IA32_VMX_PROCBASED_CTLS);
	c->exit = rdmsr(c->true_controls ? MSR_IA32_VMX_TRUE_EXIT_CTLS : MSR_IA32_VMX_EXIT_CTLS);
	c->entry = rdmsr(c->true_controls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS : MSR_IA32_VMX_ENTRY_CTLS);
	/* Appendix A.3.3 / A.10: these MSRs exist only when the bits above say so. */
	c->proc2 = may_be_one(c->proc, PROC_ACTIVATE_SECONDARY) ? rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2) : 0;
	c->ept_vpid = may_be_one(c->proc2, PROC2_ENABLE_EPT) ? rdmsr(MSR_IA32_VMX_EPT_VPID_CAP) : 0;
	c->cr0_fixed0 = rdmsr(MSR_IA32_VMX_CR0_FIXED0);
	c->cr0_fixed1 = rdmsr(MSR_IA32_VMX_CR0_FIXED1);
	c->cr4_fixed0 = rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	c->cr4_fixed1 = rdmsr(MSR_IA32_VMX_CR4_FIXED1);
}

static const char *yes_no(bool b) { return b ? "yes" : "no"; }

void vmx_print_caps(const struct vmx_caps *c)
{
	printf("VMX: basic %#llx (VMCS revision %#x, %s controls)\n", (unsigned long long)c->basic,
	       (unsigned)(c->basic & VMX_BASIC_REVISION_MASK), c->true_controls ? "TRUE_*" : "default");
	printf("VMX: pin-based %#llx: NMI exiting %s, virtual NMIs %s\n", (unsigned long long)c->pin,
	       yes_no(may_be_one(c->pin, PIN_NMI_EXITING)), yes_no(may_be_one(c->pin, PIN_VIRTUAL_NMIS)));
	printf("VMX: proc-based %#llx: NMI-window exiting %s, MSR bitmaps %s\n",
	       (unsigned long long)c->proc, yes_no(may_be_one(c->proc, PROC_NMI_WINDOW_EXITING)),
	       yes_no(may_be_one(c->proc, PROC_USE_MSR_BITMAPS)));
	printf("VMX: exit %#llx, entry %#llx\n", (unsigned long long)c->exit, (unsigned long long)c->entry);
	printf("VMX: interrupt-window exiting %s, monitor trap flag %s, preemption timer %s (rate 2^%u), "
	       "secondary %#llx, EPT/VPID %#llx\n",
	       yes_no(may_be_one(c->proc, PROC_INTERRUPT_WINDOW_EXITING)), yes_no(may_be_one(c->proc, PROC_MONITOR_TRAP_FLAG)),
	       yes_no(may_be_one(c->pin, PIN_PREEMPTION_TIMER)), (unsigned)(c->misc & 0x1f),
	       (unsigned long long)c->proc2, (unsigned long long)c->ept_vpid);
	printf("VMX: misc %#llx: activity states HLT %s, shutdown %s, wait-for-SIPI %s\n",
	       (unsigned long long)c->misc, yes_no(c->misc & VMX_MISC_ACTIVITY_HLT),
	       yes_no(c->misc & VMX_MISC_ACTIVITY_SHUTDOWN), yes_no(c->misc & VMX_MISC_ACTIVITY_WAIT_SIPI));
}

static const struct {
	enum hv_feature feature;
	const char *lacking;
} feature_names[] = {
	{ FEATURE_NMI_EXITING, "this CPU lacks NMI exiting (pin-based control bit 3)" },
	{ FEATURE_VIRTUAL_NMIS, "this CPU lacks virtual NMIs (pin-based control bit 5)" },
	{ FEATURE_NMI_WINDOW, "this CPU lacks NMI-window exiting (processor-based control bit 22)" },
	{ FEATURE_HLT_STATE, "this CPU cannot enter a guest in the HLT activity state (IA32_VMX_MISC bit 6 = 0)" },
	{ FEATURE_MTF, "this CPU lacks the monitor trap flag (processor-based control bit 27)" },
	{ FEATURE_INTERRUPT_WINDOW, "this CPU lacks interrupt-window exiting (processor-based control bit 2)" },
	{ FEATURE_PREEMPTION_TIMER, "this CPU lacks the VMX-preemption timer (pin-based control bit 6)" },
	{ FEATURE_SVM_NRIP_SAVE, "an SVM feature, which VMX does not have" },
	{ FEATURE_SVM_VGIF, "an SVM feature, which VMX does not have" },
	{ FEATURE_SVM_VNMI, "an SVM feature, which VMX does not have" },
};

static bool has_feature(enum hv_feature f)
{
	switch (f) {
	case FEATURE_NMI_EXITING: return may_be_one(caps.pin, PIN_NMI_EXITING);
	case FEATURE_VIRTUAL_NMIS: return may_be_one(caps.pin, PIN_VIRTUAL_NMIS);
	case FEATURE_NMI_WINDOW: return may_be_one(caps.proc, PROC_NMI_WINDOW_EXITING);
	case FEATURE_HLT_STATE: return (caps.misc & VMX_MISC_ACTIVITY_HLT) != 0;
	case FEATURE_MTF: return may_be_one(caps.proc, PROC_MONITOR_TRAP_FLAG);
	case FEATURE_INTERRUPT_WINDOW: return may_be_one(caps.proc, PROC_INTERRUPT_WINDOW_EXITING);
	case FEATURE_PREEMPTION_TIMER: return may_be_one(caps.pin, PIN_PREEMPTION_TIMER);
	case FEATURE_EPT: break; /* several capabilities, each with its own reason */
	case FEATURE_SVM_NRIP_SAVE: case FEATURE_SVM_VGIF: case FEATURE_SVM_VNMI: break;
	}
	return false;
}

const struct vmx_caps *vmx_current_caps(void)
{
	return &caps;
}

const char *vmx_missing_feature(unsigned features)
{
	for (unsigned i = 0; i < sizeof(feature_names) / sizeof(feature_names[0]); i++)
		if ((features & feature_names[i].feature) && !has_feature(feature_names[i].feature))
			return feature_names[i].lacking;
	if (features & FEATURE_EPT)
		return ept_missing_capability(caps.proc, caps.proc2, caps.ept_vpid);
	return 0;
}

static bool lock_feature_control(const char **why)
{
	uint64_t fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
	if (!(fc & FEATURE_CONTROL_LOCKED)) {
		wrmsr(MSR_IA32_FEATURE_CONTROL,
		      fc | FEATURE_CONTROL_LOCKED | FEATURE_CONTROL_VMXON_OUTSIDE_SMX);
		return true;
	}
	return vmx_feature_control_allows_vmxon(fc, why);
}

/* SDM 23.8: in VMX operation CR0 and CR4 must respect the FIXED0/FIXED1 MSRs. */
static void apply_fixed_bits(void)
{
	write_cr0((uintptr_t)((read_cr0() | caps.cr0_fixed0) & caps.cr0_fixed1));
	write_cr4((uintptr_t)((read_cr4() | CR4_VMXE | caps.cr4_fixed0) & caps.cr4_fixed1));
}

static const char *status_name(enum vmx_status s)
{
	return s == VMX_FAIL_INVALID ? "VMfailInvalid" : "VMfailValid";
}

bool vmx_enable(struct cpu *c, const char **why)
{
	static char reason[128];
	vmx_read_caps(&caps);
	if (!lock_feature_control(why))
		return false;
	apply_fixed_bits();
	uint32_t revision = (uint32_t)(caps.basic & VMX_BASIC_REVISION_MASK);
	memset(c->vmxon_region, 0, PAGE_SIZE);
	memset(c->vmcs, 0, PAGE_SIZE);
	memcpy(c->vmxon_region, &revision, 4);
	memcpy(c->vmcs, &revision, 4);
	enum vmx_status s;
	/* Identity mapping: our virtual addresses are the physical ones. */
	if ((s = vmxon((uintptr_t)c->vmxon_region)) != VMX_OK) {
		snprintf(reason, sizeof(reason), "VMXON failed (%s)", status_name(s));
		*why = reason;
		return false;
	}
	if ((s = vmclear((uintptr_t)c->vmcs)) != VMX_OK || (s = vmptrld((uintptr_t)c->vmcs)) != VMX_OK) {
		snprintf(reason, sizeof(reason), "VMCLEAR/VMPTRLD failed (%s)", status_name(s));
		*why = reason;
		return false;
	}
	return true;
}

/* VMCS access-rights format (24.4.1): descriptor bits 47:40 and 55:52. */
static uint32_t access_rights(uint16_t selector)
{
	uint64_t d = gdt_descriptor(selector);
	return (uint32_t)(((d >> 40) & 0xff) | (((d >> 52) & 0xf) << 12));
}

#define GUEST_SEGMENT(seg, selector)                                            \
	do {                                                                    \
		vmcs_write(GUEST_##seg##_SELECTOR, (selector));                 \
		vmcs_write(GUEST_##seg##_BASE, 0);                              \
		vmcs_write(GUEST_##seg##_LIMIT, 0xffffffff);                    \
		vmcs_write(GUEST_##seg##_ACCESS_RIGHTS, access_rights(selector)); \
	} while (0)

static void setup_guest_state(struct cpu *c)
{
	uint16_t code = read_cs(), data = read_ds();
	GUEST_SEGMENT(CS, code);
	GUEST_SEGMENT(SS, data);
	GUEST_SEGMENT(DS, data);
	GUEST_SEGMENT(ES, data);
	GUEST_SEGMENT(FS, data);
	GUEST_SEGMENT(GS, data);
	vmcs_write(GUEST_LDTR_SELECTOR, 0);
	vmcs_write(GUEST_LDTR_ACCESS_RIGHTS, SEGMENT_UNUSABLE);
	/* The guest's own TSS; VM entry wants a busy TSS type (11) in TR (26.3.1.2). */
	vmcs_write(GUEST_TR_SELECTOR, cpu_guest_tss_selector(c));
	vmcs_write(GUEST_TR_BASE, (uintptr_t)c->guest_tss);
	vmcs_write(GUEST_TR_LIMIT, TSS_SIZE - 1);
	vmcs_write(GUEST_TR_ACCESS_RIGHTS, 0x8b);
	struct descriptor_pointer gdtr = sgdt(), idtr = guest_idt_pointer();
	vmcs_write(GUEST_GDTR_BASE, gdtr.base);
	vmcs_write(GUEST_GDTR_LIMIT, gdtr.limit);
	vmcs_write(GUEST_IDTR_BASE, idtr.base);
	vmcs_write(GUEST_IDTR_LIMIT, idtr.limit);
	vmcs_write(GUEST_CR0, read_cr0());
	vmcs_write(GUEST_CR3, read_cr3());
	vmcs_write(GUEST_CR4, read_cr4());
	vmcs_write(GUEST_DR7, 0x400);
	vmcs_write(GUEST_IA32_DEBUGCTL, 0);
	vmcs_write(GUEST_SYSENTER_CS, 0);
	vmcs_write(GUEST_SYSENTER_ESP, 0);
	vmcs_write(GUEST_SYSENTER_EIP, 0);
	vmcs_write(GUEST_PENDING_DEBUG_EXCEPTIONS, 0);
	vmcs_write(VMCS_LINK_POINTER, ~0ull);
}

static void setup_host_state(struct cpu *c)
{
	vmcs_write(HOST_CR0, read_cr0());
	vmcs_write(HOST_CR3, read_cr3());
	vmcs_write(HOST_CR4, read_cr4());
	vmcs_write(HOST_CS_SELECTOR, read_cs());
	vmcs_write(HOST_SS_SELECTOR, read_ss());
	vmcs_write(HOST_DS_SELECTOR, read_ds());
	vmcs_write(HOST_ES_SELECTOR, read_es());
	vmcs_write(HOST_FS_SELECTOR, read_fs());
	vmcs_write(HOST_GS_SELECTOR, read_gs());
	vmcs_write(HOST_TR_SELECTOR, read_tr());
	vmcs_write(HOST_FS_BASE, 0);
	vmcs_write(HOST_GS_BASE, 0);
	vmcs_write(HOST_TR_BASE, (uintptr_t)c->host_tss);
	vmcs_write(HOST_GDTR_BASE, sgdt().base);
	vmcs_write(HOST_IDTR_BASE, sidt().base);
	vmcs_write(HOST_SYSENTER_CS, 0);
	vmcs_write(HOST_SYSENTER_ESP, 0);
	vmcs_write(HOST_SYSENTER_EIP, 0);
	vmcs_write(HOST_RSP, cpu_exit_stack_top(c));
	vmcs_write(HOST_RIP, (uintptr_t)vmexit_entry);
}

static bool choose_control(enum vmcs_field field, uint64_t cap, uint32_t wanted, const char *what,
			   const char **why)
{
	static char reason[160];
	struct control_choice choice = vmx_adjust_controls(cap, wanted);
	if (choice.refused) {
		snprintf(reason, sizeof(reason), "%s controls %#x are not supported (capability %#llx)",
			 what, (unsigned)choice.refused, (unsigned long long)cap);
		*why = reason;
		return false;
	}
	vmcs_write(field, choice.value);
	return true;
}

static bool setup_controls(struct cpu *c, const char **why)
{
	uint32_t exit = ARCH_IS_64BIT ? EXIT_HOST_ADDRESS_SPACE_SIZE : 0;
	uint32_t entry = ARCH_IS_64BIT ? ENTRY_IA32E_MODE_GUEST : 0;
	/* No HLT, interrupt or MSR exiting: the guest halts, takes interrupts through its
	 * own IDT and reaches the APIC exactly as the host would. */
	if (!choose_control(PIN_BASED_CONTROLS, caps.pin, 0, "pin-based", why) ||
	    !choose_control(PROC_BASED_CONTROLS, caps.proc, PROC_USE_MSR_BITMAPS, "processor-based", why) ||
	    !choose_control(EXIT_CONTROLS, caps.exit, exit, "VM-exit", why) ||
	    !choose_control(ENTRY_CONTROLS, caps.entry, entry, "VM-entry", why))
		return false;
	if (vmcs_read(PROC_BASED_CONTROLS) & PROC_HLT_EXITING) {
		*why = "HLT exiting cannot be turned off on this CPU";
		return false;
	}
	memset(c->msr_bitmap, 0, PAGE_SIZE);
	vmcs_write(MSR_BITMAP, (uintptr_t)c->msr_bitmap);
	vmcs_write(EXCEPTION_BITMAP, 0);
	vmcs_write(PAGE_FAULT_ERROR_MASK, 0);
	vmcs_write(PAGE_FAULT_ERROR_MATCH, 0);
	vmcs_write(CR3_TARGET_COUNT, 0);
	vmcs_write(EXIT_MSR_STORE_COUNT, 0);
	vmcs_write(EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write(ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write(ENTRY_INTERRUPTION_INFO, 0);
	vmcs_write(CR0_GUEST_HOST_MASK, 0);
	vmcs_write(CR4_GUEST_HOST_MASK, 0);
	vmcs_write(CR0_READ_SHADOW, read_cr0());
	vmcs_write(CR4_READ_SHADOW, read_cr4());
	return true;
}

void vmx_reset_guest(struct cpu *c, void (*guest_entry)(void))
{
	/* A zero "return address" on top, as if guest_entry had been called. */
	uintptr_t *sp = (uintptr_t *)cpu_guest_stack_top(c) - 2;
	sp[0] = 0;
	vmcs_write(GUEST_RSP, (uintptr_t)sp);
	vmcs_write(GUEST_RIP, (uintptr_t)guest_entry);
	vmcs_write(GUEST_RFLAGS, 0x2);
	vmcs_write(GUEST_ACTIVITY_STATE, ACTIVITY_ACTIVE);
	vmcs_write(GUEST_INTERRUPTIBILITY, 0);
	vmcs_write(GUEST_PENDING_DEBUG_EXCEPTIONS, 0);
}

bool vmx_setup_vmcs(struct cpu *c, void (*guest_entry)(void), const char **why)
{
	if (!setup_controls(c, why))
		return false;
	setup_host_state(c);
	setup_guest_state(c);
	vmx_reset_guest(c, guest_entry);
	return true;
}

void vmx_launch_guest(void)
{
	enum vmx_status s = vmx_launch();
	uint32_t error = s == VMX_FAIL_VALID ? (uint32_t)vmcs_read(VM_INSTRUCTION_ERROR) : 0;
	printf("VMLAUNCH failed: %s", status_name(s));
	if (s == VMX_FAIL_VALID)
		printf(", VM-instruction error %u (%s)", error, vm_instruction_error_name(error));
	printf("\n");
	if (s == VMX_FAIL_VALID)
		vmcs_dump();
}
