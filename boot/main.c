/*
 * Where both CPUs land in C. The BSP brings the machine up and becomes the event
 * generator; the AP becomes the experimenter, which enters VMX root operation and runs
 * the guest.
 */
#include "boot/acpi.h"
#include "boot/banner.h"
#include "boot/bootinfo.h"
#include "boot/smp.h"
#include "experiments/engine.h"
#include "experiments/generator.h"
#include "experiments/options.h"
#include "experiments/selection.h"
#include "experiments/selftest.h"
#include "lib/apic.h"
#include "lib/console.h"
#include "lib/interrupts.h"
#include "lib/platform.h"
#include "lib/printf.h"
#include "lib/screen.h"
#include "lib/timer.h"
#include "machine/cpu.h"
#include "machine/descriptors.h"
#include "machine/x86.h"
#include "vmx/vmx.h"

#define PIC1_DATA 0x21
#define PIC2_DATA 0xa1

extern uint32_t boot_magic, boot_info;

union cpu_area cpu_areas[MAX_CPUS];

static struct boot_info boot;
static struct acpi_cpus cpus;

/* Everything arrives through the LAPIC; the legacy PIC stays silent. */
static void mask_legacy_pic(void)
{
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
}

static uint32_t choose_experimenter(uint32_t bsp_apic_id)
{
	for (unsigned i = 0; i < cpus.count; i++)
		if (cpus.apic_ids[i] != bsp_apic_id)
			return cpus.apic_ids[i];
	return bsp_apic_id;
}

static __attribute__((noreturn)) void fail_boot(const char *what, const char *why)
{
	printf("Bail out! %s: %s\n", what, why);
	platform_exit(STATUS_FAIL);
}

/*
 * The command line is read and checked whole before the console moves to the serial=
 * port. A bad line is reported on the default port (COM1), where a user who mistyped an
 * option looks, and on the serial= port too if one was read; a serial= port where no
 * UART answers is reported on COM1. Returns whether the line is good; else why says what
 * is wrong.
 */
static bool start_console(bool line_ok, char *why, unsigned len)
{
	uint16_t chosen = (uint16_t)options.serial_port;
	uint32_t baud = (uint32_t)options.baud;
	if (line_ok) {
		console_init(chosen, baud);
		if (console_has_uart() || chosen == COM1_PORT)
			return true;
		snprintf(why, len, "serial=%#x: no UART answers at that port (this message is on COM1)", chosen);
	}
	console_init(COM1_PORT, baud);
	if (chosen != COM1_PORT)
		console_also(chosen, baud);
	return false;
}

void bsp_entry(void)
{
	struct cpu *bsp = &cpu_areas[0].cpu;
	char option_error[512];
	interrupts_init();
	bsp->index = 0;
	bsp->role = ROLE_GENERATOR;
	bool boot_ok = bootinfo_parse(boot_magic, boot_info, &boot);
	bool options_ok = options_parse(boot.cmdline, option_error, sizeof(option_error)) &&
			  selection_init(option_error, sizeof(option_error));
	options_ok = start_console(options_ok, option_error, sizeof(option_error));
	screen_init(boot.has_fb ? &boot.fb : 0);
	platform_set_reboot_on_exit(options.reboot);

	const char *acpi_why = 0;
	bool acpi_ok = acpi_find_cpus(boot.rsdp, &cpus, &acpi_why);
	platform_detect(acpi_ok ? cpus.oem_id : "");
	options_choose_defaults(platform()->kind == PLATFORM_QEMU_TCG);
	if (!boot_ok)
		fail_boot("not started by a multiboot loader", "bad magic in EAX");
	if (!options_ok)
		fail_boot("bad command line", option_error);

	descriptors_init_global();
	descriptors_init_cpu(bsp);
	mask_legacy_pic();
	apic_detect(options.x2apic);
	apic_init_cpu();
	bsp->apic_id = apic_id();
	if (!timer_calibrate())
		fail_boot("timer", "no calibration reference");

	banner_print(&boot, acpi_ok ? &cpus : 0);
	if (!acpi_ok)
		fail_boot("cannot find the second CPU", acpi_why);
	uint32_t ap_id = choose_experimenter(bsp->apic_id);
	if (cpus.count < 2 || ap_id == bsp->apic_id)
		fail_boot("need two CPUs", "ACPI lists only one; give the machine a second CPU (e.g. -smp 2)");

	struct cpu *ap = &cpu_areas[1].cpu;
	ap->index = 1;
	ap->apic_id = ap_id;
	ap->role = ROLE_EXPERIMENTER;
	generator_init(bsp->apic_id, ap_id);
	const char *why;
	if (!smp_start_ap(&boot, ap_id, ap, &why))
		fail_boot("cannot start the second CPU", why);
	generator_main();
}

void ap_entry(void)
{
	struct cpu *c = this_cpu();
	descriptors_init_cpu(c);
	apic_init_cpu();
	c->online = true;
	printf("CPU %u (APIC ID %u) up: the experimenter; CPU 0 (APIC ID %u) generates events\n",
	       c->index, apic_id(), cpu_areas[0].cpu.apic_id);

	const char *why;
	if (!vmx_available(&why)) {
		printf("VMX: not available (%s): skipping the VMX experiments\n", why);
		engine_run_without_vmx(why);
	}
	if (!vmx_enable(c, &why))
		fail_boot("cannot enter VMX root operation", why);
	printf("VMX: VMXON ok on CPU %u\n", c->index);
	selftest_run(c);
}
