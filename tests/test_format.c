/*
 * The kernel's vsnprintf against literal expected strings (not against the host libc,
 * whose snprintf is hidden by the -Dsnprintf=k_snprintf rename of the test build).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/printf.h"
#include "tests/unit.h"

#define CANARY 0x5a

/*
 * Formats three times: into a roomy buffer (checking the bytes after the NUL are
 * untouched), into a heap buffer of exactly the right size, and into one a byte short,
 * where the output must be cut and still terminated. The heap buffers let
 * -fsanitize=address catch any write past `size`.
 */
__attribute__((format(printf, 4, 5)))
static void check_format(const char *file, int line, const char *expected, const char *fmt, ...)
{
	size_t len = strlen(expected);
	char roomy[512];
	va_list ap, again;

	memset(roomy, CANARY, sizeof(roomy));
	va_start(ap, fmt);
	va_copy(again, ap);
	int ret = vsnprintf(roomy, sizeof(roomy), fmt, ap);
	va_end(ap);
	unit_check_str(roomy, expected, fmt, "expected", file, line);
	unit_check_int(ret, (long long)len, "return value", "strlen(expected)", file, line);
	unit_check(roomy[len + 1] == (char)CANARY, "byte after the NUL untouched", file, line);

	char *exact = malloc(len + 1);
	va_copy(ap, again);
	vsnprintf(exact, len + 1, fmt, ap);
	va_end(ap);
	unit_check_str(exact, expected, fmt, "expected (exact-size buffer)", file, line);
	free(exact);

	if (len > 0) {
		char *shorter = malloc(len);
		va_copy(ap, again);
		ret = vsnprintf(shorter, len, fmt, ap);
		va_end(ap);
		unit_check(strncmp(shorter, expected, len - 1) == 0 && shorter[len - 1] == '\0',
			   "output cut one byte short and terminated", file, line);
		unit_check_int(ret, (long long)len, "return value when truncated",
			       "strlen(expected)", file, line);
		free(shorter);
	}
	va_end(again);
}

#define EXPECT_FORMAT(expected, ...) check_format(__FILE__, __LINE__, expected, __VA_ARGS__)

static void test_signed(void)
{
	EXPECT_FORMAT("0", "%d", 0);
	EXPECT_FORMAT("42", "%d", 42);
	EXPECT_FORMAT("-42", "%d", -42);
	EXPECT_FORMAT("-3", "%i", -3);
	EXPECT_FORMAT("2147483647", "%d", INT32_MAX);
	EXPECT_FORMAT("-2147483648", "%d", INT32_MIN);
	EXPECT_FORMAT("-9223372036854775808", "%lld", (long long)INT64_MIN);
	EXPECT_FORMAT("9223372036854775807", "%lld", (long long)INT64_MAX);
	EXPECT_FORMAT("-9223372036854775808", "%jd", (intmax_t)INT64_MIN);
	EXPECT_FORMAT("-2000000000", "%ld", -2000000000L);
	EXPECT_FORMAT("-5", "%td", (ptrdiff_t)-5);
	EXPECT_FORMAT("-7", "%zd", (ptrdiff_t)-7);
}

static void test_unsigned(void)
{
	EXPECT_FORMAT("4294967295", "%u", UINT32_MAX);
	EXPECT_FORMAT("18446744073709551615", "%llu", (unsigned long long)UINT64_MAX);
	EXPECT_FORMAT("18446744073709551615", "%ju", (uintmax_t)UINT64_MAX);
	EXPECT_FORMAT("4294967296", "%llu", 4294967296ULL);
	EXPECT_FORMAT("10000000000000000000", "%llu", 10000000000000000000ULL);
	EXPECT_FORMAT("4000000000", "%lu", 4000000000UL);
	EXPECT_FORMAT("123456", "%zu", (size_t)123456);
	EXPECT_FORMAT("255", "%hhu", (unsigned char)255);
	EXPECT_FORMAT("65535", "%hu", (unsigned short)65535);
}

static void test_hex_octal(void)
{
	EXPECT_FORMAT("ff", "%x", 255);
	EXPECT_FORMAT("FF", "%X", 255);
	EXPECT_FORMAT("deadbeef", "%x", 0xdeadbeefu);
	EXPECT_FORMAT("ffffffffffffffff", "%llx", (unsigned long long)UINT64_MAX);
	EXPECT_FORMAT("8000000000000000", "%llx", 0x8000000000000000ULL);
	EXPECT_FORMAT("1777777777777777777777", "%llo", (unsigned long long)UINT64_MAX);
	EXPECT_FORMAT("17", "%o", 15);
	EXPECT_FORMAT("0xff", "%#x", 255);
	EXPECT_FORMAT("0XFF", "%#X", 255);
	EXPECT_FORMAT("0", "%#x", 0);          /* no prefix on zero */
	EXPECT_FORMAT("010", "%#o", 8);
	EXPECT_FORMAT("0", "%#o", 0);          /* never "00" */
	EXPECT_FORMAT("0", "%#.0o", 0);        /* '#' still forces the one zero */
	EXPECT_FORMAT("01777777777777777777777", "%#llo", (unsigned long long)UINT64_MAX);
	EXPECT_FORMAT("0x0000ff", "%#08x", 255);
	EXPECT_FORMAT("0xff    |", "%#-8x|", 255);
	EXPECT_FORMAT("    0x00ff", "%#10.4x", 255);
	EXPECT_FORMAT("00001234", "%08x", 0x1234);
}

