/*
 * Host unit tests for lib/manifest (the boot manifest parser). Lines are
 * copied into malloc'd buffers of exactly their length (no NUL) so ASan
 * catches any read past the end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/manifest.h"

static char error[MANIFEST_ERROR_MAX + 1];

/* -Ikernel makes <string.h> the kernel's small one: no strstr or strcat. */
static bool contains(const char *haystack, const char *needle)
{
    size_t n = strlen(needle);
    for (; *haystack; haystack++)
        if (memcmp(haystack, needle, n) == 0)
            return true;
    return false;
}

static void append(char *to, const char *what)
{
    memcpy(to + strlen(to), what, strlen(what) + 1);
}

/* Parses text as one line from an exact-size heap copy. */
static enum manifest_result parse(const char *text, struct manifest_entry *e)
{
    size_t n = strlen(text);
    char *copy = malloc(n ? n : 1);
    memcpy(copy, text, n);
    error[0] = 0;
    enum manifest_result r = manifest_parse_line(copy, n, e, error);
    free(copy);
    return r;
}

static void test_full_entry(void **state)
{
    (void)state;
    struct manifest_entry e;
    assert_int_equal(
        parse("server console bin/console priority=180 quota=2M cspace=10 "
              "ioports=0x3f8-0x3ff,0x60 irq=4,1 restart=5 debug acpi framebuffer block "
              "mmio=0xfebf0000+4K,0xb8000+0x8000 endpoints=memsrv,kbd -- -v two",
              &e),
        MANIFEST_ENTRY);
    assert_int_equal(e.mmio_count, 2);
    assert_int_equal(e.mmio[0].base, 0xfebf0000);
    assert_int_equal(e.mmio[0].size, 4096);
    assert_int_equal(e.mmio[1].base, 0xb8000);
    assert_int_equal(e.mmio[1].size, 0x8000);
    assert_int_equal(e.endpoint_count, 2);
    assert_string_equal(e.endpoints[0], "memsrv");
    assert_string_equal(e.endpoints[1], "kbd");
    assert_true(e.server);
    assert_string_equal(e.name, "console");
    assert_string_equal(e.program, "bin/console");
    assert_int_equal(e.priority, 180);
    assert_int_equal(e.quota, 2 << 20);
    assert_int_equal(e.cspace_bits, 10);
    assert_int_equal(e.ioport_count, 2);
    assert_int_equal(e.ioports[0].first, 0x3f8);
    assert_int_equal(e.ioports[0].last, 0x3ff);
    assert_int_equal(e.ioports[1].first, 0x60);
    assert_int_equal(e.ioports[1].last, 0x60);
    assert_int_equal(e.irq_count, 2);
    assert_int_equal(e.irqs[0], 4);
    assert_int_equal(e.irqs[1], 1);
    assert_int_equal(e.restart, 5);
    assert_true(e.debug);
    assert_true(e.acpi);
    assert_true(e.framebuffer);
    assert_true(e.block);
    assert_int_equal(e.argc, 2);
    assert_string_equal(e.args, "-v");
    assert_string_equal(e.args + 3, "two");
}

static void test_defaults_and_comments(void **state)
{
    (void)state;
    struct manifest_entry e;
    assert_int_equal(parse("  program shell bin/shell   # the shell", &e), MANIFEST_ENTRY);
    assert_false(e.server);
    assert_int_equal(e.priority, 100);
    assert_int_equal(e.quota, 16 << 20);
    assert_int_equal(e.cspace_bits, 8);
    assert_int_equal(e.restart, 0);
    assert_false(e.debug);
    assert_false(e.acpi);
    assert_false(e.framebuffer);
    assert_false(e.block);
    assert_int_equal(e.argc, 0);
    assert_int_equal(parse("", &e), MANIFEST_EMPTY);
    assert_int_equal(parse("   \t\r", &e), MANIFEST_EMPTY);
    assert_int_equal(parse("# server x bin/x", &e), MANIFEST_EMPTY);
}

