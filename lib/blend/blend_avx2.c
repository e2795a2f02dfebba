/*
 * "over" with AVX2 intrinsics, eight pixels a step (blend.h): the SSE2 version's arithmetic
 * on 256-bit registers (unpack, shuffle and pack work within each 128-bit lane, so the lanes
 * stay in order). This file alone is compiled with -mavx2 (the Makefile says so), rather than
 * marking the function with a target attribute (a compiler extension): nothing else may be
 * built for AVX2, since blend_best calls it only on a CPU that has it.
 */
#include <immintrin.h>

#include "blend/blend.h"

static inline __m256i over8(__m256i d, __m256i s)
{
    const __m256i zero = _mm256_setzero_si256(), c255 = _mm256_set1_epi16(255),
                  c128 = _mm256_set1_epi16(128);
    __m256i s_lo = _mm256_unpacklo_epi8(s, zero), s_hi = _mm256_unpackhi_epi8(s, zero);
    __m256i a_lo = _mm256_shufflehi_epi16(_mm256_shufflelo_epi16(s_lo, 0xff), 0xff);
    __m256i a_hi = _mm256_shufflehi_epi16(_mm256_shufflelo_epi16(s_hi, 0xff), 0xff);
    __m256i t_lo = _mm256_add_epi16(
        _mm256_mullo_epi16(_mm256_unpacklo_epi8(d, zero), _mm256_sub_epi16(c255, a_lo)), c128);
    __m256i t_hi = _mm256_add_epi16(
        _mm256_mullo_epi16(_mm256_unpackhi_epi8(d, zero), _mm256_sub_epi16(c255, a_hi)), c128);
    t_lo = _mm256_srli_epi16(_mm256_add_epi16(t_lo, _mm256_srli_epi16(t_lo, 8)), 8);
    t_hi = _mm256_srli_epi16(_mm256_add_epi16(t_hi, _mm256_srli_epi16(t_hi, 8)), 8);
    return _mm256_adds_epu8(s, _mm256_packus_epi16(t_lo, t_hi));
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
