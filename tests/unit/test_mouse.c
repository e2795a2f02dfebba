/*
 * Host unit tests for the PS/2 mouse packet decoder (lib/input/mouse.c) and the input
 * protocol's event word (lib/proto/input.h): every motion value both ways, buttons, overflow,
 * resynchronisation after a lost byte, and random byte streams against a model encoder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "input/mouse.h"
#include "proto/input.h"

/* The packet a mouse sends for a motion (PS/2 y is up) and buttons, no overflow. */
static void encode(int dx, int dy_up, uint8_t buttons, uint8_t out[3])
{
    out[0] = (uint8_t)(MOUSE_BYTE0_ALWAYS_ONE | (buttons & 7) | (dx < 0 ? MOUSE_BYTE0_X_SIGN : 0) |
                       (dy_up < 0 ? MOUSE_BYTE0_Y_SIGN : 0));
    out[1] = (uint8_t)(dx & 0xff);
    out[2] = (uint8_t)(dy_up & 0xff);
}

/* Feeds n bytes; returns how many events came out, the last in *last. */
static int feed_all(struct mouse_state *st, const uint8_t *bytes, size_t n,
                    struct mouse_event *last)
{
    int events = 0;
    for (size_t i = 0; i < n; i++)
        if (mouse_feed(st, bytes[i], last))
            events++;
    return events;
}

static void test_every_motion(void **state)
{
    (void)state;
    struct mouse_state st;
    mouse_init(&st);
    for (int dx = -256; dx <= 255; dx++) {
        for (int dy = -256; dy <= 255; dy += 17) {
            uint8_t p[3];
            struct mouse_event ev;
            encode(dx, dy, (uint8_t)(dx & 7), p);
            assert_false(mouse_feed(&st, p[0], &ev));
            assert_false(mouse_feed(&st, p[1], &ev));
            assert_true(mouse_feed(&st, p[2], &ev));
            assert_int_equal(ev.dx, dx);
            assert_int_equal(ev.dy, -dy); /* screen y is down */
            assert_int_equal(ev.buttons, dx & 7);
            assert_false(ev.overflow);
        }
    }
    assert_int_equal(st.discarded, 0);
}

static void test_buttons_alone(void **state)
{
    (void)state;
    struct mouse_state st;
    mouse_init(&st);
    struct mouse_event ev;
    uint8_t left[3] = {0x09, 0, 0}, none[3] = {0x08, 0, 0}, all[3] = {0x0f, 0, 0};
    assert_int_equal(feed_all(&st, left, 3, &ev), 1);
    assert_int_equal(ev.buttons, INPUT_BUTTON_LEFT);
    assert_int_equal(feed_all(&st, all, 3, &ev), 1);
    assert_int_equal(ev.buttons, INPUT_BUTTON_LEFT | INPUT_BUTTON_RIGHT | INPUT_BUTTON_MIDDLE);
    assert_int_equal(feed_all(&st, none, 3, &ev), 1);
    assert_int_equal(ev.buttons, 0);
    assert_int_equal(ev.dx, 0);
    assert_int_equal(ev.dy, 0);
}

static void test_overflow_drops_motion(void **state)
{
    (void)state;
    struct mouse_state st;
    mouse_init(&st);
    struct mouse_event ev;
    uint8_t x[3] = {0x08 | MOUSE_BYTE0_X_OVERFLOW | 0x02, 0x7f, 0x10};
    uint8_t y[3] = {0x08 | MOUSE_BYTE0_Y_OVERFLOW | MOUSE_BYTE0_Y_SIGN, 0x01, 0x80};
    assert_int_equal(feed_all(&st, x, 3, &ev), 1);
    assert_true(ev.overflow);
    assert_int_equal(ev.dx, 0);
    assert_int_equal(ev.dy, 0);
    assert_int_equal(ev.buttons, INPUT_BUTTON_RIGHT); /* the buttons still count */
    assert_int_equal(feed_all(&st, y, 3, &ev), 1);
    assert_true(ev.overflow);
    assert_int_equal(ev.dx, 0);
    /* A normal packet after it decodes normally. */
    uint8_t p[3];
    encode(5, -7, 0, p);
    assert_int_equal(feed_all(&st, p, 3, &ev), 1);
    assert_false(ev.overflow);
    assert_int_equal(ev.dx, 5);
    assert_int_equal(ev.dy, 7);
}

/* A byte lost in the middle of a stream: the decoder takes a wrong packet at most until a
   byte without bit 3 comes where a packet should start, then is back in step. */
