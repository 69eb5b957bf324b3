#include "vmx/ept_map.h"

#include "machine/vmx_arch.h"

#define EPT_ADDRESS_MASK 0x000ffffffffff000ull

uint64_t ept_table_entry(uint64_t table_physical)
{
	/* Non-leaf entries: bits 7:3 reserved (0), bit 7 = 0 (SDM 28.2.2, Tables 28-1/3/5). */
	return (table_physical & EPT_ADDRESS_MASK) | EPT_RWX;
}

uint64_t ept_leaf_entry(uint64_t base, uint64_t size, ept_ram_test is_ram)
{
	uint64_t type = is_ram(base, size) ? EPT_MEMORY_WB : EPT_MEMORY_UC;
	/* Ignore-PAT (bit 6) = 0: the guest's PAT combines with the type as it would with
	 * the MTRRs' (SDM 28.2.6.2). */
	uint64_t entry = (base & EPT_ADDRESS_MASK) | EPT_RWX | type << EPT_MEMORY_TYPE_SHIFT;
	return size == EPT_PAGE_2M ? entry | EPT_LARGE_PAGE : entry;
}

unsigned ept_frame_index(uint64_t frame_page)
{
	return (unsigned)((frame_page / EPT_PAGE_4K) % EPT_ENTRIES);
}

static void fill_pd(uint64_t *pd, uint64_t gigabyte_base, const struct ept_tables *t, uint64_t frame_region,
		    ept_ram_test is_ram)
{
	for (unsigned i = 0; i < EPT_ENTRIES; i++) {
		uint64_t base = gigabyte_base + i * EPT_PAGE_2M;
		pd[i] = base == frame_region ? ept_table_entry((uintptr_t)t->pt) : ept_leaf_entry(base, EPT_PAGE_2M, is_ram);
	}
}

void ept_build(struct ept_tables *t, uint64_t frame_page, ept_ram_test is_ram)
{
	uint64_t frame_region = frame_page & ~(EPT_PAGE_2M - 1);
	for (unsigned i = 0; i < EPT_ENTRIES; i++) {
		t->pml4[i] = 0;
		t->pdpt[i] = 0;
		t->pt[i] = ept_leaf_entry(frame_region + i * EPT_PAGE_4K, EPT_PAGE_4K, is_ram);
	}
	t->pml4[0] = ept_table_entry((uintptr_t)t->pdpt);
	for (unsigned g = 0; g < EPT_MAPPED_GIGABYTES; g++) {
		t->pdpt[g] = ept_table_entry((uintptr_t)t->pd[g]);
		fill_pd(t->pd[g], g * EPT_PAGE_1G, t, frame_region, is_ram);
	}
}

uint64_t ept_pointer(uint64_t pml4_physical, uint64_t ept_vpid_cap)
{
	uint64_t type = (ept_vpid_cap & EPT_CAP_MEMORY_WB) ? EPT_MEMORY_WB : EPT_MEMORY_UC;
	return (pml4_physical & EPT_ADDRESS_MASK) | (4 - 1) << 3 | type;
}

unsigned ept_invept_type(uint64_t ept_vpid_cap)
{
	if (ept_vpid_cap & EPT_CAP_INVEPT_SINGLE)
		return INVEPT_SINGLE_CONTEXT;
	return (ept_vpid_cap & EPT_CAP_INVEPT_ALL) ? INVEPT_ALL_CONTEXT : 0;
}

bool ept_violation_needs_reblock(uint64_t qualification, uint32_t idt_vectoring_info)
{
	return (qualification & EPT_QUAL_NMI_UNBLOCKED_BY_IRET) && !(idt_vectoring_info & INTR_INFO_VALID);
}

/* Allowed-1 settings are bits 63:32 of a control capability MSR (Appendix A.3). */
static bool may_be_one(uint64_t cap, uint32_t bit)
{
	return (cap >> 32) & bit;
}

const char *ept_missing_capability(uint64_t proc, uint64_t proc2, uint64_t ept_vpid_cap)
{
	if (!may_be_one(proc, PROC_ACTIVATE_SECONDARY))
		return "this CPU lacks secondary processor-based controls (IA32_VMX_PROCBASED_CTLS bit 63)";
	if (!may_be_one(proc2, PROC2_ENABLE_EPT))
		return "this CPU lacks EPT (IA32_VMX_PROCBASED_CTLS2 bit 33)";
	if (!(ept_vpid_cap & EPT_CAP_WALK_LENGTH_4))
		return "this CPU lacks a 4-level EPT page walk (IA32_VMX_EPT_VPID_CAP bit 6)";
	if (!(ept_vpid_cap & (EPT_CAP_MEMORY_WB | EPT_CAP_MEMORY_UC)))
		return "this CPU allows no usable EPT paging-structure memory type (IA32_VMX_EPT_VPID_CAP bits 8 and 14)";
	if (!(ept_vpid_cap & EPT_CAP_2MB_PAGES))
		return "this CPU lacks 2-MByte EPT pages (IA32_VMX_EPT_VPID_CAP bit 16)";
	if (!(ept_vpid_cap & EPT_CAP_INVEPT))
		return "this CPU lacks INVEPT (IA32_VMX_EPT_VPID_CAP bit 20)";
	if (!ept_invept_type(ept_vpid_cap))
		return "this CPU lacks a single- or all-context INVEPT type (IA32_VMX_EPT_VPID_CAP bits 25 and 26)";
	return 0;
}
