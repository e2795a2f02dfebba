/*
 * Host unit tests for lib/lineedit (line editor state machine).
 *
 * Build: gcc -std=c11 -Wall -Wextra -Werror -g -fsanitize=address,undefined
 *        -fno-sanitize-recover=all -Ilib tests/unit/test_lineedit.c lib/lineedit/lineedit.c
 *        lib/input/keymap.c -lcmocka
 *
 * The editor's output goes into a tiny VT100 model (one row, a cursor; printable bytes, \b, \r,
 * \n, \a, ESC [ K, ESC [ n C, ESC [ n D, and nothing else: any other output fails the test).
 * After every byte fed, the row must read prompt + line and the cursor must sit at the editing
 * position. Random edit sequences are checked against a plain reference model of the keys, and
 * random garbage against the invariants alone. Buffers are heap blocks of their exact size, so
 * ASan catches any write past the line or the history.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input/keymap.h"
#include "lineedit/lineedit.h"

#define VT_WIDTH 256

/* The terminal model: the current row, the row before the last \n, the cursor. */
struct vt {
    char row[VT_WIDTH + 1];
    char prev[VT_WIDTH + 1];
    size_t col;
    int bells;
    int state; /* 0 normal, 1 after ESC, 2 in CSI */
    unsigned param;
    bool has_param;
    char log[4096]; /* the raw output since the last log_reset */
    size_t log_len;
};

static void vt_clear_row(char *row)
{
    memset(row, ' ', VT_WIDTH);
    row[VT_WIDTH] = '\0';
}

static void vt_init(struct vt *vt)
{
    memset(vt, 0, sizeof *vt);
    vt_clear_row(vt->row);
    vt_clear_row(vt->prev);
}

/* Interprets one output byte; fails the test on anything a VT100 subset would not handle. */
static void vt_byte(struct vt *vt, uint8_t b)
{
    if (vt->state == 1) {
        assert_int_equal(b, '[');
        vt->state = 2;
        vt->param = 0;
        vt->has_param = false;
        return;
    }
    if (vt->state == 2) {
        if (b >= '0' && b <= '9') {
            vt->param = vt->param * 10 + (b - '0');
            vt->has_param = true;
            return;
        }
        size_t n = vt->has_param ? vt->param : 1;
        assert_true(n > 0); /* the editor never sends a move of 0 */
        vt->state = 0;
        if (b == 'K') {
            assert_false(vt->has_param);
            memset(vt->row + vt->col, ' ', VT_WIDTH - vt->col);
        } else if (b == 'C') {
            vt->col = vt->col + n < VT_WIDTH ? vt->col + n : VT_WIDTH - 1;
        } else if (b == 'D') {
            vt->col = n < vt->col ? vt->col - n : 0;
        } else {
            fail_msg("unexpected CSI final %c", b);
        }
        return;
    }
    switch (b) {
    case 0x1b:
        vt->state = 1;
        return;
    case '\b':
        if (vt->col)
            vt->col--;
        return;
    case '\r':
        vt->col = 0;
        return;
    case '\n':
        memcpy(vt->prev, vt->row, sizeof vt->row);
        vt_clear_row(vt->row);
        return;
    case '\a':
        vt->bells++;
        return;
    default:
        if (b < 0x20 || b >= 0x7f)
            fail_msg("unexpected output byte 0x%02x", b);
        assert_true(vt->col < VT_WIDTH - 1);
        vt->row[vt->col++] = (char)b;
    }
}

static void vt_emit(void *ctx, const char *bytes, size_t n)
{
    struct vt *vt = ctx;
    assert_true(n > 0);
    for (size_t i = 0; i < n; i++) {
        vt_byte(vt, (uint8_t)bytes[i]);
        if (vt->log_len < sizeof vt->log - 1)
            vt->log[vt->log_len++] = bytes[i];
    }
    vt->log[vt->log_len] = '\0';
}

/* An editor over exact-size heap storage, writing into a vt. */
struct fixture {
    struct lineedit le;
    char *buf;
    char *hist;
    struct vt vt;
    const char *prompt;
};

