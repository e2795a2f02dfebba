/*
 * Host tests for lib/aml (the AML interpreter) and lib/aml/resource.
 *
 * The ASL test cases in tests/aml/ are compiled by iasl into AML_TABLE_DIR (the Makefile does
 * it at test time). Each table states what its methods must give in \EXPT, a package of
 * Package () { "method", expected [, arguments...] }: an integer, string, buffer or package to
 * compare with the result, or "error:NAME" for an evaluation that must fail with the status
 * aml_status_name calls NAME. Every table gets one test here that loads it and checks each
 * entry in order (so a later entry also proves that the namespace survived an earlier error).
 *
 * The host is faked: 64 KiB of memory at physical 0, 64 Ki I/O ports, 256 bytes of
 * configuration space for each function of PCI bus 0; every access is logged, so tests can
 * check what the interpreter did. Further tests take the QEMU-shaped table (qemu.aml) through
 * what the acpi server does with it (_PRT, link devices, _S5, _PIC), hand-make the bytes iasl
 * will not emit (an unknown opcode, truncated tables, lengths past the end), corrupt tables
 * byte by byte, and decode and encode resource templates (those are in aml_robustness.c; the
 * fake host is aml_fake.c).
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aml/aml.h"
#include "aml/resource.h"
#include "aml_fake.h"

/* --- expectations ---------------------------------------------------------------------------- */

/* Whether got equals want (integers, strings, buffers, packages of them). */
static bool same_value(const struct aml_value *got, const struct aml_value *want)
{
    if (got->type != want->type)
        return false;
    size_t a, b;
    switch (want->type) {
    case AML_TYPE_INTEGER:
        return got->u.integer == want->u.integer;
    case AML_TYPE_STRING:
    case AML_TYPE_BUFFER: {
        const uint8_t *x = aml_value_data(got, &a), *y = aml_value_data(want, &b);
        return a == b && memcmp(x, y, a) == 0;
    }
    case AML_TYPE_PACKAGE:
        if (aml_package_count(got) != aml_package_count(want))
            return false;
        for (size_t i = 0; i < aml_package_count(want); i++)
            if (!same_value(aml_package_element(got, i), aml_package_element(want, i)))
                return false;
        return true;
    default:
        return false;
    }
}

static void describe(const struct aml_value *v, char *out, size_t size)
{
    size_t n;
    const uint8_t *d = aml_value_data(v, &n);
    if (v->type == AML_TYPE_INTEGER)
        snprintf(out, size, "0x%llx", (unsigned long long)v->u.integer);
    else if (v->type == AML_TYPE_STRING)
        snprintf(out, size, "\"%s\"", (const char *)d);
    else if (v->type == AML_TYPE_BUFFER)
        snprintf(out, size, "buffer of %zu bytes (first 0x%02x)", n, n ? d[0] : 0);
    else
        snprintf(out, size, "an object of type %d", (int)v->type);
}

