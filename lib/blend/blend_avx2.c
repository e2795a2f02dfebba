/*
 * "over" with AVX2 intrinsics, eight pixels a step (blend.h): the SSE2 version's arithmetic
 * on 256-bit registers (every operation works lane by lane, so pixels stay in order). This file
 * alone is compiled with -mavx2 (the Makefile says so), rather than marking the function with a
 * target attribute (a compiler extension): nothing else may be built for AVX2, since blend_best
 * calls it only on a CPU that has it.
 */
#include <immintrin.h>

#include "blend/blend.h"

/* Eight pixels of dst (d) under eight of src (s). Lanes of 32 bits hold whole pixels; the even
   bytes (blue, red) and the odd ones (green, alpha) are multiplied in 16-bit lanes apart, so
   no unpacking, packing or shuffling is needed (only shifts, masks and arithmetic). */
static inline __m256i over8(__m256i d, __m256i s)
{
    const __m256i low_bytes = _mm256_set1_epi32(0x00ff00ff), c255 = _mm256_set1_epi32(255),
                  c128 = _mm256_set1_epi16(128);
    __m256i inverse = _mm256_sub_epi32(c255, _mm256_srli_epi32(s, 24));
    inverse = _mm256_or_si256(inverse, _mm256_slli_epi32(inverse, 16)); /* in both 16-bit halves */
    __m256i even = _mm256_and_si256(d, low_bytes);
    __m256i odd = _mm256_srli_epi16(d, 8); /* the shift leaves the high bytes 0 */
    even = _mm256_add_epi16(_mm256_mullo_epi16(even, inverse), c128);
    odd = _mm256_add_epi16(_mm256_mullo_epi16(odd, inverse), c128);
    even = _mm256_srli_epi16(_mm256_add_epi16(even, _mm256_srli_epi16(even, 8)), 8);
    odd = _mm256_srli_epi16(_mm256_add_epi16(odd, _mm256_srli_epi16(odd, 8)), 8);
    return _mm256_adds_epu8(s, _mm256_or_si256(even, _mm256_slli_epi16(odd, 8)));
}

void blend_over_avx2(uint32_t *dst, const uint32_t *src, size_t n)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256i d = _mm256_loadu_si256((const __m256i *)(dst + i));
        __m256i s = _mm256_loadu_si256((const __m256i *)(src + i));
        _mm256_storeu_si256((__m256i *)(dst + i), over8(d, s));
    }
    for (; i < n; i++)
        dst[i] = blend_over_pixel(dst[i], src[i]);
}
