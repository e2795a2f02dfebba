/*
 * Host unit tests for lib/fmt (the printf engine).
 *
 * Build: gcc -std=c11 -Wall -Wextra -Werror -g -fsanitize=address,undefined
 *        -fno-sanitize-recover=all -Ilib tests/unit/test_fmt.c lib/fmt/fmt.c -lcmocka
 *
 * Where fmt's semantics match C's, results are compared with the host's snprintf; elsewhere
 * (NULL %p, unknown conversions, clamped widths) the expected strings are spelled out.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt/fmt.h"

/* fmt_vsnprintf behind a wrapper without the format attribute, for formats -Wformat rejects. */
static int raw_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = fmt_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

/* Formats with both fmt_snprintf and the host snprintf; both text and length must match. */
#define SAME(...)                                                                                  \
    do {                                                                                           \
        char mine_[2048], host_[2048];                                                             \
        memset(mine_, 'X', sizeof mine_);                                                          \
        int mine_n_ = fmt_snprintf(mine_, sizeof mine_, __VA_ARGS__);                              \
        int host_n_ = snprintf(host_, sizeof host_, __VA_ARGS__);                                  \
        assert_string_equal(mine_, host_);                                                         \
        assert_int_equal(mine_n_, host_n_);                                                        \
    } while (0)

/* Formats with fmt_snprintf and checks the exact text and returned length. */
#define EXPECT(expected, ...)                                                                      \
    do {                                                                                           \
        char out_[1200];                                                                           \
        int n_ = fmt_snprintf(out_, sizeof out_, __VA_ARGS__);                                     \
        assert_string_equal(out_, expected);                                                       \
        assert_int_equal(n_, (int)strlen(expected));                                               \
    } while (0)

/* Like EXPECT, through raw_snprintf so -Wformat does not see the format. */
#define EXPECT_RAW(expected, ...)                                                                  \
    do {                                                                                           \
        char out_[1200];                                                                           \
        int n_ = raw_snprintf(out_, sizeof out_, __VA_ARGS__);                                     \
        assert_string_equal(out_, expected);                                                       \
        assert_int_equal(n_, (int)strlen(expected));                                               \
    } while (0)

/* Plain text and "%%" pass through; an empty format yields "". */
static void test_literal_text(void **state)
{
    (void)state;
    EXPECT("", "%s", "");
    EXPECT_RAW("", "");
    EXPECT("hello, world", "hello, world");
    EXPECT("100%", "100%%");
    EXPECT("%%", "%%%%");
    SAME("a%%b%%c");
}

/* %d and %i print signed int values like C, including the int extremes. */
static void test_signed_int(void **state)
{
    (void)state;
    SAME("%d", 0);
    SAME("%d", 7);
    SAME("%d", -7);
    SAME("%i", 12345);
    SAME("%i", -12345);
    SAME("%d", INT_MAX);
    SAME("%d", INT_MIN);
    EXPECT("-2147483648", "%d", INT_MIN);
    SAME("[%d|%i]", -1, 1);
}

/* %u, %x and %X print unsigned int values in decimal, lower and upper hex. */
static void test_unsigned_int(void **state)
{
    (void)state;
    SAME("%u", 0u);
    SAME("%u", 4000000000u);
    SAME("%u", UINT_MAX);
    SAME("%x", 0u);
    SAME("%x", 0xdeadbeefu);
    SAME("%X", 0xdeadbeefu);
    SAME("%x", UINT_MAX);
    EXPECT("ffffffff", "%x", UINT_MAX);
    EXPECT("ABCDEF", "%X", 0xabcdefu);
    /* A negative int passed to %u is read back as its unsigned int value. */
    EXPECT("4294967295", "%u", (unsigned)-1);
}

