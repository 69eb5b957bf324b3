/*
 * SVM bring-up (APM Vol. 2 chapter 15, "Secure Virtual Machine"): detection, enabling,
 * the VMCB of our one guest, the first VMRUN.
 */
#include "svm/svm.h"

#include "hv/features.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "machine/descriptors.h"
#include "machine/msr.h"
#include "machine/svm_arch.h"
#include "machine/x86.h"
#include "svm/vmcb.h"

uint8_t *vmcb;
uintptr_t svm_vmcb_pa, svm_host_state_pa;

static struct {
	uint32_t revision, asids, edx;
} caps;

/* "AuthenticAMD", "HygonGenuine": the vendors whose SVM the APM describes. */
static bool amd_like_vendor(void)
{
	struct cpuid_regs r = cpuid(0, 0);
	uint32_t amd[3] = { 0x68747541, 0x69746e65, 0x444d4163 };   /* "AuthenticAMD" */
	uint32_t hygon[3] = { 0x6f677948, 0x6e65476e, 0x656e6975 }; /* "HygonGenuine" */
	return (r.ebx == amd[0] && r.edx == amd[1] && r.ecx == amd[2]) ||
	       (r.ebx == hygon[0] && r.edx == hygon[1] && r.ecx == hygon[2]);
}

bool svm_offered(void)
{
	return amd_like_vendor() && cpuid(0x80000000, 0).eax >= 0x80000001 &&
	       (cpuid(0x80000001, 0).ecx & CPUID_80000001_ECX_SVM);
}

/* APM 15.4, "Enabling SVM": the CPUID bit, then VM_CR.SVMDIS (set: the firmware disabled
 * SVM; CPUID 8000_000Ah:EDX[SVML] says whether a key could unlock it). */
bool svm_available(const char **why)
{
	if (!svm_offered()) {
		*why = "not an AMD CPU with CPUID 8000_0001h:ECX[2] (SVM) = 1";
		return false;
	}
	if (cpuid(0x80000000, 0).eax < 0x8000000a) {
		*why = "CPUID leaf 8000_000Ah (SVM features) is missing";
		return false;
	}
	uint64_t vm_cr;
	if (rdmsr_safe(MSR_VM_CR, &vm_cr) && (vm_cr & VM_CR_SVMDIS)) {
		*why = (cpuid(0x8000000a, 0).edx & CPUID_8000000A_EDX_SVML)
			       ? "VM_CR.SVMDIS = 1: the firmware disabled SVM (it may be unlocked with a key)"
			       : "VM_CR.SVMDIS = 1: the firmware disabled SVM";
		return false;
	}
	return true;
}

uint32_t svm_features(void) { return caps.edx; }

static const struct {
	enum hv_feature feature;
	uint32_t bit;
	const char *lacking;
} feature_bits[] = {
	{ FEATURE_SVM_NRIP_SAVE, CPUID_8000000A_EDX_NRIPS, "this CPU lacks NRIP save (CPUID 8000_000Ah:EDX[3] = 0)" },
	{ FEATURE_SVM_VGIF, CPUID_8000000A_EDX_VGIF, "this CPU lacks VGIF (CPUID 8000_000Ah:EDX[16] = 0)" },
	{ FEATURE_SVM_VNMI, CPUID_8000000A_EDX_VNMI,
	  "this CPU lacks NMI virtualization (CPUID 8000_000Ah:EDX[25] = 0)" },
};

/* The NMI intercept every SVM CPU has; the VMX-only features are never asked of SVM. */
const char *svm_missing_feature(unsigned features)
{
	for (unsigned i = 0; i < sizeof(feature_bits) / sizeof(feature_bits[0]); i++)
		if ((features & feature_bits[i].feature) && !(caps.edx & feature_bits[i].bit))
			return feature_bits[i].lacking;
	unsigned vmx_only = FEATURE_VIRTUAL_NMIS | FEATURE_NMI_WINDOW | FEATURE_HLT_STATE | FEATURE_MTF |
			    FEATURE_INTERRUPT_WINDOW | FEATURE_PREEMPTION_TIMER | FEATURE_EPT;
	return (features & vmx_only) ? "a VMX control, which SVM does not have" : 0;
}

