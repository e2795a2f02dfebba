/*
 * Host unit tests for lib/input/keymap (PS/2 scancode set 1 decoder).
 *
 * Build: gcc -std=c11 -Wall -Wextra -Werror -g -fsanitize=address,undefined
 *        -fno-sanitize-recover=all -Ilib tests/unit/test_keymap.c lib/input/keymap.c -lcmocka
 *
 * The expected characters come from a table written here from the US layout, independently of
 * the decoder's own tables. keymap_to_terminal always writes into an exact 8-byte heap buffer
 * so that ASan catches a write past it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "input/keymap.h"

#define MAX_EVENTS 16

/* Feeds n bytes; stores the events produced into ev and returns their number. */
static size_t feed(struct keymap_state *st, const uint8_t *bytes, size_t n, struct key_event *ev)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        struct key_event e;
        if (keymap_feed(st, bytes[i], &e)) {
            assert_true(count < MAX_EVENTS);
            ev[count++] = e;
        }
    }
    return count;
}

/* Feeds one byte and requires an event, returned. */
static struct key_event feed_one(struct keymap_state *st, uint8_t byte)
{
    struct key_event e;
    memset(&e, 0xAB, sizeof e);
    assert_true(keymap_feed(st, byte, &e));
    return e;
}

/* Feeds one byte and requires no event, and *out left untouched. */
static void feed_none(struct keymap_state *st, uint8_t byte)
{
    struct key_event e, before;
    memset(&e, 0x5A, sizeof e);
    before = e;
    assert_false(keymap_feed(st, byte, &e));
    assert_memory_equal(&e, &before, sizeof e);
}

/* keymap_to_terminal into an exact 8-byte heap buffer, copied NUL-terminated into text. */
static size_t terminal(const struct key_event *ev, char text[9])
{
    char *out = malloc(8);
    assert_non_null(out);
    size_t n = keymap_to_terminal(ev, out);
    assert_true(n <= 8);
    memcpy(text, out, n);
    text[n] = '\0';
    free(out);
    return n;
}

/* Scancode, plain and shifted character of every key that types one (US layout). */
static const struct {
    uint8_t code;
    char plain, shifted;
} us_layout[] = {
    {0x02, '1', '!'},   {0x03, '2', '@'},   {0x04, '3', '#'},   {0x05, '4', '$'},
    {0x06, '5', '%'},   {0x07, '6', '^'},   {0x08, '7', '&'},   {0x09, '8', '*'},
    {0x0A, '9', '('},   {0x0B, '0', ')'},   {0x0C, '-', '_'},   {0x0D, '=', '+'},
    {0x10, 'q', 'Q'},   {0x11, 'w', 'W'},   {0x12, 'e', 'E'},   {0x13, 'r', 'R'},
    {0x14, 't', 'T'},   {0x15, 'y', 'Y'},   {0x16, 'u', 'U'},   {0x17, 'i', 'I'},
    {0x18, 'o', 'O'},   {0x19, 'p', 'P'},   {0x1A, '[', '{'},   {0x1B, ']', '}'},
    {0x1E, 'a', 'A'},   {0x1F, 's', 'S'},   {0x20, 'd', 'D'},   {0x21, 'f', 'F'},
    {0x22, 'g', 'G'},   {0x23, 'h', 'H'},   {0x24, 'j', 'J'},   {0x25, 'k', 'K'},
    {0x26, 'l', 'L'},   {0x27, ';', ':'},   {0x28, '\'', '"'},  {0x29, '`', '~'},
    {0x2B, '\\', '|'},  {0x2C, 'z', 'Z'},   {0x2D, 'x', 'X'},   {0x2E, 'c', 'C'},
    {0x2F, 'v', 'V'},   {0x30, 'b', 'B'},   {0x31, 'n', 'N'},   {0x32, 'm', 'M'},
    {0x33, ',', '<'},   {0x34, '.', '>'},   {0x35, '/', '?'},   {0x39, ' ', ' '},
    {0x1C, '\r', '\r'}, {0x0E, 0x7f, 0x7f}, {0x0F, '\t', '\t'}, {0x01, 0x1b, 0x1b},
    {0x37, '*', '*'},   {0x4A, '-', '-'},   {0x4E, '+', '+'},   {0x56, '\\', '|'},
};
#define US_LAYOUT_N (sizeof us_layout / sizeof us_layout[0])

