#include "boot/acpi.h"

#include "lib/string.h"
#include "machine/x86.h"

struct rsdp {
	char signature[8];
	uint8_t checksum;
	char oem_id[6];
	uint8_t revision;
	uint32_t rsdt;
	/* ACPI 2.0+ */
	uint32_t length;
	uint64_t xsdt;
	uint8_t extended_checksum;
	uint8_t reserved[3];
} __attribute__((packed));

struct sdt_header {
	char signature[4];
	uint32_t length;
	uint8_t revision, checksum;
	char oem_id[6], oem_table_id[8];
	uint32_t oem_revision, creator_id, creator_revision;
} __attribute__((packed));

#define MADT_LOCAL_APIC 0
#define MADT_LOCAL_X2APIC 9
#define MADT_ENABLED (1u << 0)
#define MADT_ONLINE_CAPABLE (1u << 1)
#define MADT_ENTRIES_OFFSET (sizeof(struct sdt_header) + 8)

static bool checksum_ok(const void *p, uint32_t len)
{
	uint8_t sum = 0;
	for (uint32_t i = 0; i < len; i++)
		sum += ((const uint8_t *)p)[i];
	return sum == 0;
}

static const struct rsdp *scan_for_rsdp(uintptr_t start, uintptr_t end)
{
	for (uintptr_t p = start; p + sizeof(struct rsdp) <= end; p += 16) {
		const struct rsdp *r = (const struct rsdp *)p;
		if (!memcmp(r->signature, "RSD PTR ", 8) && checksum_ok(r, 20))
			return r;
	}
	return 0;
}

/* ACPI spec 5.2.5.1: the first KiB of the EBDA, then 0xE0000-0xFFFFF. */
static const struct rsdp *find_rsdp_in_bios_areas(void)
{
	uintptr_t ebda = (uintptr_t)*(const volatile uint16_t *)low_memory(0x40e) << 4;
	const struct rsdp *r = 0;
	if (ebda >= 0x80000 && ebda < 0xa0000)
		r = scan_for_rsdp(ebda, ebda + 1024);
	return r ? r : scan_for_rsdp(0xe0000, 0x100000);
}

/* Tables above 4 GiB are out of reach of the i386 build's mapping and of ours. */
static const struct sdt_header *table_at(uint64_t addr)
{
	if (!addr || addr >= 0xffffffffull)
		return 0;
	const struct sdt_header *h = (const struct sdt_header *)(uintptr_t)addr;
	return checksum_ok(h, h->length) ? h : 0;
}

static const struct sdt_header *find_madt(const struct rsdp *r)
{
	const struct sdt_header *root = 0;
	unsigned width = 4;
	if (r->revision >= 2 && r->xsdt && (root = table_at(r->xsdt)))
		width = 8;
	else
		root = table_at(r->rsdt);
	if (!root)
		return 0;
	unsigned n = (root->length - sizeof(*root)) / width;
	const uint8_t *entries = (const uint8_t *)(root + 1);
	for (unsigned i = 0; i < n; i++) {
		uint64_t addr = width == 8 ? *(const uint64_t *)(entries + 8 * i)
					   : *(const uint32_t *)(entries + 4 * i);
		const struct sdt_header *t = table_at(addr);
		if (t && !memcmp(t->signature, "APIC", 4))
			return t;
	}
	return 0;
}

static void add_cpu(struct acpi_cpus *out, uint32_t apic_id, uint32_t flags)
{
	if (!(flags & (MADT_ENABLED | MADT_ONLINE_CAPABLE)) || out->count >= ACPI_MAX_CPUS)
		return;
	for (unsigned i = 0; i < out->count; i++)
		if (out->apic_ids[i] == apic_id)
			return; /* firmware may list a CPU as both LAPIC and x2APIC */
	out->apic_ids[out->count++] = apic_id;
}

static void parse_madt(const struct sdt_header *madt, struct acpi_cpus *out)
{
	const uint8_t *p = (const uint8_t *)madt + MADT_ENTRIES_OFFSET;
	const uint8_t *end = (const uint8_t *)madt + madt->length;
	while (p + 2 <= end && p[1] >= 2) {
		if (p[0] == MADT_LOCAL_APIC && p[1] >= 8)
			add_cpu(out, p[3], *(const uint32_t *)(p + 4));
		else if (p[0] == MADT_LOCAL_X2APIC && p[1] >= 16)
			add_cpu(out, *(const uint32_t *)(p + 4), *(const uint32_t *)(p + 8));
		p += p[1];
	}
}

bool acpi_find_cpus(const void *rsdp_hint, struct acpi_cpus *out, const char **why)
{
	memset(out, 0, sizeof(*out));
	const struct rsdp *r = rsdp_hint;
	out->rsdp_source = "multiboot2 tag";
	if (!r || memcmp(r->signature, "RSD PTR ", 8)) {
		r = find_rsdp_in_bios_areas();
		out->rsdp_source = "BIOS area scan";
	}
	if (!r) {
		*why = "no ACPI RSDP (no multiboot2 ACPI tag, none in the BIOS areas)";
		return false;
	}
	memcpy(out->oem_id, r->oem_id, 6);
	const struct sdt_header *madt = find_madt(r);
	if (!madt) {
		*why = "ACPI has no readable MADT (APIC table)";
		return false;
	}
	parse_madt(madt, out);
	return true;
}
