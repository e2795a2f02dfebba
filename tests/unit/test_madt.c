/*
 * Host unit tests for lib/acpi/madt (RSDP -> XSDT/RSDT -> MADT discovery).
 *
 * Build: gcc -std=c11 -Wall -Wextra -Werror -g -O1 -fsanitize=address,undefined
 *        -fno-sanitize-recover=all -Ilib -Ikernel tests/unit/test_madt.c lib/acpi/madt.c -lcmocka
 *
 * Physical memory is faked by a few malloc'd regions of exactly the table's size at chosen
 * "physical" addresses; the map function returns NULL for any range not wholly inside one, so
 * under ASan any read past what the parser mapped is caught. Besides hand-written good and bad
 * setups, fuzz-style loops corrupt every byte of the MADT and of the root table (fixing the
 * checksum afterwards so parsing goes deep) and truncate the MADT at every length.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "acpi/madt.h"

#define MAX_REGIONS 8
#define RSDT_PHYS   0x7fe1000u
#define XSDT_PHYS   0x7fe2000u
#define FACP_PHYS   0x7fe3000u
#define MADT_PHYS   0x7fe4000u
#define MADT2_PHYS  0x7fe5000u

struct region {
    uint64_t phys;
    size_t len;
    uint8_t *buf;
};

struct fake {
    struct region r[MAX_REGIONS];
    int n;
    uint8_t rsdp[36];
    size_t rsdp_len;
};

/* The fake reader: a pointer into the one region wholly containing [phys, phys+len), or NULL. */
static const void *fake_map(void *ctx, uint64_t phys, size_t len)
{
    struct fake *f = ctx;
    for (int i = 0; i < f->n; i++) {
        struct region *r = &f->r[i];
        if (phys >= r->phys && phys - r->phys <= r->len && len <= r->len - (phys - r->phys))
            return r->buf + (phys - r->phys);
    }
    return NULL;
}

static struct region *find_region(struct fake *f, uint64_t phys)
{
    for (int i = 0; i < f->n; i++) {
        if (f->r[i].phys == phys)
            return &f->r[i];
    }
    return NULL;
}

/* Places an exact-size copy of len bytes at phys, replacing any region already there. */
static void put_region(struct fake *f, uint64_t phys, const uint8_t *bytes, size_t len)
{
    struct region *r = find_region(f, phys);
    if (r == NULL) {
        assert_true(f->n < MAX_REGIONS);
        r = &f->r[f->n++];
    } else {
        free(r->buf);
    }
    r->phys = phys;
    r->len = len;
    r->buf = malloc(len ? len : 1);
    assert_non_null(r->buf);
    if (len)
        memcpy(r->buf, bytes, len);
}

static void fake_free(struct fake *f)
{
    for (int i = 0; i < f->n; i++)
        free(f->r[i].buf);
    f->n = 0;
}

static void wr16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void wr32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void wr64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* Sets the byte at csum_off so the first len bytes of p sum to 0 mod 256. */
static void fix_sum(uint8_t *p, size_t len, size_t csum_off)
{
    p[csum_off] = 0;
    uint8_t s = 0;
    for (size_t i = 0; i < len; i++)
        s = (uint8_t)(s + p[i]);
    p[csum_off] = (uint8_t)-s;
}

/* Fixes the SDT checksum over the table's own length field, clamped to the buffer. */
static void fix_sdt(uint8_t *t, size_t buflen)
{
    if (buflen < 10)
        return;
    size_t len = (size_t)t[4] | (size_t)t[5] << 8 | (size_t)t[6] << 16 | (size_t)t[7] << 24;
    fix_sum(t, len < buflen ? len : buflen, 9);
}

/* A table under construction, header first. */
struct tbl {
    uint8_t b[4096];
    size_t len;
};

static void tbl_begin(struct tbl *t, const char *sig)
{
    memset(t, 0, sizeof(*t));
    memcpy(t->b, sig, 4);
    t->b[8] = 1;
    memcpy(t->b + 10, "MISSIV", 6);
    t->len = 36;
}

static void tbl_finish(struct tbl *t)
{
    wr32(t->b + 4, (uint32_t)t->len);
    fix_sdt(t->b, t->len);
}