static void fx_setup(struct fixture *f, size_t cap, size_t entries, const char *prompt)
{
    f->buf = malloc(cap);
    assert_non_null(f->buf);
    f->hist = entries ? malloc(LINEEDIT_HISTORY_BYTES(entries, cap)) : NULL;
    vt_init(&f->vt);
    f->prompt = prompt;
    lineedit_init(&f->le, f->buf, cap, f->hist, entries, vt_emit, &f->vt);
    lineedit_start(&f->le, prompt);
}

static void fx_teardown(struct fixture *f)
{
    free(f->buf);
    free(f->hist);
}

/* The row as it should look showing prompt and text (len bytes), blank-padded. */
static void expected_row(char out[VT_WIDTH + 1], const char *prompt, const char *text, size_t len)
{
    vt_clear_row(out);
    size_t p = strlen(prompt);
    memcpy(out, prompt, p);
    memcpy(out + p, text, len);
}

/* Checks the editor's invariants and that the screen shows exactly prompt + line. */
static void check_screen(struct fixture *f)
{
    struct lineedit *le = &f->le;
    assert_true(le->len < le->cap);
    assert_true(le->cursor <= le->len);
    if (le->finished)
        return; /* the row was left behind by \r\n; checked by the caller */
    char want[VT_WIDTH + 1];
    expected_row(want, f->prompt, le->buf, le->len);
    assert_string_equal(f->vt.row, want);
    assert_int_equal(f->vt.col, strlen(f->prompt) + le->cursor);
}

/* Feeds a string byte by byte (n bytes, embedded NULs allowed), checking the screen after each
   byte; returns the result that ended the line (an Enter's trailing LF may follow it), or
   LINEEDIT_CONTINUE. */
static enum lineedit_result feed_n(struct fixture *f, const char *s, size_t n)
{
    enum lineedit_result r = LINEEDIT_CONTINUE;
    for (size_t i = 0; i < n; i++) {
        enum lineedit_result ri = lineedit_feed(&f->le, (uint8_t)s[i]);
        if (ri != LINEEDIT_CONTINUE)
            r = ri;
        check_screen(f);
        assert_int_equal(f->vt.state, 0); /* output never stops inside a sequence */
        if (i + 1 < n && ri != LINEEDIT_CONTINUE && !(s[i] == '\r' && s[i + 1] == '\n'))
            fail_msg("line ended early at byte %zu", i);
    }
    return r;
}

static enum lineedit_result feed_s(struct fixture *f, const char *s)
{
    return feed_n(f, s, strlen(s));
}

/* Requires the current (unfinished) line to be want with the cursor at position cursor. */
static void expect_line(struct fixture *f, const char *want, size_t cursor)
{
    assert_int_equal(f->le.len, strlen(want));
    assert_memory_equal(f->le.buf, want, f->le.len);
    assert_int_equal(f->le.cursor, cursor);
}

/* Requires the line to have ended with want, shown on the row the cursor left. */
static void expect_done(struct fixture *f, const char *want)
{
    assert_string_equal(f->le.buf, want);
    char row[VT_WIDTH + 1];
    expected_row(row, f->prompt, want, strlen(want));
    assert_string_equal(f->vt.prev, row);
    assert_int_equal(f->vt.col, 0);
}

/* Clears the output log, so a test can compare what the next bytes write. */
static void log_reset(struct fixture *f)
{
    f->vt.log_len = 0;
    f->vt.log[0] = '\0';
}

