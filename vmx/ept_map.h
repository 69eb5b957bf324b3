/*
 * The identity-map EPT as data: entry values, memory types, the EPT pointer and the
 * capability checks, as pure functions over plain memory and capability words, so the
 * host unit tests (tests/test_ept.c) can check them. vmx/ept.c puts them to use.
 */
#ifndef VMX_EPT_MAP_H
#define VMX_EPT_MAP_H

#include <stdbool.h>
#include <stdint.h>

/* EPT paging-structure entries (SDM 28.2.2, Tables 28-1 to 28-6). */
#define EPT_READ          (1u << 0)
#define EPT_WRITE         (1u << 1)
#define EPT_EXECUTE       (1u << 2)
#define EPT_RWX           (EPT_READ | EPT_WRITE | EPT_EXECUTE)
#define EPT_MEMORY_TYPE_SHIFT 3
#define EPT_LARGE_PAGE    (1u << 7)     /* a PDE that maps a 2-MByte page */
/* Memory types (SDM 28.2.6; 2, 3 and 7 are reserved: an EPT misconfiguration). */
#define EPT_MEMORY_UC     0u
#define EPT_MEMORY_WB     6u

/* IA32_VMX_EPT_VPID_CAP (SDM Appendix A.10). */
#define EPT_CAP_WALK_LENGTH_4   (1ull << 6)
#define EPT_CAP_MEMORY_UC       (1ull << 8)
#define EPT_CAP_MEMORY_WB       (1ull << 14)
#define EPT_CAP_2MB_PAGES       (1ull << 16)
#define EPT_CAP_INVEPT          (1ull << 20)
#define EPT_CAP_INVEPT_SINGLE   (1ull << 25)
#define EPT_CAP_INVEPT_ALL      (1ull << 26)

/* INVEPT types (SDM 30.3, INVEPT). */
#define INVEPT_SINGLE_CONTEXT 1u
#define INVEPT_ALL_CONTEXT    2u

#define EPT_ENTRIES 512
#define EPT_PAGE_4K (1ull << 12)
#define EPT_PAGE_2M (1ull << 21)
#define EPT_PAGE_1G (1ull << 30)
/* The guest-physical range mapped, [0, 4 GiB): all that the shared page tables can
 * produce (amd64 maps the low 4 GiB, i386 the whole 32-bit space). */
#define EPT_MAPPED_GIGABYTES 4

/* Whether [base, base + length) is ordinary RAM (a multiboot "available" range). */
typedef bool (*ept_ram_test)(uint64_t base, uint64_t length);

/*
 * The tables: one PML4, one PDPT, four PDs of 2-MByte leaves, and one PT that maps, in
 * 4-KByte pages, the 2-MByte region holding the frame page, so that page alone can be
 * revoked. Each table fills one page; the tables' addresses are their physical ones.
 */
struct ept_tables {
	uint64_t pml4[EPT_ENTRIES];
	uint64_t pdpt[EPT_ENTRIES];
	uint64_t pd[EPT_MAPPED_GIGABYTES][EPT_ENTRIES];
	uint64_t pt[EPT_ENTRIES];
} __attribute__((aligned(4096)));

/* An entry that references the next table: read, write, execute. */
uint64_t ept_table_entry(uint64_t table_physical);
/* A leaf mapping [base, base + size) identity, read/write/execute, with the memory type
 * RAM wants (WB) or, for anything else (MMIO, firmware, holes), UC: with EPT the leaf's
 * type stands in for the MTRRs for the guest's accesses (SDM 28.2.6). */
uint64_t ept_leaf_entry(uint64_t base, uint64_t size, ept_ram_test is_ram);
/* Fills the tables for the identity map of [0, 4 GiB); frame_page is 4 KiB-aligned. */
void ept_build(struct ept_tables *t, uint64_t frame_page, ept_ram_test is_ram);
/* Where the frame page's PTE is in t->pt, and what it holds when mapped. */
unsigned ept_frame_index(uint64_t frame_page);

/* EPTP (SDM 24.6.11, Table 24-8): the PML4's address, walk length 4 (bits 5:3 = 3),
 * the paging-structure memory type WB if the CPU allows it, else UC; no accessed and
 * dirty flags (bit 6 = 0), so guest page walks are plain reads. */
uint64_t ept_pointer(uint64_t pml4_physical, uint64_t ept_vpid_cap);
/* The INVEPT type to use: single-context if supported, else all-context; 0 if neither. */
unsigned ept_invept_type(uint64_t ept_vpid_cap);

/* After an EPT violation: whether the VMM must set blocking by NMI again before resuming
 * the guest (SDM 31.7.1.2): the qualification's bit 12 says an IRET had unblocked NMIs
 * (27.2.1), and the IDT-vectoring information is invalid (bit 12 is undefined when the
 * exit happened during event delivery). */
bool ept_violation_needs_reblock(uint64_t qualification, uint32_t idt_vectoring_info);

/* Of what the identity map and its revocation need, the first capability this CPU lacks,
 * named with its MSR bit (a SKIP reason); 0 when all are there. proc, proc2: the primary
 * and secondary processor-based capability MSRs (allowed-1 in bits 63:32). */
const char *ept_missing_capability(uint64_t proc, uint64_t proc2, uint64_t ept_vpid_cap);

#endif