static bool is_letter(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static void test_plain_and_shifted_characters(void **state)
{
    (void)state;
    struct keymap_state st;
    keymap_init(&st);
    for (size_t i = 0; i < US_LAYOUT_N; i++) {
        struct key_event e = feed_one(&st, us_layout[i].code);
        assert_true(e.pressed);
        assert_int_equal(e.modifiers, 0);
        assert_int_equal(e.ascii, us_layout[i].plain);
        struct key_event r = feed_one(&st, us_layout[i].code | 0x80);
        assert_false(r.pressed);
        assert_int_equal(r.key, e.key);
        assert_int_equal(r.ascii, 0);
    }
    /* Left shift, then right shift, each on its own. */
    const uint8_t shifts[2] = {0x2A, 0x36};
    for (int s = 0; s < 2; s++) {
        struct key_event e = feed_one(&st, shifts[s]);
        assert_int_equal(e.modifiers, KEYMAP_MOD_SHIFT);
        assert_int_equal(e.ascii, 0);
        for (size_t i = 0; i < US_LAYOUT_N; i++) {
            e = feed_one(&st, us_layout[i].code);
            assert_int_equal(e.ascii, us_layout[i].shifted);
            assert_int_equal(e.modifiers, KEYMAP_MOD_SHIFT);
        }
        e = feed_one(&st, shifts[s] | 0x80);
        assert_int_equal(e.modifiers, 0);
    }
}

static void test_letter_keycodes(void **state)
{
    (void)state;
    struct keymap_state st;
    keymap_init(&st);
    for (size_t i = 0; i < US_LAYOUT_N; i++) {
        char c = us_layout[i].plain;
        struct key_event e = feed_one(&st, us_layout[i].code);
        if (c >= 'a' && c <= 'z')
            assert_int_equal(e.key, KEY_A + (c - 'a'));
        else if (c >= '0' && c <= '9')
            assert_int_equal(e.key, KEY_0 + (c - '0'));
    }
    assert_int_equal(feed_one(&st, 0x1C).key, KEY_ENTER);
    assert_int_equal(feed_one(&st, 0x0E).key, KEY_BACKSPACE);
    assert_int_equal(feed_one(&st, 0x3B).key, KEY_F1);
    assert_int_equal(feed_one(&st, 0x44).key, KEY_F10);
    assert_int_equal(feed_one(&st, 0x57).key, KEY_F11);
    assert_int_equal(feed_one(&st, 0x58).key, KEY_F12);
}

static void test_two_shifts_overlap(void **state)
{
    (void)state;
    struct keymap_state st;
    keymap_init(&st);
    feed_one(&st, 0x2A);                                               /* left down */
    feed_one(&st, 0x36);                                               /* right down */
    assert_int_equal(feed_one(&st, 0xAA).modifiers, KEYMAP_MOD_SHIFT); /* left up: right holds */
    assert_int_equal(feed_one(&st, 0x1E).ascii, 'A');
    assert_int_equal(feed_one(&st, 0xB6).modifiers, 0);
    assert_int_equal(feed_one(&st, 0x1E).ascii, 'a');
}

static void test_caps_lock(void **state)
{
    (void)state;
    struct keymap_state st;
    keymap_init(&st);
    struct key_event e = feed_one(&st, 0x3A);
    assert_int_equal(e.key, KEY_CAPS_LOCK);
    assert_int_equal(e.modifiers, KEYMAP_MOD_CAPS_LOCK);
    /* Typematic repeat of the held key must not toggle again. */
    assert_int_equal(feed_one(&st, 0x3A).modifiers, KEYMAP_MOD_CAPS_LOCK);
    assert_int_equal(feed_one(&st, 0xBA).modifiers, KEYMAP_MOD_CAPS_LOCK);
    for (size_t i = 0; i < US_LAYOUT_N; i++) {
        char c = us_layout[i].plain;
        char want = is_letter(c) ? us_layout[i].shifted : c; /* caps lock affects letters only */
        assert_int_equal(feed_one(&st, us_layout[i].code).ascii, want);
    }
    /* Shift under caps lock gives lower case letters, shifted symbols. */
    feed_one(&st, 0x2A);
    assert_int_equal(feed_one(&st, 0x1E).ascii, 'a');
    assert_int_equal(feed_one(&st, 0x02).ascii, '!');
    feed_one(&st, 0xAA);
    /* A second press turns it off. */
    assert_int_equal(feed_one(&st, 0x3A).modifiers, 0);
    feed_one(&st, 0xBA);
    assert_int_equal(feed_one(&st, 0x1E).ascii, 'a');
}

static void test_ctrl_characters(void **state)
{
    (void)state;
    struct keymap_state st;
    keymap_init(&st);
    assert_int_equal(feed_one(&st, 0x1D).modifiers, KEYMAP_MOD_CTRL);
    assert_int_equal(feed_one(&st, 0x2E).ascii, 0x03); /* Ctrl-C */
    assert_int_equal(feed_one(&st, 0x1E).ascii, 0x01); /* Ctrl-A */
    assert_int_equal(feed_one(&st, 0x2C).ascii, 0x1a); /* Ctrl-Z */
    assert_int_equal(feed_one(&st, 0x1A).ascii, 0x1b); /* Ctrl-[ is ESC */
    assert_int_equal(feed_one(&st, 0x2B).ascii, 0x1c); /* Ctrl-\ */
    assert_int_equal(feed_one(&st, 0x02).ascii, '1');  /* digits are unchanged */
    feed_one(&st, 0x2A);
    assert_int_equal(feed_one(&st, 0x1E).ascii, 0x01); /* Ctrl-Shift-A is still Ctrl-A */
    assert_int_equal(feed_one(&st, 0x0C).ascii, 0x1f); /* Ctrl-_ */
    feed_one(&st, 0xAA);
    feed_one(&st, 0x9D);
    /* Right ctrl through the extended prefix. */
    feed_none(&st, 0xE0);
    struct key_event e = feed_one(&st, 0x1D);
    assert_int_equal(e.key, KEY_RIGHT_CTRL);
    assert_int_equal(e.modifiers, KEYMAP_MOD_CTRL);
    assert_int_equal(feed_one(&st, 0x20).ascii, 0x04); /* Ctrl-D */
    feed_none(&st, 0xE0);
    assert_int_equal(feed_one(&st, 0x9D).modifiers, 0);
    assert_int_equal(feed_one(&st, 0x20).ascii, 'd');
}

static void test_extended_keys(void **state)
{
    (void)state;
    static const struct {
        uint8_t code;
        uint16_t key;
        char ascii;
    } ext[] = {
        {0x48, KEY_UP, 0},        {0x50, KEY_DOWN, 0},        {0x4B, KEY_LEFT, 0},
        {0x4D, KEY_RIGHT, 0},     {0x47, KEY_HOME, 0},        {0x4F, KEY_END, 0},
        {0x49, KEY_PAGE_UP, 0},   {0x51, KEY_PAGE_DOWN, 0},   {0x52, KEY_INSERT, 0},
        {0x53, KEY_DELETE, 0},    {0x1C, KEY_KP_ENTER, '\r'}, {0x35, KEY_KP_SLASH, '/'},
        {0x5B, KEY_LEFT_GUI, 0},  {0x5C, KEY_RIGHT_GUI, 0},   {0x5D, KEY_MENU, 0},
        {0x38, KEY_RIGHT_ALT, 0}, {0x1D, KEY_RIGHT_CTRL, 0},
    };
    struct keymap_state st;
    keymap_init(&st);
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        feed_none(&st, 0xE0);
        struct key_event e = feed_one(&st, ext[i].code);
        assert_int_equal(e.key, ext[i].key);
        assert_true(e.pressed);
        assert_int_equal(e.ascii, ext[i].ascii);
        feed_none(&st, 0xE0);
        e = feed_one(&st, ext[i].code | 0x80);
        assert_int_equal(e.key, ext[i].key);
        assert_false(e.pressed);
        assert_int_equal(e.modifiers, 0);
    }
    /* The prefix applies to one byte only: 0x48 alone is keypad 8. */
    assert_int_equal(feed_one(&st, 0x48).key, KEY_KP_8);
    /* Repeated prefixes collapse into one. */
    feed_none(&st, 0xE0);
    feed_none(&st, 0xE0);
    assert_int_equal(feed_one(&st, 0x48).key, KEY_UP);
}