static void test_type_and_enter(void **state)
{
    (void)state;
    struct fixture f;
    fx_setup(&f, 64, 4, "> ");
    assert_string_equal(f.vt.log, "> ");
    check_screen(&f);
    assert_int_equal(feed_s(&f, "hello world"), LINEEDIT_CONTINUE);
    expect_line(&f, "hello world", 11);
    assert_int_equal(feed_s(&f, "\r"), LINEEDIT_DONE);
    expect_done(&f, "hello world");
    /* The LF of CR LF is swallowed, even across lineedit_start. */
    lineedit_start(&f.le, "> ");
    assert_int_equal(feed_s(&f, "\n"), LINEEDIT_CONTINUE);
    expect_line(&f, "", 0);
    assert_int_equal(feed_s(&f, "ls\n"), LINEEDIT_DONE);
    expect_done(&f, "ls");
    lineedit_start(&f.le, "> ");
    /* LF then LF is two Enters; CR then CR LF is two as well. */
    assert_int_equal(feed_s(&f, "\n"), LINEEDIT_DONE);
    expect_done(&f, "");
    assert_int_equal(feed_s(&f, "\r"), LINEEDIT_DONE);
    assert_int_equal(feed_s(&f, "\r\n"), LINEEDIT_DONE);
    assert_int_equal(f.vt.bells, 0);
    fx_teardown(&f);
}

static void test_exact_output(void **state)
{
    (void)state;
    struct fixture f;
    fx_setup(&f, 64, 4, "$ ");
    log_reset(&f);
    feed_s(&f, "abc");
    assert_string_equal(f.vt.log, "abc");
    log_reset(&f);
    feed_s(&f, "\x7f");
    assert_string_equal(f.vt.log, "\b \b");
    log_reset(&f);
    feed_s(&f, "\b");
    assert_string_equal(f.vt.log, "\b \b");
    expect_line(&f, "a", 1);
    /* Insert in the middle: the new character and the tail, then back over the tail. */
    feed_s(&f, "bcd\x1b[D\x1b[D");
    log_reset(&f);
    feed_s(&f, "X");
    assert_string_equal(f.vt.log, "Xcd\x1b[2D");
    expect_line(&f, "abXcd", 3);
    log_reset(&f);
    feed_s(&f, "\x7f");
    assert_string_equal(f.vt.log, "\bcd\x1b[K\x1b[2D");
    log_reset(&f);
    feed_s(&f, "\r");
    assert_string_equal(f.vt.log, "\r\n");
    fx_teardown(&f);
}

static void test_backspace_bounds(void **state)
{
    (void)state;
    struct fixture f;
    fx_setup(&f, 32, 0, "");
    feed_s(&f, "\x7f");
    assert_int_equal(f.vt.bells, 1);
    feed_s(&f, "ab\x01\x7f");
    assert_int_equal(f.vt.bells, 2);
    expect_line(&f, "ab", 0);
    feed_s(&f, "\x05\x7f\x7f\x7f");
    assert_int_equal(f.vt.bells, 3);
    expect_line(&f, "", 0);
    fx_teardown(&f);
}

static void test_cursor_movement(void **state)
{
    (void)state;
    static const struct {
        const char *keys;
        size_t cursor;
    } moves[] = {
        {"\x01", 0},      {"\x05", 6},    {"\x1b[H", 0},    {"\x1b[F", 6}, {"\x1b[1~", 0},
        {"\x1b[4~", 6},   {"\x1b[7~", 0}, {"\x1b[8~", 6},   {"\x1bOH", 0}, {"\x1bOF", 6},
        {"\x1b[D", 5},    {"\x1bOD", 4},  {"\x02", 3},      {"\x1b[C", 4}, {"\x1bOC", 5},
        {"\x06", 6},      {"\x1b[C", 6},  {"\x1b[1;5D", 5}, {"\x1b[H", 0}, {"\x1b[D", 0},
        {"\x1b[1;2F", 6},
    };
    struct fixture f;
    fx_setup(&f, 32, 0, "# ");
    feed_s(&f, "abcdef");
    for (size_t i = 0; i < sizeof moves / sizeof moves[0]; i++) {
        assert_int_equal(feed_s(&f, moves[i].keys), LINEEDIT_CONTINUE);
        expect_line(&f, "abcdef", moves[i].cursor);
    }
    assert_int_equal(f.vt.bells, 0);
    fx_teardown(&f);
}

