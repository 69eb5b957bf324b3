/* The identity-map EPT as data (vmx/ept_map.c): entries, memory types, the EPTP, the
 * INVEPT type and the capability checks, with made-up memory maps and capability words. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit.h"
#include "vmx/ept_map.h"

/* RAM from 1 MiB to 3 GiB, and the 4 KiB page at 0x9f000 below it; the rest MMIO. */
static bool made_up_ram(uint64_t base, uint64_t length)
{
	bool in_main = base >= 0x100000 && base + length <= 0xc0000000ull;
	bool in_low = base == 0x9f000 && length == 0x1000;
	return in_main || in_low;
}

static unsigned memory_type(uint64_t entry)
{
	return (unsigned)(entry >> EPT_MEMORY_TYPE_SHIFT) & 7;
}

static void test_entries(void)
{
	uint64_t leaf = ept_leaf_entry(0x200000, EPT_PAGE_2M, made_up_ram);
	CHECK_INT_EQ(leaf, 0x200000 | EPT_RWX | EPT_MEMORY_WB << 3 | EPT_LARGE_PAGE);
	/* The first 2 MiB is not all RAM; the LAPIC's region is MMIO: both UC. */
	CHECK_INT_EQ(memory_type(ept_leaf_entry(0, EPT_PAGE_2M, made_up_ram)), EPT_MEMORY_UC);
	CHECK_INT_EQ(memory_type(ept_leaf_entry(0xfee00000, EPT_PAGE_2M, made_up_ram)), EPT_MEMORY_UC);
	uint64_t page = ept_leaf_entry(0x9f000, EPT_PAGE_4K, made_up_ram);
	CHECK_INT_EQ(page, 0x9f000 | EPT_RWX | EPT_MEMORY_WB << 3); /* no large-page bit in a PTE */
	CHECK_INT_EQ(ept_table_entry(0x12345000), 0x12345000 | EPT_RWX);
	CHECK_INT_EQ(ept_frame_index(0x3ff000), 511);
	CHECK_INT_EQ(ept_frame_index(0x400000), 0);
}

/* Every entry present, RWX, with a memory type that is not reserved (2, 3, 7: an EPT
 * misconfiguration, SDM 28.2.3.1), and the whole of [0, 4 GiB) mapped identity. */
static uint64_t translate(const struct ept_tables *t, uint64_t gpa)
{
	uint64_t pml4e = t->pml4[gpa >> 39 & 511], pdpte = t->pdpt[gpa >> 30 & 511];
	if ((pml4e & 7) != EPT_RWX || (pdpte & 7) != EPT_RWX || (pdpte & EPT_LARGE_PAGE))
		return ~0ull;
	const uint64_t *pd = (const uint64_t *)(uintptr_t)(pdpte & ~0xfffull);
	uint64_t pde = pd[gpa >> 21 & 511];
	if ((pde & 7) != EPT_RWX)
		return ~0ull;
	if (pde & EPT_LARGE_PAGE)
		return (pde & ~(EPT_PAGE_2M - 1) & 0x000fffffffffffffull) | (gpa & (EPT_PAGE_2M - 1));
	const uint64_t *pt = (const uint64_t *)(uintptr_t)(pde & ~0xfffull);
	uint64_t pte = pt[gpa >> 12 & 511];
	unsigned type = memory_type(pte);
	if ((pte & 7) != EPT_RWX || type == 2 || type == 3 || type == 7)
		return ~0ull;
	return (pte & ~0xfffull & 0x000fffffffffffffull) | (gpa & 0xfff);
}

static void test_build(void)
{
	struct ept_tables *t = aligned_alloc(4096, sizeof(*t));
	CHECK(t != NULL);
	if (!t)
		return;
	uint64_t frame = 0x5ff000; /* the last page of the 2 MiB region at 4 MiB */
	ept_build(t, frame, made_up_ram);
	for (uint64_t gpa = 0; gpa < 4ull << 30; gpa += 0x7f123)
		if (translate(t, gpa) != gpa)
			CHECK_INT_EQ(translate(t, gpa), gpa);
	CHECK_INT_EQ(translate(t, 0xffffffff), 0xffffffff);
	CHECK_INT_EQ(t->pml4[1], 0);                    /* nothing above 512 GiB */
	CHECK_INT_EQ(t->pdpt[4], 0);                    /* nor above 4 GiB */
	/* The frame's region goes through the PT, the regions around it are 2 MiB leaves. */
	CHECK_INT_EQ(t->pd[0][2], ept_table_entry((uintptr_t)t->pt));
	CHECK(t->pd[0][1] & EPT_LARGE_PAGE);
	CHECK(t->pd[0][3] & EPT_LARGE_PAGE);
	CHECK_INT_EQ(t->pt[ept_frame_index(frame)], frame | EPT_RWX | EPT_MEMORY_WB << 3);
	/* Revoking the one PTE makes exactly the frame page unmapped. */
	t->pt[ept_frame_index(frame)] = 0;
	CHECK_INT_EQ(translate(t, frame + 0xf00), ~0ull);
	CHECK_INT_EQ(translate(t, frame - 0x1000), frame - 0x1000);
	CHECK_INT_EQ(translate(t, frame + 0x1000), frame + 0x1000);
	free(t);
}

