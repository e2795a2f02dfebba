/*
 * Host unit tests for lib/blend: the reference pixel against the exact arithmetic for every
 * byte and alpha, known pixels (opaque, transparent, half), and the SSE2 and AVX2 versions
 * against the scalar one, bit for bit, on random pixels (valid premultiplied ones and any
 * bytes at all) for every length up to 70, every start offset 0-7 of both buffers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "blend/blend.h"

static uint64_t seed = 0x9e3779b97f4a7c15ull;

static uint32_t random32(void)
{
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return (uint32_t)(seed >> 16);
}

/* A premultiplied pixel: each colour byte at most alpha; some fully opaque or clear. */
static uint32_t random_premultiplied(void)
{
    uint32_t r = random32(), a = r >> 24;
    if ((r & 7) == 0)
        a = 255;
    else if ((r & 7) == 1)
        a = 0;
    uint32_t p = a << 24;
    for (unsigned shift = 0; shift < 24; shift += 8)
        p |= (a ? random32() % (a + 1) : 0) << shift;
    return p;
}

static void test_pixel_exact(void **state)
{
    (void)state;
    /* every destination byte under every source alpha (source colour 0): round(x*(255-a)/255) */
    for (uint32_t a = 0; a < 256; a++)
        for (uint32_t x = 0; x < 256; x++) {
            uint32_t got = blend_over_pixel(x * 0x01010101u, a << 24);
            uint32_t want = (2 * x * (255 - a) + 255) / 510; /* nearest, halves up */
            assert_int_equal(got & 0xff, want);
            assert_int_equal(got >> 8 & 0xff, want);
            assert_int_equal(got >> 16 & 0xff, want);
            assert_int_equal(got >> 24, (a + want > 255 ? 255 : a + want));
        }
}

static void test_pixel_known(void **state)
{
    (void)state;
    assert_int_equal(blend_over_pixel(0xff123456, 0xffabcdef), 0xffabcdef); /* opaque wins */
    assert_int_equal(blend_over_pixel(0xff123456, 0x00000000), 0xff123456); /* clear: none */
    /* half-transparent white (premultiplied 0x80808080) over opaque black */
    assert_int_equal(blend_over_pixel(0xff000000, 0x80808080), 0xff808080);
    /* half red over opaque blue: 0x80 red, blue 0xff * 127 / 255 = 127 */
    assert_int_equal(blend_over_pixel(0xff0000ff, 0x80800000), 0xff80007f);
    /* an invalid pixel (colour above alpha) saturates rather than wraps */
    assert_int_equal(blend_over_pixel(0xffffffff, 0x00ffffff), 0xffffffff);
}

static void check_against_scalar(blend_over_fn fn, const char *name, int any_bytes)
{
    enum { MAX = 70, PAD = 8 };
    uint32_t src[MAX + PAD], dst[MAX + PAD], want[MAX + PAD];
    for (int round = 0; round < 20; round++)
        for (size_t n = 0; n <= MAX; n++)
            for (size_t off_d = 0; off_d < PAD; off_d++) {
                size_t off_s = (off_d * 5 + n) % PAD;
                for (size_t i = 0; i < MAX + PAD; i++) {
                    src[i] = any_bytes ? random32() : random_premultiplied();
                    dst[i] = any_bytes ? random32() : random_premultiplied();
                }
                memcpy(want, dst, sizeof dst);
                blend_over_scalar(want + off_d, src + off_s, n);
                fn(dst + off_d, src + off_s, n);
                if (memcmp(want, dst, sizeof dst) != 0) {
                    fprintf(stderr, "%s differs: n %zu, offsets %zu %zu\n", name, n, off_d, off_s);
                    fail();
                }
            }
}

static void test_sse2_equals_scalar(void **state)
{
    (void)state;
    check_against_scalar(blend_over_sse2, "sse2", 0);
    check_against_scalar(blend_over_sse2, "sse2", 1);
}

static void test_avx2_equals_scalar(void **state)
{
    (void)state;
    if (!blend_has_avx2()) {
        fprintf(stderr, "this host has no AVX2: the AVX2 version is checked in the guest only\n");
        skip();
    }
    check_against_scalar(blend_over_avx2, "avx2", 0);
    check_against_scalar(blend_over_avx2, "avx2", 1);
    enum blend_kind kind;
    assert_ptr_equal(blend_best(&kind), blend_over_avx2);
    assert_int_equal(kind, BLEND_AVX2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pixel_exact),
        cmocka_unit_test(test_pixel_known),
        cmocka_unit_test(test_sse2_equals_scalar),
        cmocka_unit_test(test_avx2_equals_scalar),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
