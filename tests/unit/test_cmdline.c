/*
 * Host unit tests for lib/cmdline (boot command line tokenizer).
 *
 * Build: gcc -std=c11 -Wall -Wextra -Werror -g -fsanitize=address,undefined
 *        -fno-sanitize-recover=all -Ilib tests/unit/test_cmdline.c lib/cmdline/cmdline.c -lcmocka
 *
 * Command lines are copied into malloc'd buffers of exactly their size (NUL included) so that
 * ASan flags any read past the terminator; numbers for cmdline_parse_u64 are copied without a
 * NUL, since it must read exactly len characters.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline/cmdline.h"

#define MAX_OPTS 16

/* One option as test-friendly strings; has_value is false when the option has no '='. */
struct opt_text {
    char key[64];
    bool has_value;
    char value[64];
};

/* Tokenizes a heap copy of line into out; returns the number of options. Checks that key and
   value point into the line and that the cursor stays at the terminator once done. */
static size_t tokenize(const char *line, struct opt_text *out, size_t max)
{
    size_t size = strlen(line) + 1;
    char *copy = malloc(size);
    assert_non_null(copy);
    memcpy(copy, line, size);

    const char *cursor = copy;
    struct cmdline_option opt;
    size_t n = 0;
    while (cmdline_next(&cursor, &opt)) {
        assert_true(n < max);
        assert_true(opt.key >= copy && opt.key + opt.key_len <= copy + size - 1);
        assert_true(opt.key_len < sizeof out[n].key);
        memcpy(out[n].key, opt.key, opt.key_len);
        out[n].key[opt.key_len] = '\0';
        out[n].has_value = opt.value != NULL;
        if (opt.value) {
            assert_true(opt.value >= copy && opt.value + opt.value_len <= copy + size - 1);
            assert_true(opt.value_len < sizeof out[n].value);
            memcpy(out[n].value, opt.value, opt.value_len);
            out[n].value[opt.value_len] = '\0';
        } else {
            assert_int_equal(opt.value_len, 0);
            out[n].value[0] = '\0';
        }
        n++;
    }
    assert_ptr_equal(cursor, copy + size - 1);
    /* Calling again at the end keeps returning false. */
    assert_false(cmdline_next(&cursor, &opt));
    assert_ptr_equal(cursor, copy + size - 1);
    free(copy);
    return n;
}

static void expect_opt(const struct opt_text *o, const char *key, const char *value)
{
    assert_string_equal(o->key, key);
    if (value) {
        assert_true(o->has_value);
        assert_string_equal(o->value, value);
    } else {
        assert_false(o->has_value);
    }
}

/* An empty or all-whitespace command line holds no options. */
static void test_empty_and_whitespace(void **state)
{
    (void)state;
    struct opt_text o[MAX_OPTS];
    assert_int_equal(tokenize("", o, MAX_OPTS), 0);
    assert_int_equal(tokenize(" ", o, MAX_OPTS), 0);
    assert_int_equal(tokenize(" \t \r\n  ", o, MAX_OPTS), 0);
}

/* A key alone has a NULL value; key=value splits at the first '='. */
static void test_key_and_key_value(void **state)
{
    (void)state;
    struct opt_text o[MAX_OPTS];
    assert_int_equal(tokenize("quiet", o, MAX_OPTS), 1);
    expect_opt(&o[0], "quiet", NULL);

    assert_int_equal(tokenize("loglevel=debug", o, MAX_OPTS), 1);
    expect_opt(&o[0], "loglevel", "debug");

    assert_int_equal(tokenize("a=b=c", o, MAX_OPTS), 1);
    expect_opt(&o[0], "a", "b=c");

    assert_int_equal(tokenize("quiet loglevel=3 crash=none nosmp", o, MAX_OPTS), 4);
    expect_opt(&o[0], "quiet", NULL);
    expect_opt(&o[1], "loglevel", "3");
    expect_opt(&o[2], "crash", "none");
    expect_opt(&o[3], "nosmp", NULL);
}