static void test_delete_and_kills(void **state)
{
    (void)state;
    struct fixture f;
    fx_setup(&f, 64, 0, "> ");
    feed_s(&f, "hello world\x01\x1b[3~");
    expect_line(&f, "ello world", 0);
    feed_s(&f, "\x04\x04");
    expect_line(&f, "lo world", 0);
    feed_s(&f, "\x05\x1b[3~"); /* at the end: nothing to delete */
    assert_int_equal(f.vt.bells, 1);
    feed_s(&f, "\x17"); /* Ctrl-W */
    expect_line(&f, "lo ", 3);
    feed_s(&f, "foo  \x17");
    expect_line(&f, "lo ", 3);
    feed_s(&f, "\x17\x17");
    expect_line(&f, "", 0);
    feed_s(&f, "one two three\x1b[D\x1b[D\x1b[D\x1b[D\x1b[D\x1b[D\x0b"); /* Ctrl-K */
    expect_line(&f, "one two", 7);
    feed_s(&f, "\x02\x02\x02\x17");
    expect_line(&f, "two", 0);
    feed_s(&f, "\x05 x\x1b[D\x1b[D\x15"); /* Ctrl-U from the middle */
    expect_line(&f, "", 0);
    assert_int_equal(feed_s(&f, "z\r"), LINEEDIT_DONE);
    expect_done(&f, "z");
    fx_teardown(&f);
}

static void test_ctrl_c_cancels(void **state)
{
    (void)state;
    struct fixture f;
    fx_setup(&f, 32, 4, "> ");
    assert_int_equal(feed_s(&f, "rm -rf\x03"), LINEEDIT_CANCELLED);
    assert_string_equal(f.le.buf, "");
    char row[VT_WIDTH + 1];
    expected_row(row, "> ", "rm -rf^C", 8);
    assert_string_equal(f.vt.prev, row);
    lineedit_start(&f.le, "> ");
    feed_s(&f, "\x1b[A"); /* a cancelled line is not history */
    assert_int_equal(f.vt.bells, 1);
    expect_line(&f, "", 0);
    fx_teardown(&f);
}

static void test_capacity(void **state)
{
    (void)state;
    struct fixture f;
    fx_setup(&f, 8, 2, "> ");
    feed_s(&f, "1234567");
    assert_int_equal(f.vt.bells, 0);
    feed_s(&f, "89");
    assert_int_equal(f.vt.bells, 2);
    expect_line(&f, "1234567", 7);
    feed_s(&f, "\x01X"); /* full: a mid-line insert is refused too */
    assert_int_equal(f.vt.bells, 3);
    expect_line(&f, "1234567", 0);
    assert_int_equal(feed_s(&f, "\r"), LINEEDIT_DONE);
    expect_done(&f, "1234567");
    /* A recalled full line still fits. */
    lineedit_start(&f.le, "> ");
    feed_s(&f, "ab\x1b[A");
    expect_line(&f, "1234567", 7);
    fx_teardown(&f);
    /* cap 1: no character fits, Enter gives "". */
    fx_setup(&f, 1, 1, "");
    feed_s(&f, "abc");
    assert_int_equal(f.vt.bells, 3);
    assert_int_equal(feed_s(&f, "\r"), LINEEDIT_DONE);
    assert_string_equal(f.le.buf, "");
    fx_teardown(&f);
}

/* Enters line (followed by CR), then starts the next one. */
static void enter_line(struct fixture *f, const char *line)
{
    feed_s(f, line);
    assert_int_equal(feed_s(f, "\r"), LINEEDIT_DONE);
    expect_done(f, line);
    lineedit_start(&f->le, f->prompt);
}

