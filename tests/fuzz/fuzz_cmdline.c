/*
 * libFuzzer target: lib/cmdline.c on any bytes, with an option of every type. Invariants:
 * the result is 0 or -1; a failure has a printable, NUL-terminated, non-empty message
 * (also when the error buffer is tiny); a success leaves no message and every value in
 * its range; string values point into scratch; scratch of strlen + 1 bytes is enough.
 */
#include <stdbool.h>
#include <stdint.h>

#include "lib/cmdline.h"
#include "lib/printf.h"
#include "tests/fuzz/fuzz_common.h"

struct values {
	bool flag;
	uint64_t number, big;
	const char *text;
	unsigned choice;
	int custom;
};

static int parse_digit(const char *value, void *dest, char *err, size_t errlen)
{
	if (value[0] >= '0' && value[0] <= '9' && value[1] == 0) {
		*(int *)dest = value[0] - '0';
		return 0;
	}
	/* A custom parser's reason echoes the value, as the kernel's exp= parser does. */
	snprintf(err, errlen, "'%s' is not one digit", value);
	return -1;
}

static int parse_silently(const char *value, void *dest, char *err, size_t errlen)
{
	(void)dest, (void)err, (void)errlen;
	return value[0] == 'x' ? -1 : 0;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct values v = { .number = 7, .choice = 0 };
	int silent = 0;
	const struct option opts[] = {
		{ .key = "flag", .type = OPT_FLAG, .dest = &v.flag },
		{ .key = "n", .type = OPT_UINT, .dest = &v.number, .min = 3, .max = 300 },
		{ .key = "big", .type = OPT_UINT, .dest = &v.big, .min = 0, .max = UINT64_MAX },
		{ .key = "text", .type = OPT_STRING, .dest = &v.text },
		{ .key = "order", .type = OPT_CHOICE, .dest = &v.choice, .choices = "seq|random|x" },
		{ .key = "digit", .type = OPT_CUSTOM, .dest = &v.custom, .parse = parse_digit },
		{ .key = "silent", .type = OPT_CUSTOM, .dest = &silent, .parse = parse_silently },
	};
	size_t nopts = sizeof(opts) / sizeof(opts[0]);
	char *line = input_string(data, size);
	size_t need = strlen(line) + 1;
	char *scratch = malloc(need);
	/* The first byte also picks a small error buffer, to exercise truncation. */
	size_t small = size ? 1 + data[0] % 40 : 1;
	char err[512], *tiny = malloc(small);

	int ret = cmdline_parse(line, opts, nopts, scratch, need, err, sizeof(err));
	REQUIRE(ret == 0 || ret == -1);
	if (ret == 0) {
		REQUIRE(err[0] == 0);
		REQUIRE(v.number >= 3 && v.number <= 300);
		REQUIRE(v.choice <= 2);
		REQUIRE(v.custom >= 0 && v.custom <= 9);
		if (v.text) {
			REQUIRE(v.text >= scratch && v.text < scratch + need);
			size_t room = (size_t)(scratch + need - v.text);
			REQUIRE(bounded_length(v.text, room) < room);
			REQUIRE(v.text[0] != 0);
		}
	} else {
		require_message(err, sizeof(err));
	}
	/* The same line, the same verdict, with any error buffer. */
	int again = cmdline_parse(line, opts, nopts, scratch, need, tiny, small);
	REQUIRE(again == ret);
	if (ret)
		require_message(tiny, small);
	else
		REQUIRE(tiny[0] == 0);
	free(tiny);
	free(scratch);
	free(line);
	return 0;
}
