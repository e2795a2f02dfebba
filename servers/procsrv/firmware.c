/*
 * The firmware memory that holds the ACPI tables, for the manifest's `acpi` grant
 * (PROC_GRANT_ACPI_MEMORY): every ACPI reclaimable and ACPI NVS range of the boot memory map,
 * and the reserved range holding the root table the RSDP names (SeaBIOS puts its tables in a
 * reserved range at the top of low memory). The kernel hands all of these to procsrv as device
 * Untyped; the acpi server gets read-only frames of them and checks every table's address
 * against them (lib/acpi/tables).
 */
#include <stdio.h>

#include "acpi/tables.h"
#include "procsrv.h"

#define MAX_ACPI_BYTES (8ul << 20) /* all ranges together: the grant's frames take slots */

static const struct boot_info *const boot = (const struct boot_info *)USER_BOOT_INFO;

unsigned firmware_acpi_ranges(struct firmware_range *out, unsigned max)
{
    uint64_t root = 0;
    bool xsdt;
    if (boot->rsdp_size == 0 ||
        acpi_rsdp_root(boot->rsdp, boot->rsdp_size, &root, &xsdt) != ACPI_OK)
        root = 0;
    unsigned n = 0;
    uint64_t total = 0;
    for (uint64_t i = 0; i < boot->memory_count && i < BOOT_INFO_MAX_MEMORY && n < max; i++) {
        const struct boot_info_memory *m = &boot->memory[i];
        bool tables = m->type == 3 || m->type == 4 ||
                      (m->type == 2 && root >= m->base && root - m->base < m->length);
        uint64_t first = (m->base + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
        uint64_t end = (m->base + m->length) & ~(PAGE_SIZE - 1);
        /* The kernel hands out device memory between 1 MiB and 4 GiB only. */
        if (!tables || first < (1ul << 20) || end > (4ul << 30) || end <= first)
            continue;
        if (total + (end - first) > MAX_ACPI_BYTES) {
            printf("procsrv: warning: firmware memory 0x%lx-0x%lx not granted to the acpi "
                   "server (over %lu MiB)\n",
                   (unsigned long)first, (unsigned long)end, MAX_ACPI_BYTES >> 20);
            continue;
        }
        total += end - first;
        out[n++] = (struct firmware_range){first, end};
    }
    return n;
}

uint64_t firmware_acpi_pages(void)
{
    struct firmware_range ranges[BOOT_INFO_MAX_MEMORY];
    unsigned n = firmware_acpi_ranges(ranges, BOOT_INFO_MAX_MEMORY);
    uint64_t pages = 0;
    for (unsigned i = 0; i < n; i++)
        pages += (ranges[i].end - ranges[i].first) / PAGE_SIZE;
    return pages;
}
