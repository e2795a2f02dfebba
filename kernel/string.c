/*
 * The memory functions GCC emits calls to in freestanding code (struct copies, zero-initialisation;
 * not memmove or memcmp: a call would fail the link) and two string functions. Byte loops, but
 * whole words by `rep stosq`/`rep movsq` (arch/x86_64/cpu.h) where both ends allow it: retyping
 * zeroes every object, and long messages are copied word by word.
 */
#include <stddef.h>
#include <stdint.h>

#include "arch/x86_64/cpu.h"
#include "string.h"

/* Both addresses and the length are whole words. */
static int words_aligned(const void *a, const void *b, size_t n)
{
    return (((uintptr_t)a | (uintptr_t)b | n) & 7) == 0;
}

void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
    if (words_aligned(dst, src, n)) {
        cpu_copy_words(dst, src, n / 8);
        return dst;
    }
    unsigned char *d = dst;
    const unsigned char *s = src;
    while (n--)
        *d++ = *s++;
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    if (words_aligned(dst, dst, n)) {
        cpu_store_words(dst, (uint8_t)c * 0x0101010101010101ull, n / 8);
        return dst;
    }
    unsigned char *d = dst;
    while (n--)
        *d++ = (unsigned char)c;
    return dst;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return (unsigned char)*a - (unsigned char)*b;
}
