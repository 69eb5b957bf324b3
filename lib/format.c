/*
 * A freestanding vsnprintf. It never calls libc and never divides a 64-bit number with
 * the '/' operator, so on i386 it needs none of libgcc's __udivdi3/__umoddi3 helpers.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/printf.h"

enum {
	FLAG_LEFT = 1 << 0,  /* '-' */
	FLAG_ZERO = 1 << 1,  /* '0' */
	FLAG_PLUS = 1 << 2,  /* '+' */
	FLAG_SPACE = 1 << 3, /* ' ' */
	FLAG_ALT = 1 << 4,   /* '#' */
};

enum length {
	LEN_INT,
	LEN_CHAR,     /* hh */
	LEN_SHORT,    /* h */
	LEN_LONG,     /* l */
	LEN_LLONG,    /* ll */
	LEN_SIZE,     /* z */
	LEN_INTMAX,   /* j */
	LEN_PTRDIFF,  /* t */
};

#define NO_PRECISION (-1)
/* Keeps width/precision arithmetic far from int overflow; nobody needs wider fields. */
#define MAX_FIELD 0x100000
/* INT_MAX without <limits.h>, which is outside this file's header budget. */
#define INT_LIMIT ((int)(~0u >> 1))

struct spec {
	unsigned flags;
	int width;
	int precision;
	enum length length;
	char conversion;
};

/* Where the characters go: `pos` keeps counting past the end so the caller learns the
 * length the whole output would have had. */
struct sink {
	char *buf;
	size_t size;
	size_t pos;
};

static void put_char(struct sink *out, char c)
{
	if (out->size > 0 && out->pos < out->size - 1)
		out->buf[out->pos] = c;
	out->pos++;
}

static void put_repeated(struct sink *out, char c, int count)
{
	for (int i = 0; i < count; i++)
		put_char(out, c);
}

static void put_chars(struct sink *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put_char(out, s[i]);
}

/*
 * Divides by 10 as long division in base 2^16: every partial dividend is below
 * 10 * 2^16, so each step is a 32-bit division the CPU does natively.
 */
static uint64_t divide_by_10(uint64_t n, unsigned *remainder)
{
	uint64_t quotient = 0;
	uint32_t rem = 0;

	for (int shift = 48; shift >= 0; shift -= 16) {
		uint32_t part = (rem << 16) | (uint32_t)((n >> shift) & 0xffff);
		quotient |= (uint64_t)(part / 10) << shift;
		rem = part % 10;
	}
	*remainder = rem;
	return quotient;
}

/* Writes the digits of n backwards from the end of `end`; returns how many (at least one,
 * so zero prints as "0"). */
static int digits_reversed(uint64_t n, unsigned base, bool upper, char *end)
{
	const char *alphabet = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	int count = 0;

	do {
		unsigned digit;
		if (base == 10) {
			n = divide_by_10(n, &digit);
		} else {
			unsigned bits = base == 16 ? 4 : 3;
			digit = (unsigned)(n & (base - 1));
			n >>= bits;
		}
		*--end = alphabet[digit];
		count++;
	} while (n != 0);
	return count;
}

static int max_int(int a, int b)
{
	return a > b ? a : b;
}

/* '+' and ' ' only apply to signed conversions; C ignores them for %u, %x and %o. */
static char sign_of(const struct spec *spec, bool negative)
{
	bool is_signed = spec->conversion == 'd' || spec->conversion == 'i';

	if (negative)
		return '-';
	if (is_signed && (spec->flags & FLAG_PLUS))
		return '+';
	if (is_signed && (spec->flags & FLAG_SPACE))
		return ' ';
	return 0;
}

/* %p always says it is hex; '#' does only for a non-zero value, as in C. */
static const char *prefix_of(const struct spec *spec, unsigned base, uint64_t magnitude)
{
	if (spec->conversion == 'p')
		return "0x";
	if ((spec->flags & FLAG_ALT) && base == 16 && magnitude != 0)
		return spec->conversion == 'X' ? "0X" : "0x";
	return "";
}

/*
 * Lays out [padding][sign][prefix][zeros][digits][padding] the way C's printf does,
 * including the corner cases: precision 0 with value 0 prints no digits, and '#' with
 * octal forces a leading zero rather than adding a prefix.
 */
