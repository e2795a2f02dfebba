/*
 * The ACPI tables for the acpi server (servers/acpi; docs/platform.md): from the RSDP through
 * the XSDT (or the RSDT) to every table, each one's length and checksum checked, and the
 * fixed-layout tables the server needs decoded: the FADT (power management ports, the SCI, the
 * reset register, the DSDT's address), MCFG (PCI Express configuration space) and HPET.
 *
 * The tables come from firmware and are untrusted input, as in madt.h (whose acpi_map_fn this
 * uses): a table is mapped for its header, its length checked, then mapped whole; a table that
 * is unreadable, too short, too long or whose checksum fails is reported through the caller's
 * warning function, naming it, and skipped; the others are kept. Pure C with no libc calls:
 * the host tests and the fuzz target compile it unchanged.
 */
#ifndef MISSIVE_ACPI_TABLES_H
#define MISSIVE_ACPI_TABLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "acpi/madt.h"

#define ACPI_TABLES_MAX     64
#define ACPI_TABLE_LEN_MAX  (1u << 20) /* a DSDT of a big machine is a few hundred KiB */
#define ACPI_SDT_HEADER_LEN 36

/* One table kept: where it is and what its header says. */
struct acpi_table {
    char signature[4];
    uint64_t phys;
    uint32_t length;
    uint8_t revision;
    char oem_id[6];
    char oem_table_id[8];
    unsigned instance; /* 0 for the first table of its signature, 1 for the next... */
};

/* A Generic Address Structure (ACPI 5.2.3.2). */
struct acpi_gas {
    uint8_t space; /* 0 SystemMemory, 1 SystemIO */
    uint8_t bit_width, bit_offset, access_size;
    uint64_t address;
};

#define ACPI_GAS_MEMORY 0
#define ACPI_GAS_IO     1

/* What the FADT says, with the X_ fields taken over the 32-bit ones where present (the table
   is long enough for them) and non-zero. An absent block has address 0. */
struct acpi_fadt {
    uint8_t revision;
    uint32_t length;
    uint64_t dsdt, facs;
    uint16_t sci_int;
    uint32_t smi_cmd;
    uint8_t acpi_enable, acpi_disable;
    struct acpi_gas pm1a_evt, pm1b_evt, pm1a_cnt, pm1b_cnt, pm_tmr;
    uint8_t pm1_evt_len, pm1_cnt_len, pm_tmr_len;
    uint32_t flags;
    bool reset_supported; /* flags' RESET_REG_SUP and a reset register in the table */
    struct acpi_gas reset_reg;
    uint8_t reset_value;
};

#define ACPI_FADT_RESET_REG_SUP (1u << 10)
#define ACPI_FADT_TMR_VAL_EXT   (1u << 8) /* the PM timer counts 32 bits (else 24) */
/* PM1 registers (ACPI 4.8.3): status and enable halves of PM1_EVT, and PM1_CNT. */
#define ACPI_PM1_PWRBTN     (1u << 8) /* PWRBTN_STS in PM1_STS, PWRBTN_EN in PM1_EN */
#define ACPI_PM1_SCI_EN     (1u << 0)
#define ACPI_PM1_SLP_TYP(t) ((uint16_t)(((t)&7u) << 10))
#define ACPI_PM1_SLP_EN     (1u << 13)

#define ACPI_MCFG_MAX 8
struct acpi_mcfg_entry {
    uint64_t base;
    uint16_t segment;
    uint8_t bus_first, bus_last;
};

struct acpi_hpet {
    uint32_t event_timer_block_id;
    struct acpi_gas address;
    uint8_t number;
    uint16_t min_tick;
};

/* What the scan found. */
struct acpi_tables {
    bool xsdt; /* the root was the XSDT */
    uint64_t root_phys;
    struct acpi_table tables[ACPI_TABLES_MAX];
    unsigned count;
    unsigned refused; /* tables skipped with a warning */
    bool has_fadt;
    struct acpi_fadt fadt;
};

/* Called once for each table skipped: its signature (4 bytes, maybe not printable), address
   and a short reason ("bad checksum"). */
typedef void (*acpi_warn_fn)(void *ctx, const char signature[4], uint64_t phys, const char *why);

/* Checks an RSDP (a copy, len bytes): signature, the ACPI 1.0 checksum over 20 bytes, and for
   revision 2 and later the length (36..len) and the extended checksum. Sets *root to the XSDT's
   address when revision >= 2 and it is non-zero (*xsdt true), else to the RSDT's. Returns
   ACPI_OK or ACPI_ERR_RSDP. */
int acpi_rsdp_root(const void *rsdp, size_t len, uint64_t *root, bool *xsdt);

/* Walks the root table the RSDP names and keeps every valid table in out (zeroed first),
   the DSDT (from the FADT's X_DSDT, or DSDT) among them, in the root's order with the DSDT
   right after the FADT. FACS has no checksum and is not kept. Each bad table is reported
   through warn (may be NULL) and counted in out->refused. Returns ACPI_OK, ACPI_ERR_RSDP or
   ACPI_ERR_ROOT (the root table itself bad: nothing kept). */
int acpi_tables_scan(const void *rsdp, size_t rsdp_len, acpi_map_fn map, void *map_ctx,
                     acpi_warn_fn warn, void *warn_ctx, struct acpi_tables *out);

/* The instance-th kept table of signature, or NULL. */
const struct acpi_table *acpi_tables_find(const struct acpi_tables *t, const char signature[4],
                                          unsigned instance);

/* True if the len bytes at p sum to 0 (mod 256). */
bool acpi_checksum_ok(const void *p, size_t len);

/* Decodes a FADT (its whole table, len bytes, already checked). Revision 1 tables (116 bytes)
   have no reset register; X_ fields are used where the table reaches them and they are
   non-zero. Returns false if len is shorter than a revision-1 FADT. */
bool acpi_fadt_parse(const void *table, size_t len, struct acpi_fadt *out);

/* Decodes MCFG's allocations (up to max); returns how many, or -1 if len cannot hold its
   header. A partial trailing entry is ignored. */
int acpi_mcfg_parse(const void *table, size_t len, struct acpi_mcfg_entry *out, unsigned max);

/* Decodes HPET; false if the table is too short. */
bool acpi_hpet_parse(const void *table, size_t len, struct acpi_hpet *out);

#endif
