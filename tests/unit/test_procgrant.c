/*
 * Host unit tests for lib/procgrant: finding I/O port and IRQ grants in a struct proc_info as
 * procsrv fills it from the boot manifest.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "procgrant/procgrant.h"

static struct proc_info info;

/* Appends a grant to info. */
static void add(uint64_t kind, uint64_t slot, uint64_t arg, uint64_t arg2)
{
    info.grants[info.grant_count++] = (struct proc_grant){kind, slot, arg, arg2};
}

static void setup_kbd_two_ranges(void)
{
    memset(&info, 0, sizeof info);
    add(PROC_GRANT_IO_PORTS, 16, 0x60, 0x60);
    add(PROC_GRANT_IO_PORTS, 17, 0x64, 0x64);
    add(PROC_GRANT_IRQ, 18, 1, 0);
    add(PROC_GRANT_NOTIFICATION, 19, 0, 0);
}

static void test_ports(void **state)
{
    (void)state;
    setup_kbd_two_ranges();
    assert_int_equal(procgrant_ports(&info, 0x60, 0x60), 16);
    assert_int_equal(procgrant_ports(&info, 0x64, 0x64), 17);
    assert_int_equal(procgrant_ports(&info, 0x60, 0x64), 0); /* no one range holds both */
    assert_int_equal(procgrant_ports(&info, 0x61, 0x61), 0);
    assert_int_equal(procgrant_ports(&info, 0x64, 0x60), 0);
    memset(&info, 0, sizeof info);
    add(PROC_GRANT_IRQ, 16, 4, 0);
    add(PROC_GRANT_NOTIFICATION, 17, 0, 0);
    add(PROC_GRANT_IO_PORTS, 18, 0x3f8, 0x3ff);
    assert_int_equal(procgrant_ports(&info, 0x3f8, 0x3ff), 18);
    assert_int_equal(procgrant_ports(&info, 0x3fd, 0x3fd), 18);
    assert_int_equal(procgrant_ports(&info, 0x3f7, 0x3f8), 0);
    assert_int_equal(procgrant_ports(&info, 0x3ff, 0x400), 0);
}

static void test_irq(void **state)
{
    (void)state;
    uint64_t handler = 0, notification = 0;
    setup_kbd_two_ranges();
    assert_true(procgrant_irq(&info, 1, &handler, &notification));
    assert_int_equal(handler, 18);
    assert_int_equal(notification, 19);
    handler = notification = 0;
    assert_false(procgrant_irq(&info, 4, &handler, &notification));
    assert_int_equal(handler, 0);
    /* The notification must follow its IRQ directly. */
    memset(&info, 0, sizeof info);
    add(PROC_GRANT_IRQ, 16, 4, 0);
    add(PROC_GRANT_IO_PORTS, 17, 0x3f8, 0x3ff);
    add(PROC_GRANT_NOTIFICATION, 18, 0, 0);
    assert_false(procgrant_irq(&info, 4, &handler, &notification));
    /* An IRQ grant as the last entry has no notification. */
    memset(&info, 0, sizeof info);
    add(PROC_GRANT_IRQ, 16, 4, 0);
    assert_false(procgrant_irq(&info, 4, &handler, &notification));
}

static void test_count_is_respected(void **state)
{
    (void)state;
    uint64_t handler, notification;
    setup_kbd_two_ranges();
    info.grant_count = 1; /* the entries after the first do not count */
    assert_int_equal(procgrant_ports(&info, 0x60, 0x60), 16);
    assert_int_equal(procgrant_ports(&info, 0x64, 0x64), 0);
    info.grant_count = 3; /* the notification is cut off */
    assert_false(procgrant_irq(&info, 1, &handler, &notification));
    /* A corrupt count is capped at the array's size (ASan checks we stay inside). */
    memset(&info, 0, sizeof info);
    for (unsigned i = 0; i < PROC_MAX_GRANTS; i++)
        add(PROC_GRANT_MMIO, 16 + i, 0, 0);
    info.grants[PROC_MAX_GRANTS - 1] = (struct proc_grant){PROC_GRANT_IO_PORTS, 47, 1, 2};
    info.grant_count = ~0ul;
    assert_int_equal(procgrant_ports(&info, 1, 2), 47);
    assert_int_equal(procgrant_ports(&info, 3, 3), 0);
    assert_false(procgrant_irq(&info, 0, &handler, &notification));
}

/* An endpoint grant as procsrv's loader writes it: the name's first 16 bytes, NUL-padded,
   in arg and arg2. */
static void add_endpoint(uint64_t slot, const char *name)
{
    uint64_t words[2] = {0, 0};
    memcpy(words, name, strlen(name) < 16 ? strlen(name) : 16);
    add(PROC_GRANT_ENDPOINT, slot, words[0], words[1]);
}

static void test_endpoint(void **state)
{
    (void)state;
    setup_kbd_two_ranges();
    assert_int_equal(procgrant_endpoint(&info, "compositor"), 0);
    add_endpoint(20, "memsrv");
    add_endpoint(21, "compositor");
    add_endpoint(22, "a-name-of-more-than-16");
    assert_int_equal(procgrant_endpoint(&info, "compositor"), 21);
    assert_int_equal(procgrant_endpoint(&info, "memsrv"), 20);
    assert_int_equal(procgrant_endpoint(&info, "composito"), 0); /* a prefix is not the name */
    assert_int_equal(procgrant_endpoint(&info, "compositorx"), 0);
    assert_int_equal(procgrant_endpoint(&info, "a-name-of-more-than-16"), 22);
    assert_int_equal(procgrant_endpoint(&info, ""), 0);
    info.grant_count = 4; /* entries past the count are not looked at */
    assert_int_equal(procgrant_endpoint(&info, "memsrv"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ports),
        cmocka_unit_test(test_irq),
        cmocka_unit_test(test_count_is_respected),
        cmocka_unit_test(test_endpoint),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