static void format_number(struct sink *out, const struct spec *spec, uint64_t magnitude,
			  bool negative, unsigned base)
{
	char digits[24]; /* 22 octal digits cover 64 bits */
	char *digits_end = digits + sizeof(digits);
	int ndigits = 0;

	if (magnitude != 0 || spec->precision != 0)
		ndigits = digits_reversed(magnitude, base, spec->conversion == 'X', digits_end);

	char sign = sign_of(spec, negative);
	const char *prefix = prefix_of(spec, base, magnitude);
	int prefix_len = prefix[0] ? 2 : 0;

	int precision = spec->precision;
	if ((spec->flags & FLAG_ALT) && base == 8 && (ndigits == 0 || magnitude != 0))
		precision = max_int(precision, ndigits + 1);

	int zeros = max_int(precision - ndigits, 0);
	int body = (sign ? 1 : 0) + prefix_len + zeros + ndigits;
	bool zero_pad = (spec->flags & FLAG_ZERO) && !(spec->flags & FLAG_LEFT) &&
			spec->precision == NO_PRECISION;
	if (zero_pad) {
		zeros += max_int(spec->width - body, 0);
		body = max_int(spec->width, body);
	}

	int padding = max_int(spec->width - body, 0);
	if (!(spec->flags & FLAG_LEFT))
		put_repeated(out, ' ', padding);
	if (sign)
		put_char(out, sign);
	put_chars(out, prefix, (size_t)prefix_len);
	put_repeated(out, '0', zeros);
	put_chars(out, digits_end - ndigits, (size_t)ndigits);
	if (spec->flags & FLAG_LEFT)
		put_repeated(out, ' ', padding);
}

/* Pads `len` bytes of s to the field width. */
static void format_text(struct sink *out, const struct spec *spec, const char *s, size_t len)
{
	int padding = spec->width > (int)len ? spec->width - (int)len : 0;

	if (!(spec->flags & FLAG_LEFT))
		put_repeated(out, ' ', padding);
	put_chars(out, s, len);
	if (spec->flags & FLAG_LEFT)
		put_repeated(out, ' ', padding);
}

/* strnlen, kept local so this file links against nothing at all. Never reads past `max`,
 * which lets "%.3s" point at an unterminated array. */
static size_t bounded_length(const char *s, size_t max)
{
	size_t n = 0;
	while (n < max && s[n] != '\0')
		n++;
	return n;
}

static void format_string(struct sink *out, const struct spec *spec, const char *s)
{
	if (s == NULL)
		s = "(null)";
	size_t max = spec->precision == NO_PRECISION ? SIZE_MAX : (size_t)spec->precision;
	format_text(out, spec, s, bounded_length(s, max));
}

static int64_t fetch_signed(enum length length, va_list *ap)
{
	switch (length) {
	case LEN_CHAR:    return (signed char)va_arg(*ap, int);
	case LEN_SHORT:   return (short)va_arg(*ap, int);
	case LEN_LONG:    return va_arg(*ap, long);
	case LEN_LLONG:   return va_arg(*ap, long long);
	case LEN_SIZE:    return va_arg(*ap, ptrdiff_t); /* the signed type of size_t's width */
	case LEN_INTMAX:  return va_arg(*ap, intmax_t);
	case LEN_PTRDIFF: return va_arg(*ap, ptrdiff_t);
	case LEN_INT:     break;
	}
	return va_arg(*ap, int);
}

static uint64_t fetch_unsigned(enum length length, va_list *ap)
{
	switch (length) {
	case LEN_CHAR:    return (unsigned char)va_arg(*ap, unsigned);
	case LEN_SHORT:   return (unsigned short)va_arg(*ap, unsigned);
	case LEN_LONG:    return va_arg(*ap, unsigned long);
	case LEN_LLONG:   return va_arg(*ap, unsigned long long);
	case LEN_SIZE:    return va_arg(*ap, size_t);
	case LEN_INTMAX:  return va_arg(*ap, uintmax_t);
	case LEN_PTRDIFF: return va_arg(*ap, size_t); /* the unsigned type of ptrdiff_t's width */
	case LEN_INT:     break;
	}
	return va_arg(*ap, unsigned);
}

static void format_signed(struct sink *out, const struct spec *spec, va_list *ap)
{
	int64_t value = fetch_signed(spec->length, ap);
	/* Negating in unsigned arithmetic keeps INT64_MIN well defined. */
	uint64_t magnitude = value < 0 ? 0 - (uint64_t)value : (uint64_t)value;
	format_number(out, spec, magnitude, value < 0, 10);
}

static unsigned base_of(char conversion)
{
	switch (conversion) {
	case 'o': return 8;
	case 'x':
	case 'X':
	case 'p': return 16;
	default:  return 10;
	}
}

/* Performs one conversion; returns false if the conversion character is not one we know. */
static bool format_conversion(struct sink *out, const struct spec *spec, va_list *ap)
{
	char c;

	switch (spec->conversion) {
	case 'd':
	case 'i':
		format_signed(out, spec, ap);
		return true;
	case 'u':
	case 'x':
	case 'X':
	case 'o':
		format_number(out, spec, fetch_unsigned(spec->length, ap), false,
			      base_of(spec->conversion));
		return true;
	case 'p':
		format_number(out, spec, (uintptr_t)va_arg(*ap, void *), false, 16);
		return true;
	case 'c':
		c = (char)va_arg(*ap, int);
		format_text(out, spec, &c, 1);
		return true;
	case 's':
		format_string(out, spec, va_arg(*ap, const char *));
		return true;
	case '%':
		put_char(out, '%');
		return true;
	default:
		return false;
	}
}

