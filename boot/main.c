/*
 * Where both CPUs land in C. The BSP brings the machine up and becomes the event
 * generator; the AP becomes the experimenter, which enters VMX root operation and runs
 * the guest.
 */
#include "boot/acpi.h"
#include "boot/banner.h"
#include "boot/bootinfo.h"
#include "boot/framebuffer.h"
#include "boot/smp.h"
#include "boot/topology.h"
#include "experiments/engine.h"
#include "experiments/generator.h"
#include "experiments/options.h"
#include "experiments/selection.h"
#include "experiments/selftest.h"
#include "experiments/watchdog.h"
#include "lib/apic.h"
#include "lib/cmdline.h"
#include "lib/console.h"
#include "lib/interrupts.h"
#include "lib/platform.h"
#include "lib/printf.h"
#include "lib/timer.h"
#include "machine/cpu.h"
#include "machine/descriptors.h"
#include "machine/x86.h"
#include "hv/hv.h"
#include "svm/backend.h"
#include "svm/svm.h"
#include "vmx/backend.h"
#include "vmx/ept.h"
#include "vmx/vmx.h"

#define PIC1_DATA 0x21
#define PIC2_DATA 0xa1
#define SPCR_16550 0x00
#define SPCR_16550_SUBSET 0x01
#define SPCR_16550_GAS 0x12

extern uint32_t boot_magic, boot_info;

union cpu_area cpu_areas[MAX_CPUS];

static struct boot_info boot;
static struct acpi_info acpi;
static struct serial_choice serial;
static struct experimenter_choice experimenter;

/* Everything arrives through the LAPIC; the legacy PIC stays silent. */
static void mask_legacy_pic(void)
{
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
}

static __attribute__((noreturn)) void fail_boot(const char *what, const char *why)
{
	printf("Bail out! %s: %s\n", what, why);
	platform_exit(STATUS_FAIL);
}

/*
 * The log's port: serial= if the user gave it, else the firmware's console from the
 * ACPI SPCR table (servers' serial-over-LAN is often COM2 or a PCI UART), else COM1.
 * Only a 16550 in I/O space can be driven; another SPCR console is named, not used.
 */
static void choose_serial(const struct acpi_serial *spcr)
{
	serial.port = (uint16_t)options.serial_port;
	serial.baud = (uint32_t)options.baud;
	serial.source = "the default, COM1";
	if (cmdline_has_key(boot.cmdline, "serial")) {
		serial.source = "serial= on the command line";
		return;
	}
	if (!spcr->present)
		return;
	bool is_16550 = spcr->interface_type == SPCR_16550 || spcr->interface_type == SPCR_16550_SUBSET ||
			spcr->interface_type == SPCR_16550_GAS;
	if (!is_16550 || spcr->address_space != ACPI_SPACE_IO || !spcr->address || spcr->address > 0xfff8) {
		snprintf(serial.note, sizeof(serial.note),
			 "the ACPI SPCR names a console this kernel cannot drive (interface type 0x%02x, %s %#llx)",
			 spcr->interface_type, spcr->address_space == ACPI_SPACE_IO ? "I/O port" : "address",
			 (unsigned long long)spcr->address);
		return;
	}
	serial.port = (uint16_t)spcr->address;
	serial.source = "the ACPI SPCR table";
	if (spcr->baud && !cmdline_has_key(boot.cmdline, "baud"))
		serial.baud = spcr->baud;
}

