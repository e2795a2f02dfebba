/*
 * The scalar "over" (blend.h) and the choice among the versions.
 */
#include "blend/blend.h"

#include <cpuid.h>

void blend_over_scalar(uint32_t *dst, const uint32_t *src, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = blend_over_pixel(dst[i], src[i]);
}

/* XCR0 through xgetbv: inline assembly, because the _xgetbv intrinsic needs the whole file
   compiled with -mxsave, which would let the compiler use XSAVE instructions where the CPU
   may not have them. Only called once CPUID said OSXSAVE. */
static uint64_t blend_xcr0(void)
{
    uint32_t low, high;
    __asm__ volatile("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
    return (uint64_t)high << 32 | low;
}

int blend_has_avx2(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return 0;
    if (!(c & bit_OSXSAVE) || !(c & bit_AVX))
        return 0;
    if ((blend_xcr0() & 6) != 6) /* SSE and AVX state saved by the system */
        return 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
        return 0;
    return (b & bit_AVX2) != 0;
}

blend_over_fn blend_best(enum blend_kind *kind)
{
    enum blend_kind k = blend_has_avx2() ? BLEND_AVX2 : BLEND_SSE2;
    if (kind)
        *kind = k;
    return k == BLEND_AVX2 ? blend_over_avx2 : blend_over_sse2;
}
