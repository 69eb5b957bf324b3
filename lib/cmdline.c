/*
 * The command line parser. Every token is copied into the caller's scratch buffer as
 * "key\0value\0", which is never longer than the token plus its separator, so a buffer of
 * strlen(cmdline) + 1 bytes always suffices and the caller's string stays untouched.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/cmdline.h"
#include "lib/printf.h"
#include "lib/string.h"

#define FLAG_VALUES "0/1/on/off/yes/no/true/false"
/* Which options a line gave is one bit each (a key given twice is an error). */
#define MAX_OPTIONS 64
/* Only large ranges (addresses, masks) read better in hex; baud rates and timeouts don't. */
#define HEX_RANGE_ABOVE 0xffffffu

struct token {
	const char *key;   /* NUL-terminated, in scratch */
	const char *value; /* NUL-terminated, in scratch; NULL when the token has no '=' */
};

struct scanner {
	const char *in; /* next unread character of the command line */
	char *out;      /* next free byte of scratch */
};

__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (errlen > 0)
		vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* Newlines count as separators too: some boot loaders leave one at the end. */
static bool is_separator(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static const char *skip_separators(const char *p)
{
	while (is_separator(*p))
		p++;
	return p;
}

static void copy_word(struct scanner *s, char stop)
{
	while (*s->in != '\0' && !is_separator(*s->in) && *s->in != stop)
		*s->out++ = *s->in++;
	*s->out++ = '\0';
}

/* A quoted value runs to the next '"'; quotes do not nest and there are no escapes. */
static int copy_quoted(struct scanner *s, const char *key, char *err, size_t errlen)
{
	s->in++;
	while (*s->in != '\0' && *s->in != '"')
		*s->out++ = *s->in++;
	*s->out++ = '\0';
	if (*s->in != '"')
		return fail(err, errlen, "option '%s': value has no closing '\"'", key);
	s->in++;
	if (*s->in != '\0' && !is_separator(*s->in))
		return fail(err, errlen, "option '%s': unexpected text after the closing '\"'",
			    key);
	return 0;
}

static size_t token_length(const char *p)
{
	size_t n = 0;

	while (p[n] != '\0' && !is_separator(p[n]))
		n++;
	return n;
}

static int read_token(struct scanner *s, struct token *t, char *err, size_t errlen)
{
	const char *start = s->in;

	t->key = s->out;
	t->value = NULL;
	copy_word(s, '=');
	if (t->key[0] == '\0')
		return fail(err, errlen, "'%.*s': missing option name before '='",
			    (int)token_length(start), start);
	if (*s->in != '=')
		return 0;
	s->in++;
	t->value = s->out;
	if (*s->in == '"')
		return copy_quoted(s, t->key, err, errlen);
	copy_word(s, '\0');
	return 0;
}

static const struct option *find_option(const struct option *opts, size_t nopts,
					const char *key)
{
	for (size_t i = 0; i < nopts; i++) {
		if (opts[i].key != NULL && strcmp(opts[i].key, key) == 0)
			return &opts[i];
	}
	return NULL;
}

static int report_unknown(const struct option *opts, size_t nopts, const char *key,
			  char *err, size_t errlen)
{
	size_t used = 0;

	snappend(err, errlen, &used, "unknown option '%s'; valid options: ", key);
	if (nopts == 0)
		snappend(err, errlen, &used, "(none)");
	for (size_t i = 0; i < nopts; i++)
		snappend(err, errlen, &used, "%s%s", i > 0 ? ", " : "", opts[i].key);
	return -1;
}

static int needs_value(const struct option *opt, char *err, size_t errlen)
{
	return fail(err, errlen, "option '%s' needs a value", opt->key);
}

/* Looks `value` up among the accepted spellings; false if it is none of them. */
static bool flag_word(const char *value, bool *result)
{
	static const char *const yes[] = { "1", "on", "yes", "true" };
	static const char *const no[] = { "0", "off", "no", "false" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcmp(value, yes[i]) == 0) {
			*result = true;
			return true;
		}
		if (strcmp(value, no[i]) == 0) {
			*result = false;
			return true;
		}
	}
	return false;
}

static int set_flag(const struct option *opt, const char *value, char *err, size_t errlen)
{
	bool *dest = opt->dest;

	if (value == NULL) {
		*dest = true;
		return 0;
	}
	if (!flag_word(value, dest))
		return fail(err, errlen, "flag '%s' takes no value other than " FLAG_VALUES,
			    opt->key);
	return 0;
}

