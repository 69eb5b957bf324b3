/* cmdline_parse: every option type, every error message. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/cmdline.h"
#include "lib/printf.h"
#include "tests/unit.h"

struct cpu_range {
	unsigned first, last;
};

/* "N" or "N-M" with N <= M: a realistic custom option with its own error reason. */
static int parse_cpu_range(const char *value, void *dest, char *err, size_t errlen)
{
	struct cpu_range *range = dest;
	unsigned first = 0, last = 0;
	const char *p = value;

	if (*p < '0' || *p > '9')
		goto bad;
	while (*p >= '0' && *p <= '9')
		first = first * 10 + (unsigned)(*p++ - '0');
	last = first;
	if (*p == '-') {
		p++;
		if (*p < '0' || *p > '9')
			goto bad;
		for (last = 0; *p >= '0' && *p <= '9'; p++)
			last = last * 10 + (unsigned)(*p - '0');
	}
	if (*p != '\0' || first > last)
		goto bad;
	range->first = first;
	range->last = last;
	return 0;
bad:
	snprintf(err, errlen, "expected N or N-M with N <= M, got '%s'", value);
	return -1;
}

/* A custom parser that fails without a reason, to check the generic message. */
static int parse_never(const char *value, void *dest, char *err, size_t errlen)
{
	(void)value;
	(void)dest;
	(void)err;
	(void)errlen;
	return -1;
}

struct settings {
	const char *serial;
	uint64_t baud;
	bool verbose;
	uint64_t timeout;
	unsigned order;
	struct cpu_range cpus;
	uint64_t mask;
	int never;
};

#define NOPTS 8

static void make_options(struct option opts[NOPTS], struct settings *s)
{
	const struct option table[NOPTS] = {
		{ .key = "serial", .type = OPT_STRING, .dest = &s->serial, .help = "serial port" },
		{ .key = "baud", .type = OPT_UINT, .dest = &s->baud, .min = 300, .max = 115200,
		  .help = "serial speed" },
		{ .key = "verbose", .type = OPT_FLAG, .dest = &s->verbose, .help = "chatty" },
		{ .key = "timeout", .type = OPT_UINT, .dest = &s->timeout, .min = 1, .max = 60000,
		  .help = "milliseconds" },
		{ .key = "order", .type = OPT_CHOICE, .dest = &s->order, .choices = "seq|random",
		  .help = "test order" },
		{ .key = "cpus", .type = OPT_CUSTOM, .dest = &s->cpus, .parse = parse_cpu_range,
		  .help = "CPUs to use" },
		{ .key = "mask", .type = OPT_UINT, .dest = &s->mask, .min = 0, .max = UINT64_MAX },
		{ .key = "never", .type = OPT_CUSTOM, .dest = &s->never, .parse = parse_never },
	};
	memcpy(opts, table, sizeof(table));
}

static const struct settings defaults = {
	.serial = "default",
	.baud = 9600,
	.verbose = false,
	.timeout = 100,
	.order = 0,
	.cpus = { 0, 0 },
	.mask = 0,
};

/* One parse with fresh settings, a scratch buffer as large as the interface requires,
 * and a generous error buffer. */
struct run {
	struct settings s;
	char scratch[256];
	char err[512];
	int ret;
};

static struct run *parse(struct run *r, const char *cmdline)
{
	struct option opts[NOPTS];

	r->s = defaults;
	make_options(opts, &r->s);
	memset(r->scratch, 0x5a, sizeof(r->scratch));
	strcpy(r->err, "not cleared");
	r->ret = cmdline_parse(cmdline, opts, NOPTS, r->scratch, strlen(cmdline) + 1, r->err,
			       sizeof(r->err));
	return r;
}

static bool points_into(const char *p, const char *buf, size_t len)
{
	return p >= buf && p < buf + len;
}

static void test_empty(void)
{
	struct run r;

	parse(&r, "");
	CHECK_INT_EQ(r.ret, 0);
	CHECK_STR_EQ(r.err, "");
	CHECK_INT_EQ(r.s.baud, 9600);
	CHECK_STR_EQ(r.s.serial, "default");
	CHECK_INT_EQ(parse(&r, " \t  \t ")->ret, 0);
	CHECK_INT_EQ(r.s.verbose, false);

	/* A blank line needs no scratch buffer at all. */
	struct option opts[NOPTS];
	make_options(opts, &r.s);
	CHECK_INT_EQ(cmdline_parse("", opts, NOPTS, NULL, 0, r.err, sizeof(r.err)), 0);
	CHECK_INT_EQ(cmdline_parse("  ", opts, NOPTS, NULL, 0, NULL, 0), 0);
}

