#ifndef BOOT_BANNER_H
#define BOOT_BANNER_H

#include <stdint.h>

#include "boot/acpi.h"
#include "boot/bootinfo.h"
#include "boot/topology.h"
#include "lib/platform.h"

/* Where the log goes (boot/main.c chose it). */
struct serial_choice {
	uint16_t port;
	uint32_t baud;
	const char *source;   /* "the default, COM1", "serial= on the command line", "the ACPI SPCR table" */
	char note[128];       /* an SPCR we could not follow, or "" */
};

struct banner_facts {
	const struct boot_info *boot;
	const struct acpi_info *acpi;          /* 0 when there is no usable MADT */
	const struct serial_choice *serial;
	const struct smt_topology *smt;
	const struct experimenter_choice *experimenter;
};

/* The facts a bug report needs, printed once at start. Every line is "Key: value"
 * (scripts/report_lib/parse.py reads them by their key). */
void banner_print(const struct banner_facts *f);

/* The experimenter's own line, printed by it once it is up. */
void banner_print_experimenter(bool shares_core_with_generator);

#endif