static void madt_begin(struct tbl *t, uint32_t lapic, uint32_t flags)
{
    tbl_begin(t, "APIC");
    wr32(t->b + 36, lapic);
    wr32(t->b + 40, flags);
    t->len = 44;
}

static uint8_t *entry(struct tbl *t, uint8_t type, uint8_t len)
{
    assert_true(t->len + len <= sizeof(t->b));
    uint8_t *e = t->b + t->len;
    e[0] = type;
    e[1] = len;
    t->len += len;
    return e;
}

static void add_lapic(struct tbl *t, uint8_t uid, uint8_t apic, uint32_t flags)
{
    uint8_t *e = entry(t, 0, 8);
    e[2] = uid;
    e[3] = apic;
    wr32(e + 4, flags);
}

static void add_ioapic(struct tbl *t, uint8_t id, uint32_t addr, uint32_t gsi)
{
    uint8_t *e = entry(t, 1, 12);
    e[2] = id;
    wr32(e + 4, addr);
    wr32(e + 8, gsi);
}

static void add_iso(struct tbl *t, uint8_t irq, uint32_t gsi, uint16_t flags)
{
    uint8_t *e = entry(t, 2, 10);
    e[2] = 0;
    e[3] = irq;
    wr32(e + 4, gsi);
    wr16(e + 8, flags);
}

static void add_x2apic(struct tbl *t, uint32_t x2id, uint32_t flags, uint32_t uid)
{
    uint8_t *e = entry(t, 9, 16);
    wr32(e + 4, x2id);
    wr32(e + 8, flags);
    wr32(e + 12, uid);
}

/* QEMU-like content: n CPUs (ids 0..n-1), one IOAPIC at 0xfec00000 gsi 0, IRQ0->GSI2, IRQ5, 9,
 * 10, 11 level-triggered active-high, plus one NMI entry (type 4, not interpreted). */
static void qemu_madt(struct tbl *t, int ncpus)
{
    madt_begin(t, 0xfee00000u, 1);
    for (int i = 0; i < ncpus; i++)
        add_lapic(t, (uint8_t)i, (uint8_t)i, 1);
    add_ioapic(t, 0, 0xfec00000u, 0);
    add_iso(t, 0, 2, 0);
    add_iso(t, 5, 5, 0xd);
    add_iso(t, 9, 9, 0xd);
    add_iso(t, 10, 10, 0xd);
    add_iso(t, 11, 11, 0xd);
    uint8_t *nmi = entry(t, 4, 6);
    nmi[2] = 0xff;
    nmi[5] = 1;
    tbl_finish(t);
}

/* Writes the RSDP: ACPI 1.0 (20 bytes, RSDT only) or 2.0 (36 bytes, both pointers). */
static void make_rsdp(struct fake *f, bool v2, uint32_t rsdt, uint64_t xsdt)
{
    memset(f->rsdp, 0, sizeof(f->rsdp));
    memcpy(f->rsdp, "RSD PTR ", 8);
    memcpy(f->rsdp + 9, "MISSIV", 6);
    f->rsdp[15] = v2 ? 2 : 0;
    wr32(f->rsdp + 16, rsdt);
    if (v2) {
        wr32(f->rsdp + 20, 36);
        wr64(f->rsdp + 24, xsdt);
    }
    fix_sum(f->rsdp, 20, 8);
    if (v2)
        fix_sum(f->rsdp, 36, 32);
    f->rsdp_len = v2 ? 36 : 20;
}

/* Builds a root table (RSDT or XSDT) listing the given addresses and maps it. */
static void make_root(struct fake *f, bool xsdt, const uint64_t *tables, int n)
{
    struct tbl t;
    tbl_begin(&t, xsdt ? "XSDT" : "RSDT");
    for (int i = 0; i < n; i++) {
        if (xsdt)
            wr64(t.b + t.len, tables[i]);
        else
            wr32(t.b + t.len, (uint32_t)tables[i]);
        t.len += xsdt ? 8 : 4;
    }
    tbl_finish(&t);
    put_region(f, xsdt ? XSDT_PHYS : RSDT_PHYS, t.b, t.len);
}

/* A full setup: RSDP, root listing a dummy FACP then the MADT, and the given MADT. For v2 both an
 * RSDT and an XSDT exist, as on real firmware. */
