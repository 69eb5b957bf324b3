/* Multiboot command line: "key=value key2 key3=value" into typed options. */
#ifndef LIB_CMDLINE_H
#define LIB_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum option_type {
	OPT_FLAG,   /* "key" sets true; "key=1|0|on|off|yes|no|true|false" too. dest: bool */
	OPT_UINT,   /* decimal or 0x-hex, checked against [min, max]. dest: uint64_t */
	OPT_STRING, /* any non-empty value, stored as a pointer into the parser's copy. dest: const char * */
	OPT_CHOICE, /* one of the '|'-separated words in `choices`; stores the index. dest: unsigned */
	OPT_CUSTOM, /* parsed by `parse`. dest: whatever parse expects */
};

struct option {
	const char *key;
	enum option_type type;
	void *dest;
	uint64_t min, max;   /* OPT_UINT only */
	const char *choices; /* OPT_CHOICE only, e.g. "seq|random" */
	/* What the value is called in the docs: "LIST" in exp=LIST; 0 for "N" (OPT_UINT), the
	 * choices (OPT_CHOICE) or "VALUE". README's option table (tests/options_md.c) is made
	 * of these and the help, whose default, if any, ends it as "(default: ...)". */
	const char *value_name;
	/* OPT_CUSTOM only: returns 0 on success, else writes a reason into err. */
	int (*parse)(const char *value, void *dest, char *err, size_t errlen);
	const char *help;    /* one line: what the option does, its default last (above) */
};

/*
 * Parses `cmdline` (NUL-terminated; tokens separated by spaces or tabs; a value may be
 * double-quoted to contain spaces) against `opts`. Returns 0 when every token was
 * understood. On the first bad token returns -1 and writes a message to err naming the
 * token, the reason, and (for an unknown key) the list of valid keys. Nothing is ignored
 * silently. The caller's string is not modified; string values point into `scratch`, a
 * buffer of at least strlen(cmdline) + 1 bytes that must outlive the options.
 */
int cmdline_parse(const char *cmdline, const struct option *opts, size_t nopts,
		  char *scratch, size_t scratch_len, char *err, size_t errlen);

/* Whether the command line has a token with this key ("key" or "key=..."), read with the
 * same tokenizing rules as cmdline_parse: for defaults that depend on what the user gave. */
bool cmdline_has_key(const char *cmdline, const char *key);

#endif
