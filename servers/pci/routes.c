/*
 * The acpi server's answers for the pci server; see routes.h. The acpi server is looked up by
 * name (it starts before this one in the boot manifest); without it there is no _PRT, so no
 * INTx route, and no MCFG, so configuration space goes through the ports.
 *
 * The acpi server must never call this server while this one waits for it (it does not: its
 * PCI_Config regions are its own affair, docs/platform.md).
 */
#include "routes.h"

#include <stdio.h>
#include <string.h>

#include "libsys/service.h"
#include "pci.h"
#include "proto/acpi.h"

static uint64_t acpi; /* the acpi server's endpoint (0: none) */

bool routes_init(const struct proc_info *info)
{
    (void)info;
    uint64_t slot = libsys_alloc_slot();
    if (!slot || !result_is_ok(proc_lookup(ACPI_SERVER_NAME, slot)))
        return false;
    acpi = slot;
    return true;
}

/* procsrv maps one bus's megabyte of ECAM into this process (PROC_PCI_ECAM), its frames
   and page tables into fresh slots of this CSpace. */
static bool map_bus(uint64_t phys)
{
    uint64_t first = libsys_alloc_slot();
    for (unsigned i = 1; i < PROC_PCI_ECAM_SLOTS; i++)
        if (!libsys_alloc_slot())
            return false;
    struct request r = {.label = PROC_PCI_ECAM};
    request_set_word(&r, 0, phys);
    request_set_word(&r, 1, first);
    request_set_word(&r, 2, PROC_PCI_ECAM_SLOTS);
    return first && result_is_ok(request_result(request_call(PROC_SLOT_PROCSRV, &r, 0, 0, 0), &r));
}

/* Reads bytes [offset, offset + n) of the first MCFG; false if there is none. */
static bool read_mcfg(unsigned offset, void *out, unsigned n)
{
    struct request r = {.label = ACPI_TABLE_READ};
    request_set_word(&r, 0, ACPI_SIGNATURE("MCFG"));
    request_set_word(&r, 1, 0);
    request_set_word(&r, 2, offset);
    request_set_word(&r, 3, n);
    if (!result_is_ok(request_result(request_call(acpi, &r, 0, 0, 0), &r)) ||
        request_word(&r, 1) != n)
        return false;
    request_get_bytes(&r, 2, out, n);
    return true;
}

bool routes_use_ecam(void)
{
    /* The MCFG: the 36-byte header, 8 reserved, then 16-byte allocations: base (8 bytes),
       segment (2), first bus, last bus, 4 reserved. The first of segment 0 is used. */
    uint8_t entry[16];
    for (unsigned at = 44; at < 44 + 16 * 8; at += 16) {
        if (!acpi || !read_mcfg(at, entry, sizeof entry))
            return false;
        uint64_t base = 0;
        memcpy(&base, entry, 8);
        unsigned segment = entry[8] | (unsigned)entry[9] << 8;
        if (segment != 0 || base % (1u << 20) || base >= 1ull << 40 || entry[10] > entry[11])
            continue;
        config_use_ecam(base, entry[10], entry[11], map_bus);
        /* Bus 0 must answer through it (mapped now), or the ports are used after all. */
        if (pci_config.read(0, entry[10], 0, 0, PCI_VENDOR, 2) == 0xffff)
            return false;
        printf("pci: ECAM at 0x%lx for buses %u-%u (MCFG)\n", (unsigned long)base, entry[10],
               entry[11]);
        return true;
    }
    return false;
}

bool routes_find(unsigned device, unsigned pin, unsigned *gsi, unsigned *mode)
{
    if (!acpi || pin < 1 || pin > 4)
        return false;
    struct request r = {.label = ACPI_PCI_ROUTE};
    request_set_word(&r, 0, 0); /* segment */
    request_set_word(&r, 1, 0); /* bus: every route is asked for on bus 0 (after the swizzle) */
    request_set_word(&r, 2, device);
    request_set_word(&r, 3, pin - 1);
    if (!result_is_ok(request_result(request_call(acpi, &r, 0, 0, 0), &r)))
        return false;
    uint64_t line = request_word(&r, 0), flags = request_word(&r, 1);
    if (line > 23)
        return false; /* beyond the I/O APIC's lines: not one the kernel can route */
    *gsi = (unsigned)line;
    *mode = (flags & ACPI_ROUTE_LEVEL ? IRQ_MODE_LEVEL : 0) |
            (flags & ACPI_ROUTE_ACTIVE_LOW ? IRQ_MODE_ACTIVE_LOW : 0);
    return true;
}
