/*
 * Host unit tests for lib/vt (the terminal emulator's core) and lib/vt/vt_render.c: text,
 * wrapping, scrolling into the scrollback and viewing it, cursor movement, erasing, colours,
 * UTF-8, damage tracking, the real line editor's output (lib/lineedit) driven by random keys
 * with the row checked after each, a million random bytes, and the cells drawn with the real
 * Terminus font.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lineedit/lineedit.h"
#include "vt/vt.h"
#include "vt/vt_render.h"

enum { COLS = 20, ROWS = 5, HISTORY = 10 };

static struct vt_cell cells[VT_CELLS(COLS, ROWS, HISTORY)];

static void put(struct vt *vt, const char *s)
{
    vt_write(vt, s, strlen(s));
}

static void assert_row(const struct vt *vt, int y, const char *want)
{
    char got[4 * VT_MAX_COLS + 1];
    vt_row_text(vt, y, got, sizeof got);
    assert_string_equal(got, want);
}

static void test_init_limits(void **state)
{
    (void)state;
    struct vt vt;
    assert_false(vt_init(&vt, 0, 5, cells, 0));
    assert_false(vt_init(&vt, 5, 0, cells, 0));
    assert_false(vt_init(&vt, VT_MAX_COLS + 1, 5, cells, 0));
    assert_false(vt_init(&vt, 5, VT_MAX_ROWS + 1, cells, 0));
    assert_false(vt_init(&vt, 5, 5, cells, -1));
    assert_true(vt_init(&vt, COLS, ROWS, cells, HISTORY));
    int first, last;
    assert_true(vt_take_damage(&vt, &first, &last));
    assert_int_equal(first, 0);
    assert_int_equal(last, ROWS - 1);
    assert_false(vt_take_damage(&vt, &first, &last));
    for (int y = 0; y < ROWS; y++)
        assert_row(&vt, y, "");
}

static void test_text_and_newlines(void **state)
{
    (void)state;
    struct vt vt;
    vt_init(&vt, COLS, ROWS, cells, HISTORY);
    put(&vt, "hello\nworld\r\nab\rX");
    assert_row(&vt, 0, "hello");
    assert_row(&vt, 1, "world");
    assert_row(&vt, 2, "Xb");
    assert_int_equal(vt.cursor_x, 1);
    assert_int_equal(vt.cursor_y, 2);
    put(&vt, "\tT\b\bU");
    assert_row(&vt, 2, "Xb     UT");
    put(&vt, "\a\a\x7f");
    assert_int_equal(vt.bells, 2);
    assert_row(&vt, 2, "Xb     UT");
}

/* A full row does not wrap until the next character (xterm's deferred wrap), then does. */
static void test_wrap(void **state)
{
    (void)state;
    struct vt vt;
    vt_init(&vt, COLS, ROWS, cells, HISTORY);
    put(&vt, "abcdefghijklmnopqrst");
    assert_int_equal(vt.cursor_y, 0);
    assert_int_equal(vt.cursor_x, COLS - 1);
    assert_true(vt.wrap_pending);
    put(&vt, "\r\n");
    assert_int_equal(vt.cursor_y, 1); /* one line feed, not two */
    put(&vt, "abcdefghijklmnopqrstu");
    assert_row(&vt, 1, "abcdefghijklmnopqrst");
    assert_row(&vt, 2, "u");
    assert_int_equal(vt.cursor_x, 1);
}