static void setup(struct fake *f, bool v2, const struct tbl *madt)
{
    memset(f, 0, sizeof(*f));
    struct tbl facp;
    tbl_begin(&facp, "FACP");
    facp.len = 116;
    tbl_finish(&facp);
    put_region(f, FACP_PHYS, facp.b, facp.len);
    put_region(f, MADT_PHYS, madt->b, madt->len);
    uint64_t list[] = {FACP_PHYS, MADT_PHYS};
    make_root(f, false, list, 2);
    if (v2)
        make_root(f, true, list, 2);
    make_rsdp(f, v2, RSDT_PHYS, v2 ? XSDT_PHYS : 0);
}

static int run(struct fake *f, struct madt_info *info)
{
    return madt_parse(f->rsdp, f->rsdp_len, fake_map, f, info);
}

/* Checks a successful result's invariants, or that a failure left *info zeroed. */
static void check_info(int rc, const struct madt_info *info)
{
    assert_true(rc <= 0 && rc >= ACPI_ERR_NO_CPUS);
    assert_non_null(acpi_strerror(rc));
    if (rc == ACPI_OK) {
        assert_true(info->cpu_count >= 1 && info->cpu_count <= MADT_MAX_CPUS);
        assert_true(info->ioapic_count <= MADT_MAX_IOAPICS);
        assert_true(info->override_count <= MADT_MAX_OVERRIDES);
    } else {
        static const struct madt_info zero;
        assert_memory_equal(info, &zero, sizeof(zero));
    }
}

static void check_qemu(const struct madt_info *info, int ncpus)
{
    assert_int_equal(info->lapic_address, 0xfee00000u);
    assert_int_equal(info->lapic_address64, 0xfee00000u);
    assert_true(info->pcat_compat);
    assert_int_equal(info->cpu_count, ncpus);
    assert_int_equal(info->cpus_dropped, 0);
    for (int i = 0; i < ncpus; i++) {
        assert_int_equal(info->cpus[i].processor_id, i);
        assert_int_equal(info->cpus[i].apic_id, i);
        assert_false(info->cpus[i].x2apic);
    }
    assert_int_equal(info->ioapic_count, 1);
    assert_int_equal(info->ioapics[0].id, 0);
    assert_int_equal(info->ioapics[0].address, 0xfec00000u);
    assert_int_equal(info->ioapics[0].gsi_base, 0);
    assert_int_equal(info->override_count, 5);
    assert_int_equal(info->overrides[0].bus, 0);
    assert_int_equal(info->overrides[0].source_irq, 0);
    assert_int_equal(info->overrides[0].gsi, 2);
    assert_int_equal(info->overrides[2].source_irq, 9);
    assert_int_equal(info->overrides[2].flags, 0xd);
    assert_int_equal(info->unknown_entries, 1);
}

/* --- good setups ---------------------------------------------------------------------------- */

static void test_acpi1_rsdt(void **state)
{
    (void)state;
    struct fake f;
    struct tbl m;
    qemu_madt(&m, 2);
    setup(&f, false, &m);
    struct madt_info info;
    assert_int_equal(run(&f, &info), ACPI_OK);
    check_qemu(&info, 2);
    assert_false(info.used_xsdt);
    fake_free(&f);
}

static void test_acpi2_xsdt(void **state)
{
    (void)state;
    struct fake f;
    struct tbl m;
    qemu_madt(&m, 4);
    setup(&f, true, &m);
    struct madt_info info;
    assert_int_equal(run(&f, &info), ACPI_OK);
    check_qemu(&info, 4);
    assert_true(info.used_xsdt);
    fake_free(&f);
}

/* Revision 2 with a zero XSDT address falls back to the RSDT. */
static void test_acpi2_zero_xsdt_uses_rsdt(void **state)
{
    (void)state;
    struct fake f;
    struct tbl m;
    qemu_madt(&m, 3);
    setup(&f, true, &m);
    make_rsdp(&f, true, RSDT_PHYS, 0);
    struct madt_info info;
    assert_int_equal(run(&f, &info), ACPI_OK);
    assert_false(info.used_xsdt);
    check_qemu(&info, 3);
    fake_free(&f);
}