static void test_right_alt(void **state)
{
    (void)state;
    struct keymap_state st;
    keymap_init(&st);
    feed_none(&st, 0xE0);
    assert_int_equal(feed_one(&st, 0x38).modifiers, KEYMAP_MOD_ALT);
    struct key_event e = feed_one(&st, 0x2D); /* x */
    assert_int_equal(e.ascii, 'x');
    assert_int_equal(e.modifiers, KEYMAP_MOD_ALT);
    char text[9];
    assert_int_equal(terminal(&e, text), 2);
    assert_string_equal(text, "\x1bx");
    feed_none(&st, 0xE0);
    assert_int_equal(feed_one(&st, 0xB8).modifiers, 0);
    /* Left alt too. */
    assert_int_equal(feed_one(&st, 0x38).modifiers, KEYMAP_MOD_ALT);
    assert_int_equal(feed_one(&st, 0xB8).modifiers, 0);
}

static void test_fake_shifts_ignored(void **state)
{
    (void)state;
    struct keymap_state st;
    keymap_init(&st);
    struct key_event ev[MAX_EVENTS];
    /* Num Lock on: Up arrives wrapped in a fake left shift press and release. */
    const uint8_t numlock_up[] = {0xE0, 0x2A, 0xE0, 0x48, 0xE0, 0xC8, 0xE0, 0xAA};
    size_t n = feed(&st, numlock_up, sizeof numlock_up, ev);
    assert_int_equal(n, 2);
    assert_int_equal(ev[0].key, KEY_UP);
    assert_true(ev[0].pressed);
    assert_int_equal(ev[0].modifiers, 0);
    assert_int_equal(ev[1].key, KEY_UP);
    assert_false(ev[1].pressed);
    /* Shift held: Home arrives wrapped in a fake shift release, which must not drop Shift. */
    feed_one(&st, 0x2A);
    const uint8_t shift_home[] = {0xE0, 0xAA, 0xE0, 0x47, 0xE0, 0xC7, 0xE0, 0x2A};
    n = feed(&st, shift_home, sizeof shift_home, ev);
    assert_int_equal(n, 2);
    assert_int_equal(ev[0].key, KEY_HOME);
    assert_int_equal(ev[0].modifiers, KEYMAP_MOD_SHIFT);
    assert_int_equal(feed_one(&st, 0x1E).ascii, 'A');
    const uint8_t right_fake[] = {0xE0, 0x36, 0xE0, 0xB6};
    assert_int_equal(feed(&st, right_fake, sizeof right_fake, ev), 0);
    assert_int_equal(feed_one(&st, 0xAA).modifiers, 0);
}

