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

static void test_placeholder(void **state)
{
    (void)state;
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
        cmocka_unit_test(test_placeholder),
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
