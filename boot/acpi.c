#include "boot/acpi.h"

#include "lib/printf.h"
#include "lib/string.h"
#include "machine/x86.h"

#define RSDP_V1_LENGTH 20
#define RSDP_V2_LENGTH 36
#define SDT_HEADER_LENGTH 36
#define MADT_ENTRIES_OFFSET (SDT_HEADER_LENGTH + 8)  /* LAPIC address, flags */

#define MADT_LOCAL_APIC 0
#define MADT_LOCAL_X2APIC 9
#define MADT_ENABLED (1u << 0)
#define MADT_ONLINE_CAPABLE (1u << 1)   /* ACPI 6.3: may be enabled later (hot-add) */

/* FADT field offsets (ACPI 6.5, 5.2.9). */
#define FADT_PM_TMR_BLK 76
#define FADT_PM_TMR_LEN 91
#define FADT_FLAGS 112
#define FADT_X_PM_TMR_BLK 208
#define FADT_FLAG_TMR_VAL_EXT (1u << 8)
#define FADT_FLAG_HW_REDUCED (1u << 20)

/* SPCR field offsets (Microsoft's "Serial Port Console Redirection Table"). */
#define SPCR_INTERFACE_TYPE 36
#define SPCR_BASE_ADDRESS 40   /* a 12-byte Generic Address Structure */
#define SPCR_BAUD_RATE 58
#define SPCR_MIN_LENGTH 80

/* Byte-wise reads: ACPI fields are often misaligned (XSDT entries are 8 bytes at offset 36). */
static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const uint8_t *p) { return (uint32_t)le16(p) | (uint32_t)le16(p + 2) << 16; }
static uint64_t le64(const uint8_t *p) { return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32; }

static bool checksum_ok(const uint8_t *p, uint32_t len)
{
	uint8_t sum = 0;
	for (uint32_t i = 0; i < len; i++)
		sum += p[i];
	return sum == 0;
}

static void note_problem(struct acpi_info *out, uint64_t addr, const char *sig, const char *what)
{
	out->bad_tables++;
	if (!out->problem[0])
		snprintf(out->problem, sizeof(out->problem), "skipped the %.4s table at %#llx: %s", sig,
			 (unsigned long long)addr, what);
}

/*
 * The table at addr if its signature is `sig` and it passes the checks, else 0. Only the
 * header is read before the signature matches; only then is its length believed (and
 * bounded) and the whole table mapped and checksummed.
 */
static const uint8_t *table_at(const struct acpi_memory *mem, uint64_t addr, const char *sig,
			       struct acpi_info *out)
{
	const uint8_t *h = addr ? mem->map(addr, SDT_HEADER_LENGTH) : 0;
	if (!h || memcmp(h, sig, 4))
		return 0;
	uint32_t len = le32(h + 4);
	if (len < SDT_HEADER_LENGTH || len > ACPI_MAX_TABLE_LENGTH) {
		note_problem(out, addr, sig, "its length is not sane");
		return 0;
	}
	const uint8_t *t = mem->map(addr, len);
	if (!t) {
		note_problem(out, addr, sig, "it is out of reach");
		return 0;
	}
	if (!checksum_ok(t, len)) {
		note_problem(out, addr, sig, "bad checksum");
		return 0;
	}
	return t;
}

static bool rsdp_ok(const uint8_t *r, unsigned len)
{
	return len >= RSDP_V1_LENGTH && !memcmp(r, "RSD PTR ", 8) && checksum_ok(r, RSDP_V1_LENGTH);
}

static const uint8_t *scan_for_rsdp(const struct acpi_memory *mem, uint64_t start, uint64_t length)
{
	const uint8_t *area = mem->map(start, length);
	for (uint64_t off = 0; area && off + RSDP_V2_LENGTH <= length; off += 16)
		if (rsdp_ok(area + off, RSDP_V1_LENGTH))
			return area + off;
	return 0;
}

/* ACPI spec 5.2.5.1: the first KiB of the EBDA, then 0xE0000-0xFFFFF. */
static const uint8_t *find_rsdp_in_bios_areas(const struct acpi_memory *mem)
{
	const uint8_t *ebda_pointer = mem->map(0x40e, 2);
	uint64_t ebda = ebda_pointer ? (uint64_t)le16(ebda_pointer) << 4 : 0;
	const uint8_t *r = 0;
	if (ebda >= 0x80000 && ebda < 0xa0000)
		r = scan_for_rsdp(mem, ebda, 1024);
	return r ? r : scan_for_rsdp(mem, 0xe0000, 0x20000);
}

static void add_cpu(struct acpi_info *out, uint32_t apic_id, uint32_t flags, uint32_t invalid_id)
{
	if (apic_id == invalid_id) {
		out->invalid_ids++;
		return;
	}
	if (!(flags & MADT_ENABLED)) {
		if (flags & MADT_ONLINE_CAPABLE)
			out->online_capable++;
		else
			out->disabled++;
		return;
	}
	unsigned kept = out->count < ACPI_MAX_CPUS ? out->count : ACPI_MAX_CPUS;
	for (unsigned i = 0; i < kept; i++)
		if (out->apic_ids[i] == apic_id)
			return; /* firmware may list a CPU as both LAPIC and x2APIC */
	if (out->count < ACPI_MAX_CPUS)
		out->apic_ids[out->count] = apic_id;
	out->count++;
}

static void parse_madt(const uint8_t *madt, struct acpi_info *out)
{
	uint32_t len = le32(madt + 4);
	for (uint32_t off = MADT_ENTRIES_OFFSET; off + 2 <= len;) {
		const uint8_t *e = madt + off;
		uint8_t type = e[0], elen = e[1];
		if (elen < 2 || off + elen > len)
			break; /* malformed: the rest cannot be walked */
		if (type == MADT_LOCAL_APIC && elen >= 8)
			add_cpu(out, e[3], le32(e + 4), 0xff);
		else if (type == MADT_LOCAL_X2APIC && elen >= 16)
			add_cpu(out, le32(e + 4), le32(e + 8), 0xffffffffu);
		off += elen;
	}
}

