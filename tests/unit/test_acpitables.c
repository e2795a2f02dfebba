/*
 * Host unit tests for lib/acpi/tables (RSDP, XSDT/RSDT, every table's length and checksum,
 * FADT, MCFG, HPET).
 *
 * Physical memory is faked by malloc'd regions of exactly each table's size; the map function
 * returns NULL for a range not wholly inside one, so under ASan a read past what the parser
 * mapped is caught. Every table is built by hand with the offsets of the ACPI specification.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "acpi/tables.h"

#define MAX_REGIONS 16
#define RSDT_PHYS   0x1ffe1000u
#define XSDT_PHYS   0x1ffe2000u
#define FACP_PHYS   0x1ffe3000u
#define DSDT_PHYS   0x1ffe4000u
#define SSDT_PHYS   0x1ffe5000u
#define SSDT2_PHYS  0x1ffe6000u
#define MCFG_PHYS   0x1ffe7000u
#define HPET_PHYS   0x1ffe8000u
#define DSDT2_PHYS  0x1ffe9000u

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
    char warned[8][5];
    char why[8][80];
    int warnings;
};

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

static void fake_warn(void *ctx, const char sig[4], uint64_t phys, const char *why)
{
    struct fake *f = ctx;
    (void)phys;
    if (f->warnings < 8) {
        memcpy(f->warned[f->warnings], sig, 4);
        f->warned[f->warnings][4] = 0;
        size_t n = 0;
        while (why[n] && n < 79) {
            f->why[f->warnings][n] = why[n];
            n++;
        }
        f->why[f->warnings][n] = 0;
    }
    f->warnings++;
}

static void put(struct fake *f, uint64_t phys, const uint8_t *bytes, size_t len)
{
    assert_true(f->n < MAX_REGIONS);
    struct region *r = &f->r[f->n++];
    r->phys = phys;
    r->len = len;
    r->buf = malloc(len);
    assert_non_null(r->buf);
    memcpy(r->buf, bytes, len);
}

static void fake_free(struct fake *f)
{
    for (int i = 0; i < f->n; i++)
        free(f->r[i].buf);
    memset(f, 0, sizeof *f);
}

static void w16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void w32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void w64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void fix_checksum(uint8_t *t, size_t len, size_t at)
{
    uint8_t sum = 0;
    t[at] = 0;
    for (size_t i = 0; i < len; i++)
        sum = (uint8_t)(sum + t[i]);
    t[at] = (uint8_t)(0 - sum);
}

/* A table header: signature, length, revision, OEM ids; checksum fixed by the caller. */
static void header(uint8_t *t, const char *sig, uint32_t len, uint8_t revision)
{
    memset(t, 0, len);
    memcpy(t, sig, 4);
    w32(t + 4, len);
    t[8] = revision;
    memcpy(t + 10, "BOCHS ", 6);
    memcpy(t + 16, "BXPC    ", 8);
}

static void put_table(struct fake *f, uint64_t phys, uint8_t *t, uint32_t len)
{
    fix_checksum(t, len, 9);
    put(f, phys, t, len);
}

static void rsdp_v1(struct fake *f, uint32_t rsdt)
{
    memset(f->rsdp, 0, sizeof f->rsdp);
    memcpy(f->rsdp, "RSD PTR ", 8);
    memcpy(f->rsdp + 9, "BOCHS ", 6);
    w32(f->rsdp + 16, rsdt);
    fix_checksum(f->rsdp, 20, 8);
    f->rsdp_len = 20;
}

static void rsdp_v2(struct fake *f, uint32_t rsdt, uint64_t xsdt)
{
    rsdp_v1(f, rsdt);
    f->rsdp[15] = 2;
    w32(f->rsdp + 20, 36);
    w64(f->rsdp + 24, xsdt);
    fix_checksum(f->rsdp, 20, 8);
    fix_checksum(f->rsdp, 36, 32);
    f->rsdp_len = 36;
}

static void root(struct fake *f, bool xsdt, uint64_t phys, const uint64_t *entries, int n)
{
    size_t entry = xsdt ? 8 : 4;
    uint32_t len = (uint32_t)(36 + entry * (size_t)n);
    uint8_t t[256];
    header(t, xsdt ? "XSDT" : "RSDT", len, 1);
    for (int i = 0; i < n; i++) {
        if (xsdt)
            w64(t + 36 + 8 * i, entries[i]);
        else
            w32(t + 36 + 4 * i, (uint32_t)entries[i]);
    }
    put_table(f, phys, t, len);
}

