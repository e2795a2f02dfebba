/*
 * Host unit tests for the shell's pure helpers (apps/shell/args.c): the
 * tokenizer, number parsing and program paths.
 *
 * Lines are copied into malloc'd buffers of exactly their size so ASan flags any access past
 * the terminator; every word must point into that buffer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../apps/shell/args.h"

/* Splits a heap copy of line with room for max words; checks the words lie in the copy and
   joins them as "[w1][w2]..." into out. Returns the result. */
static enum args_error split(const char *line, size_t max, char *out, size_t out_size,
                             bool *background)
{
    size_t size = strlen(line) + 1;
    char *copy = malloc(size);
    assert_non_null(copy);
    memcpy(copy, line, size);
    char *words[ARGS_MAX + 2];
    size_t count = 99;
    assert_true(max <= ARGS_MAX + 2);
    enum args_error e = args_split(copy, words, max, &count, background);
    out[0] = '\0';
    if (e != ARGS_OK) {
        assert_int_equal(count, 0);
    }
    for (size_t i = 0; i < count; i++) {
        assert_true(words[i] >= copy && words[i] + strlen(words[i]) < copy + size);
        size_t used = strlen(out);
        snprintf(out + used, out_size - used, "[%s]", words[i]);
    }
    free(copy);
    return e;
}

/* Checks that line splits into expected (in the [w] notation) with the background flag. */
static void expect_split(const char *line, const char *expected, bool expect_background)
{
    char out[512];
    bool background = !expect_background;
    assert_int_equal(split(line, ARGS_MAX, out, sizeof out, &background), ARGS_OK);
    assert_string_equal(out, expected);
    assert_int_equal(background, expect_background);
}

static void test_plain_words(void **state)
{
    (void)state;
    expect_split("", "", false);
    expect_split("   \t  ", "", false);
    expect_split("help", "[help]", false);
    expect_split("  echo   a b\tc  ", "[echo][a][b][c]", false);
    expect_split("x", "[x]", false);
}

static void test_quotes(void **state)
{
    (void)state;
    expect_split("echo \"a b\"  c", "[echo][a b][c]", false);
    expect_split("echo x\"y z\"w", "[echo][xy zw]", false);
    expect_split("echo \"\"", "[echo][]", false);
    expect_split("echo \"\" \"\"", "[echo][][]", false);
    expect_split("\"  lead\"", "[  lead]", false);
    expect_split("echo \"a\"\"b\"", "[echo][ab]", false);
    expect_split("echo \"tab\there\"", "[echo][tab\there]", false);
}

static void test_backslashes(void **state)
{
    (void)state;
    expect_split("echo \\\"hi\\\"", "[echo][\"hi\"]", false);
    expect_split("echo \"a \\\" b\"", "[echo][a \" b]", false);
    expect_split("echo a\\\\b", "[echo][a\\b]", false);
    expect_split("echo C:\\path\\x", "[echo][C:\\path\\x]", false);
    expect_split("echo \\", "[echo][\\]", false);
}

static void test_open_quote(void **state)
{
    (void)state;
    char out[256];
    bool background;
    assert_int_equal(split("echo \"abc", ARGS_MAX, out, sizeof out, &background), ARGS_OPEN_QUOTE);
    assert_int_equal(split("\"", ARGS_MAX, out, sizeof out, &background), ARGS_OPEN_QUOTE);
    assert_int_equal(split("echo \\\"a\" b", ARGS_MAX, out, sizeof out, &background),
                     ARGS_OPEN_QUOTE);
}

static void test_too_many(void **state)
{
    (void)state;
    char out[256];
    bool background;
    assert_int_equal(split("a b c", 3, out, sizeof out, &background), ARGS_OK);
    assert_string_equal(out, "[a][b][c]");
    assert_int_equal(split("a b c d", 3, out, sizeof out, &background), ARGS_TOO_MANY);
    assert_int_equal(split("a b c   ", 3, out, sizeof out, &background), ARGS_OK);
    assert_int_equal(split("a", 0, out, sizeof out, &background), ARGS_TOO_MANY);
    assert_int_equal(split("  ", 0, out, sizeof out, &background), ARGS_OK);
}

static void test_background(void **state)
{
    (void)state;
    expect_split("run x &", "[run][x]", true);
    expect_split("run x&", "[run][x&]", false);
    expect_split("run x & ", "[run][x]", true);
    expect_split("run & x", "[run][&][x]", false);
    expect_split("run x \"&\"", "[run][x][&]", false);
    expect_split("run x \\\"&", "[run][x][\"&]", false);
    expect_split("&", "", true);
    expect_split("run x &&", "[run][x][&&]", false);
}

