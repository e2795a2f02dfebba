/*
 * "over" with SSE2 intrinsics, four pixels a step (blend.h). SSE2 is part of x86_64, so this
 * file needs no special flags. Each byte is multiplied by 255 - alpha in a 16-bit lane,
 * divided by 255 with the same rounding as blend_over_pixel ((t + (t >> 8)) >> 8 with t = x *
 * (255 - a) + 128) and added to the source with unsigned saturation. Only shifts, masks and
 * arithmetic: no unpack, pack or shuffle, which QEMU's TCG emulates slowly.
 */
#include <emmintrin.h>

#include "blend/blend.h"

/* Four pixels of dst (d) under four of src (s). Lanes of 32 bits hold whole pixels; the even
   bytes (blue, red) and the odd ones (green, alpha) are multiplied in 16-bit lanes apart, so
   no unpacking, packing or shuffling is needed (only shifts, masks and arithmetic). */
static inline __m128i over4(__m128i d, __m128i s)
{
    const __m128i low_bytes = _mm_set1_epi32(0x00ff00ff), c255 = _mm_set1_epi32(255),
                  c128 = _mm_set1_epi16(128);
    __m128i inverse = _mm_sub_epi32(c255, _mm_srli_epi32(s, 24));
    inverse = _mm_or_si128(inverse, _mm_slli_epi32(inverse, 16)); /* in both 16-bit halves */
    __m128i even = _mm_and_si128(d, low_bytes);
    __m128i odd = _mm_srli_epi16(d, 8); /* the shift leaves the high bytes 0 */
    even = _mm_add_epi16(_mm_mullo_epi16(even, inverse), c128);
    odd = _mm_add_epi16(_mm_mullo_epi16(odd, inverse), c128);
    even = _mm_srli_epi16(_mm_add_epi16(even, _mm_srli_epi16(even, 8)), 8);
    odd = _mm_srli_epi16(_mm_add_epi16(odd, _mm_srli_epi16(odd, 8)), 8);
    return _mm_adds_epu8(s, _mm_or_si128(even, _mm_slli_epi16(odd, 8)));
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
