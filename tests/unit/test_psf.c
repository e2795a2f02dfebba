/*
 * Host unit tests for lib/psf (PSF1/PSF2 parser) and lib/text (drawing text into ARGB32
 * buffers), with the real Terminus fonts the build unpacks from Debian's console-setup-linux
 * (tools/fetch-font.sh; PSF_TEST_FONT_DIR) and with corrupt copies of them: every truncation
 * and every one-byte change of the headers, in exact-size heap buffers so ASan catches any
 * read past the end; forged sizes; malformed Unicode tables.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "psf/psf.h"
#include "text/text.h"

#ifndef PSF_TEST_FONT_DIR
#error "PSF_TEST_FONT_DIR names the directory tools/fetch-font.sh fills"
#endif

/* A whole file in an exact-size heap buffer. */
static uint8_t *load(const char *name, size_t *size)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", PSF_TEST_FONT_DIR, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *data = malloc((size_t)n);
    assert_non_null(data);
    assert_int_equal(fread(data, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *size = (size_t)n;
    return data;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16),
    p[3] = (uint8_t)(v >> 24);
}

/* The real 10x20 font: geometry from its header, ASCII mapped to the glyphs its own table
   names, and pixels as the raw bytes have them. */
static void test_terminus_psf2(void **state)
{
    (void)state;
    size_t size;
    uint8_t *data = load("ter-10x20.psf", &size);
    struct psf_font font;
    assert_int_equal(psf_parse(&font, data, size), PSF_OK);
    assert_int_equal(font.version, 2);
    assert_int_equal(font.width, 10);
    assert_int_equal(font.height, 20);
    assert_int_equal(font.glyph_count, 512);
    assert_int_equal(font.bytes_per_row, 2);
    assert_int_equal(font.bytes_per_glyph, 40);
    assert_ptr_equal(font.glyphs, data + le32(data + 8));
    assert_non_null(font.unicode_table);
    /* Every printable ASCII character has a glyph of its own, distinct from '?' but for '?'. */
    uint32_t question = psf_glyph_index(&font, '?');
    for (uint32_t c = 0x21; c < 0x7f; c++) {
        uint32_t g = psf_glyph_index(&font, c);
        assert_true(g < font.glyph_count);
        if (c != '?')
            assert_int_not_equal(g, question);
    }
    /* Pixels of 'A' as the raw bytes have them; some set, some clear. */
    uint32_t a = psf_glyph_index(&font, 'A');
    unsigned set = 0;
    for (uint32_t y = 0; y < 20; y++)
        for (uint32_t x = 0; x < 10; x++) {
            const uint8_t *row = data + le32(data + 8) + a * 40 + y * 2;
            bool want = row[x / 8] & (0x80 >> (x % 8));
            assert_int_equal(psf_pixel(&font, a, x, y), want);
            set += want;
        }
    assert_true(set > 10 && set < 100);
    /* Outside the glyph or the font: clear, no row. */
    assert_false(psf_pixel(&font, a, 10, 0));
    assert_false(psf_pixel(&font, a, 0, 20));
    assert_false(psf_pixel(&font, 512, 0, 0));
    assert_null(psf_glyph_row(&font, 512, 0));
    /* Beyond the fast map: a box-drawing character Terminus has, and one it lacks. */
    assert_int_not_equal(psf_glyph_index(&font, 0x2500), question);
    assert_int_equal(psf_glyph_index(&font, 0x1f600), question);
    assert_int_equal(psf_glyph_index(&font, 0x10ffff + 5), question);
    free(data);
}

static void test_terminus_psf1(void **state)
{
    (void)state;
    size_t size;
    uint8_t *data = load("ter-8x16.psf", &size);
    struct psf_font font;
    assert_int_equal(psf_parse(&font, data, size), PSF_OK);
    assert_int_equal(font.version, 1);
    assert_int_equal(font.width, 8);
    assert_int_equal(font.height, 16);
    assert_int_equal(font.glyph_count, 512);
    assert_ptr_equal(font.glyphs, data + 4);
    uint32_t g = psf_glyph_index(&font, 'M');
    for (uint32_t y = 0; y < 16; y++)
        for (uint32_t x = 0; x < 8; x++)
            assert_int_equal(psf_pixel(&font, g, x, y), (data[4 + g * 16 + y] >> (7 - x)) & 1);
    assert_int_not_equal(psf_glyph_index(&font, 0x2500), psf_glyph_index(&font, '?'));
    free(data);
}

/* Every prefix of each real font: refused (or, for a prefix that keeps all glyphs, refused
   for its cut Unicode table), never read past its end. */
