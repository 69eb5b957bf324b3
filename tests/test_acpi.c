/* acpi_parse over made-up tables in a fake physical memory: which MADT entries count,
 * the table checks (signature before length, bounded lengths, checksums, XSDT -> RSDT
 * fallback, the BIOS-area scan), SPCR and the FADT's PM timer. */
#include <stdint.h>
#include <string.h>

#include "boot/acpi.h"
#include "tests/unit.h"

#define MEM_SIZE 0x100000
#define RSDP_AT 0xe0010
#define RSDT_AT 0x80000
#define XSDT_AT 0x81000
#define MADT_AT 0x82000
#define FADT_AT 0x84000
#define SPCR_AT 0x85000
#define JUNK_AT 0x86000

static uint8_t mem[MEM_SIZE];
static uint64_t largest_map;

static const void *fake_map(uint64_t address, uint64_t length)
{
	if (length > largest_map)
		largest_map = length;
	if (address >= MEM_SIZE || length > MEM_SIZE - address)
		return 0;
	return mem + address;
}

static const struct acpi_memory fake = { fake_map };

static void put32(uint64_t at, uint32_t v) { memcpy(mem + at, &v, 4); }
static void put64(uint64_t at, uint64_t v) { memcpy(mem + at, &v, 8); }

static void fix_checksum(uint64_t at, uint32_t len, unsigned checksum_offset)
{
	uint8_t sum = 0;
	mem[at + checksum_offset] = 0;
	for (uint32_t i = 0; i < len; i++)
		sum += mem[at + i];
	mem[at + checksum_offset] = (uint8_t)-sum;
}

static void header(uint64_t at, const char *sig, uint32_t len)
{
	memset(mem + at, 0, len);
	memcpy(mem + at, sig, 4);
	put32(at + 4, len);
	mem[at + 8] = 1;
	memcpy(mem + at + 10, "TESTOE", 6);
}

static void finish(uint64_t at)
{
	uint32_t len;
	memcpy(&len, mem + at + 4, 4);
	fix_checksum(at, len, 9);
}

static void rsdp(uint64_t at, uint8_t revision, uint32_t rsdt, uint64_t xsdt)
{
	memset(mem + at, 0, 36);
	memcpy(mem + at, "RSD PTR ", 8);
	memcpy(mem + at + 9, "NMILAB", 6);
	mem[at + 15] = revision;
	put32(at + 16, rsdt);
	put32(at + 20, 36);
	put64(at + 24, xsdt);
	fix_checksum(at, 20, 8);
	fix_checksum(at, 36, 32);
}

static void root_tables(const uint64_t *tables, unsigned n)
{
	header(RSDT_AT, "RSDT", 36 + 4 * n);
	header(XSDT_AT, "XSDT", 36 + 8 * n);
	for (unsigned i = 0; i < n; i++) {
		put32(RSDT_AT + 36 + 4 * i, (uint32_t)tables[i]);
		put64(XSDT_AT + 36 + 8 * i, tables[i]);
	}
	finish(RSDT_AT);
	finish(XSDT_AT);
}

static uint32_t madt_len;

static void madt_begin(void)
{
	madt_len = 44;
	header(MADT_AT, "APIC", madt_len);
}

static void madt_lapic(uint8_t id, uint32_t flags)
{
	uint8_t *e = mem + MADT_AT + madt_len;
	e[0] = 0, e[1] = 8, e[2] = id, e[3] = id;
	memcpy(e + 4, &flags, 4);
	madt_len += 8;
}

static void madt_x2apic(uint32_t id, uint32_t flags)
{
	uint8_t *e = mem + MADT_AT + madt_len;
	memset(e, 0, 16);
	e[0] = 9, e[1] = 16;
	memcpy(e + 4, &id, 4);
	memcpy(e + 8, &flags, 4);
	madt_len += 16;
}

static void madt_end(void)
{
	put32(MADT_AT + 4, madt_len);
	finish(MADT_AT);
}

/* The machine: an "online capable" CPU listed first, disabled sockets, a CPU
 * listed twice (LAPIC and x2APIC), an x2APIC-only CPU. */
static void standard_madt(void)
{
	madt_begin();
	madt_lapic(4, 2);            /* online capable, not enabled: listed first */
	madt_lapic(0, 1);
	madt_lapic(2, 1 | 2);        /* enabled (and online capable) */
	madt_lapic(6, 0);            /* disabled */
	madt_lapic(0xff, 1);         /* not a usable xAPIC ID */
	madt_x2apic(2, 1);           /* the same CPU again */
	madt_x2apic(300, 1);
	madt_x2apic(301, 0);
	madt_end();
}

