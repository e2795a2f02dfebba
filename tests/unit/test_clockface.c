/*
 * Host unit tests for the clock's face (apps/clock/face.c): the time format, the sweeping
 * bar, and the drawing with the real font: premultiplied pixels everywhere (no colour channel
 * above alpha), the digits where the font's glyphs put them at twice their size.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "../../apps/clock/face.h"

static void test_format(void **state)
{
    (void)state;
    char s[9];
    face_format(0, s);
    assert_string_equal(s, "00:00:00");
    face_format(999, s);
    assert_string_equal(s, "00:00:00");
    face_format(61 * 1000 + 5, s);
    assert_string_equal(s, "00:01:01");
    face_format((3600ull * 12 + 60 * 34 + 56) * 1000, s);
    assert_string_equal(s, "12:34:56");
    face_format(3600ull * 100 * 1000 + 1000, s); /* hours wrap at 100 */
    assert_string_equal(s, "00:00:01");
    face_format(UINT64_MAX, s);
    assert_int_equal(strlen(s), 8);
}

static void test_bar(void **state)
{
    (void)state;
    assert_int_equal(face_bar_width(0), 0);
    assert_int_equal(face_bar_width(1000), 0);
    assert_int_equal(face_bar_width(500), (FACE_WIDTH - 2 * FACE_MARGIN) / 2);
    int last = -1;
    for (uint64_t ms = 0; ms < 1000; ms++) {
        int w = face_bar_width(ms);
        assert_true(w >= last && w < FACE_WIDTH - 2 * FACE_MARGIN);
        last = w;
    }
}

static void test_draw(void **state)
{
    (void)state;
    static uint8_t data[65536];
    char path[512];
    snprintf(path, sizeof path, "%s/ter-10x20.psf", PSF_TEST_FONT_DIR);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t size = fread(data, 1, sizeof data, f);
    fclose(f);
    struct psf_font font;
    assert_int_equal(psf_parse(&font, data, size), PSF_OK);
    enum { STRIDE = FACE_WIDTH + 5 };
    static uint32_t pixels[STRIDE * FACE_HEIGHT];
    for (size_t i = 0; i < STRIDE * FACE_HEIGHT; i++)
        pixels[i] = 0x12345678;
    uint64_t ms = (3600ull + 23 * 60 + 45) * 1000 + 250;
    face_draw(pixels, STRIDE, &font, ms);
    for (int y = 0; y < FACE_HEIGHT; y++)
        for (int x = 0; x < STRIDE; x++) {
            uint32_t p = pixels[y * STRIDE + x];
            if (x >= FACE_WIDTH) {
                assert_int_equal(p, 0x12345678); /* the stride's slack is left alone */
                continue;
            }
            unsigned a = p >> 24;
            assert_true(((p >> 16) & 0xff) <= a && ((p >> 8) & 0xff) <= a && (p & 0xff) <= a);
        }
    /* Each digit pixel where the glyph of "01:23:45" has one, doubled; the panel around. */
    const char *text = "01:23:45";
    int x0 = (FACE_WIDTH - 8 * 10 * FACE_SCALE) / 2;
    for (int i = 0; i < 8; i++) {
        uint32_t g = psf_glyph_index(&font, (uint8_t)text[i]);
        for (int y = 0; y < 20 * FACE_SCALE; y++)
            for (int x = 0; x < 10 * FACE_SCALE; x++) {
                bool set =
                    psf_pixel(&font, g, (uint32_t)(x / FACE_SCALE), (uint32_t)(y / FACE_SCALE));
                uint32_t p = pixels[(FACE_MARGIN + y) * STRIDE + x0 + i * 10 * FACE_SCALE + x];
                assert_int_equal(p, set ? FACE_DIGITS : FACE_PANEL);
            }
    }
    /* The bar: a quarter of the way at 250 ms. */
    int bar = face_bar_width(ms);
    assert_int_equal(pixels[FACE_BAR_TOP * STRIDE + FACE_MARGIN + bar - 1], FACE_BAR);
    assert_int_equal(pixels[FACE_BAR_TOP * STRIDE + FACE_MARGIN + bar], FACE_PANEL);
    assert_int_equal(pixels[0], FACE_PANEL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_bar),
        cmocka_unit_test(test_draw),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
