/*
 * Host unit tests for lib/ipcbench/stats.c: overhead subtraction, the summary figures (min,
 * median of odd and even counts, nearest-rank p99, mean and population standard deviation in
 * tenths, rounded), the integer square root and the CSV line benchcsv.py parses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "ipcbench/stats.h"

static void test_min(void **state)
{
    (void)state;
    int64_t v[] = {7, 3, 9, -2, 5};
    assert_int_equal(ibstat_min(v, 5), -2);
    assert_int_equal(ibstat_min(v, 1), 7);
}

static void test_odd(void **state)
{
    (void)state;
    int64_t v[] = {15, 11, 13, 12, 14}; /* less 10: 5 1 3 2 4 */
    struct ibstat s;
    ibstat_summarize(v, 5, 10, &s);
    assert_int_equal(s.count, 5);
    assert_int_equal(s.overhead, 10);
    assert_int_equal(s.min, 1);
    assert_int_equal(s.median10, 30);
    assert_int_equal(s.mean10, 30);
    assert_int_equal(s.p99, 5); /* ceil(4.95) = 5th smallest */
    /* variance of 1..5 is 2, stddev 1.414 -> 14 tenths */
    assert_int_equal(s.stddev10, 14);
    int64_t sorted[] = {1, 2, 3, 4, 5};
    assert_memory_equal(v, sorted, sizeof sorted);
}

static void test_even_and_rounding(void **state)
{
    (void)state;
    int64_t v[] = {4, 1, 2, 3};
    struct ibstat s;
    ibstat_summarize(v, 4, 0, &s);
    assert_int_equal(s.median10, 25); /* mean of the middle two: 2.5 */
    assert_int_equal(s.mean10, 25);
    assert_int_equal(s.p99, 4);
    assert_int_equal(s.stddev10, 11); /* sqrt(1.25) = 1.118 */
    int64_t w[] = {1, 1, 2};          /* mean 4/3 = 1.333 -> 13 tenths */
    ibstat_summarize(w, 3, 0, &s);
    assert_int_equal(s.mean10, 13);
    assert_int_equal(s.stddev10, 5); /* sqrt(2/9) = 0.471 -> 0.5 */
    int64_t x[] = {1, 2};            /* mean 1.5, stddev 0.5 exactly */
    ibstat_summarize(x, 2, 0, &s);
    assert_int_equal(s.mean10, 15);
    assert_int_equal(s.stddev10, 5);
}

static void test_negative_after_overhead(void **state)
{
    (void)state;
    int64_t v[] = {8, 10, 12};
    struct ibstat s;
    ibstat_summarize(v, 3, 11, &s); /* -3 -1 1 */
    assert_int_equal(s.min, -3);
    assert_int_equal(s.median10, -10);
    assert_int_equal(s.mean10, -10);
    assert_int_equal(s.p99, 1);
    char line[128];
    ibstat_csv(line, sizeof line, "x", &s);
    assert_string_equal(line, "CSV,x,3,-3,-1.0,-1.0,1,1.6,11");
}

static void test_p99_nearest_rank(void **state)
{
    (void)state;
    enum { N = 1000 };
    int64_t *v = malloc(N * sizeof *v);
    for (int i = 0; i < N; i++)
        v[i] = N - i; /* 1000 .. 1 */
    struct ibstat s;
    ibstat_summarize(v, N, 0, &s);
    assert_int_equal(s.min, 1);
    assert_int_equal(s.p99, 990);
    assert_int_equal(s.median10, 5005);
    assert_int_equal(s.mean10, 5005);
    /* stddev of 1..1000 = sqrt((1000^2 - 1) / 12) = 288.6749 */
    assert_int_equal(s.stddev10, 2887);
    for (int i = 1; i < N; i++)
        assert_true(v[i - 1] <= v[i]);
    free(v);
}

static void test_constant_and_large(void **state)
{
    (void)state;
    enum { N = 10001 };
    int64_t *v = malloc(N * sizeof *v);
    for (int i = 0; i < N; i++)
        v[i] = 1000000000000ll; /* 10^12: the squares overflow 64 bits without care */
    v[5] = 1000000000000ll + 10001;
    struct ibstat s;
    ibstat_summarize(v, N, 0, &s);
    assert_int_equal(s.median10, 10000000000000ll);
    assert_int_equal(s.mean10, 10000000000010ll); /* + 10001 / 10001 = 1 */
    /* variance = 10001^2/N - 1 = 10000, stddev 100.0 */
    assert_int_equal(s.stddev10, 1000);
    assert_int_equal(s.p99, 1000000000000ll);
    free(v);
}

static void test_isqrt(void **state)
{
    (void)state;
    assert_int_equal(ibstat_isqrt(0), 0);
    assert_int_equal(ibstat_isqrt(1), 1);
    assert_int_equal(ibstat_isqrt(3), 1);
    assert_int_equal(ibstat_isqrt(4), 2);
    assert_int_equal(ibstat_isqrt(99), 9);
    assert_int_equal(ibstat_isqrt(UINT64_MAX), 4294967295u);
    for (uint64_t r = 1; r < 100000; r += 7) {
        assert_int_equal(ibstat_isqrt(r * r), r);
        assert_int_equal(ibstat_isqrt(r * r - 1), r - 1);
    }
}

static void test_csv(void **state)
{
    (void)state;
    struct ibstat s = {.count = 10000,
                       .min = 150,
                       .median10 = 1525,
                       .mean10 = 1530,
                       .p99 = 170,
                       .stddev10 = 38,
                       .overhead = 15};
    char line[128];
    int n = ibstat_csv(line, sizeof line, "call-oneway-inter-as", &s);
    assert_string_equal(line, "CSV,call-oneway-inter-as,10000,150,152.5,153.0,170,3.8,15");
    assert_int_equal(n, (int)strlen(line));
    char small[8];
    ibstat_csv(small, sizeof small, "x", &s); /* cut, still terminated */
    assert_string_equal(small, "CSV,x,1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_min),
        cmocka_unit_test(test_odd),
        cmocka_unit_test(test_even_and_rounding),
        cmocka_unit_test(test_negative_after_overhead),
        cmocka_unit_test(test_p99_nearest_rank),
        cmocka_unit_test(test_constant_and_large),
        cmocka_unit_test(test_isqrt),
        cmocka_unit_test(test_csv),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