static void test_flags(void)
{
	struct run r;
	static const char *const truthy[] = { "verbose", "verbose=1", "verbose=on",
					      "verbose=yes", "verbose=true" };
	static const char *const falsy[] = { "verbose=0", "verbose=off", "verbose=no",
					     "verbose=false" };

	for (size_t i = 0; i < sizeof(truthy) / sizeof(truthy[0]); i++) {
		CHECK_INT_EQ(parse(&r, truthy[i])->ret, 0);
		CHECK_INT_EQ(r.s.verbose, true);
	}
	for (size_t i = 0; i < sizeof(falsy) / sizeof(falsy[0]); i++) {
		parse(&r, "verbose");
		struct option opts[NOPTS];
		make_options(opts, &r.s);
		CHECK_INT_EQ(cmdline_parse(falsy[i], opts, NOPTS, r.scratch, sizeof(r.scratch),
					   r.err, sizeof(r.err)), 0);
		CHECK_INT_EQ(r.s.verbose, false);
	}
	CHECK_INT_EQ(parse(&r, "verbose=maybe")->ret, -1);
	CHECK_STR_EQ(r.err, "flag 'verbose' takes no value other than 0/1/on/off/yes/no/true/false");
	CHECK_INT_EQ(parse(&r, "verbose=")->ret, -1);
	CHECK_STR_EQ(r.err, "flag 'verbose' takes no value other than 0/1/on/off/yes/no/true/false");
	CHECK_INT_EQ(parse(&r, "verbose=ON")->ret, -1);
}

static void test_uints(void)
{
	struct run r;

	CHECK_INT_EQ(parse(&r, "baud=115200")->ret, 0);
	CHECK_INT_EQ(r.s.baud, 115200);
	CHECK_INT_EQ(parse(&r, "timeout=0x10")->ret, 0);
	CHECK_INT_EQ(r.s.timeout, 16);
	CHECK_INT_EQ(parse(&r, "timeout=0XfF")->ret, 0);
	CHECK_INT_EQ(r.s.timeout, 255);
	CHECK_INT_EQ(parse(&r, "timeout=010")->ret, 0); /* decimal, not octal */
	CHECK_INT_EQ(r.s.timeout, 10);
	CHECK_INT_EQ(parse(&r, "timeout=60000")->ret, 0); /* bounds are inclusive */
	CHECK_INT_EQ(r.s.timeout, 60000);
	CHECK_INT_EQ(parse(&r, "timeout=1")->ret, 0);
	CHECK_INT_EQ(r.s.timeout, 1);
	CHECK_INT_EQ(parse(&r, "mask=18446744073709551615")->ret, 0);
	CHECK(r.s.mask == UINT64_MAX);
	CHECK_INT_EQ(parse(&r, "mask=0xffffffffffffffff")->ret, 0);
	CHECK(r.s.mask == UINT64_MAX);

	CHECK_INT_EQ(parse(&r, "baud=12x")->ret, -1);
	CHECK_STR_EQ(r.err, "option 'baud': '12x' is not a number");
	CHECK_INT_EQ(r.s.baud, 9600);
	CHECK_INT_EQ(parse(&r, "baud=0x")->ret, -1);
	CHECK_STR_EQ(r.err, "option 'baud': '0x' is not a number");
	CHECK_INT_EQ(parse(&r, "baud=-1")->ret, -1);
	CHECK_STR_EQ(r.err, "option 'baud': '-1' is not a number");
	CHECK_INT_EQ(parse(&r, "timeout=0xfg")->ret, -1);
	CHECK_STR_EQ(r.err, "option 'timeout': '0xfg' is not a number");

	CHECK_INT_EQ(parse(&r, "timeout=0")->ret, -1);
	CHECK_STR_EQ(r.err, "option 'timeout': 0 is out of range 1..60000");
	CHECK_INT_EQ(parse(&r, "timeout=60001")->ret, -1);
	CHECK_STR_EQ(r.err, "option 'timeout': 60001 is out of range 1..60000");
	CHECK_INT_EQ(parse(&r, "timeout=0x0")->ret, -1);
	CHECK_STR_EQ(r.err, "option 'timeout': 0x0 is out of range 0x1..0xea60");
	CHECK_INT_EQ(r.s.timeout, 100);

	/* One past UINT64_MAX, in both bases, is out of range rather than wrapped. */
	CHECK_INT_EQ(parse(&r, "mask=18446744073709551616")->ret, -1);
	CHECK_STR_EQ(r.err, "option 'mask': 18446744073709551616 is out of range 0..18446744073709551615");
	CHECK_INT_EQ(parse(&r, "mask=0x10000000000000000")->ret, -1);
	CHECK_STR_EQ(r.err, "option 'mask': 0x10000000000000000 is out of range 0x0..0xffffffffffffffff");
	CHECK_INT_EQ(parse(&r, "timeout=99999999999999999999999x")->ret, -1);
	CHECK_STR_EQ(r.err, "option 'timeout': '99999999999999999999999x' is not a number");

	CHECK_INT_EQ(parse(&r, "baud")->ret, -1);
	CHECK_STR_EQ(r.err, "option 'baud' needs a value");
	CHECK_INT_EQ(parse(&r, "baud=")->ret, -1);
	CHECK_STR_EQ(r.err, "option 'baud' needs a value");
}

