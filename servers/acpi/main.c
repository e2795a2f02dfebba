/*
 * The acpi server: finds the ACPI tables in the firmware memory procsrv grants it, loads the
 * DSDT and SSDTs into the AML interpreter (lib/aml), enables ACPI mode and the power button,
 * and serves lib/proto/acpi.h. Without ACPI (booted with -no-acpi) it still serves: it lists
 * nothing and refuses power off, so the system boots and `shutdown` says why it cannot.
 *
 * Grants (boot manifest): acpi (the tables, the RSDP, procsrv's power-button notification),
 * ioports= for the PM blocks, SMI_CMD, the reset ports and the SystemIO regions of the AML,
 * irq= for the SCI.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acpi.h"
#include "libsys/invoke.h"

struct acpi_server acpi;

static long table_list(struct server_call *call)
{
    uint64_t index = request_word(&call->in, 0);
    if (index >= acpi.tables.count)
        return SERVICE_NOT_FOUND;
    const struct acpi_table *t = &acpi.tables.tables[index];
    uint64_t oem = 0, oem_table = 0;
    memcpy(&oem, t->oem_id, 6);
    memcpy(&oem_table, t->oem_table_id, 8);
    request_set_word(&call->out, 0, ACPI_SIGNATURE(t->signature));
    request_set_word(&call->out, 1, t->length);
    request_set_word(&call->out, 2, t->revision);
    request_set_word(&call->out, 3, t->phys);
    request_set_word(&call->out, 4, t->instance);
    request_set_word(&call->out, 5, oem);
    request_set_word(&call->out, 6, oem_table);
    return SERVICE_OK;
}

static long table_read(struct server_call *call)
{
    const struct request *in = &call->in;
    uint64_t signature = request_word(in, 0), instance = request_word(in, 1);
    uint64_t offset = request_word(in, 2), want = request_word(in, 3);
    if (signature > 0xffffffffu)
        return server_bad_argument(call, 0, 0, 0xffffffffu);
    if (want == 0 || want > ACPI_TABLE_CHUNK)
        return server_bad_argument(call, 3, 1, ACPI_TABLE_CHUNK);
    char name[4];
    for (int i = 0; i < 4; i++)
        name[i] = (char)(signature >> (8 * i));
    const struct acpi_table *t =
        instance <= ACPI_TABLES_MAX ? acpi_tables_find(&acpi.tables, name, (unsigned)instance) : 0;
    if (!t)
        return SERVICE_NOT_FOUND;
    const uint8_t *bytes = tables_map((void *)acpi.info, t->phys, t->length);
    if (!bytes)
        return SERVICE_INTERNAL;
    uint64_t count = offset >= t->length ? 0 : t->length - offset;
    if (count > want)
        count = want;
    request_set_word(&call->out, 0, t->length);
    request_set_word(&call->out, 1, count);
    request_put_bytes(&call->out, 2, bytes + (count ? offset : 0), count);
    return SERVICE_OK;
}

static long info(struct server_call *call)
{
    request_set_word(&call->out, 0, acpi.flags);
    request_set_word(&call->out, 1, acpi.tables.count);
    request_set_word(&call->out, 2, acpi.tables.refused);
    request_set_word(&call->out, 3, acpi.device_count);
    request_set_word(&call->out, 4, acpi.aml_errors);
    request_set_word(&call->out, 5, acpi.tables.fadt.sci_int);
    request_set_word(&call->out, 6, acpi.tables.fadt.pm1a_cnt.address);
    request_set_word(&call->out, 7, acpi.tables.fadt.revision);
    return SERVICE_OK;
}

static const struct server_op ops[] = {
    {ACPI_TABLE_LIST, 1, 0, 0, table_list},
    {ACPI_TABLE_READ, 4, 0, 0, table_read},
    {ACPI_PCI_ROUTE, 4, 0, 0, namespace_pci_route},
    {ACPI_DEVICE_LIST, 1, 0, 0, namespace_device_list},
    {ACPI_POWER_OFF, 0, PROC_PID_PROCSRV, 0, power_off},
    {ACPI_RESET, 0, PROC_PID_PROCSRV, 0, power_reset},
    {ACPI_INFO, 0, 0, 0, info},
};

static void sci(struct server *s, uint64_t word)
{
    (void)s, (void)word;
    power_sci(&acpi);
}

/* A failed receive: say so and go on (the acpi server holds the power path). */
static bool receive_failed(struct server *s, long error)
{
    (void)s;
    printf("acpi: receive failed (%ld); going on\n", error);
    return true;
}

int main(void)
{
    acpi.info = libsys_proc_info();
    if (!acpi.info) {
        printf("acpi: no proc_info: not started by procsrv\n");
        return 1;
    }
    if (tables_load(&acpi)) {
        power_init(&acpi);
        namespace_load(&acpi);
    }
    static struct server server = {
        .name = "acpi",
        .endpoint = PROC_SLOT_SERVICE,
        .cspace = PROC_SLOT_CSPACE,
        .ops = ops,
        .op_count = sizeof ops / sizeof ops[0],
        .notification = sci,
        .receive_failed = receive_failed,
    };
    server_run(&server);
}