enum number_status { NUMBER_OK, NUMBER_INVALID, NUMBER_TOO_LARGE };

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool is_hex_text(const char *text)
{
	return text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
}

/* Spelled out per base so the compiler folds the limits: a runtime 64-bit division would
 * pull in libgcc's __udivdi3 on i386. */
static bool would_overflow(uint64_t value, unsigned digit, bool hex)
{
	if (hex)
		return (value >> 60) != 0;
	return value > UINT64_MAX / 10 || (value == UINT64_MAX / 10 && digit > UINT64_MAX % 10);
}

/* Decimal, or hex after "0x"/"0X". A leading 0 does not mean octal: "010" is ten. Keeps
 * scanning after an overflow so that "99999999999999999999x" is reported as not a number. */
static enum number_status parse_number(const char *text, uint64_t *result)
{
	bool hex = is_hex_text(text);
	unsigned base = hex ? 16 : 10;
	bool overflow = false;
	uint64_t value = 0;

	if (hex)
		text += 2;
	if (*text == '\0')
		return NUMBER_INVALID;
	for (; *text != '\0'; text++) {
		int digit = digit_value(*text);
		if (digit < 0 || (unsigned)digit >= base)
			return NUMBER_INVALID;
		if (would_overflow(value, (unsigned)digit, hex))
			overflow = true;
		value = value * base + (unsigned)digit;
	}
	*result = value;
	return overflow ? NUMBER_TOO_LARGE : NUMBER_OK;
}

static void format_range(char *buf, size_t len, uint64_t min, uint64_t max, bool hex)
{
	if (hex)
		snprintf(buf, len, "0x%llx..0x%llx", (unsigned long long)min, (unsigned long long)max);
	else
		snprintf(buf, len, "%llu..%llu", (unsigned long long)min, (unsigned long long)max);
}

static int set_uint(const struct option *opt, const char *value, char *err, size_t errlen)
{
	uint64_t number = 0;
	char range[48];

	if (value == NULL || value[0] == '\0')
		return needs_value(opt, err, errlen);
	enum number_status status = parse_number(value, &number);
	if (status == NUMBER_INVALID)
		return fail(err, errlen, "option '%s': '%s' is not a number", opt->key, value);
	if (status == NUMBER_TOO_LARGE || number < opt->min || number > opt->max) {
		/* Echo the value as typed, and the range in the same base. */
		format_range(range, sizeof(range), opt->min, opt->max, is_hex_text(value));
		return fail(err, errlen, "option '%s': %s is out of range %s", opt->key, value,
			    range);
	}
	*(uint64_t *)opt->dest = number;
	return 0;
}

static int set_string(const struct option *opt, const char *value, char *err, size_t errlen)
{
	if (value == NULL || value[0] == '\0')
		return needs_value(opt, err, errlen);
	*(const char **)opt->dest = value;
	return 0;
}

/* Finds `value` among the '|'-separated words; returns the word's index or -1. */
static int choice_index(const char *choices, const char *value)
{
	size_t value_len = strlen(value);
	int index = 0;

	while (choices != NULL) {
		const char *bar = strchr(choices, '|');
		size_t word_len = bar != NULL ? (size_t)(bar - choices) : strlen(choices);
		if (word_len == value_len && strncmp(choices, value, word_len) == 0)
			return index;
		choices = bar != NULL ? bar + 1 : NULL;
		index++;
	}
	return -1;
}

static int set_choice(const struct option *opt, const char *value, char *err, size_t errlen)
{
	if (value == NULL || value[0] == '\0')
		return needs_value(opt, err, errlen);
	int index = choice_index(opt->choices, value);
	if (index < 0)
		return fail(err, errlen, "option '%s': '%s' is not one of %s", opt->key, value,
			    opt->choices != NULL ? opt->choices : "(no choices)");
	*(unsigned *)opt->dest = (unsigned)index;
	return 0;
}

/* The parser's reason goes through a local buffer so it can be prefixed with the key. */
static int set_custom(const struct option *opt, const char *value, char *err, size_t errlen)
{
	char reason[128];

	if (value == NULL)
		return needs_value(opt, err, errlen);
	if (opt->parse == NULL)
		return fail(err, errlen, "option '%s' has no parser", opt->key);
	reason[0] = '\0';
	if (opt->parse(value, opt->dest, reason, sizeof(reason)) == 0)
		return 0;
	reason[sizeof(reason) - 1] = '\0';
	if (reason[0] == '\0')
		return fail(err, errlen, "option '%s': '%s' is not valid", opt->key, value);
	return fail(err, errlen, "option '%s': %s", opt->key, reason);
}

