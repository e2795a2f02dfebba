/*
 * ACPI MADT discovery. See madt.h for the contract.
 *
 * Bounds discipline: a table is first mapped for its 36-byte header only, its length field is
 * checked against the header size and ACPI_MAX_TABLE_LEN, and only then is the whole table
 * mapped; every later read is at an offset checked against that length. Entry walks compare an
 * entry's length with the bytes remaining (`elen > len - off`) rather than adding to a position
 * first, so no sum can wrap whatever the fields claim.
 */
#include "acpi/madt.h"

#include "acpi/bytes.h"

#define RSDP_V1_LEN     20
#define RSDP_V2_LEN     36
#define SDT_HEADER_LEN  36
#define MADT_HEADER_LEN 44

/* Fixed sizes of the MADT entry types we interpret (ACPI 6.x, 5.2.12). */
#define MADT_LAPIC          0
#define MADT_IOAPIC         1
#define MADT_ISO            2
#define MADT_LAPIC_OVERRIDE 5
#define MADT_X2APIC         9

#define MADT_LAPIC_LEN          8
#define MADT_IOAPIC_LEN         12
#define MADT_ISO_LEN            10
#define MADT_LAPIC_OVERRIDE_LEN 12
#define MADT_X2APIC_LEN         16

/* Zeroes *info byte by byte (no memset: the kernel has no libc). */
static void info_clear(struct madt_info *info)
{
    unsigned char *p = (unsigned char *)info;
    for (size_t i = 0; i < sizeof(*info); i++)
        p[i] = 0;
}

/* Maps len bytes at phys, refusing ranges that wrap past the top of the address space so that
 * the map function never has to compute phys + len itself. Returns NULL if unreadable. */
static const uint8_t *map_range(acpi_map_fn map, void *ctx, uint64_t phys, size_t len)
{
    if (len == 0 || (uint64_t)len - 1 > UINT64_MAX - phys)
        return NULL;
    return (const uint8_t *)map(ctx, phys, len);
}

/*
 * Maps the whole SDT at phys if its header is readable, its signature is sig, its length lies in
 * [min_len, ACPI_MAX_TABLE_LEN], the whole table is readable and its checksum holds. Stores the
 * length in *len_out. Returns NULL otherwise; *sig_seen is set when only the signature matched
 * (so the caller can tell "absent" from "present but broken").
 */
static const uint8_t *map_sdt(acpi_map_fn map, void *ctx, uint64_t phys, const char *sig,
                              uint32_t min_len, uint32_t *len_out, bool *sig_seen)
{
    const uint8_t *hdr = map_range(map, ctx, phys, SDT_HEADER_LEN);
    if (hdr == NULL || !acpi_bytes_equal(hdr, sig, 4))
        return NULL;
    *sig_seen = true;
    uint32_t len = acpi_read32(hdr + 4);
    if (len < min_len || len > ACPI_MAX_TABLE_LEN)
        return NULL;
    const uint8_t *t = map_range(map, ctx, phys, len);
    if (t == NULL || !acpi_bytes_equal(t, sig, 4) || acpi_read32(t + 4) != len ||
        !acpi_sum_is_zero(t, len))
        return NULL; /* re-checked on the full mapping: the header mapping may be a different copy
                      */
    *len_out = len;
    return t;
}

/* Records an enabled CPU, or counts it as dropped once the array is full. */
static void add_cpu(struct madt_info *out, uint8_t processor_id, uint32_t apic_id, bool x2apic)
{
    if (out->cpu_count >= MADT_MAX_CPUS) {
        out->cpus_dropped++;
        return;
    }
    struct madt_cpu *c = &out->cpus[out->cpu_count++];
    c->processor_id = processor_id;
    c->apic_id = apic_id;
    c->x2apic = x2apic;
}

/* Fixed size of a known entry type, or 0 for a type we do not interpret. */
static uint8_t entry_min_len(uint8_t type)
{
    switch (type) {
    case MADT_LAPIC:
        return MADT_LAPIC_LEN;
    case MADT_IOAPIC:
        return MADT_IOAPIC_LEN;
    case MADT_ISO:
        return MADT_ISO_LEN;
    case MADT_LAPIC_OVERRIDE:
        return MADT_LAPIC_OVERRIDE_LEN;
    case MADT_X2APIC:
        return MADT_X2APIC_LEN;
    default:
        return 0;
    }
}

/* Parses a checksummed MADT of len bytes (len >= MADT_HEADER_LEN) at t into out. Returns
 * ACPI_OK, ACPI_ERR_MADT for a malformed entry, or ACPI_ERR_NO_CPUS. */
