/*
 * Host unit tests for kernel/bootmem (the boot-time frame allocator).
 *
 * Build: gcc -std=c11 -Wall -Wextra -Werror -g -fsanitize=address,undefined
 *        -fno-sanitize-recover=all -Ikernel tests/unit/test_bootmem.c kernel/bootmem.c -lcmocka
 *
 * Besides hand-written cases, randomized tests drive the allocator with seeded random adds and
 * reserves and compare it against a page bitmap that models the documented rules: add frees
 * the pages wholly inside a range, reserve withholds every page a range touches.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "bootmem.h"

#define P   ((uint64_t)BOOTMEM_PAGE)
#define TOP (UINT64_MAX & ~(P - 1)) /* the highest page's base: 0xfffffffffffff000 */

/* Checks the structural invariants: sorted, disjoint, not adjacent, page-aligned, non-empty. */
static void check_ranges(const struct bootmem *bm)
{
    assert_true(bm->count <= BOOTMEM_MAX_RANGES);
    uint64_t sum = 0;
    for (unsigned i = 0; i < bm->count; i++) {
        const struct bootmem_range *r = &bm->free[i];
        assert_int_equal(r->base % P, 0);
        assert_int_equal(r->end % P, 0);
        assert_true(r->base < r->end);
        if (i > 0)
            assert_true(bm->free[i - 1].end < r->base);
        sum += r->end - r->base;
    }
    assert_int_equal(bootmem_free_bytes(bm), sum);
}

/* Checks that the free ranges are exactly the given [base, end) pairs. */
static void expect_ranges(const struct bootmem *bm, unsigned count, const uint64_t *pairs)
{
    check_ranges(bm);
    assert_int_equal(bm->count, count);
    for (unsigned i = 0; i < count; i++) {
        assert_int_equal(bm->free[i].base, pairs[2 * i]);
        assert_int_equal(bm->free[i].end, pairs[2 * i + 1]);
    }
}

#define EXPECT_RANGES(bm, ...)                                                                     \
    do {                                                                                           \
        const uint64_t pairs_[] = {__VA_ARGS__};                                                   \
        expect_ranges((bm), (unsigned)(sizeof pairs_ / sizeof pairs_[0] / 2), pairs_);             \
    } while (0)

/* A fresh allocator is empty and hands out nothing. */
static void test_init_empty(void **state)
{
    (void)state;
    struct bootmem bm;
    memset(&bm, 0x5a, sizeof bm);
    bootmem_init(&bm);
    assert_int_equal(bm.count, 0);
    assert_int_equal(bm.total, 0);
    assert_int_equal(bm.reserved, 0);
    assert_int_equal(bm.used, 0);
    assert_int_equal(bm.lost, 0);
    assert_int_equal(bootmem_free_bytes(&bm), 0);
    assert_int_equal(bootmem_alloc(&bm, UINT64_MAX), BOOTMEM_NONE);
    /* Reserving in an empty allocator withholds nothing. */
    bootmem_reserve(&bm, 0, 1 << 20);
    assert_int_equal(bm.reserved, 0);
    assert_int_equal(bm.count, 0);
}

/* bootmem_add shrinks a range inward to whole pages; less than a whole page adds nothing. */
static void test_add_rounds_inward(void **state)
{
    (void)state;
    struct bootmem bm;
    bootmem_init(&bm);

    bootmem_add(&bm, 0x1001, 0x3000); /* [0x1001, 0x4001) -> [0x2000, 0x4000) */
    EXPECT_RANGES(&bm, 0x2000, 0x4000);
    assert_int_equal(bm.total, 0x2000);

    bootmem_add(&bm, 0x10000, 0x1fff); /* [0x10000, 0x11fff) -> [0x10000, 0x11000) */
    EXPECT_RANGES(&bm, 0x2000, 0x4000, 0x10000, 0x11000);
    assert_int_equal(bm.total, 0x3000);

    /* Spans shorter than a page after rounding add nothing. */
    bootmem_add(&bm, 0x20001, 0x1fff); /* [0x20001, 0x22000) -> [0x21000, 0x22000) */
    assert_int_equal(bm.total, 0x4000);
    bootmem_add(&bm, 0x30001, 0x1ffe); /* [0x30001, 0x31fff) -> nothing */
    bootmem_add(&bm, 0x40000, 0xfff);
    bootmem_add(&bm, 0x50800, 0x1000);
    bootmem_add(&bm, 0x60000, 0);
    bootmem_add(&bm, 0, 0);
    EXPECT_RANGES(&bm, 0x2000, 0x4000, 0x10000, 0x11000, 0x21000, 0x22000);
    assert_int_equal(bm.total, 0x4000);
    assert_int_equal(bm.lost, 0);
}

