/* The kernel's own memory and string functions (kernel/string.c). */
#ifndef MISSIVE_STRING_H
#define MISSIVE_STRING_H

#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memset(void *dst, int c, size_t n);
/* Not in the kernel (no caller): for the host tests, whose C library has them. */
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);

#endif
