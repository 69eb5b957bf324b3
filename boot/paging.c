#include "boot/paging.h"

#include "lib/string.h"

#define LOW_4G 0x100000000ull
#define CANONICAL_LOW_HALF (1ull << 47)  /* 4-level paging: identity works only below */
#define PSE36_LIMIT_BITS 40               /* SDM 4.3: M = min(MAXPHYADDR, 40) */
#define ADDR_MASK_4LEVEL 0x000ffffffffff000ull
#define PDE_4M_HIGH_SHIFT 13              /* PSE-36: physical bits 39:32 in PDE bits 20:13 */

uint64_t paging_large_page(const struct paging *pg)
{
	return pg->format == PAGING_4LEVEL ? 1ull << 21 : 1ull << 22;
}

static uint64_t round_up(uint64_t v, uint64_t to) { return (v + to - 1) & ~(to - 1); }

/* The highest physical address +1 a large page can reach in this format. */
static uint64_t physical_limit(const struct paging *pg)
{
	unsigned bits = pg->phys_bits;
	if (pg->format == PAGING_32BIT_PSE)
		bits = !pg->pse36 ? 32 : bits < PSE36_LIMIT_BITS ? bits : PSE36_LIMIT_BITS;
	return bits >= 64 ? UINT64_MAX : 1ull << bits;
}

static bool overlaps_mmap(const struct boot_info *b, uint64_t base, uint64_t length)
{
	for (unsigned i = 0; i < b->mmap_count; i++) {
		const struct mmap_entry *e = &b->mmap[i];
		if (e->length && base < e->base + e->length && e->base < base + length)
			return true;
	}
	return false;
}

/* i386, framebuffer above 4 GiB: the highest stretch of the low 4 GiB nothing lives in. */
static bool choose_window(const struct paging *pg, const struct boot_info *b, uint64_t phys,
			  uint64_t length, uint64_t *virt, const char **why)
{
	uint64_t page = paging_large_page(pg);
	uint64_t size = round_up((phys & (page - 1)) + length, page);
	if (!b->mmap_count) {
		*why = "the loader gave no memory map to find unused addresses for a window in";
		return false;
	}
	for (uint64_t start = PAGING_WINDOW_TOP - size; size < PAGING_WINDOW_TOP && start >= page;
	     start -= page) {
		if (!overlaps_mmap(b, start, size)) {
			*virt = start + (phys & (page - 1));
			return true;
		}
	}
	*why = "the memory map leaves no unused stretch below 0xfec00000 big enough for a window";
	return false;
}

bool paging_place(const struct paging *pg, const struct boot_info *b, uint64_t phys,
		  uint64_t length, uint64_t *virt, const char **why)
{
	if (length == 0 || length > PAGING_MAX_FRAMEBUFFER) {
		*why = "its size (pitch x height) is 0 or above 1 GiB";
		return false;
	}
	if (phys + length <= LOW_4G || pg->format == PAGING_4LEVEL) {
		*virt = phys;
		return true;
	}
	if (!pg->pse36) {
		*why = "it is above 4 GiB and this CPU has no PSE-36 (CPUID.1:EDX[17] = 0) to reach it";
		return false;
	}
	if (phys + length > physical_limit(pg)) {
		*why = "it is above the 40-bit reach of PSE-36 (the amd64 build can map it)";
		return false;
	}
	return choose_window(pg, b, phys, length, virt, why);
}

static bool check_range(const struct paging *pg, uint64_t virt, uint64_t phys, uint64_t length,
			const char **why)
{
	uint64_t page = paging_large_page(pg);
	if (length == 0 || length > PAGING_MAX_FRAMEBUFFER) {
		*why = "its size is 0 or above 1 GiB";
		return false;
	}
	if ((virt ^ phys) & (page - 1)) {
		*why = "virtual and physical addresses differ within a large page";
		return false;
	}
	if (phys + length > physical_limit(pg) || phys + length < phys) {
		*why = pg->format == PAGING_32BIT_PSE && phys + length > LOW_4G && !pg->pse36
			       ? "it is above 4 GiB and this CPU has no PSE-36"
			       : "it is beyond the CPU's physical address width (CPUID 0x80000008)";
		return false;
	}
	uint64_t virt_limit = pg->format == PAGING_4LEVEL ? CANONICAL_LOW_HALF : LOW_4G;
	if (virt + length > virt_limit) {
		*why = pg->format == PAGING_4LEVEL ? "it is above 128 TiB, beyond 4-level paging's identity map"
						   : "the window does not fit below 4 GiB";
		return false;
	}
	return true;
}

/* The table an entry points to, taking a spare one when the entry is empty. */
static uint64_t *next_table(struct paging *pg, uint64_t *entry, const char **why)
{
	if (*entry & PTE_PRESENT) {
		if (*entry & PTE_LARGE) {
			*why = "a 1 GiB page already maps that region";
			return 0;
		}
		return (uint64_t *)(uintptr_t)(*entry & ADDR_MASK_4LEVEL);
	}
	if (pg->spares_used == pg->spares) {
		*why = "out of spare page tables (entry.S reserves a few)";
		return 0;
	}
	uint8_t *t = pg->spare[pg->spares_used++];
	memset(t, 0, PAGING_TABLE_SIZE);
	*entry = (uint64_t)(uintptr_t)t | PTE_PRESENT | PTE_WRITABLE;
	return (uint64_t *)t;
}

static bool map_4level(struct paging *pg, uint64_t virt, uint64_t phys, uint32_t flags,
		       const char **why)
{
	uint64_t *pml4 = pg->root;
	uint64_t *pdpt = next_table(pg, &pml4[(virt >> 39) & 511], why);
	uint64_t *pd = pdpt ? next_table(pg, &pdpt[(virt >> 30) & 511], why) : 0;
	if (!pd)
		return false;
	pd[(virt >> 21) & 511] = phys | PTE_PRESENT | PTE_WRITABLE | PTE_LARGE | flags;
	return true;
}

static void map_32bit(struct paging *pg, uint64_t virt, uint64_t phys, uint32_t flags)
{
	uint32_t *pd = pg->root;
	uint32_t high = (uint32_t)(phys >> 32) & 0xff;
	pd[virt >> 22] = ((uint32_t)phys & 0xffc00000u) | high << PDE_4M_HIGH_SHIFT | PTE_PRESENT |
			 PTE_WRITABLE | PTE_LARGE | flags;
}

bool paging_map(struct paging *pg, uint64_t virt, uint64_t phys, uint64_t length,
		uint32_t extra_flags, const char **why)
{
	if (!check_range(pg, virt, phys, length, why))
		return false;
	uint64_t page = paging_large_page(pg);
	uint64_t end = round_up(phys + length, page);
	virt &= ~(page - 1);
	for (uint64_t p = phys & ~(page - 1); p < end; p += page, virt += page) {
		if (pg->format == PAGING_32BIT_PSE)
			map_32bit(pg, virt, p, extra_flags);
		else if (!map_4level(pg, virt, p, extra_flags, why))
			return false;
	}
	return true;
}