/* bootmem_reserve grows a range outward to whole pages; a zero length withholds nothing. */
static void test_reserve_rounds_outward(void **state)
{
    (void)state;
    struct bootmem bm;
    bootmem_init(&bm);
    bootmem_add(&bm, 0, 0x10000);

    bootmem_reserve(&bm, 0x1fff, 2); /* [0x1fff, 0x2001) -> [0x1000, 0x3000) */
    EXPECT_RANGES(&bm, 0x0, 0x1000, 0x3000, 0x10000);
    assert_int_equal(bm.reserved, 0x2000);

    bootmem_reserve(&bm, 0x5000, 1); /* one byte withholds its whole page */
    EXPECT_RANGES(&bm, 0x0, 0x1000, 0x3000, 0x5000, 0x6000, 0x10000);
    assert_int_equal(bm.reserved, 0x3000);

    bootmem_reserve(&bm, 0x8000, 0); /* nothing */
    bootmem_reserve(&bm, 0x8fff, 0);
    EXPECT_RANGES(&bm, 0x0, 0x1000, 0x3000, 0x5000, 0x6000, 0x10000);
    assert_int_equal(bm.reserved, 0x3000);

    bootmem_reserve(&bm, 0xa000, 0x1000); /* aligned: exactly one page */
    EXPECT_RANGES(&bm, 0x0, 0x1000, 0x3000, 0x5000, 0x6000, 0xa000, 0xb000, 0x10000);
    assert_int_equal(bm.reserved, 0x4000);
    assert_int_equal(bm.total, 0x10000);
    assert_int_equal(bootmem_free_bytes(&bm), 0x10000 - 0x4000);
}

/* Overlapping, contained, duplicate and adjacent adds merge, and total counts each byte once. */
static void test_add_merges(void **state)
{
    (void)state;
    struct bootmem bm;
    bootmem_init(&bm);

    bootmem_add(&bm, 0x10000, 0x4000);
    bootmem_add(&bm, 0x12000, 0x4000); /* overlaps the upper half */
    EXPECT_RANGES(&bm, 0x10000, 0x16000);
    assert_int_equal(bm.total, 0x6000);

    bootmem_add(&bm, 0xe000, 0x3000); /* overlaps the lower end */
    EXPECT_RANGES(&bm, 0xe000, 0x16000);
    assert_int_equal(bm.total, 0x8000);

    bootmem_add(&bm, 0x16000, 0x1000); /* adjacent above */
    bootmem_add(&bm, 0xd000, 0x1000);  /* adjacent below */
    EXPECT_RANGES(&bm, 0xd000, 0x17000);
    assert_int_equal(bm.total, 0xa000);

    bootmem_add(&bm, 0xd000, 0xa000); /* duplicate */
    bootmem_add(&bm, 0xf000, 0x2000); /* contained */
    bootmem_add(&bm, 0xd800, 0x9000); /* contained after rounding */
    EXPECT_RANGES(&bm, 0xd000, 0x17000);
    assert_int_equal(bm.total, 0xa000);

    /* Ranges added out of order end up sorted. */
    bootmem_add(&bm, 0x40000, 0x1000);
    bootmem_add(&bm, 0x1000, 0x1000);
    bootmem_add(&bm, 0x20000, 0x1000);
    EXPECT_RANGES(&bm, 0x1000, 0x2000, 0xd000, 0x17000, 0x20000, 0x21000, 0x40000, 0x41000);
    assert_int_equal(bm.total, 0xd000);

    /* One add covering several ranges and the gaps between swallows them all. */
    bootmem_add(&bm, 0x1800, 0x20000); /* [0x1800, 0x21800) -> [0x2000, 0x21000) */
    EXPECT_RANGES(&bm, 0x1000, 0x21000, 0x40000, 0x41000);
    assert_int_equal(bm.total, 0x21000);

    /* An add that touches two ranges at both ends bridges them. */
    bootmem_add(&bm, 0x21000, 0x1f000);
    EXPECT_RANGES(&bm, 0x1000, 0x41000);
    assert_int_equal(bm.total, 0x40000);
    assert_int_equal(bm.lost, 0);
}