static void fadt(uint16_t pm_port, uint32_t flags, uint64_t x_pm_port)
{
	header(FADT_AT, "FACP", 276);
	put32(FADT_AT + 76, pm_port);
	mem[FADT_AT + 91] = 4;
	put32(FADT_AT + 112, flags);
	mem[FADT_AT + 208] = 1;  /* I/O space */
	put64(FADT_AT + 212, x_pm_port);
	finish(FADT_AT);
}

static void spcr(uint8_t type, uint8_t space, uint64_t address, uint8_t baud_code)
{
	header(SPCR_AT, "SPCR", 80);
	mem[SPCR_AT + 36] = type;
	mem[SPCR_AT + 40] = space;
	mem[SPCR_AT + 41] = 8;
	put64(SPCR_AT + 44, address);
	mem[SPCR_AT + 58] = baud_code;
	finish(SPCR_AT);
}

static void standard_machine(void)
{
	memset(mem, 0, sizeof(mem));
	standard_madt();
	fadt(0x608, 0, 0);
	spcr(0, 1, 0x2f8, 7);
	uint64_t tables[] = { FADT_AT, MADT_AT, SPCR_AT };
	root_tables(tables, 3);
	rsdp(RSDP_AT, 2, RSDT_AT, XSDT_AT);
}

static bool parse(const void *hint, unsigned hint_len, struct acpi_info *a, const char **why)
{
	largest_map = 0;
	*why = "(none)";
	return acpi_parse(&fake, hint, hint_len, a, why);
}

static void test_madt_flags(void)
{
	struct acpi_info a;
	const char *why;
	standard_machine();
	CHECK(parse(0, 0, &a, &why));
	CHECK_STR_EQ(a.rsdp_source, "BIOS area scan");
	CHECK_STR_EQ(a.root_name, "XSDT");
	CHECK_STR_EQ(a.oem_id, "NMILAB");
	CHECK_INT_EQ(a.count, 3);
	CHECK_INT_EQ(a.apic_ids[0], 0);   /* not 4: it is not enabled */
	CHECK_INT_EQ(a.apic_ids[1], 2);
	CHECK_INT_EQ(a.apic_ids[2], 300);
	CHECK_INT_EQ(a.online_capable, 1);
	CHECK_INT_EQ(a.disabled, 2);
	CHECK_INT_EQ(a.invalid_ids, 1);
	CHECK_INT_EQ(a.bad_tables, 0);
	CHECK_STR_EQ(a.problem, "");
}

static void test_fadt_and_spcr(void)
{
	struct acpi_info a;
	const char *why;
	standard_machine();
	CHECK(parse(0, 0, &a, &why));
	CHECK_INT_EQ(a.pm_timer_port, 0x608);
	CHECK(!a.pm_timer_32bit);
	CHECK(a.spcr.present);
	CHECK_INT_EQ(a.spcr.interface_type, 0);
	CHECK_INT_EQ(a.spcr.address_space, ACPI_SPACE_IO);
	CHECK_INT_EQ(a.spcr.address, 0x2f8);
	CHECK_INT_EQ(a.spcr.baud, 115200);

	/* X_PM_TMR_BLK wins over PM_TMR_BLK; TMR_VAL_EXT says 32 bits. */
	fadt(0x608, 1u << 8, 0x1808);
	CHECK(parse(0, 0, &a, &why));
	CHECK_INT_EQ(a.pm_timer_port, 0x1808);
	CHECK(a.pm_timer_32bit);

	/* Hardware-reduced ACPI has no PM timer, whatever the fields say. */
	fadt(0x608, 1u << 20, 0);
	CHECK(parse(0, 0, &a, &why));
	CHECK_INT_EQ(a.pm_timer_port, 0);

	/* An MMIO console, "as is" baud. */
	spcr(0x12, 0, 0xfe030000, 0);
	CHECK(parse(0, 0, &a, &why));
	CHECK_INT_EQ(a.spcr.address_space, ACPI_SPACE_MEMORY);
	CHECK_INT_EQ(a.spcr.address, 0xfe030000);
	CHECK_INT_EQ(a.spcr.baud, 0);
}

/* A table whose signature is not one we read is never mapped past its header, however
 * long it claims to be; one of ours with an absurd length is skipped and named. */
static void test_signature_before_length(void)
{
	struct acpi_info a;
	const char *why;
	standard_machine();
	header(JUNK_AT, "JUNK", 36);
	put32(JUNK_AT + 4, 0xfffffff0u);
	uint64_t tables[] = { JUNK_AT, FADT_AT, MADT_AT, SPCR_AT };
	root_tables(tables, 4);
	CHECK(parse(0, 0, &a, &why));
	CHECK(largest_map <= 0x20000);  /* the BIOS area scan is the largest read */
	CHECK_INT_EQ(a.bad_tables, 0);
	CHECK_INT_EQ(a.count, 3);

	put32(MADT_AT + 4, 0x7fffffffu);
	CHECK(!parse(0, 0, &a, &why));
	CHECK_STR_EQ(why, "ACPI has no readable MADT (APIC table)");
	CHECK(largest_map <= 0x20000);
	CHECK_INT_EQ(a.bad_tables, 1);
	CHECK_STR_EQ(a.problem, "skipped the APIC table at 0x82000: its length is not sane");
	/* The other tables were still read. */
	CHECK_INT_EQ(a.pm_timer_port, 0x608);
	CHECK(a.spcr.present);
}

