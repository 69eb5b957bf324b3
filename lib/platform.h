/* What we run on (bare metal or which hypervisor/emulator) and how a run ends there. */
#ifndef LIB_PLATFORM_H
#define LIB_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>

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
/* "Xen 4.17 (CPUID 0x40000001 EAX = 0x40011)": the hypervisor's version where its CPUID
 * leaves give it, else what they do say; "" on bare metal. */
void platform_describe_hypervisor(char *buf, unsigned len);

/* What the CPU this runs on says about itself: any CPU may call it, for its own facts. */
struct cpu_identity {
	unsigned family, model, stepping;
	bool microcode_known;
	uint32_t microcode;          /* IA32_BIOS_SIGN_ID[63:32] (Intel) or the patch level (AMD) */
	const char *microcode_why;   /* why it is not known */
	bool hybrid;                 /* CPUID.7.0:EDX[15]: P-cores and E-cores */
	uint8_t core_type;           /* CPUID 0x1A EAX[31:24] when hybrid */
};
void platform_identify_this_cpu(struct cpu_identity *id);
/* "P-core (Intel Core, CPUID 0x1A)", "E-core (...)", "n/a (not a hybrid CPU)", ... */
const char *platform_core_type_name(const struct cpu_identity *id);

/*
 * How many low APIC ID bits tell the SMT threads of one core apart: APIC IDs that agree
 * above them are hyperthreads of the same core. From CPUID 0x1F or 0xB (the SMT level's
 * EAX[4:0]), else the legacy CPUID 1 and 4 (or AMD 0x80000008) counts.
 */
struct smt_topology {
	unsigned shift;
	const char *source;
};
void platform_smt_topology(struct smt_topology *t);
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