/* Reserves at a range's start, end and middle, of a whole range and across several ranges. */
static void test_reserve_shapes(void **state)
{
    (void)state;
    struct bootmem bm;
    bootmem_init(&bm);
    bootmem_add(&bm, 0x10000, 0x10000); /* [0x10000, 0x20000) */

    bootmem_reserve(&bm, 0x10000, 0x2000); /* start */
    EXPECT_RANGES(&bm, 0x12000, 0x20000);
    assert_int_equal(bm.reserved, 0x2000);

    bootmem_reserve(&bm, 0x1e000, 0x2000); /* end */
    EXPECT_RANGES(&bm, 0x12000, 0x1e000);
    assert_int_equal(bm.reserved, 0x4000);

    bootmem_reserve(&bm, 0x15000, 0x3000); /* middle: split */
    EXPECT_RANGES(&bm, 0x12000, 0x15000, 0x18000, 0x1e000);
    assert_int_equal(bm.reserved, 0x7000);

    bootmem_reserve(&bm, 0x12000, 0x3000); /* a whole range */
    EXPECT_RANGES(&bm, 0x18000, 0x1e000);
    assert_int_equal(bm.reserved, 0xa000);

    /* Reserving it again, or memory never added, withholds no usable bytes. */
    bootmem_reserve(&bm, 0x12000, 0x3000);
    bootmem_reserve(&bm, 0x0, 0x10000);
    bootmem_reserve(&bm, 0x30000, 0x100000);
    EXPECT_RANGES(&bm, 0x18000, 0x1e000);
    assert_int_equal(bm.reserved, 0xa000);

    /* Across several ranges: cut the first's top, drop the middle ones, cut the last's bottom;
       reserved counts only the usable bytes, not the gaps. */
    bootmem_init(&bm);
    bootmem_add(&bm, 0x1000, 0x3000);  /* [0x1000, 0x4000) */
    bootmem_add(&bm, 0x6000, 0x1000);  /* [0x6000, 0x7000) */
    bootmem_add(&bm, 0x9000, 0x2000);  /* [0x9000, 0xb000) */
    bootmem_add(&bm, 0xd000, 0x3000);  /* [0xd000, 0x10000) */
    bootmem_add(&bm, 0x20000, 0x1000); /* [0x20000, 0x21000), untouched */
    assert_int_equal(bm.total, 0xa000);
    bootmem_reserve(&bm, 0x2800, 0xc000); /* [0x2800, 0xe800) -> [0x2000, 0xf000) */
    EXPECT_RANGES(&bm, 0x1000, 0x2000, 0xf000, 0x10000, 0x20000, 0x21000);
    assert_int_equal(bm.reserved, 0x2000 + 0x1000 + 0x2000 + 0x2000);
    assert_int_equal(bm.total, 0xa000);
    assert_int_equal(bootmem_free_bytes(&bm) + bm.reserved, bm.total);

    /* Everything at once. */
    bootmem_reserve(&bm, 0, 0x100000);
    assert_int_equal(bm.count, 0);
    assert_int_equal(bm.reserved, bm.total);
}

/* bootmem_alloc hands out the lowest free page first and drops exhausted ranges. */
static void test_alloc_lowest_first(void **state)
{
    (void)state;
    struct bootmem bm;
    bootmem_init(&bm);
    bootmem_add(&bm, 0x10000, 0x2000);
    bootmem_add(&bm, 0x3000, 0x1000);
    bootmem_add(&bm, 0x7000, 0x2000);
    bootmem_reserve(&bm, 0x8000, 1);

    assert_int_equal(bootmem_alloc(&bm, UINT64_MAX), 0x3000);
    assert_int_equal(bootmem_alloc(&bm, UINT64_MAX), 0x7000);
    EXPECT_RANGES(&bm, 0x10000, 0x12000);
    assert_int_equal(bootmem_alloc(&bm, UINT64_MAX), 0x10000);
    EXPECT_RANGES(&bm, 0x11000, 0x12000);
    assert_int_equal(bootmem_alloc(&bm, UINT64_MAX), 0x11000);
    assert_int_equal(bm.count, 0);
    assert_int_equal(bm.used, 0x4000);
    assert_int_equal(bootmem_alloc(&bm, UINT64_MAX), BOOTMEM_NONE);
    assert_int_equal(bootmem_alloc(&bm, UINT64_MAX), BOOTMEM_NONE);
    assert_int_equal(bm.used, 0x4000);
    assert_int_equal(bm.total, 0x5000);
    assert_int_equal(bm.reserved, 0x1000);
}

