/* What we run on (bare metal or which hypervisor/emulator) and how a run ends there. */
#ifndef LIB_PLATFORM_H
#define LIB_PLATFORM_H

#include <stdbool.h>

enum platform_kind {
	PLATFORM_BARE_METAL,
	PLATFORM_KVM,
	PLATFORM_QEMU_TCG,
	PLATFORM_VMWARE,
	PLATFORM_HYPERV,
	PLATFORM_XEN,
	PLATFORM_VIRTUALBOX,
	PLATFORM_BOCHS,
	PLATFORM_OTHER_HYPERVISOR,
};

/* kvm-unit-tests' exit-status convention. */
enum run_status { STATUS_PASS = 0, STATUS_FAIL = 1, STATUS_SKIP = 77 };

struct platform_info {
	enum platform_kind kind;
	const char *name;
	char hypervisor_signature[13];
	char vendor[13];
	char brand[49];
	unsigned family, model, stepping;
};

/* acpi_oem_id: the RSDP's OEM ID, or "" when ACPI was not found. */
void platform_detect(const char *acpi_oem_id);
const struct platform_info *platform(void);
void platform_set_reboot_on_exit(bool reboot);

/*
 * Ends the run: prints "EXIT: STATUS=N" (the line runners read), lets the UART drain,
 * then leaves the way the platform allows -- QEMU's isa-debug-exit, Bochs's shutdown
 * port, a reset if asked, else halt.
 */
__attribute__((noreturn)) void platform_exit(enum run_status status);
/* Whether some CPU has begun ending the run (the watchdog then stands down). */
bool platform_exiting(void);

#endif