static void test_scroll_and_scrollback(void **state)
{
    (void)state;
    struct vt vt;
    vt_init(&vt, COLS, ROWS, cells, HISTORY);
    for (int i = 0; i < 18; i++) {
        char line[32];
        snprintf(line, sizeof line, "line %d\n", i);
        put(&vt, line);
    }
    /* 18 lines and the empty one the cursor is on: 14 scrolled off, 10 kept. */
    assert_row(&vt, 0, "line 14");
    assert_row(&vt, 3, "line 17");
    assert_row(&vt, 4, "");
    assert_int_equal(vt.history, HISTORY);
    assert_int_equal(vt_scroll_view(&vt, 3), 3);
    assert_row(&vt, 0, "line 11");
    assert_row(&vt, 3, "line 14");
    assert_int_equal(vt_scroll_view(&vt, 100), HISTORY);
    assert_row(&vt, 0, "line 4");
    assert_row(&vt, 4, "line 8");
    assert_int_equal(vt_scroll_view(&vt, -100), 0);
    assert_row(&vt, 0, "line 14");
    vt_scroll_view(&vt, 2);
    put(&vt, "x"); /* output brings the view back */
    assert_int_equal(vt.view, 0);
    assert_row(&vt, 4, "x");
    put(&vt, "\x1b[3J"); /* ED 3 clears the scrollback too */
    assert_int_equal(vt_scroll_view(&vt, 5), 0);
    /* No scrollback at all. */
    vt_init(&vt, COLS, ROWS, cells, 0);
    put(&vt, "1\n2\n3\n4\n5\n6\n");
    assert_int_equal(vt_scroll_view(&vt, 1), 0);
    assert_row(&vt, 0, "3");
}

static void test_cursor_movement(void **state)
{
    (void)state;
    struct vt vt;
    vt_init(&vt, COLS, ROWS, cells, HISTORY);
    put(&vt, "\x1b[3;5H*");
    assert_row(&vt, 2, "    *");
    put(&vt, "\x1b[2A+\x1b[10D-\x1b[B\x1b[3C=");
    assert_row(&vt, 0, "-    +");
    assert_row(&vt, 1, "    =");
    put(&vt, "\x1b[99;99H!"); /* clamped to the corner */
    assert_int_equal(vt.cursor_y, ROWS - 1);
    assert_row(&vt, ROWS - 1, "                   !");
    put(&vt, "\x1b[H\x1b[0;0f\x1b[G#");
    assert_row(&vt, 0, "#    +");
    put(&vt, "\x1b[4d\x1b[7G%");
    assert_row(&vt, 3, "      %");
    put(&vt, "\x1b[s\x1b[H\x1b[u&");
    assert_row(&vt, 3, "      %&");
    put(&vt, "\x1b"
             "7\x1b[1;1H\x1b"
             "8'");
    assert_row(&vt, 3, "      %&'");
    put(&vt, "\x1b[2E^\x1b[F~");
    assert_row(&vt, 4, "^                  !");
    assert_row(&vt, 3, "~     %&'");
    put(&vt, "\x1b[99999999999999999999A"); /* a huge count saturates */
    assert_int_equal(vt.cursor_y, 0);
}

static void test_erase(void **state)
{
    (void)state;
    struct vt vt;
    vt_init(&vt, COLS, ROWS, cells, HISTORY);
    put(&vt, "0123456789\n0123456789\n0123456789\n0123456789");
    put(&vt, "\x1b[2;4H\x1b[K");
    assert_row(&vt, 1, "012");
    put(&vt, "\x1b[3;4H\x1b[1K");
    assert_row(&vt, 2, "    456789");
    put(&vt, "\x1b[4;4H\x1b[2K");
    assert_row(&vt, 3, "");
    put(&vt, "\x1b[1;6H\x1b[1J");
    assert_row(&vt, 0, "      6789");
    put(&vt, "\x1b[J");
    assert_row(&vt, 0, "");
    put(&vt, "\x1b[3;1Habc\x1b[2J");
    for (int y = 0; y < ROWS; y++)
        assert_row(&vt, y, "");
    /* Erasing keeps the background colour. */
    put(&vt, "\x1b[44m\x1b[2K");
    assert_int_equal(vt_cell_at(&vt, 0, vt.cursor_y).bg, 4);
    assert_int_equal(vt_cell_at(&vt, 0, 0).bg, VT_DEFAULT);
}

