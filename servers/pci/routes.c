/*
 * The acpi server's answers for the pci server; see routes.h. The acpi server is looked up by
 * name (it starts before this one in the boot manifest); without it there is no _PRT, so no
 * INTx route, and no MCFG, so configuration space goes through the ports.
 *
 * The acpi server must never call this server while this one waits for it (it does not: its
 * PCI_Config regions are its own affair, docs/platform.md).
 */
#include "routes.h"

#include "libsys/service.h"
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

bool routes_use_ecam(void)
{
    return false; /* ECAM is not mapped yet: the ports serve pc and q35 alike */
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