static void test_x2apic_and_disabled(void **state)
{
    (void)state;
    struct fake f;
    struct tbl m;
    madt_begin(&m, 0xfee00000u, 0);
    add_lapic(&m, 0, 0, 1);
    add_lapic(&m, 1, 1, 0); /* disabled */
    add_lapic(&m, 2, 2, 2); /* online-capable but not enabled: not counted */
    add_x2apic(&m, 0x1234, 1, 0x105);
    add_x2apic(&m, 0x1235, 0, 6); /* disabled */
    entry(&m, 0x7f, 2);           /* unknown, minimal */
    uint8_t *o = entry(&m, 5, 12);
    wr64(o + 4, 0x1fee00000ull);
    tbl_finish(&m);
    setup(&f, true, &m);
    struct madt_info info;
    assert_int_equal(run(&f, &info), ACPI_OK);
    assert_false(info.pcat_compat);
    assert_int_equal(info.cpu_count, 2);
    assert_int_equal(info.cpus[0].apic_id, 0);
    assert_false(info.cpus[0].x2apic);
    assert_int_equal(info.cpus[1].apic_id, 0x1234);
    assert_int_equal(info.cpus[1].processor_id, 0x05);
    assert_true(info.cpus[1].x2apic);
    assert_int_equal(info.lapic_address, 0xfee00000u);
    assert_int_equal(info.lapic_address64, 0x1fee00000ull);
    assert_int_equal(info.unknown_entries, 1);
    assert_int_equal(info.ioapic_count, 0);
    fake_free(&f);
}

static void test_isa_gsi(void **state)
{
    (void)state;
    struct fake f;
    struct tbl m;
    qemu_madt(&m, 2);
    setup(&f, false, &m);
    struct madt_info info;
    assert_int_equal(run(&f, &info), ACPI_OK);
    assert_int_equal(madt_isa_gsi(&info, 0), 2);
    assert_int_equal(madt_isa_gsi(&info, 1), 1);
    assert_int_equal(madt_isa_gsi(&info, 9), 9);
    assert_int_equal(madt_isa_gsi(&info, 15), 15);
    /* An override on another bus does not apply to ISA. */
    info.overrides[1].bus = 1;
    info.overrides[1].gsi = 20;
    assert_int_equal(madt_isa_gsi(&info, 5), 5);
    info.overrides[1].bus = 0;
    assert_int_equal(madt_isa_gsi(&info, 5), 20);
    assert_int_equal(madt_isa_gsi(NULL, 7), 7);
    fake_free(&f);
}

static void test_too_many_cpus(void **state)
{
    (void)state;
    struct fake f;
    struct tbl m;
    madt_begin(&m, 0xfee00000u, 1);
    for (int i = 0; i < MADT_MAX_CPUS + 10; i++)
        add_lapic(&m, (uint8_t)i, (uint8_t)i, 1);
    for (int i = 0; i < MADT_MAX_IOAPICS + 2; i++)
        add_ioapic(&m, (uint8_t)i, 0xfec00000u + 0x1000u * (uint32_t)i, 24u * (uint32_t)i);
    for (int i = 0; i < MADT_MAX_OVERRIDES + 2; i++)
        add_iso(&m, (uint8_t)i, (uint32_t)i + 100, 0);
    tbl_finish(&m);
    setup(&f, true, &m);
    struct madt_info info;
    assert_int_equal(run(&f, &info), ACPI_OK);
    assert_int_equal(info.cpu_count, MADT_MAX_CPUS);
    assert_int_equal(info.cpus_dropped, 10);
    assert_int_equal(info.cpus[MADT_MAX_CPUS - 1].apic_id, MADT_MAX_CPUS - 1);
    assert_int_equal(info.ioapic_count, MADT_MAX_IOAPICS);
    assert_int_equal(info.override_count, MADT_MAX_OVERRIDES);
    fake_free(&f);
}

/* An unreadable listed table, a zero entry and a broken first APIC table are skipped. */
static void test_skips_bad_tables(void **state)
{
    (void)state;
    struct fake f;
    struct tbl m, bad;
    qemu_madt(&m, 2);
    setup(&f, true, &m);
    qemu_madt(&bad, 1);
    bad.b[9]++; /* bad checksum */
    put_region(&f, MADT2_PHYS, bad.b, bad.len);
    uint64_t list[] = {0, 0xdead0000u, MADT2_PHYS, FACP_PHYS, MADT_PHYS};
    make_root(&f, true, list, 5);
    struct madt_info info;
    assert_int_equal(run(&f, &info), ACPI_OK);
    check_qemu(&info, 2);
    fake_free(&f);
}