static void test_every_truncation(void **state)
{
    (void)state;
    const char *names[] = {"ter-10x20.psf", "ter-8x16.psf"};
    for (unsigned f = 0; f < 2; f++) {
        size_t size;
        uint8_t *data = load(names[f], &size);
        for (size_t n = 0; n < size; n++) {
            uint8_t *copy = malloc(n ? n : 1);
            memcpy(copy, data, n);
            struct psf_font font;
            enum psf_error e = psf_parse(&font, copy, n);
            assert_int_not_equal(e, PSF_OK);
            if (n < 4)
                assert_int_equal(e, PSF_TOO_SHORT);
            free(copy);
        }
        free(data);
    }
}

/* Every value of every header byte of the PSF2 font (and PSF1's four): whatever parses must
   keep its glyphs and table inside the file (ASan checks the reads; the walk below touches
   every glyph byte and looks up code points through the table). */
static void test_header_corruptions(void **state)
{
    (void)state;
    const char *names[] = {"ter-10x20.psf", "ter-8x16.psf"};
    const size_t header[] = {32, 4};
    for (unsigned f = 0; f < 2; f++) {
        size_t size;
        uint8_t *data = load(names[f], &size);
        for (size_t i = 0; i < header[f]; i++) {
            for (unsigned v = 0; v < 256; v++) {
                uint8_t *copy = malloc(size);
                memcpy(copy, data, size);
                copy[i] = (uint8_t)v;
                struct psf_font font;
                if (psf_parse(&font, copy, size) == PSF_OK) {
                    assert_true(font.glyphs >= copy);
                    assert_true(font.glyphs + (size_t)font.glyph_count * font.bytes_per_glyph <=
                                copy + size);
                    unsigned sum = 0;
                    for (uint32_t g = 0; g < font.glyph_count; g += 7)
                        for (uint32_t y = 0; y < font.height; y++)
                            sum += psf_pixel(&font, g, font.width - 1, y);
                    (void)sum;
                    for (uint32_t cp = 0; cp < 0x3000; cp += 97)
                        assert_true(psf_glyph_index(&font, cp) < font.glyph_count);
                }
                free(copy);
            }
        }
        free(data);
    }
}

/* Forged sizes: refused with the reason. */
static void test_forged_headers(void **state)
{
    (void)state;
    size_t size;
    uint8_t *data = load("ter-10x20.psf", &size);
    struct psf_font font;
    struct {
        size_t offset;
        uint32_t value;
        enum psf_error want;
    } cases[] = {
        {4, 1, PSF_BAD_HEADER},          /* version */
        {8, 31, PSF_BAD_HEADER},         /* header size below 32 */
        {8, 0xffffffff, PSF_BAD_HEADER}, /* header past the end */
        {12, 2, PSF_BAD_HEADER},         /* unknown flag */
        {16, 0, PSF_BAD_SIZE},           /* no glyphs */
        {16, 0x10000, PSF_BAD_SIZE},     /* too many */
        {16, 0xffffffff, PSF_BAD_SIZE},  /* far too many */
        {16, 600, PSF_TRUNCATED},        /* more than the file holds */
        {20, 41, PSF_BAD_SIZE},          /* glyph size at odds with width x height */
        {20, 0xffffffff, PSF_BAD_SIZE},  {24, 0, PSF_BAD_SIZE}, /* height */
        {24, 129, PSF_BAD_SIZE},         {28, 0, PSF_BAD_SIZE}, /* width */
        {28, 65, PSF_BAD_SIZE},          {0, 0x864ab573, PSF_BAD_MAGIC},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t *copy = malloc(size);
        memcpy(copy, data, size);
        put32(copy + cases[i].offset, cases[i].value);
        assert_int_equal(psf_parse(&font, copy, size), cases[i].want);
        free(copy);
    }
    /* A consistent header for 9x20 glyphs (still two bytes a row) parses. */
    uint8_t *copy = malloc(size);
    memcpy(copy, data, size);
    put32(copy + 28, 9);
    assert_int_equal(psf_parse(&font, copy, size), PSF_OK);
    assert_int_equal(font.width, 9);
    free(copy);
    free(data);
    /* PSF1: height 0, and a 512-glyph mode on 256 glyphs' bytes. */
    uint8_t psf1[4 + 256 * 8] = {0x36, 0x04, 0x00, 0};
    assert_int_equal(psf_parse(&font, psf1, sizeof psf1), PSF_BAD_SIZE);
    psf1[3] = 8;
    assert_int_equal(psf_parse(&font, psf1, sizeof psf1), PSF_OK);
    assert_int_equal(psf_glyph_index(&font, 'A'), 'A');  /* no table: the code point itself */
    assert_int_equal(psf_glyph_index(&font, 300), 0x3f); /* none: the replacement, glyph 0x3f (?) */
    psf1[2] = 1;
    assert_int_equal(psf_parse(&font, psf1, sizeof psf1), PSF_TRUNCATED);
    psf1[2] = 2; /* a table is promised but there are no bytes for it */
    assert_int_equal(psf_parse(&font, psf1, sizeof psf1), PSF_BAD_UNICODE_TABLE);
    assert_int_equal(psf_parse(&font, "", 0), PSF_TOO_SHORT);
    assert_int_equal(psf_parse(&font, "\x36\x04\x00", 3), PSF_TOO_SHORT);
    assert_int_equal(psf_parse(&font, "abcdefgh", 8), PSF_BAD_MAGIC);
    for (int e = PSF_OK; e <= PSF_BAD_UNICODE_TABLE; e++)
        assert_true(strlen(psf_error_name((enum psf_error)e)) > 1);
}

