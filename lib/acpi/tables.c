/*
 * The ACPI tables: RSDP, root table, every table's header and checksum, FADT, MCFG, HPET.
 * See tables.h for the contract. The bounds discipline is madt.c's: a table is mapped for its
 * header, its length checked against ACPI_SDT_HEADER_LEN and ACPI_TABLE_LEN_MAX, then mapped
 * whole; every field read is at an offset checked against that length.
 */
#include "acpi/tables.h"

#include "acpi/bytes.h"

#define RSDP_V1_LEN 20
#define RSDP_V2_LEN 36

/* FADT offsets (ACPI 6.4, table 5.9). */
#define FADT_FIRMWARE_CTRL 36
#define FADT_DSDT          40
#define FADT_SCI_INT       46
#define FADT_SMI_CMD       48
#define FADT_ACPI_ENABLE   52
#define FADT_ACPI_DISABLE  53
#define FADT_PM1A_EVT      56
#define FADT_PM1B_EVT      60
#define FADT_PM1A_CNT      64
#define FADT_PM1B_CNT      68
#define FADT_PM_TMR        76
#define FADT_PM1_EVT_LEN   88
#define FADT_PM1_CNT_LEN   89
#define FADT_PM_TMR_LEN    91
#define FADT_FLAGS         112
#define FADT_V1_LEN        116
#define FADT_RESET_REG     116
#define FADT_RESET_VALUE   128
#define FADT_X_FACS        132
#define FADT_X_DSDT        140
#define FADT_X_PM1A_EVT    148
#define FADT_X_PM1B_EVT    160
#define FADT_X_PM1A_CNT    172
#define FADT_X_PM1B_CNT    184
#define FADT_X_PM_TMR      208
#define GAS_LEN            12

#define MCFG_ENTRIES   44
#define MCFG_ENTRY_LEN 16
#define HPET_LEN       56

static void copy(void *dest, const void *src, size_t n)
{
    uint8_t *d = dest;
    const uint8_t *s = src;
    for (size_t i = 0; i < n; i++)
        d[i] = s[i];
}

static void zero(void *dest, size_t n)
{
    uint8_t *d = dest;
    for (size_t i = 0; i < n; i++)
        d[i] = 0;
}

bool acpi_checksum_ok(const void *p, size_t len)
{
    return acpi_sum_is_zero(p, len);
}

/* Maps len bytes at phys unless the range wraps (the map function need not check that). */
static const uint8_t *map_range(acpi_map_fn map, void *ctx, uint64_t phys, size_t len)
{
    if (len == 0 || phys == 0 || (uint64_t)len - 1 > UINT64_MAX - phys)
        return NULL;
    return map(ctx, phys, len);
}

int acpi_rsdp_root(const void *rsdp, size_t len, uint64_t *root, bool *xsdt)
{
    const uint8_t *p = rsdp;
    *root = 0;
    *xsdt = false;
    if (!p || len < RSDP_V1_LEN || !acpi_bytes_equal(p, "RSD PTR ", 8) ||
        !acpi_checksum_ok(p, RSDP_V1_LEN))
        return ACPI_ERR_RSDP;
    if (p[15] >= 2) {
        if (len < RSDP_V2_LEN)
            return ACPI_ERR_RSDP;
        uint32_t length = acpi_read32(p + 20);
        if (length < RSDP_V2_LEN || length > len || !acpi_checksum_ok(p, length))
            return ACPI_ERR_RSDP;
        if (acpi_read64(p + 24)) {
            *root = acpi_read64(p + 24);
            *xsdt = true;
            return ACPI_OK;
        }
    }
    *root = acpi_read32(p + 16);
    return *root ? ACPI_OK : ACPI_ERR_RSDP;
}

/* Maps the whole table at phys after checking its header; NULL with *why set if it is bad.
   sig4 receives its signature (zeros if even the header is unreadable). */
static const uint8_t *map_table(acpi_map_fn map, void *ctx, uint64_t phys, char sig4[4],
                                uint32_t *length, const char **why)
{
    zero(sig4, 4);
    const uint8_t *h = map_range(map, ctx, phys, ACPI_SDT_HEADER_LEN);
    if (!h) {
        *why = "its header is outside the firmware memory granted";
        return NULL;
    }
    copy(sig4, h, 4);
    *length = acpi_read32(h + 4);
    if (*length < ACPI_SDT_HEADER_LEN) {
        *why = "length shorter than a table header";
        return NULL;
    }
    if (*length > ACPI_TABLE_LEN_MAX) {
        *why = "length over 1 MiB";
        return NULL;
    }
    const uint8_t *t = map_range(map, ctx, phys, *length);
    if (!t) {
        *why = "length runs past the end of the firmware memory granted";
        return NULL;
    }
    if (!acpi_bytes_equal(t, sig4,
                          4)) { /* the map function gave another copy: refuse rather than guess */
        *why = "changed while read";
        return NULL;
    }
    if (!acpi_checksum_ok(t, *length)) {
        *why = "bad checksum";
        return NULL;
    }
    return t;
}

