/*
 * AML tests of what iasl will not emit and of hostile input: hand-made tables (an unknown
 * opcode, Break outside a While, bad headers, lengths past the end), a table cut at every
 * length and corrupted at every byte with every method run after each, nesting past the
 * bound, the memory budget, the namespace API, and resource descriptors. Run by test_aml.c.
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

#include "aml/resource.h"
#include "aml_fake.h"

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

void test_unknown_opcode(void **state)
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
void test_break_outside_while(void **state)
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

void test_bad_headers_and_lengths(void **state)
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

void test_truncations(void **state)
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

void test_corruptions(void **state)
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
void test_nesting_depth(void **state)
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

void test_memory_budget(void **state)
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

void test_namespace_api(void **state)
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

void test_resources(void **state)
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
