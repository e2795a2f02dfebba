/*
 * The pci server's protocol (servers/pci; docs/protocols.md, "The pci protocol") and what
 * procsrv and the pci server tell each other to start drivers (docs/platform.md, "PCI").
 *
 * The pci server is the only holder of configuration space. Anyone may list the functions
 * (PCI_LIST, for lspci). A driver reaches configuration space only through the endpoint
 * procsrv gave it, whose badge names its one function (PCI_BADGE_FUNCTION | address): the
 * server refuses every other function, and a client that looked the server up by name
 * (badged with its pid) reaches none.
 */
#ifndef MISSIVE_PROTO_PCI_H
#define MISSIVE_PROTO_PCI_H

#include "proto/service.h"

/* A function's address in a word: bus << 8 | device << 3 | function (segment 0). */
#define PCI_ADDRESS(bus, device, function) ((uint64_t)(bus) << 8 | (device) << 3 | (function))
#define PCI_ADDRESS_BUS(a)                 (((a) >> 8) & 0xff)
#define PCI_ADDRESS_DEVICE(a)              (((a) >> 3) & 0x1f)
#define PCI_ADDRESS_FUNCTION(a)            ((a)&7)
#define PCI_ADDRESS_MAX                    0xffff

/* The badge of a driver's endpoint: this bit and its function's address. Process ids (the
   badge of everyone else) stay below it. */
#define PCI_BADGE_FUNCTION (1ull << 40)

#define PCI_BARS 6

/* A BAR's flags (struct pci_bar_word, the third word of each BAR). */
enum pci_bar_flags {
    PCI_BAR_IO = 1,       /* I/O ports (else memory) */
    PCI_BAR_64 = 2,       /* a 64-bit memory BAR (the next BAR is its upper half) */
    PCI_BAR_PREFETCH = 4, /* prefetchable memory */
};

/* A function's interrupt, in one word (PROC_PCI_DEVICE's and PCI_INFO's): */
#define PCI_IRQ_PIN(w)  ((w)&7)             /* INTx pin 1-4 (A-D), 0: none */
#define PCI_IRQ_ROUTED  (1ull << 3)         /* INTx is routed: the GSI and mode follow */
#define PCI_IRQ_MSI     (1ull << 4)         /* it has an MSI capability */
#define PCI_IRQ_MSIX    (1ull << 5)         /* it has an MSI-X capability */
#define PCI_IRQ_GSI(w)  (((w) >> 8) & 0xff) /* the I/O APIC line its INTx reaches */
#define PCI_IRQ_MODE(w) (((w) >> 16) & 3)   /* IRQ_MODE_* bits (missive/abi.h) */
#define PCI_IRQ_WORD(pin, flags, gsi, mode)                                                        \
    ((uint64_t)(pin) | (flags) | (uint64_t)(gsi) << 8 | (uint64_t)(mode) << 16)

enum pci_label {
    /* MR0 index (0, 1, ...) -> MR0 address, MR1 vendor | device << 16, MR2 class << 16 |
       subclass << 8 | prog-if, MR3 the driver's pid (0: none), MR4-MR7 the driver's name
       (NUL-padded); SERVICE_NOT_FOUND past the last function. Anyone. */
    PCI_LIST = 1,
    /* MR0 address, MR1 offset, MR2 width (1, 2 or 4; offset a multiple of it, below 256, or
       4096 with ECAM) -> MR0 the value. The driver of that function only. */
    PCI_CONFIG_READ = 2,
    /* MR0 address, MR1 offset, MR2 width, MR3 value. The driver of that function only; the
       BARs (0x10-0x27), the expansion ROM BAR (0x30) and the capability pointer are refused
       (SERVICE_DENIED: the server placed nothing, firmware did, and a moved BAR could cover
       another device's registers), and command-register writes keep the I/O and memory
       decode bits as they are. */
    PCI_CONFIG_WRITE = 3,
    /* MR0 address, MR1 the MSI address, MR2 the MSI data (both from the driver's
       PROC_GRANT_MSI) -> -: the server programs the function's MSI capability with them,
       enables MSI and disables INTx. The address must be the local APICs' window
       (IRQ_MSI_ADDRESS) and the data a vector the kernel gives MSI handlers. The driver of
       that function only; SERVICE_NOT_FOUND if it has no MSI capability. */
    PCI_MSI_ENABLE = 4,
    /* MR0 address -> MR0 vendor | device << 16, MR1 class word (as PCI_LIST's MR2), MR2 the
       interrupt word (PCI_IRQ_*), MR3-MR20 the six BARs, three words each: base, size,
       flags (enum pci_bar_flags; a size of 0: no BAR). The driver of that function only. */
    PCI_INFO = 5,
};

#define PCI_INFO_BAR_WORD 3 /* the first BAR's word in PCI_INFO's answer */
#define PCI_INFO_LENGTH   (PCI_INFO_BAR_WORD + 3 * PCI_BARS)

#endif