/* A tiny PSF2 font of two 8x1 glyphs with the given table: parse result. */
static enum psf_error parse_tiny(const uint8_t *table, size_t table_size, struct psf_font *font,
                                 uint8_t **keep)
{
    size_t size = 32 + 2 + table_size;
    uint8_t *data = malloc(size);
    memset(data, 0, 32);
    put32(data, 0x864ab572);
    put32(data + 8, 32);
    put32(data + 12, 1);
    put32(data + 16, 2);
    put32(data + 20, 1);
    put32(data + 24, 1);
    put32(data + 28, 8);
    data[32] = 0x81, data[33] = 0x7e;
    memcpy(data + 34, table, table_size);
    enum psf_error e = psf_parse(font, data, size);
    *keep = data;
    return e;
}

static void test_unicode_tables(void **state)
{
    (void)state;
    struct psf_font font;
    uint8_t *data;
    /* Glyph 0: 'x' and U+00E9 (two bytes); glyph 1: '?', a sequence (ignored), U+20AC. */
    const uint8_t good[] = {'x',  0xc3, 0xa9, 0xff, '?',  0xfe, 'a',
                            0xcc, 0x81, 0xe2, 0x82, 0xac, 0xff};
    assert_int_equal(parse_tiny(good, sizeof good, &font, &data), PSF_OK);
    assert_int_equal(psf_glyph_index(&font, 'x'), 0);
    assert_int_equal(psf_glyph_index(&font, 0xe9), 0);
    assert_int_equal(psf_glyph_index(&font, '?'), 1);
    assert_int_equal(font.replacement, 1);
    assert_int_equal(psf_glyph_index(&font, 'a'), 1); /* only in a sequence: replacement */
    assert_int_equal(psf_glyph_index(&font, 0x20ac), 1);
    assert_int_equal(psf_glyph_index(&font, 0x20ad), 1);
    assert_true(psf_pixel(&font, 0, 0, 0));
    assert_false(psf_pixel(&font, 0, 1, 0));
    assert_true(psf_pixel(&font, 1, 1, 0));
    free(data);
    const struct {
        const char *why;
        uint8_t bytes[8];
        size_t n;
    } bad[] = {
        {"one glyph's entry only", {'x', 0xff}, 2},
        {"not ended", {'x', 0xff, 'y'}, 3},
        {"a stray continuation byte", {0x80, 0xff, 'y', 0xff}, 4},
        {"an overlong form", {0xc0, 0xaf, 0xff, 'y', 0xff}, 5},
        {"a surrogate", {0xed, 0xa0, 0x80, 0xff, 'y', 0xff}, 6},
        {"beyond U+10FFFF", {0xf4, 0x90, 0x80, 0x80, 0xff, 'y', 0xff}, 7},
        {"cut in a code point", {'x', 0xff, 0xe2, 0x82}, 4},
        {"empty", {0}, 0},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(parse_tiny(bad[i].bytes, bad[i].n, &font, &data), PSF_BAD_UNICODE_TABLE);
        free(data);
    }
    /* Random tables: parse or refuse, lookups in range (ASan watches the reads). */
    srand(7);
    for (int round = 0; round < 20000; round++) {
        uint8_t table[12];
        size_t n = (size_t)(rand() % 13);
        for (size_t i = 0; i < n; i++)
            table[i] = (uint8_t)(rand() % 4 == 0 ? 0xff : rand());
        if (parse_tiny(table, n, &font, &data) == PSF_OK)
            for (uint32_t cp = 0; cp < 0x800; cp += 31)
                assert_true(psf_glyph_index(&font, cp) < 2);
        free(data);
    }
}