/* The l, ll and z modifiers read 64-bit arguments; INT64_MIN and UINT64_MAX print exactly. */
static void test_length_modifiers(void **state)
{
    (void)state;
    SAME("%ld", (long)INT64_MIN);
    SAME("%ld", (long)INT64_MAX);
    SAME("%lld", (long long)INT64_MIN);
    SAME("%lli", (long long)INT64_MAX);
    SAME("%lu", (unsigned long)UINT64_MAX);
    SAME("%llu", (unsigned long long)UINT64_MAX);
    SAME("%lx", (unsigned long)UINT64_MAX);
    SAME("%llX", (unsigned long long)0x0123456789abcdefULL);
    SAME("%zu", (size_t)SIZE_MAX);
    SAME("%zx", (size_t)0x1234567890ULL);
    SAME("%zd", (size_t)12345);
    EXPECT("-9223372036854775808", "%lld", (long long)INT64_MIN);
    EXPECT("18446744073709551615", "%llu", (unsigned long long)UINT64_MAX);
    EXPECT("ffffffffffffffff", "%lx", (unsigned long)UINT64_MAX);
    EXPECT("8000000000000000", "%llx", (unsigned long long)INT64_MIN);
    /* A negative %zd argument (ssize_t-sized) prints as a negative number. */
    EXPECT_RAW("-5", "%zd", (size_t)-5);
    /* Without a modifier only an int is read, whatever the upper bits of the register. */
    SAME("%d %ld %d", 1, -2L, 3);
}

/* %p prints "0x" and lower-case hex; a NULL pointer prints as 0x0 (glibc says "(nil)"). */
static void test_pointer(void **state)
{
    (void)state;
    SAME("%p", (void *)0x1000);
    SAME("%p", (void *)0xffff800000001234ULL);
    EXPECT("0xffffffff80000000", "%p", (void *)0xffffffff80000000ULL);
    EXPECT("0x0", "%p", (void *)NULL);
    EXPECT("[  0xabc]", "[%7p]", (void *)0xabc);
    EXPECT("[0xabc  ]", "[%-7p]", (void *)0xabc);
    /* The '0' flag pads between the prefix and the digits. */
    EXPECT_RAW("[0x00abc]", "[%07p]", (void *)0xabc);
}

/* %s and %c print strings and characters; a NULL %s prints "(null)". */
static void test_string_and_char(void **state)
{
    (void)state;
    SAME("%s", "abc");
    SAME("<%s><%s>", "", "x");
    SAME("%c", 'A');
    SAME("%c%c%c", 'x', 'y', 'z');
    SAME("%c", 255);
    EXPECT_RAW("(null)", "%s", (const char *)NULL);
    EXPECT_RAW("[  (null)]", "[%8s]", (const char *)NULL);
    EXPECT_RAW("[(nu]", "[%.3s]", (const char *)NULL);
}

/* Field widths right-justify by default, '-' left-justifies and '0' zero-pads numbers. */
static void test_width_and_flags(void **state)
{
    (void)state;
    SAME("[%5d]", 42);
    SAME("[%-5d]", 42);
    SAME("[%05d]", 42);
    SAME("[%5d]", -42);
    SAME("[%-5d]", -42);
    SAME("[%05d]", -42);
    SAME("[%1d]", 12345);
    SAME("[%08x]", 0xbeefu);
    SAME("[%-8X]", 0xbeefu);
    SAME("[%020llu]", (unsigned long long)UINT64_MAX);
    SAME("[%025lld]", (long long)INT64_MIN);
    SAME("[%-25lld]", (long long)INT64_MIN);
    SAME("[%25lld]", (long long)INT64_MIN);
    SAME("[%5u]", 0u);
    SAME("[%05u]", 0u);
    SAME("[%6s]", "abc");
    SAME("[%-6s]", "abc");
    SAME("[%2s]", "abcdef");
    SAME("[%4c]", 'q');
    SAME("[%-4c]", 'q');
    SAME("[%12zu]", (size_t)99);
    SAME("[%1500d]", 1);
    /* '-' wins over '0', in either order. */
    EXPECT_RAW("[42   ]", "[%-05d]", 42);
    EXPECT_RAW("[42   ]", "[%0-5d]", 42);
    EXPECT_RAW("[-42  ]", "[%0-5d]", -42);
}

