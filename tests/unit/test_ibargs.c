/*
 * Host unit tests for lib/ipcbench/args.c: ipcbench's defaults, each option, benchmark names
 * and call-rtt-len-N, sizes, and one error line for each kind of bad input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "ipcbench/args.h"

static struct ibargs a;
static char err[512];

/* Parses the words (NULL-terminated, argv[0] added). */
static bool parse(const char *const *words)
{
    char *argv[32] = {"bin/ipcbench"};
    int argc = 1;
    while (words[argc - 1])
        argv[argc] = (char *)words[argc - 1], argc++;
    err[0] = 0;
    return ibargs_parse(argc, argv, &a, err, sizeof err);
}

/* True if text starts with prefix. (kernel/string.h, first on the host tests' include path,
   has no strncmp or strstr.) */
static bool starts(const char *text, const char *prefix)
{
    return !memcmp(text, prefix, strlen(prefix));
}

/* True if text holds word. */
static bool holds(const char *text, const char *word)
{
    for (; *text; text++)
        if (starts(text, word))
            return true;
    return false;
}

/* True if err starts with prefix and holds the usage, on one line. */
static bool error_is(const char *prefix)
{
    return starts(err, prefix) && holds(err, "usage: ipcbench") && !holds(err, "\n");
}

static void test_defaults(void **state)
{
    (void)state;
    const char *words[] = {NULL};
    assert_true(parse(words));
    assert_false(a.serve);
    assert_int_equal(a.iterations, 10000);
    assert_int_equal(a.warmup, 1000);
    for (int b = 0; b < IB_COUNT; b++)
        assert_true(a.selected[b]);
    unsigned sizes[] = {0, 1, 2, 4, 8, 10, 16, 32, 64};
    assert_int_equal(a.size_count, 9);
    assert_memory_equal(a.sizes, sizes, sizeof sizes);
}

static void test_options(void **state)
{
    (void)state;
    const char *words[] = {
        "--iterations", "500", "--warmup", "0", "--bench", "yield,call-rtt-inter-as", NULL};
    assert_true(parse(words));
    assert_int_equal(a.iterations, 500);
    assert_int_equal(a.warmup, 0);
    for (int b = 0; b < IB_COUNT; b++)
        assert_int_equal(a.selected[b], b == IB_YIELD || b == IB_CALL_RTT_INTER_AS);
    const char *serve[] = {"--serve", NULL};
    assert_true(parse(serve));
    assert_true(a.serve);
    const char *limits[] = {"--iterations", "10", "--warmup", "1000000", NULL};
    assert_true(parse(limits));
    assert_int_equal(a.iterations, 10);
    const char *top[] = {"--iterations", "1000000", NULL};
    assert_true(parse(top));
    assert_int_equal(a.iterations, 1000000);
}

static void test_every_name(void **state)
{
    (void)state;
    for (int b = 0; b < IB_COUNT; b++) {
        const char *words[] = {"--bench", ibargs_names[b], NULL};
        assert_true(parse(words));
        for (int k = 0; k < IB_COUNT; k++)
            assert_int_equal(a.selected[k], k == b);
    }
}

static void test_sizes(void **state)
{
    (void)state;
    const char *bench[] = {"--bench", "call-rtt-len-64,call-rtt-len-3,call-rtt-len-3", NULL};
    assert_true(parse(bench));
    assert_true(a.selected[IB_CALL_RTT_LEN]);
    assert_false(a.selected[IB_YIELD]);
    assert_int_equal(a.size_count, 2);
    assert_int_equal(a.sizes[0], 3);
    assert_int_equal(a.sizes[1], 64);
    const char *sizes[] = {"--sizes", "32,0,10", NULL};
    assert_true(parse(sizes));
    assert_true(a.selected[IB_YIELD]); /* --sizes alone selects nothing away */
    assert_int_equal(a.size_count, 3);
    assert_int_equal(a.sizes[0], 0);
    assert_int_equal(a.sizes[1], 10);
    assert_int_equal(a.sizes[2], 32);
    const char *both[] = {"--sizes", "5", "--bench", "call-rtt-len-7", NULL};
    assert_true(parse(both));
    assert_int_equal(a.size_count, 2);
    assert_int_equal(a.sizes[0], 5);
    assert_int_equal(a.sizes[1], 7);
}

static void test_errors(void **state)
{
    (void)state;
    const char *unknown[] = {"--frobnicate", NULL};
    assert_false(parse(unknown));
    assert_true(error_is("unknown option: --frobnicate; "));
    const char *size[] = {"--sizes", "1,65", NULL};
    assert_false(parse(size));
    assert_true(error_is("message length beyond 0-64 words: 65; "));
    const char *len[] = {"--bench", "call-rtt-len-65", NULL};
    assert_false(parse(len));
    assert_true(error_is("message length beyond 0-64 words: call-rtt-len-65; "));
    const char *huge[] = {"--sizes", "99999999999999999999", NULL};
    assert_false(parse(huge));
    assert_true(error_is("message length beyond 0-64 words: "));
    const char *empty[] = {"--sizes", "4,,8", NULL};
    assert_false(parse(empty));
    assert_true(error_is("message length beyond 0-64 words: ; "));
    const char *bench[] = {"--bench", "yield,warp-drive", NULL};
    assert_false(parse(bench));
    assert_true(error_is("unknown benchmark: warp-drive; "));
    const char *few[] = {"--iterations", "9", NULL};
    assert_false(parse(few));
    assert_true(error_is("iterations must be 10-1000000, not 9; "));
    const char *many[] = {"--iterations", "1000001", NULL};
    assert_false(parse(many));
    const char *junk[] = {"--iterations", "12x", NULL};
    assert_false(parse(junk));
    const char *warm[] = {"--warmup", "-1", NULL};
    assert_false(parse(warm));
    assert_true(error_is("warm-up must be 0-1000000, not -1; "));
    const char *missing[] = {"--bench", NULL};
    assert_false(parse(missing));
    assert_true(error_is("a value is missing after --bench; "));
    const char *help[] = {"--help", NULL};
    assert_false(parse(help));
    assert_true(a.help);
    assert_true(starts(err, "usage: ipcbench"));
    char tiny[16];
    char *argv[] = {"bin/ipcbench", "--nope", NULL};
    assert_false(ibargs_parse(2, argv, &a, tiny, sizeof tiny));
    assert_int_equal(strlen(tiny), sizeof tiny - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),   cmocka_unit_test(test_options),
        cmocka_unit_test(test_every_name), cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
