/*
 * The fake host of the AML tests (aml_fake.h) and the loading of the compiled test tables.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aml_fake.h"

/* --- the fake host ------------------------------------------------------------------------- */

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

struct aml_host fake_host(struct fake *f)
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
uint8_t *read_table(const char *name, size_t *length)
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
struct aml *load(struct fake *f, const char *name, const struct aml_limits *limits)
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
