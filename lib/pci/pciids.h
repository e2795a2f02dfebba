/*
 * Vendor and device names from a pci.ids file (the build's etc/pci.ids, cut from Debian's
 * pci.ids: "VVVV  Vendor" lines, each followed by its "\tDDDD  Device" lines), found for a set
 * of functions in one pass over the file's lines, as lspci reads it in chunks.
 *
 * Pure C (string.h only): the shell and tests/unit/test_pciids.c compile it unchanged.
 */
#ifndef MISSIVE_PCIIDS_H
#define MISSIVE_PCIIDS_H

#include <stddef.h>
#include <stdint.h>

#define PCIIDS_NAME_MAX 63

/* One function whose names are wanted; the names stay empty if the file has none. */
struct pciids_query {
    uint16_t vendor, device;
    char vendor_name[PCIIDS_NAME_MAX + 1];
    char device_name[PCIIDS_NAME_MAX + 1];
};

/* Where the pass is: the vendor whose device lines follow. */
struct pciids_pass {
    int vendor; /* -1 before the first vendor line */
};

void pciids_start(struct pciids_pass *pass);

/* Feeds one line (without its newline; need not be NUL-terminated). Lines that are neither
   a vendor nor a device line are skipped; a name longer than PCIIDS_NAME_MAX is cut. */
void pciids_line(struct pciids_pass *pass, const char *line, size_t length,
                 struct pciids_query *queries, unsigned count);

#endif