/* Runs every \EXPT entry of the table named by *state; fails if any differs. */
static void test_expectations(void **state)
{
    const char *name = *state;
    struct fake *f = calloc(1, sizeof(*f));
    struct aml *aml = load(f, name, NULL);
    struct aml_value expt;
    struct aml_error error;
    assert_int_equal(aml_evaluate(aml, NULL, "\\EXPT", NULL, 0, &expt, &error), AML_OK);
    assert_true(aml_package_count(&expt) > 0);
    unsigned failures = 0;
    for (size_t i = 0; i < aml_package_count(&expt); i++) {
        const struct aml_value *entry = aml_package_element(&expt, i);
        size_t count = aml_package_count(entry);
        assert_true(count >= 2 && count <= 9);
        const struct aml_value *method = aml_package_element(entry, 0);
        const struct aml_value *want = aml_package_element(entry, 1);
        assert_int_equal(method->type, AML_TYPE_STRING);
        const char *path = (const char *)aml_value_data(method, NULL);
        struct aml_value args[7];
        for (size_t a = 2; a < count; a++)
            args[a - 2] = *aml_package_element(entry, a);
        struct aml_value got;
        enum aml_status s =
            aml_evaluate(aml, NULL, path, args, (unsigned)(count - 2), &got, &error);
        const char *want_text =
            want->type == AML_TYPE_STRING ? (const char *)aml_value_data(want, NULL) : "";
        char got_text[300], want_desc[128];
        describe(want, want_desc, sizeof(want_desc));
        if (strncmp(want_text, "error:", 6) == 0) {
            if (s == AML_OK || strcmp(aml_status_name(s), want_text + 6) != 0) {
                if (s == AML_OK)
                    describe(&got, got_text, sizeof(got_text));
                else
                    aml_error_format(&error, got_text, sizeof(got_text));
                print_error("%s: %s: got %s, want %s\n", name, path, got_text, want_text);
                failures++;
            } else if (error.status != s || error.message[0] == '\0') {
                print_error("%s: %s: the error is not described\n", name, path);
                failures++;
            }
        } else if (s != AML_OK) {
            aml_error_format(&error, got_text, sizeof(got_text));
            print_error("%s: %s: failed: %s (want %s)\n", name, path, got_text, want_desc);
            failures++;
        } else if (!same_value(&got, want)) {
            describe(&got, got_text, sizeof(got_text));
            print_error("%s: %s: got %s, want %s\n", name, path, got_text, want_desc);
            failures++;
        }
        aml_value_free(aml, &got);
    }
    aml_value_free(aml, &expt);
    aml_destroy(aml);
    free(f);
    assert_int_equal(failures, 0);
}

/* --- the QEMU-shaped table, as the acpi server uses it --------------------------------------- */

static const struct aml_value *element(const struct aml_value *package, size_t i)
{
    const struct aml_value *e = aml_package_element(package, i);
    assert_non_null(e);
    return e;
}

static uint64_t integer_element(const struct aml_value *package, size_t i)
{
    const struct aml_value *e = element(package, i);
    assert_int_equal(e->type, AML_TYPE_INTEGER);
    return e->u.integer;
}

static void test_qemu_sleep_state_and_routing(void **state)
{
    (void)state;
    struct fake *f = calloc(1, sizeof(*f));
    struct aml *aml = load(f, "qemu.aml", NULL);
    assert_int_equal(aml_integer_width(aml), 32); /* a revision-1 DSDT, like QEMU's */
    struct aml_value v;
    struct aml_error error;
    assert_int_equal(aml_evaluate(aml, NULL, "\\_S5", NULL, 0, &v, &error), AML_OK);
    assert_int_equal(aml_package_count(&v), 4);
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(integer_element(&v, i), 0); /* SLP_TYP 0 for S5 */
    aml_value_free(aml, &v);

    /* Before \_PIC(1): PIC routes through the link devices. */
    struct aml_node *lnka = aml_find(aml, NULL, "\\_SB.LNKA");
    assert_non_null(lnka);
    assert_int_equal(aml_evaluate(aml, NULL, "\\_SB.PCI0._PRT", NULL, 0, &v, &error), AML_OK);
    assert_int_equal(aml_package_count(&v), 3);
    const struct aml_value *route = element(&v, 0);
    assert_int_equal(integer_element(route, 0), 0x0001FFFF);
    assert_int_equal(integer_element(route, 1), 0);
    assert_ptr_equal(aml_value_node(element(route, 2)), lnka);
    assert_int_equal(integer_element(route, 3), 0);
    aml_value_free(aml, &v);

    /* After \_PIC(1): GSIs of the I/O APIC, no link device. */
    struct aml_value apic = aml_integer(1);
    assert_int_equal(aml_evaluate(aml, NULL, "\\_PIC", &apic, 1, NULL, &error), AML_OK);
    assert_int_equal(aml_evaluate(aml, NULL, "\\_SB.PCI0._PRT", NULL, 0, &v, &error), AML_OK);
    route = element(&v, 1);
    assert_int_equal(integer_element(route, 2), 0);
    assert_null(aml_value_node(element(route, 2)));
    assert_int_equal(integer_element(route, 3), 17);
    aml_value_free(aml, &v);
    aml_destroy(aml);
    free(f);
}