static void test_print_screen(void **state)
{
    (void)state;
    struct keymap_state st;
    keymap_init(&st);
    struct key_event ev[MAX_EVENTS];
    const uint8_t seq[] = {0xE0, 0x2A, 0xE0, 0x37, 0xE0, 0xB7, 0xE0, 0xAA};
    assert_int_equal(feed(&st, seq, sizeof seq, ev), 2);
    assert_int_equal(ev[0].key, KEY_PRINT_SCREEN);
    assert_true(ev[0].pressed);
    assert_int_equal(ev[1].key, KEY_PRINT_SCREEN);
    assert_false(ev[1].pressed);
    assert_int_equal(ev[1].modifiers, 0);
}

static void test_pause_sequence(void **state)
{
    (void)state;
    struct keymap_state st;
    keymap_init(&st);
    struct key_event ev[MAX_EVENTS];
    const uint8_t pause[] = {0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5};
    assert_int_equal(feed(&st, pause, sizeof pause, ev), 2);
    assert_int_equal(ev[0].key, KEY_PAUSE);
    assert_true(ev[0].pressed);
    assert_int_equal(ev[1].key, KEY_PAUSE);
    assert_false(ev[1].pressed);
    /* Neither Ctrl nor Num Lock leaked from the 1D and 45 inside the sequence. */
    assert_int_equal(ev[0].modifiers, 0);
    assert_int_equal(ev[1].modifiers, 0);
    assert_int_equal(feed_one(&st, 0x1E).ascii, 'a');
    /* Ctrl+Break is E0 46. */
    feed_none(&st, 0xE0);
    assert_int_equal(feed_one(&st, 0x46).key, KEY_PAUSE);
}

static void test_broken_pause_loses_no_key(void **state)
{
    (void)state;
    struct keymap_state st;
    keymap_init(&st);
    /* A stray E1, then a key: the key is decoded. */
    feed_none(&st, 0xE1);
    assert_int_equal(feed_one(&st, 0x1E).key, KEY_A);
    /* E1 1D then not 45: the third byte is decoded afresh. */
    feed_none(&st, 0xE1);
    feed_none(&st, 0x1D);
    assert_int_equal(feed_one(&st, 0x30).key, KEY_B);
    assert_int_equal(st.held, 0);
    /* E1 followed by E0: the extended prefix takes over. */
    feed_none(&st, 0xE1);
    feed_none(&st, 0xE0);
    assert_int_equal(feed_one(&st, 0x48).key, KEY_UP);
}