static void refuse(struct acpi_tables *out, acpi_warn_fn warn, void *ctx, const char sig[4],
                   uint64_t phys, const char *why)
{
    out->refused++;
    if (warn)
        warn(ctx, sig, phys, why);
}

/* Keeps the table at phys (already checked, header at t) unless the list is full. */
static void keep(struct acpi_tables *out, const uint8_t *t, uint64_t phys, uint32_t length,
                 acpi_warn_fn warn, void *ctx)
{
    if (out->count == ACPI_TABLES_MAX) {
        refuse(out, warn, ctx, (const char *)t, phys, "too many tables");
        return;
    }
    struct acpi_table *e = &out->tables[out->count];
    copy(e->signature, t, 4);
    e->phys = phys;
    e->length = length;
    e->revision = t[8];
    copy(e->oem_id, t + 10, 6);
    copy(e->oem_table_id, t + 16, 8);
    e->instance = 0;
    for (unsigned i = 0; i < out->count; i++)
        if (acpi_bytes_equal(out->tables[i].signature, e->signature, 4))
            e->instance++;
    out->count++;
}

/* A table is listed twice (a loop or a firmware bug): the second is skipped quietly. */
static bool already_kept(const struct acpi_tables *out, uint64_t phys)
{
    for (unsigned i = 0; i < out->count; i++)
        if (out->tables[i].phys == phys)
            return true;
    return false;
}

static void scan_entry(uint64_t phys, acpi_map_fn map, void *map_ctx, acpi_warn_fn warn,
                       void *warn_ctx, struct acpi_tables *out)
{
    char sig[4];
    uint32_t length = 0;
    const char *why = "";
    if (already_kept(out, phys))
        return;
    const uint8_t *t = map_table(map, map_ctx, phys, sig, &length, &why);
    if (!t) {
        refuse(out, warn, warn_ctx, sig, phys, why);
        return;
    }
    if (acpi_bytes_equal(sig, "FACP", 4)) {
        struct acpi_fadt fadt;
        if (!acpi_fadt_parse(t, length, &fadt)) {
            refuse(out, warn, warn_ctx, sig, phys, "shorter than a revision-1 FADT");
            return;
        }
        keep(out, t, phys, length, warn, warn_ctx);
        if (out->has_fadt) /* a second FADT: the first one rules */
            return;
        out->has_fadt = true;
        out->fadt = fadt;
        if (!fadt.dsdt || already_kept(out, fadt.dsdt))
            return;
        const uint8_t *d = map_table(map, map_ctx, fadt.dsdt, sig, &length, &why);
        if (d && !acpi_bytes_equal(sig, "DSDT", 4))
            why = "the FADT's DSDT is not a DSDT";
        if (d && acpi_bytes_equal(sig, "DSDT", 4))
            keep(out, d, fadt.dsdt, length, warn, warn_ctx);
        else
            refuse(out, warn, warn_ctx, "DSDT", fadt.dsdt, why);
        return;
    }
    keep(out, t, phys, length, warn, warn_ctx);
}

int acpi_tables_scan(const void *rsdp, size_t rsdp_len, acpi_map_fn map, void *map_ctx,
                     acpi_warn_fn warn, void *warn_ctx, struct acpi_tables *out)
{
    zero(out, sizeof *out);
    uint64_t root;
    bool xsdt;
    if (acpi_rsdp_root(rsdp, rsdp_len, &root, &xsdt) != ACPI_OK)
        return ACPI_ERR_RSDP;
    char sig[4];
    uint32_t length = 0;
    const char *why = "";
    const uint8_t *r = map_table(map, map_ctx, root, sig, &length, &why);
    if (r && !acpi_bytes_equal(sig, xsdt ? "XSDT" : "RSDT", 4)) {
        r = NULL;
        why = "wrong signature for the root table";
    }
    if (!r) {
        refuse(out, warn, warn_ctx, xsdt ? "XSDT" : "RSDT", root, why);
        return ACPI_ERR_ROOT;
    }
    out->xsdt = xsdt;
    out->root_phys = root;
    size_t entry = xsdt ? 8 : 4;
    for (size_t off = ACPI_SDT_HEADER_LEN; length - off >= entry; off += entry) {
        uint64_t phys = xsdt ? acpi_read64(r + off) : acpi_read32(r + off);
        /* The root's mapping may not survive the map function's next call: read the address
           first, then map the root again for the next entry. */
        scan_entry(phys, map, map_ctx, warn, warn_ctx, out);
        r = map_range(map, map_ctx, root, length);
        if (!r)
            break;
    }
    return ACPI_OK;
}

