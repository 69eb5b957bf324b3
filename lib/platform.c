#include "lib/platform.h"

#include "lib/console.h"
#include "lib/ports.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "machine/msr.h"
#include "machine/x86.h"

#define CPUID_HYPERVISOR_BIT (1u << 31)
#define CPUID_1_EDX_HTT (1u << 28)
#define CPUID_7_EDX_HYBRID (1u << 15)
#define HYPERV_INTERFACE_HV1 0x31237648u  /* "Hv#1" in CPUID 0x40000001 EAX */
#define RESET_CONTROL_PORT 0xcf9

static struct platform_info info;
static bool reboot_on_exit;
/* Bochs's ACPI tables (and QEMU's, which descend from them) say "BOCHS ". */
static bool bochs_style_acpi;

static const struct { const char *signature; enum platform_kind kind; const char *name; } hypervisors[] = {
	{ "KVMKVMKVM", PLATFORM_KVM, "KVM" },
	{ "TCGTCGTCGTCG", PLATFORM_QEMU_TCG, "QEMU TCG" },
	{ "VMwareVMware", PLATFORM_VMWARE, "VMware" },
	{ "Microsoft Hv", PLATFORM_HYPERV, "Hyper-V" },
	{ "XenVMMXenVMM", PLATFORM_XEN, "Xen" },
	{ "VBoxVBoxVBox", PLATFORM_VIRTUALBOX, "VirtualBox" },
};

static void copy_regs(char *dst, const uint32_t *regs, unsigned n)
{
	memcpy(dst, regs, 4 * n);
	dst[4 * n] = 0;
}

static bool is_vendor(const char *vendor)
{
	struct cpuid_regs r = cpuid(0, 0);
	uint32_t regs[3] = { r.ebx, r.edx, r.ecx };
	char v[13];
	copy_regs(v, regs, 3);
	return !strcmp(v, vendor);
}

/* SDM Vol. 2A, CPUID: the displayed family and model. */
static void decode_signature(uint32_t sig, unsigned *family, unsigned *model, unsigned *stepping)
{
	*stepping = sig & 0xf;
	*model = (sig >> 4) & 0xf;
	*family = (sig >> 8) & 0xf;
	if (*family == 0xf)
		*family += (sig >> 20) & 0xff;
	if (*family == 0x6 || *family >= 0xf)
		*model |= ((sig >> 16) & 0xf) << 4;
}

/*
 * Intel (SDM Vol. 3A 10.11.7.1): write 0 to IA32_BIOS_SIGN_ID, run CPUID 1, read the
 * revision from bits 63:32. AMD: the patch level is MSR 0x8b's bits 31:0. Either MSR may
 * be missing under a hypervisor: the fix-up turns the #GP into "unknown".
 */
static void read_microcode(struct cpu_identity *id)
{
	uint64_t v;
	id->microcode_why = "not an Intel or AMD CPU";
	if (is_vendor("GenuineIntel")) {
		(void)wrmsr_safe(MSR_IA32_BIOS_SIGN_ID, 0);
		(void)cpuid(1, 0);
		id->microcode_known = rdmsr_safe(MSR_IA32_BIOS_SIGN_ID, &v);
		id->microcode = (uint32_t)(v >> 32);
		id->microcode_why = "#GP on RDMSR 0x8b";
	} else if (is_vendor("AuthenticAMD")) {
		id->microcode_known = rdmsr_safe(MSR_AMD_PATCH_LEVEL, &v);
		id->microcode = (uint32_t)v;
		id->microcode_why = "#GP on RDMSR 0x8b";
	}
}

void platform_identify_this_cpu(struct cpu_identity *id)
{
	memset(id, 0, sizeof(*id));
	decode_signature(cpuid(1, 0).eax, &id->family, &id->model, &id->stepping);
	read_microcode(id);
	uint32_t max = cpuid(0, 0).eax;
	id->hybrid = max >= 7 && (cpuid(7, 0).edx & CPUID_7_EDX_HYBRID) && max >= 0x1a;
	if (id->hybrid)
		id->core_type = (uint8_t)(cpuid(0x1a, 0).eax >> 24);
}