static int parse_madt(const uint8_t *t, uint32_t len, struct madt_info *out)
{
    out->lapic_address = acpi_read32(t + 36);
    out->lapic_address64 = out->lapic_address;
    out->pcat_compat = (acpi_read32(t + 40) & 1) != 0;

    uint32_t off = MADT_HEADER_LEN;
    while (off < len) {
        if (len - off < 2)
            return ACPI_ERR_MADT; /* not even room for type and length */
        const uint8_t *e = t + off;
        uint8_t type = e[0], elen = e[1];
        if (elen < 2 || elen > len - off)
            return ACPI_ERR_MADT; /* < 2 would never advance; more would read past the table */
        uint8_t need = entry_min_len(type);
        if (need != 0 && elen < need)
            return ACPI_ERR_MADT;
        /* Longer-than-fixed entries are accepted: later ACPI revisions may append fields. */
        switch (type) {
        case MADT_LAPIC:
            if (acpi_read32(e + 4) & 1)
                add_cpu(out, e[2], e[3], false);
            break;
        case MADT_IOAPIC:
            if (out->ioapic_count < MADT_MAX_IOAPICS) {
                struct madt_ioapic *io = &out->ioapics[out->ioapic_count++];
                io->id = e[2];
                io->address = acpi_read32(e + 4);
                io->gsi_base = acpi_read32(e + 8);
            }
            break;
        case MADT_ISO:
            if (out->override_count < MADT_MAX_OVERRIDES) {
                struct madt_override *o = &out->overrides[out->override_count++];
                o->bus = e[2];
                o->source_irq = e[3];
                o->gsi = acpi_read32(e + 4);
                o->flags = acpi_read16(e + 8);
            }
            break;
        case MADT_LAPIC_OVERRIDE:
            out->lapic_address64 = acpi_read64(e + 4);
            break;
        case MADT_X2APIC:
            if (acpi_read32(e + 8) & 1)
                add_cpu(out, (uint8_t)acpi_read32(e + 12), acpi_read32(e + 4), true);
            break;
        default:
            out->unknown_entries++;
            break;
        }
        off += elen; /* elen <= len - off, so off stays <= len */
    }
    return out->cpu_count == 0 ? ACPI_ERR_NO_CPUS : ACPI_OK;
}

/* Validates the RSDP copy and picks the root table. Returns ACPI_OK with *root_phys and *xsdt
 * set, or ACPI_ERR_RSDP / ACPI_ERR_ROOT (no usable root address). */
static int check_rsdp(const uint8_t *r, size_t rsdp_len, uint64_t *root_phys, bool *xsdt)
{
    if (r == NULL || rsdp_len < RSDP_V1_LEN || !acpi_bytes_equal(r, "RSD PTR ", 8) ||
        !acpi_sum_is_zero(r, RSDP_V1_LEN))
        return ACPI_ERR_RSDP;
    *xsdt = false;
    *root_phys = acpi_read32(r + 16);
    if (r[15] >= 2) {
        if (rsdp_len < RSDP_V2_LEN)
            return ACPI_ERR_RSDP;
        uint32_t len = acpi_read32(r + 20);
        if (len < RSDP_V2_LEN || len > rsdp_len || !acpi_sum_is_zero(r, len))
            return ACPI_ERR_RSDP;
        uint64_t x = acpi_read64(r + 24);
        if (x != 0) {
            *xsdt = true;
            *root_phys = x;
        }
    }
    return *root_phys == 0 ? ACPI_ERR_ROOT : ACPI_OK;
}

/* Walks the root table's entries for the first valid MADT and parses it into out. */
static int find_and_parse(const uint8_t *root, uint32_t root_len, bool xsdt, acpi_map_fn map,
                          void *ctx, struct madt_info *out)
{
    size_t esize = xsdt ? 8 : 4;
    size_t n = (root_len - SDT_HEADER_LEN) / esize;
    bool apic_seen = false;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *ep = root + SDT_HEADER_LEN + i * esize;
        uint64_t phys = xsdt ? acpi_read64(ep) : acpi_read32(ep);
        if (phys == 0)
            continue;
        uint32_t len = 0;
        const uint8_t *t = map_sdt(map, ctx, phys, "APIC", MADT_HEADER_LEN, &len, &apic_seen);
        if (t != NULL)
            return parse_madt(t, len, out);
    }
    return apic_seen ? ACPI_ERR_MADT : ACPI_ERR_NO_MADT;
}

int madt_parse(const void *rsdp, size_t rsdp_len, acpi_map_fn map, void *ctx, struct madt_info *out)
{
    if (out == NULL)
        return ACPI_ERR_RSDP; /* nowhere to report; any nonzero status makes the caller fall back */
    info_clear(out);
    if (map == NULL)
        return ACPI_ERR_ROOT;

    uint64_t root_phys = 0;
    bool xsdt = false;
    int rc = check_rsdp(rsdp, rsdp_len, &root_phys, &xsdt);
    if (rc != ACPI_OK)
        return rc;

    uint32_t root_len = 0;
    bool sig_seen = false;
    const uint8_t *root =
        map_sdt(map, ctx, root_phys, xsdt ? "XSDT" : "RSDT", SDT_HEADER_LEN, &root_len, &sig_seen);
    if (root == NULL)
        return ACPI_ERR_ROOT;

    rc = find_and_parse(root, root_len, xsdt, map, ctx, out);
    if (rc != ACPI_OK) {
        info_clear(out); /* callers must not act on a half-parsed table */
        return rc;
    }
    out->used_xsdt = xsdt;
    return ACPI_OK;
}

const char *acpi_strerror(int status)
{
    switch (status) {
    case ACPI_OK:
        return "ok";
    case ACPI_ERR_RSDP:
        return "bad RSDP (signature, checksum or length)";
    case ACPI_ERR_ROOT:
        return "bad RSDT/XSDT (unreadable, signature, length or checksum)";
    case ACPI_ERR_NO_MADT:
        return "no MADT (APIC table) listed";
    case ACPI_ERR_MADT:
        return "malformed MADT (length, checksum or entry)";
    case ACPI_ERR_NO_CPUS:
        return "MADT lists no enabled processor";
    default:
        return "unknown ACPI status";
    }
}

uint32_t madt_isa_gsi(const struct madt_info *info, uint8_t irq)
{
    if (info == NULL)
        return irq;
    for (size_t i = 0; i < info->override_count && i < MADT_MAX_OVERRIDES; i++) {
        const struct madt_override *o = &info->overrides[i];
        if (o->bus == 0 && o->source_irq == irq)
            return o->gsi;
    }
    return irq;
}