/* QEMU pc's revision-1 FADT: PM ports 0x600/0x604/0x608, SCI 9, SMI_CMD 0xb2. */
static void fadt_v1(struct fake *f, uint32_t dsdt)
{
    uint8_t t[116];
    header(t, "FACP", sizeof t, 1);
    w32(t + 40, dsdt);
    w16(t + 46, 9);
    w32(t + 48, 0xb2);
    t[52] = 0xf1;
    t[53] = 0xf0;
    w32(t + 56, 0x600);
    w32(t + 64, 0x604);
    w32(t + 76, 0x608);
    t[88] = 4;
    t[89] = 2;
    t[91] = 4;
    w32(t + 112, 0x4a5);
    put_table(f, FACP_PHYS, t, sizeof t);
}

static void aml_table(struct fake *f, uint64_t phys, const char *sig, uint32_t len)
{
    uint8_t t[64];
    assert_true(len <= sizeof t);
    header(t, sig, len, 2);
    for (uint32_t i = 36; i < len; i++)
        t[i] = (uint8_t)(0x10 + i);
    put_table(f, phys, t, len);
}

static void test_rsdp(void **state)
{
    (void)state;
    struct fake f = {0};
    uint64_t addr;
    bool xsdt;
    rsdp_v1(&f, RSDT_PHYS);
    assert_int_equal(acpi_rsdp_root(f.rsdp, 20, &addr, &xsdt), ACPI_OK);
    assert_int_equal(addr, RSDT_PHYS);
    assert_false(xsdt);
    f.rsdp[12] ^= 1; /* the 1.0 checksum */
    assert_int_equal(acpi_rsdp_root(f.rsdp, 20, &addr, &xsdt), ACPI_ERR_RSDP);
    rsdp_v2(&f, RSDT_PHYS, XSDT_PHYS);
    assert_int_equal(acpi_rsdp_root(f.rsdp, 36, &addr, &xsdt), ACPI_OK);
    assert_int_equal(addr, XSDT_PHYS);
    assert_true(xsdt);
    assert_int_equal(acpi_rsdp_root(f.rsdp, 20, &addr, &xsdt), ACPI_ERR_RSDP); /* cut short */
    f.rsdp[30] ^= 1; /* the extended checksum only */
    assert_int_equal(acpi_rsdp_root(f.rsdp, 36, &addr, &xsdt), ACPI_ERR_RSDP);
    rsdp_v2(&f, RSDT_PHYS, 0); /* revision 2 without an XSDT: the RSDT */
    assert_int_equal(acpi_rsdp_root(f.rsdp, 36, &addr, &xsdt), ACPI_OK);
    assert_int_equal(addr, RSDT_PHYS);
    memcpy(f.rsdp, "RSD PTX ", 8);
    assert_int_equal(acpi_rsdp_root(f.rsdp, 36, &addr, &xsdt), ACPI_ERR_RSDP);
}

/* pc: RSDT -> FACP (revision 1) -> DSDT, an SSDT, HPET. */
static void test_scan_pc(void **state)
{
    (void)state;
    struct fake f = {0};
    struct acpi_tables t;
    rsdp_v1(&f, RSDT_PHYS);
    uint64_t entries[] = {FACP_PHYS, SSDT_PHYS, HPET_PHYS};
    root(&f, false, RSDT_PHYS, entries, 3);
    fadt_v1(&f, DSDT_PHYS);
    aml_table(&f, DSDT_PHYS, "DSDT", 60);
    aml_table(&f, SSDT_PHYS, "SSDT", 50);
    uint8_t h[56];
    header(h, "HPET", 56, 1);
    w32(h + 36, 0x8086a201);
    w64(h + 44, 0xfed00000);
    w16(h + 53, 0x80);
    put_table(&f, HPET_PHYS, h, 56);
    assert_int_equal(acpi_tables_scan(f.rsdp, f.rsdp_len, fake_map, &f, fake_warn, &f, &t),
                     ACPI_OK);
    assert_int_equal(f.warnings, 0);
    assert_false(t.xsdt);
    assert_int_equal(t.count, 4);
    assert_memory_equal(t.tables[0].signature, "FACP", 4);
    assert_memory_equal(t.tables[1].signature, "DSDT", 4); /* right after the FADT */
    assert_memory_equal(t.tables[2].signature, "SSDT", 4);
    assert_int_equal(t.tables[1].length, 60);
    assert_int_equal(t.tables[1].phys, DSDT_PHYS);
    assert_memory_equal(t.tables[0].oem_id, "BOCHS ", 6);
    assert_true(t.has_fadt);
    assert_int_equal(t.fadt.revision, 1);
    assert_int_equal(t.fadt.sci_int, 9);
    assert_int_equal(t.fadt.smi_cmd, 0xb2);
    assert_int_equal(t.fadt.acpi_enable, 0xf1);
    assert_int_equal(t.fadt.pm1a_evt.address, 0x600);
    assert_int_equal(t.fadt.pm1a_evt.space, ACPI_GAS_IO);
    assert_int_equal(t.fadt.pm1a_cnt.address, 0x604);
    assert_int_equal(t.fadt.pm1a_cnt.bit_width, 16);
    assert_int_equal(t.fadt.pm_tmr.address, 0x608);
    assert_int_equal(t.fadt.pm1b_cnt.address, 0);
    assert_false(t.fadt.reset_supported); /* revision 1: none */
    const struct acpi_table *hp = acpi_tables_find(&t, "HPET", 0);
    assert_non_null(hp);
    struct acpi_hpet hpet;
    assert_true(acpi_hpet_parse(fake_map(&f, hp->phys, hp->length), hp->length, &hpet));
    assert_int_equal(hpet.address.address, 0xfed00000);
    assert_int_equal(hpet.min_tick, 0x80);
    assert_null(acpi_tables_find(&t, "SSDT", 1));
    assert_non_null(acpi_tables_find(&t, "SSDT", 0));
    fake_free(&f);
}

