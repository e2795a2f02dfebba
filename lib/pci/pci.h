/*
 * PCI enumeration over any configuration-space accessor: the pci server gives it port I/O
 * (0xCF8/0xCFC) or an ECAM window, the host tests a made-up bus. It walks bus 0 and every bus
 * behind a PCI-to-PCI bridge (the bus numbers firmware assigned; each bus once), reads each
 * function's identity, sizes its BARs (decode off while sizing, everything restored after),
 * and reads its capability list, bounded so that a list that loops ends.
 *
 * Pure C (stdint only): servers/pci and tests/unit/test_pci.c compile it unchanged.
 */
#ifndef MISSIVE_PCI_H
#define MISSIVE_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "proto/pci.h"

/* Configuration space of one function: read or write width bytes (1, 2, 4) at offset. A
   function that is absent reads all ones. */
struct pci_access {
    uint32_t (*read)(void *context, unsigned bus, unsigned device, unsigned function,
                     unsigned offset, unsigned width);
    void (*write)(void *context, unsigned bus, unsigned device, unsigned function, unsigned offset,
                  unsigned width, uint32_t value);
    void *context;
};

/* Registers of the type-0 and type-1 headers. */
enum pci_register {
    PCI_VENDOR = 0x00,
    PCI_DEVICE_ID = 0x02,
    PCI_COMMAND = 0x04,
    PCI_STATUS = 0x06,
    PCI_REVISION = 0x08, /* then prog-if, subclass, class */
    PCI_HEADER_TYPE = 0x0e,
    PCI_BAR0 = 0x10,
    PCI_SECONDARY_BUS = 0x19, /* type 1 */
    PCI_ROM_BAR = 0x30,       /* type 0 (type 1: 0x38) */
    PCI_CAPABILITIES = 0x34,
    PCI_INTERRUPT_PIN = 0x3d,
};
#define PCI_COMMAND_IO          0x1
#define PCI_COMMAND_MEMORY      0x2
#define PCI_COMMAND_INTX_OFF    0x400
#define PCI_STATUS_CAPABILITIES 0x10

/* Capability ids. */
enum pci_capability {
    PCI_CAP_PM = 0x01,
    PCI_CAP_MSI = 0x05,
    PCI_CAP_PCIE = 0x10,
    PCI_CAP_MSIX = 0x11,
};

struct pci_bar {
    uint64_t base, size; /* size 0: no BAR (or the upper half of a 64-bit one) */
    unsigned flags;      /* enum pci_bar_flags */
};

struct pci_function {
    uint8_t bus, device, function;
    uint8_t header_type; /* without the multi-function bit */
    uint16_t vendor, device_id;
    uint8_t class_code, subclass, prog_if, revision;
    uint8_t interrupt_pin; /* 1-4: INTA-INTD, 0: none */
    uint8_t secondary_bus; /* a bridge's */
    /* Where its INTx arrives on bus 0: the device on bus 0 and the pin there, after the
       bridge swizzle of every bridge above it. */
    uint8_t root_device, root_pin;
    int16_t bridge; /* the index (in the scan's list) of the bridge above it; -1 on bus 0 */
    /* Offsets of its capabilities (0: none). */
    uint8_t cap_msi, cap_msix, cap_pcie, cap_pm;
    struct pci_bar bars[PCI_BARS];
};

/* Why a scan stopped short. */
enum pci_scan_status {
    PCI_SCAN_OK = 0,
    PCI_SCAN_FULL = 1, /* more functions than room: the first max are listed */
};

/* Walks every bus from bus 0 into out[0 .. *count) (at most max). Bridges' buses are walked
   once each and in the order found (depth first), a bus number seen before is skipped (a
   loop of bridges ends). */
enum pci_scan_status pci_scan(const struct pci_access *access, struct pci_function *out,
                              unsigned max, unsigned *count);

/* Reads f's BARs (into f->bars): each sized by writing all ones with decode off, and put
   back. For functions of header types 0 (six BARs) and 1 (two). */
void pci_size_bars(const struct pci_access *access, struct pci_function *f);

/* Walks f's capability list (into f->cap_*): at most 48 entries (all that fit in 256
   bytes), each pointer inside the header's capability area (0x40-0xfc); a list that loops or
   points outside ends there. Returns the entries read. */
unsigned pci_read_capabilities(const struct pci_access *access, struct pci_function *f);

/* True if a driver may write width bytes at offset of f's configuration space: not what
   places the function in the address spaces (the BARs, the ROM BAR, a bridge's bus numbers and
   windows) nor the capability pointer. */
bool pci_write_allowed(const struct pci_function *f, unsigned offset, unsigned width);

/* value, a write of width bytes at offset, with the command register's I/O and memory decode
   bits (where the write covers them) kept as they are in command. */
uint32_t pci_keep_decode(unsigned offset, unsigned width, uint32_t value, uint32_t command);

/* Programs f's MSI capability with address and data (32- or 64-bit layout; the vector
   unmasked if it has per-vector masking), enables one message and turns INTx off. False if f
   has no MSI capability. */
bool pci_msi_enable(const struct pci_access *access, const struct pci_function *f, uint64_t address,
                    uint32_t data);

/* The pin on the bridge's side for a device behind it (the PCI-to-PCI bridge swizzle):
   pin 1-4 of device dev becomes ((pin - 1 + dev) % 4) + 1. */
unsigned pci_swizzle(unsigned device, unsigned pin);

/* A short name for a class/subclass, for lspci ("SATA controller", "Ethernet controller",
   ..., the class's name when the subclass is not known, "unknown" otherwise). */
const char *pci_class_name(unsigned class_code, unsigned subclass);

#endif
