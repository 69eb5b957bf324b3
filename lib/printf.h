/* Formatted output: a freestanding vsnprintf and the console printf built on it. */
#ifndef LIB_PRINTF_H
#define LIB_PRINTF_H

#include <stdarg.h>
#include <stddef.h>

/*
 * Supported conversions: %d %i %u %x %X %o %c %s %p %%, with flags '-', '0', '+', ' ', '#',
 * a field width and a precision (either may be '*'), and the length modifiers hh, h, l, ll,
 * z, j and t. Like C's: returns the length the full output would have had; always
 * NUL-terminates when size > 0. Unknown conversions are copied through literally.
 */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
int snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* snprintf onto the end of the text in buf: writes at *used and adds what it stored, so
 * *used stays the text's length; a full buffer cuts the text, never overruns it. */
void snappend(char *buf, size_t size, size_t *used, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Console output (kernel only). Each call is printed whole, never interleaved with the
 * other CPU's output. */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

#endif