/* "key=" has an empty but non-NULL value, whether at the end or followed by more options. */
static void test_empty_value(void **state)
{
    (void)state;
    const char *line = "key=";
    const char *cursor = line;
    struct cmdline_option opt;
    assert_true(cmdline_next(&cursor, &opt));
    assert_ptr_equal(opt.key, line);
    assert_int_equal(opt.key_len, 3);
    assert_non_null(opt.value);
    assert_ptr_equal(opt.value, line + 4);
    assert_int_equal(opt.value_len, 0);
    assert_ptr_equal(cursor, line + 4);
    assert_false(cmdline_next(&cursor, &opt));

    struct opt_text o[MAX_OPTS];
    assert_int_equal(tokenize("a= b=\"\" c", o, MAX_OPTS), 3);
    expect_opt(&o[0], "a", "");
    expect_opt(&o[1], "b", "");
    expect_opt(&o[2], "c", NULL);
}

/* A double-quoted value may hold spaces and tabs; the quotes are not part of the value. */
static void test_quoted_values(void **state)
{
    (void)state;
    struct opt_text o[MAX_OPTS];
    assert_int_equal(tokenize("init=\"/bin/sh -c 'echo hi'\" quiet", o, MAX_OPTS), 2);
    expect_opt(&o[0], "init", "/bin/sh -c 'echo hi'");
    expect_opt(&o[1], "quiet", NULL);

    assert_int_equal(tokenize("msg=\"a\tb  c\"", o, MAX_OPTS), 1);
    expect_opt(&o[0], "msg", "a\tb  c");

    /* Text right after the closing quote starts the next option. */
    assert_int_equal(tokenize("a=\"x y\"b=1", o, MAX_OPTS), 2);
    expect_opt(&o[0], "a", "x y");
    expect_opt(&o[1], "b", "1");

    /* A quote not at the start of the value is an ordinary character. */
    assert_int_equal(tokenize("a=x\"y z\"", o, MAX_OPTS), 2);
    expect_opt(&o[0], "a", "x\"y");
    expect_opt(&o[1], "z\"", NULL);

    /* A quote in a key is an ordinary character too. */
    assert_int_equal(tokenize("\"k v\"", o, MAX_OPTS), 2);
    expect_opt(&o[0], "\"k", NULL);
    expect_opt(&o[1], "v\"", NULL);

    /* Exact pointers for a quoted value. */
    const char *line = "k=\"v w\" z";
    const char *cursor = line;
    struct cmdline_option opt;
    assert_true(cmdline_next(&cursor, &opt));
    assert_ptr_equal(opt.value, line + 3);
    assert_int_equal(opt.value_len, 3);
    assert_ptr_equal(cursor, line + 7);
}

/* An unterminated quote runs to the end of the string and swallows what follows. */
static void test_unterminated_quote(void **state)
{
    (void)state;
    struct opt_text o[MAX_OPTS];
    assert_int_equal(tokenize("a=1 b=\"open ended c=3", o, MAX_OPTS), 2);
    expect_opt(&o[0], "a", "1");
    expect_opt(&o[1], "b", "open ended c=3");

    assert_int_equal(tokenize("b=\"", o, MAX_OPTS), 1);
    expect_opt(&o[0], "b", "");
}

/* A bare "=" yields an empty key with an empty value; "==" an empty key with value "=". */
static void test_bare_equals(void **state)
{
    (void)state;
    struct opt_text o[MAX_OPTS];
    assert_int_equal(tokenize("=", o, MAX_OPTS), 1);
    expect_opt(&o[0], "", "");

    assert_int_equal(tokenize("x = y", o, MAX_OPTS), 3);
    expect_opt(&o[0], "x", NULL);
    expect_opt(&o[1], "", "");
    expect_opt(&o[2], "y", NULL);

    assert_int_equal(tokenize("==", o, MAX_OPTS), 1);
    expect_opt(&o[0], "", "=");

    assert_int_equal(tokenize("=v", o, MAX_OPTS), 1);
    expect_opt(&o[0], "", "v");
}

/* Runs of spaces, tabs, CR and LF separate options, before, between and after them. */
static void test_multiple_separators(void **state)
{
    (void)state;
    struct opt_text o[MAX_OPTS];
    assert_int_equal(tokenize("  \t a=1 \t\t  b   c=3\t\n d\r\n", o, MAX_OPTS), 4);
    expect_opt(&o[0], "a", "1");
    expect_opt(&o[1], "b", NULL);
    expect_opt(&o[2], "c", "3");
    expect_opt(&o[3], "d", NULL);

    /* A tab ends an unquoted value. */
    assert_int_equal(tokenize("a=1\tb=2", o, MAX_OPTS), 2);
    expect_opt(&o[0], "a", "1");
    expect_opt(&o[1], "b", "2");
}

