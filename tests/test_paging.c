/*
 * The framebuffer mapping (boot/paging.c) for made-up multiboot2 framebuffer tags above
 * 4 GiB, parsed by bootinfo_parse like the real ones, on page tables built the way
 * boot/<arch>/entry.S builds them. An independent page walk checks every large page of
 * the framebuffer, and that the rest of the low 4 GiB still maps to itself.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "boot/bootinfo.h"
#include "boot/paging.h"
#include "machine/layout.h"
#include "tests/unit.h"

#define GiB (1ull << 30)
#define MiB (1ull << 20)

/* --- a multiboot2 information block ------------------------------------------------ */

static uint64_t info_words[512];
static unsigned info_used;

static uint8_t *add_tag(uint32_t type, uint32_t size)
{
	uint8_t *tag = (uint8_t *)info_words + info_used;
	memset(tag, 0, (size + 7) & ~7u);
	memcpy(tag, &type, 4);
	memcpy(tag + 4, &size, 4);
	info_used += (size + 7) & ~7u;
	return tag;
}

static void info_begin(void)
{
	memset(info_words, 0, sizeof(info_words));
	info_used = 8;
}

static void add_framebuffer_tag(uint64_t addr, uint32_t width, uint32_t height)
{
	uint8_t *t = add_tag(8, 38);
	uint32_t pitch = width * 4;
	memcpy(t + 8, &addr, 8);
	memcpy(t + 16, &pitch, 4);
	memcpy(t + 20, &width, 4);
	memcpy(t + 24, &height, 4);
	t[28] = 32, t[29] = 1;                       /* 32 bpp, RGB */
	t[32] = 16, t[33] = 8, t[34] = 8, t[35] = 8, t[36] = 0, t[37] = 8;
}

struct region { uint64_t base, length; uint32_t type; };

/* A typical UEFI laptop's map below 4 GiB; the graphics BAR is in the hole, unlisted. */
static const struct region laptop_map[] = {
	{ 0, 0x9f000, 1 }, { 0x9f000, 0x61000, 2 }, { 0x100000, 0x7ff00000, 1 },
	{ 0x80000000, 0x10000000, 2 },   /* firmware, ACPI */
	{ 0xe0000000, 0x10000000, 2 },   /* PCIe ECAM */
	{ 0xfed00000, 0x1000, 2 }, { 0xfee00000, 0x1000, 2 }, { 0xff000000, 0x1000000, 2 },
	{ 0x100000000ull, 0x380000000ull, 1 },
};

static void add_mmap_tag(const struct region *r, unsigned n)
{
	uint8_t *t = add_tag(6, 16 + 24 * n);
	uint32_t entry_size = 24;
	memcpy(t + 8, &entry_size, 4);
	for (unsigned i = 0; i < n; i++) {
		memcpy(t + 16 + 24 * i, &r[i].base, 8);
		memcpy(t + 24 + 24 * i, &r[i].length, 8);
		memcpy(t + 32 + 24 * i, &r[i].type, 4);
	}
}

static void info_end(struct boot_info *b)
{
	add_tag(0, 8);
	uint32_t total = info_used;
	memcpy(info_words, &total, 4);
	CHECK(bootinfo_parse(MB2_BOOTLOADER_MAGIC, info_words, b));
}

/* --- page tables as entry.S builds them ------------------------------------------ */

static void *page(void)
{
	void *p = aligned_alloc(PAGING_TABLE_SIZE, PAGING_TABLE_SIZE);
	memset(p, 0, PAGING_TABLE_SIZE);
	return p;
}

static uint8_t (*spares)[PAGING_TABLE_SIZE];
static void *allocated[16];
static unsigned nallocated;

static void *keep(void *p)
{
	allocated[nallocated++] = p;
	return p;
}