/* A precision limits the characters taken from %s, and combines with width and '-'. */
static void test_string_precision(void **state)
{
    (void)state;
    SAME("[%.3s]", "abcdef");
    SAME("[%.0s]", "abcdef");
    SAME("[%.10s]", "abc");
    SAME("[%.s]", "abc");
    SAME("[%6.2s]", "abcdef");
    SAME("[%-6.2s]", "abcdef");
    /* The precision bounds the read: an unterminated buffer is not overrun. */
    char *raw = malloc(4);
    assert_non_null(raw);
    memcpy(raw, "wxyz", 4);
    EXPECT("[wxyz]", "[%.4s]", raw);
    EXPECT("[wx]", "[%.2s]", raw);
    free(raw);
}

/* '*' takes width and precision from the arguments; a negative width left-justifies. */
static void test_star_width_and_precision(void **state)
{
    (void)state;
    SAME("[%*d]", 6, 42);
    SAME("[%*d]", -6, 42);
    SAME("[%-*d]", 6, 42);
    SAME("[%-*d]", -6, 42);
    SAME("[%0*d]", 6, -42);
    SAME("[%*s]", 5, "ab");
    SAME("[%*s]", -5, "ab");
    SAME("[%.*s]", 2, "abcdef");
    SAME("[%.*s]", 0, "abcdef");
    SAME("[%*.*s]", 6, 3, "abcdef");
    SAME("[%*.*s]", -6, 3, "abcdef");
    SAME("[%*c]", 3, 'x');
    SAME("[%*c]", -3, 'x');
    SAME("[%*lu]", 22, (unsigned long)UINT64_MAX);
    SAME("[%*d]", 1000, 5);
    SAME("[%*d]", -1000, 5);
    /* A negative precision counts as none. */
    SAME("[%.*s]", -1, "abcdef");
    SAME("[%.*s]", INT_MIN, "abc");
    /* Arguments after the '*' ones are still read in order. */
    SAME("%*d|%.*s|%d", 3, 1, 2, "xyz", 9);
}

/* Returns the length of the run of c starting at s. */
static size_t run_of(const char *s, char c)
{
    size_t n = 0;
    while (s[n] == c)
        n++;
    return n;
}

/* A '*' width beyond +-1000 is clamped to 1000, keeping its sign's justification. */
static void test_star_width_clamped(void **state)
{
    (void)state;
    static char out[4096];
    const int huge[] = {1001, 5000, 1 << 20, INT_MAX};
    for (size_t i = 0; i < sizeof huge / sizeof huge[0]; i++) {
        assert_int_equal(fmt_snprintf(out, sizeof out, "[%*d]", huge[i], 7), 1002);
        assert_int_equal(strlen(out), 1002);
        assert_int_equal(run_of(out + 1, ' '), 999);
        assert_string_equal(out + 1000, "7]");

        assert_int_equal(fmt_snprintf(out, sizeof out, "[%*d]", -huge[i], 7), 1002);
        assert_int_equal(out[1], '7');
        assert_int_equal(run_of(out + 2, ' '), 999);
        assert_string_equal(out + 1001, "]");
    }
    /* INT_MIN cannot be negated; it too is a left-justified width of 1000. */
    assert_int_equal(raw_snprintf(out, sizeof out, "%*s|", INT_MIN, "ab"), 1001);
    assert_memory_equal(out, "ab  ", 4);
    assert_int_equal(run_of(out + 2, ' '), 998);
    assert_string_equal(out + 1000, "|");

    /* The same with zero padding: 1000 characters, all zeros but the last. */
    assert_int_equal(fmt_snprintf(out, sizeof out, "%0*u", INT_MAX, 9u), 1000);
    assert_int_equal(run_of(out, '0'), 999);
    assert_string_equal(out + 999, "9");

    /* A huge clamped width still truncates cleanly into a small buffer. */
    char small[8];
    assert_int_equal(fmt_snprintf(small, sizeof small, "%*d", INT_MAX, 1), 1000);
    assert_string_equal(small, "       ");
}

