#include "boot/bootinfo.h"

#include "lib/string.h"
#include "machine/layout.h"

enum mb2_tag {
	MB2_TAG_END = 0,
	MB2_TAG_CMDLINE = 1,
	MB2_TAG_LOADER_NAME = 2,
	MB2_TAG_MMAP = 6,
	MB2_TAG_FRAMEBUFFER = 8,
	MB2_TAG_EFI32 = 11,
	MB2_TAG_EFI64 = 12,
	MB2_TAG_ACPI_OLD = 14,
	MB2_TAG_ACPI_NEW = 15,
};

#define MB1_FLAG_CMDLINE (1u << 2)
#define MB1_FLAG_MMAP (1u << 6)
#define MB1_FLAG_LOADER_NAME (1u << 9)

static const char empty[] = "";

static const char *skip_first_word(const char *s)
{
	while (*s && *s != ' ')
		s++;
	while (*s == ' ')
		s++;
	return s;
}

/* multiboot2 loaders differ on whether the command line starts with the kernel's own
 * path (GRUB 2.06 leaves it out); a path starts with '/' or a GRUB device "(". */
static const char *skip_kernel_path(const char *s)
{
	return *s == '/' || *s == '(' ? skip_first_word(s) : s;
}

static void add_mmap(struct boot_info *b, uint64_t base, uint64_t len, uint32_t type)
{
	if (b->mmap_count < BOOTINFO_MAX_MMAP)
		b->mmap[b->mmap_count++] = (struct mmap_entry){ base, len, type };
}

static void parse_mb2_mmap(struct boot_info *b, const uint8_t *tag, uint32_t size)
{
	uint32_t entry_size = *(const uint32_t *)(tag + 8);
	for (uint32_t off = 16; entry_size && off + entry_size <= size; off += entry_size) {
		const uint8_t *e = tag + off;
		add_mmap(b, *(const uint64_t *)e, *(const uint64_t *)(e + 8), *(const uint32_t *)(e + 16));
	}
}

static void parse_mb2_framebuffer(struct boot_info *b, const uint8_t *tag, uint32_t size)
{
	if (size < 30)
		return;
	struct framebuffer *fb = &b->fb;
	fb->addr = *(const uint64_t *)(tag + 8);
	fb->pitch = *(const uint32_t *)(tag + 16);
	fb->width = *(const uint32_t *)(tag + 20);
	fb->height = *(const uint32_t *)(tag + 24);
	fb->bpp = tag[28];
	fb->type = tag[29];
	if (fb->type == FB_RGB && size >= 38) {
		fb->red_pos = tag[32], fb->red_size = tag[33];
		fb->green_pos = tag[34], fb->green_size = tag[35];
		fb->blue_pos = tag[36], fb->blue_size = tag[37];
	}
	b->has_fb = true;
}

static void parse_mb2(struct boot_info *b, const uint8_t *info)
{
	uint32_t total = *(const uint32_t *)info;
	const uint8_t *acpi_old = 0, *acpi_new = 0;
	for (uint32_t off = 8; off + 8 <= total;) {
		const uint8_t *tag = info + off;
		uint32_t type = *(const uint32_t *)tag, size = *(const uint32_t *)(tag + 4);
		if (type == MB2_TAG_END || size < 8)
			break;
		switch (type) {
		case MB2_TAG_CMDLINE: b->cmdline = skip_kernel_path((const char *)tag + 8); break;
		case MB2_TAG_LOADER_NAME: b->loader_name = (const char *)tag + 8; break;
		case MB2_TAG_MMAP: parse_mb2_mmap(b, tag, size); break;
		case MB2_TAG_FRAMEBUFFER: parse_mb2_framebuffer(b, tag, size); break;
		case MB2_TAG_EFI32:
		case MB2_TAG_EFI64: b->uefi = true; break;
		case MB2_TAG_ACPI_OLD: acpi_old = tag; break;
		case MB2_TAG_ACPI_NEW: acpi_new = tag; break;
		}
		off += (size + 7) & ~7u;
	}
	const uint8_t *acpi = acpi_new ? acpi_new : acpi_old;
	if (acpi) {
		b->rsdp = acpi + 8;
		b->rsdp_length = *(const uint32_t *)(acpi + 4) - 8;
	}
}

static void parse_mb1(struct boot_info *b, const uint32_t *info)
{
	uint32_t flags = info[0];
	if (flags & MB1_FLAG_CMDLINE)
		/* multiboot1 loaders (GRUB, QEMU -kernel) put the kernel's file name first. */
		b->cmdline = skip_first_word((const char *)(uintptr_t)info[4]);
	if (flags & MB1_FLAG_LOADER_NAME)
		b->loader_name = (const char *)(uintptr_t)info[16];
	if (flags & MB1_FLAG_MMAP) {
		const uint8_t *p = (const uint8_t *)(uintptr_t)info[12];
		const uint8_t *end = p + info[11];
		/* Each entry's size field does not count itself. */
		for (; p < end; p += *(const uint32_t *)p + 4)
			add_mmap(b, *(const uint64_t *)(p + 4), *(const uint64_t *)(p + 12),
				 *(const uint32_t *)(p + 20));
	}
}

bool bootinfo_parse(uint32_t magic, const void *info, struct boot_info *b)
{
	memset(b, 0, sizeof(*b));
	b->cmdline = empty;
	b->loader_name = "unknown";
	if (magic == MB2_BOOTLOADER_MAGIC) {
		b->multiboot_version = 2;
		parse_mb2(b, info);
	} else if (magic == MB1_BOOTLOADER_MAGIC) {
		b->multiboot_version = 1;
		parse_mb1(b, info);
	}
	return b->multiboot_version != 0;
}

const char *bootinfo_firmware_name(const struct boot_info *b)
{
	if (b->uefi)
		return "UEFI";
	/* multiboot2 under UEFI always carries an EFI system-table tag; multiboot1 cannot say. */
	return b->multiboot_version == 2 ? "BIOS" : "BIOS or UEFI (multiboot1 does not say)";
}

bool bootinfo_range_available(const struct boot_info *b, uint64_t base, uint64_t length)
{
	for (unsigned i = 0; i < b->mmap_count; i++) {
		const struct mmap_entry *e = &b->mmap[i];
		if (e->type == MMAP_AVAILABLE && base >= e->base && base + length <= e->base + e->length)
			return true;
	}
	return false;
}
