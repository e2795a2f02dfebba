/*
 * The acpi server's answers for the pci server; see routes.h. Until the acpi server exists
 * (lib/proto/acpi.h), there is neither MCFG nor _PRT: ports and no INTx.
 */
#include "routes.h"

bool routes_init(const struct proc_info *info)
{
    (void)info;
    return false;
}

bool routes_use_ecam(void)
{
    return false;
}

bool routes_find(unsigned device, unsigned pin, unsigned *gsi, unsigned *mode)
{
    (void)device, (void)pin, (void)gsi, (void)mode;
    return false;
}