static void test_history(void **state)
{
    (void)state;
    struct fixture f;
    fx_setup(&f, 32, 3, "> ");
    enter_line(&f, "one");
    enter_line(&f, ""); /* empty: not recorded */
    enter_line(&f, "two");
    enter_line(&f, "two"); /* repeat: not recorded */
    enter_line(&f, "three");
    feed_s(&f, "dra");
    feed_s(&f, "\x1b[A");
    expect_line(&f, "three", 5);
    feed_s(&f, "\x1bOA");
    expect_line(&f, "two", 3);
    feed_s(&f, "\x10"); /* Ctrl-P */
    expect_line(&f, "one", 3);
    feed_s(&f, "\x1b[A"); /* oldest: bell */
    assert_int_equal(f.vt.bells, 1);
    expect_line(&f, "one", 3);
    /* Editing a recalled line changes no entry. */
    feed_s(&f, "\x7f\x7fNE");
    expect_line(&f, "oNE", 3);
    feed_s(&f, "\x1b[B");
    expect_line(&f, "two", 3);
    feed_s(&f, "\x1b[A");
    expect_line(&f, "one", 3);
    feed_s(&f, "\x0e\x1bOB\x1b[B"); /* back down to the draft */
    expect_line(&f, "dra", 3);
    feed_s(&f, "\x1b[B"); /* already at the draft: bell */
    assert_int_equal(f.vt.bells, 2);
    /* Entering a recalled line adds it as the newest. */
    feed_s(&f, "\x15\x1b[A\x1b[A\x1b[A");
    expect_line(&f, "one", 3);
    assert_int_equal(feed_s(&f, "!\r"), LINEEDIT_DONE);
    expect_done(&f, "one!");
    /* The ring holds three: "one" fell out. */
    lineedit_start(&f.le, "> ");
    feed_s(&f, "\x1b[A");
    expect_line(&f, "one!", 4);
    feed_s(&f, "\x1b[A");
    expect_line(&f, "three", 5);
    feed_s(&f, "\x1b[A");
    expect_line(&f, "two", 3);
    feed_s(&f, "\x1b[A");
    expect_line(&f, "two", 3);
    assert_int_equal(f.vt.bells, 3);
    fx_teardown(&f);
}

static void test_malformed_escapes_discarded(void **state)
{
    (void)state;
    static const char *const junk[] = {
        "\x1b[2~",
        "\x1b[5~",
        "\x1b[6~",
        "\x1b[15~",
        "\x1b[~",
        "\x1b[999999~",
        "\x1b[Z",
        "\x1bx",
        "\x1b\x1b[Z",
        "\x1bOP",
        "\x1bOx",
        "\x1b[?25h",
        "\x1b[1;5;7;9;11;13X",
        "\x1b[\x80",
        "\x1bO\xff",
        "\x1b\x90",
        "\x1b[ q",
        "\t",
        "\x07",
        "\x80\xfe\xff",
        "\x1b[3;5x",
        "\x1b]",
        "\x1b[255~",
        "\x1b[0~",
        "\x1b[33~",
    };
    struct fixture f;
    fx_setup(&f, 32, 4, "> ");
    feed_s(&f, "abc\x1b[D");
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
        assert_int_equal(feed_s(&f, junk[i]), LINEEDIT_CONTINUE);
        assert_int_equal(f.le.esc, LINEEDIT_ESC_NONE);
        expect_line(&f, "abc", 2);
    }
    /* NUL bytes are ignored too. */
    feed_n(&f, "\0\0", 2);
    expect_line(&f, "abc", 2);
    /* A control byte abandons a sequence and still acts: Enter and Ctrl-C get through. */
    assert_int_equal(feed_s(&f, "\x1b[12\r"), LINEEDIT_DONE);
    expect_done(&f, "abc");
    lineedit_start(&f.le, "> ");
    assert_int_equal(feed_s(&f, "x\x1bO\x03"), LINEEDIT_CANCELLED);
    lineedit_start(&f.le, "> ");
    assert_int_equal(feed_s(&f, "x\x1b\x7f"), LINEEDIT_CONTINUE);
    expect_line(&f, "", 0);
    fx_teardown(&f);
}