static const char *yes_no(bool b) { return b ? "yes" : "no"; }

void svm_print_caps(void)
{
	printf("SVM: revision %u, %u ASIDs, CPUID 8000_000Ah:EDX %#x: nested paging %s, NRIP save %s, VGIF %s, "
	       "vNMI %s\n", caps.revision, caps.asids, caps.edx, yes_no(caps.edx & CPUID_8000000A_EDX_NP),
	       yes_no(caps.edx & CPUID_8000000A_EDX_NRIPS), yes_no(caps.edx & CPUID_8000000A_EDX_VGIF),
	       yes_no(caps.edx & CPUID_8000000A_EDX_VNMI));
}

static inline void vmsave(uintptr_t pa) { __asm__ volatile("vmsave" :: "a"(pa) : "memory"); }

/*
 * EFER.SVME (15.4), then VM_HSAVE_PA: "the physical address of a 4KB block of memory
 * where VMRUN saves host state" (15.30.4, "VM_HSAVE_PA MSR (C001_0117h)"), one per CPU.
 * VMRUN does not switch FS, GS, TR, LDTR and their MSRs (15.5.2, "VMSAVE and VMLOAD
 * Instructions"): the host's are saved once here, and vmrun.S loads the guest's from the
 * VMCB before VMRUN and the host's back after #VMEXIT. Identity mapping: our addresses
 * are physical ones.
 */
bool svm_enable(struct cpu *c, const char **why)
{
	struct cpuid_regs r = cpuid(0x8000000a, 0);
	caps.revision = r.eax & 0xff;
	caps.asids = r.ebx;
	caps.edx = r.edx;
	if (!wrmsr_safe(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME)) {
		*why = "setting EFER.SVME raised #GP";
		return false;
	}
	memset(c->svm_host_save, 0, PAGE_SIZE);
	if (!wrmsr_safe(MSR_VM_HSAVE_PA, (uintptr_t)c->svm_host_save)) {
		*why = "writing VM_HSAVE_PA raised #GP";
		return false;
	}
	vmcb = c->vmcb;
	svm_vmcb_pa = (uintptr_t)c->vmcb;
	svm_host_state_pa = (uintptr_t)c->svm_host_vmload;
	memset(c->svm_host_vmload, 0, PAGE_SIZE);
	vmsave(svm_host_state_pa);
	return true;
}

/* "the concatenation of bits 55:52 and 47:40 from the original 64-bit (in-memory) segment
 * descriptors" (15.5.1, "Segment State in the VMCB"). */
static uint16_t attributes(uint64_t descriptor)
{
	return (uint16_t)(((descriptor >> 40) & 0xff) | (((descriptor >> 52) & 0xf) << 8));
}

static void write_segment(unsigned off, uint16_t selector, uint16_t attrib, uint32_t limit, uint64_t base)
{
	vmcb_write16(off + VMCB_SEGMENT_SELECTOR, selector);
	vmcb_write16(off + VMCB_SEGMENT_ATTRIB, attrib);
	vmcb_write32(off + VMCB_SEGMENT_LIMIT, limit);
	vmcb_write64(off + VMCB_SEGMENT_BASE, base);
}

static void flat_segment(unsigned off, uint16_t selector)
{
	write_segment(off, selector, attributes(gdt_descriptor(selector)), 0xffffffffu, 0);
}

/* The busy 32/64-bit TSS type (11) in TR, as after LTR. */
#define TSS_BUSY_ATTRIB 0x8b

/*
 * The guest's state: our code and data segments, the host's paging (same CR0, CR3, CR4
 * and EFER: "VMCB.CR3 = host CR3" needs no nested paging, 15.25; EFER.SVME must be 1,
 * 15.5.1), its own TSS (loaded by VMLOAD), IDT and stack. CPL 0 ("The CS.DPL will match
 * the CPL field", 15.5.1).
 */
