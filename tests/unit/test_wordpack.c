/*
 * Host unit tests for lib/wordpack: the byte order of packed words, padding, the DEBUG_WRITE
 * limit, and round trips of every length.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "wordpack/wordpack.h"

static void test_little_endian(void **state)
{
    (void)state;
    uint64_t words[2] = {~0ull, ~0ull};
    assert_int_equal(wordpack_pack(words, "abcdefghi", 9), 2);
    assert_int_equal(words[0], 0x6867666564636261ull);
    assert_int_equal(words[1], 0x69); /* the rest of the last word is zero */
    assert_int_equal(wordpack_pack(words, "", 0), 0);
    assert_int_equal(words[0], 0x6867666564636261ull); /* nothing written */
}

static void test_round_trip(void **state)
{
    (void)state;
    unsigned char in[40], out[40];
    for (size_t i = 0; i < sizeof in; i++)
        in[i] = (unsigned char)(0xf0 + i * 7);
    for (size_t n = 0; n <= sizeof in; n++) {
        uint64_t words[5];
        memset(out, 0, sizeof out);
        assert_int_equal(wordpack_pack(words, in, n), (n + 7) / 8);
        wordpack_unpack(out, words, n);
        assert_memory_equal(in, out, n);
        for (size_t i = n; i < sizeof out; i++)
            assert_int_equal(out[i], 0); /* nothing past n unpacked */
    }
}

static void test_debug(void **state)
{
    (void)state;
    uint64_t words[WORDPACK_DEBUG_WORDS];
    char text[100];
    memset(text, 'x', sizeof text);
    memset(words, 0xff, sizeof words);
    assert_int_equal(wordpack_debug(words, "hi", 2), 2);
    assert_int_equal(words[0], 0x6968);
    for (int i = 1; i < WORDPACK_DEBUG_WORDS; i++)
        assert_int_equal(words[i], 0); /* stale words cleared */
    assert_int_equal(wordpack_debug(words, text, sizeof text), WORDPACK_DEBUG_BYTES);
    assert_int_equal(words[WORDPACK_DEBUG_WORDS - 1], 0x7878787878787878ull);
    assert_int_equal(wordpack_debug(words, text, 0), 0);
    assert_int_equal(words[0], 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_little_endian),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_debug),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
