/*
 * lspci: every PCI function the pci server found (lib/proto/pci.h's PCI_LIST), with its
 * class's name, its vendor's and device's names from etc/pci.ids (Debian's pci.ids, cut at
 * build time: tools/pciids.sh) and the driver procsrv started for it. See shell.h.
 */
#include <stdio.h>
#include <string.h>

#include "libsys/service.h"
#include "pci/pci.h"
#include "pci/pciids.h"
#include "proto/pci.h"
#include "shell.h"

#define LSPCI_MAX 128 /* the pci server's PCI_MAX_FUNCTIONS */
#define IDS_PATH  "etc/pci.ids"
#define IDS_LINE  256 /* longer lines are cut (the longest in pci.ids has 195 bytes) */

struct lspci_entry {
    uint64_t address, class_word, pid;
    char driver[PROTO_NAME_MAX + 1];
};

/* The pci server's endpoint, looked up once (badged with the shell's pid: it lists, and
   reaches no function's configuration space). */
static uint64_t pci_endpoint(struct result *e)
{
    static uint64_t slot;
    if (slot)
        return slot;
    uint64_t fresh = libsys_alloc_slot();
    *e = proc_lookup("pci", fresh);
    if (result_is_ok(*e))
        slot = fresh;
    return slot;
}

/* Names for every query in one pass over etc/pci.ids, read in chunks; false if it cannot be
   read (the names stay empty). */
static bool find_names(struct pciids_query *queries, unsigned count)
{
    static char line[IDS_LINE];
    size_t used = 0;
    uint64_t offset = 0;
    struct pciids_pass pass;
    pciids_start(&pass);
    for (;;) {
        char chunk[PROC_FILE_CHUNK];
        size_t got = 0;
        if (!result_is_ok(proc_file_read(IDS_PATH, offset, chunk, sizeof chunk, &got)))
            return false;
        if (got == 0)
            break;
        offset += got;
        for (size_t i = 0; i < got; i++) {
            if (chunk[i] == '\n') {
                pciids_line(&pass, line, used, queries, count);
                used = 0;
            } else if (used < sizeof line) {
                line[used++] = chunk[i];
            }
        }
    }
    if (used)
        pciids_line(&pass, line, used, queries, count);
    return true;
}

/* lspci: BB:DD.F VVVV:DDDD CC.SS.PP class: vendor device [driver]. */
void cmd_lspci(int argc, char **argv, bool background)
{
    (void)argc, (void)argv, (void)background;
    static struct lspci_entry entries[LSPCI_MAX];
    static struct pciids_query names[LSPCI_MAX];
    struct result e = result_ok();
    uint64_t endpoint = pci_endpoint(&e);
    if (!endpoint) {
        shell_report("lspci", "the pci server", e);
        return;
    }
    unsigned count = 0;
    for (; count < LSPCI_MAX; count++) {
        struct request r = {.label = PCI_LIST};
        request_set_word(&r, 0, count);
        e = request_result(request_call(endpoint, &r, 0, 0, 0), &r);
        if (result_is_service(e, SERVICE_NOT_FOUND))
            break;
        if (!result_is_ok(e)) {
            shell_report("lspci", "listing", e);
            return;
        }
        uint64_t ids = request_word(&r, 1);
        entries[count] = (struct lspci_entry){
            request_word(&r, 0), request_word(&r, 2), request_word(&r, 3), {0}};
        request_get_bytes(&r, 4, entries[count].driver, PROTO_NAME_MAX);
        names[count] = (struct pciids_query){(uint16_t)ids, (uint16_t)(ids >> 16), {0}, {0}};
    }
    if (!find_names(names, count))
        printf("lspci: no %s: no vendor and device names\n", IDS_PATH);
    for (unsigned i = 0; i < count; i++) {
        const struct lspci_entry *f = &entries[i];
        unsigned class_code = (f->class_word >> 16) & 0xff, subclass = (f->class_word >> 8) & 0xff;
        printf("%02x:%02x.%u %04x:%04x %02x.%02x.%02x %s:", (unsigned)PCI_ADDRESS_BUS(f->address),
               (unsigned)PCI_ADDRESS_DEVICE(f->address), (unsigned)PCI_ADDRESS_FUNCTION(f->address),
               names[i].vendor, names[i].device, class_code, subclass,
               (unsigned)(f->class_word & 0xff), pci_class_name(class_code, subclass));
        printf(" %s", names[i].vendor_name[0] ? names[i].vendor_name : "unknown vendor");
        if (names[i].device_name[0])
            printf(" %s", names[i].device_name);
        if (f->pid)
            printf(" [driver %s, process %llu]", f->driver, (unsigned long long)f->pid);
        printf("\n");
    }
}
