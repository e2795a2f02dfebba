/*
 * Porter-Duff "over" on premultiplied ARGB32 (docs/graphics.md): dst = src + dst * (255 -
 * src.alpha) / 255, each of the four bytes, the division rounded to nearest and the sum
 * saturated at 255 (a valid premultiplied pixel never needs it; an invalid one must not wrap).
 * Three versions that give the same bytes, bit for bit: scalar C (the reference the tests
 * hold the others to), SSE2 (every x86_64) and AVX2 (chosen at run time when CPUID says the
 * CPU has it and XCR0 says the system saves its state). Pure C: host tests compile it as is.
 */
#ifndef MISSIVE_BLEND_H
#define MISSIVE_BLEND_H

#include <stddef.h>
#include <stdint.h>

typedef void (*blend_over_fn)(uint32_t *dst, const uint32_t *src, size_t n);

/* dst[i] = src[i] over dst[i] for i < n; any alignment, any n. */
void blend_over_scalar(uint32_t *dst, const uint32_t *src, size_t n);
void blend_over_sse2(uint32_t *dst, const uint32_t *src, size_t n);
void blend_over_avx2(uint32_t *dst, const uint32_t *src, size_t n); /* only if blend_has_avx2 */

/* One pixel, the reference for everything above. */
static inline uint32_t blend_over_pixel(uint32_t dst, uint32_t src)
{
    uint32_t inverse = 255 - (src >> 24), out = 0;
    for (unsigned shift = 0; shift < 32; shift += 8) {
        uint32_t t = ((dst >> shift) & 0xff) * inverse + 128;
        uint32_t sum = ((src >> shift) & 0xff) + ((t + (t >> 8)) >> 8);
        out |= (sum > 255 ? 255 : sum) << shift;
    }
    return out;
}

/* Whether this CPU runs AVX2 and the system saves the YMM registers (CPUID.7:EBX.AVX2,
   CPUID.1:ECX.OSXSAVE and AVX, XCR0 bits 1 and 2). */
int blend_has_avx2(void);

enum blend_kind { BLEND_SCALAR = 0, BLEND_SSE2 = 1, BLEND_AVX2 = 2 };

/* The fastest version this CPU has (kind, if not NULL, says which). */
blend_over_fn blend_best(enum blend_kind *kind);

#endif