/* Returns the first option of line (which must have one). */
static struct cmdline_option first_option(const char *line)
{
    const char *cursor = line;
    struct cmdline_option opt;
    assert_true(cmdline_next(&cursor, &opt));
    return opt;
}

/* cmdline_key_is matches the whole key only: neither a prefix nor an extension matches. */
static void test_key_is_exact(void **state)
{
    (void)state;
    struct cmdline_option opt = first_option("loglevel=3 rest");
    assert_true(cmdline_key_is(&opt, "loglevel"));
    assert_false(cmdline_key_is(&opt, "log"));
    assert_false(cmdline_key_is(&opt, "loglevel2"));
    assert_false(cmdline_key_is(&opt, "loglevel="));
    assert_false(cmdline_key_is(&opt, "Loglevel"));
    assert_false(cmdline_key_is(&opt, ""));

    opt = first_option("log");
    assert_true(cmdline_key_is(&opt, "log"));
    assert_false(cmdline_key_is(&opt, "loglevel"));
    assert_false(cmdline_key_is(&opt, "lo"));

    opt = first_option("=x");
    assert_true(cmdline_key_is(&opt, ""));
    assert_false(cmdline_key_is(&opt, "x"));
}

/* cmdline_value_is matches the whole value only, and never matches an option without one. */
static void test_value_is_exact(void **state)
{
    (void)state;
    struct cmdline_option opt = first_option("crash=panic-now next=1");
    assert_true(cmdline_value_is(&opt, "panic-now"));
    assert_false(cmdline_value_is(&opt, "panic"));
    assert_false(cmdline_value_is(&opt, "panic-now!"));
    assert_false(cmdline_value_is(&opt, "panic-now next=1"));
    assert_false(cmdline_value_is(&opt, ""));

    opt = first_option("quiet");
    assert_false(cmdline_value_is(&opt, ""));
    assert_false(cmdline_value_is(&opt, "quiet"));

    opt = first_option("k=");
    assert_true(cmdline_value_is(&opt, ""));
    assert_false(cmdline_value_is(&opt, "x"));

    opt = first_option("k=\"a b\"");
    assert_true(cmdline_value_is(&opt, "a b"));
    assert_false(cmdline_value_is(&opt, "\"a b\""));
    assert_false(cmdline_value_is(&opt, "a"));
}

/* Parses text (copied without a NUL to a buffer of exactly its length); returns the result. */
static bool parse(const char *text, uint64_t *out)
{
    size_t len = strlen(text);
    char *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    memcpy(copy, text, len);
    *out = 0xabababababababab;
    bool ok = cmdline_parse_u64(copy, len, out);
    free(copy);
    return ok;
}

static void expect_number(const char *text, uint64_t expected)
{
    uint64_t v;
    assert_true(parse(text, &v));
    assert_int_equal(v, expected);
}

/* Rejected input leaves *out untouched. */
static void expect_reject(const char *text)
{
    uint64_t v;
    assert_false(parse(text, &v));
    assert_int_equal(v, 0xabababababababab);
}

/* Decimal numbers parse exactly, leading zeros included. */
static void test_parse_decimal(void **state)
{
    (void)state;
    expect_number("0", 0);
    expect_number("7", 7);
    expect_number("42", 42);
    expect_number("007", 7);
    expect_number("1000000", 1000000);
    expect_number("4294967296", 4294967296ULL);
    expect_number("18446744073709551615", UINT64_MAX);
    expect_number("018446744073709551615", UINT64_MAX);
}

/* 0x and 0X select hex; digits may be upper or lower case. */
static void test_parse_hex(void **state)
{
    (void)state;
    expect_number("0x0", 0);
    expect_number("0x1f", 0x1f);
    expect_number("0X1F", 0x1f);
    expect_number("0xAbCdEf", 0xabcdef);
    expect_number("0x0123456789abcdef", 0x0123456789abcdefULL);
    expect_number("0xffffffffffffffff", UINT64_MAX);
    expect_number("0XFFFFFFFFFFFFFFFF", UINT64_MAX);
    expect_number("0x000000000000000000001", 1);
}