/* amd64: PML4[0] -> PDPT[0..3] -> 2048 2 MiB pages identity-mapping the low 4 GiB. */
static struct paging amd64_tables(unsigned nspares)
{
	uint64_t *pml4 = keep(page()), *pdpt = keep(page());
	pml4[0] = (uintptr_t)pdpt | 3;
	for (unsigned g = 0; g < 4; g++) {
		uint64_t *pd = keep(page());
		pdpt[g] = (uintptr_t)pd | 3;
		for (unsigned i = 0; i < 512; i++)
			pd[i] = ((uint64_t)g * GiB + i * 2 * MiB) | 0x83;
	}
	spares = keep(aligned_alloc(PAGING_TABLE_SIZE, PAGING_TABLE_SIZE * 4));
	memset(spares, 0xa5, PAGING_TABLE_SIZE * 4);  /* paging_map must clear what it takes */
	struct paging pg = { PAGING_4LEVEL, pml4, spares, nspares, 0, 46, true };
	return pg;
}

/* i386: one page directory of 1024 4 MiB pages. */
static struct paging i386_tables(bool pse36, unsigned phys_bits)
{
	uint32_t *pd = keep(page());
	for (unsigned i = 0; i < 1024; i++)
		pd[i] = (uint32_t)(i << 22) | 0x83;
	struct paging pg = { PAGING_32BIT_PSE, pd, 0, 0, 0, phys_bits, pse36 };
	return pg;
}

static void free_tables(void)
{
	while (nallocated)
		free(allocated[--nallocated]);
}

/* --- an independent page walk ------------------------------------------------------- */

static bool walk(const struct paging *pg, uint64_t virt, uint64_t *phys, uint32_t *flags)
{
	if (pg->format == PAGING_32BIT_PSE) {
		uint32_t pde = ((const uint32_t *)pg->root)[(virt >> 22) & 1023];
		if (!(pde & 1) || !(pde & 0x80))
			return false;
		*phys = (pde & 0xffc00000u) | (uint64_t)((pde >> 13) & 0xff) << 32 | (virt & 0x3fffff);
		*flags = pde & 0xfff;
		return true;
	}
	const uint64_t *table = pg->root;
	unsigned shifts[] = { 39, 30, 21 };
	for (unsigned level = 0; level < 3; level++) {
		uint64_t e = table[(virt >> shifts[level]) & 511];
		if (!(e & 1))
			return false;
		if (level == 2) {
			if (!(e & 0x80))
				return false;
			*phys = (e & 0x000fffffffe00000ull) | (virt & 0x1fffff);
			*flags = (uint32_t)(e & 0xfff);
			return true;
		}
		if (e & 0x80)
			return false;
		table = (const uint64_t *)(uintptr_t)(e & 0x000ffffffffff000ull);
	}
	return false;
}

/* Every large page of [phys, phys + length) at virt, with write-combining (PWT). */
static void check_mapped(const struct paging *pg, uint64_t virt, uint64_t phys, uint64_t length)
{
	uint64_t step = paging_large_page(pg), got;
	uint32_t flags;
	bool all = true;
	for (uint64_t off = 0; off < length; off += step / 2) {
		all &= walk(pg, virt + off, &got, &flags) && got == phys + off &&
		       (flags & (PTE_PRESENT | PTE_WRITABLE | PTE_PWT)) == (PTE_PRESENT | PTE_WRITABLE | PTE_PWT);
	}
	all &= walk(pg, virt + length - 1, &got, &flags) && got == phys + length - 1;
	CHECK(all);
}

/* The low 4 GiB maps to itself, write-back, except [skip, skip + skip_length). */
static void check_identity_kept(const struct paging *pg, uint64_t skip, uint64_t skip_length)
{
	bool all = true;
	for (uint64_t a = 0x1000; a < 4 * GiB; a += 8 * MiB + 0x1234) {
		uint64_t got;
		uint32_t flags;
		if (a >= skip && a < skip + skip_length)
			continue;
		all &= walk(pg, a, &got, &flags) && got == a && !(flags & (PTE_PWT | PTE_PCD));
	}
	CHECK(all);
}

/* --- the tests ---------------------------------------------------------------------- */

