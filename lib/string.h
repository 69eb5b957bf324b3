/* The few string and memory functions the kernel needs (freestanding: no libc). */
#ifndef LIB_STRING_H
#define LIB_STRING_H

#include <stddef.h>

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);

/* A macro's value as a string literal, for text fixed at compile time that must say the
 * value the code uses: VALUE_TEXT(DEFAULT_BAUD) is "115200". */
#define VALUE_TEXT(macro) VALUE_TEXT_OF_(macro)
#define VALUE_TEXT_OF_(value) #value

#endif
