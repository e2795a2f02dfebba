/*
 * What the pci server asks the acpi server (lib/proto/acpi.h): the MCFG table, for ECAM, and
 * the INTx route of a device on bus 0 (_PRT, with the link devices on pc).
 */
#ifndef PCI_ROUTES_H
#define PCI_ROUTES_H

#include <stdbool.h>

#include "proto/proc.h"

/* Finds the acpi server among info's grants; false without one. */
bool routes_init(const struct proc_info *info);
/* Reads MCFG and maps its window (procsrv's PROC_PCI_ECAM); false if there is none. */
bool routes_use_ecam(void);
/* The GSI and IRQ_MODE_* bits pin (1-4) of device (on bus 0) reaches; false if no route. */
bool routes_find(unsigned device, unsigned pin, unsigned *gsi, unsigned *mode);

#endif