/* The laptop: "efifb: framebuffer at 0x4000000000", 1920x1080x32. */
static void test_amd64_above_4g(void)
{
	struct boot_info b;
	info_begin();
	add_framebuffer_tag(0x4000000000ull, 1920, 1080);
	add_mmap_tag(laptop_map, sizeof(laptop_map) / sizeof(laptop_map[0]));
	info_end(&b);
	CHECK(b.has_fb);
	CHECK_INT_EQ(b.fb.addr, 0x4000000000ull);
	CHECK_INT_EQ(b.fb.pitch, 7680);
	CHECK_INT_EQ(b.fb.type, FB_RGB);

	struct paging pg = amd64_tables(4);
	uint64_t length = (uint64_t)b.fb.pitch * b.fb.height, virt = 0;
	const char *why = "(none)";
	CHECK(paging_place(&pg, &b, b.fb.addr, length, &virt, &why));
	CHECK_INT_EQ(virt, b.fb.addr);  /* amd64 maps it where it is */
	CHECK(paging_map(&pg, virt, b.fb.addr, length, PTE_PWT, &why));
	CHECK_INT_EQ(pg.spares_used, 1);  /* one page directory under the existing PDPT */
	check_mapped(&pg, virt, b.fb.addr, length);
	check_identity_kept(&pg, 0, 0);
	free_tables();
}

/* Past 512 GiB a new PDPT is needed too; a framebuffer straddling a 1 GiB line needs two
 * page directories; and the spare pool's end is an error, not an overrun. */
static void test_amd64_new_tables(void)
{
	const char *why = "(none)";
	struct paging pg = amd64_tables(4);
	uint64_t fb = 0x8000000000ull + 3 * GiB - 4 * MiB, length = 16 * MiB;
	CHECK(paging_map(&pg, fb, fb, length, PTE_PWT, &why));
	CHECK_INT_EQ(pg.spares_used, 3);   /* a PDPT and two page directories */
	check_mapped(&pg, fb, fb, length);
	check_identity_kept(&pg, 0, 0);
	free_tables();

	pg = amd64_tables(1);
	CHECK(!paging_map(&pg, fb, fb, length, PTE_PWT, &why));
	CHECK_STR_EQ(why, "out of spare page tables (entry.S reserves a few)");
	free_tables();

	pg = amd64_tables(4);
	CHECK(!paging_map(&pg, 1ull << 47, 1ull << 47, length, 0, &why));
	CHECK_STR_EQ(why, "it is beyond the CPU's physical address width (CPUID 0x80000008)");
	pg.phys_bits = 52;
	CHECK(!paging_map(&pg, 1ull << 47, 1ull << 47, length, 0, &why));
	CHECK_STR_EQ(why, "it is above 128 TiB, beyond 4-level paging's identity map");
	free_tables();
}

/* A framebuffer below 4 GiB keeps its identity mapping and only turns write-combining. */
static void test_low_framebuffer(void)
{
	struct boot_info b;
	info_begin();
	add_framebuffer_tag(0xc0000000ull, 1024, 768);
	add_mmap_tag(laptop_map, sizeof(laptop_map) / sizeof(laptop_map[0]));
	info_end(&b);
	const char *why = "(none)";
	uint64_t length = 1024 * 4 * 768, virt = 0;
	struct paging pg = amd64_tables(4);
	CHECK(paging_place(&pg, &b, b.fb.addr, length, &virt, &why));
	CHECK_INT_EQ(virt, 0xc0000000ull);
	CHECK(paging_map(&pg, virt, b.fb.addr, length, PTE_PWT, &why));
	CHECK_INT_EQ(pg.spares_used, 0);
	check_mapped(&pg, virt, b.fb.addr, length);
	check_identity_kept(&pg, 0xc0000000ull, 4 * MiB);
	free_tables();

	pg = i386_tables(true, 36);
	CHECK(paging_place(&pg, &b, b.fb.addr, length, &virt, &why));
	CHECK_INT_EQ(virt, 0xc0000000ull);
	CHECK(paging_map(&pg, virt, b.fb.addr, length, PTE_PWT, &why));
	check_mapped(&pg, virt, b.fb.addr, length);
	check_identity_kept(&pg, 0xc0000000ull, 4 * MiB);
	free_tables();
}

