#include "boot/banner.h"

#include "experiments/options.h"
#include "lib/apic.h"
#include "lib/console.h"
#include "lib/platform.h"
#include "lib/printf.h"
#include "lib/string.h"
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

static void print_serial(const struct serial_choice *s)
{
	if (console_has_uart())
		printf("Serial: %#x at %u baud (%s)%s%s\n", s->port, s->baud, s->source,
		       s->note[0] ? "; " : "", s->note);
	else
		/* Only the screen shows this: it says why nothing else does. */
		printf("Serial: no UART at %#x (%s): the log is only on this screen%s%s\n",
		       s->port, s->source, s->note[0] ? "; " : "", s->note);
}

static void format_microcode(const struct cpu_identity *id, char *buf, unsigned len)
{
	if (id->microcode_known)
		snprintf(buf, len, "0x%x", id->microcode);
	else
		snprintf(buf, len, "unknown (%s)", id->microcode_why);
}

static void print_microcode(void)
{
	struct cpu_identity id;
	char text[64];
	platform_identify_this_cpu(&id);
	format_microcode(&id, text, sizeof(text));
	const char *msr = !strcmp(platform()->vendor, "AuthenticAMD") ? "MSR 0x8b patch level" : "IA32_BIOS_SIGN_ID";
	bool virtual = platform()->kind != PLATFORM_BARE_METAL;
	printf("Microcode: %s (%s%s)\n", text, msr, virtual ? ", as the platform reports it" : "");
}

static void print_hypervisor(void)
{
	char text[160];
	platform_describe_hypervisor(text, sizeof(text));
	if (text[0])
		printf("Hypervisor: %s\n", text);
}

static void print_timer(void)
{
	const struct timer_calibration *t = timer_calibration();
	char line[400];
	int n = 0;
	for (unsigned i = 0; i < t->nsources && n < (int)sizeof(line) - 80; i++) {
		const struct tsc_source *s = &t->sources[i];
		if (s->khz)
			n += snprintf(line + n, sizeof(line) - n, "%s%s %llu kHz", i ? "; " : "", s->name,
				      (unsigned long long)s->khz);
		else
			n += snprintf(line + n, sizeof(line) - n, "%s%s %s", i ? "; " : "", s->name, s->unavailable);
	}
	if (t->ok)
		printf("Timer: TSC %llu kHz, LAPIC timer %llu kHz (calibrated against %s); waits bounded at %llu ms\n",
		       (unsigned long long)t->tsc_khz, (unsigned long long)t->apic_khz, t->reference,
		       (unsigned long long)options.timeout_ms);
	else
		printf("Timer: not calibrated: %s\n", t->decision.note);
	printf("Calibration: %s\n", line);
	if (t->ok && t->decision.note[0])
		printf("Calibration: note: %s\n", t->decision.note);
}

static void print_cpus(const struct acpi_info *a)
{
	char ids[160];
	int n = 0;
	unsigned kept = a->count < ACPI_MAX_CPUS ? a->count : ACPI_MAX_CPUS;
	for (unsigned i = 0; i < kept && n < (int)sizeof(ids) - 16; i++)
		n += snprintf(ids + n, sizeof(ids) - n, "%s%u", i ? ", " : "", a->apic_ids[i]);
	if (kept < a->count || n >= (int)sizeof(ids) - 16)
		snprintf(ids + n, sizeof(ids) - n, ", ...");
	char skipped[160] = "";
	if (a->online_capable || a->disabled || a->invalid_ids)
		snprintf(skipped, sizeof(skipped),
			 "; skipped: %u online capable but not enabled, %u disabled, %u with an invalid APIC ID",
			 a->online_capable, a->disabled, a->invalid_ids);
	printf("CPUs: %u enabled in the ACPI MADT (APIC IDs %s; RSDP from %s, OEM \"%s\"), APIC mode %s%s\n",
	       a->count, ids, a->rsdp_source, a->oem_id, apic_mode_name(), skipped);
	if (a->bad_tables)
		printf("ACPI: %u table%s failed the checks; %s\n", a->bad_tables, a->bad_tables > 1 ? "s" : "",
		       a->problem);
}

static void print_topology(const struct smt_topology *smt, const struct experimenter_choice *e)
{
	if (!e->found) {
		printf("Topology: SMT shift %u (%s); no other CPU for the experimenter\n", smt->shift, smt->source);
		return;
	}
	printf("Topology: SMT shift %u (%s); the experimenter is APIC ID %u, %s\n", smt->shift, smt->source,
	       e->apic_id, e->shares_core ? "the BSP's SMT sibling: no CPU on another core is listed"
					  : "on another core than the BSP");
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

void banner_print(const struct banner_facts *f)
{
	const struct platform_info *p = platform();
	const struct boot_info *b = f->boot;
	printf("\nnmi-lab %s (git %s), %s build\n", PROJECT_VERSION, GIT_REVISION, ARCH_NAME);
	printf("Boot: %s, multiboot%d, loader \"%s\", command line \"%s\"\n",
	       bootinfo_firmware_name(b), b->multiboot_version, b->loader_name, b->cmdline);
	print_serial(f->serial);
	printf("CPU: %s family %#x model %#x stepping %u, \"%s\"\n", p->vendor, p->family, p->model,
	       p->stepping, p->brand[0] ? p->brand : "(no brand string)");
	print_microcode();
	printf("Platform: %s%s%s%s\n", p->name, p->hypervisor_signature[0] ? " (CPUID 0x40000000 \"" : "",
	       p->hypervisor_signature, p->hypervisor_signature[0] ? "\")" : "");
	print_hypervisor();
	print_timer();
	if (f->acpi)
		print_cpus(f->acpi);
	print_topology(f->smt, f->experimenter);
	printf("BSP: APIC ID %u (%s)\n", cpu_areas[0].cpu.apic_id, apic_mode_name());
	if (options.x2apic && apic_mode() != APIC_X2APIC)
		printf("APIC: x2APIC mode was asked for, but this CPU does not support it (CPUID.1:ECX[21] = 0)\n");
	print_vmx();
}

void banner_print_experimenter(bool shares_core)
{
	struct cpu_identity id;
	char microcode[64];
	platform_identify_this_cpu(&id);
	format_microcode(&id, microcode, sizeof(microcode));
	printf("Experimenter: APIC ID %u; family %#x model %#x stepping %u; core type %s; microcode %s; "
	       "shares a core with the generator: %s\n",
	       apic_id(), id.family, id.model, id.stepping, platform_core_type_name(&id), microcode,
	       shares_core ? "yes (its SMT sibling)" : "no");
}