const char *platform_core_type_name(const struct cpu_identity *id)
{
	if (!id->hybrid)
		return "n/a (not a hybrid CPU)";
	switch (id->core_type) {
	case 0x20: return "E-core (Intel Atom, CPUID 0x1A)";
	case 0x40: return "P-core (Intel Core, CPUID 0x1A)";
	default: return "unknown (CPUID 0x1A)";
	}
}

/* The SMT level of leaf 0xB or 0x1F: the sub-leaf whose level type (ECX[15:8]) is 1. */
static bool smt_shift_from(uint32_t leaf, unsigned *shift)
{
	if (!cpuid(leaf, 0).ebx)
		return false;
	for (uint32_t sub = 0; sub < 8; sub++) {
		struct cpuid_regs r = cpuid(leaf, sub);
		unsigned type = (r.ecx >> 8) & 0xff;
		if (type == 0)
			return false;
		if (type == 1) {
			*shift = r.eax & 0x1f;
			return true;
		}
	}
	return false;
}

static unsigned bits_for(unsigned n)
{
	unsigned bits = 0;
	while ((1u << bits) < n)
		bits++;
	return bits;
}

void platform_smt_topology(struct smt_topology *t)
{
	uint32_t max = cpuid(0, 0).eax;
	t->shift = 0;
	if (max >= 0x1f && smt_shift_from(0x1f, &t->shift)) {
		t->source = "CPUID 0x1F";
		return;
	}
	if (max >= 0xb && smt_shift_from(0xb, &t->shift)) {
		t->source = "CPUID 0xB";
		return;
	}
	struct cpuid_regs r = cpuid(1, 0);
	if (!(r.edx & CPUID_1_EDX_HTT)) {
		t->source = "CPUID 1: one logical processor per package";
		return;
	}
	unsigned logical = (r.ebx >> 16) & 0xff, cores = 1;
	t->source = "CPUID 1, legacy count";
	if (is_vendor("GenuineIntel") && max >= 4) {
		cores = ((cpuid(4, 0).eax >> 26) & 0x3f) + 1;
		t->source = "CPUID 1 and 4, legacy counts";
	} else if (is_vendor("AuthenticAMD") && cpuid(0x80000000, 0).eax >= 0x80000008) {
		cores = (cpuid(0x80000008, 0).ecx & 0xff) + 1;
		t->source = "CPUID 1 and 0x80000008, legacy counts";
	}
	t->shift = logical > cores ? bits_for(logical / cores) : 0;
}

static void detect_cpu(void)
{
	struct cpuid_regs r = cpuid(0, 0);
	uint32_t vendor[3] = { r.ebx, r.edx, r.ecx };
	copy_regs(info.vendor, vendor, 3);
	decode_signature(cpuid(1, 0).eax, &info.family, &info.model, &info.stepping);
	if (cpuid(0x80000000, 0).eax >= 0x80000004) {
		for (unsigned i = 0; i < 3; i++) {
			struct cpuid_regs b = cpuid(0x80000002 + i, 0);
			uint32_t words[4] = { b.eax, b.ebx, b.ecx, b.edx };
			copy_regs(info.brand + 16 * i, words, 4);
		}
	}
	const char *brand = info.brand;
	while (*brand == ' ')
		brand++;
	memmove(info.brand, brand, strlen(brand) + 1);
}

static void detect_hypervisor(const char *acpi_oem_id)
{
	bochs_style_acpi = !strncmp(acpi_oem_id, "BOCHS", 5);
	if (cpuid(1, 0).ecx & CPUID_HYPERVISOR_BIT) {
		struct cpuid_regs r = cpuid(0x40000000, 0);
		uint32_t sig[3] = { r.ebx, r.ecx, r.edx };
		copy_regs(info.hypervisor_signature, sig, 3);
		for (unsigned i = 0; i < sizeof(hypervisors) / sizeof(hypervisors[0]); i++) {
			if (!strncmp(info.hypervisor_signature, hypervisors[i].signature, 12)) {
				info.kind = hypervisors[i].kind;
				info.name = hypervisors[i].name;
				return;
			}
		}
		info.kind = PLATFORM_OTHER_HYPERVISOR;
		info.name = "unknown hypervisor";
		return;
	}
	/* Bochs sets no hypervisor bit; its ACPI OEM ID gives it away. */
	if (bochs_style_acpi) {
		info.kind = PLATFORM_BOCHS;
		info.name = "Bochs";
		return;
	}
	info.kind = PLATFORM_BARE_METAL;
	info.name = "bare metal";
}