static void test_status_bytes_ignored(void **state)
{
    (void)state;
    struct keymap_state st;
    keymap_init(&st);
    const uint8_t status[] = {0x00, 0xFF, 0xFA, 0xFE, 0xEE, 0xFC, 0xFD};
    for (size_t i = 0; i < sizeof status; i++)
        feed_none(&st, status[i]);
    /* An overrun byte cancels a pending prefix. */
    feed_none(&st, 0xE0);
    feed_none(&st, 0x00);
    assert_int_equal(feed_one(&st, 0x48).key, KEY_KP_8);
    feed_none(&st, 0xE1);
    feed_none(&st, 0xFF);
    assert_int_equal(feed_one(&st, 0x45).key, KEY_NUM_LOCK);
}

static void test_every_single_byte(void **state)
{
    (void)state;
    size_t makes = 0;
    for (int b = 0; b < 256; b++) {
        struct keymap_state st;
        keymap_init(&st);
        struct key_event e;
        if (keymap_feed(&st, (uint8_t)b, &e)) {
            assert_true(e.key > KEY_NONE && e.key < KEY_COUNT);
            assert_int_equal(e.pressed, !(b & 0x80));
            if (e.pressed)
                makes++;
            /* The break code of a make names the same key. */
            struct key_event r;
            struct keymap_state st2;
            keymap_init(&st2);
            assert_true(keymap_feed(&st2, (uint8_t)(b ^ 0x80), &r));
            assert_int_equal(r.key, e.key);
        }
        /* After E0 too. */
        keymap_init(&st);
        keymap_feed(&st, 0xE0, &e);
        if (keymap_feed(&st, (uint8_t)b, &e))
            assert_true(e.key > KEY_NONE && e.key < KEY_COUNT);
    }
    /* 0x01-0x53 and 0x56-0x58: the 86 keys of set 1 without prefix. */
    assert_int_equal(makes, 86);
}

static void test_keypad_and_num_lock(void **state)
{
    (void)state;
    static const struct {
        uint8_t code;
        char digit;
        const char *nav;
    } kp[] = {
        {0x47, '7', "\x1b[H"},  {0x48, '8', "\x1b[A"},  {0x49, '9', "\x1b[5~"},
        {0x4B, '4', "\x1b[D"},  {0x4C, '5', ""},        {0x4D, '6', "\x1b[C"},
        {0x4F, '1', "\x1b[F"},  {0x50, '2', "\x1b[B"},  {0x51, '3', "\x1b[6~"},
        {0x52, '0', "\x1b[2~"}, {0x53, '.', "\x1b[3~"},
    };
    struct keymap_state st;
    keymap_init(&st);
    char text[9];
    for (size_t i = 0; i < sizeof kp / sizeof kp[0]; i++) {
        struct key_event e = feed_one(&st, kp[i].code);
        assert_int_equal(e.ascii, 0);
        terminal(&e, text);
        assert_string_equal(text, kp[i].nav);
    }
    assert_int_equal(feed_one(&st, 0x45).modifiers, KEYMAP_MOD_NUM_LOCK);
    feed_one(&st, 0xC5);
    for (size_t i = 0; i < sizeof kp / sizeof kp[0]; i++) {
        struct key_event e = feed_one(&st, kp[i].code);
        assert_int_equal(e.ascii, kp[i].digit);
        assert_int_equal(terminal(&e, text), 1);
        assert_int_equal(text[0], kp[i].digit);
    }
    /* The extended arrows stay arrows with Num Lock on. */
    feed_none(&st, 0xE0);
    struct key_event e = feed_one(&st, 0x48);
    terminal(&e, text);
    assert_string_equal(text, "\x1b[A");
}

