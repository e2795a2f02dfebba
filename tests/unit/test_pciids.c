/*
 * Host unit tests for lib/pci/pciids: vendor and device names found in one pass over
 * pci.ids-style lines, malformed lines skipped, long names cut.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pci/pciids.h"

/* Feeds text line by line, each line from an exact-size heap copy (ASan sees overreads). */
static void feed(const char *text, struct pciids_query *q, unsigned n)
{
    struct pciids_pass pass;
    pciids_start(&pass);
    while (*text) {
        const char *end = strchr(text, '\n');
        size_t length = end ? (size_t)(end - text) : strlen(text);
        char *copy = malloc(length ? length : 1);
        memcpy(copy, text, length);
        pciids_line(&pass, copy, length, q, n);
        free(copy);
        text += length + (end ? 1 : 0);
    }
}

static const char ids[] = "1af4  Red Hat, Inc.\n"
                          "\t1000  Virtio network device\n"
                          "\t1001  Virtio block device\n"
                          "8086  Intel Corporation\n"
                          "\t1237  440FX - 82441FX PMC [Natoma]\n"
                          "\t7000  82371SB PIIX3 ISA [Natoma/Triton II]\n"
                          "\t\t1af4 1100  Qemu virtual machine\n"
                          "8087  Intel Corp.\n"
                          "\t1237  not this one\n";

static void test_names(void **state)
{
    (void)state;
    struct pciids_query q[4] = {{.vendor = 0x8086, .device = 0x1237},
                                {.vendor = 0x1af4, .device = 0x1001},
                                {.vendor = 0x8086, .device = 0x1100}, /* a subsystem id only */
                                {.vendor = 0x1234, .device = 0x11e8}};
    feed(ids, q, 4);
    assert_string_equal(q[0].vendor_name, "Intel Corporation");
    assert_string_equal(q[0].device_name, "440FX - 82441FX PMC [Natoma]");
    assert_string_equal(q[1].vendor_name, "Red Hat, Inc.");
    assert_string_equal(q[1].device_name, "Virtio block device");
    assert_string_equal(q[2].vendor_name, "Intel Corporation");
    assert_string_equal(q[2].device_name, "");
    assert_string_equal(q[3].vendor_name, "");
    assert_string_equal(q[3].device_name, "");
}

static void test_malformed(void **state)
{
    (void)state;
    struct pciids_query q[1] = {{.vendor = 0xabcd, .device = 0x0001}};
    feed("abcd  Vendor\n"
         "\t0001 one space\n" /* skipped */
         "\t000g  bad hex\n"
         "\t0001\n"
         "\t\n"
         "\n"
         "\t0001  The device\n", /* the blank line above ended the vendor */
         q, 1);
    assert_string_equal(q[0].vendor_name, "Vendor");
    assert_string_equal(q[0].device_name, "");
    /* A long name is cut to PCIIDS_NAME_MAX. */
    char line[300] = "\t0001  ";
    memset(line + 7, 'x', 200);
    line[207] = 0;
    char text[400];
    snprintf(text, sizeof text, "abcd  V\n%s\n", line);
    feed(text, q, 1);
    assert_int_equal(strlen(q[0].device_name), PCIIDS_NAME_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
