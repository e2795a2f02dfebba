/*
 * The pci server's start-up: configuration access (ECAM from the MCFG table when the acpi
 * server has one, else ports 0xCF8-0xCFF), one walk of every bus, each function's INTx route
 * (the acpi server's _PRT), then procsrv told of each function in turn (PROC_PCI_DEVICE), so
 * that it starts the drivers the manifest matches. Then it serves (requests.c).
 *
 * The order keeps procsrv from ever waiting for this server: procsrv makes no call to it;
 * this server calls procsrv and the acpi server, and neither calls back (docs/platform.md).
 */
#include <stdio.h>
#include <string.h>

#include "libsys/invoke.h"
#include "pci.h"
#include "procgrant/procgrant.h"
#include "proto/proc.h"
#include "routes.h"

struct pci_device pci_devices[PCI_MAX_FUNCTIONS];
unsigned pci_device_count;

/* Fills words from `first` on as PROC_PCI_DEVICE and PCI_INFO lay a function out: ids, class,
   interrupt word, the BARs three words each. */
static void put_function(struct request *r, unsigned first, const struct pci_device *d)
{
    const struct pci_function *f = &d->f;
    request_set_word(r, first, f->vendor | (uint64_t)f->device_id << 16);
    request_set_word(r, first + 1,
                     (uint64_t)f->class_code << 16 | (uint64_t)f->subclass << 8 | f->prog_if);
    request_set_word(r, first + 2, d->irq_word);
    for (unsigned i = 0; i < PCI_BARS; i++) {
        request_set_word(r, first + 3 + 3 * i, f->bars[i].base);
        request_set_word(r, first + 4 + 3 * i, f->bars[i].size);
        request_set_word(r, first + 5 + 3 * i, f->bars[i].flags);
    }
}

/* Tells procsrv of d; it starts the driver the manifest matches, if any, and says which. */
static void offer(struct pci_device *d)
{
    const struct pci_function *f = &d->f;
    struct request r = {.label = PROC_PCI_DEVICE};
    request_set_word(&r, 0, PCI_ADDRESS(f->bus, f->device, f->function));
    put_function(&r, 1, d);
    long e = request_call(PROC_SLOT_PROCSRV, &r, 0, 0, 0);
    struct result result = request_result(e, &r);
    if (!result_is_ok(result)) {
        char why[80];
        printf("pci: %02x:%02x.%u: %s\n", f->bus, f->device, f->function,
               result_format(why, sizeof why, "procsrv", result));
        return;
    }
    d->driver_pid = request_word(&r, 0);
    if (d->driver_pid)
        request_get_bytes(&r, 1, d->driver, PROTO_NAME_MAX);
}

/* The interrupt word of f: its pin, MSI and MSI-X, and where its INTx goes. */
static uint64_t interrupt_word(const struct pci_function *f)
{
    uint64_t flags = (f->cap_msi ? PCI_IRQ_MSI : 0) | (f->cap_msix ? PCI_IRQ_MSIX : 0);
    unsigned gsi = 0, mode = 0;
    if (f->interrupt_pin && routes_find(f->root_device, f->root_pin, &gsi, &mode))
        flags |= PCI_IRQ_ROUTED;
    return PCI_IRQ_WORD(f->interrupt_pin, flags, gsi, mode);
}

/* The pci server cannot give up: a failed receive is tried again. */
static bool keep_serving(struct server *s, long error)
{
    (void)s, (void)error;
    return true;
}

int main(void)
{
    const struct proc_info *info = libsys_proc_info();
    const char *how = "ECAM";
    bool acpi = info && routes_init(info);
    if (!acpi || !routes_use_ecam()) {
        how = "ports 0xcf8-0xcff";
        if (!info || !config_use_ports(procgrant_ports(info, 0xcf8, 0xcff))) {
            printf("pci: error: no configuration access (neither ECAM nor ports 0xcf8-0xcff); "
                   "stopping\n");
            return 1;
        }
    }
    static struct pci_function found[PCI_MAX_FUNCTIONS];
    unsigned count = 0;
    if (pci_scan(&pci_config, found, PCI_MAX_FUNCTIONS, &count) == PCI_SCAN_FULL)
        printf("pci: warning: more than %u functions; the rest are not served\n",
               PCI_MAX_FUNCTIONS);
    unsigned buses = 0;
    for (unsigned i = 0; i < count; i++) {
        pci_devices[i].f = found[i];
        pci_devices[i].irq_word = interrupt_word(&found[i]);
        buses += found[i].header_type == 1;
    }
    pci_device_count = count;
    printf("pci: %u functions on %u buses, through %s\n", count, buses + 1, how);
    for (unsigned i = 0; i < count; i++)
        offer(&pci_devices[i]);
    static struct server server = {
        .name = "pci",
        .endpoint = PROC_SLOT_SERVICE,
        .cspace = PROC_SLOT_CSPACE,
        .receive_failed = keep_serving,
    };
    server.ops = requests_table;
    server.op_count = requests_count;
    server_run(&server);
}