/* Empty input, "0x" alone, stray characters, signs and spaces are rejected. */
static void test_parse_rejects(void **state)
{
    (void)state;
    expect_reject("");
    expect_reject("0x");
    expect_reject("0X");
    expect_reject("x1");
    expect_reject("12a");
    expect_reject("a");
    expect_reject("ff");
    expect_reject("1f");
    expect_reject("0xg");
    expect_reject("0x1g");
    expect_reject("0x-1");
    expect_reject("0x 1");
    expect_reject("0x0x1");
    expect_reject("-1");
    expect_reject("+1");
    expect_reject(" 1");
    expect_reject("1 ");
    expect_reject("1.5");
    expect_reject("1k");
    expect_reject("1_000");
}

/* Values beyond 64 bits are rejected, in both bases. */
static void test_parse_overflow(void **state)
{
    (void)state;
    expect_reject("18446744073709551616");
    expect_reject("18446744073709551620");
    expect_reject("18446744073709551625");
    expect_reject("99999999999999999999");
    expect_reject("184467440737095516150");
    expect_reject("100000000000000000000000000000");
    expect_reject("0x10000000000000000");
    expect_reject("0xffffffffffffffff0");
    expect_reject("0x1ffffffffffffffff");
    /* Just below the limit in each base. */
    expect_number("18446744073709551614", UINT64_MAX - 1);
    expect_number("1844674407370955161", UINT64_MAX / 10);
    expect_number("0xfffffffffffffffe", UINT64_MAX - 1);
    expect_number("0x0ffffffffffffffff", UINT64_MAX);
}

/* Only len characters are read: a number can be parsed out of a longer string. */
static void test_parse_len_bounds(void **state)
{
    (void)state;
    const char *text = "1234xyz";
    uint64_t v = 0;
    assert_true(cmdline_parse_u64(text, 4, &v));
    assert_int_equal(v, 1234);
    assert_true(cmdline_parse_u64(text, 2, &v));
    assert_int_equal(v, 12);
    assert_false(cmdline_parse_u64(text, 5, &v));
    assert_false(cmdline_parse_u64(text, 0, &v));

    const char *hex = "0x1fz";
    assert_true(cmdline_parse_u64(hex, 4, &v));
    assert_int_equal(v, 0x1f);
    /* "0x" cut to two characters is not a number; cut to one it is "0". */
    assert_false(cmdline_parse_u64(hex, 2, &v));
    assert_true(cmdline_parse_u64(hex, 1, &v));
    assert_int_equal(v, 0);
}

/* The tokenizer and parser together read options the way kernel/options.c does. */
static void test_tokenize_then_parse(void **state)
{
    (void)state;
    const char *cursor = "loglevel=0x3 mem=\"4096\" bad=12z";
    struct cmdline_option opt;
    uint64_t v;

    assert_true(cmdline_next(&cursor, &opt));
    assert_true(cmdline_key_is(&opt, "loglevel"));
    assert_true(cmdline_parse_u64(opt.value, opt.value_len, &v));
    assert_int_equal(v, 3);

    assert_true(cmdline_next(&cursor, &opt));
    assert_true(cmdline_key_is(&opt, "mem"));
    assert_true(cmdline_parse_u64(opt.value, opt.value_len, &v));
    assert_int_equal(v, 4096);

    assert_true(cmdline_next(&cursor, &opt));
    assert_true(cmdline_key_is(&opt, "bad"));
    assert_false(cmdline_parse_u64(opt.value, opt.value_len, &v));

    assert_false(cmdline_next(&cursor, &opt));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_and_whitespace),
        cmocka_unit_test(test_key_and_key_value),
        cmocka_unit_test(test_empty_value),
        cmocka_unit_test(test_quoted_values),
        cmocka_unit_test(test_unterminated_quote),
        cmocka_unit_test(test_bare_equals),
        cmocka_unit_test(test_multiple_separators),
        cmocka_unit_test(test_key_is_exact),
        cmocka_unit_test(test_value_is_exact),
        cmocka_unit_test(test_parse_decimal),
        cmocka_unit_test(test_parse_hex),
        cmocka_unit_test(test_parse_rejects),
        cmocka_unit_test(test_parse_overflow),
        cmocka_unit_test(test_parse_len_bounds),
        cmocka_unit_test(test_tokenize_then_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