/* lib/text: a string drawn at the origin matches the glyphs pixel for pixel, set pixels
   fg and clear ones bg; transparent drawing leaves clear pixels alone; clipping at every
   edge and far off the buffer touches nothing outside. */
static void test_text_draw(void **state)
{
    (void)state;
    size_t size;
    uint8_t *data = load("ter-10x20.psf", &size);
    struct psf_font font;
    assert_int_equal(psf_parse(&font, data, size), PSF_OK);
    enum { W = 64, H = 30, STRIDE = 70 };
    uint32_t *buf = malloc(sizeof(uint32_t) * STRIDE * H);
    for (size_t i = 0; i < STRIDE * H; i++)
        buf[i] = 0x11223344;
    struct text_target t = text_target(buf, W, H, STRIDE);
    const uint32_t fg = 0xffeeddcc, bg = 0x80102030;
    assert_int_equal(text_draw(&t, &font, 3, 4, "Hi!", 3, fg, bg, true), 33);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < STRIDE; x++) {
            uint32_t want = 0x11223344;
            if (x >= 3 && x < 33 && y >= 4 && y < 24) {
                uint32_t g = psf_glyph_index(&font, (uint32_t) "Hi!"[(x - 3) / 10]);
                want = psf_pixel(&font, g, (uint32_t)(x - 3) % 10, (uint32_t)(y - 4)) ? fg : bg;
            }
            assert_int_equal(buf[y * STRIDE + x], want);
        }
    /* Transparent: only set pixels change. */
    for (size_t i = 0; i < STRIDE * H; i++)
        buf[i] = 0x11223344;
    text_draw(&t, &font, 0, 0, "W", 1, fg, bg, false);
    uint32_t g = psf_glyph_index(&font, 'W');
    for (int y = 0; y < 20; y++)
        for (int x = 0; x < 10; x++)
            assert_int_equal(buf[y * STRIDE + x],
                             psf_pixel(&font, g, (uint32_t)x, (uint32_t)y) ? fg : 0x11223344);
    /* Clipping: a clip rectangle, and positions around and far beyond every edge. */
    for (size_t i = 0; i < STRIDE * H; i++)
        buf[i] = 0;
    t.clip_x0 = 5, t.clip_y0 = 6, t.clip_x1 = 20, t.clip_y1 = 12;
    const int32_t spots[] = {INT32_MIN, -1000000, -25,           -9,       -1, 0, 7, 15, 19, 55, 63,
                             64,        1000000,  INT32_MAX - 5, INT32_MAX};
    for (size_t i = 0; i < sizeof spots / sizeof spots[0]; i++)
        for (size_t j = 0; j < sizeof spots / sizeof spots[0]; j++)
            text_draw(&t, &font, spots[i], spots[j], "#M@", 3, fg, bg, true);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < STRIDE; x++)
            if (!(x >= 5 && x < 20 && y >= 6 && y < 12))
                assert_int_equal(buf[y * STRIDE + x], 0);
    /* A clip rectangle beyond the buffer is cut to it (the stride's slack stays untouched). */
    t = text_target(buf, W, H, STRIDE);
    t.clip_x1 = 1000, t.clip_y1 = 1000;
    text_draw(&t, &font, 60, 25, "MM", 2, fg, bg, true);
    for (int y = 0; y < H; y++)
        for (int x = W; x < STRIDE; x++)
            assert_int_equal(buf[y * STRIDE + x], 0);
    /* Control characters and bad UTF-8 draw the replacement glyph; good UTF-8 its glyph. */
    uint32_t cp;
    assert_int_equal(text_utf8_next("\xc3\xa9", 2, &cp), 2);
    assert_int_equal(cp, 0xe9);
    assert_int_equal(text_utf8_next("\xc3", 1, &cp), 1);
    assert_int_equal(cp, 0xfffd);
    assert_int_equal(text_utf8_next("\xe2\x82\xac", 3, &cp), 3);
    assert_int_equal(cp, 0x20ac);
    assert_int_equal(text_utf8_next("\xc0\x80", 2, &cp), 1);
    assert_int_equal(cp, 0xfffd);
    assert_int_equal(text_utf8_next("\xff", 1, &cp), 1);
    assert_int_equal(text_draw(&t, &font, 0, 0, "\x01\xc3\xa9\xff", 4, fg, bg, true), 30);
    free(buf);
    free(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_terminus_psf2),    cmocka_unit_test(test_terminus_psf1),
        cmocka_unit_test(test_every_truncation), cmocka_unit_test(test_header_corruptions),
        cmocka_unit_test(test_forged_headers),   cmocka_unit_test(test_unicode_tables),
        cmocka_unit_test(test_text_draw),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