static void test_no_output_no_history(void **state)
{
    (void)state;
    char *buf = malloc(16);
    struct lineedit le;
    lineedit_init(&le, buf, 16, NULL, 8, NULL, NULL);
    lineedit_start(&le, "> ");
    const char *keys = "abc\x1b[A\x1b[B\x1b[D\x7f\x03xyz\r";
    enum lineedit_result r = LINEEDIT_CONTINUE;
    for (const char *p = keys; *p; p++)
        r = lineedit_feed(&le, (uint8_t)*p);
    assert_int_equal(r, LINEEDIT_DONE);
    assert_string_equal(buf, "xyz");
    /* Without lineedit_start the next byte begins a new line. */
    assert_int_equal(lineedit_feed(&le, 'q'), LINEEDIT_CONTINUE);
    assert_int_equal(le.len, 1);
    assert_int_equal(buf[0], 'q');
    free(buf);
}

/* Keyboard and serial give the same line: scancodes through keymap_to_terminal. */
static void test_keyboard_through_keymap(void **state)
{
    (void)state;
    /* "lx" Backspace "s -a", Home, "e" Ctrl... simplified below: typed as make/break pairs. */
    static const uint8_t scancodes[] = {
        0x26, 0xA6, 0x2D, 0xAD, 0x0E, 0x8E, 0x1F, 0x9F, /* l x BS s */
        0x39, 0xB9, 0x0C, 0x8C, 0x1E, 0x9E,             /* space - a */
        0xE0, 0x47, 0xE0, 0xC7,                         /* Home */
        0x2A, 0x12, 0x92, 0xAA,                         /* E (shifted) */
        0xE0, 0x4D, 0xE0, 0xCD,                         /* Right */
        0xE0, 0x53, 0xE0, 0xD3,                         /* Delete */
        0xE0, 0x4F, 0xE0, 0xCF,                         /* End */
        0x1C, 0x9C,                                     /* Enter */
    };
    struct fixture f;
    fx_setup(&f, 32, 2, "> ");
    struct keymap_state ks;
    keymap_init(&ks);
    enum lineedit_result r = LINEEDIT_CONTINUE;
    for (size_t i = 0; i < sizeof scancodes; i++) {
        struct key_event ev;
        char bytes[8];
        if (!keymap_feed(&ks, scancodes[i], &ev))
            continue;
        size_t n = keymap_to_terminal(&ev, bytes);
        for (size_t j = 0; j < n; j++) {
            assert_int_equal(r, LINEEDIT_CONTINUE);
            r = feed_n(&f, bytes + j, 1);
        }
    }
    assert_int_equal(r, LINEEDIT_DONE);
    expect_done(&f, "El -a");
    fx_teardown(&f);
}

/* --- random edits against a reference model ---------------------------------------------- */

enum op {
    OP_INSERT,
    OP_BS,
    OP_DEL,
    OP_LEFT,
    OP_RIGHT,
    OP_HOME,
    OP_END,
    OP_UP,
    OP_DOWN,
    OP_KILL_LINE,
    OP_KILL_END,
    OP_KILL_WORD,
    OP_ENTER,
    OP_CANCEL,
    OP_NOP,
    OP_COUNT
};

/* Every encoding of each key, as a serial terminal or keymap_to_terminal would send it. */
static const char *const encodings[OP_COUNT][6] = {
    [OP_BS] = {"\x7f", "\b"},
    [OP_DEL] = {"\x1b[3~", "\x04", "\x1b[3;5~"},
    [OP_LEFT] = {"\x1b[D", "\x1bOD", "\x02", "\x1b[1;5D"},
    [OP_RIGHT] = {"\x1b[C", "\x1bOC", "\x06"},
    [OP_HOME] = {"\x01", "\x1b[H", "\x1bOH", "\x1b[1~", "\x1b[7~"},
    [OP_END] = {"\x05", "\x1b[F", "\x1bOF", "\x1b[4~", "\x1b[8~"},
    [OP_UP] = {"\x1b[A", "\x1bOA", "\x10", "\x1b\x1b[A"},
    [OP_DOWN] = {"\x1b[B", "\x1bOB", "\x0e"},
    [OP_KILL_LINE] = {"\x15"},
    [OP_KILL_END] = {"\x0b"},
    [OP_KILL_WORD] = {"\x17"},
    [OP_ENTER] = {"\r", "\n", "\r\n"},
    [OP_CANCEL] = {"\x03"},
    [OP_NOP] = {"\x1b[2~", "\x1bOP", "\x1bx", "\t", "\x1b[?1h", "\x80\x1b[Z"},
};

