/*
 * Multiboot headers. GRUB prefers the multiboot2 header (menu entries use `multiboot2`);
 * the multiboot1 header lets `multiboot` and other loaders boot the same file.
 * Both enter _start in 32-bit protected mode with paging off.
 */
#include "machine/layout.h"

#define MB2_MAGIC 0xe85250d6
#define MB2_ARCH_I386 0
#define MB1_MAGIC 0x1badb002
#define MB1_FLAGS 0x00000002  /* bit 1: memory map wanted */

	.section .multiboot, "a"
	.balign 8
mb2_header:
	.long MB2_MAGIC, MB2_ARCH_I386, mb2_header_end - mb2_header
	.long -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))

	/* Information request (optional: boot even if a tag cannot be supplied). */
	.balign 8
mb2_info_request:
	.short 1, 1
	.long mb2_info_request_end - mb2_info_request
	.long 1   /* command line */
	.long 2   /* boot loader name */
	.long 6   /* memory map */
	.long 14  /* ACPI 1.0 RSDP */
	.long 15  /* ACPI 2.0 RSDP */
	.long 8   /* framebuffer info (lib/screen.c mirrors the results on it) */
mb2_info_request_end:

	/*
	 * A framebuffer, optional (lib/screen.c shows the results on it). UEFI has no text
	 * mode, so GRUB sets up a linear framebuffer: 1024x768x32 (128x48 characters, a
	 * whole run fits) when the firmware has it, else a mode of GRUB's choice. Under BIOS,
	 * grub.cfg sets gfxpayload=text and GRUB leaves VGA text mode on (EGA text, type 2).
	 */
	.balign 8
mb2_framebuffer:
	.short 5, 1
	.long 20
	.long 1024, 768, 32  /* width, height, depth */

	.balign 8
	.short 0, 0   /* end tag */
	.long 8
mb2_header_end:

	.balign 4
mb1_header:
	.long MB1_MAGIC, MB1_FLAGS, -(MB1_MAGIC + MB1_FLAGS)