/* A frame is handed out only if it lies wholly below limit; a refusal changes nothing. */
static void test_alloc_limit(void **state)
{
    (void)state;
    struct bootmem bm;
    bootmem_init(&bm);
    bootmem_add(&bm, 0x100000, 0x3000);

    assert_int_equal(bootmem_alloc(&bm, 0), BOOTMEM_NONE);
    assert_int_equal(bootmem_alloc(&bm, 0x100000), BOOTMEM_NONE);
    assert_int_equal(bootmem_alloc(&bm, 0x100fff), BOOTMEM_NONE);
    EXPECT_RANGES(&bm, 0x100000, 0x103000);
    assert_int_equal(bm.used, 0);

    assert_int_equal(bootmem_alloc(&bm, 0x101000), 0x100000); /* ends exactly at limit */
    assert_int_equal(bootmem_alloc(&bm, 0x101000), BOOTMEM_NONE);
    assert_int_equal(bootmem_alloc(&bm, 0x101fff), BOOTMEM_NONE);
    assert_int_equal(bootmem_alloc(&bm, 0x102000), 0x101000);
    assert_int_equal(bootmem_alloc(&bm, 0x1000000), 0x102000);
    assert_int_equal(bootmem_alloc(&bm, 0x1000000), BOOTMEM_NONE);
    assert_int_equal(bm.used, 0x3000);

    /* The limit applies to the lowest free frame; a higher range does not help. */
    bootmem_init(&bm);
    bootmem_add(&bm, 0x5000, 0x1000);
    bootmem_add(&bm, 0x1000, 0x1000);
    assert_int_equal(bootmem_alloc(&bm, 0x1800), BOOTMEM_NONE);
    assert_int_equal(bootmem_alloc(&bm, 0x2000), 0x1000);
    assert_int_equal(bootmem_alloc(&bm, 0x5fff), BOOTMEM_NONE);
    assert_int_equal(bootmem_alloc(&bm, 0x6000), 0x5000);
}

/* Fills the range table with BOOTMEM_MAX_RANGES one-page ranges at 2*i pages (i from 0). */
static void fill_table(struct bootmem *bm)
{
    bootmem_init(bm);
    for (uint64_t i = 0; i < BOOTMEM_MAX_RANGES; i++)
        bootmem_add(bm, 2 * i * P, P);
    assert_int_equal(bm->count, BOOTMEM_MAX_RANGES);
    assert_int_equal(bm->total, BOOTMEM_MAX_RANGES * P);
    check_ranges(bm);
}

/* With the table full, a disjoint add is lost (not counted in total); a merging add is not. */
static void test_table_full_add(void **state)
{
    (void)state;
    struct bootmem bm;
    fill_table(&bm);

    bootmem_add(&bm, 1000 * P, 3 * P); /* disjoint: no room */
    assert_int_equal(bm.lost, 3 * P);
    assert_int_equal(bm.total, BOOTMEM_MAX_RANGES * P);
    assert_int_equal(bm.count, BOOTMEM_MAX_RANGES);
    assert_int_equal(bootmem_free_bytes(&bm), BOOTMEM_MAX_RANGES * P);
    check_ranges(&bm);

    bootmem_add(&bm, 1 * P, P); /* bridges ranges 0 and 1 */
    assert_int_equal(bm.count, BOOTMEM_MAX_RANGES - 1);
    assert_int_equal(bm.total, (BOOTMEM_MAX_RANGES + 1) * P);
    assert_int_equal(bm.free[0].base, 0);
    assert_int_equal(bm.free[0].end, 3 * P);

    bootmem_add(&bm, 2 * BOOTMEM_MAX_RANGES * P - P, P); /* extends the last range */
    assert_int_equal(bm.count, BOOTMEM_MAX_RANGES - 1);
    assert_int_equal(bm.total, (BOOTMEM_MAX_RANGES + 2) * P);

    bootmem_add(&bm, 1000 * P, 3 * P); /* room again */
    assert_int_equal(bm.count, BOOTMEM_MAX_RANGES);
    assert_int_equal(bm.total, (BOOTMEM_MAX_RANGES + 5) * P);
    assert_int_equal(bm.lost, 3 * P);
    check_ranges(&bm);

    /* Draining yields only added pages, lowest first. */
    uint64_t prev = 0, n = 0;
    for (uint64_t f; (f = bootmem_alloc(&bm, UINT64_MAX)) != BOOTMEM_NONE; n++) {
        assert_true(n == 0 || f > prev);
        assert_true(f < 2 * BOOTMEM_MAX_RANGES * P || (f >= 1000 * P && f < 1003 * P));
        prev = f;
    }
    assert_int_equal(n, BOOTMEM_MAX_RANGES + 5);
}

