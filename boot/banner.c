#include "boot/banner.h"

#include "experiments/options.h"
#include "lib/apic.h"
#include "lib/platform.h"
#include "lib/printf.h"
#include "lib/timer.h"
#include "machine/arch.h"
#include "machine/cpu.h"
#include "vmx/vmx.h"

#ifndef PROJECT_VERSION
#define PROJECT_VERSION "0.0.0"
#endif
#ifndef GIT_REVISION
#define GIT_REVISION "unknown"
#endif

static void print_cpus(const struct acpi_cpus *cpus)
{
	char ids[128];
	int n = 0;
	for (unsigned i = 0; i < cpus->count && n < (int)sizeof(ids) - 12; i++)
		n += snprintf(ids + n, sizeof(ids) - n, "%s%u", i ? ", " : "", cpus->apic_ids[i]);
	printf("CPUs: %u in the ACPI MADT (APIC IDs %s; RSDP from %s, OEM \"%s\"), APIC mode %s\n",
	       cpus->count, ids, cpus->rsdp_source, cpus->oem_id, apic_mode_name());
}

static void print_vmx(void)
{
	const char *why;
	if (!vmx_available(&why)) {
		printf("VMX: not available (%s)\n", why);
		return;
	}
	struct vmx_caps caps;
	vmx_read_caps(&caps);
	vmx_print_caps(&caps);
}

void banner_print(const struct boot_info *b, const struct acpi_cpus *cpus)
{
	const struct platform_info *p = platform();
	const struct timer_calibration *t = timer_calibration();
	printf("\nnmi-lab %s (git %s), %s build\n", PROJECT_VERSION, GIT_REVISION, ARCH_NAME);
	printf("Boot: %s, multiboot%d, loader \"%s\", command line \"%s\"\n",
	       bootinfo_firmware_name(b), b->multiboot_version, b->loader_name, b->cmdline);
	printf("CPU: %s family %#x model %#x stepping %u, \"%s\"\n", p->vendor, p->family, p->model,
	       p->stepping, p->brand[0] ? p->brand : "(no brand string)");
	printf("Platform: %s%s%s%s\n", p->name, p->hypervisor_signature[0] ? " (CPUID 0x40000000 \"" : "",
	       p->hypervisor_signature, p->hypervisor_signature[0] ? "\")" : "");
	printf("Timer: TSC %llu kHz, LAPIC timer %llu kHz (calibrated against %s); waits bounded at %llu ms\n",
	       (unsigned long long)t->tsc_khz, (unsigned long long)t->apic_khz, t->reference,
	       (unsigned long long)options.timeout_ms);
	if (cpus)
		print_cpus(cpus);
	printf("BSP: APIC ID %u (%s)\n", cpu_areas[0].cpu.apic_id, apic_mode_name());
	if (options.x2apic && apic_mode() != APIC_X2APIC)
		printf("APIC: x2APIC mode was asked for, but this CPU does not support it (CPUID.1:ECX[21] = 0)\n");
	print_vmx();
}