/* --- errors --------------------------------------------------------------------------------- */

static void expect(struct fake *f, int want)
{
    struct madt_info info;
    memset(&info, 0xa5, sizeof(info));
    int rc = run(f, &info);
    assert_int_equal(rc, want);
    check_info(rc, &info);
    fake_free(f);
}

static void good(struct fake *f, bool v2)
{
    struct tbl m;
    qemu_madt(&m, 2);
    setup(f, v2, &m);
}

static void test_err_rsdp(void **state)
{
    (void)state;
    struct fake f;
    struct madt_info info;

    good(&f, false);
    f.rsdp[8]++; /* checksum */
    expect(&f, ACPI_ERR_RSDP);

    good(&f, false);
    f.rsdp[3] = 'X';
    fix_sum(f.rsdp, 20, 8); /* right checksum, wrong signature */
    expect(&f, ACPI_ERR_RSDP);

    good(&f, true);
    f.rsdp[32]++; /* extended checksum */
    expect(&f, ACPI_ERR_RSDP);

    good(&f, true);
    f.rsdp_len = 20; /* revision 2 but only the 1.0 part given */
    expect(&f, ACPI_ERR_RSDP);

    good(&f, true);
    wr32(f.rsdp + 20, 40); /* length beyond what the caller handed over */
    fix_sum(f.rsdp, 20, 8);
    expect(&f, ACPI_ERR_RSDP);

    good(&f, true);
    wr32(f.rsdp + 20, 20); /* length below the 2.0 structure */
    fix_sum(f.rsdp, 20, 8);
    expect(&f, ACPI_ERR_RSDP);

    good(&f, false);
    f.rsdp_len = 19;
    expect(&f, ACPI_ERR_RSDP);

    good(&f, false);
    assert_int_equal(madt_parse(NULL, 20, fake_map, &f, &info), ACPI_ERR_RSDP);
    fake_free(&f);
}

/* Rewrites the root table's length field and fixes its checksum over the mapped bytes. */
static void set_root_len(struct fake *f, uint64_t phys, uint32_t len)
{
    struct region *r = find_region(f, phys);
    wr32(r->buf + 4, len);
    fix_sdt(r->buf, r->len);
}

static void test_err_root(void **state)
{
    (void)state;
    struct fake f;

    good(&f, true);
    wr64(f.rsdp + 24, 0xdead0000u); /* XSDT pointer unreadable */
    fix_sum(f.rsdp, 36, 32);
    expect(&f, ACPI_ERR_ROOT);

    good(&f, false);
    make_rsdp(&f, false, 0, 0); /* no root at all */
    expect(&f, ACPI_ERR_ROOT);

    good(&f, false);
    set_root_len(&f, RSDT_PHYS, 35);
    expect(&f, ACPI_ERR_ROOT);

    good(&f, true);
    set_root_len(&f, XSDT_PHYS, 0xffffffffu);
    expect(&f, ACPI_ERR_ROOT);

    good(&f, true);
    set_root_len(&f, XSDT_PHYS, ACPI_MAX_TABLE_LEN + 1);
    expect(&f, ACPI_ERR_ROOT);

    good(&f, true);
    set_root_len(&f, XSDT_PHYS, (uint32_t)find_region(&f, XSDT_PHYS)->len + 8);
    expect(&f, ACPI_ERR_ROOT); /* past the mapped region */

    good(&f, true);
    find_region(&f, XSDT_PHYS)->buf[9]++;
    expect(&f, ACPI_ERR_ROOT);

    good(&f, false);
    find_region(&f, RSDT_PHYS)->buf[0] = 'X';
    fix_sdt(find_region(&f, RSDT_PHYS)->buf, find_region(&f, RSDT_PHYS)->len);
    expect(&f, ACPI_ERR_ROOT);

    /* A root table at the top of the address space must not make phys + len wrap. */
    good(&f, true);
    wr64(f.rsdp + 24, UINT64_MAX - 10);
    fix_sum(f.rsdp, 36, 32);
    expect(&f, ACPI_ERR_ROOT);
}