static void test_sizes(void **state)
{
    (void)state;
    uint64_t n;
    assert_true(manifest_parse_size("4096", 4, &n));
    assert_int_equal(n, 4096);
    assert_true(manifest_parse_size("64K", 3, &n));
    assert_int_equal(n, 65536);
    assert_true(manifest_parse_size("1g", 2, &n));
    assert_int_equal(n, 1ull << 30);
    assert_true(manifest_parse_size("0x10M", 5, &n));
    assert_int_equal(n, 16ull << 20);
    assert_false(manifest_parse_size("", 0, &n));
    assert_false(manifest_parse_size("M", 1, &n));
    assert_false(manifest_parse_size("12Q", 3, &n));
    assert_false(manifest_parse_size("99999999999999999999", 20, &n));
    assert_false(manifest_parse_size("17179869184G", 12, &n)); /* 2^34 G overflows */
}

/* Each bad line gives MANIFEST_ERROR and a reason containing `want`. */
static void expect_error(const char *line, const char *want)
{
    struct manifest_entry e;
    assert_int_equal(parse(line, &e), MANIFEST_ERROR);
    if (!contains(error, want))
        fail_msg("'%s': error '%s' lacks '%s'", line, error, want);
    assert_true(strlen(error) <= MANIFEST_ERROR_MAX);
}

static void test_errors(void **state)
{
    (void)state;
    expect_error("service x bin/x", "expected 'server' or 'program', not 'service'");
    expect_error("server", "expected a name and a program");
    expect_error("server x", "expected a name and a program");
    expect_error("server X bin/x", "a name is");
    expect_error("server abcdefghijklmnopqrstuvwxyz0123456 bin/x", "a name is");
    expect_error("server x /bin/x", "not a program path");
    expect_error("server x bin/x priority=0", "priority must be 1-254, not '0'");
    expect_error("server x bin/x priority=255", "priority must be 1-254");
    expect_error("server x bin/x priority=high", "priority must be 1-254");
    expect_error("server x bin/x priority=", "missing value");
    expect_error("server x bin/x quota=1K", "quota must be 64K-64G, not '1K'");
    expect_error("server x bin/x quota=lots", "quota must be");
    expect_error("server x bin/x quota=65G", "quota must be");
    expect_error("server x bin/x cspace=5", "cspace must be 6-16");
    expect_error("server x bin/x cspace=17", "cspace must be 6-16");
    expect_error("server x bin/x ioports=0x3ff-0x3f8", "ioports must be");
    expect_error("server x bin/x ioports=0x10000", "ioports must be");
    expect_error("server x bin/x ioports=1-2,", "ioports must be");
    expect_error("server x bin/x ioports=1,2,3,4,5,6,7,8,9", "ioports must be");
    expect_error("server x bin/x irq=24", "irq must be");
    expect_error("server x bin/x irq=1,2,3,4,5", "irq must be");
    expect_error("server x bin/x restart=101", "restart must be 0-100");
    expect_error("server x bin/x mmio=0x1000", "mmio must be");
    expect_error("server x bin/x mmio=0x1001+4K", "mmio must be");
    expect_error("server x bin/x mmio=0x1000+100", "mmio must be");
    expect_error("server x bin/x mmio=0x1000+32M", "mmio must be");
    expect_error("server x bin/x mmio=0x1000+4K,0x2000+4K,0x3000+4K,0x4000+4K,0x5000+4K",
                 "mmio must be");
    expect_error("server x bin/x mmio=", "missing value in 'mmio='");
    expect_error("server x bin/x endpoints=Console", "endpoints must be");
    expect_error("server x bin/x endpoints=a,b,c,d,e", "endpoints must be");
    expect_error("server x bin/x endpoints=a,", "endpoints must be");
    expect_error("server x bin/x colour=blue", "unknown option 'colour'");
    expect_error("server x bin/x fast", "unknown option 'fast'");
    char many[400] = "program x bin/x --";
    for (int i = 0; i < 60; i++)
        append(many, " a");
    expect_error(many, "too many words");
    char long_args[400] = "program x bin/x --";
    for (int i = 0; i < 20; i++)
        append(long_args, " abcdefghijklmnop");
    expect_error(long_args, "arguments too long");
}