static void test_width_precision_flags(void)
{
	EXPECT_FORMAT("   42", "%5d", 42);
	EXPECT_FORMAT("42   |", "%-5d|", 42);
	EXPECT_FORMAT("-0042", "%05d", -42);
	EXPECT_FORMAT("+42", "%+d", 42);
	EXPECT_FORMAT("-42", "%+d", -42);
	EXPECT_FORMAT(" 42", "% d", 42);
	EXPECT_FORMAT(" 0003", "% 05d", 3);
	EXPECT_FORMAT("+3   |", "%-+5d|", 3);
	EXPECT_FORMAT("007", "%.3d", 7);
	EXPECT_FORMAT("    -007", "%8.3d", -7);
	EXPECT_FORMAT("12345", "%.3d", 12345);
	EXPECT_FORMAT("", "%.0d", 0);
	EXPECT_FORMAT("     ", "%5.0d", 0);
	EXPECT_FORMAT("+", "%+.0d", 0);
	EXPECT_FORMAT("", "%.0x", 0);
	EXPECT_FORMAT("   42", "%*d", 5, 42);
	EXPECT_FORMAT("42   |", "%*d|", -5, 42); /* negative '*' width left-justifies */
	EXPECT_FORMAT("00042", "%.*d", 5, 42);
	EXPECT_FORMAT("42", "%.*d", -1, 42);    /* negative '*' precision is no precision */
	EXPECT_FORMAT("  00042", "%*.*d", 7, 5, 42);
	EXPECT_FORMAT("   18446744073709551615", "%23llu", (unsigned long long)UINT64_MAX);
	EXPECT_FORMAT("-000000000000000000009223372036854775808", "%040lld",
		      (long long)INT64_MIN);
}

static void test_char_string_pointer(void)
{
	static const char unterminated[3] = { 'a', 'b', 'c' };
	const char *volatile null_string = NULL;

	EXPECT_FORMAT("A", "%c", 'A');
	EXPECT_FORMAT("  A", "%3c", 'A');
	EXPECT_FORMAT("A  |", "%-3c|", 'A');
	EXPECT_FORMAT("abc", "%s", "abc");
	EXPECT_FORMAT("  abc", "%5s", "abc");
	EXPECT_FORMAT("abc  |", "%-5s|", "abc");
	EXPECT_FORMAT("ab", "%.2s", "abc");
	EXPECT_FORMAT("   ab", "%5.2s", "abc");
	EXPECT_FORMAT("ab", "%.*s", 2, "abc");
	EXPECT_FORMAT("abc", "%.3s", unterminated); /* must not read past the precision */
	EXPECT_FORMAT("", "%s", "");
	EXPECT_FORMAT("(null)", "%s", null_string);
	EXPECT_FORMAT("0x1234", "%p", (void *)0x1234);
	EXPECT_FORMAT("0x0", "%p", (void *)0);
	EXPECT_FORMAT("    0xabc", "%9p", (void *)0xabc);
	EXPECT_FORMAT("%", "%%");
	EXPECT_FORMAT("100%", "100%%");
	EXPECT_FORMAT("a=1 b=two c=x", "a=%d b=%s c=%c", 1, "two", 'x');
	EXPECT_FORMAT("", "%s", "");
	EXPECT_FORMAT("plain text", "plain text");
}

/* Formats no compiler would accept without complaint: unknown conversions, flags C says
 * are ignored, and arguments wider than the length modifier. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
static void test_unusual_formats(void)
{
	EXPECT_FORMAT("%y", "%y");
	EXPECT_FORMAT("a%5yb", "a%5yb");
	EXPECT_FORMAT("%f 7", "%f %d", 7); /* unknown conversions consume no argument */
	EXPECT_FORMAT("abc%", "abc%");
	EXPECT_FORMAT("5", "%+u", 5);
	EXPECT_FORMAT("5", "% u", 5);
	EXPECT_FORMAT("  abc", "%05s", "abc");
	EXPECT_FORMAT("+42", "%+ d", 42);       /* '+' beats ' ' */
	EXPECT_FORMAT("42   |", "%-05d|", 42);  /* '-' beats '0' */
	EXPECT_FORMAT("     007", "%08.3d", 7); /* '0' is ignored with a precision */
	EXPECT_FORMAT("  0x00ff", "%#08.4x", 255);
}

