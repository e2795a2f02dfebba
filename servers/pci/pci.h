/*
 * The pci server: the only holder of configuration space (servers/pci; protocol
 * lib/proto/pci.h; design docs/platform.md, "PCI"). It walks the buses once at start
 * (lib/pci), tells procsrv of every function so that procsrv starts the drivers the manifest
 * matches to them (PROC_PCI_DEVICE), then serves lspci and each driver's access to its own
 * function.
 *
 * Single-threaded, so nothing here needs a lock.
 */
#ifndef PCI_SERVER_H
#define PCI_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include "libsys/server.h"
#include "pci/pci.h"

#define PCI_MAX_FUNCTIONS 128

struct pci_device {
    struct pci_function f;
    uint64_t irq_word; /* PCI_IRQ_WORD: pin, MSI, the INTx route */
    uint64_t driver_pid;
    char driver[PROTO_NAME_MAX + 1];
};

extern struct pci_device pci_devices[PCI_MAX_FUNCTIONS];
extern unsigned pci_device_count;

/* config.c: configuration space through ports 0xCF8-0xCFF (the capability in the grant) or
   the MCFG's ECAM window, each bus's megabyte mapped (map_bus) when first touched, at
   PROC_ECAM_BASE + its physical address. */
extern struct pci_access pci_config;
/* Uses the I/O port capability in slot; false if there is none. */
bool config_use_ports(uint64_t slot);
/* Uses the ECAM window at physical base (bus 0's place) for buses first_bus..last_bus;
   map_bus(phys) maps one bus's megabyte, true if it did. */
void config_use_ecam(uint64_t base, unsigned first_bus, unsigned last_bus,
                     bool (*map_bus)(uint64_t phys));
/* 256 bytes with ports, 4096 with ECAM. */
unsigned config_size(void);

/* requests.c */
extern const struct server_op requests_table[];
extern const unsigned requests_count;
/* The function a driver's badge names, or NULL. */
struct pci_device *requests_device_of(uint64_t badge);

#endif