static void test_to_terminal_sequences(void **state)
{
    (void)state;
    static const struct {
        bool extended;
        uint8_t code;
        const char *bytes;
    } cases[] = {
        {true, 0x48, "\x1b[A"},    {true, 0x50, "\x1b[B"},    {true, 0x4D, "\x1b[C"},
        {true, 0x4B, "\x1b[D"},    {true, 0x47, "\x1b[H"},    {true, 0x4F, "\x1b[F"},
        {true, 0x53, "\x1b[3~"},   {true, 0x52, "\x1b[2~"},   {true, 0x49, "\x1b[5~"},
        {true, 0x51, "\x1b[6~"},   {false, 0x3B, "\x1bOP"},   {false, 0x3C, "\x1bOQ"},
        {false, 0x3D, "\x1bOR"},   {false, 0x3E, "\x1bOS"},   {false, 0x3F, "\x1b[15~"},
        {false, 0x40, "\x1b[17~"}, {false, 0x41, "\x1b[18~"}, {false, 0x42, "\x1b[19~"},
        {false, 0x43, "\x1b[20~"}, {false, 0x44, "\x1b[21~"}, {false, 0x57, "\x1b[23~"},
        {false, 0x58, "\x1b[24~"}, {false, 0x1C, "\r"},       {false, 0x0E, "\x7f"},
        {false, 0x0F, "\t"},       {false, 0x01, "\x1b"},     {false, 0x1E, "a"},
        {true, 0x1C, "\r"},        {false, 0x2A, ""},         {false, 0x3A, ""},
        {true, 0x5B, ""},          {false, 0x46, ""},
    };
    char text[9];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct keymap_state st;
        keymap_init(&st);
        if (cases[i].extended)
            feed_none(&st, 0xE0);
        struct key_event e = feed_one(&st, cases[i].code);
        size_t n = terminal(&e, text);
        assert_int_equal(n, strlen(cases[i].bytes));
        assert_string_equal(text, cases[i].bytes);
        /* Releases send nothing. */
        if (cases[i].extended)
            feed_none(&st, 0xE0);
        e = feed_one(&st, cases[i].code | 0x80);
        assert_int_equal(terminal(&e, text), 0);
    }
}

/* xorshift64: a seeded, reproducible byte source. */
static uint64_t rng_state;
static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void test_random_garbage(void **state)
{
    (void)state;
    rng_state = 0x9E3779B97F4A7C15ull;
    struct keymap_state st;
    keymap_init(&st);
    char text[9];
    size_t events = 0;
    for (int i = 0; i < 1000000; i++) {
        /* Mostly uniform bytes, with prefixes made common so their paths are exercised. */
        uint64_t r = rng();
        uint8_t b = (r & 0x700) == 0 ? (uint8_t)((r & 1) ? 0xE0 : 0xE1) : (uint8_t)r;
        struct key_event e;
        if (!keymap_feed(&st, b, &e))
            continue;
        events++;
        assert_true(e.key > KEY_NONE && e.key < KEY_COUNT);
        assert_true((e.modifiers & ~0x1f) == 0);
        if (!e.pressed)
            assert_int_equal(e.ascii, 0);
        size_t n = terminal(&e, text);
        assert_true(n <= 8);
        if (!e.pressed)
            assert_int_equal(n, 0);
    }
    assert_true(events > 100000);
    /* After the noise, an overrun byte and every modifier's release give a clean decoder. */
    const uint8_t reset[] = {0x00, 0xAA, 0xB6, 0x9D, 0xB8, 0xE0, 0x9D, 0xE0, 0xB8};
    struct key_event ev[MAX_EVENTS];
    feed(&st, reset, sizeof reset, ev);
    struct key_event e = feed_one(&st, 0x1E);
    assert_int_equal(e.modifiers & ~(KEYMAP_MOD_CAPS_LOCK | KEYMAP_MOD_NUM_LOCK), 0);
    assert_int_equal(e.ascii, (e.modifiers & KEYMAP_MOD_CAPS_LOCK) ? 'A' : 'a');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_and_shifted_characters),
        cmocka_unit_test(test_letter_keycodes),
        cmocka_unit_test(test_two_shifts_overlap),
        cmocka_unit_test(test_caps_lock),
        cmocka_unit_test(test_ctrl_characters),
        cmocka_unit_test(test_extended_keys),
        cmocka_unit_test(test_right_alt),
        cmocka_unit_test(test_fake_shifts_ignored),
        cmocka_unit_test(test_print_screen),
        cmocka_unit_test(test_pause_sequence),
        cmocka_unit_test(test_broken_pause_loses_no_key),
        cmocka_unit_test(test_status_bytes_ignored),
        cmocka_unit_test(test_every_single_byte),
        cmocka_unit_test(test_keypad_and_num_lock),
        cmocka_unit_test(test_to_terminal_sequences),
        cmocka_unit_test(test_random_garbage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