static void fail_no_second_cpu(void)
{
	char why[160];
	if (acpi.online_capable)
		snprintf(why, sizeof(why), "ACPI lists only one enabled CPU (and %u online capable but not "
			 "enabled); give the machine a second CPU (e.g. -smp 2)", acpi.online_capable);
	else
		snprintf(why, sizeof(why), "ACPI lists only one; give the machine a second CPU (e.g. -smp 2)");
	fail_boot("need two CPUs", why);
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
	uint16_t chosen = serial.port;
	uint32_t baud = serial.baud;
	bool user_chose = cmdline_has_key(boot.cmdline, "serial");
	if (line_ok) {
		console_init(chosen, baud);
		/* Only a port the user named is an error without a UART: with the default
		 * or the SPCR's, the log is still on the screen (the banner says so). */
		if (console_has_uart() || chosen == COM1_PORT || !user_chose)
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
	/* A fault must be reported, never reset the machine: the fatal hook, the IDT, then
	 * COM1 with the defaults (the user's port is known only once the options are read). */
	interrupts_init();
	bsp->index = 0;
	bsp->role = ROLE_GENERATOR;
	descriptors_init_global();
	descriptors_init_cpu(bsp);
	console_init(COM1_PORT, DEFAULT_BAUD);

	bool boot_ok = bootinfo_parse(boot_magic, (const void *)(uintptr_t)boot_info, &boot);
	/* The catalogue is the backend's: known from CPUID before exp= is checked against it. */
	selection_use_backend(svm_offered() ? BACKEND_SVM : BACKEND_VMX);
	bool options_ok = options_parse(boot.cmdline, option_error, sizeof(option_error)) &&
			  selection_init(option_error, sizeof(option_error));
	const char *acpi_why = 0;
	bool acpi_ok = acpi_find(boot.rsdp, boot.rsdp_length, &acpi, &acpi_why);
	choose_serial(&acpi.spcr);
	options_ok = start_console(options_ok, option_error, sizeof(option_error));
	framebuffer_start(&boot);
	platform_set_reboot_on_exit(options.reboot);
	platform_detect(acpi.oem_id);
	options_choose_defaults(platform()->kind == PLATFORM_QEMU_TCG);
	if (!boot_ok)
		fail_boot("not started by a multiboot loader", "bad magic in EAX");
	if (!options_ok)
		fail_boot("bad command line", option_error);

	mask_legacy_pic();
	apic_detect(options.x2apic);
	apic_init_cpu();
	bsp->apic_id = apic_id();
	bool timer_ok = timer_calibrate(acpi.pm_timer_port, acpi.pm_timer_32bit);
	struct smt_topology smt;
	platform_smt_topology(&smt);
	unsigned listed = acpi.count < ACPI_MAX_CPUS ? acpi.count : ACPI_MAX_CPUS;
	experimenter = topology_choose_experimenter(acpi.apic_ids, listed, bsp->apic_id, smt.shift);

	struct banner_facts facts = { &boot, acpi_ok ? &acpi : 0, &serial, &smt, &experimenter };
	banner_print(&facts);
	if (!timer_ok)
		fail_boot("timer calibration", timer_calibration()->decision.note);
	if (!acpi_ok)
		fail_boot("cannot find the second CPU", acpi_why);
	if (!experimenter.found)
		fail_no_second_cpu();

	struct cpu *ap = &cpu_areas[1].cpu;
	ap->index = 1;
	ap->apic_id = experimenter.apic_id;
	ap->role = ROLE_EXPERIMENTER;
	generator_init(bsp->apic_id, experimenter.apic_id);
	const char *why;
	if (!smp_start_ap(&boot, experimenter.apic_id, ap, &why))
		fail_boot("cannot start the second CPU", why);
	watchdog_init(experimenter.apic_id);
	generator_main(watchdog_poll);
}

/* RAM is what the loader's memory map calls available; the EPT maps it WB, the rest UC. */
static bool is_ram(uint64_t base, uint64_t length)
{
	return bootinfo_range_available(&boot, base, length);
}

/* The backend and the catalogue, said before the TAP stream (scripts/report reads them). */
static void announce(const char *backend, const char *why)
{
	printf("Backend: %s (%s)\n", backend, why);
	printf("Catalogue: %s\n", catalogue_of(selection_backend())->key);
}

/* An AMD (or Hygon) CPU with SVM: the SVM backend, or, where the firmware disabled it,
 * the SVM catalogue's host-only experiments. */
static __attribute__((noreturn)) void start_svm(struct cpu *c)
{
	const char *why;
	if (!svm_available(&why)) {
		printf("SVM: not available (%s): skipping the SVM experiments\n", why);
		announce("none", why);
		engine_run_without_vmx(why);
	}
	if (!svm_enable(c, &why))
		fail_boot("cannot enable SVM", why);
	svm_print_caps();
	printf("SVM: EFER.SVME set on CPU %u\n", c->index);
	announce("SVM", "an AMD CPU with CPUID 8000_0001h:ECX[2] = 1");
	hv = &svm_backend;
	selftest_run(c);
}

/* Otherwise VMX (CPUID.1:ECX[5]), or without it the VMX catalogue's host-only ones. */
static __attribute__((noreturn)) void start_vmx(struct cpu *c)
{
	const char *why;
	if (!vmx_available(&why)) {
		printf("VMX: not available (%s): skipping the VMX experiments\n", why);
		announce("none", why);
		engine_run_without_vmx(why);
	}
	if (!vmx_enable(c, &why))
		fail_boot("cannot enter VMX root operation", why);
	printf("VMX: VMXON ok on CPU %u\n", c->index);
	announce("VMX", "CPUID.1:ECX[5] = 1");
	ept_init(is_ram);
	hv = &vmx_backend;
	selftest_run(c);
}

void ap_entry(void)
{
	struct cpu *c = this_cpu();
	descriptors_init_cpu(c);
	framebuffer_init_cpu();
	apic_init_cpu();
	c->online = true;
	printf("CPU %u (APIC ID %u) up: the experimenter; CPU 0 (APIC ID %u) generates events\n",
	       c->index, apic_id(), cpu_areas[0].cpu.apic_id);
	banner_print_experimenter(experimenter.shares_core);

	if (selection_backend() == BACKEND_SVM)
		start_svm(c);
	start_vmx(c);
}
