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
 * byte by byte, and decode and encode resource templates.
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

#ifndef AML_TABLE_DIR
#error "AML_TABLE_DIR must name the directory of the compiled test tables"
#endif

/* --- the fake host ------------------------------------------------------------------------- */

#define FAKE_MEMORY   0x10000
#define FAKE_LOG      512
#define FAKE_NOTIFIES 16

struct access {
    char space; /* 'm', 'i', 'p' */
    bool write;
    uint64_t address; /* memory address, port, or (device << 16 | function << 8) + offset */
    unsigned width;
    uint64_t value;
};

struct fake {
    uint8_t memory[FAKE_MEMORY];
    uint8_t io[0x10000];
    uint8_t pci[32 * 8][256];
    struct access log[FAKE_LOG];
    size_t log_count;
    struct aml_node *notified[FAKE_NOTIFIES];
    uint64_t notify_values[FAKE_NOTIFIES];
    size_t notify_count;
    char last_debug[160];
    uint64_t slept_ms, stalled_us;
    uint64_t clock;
};

static void record(struct fake *f, char space, bool write, uint64_t address, unsigned width,
                   uint64_t value)
{
    if (f->log_count < FAKE_LOG)
        f->log[f->log_count++] = (struct access){space, write, address, width, value};
}

static uint64_t bytes_read(const uint8_t *p, unsigned width)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < width / 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static void bytes_write(uint8_t *p, unsigned width, uint64_t v)
{
    for (unsigned i = 0; i < width / 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static int fake_mem_read(void *c, uint64_t address, unsigned width, uint64_t *value)
{
    struct fake *f = c;
    if (address >= FAKE_MEMORY || width / 8 > FAKE_MEMORY - address)
        return -1;
    *value = bytes_read(f->memory + address, width);
    record(f, 'm', false, address, width, *value);
    return 0;
}

static int fake_mem_write(void *c, uint64_t address, unsigned width, uint64_t value)
{
    struct fake *f = c;
    if (address >= FAKE_MEMORY || width / 8 > FAKE_MEMORY - address)
        return -1;
    bytes_write(f->memory + address, width, value);
    record(f, 'm', true, address, width, value);
    return 0;
}

static int fake_io_read(void *c, uint16_t port, unsigned width, uint64_t *value)
{
    struct fake *f = c;
    if (port + width / 8 > 0x10000u)
        return -1;
    *value = bytes_read(f->io + port, width);
    record(f, 'i', false, port, width, *value);
    return 0;
}

static int fake_io_write(void *c, uint16_t port, unsigned width, uint64_t value)
{
    struct fake *f = c;
    if (port + width / 8 > 0x10000u)
        return -1;
    bytes_write(f->io + port, width, value);
    record(f, 'i', true, port, width, value);
    return 0;
}

static uint8_t *fake_pci(struct fake *f, struct aml_pci_address a, uint16_t offset, unsigned width)
{
    if (a.segment || a.bus || a.device >= 32 || a.function >= 8 || offset + width / 8 > 256)
        return NULL;
    return &f->pci[a.device * 8 + a.function][offset];
}

static int fake_pci_read(void *c, struct aml_pci_address a, uint16_t offset, unsigned width,
                         uint64_t *value)
{
    struct fake *f = c;
    uint8_t *p = fake_pci(f, a, offset, width);
    if (!p)
        return -1;
    *value = bytes_read(p, width);
    record(f, 'p', false, (uint64_t)a.device << 16 | (uint64_t)a.function << 8 | offset, width,
           *value);
    return 0;
}

static int fake_pci_write(void *c, struct aml_pci_address a, uint16_t offset, unsigned width,
                          uint64_t value)
{
    struct fake *f = c;
    uint8_t *p = fake_pci(f, a, offset, width);
    if (!p)
        return -1;
    bytes_write(p, width, value);
    record(f, 'p', true, (uint64_t)a.device << 16 | (uint64_t)a.function << 8 | offset, width,
           value);
    return 0;
}

static void fake_notify(void *c, struct aml_node *node, uint64_t value)
{
    struct fake *f = c;
    if (f->notify_count < FAKE_NOTIFIES) {
        f->notified[f->notify_count] = node;
        f->notify_values[f->notify_count++] = value;
    }
}

static void fake_sleep(void *c, uint64_t ms)
{
    ((struct fake *)c)->slept_ms += ms;
}

static void fake_stall(void *c, uint64_t us)
{
    ((struct fake *)c)->stalled_us += us;
}

static void fake_log(void *c, enum aml_log_level level, const char *line)
{
    struct fake *f = c;
    if (level == AML_LOG_DEBUG)
        snprintf(f->last_debug, sizeof(f->last_debug), "%s", line);
}

static uint64_t fake_timer(void *c)
{
    return ((struct fake *)c)->clock += 1000;
}

static struct aml_host fake_host(struct fake *f)
{
    return (struct aml_host){
        .context = f,
        .io_read = fake_io_read,
        .io_write = fake_io_write,
        .mem_read = fake_mem_read,
        .mem_write = fake_mem_write,
        .pci_read = fake_pci_read,
        .pci_write = fake_pci_write,
        .notify = fake_notify,
        .sleep = fake_sleep,
        .stall = fake_stall,
        .log = fake_log,
        .timer = fake_timer,
    };
}

/* --- tables ---------------------------------------------------------------------------------- */

/* The compiled table name (e.g. "qemu.aml") in an exact-size heap buffer, so ASan catches any
   read past it. */
static uint8_t *read_table(const char *name, size_t *length)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", AML_TABLE_DIR, name);
    FILE *file = fopen(path, "rb");
    if (!file) {
        print_error("cannot open %s\n", path);
        fail();
    }
    fseek(file, 0, SEEK_END);
    long size = ftell(file);
    fseek(file, 0, SEEK_SET);
    uint8_t *data = malloc((size_t)size);
    assert_non_null(data);
    assert_int_equal(fread(data, 1, (size_t)size, file), (size_t)size);
    fclose(file);
    *length = (size_t)size;
    return data;
}

/* A fresh interpreter with table name loaded (it must load cleanly). */
static struct aml *load(struct fake *f, const char *name, const struct aml_limits *limits)
{
    struct aml_host host = fake_host(f);
    struct aml *aml;
    assert_int_equal(aml_create(&host, limits, &aml), AML_OK);
    size_t length;
    uint8_t *table = read_table(name, &length);
    struct aml_error error;
    enum aml_status s = aml_load_table(aml, table, length, &error);
    if (s != AML_OK) {
        char text[256];
        aml_error_format(&error, text, sizeof(text));
        print_error("%s: %s\n", name, text);
    }
    assert_int_equal(s, AML_OK);
    free(table);
    return aml;
}

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
    assert_int_equal(f->slept_ms, 10 + 100); /* Sleep (100000) cut to max_sleep_ms */
    assert_int_equal(f->stalled_us, 20);
    assert_int_equal(aml_evaluate(aml, NULL, "\\TDBG", NULL, 0, NULL, &error), AML_OK);
    assert_string_equal(f->last_debug, "0x1234");

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

/* --- hand-made tables: what iasl will not emit --------------------------------------------------
 */

/* A definition block of signature "DSDT", revision 2, holding body; returns its length. The
   checksum is left 0: checking it is the acpi server's job. */
static size_t make_table(uint8_t *out, const uint8_t *body, size_t body_length)
{
    memset(out, 0, 36);
    memcpy(out, "DSDT", 4);
    size_t length = 36 + body_length;
    for (int i = 0; i < 4; i++)
        out[4 + i] = (uint8_t)(length >> (8 * i));
    out[8] = 2;
    memcpy(out + 36, body, body_length);
    return length;
}

static void test_unknown_opcode(void **state)
{
    (void)state;
    struct fake *f = calloc(1, sizeof(*f));
    struct aml_host host = fake_host(f);
    struct aml *aml;
    assert_int_equal(aml_create(&host, NULL, &aml), AML_OK);
    /* Method (BADX) { 0x5B 0x99 }, Method (GOOD) { Return (7) }, then 0xD0 at the top level. */
    static const uint8_t body[] = {
        0x14, 0x08, 'B', 'A', 'D', 'X', 0x00, 0x5B, 0x99,       /* offset 36 */
        0x14, 0x09, 'G', 'O', 'O', 'D', 0x00, 0xA4, 0x0A, 0x07, /* offset 45 */
        0xD0,                                                   /* offset 55 */
    };
    uint8_t table[64];
    size_t length = make_table(table, body, sizeof(body));
    struct aml_error error;
    assert_int_equal(aml_load_table(aml, table, length, &error), AML_ERR_BAD_OPCODE);
    assert_int_equal(error.opcode, 0xD0);
    assert_int_equal(error.offset, 55);
    assert_string_equal(error.table, "DSDT");
    /* What the table defined before the bad opcode stays. */
    assert_int_equal(aml_evaluate(aml, NULL, "BADX", NULL, 0, NULL, &error), AML_ERR_BAD_OPCODE);
    assert_int_equal(error.opcode, 0x5B99);
    assert_int_equal(error.offset, 43);
    assert_string_equal(error.method, "\\BADX");
    char text[256];
    aml_error_format(&error, text, sizeof(text));
    assert_non_null(strstr(text, "DSDT+0x2b"));
    assert_non_null(strstr(text, "0x5b99"));
    assert_non_null(strstr(text, "\\BADX"));
    uint64_t v;
    assert_int_equal(aml_evaluate_integer(aml, NULL, "\\GOOD", &v, &error), AML_OK);
    assert_int_equal(v, 7);
    assert_int_equal(error.status, AML_OK);
    aml_destroy(aml);
    free(f);
}

/* Break outside a While (iasl refuses to emit it): an error, not a silent end of the method. */
static void test_break_outside_while(void **state)
{
    (void)state;
    static const uint8_t body[] = {0x14, 0x07, 'B', 'R', 'K', 'X', 0x00, 0xA5};
    uint8_t table[64];
    size_t length = make_table(table, body, sizeof(body));
    struct aml *aml;
    assert_int_equal(aml_create(NULL, NULL, &aml), AML_OK);
    struct aml_error error;
    assert_int_equal(aml_load_table(aml, table, length, &error), AML_OK);
    assert_int_equal(aml_evaluate(aml, NULL, "\\BRKX", NULL, 0, NULL, &error), AML_ERR_BAD_OPCODE);
    assert_int_equal(error.opcode, 0xA5);
    assert_int_equal(error.offset, 43);
    aml_destroy(aml);
}

static void test_bad_headers_and_lengths(void **state)
{
    (void)state;
    struct aml *aml;
    assert_int_equal(aml_create(NULL, NULL, &aml), AML_OK);
    uint8_t table[64];
    static const uint8_t body[] = {0x08, 'N', 'A', 'M', 'E', 0x0A, 0x05};
    size_t length = make_table(table, body, sizeof(body));
    struct aml_error error;
    /* Shorter than its header; a header's length past what is readable. */
    assert_int_equal(aml_load_table(aml, table, 20, &error), AML_ERR_TRUNCATED);
    assert_int_equal(aml_load_table(aml, table, length - 1, &error), AML_ERR_TRUNCATED);
    assert_int_equal(error.offset, length - 1);
    assert_non_null(strstr(error.message, "past the end"));
    /* A length inside the header; another signature. */
    table[4] = 10;
    assert_int_equal(aml_load_table(aml, table, length, &error), AML_ERR_BAD_TABLE);
    table[4] = (uint8_t)length;
    memcpy(table, "FACP", 4);
    assert_int_equal(aml_load_table(aml, table, length, &error), AML_ERR_BAD_TABLE);
    memcpy(table, "SSDT", 4);
    /* The header says less than there is: only that much is read, the Name cut short. */
    table[4] = (uint8_t)(length - 1);
    assert_int_equal(aml_load_table(aml, table, length, &error), AML_ERR_TRUNCATED);
    assert_int_equal(error.offset, length - 1);
    assert_null(aml_find(aml, NULL, "\\NAME"));
    table[4] = (uint8_t)length;
    assert_int_equal(aml_load_table(aml, table, length, &error), AML_OK);
    uint64_t v;
    assert_int_equal(aml_evaluate_integer(aml, NULL, "\\NAME", &v, &error), AML_OK);
    assert_int_equal(v, 5);
    /* A package length past the end of its scope. */
    static const uint8_t scope[] = {0x10, 0x3F, '_', 'S', 'B', '_', 0xA3};
    length = make_table(table, scope, sizeof(scope));
    assert_int_equal(aml_load_table(aml, table, length, &error), AML_ERR_TRUNCATED);
    assert_int_equal(error.offset, 37);
    aml_destroy(aml);
}

/* Limits for the corruption loops: small, so that each input is quick. */
static const struct aml_limits small_limits = {
    .max_depth = 32,
    .max_call_depth = 8,
    .max_operations = 3000,
    .max_loop_iterations = 500,
    .max_memory = 1u << 20,
};

struct method_list {
    struct aml_node *nodes[128];
    size_t count;
};

static bool collect_method(struct aml_node *node, void *context)
{
    struct method_list *list = context;
    if (list->count < 128)
        list->nodes[list->count++] = node;
    return true;
}

/* Loads table (available bytes) into a fresh interpreter and evaluates every method it got;
   anything may fail, nothing may crash, and every failure must be described. */
static void load_and_run_all(struct fake *f, const uint8_t *table, size_t available)
{
    struct aml_host host = fake_host(f);
    struct aml *aml;
    assert_int_equal(aml_create(&host, &small_limits, &aml), AML_OK);
    struct aml_error error;
    if (aml_load_table(aml, table, available, &error) != AML_OK)
        assert_true(error.status != AML_OK && error.message[0]);
    static struct method_list methods;
    methods.count = 0;
    aml_walk(aml, NULL, AML_TYPE_METHOD, collect_method, &methods);
    struct aml_value args[2] = {aml_integer(1), aml_integer(2)};
    for (size_t i = 0; i < methods.count; i++) {
        struct aml_value result;
        if (aml_evaluate(aml, methods.nodes[i], NULL, args, 2, &result, &error) == AML_OK)
            aml_value_free(aml, &result);
        else
            assert_true(error.status != AML_OK && error.message[0]);
    }
    aml_destroy(aml);
}

static void test_truncations(void **state)
{
    (void)state;
    struct fake *f = calloc(1, sizeof(*f));
    size_t length;
    uint8_t *table = read_table("qemu.aml", &length);
    for (size_t cut = 0; cut < length; cut++) {
        /* The header's length past what is readable: refused, naming where the bytes end. */
        uint8_t *copy = malloc(cut ? cut : 1);
        memcpy(copy, table, cut);
        struct aml *aml;
        assert_int_equal(aml_create(NULL, NULL, &aml), AML_OK);
        struct aml_error error;
        assert_int_not_equal(aml_load_table(aml, copy, cut, &error), AML_OK);
        if (cut >= 36)
            assert_int_equal(error.offset, cut);
        aml_destroy(aml);
        /* The header agreeing: every term cut anywhere. */
        if (cut >= 36) {
            for (int i = 0; i < 4; i++)
                copy[4 + i] = (uint8_t)(cut >> (8 * i));
            load_and_run_all(f, copy, cut);
        }
        free(copy);
    }
    free(table);
    free(f);
}

static void test_corruptions(void **state)
{
    (void)state;
    struct fake *f = calloc(1, sizeof(*f));
    static const char *const names[] = {"qemu.aml", "package.aml", "fields.aml"};
    for (size_t n = 0; n < sizeof(names) / sizeof(names[0]); n++) {
        size_t length;
        uint8_t *table = read_table(names[n], &length);
        for (size_t at = 36; at < length; at++) {
            uint8_t saved = table[at];
            table[at] = (uint8_t)(saved ^ 0xFF);
            load_and_run_all(f, table, length);
            table[at] = saved;
        }
        free(table);
    }
    free(f);
}

/* 100 nested Add terms: past max_depth (48), refused before the C stack could grow further. */
static void test_nesting_depth(void **state)
{
    (void)state;
    uint8_t body[512], table[600];
    size_t n = 0;
    body[n++] = 0x14; /* Method (DEEP) { Return (Add (Add (... 1, 1, Zero) ..., 1, Zero)) } */
    size_t length_at = n;
    n += 2;
    memcpy(body + n, "DEEP", 4);
    n += 4;
    body[n++] = 0x00;
    body[n++] = 0xA4;
    for (int i = 0; i < 100; i++)
        body[n++] = 0x72;
    body[n++] = 0x01;
    for (int i = 0; i < 100; i++) {
        body[n++] = 0x01;
        body[n++] = 0x00;
    }
    size_t pkg = n - length_at; /* a two-byte PkgLength */
    body[length_at] = (uint8_t)(0x40 | (pkg & 0x0F));
    body[length_at + 1] = (uint8_t)(pkg >> 4);
    size_t length = make_table(table, body, n);
    struct aml *aml;
    assert_int_equal(aml_create(NULL, NULL, &aml), AML_OK);
    struct aml_error error;
    assert_int_equal(aml_load_table(aml, table, length, &error), AML_OK);
    assert_int_equal(aml_evaluate(aml, NULL, "\\DEEP", NULL, 0, NULL, &error), AML_ERR_DEPTH);
    assert_int_equal(error.opcode, 0x72);
    /* With room for it, the same term gives 101. */
    aml_destroy(aml);
    struct aml_limits roomy = {.max_depth = 200};
    assert_int_equal(aml_create(NULL, &roomy, &aml), AML_OK);
    assert_int_equal(aml_load_table(aml, table, length, &error), AML_OK);
    uint64_t v;
    assert_int_equal(aml_evaluate_integer(aml, NULL, "\\DEEP", &v, &error), AML_OK);
    assert_int_equal(v, 101);
    aml_destroy(aml);
}

/* --- memory ---------------------------------------------------------------------------------- */

struct counting_allocator {
    size_t live, calls;
};

static void *counting_alloc(void *context, size_t bytes)
{
    struct counting_allocator *c = context;
    c->live++;
    c->calls++;
    return malloc(bytes);
}

static void counting_free(void *context, void *pointer, size_t bytes)
{
    (void)bytes;
    struct counting_allocator *c = context;
    c->live--;
    free(pointer);
}

static void test_memory_budget(void **state)
{
    (void)state;
    struct counting_allocator counter = {0};
    struct aml_host host = {.context = &counter, .alloc = counting_alloc, .free = counting_free};
    size_t length;
    uint8_t *table = read_table("bounds.aml", &length);
    struct aml *aml;
    assert_int_equal(aml_create(&host, NULL, &aml), AML_OK);
    struct aml_error error;
    assert_int_equal(aml_load_table(aml, table, length, &error), AML_OK);
    size_t before = aml_memory_used(aml);
    assert_true(before > length);
    assert_int_equal(aml_evaluate(aml, NULL, "\\GROW", NULL, 0, NULL, &error), AML_ERR_NO_MEMORY);
    assert_int_equal(aml_memory_used(aml), before); /* all given back */
    assert_int_equal(aml_evaluate(aml, NULL, "\\HPKG", NULL, 0, NULL, &error), AML_ERR_NO_MEMORY);
    assert_int_equal(aml_memory_used(aml), before);
    aml_destroy(aml);
    assert_true(counter.calls > 0);
    assert_int_equal(counter.live, 0);

    /* A budget too small for the table itself: the load fails cleanly, at any size. */
    for (size_t budget = 256; budget < 16384; budget += 509) {
        struct aml_limits tight = {.max_memory = budget};
        if (aml_create(&host, &tight, &aml) != AML_OK)
            continue;
        enum aml_status s = aml_load_table(aml, table, length, &error);
        assert_true(s == AML_OK || s == AML_ERR_NO_MEMORY);
        assert_true(aml_memory_used(aml) <= budget);
        aml_destroy(aml);
        assert_int_equal(counter.live, 0);
    }
    free(table);
}

/* --- the API -----------------------------------------------------------------------------------
 */

static bool count_node(struct aml_node *node, void *context)
{
    (void)node;
    (*(size_t *)context)++;
    return true;
}

static bool stop_at_first(struct aml_node *node, void *context)
{
    *(struct aml_node **)context = node;
    return false;
}

static void test_namespace_api(void **state)
{
    (void)state;
    struct fake *f = calloc(1, sizeof(*f));
    struct aml *aml = load(f, "qemu.aml", NULL);
    struct aml_node *pci = aml_find(aml, NULL, "\\_SB.PCI0");
    assert_non_null(pci);
    assert_ptr_equal(aml_find(aml, NULL, "_SB_.PCI0"), pci);
    assert_ptr_equal(aml_find(aml, aml_find(aml, pci, "ISA"), "^^PCI0"), pci);
    assert_ptr_equal(aml_find(aml, aml_find(aml, pci, "ISA"), "^"), pci);
    assert_null(aml_find(aml, NULL, "\\_SB..PCI0"));
    assert_null(aml_find(aml, NULL, "\\_sb.PCI0"));
    assert_null(aml_find(aml, NULL, "\\_SB.PCI0."));
    assert_null(aml_find(aml, NULL, "\\_SB.TOOLONG"));
    assert_null(aml_find(aml, NULL, "^"));
    assert_int_equal(aml_node_type(pci), AML_TYPE_DEVICE);
    assert_string_equal(aml_node_name(pci), "PCI0");
    assert_ptr_equal(aml_node_parent(pci), aml_find(aml, NULL, "\\_SB"));
    assert_ptr_equal(aml_root(aml), aml_node_parent(aml_node_parent(pci)));
    char path[8];
    assert_int_equal(aml_node_path(pci, path, sizeof(path)), 10);
    assert_string_equal(path, "\\_SB_.P"); /* cut, terminated */

    size_t devices = 0;
    aml_walk(aml, NULL, AML_TYPE_DEVICE, count_node, &devices);
    /* \_GPE \_PR_ \_SB_ \_SI_ \_TZ_ (predefined scopes), PCI0, ISA, RTC, S10, LNKA, LNKB */
    assert_int_equal(devices, 11);
    size_t below = 0;
    aml_walk(aml, pci, AML_TYPE_DEVICE, count_node, &below);
    assert_int_equal(below, 3);
    struct aml_node *first = NULL;
    assert_int_equal(aml_walk(aml, NULL, AML_TYPE_METHOD, stop_at_first, &first), 1);
    assert_string_equal(aml_node_name(first), "_E01"); /* depth first: \_GPE comes first */

    char id[8];
    aml_eisa_id_decode(0x030AD041, id);
    assert_string_equal(id, "PNP0A03");
    aml_eisa_id_decode(0x0F0CD041, id);
    assert_string_equal(id, "PNP0C0F");

    struct aml_value args[8] = {{0}};
    struct aml_error error;
    assert_int_equal(aml_evaluate(aml, NULL, "\\_PIC", args, 8, NULL, &error), AML_ERR_ARGUMENT);
    assert_int_equal(aml_evaluate(aml, NULL, "\\NONE", NULL, 0, NULL, &error), AML_ERR_NOT_FOUND);
    uint64_t v;
    assert_int_equal(aml_evaluate_integer(aml, NULL, "\\_S5", &v, &error), AML_ERR_TYPE);
    assert_int_equal(aml_evaluate_integer(aml, pci, "_ADR", &v, &error), AML_OK);
    assert_int_equal(v, 0);
    /* A device evaluated gives a reference to it. */
    struct aml_value dev;
    assert_int_equal(aml_evaluate(aml, pci, NULL, NULL, 0, &dev, &error), AML_OK);
    assert_ptr_equal(aml_value_node(&dev), pci);
    aml_value_free(aml, &dev);
    for (int s = AML_OK; s <= AML_ERR_BAD_RESOURCE; s++)
        assert_string_not_equal(aml_status_name((enum aml_status)s), "unknown status");
    aml_destroy(aml);
    free(f);
}

/* --- resource descriptors ------------------------------------------------------------------------
 */

static void test_resources(void **state)
{
    (void)state;
    static const uint8_t all[] = {
        0x22, 0x20, 0x04,                               /* IRQNoFlags {5, 10} */
        0x23, 0x00, 0x08, 0x18,                         /* IRQ (Level, ActiveLow, Shared) {11} */
        0x2A, 0x10, 0x00,                               /* DMA channel 4 */
        0x47, 0x01, 0x60, 0x00, 0x60, 0x00, 0x01, 0x01, /* IO 0x60 */
        0x4B, 0x70, 0x00, 0x02,                         /* FixedIO 0x70, 2 */
        0x86, 0x09, 0x00, 0x01, 0x00, 0x00, 0xD0, 0xFE, 0x00, 0x04, 0x00, 0x00, /* fixed mem */
        0x85, 0x11, 0x00, 0x00, 0x00, 0x00, 0x0A, 0x00, 0xFF, 0xFF, 0x0B, 0x00,
        0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00,       /* Memory32 ro */
        0x89, 0x06, 0x00, 0x0D, 0x01, 0x10, 0x00, 0x00, 0x00, /* Interrupt level low shared {16} */
        0x88, 0x0D, 0x00, 0x01, 0x0C, 0x03, 0x00, 0x00, 0x00, 0x0D, 0xFF, 0xFF,
        0x00, 0x00, 0x00, 0xF3, /* WordIO 0xD00-0xFFFF */
        0x79, 0x00,             /* End */
    };
    struct aml_resource r[16];
    size_t count, bad = 0;
    assert_int_equal(aml_resource_decode(all, sizeof(all), r, 16, &count, &bad), AML_OK);
    assert_int_equal(count, 9);
    assert_int_equal(r[0].type, AML_RESOURCE_IRQ);
    assert_int_equal(r[0].u.irq.count, 2);
    assert_int_equal(r[0].u.irq.interrupts[1], 10);
    assert_false(r[0].u.irq.level);
    assert_true(r[1].u.irq.level && r[1].u.irq.active_low && r[1].u.irq.shared);
    assert_int_equal(r[2].type, AML_RESOURCE_DMA);
    assert_int_equal(r[2].u.dma_channels, 0x10);
    assert_int_equal(r[3].type, AML_RESOURCE_IO);
    assert_true(r[3].u.range.decode16);
    assert_int_equal(r[4].type, AML_RESOURCE_FIXED_IO);
    assert_int_equal(r[4].u.range.minimum, 0x70);
    assert_int_equal(r[5].type, AML_RESOURCE_FIXED_MEMORY32);
    assert_int_equal(r[5].u.range.minimum, 0xFED00000);
    assert_int_equal(r[5].u.range.length, 0x400);
    assert_true(r[5].u.range.writable);
    assert_int_equal(r[6].type, AML_RESOURCE_MEMORY32);
    assert_int_equal(r[6].u.range.maximum, 0xBFFFF);
    assert_false(r[6].u.range.writable);
    assert_int_equal(r[7].type, AML_RESOURCE_EXTENDED_IRQ);
    assert_int_equal(r[7].u.irq.interrupts[0], 16);
    assert_true(r[7].u.irq.consumer && r[7].u.irq.level && r[7].u.irq.active_low);
    assert_int_equal(r[8].type, AML_RESOURCE_ADDRESS);
    assert_int_equal(r[8].u.address.space, AML_ADDRESS_IO);
    assert_int_equal(r[8].u.address.minimum, 0x0D00);
    assert_int_equal(r[8].u.address.length, 0xF300);
    assert_int_equal(r[8].offset, 63);

    /* Cut anywhere before the End tag: refused, never read past (exact-size copies). */
    for (size_t cut = 0; cut < sizeof(all) - 1; cut++) {
        uint8_t *copy = malloc(cut ? cut : 1);
        memcpy(copy, all, cut);
        assert_int_not_equal(aml_resource_decode(copy, cut, r, 16, &count, &bad), AML_OK);
        assert_true(bad <= cut);
        free(copy);
    }
    /* Room for fewer descriptors than there are. */
    assert_int_equal(aml_resource_decode(all, sizeof(all), r, 3, &count, &bad), AML_ERR_INDEX);
    assert_int_equal(bad, 10);
    /* A descriptor of the wrong size for its type; an Extended IRQ with more than it holds. */
    static const uint8_t short_io[] = {0x46, 1, 2, 3, 4, 5, 6, 0x79, 0};
    assert_int_equal(aml_resource_decode(short_io, sizeof(short_io), r, 4, &count, &bad),
                     AML_ERR_BAD_RESOURCE);
    assert_int_equal(bad, 0);
    static const uint8_t big_count[] = {0x89, 0x06, 0x00, 0x01, 0x05, 1, 0, 0, 0, 0x79, 0};
    assert_int_equal(aml_resource_decode(big_count, sizeof(big_count), r, 4, &count, &bad),
                     AML_ERR_BAD_RESOURCE);
    uint8_t many[3 + 2 + 4 * 20 + 2] = {0x89, 2 + 4 * 20, 0x00, 0x01, 20};
    for (int i = 0; i < 20; i++)
        many[5 + 4 * i] = (uint8_t)(i + 1);
    many[sizeof(many) - 2] = 0x79;
    assert_int_equal(aml_resource_decode(many, sizeof(many), r, 4, &count, &bad), AML_OK);
    assert_int_equal(r[0].u.irq.total, 20);
    assert_int_equal(r[0].u.irq.count, AML_RESOURCE_MAX_INTERRUPTS);

    /* _SRS buffers. */
    uint8_t out[16];
    size_t length;
    assert_int_equal(aml_resource_decode(all, sizeof(all), r, 16, &count, &bad), AML_OK);
    assert_int_equal(aml_resource_encode_irq(&r[1], 11, out, sizeof(out), &length), AML_OK);
    static const uint8_t irq11[] = {0x23, 0x00, 0x08, 0x18, 0x79, 0x00};
    assert_int_equal(length, sizeof(irq11));
    assert_memory_equal(out, irq11, sizeof(irq11));
    assert_int_equal(aml_resource_encode_irq(&r[0], 5, out, sizeof(out), &length), AML_OK);
    static const uint8_t irq5[] = {0x22, 0x20, 0x00, 0x79, 0x00};
    assert_int_equal(length, sizeof(irq5));
    assert_memory_equal(out, irq5, sizeof(irq5));
    assert_int_equal(aml_resource_encode_irq(&r[7], 16, out, sizeof(out), &length), AML_OK);
    static const uint8_t ext16[] = {0x89, 0x06, 0x00, 0x0D, 0x01, 0x10, 0, 0, 0, 0x79, 0x00};
    assert_int_equal(length, sizeof(ext16));
    assert_memory_equal(out, ext16, sizeof(ext16));
    assert_int_equal(aml_resource_encode_irq(&r[0], 6, out, sizeof(out), &length),
                     AML_ERR_ARGUMENT); /* not offered */
    assert_int_equal(aml_resource_encode_irq(&r[3], 5, out, sizeof(out), &length),
                     AML_ERR_ARGUMENT); /* not an interrupt */
    assert_int_equal(aml_resource_encode_irq(&r[7], 16, out, 4, &length), AML_ERR_ARGUMENT);
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