/* A split with the table full gives up the upper piece into lost; nothing reserved leaks. */
static void test_table_full_reserve_split(void **state)
{
    (void)state;
    struct bootmem bm;
    bootmem_init(&bm);
    for (uint64_t i = 0; i < BOOTMEM_MAX_RANGES - 2; i++)
        bootmem_add(&bm, 2 * i * P, P);
    bootmem_add(&bm, 1000 * P, 10 * P); /* [1000, 1010) pages */

    /* One free slot: the first split succeeds and fills the table. */
    bootmem_reserve(&bm, 1001 * P, 1);
    assert_int_equal(bm.count, BOOTMEM_MAX_RANGES);
    assert_int_equal(bm.lost, 0);
    assert_int_equal(bm.reserved, P);

    /* No slot: [1004, 1010) loses [1006, 1010); reserved counts only [1005, 1006). */
    bootmem_reserve(&bm, 1005 * P + 7, 10);
    assert_int_equal(bm.count, BOOTMEM_MAX_RANGES);
    assert_int_equal(bm.lost, 4 * P);
    assert_int_equal(bm.reserved, 2 * P);
    assert_int_equal(bm.free[BOOTMEM_MAX_RANGES - 2].base, 1000 * P);
    assert_int_equal(bm.free[BOOTMEM_MAX_RANGES - 2].end, 1001 * P);
    assert_int_equal(bm.free[BOOTMEM_MAX_RANGES - 1].base, 1002 * P);
    assert_int_equal(bm.free[BOOTMEM_MAX_RANGES - 1].end, 1005 * P);
    check_ranges(&bm);
    /* Every byte added is free, reserved or lost. */
    assert_int_equal(bootmem_free_bytes(&bm) + bm.reserved + bm.lost, bm.total);

    /* A reserve spanning ranges still works with the table full (no split needed). */
    bootmem_reserve(&bm, 0, 4 * P);
    assert_int_equal(bm.count, BOOTMEM_MAX_RANGES - 2);
    assert_int_equal(bm.reserved, 4 * P);

    uint64_t n = 0;
    for (uint64_t f; (f = bootmem_alloc(&bm, UINT64_MAX)) != BOOTMEM_NONE; n++) {
        assert_true(f != 0 && f != 2 * P && f != 1001 * P);
        assert_true(f < 1005 * P);
    }
    assert_int_equal(n, BOOTMEM_MAX_RANGES - 4 + 4);
    assert_int_equal(bm.used + bm.reserved + bm.lost, bm.total);
}

/* Adds and reserves whose base+length overflows 64 bits are clamped, never wrapped. */
static void test_overflow_near_max(void **state)
{
    (void)state;
    struct bootmem bm;
    bootmem_init(&bm);

    /* Ends past 2^64: clamped to the last whole page below it. */
    bootmem_add(&bm, TOP - 2 * P + 1, 0x10000);
    EXPECT_RANGES(&bm, TOP - P, TOP);
    assert_int_equal(bm.total, P);
    bootmem_add(&bm, TOP - 3 * P, UINT64_MAX);
    EXPECT_RANGES(&bm, TOP - 3 * P, TOP);
    assert_int_equal(bm.total, 3 * P);

    /* Bases in the highest page, whose round-up would wrap, add nothing. */
    bootmem_add(&bm, TOP + 1, UINT64_MAX);
    bootmem_add(&bm, UINT64_MAX, UINT64_MAX);
    bootmem_add(&bm, UINT64_MAX, 1);
    bootmem_add(&bm, TOP, UINT64_MAX);
    EXPECT_RANGES(&bm, TOP - 3 * P, TOP);
    assert_int_equal(bm.total, 3 * P);

    /* The highest frames are handed out, and the limit check does not wrap. */
    assert_int_equal(bootmem_alloc(&bm, TOP - P), TOP - 3 * P);
    assert_int_equal(bootmem_alloc(&bm, TOP - P - 1), BOOTMEM_NONE);
    assert_int_equal(bootmem_alloc(&bm, TOP - P), TOP - 2 * P);
    assert_int_equal(bootmem_alloc(&bm, TOP - 1), BOOTMEM_NONE);

    /* Reserves running off the end withhold up to the top; base in the top page is no-op. */
    bootmem_reserve(&bm, UINT64_MAX, UINT64_MAX);
    bootmem_reserve(&bm, TOP, 5);
    EXPECT_RANGES(&bm, TOP - P, TOP);
    bootmem_reserve(&bm, TOP - 1, UINT64_MAX);
    assert_int_equal(bm.count, 0);
    assert_int_equal(bm.reserved, P);
    assert_int_equal(bootmem_alloc(&bm, UINT64_MAX), BOOTMEM_NONE);

    /* All of memory at once. */
    bootmem_init(&bm);
    bootmem_add(&bm, 0, UINT64_MAX);
    EXPECT_RANGES(&bm, 0, TOP);
    assert_int_equal(bm.total, TOP);
    bootmem_add(&bm, 0x123, UINT64_MAX);
    assert_int_equal(bm.total, TOP);
    bootmem_reserve(&bm, P, UINT64_MAX - 2);
    EXPECT_RANGES(&bm, 0, P);
    assert_int_equal(bm.reserved, TOP - P);
    assert_int_equal(bootmem_alloc(&bm, UINT64_MAX), 0);
    assert_int_equal(bootmem_alloc(&bm, UINT64_MAX), BOOTMEM_NONE);

    bootmem_init(&bm);
    bootmem_add(&bm, 0, UINT64_MAX);
    bootmem_reserve(&bm, 0, UINT64_MAX);
    assert_int_equal(bm.count, 0);
    assert_int_equal(bm.reserved, TOP);
}