/* The link device's routing register: PCI 0:1.0 offset 0x60 + n, as the interpreter wrote it. */
static void test_qemu_link_devices(void **state)
{
    (void)state;
    struct fake *f = calloc(1, sizeof(*f));
    struct aml *aml = load(f, "qemu.aml", NULL);
    uint8_t *routing = &f->pci[1 * 8 + 0][0x60];
    routing[0] = 0x80; /* LNKA disabled, as firmware leaves it */
    routing[1] = 0x80;
    struct aml_node *lnka = aml_find(aml, NULL, "\\_SB.LNKA");
    struct aml_node *lnkb = aml_find(aml, NULL, "\\_SB.LNKB");
    struct aml_error error;
    uint64_t sta;
    assert_int_equal(aml_device_sta(aml, lnka, &sta, &error), AML_OK);
    assert_int_equal(sta, 0x09);
    char hid[AML_ID_MAX];
    assert_int_equal(aml_device_hid(aml, lnka, hid, &error), AML_OK);
    assert_string_equal(hid, "PNP0C0F");

    struct aml_node *links[] = {lnka, lnkb};
    enum aml_resource_type kinds[] = {AML_RESOURCE_EXTENDED_IRQ, AML_RESOURCE_IRQ};
    for (int l = 0; l < 2; l++) {
        struct aml_value prs, crs;
        assert_int_equal(aml_evaluate(aml, links[l], "_PRS", NULL, 0, &prs, &error), AML_OK);
        size_t length, count;
        const uint8_t *bytes = aml_value_data(&prs, &length);
        struct aml_resource r[4];
        assert_int_equal(aml_resource_decode(bytes, length, r, 4, &count, NULL), AML_OK);
        assert_int_equal(count, 1);
        assert_int_equal(r[0].type, kinds[l]);
        assert_int_equal(r[0].u.irq.count, 3);
        assert_int_equal(r[0].u.irq.interrupts[2], 11);
        assert_true(r[0].u.irq.level);
        assert_true(r[0].u.irq.shared);
        assert_int_equal(r[0].u.irq.active_low, l == 1);

        /* Choose IRQ 11 through _SRS: the routing register takes it. */
        uint8_t srs[16];
        size_t srs_length;
        assert_int_equal(aml_resource_encode_irq(&r[0], 11, srs, sizeof(srs), &srs_length), AML_OK);
        struct aml_value arg;
        assert_int_equal(aml_buffer_new(aml, srs, srs_length, &arg), AML_OK);
        f->log_count = 0;
        assert_int_equal(aml_evaluate(aml, links[l], "_SRS", &arg, 1, NULL, &error), AML_OK);
        aml_value_free(aml, &arg);
        assert_int_equal(routing[l], 11);
        bool wrote = false;
        for (size_t i = 0; i < f->log_count; i++)
            wrote = wrote || (f->log[i].space == 'p' && f->log[i].write &&
                              f->log[i].address == (0x10000u | (0x60u + l)) &&
                              f->log[i].width == 8 && f->log[i].value == 11);
        assert_true(wrote);

        /* _CRS now reports it, and the link is enabled. */
        assert_int_equal(aml_evaluate(aml, links[l], "_CRS", NULL, 0, &crs, &error), AML_OK);
        bytes = aml_value_data(&crs, &length);
        assert_int_equal(aml_resource_decode(bytes, length, r, 4, &count, NULL), AML_OK);
        assert_int_equal(count, 1);
        assert_int_equal(r[0].u.irq.count, 1);
        assert_int_equal(r[0].u.irq.interrupts[0], 11);
        assert_int_equal(aml_device_sta(aml, links[l], &sta, &error), AML_OK);
        assert_int_equal(sta, 0x0B);
        aml_value_free(aml, &prs);
        aml_value_free(aml, &crs);
        assert_int_equal(aml_evaluate(aml, links[l], "_DIS", NULL, 0, NULL, &error), AML_OK);
        assert_int_equal(routing[l], 0x80 | 11);
    }
    aml_destroy(aml);
    free(f);
}

