/*
 * What the ACPI tables tell start-up: the CPUs (MADT), the firmware's serial console
 * (SPCR) and the ACPI PM timer (FADT). The RSDP comes from the loader's copy or, failing
 * that, from the BIOS areas where it lives on legacy systems.
 *
 * The parser reads physical memory only through a struct acpi_memory, so the host unit
 * tests run it over made-up tables (tests/test_acpi.c). Every table's signature is checked
 * before its length is believed, lengths are bounded, checksums verified; a table that
 * fails is skipped and named, never half-trusted.
 */
#ifndef BOOT_ACPI_H
#define BOOT_ACPI_H

#include <stdbool.h>
#include <stdint.h>

#define ACPI_MAX_CPUS 64
/* No table we read comes close: a MADT for 8192 x2APIC CPUs is 128 KiB. */
#define ACPI_MAX_TABLE_LENGTH (1u << 20)

struct acpi_memory {
	/* A pointer to `length` bytes at physical `address`, or 0 when they are out of reach. */
	const void *(*map)(uint64_t address, uint64_t length);
};

/* ACPI Generic Address Structure address spaces. */
#define ACPI_SPACE_MEMORY 0
#define ACPI_SPACE_IO 1

struct acpi_serial {          /* the SPCR table */
	bool present;
	uint8_t interface_type;    /* 0: 16550, 1: 16550 subset, 0x12: 16550 by GAS; others: not a 16550 */
	uint8_t address_space;     /* ACPI_SPACE_* */
	uint64_t address;
	uint32_t baud;             /* 0: "as the firmware left it" */
};

struct acpi_info {
	const char *rsdp_source;   /* "multiboot2 tag" or "BIOS area scan" */
	char oem_id[7];            /* from the RSDP: tells emulators apart ("BOCHS ") */
	const char *root_name;     /* "XSDT" or "RSDT" */
	bool has_madt;
	unsigned count;            /* enabled processors (each APIC ID once) */
	unsigned online_capable;   /* skipped: "online capable" but not enabled */
	unsigned disabled;         /* skipped: neither enabled nor online capable */
	unsigned invalid_ids;      /* skipped: APIC ID 0xff (LAPIC) or 0xffffffff (x2APIC) */
	uint32_t apic_ids[ACPI_MAX_CPUS];   /* the first ACPI_MAX_CPUS of them, in MADT order */
	struct acpi_serial spcr;
	uint16_t pm_timer_port;    /* FADT: the ACPI PM timer's I/O port, 0 when there is none */
	bool pm_timer_32bit;       /* FADT TMR_VAL_EXT: 32-bit counter, else 24-bit */
	unsigned bad_tables;       /* tables skipped because they failed a check */
	char problem[128];         /* the first such problem, for the banner ("" when none) */
};

/*
 * rsdp_hint: the loader's copy of the RSDP (rsdp_length bytes: 20 for ACPI 1.0, 36 for
 * 2.0+), or 0. Returns false with a reason in *why when there is no usable MADT; the
 * other fields are still filled in as far as they could be read.
 */
bool acpi_parse(const struct acpi_memory *mem, const void *rsdp_hint, unsigned rsdp_length,
		struct acpi_info *out, const char **why);

/* The same over the kernel's identity map of the low 4 GiB. */
bool acpi_find(const void *rsdp_hint, unsigned rsdp_length, struct acpi_info *out, const char **why);

#endif