static void test_colours(void **state)
{
    (void)state;
    struct vt vt;
    vt_init(&vt, COLS, ROWS, cells, HISTORY);
    put(&vt, "a\x1b[31mb\x1b[1;42mc\x1b[7md\x1b[0me\x1b[97;104mf\x1b[39;49mg\x1b[1mh\x1b[22;35mi");
    const uint32_t *p = vt_default_palette;
    struct {
        int x;
        uint32_t fg, bg;
    } want[] = {
        {0, p[VT_PALETTE_FG], p[VT_PALETTE_BG]},
        {1, p[1], p[VT_PALETTE_BG]},
        {2, p[9], p[2]}, /* bold red: bright red */
        {3, p[2], p[9]}, /* reversed */
        {4, p[VT_PALETTE_FG], p[VT_PALETTE_BG]},
        {5, p[15], p[12]},
        {6, p[VT_PALETTE_FG], p[VT_PALETTE_BG]},
        {7, p[VT_PALETTE_FG], p[VT_PALETTE_BG]}, /* bold on the default colour: unchanged */
        {8, p[5], p[VT_PALETTE_BG]},
        {9, p[VT_PALETTE_BG], p[VT_PALETTE_FG]}, /* the cursor: reversed */
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        uint32_t fg, bg;
        vt_cell_colours(&vt, p, want[i].x, 0, &fg, &bg);
        assert_int_equal(fg, want[i].fg);
        assert_int_equal(bg, want[i].bg);
    }
    put(&vt, "\x1b[?25l"); /* a hidden cursor is not drawn */
    uint32_t fg, bg;
    vt_cell_colours(&vt, p, 9, 0, &fg, &bg);
    assert_int_equal(bg, p[VT_PALETTE_BG]);
    uint64_t unknown = vt.unknown;
    put(&vt, "\x1b[38;5;100m\x1b[?1049h\x1b[>c\x1b(B\x1b#8");
    assert_true(vt.unknown > unknown);
    assert_row(&vt, 0, "abcdefghi");     /* and nothing of them was drawn */
    assert_int_equal(vt.bg, VT_DEFAULT); /* 38;5;100 did not set SGR 100 */
    assert_int_equal(vt.attr, 0);
}

