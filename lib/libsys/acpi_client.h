/*
 * libsys's client side of the acpi server's protocol (lib/proto/acpi.h, docs/protocols.md):
 * one call per request, each returning a struct result as service.h's do.
 */
#ifndef MISSIVE_LIBSYS_ACPI_CLIENT_H
#define MISSIVE_LIBSYS_ACPI_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "libsys/service.h"
#include "proto/acpi.h"

/* The acpi server's endpoint, looked up by name on first use into a slot of this process and
   kept; the result of the lookup (SERVICE_NOT_FOUND: no acpi server). */
struct result acpi_endpoint(uint64_t *slot);

struct acpi_table_entry {
    char signature[5]; /* NUL-terminated */
    uint64_t length, revision, address, instance;
    char oem_id[7], oem_table_id[9];
};
struct result acpi_table_list(uint64_t index, struct acpi_table_entry *out);

/* Up to n (at most ACPI_TABLE_CHUNK) bytes of a table from offset: *got bytes into buf, the
   table's length in *length. */
struct result acpi_table_read(const char signature[4], uint64_t instance, uint64_t offset,
                              void *buf, size_t n, uint64_t *length, size_t *got);

struct acpi_device_entry {
    uint64_t sta, adr, flags; /* flags: enum acpi_device_flags */
    char hid[ACPI_ID_BYTES + 1], cid[ACPI_ID_BYTES + 1];
    char path[ACPI_PATH_MAX + 1];
};
struct result acpi_device_list(uint64_t index, struct acpi_device_entry *out);

struct acpi_info {
    uint64_t flags, tables, refused, devices, aml_errors, sci, pm1a_cnt, fadt_revision;
};
struct result acpi_info(struct acpi_info *out);

/* ACPI_PCI_ROUTE: the GSI and flags (enum acpi_route_flags) of a pin of a device on a root
   bus. */
struct result acpi_pci_route(uint64_t segment, uint64_t bus, uint64_t device, uint64_t pin,
                             uint64_t *gsi, uint64_t *flags);

#endif
