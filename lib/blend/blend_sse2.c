/*
 * "over" with SSE2 intrinsics, four pixels a step (blend.h). SSE2 is part of x86_64, so this
 * file needs no special flags. Each byte is widened to 16 bits, multiplied by 255 - alpha,
 * divided by 255 with the same rounding as blend_over_pixel ((t + (t >> 8)) >> 8 with t = x *
 * (255 - a) + 128) and added to the source with unsigned saturation.
 */
#include <emmintrin.h>

#include "blend/blend.h"

/* Four pixels of dst (d) under four of src (s). */
static inline __m128i over4(__m128i d, __m128i s)
{
    const __m128i zero = _mm_setzero_si128(), c255 = _mm_set1_epi16(255),
                  c128 = _mm_set1_epi16(128);
    __m128i s_lo = _mm_unpacklo_epi8(s, zero), s_hi = _mm_unpackhi_epi8(s, zero);
    /* each pixel's alpha in its four words, then 255 - alpha */
    __m128i a_lo = _mm_shufflehi_epi16(_mm_shufflelo_epi16(s_lo, 0xff), 0xff);
    __m128i a_hi = _mm_shufflehi_epi16(_mm_shufflelo_epi16(s_hi, 0xff), 0xff);
    __m128i t_lo =
        _mm_add_epi16(_mm_mullo_epi16(_mm_unpacklo_epi8(d, zero), _mm_sub_epi16(c255, a_lo)), c128);
    __m128i t_hi =
        _mm_add_epi16(_mm_mullo_epi16(_mm_unpackhi_epi8(d, zero), _mm_sub_epi16(c255, a_hi)), c128);
    t_lo = _mm_srli_epi16(_mm_add_epi16(t_lo, _mm_srli_epi16(t_lo, 8)), 8);
    t_hi = _mm_srli_epi16(_mm_add_epi16(t_hi, _mm_srli_epi16(t_hi, 8)), 8);
    return _mm_adds_epu8(s, _mm_packus_epi16(t_lo, t_hi));
}

void blend_over_sse2(uint32_t *dst, const uint32_t *src, size_t n)
{
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        __m128i d = _mm_loadu_si128((const __m128i *)(dst + i));
        __m128i s = _mm_loadu_si128((const __m128i *)(src + i));
        _mm_storeu_si128((__m128i *)(dst + i), over4(d, s));
    }
    for (; i < n; i++)
        dst[i] = blend_over_pixel(dst[i], src[i]);
}