/* q35-like: XSDT preferred over a (broken) RSDT; FADT revision 3 with X_ fields and the reset
   register; MCFG; two SSDTs, one with a bad checksum, one whose length runs past memory. */
static void test_scan_xsdt(void **state)
{
    (void)state;
    struct fake f = {0};
    struct acpi_tables t;
    rsdp_v2(&f, RSDT_PHYS, XSDT_PHYS);
    uint64_t entries[] = {FACP_PHYS, SSDT_PHYS, SSDT2_PHYS, MCFG_PHYS, 0x1ffe5800u};
    root(&f, true, XSDT_PHYS, entries, 5);
    uint8_t broken[36];
    header(broken, "RSDT", 36, 1); /* not checksummed: must not be looked at */
    put(&f, RSDT_PHYS, broken, 36);
    uint8_t fadt[244];
    header(fadt, "FACP", sizeof fadt, 3);
    w32(fadt + 40, DSDT2_PHYS); /* the 32-bit DSDT loses to X_DSDT */
    w64(fadt + 140, DSDT_PHYS);
    w16(fadt + 46, 9);
    w32(fadt + 56, 0x600);
    w32(fadt + 64, 0x604);
    fadt[88] = 4;
    fadt[89] = 2;
    w32(fadt + 112, ACPI_FADT_RESET_REG_SUP);
    fadt[116] = ACPI_GAS_IO;
    fadt[117] = 8;
    w64(fadt + 120, 0xcf9);
    fadt[128] = 0x0f;
    fadt[172] = ACPI_GAS_IO; /* X_PM1a_CNT: 0x704 wins over 0x604 */
    fadt[173] = 16;
    w64(fadt + 176, 0x704);
    put_table(&f, FACP_PHYS, fadt, sizeof fadt);
    aml_table(&f, DSDT_PHYS, "DSDT", 40);
    aml_table(&f, DSDT2_PHYS, "DSDT", 44);
    aml_table(&f, SSDT_PHYS, "SSDT", 40);
    f.r[f.n - 1].buf[20] ^= 0x55; /* bad checksum */
    uint8_t s2[40];
    header(s2, "SSDT", 40, 2);
    w32(s2 + 4, 4000); /* length past the end of the memory */
    fix_checksum(s2, 40, 9);
    put(&f, SSDT2_PHYS, s2, 40);
    uint8_t mcfg[44 + 16 + 8];
    header(mcfg, "MCFG", sizeof mcfg, 1);
    w64(mcfg + 44, 0xb0000000);
    mcfg[54] = 0;
    mcfg[55] = 255;
    put_table(&f, MCFG_PHYS, mcfg, sizeof mcfg);
    assert_int_equal(acpi_tables_scan(f.rsdp, f.rsdp_len, fake_map, &f, fake_warn, &f, &t),
                     ACPI_OK);
    assert_true(t.xsdt);
    assert_int_equal(t.count, 3); /* FACP, DSDT, MCFG */
    assert_int_equal(t.refused, 3);
    assert_int_equal(f.warnings, 3);
    assert_string_equal(f.warned[0], "SSDT");
    assert_string_equal(f.why[0], "bad checksum");
    assert_string_equal(f.warned[1], "SSDT");
    assert_string_equal(f.why[1], "length runs past the end of the firmware memory granted");
    assert_string_equal(f.why[2], "its header is outside the firmware memory granted");
    const struct acpi_table *d = acpi_tables_find(&t, "DSDT", 0);
    assert_non_null(d);
    assert_int_equal(d->phys, DSDT_PHYS);
    assert_int_equal(t.fadt.pm1a_cnt.address, 0x704);
    assert_int_equal(t.fadt.pm1a_evt.address, 0x600);
    assert_true(t.fadt.reset_supported);
    assert_int_equal(t.fadt.reset_reg.address, 0xcf9);
    assert_int_equal(t.fadt.reset_reg.space, ACPI_GAS_IO);
    assert_int_equal(t.fadt.reset_value, 0x0f);
    const struct acpi_table *m = acpi_tables_find(&t, "MCFG", 0);
    struct acpi_mcfg_entry e[4];
    assert_int_equal(acpi_mcfg_parse(fake_map(&f, m->phys, m->length), m->length, e, 4), 1);
    assert_int_equal(e[0].base, 0xb0000000);
    assert_int_equal(e[0].bus_last, 255);
    assert_int_equal(acpi_mcfg_parse(fake_map(&f, m->phys, m->length), 40, e, 4), -1);
    fake_free(&f);
}