/* ---- randomized tests against a bitmap model ---------------------------------------------- */

#define MODEL_PAGES 512

static uint64_t rng_state;

static uint64_t rng(void)
{
    /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dULL;
}

static uint64_t rng_below(uint64_t n)
{
    return rng() % n;
}

struct model {
    uint64_t origin; /* physical address of model page 0 */
    bool page[MODEL_PAGES];
};

/* The end of [base, base+length) as an offset from origin, clamped as bootmem clamps it. */
static uint64_t model_end(const struct model *m, uint64_t rel_base, uint64_t length)
{
    uint64_t cap = UINT64_MAX - m->origin; /* the offset of address UINT64_MAX */
    return length > cap - rel_base ? cap : rel_base + length;
}

/* Frees every page wholly inside the range; returns how many were not free yet. */
static uint64_t model_add(struct model *m, uint64_t rel_base, uint64_t length)
{
    uint64_t end = model_end(m, rel_base, length), added = 0;
    for (uint64_t i = 0; i < MODEL_PAGES; i++) {
        if (i * P >= rel_base && (i + 1) * P <= end && !m->page[i]) {
            m->page[i] = true;
            added++;
        }
    }
    return added;
}

/* Withholds every page the range touches; returns how many were free. */
static uint64_t model_reserve(struct model *m, uint64_t rel_base, uint64_t length)
{
    if (length == 0)
        return 0;
    uint64_t end = model_end(m, rel_base, length), withheld = 0;
    for (uint64_t i = 0; i < MODEL_PAGES; i++) {
        if (i * P < end && (i + 1) * P > rel_base && m->page[i]) {
            m->page[i] = false;
            withheld++;
        }
    }
    return withheld;
}

static uint64_t model_count(const struct model *m)
{
    uint64_t n = 0;
    for (uint64_t i = 0; i < MODEL_PAGES; i++)
        n += m->page[i];
    return n;
}

/* A random offset from origin at or below max_page pages, sometimes not page-aligned. */
static uint64_t random_base(uint64_t max_page)
{
    uint64_t base = rng_below(max_page + 1) * P;
    if (rng_below(3) == 0)
        base += rng_below(P);
    return base;
}

/* A random length: mostly a few pages, sometimes unaligned, sometimes huge (when allowed). */
static uint64_t random_length(bool huge_ok)
{
    switch (rng_below(8)) {
    case 0:
        return 0;
    case 1:
        return rng_below(P) + 1;
    case 2:
        return huge_ok ? UINT64_MAX - rng_below(1 << 20) : rng_below(128 * P);
    case 3:
        return rng_below(128 * P);
    default:
        return (rng_below(24) + 1) * P + (rng_below(2) ? rng_below(P) : 0);
    }
}

/* Checks bootmem's free ranges against the model page by page. */
static void compare_with_model(const struct bootmem *bm, const struct model *m)
{
    check_ranges(bm);
    unsigned r = 0;
    for (uint64_t i = 0; i < MODEL_PAGES; i++) {
        uint64_t addr = m->origin + i * P;
        while (r < bm->count && bm->free[r].end <= addr)
            r++;
        bool free = r < bm->count && bm->free[r].base <= addr;
        assert_int_equal(free, m->page[i]);
    }
    for (unsigned k = 0; k < bm->count; k++) {
        assert_true(bm->free[k].base >= m->origin);
        assert_true(bm->free[k].end - m->origin <= MODEL_PAGES * P);
    }
}