static void test_resync_after_lost_byte(void **state)
{
    (void)state;
    struct mouse_state st;
    mouse_init(&st);
    /* Stray bytes without bit 3 before any packet (an ACK's tail, a reset's 0x00): skipped. */
    uint8_t junk[4] = {0x00, 0x00, 0x01, 0xf0 & ~0x08};
    struct mouse_event ev;
    assert_int_equal(feed_all(&st, junk, 4, &ev), 0);
    assert_int_equal(st.discarded, 4);
    /* Packets whose bytes 1 and 2 lack bit 3 (motions 0-7 and 16-23 ...); drop byte 0 of the
       first: its bytes 1 and 2 are discarded, and the next packet decodes exactly. */
    uint8_t stream[9];
    encode(3, 2, 1, stream);
    encode(-4, 5, 2, stream + 3);
    encode(0x11, 0x12, 4, stream + 6);
    int events = feed_all(&st, stream + 1, 8, &ev);
    assert_int_equal(events, 2);
    assert_int_equal(ev.dx, 0x11);
    assert_int_equal(ev.dy, -0x12);
    assert_int_equal(ev.buttons, 4);
    assert_int_equal(st.discarded, 6);
}

/* Random packets with random bytes thrown in: never a crash, every event's values in range,
   and after each stretch of junk followed by a resync byte pattern the decoder agrees with
   the model again. */
static void test_random_streams(void **state)
{
    (void)state;
    srand(1234);
    for (int round = 0; round < 2000; round++) {
        struct mouse_state st;
        mouse_init(&st);
        struct mouse_event ev;
        for (int i = 0; i < 50; i++) {
            uint8_t b = (uint8_t)rand();
            if (mouse_feed(&st, b, &ev)) {
                assert_true(ev.dx >= -256 && ev.dx <= 255);
                assert_true(ev.dy >= -255 && ev.dy <= 256);
                assert_true(ev.buttons <= 7);
            }
        }
        /* Bring it in step: bytes without bit 3 until a packet would start, then packets
           whose motion bytes lack bit 3 too. */
        uint8_t zero = 0;
        while (st.count != 0)
            mouse_feed(&st, zero, &ev);
        for (int i = 0; i < 20; i++) {
            int dx = (rand() % 8) | ((rand() % 2) ? 0x10 : 0), dy = rand() % 8;
            if (rand() % 2)
                dx = -dx;
            uint8_t p[3], buttons = (uint8_t)(rand() % 8);
            encode(dx, dy, buttons, p);
            assert_int_equal(feed_all(&st, p, 3, &ev), 1);
            assert_int_equal(ev.dx, dx);
            assert_int_equal(ev.dy, -dy);
            assert_int_equal(ev.buttons, buttons);
        }
    }
}

static void test_event_words(void **state)
{
    (void)state;
    struct input_event out, in = {.type = INPUT_EVENT_MOUSE, .dx = -256, .dy = 256, .buttons = 5};
    assert_true(input_event_unpack(input_event_pack(&in), &out));
    assert_int_equal(out.type, INPUT_EVENT_MOUSE);
    assert_int_equal(out.dx, -256);
    assert_int_equal(out.dy, 256);
    assert_int_equal(out.buttons, 5);
    assert_false(out.overflow);
    in = (struct input_event){.type = INPUT_EVENT_MOUSE, .overflow = true, .buttons = 1};
    assert_true(input_event_unpack(input_event_pack(&in), &out));
    assert_true(out.overflow);
    in = (struct input_event){.type = INPUT_EVENT_KEY,
                              .key = {.key = KEY_Q,
                                      .pressed = true,
                                      .modifiers = KEYMAP_MOD_SHIFT | KEYMAP_MOD_CAPS_LOCK,
                                      .ascii = 'q'}};
    uint64_t w = input_event_pack(&in);
    assert_int_equal(w & 0xff, INPUT_EVENT_KEY);
    assert_true(input_event_unpack(w, &out));
    assert_int_equal(out.key.key, KEY_Q);
    assert_true(out.key.pressed);
    assert_int_equal(out.key.modifiers, KEYMAP_MOD_SHIFT | KEYMAP_MOD_CAPS_LOCK);
    assert_int_equal(out.key.ascii, 'q');
    /* Every key both ways. */
    for (unsigned k = 1; k < KEY_COUNT; k++) {
        in.key.key = (uint16_t)k;
        in.key.pressed = k & 1;
        in.key.ascii = (char)(k & 0x7f);
        assert_true(input_event_unpack(input_event_pack(&in), &out));
        assert_int_equal(out.key.key, k);
        assert_int_equal(out.key.pressed, k & 1);
        assert_int_equal(out.key.ascii, (char)(k & 0x7f));
    }
    /* What is not an event. */
    assert_false(input_event_unpack(0, &out));
    assert_false(input_event_unpack(99, &out));
    assert_false(input_event_unpack(INPUT_EVENT_KEY, &out)); /* KEY_NONE */
    assert_false(input_event_unpack(INPUT_EVENT_KEY | ((uint64_t)KEY_COUNT << 8), &out));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_motion),          cmocka_unit_test(test_buttons_alone),
        cmocka_unit_test(test_overflow_drops_motion), cmocka_unit_test(test_resync_after_lost_byte),
        cmocka_unit_test(test_random_streams),        cmocka_unit_test(test_event_words),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