/* i386: PSE-36 entries in the highest unused window below 0xfec00000. */
static void test_i386_above_4g(void)
{
	struct boot_info b;
	info_begin();
	add_framebuffer_tag(0x4000000000ull + 0x100000, 1920, 1080);  /* not 4 MiB aligned */
	add_mmap_tag(laptop_map, sizeof(laptop_map) / sizeof(laptop_map[0]));
	info_end(&b);
	const char *why = "(none)";
	uint64_t length = (uint64_t)b.fb.pitch * b.fb.height, virt = 0;
	struct paging pg = i386_tables(true, 39);
	CHECK(paging_place(&pg, &b, b.fb.addr, length, &virt, &why));
	/* 1 MiB + 7.9 MiB rounds up to 12 MiB; 0xfec00000 - 12 MiB is free (the ECAM ends at
	 * 0xf0000000, the HPET page is above the window). */
	CHECK_INT_EQ(virt, 0xfec00000ull - 12 * MiB + 0x100000);
	CHECK(paging_map(&pg, virt, b.fb.addr, length, PTE_PWT, &why));
	check_mapped(&pg, virt, b.fb.addr, length);
	check_identity_kept(&pg, 0xfec00000ull - 12 * MiB, 12 * MiB);
	/* The PDE holds physical bits 39:32 in bits 20:13: 0x40 for 0x40_0000_0000. */
	CHECK_INT_EQ(((uint32_t *)pg.root)[(virt >> 22)], 0x40u << 13 | PTE_PWT | 0x83);
	free_tables();
}

static void test_i386_refusals(void)
{
	struct boot_info b;
	const char *why = "(none)";
	uint64_t virt = 0, length = 8 * MiB;
	info_begin();
	add_framebuffer_tag(0x4000000000ull, 1024, 768);
	add_mmap_tag(laptop_map, sizeof(laptop_map) / sizeof(laptop_map[0]));
	info_end(&b);

	struct paging pg = i386_tables(false, 39);
	CHECK(!paging_place(&pg, &b, b.fb.addr, length, &virt, &why));
	CHECK_STR_EQ(why, "it is above 4 GiB and this CPU has no PSE-36 (CPUID.1:EDX[17] = 0) to reach it");
	free_tables();

	pg = i386_tables(true, 46);
	CHECK(!paging_place(&pg, &b, 1ull << 40, length, &virt, &why));
	CHECK_STR_EQ(why, "it is above the 40-bit reach of PSE-36 (the amd64 build can map it)");
	free_tables();

	/* No memory map: nowhere known to be free. */
	info_begin();
	add_framebuffer_tag(0x4000000000ull, 1024, 768);
	info_end(&b);
	pg = i386_tables(true, 39);
	CHECK(!paging_place(&pg, &b, b.fb.addr, length, &virt, &why));
	CHECK_STR_EQ(why, "the loader gave no memory map to find unused addresses for a window in");

	/* A map that leaves no gap. */
	static const struct region full[] = { { 0, 0x100000000ull, 2 } };
	info_begin();
	add_mmap_tag(full, 1);
	info_end(&b);
	CHECK(!paging_place(&pg, &b, 0x4000000000ull, length, &virt, &why));
	CHECK_STR_EQ(why, "the memory map leaves no unused stretch below 0xfec00000 big enough for a window");

	CHECK(!paging_place(&pg, &b, 0x4000000000ull, 2 * GiB, &virt, &why));
	CHECK_STR_EQ(why, "its size (pitch x height) is 0 or above 1 GiB");
	free_tables();
}

void test_paging(void)
{
	test_amd64_above_4g();
	test_amd64_new_tables();
	test_low_framebuffer();
	test_i386_above_4g();
	test_i386_refusals();
}
