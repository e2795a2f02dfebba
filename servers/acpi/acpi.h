/*
 * The acpi server (docs/platform.md): the ACPI tables procsrv grants it read-only, the AML
 * namespace through lib/aml, PCI interrupt routing, power off, reset and the power button. Its
 * protocol is lib/proto/acpi.h.
 *
 * Single-threaded: one loop receives requests and the SCI's notification in turn, so nothing
 * here needs a lock.
 */
#ifndef ACPI_SERVER_H
#define ACPI_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include "acpi/tables.h"
#include "aml/aml.h"
#include "libsys/server.h"
#include "proto/acpi.h"
#include "proto/proc.h"

struct acpi_server {
    const struct proc_info *info;
    struct acpi_tables tables;
    bool have_tables;
    uint64_t flags; /* enum acpi_info_flags */
    /* The power button: procsrv's notification (signalled to start a shutdown). */
    uint64_t power_button;
    uint64_t sci_handler, sci_notification; /* 0: no SCI */
    /* The namespace. */
    struct aml *aml;
    unsigned aml_errors;
    unsigned sta_deferred; /* devices whose _STA needs PCI configuration space (the links) */
    unsigned device_count;
    uint8_t slp_typa, slp_typb; /* from \_S5 */
};

extern struct acpi_server acpi;

/* tables.c: the granted firmware memory and the tables in it. */
/* A pointer to len readable bytes at phys inside the granted memory, or NULL. */
const void *tables_map(void *context, uint64_t phys, size_t len);
/* Finds and checks every table (warnings name the bad ones); false if there is no ACPI. */
bool tables_load(struct acpi_server *a);

/* ports.c: I/O ports through the capabilities the manifest granted. */
/* Reads or writes width bits (8, 16, 32) at port; 0 on success, -1 if the port was not
   granted or the kernel refused. */
int ports_read(uint16_t port, unsigned width, uint64_t *value);
int ports_write(uint16_t port, unsigned width, uint64_t value);
/* Reads or writes a Generic Address Structure (I/O or memory); -1 on failure. */
int ports_gas_read(const struct acpi_gas *gas, uint64_t *value);
int ports_gas_write(const struct acpi_gas *gas, uint64_t value);
/* Waits about us microseconds on the ACPI PM timer, without asking procsrv (which may be
   waiting for this server's answer). */
void ports_delay_us(uint64_t us);
/* A monotonic time in 100 ns units from the PM timer (the AML's Timer). */
uint64_t ports_time_100ns(void);

/* power.c: ACPI mode, the power button, S5 and reset. */
/* Enables ACPI mode and the fixed power button with its SCI. */
void power_init(struct acpi_server *a);
/* The SCI fired: a pressed power button is cleared and reported to procsrv. */
void power_sci(struct acpi_server *a);
/* ACPI_POWER_OFF and ACPI_RESET (procsrv only). */
long power_off(struct server_call *call);
long power_reset(struct server_call *call);

/* namespace.c: the AML namespace. */
/* Loads the DSDT and every SSDT, runs \_PIC(1), _STA/_INI, reads \_S5. */
void namespace_load(struct acpi_server *a);
/* ACPI_DEVICE_LIST and ACPI_PCI_ROUTE. */
long namespace_device_list(struct server_call *call);
long namespace_pci_route(struct server_call *call);

#endif