/* Drains bm with a mix of limits; every frame must be the model's lowest free page. */
static void drain_against_model(struct bootmem *bm, struct model *m)
{
    uint64_t expected_used = bm->used;
    for (;;) {
        uint64_t lowest = MODEL_PAGES;
        for (uint64_t i = 0; i < MODEL_PAGES; i++) {
            if (m->page[i]) {
                lowest = i;
                break;
            }
        }
        uint64_t limit = UINT64_MAX;
        if (rng_below(4) == 0)
            limit = m->origin + random_base(MODEL_PAGES);
        uint64_t frame = bootmem_alloc(bm, limit);
        if (lowest == MODEL_PAGES) {
            assert_int_equal(frame, BOOTMEM_NONE);
            break;
        }
        uint64_t addr = m->origin + lowest * P;
        if (limit < addr || limit - addr < P) {
            assert_int_equal(frame, BOOTMEM_NONE);
            continue;
        }
        assert_int_equal(frame, addr);
        m->page[lowest] = false;
        expected_used += P;
        assert_int_equal(bm->used, expected_used);
    }
    assert_int_equal(bm->count, 0);
    assert_int_equal(bootmem_free_bytes(bm), 0);
}

/* One randomized round: adds then reserves (the documented order), checked exactly. */
static void random_round(uint64_t origin, bool huge_ok)
{
    struct bootmem bm;
    static struct model m;
    bootmem_init(&bm);
    memset(&m, 0, sizeof m);
    m.origin = origin;

    uint64_t adds = rng_below(13), reserves = rng_below(9), total = 0, reserved = 0;
    for (uint64_t i = 0; i < adds; i++) {
        uint64_t base = random_base(MODEL_PAGES - 130), length = random_length(huge_ok);
        bootmem_add(&bm, origin + base, length);
        total += model_add(&m, base, length) * P;
        assert_int_equal(bm.total, total);
        compare_with_model(&bm, &m);
    }
    for (uint64_t i = 0; i < reserves; i++) {
        uint64_t base = random_base(MODEL_PAGES - 1), length = random_length(huge_ok);
        bootmem_reserve(&bm, origin + base, length);
        reserved += model_reserve(&m, base, length) * P;
        assert_int_equal(bm.reserved, reserved);
        compare_with_model(&bm, &m);
    }
    assert_int_equal(bm.total, total);
    assert_int_equal(bm.lost, 0);
    assert_int_equal(bootmem_free_bytes(&bm), model_count(&m) * P);
    assert_int_equal(bootmem_free_bytes(&bm) + bm.reserved, bm.total);

    drain_against_model(&bm, &m);
    assert_int_equal(bm.used + bm.reserved, bm.total);
}

/* 1000 seeded rounds of random adds and reserves near address 0 match the bitmap exactly. */
static void test_random_low(void **state)
{
    (void)state;
    rng_state = 0x6d697373697665ULL;
    for (int round = 0; round < 1000; round++)
        random_round(0x100000 * (uint64_t)rng_below(4), false);
}

/* The same just below 2^64, with lengths that overflow base+length, matches too. */
static void test_random_top(void **state)
{
    (void)state;
    rng_state = 0x746f70ULL;
    for (int round = 0; round < 1000; round++)
        random_round(0 - (uint64_t)MODEL_PAGES * P, true);
}

/* Many scattered adds overflow the range table: memory may be lost but a frame is never handed
   out twice, never outside the added ranges, never inside a reserved one. */
static void test_random_table_overflow(void **state)
{
    (void)state;
    rng_state = 0x66756c6cULL;
    static struct model m;
    int lossy_rounds = 0;
    for (int round = 0; round < 300; round++) {
        struct bootmem bm;
        bootmem_init(&bm);
        memset(&m, 0, sizeof m);
        m.origin = 0x40000000;

        unsigned adds = 40 + (unsigned)rng_below(120);
        for (unsigned i = 0; i < adds; i++) {
            uint64_t base = rng_below(MODEL_PAGES - 4) * P;
            uint64_t length = (rng_below(3) + 1) * P;
            bootmem_add(&bm, m.origin + base, length);
            model_add(&m, base, length);
            check_ranges(&bm);
        }
        unsigned reserves = (unsigned)rng_below(40);
        for (unsigned i = 0; i < reserves; i++) {
            uint64_t base = random_base(MODEL_PAGES - 1), length = rng_below(6 * P) + 1;
            bootmem_reserve(&bm, m.origin + base, length);
            model_reserve(&m, base, length);
            check_ranges(&bm);
        }
        /* Free memory is a subset of the model (equal when nothing was lost). */
        uint64_t free_pages = 0;
        for (unsigned k = 0; k < bm.count; k++) {
            for (uint64_t a = bm.free[k].base; a < bm.free[k].end; a += P) {
                assert_true(a >= m.origin && a < m.origin + MODEL_PAGES * P);
                assert_true(m.page[(a - m.origin) / P]);
                free_pages++;
            }
        }
        if (bm.lost == 0)
            assert_int_equal(free_pages, model_count(&m));
        else
            lossy_rounds++;
        assert_true(bootmem_free_bytes(&bm) + bm.reserved <= bm.total);
        assert_true(bootmem_free_bytes(&bm) + bm.reserved + bm.lost >= bm.total);

        /* Drain: strictly increasing (hence unique), aligned, and allowed by the model. */
        uint64_t prev = 0, n = 0;
        for (uint64_t f; (f = bootmem_alloc(&bm, UINT64_MAX)) != BOOTMEM_NONE; n++) {
            assert_int_equal(f % P, 0);
            assert_true(n == 0 || f > prev);
            assert_true(f >= m.origin && f < m.origin + MODEL_PAGES * P);
            assert_true(m.page[(f - m.origin) / P]);
            m.page[(f - m.origin) / P] = false;
            prev = f;
        }
        assert_int_equal(n, free_pages);
        assert_int_equal(bm.used, n * P);
    }
    /* The seed does overflow the table in a good share of the rounds. */
    assert_true(lossy_rounds >= 50 && lossy_rounds <= 250);
}