/* Hypervisor leaves may sit at 0x40000000 + n * 0x100 (Xen moves up when it offers
 * Hyper-V's interface too): the base whose signature matches, or 0. */
static uint32_t hypervisor_base(const char *signature)
{
	for (uint32_t base = 0x40000000; base < 0x40010000; base += 0x100) {
		struct cpuid_regs r = cpuid(base, 0);
		uint32_t sig[3] = { r.ebx, r.ecx, r.edx };
		char text[13];
		copy_regs(text, sig, 3);
		if (!strcmp(text, signature) && r.eax >= base + 1 && r.eax < base + 0x100)
			return base;
	}
	return 0;
}

void platform_describe_hypervisor(char *buf, unsigned len)
{
	buf[0] = 0;
	if (!(cpuid(1, 0).ecx & CPUID_HYPERVISOR_BIT))
		return;
	uint32_t base, max = cpuid(0x40000000, 0).eax;
	if ((base = hypervisor_base("XenVMMXenVMM"))) {
		uint32_t v = cpuid(base + 1, 0).eax;
		snprintf(buf, len, "Xen %u.%u (CPUID %#x EAX = 0x%x)%s", v >> 16, v & 0xffff, base + 1, v,
			 base != 0x40000000 ? ", behind Hyper-V's interface at 0x40000000" : "");
	} else if (info.kind == PLATFORM_HYPERV && max >= 0x40000002 &&
		   cpuid(0x40000001, 0).eax == HYPERV_INTERFACE_HV1) {
		struct cpuid_regs v = cpuid(0x40000002, 0);
		snprintf(buf, len, "Hyper-V %u.%u build %u, service pack %u, branch %u, number %u "
			 "(CPUID 0x40000002)", v.ebx >> 16, v.ebx & 0xffff, v.eax, v.ecx, v.edx >> 24,
			 v.edx & 0xffffff);
	} else if (info.kind == PLATFORM_KVM && max >= 0x40000001) {
		snprintf(buf, len, "KVM, feature bits 0x%x (CPUID 0x40000001 EAX; KVM gives no version)",
			 cpuid(0x40000001, 0).eax);
	} else {
		snprintf(buf, len, "%s, no version in its CPUID leaves (0x40000000 max leaf %#x)",
			 info.name, max);
	}
}

void platform_detect(const char *acpi_oem_id)
{
	detect_cpu();
	detect_hypervisor(acpi_oem_id);
}

const struct platform_info *platform(void) { return &info; }

void platform_set_reboot_on_exit(bool reboot) { reboot_on_exit = reboot; }

static bool is_emulator_with_exit_ports(void)
{
	return info.kind == PLATFORM_QEMU_TCG || info.kind == PLATFORM_KVM ||
	       info.kind == PLATFORM_BOCHS || bochs_style_acpi;
}

static volatile bool exiting;

bool platform_exiting(void) { return exiting; }

void platform_exit(enum run_status status)
{
	cli();
	exiting = true;
	printf("EXIT: STATUS=%d\n", (int)status);
	console_drain();
	if (is_emulator_with_exit_ports()) {
		/* QEMU ends with (status << 1) | 1 if -device isa-debug-exit is present. */
		outb(QEMU_DEBUG_EXIT_PORT, (uint8_t)status);
		for (const char *s = "Shutdown"; *s; s++)
			outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*s);
	}
	if (reboot_on_exit)
		outb(RESET_CONTROL_PORT, 0x06);
	halt_forever();
}