static void test_err_no_madt(void **state)
{
    (void)state;
    struct fake f;
    struct tbl m;
    qemu_madt(&m, 2);
    m.b[3] = 'X'; /* "APIX" */
    tbl_finish(&m);
    setup(&f, true, &m);
    expect(&f, ACPI_ERR_NO_MADT);

    good(&f, false);
    make_root(&f, false, NULL, 0); /* empty RSDT */
    expect(&f, ACPI_ERR_NO_MADT);
}

/* Builds a MADT with the given raw entry bytes after two good CPUs and expects want. */
static void raw_madt(const uint8_t *bytes, size_t n, int want)
{
    struct fake f;
    struct tbl m;
    madt_begin(&m, 0xfee00000u, 1);
    add_lapic(&m, 0, 0, 1);
    add_lapic(&m, 1, 1, 1);
    memcpy(m.b + m.len, bytes, n);
    m.len += n;
    tbl_finish(&m);
    setup(&f, true, &m);
    expect(&f, want);
}

static void test_err_madt(void **state)
{
    (void)state;
    struct fake f;
    struct tbl m;

    qemu_madt(&m, 2);
    m.b[9]++; /* bad checksum */
    setup(&f, true, &m);
    expect(&f, ACPI_ERR_MADT);

    qemu_madt(&m, 2);
    wr32(m.b + 4, 43); /* shorter than the MADT header */
    fix_sdt(m.b, m.len);
    setup(&f, true, &m);
    expect(&f, ACPI_ERR_MADT);

    qemu_madt(&m, 2);
    wr32(m.b + 4, (uint32_t)m.len + 1); /* past the mapped region */
    setup(&f, true, &m);
    expect(&f, ACPI_ERR_MADT);

    const uint8_t len0[] = {0x7f, 0, 0, 0};
    raw_madt(len0, sizeof(len0), ACPI_ERR_MADT);
    const uint8_t len1[] = {0x7f, 1, 0, 0};
    raw_madt(len1, sizeof(len1), ACPI_ERR_MADT);
    const uint8_t lone[] = {0x7f}; /* one trailing byte: no room for a length */
    raw_madt(lone, sizeof(lone), ACPI_ERR_MADT);
    const uint8_t overrun[] = {0x7f, 9, 0, 0, 0, 0, 0, 0};
    raw_madt(overrun, sizeof(overrun), ACPI_ERR_MADT);
    const uint8_t short_ioapic[] = {1, 8, 0, 0, 0, 0, 0xc0, 0xfe};
    raw_madt(short_ioapic, sizeof(short_ioapic), ACPI_ERR_MADT);
    const uint8_t short_lapic[] = {0, 6, 2, 2, 1, 0};
    raw_madt(short_lapic, sizeof(short_lapic), ACPI_ERR_MADT);
    const uint8_t short_iso[] = {2, 8, 0, 0, 2, 0, 0, 0};
    raw_madt(short_iso, sizeof(short_iso), ACPI_ERR_MADT);
    const uint8_t short_x2[] = {9, 12, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0};
    raw_madt(short_x2, sizeof(short_x2), ACPI_ERR_MADT);
    const uint8_t short_ovr[] = {5, 8, 0, 0, 0, 0, 0, 0};
    raw_madt(short_ovr, sizeof(short_ovr), ACPI_ERR_MADT);
    /* A longer-than-fixed known entry is accepted (later revisions append fields). */
    const uint8_t long_lapic[] = {0, 10, 2, 2, 1, 0, 0, 0, 0, 0};
    raw_madt(long_lapic, sizeof(long_lapic), ACPI_OK);
}

static void test_err_no_cpus(void **state)
{
    (void)state;
    struct fake f;
    struct tbl m;
    madt_begin(&m, 0xfee00000u, 1);
    add_lapic(&m, 0, 0, 0);
    add_lapic(&m, 1, 1, 2); /* online-capable only */
    add_x2apic(&m, 300, 0, 2);
    add_ioapic(&m, 0, 0xfec00000u, 0);
    tbl_finish(&m);
    setup(&f, true, &m);
    expect(&f, ACPI_ERR_NO_CPUS);

    madt_begin(&m, 0xfee00000u, 1); /* header only */
    tbl_finish(&m);
    setup(&f, false, &m);
    expect(&f, ACPI_ERR_NO_CPUS);
}