static int apply_option(const struct option *opt, const char *value, char *err,
			size_t errlen)
{
	switch (opt->type) {
	case OPT_FLAG:   return set_flag(opt, value, err, errlen);
	case OPT_UINT:   return set_uint(opt, value, err, errlen);
	case OPT_STRING: return set_string(opt, value, err, errlen);
	case OPT_CHOICE: return set_choice(opt, value, err, errlen);
	case OPT_CUSTOM: return set_custom(opt, value, err, errlen);
	}
	return fail(err, errlen, "option '%s' has an unknown type %d", opt->key, (int)opt->type);
}

/*
 * The command line comes from a boot loader's prompt or config and may hold any byte;
 * echoed raw into the log, a control byte would garble it (or the terminal showing it).
 * Rewrites err with every byte outside printable ASCII as \xNN and a backslash as \\,
 * truncating (never mid-escape) when the result does not fit.
 */
static void escape_unprintable(char *err, size_t errlen)
{
	char raw[512];
	size_t used = 0;

	if (errlen == 0)
		return;
	snprintf(raw, sizeof(raw), "%s", err);
	for (const char *p = raw; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;
		char escaped[5];
		if (c == '\\')
			snprintf(escaped, sizeof(escaped), "\\\\");
		else if (c < 0x20 || c > 0x7e)
			snprintf(escaped, sizeof(escaped), "\\x%02x", c);
		else
			snprintf(escaped, sizeof(escaped), "%c", c);
		size_t n = strlen(escaped);
		if (used + n > errlen - 1)
			break;
		memcpy(err + used, escaped, n);
		used += n;
	}
	err[used] = '\0';
}

static int parse_tokens(const char *first, const struct option *opts, size_t nopts,
			char *scratch, char *err, size_t errlen)
{
	struct scanner s = { .in = first, .out = scratch };
	uint64_t given = 0;

	while (*s.in != '\0') {
		struct token t;
		if (read_token(&s, &t, err, errlen) != 0)
			return -1;
		const struct option *opt = find_option(opts, nopts, t.key);
		if (opt == NULL)
			return report_unknown(opts, nopts, t.key, err, errlen);
		uint64_t bit = 1ull << (opt - opts);
		if (given & bit)
			return fail(err, errlen, "option '%s' is given twice; give each option once",
				    opt->key);
		given |= bit;
		if (apply_option(opt, t.value, err, errlen) != 0)
			return -1;
		s.in = skip_separators(s.in);
	}
	return 0;
}

int cmdline_parse(const char *cmdline, const struct option *opts, size_t nopts,
		  char *scratch, size_t scratch_len, char *err, size_t errlen)
{
	if (errlen > 0)
		err[0] = '\0';
	if (cmdline == NULL)
		return 0;
	/* A blank line needs no scratch at all, so callers may pass none for it. */
	const char *first = skip_separators(cmdline);
	if (*first == '\0')
		return 0;
	size_t needed = strlen(cmdline) + 1;
	if (scratch == NULL || scratch_len < needed)
		return fail(err, errlen,
			    "scratch buffer too small for the command line: need %zu bytes, have %zu",
			    needed, scratch == NULL ? (size_t)0 : scratch_len);

	if (nopts > MAX_OPTIONS)
		return fail(err, errlen, "%zu options in the table; the parser takes at most %d",
			    nopts, MAX_OPTIONS);
	if (parse_tokens(first, opts, nopts, scratch, err, errlen) == 0)
		return 0;
	escape_unprintable(err, errlen);
	return -1;
}

/* The end of the token at p: its key, then a value, which may be quoted. */
static const char *skip_token(const char *p)
{
	while (*p != '\0' && !is_separator(*p) && *p != '=')
		p++;
	if (*p != '=')
		return p;
	if (*++p == '"') {
		for (p++; *p != '\0' && *p != '"'; p++)
			;
		if (*p == '"')
			p++;
	}
	while (*p != '\0' && !is_separator(*p))
		p++;
	return p;
}

bool cmdline_has_key(const char *cmdline, const char *key)
{
	size_t n = strlen(key);
	for (const char *p = cmdline ? skip_separators(cmdline) : ""; *p != '\0';
	     p = skip_separators(skip_token(p)))
		if (strncmp(p, key, n) == 0 && (p[n] == '=' || p[n] == '\0' || is_separator(p[n])))
			return true;
	return false;
}
