/*
 * libFuzzer target: the AML loader and evaluator (make fuzz, make fuzz-check; docs/testing.md).
 *
 * The input is a definition block. It is loaded as given (which exercises the header checks),
 * then once more with its header's length set to the input's size, so that mutations of the
 * body are not all refused at the header. After aml_initialize (\_INI and the devices' _INI),
 * every method the table defined is evaluated with seven integer arguments, every Device's
 * _HID/_CID/_ADR/_STA read, and every buffer a method returns decoded as a resource template,
 * all under small limits so that an input runs in milliseconds. The host pretends: a read gives
 * a value that varies with the address, a write goes nowhere.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aml/aml.h"
#include "aml/resource.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int read_any(void *context, uint64_t address, unsigned width, uint64_t *value)
{
    (void)context;
    (void)width;
    *value = address * 0x9E3779B97F4A7C15u; /* something that varies, not all zero */
    return 0;
}

static int write_any(void *context, uint64_t address, unsigned width, uint64_t value)
{
    (void)context;
    (void)address;
    (void)width;
    (void)value;
    return 0;
}

static int io_read(void *context, uint16_t port, unsigned width, uint64_t *value)
{
    return read_any(context, port, width, value);
}

static int io_write(void *context, uint16_t port, unsigned width, uint64_t value)
{
    return write_any(context, port, width, value);
}

static int pci_read(void *context, struct aml_pci_address pci, uint16_t offset, unsigned width,
                    uint64_t *value)
{
    return read_any(context, (uint64_t)pci.device << 16 | offset, width, value);
}

static int pci_write(void *context, struct aml_pci_address pci, uint16_t offset, unsigned width,
                     uint64_t value)
{
    (void)pci;
    return write_any(context, offset, width, value);
}

#define MAX_NODES 256

struct collected {
    struct aml_node *nodes[MAX_NODES];
    size_t count;
};

static bool collect(struct aml_node *node, void *context)
{
    struct collected *c = context;
    if (c->count < MAX_NODES)
        c->nodes[c->count++] = node;
    return c->count < MAX_NODES;
}

static void exercise(struct aml *aml)
{
    static struct collected methods, devices;
    methods.count = devices.count = 0;
    aml_walk(aml, NULL, AML_TYPE_METHOD, collect, &methods);
    aml_walk(aml, NULL, AML_TYPE_DEVICE, collect, &devices);
    struct aml_value args[7];
    for (unsigned i = 0; i < 7; i++)
        args[i] = aml_integer(i == 0 ? 1 : i * 0x10);
    for (size_t i = 0; i < methods.count; i++) {
        struct aml_value result;
        struct aml_error error;
        if (aml_evaluate(aml, methods.nodes[i], NULL, args, 7, &result, &error) == AML_OK) {
            size_t length, count;
            const uint8_t *bytes = aml_value_data(&result, &length);
            struct aml_resource resources[8];
            if (result.type == AML_TYPE_BUFFER &&
                aml_resource_decode(bytes, length, resources, 8, &count, NULL) == AML_OK &&
                count > 0) {
                uint8_t srs[32];
                size_t srs_length;
                aml_resource_encode_irq(&resources[0], resources[0].u.irq.interrupts[0], srs,
                                        sizeof(srs), &srs_length);
            }
            aml_value_free(aml, &result);
        } else {
            char text[256];
            aml_error_format(&error, text, sizeof(text));
        }
    }
    for (size_t i = 0; i < devices.count; i++) {
        char id[AML_ID_MAX], cids[4][AML_ID_MAX], path[128];
        size_t count;
        uint64_t v;
        aml_device_hid(aml, devices.nodes[i], id, NULL);
        aml_device_cids(aml, devices.nodes[i], cids, 4, &count, NULL);
        aml_device_adr(aml, devices.nodes[i], &v, NULL);
        aml_device_sta(aml, devices.nodes[i], &v, NULL);
        aml_node_path(devices.nodes[i], path, sizeof(path));
    }
}

static void run(const uint8_t *table, size_t size)
{
    struct aml_host host = {
        .io_read = io_read,
        .io_write = io_write,
        .mem_read = read_any,
        .mem_write = write_any,
        .pci_read = pci_read,
        .pci_write = pci_write,
    };
    struct aml_limits limits = {
        .max_depth = 32,
        .max_call_depth = 8,
        .max_operations = 20000,
        .max_loop_iterations = 2000,
        .max_memory = 1u << 20,
    };
    struct aml *aml;
    if (aml_create(&host, &limits, &aml) != AML_OK)
        abort();
    struct aml_error error;
    aml_load_table(aml, table, size, &error); /* a failed load leaves what it defined */
    aml_initialize(aml);
    exercise(aml);
    aml_destroy(aml);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Exact-size copies, so that ASan sees any read past the input. */
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    run(copy, size);
    if (size >= 36) {
        copy[4] = (uint8_t)size;
        copy[5] = (uint8_t)(size >> 8);
        copy[6] = (uint8_t)(size >> 16);
        copy[7] = (uint8_t)(size >> 24);
        run(copy, size);
    }
    free(copy);
    return 0;
}
