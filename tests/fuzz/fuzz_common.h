/* What every fuzz target checks about an error message. */
#ifndef TESTS_FUZZ_COMMON_H
#define TESTS_FUZZ_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A failed invariant stops the fuzzer with the input saved (abort is a crash to it). */
#define REQUIRE(cond)                                                                    \
	do {                                                                             \
		if (!(cond)) {                                                           \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                         \
		}                                                                        \
	} while (0)

/* strlen within len bytes (len when there is no NUL: C11 has no strnlen). */
static inline size_t bounded_length(const char *s, size_t len)
{
	size_t n = 0;
	while (n < len && s[n])
		n++;
	return n;
}

/* A failure has a message: NUL-terminated within the buffer and not empty. */
static inline size_t require_terminated_message(const char *err, size_t errlen)
{
	size_t n = bounded_length(err, errlen);
	REQUIRE(n < errlen);
	REQUIRE(n > 0 || errlen == 1);
	return n;
}

/* What the parser hands on for the log is also printable ASCII only (the command line's
 * bytes escaped): it goes into the serial log as it is. */
static inline void require_message(const char *err, size_t errlen)
{
	size_t n = require_terminated_message(err, errlen);
	for (size_t i = 0; i < n; i++)
		REQUIRE(err[i] >= 0x20 && err[i] <= 0x7e);
}

/* The input as a C string, in a buffer of exactly its size (ASan sees any overrun). */
static inline char *input_string(const unsigned char *data, size_t size)
{
	char *s = malloc(size + 1);
	memcpy(s, data, size);
	s[size] = 0;
	return s;
}

#endif