static void test_qemu_io_notify_and_devices(void **state)
{
    (void)state;
    struct fake *f = calloc(1, sizeof(*f));
    struct aml *aml = load(f, "qemu.aml", NULL);
    struct aml_error error;
    f->log_count = 0;
    assert_int_equal(aml_evaluate(aml, NULL, "\\PWRO", NULL, 0, NULL, &error), AML_OK);
    assert_int_equal(f->log_count, 1); /* a whole word: written without reading first */
    assert_int_equal(f->log[0].space, 'i');
    assert_true(f->log[0].write);
    assert_int_equal(f->log[0].address, 0x604);
    assert_int_equal(f->log[0].width, 16);
    assert_int_equal(f->log[0].value, 0x2000);

    assert_int_equal(aml_evaluate(aml, NULL, "\\_GPE._E01", NULL, 0, NULL, &error), AML_OK);
    assert_int_equal(f->notify_count, 1);
    assert_ptr_equal(f->notified[0], aml_find(aml, NULL, "\\_SB.PCI0"));
    assert_int_equal(f->notify_values[0], 0);

    /* The devices the acpi server lists, with their identities. */
    struct aml_node *pci = aml_find(aml, NULL, "\\_SB_.PCI0");
    char path[64], hid[AML_ID_MAX];
    aml_node_path(pci, path, sizeof(path));
    assert_string_equal(path, "\\_SB_.PCI0");
    assert_int_equal(aml_device_hid(aml, pci, hid, &error), AML_OK);
    assert_string_equal(hid, "PNP0A03");
    uint64_t adr, sta;
    struct aml_node *isa = aml_find(aml, pci, "ISA");
    assert_int_equal(aml_device_adr(aml, isa, &adr, &error), AML_OK);
    assert_int_equal(adr, 0x00010000);
    assert_int_equal(aml_device_hid(aml, isa, hid, &error), AML_ERR_NOT_FOUND);
    assert_int_equal(aml_device_sta(aml, isa, &sta, &error), AML_OK);
    assert_int_equal(sta, 0x0F); /* no _STA: present */
    struct aml_value crs;
    assert_int_equal(aml_evaluate(aml, pci, "_CRS", NULL, 0, &crs, &error), AML_OK);
    size_t length, count;
    const uint8_t *bytes = aml_value_data(&crs, &length);
    struct aml_resource r[8];
    assert_int_equal(aml_resource_decode(bytes, length, r, 8, &count, NULL), AML_OK);
    assert_int_equal(count, 4);
    assert_int_equal(r[0].type, AML_RESOURCE_ADDRESS);
    assert_int_equal(r[0].u.address.bits, 16);
    assert_int_equal(r[0].u.address.space, AML_ADDRESS_BUS);
    assert_int_equal(r[0].u.address.maximum, 0xFF);
    assert_int_equal(r[1].type, AML_RESOURCE_IO);
    assert_int_equal(r[1].u.range.minimum, 0xCF8);
    assert_int_equal(r[1].u.range.length, 8);
    assert_int_equal(r[2].u.address.bits, 32);
    assert_int_equal(r[2].u.address.minimum, 0xA0000);
    assert_int_equal(r[3].u.address.bits, 64);
    assert_int_equal(r[3].u.address.minimum, 0x100000000);
    assert_int_equal(r[3].u.address.length, 0x80000000);
    aml_value_free(aml, &crs);
    aml_destroy(aml);
    free(f);
}

/* _OSC with the PCI host bridge UUID: the capabilities buffer comes back with what the
   firmware grants (the caller's own buffer is not changed: arguments are copies). */