/* Unknown conversions and a trailing lone '%' are copied verbatim and consume no argument. */
static void test_unknown_conversions(void **state)
{
    (void)state;
    EXPECT_RAW("%q", "%q");
    EXPECT_RAW("a%qb", "a%qb");
    EXPECT_RAW("%5q", "%5q");
    EXPECT_RAW("%-08q", "%-08q");
    EXPECT_RAW("%", "%");
    EXPECT_RAW("abc%", "abc%");
    EXPECT_RAW("%-", "%-");
    EXPECT_RAW("%05", "%05");
    EXPECT_RAW("%l", "%l");
    EXPECT_RAW("%ll", "%ll");
    EXPECT_RAW("%z", "%z");
    EXPECT_RAW("%.", "%.");
    /* No argument consumed: the next conversion still gets the first argument. */
    EXPECT_RAW("%q 42", "%q %d", 42);
    EXPECT_RAW("%hd 42", "%hd %d", 42);
    EXPECT_RAW("%#x 42", "%#x %d", 42);
    EXPECT_RAW("%lllx 42", "%lllx %d", 42);
    EXPECT_RAW("%zlu 7", "%zlu %d", 7);
    /* A literal width too long to parse shows up verbatim rather than padding forever. */
    EXPECT_RAW("%1000000d", "%1000000d", 1);
    /* A '*' before an unknown conversion still consumes its int. */
    EXPECT_RAW("%*q 5", "%*q %d", 3, 5);
}

/* fmt_snprintf writes at most size-1 characters plus a NUL and returns the full length. */
static void test_truncation(void **state)
{
    (void)state;
    char buf[16];

    /* size 0: nothing is written, not even the NUL; a NULL buffer is fine. */
    memset(buf, 'Z', sizeof buf);
    assert_int_equal(fmt_snprintf(buf, 0, "hello %d", 12345), 11);
    for (size_t i = 0; i < sizeof buf; i++)
        assert_int_equal(buf[i], 'Z');
    assert_int_equal(fmt_snprintf(NULL, 0, "%s", "abc"), 3);

    /* size 1: only the NUL. */
    memset(buf, 'Z', sizeof buf);
    assert_int_equal(fmt_snprintf(buf, 1, "hello"), 5);
    assert_int_equal(buf[0], '\0');
    assert_int_equal(buf[1], 'Z');

    /* Exact fit: size == length + 1. */
    memset(buf, 'Z', sizeof buf);
    assert_int_equal(fmt_snprintf(buf, 6, "%s", "hello"), 5);
    assert_string_equal(buf, "hello");
    assert_int_equal(buf[6], 'Z');

    /* One short: the last character gives way to the NUL. */
    memset(buf, 'Z', sizeof buf);
    assert_int_equal(fmt_snprintf(buf, 5, "%s", "hello"), 5);
    assert_string_equal(buf, "hell");
    assert_int_equal(buf[5], 'Z');

    /* Truncation inside a padded number. */
    memset(buf, 'Z', sizeof buf);
    assert_int_equal(fmt_snprintf(buf, 4, "%08x", 0xabcu), 8);
    assert_string_equal(buf, "000");
    assert_int_equal(buf[4], 'Z');

    /* Every size from 0 to beyond the length agrees with the host's snprintf. */
    const char *word = "truncate-me";
    for (size_t size = 0; size <= 24; size++) {
        char mine[25], host[25];
        memset(mine, 'Z', sizeof mine);
        memset(host, 'Z', sizeof host);
        int a = fmt_snprintf(mine, size, "<%s:%5d>", word, -17);
        int b = snprintf(host, size, "<%s:%5d>", word, -17);
        assert_int_equal(a, b);
        assert_int_equal(a, 19);
        assert_memory_equal(mine, host, sizeof mine);
    }
}

