/* The kernel's own memory and string functions (kernel/string.c). */
#ifndef MISSIVE_STRING_H
#define MISSIVE_STRING_H

#include <stddef.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memset(void *dst, int c, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);

#endif
