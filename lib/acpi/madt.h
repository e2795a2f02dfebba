/*
 * Just enough ACPI to bring up SMP: follow RSDP -> XSDT/RSDT -> MADT ("APIC") and collect the
 * processors' local APICs, the I/O APICs and the ISA interrupt source overrides.
 *
 * The tables come from firmware and are treated as untrusted input: every length is checked
 * against what the caller says is readable, every checksum is verified, and anything malformed
 * is rejected with an error code, so that the kernel can warn and fall back to one CPU instead of
 * crashing.
 *
 * Physical memory is reached only through the caller's acpi_map_fn, one range at a time; the
 * parser never reads outside a range that function returned. Pure C with no libc calls, so the
 * same source serves the kernel and the host tests. Multi-byte fields are read byte-wise
 * (little-endian), so the tables may sit at any alignment.
 */
#ifndef MISSIVE_ACPI_MADT_H
#define MISSIVE_ACPI_MADT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Returns a pointer to len readable bytes at physical address phys, or NULL if that range is not
 * readable. The pointer must stay valid until madt_parse returns. */
typedef const void *(*acpi_map_fn)(void *ctx, uint64_t phys, size_t len);

#define MADT_MAX_CPUS      64
#define MADT_MAX_IOAPICS   8
#define MADT_MAX_OVERRIDES 16

/* Largest RSDT/XSDT/MADT accepted: far above any real table, small enough to bound the work. */
#define ACPI_MAX_TABLE_LEN (64u * 1024u)

enum acpi_status {
    ACPI_OK = 0,
    ACPI_ERR_RSDP = -1,    /* bad signature "RSD PTR ", checksum, or revision/length */
    ACPI_ERR_ROOT = -2,    /* RSDT/XSDT unreadable, bad signature, length or checksum */
    ACPI_ERR_NO_MADT = -3, /* no table with signature "APIC" listed */
    ACPI_ERR_MADT = -4,    /* MADT length/checksum bad, or an entry overruns the table or has
                              length < 2, or a known entry is shorter than its fixed size */
    ACPI_ERR_NO_CPUS = -5, /* MADT lists no enabled processor */
};

struct madt_cpu {
    uint8_t processor_id; /* ACPI processor UID; for x2APIC entries its low 8 bits */
    uint32_t apic_id;
    bool x2apic; /* from a type 9 (x2APIC) entry */
};

struct madt_ioapic {
    uint8_t id;
    uint32_t address;
    uint32_t gsi_base;
};

struct madt_override {
    uint8_t bus;
    uint8_t source_irq;
    uint32_t gsi;
    uint16_t flags; /* MPS INTI flags: bits 0-1 polarity, bits 2-3 trigger mode */
};

struct madt_info {
    uint32_t lapic_address;   /* the 32-bit local APIC address from the MADT header */
    uint64_t lapic_address64; /* the address to use: the type 5 override if present, else the
                                 header's */
    bool pcat_compat;         /* flags bit 0: legacy PICs present */
    struct madt_cpu cpus[MADT_MAX_CPUS];
    size_t cpu_count;    /* enabled processors stored in cpus */
    size_t cpus_dropped; /* enabled processors beyond MADT_MAX_CPUS */
    struct madt_ioapic ioapics[MADT_MAX_IOAPICS];
    size_t ioapic_count; /* I/O APICs beyond MADT_MAX_IOAPICS are ignored */
    struct madt_override overrides[MADT_MAX_OVERRIDES];
    size_t override_count; /* overrides beyond MADT_MAX_OVERRIDES are ignored */
    size_t unknown_entries;
    bool used_xsdt;
};

/*
 * Finds and parses the MADT. rsdp is a copy of the RSDP, rsdp_len bytes (20 for ACPI 1.0, 36 for
 * 2.0+). The RSDP must have signature "RSD PTR " and a valid checksum over its first 20 bytes;
 * with revision >= 2 its `length` must lie in [36, rsdp_len] and the extended checksum over
 * `length` bytes must hold. The XSDT is used when revision >= 2 and its address is nonzero,
 * otherwise the RSDT (no fallback from a bad XSDT to the RSDT). The root table needs the right
 * signature, 36 <= length <= ACPI_MAX_TABLE_LEN and a valid checksum; it lists (length-36)/4
 * (RSDT) or /8 (XSDT) table addresses, a partial trailing entry being ignored.
 *
 * The first listed table with signature "APIC", 44 <= length <= ACPI_MAX_TABLE_LEN and a valid
 * checksum is parsed; unreadable or invalid tables are skipped. If "APIC" tables exist but none
 * is valid the result is ACPI_ERR_MADT, if none exists ACPI_ERR_NO_MADT.
 *
 * Entries: type 0 (local APIC) and 9 (x2APIC) add a CPU when flags bit 0 (enabled) is set; type 1
 * adds an I/O APIC, type 2 an interrupt source override, type 5 sets lapic_address64. Unknown
 * types are skipped and counted. An entry with length < 2, overrunning the table or shorter than
 * its type's fixed size is ACPI_ERR_MADT; no enabled CPU is ACPI_ERR_NO_CPUS.
 *
 * *out is zeroed first; on any error it is left all zero. Returns an enum acpi_status value.
 */
int madt_parse(const void *rsdp, size_t rsdp_len, acpi_map_fn map, void *ctx,
               struct madt_info *out);

/* A static, human-readable name for an enum acpi_status value (never NULL). */
const char *acpi_strerror(int status);

/* The GSI an ISA IRQ arrives on: the gsi of the first override for (bus 0, source_irq irq), else
 * irq itself (identity mapping, as ACPI specifies when no override exists). */
uint32_t madt_isa_gsi(const struct madt_info *info, uint8_t irq);

#endif
