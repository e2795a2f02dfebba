/*
 * The acpi server's protocol (servers/acpi; docs/protocols.md, docs/platform.md): the ACPI
 * tables by signature, the devices of the AML namespace, PCI interrupt routing from _PRT, and
 * power off and reset, which only procsrv may ask for.
 *
 * Clients find the server by the name "acpi" (PROC_LOOKUP, or endpoints=acpi in the boot
 * manifest). Every request follows lib/proto/service.h: the label names it, MR0.. carry its
 * arguments, the reply's label is the status.
 */
#ifndef MISSIVE_PROTO_ACPI_H
#define MISSIVE_PROTO_ACPI_H

#include <stdint.h>

#include "proto/service.h"

#define ACPI_SERVER_NAME "acpi"

/* A table signature travels as one word: its four bytes little-endian in bits 0-31 ("APIC"
   is 0x43495041). ACPI_SIGNATURE("FACP") builds it. */
#define ACPI_SIGNATURE(s)                                                                          \
    ((uint64_t)(uint8_t)(s)[0] | (uint64_t)(uint8_t)(s)[1] << 8 |                                  \
     (uint64_t)(uint8_t)(s)[2] << 16 | (uint64_t)(uint8_t)(s)[3] << 24)

#define ACPI_TABLE_CHUNK 480 /* bytes an ACPI_TABLE_READ answers at most (MR2-MR61) */
#define ACPI_PATH_MAX    200 /* bytes of a namespace path an ACPI_DEVICE_LIST answers at most */
#define ACPI_ID_BYTES                                                                              \
    8 /* a _HID or _CID: an EISA id decoded ("PNP0A03") or a string,                               \
         NUL-padded to 8 bytes, cut at 8 */

enum acpi_label {
    /* MR0 index (0, 1, ...) -> MR0 signature, MR1 length, MR2 revision, MR3 physical address,
       MR4 instance (0 for the first table of its signature, 1 for the second...), MR5 OEM id
       (6 bytes, NUL-padded), MR6 OEM table id (8 bytes); SERVICE_NOT_FOUND past the last.
       Lists the tables the server kept (checksum and length valid), the DSDT among them. */
    ACPI_TABLE_LIST = 1,
    /* MR0 signature, MR1 instance, MR2 offset, MR3 bytes wanted (1..ACPI_TABLE_CHUNK) ->
       MR0 the table's length, MR1 count (0 at or past the end), the bytes from MR2 on.
       SERVICE_NOT_FOUND: no such table (or that instance of it). Like PROC_FILE_READ. */
    ACPI_TABLE_READ = 2,
    /* A PCI interrupt on a root bus: MR0 segment, MR1 bus (0-255), MR2 device (0-31), MR3 pin
       (0-3: INTA-INTD) -> MR0 GSI, MR1 flags (enum acpi_route_flags). From _PRT of the root
       bridge (PNP0A03/PNP0A08) whose _SEG and _BBN match, evaluated after \_PIC(1); a link
       device (LNKx) is resolved through its _CRS (set from _PRS through _SRS if it has none
       yet). The pci server swizzles pins behind bridges itself. SERVICE_NOT_FOUND: no root
       bridge for that bus or no entry for that device and pin; SERVICE_INTERNAL: the AML
       failed (the server says why on the console). */
    ACPI_PCI_ROUTE = 3,
    /* MR0 index (0, 1, ...) -> a device of the namespace: MR0 _STA (0x0f when it has none),
       MR1 _ADR (0 when it has none), MR2 flags (enum acpi_device_flags), MR3 _HID and MR4 the
       first _CID (ACPI_ID_BYTES each, NUL-padded, 0 when absent), MR5 path length n
       (up to ACPI_PATH_MAX), the absolute path from MR6 on ("\_SB_.PCI0.ISA_"), not
       NUL-terminated. SERVICE_NOT_FOUND past the last. */
    ACPI_DEVICE_LIST = 4,
    /* procsrv only (else SERVICE_DENIED): enters S5 (SLP_TYP from \_S5, then SLP_EN). No reply
       when it works (the machine is off); SERVICE_NOT_FOUND when there is no ACPI (no FADT, no
       \_S5), SERVICE_INTERNAL when the machine did not go off. */
    ACPI_POWER_OFF = 5,
    /* procsrv only (else SERVICE_DENIED): resets the machine: the FADT's reset register (if
       RESET_REG_SUP), then port 0xCF9, then the keyboard controller (0x64 <- 0xFE). No reply
       when it works; SERVICE_INTERNAL when all three failed. */
    ACPI_RESET = 6,
    /* -> MR0 flags (enum acpi_info_flags), MR1 tables kept, MR2 tables refused (bad checksum
       or length), MR3 devices in the namespace, MR4 AML errors while loading and
       initialising, MR5 SCI GSI, MR6 PM1a_CNT port, MR7 FADT revision. */
    ACPI_INFO = 7,
};

enum acpi_route_flags {
    ACPI_ROUTE_LEVEL = 1,      /* level-triggered (else edge) */
    ACPI_ROUTE_ACTIVE_LOW = 2, /* active-low (else active-high) */
    ACPI_ROUTE_LINK = 4,       /* found through a link device (LNKx), not a GSI in _PRT */
};

enum acpi_device_flags {
    ACPI_DEVICE_HAS_STA = 1,
    ACPI_DEVICE_HAS_ADR = 2,
    ACPI_DEVICE_HAS_HID = 4,
    ACPI_DEVICE_HAS_CID = 8,
    ACPI_DEVICE_STA_FAILED = 16, /* evaluating _STA failed (the server said why) */
};

enum acpi_info_flags {
    ACPI_INFO_TABLES = 1,        /* an RSDP was found and its root table is valid */
    ACPI_INFO_FADT = 2,          /* a valid FADT */
    ACPI_INFO_NAMESPACE = 4,     /* the DSDT loaded into the AML interpreter */
    ACPI_INFO_S5 = 8,            /* \_S5 found: power off possible */
    ACPI_INFO_RESET_REG = 16,    /* the FADT's reset register is usable (RESET_REG_SUP) */
    ACPI_INFO_ACPI_MODE = 32,    /* SCI_EN set (the server enabled ACPI mode, or it was on) */
    ACPI_INFO_POWER_BUTTON = 64, /* the fixed power button is enabled and the SCI handled */
};

#endif