const struct acpi_table *acpi_tables_find(const struct acpi_tables *t, const char signature[4],
                                          unsigned instance)
{
    for (unsigned i = 0; i < t->count; i++)
        if (acpi_bytes_equal(t->tables[i].signature, signature, 4) &&
            t->tables[i].instance == instance)
            return &t->tables[i];
    return NULL;
}

static struct acpi_gas gas_at(const uint8_t *p)
{
    return (struct acpi_gas){p[0], p[1], p[2], p[3], acpi_read64(p + 4)};
}

static struct acpi_gas gas_io(uint32_t port, uint8_t bytes)
{
    return (struct acpi_gas){ACPI_GAS_IO, (uint8_t)(bytes * 8), 0, 0, port};
}

/* The X_ block at offset x if the table reaches it and its address is non-zero, else the
   32-bit port at offset legacy of length bytes. */
static struct acpi_gas block(const uint8_t *t, size_t len, size_t x, size_t legacy, uint8_t bytes)
{
    if (len >= x + GAS_LEN && acpi_read64(t + x + 4))
        return gas_at(t + x);
    return gas_io(acpi_read32(t + legacy), bytes);
}

bool acpi_fadt_parse(const void *table, size_t len, struct acpi_fadt *out)
{
    const uint8_t *t = table;
    zero(out, sizeof *out);
    if (len < FADT_V1_LEN)
        return false;
    out->revision = t[8];
    out->length = (uint32_t)len;
    out->facs = acpi_read32(t + FADT_FIRMWARE_CTRL);
    out->dsdt = acpi_read32(t + FADT_DSDT);
    if (len >= FADT_X_FACS + 8 && acpi_read64(t + FADT_X_FACS))
        out->facs = acpi_read64(t + FADT_X_FACS);
    if (len >= FADT_X_DSDT + 8 && acpi_read64(t + FADT_X_DSDT))
        out->dsdt = acpi_read64(t + FADT_X_DSDT);
    out->sci_int = acpi_read16(t + FADT_SCI_INT);
    out->smi_cmd = acpi_read32(t + FADT_SMI_CMD);
    out->acpi_enable = t[FADT_ACPI_ENABLE];
    out->acpi_disable = t[FADT_ACPI_DISABLE];
    out->pm1_evt_len = t[FADT_PM1_EVT_LEN];
    out->pm1_cnt_len = t[FADT_PM1_CNT_LEN];
    out->pm_tmr_len = t[FADT_PM_TMR_LEN];
    out->pm1a_evt = block(t, len, FADT_X_PM1A_EVT, FADT_PM1A_EVT, out->pm1_evt_len);
    out->pm1b_evt = block(t, len, FADT_X_PM1B_EVT, FADT_PM1B_EVT, out->pm1_evt_len);
    out->pm1a_cnt = block(t, len, FADT_X_PM1A_CNT, FADT_PM1A_CNT, out->pm1_cnt_len);
    out->pm1b_cnt = block(t, len, FADT_X_PM1B_CNT, FADT_PM1B_CNT, out->pm1_cnt_len);
    out->pm_tmr = block(t, len, FADT_X_PM_TMR, FADT_PM_TMR, out->pm_tmr_len);
    out->flags = acpi_read32(t + FADT_FLAGS);
    if (len >= FADT_RESET_VALUE + 1) {
        out->reset_reg = gas_at(t + FADT_RESET_REG);
        out->reset_value = t[FADT_RESET_VALUE];
        out->reset_supported =
            (out->flags & ACPI_FADT_RESET_REG_SUP) && out->reset_reg.address != 0;
    }
    return true;
}

int acpi_mcfg_parse(const void *table, size_t len, struct acpi_mcfg_entry *out, unsigned max)
{
    const uint8_t *t = table;
    if (len < MCFG_ENTRIES)
        return -1;
    unsigned n = 0;
    for (size_t off = MCFG_ENTRIES; len - off >= MCFG_ENTRY_LEN && n < max;
         off += MCFG_ENTRY_LEN, n++)
        out[n] = (struct acpi_mcfg_entry){acpi_read64(t + off), acpi_read16(t + off + 8),
                                          t[off + 10], t[off + 11]};
    return (int)n;
}

bool acpi_hpet_parse(const void *table, size_t len, struct acpi_hpet *out)
{
    const uint8_t *t = table;
    zero(out, sizeof *out);
    if (len < HPET_LEN)
        return false;
    out->event_timer_block_id = acpi_read32(t + 36);
    out->address = gas_at(t + 40);
    out->number = t[52];
    out->min_tick = acpi_read16(t + 53);
    return true;
}
