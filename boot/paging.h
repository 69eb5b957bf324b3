/*
 * Page-table edits after boot/<arch>/entry.S: mapping the framebuffer wherever the
 * firmware put it. UEFI laptops with Intel graphics put it above 4 GiB (Linux logs
 * "efifb: framebuffer at 0x4000000000"), beyond entry.S's identity map of the low 4 GiB.
 *
 * amd64 (4-level paging, 2 MiB pages) maps it at its own address with page directories
 * (and, past 512 GiB, page-directory-pointer tables) from a small pool entry.S reserves.
 * i386 (32-bit paging, 4 MiB pages) cannot address it, so it is mapped through a window:
 * PSE-36 page-directory entries (SDM Vol. 3A 4.3, Table 4-4: physical bits 39:32 in PDE
 * bits 20:13) in a stretch of the low 4 GiB that the memory map leaves unused.
 *
 * Pure logic over tables in memory: the host unit tests (tests/test_paging.c) run it on
 * tables of their own with made-up framebuffer tags above 4 GiB.
 */
#ifndef BOOT_PAGING_H
#define BOOT_PAGING_H

#include <stdbool.h>
#include <stdint.h>

#include "boot/bootinfo.h"

#define PTE_PRESENT  (1u << 0)
#define PTE_WRITABLE (1u << 1)
#define PTE_PWT      (1u << 3)  /* with PCD = 0 and PAT = 0: PAT entry 1 (write-combining, see below) */
#define PTE_PCD      (1u << 4)
#define PTE_LARGE    (1u << 7)
#define PAGING_TABLE_SIZE 4096
/* Framebuffers are tens of MiB; a bigger one is not what the loader meant. */
#define PAGING_MAX_FRAMEBUFFER (1ull << 30)
/* The window search stays below the IOAPIC, LAPIC and firmware flash (0xfec00000 up). */
#define PAGING_WINDOW_TOP 0xfec00000ull

enum paging_format {
	PAGING_4LEVEL,     /* amd64: PML4 -> PDPT -> PD with 2 MiB pages; entries 8 bytes */
	PAGING_32BIT_PSE,  /* i386: one page directory of 4 MiB pages; entries 4 bytes */
};

struct paging {
	enum paging_format format;
	void *root;                 /* the PML4, or the page directory */
	uint8_t (*spare)[PAGING_TABLE_SIZE];  /* 4-level: zeroed page-aligned tables to use */
	unsigned spares, spares_used;
	unsigned phys_bits;         /* MAXPHYADDR (CPUID 0x80000008 EAX[7:0]) */
	bool pse36;                 /* CPUID.1:EDX[17] */
};

/* 2 MiB or 4 MiB. */
uint64_t paging_large_page(const struct paging *pg);

/*
 * Where [phys, phys + length) can be mapped: *virt = phys when the format reaches it
 * (below 4 GiB, or below 2^47 on amd64); on i386 above 4 GiB, in the highest unused
 * window below PAGING_WINDOW_TOP (no memory-map entry of any type overlaps it). Returns
 * false with a reason when there is no way.
 */
bool paging_place(const struct paging *pg, const struct boot_info *b, uint64_t phys,
		  uint64_t length, uint64_t *virt, const char **why);

/*
 * Maps [phys, phys + length) at virt (virt and phys congruent modulo the large-page
 * size) with present, writable large pages plus extra_flags (PTE_PWT for
 * write-combining), replacing what was mapped there. The caller flushes the TLB.
 */
bool paging_map(struct paging *pg, uint64_t virt, uint64_t phys, uint64_t length,
		uint32_t extra_flags, const char **why);

#endif