static unsigned parse_flags(const char **fmt)
{
	unsigned flags = 0;

	for (;; (*fmt)++) {
		switch (**fmt) {
		case '-': flags |= FLAG_LEFT; break;
		case '0': flags |= FLAG_ZERO; break;
		case '+': flags |= FLAG_PLUS; break;
		case ' ': flags |= FLAG_SPACE; break;
		case '#': flags |= FLAG_ALT; break;
		default:  return flags;
		}
	}
}

static int parse_decimal(const char **fmt)
{
	int n = 0;

	while (**fmt >= '0' && **fmt <= '9') {
		if (n < MAX_FIELD)
			n = n * 10 + (**fmt - '0');
		(*fmt)++;
	}
	return n < MAX_FIELD ? n : MAX_FIELD;
}

static int clamp_field(int n)
{
	return n > MAX_FIELD ? MAX_FIELD : n;
}

/* A negative '*' width means left-justify, as in C. */
static void parse_width(const char **fmt, struct spec *spec, va_list *ap)
{
	if (**fmt != '*') {
		spec->width = parse_decimal(fmt);
		return;
	}
	(*fmt)++;
	int width = va_arg(*ap, int);
	if (width < 0) {
		spec->flags |= FLAG_LEFT;
		width = width < -MAX_FIELD ? MAX_FIELD : -width; /* also keeps INT_MIN away */
	}
	spec->width = clamp_field(width);
}

/* A negative '*' precision counts as no precision at all, as in C. */
static void parse_precision(const char **fmt, struct spec *spec, va_list *ap)
{
	spec->precision = NO_PRECISION;
	if (**fmt != '.')
		return;
	(*fmt)++;
	if (**fmt != '*') {
		spec->precision = parse_decimal(fmt);
		return;
	}
	(*fmt)++;
	int precision = va_arg(*ap, int);
	spec->precision = precision < 0 ? NO_PRECISION : clamp_field(precision);
}

static enum length parse_length(const char **fmt)
{
	const char *p = *fmt;
	enum length length = LEN_INT;

	switch (*p) {
	case 'h':
		length = p[1] == 'h' ? LEN_CHAR : LEN_SHORT;
		p += p[1] == 'h' ? 2 : 1;
		break;
	case 'l':
		length = p[1] == 'l' ? LEN_LLONG : LEN_LONG;
		p += p[1] == 'l' ? 2 : 1;
		break;
	case 'z': length = LEN_SIZE; p++; break;
	case 'j': length = LEN_INTMAX; p++; break;
	case 't': length = LEN_PTRDIFF; p++; break;
	default: break;
	}
	*fmt = p;
	return length;
}

/* Reads a conversion specification; *fmt points just past the '%' and is left just past
 * the conversion character (or at the terminating NUL if the format ends early). */
static void parse_spec(const char **fmt, struct spec *spec, va_list *ap)
{
	spec->flags = parse_flags(fmt);
	parse_width(fmt, spec, ap);
	parse_precision(fmt, spec, ap);
	spec->length = parse_length(fmt);
	spec->conversion = **fmt;
	if (**fmt != '\0')
		(*fmt)++;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct sink out = { .buf = buf, .size = size, .pos = 0 };
	va_list args;

	/* A va_list parameter may be an array that decayed to a pointer, so &ap is not a
	 * va_list *; a local copy is. */
	va_copy(args, ap);
	while (*fmt != '\0') {
		if (*fmt != '%') {
			put_char(&out, *fmt++);
			continue;
		}
		const char *spec_start = fmt++;
		struct spec spec;
		parse_spec(&fmt, &spec, &args);
		if (!format_conversion(&out, &spec, &args))
			put_chars(&out, spec_start, (size_t)(fmt - spec_start));
	}
	va_end(args);

	if (size > 0)
		buf[out.pos < size ? out.pos : size - 1] = '\0';
	return out.pos > (size_t)INT_LIMIT ? INT_LIMIT : (int)out.pos;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int len = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return len;
}

void snappend(char *buf, size_t size, size_t *used, const char *fmt, ...)
{
	va_list ap;

	if (size == 0 || *used >= size - 1)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(buf + *used, size - *used, fmt, ap);
	va_end(ap);
	if (n > 0)
		*used += (size_t)n < size - 1 - *used ? (size_t)n : size - 1 - *used;
}
