/*
 * The boot manifest (etc/boot.manifest in the initrd): which servers and
 * programs procsrv starts, in order, and with what. One entry a line:
 *
 *   server  NAME PROGRAM [key=value ...] [-- ARGS ...]
 *   program NAME PROGRAM [key=value ...] [-- ARGS ...]
 *
 * A server gets an endpoint that procsrv registers under NAME and keeps
 * across restarts and swaps. Keys: priority=1-254 (default 100),
 * quota=SIZE (K, M or G suffix; default 16M), cspace=BITS (6-16, default 8),
 * ioports=A-B[,A-B...] (up to 8 ranges), irq=N[,N...] (up to 4 lines, 0-23),
 * mmio=BASE+SIZE[,...] (up to 4 device memory ranges, page aligned, at most
 * 16 MiB each), endpoints=NAME[,NAME...] (up to 4 servers started before
 * it, whose endpoints it gets as grants), restart=N (restarts after a crash,
 * 0-100, default 0), debug (the kernel debug console), acpi (read-only
 * firmware memory holding the ACPI tables, the RSDP's copy and the notification that tells
 * procsrv of the power button: the acpi server's), pci=CC.SS.PP (class, subclass and prog-if,
 * hex) or pci=VVVV:DDDD (vendor and device id, hex): a driver, started once per matching PCI
 * function with that function's resources (docs/platform.md), msi=on|off (a driver's
 * interrupt: MSI when the function has it, the default, or INTx always), framebuffer (the
 * boot framebuffer: the compositor's), block (a block server: PROC_LIST's flags say so, for
 * clients that look for disks). '#' starts a comment. docs/processes.md has the details.
 *
 * Pure C (string.h only): procsrv and the host tests compile it unchanged.
 */
#ifndef MISSIVE_MANIFEST_H
#define MISSIVE_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MANIFEST_NAME_MAX      31
#define MANIFEST_PROGRAM_MAX   99
#define MANIFEST_ARGS_MAX      255 /* bytes of NUL-terminated arguments */
#define MANIFEST_MAX_IOPORTS   8
#define MANIFEST_MAX_IRQS      4
#define MANIFEST_MAX_MMIO      4
#define MANIFEST_MAX_ENDPOINTS 4
#define MANIFEST_MMIO_MAX      (16u << 20)
#define MANIFEST_ERROR_MAX     80

struct manifest_range {
    uint32_t first, last;
};

enum manifest_pci {
    MANIFEST_PCI_NONE = 0,
    MANIFEST_PCI_CLASS = 1, /* pci_match: class << 16 | subclass << 8 | prog-if */
    MANIFEST_PCI_ID = 2,    /* pci_match: vendor | device << 16 */
};

struct manifest_entry {
    bool server;
    char name[MANIFEST_NAME_MAX + 1];
    char program[MANIFEST_PROGRAM_MAX + 1];
    unsigned priority;
    uint64_t quota;
    unsigned cspace_bits;
    unsigned restart;
    bool debug;
    bool acpi;        /* the ACPI tables' memory, the RSDP and the power-button notification */
    bool framebuffer; /* the boot framebuffer's frames (the compositor) */
    bool block;       /* a block server (lib/proto/block.h): PROC_LIST says so */
    unsigned ioport_count;
    struct manifest_range ioports[MANIFEST_MAX_IOPORTS];
    unsigned irq_count;
    unsigned irqs[MANIFEST_MAX_IRQS];
    unsigned mmio_count;
    struct {
        uint64_t base, size;
    } mmio[MANIFEST_MAX_MMIO];
    unsigned endpoint_count;
    char endpoints[MANIFEST_MAX_ENDPOINTS][MANIFEST_NAME_MAX + 1];
    unsigned pci; /* enum manifest_pci */
    uint32_t pci_match;
    bool no_msi;   /* msi=off */
    unsigned argc; /* arguments after "--" */
    unsigned envc; /* environment strings (PROC_SPAWN only), after the arguments in args */
    char args[MANIFEST_ARGS_MAX + 1]; /* each NUL-terminated, one after the other */
};

enum manifest_result {
    MANIFEST_EMPTY = 0, /* a blank or comment line */
    MANIFEST_ENTRY = 1, /* *entry is filled */
    MANIFEST_ERROR = 2, /* error holds a one-line reason; *entry is undefined */
};

/* Parses one line (without its newline; need not be NUL-terminated) of
   length len. On MANIFEST_ERROR writes a NUL-terminated reason of at most
   MANIFEST_ERROR_MAX bytes to error. */
enum manifest_result manifest_parse_line(const char *line, size_t len, struct manifest_entry *entry,
                                         char error[MANIFEST_ERROR_MAX + 1]);

/* Finds the next line of text[0..size) from *pos: sets *line and *len and
   advances *pos past its newline. Returns false at the end. */
bool manifest_next_line(const char *text, size_t size, size_t *pos, const char **line, size_t *len);

/* Parses a size such as 4096, 64K, 16M or 1G into *bytes; false if it is
   not one or overflows. */
bool manifest_parse_size(const char *text, size_t len, uint64_t *bytes);

#endif
