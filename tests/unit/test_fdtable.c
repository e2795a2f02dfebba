/*
 * Host unit tests for lib/fdtable: the console's descriptors, lowest-free allocation, a full
 * table, bad descriptors, lseek's arithmetic at its limits, and random opens and closes against
 * a model.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>

#include "fdtable/fdtable.h"

static void test_console(void **state)
{
    (void)state;
    struct fdtable t;
    fdtable_init(&t);
    assert_int_equal(fdtable_get(&t, 0)->kind, FDTABLE_CONSOLE);
    assert_int_equal(fdtable_get(&t, 0)->mode, FDTABLE_READ);
    assert_int_equal(fdtable_get(&t, 1)->mode, FDTABLE_WRITE);
    assert_int_equal(fdtable_get(&t, 2)->mode, FDTABLE_WRITE);
    assert_null(fdtable_get(&t, 3));
    assert_null(fdtable_get(&t, -1));
    assert_null(fdtable_get(&t, FDTABLE_SIZE));
    assert_null(fdtable_get(&t, 1 << 30));
}

static void test_alloc(void **state)
{
    (void)state;
    struct fdtable t;
    fdtable_init(&t);
    assert_int_equal(fdtable_alloc(&t, FDTABLE_HMFS, FDTABLE_READ), 3);
    assert_int_equal(fdtable_alloc(&t, FDTABLE_INITRD, FDTABLE_READ), 4);
    fdtable_get(&t, 3)->offset = 77;
    fdtable_free(&t, 3);
    assert_null(fdtable_get(&t, 3));
    int fd = fdtable_alloc(&t, FDTABLE_HMFS, FDTABLE_WRITE | FDTABLE_APPEND);
    assert_int_equal(fd, 3);                         /* the lowest free again */
    assert_int_equal(fdtable_get(&t, 3)->offset, 0); /* nothing left from before */
    assert_int_equal(fdtable_get(&t, 3)->mode, FDTABLE_WRITE | FDTABLE_APPEND);
    fdtable_free(&t, 1);
    assert_int_equal(fdtable_alloc(&t, FDTABLE_HMFS, FDTABLE_READ), 1); /* stdout reused */
    for (int i = 5; i < FDTABLE_SIZE; i++)
        assert_int_equal(fdtable_alloc(&t, FDTABLE_HMFS, FDTABLE_READ), i);
    assert_int_equal(fdtable_alloc(&t, FDTABLE_HMFS, FDTABLE_READ), -1); /* EMFILE */
}

static void test_seek(void **state)
{
    (void)state;
    uint64_t r;
    assert_true(fdtable_seek(5, 100, 7, 0, &r));
    assert_int_equal(r, 7);
    assert_true(fdtable_seek(5, 100, 7, 1, &r));
    assert_int_equal(r, 12);
    assert_true(fdtable_seek(5, 100, -100, 2, &r));
    assert_int_equal(r, 0);
    assert_true(fdtable_seek(5, 100, 50, 2, &r)); /* past the end: a later write leaves a hole */
    assert_int_equal(r, 150);
    assert_false(fdtable_seek(5, 100, -101, 2, &r));
    assert_false(fdtable_seek(5, 100, -1, 0, &r));
    assert_false(fdtable_seek(5, 100, 0, 3, &r));
    assert_false(fdtable_seek(5, 100, 0, -1, &r));
    assert_true(fdtable_seek(0, 0, INT64_MAX, 0, &r));
    assert_int_equal(r, INT64_MAX);
    assert_false(fdtable_seek(1, 0, INT64_MAX, 1, &r)); /* overflow */
    assert_false(fdtable_seek(0, (uint64_t)INT64_MAX + 1, 0, 2, &r));
    assert_true(fdtable_seek(10, 0, INT64_MIN + 1, 0, &r) == false);
}

static void test_random(void **state)
{
    (void)state;
    struct fdtable t;
    bool open[FDTABLE_SIZE] = {true, true, true};
    fdtable_init(&t);
    srand(3);
    for (int i = 0; i < 200000; i++) {
        if (rand() % 2) {
            int want = -1;
            for (int fd = 0; fd < FDTABLE_SIZE && want < 0; fd++)
                if (!open[fd])
                    want = fd;
            assert_int_equal(fdtable_alloc(&t, FDTABLE_HMFS, FDTABLE_READ), want);
            if (want >= 0)
                open[want] = true;
        } else {
            int fd = rand() % (FDTABLE_SIZE + 2) - 1;
            bool is_open = fd >= 0 && fd < FDTABLE_SIZE && open[fd];
            assert_int_equal(fdtable_get(&t, fd) != NULL, is_open);
            if (is_open) {
                fdtable_free(&t, fd);
                open[fd] = false;
            }
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_console),
        cmocka_unit_test(test_alloc),
        cmocka_unit_test(test_seek),
        cmocka_unit_test(test_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