static void test_checksums(void)
{
	struct acpi_info a;
	const char *why;
	standard_machine();
	mem[MADT_AT + 50] ^= 1;  /* inside the first entry: the checksum no longer holds */
	CHECK(!parse(0, 0, &a, &why));
	CHECK_STR_EQ(a.problem, "skipped the APIC table at 0x82000: bad checksum");

	/* A broken XSDT: the RSDT is used instead. */
	standard_machine();
	mem[XSDT_AT + 40] ^= 0xff;
	CHECK(parse(0, 0, &a, &why));
	CHECK_STR_EQ(a.root_name, "RSDT");
	CHECK_INT_EQ(a.count, 3);
	CHECK_INT_EQ(a.bad_tables, 1);

	/* An ACPI 1.0 RSDP has no XSDT pointer to follow. */
	standard_machine();
	rsdp(RSDP_AT, 0, RSDT_AT, XSDT_AT);
	CHECK(parse(0, 0, &a, &why));
	CHECK_STR_EQ(a.root_name, "RSDT");
	CHECK_INT_EQ(a.bad_tables, 0);
}

static void test_rsdp_sources(void)
{
	struct acpi_info a;
	const char *why;
	uint8_t copy[36];
	standard_machine();
	/* The loader's copy, as multiboot2's ACPI 2.0 tag carries it. */
	memcpy(copy, mem + RSDP_AT, 36);
	memset(mem + RSDP_AT, 0, 36);
	CHECK(parse(copy, 36, &a, &why));
	CHECK_STR_EQ(a.rsdp_source, "multiboot2 tag");
	CHECK_INT_EQ(a.count, 3);
	/* An ACPI 1.0 tag carries 20 bytes: the 2.0 fields are not read (no XSDT). */
	CHECK(parse(copy, 20, &a, &why));
	CHECK_STR_EQ(a.root_name, "RSDT");

	/* A damaged copy: the BIOS areas are searched, the EBDA first. */
	standard_machine();
	memcpy(copy, mem + RSDP_AT, 36);
	memset(mem + RSDP_AT, 0, 36);
	copy[0] = 'X';
	mem[0x40e] = 0x00, mem[0x40f] = 0x9f;   /* EBDA at 0x9f000 */
	rsdp(0x9f040, 2, RSDT_AT, XSDT_AT);
	CHECK(parse(copy, 36, &a, &why));
	CHECK_STR_EQ(a.rsdp_source, "BIOS area scan");
	CHECK_INT_EQ(a.count, 3);

	memset(mem, 0, sizeof(mem));
	CHECK(!parse(0, 0, &a, &why));
	CHECK_STR_EQ(why, "no ACPI RSDP (no multiboot2 ACPI tag, none in the BIOS areas)");
}

/* Entries that cannot be walked end the walk instead of looping or overrunning. */
static void test_malformed_entries(void)
{
	struct acpi_info a;
	const char *why;
	standard_machine();
	madt_begin();
	madt_lapic(0, 1);
	mem[MADT_AT + madt_len] = 0, mem[MADT_AT + madt_len + 1] = 0;  /* length 0 */
	madt_len += 8;
	madt_lapic(1, 1);
	madt_end();
	CHECK(parse(0, 0, &a, &why));
	CHECK_INT_EQ(a.count, 1);

	madt_begin();
	madt_lapic(0, 1);
	madt_lapic(1, 1);
	mem[MADT_AT + madt_len - 7] = 40;  /* the last entry claims to run past the table */
	madt_end();
	CHECK(parse(0, 0, &a, &why));
	CHECK_INT_EQ(a.count, 1);
}

/* More CPUs than we keep IDs for are still counted. */
static void test_many_cpus(void)
{
	struct acpi_info a;
	const char *why;
	standard_machine();
	madt_begin();
	for (uint32_t id = 0; id < ACPI_MAX_CPUS + 10; id++)
		madt_x2apic(id, 1);
	madt_end();
	CHECK(parse(0, 0, &a, &why));
	CHECK_INT_EQ(a.count, ACPI_MAX_CPUS + 10);
	CHECK_INT_EQ(a.apic_ids[ACPI_MAX_CPUS - 1], ACPI_MAX_CPUS - 1);
}

void test_acpi(void)
{
	test_madt_flags();
	test_fadt_and_spcr();
	test_signature_before_length();
	test_checksums();
	test_rsdp_sources();
	test_malformed_entries();
	test_many_cpus();
}
