/*
 * Host unit tests for lib/result: a kernel error and a server status stay apart by source,
 * bad arguments keep their index and range, and the printed forms.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "result/result.h"

static void test_ok(void **state)
{
    (void)state;
    assert_true(result_is_ok(result_ok()));
    assert_true(result_is_ok(result_from_kernel(ERR_OK, NULL)));
    assert_true(result_is_ok(result_from_reply(ERR_OK, SERVICE_OK, NULL)));
    assert_false(result_is_service(result_ok(), SERVICE_OK + 1));
}

/* The same number from the kernel and from a server is two different results. */
static void test_sources_apart(void **state)
{
    (void)state;
    struct result kernel = result_from_kernel(-3, NULL);       /* ERR_EMPTY_SLOT */
    struct result server = result_from_reply(ERR_OK, 3, NULL); /* SERVICE_BAD_ARGUMENT */
    assert_int_equal(kernel.source, RESULT_KERNEL);
    assert_int_equal(server.source, RESULT_SERVICE);
    assert_true(result_is_kernel(kernel, ERR_EMPTY_SLOT));
    assert_false(result_is_service(kernel, SERVICE_BAD_ARGUMENT));
    assert_true(result_is_service(server, SERVICE_BAD_ARGUMENT));
    assert_false(result_is_kernel(server, -3));
    assert_false(result_is_ok(kernel));
    assert_false(result_is_ok(server));
}

/* A failed call wins over whatever label the message held. */
static void test_kernel_error_of_a_call(void **state)
{
    (void)state;
    struct result r = result_from_reply(ERR_OBJECT_DELETED, SERVICE_OK, NULL);
    assert_true(result_is_kernel(r, ERR_OBJECT_DELETED));
}

static void test_bad_arguments(void **state)
{
    (void)state;
    const uint64_t answer[3] = {2, 1, 16};
    struct result k = result_from_kernel(ERR_INVALID_ARGUMENT, answer);
    assert_int_equal(k.argument, 2);
    assert_int_equal(k.min, 1);
    assert_int_equal(k.max, 16);
    struct result s = result_from_reply(ERR_OK, SERVICE_BAD_ARGUMENT, answer);
    assert_true(result_is_service(s, SERVICE_BAD_ARGUMENT));
    assert_int_equal(s.argument, 2);
    assert_int_equal(s.max, 16);
    /* Only a bad argument reads the words: another status keeps none of them. */
    struct result other = result_from_reply(ERR_OK, SERVICE_NOT_FOUND, answer);
    assert_int_equal(other.argument, 0);
    assert_int_equal(other.max, 0);
    struct result local = result_bad_argument(1, 4096, 0x7fffffffe000);
    assert_true(result_is_service(local, SERVICE_BAD_ARGUMENT));
    assert_int_equal(local.argument, 1);
}

static void test_format(void **state)
{
    (void)state;
    char out[100];
    const uint64_t answer[3] = {2, 1, 16};
    assert_string_equal(result_format(out, sizeof out, "procsrv",
                                      result_from_reply(0, SERVICE_BAD_ARGUMENT, answer)),
                        "procsrv: bad argument 2 (allowed 1..16)");
    assert_string_equal(
        result_format(out, sizeof out, "cspace", result_from_kernel(ERR_INVALID_ARGUMENT, answer)),
        "cspace: kernel: bad argument 2 (allowed 1..16)");
    assert_string_equal(result_format(out, sizeof out, "run", result_from_reply(0, 6, NULL)),
                        "run: not found");
    assert_string_equal(result_format(out, sizeof out, NULL, result_from_kernel(-3, NULL)),
                        "kernel: empty slot (error -3)");
    assert_string_equal(result_format(out, sizeof out, "x", result_ok()), "x: ok");
    assert_string_equal(result_format(out, sizeof out, "x", result_from_reply(0, 12, NULL)),
                        "x: internal error");
    assert_string_equal(result_format(out, sizeof out, "x", result_from_reply(0, 99, NULL)),
                        "x: unknown error");
    assert_string_equal(result_format(out, sizeof out, "x", result_from_kernel(-99, NULL)),
                        "x: kernel: unknown error (error -99)");
    /* Large bounds in hexadecimal; a capability by its place. */
    assert_string_equal(
        result_format(out, sizeof out, "memsrv", result_bad_argument(0, 0x400000, 0x7ffffffff000)),
        "memsrv: bad argument 0 (allowed 0x400000..0x7ffffffff000)");
    assert_string_equal(
        result_format(out, sizeof out, "procsrv", result_bad_argument(SERVICE_ARGUMENT_CAP, 0, 0)),
        "procsrv: bad capability 0");
    /* Cut to fit, always terminated. */
    char small[8];
    result_format(small, sizeof small, "procsrv", result_from_reply(0, 6, NULL));
    assert_string_equal(small, "procsrv");
    assert_int_equal(strlen(result_format(out, 12, "a", result_from_kernel(-3, NULL))), 11);
}

static void test_kernel_error_names(void **state)
{
    (void)state;
    assert_string_equal(result_kernel_error_name(ERR_INTERRUPTED), "interrupted");
    assert_string_equal(result_kernel_error_name(ERR_INVALID_SYSCALL), "invalid system call");
    assert_string_equal(result_kernel_error_name(1), "unknown error");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ok),
        cmocka_unit_test(test_sources_apart),
        cmocka_unit_test(test_kernel_error_of_a_call),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_kernel_error_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
