/*
 * The ACPI tables: procsrv maps the firmware memory that holds them read-only at
 * PROC_ACPI_BASE + physical address (PROC_GRANT_ACPI_MEMORY) and the RSDP's copy at
 * PROC_ACPI_RSDP (PROC_GRANT_ACPI_ROOT); lib/acpi/tables checks and lists them.
 */
#include <stdio.h>

#include "acpi.h"

const void *tables_map(void *context, uint64_t phys, size_t len)
{
    const struct proc_info *info = context;
    uint64_t count = info->grant_count < PROC_MAX_GRANTS ? info->grant_count : PROC_MAX_GRANTS;
    for (uint64_t i = 0; i < count; i++) {
        const struct proc_grant *g = &info->grants[i];
        if (g->kind == PROC_GRANT_ACPI_MEMORY && phys >= g->arg && phys < g->arg2 &&
            len <= g->arg2 - phys)
            return (const void *)(PROC_ACPI_BASE + phys);
    }
    return NULL;
}

/* A table refused: one line naming it. */
static void warn(void *context, const char signature[4], uint64_t phys, const char *why)
{
    (void)context;
    char name[5];
    for (int i = 0; i < 4; i++)
        name[i] = signature[i] >= 0x20 && signature[i] < 0x7f ? signature[i] : '?';
    name[4] = 0;
    printf("acpi: warning: table %s at 0x%lx skipped: %s\n", name, (unsigned long)phys, why);
}

bool tables_load(struct acpi_server *a)
{
    const struct proc_info *info = a->info;
    const struct proc_grant *root = NULL;
    uint64_t count = info->grant_count < PROC_MAX_GRANTS ? info->grant_count : PROC_MAX_GRANTS;
    for (uint64_t i = 0; i < count; i++)
        if (info->grants[i].kind == PROC_GRANT_ACPI_ROOT)
            root = &info->grants[i];
    if (!root) {
        printf("acpi: no ACPI grant (the manifest's acpi option): no tables\n");
        return false;
    }
    a->power_button = root->slot;
    if (root->arg == 0) {
        printf("acpi: the boot loader found no ACPI RSDP (booted with -no-acpi?): no tables, "
               "no power off\n");
        return false;
    }
    int status = acpi_tables_scan((const void *)root->arg2, root->arg, tables_map, (void *)info,
                                  warn, 0, &a->tables);
    if (status != ACPI_OK) {
        printf("acpi: no usable ACPI tables: %s\n", acpi_strerror(status));
        return false;
    }
    a->flags |= ACPI_INFO_TABLES;
    if (a->tables.has_fadt)
        a->flags |= ACPI_INFO_FADT;
    if (a->tables.fadt.reset_supported)
        a->flags |= ACPI_INFO_RESET_REG;
    printf("acpi: %u tables through the %s (%u skipped); FADT revision %u, PM1a_CNT 0x%lx, "
           "SCI %u\n",
           a->tables.count, a->tables.xsdt ? "XSDT" : "RSDT", a->tables.refused,
           a->tables.fadt.revision, (unsigned long)a->tables.fadt.pm1a_cnt.address,
           a->tables.fadt.sci_int);
    return true;
}