/* The PM timer's port: X_PM_TMR_BLK (ACPI 2.0+) when it names I/O space, else PM_TMR_BLK. */
static void parse_fadt(const uint8_t *fadt, struct acpi_info *out)
{
	uint32_t len = le32(fadt + 4);
	if (len < FADT_FLAGS + 4)
		return;
	uint32_t flags = le32(fadt + FADT_FLAGS);
	if (flags & FADT_FLAG_HW_REDUCED)
		return; /* hardware-reduced ACPI has no PM timer */
	uint64_t port = le32(fadt + FADT_PM_TMR_BLK);
	if (fadt[FADT_PM_TMR_LEN] != 4)
		port = 0;
	if (len >= FADT_X_PM_TMR_BLK + 12 && fadt[FADT_X_PM_TMR_BLK] == ACPI_SPACE_IO &&
	    le64(fadt + FADT_X_PM_TMR_BLK + 4))
		port = le64(fadt + FADT_X_PM_TMR_BLK + 4);
	if (port && port <= 0xfffc) {
		out->pm_timer_port = (uint16_t)port;
		out->pm_timer_32bit = (flags & FADT_FLAG_TMR_VAL_EXT) != 0;
	}
}

static uint32_t spcr_baud(uint8_t code)
{
	switch (code) {
	case 3: return 9600;
	case 4: return 19200;
	case 6: return 57600;
	case 7: return 115200;
	default: return 0; /* 0: as is; other codes are not defined */
	}
}

static void parse_spcr(const uint8_t *spcr, struct acpi_info *out)
{
	if (le32(spcr + 4) < SPCR_MIN_LENGTH)
		return;
	struct acpi_serial *s = &out->spcr;
	s->present = true;
	s->interface_type = spcr[SPCR_INTERFACE_TYPE];
	s->address_space = spcr[SPCR_BASE_ADDRESS];
	s->address = le64(spcr + SPCR_BASE_ADDRESS + 4);
	s->baud = spcr_baud(spcr[SPCR_BAUD_RATE]);
}

/* The root table's entries: 8 bytes wide in the XSDT, 4 in the RSDT. */
static void walk_root(const struct acpi_memory *mem, const uint8_t *root, unsigned width,
		      struct acpi_info *out)
{
	uint32_t n = (le32(root + 4) - SDT_HEADER_LENGTH) / width;
	const uint8_t *entries = root + SDT_HEADER_LENGTH;
	const uint8_t *t;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t addr = width == 8 ? le64(entries + 8 * i) : le32(entries + 4 * i);
		if (!out->has_madt && (t = table_at(mem, addr, "APIC", out))) {
			out->has_madt = true;
			parse_madt(t, out);
		} else if (!out->pm_timer_port && (t = table_at(mem, addr, "FACP", out))) {
			parse_fadt(t, out);
		} else if (!out->spcr.present && (t = table_at(mem, addr, "SPCR", out))) {
			parse_spcr(t, out);
		}
	}
}

static const uint8_t *find_root(const struct acpi_memory *mem, const uint8_t *r, unsigned len,
				struct acpi_info *out, unsigned *width)
{
	const uint8_t *root;
	/* ACPI 2.0+: the XSDT, when the extended checksum holds. */
	if (r[15] >= 2 && len >= RSDP_V2_LENGTH && le32(r + 20) >= RSDP_V2_LENGTH &&
	    le32(r + 20) <= len && checksum_ok(r, le32(r + 20)) &&
	    (root = table_at(mem, le64(r + 24), "XSDT", out))) {
		*width = 8;
		out->root_name = "XSDT";
		return root;
	}
	*width = 4;
	out->root_name = "RSDT";
	return table_at(mem, le32(r + 16), "RSDT", out);
}

bool acpi_parse(const struct acpi_memory *mem, const void *rsdp_hint, unsigned rsdp_length,
		struct acpi_info *out, const char **why)
{
	memset(out, 0, sizeof(*out));
	const uint8_t *r = rsdp_hint;
	unsigned len = rsdp_length;
	out->rsdp_source = "multiboot2 tag";
	if (!r || !rsdp_ok(r, len)) {
		r = find_rsdp_in_bios_areas(mem);
		len = RSDP_V2_LENGTH;  /* in place: the 2.0 fields are there to read (revision says) */
		out->rsdp_source = "BIOS area scan";
	}
	if (!r) {
		*why = "no ACPI RSDP (no multiboot2 ACPI tag, none in the BIOS areas)";
		return false;
	}
	memcpy(out->oem_id, r + 9, 6);
	unsigned width;
	const uint8_t *root = find_root(mem, r, len, out, &width);
	if (!root) {
		*why = "the ACPI RSDP points to no readable RSDT or XSDT";
		return false;
	}
	walk_root(mem, root, width, out);
	if (!out->has_madt) {
		*why = "ACPI has no readable MADT (APIC table)";
		return false;
	}
	return true;
}

/* entry.S identity-maps the low 4 GiB; nothing above is in reach. */
static const void *map_identity(uint64_t address, uint64_t length)
{
	if (address >= 0x100000000ull || length > 0x100000000ull - address)
		return 0;
	return (const void *)low_memory((uintptr_t)address);
}

bool acpi_find(const void *rsdp_hint, unsigned rsdp_length, struct acpi_info *out, const char **why)
{
	static const struct acpi_memory identity = { map_identity };
	return acpi_parse(&identity, rsdp_hint, rsdp_length, out, why);
}
