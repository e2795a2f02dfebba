/*
 * What a PCI driver started by procsrv shares (docs/platform.md, "PCI"): the grants procsrv
 * handed it (the pci server's endpoint for its function, a BAR, its interrupt) and calls to the
 * pci server for its function (lib/proto/pci.h): configuration space reads and writes, bus
 * mastering on.
 */
#ifndef MISSIVE_LIBSYS_PCI_DRIVER_H
#define MISSIVE_LIBSYS_PCI_DRIVER_H

#include <stdbool.h>
#include <stdint.h>

#include "libsys/service.h"

/* What procsrv granted; a field is 0 (gsi ~0) when its grant is absent. */
struct pci_driver_grants {
    uint64_t pci, address;  /* PROC_GRANT_PCI: the pci server's endpoint, the function */
    volatile uint32_t *bar; /* PROC_GRANT_PCI_MEMORY of the BAR asked for: where it is mapped */
    uint64_t bar_bytes;     /* and its size */
    uint64_t handler;       /* the IRQ handler of PROC_GRANT_MSI or PROC_GRANT_IRQ */
    bool msi;               /* PROC_GRANT_MSI: the handler is an MSI vector's */
    uint64_t msi_address;   /* and the message's address */
    uint64_t msi_data;      /* and data */
    uint64_t gsi;           /* PROC_GRANT_IRQ: the line (GSI) */
    uint64_t notification;  /* PROC_GRANT_NOTIFICATION: the notification the handler signals */
    /* PROC_GRANT_MSIX_VECTOR: an MSI-X function's further vectors; vector n (1..) interrupts
       CPU n, its handler bound to no notification yet. */
    unsigned extra_vectors;
    struct pci_driver_vector {
        uint64_t handler, msi_address, msi_data;
    } extra[PROC_MSIX_VECTORS - 1];
};

/* Walks info's grants (info may be NULL: nothing found) for bar_index's memory BAR, the pci
   server's endpoint and the interrupt (and an MSI-X function's further vectors, in order); a
   later grant of another kind replaces an earlier one. */
struct pci_driver_grants pci_driver_find_grants(const struct proc_info *info, unsigned bar_index);

/* One request label to the pci server through endpoint, with count words (at most a request's
   words) in; the result of the call, and on success the answer's first word in *answer (when
   answer is not NULL). */
struct result pci_driver_call(uint64_t endpoint, uint64_t label, const uint64_t *words,
                              unsigned count, uint64_t *answer);

/* PCI_CONFIG_READ of width (1, 2 or 4) bytes at offset of g's function into *value; true if
   the pci server answered it (*value untouched otherwise). */
bool pci_driver_config_read(const struct pci_driver_grants *g, unsigned offset, unsigned width,
                            uint64_t *value);

/* PCI_CONFIG_WRITE of value, width (1, 2 or 4) bytes at offset of g's function; true if the
   pci server did it. */
bool pci_driver_config_write(const struct pci_driver_grants *g, unsigned offset, unsigned width,
                             uint64_t value);

/* Memory decoding and bus mastering on in g's command register (read, then written with the
   bits added: the device reads and writes memory by DMA, and an MSI is a memory write too);
   intx_off: INTx disabled as well. True if both calls succeeded (no write if the read failed).
   First it sends PROC_TAKE_OVER: a swap's new instance waits there until the old one is gone
   (docs/processes.md), so what a driver does before this call must not touch the device. */
bool pci_driver_enable_bus_master(const struct pci_driver_grants *g, bool intx_off);

#endif