/* An int too wide for its hh/h conversion is cut down to char/short, as C says. */
static void test_narrowing_length_modifiers(void)
{
	EXPECT_FORMAT("-56", "%hhd", 200);
	EXPECT_FORMAT("44", "%hhu", 300);
	EXPECT_FORMAT("7f", "%hhx", 0x17f);
	EXPECT_FORMAT("-25536", "%hd", 40000);
	EXPECT_FORMAT("4464", "%hu", 70000);
}
#pragma GCC diagnostic pop

static void test_truncation(void)
{
	char buf[8];

	memset(buf, CANARY, sizeof(buf));
	CHECK_INT_EQ(snprintf(buf, 5, "%s", "hello world"), 11);
	CHECK_STR_EQ(buf, "hell");
	CHECK(buf[5] == (char)CANARY);

	memset(buf, CANARY, sizeof(buf));
	CHECK_INT_EQ(snprintf(buf, 1, "%d", 12345), 5);
	CHECK_INT_EQ(buf[0], '\0');
	CHECK(buf[1] == (char)CANARY);

	/* size 0: nothing is written, not even the NUL, and buf may be NULL. */
	memset(buf, CANARY, sizeof(buf));
	CHECK_INT_EQ(snprintf(buf, 0, "%d", 12345), 5);
	CHECK(buf[0] == (char)CANARY);
	CHECK_INT_EQ(snprintf(NULL, 0, "%llu", (unsigned long long)UINT64_MAX), 20);

	/* Width padding past the end is counted but not written. */
	CHECK_INT_EQ(snprintf(buf, sizeof(buf), "%20d", 1), 20);
	CHECK_STR_EQ(buf, "       ");
	CHECK_INT_EQ(snprintf(buf, sizeof(buf), "%-20d", 1), 20);
	CHECK_STR_EQ(buf, "1      ");
}

/* snappend: the text grows while it fits, is cut where the buffer ends, and *used stays
 * its length, so later pieces are dropped whole rather than written past the end. */
static void test_append(void)
{
	char buf[8];
	size_t used = 0;

	memset(buf, CANARY, sizeof(buf));
	snappend(buf, sizeof(buf), &used, "%s", "ab");
	snappend(buf, sizeof(buf), &used, "%d", 12);
	CHECK_STR_EQ(buf, "ab12");
	CHECK_INT_EQ(used, 4);
	snappend(buf, sizeof(buf), &used, "%s", "wxyz");
	CHECK_STR_EQ(buf, "ab12wxy");
	CHECK_INT_EQ(used, 7);
	snappend(buf, sizeof(buf), &used, "%s", "more");
	CHECK_STR_EQ(buf, "ab12wxy");
	CHECK_INT_EQ(used, 7);

	/* size 0 writes nothing at all. */
	used = 0;
	memset(buf, CANARY, sizeof(buf));
	snappend(buf, 0, &used, "%s", "x");
	CHECK(buf[0] == (char)CANARY);
	CHECK_INT_EQ(used, 0);
}

/* Reference conversion with the host's native 64-bit '/', to check the kernel's own. */
static void reference_decimal(uint64_t n, char *out)
{
	char tmp[24];
	int len = 0;

	do {
		tmp[len++] = (char)('0' + n % 10);
		n /= 10;
	} while (n != 0);
	for (int i = 0; i < len; i++)
		out[i] = tmp[len - 1 - i];
	out[len] = '\0';
}

static void check_decimal(uint64_t n)
{
	char expected[24];
	char got[24];

	reference_decimal(n, expected);
	snprintf(got, sizeof(got), "%llu", (unsigned long long)n);
	CHECK_STR_EQ(got, expected);
}

/* Every power of ten and of two, each +-1, then pseudo-random values of all sizes. */
static void test_decimal_conversion(void)
{
	uint64_t state = 0x9e3779b97f4a7c15ULL;

	for (uint64_t p = 1; p <= UINT64_MAX / 10; p *= 10) {
		check_decimal(p - 1);
		check_decimal(p);
		check_decimal(p + 1);
	}
	for (int bit = 0; bit < 64; bit++) {
		uint64_t p = 1ULL << bit;
		check_decimal(p - 1);
		check_decimal(p);
		check_decimal(p + 1);
	}
	check_decimal(UINT64_MAX);
	check_decimal(UINT64_MAX - 1);
	for (int i = 0; i < 1000; i++) {
		state = state * 6364136223846793005ULL + 1442695040888963407ULL;
		check_decimal(state >> (i % 64));
	}
}

void test_format(void)
{
	test_signed();
	test_unsigned();
	test_hex_octal();
	test_width_precision_flags();
	test_char_string_pointer();
	test_unusual_formats();
	test_narrowing_length_modifiers();
	test_truncation();
	test_append();
	test_decimal_conversion();
}
