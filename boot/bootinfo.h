/* What the boot loader told us, from multiboot2 tags or the multiboot1 info block. */
#ifndef BOOT_BOOTINFO_H
#define BOOT_BOOTINFO_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/screen.h"

#define BOOTINFO_MAX_MMAP 64
#define MMAP_AVAILABLE 1

struct mmap_entry {
	uint64_t base, length;
	uint32_t type;
};

struct boot_info {
	int multiboot_version;  /* 1 or 2; 0 when the magic was wrong */
	bool uefi;              /* multiboot2 carried an EFI system-table tag */
	const char *cmdline;    /* our options only: the kernel's path is stripped */
	const char *loader_name;
	const void *rsdp;       /* the loader's copy of the ACPI RSDP, or 0 */
	unsigned rsdp_length;   /* bytes of it the loader copied (20: ACPI 1.0, 36: 2.0+) */
	struct mmap_entry mmap[BOOTINFO_MAX_MMAP];
	unsigned mmap_count;
	bool has_fb;            /* the loader described the display (multiboot2 tag 8) */
	struct framebuffer fb;
};

/* info: the loader's information block (EBX at entry); the host unit tests pass their own. */
bool bootinfo_parse(uint32_t magic, const void *info, struct boot_info *out);
const char *bootinfo_firmware_name(const struct boot_info *b);
/* Whether [base, base + length) lies inside one available memory-map range. */
bool bootinfo_range_available(const struct boot_info *b, uint64_t base, uint64_t length);

#endif
