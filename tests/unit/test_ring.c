/*
 * Host unit tests for the console server's input ring (servers/console/ring.c): FIFO order,
 * wrap-around, dropping the newest bytes when full, and a random workload checked against a
 * plain array model.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "../../servers/console/ring.h"

static struct ring r;

static void test_empty(void **state)
{
    (void)state;
    uint8_t out[4] = {9, 9, 9, 9};
    ring_init(&r);
    assert_int_equal(ring_count(&r), 0);
    assert_int_equal(ring_peek(&r, out, sizeof out), 0);
    assert_int_equal(out[0], 9);
    ring_drop(&r, 5); /* dropping from an empty ring is harmless */
    assert_int_equal(ring_count(&r), 0);
}

static void test_fifo(void **state)
{
    (void)state;
    uint8_t out[8];
    ring_init(&r);
    assert_int_equal(ring_put(&r, "abc", 3), 3);
    assert_int_equal(ring_put(&r, "de", 2), 2);
    assert_int_equal(ring_count(&r), 5);
    assert_int_equal(ring_peek(&r, out, 2), 2);
    assert_memory_equal(out, "ab", 2);
    assert_int_equal(ring_count(&r), 5); /* peek leaves them */
    ring_drop(&r, 2);
    assert_int_equal(ring_peek(&r, out, sizeof out), 3);
    assert_memory_equal(out, "cde", 3);
    ring_drop(&r, 10);
    assert_int_equal(ring_count(&r), 0);
}

static void test_full_drops_newest(void **state)
{
    (void)state;
    static uint8_t big[RING_SIZE + 100], out[RING_SIZE + 100];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)(i * 7);
    ring_init(&r);
    assert_int_equal(ring_put(&r, big, 10), 10);
    assert_int_equal(ring_put(&r, big + 10, sizeof big - 10), RING_SIZE - 10);
    assert_int_equal(ring_count(&r), RING_SIZE);
    assert_int_equal(ring_put(&r, "x", 1), 0);
    assert_int_equal(ring_peek(&r, out, sizeof out), RING_SIZE);
    assert_memory_equal(out, big, RING_SIZE); /* the oldest survived */
    ring_drop(&r, 1);
    assert_int_equal(ring_put(&r, "xy", 2), 1);
    assert_int_equal(ring_peek(&r, out, sizeof out), RING_SIZE);
    assert_memory_equal(out, big + 1, RING_SIZE - 1);
    assert_int_equal(out[RING_SIZE - 1], 'x');
}

/* Random puts, peeks and drops against a model array, across many wrap-arounds. */
static void test_random_against_model(void **state)
{
    (void)state;
    static uint8_t model[RING_SIZE], in[600], out[600];
    size_t model_count = 0;
    uint8_t next = 0;
    srand(7);
    ring_init(&r);
    for (int step = 0; step < 200000; step++) {
        size_t n = (size_t)(rand() % 600);
        switch (rand() % 3) {
        case 0: {
            for (size_t i = 0; i < n; i++)
                in[i] = next++;
            size_t fit = n < RING_SIZE - model_count ? n : RING_SIZE - model_count;
            assert_int_equal(ring_put(&r, in, n), fit);
            memcpy(model + model_count, in, fit);
            model_count += fit;
            next = (uint8_t)(next - (n - fit)); /* the dropped ones were never queued */
            break;
        }
        case 1: {
            size_t want = n < model_count ? n : model_count;
            assert_int_equal(ring_peek(&r, out, n), want);
            assert_memory_equal(out, model, want);
            break;
        }
        default: {
            size_t drop = n < model_count ? n : model_count;
            ring_drop(&r, n);
            memmove(model, model + drop, model_count - drop);
            model_count -= drop;
            break;
        }
        }
        assert_int_equal(ring_count(&r), model_count);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_fifo),
        cmocka_unit_test(test_full_drops_newest),
        cmocka_unit_test(test_random_against_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
