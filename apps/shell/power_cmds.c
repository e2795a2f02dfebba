/*
 * The platform commands (the acpi server, and procsrv's shutdown sequence): acpi lists the
 * ACPI tables and the namespace's devices; shutdown and reboot ask procsrv, which tells the
 * servers that asked to hear of it and then has the acpi server power off or reset. See
 * shell.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libsys/acpi_client.h"
#include "shell.h"

/* acpi route BUS DEVICE PIN: the GSI ACPI_PCI_ROUTE gives (segment 0; pin 0-3 for INTA-D). */
static void route(char **argv)
{
    uint64_t n[3];
    for (int i = 0; i < 3; i++) {
        char *end;
        n[i] = strtoull(argv[i + 2], &end, 0);
        if (*argv[i + 2] == 0 || *end) {
            printf("acpi: not a number: '%s'\n", argv[i + 2]);
            return;
        }
    }
    uint64_t gsi, flags;
    struct result e = acpi_pci_route(0, n[0], n[1], n[2], &gsi, &flags);
    if (!result_is_ok(e)) {
        shell_report("acpi", "route", e);
        return;
    }
    printf("acpi: %02llx:%02llx INT%c -> GSI %llu, %s, active %s%s\n", (unsigned long long)n[0],
           (unsigned long long)n[1], (char)('A' + n[2]), (unsigned long long)gsi,
           flags & ACPI_ROUTE_LEVEL ? "level" : "edge",
           flags & ACPI_ROUTE_ACTIVE_LOW ? "low" : "high",
           flags & ACPI_ROUTE_LINK ? " (through a link device)" : "");
}

/* acpi: the tables (signature, length, revision, OEM id, address), then the devices (path,
   _HID/_CID, _ADR, _STA); acpi route BUS DEVICE PIN: a PCI interrupt's route. */
void cmd_acpi(int argc, char **argv, bool background)
{
    (void)background;
    if (argc == 5 && !strcmp(argv[1], "route")) {
        route(argv);
        return;
    }
    if (argc != 1) {
        printf("acpi: usage: acpi [route BUS DEVICE PIN]\n");
        return;
    }
    struct acpi_info info;
    struct result e = acpi_info(&info);
    if (!result_is_ok(e)) {
        shell_report("acpi", "the acpi server", e);
        return;
    }
    if (!(info.flags & ACPI_INFO_TABLES)) {
        printf("acpi: no ACPI tables (booted without ACPI?)\n");
        return;
    }
    printf("SIG   LENGTH  REV  OEM     ADDRESS\n");
    for (uint64_t i = 0;; i++) {
        struct acpi_table_entry t;
        e = acpi_table_list(i, &t);
        if (result_is_service(e, SERVICE_NOT_FOUND))
            break;
        if (!result_is_ok(e)) {
            shell_report("acpi", "table list", e);
            return;
        }
        printf("%-4s %7llu  %3llu  %-6s  0x%llx\n", t.signature, (unsigned long long)t.length,
               (unsigned long long)t.revision, t.oem_id, (unsigned long long)t.address);
    }
    printf("%llu tables kept, %llu skipped; %llu devices, %llu AML errors; power off %s\n",
           (unsigned long long)info.tables, (unsigned long long)info.refused,
           (unsigned long long)info.devices, (unsigned long long)info.aml_errors,
           info.flags & ACPI_INFO_S5 ? "possible" : "not possible");
    printf("PATH                            HID      CID      ADR         STA\n");
    for (uint64_t i = 0;; i++) {
        struct acpi_device_entry d;
        e = acpi_device_list(i, &d);
        if (result_is_service(e, SERVICE_NOT_FOUND))
            break;
        if (!result_is_ok(e)) {
            shell_report("acpi", "device list", e);
            return;
        }
        char adr[20] = "-";
        if (d.flags & ACPI_DEVICE_HAS_ADR)
            snprintf(adr, sizeof adr, "0x%llx", (unsigned long long)d.adr);
        char sta[8] = "error";
        if (!(d.flags & ACPI_DEVICE_STA_FAILED))
            snprintf(sta, sizeof sta, "0x%02llx", (unsigned long long)d.sta);
        printf("%-31s %-8s %-8s %-11s %s\n", d.path, d.hid[0] ? d.hid : "-", d.cid[0] ? d.cid : "-",
               adr, sta);
    }
}

/* The line comes first: once procsrv has the request, the machine may go before the shell
   (a low-priority program) runs again. */
static void power(const char *name, bool reboot)
{
    printf("%s: asking procsrv to %s\n", name, reboot ? "reset the machine" : "power off");
    struct result e = proc_shutdown(reboot);
    if (result_is_service(e, SERVICE_NOT_FOUND)) {
        printf("%s: cannot %s: no ACPI (no acpi server, or it found no way: booted without "
               "ACPI?)\n",
               name, reboot ? "reboot" : "power off");
        return;
    }
    if (!result_is_ok(e))
        shell_report(name, "procsrv", e);
}

void cmd_shutdown(int argc, char **argv, bool background)
{
    (void)argc, (void)argv, (void)background;
    power("shutdown", false);
}

void cmd_reboot(int argc, char **argv, bool background)
{
    (void)argc, (void)argv, (void)background;
    power("reboot", true);
}