/* IA32_VMX_EPT_VPID_CAP as Bochs 2.7's corei7_skylake_x reports it (the banner's
 * "EPT/VPID" value): bits 0, 6, 8, 14, 16, 17, 20, 21, 25, 26, and INVVPID above. */
#define BOCHS_EPT_CAP 0xf0106334141ull
#define PROC_WITH_SECONDARY (1ull << 63)
#define PROC2_WITH_EPT (1ull << 33)

static void test_pointer_and_invept(void)
{
	CHECK_INT_EQ(ept_pointer(0x123000, BOCHS_EPT_CAP), 0x123000 | 3 << 3 | EPT_MEMORY_WB);
	CHECK_INT_EQ(ept_pointer(0x123000, EPT_CAP_MEMORY_UC), 0x123000 | 3 << 3 | EPT_MEMORY_UC);
	CHECK_INT_EQ(ept_invept_type(BOCHS_EPT_CAP), INVEPT_SINGLE_CONTEXT);
	CHECK_INT_EQ(ept_invept_type(EPT_CAP_INVEPT | EPT_CAP_INVEPT_ALL), INVEPT_ALL_CONTEXT);
	CHECK_INT_EQ(ept_invept_type(EPT_CAP_INVEPT), 0);
}

static void test_capabilities(void)
{
	CHECK(ept_missing_capability(PROC_WITH_SECONDARY, PROC2_WITH_EPT, BOCHS_EPT_CAP) == NULL);
	const char *why = ept_missing_capability(0, 0, 0);
	CHECK(why && strstr(why, "IA32_VMX_PROCBASED_CTLS bit 63"));
	why = ept_missing_capability(PROC_WITH_SECONDARY, 0, 0);
	CHECK(why && strstr(why, "IA32_VMX_PROCBASED_CTLS2 bit 33"));
	/* Each capability the map needs, taken away in turn, is the one named. */
	static const struct { uint64_t cleared; const char *named; } each[] = {
		{ EPT_CAP_WALK_LENGTH_4, "bit 6" },
		{ EPT_CAP_MEMORY_WB | EPT_CAP_MEMORY_UC, "bits 8 and 14" },
		{ EPT_CAP_2MB_PAGES, "bit 16" },
		{ EPT_CAP_INVEPT, "bit 20" },
		{ EPT_CAP_INVEPT_SINGLE | EPT_CAP_INVEPT_ALL, "bits 25 and 26" },
	};
	for (unsigned i = 0; i < sizeof(each) / sizeof(each[0]); i++) {
		why = ept_missing_capability(PROC_WITH_SECONDARY, PROC2_WITH_EPT, BOCHS_EPT_CAP & ~each[i].cleared);
		CHECK(why && strstr(why, each[i].named));
	}
	/* One memory type is enough. */
	CHECK(ept_missing_capability(PROC_WITH_SECONDARY, PROC2_WITH_EPT, BOCHS_EPT_CAP & ~EPT_CAP_MEMORY_WB) == NULL);
}

static void test_reblock(void)
{
	CHECK(ept_violation_needs_reblock(0x1181, 0));
	CHECK(!ept_violation_needs_reblock(0x181, 0));
	/* During event delivery bit 12 is undefined: never acted on. */
	CHECK(!ept_violation_needs_reblock(0x1181, 0x80000202));
	CHECK(ept_violation_needs_reblock(0x1181, 0x00000202)); /* the valid bit is what counts */
}

void test_ept(void)
{
	test_entries();
	test_build();
	test_pointer_and_invept();
	test_capabilities();
	test_reblock();
}