/* alloc_contiguous takes whole runs from the first range big enough, below the limit. */
static void test_alloc_contiguous(void **state)
{
    (void)state;
    struct bootmem bm;
    bootmem_init(&bm);
    bootmem_add(&bm, 0x1000, 0x3000);   /* 3 pages */
    bootmem_add(&bm, 0x10000, 0x10000); /* 16 pages */
    assert_int_equal(bootmem_alloc_contiguous(&bm, 0x4000, UINT64_MAX), 0x10000);
    /* 0x2001 rounds up to three pages: all of the first range. */
    assert_int_equal(bootmem_alloc_contiguous(&bm, 0x2001, UINT64_MAX), 0x1000);
    assert_int_equal(bm.count, 1);
    assert_int_equal(bootmem_alloc_contiguous(&bm, 0x2000, UINT64_MAX), 0x14000);
    assert_int_equal(bootmem_alloc_contiguous(&bm, 0x1000, 0x17000), 0x16000);
    assert_int_equal(bootmem_alloc_contiguous(&bm, 0x1000, 0x17fff), BOOTMEM_NONE);
    assert_int_equal(bootmem_alloc_contiguous(&bm, 0x100000, UINT64_MAX), BOOTMEM_NONE);
    assert_int_equal(bm.used, 0x4000 + 0x3000 + 0x2000 + 0x1000);
    assert_int_equal(bootmem_free_bytes(&bm), 0x10000 - 0x7000);
}

/* take_block carves every free byte into aligned power-of-two blocks, in order. */
static void test_take_block(void **state)
{
    (void)state;
    struct bootmem bm;
    bootmem_init(&bm);
    bootmem_add(&bm, 0x3000, 0x20000 - 0x3000); /* 0x3000-0x20000 */
    bootmem_add(&bm, 0x100000, 0x400000);       /* 4 MiB aligned at 1 MiB */
    uint64_t expect_base[] = {0x3000, 0x4000, 0x8000, 0x10000, 0x100000, 0x200000, 0x400000};
    unsigned expect_bits[] = {12, 14, 15, 16, 20, 21, 20};
    uint64_t base, total = 0;
    unsigned bits, n = 0;
    while (bootmem_take_block(&bm, 21, &base, &bits)) {
        assert_true(n < 7);
        assert_int_equal(base, expect_base[n]);
        assert_int_equal(bits, expect_bits[n]);
        assert_int_equal(base & ((1ull << bits) - 1), 0);
        total += 1ull << bits;
        n++;
    }
    assert_int_equal(n, 7);
    assert_int_equal(total, 0x1d000 + 0x400000);
    assert_int_equal(bootmem_free_bytes(&bm), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_empty),
        cmocka_unit_test(test_add_rounds_inward),
        cmocka_unit_test(test_reserve_rounds_outward),
        cmocka_unit_test(test_add_merges),
        cmocka_unit_test(test_reserve_shapes),
        cmocka_unit_test(test_alloc_lowest_first),
        cmocka_unit_test(test_alloc_limit),
        cmocka_unit_test(test_table_full_add),
        cmocka_unit_test(test_table_full_reserve_split),
        cmocka_unit_test(test_overflow_near_max),
        cmocka_unit_test(test_random_low),
        cmocka_unit_test(test_random_top),
        cmocka_unit_test(test_random_table_overflow),
        cmocka_unit_test(test_alloc_contiguous),
        cmocka_unit_test(test_take_block),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
