/*
 * lspci: every PCI function the pci server found (lib/proto/pci.h's PCI_LIST), with its
 * class's name and the driver procsrv started for it. See shell.h.
 */
#include <stdio.h>
#include <string.h>

#include "libsys/service.h"
#include "pci/pci.h"
#include "proto/pci.h"
#include "shell.h"

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

/* lspci: BB:DD.F VVVV:DDDD CC.SS.PP class name [driver]. */
void cmd_lspci(int argc, char **argv, bool background)
{
    (void)argc, (void)argv, (void)background;
    struct result e = result_ok();
    uint64_t endpoint = pci_endpoint(&e);
    if (!endpoint) {
        shell_report("lspci", "the pci server", e);
        return;
    }
    for (uint64_t i = 0;; i++) {
        struct request r = {.label = PCI_LIST};
        request_set_word(&r, 0, i);
        e = request_result(request_call(endpoint, &r, 0, 0, 0), &r);
        if (result_is_service(e, SERVICE_NOT_FOUND))
            break;
        if (!result_is_ok(e)) {
            shell_report("lspci", "listing", e);
            return;
        }
        uint64_t address = request_word(&r, 0), ids = request_word(&r, 1);
        uint64_t class_word = request_word(&r, 2), pid = request_word(&r, 3);
        char driver[PROTO_NAME_MAX + 1] = {0};
        request_get_bytes(&r, 4, driver, PROTO_NAME_MAX);
        unsigned class_code = (class_word >> 16) & 0xff, subclass = (class_word >> 8) & 0xff;
        printf("%02x:%02x.%u %04x:%04x %02x.%02x.%02x %s", (unsigned)PCI_ADDRESS_BUS(address),
               (unsigned)PCI_ADDRESS_DEVICE(address), (unsigned)PCI_ADDRESS_FUNCTION(address),
               (unsigned)(ids & 0xffff), (unsigned)(ids >> 16), class_code, subclass,
               (unsigned)(class_word & 0xff), pci_class_name(class_code, subclass));
        if (pid)
            printf(" [driver %s, process %llu]", driver, (unsigned long long)pid);
        printf("\n");
    }
}
