/*
 * The block drivers' time-out arguments (lib/block/block_args.c): the name and '=' must match,
 * the value must be a decimal number in range, and anything else keeps the old value.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "block/block_args.h"

static void test_timeout_argument(void **state)
{
    (void)state;
    uint32_t ms = 30000;
    assert_true(block_timeout_argument("nvme", "timeout-io=3000", "timeout-io", &ms));
    assert_int_equal(ms, 3000);
    assert_true(block_timeout_argument("nvme", "timeout-io=100", "timeout-io", &ms));
    assert_int_equal(ms, 100);
    assert_true(block_timeout_argument("nvme", "timeout-io=600000", "timeout-io", &ms));
    assert_int_equal(ms, 600000);
    /* ours, but refused: the value kept */
    const char *bad[] = {"timeout-io=99",  "timeout-io=600001", "timeout-io=",
                         "timeout-io=12x", "timeout-io=-5",     "timeout-io=99999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ms = 4000;
        assert_true(block_timeout_argument("ahci", bad[i], "timeout-io", &ms));
        assert_int_equal(ms, 4000);
    }
    /* not ours: untouched */
    const char *other[] = {"timeout-flush=3000", "timeout-io", "timeout-iox=3000", "ncq=off", ""};
    for (size_t i = 0; i < sizeof other / sizeof other[0]; i++) {
        ms = 4000;
        assert_false(block_timeout_argument("ahci", other[i], "timeout-io", &ms));
        assert_int_equal(ms, 4000);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timeout_argument),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