static void test_qemu_osc(void **state)
{
    (void)state;
    struct fake *f = calloc(1, sizeof(*f));
    struct aml *aml = load(f, "qemu.aml", NULL);
    static const uint8_t uuid[16] = {0x5b, 0x4d, 0xdb, 0x33, 0xf7, 0x1f, 0x1c, 0x40,
                                     0x96, 0x57, 0x74, 0x41, 0xc0, 0x3d, 0xd7, 0x66};
    static const uint8_t caps[12] = {0, 0, 0, 0, 0x1F, 0, 0, 0, 0x1F, 0, 0, 0};
    struct aml_value args[4], result;
    assert_int_equal(aml_buffer_new(aml, uuid, sizeof(uuid), &args[0]), AML_OK);
    args[1] = aml_integer(1);
    args[2] = aml_integer(3);
    assert_int_equal(aml_buffer_new(aml, caps, sizeof(caps), &args[3]), AML_OK);
    struct aml_error error;
    assert_int_equal(aml_evaluate(aml, NULL, "\\_SB.PCI0._OSC", args, 4, &result, &error), AML_OK);
    size_t length;
    const uint8_t *out = aml_value_data(&result, &length);
    assert_int_equal(length, 12);
    assert_int_equal(out[0], 0x10); /* capabilities masked */
    assert_int_equal(out[8], 0x1E);
    assert_int_equal(aml_value_data(&args[3], NULL)[8], 0x1F);
    aml_value_free(aml, &result);
    args[0].u.bytes->data[0] ^= 1; /* another UUID */
    assert_int_equal(aml_evaluate(aml, NULL, "\\_SB.PCI0._OSC", args, 4, &result, &error), AML_OK);
    assert_int_equal(aml_value_data(&result, NULL)[0], 0x04);
    aml_value_free(aml, &result);
    aml_value_free(aml, &args[0]);
    aml_value_free(aml, &args[3]);
    aml_destroy(aml);
    free(f);
}

/* --- what reached the host from objects.aml --------------------------------------------------- */

static void test_host_services(void **state)
{
    (void)state;
    struct fake *f = calloc(1, sizeof(*f));
    struct aml *aml = load(f, "objects.aml", NULL);
    struct aml_error error;
    assert_int_equal(aml_evaluate(aml, NULL, "\\TNTF", NULL, 0, NULL, &error), AML_OK);
    assert_int_equal(f->notify_count, 2);
    assert_ptr_equal(f->notified[0], aml_find(aml, NULL, "\\_SB.DEV1"));
    assert_int_equal(f->notify_values[0], 0x80);
    assert_ptr_equal(f->notified[1], aml_find(aml, NULL, "\\_SB.CPU0"));
    assert_int_equal(f->notify_values[1], 0x81);
    assert_int_equal(aml_evaluate(aml, NULL, "\\TSLP", NULL, 0, NULL, &error), AML_OK);
    assert_int_equal(f->slept_ms, 10 + 100);   /* Sleep (100000) cut to max_sleep_ms */
    assert_int_equal(f->stalled_us, 20 + 100); /* Stall (255) cut to max_stall_us */
    assert_int_equal(aml_evaluate(aml, NULL, "\\TDBG", NULL, 0, NULL, &error), AML_OK);
    assert_string_equal(f->last_debug, "0x1234");
    /* A name that does not resolve is named in the error. */
    assert_int_equal(aml_evaluate(aml, NULL, "\\TNFD", NULL, 0, NULL, &error), AML_ERR_NOT_FOUND);
    assert_string_equal(error.message, "no object \\_SB_.NONE");
    assert_string_equal(error.method, "\\TNFD");

    /* A method's objects go when it returns, and their memory with them. */
    size_t before = aml_memory_used(aml);
    assert_int_equal(aml_evaluate(aml, NULL, "\\TLCL", NULL, 0, NULL, &error), AML_OK);
    assert_null(aml_find(aml, NULL, "\\TLCL.TMP0"));
    assert_null(aml_find(aml, NULL, "\\TLCL.TDEV"));
    assert_int_equal(aml_memory_used(aml), before);

    /* _CID as a package of an EISA id and a string. */
    char cids[4][AML_ID_MAX];
    size_t count;
    struct aml_node *dev1 = aml_find(aml, NULL, "\\_SB.DEV1");
    assert_int_equal(aml_device_cids(aml, dev1, cids, 4, &count, &error), AML_OK);
    assert_int_equal(count, 2);
    assert_string_equal(cids[0], "PNP0A03");
    assert_string_equal(cids[1], "ACPI0003");
    uint64_t sta;
    assert_int_equal(aml_device_sta(aml, dev1, &sta, &error), AML_OK);
    assert_int_equal(sta, 0x0B);
    char hid[AML_ID_MAX];
    assert_int_equal(aml_device_hid(aml, aml_find(aml, dev1, "CHLD"), hid, &error), AML_OK);
    assert_string_equal(hid, "QEMU0002");
    aml_destroy(aml);
    free(f);
}

