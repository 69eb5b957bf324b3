#include "lib/platform.h"

#include "lib/console.h"
#include "lib/printf.h"
#include "lib/string.h"
#include "machine/x86.h"

#define CPUID_HYPERVISOR_BIT (1u << 31)
#define QEMU_DEBUG_EXIT_PORT 0xf4
#define BOCHS_SHUTDOWN_PORT 0x8900
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

static void detect_cpu(void)
{
	struct cpuid_regs r = cpuid(0, 0);
	uint32_t vendor[3] = { r.ebx, r.edx, r.ecx };
	copy_regs(info.vendor, vendor, 3);
	uint32_t sig = cpuid(1, 0).eax;
	info.stepping = sig & 0xf;
	info.model = (sig >> 4) & 0xf;
	info.family = (sig >> 8) & 0xf;
	if (info.family == 0xf)
		info.family += (sig >> 20) & 0xff;
	if (info.family == 0x6 || info.family >= 0xf)
		info.model |= ((sig >> 16) & 0xf) << 4;
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
