/* Finding the CPUs: the ACPI MADT, reached through the loader's RSDP copy or, failing
 * that, the BIOS areas where the RSDP lives on legacy systems. */
#ifndef BOOT_ACPI_H
#define BOOT_ACPI_H

#include <stdbool.h>
#include <stdint.h>

#define ACPI_MAX_CPUS 64

struct acpi_cpus {
	const char *rsdp_source;    /* "multiboot2 tag" or "BIOS area scan" */
	char oem_id[7];             /* from the RSDP: tells emulators apart ("BOCHS ") */
	unsigned count;             /* enabled (or online-capable) processors */
	uint32_t apic_ids[ACPI_MAX_CPUS];
};

/* Returns false with a reason in *why when there is no usable MADT. */
bool acpi_find_cpus(const void *rsdp_hint, struct acpi_cpus *out, const char **why);

#endif