static void test_initialize(void **state)
{
    (void)state;
    struct fake *f = calloc(1, sizeof(*f));
    struct aml *aml = load(f, "objects.aml", NULL);
    assert_int_equal(aml_initialize(aml), 1); /* BAD0's _INI executes Fatal */
    uint64_t count;
    struct aml_error error;
    assert_int_equal(aml_evaluate_integer(aml, NULL, "\\INIC", &count, &error), AML_OK);
    assert_int_equal(count, 0x11); /* \_INI and KID1's: not ABS0's, KID0's or FUN0's */
    aml_destroy(aml);
    free(f);
}

/* --- main --------------------------------------------------------------------------------------
 */

#define MAX_TABLES 32

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
    /* One expectation test per compiled table, in name order. */
    static char *names[MAX_TABLES];
    size_t tables = 0;
    DIR *dir = opendir(AML_TABLE_DIR);
    if (!dir) {
        fprintf(stderr, "test_aml: no table directory %s\n", AML_TABLE_DIR);
        return 1;
    }
    for (struct dirent *e; (e = readdir(dir)) && tables < MAX_TABLES;) {
        size_t n = strlen(e->d_name);
        if (n > 4 && strcmp(e->d_name + n - 4, ".aml") == 0)
            names[tables++] = strdup(e->d_name);
    }
    closedir(dir);
    qsort(names, tables, sizeof(names[0]), compare_names);
    static const struct CMUnitTest fixed[] = {
        cmocka_unit_test(test_qemu_sleep_state_and_routing),
        cmocka_unit_test(test_qemu_link_devices),
        cmocka_unit_test(test_qemu_io_notify_and_devices),
        cmocka_unit_test(test_qemu_osc),
        cmocka_unit_test(test_host_services),
        cmocka_unit_test(test_initialize),
        cmocka_unit_test(test_unknown_opcode),
        cmocka_unit_test(test_break_outside_while),
        cmocka_unit_test(test_bad_headers_and_lengths),
        cmocka_unit_test(test_truncations),
        cmocka_unit_test(test_corruptions),
        cmocka_unit_test(test_nesting_depth),
        cmocka_unit_test(test_memory_budget),
        cmocka_unit_test(test_namespace_api),
        cmocka_unit_test(test_resources),
    };
    size_t fixed_count = sizeof(fixed) / sizeof(fixed[0]);
    struct CMUnitTest *tests = calloc(tables + fixed_count, sizeof(*tests));
    for (size_t i = 0; i < tables; i++)
        tests[i] = (struct CMUnitTest){names[i], test_expectations, NULL, NULL, names[i]};
    memcpy(tests + tables, fixed, sizeof(fixed));
    int failed = _cmocka_run_group_tests("aml", tests, tables + fixed_count, NULL, NULL);
    free(tests);
    for (size_t i = 0; i < tables; i++)
        free(names[i]);
    return failed;
}