/* pci= names a driver's functions by class or by vendor:device; msi=off keeps it on INTx. */
static void test_pci(void **state)
{
    (void)state;
    struct manifest_entry e;
    assert_int_equal(parse("program ahci bin/ahci pci=01.06.01", &e), MANIFEST_ENTRY);
    assert_int_equal(e.pci, MANIFEST_PCI_CLASS);
    assert_int_equal(e.pci_match, 0x010601);
    assert_false(e.no_msi);
    assert_int_equal(parse("program edu bin/edu pci=1234:11E8 msi=off", &e), MANIFEST_ENTRY);
    assert_int_equal(e.pci, MANIFEST_PCI_ID);
    assert_int_equal(e.pci_match, 0x11e81234);
    assert_true(e.no_msi);
    assert_int_equal(parse("program edu bin/edu msi=on", &e), MANIFEST_ENTRY);
    assert_int_equal(e.pci, MANIFEST_PCI_NONE);
    expect_error("program x bin/x pci=1.6.1",
                 "pci must be CC.SS.PP or VVVV:DDDD (hex), not '1.6.1'");
    expect_error("program x bin/x pci=1234:11g8", "pci must be CC.SS.PP or VVVV:DDDD (hex), not");
    expect_error("program x bin/x pci=01.06.01x", "pci must be CC.SS.PP or VVVV:DDDD (hex), not");
    expect_error("program x bin/x pci=", "missing value in 'pci='");
    expect_error("program x bin/x msi=no", "msi must be on or off, not 'no'");
}

static void test_lines(void **state)
{
    (void)state;
    const char text[] = "a\n\nbc\r\nlast";
    size_t pos = 0, len;
    const char *line;
    assert_true(manifest_next_line(text, sizeof text - 1, &pos, &line, &len));
    assert_int_equal(len, 1);
    assert_true(manifest_next_line(text, sizeof text - 1, &pos, &line, &len));
    assert_int_equal(len, 0);
    assert_true(manifest_next_line(text, sizeof text - 1, &pos, &line, &len));
    assert_int_equal(len, 3); /* the \r is the parser's business: it is a space */
    assert_true(manifest_next_line(text, sizeof text - 1, &pos, &line, &len));
    assert_memory_equal(line, "last", 4);
    assert_false(manifest_next_line(text, sizeof text - 1, &pos, &line, &len));
}

/* Random bytes and mutations of a good line never crash or overrun, and
   every accepted entry has fields in range. */
static void test_garbage(void **state)
{
    (void)state;
    const char good[] =
        "server kbd bin/kbd priority=170 quota=1M ioports=0x60-0x64 irq=1 restart=3";
    uint64_t seed = 12345;
    for (int round = 0; round < 200000; round++) {
        char line[128];
        size_t n;
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        if (round % 2) {
            n = (seed >> 33) % sizeof line;
            for (size_t i = 0; i < n; i++) {
                seed = seed * 6364136223846793005ull + 1;
                line[i] = (char)(seed >> 56);
            }
        } else {
            n = sizeof good - 1;
            memcpy(line, good, n);
            for (int k = 0; k < 3; k++) {
                seed = seed * 6364136223846793005ull + 1;
                line[(seed >> 20) % n] = (char)(seed >> 56);
            }
        }
        char *copy = malloc(n ? n : 1);
        memcpy(copy, line, n);
        struct manifest_entry e;
        enum manifest_result r = manifest_parse_line(copy, n, &e, error);
        free(copy);
        if (r == MANIFEST_ENTRY) {
            assert_true(e.priority >= 1 && e.priority <= 254);
            assert_true(e.cspace_bits >= 6 && e.cspace_bits <= 16);
            assert_true(e.ioport_count <= MANIFEST_MAX_IOPORTS);
            assert_true(e.irq_count <= MANIFEST_MAX_IRQS);
            assert_true(strlen(e.name) >= 1 && strlen(e.program) >= 1);
        } else if (r == MANIFEST_ERROR) {
            assert_true(strlen(error) <= MANIFEST_ERROR_MAX);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_entry), cmocka_unit_test(test_defaults_and_comments),
        cmocka_unit_test(test_sizes),      cmocka_unit_test(test_errors),
        cmocka_unit_test(test_lines),      cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_pci),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