static void setup_guest_state(struct cpu *c)
{
	uint16_t code = read_cs(), data = read_ds();
	flat_segment(VMCB_CS, code);
	flat_segment(VMCB_SS, data);
	flat_segment(VMCB_DS, data);
	flat_segment(VMCB_ES, data);
	flat_segment(VMCB_FS, data);
	flat_segment(VMCB_GS, data);
	write_segment(VMCB_LDTR, 0, 0, 0, 0);
	write_segment(VMCB_TR, cpu_guest_tss_selector(c), TSS_BUSY_ATTRIB, TSS_SIZE - 1, (uintptr_t)c->guest_tss);
	struct descriptor_pointer gdtr = sgdt(), idtr = guest_idt_pointer();
	write_segment(VMCB_GDTR, 0, 0, gdtr.limit, gdtr.base);
	write_segment(VMCB_IDTR, 0, 0, idtr.limit, idtr.base);
	vmcb_write8(VMCB_CPL, 0);
	vmcb_write64(VMCB_EFER, rdmsr(MSR_EFER));
	vmcb_write64(VMCB_CR0, read_cr0());
	vmcb_write64(VMCB_CR3, read_cr3());
	vmcb_write64(VMCB_CR4, read_cr4());
	vmcb_write64(VMCB_CR2, 0);
	vmcb_write64(VMCB_DR6, 0xffff0ff0u);
	vmcb_write64(VMCB_DR7, 0x400u);
}

/*
 * The control area's baseline: VMRUN intercepted (15.5.1: "The VMRUN intercept bit is
 * clear" fails VMRUN), VMMCALL (the guest's hypercall) and shutdown (15.14.3: a broken
 * delivery in G exits instead of resetting the experimenter); nothing else. ASID 1 (0 is
 * the host's, 15.5.1), no TLB flush: the guest uses the host's page tables, which do not
 * change. V_INTR_MASKING = 0: "EFLAGS.IF controls both virtual and physical interrupts"
 * (15.21.1), so G takes interrupts through its own IDT, as the VMX guest does.
 */
void svm_baseline_controls(void)
{
	vmcb_write32(VMCB_INTERCEPTS_1, INTERCEPT_SHUTDOWN);
	vmcb_write32(VMCB_INTERCEPTS_2, INTERCEPT_VMRUN | INTERCEPT_VMMCALL);
	vmcb_write32(VMCB_EXCEPTION_INTERCEPTS, 0);
	vmcb_write32(VMCB_GUEST_ASID, 1);
	vmcb_write8(VMCB_TLB_CONTROL, 0);
	vmcb_write64(VMCB_V_INTR, 0);
	vmcb_write64(VMCB_INTERRUPT_SHADOW, 0);
	vmcb_write64(VMCB_EVENTINJ, 0);
	vmcb_write64(VMCB_NP_ENABLE, 0);
	vmcb_write64(VMCB_IOPM_BASE_PA, 0);
	vmcb_write64(VMCB_MSRPM_BASE_PA, 0);
	struct descriptor_pointer idtr = guest_idt_pointer();
	vmcb_write64(VMCB_IDTR + VMCB_SEGMENT_BASE, idtr.base);
}

void svm_setup_vmcb(struct cpu *c)
{
	memset(c->vmcb, 0, PAGE_SIZE);
	svm_baseline_controls();
	setup_guest_state(c);
}

/* A fresh guest at `entry`: the whole state (a VMRUN that failed may have left the host's
 * in the save area), an empty stack with a zero "return address", RFLAGS = 2, no shadow. */
void svm_reset_guest(struct cpu *c, void (*entry)(void))
{
	setup_guest_state(c);
	uintptr_t *sp = (uintptr_t *)cpu_guest_stack_top(c) - 2;
	sp[0] = 0;
	vmcb_write64(VMCB_RSP, (uintptr_t)sp);
	vmcb_write64(VMCB_RIP, (uintptr_t)entry);
	vmcb_write64(VMCB_RFLAGS, 0x2);
	vmcb_write64(VMCB_RAX, 0);
	vmcb_write64(VMCB_INTERRUPT_SHADOW, 0);
}

/* The guest's registers other than RAX and RSP (the VMCB has those) live in a frame at
 * the top of the exit stack, 16-byte aligned, where vmrun.S keeps its stack. */
__attribute__((noreturn)) void svm_run(struct cpu *c)
{
	uintptr_t top = cpu_exit_stack_top(c);
	struct gprs *frame = (struct gprs *)((top - sizeof(struct gprs)) & ~(uintptr_t)15);
	memset(frame, 0, sizeof(*frame));
	svm_enter(frame);
}