/* Every size of output buffer is respected exactly: a heap buffer of that size under ASan. */
static void test_truncation_heap_exact(void **state)
{
    (void)state;
    for (size_t size = 1; size <= 30; size++) {
        char *buf = malloc(size);
        assert_non_null(buf);
        int n = fmt_snprintf(buf, size, "%lld/%s/%c", (long long)INT64_MIN, "tail", '!');
        assert_int_equal(n, 27);
        assert_int_equal(strlen(buf), size - 1 < 27 ? size - 1 : 27);
        assert_memory_equal(buf, "-9223372036854775808/tail/!", strlen(buf));
        free(buf);
    }
}

struct capture {
    char text[64];
    size_t len;
    int tag;
};

static void capture_sink(void *ctx, char c)
{
    struct capture *cap = ctx;
    assert_int_equal(cap->tag, 0x5eed);
    assert_true(cap->len < sizeof cap->text);
    cap->text[cap->len++] = c;
}

static int capture_format(struct capture *cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = fmt_vformat(capture_sink, cap, fmt, ap);
    va_end(ap);
    return n;
}

/* fmt_vformat hands every character, NULs from %c included, to the sink with its context. */
static void test_vformat_sink(void **state)
{
    (void)state;
    struct capture cap = {.len = 0, .tag = 0x5eed};
    int n = capture_format(&cap, "a%cb%3d%s", 0, 7, "!");
    assert_int_equal(n, 7);
    assert_int_equal(cap.len, 7);
    assert_memory_equal(cap.text, "a\0b  7!", 7);

    cap.len = 0;
    assert_int_equal(capture_format(&cap, ""), 0);
    assert_int_equal(cap.len, 0);
}

/* A mixed table of conversions, flags and widths agrees with the host's snprintf. */
static void test_against_host(void **state)
{
    (void)state;
    const long long sval[] = {0,         1,         -1,        9,         10,
                              -10,       99,        -100,      INT_MAX,   INT_MIN,
                              1LL << 32, INT64_MAX, INT64_MIN, 123456789, -987654321};
    for (size_t i = 0; i < sizeof sval / sizeof sval[0]; i++) {
        long long v = sval[i];
        unsigned long long u = (unsigned long long)v;
        SAME("%lld", v);
        SAME("%lli", v);
        SAME("%llu", u);
        SAME("%llx", u);
        SAME("%llX", u);
        SAME("%ld", (long)v);
        SAME("%lu", (unsigned long)u);
        SAME("%d", (int)v);
        SAME("%u", (unsigned)u);
        SAME("%x", (unsigned)u);
        SAME("[%30lld]", v);
        SAME("[%-30lld]", v);
        SAME("[%030lld]", v);
        SAME("[%3lld]", v);
        SAME("[%024llx]", u);
        SAME("[%-24llX]", u);
        SAME("[%*lld]", 27, v);
        SAME("[%*lld]", -27, v);
        SAME("[%0*llu]", 21, u);
        SAME("%zu %zx", (size_t)u, (size_t)u);
    }
    const char *strs[] = {"", "a", "ab", "hello world", "tab\there"};
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
        for (int w = -12; w <= 12; w++) {
            SAME("[%*s]", w, strs[i]);
            for (int p = -1; p <= 6; p++)
                SAME("[%*.*s]", w, p, strs[i]);
        }
    }
    for (int c = 1; c < 256; c++)
        SAME("%c|%3c|%-3c", c, c, c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_literal_text),
        cmocka_unit_test(test_signed_int),
        cmocka_unit_test(test_unsigned_int),
        cmocka_unit_test(test_length_modifiers),
        cmocka_unit_test(test_pointer),
        cmocka_unit_test(test_string_and_char),
        cmocka_unit_test(test_width_and_flags),
        cmocka_unit_test(test_string_precision),
        cmocka_unit_test(test_star_width_and_precision),
        cmocka_unit_test(test_star_width_clamped),
        cmocka_unit_test(test_unknown_conversions),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_truncation_heap_exact),
        cmocka_unit_test(test_vformat_sink),
        cmocka_unit_test(test_against_host),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