/* A bad root table keeps nothing; a bad DSDT is refused by name; a table listed twice is
   kept once; a FADT shorter than revision 1 is refused. */
static void test_scan_bad(void **state)
{
    (void)state;
    struct fake f = {0};
    struct acpi_tables t;
    rsdp_v1(&f, RSDT_PHYS);
    uint8_t r[40];
    header(r, "RSDT", 40, 1);
    w32(r + 36, FACP_PHYS);
    put(&f, RSDT_PHYS, r, 40); /* checksum not fixed */
    assert_int_equal(acpi_tables_scan(f.rsdp, f.rsdp_len, fake_map, &f, fake_warn, &f, &t),
                     ACPI_ERR_ROOT);
    assert_int_equal(t.count, 0);
    assert_string_equal(f.warned[0], "RSDT");
    fake_free(&f);

    rsdp_v1(&f, RSDT_PHYS);
    uint64_t entries[] = {FACP_PHYS, FACP_PHYS, SSDT_PHYS};
    root(&f, false, RSDT_PHYS, entries, 3);
    fadt_v1(&f, DSDT_PHYS);
    aml_table(&f, DSDT_PHYS, "DSDT", 40);
    f.r[f.n - 1].buf[37] ^= 1;
    uint8_t short_fadt[100];
    header(short_fadt, "FACP", 100, 1);
    put_table(&f, SSDT_PHYS, short_fadt, 100);
    assert_int_equal(acpi_tables_scan(f.rsdp, f.rsdp_len, fake_map, &f, fake_warn, &f, &t),
                     ACPI_OK);
    assert_int_equal(t.count, 1); /* the FADT, once */
    assert_int_equal(f.warnings, 2);
    assert_string_equal(f.warned[0], "DSDT");
    assert_string_equal(f.why[0], "bad checksum");
    assert_string_equal(f.warned[1], "FACP");
    assert_string_equal(f.why[1], "shorter than a revision-1 FADT");
    assert_null(acpi_tables_find(&t, "DSDT", 0));
    fake_free(&f);
}

/* Every byte of the root table and the FADT changed, checksums fixed so parsing goes deep,
   and every truncation of the FADT: no crash, no read outside what was mapped (ASan). */
static void test_fuzz(void **state)
{
    (void)state;
    for (int which = 0; which < 2; which++) {
        for (size_t at = 0; at < (which ? 116u : 48u); at++) {
            for (int v = 0; v < 256; v += 51) {
                struct fake f = {0};
                struct acpi_tables t;
                rsdp_v1(&f, RSDT_PHYS);
                uint64_t entries[] = {FACP_PHYS, SSDT_PHYS, DSDT_PHYS};
                root(&f, false, RSDT_PHYS, entries, 3);
                fadt_v1(&f, DSDT_PHYS);
                aml_table(&f, DSDT_PHYS, "DSDT", 40);
                aml_table(&f, SSDT_PHYS, "SSDT", 40);
                struct region *r = &f.r[which];
                r->buf[at] = (uint8_t)v;
                fix_checksum(r->buf, r->len, 9);
                int status = acpi_tables_scan(f.rsdp, f.rsdp_len, fake_map, &f, NULL, NULL, &t);
                assert_true(status == ACPI_OK || status == ACPI_ERR_ROOT);
                assert_true(t.count <= 3);
                fake_free(&f);
            }
        }
    }
    uint8_t fadt[244];
    header(fadt, "FACP", sizeof fadt, 3);
    for (size_t len = 0; len <= sizeof fadt; len++) {
        struct acpi_fadt out;
        uint8_t *copy = malloc(len ? len : 1);
        memcpy(copy, fadt, len);
        assert_int_equal(acpi_fadt_parse(copy, len, &out), len >= 116);
        free(copy);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rsdp),      cmocka_unit_test(test_scan_pc),
        cmocka_unit_test(test_scan_xsdt), cmocka_unit_test(test_scan_bad),
        cmocka_unit_test(test_fuzz),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