static void test_utf8(void **state)
{
    (void)state;
    struct vt vt;
    vt_init(&vt, COLS, ROWS, cells, HISTORY);
    put(&vt,
        "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80|\xc3|\x80|\xc0\xaf|\xed\xa0\x80|\xe2\x82\x1b[C!");
    assert_int_equal(vt_cell_at(&vt, 0, 0).cp, 0xe9);
    assert_int_equal(vt_cell_at(&vt, 1, 0).cp, 0x20ac);
    assert_int_equal(vt_cell_at(&vt, 2, 0).cp, 0x1f600);
    assert_int_equal(vt_cell_at(&vt, 3, 0).cp, '|');
    assert_int_equal(vt_cell_at(&vt, 4, 0).cp, 0xfffd); /* cut short by '|' */
    assert_int_equal(vt_cell_at(&vt, 5, 0).cp, '|');
    assert_int_equal(vt_cell_at(&vt, 6, 0).cp, 0xfffd);  /* stray continuation */
    assert_int_equal(vt_cell_at(&vt, 8, 0).cp, 0xfffd);  /* overlong */
    assert_int_equal(vt_cell_at(&vt, 10, 0).cp, 0xfffd); /* surrogate */
    assert_int_equal(vt_cell_at(&vt, 12, 0).cp, 0xfffd); /* cut by ESC, which still works */
    assert_int_equal(vt_cell_at(&vt, 14, 0).cp, '!');
    char row[64];
    vt_row_text(&vt, 0, row, sizeof row);
    assert_memory_equal(row, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80|", 10);
}

static void test_damage(void **state)
{
    (void)state;
    struct vt vt;
    vt_init(&vt, COLS, ROWS, cells, HISTORY);
    int first, last;
    vt_take_damage(&vt, &first, &last);
    put(&vt, "\x1b[3;1Hx");
    assert_true(vt_take_damage(&vt, &first, &last));
    assert_int_equal(first, 0); /* the cursor left row 0 */
    assert_int_equal(last, 2);
    put(&vt, "y");
    assert_true(vt_take_damage(&vt, &first, &last));
    assert_int_equal(first, 2);
    assert_int_equal(last, 2);
    put(&vt, "\x1b[5;1H\n");
    assert_true(vt_take_damage(&vt, &first, &last));
    assert_int_equal(first, 0); /* a scroll changes every row */
    assert_int_equal(last, ROWS - 1);
    assert_false(vt_take_damage(&vt, &first, &last));
}

/* The scrolling region (DECSTBM), SU/SD and reverse index. */
static void test_scroll_region(void **state)
{
    (void)state;
    struct vt vt;
    vt_init(&vt, COLS, ROWS, cells, HISTORY);
    put(&vt, "a\nb\nc\nd\ne");
    put(&vt, "\x1b[2;4r\x1b[4;1H\n");
    assert_row(&vt, 0, "a");
    assert_row(&vt, 1, "c");
    assert_row(&vt, 3, "");
    assert_row(&vt, 4, "e");
    assert_int_equal(vt.history, 0); /* a region's scroll keeps no history */
    put(&vt, "\x1b[2;1H\x1bM");
    assert_row(&vt, 1, "");
    assert_row(&vt, 2, "c");
    put(&vt, "\x1b[r\x1b[2S");
    assert_row(&vt, 0, "c");
    assert_int_equal(vt.history, 2);
    put(&vt, "\x1b[T");
    assert_row(&vt, 0, "");
    assert_row(&vt, 1, "c");
    put(&vt, "\x1b[3;2r"); /* top below bottom: refused */
    assert_int_equal(vt.scroll_top, 0);
    put(&vt, "\x1b"
             "c");
    for (int y = 0; y < ROWS; y++)
        assert_row(&vt, y, "");
}

/* The real line editor's output for random keys: the row always reads prompt + line with the
   terminal's cursor at the editor's. */
struct session {
    struct vt vt;
};

static void emit(void *ctx, const char *bytes, size_t n)
{
    vt_write(&((struct session *)ctx)->vt, bytes, n);
}

static void test_lineedit_session(void **state)
{
    (void)state;
    static struct vt_cell big[VT_CELLS(80, 24, 50)];
    static struct session s;
    static char hist[LINEEDIT_HISTORY_BYTES(8, 70)];
    char line[70];
    struct lineedit le;
    const char *keys[] = {"a",      "b",      "x",    " ",    "\x7f", "\x1b[D", "\x1b[C", "\x1b[A",
                          "\x1b[B", "\x01",   "\x05", "\x0b", "\x15", "\x17",   "\x04",   "\x1b[3~",
                          "\x1b[H", "\x1b[F", "\r",   "\x03", "Q",    "z"};
    srand(99);
    for (int seed = 0; seed < 20; seed++) {
        vt_init(&s.vt, 80, 24, big, 50);
        lineedit_init(&le, line, sizeof line, hist, 8, emit, &s);
        lineedit_start(&le, "missive> ");
        for (int k = 0; k < 3000; k++) {
            const char *key = keys[rand() % (int)(sizeof keys / sizeof keys[0])];
            enum lineedit_result r = LINEEDIT_CONTINUE;
            for (size_t i = 0; key[i]; i++)
                r = lineedit_feed(&le, (uint8_t)key[i]);
            if (r != LINEEDIT_CONTINUE) {
                lineedit_start(&le, "missive> ");
                continue;
            }
            char want[128], got[4 * 80 + 1];
            snprintf(want, sizeof want, "missive> %.*s", (int)le.len, le.buf);
            size_t n = strlen(want);
            while (n && want[n - 1] == ' ')
                want[--n] = 0;
            vt_row_text(&s.vt, s.vt.cursor_y, got, sizeof got);
            assert_string_equal(got, want);
            assert_int_equal(s.vt.cursor_x, 9 + (int)le.cursor);
        }
    }
}

/* A million random bytes, biased toward ESC, '[' and digits: the cursor stays on the
   screen, the damage inside it, every cell readable (ASan, UBSan). */
static void test_random_bytes(void **state)
{
    (void)state;
    struct vt vt;
    vt_init(&vt, COLS, ROWS, cells, HISTORY);
    srand(5);
    const char bias[] = "\x1b[;0123456789?ABCDHJKmrSTsu\n\r\b\t";
    for (int i = 0; i < 1000000; i++) {
        uint8_t b = rand() % 2 ? (uint8_t)bias[rand() % (int)(sizeof bias - 1)] : (uint8_t)rand();
        vt_write(&vt, &b, 1);
        assert_true(vt.cursor_x >= 0 && vt.cursor_x < COLS);
        assert_true(vt.cursor_y >= 0 && vt.cursor_y < ROWS);
        if (i % 1000 == 0) {
            vt_scroll_view(&vt, rand() % 30 - 15);
            int first, last;
            if (vt_take_damage(&vt, &first, &last))
                assert_true(first >= 0 && first <= last && last < ROWS);
            for (int y = 0; y < ROWS; y++)
                for (int x = 0; x < COLS; x++)
                    (void)vt_cell_at(&vt, x, y);
        }
    }
}

/* Rendering with the real font: each cell is its glyph in its colours, the cursor reversed. */
static void test_render(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/ter-10x20.psf", PSF_TEST_FONT_DIR);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static uint8_t data[65536];
    size_t size = fread(data, 1, sizeof data, f);
    fclose(f);
    struct psf_font font;
    assert_int_equal(psf_parse(&font, data, size), PSF_OK);
    struct vt vt;
    vt_init(&vt, COLS, ROWS, cells, HISTORY);
    put(&vt, "ok \x1b[32mgo\x1b[0m\n$ ");
    enum { W = COLS * 10 + 7, H = ROWS * 20 + 3 };
    static uint32_t pixels[W * H];
    struct text_target t = text_target(pixels, W, H, W);
    vt_render_rows(&vt, &t, &font, vt_default_palette, 7, 3, -5, 99);
    for (int y = 0; y < ROWS * 20; y++)
        for (int x = 0; x < COLS * 10; x++) {
            int cx = x / 10, cy = y / 20;
            uint32_t fg, bg;
            vt_cell_colours(&vt, vt_default_palette, cx, cy, &fg, &bg);
            uint32_t g = psf_glyph_index(&font, vt_cell_at(&vt, cx, cy).cp);
            uint32_t want = psf_pixel(&font, g, (uint32_t)x % 10, (uint32_t)y % 20) ? fg : bg;
            assert_int_equal(pixels[(y + 3) * W + x + 7], want);
        }
    uint32_t fg, bg;
    vt_cell_colours(&vt, vt_default_palette, 3, 0, &fg, &bg);
    assert_int_equal(fg, vt_default_palette[2]);
    vt_cell_colours(&vt, vt_default_palette, 2, 1, &fg, &bg);
    assert_int_equal(bg, vt_default_palette[VT_PALETTE_FG]); /* the cursor */
    assert_int_equal(pixels[0], 0);                          /* outside the cells: untouched */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_limits),
        cmocka_unit_test(test_text_and_newlines),
        cmocka_unit_test(test_wrap),
        cmocka_unit_test(test_scroll_and_scrollback),
        cmocka_unit_test(test_cursor_movement),
        cmocka_unit_test(test_erase),
        cmocka_unit_test(test_colours),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_damage),
        cmocka_unit_test(test_scroll_region),
        cmocka_unit_test(test_lineedit_session),
        cmocka_unit_test(test_random_bytes),
        cmocka_unit_test(test_render),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