static void test_strings_and_quotes(void)
{
	struct run r;

	CHECK_INT_EQ(parse(&r, "serial=com1")->ret, 0);
	CHECK_STR_EQ(r.s.serial, "com1");
	CHECK(points_into(r.s.serial, r.scratch, sizeof(r.scratch)));

	CHECK_INT_EQ(parse(&r, "serial=\"com1 at 0x3f8\" baud=19200")->ret, 0);
	CHECK_STR_EQ(r.s.serial, "com1 at 0x3f8");
	CHECK_INT_EQ(r.s.baud, 19200);
	CHECK_INT_EQ(parse(&r, "serial=a=b")->ret, 0); /* only the first '=' splits */
	CHECK_STR_EQ(r.s.serial, "a=b");

	CHECK_INT_EQ(parse(&r, "serial")->ret, -1);
	CHECK_STR_EQ(r.err, "option 'serial' needs a value");
	CHECK_INT_EQ(parse(&r, "serial=")->ret, -1);
	CHECK_STR_EQ(r.err, "option 'serial' needs a value");
	CHECK_INT_EQ(parse(&r, "serial=\"\"")->ret, -1);
	CHECK_STR_EQ(r.err, "option 'serial' needs a value");
	CHECK_INT_EQ(parse(&r, "serial=\"com1 baud=9600")->ret, -1);
	CHECK_STR_EQ(r.err, "option 'serial': value has no closing '\"'");
	CHECK_INT_EQ(parse(&r, "serial=\"com1\"x")->ret, -1);
	CHECK_STR_EQ(r.err, "option 'serial': unexpected text after the closing '\"'");
	CHECK_STR_EQ(r.s.serial, "default");
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Whatever bytes the boot loader passed, the message is printable ASCII. */
static void test_escaped_echo(void)
{
	struct run r;

	CHECK_INT_EQ(parse(&r, "a\x1b[31mb")->ret, -1);
	CHECK(starts_with(r.err, "unknown option 'a\\x1b[31mb'; valid options: serial, "));
	CHECK_INT_EQ(parse(&r, "baud=9\x7f")->ret, -1);
	CHECK_STR_EQ(r.err, "option 'baud': '9\\x7f' is not a number");
	CHECK_INT_EQ(parse(&r, "order=\xc3\xa9")->ret, -1);
	CHECK_STR_EQ(r.err, "option 'order': '\\xc3\\xa9' is not one of seq|random");
	CHECK_INT_EQ(parse(&r, "cpus=\x01")->ret, -1);
	CHECK_STR_EQ(r.err, "option 'cpus': expected N or N-M with N <= M, got '\\x01'");
	/* A backslash is escaped too, so an escape in the message is never the user's text. */
	CHECK_INT_EQ(parse(&r, "a\\x1b")->ret, -1);
	CHECK(starts_with(r.err, "unknown option 'a\\\\x1b'; "));
	/* Truncated at a whole escape, and NUL-terminated. */
	struct option opts[NOPTS];
	char small[12];
	make_options(opts, &r.s);
	CHECK_INT_EQ(cmdline_parse("\x01\x02\x03", opts, NOPTS, r.scratch, sizeof(r.scratch), small,
				   sizeof(small)), -1);
	CHECK_STR_EQ(small, "unknown opt");
	CHECK_INT_EQ(cmdline_parse("baud=\x01\x02\x03", opts, NOPTS, r.scratch, sizeof(r.scratch),
				   small, sizeof(small)), -1);
	CHECK_STR_EQ(small, "option 'bau");
	char tiny[9];
	CHECK_INT_EQ(cmdline_parse("x \x01", opts, NOPTS, r.scratch, sizeof(r.scratch), tiny, sizeof(tiny)), -1);
	CHECK_STR_EQ(tiny, "unknown ");
}

static void test_choice(void)
{
	struct run r;

	CHECK_INT_EQ(parse(&r, "order=random")->ret, 0);
	CHECK_INT_EQ(r.s.order, 1);
	CHECK_INT_EQ(parse(&r, "order=seq")->ret, 0);
	CHECK_INT_EQ(r.s.order, 0);

	CHECK_INT_EQ(parse(&r, "order=rnd")->ret, -1);
	CHECK_STR_EQ(r.err, "option 'order': 'rnd' is not one of seq|random");
	CHECK_INT_EQ(parse(&r, "order=se")->ret, -1); /* no prefix matching */
	CHECK_STR_EQ(r.err, "option 'order': 'se' is not one of seq|random");
	CHECK_INT_EQ(parse(&r, "order=seq|random")->ret, -1);
	CHECK_INT_EQ(parse(&r, "order=randomly")->ret, -1);
	CHECK_INT_EQ(parse(&r, "order")->ret, -1);
	CHECK_STR_EQ(r.err, "option 'order' needs a value");
}

static void test_custom(void)
{
	struct run r;

	CHECK_INT_EQ(parse(&r, "cpus=2-5")->ret, 0);
	CHECK_INT_EQ(r.s.cpus.first, 2);
	CHECK_INT_EQ(r.s.cpus.last, 5);
	CHECK_INT_EQ(parse(&r, "cpus=1")->ret, 0);
	CHECK_INT_EQ(r.s.cpus.first, 1);
	CHECK_INT_EQ(r.s.cpus.last, 1);

	CHECK_INT_EQ(parse(&r, "cpus=5-2")->ret, -1);
	CHECK_STR_EQ(r.err, "option 'cpus': expected N or N-M with N <= M, got '5-2'");
	CHECK_INT_EQ(parse(&r, "cpus")->ret, -1);
	CHECK_STR_EQ(r.err, "option 'cpus' needs a value");
	CHECK_INT_EQ(parse(&r, "never=x")->ret, -1);
	CHECK_STR_EQ(r.err, "option 'never': 'x' is not valid");
}

static void test_unknown_and_malformed(void)
{
	struct run r;

	CHECK_INT_EQ(parse(&r, "foo")->ret, -1);
	CHECK_STR_EQ(r.err, "unknown option 'foo'; valid options: serial, baud, verbose, timeout, "
			    "order, cpus, mask, never");
	CHECK_INT_EQ(parse(&r, "Verbose")->ret, -1); /* keys are case-sensitive */
	CHECK_INT_EQ(parse(&r, "foo=bar")->ret, -1);
	CHECK(strncmp(r.err, "unknown option 'foo'; valid options: serial,", 44) == 0);
	CHECK_INT_EQ(parse(&r, "=5")->ret, -1);
	CHECK_STR_EQ(r.err, "'=5': missing option name before '='");

	/* Parsing stops at the first bad token. */
	CHECK_INT_EQ(parse(&r, "verbose foo baud=19200")->ret, -1);
	CHECK_INT_EQ(r.s.verbose, true);
	CHECK_INT_EQ(r.s.baud, 9600);

	/* No options at all. */
	char err[64];
	char scratch[8];
	CHECK_INT_EQ(cmdline_parse("foo", NULL, 0, scratch, sizeof(scratch), err, sizeof(err)), -1);
	CHECK_STR_EQ(err, "unknown option 'foo'; valid options: (none)");
}

static void test_separators_and_duplicates(void)
{
	struct run r;

	CHECK_INT_EQ(parse(&r, "   verbose\tbaud=19200 \t timeout=5   ")->ret, 0);
	CHECK_INT_EQ(r.s.verbose, true);
	CHECK_INT_EQ(r.s.baud, 19200);
	CHECK_INT_EQ(r.s.timeout, 5);
	CHECK_INT_EQ(parse(&r, "\tserial=ttyS0\t")->ret, 0);
	CHECK_STR_EQ(r.s.serial, "ttyS0");
	/* A key given twice is an error: which one would the user have meant? */
	CHECK_INT_EQ(parse(&r, "baud=9600 verbose baud=19200")->ret, -1);
	CHECK_STR_EQ(r.err, "option 'baud' is given twice; give each option once");
	CHECK_INT_EQ(parse(&r, "serial=a serial=a")->ret, -1);
	CHECK_STR_EQ(r.err, "option 'serial' is given twice; give each option once");
	CHECK_INT_EQ(parse(&r, "verbose verbose")->ret, -1);
	CHECK_STR_EQ(r.err, "option 'verbose' is given twice; give each option once");
}

static void test_scratch(void)
{
	struct option opts[NOPTS];
	struct settings s = defaults;
	char line[] = "serial=\"a b\" order=random serial2";
	const char *cmdline = "serial=\"a b\" baud=300 x=\"q\"";
	char copy[64];
	char scratch[64];
	char err[128];

	make_options(opts, &s);
	strcpy(copy, cmdline);
	/* Exactly strlen + 1 is enough, even with every byte of the line in some token. */
	CHECK_INT_EQ(cmdline_parse("serial=ab", opts, NOPTS, scratch, 10, err, sizeof(err)), 0);
	CHECK_STR_EQ(s.serial, "ab");
	CHECK(points_into(s.serial, scratch, 10));

	CHECK_INT_EQ(cmdline_parse(cmdline, opts, NOPTS, scratch, strlen(cmdline) + 1, err,
				   sizeof(err)), -1);
	CHECK_STR_EQ(cmdline, copy); /* the caller's string is not modified */
	CHECK_STR_EQ(s.serial, "a b");
	CHECK(points_into(s.serial, scratch, sizeof(scratch)));
	CHECK_INT_EQ(s.baud, 300);

	CHECK_INT_EQ(cmdline_parse("serial=ab", opts, NOPTS, scratch, 9, err, sizeof(err)), -1);
	CHECK_STR_EQ(err, "scratch buffer too small for the command line: need 10 bytes, have 9");
	CHECK_INT_EQ(cmdline_parse("verbose", opts, NOPTS, NULL, 0, err, sizeof(err)), -1);
	CHECK_STR_EQ(err, "scratch buffer too small for the command line: need 8 bytes, have 0");

	/* A tiny error buffer truncates but terminates; none at all is allowed. */
	CHECK_INT_EQ(cmdline_parse(line, opts, NOPTS, scratch, sizeof(scratch), err, 10), -1);
	CHECK_STR_EQ(err, "unknown o");
	CHECK_INT_EQ(cmdline_parse(line, opts, NOPTS, scratch, sizeof(scratch), NULL, 0), -1);
	CHECK_INT_EQ(s.order, 1);
}

/* cmdline_has_key: whole keys only, with or without a value, never inside a quoted value. */
static void test_has_key(void)
{
	CHECK(cmdline_has_key("exp=17 serial=0x2f8", "serial"));
	CHECK(cmdline_has_key("serial", "serial"));
	CHECK(cmdline_has_key("  verbose\tserial=1\n", "serial"));
	CHECK(!cmdline_has_key("serialport=1 baud=9600", "serial"));
	CHECK(!cmdline_has_key("exp=17 x=\"a serial=1\"", "serial"));
	CHECK(!cmdline_has_key("exp=serial", "serial"));
	CHECK(!cmdline_has_key("", "serial"));
	CHECK(!cmdline_has_key(NULL, "serial"));
}

void test_cmdline(void)
{
	test_has_key();
	test_empty();
	test_flags();
	test_uints();
	test_strings_and_quotes();
	test_choice();
	test_custom();
	test_unknown_and_malformed();
	test_separators_and_duplicates();
	test_escaped_echo();
	test_scratch();
}