static void test_parse_u64(void **state)
{
    (void)state;
    uint64_t v = 7;
    assert_true(args_parse_u64("0", &v));
    assert_int_equal(v, 0);
    assert_true(args_parse_u64("42", &v));
    assert_int_equal(v, 42);
    assert_true(args_parse_u64("0017", &v));
    assert_int_equal(v, 17);
    assert_true(args_parse_u64("18446744073709551615", &v));
    assert_true(v == UINT64_MAX);
    v = 5;
    const char *bad[] = {"",
                         "-1",
                         "+1",
                         " 1",
                         "1 ",
                         "abc",
                         "1a",
                         "0x10",
                         "18446744073709551616",
                         "99999999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_false(args_parse_u64(bad[i], &v));
        assert_int_equal(v, 5);
    }
}

static void test_program_path(void **state)
{
    (void)state;
    char out[16];
    assert_true(args_program_path("hello", out, sizeof out));
    assert_string_equal(out, "bin/hello");
    assert_true(args_program_path("tests/x", out, sizeof out));
    assert_string_equal(out, "tests/x");
    assert_true(args_program_path("/bin/x", out, sizeof out));
    assert_string_equal(out, "bin/x");
    assert_false(args_program_path("", out, sizeof out));
    assert_false(args_program_path("///", out, sizeof out));
    /* "bin/" + 11 characters + NUL = 16 fits; one more does not. */
    assert_true(args_program_path("abcdefghijk", out, sizeof out));
    assert_string_equal(out, "bin/abcdefghijk");
    assert_false(args_program_path("abcdefghijkl", out, sizeof out));
    assert_string_equal(args_file_path("//etc/motd"), "etc/motd");
    assert_string_equal(args_file_path("etc/motd"), "etc/motd");
}

/* Whether s holds c (the host tests see the kernel's <string.h>: no strchr). */
static bool has_char(const char *s, char c)
{
    for (; *s; s++)
        if (*s == c)
            return true;
    return false;
}

/* The reference for lines without quotes or escapes: words between spaces and tabs as
   "[w]..." in out; returns whether the last word is "&". */
static bool plain_split(const char *line, char *out, size_t out_size)
{
    bool amp_last = false;
    out[0] = '\0';
    for (size_t i = 0; line[i];) {
        if (line[i] == ' ' || line[i] == '\t') {
            i++;
            continue;
        }
        size_t start = i;
        while (line[i] && line[i] != ' ' && line[i] != '\t')
            i++;
        size_t used = strlen(out);
        snprintf(out + used, out_size - used, "[%.*s]", (int)(i - start), line + start);
        amp_last = i - start == 1 && line[start] == '&';
    }
    return amp_last;
}

/* Random lines of spaces, quotes, backslashes, & and letters: the tokenizer must stay in
   bounds (ASan), and on success each word must be made only of the line's characters. */
static void test_random_lines(void **state)
{
    (void)state;
    const char alphabet[] = "  \t\"\\&ab";
    srand(1);
    for (int round = 0; round < 200000; round++) {
        char line[40];
        size_t len = (size_t)(rand() % (int)sizeof line);
        for (size_t i = 0; i < len; i++)
            line[i] = alphabet[rand() % (int)(sizeof alphabet - 1)];
        line[len] = '\0';
        char out[512];
        bool background;
        enum args_error e = split(line, ARGS_MAX, out, sizeof out, &background);
        assert_true(e == ARGS_OK || e == ARGS_OPEN_QUOTE || e == ARGS_TOO_MANY);
        if (e == ARGS_OK && !has_char(line, '"') && !has_char(line, '\\')) {
            /* Without quotes and escapes it is plain splitting. */
            char expected[512];
            bool amp_last = plain_split(line, expected, sizeof expected);
            if (amp_last)
                expected[strlen(expected) - 3] = '\0';
            assert_string_equal(out, expected);
            assert_int_equal(background, amp_last);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_words),  cmocka_unit_test(test_quotes),
        cmocka_unit_test(test_backslashes),  cmocka_unit_test(test_open_quote),
        cmocka_unit_test(test_too_many),     cmocka_unit_test(test_background),
        cmocka_unit_test(test_parse_u64),    cmocka_unit_test(test_program_path),
        cmocka_unit_test(test_random_lines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
