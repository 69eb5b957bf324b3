#ifndef BOOT_BANNER_H
#define BOOT_BANNER_H

#include "boot/acpi.h"
#include "boot/bootinfo.h"

/* The facts a bug report needs, printed once at start. cpus may be 0 (no ACPI). */
void banner_print(const struct boot_info *b, const struct acpi_cpus *cpus);

#endif