#define REF_CAP     12
#define REF_ENTRIES 4

/* The reference editor: the documented behaviour, written as plainly as possible. */
struct ref {
    char line[REF_CAP];
    size_t len, cur;
    char hist[REF_ENTRIES][REF_CAP]; /* oldest first, NUL-terminated */
    size_t hn, pos;
    char draft[REF_CAP];
};

static void ref_load(struct ref *r, const char *s)
{
    r->len = strlen(s);
    memcpy(r->line, s, r->len);
    r->cur = r->len;
}

static void ref_remove(struct ref *r, size_t at, size_t n)
{
    memmove(r->line + at, r->line + at + n, r->len - at - n);
    r->len -= n;
}

/* Applies op (c for OP_INSERT); returns the result the editor must give. */
static enum lineedit_result ref_apply(struct ref *r, enum op op, char c)
{
    size_t start;
    switch (op) {
    case OP_INSERT:
        if (r->len + 1 < REF_CAP) {
            memmove(r->line + r->cur + 1, r->line + r->cur, r->len - r->cur);
            r->line[r->cur++] = c;
            r->len++;
        }
        break;
    case OP_BS:
        if (r->cur > 0)
            ref_remove(r, --r->cur, 1);
        break;
    case OP_DEL:
        if (r->cur < r->len)
            ref_remove(r, r->cur, 1);
        break;
    case OP_LEFT:
        r->cur -= r->cur > 0;
        break;
    case OP_RIGHT:
        r->cur += r->cur < r->len;
        break;
    case OP_HOME:
        r->cur = 0;
        break;
    case OP_END:
        r->cur = r->len;
        break;
    case OP_UP:
        if (r->pos < r->hn) {
            if (r->pos == 0) {
                memcpy(r->draft, r->line, r->len);
                r->draft[r->len] = '\0';
            }
            r->pos++;
            ref_load(r, r->hist[r->hn - r->pos]);
        }
        break;
    case OP_DOWN:
        if (r->pos > 0) {
            r->pos--;
            ref_load(r, r->pos ? r->hist[r->hn - r->pos] : r->draft);
        }
        break;
    case OP_KILL_LINE:
        r->len = r->cur = 0;
        break;
    case OP_KILL_END:
        r->len = r->cur;
        break;
    case OP_KILL_WORD:
        start = r->cur;
        while (start > 0 && r->line[start - 1] == ' ')
            start--;
        while (start > 0 && r->line[start - 1] != ' ')
            start--;
        ref_remove(r, start, r->cur - start);
        r->cur = start;
        break;
    case OP_ENTER:
        r->line[r->len] = '\0';
        if (r->len && (r->hn == 0 || strcmp(r->hist[r->hn - 1], r->line) != 0)) {
            if (r->hn == REF_ENTRIES) {
                memmove(r->hist[0], r->hist[1], sizeof r->hist[0] * (REF_ENTRIES - 1));
                r->hn--;
            }
            memcpy(r->hist[r->hn++], r->line, r->len + 1);
        }
        r->pos = 0;
        return LINEEDIT_DONE;
    case OP_CANCEL:
        r->len = r->cur = 0;
        r->pos = 0;
        return LINEEDIT_CANCELLED;
    default:
        break;
    }
    return LINEEDIT_CONTINUE;
}

