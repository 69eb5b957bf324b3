#include "boot/framebuffer.h"

#include "boot/paging.h"
#include "lib/printf.h"
#include "lib/screen.h"
#include "machine/arch.h"
#include "machine/msr.h"
#include "machine/x86.h"

#define CPUID_1_EDX_PAT (1u << 16)
#define CPUID_1_EDX_PSE36 (1u << 17)
#define CPUID_1_EDX_PAE (1u << 6)
/* IA32_PAT entry 1 (selected by PWT = 1, PCD = 0, PAT = 0) is write-through at reset;
 * nothing of ours uses it, so it becomes write-combining, as in Linux. */
#define PAT_ENTRY1_MASK (0xffull << 8)
#define PAT_ENTRY1_WC (0x01ull << 8)

/* From boot/<arch>/entry.S. */
extern uint8_t page_table_root[];
extern uint8_t spare_page_tables[][PAGING_TABLE_SIZE];
extern const uint32_t spare_page_table_count;

static bool write_combining;

static unsigned physical_address_bits(void)
{
	if (cpuid(0x80000000, 0).eax >= 0x80000008)
		return cpuid(0x80000008, 0).eax & 0xff;
	return cpuid(1, 0).edx & (CPUID_1_EDX_PAE | CPUID_1_EDX_PSE36) ? 36 : 32;
}

static bool program_pat(void)
{
	uint64_t pat;
	if (!(cpuid(1, 0).edx & CPUID_1_EDX_PAT) || !rdmsr_safe(MSR_IA32_PAT, &pat))
		return false;
	return wrmsr_safe(MSR_IA32_PAT, (pat & ~PAT_ENTRY1_MASK) | PAT_ENTRY1_WC);
}

void framebuffer_init_cpu(void)
{
	if (write_combining)
		(void)program_pat();
}

/*
 * SDM Vol. 3A 13.12.4 (programming the PAT): entry 1 is changed before any page uses
 * it, so no cached line has a stale type; the page-table change is then followed by a
 * cache write-back and a TLB flush, as for any change of a page's memory type.
 */
static bool map(const struct boot_info *b, uintptr_t *base, const char **note)
{
	const struct framebuffer *fb = &b->fb;
	struct paging pg = {
		.format = ARCH_IS_64BIT ? PAGING_4LEVEL : PAGING_32BIT_PSE,
		.root = page_table_root,
		.spare = spare_page_tables,
		.spares = spare_page_table_count,
		.phys_bits = physical_address_bits(),
		.pse36 = (cpuid(1, 0).edx & CPUID_1_EDX_PSE36) != 0,
	};
	uint64_t length = (uint64_t)fb->pitch * fb->height, virt;
	if (fb->type != FB_RGB) {  /* EGA text at 0xb8000, or a palette the screen refuses */
		*base = (uintptr_t)fb->addr;
		*note = "it is not RGB and not in the identity-mapped low 4 GiB";
		return fb->addr + length <= 0x100000000ull;
	}
	if (!paging_place(&pg, b, fb->addr, length, &virt, note))
		return false;
	write_combining = program_pat();
	if (!paging_map(&pg, virt, fb->addr, length, write_combining ? PTE_PWT : 0, note))
		return false;
	__asm__ volatile("wbinvd" ::: "memory");
	write_cr3(read_cr3());
	*base = (uintptr_t)virt;
	*note = write_combining ? "write-combining" : "not write-combining: the CPU has no PAT";
	return true;
}

void framebuffer_start(const struct boot_info *b)
{
	char report[192];
	uintptr_t base = 0;
	const char *note = "";
	if (b->has_fb && !map(b, &base, &note))
		base = 0;
	screen_init(b->has_fb ? &b->fb : 0, base, note, report, sizeof(report));
	printf("%s\n", report);
}
