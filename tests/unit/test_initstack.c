/*
 * Host unit tests for lib/initstack: the layout crt0 reads (argc, argv, NULL, envp, NULL, the
 * strings), alignment, and the one limit (INITSTACK_MAX_STRINGS strings in one page).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "initstack/initstack.h"

#define AT 0x7fffeffff000ull /* where the program sees the page */

static uint8_t page[PAGE_SIZE];
static struct initstack stack;

/* The word at a program address within the page. */
static uint64_t word(uint64_t address)
{
    uint64_t w;
    memcpy(&w, page + (address - AT), 8);
    return w;
}

/* The string at a program address within the page. */
static const char *string(uint64_t address)
{
    return (const char *)page + (address - AT);
}

static void test_layout(void **state)
{
    (void)state;
    memset(page, 0xee, sizeof page);
    initstack_init(&stack, page, AT);
    assert_true(initstack_add(&stack, "bin/shell", 9, false));
    assert_true(initstack_add(&stack, "--banner x", 8, false)); /* a word of a longer line */
    assert_true(initstack_add(&stack, "HOME=/", 6, true));
    assert_false(initstack_add(&stack, "late", 4, false)); /* no argument after the environment */
    uint64_t sp = initstack_finish(&stack);
    assert_int_equal(sp % 16, 0);
    assert_true(sp >= AT && sp < AT + PAGE_SIZE);
    assert_int_equal(word(sp), 2);
    assert_string_equal(string(word(sp + 8)), "bin/shell");
    assert_string_equal(string(word(sp + 16)), "--banner");
    assert_int_equal(word(sp + 24), 0);
    assert_string_equal(string(word(sp + 32)), "HOME=/");
    assert_int_equal(word(sp + 40), 0);
    /* The strings lie above the table, at the page's top. */
    assert_true(word(sp + 8) > sp + 40);
    assert_int_equal(word(sp + 8) + 10, AT + PAGE_SIZE);
}

static void test_empty(void **state)
{
    (void)state;
    initstack_init(&stack, page, AT);
    uint64_t sp = initstack_finish(&stack);
    assert_int_equal(word(sp), 0);
    assert_int_equal(word(sp + 8), 0);
    assert_int_equal(word(sp + 16), 0);
    assert_true(sp + 24 <= AT + PAGE_SIZE);
}

static void test_count_limit(void **state)
{
    (void)state;
    initstack_init(&stack, page, AT);
    for (int i = 0; i < INITSTACK_MAX_STRINGS; i++)
        assert_true(initstack_add(&stack, "a", 1, i >= 50));
    assert_false(initstack_add(&stack, "a", 1, true));
    uint64_t sp = initstack_finish(&stack);
    assert_int_equal(word(sp), 50);
    assert_int_equal(word(sp + 8 * 51), 0);
    assert_int_equal(word(sp + 8 * 62), 0);
}

/* Strings that would leave no room for the table are refused, whole. */
static void test_page_limit(void **state)
{
    (void)state;
    static char big[PAGE_SIZE];
    memset(big, 'x', sizeof big);
    initstack_init(&stack, page, AT);
    assert_false(initstack_add(&stack, big, PAGE_SIZE - 1, false));
    assert_int_equal(stack.argc, 0);
    size_t room = PAGE_SIZE - 1 - (4 * 8 + 15); /* one string: argc, it, two NULLs, alignment */
    assert_false(initstack_add(&stack, big, room + 1, false));
    assert_true(initstack_add(&stack, big, room, false));
    assert_false(initstack_add(&stack, "", 0, false));
    uint64_t sp = initstack_finish(&stack);
    assert_true(sp >= AT);
    assert_int_equal(word(sp), 1);
    assert_int_equal(strlen(string(word(sp + 8))), room);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_count_limit),
        cmocka_unit_test(test_page_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