/* xorshift64: a seeded, reproducible random source. */
static uint64_t rng_state;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void test_random_edits_match_reference(void **state)
{
    (void)state;
    static const char chars[] = "abcxyz  -/._0189";
    for (uint64_t seed = 1; seed <= 40; seed++) {
        rng_state = seed * 0x9E3779B97F4A7C15ull;
        struct fixture f;
        fx_setup(&f, REF_CAP, REF_ENTRIES, "ref> ");
        struct ref r;
        memset(&r, 0, sizeof r);
        bool last_cr = false;
        for (int step = 0; step < 4000; step++) {
            /* Typing is the most common key, then moves and edits; Enter now and then. */
            uint64_t x = rng();
            enum op op = (x % 3 == 0) ? OP_INSERT : (enum op)((x >> 8) % OP_COUNT);
            char c = chars[(x >> 16) % (sizeof chars - 1)];
            const char *enc = NULL;
            char one[2] = {c, '\0'};
            if (op == OP_INSERT) {
                enc = one;
            } else {
                size_t k = 0;
                while (k < 6 && encodings[op][k])
                    k++;
                enc = encodings[op][(x >> 24) % k];
            }
            enum lineedit_result want = LINEEDIT_CONTINUE;
            if (!(op == OP_ENTER && last_cr && enc[0] == '\n'))
                want = ref_apply(&r, op, c);
            last_cr = enc[strlen(enc) - 1] == '\r';
            enum lineedit_result got = feed_s(&f, enc);
            assert_int_equal(got, want);
            if (got == LINEEDIT_DONE) {
                expect_done(&f, r.line);
            } else if (got == LINEEDIT_CANCELLED) {
                assert_string_equal(f.le.buf, "");
            } else {
                assert_int_equal(f.le.len, r.len);
                assert_memory_equal(f.le.buf, r.line, r.len);
                assert_int_equal(f.le.cursor, r.cur);
            }
            if (got != LINEEDIT_CONTINUE) {
                r.len = r.cur = 0;
                lineedit_start(&f.le, f.prompt);
            }
        }
        fx_teardown(&f);
    }
}

static void test_random_garbage(void **state)
{
    (void)state;
    /* Bytes weighted towards what drives the escape parser and the editing keys. */
    static const uint8_t hot[] = {0x1b, '[',  'O',  '~',  ';',  '1',  '3',  '4',  'A',  'B',
                                  'C',  'D',  'H',  'F',  '\r', '\n', 0x7f, 0x08, 0x01, 0x05,
                                  0x0b, 0x15, 0x17, 0x03, 0x04, 0x10, 0x0e, ' '};
    static const size_t caps[] = {1, 2, 5, 16, 64};
    rng_state = 0xC0FFEE;
    for (size_t ci = 0; ci < sizeof caps / sizeof caps[0]; ci++) {
        struct fixture f;
        fx_setup(&f, caps[ci], 3, "g> ");
        size_t lines = 0;
        for (int i = 0; i < 200000; i++) {
            uint64_t x = rng();
            uint8_t b = (x & 1) ? hot[(x >> 8) % sizeof hot] : (uint8_t)(x >> 16);
            char byte = (char)b;
            enum lineedit_result res = feed_n(&f, &byte, 1);
            if (res == LINEEDIT_DONE) {
                assert_true(strlen(f.le.buf) < caps[ci]);
                expect_done(&f, f.le.buf);
            }
            if (res != LINEEDIT_CONTINUE) {
                lines++;
                lineedit_start(&f.le, f.prompt);
            }
        }
        assert_true(lines > 1000);
        /* Every history slot in use holds a terminated line within the capacity. */
        for (size_t k = 0; k < f.le.history_count; k++) {
            const char *slot = f.hist + k * caps[ci];
            size_t n = 0;
            while (n < caps[ci] && slot[n])
                n++;
            assert_true(n < caps[ci]);
        }
        fx_teardown(&f);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_type_and_enter),
        cmocka_unit_test(test_exact_output),
        cmocka_unit_test(test_backspace_bounds),
        cmocka_unit_test(test_cursor_movement),
        cmocka_unit_test(test_delete_and_kills),
        cmocka_unit_test(test_ctrl_c_cancels),
        cmocka_unit_test(test_capacity),
        cmocka_unit_test(test_history),
        cmocka_unit_test(test_malformed_escapes_discarded),
        cmocka_unit_test(test_no_output_no_history),
        cmocka_unit_test(test_keyboard_through_keymap),
        cmocka_unit_test(test_random_edits_match_reference),
        cmocka_unit_test(test_random_garbage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