static void test_strerror(void **state)
{
    (void)state;
    for (int s = 1; s >= -7; s--) {
        const char *msg = acpi_strerror(s);
        assert_non_null(msg);
        assert_true(msg[0] != '\0');
    }
}

/* --- fuzz-style ----------------------------------------------------------------------------- */

/* Every value of every byte of the table at phys, checksum fixed up afterwards (except when the
 * checksum byte itself is the one corrupted). Only invariants are checked: ASan and UBSan catch
 * out-of-bounds reads and overflow, and the loop finishing shows parsing always terminates. */
static void corrupt_every_byte(bool v2, uint64_t phys)
{
    struct fake f;
    struct tbl m;
    qemu_madt(&m, 3);
    add_x2apic(&m, 0x200, 1, 7);
    tbl_finish(&m);
    setup(&f, v2, &m);
    struct region *r = find_region(&f, phys);
    uint8_t *orig = malloc(r->len);
    assert_non_null(orig);
    memcpy(orig, r->buf, r->len);
    int ok = 0;
    for (size_t i = 0; i < r->len; i++) {
        for (int v = 0; v < 256; v++) {
            memcpy(r->buf, orig, r->len);
            r->buf[i] = (uint8_t)v;
            if (i != 9)
                fix_sdt(r->buf, r->len);
            struct madt_info info;
            int rc = run(&f, &info);
            check_info(rc, &info);
            ok += rc == ACPI_OK;
        }
    }
    assert_true(ok > 0);
    free(orig);
    fake_free(&f);
}

static void test_fuzz_madt_bytes(void **state)
{
    (void)state;
    corrupt_every_byte(true, MADT_PHYS);
    corrupt_every_byte(false, MADT_PHYS);
}

static void test_fuzz_root_bytes(void **state)
{
    (void)state;
    corrupt_every_byte(true, XSDT_PHYS);
    corrupt_every_byte(false, RSDT_PHYS);
}

/* Every truncation of the MADT: length field L with the table's region cut to exactly L bytes
 * and the checksum fixed over them, so an over-read past L is an ASan error. */
static void test_fuzz_madt_truncation(void **state)
{
    (void)state;
    struct tbl m;
    qemu_madt(&m, 4);
    size_t full = m.len;
    for (size_t l = 0; l <= full; l++) {
        struct fake f;
        struct tbl t = m;
        wr32(t.b + 4, (uint32_t)l);
        fix_sdt(t.b, l);
        t.len = l;
        setup(&f, true, &t);
        struct madt_info info;
        int rc = run(&f, &info);
        check_info(rc, &info);
        if (l < 36)
            assert_int_equal(rc, ACPI_ERR_NO_MADT); /* header unreadable: nothing seen */
        else if (l < 44)
            assert_int_equal(rc, ACPI_ERR_MADT);
        else if (l == full)
            assert_int_equal(rc, ACPI_OK);
        else if (l == 44)
            assert_int_equal(rc, ACPI_ERR_NO_CPUS);
        fake_free(&f);

        /* Same length field, but the full table still mapped: trailing bytes ignored safely. */
        t = m;
        wr32(t.b + 4, (uint32_t)l);
        fix_sdt(t.b, t.len);
        setup(&f, false, &t);
        rc = run(&f, &info);
        check_info(rc, &info);
        fake_free(&f);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_acpi1_rsdt),
        cmocka_unit_test(test_acpi2_xsdt),
        cmocka_unit_test(test_acpi2_zero_xsdt_uses_rsdt),
        cmocka_unit_test(test_x2apic_and_disabled),
        cmocka_unit_test(test_isa_gsi),
        cmocka_unit_test(test_too_many_cpus),
        cmocka_unit_test(test_skips_bad_tables),
        cmocka_unit_test(test_err_rsdp),
        cmocka_unit_test(test_err_root),
        cmocka_unit_test(test_err_no_madt),
        cmocka_unit_test(test_err_madt),
        cmocka_unit_test(test_err_no_cpus),
        cmocka_unit_test(test_strerror),
        cmocka_unit_test(test_fuzz_madt_bytes),
        cmocka_unit_test(test_fuzz_root_bytes),
        cmocka_unit_test(test_fuzz_madt_truncation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
