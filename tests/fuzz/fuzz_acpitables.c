/*
 * libFuzzer target: the ACPI table parsers of lib/acpi/tables (make fuzz, make fuzz-check;
 * docs/testing.md, docs/platform.md).
 *
 * The input is a machine's firmware memory: its first 36 bytes are the RSDP's copy, the rest is
 * memory at FIRMWARE_BASE (where SeaBIOS puts QEMU's tables: the seeds in
 * tests/fuzz/corpus_acpitables are QEMU 7.2's pc and q35 tables with an RSDP pointing at their
 * RSDT). The scan walks it as the acpi server does; every kept FADT, MCFG and HPET is decoded
 * again from its bytes. A read outside the memory the map function handed out is caught by ASan.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "acpi/tables.h"

#define FIRMWARE_BASE 0x1ffe0000u
#define RSDP_BYTES    36

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct memory {
    const uint8_t *bytes;
    size_t size;
};

static const void *map(void *context, uint64_t phys, size_t len)
{
    const struct memory *m = context;
    if (phys < FIRMWARE_BASE || phys - FIRMWARE_BASE > m->size ||
        len > m->size - (phys - FIRMWARE_BASE))
        return NULL;
    return m->bytes + (phys - FIRMWARE_BASE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < RSDP_BYTES)
        return 0;
    /* Copies of exactly the input's size, so ASan sees a read past either end. */
    uint8_t *rsdp = malloc(RSDP_BYTES), *bytes = malloc(size - RSDP_BYTES + 1);
    memcpy(rsdp, data, RSDP_BYTES);
    memcpy(bytes, data + RSDP_BYTES, size - RSDP_BYTES);
    struct memory memory = {bytes, size - RSDP_BYTES};
    static struct acpi_tables tables;
    for (size_t rsdp_size = 20; rsdp_size <= RSDP_BYTES; rsdp_size += 16) {
        if (acpi_tables_scan(rsdp, rsdp_size, map, &memory, NULL, NULL, &tables) != ACPI_OK)
            continue;
        for (unsigned i = 0; i < tables.count; i++) {
            const struct acpi_table *t = &tables.tables[i];
            const void *p = map(&memory, t->phys, t->length);
            if (!p)
                abort(); /* the scan kept a table it could not read */
            struct acpi_fadt fadt;
            struct acpi_mcfg_entry mcfg[ACPI_MCFG_MAX];
            struct acpi_hpet hpet;
            if (!memcmp(t->signature, "FACP", 4))
                acpi_fadt_parse(p, t->length, &fadt);
            else if (!memcmp(t->signature, "MCFG", 4))
                acpi_mcfg_parse(p, t->length, mcfg, ACPI_MCFG_MAX);
            else if (!memcmp(t->signature, "HPET", 4))
                acpi_hpet_parse(p, t->length, &hpet);
        }
    }
    free(rsdp);
    free(bytes);
    return 0;
}
