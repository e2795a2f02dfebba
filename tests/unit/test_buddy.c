/*
 * Host unit tests for lib/buddy (the physical-memory buddy allocator).
 *
 * Build: gcc -std=c11 -Wall -Wextra -Werror -g -O1 -fsanitize=address,undefined
 *        -fno-sanitize-recover=all -fno-omit-frame-pointer -Ilib -Ikernel
 *        tests/unit/test_buddy.c lib/buddy/buddy.c -lcmocka
 *
 * Besides hand-written cases (exact split addresses, coalescing in every free order, unaligned
 * bases, holes, bad input leaving the allocator untouched, the 4 GiB cap, fragmentation), a
 * seeded randomized test checks every operation against a per-page owner model, and a full
 * structural check walks the free lists against the model; after everything is freed the free
 * lists must hold exactly the maximal naturally aligned blocks of the added ranges.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "buddy/buddy.h"

#define PAGE  BUDDY_PAGE_SIZE
#define KIB   UINT64_C(1024)
#define MIB   (KIB * KIB)
#define GIB   (MIB * KIB)
#define PAGES (UINT64_C(1) << 20) /* pages in an order-20 block */

/* ---- fixture: an allocator with heap-backed bookkeeping ------------------------------------ */

struct fx {
    struct buddy b;
    uint8_t *state;
    uint64_t *links;
};

static void fx_init(struct fx *f, uint64_t base, uint64_t pages)
{
    /* Fill with garbage: init must clear page_state, and links must need no initialisation. */
    f->state = malloc(pages ? pages : 1);
    f->links = malloc((pages ? pages : 1) * 2 * sizeof(uint64_t));
    assert_non_null(f->state);
    assert_non_null(f->links);
    memset(f->state, 0xa5, pages);
    memset(f->links, 0x5a, pages * 2 * sizeof(uint64_t));
    buddy_init(&f->b, base, pages, f->state, f->links);
}

static void fx_fini(struct fx *f)
{
    free(f->state);
    free(f->links);
}

/* A copy of everything the allocator owns, to prove a rejected call changed nothing. */
struct snap {
    struct buddy b;
    uint8_t *state;
    uint64_t *links;
};

static void snap_take(struct snap *s, const struct fx *f)
{
    s->b = f->b;
    s->state = malloc(f->b.pages);
    s->links = malloc(f->b.pages * 2 * sizeof(uint64_t));
    memcpy(s->state, f->state, f->b.pages);
    memcpy(s->links, f->links, f->b.pages * 2 * sizeof(uint64_t));
}

static void snap_check_and_drop(struct snap *s, const struct fx *f)
{
    assert_memory_equal(&s->b, &f->b, sizeof(s->b));
    assert_memory_equal(s->state, f->state, f->b.pages);
    /* Links of pages that head no free block are don't-care, but a rejected call has no reason
       to touch any of them. */
    assert_memory_equal(s->links, f->links, f->b.pages * 2 * sizeof(uint64_t));
    free(s->state);
    free(s->links);
}

/* ---- structural check --------------------------------------------------------------------- */

/* Model values per page: not added, free, or the id (>= 0) of the live block owning it. */
#define M_ABSENT (-2)
#define M_FREE   (-1)

struct model {
    int32_t *owner;    /* per page */
    uint64_t *addr;    /* per live id */
    unsigned *order;   /* per live id */
    uint64_t *live;    /* ids of live blocks, dense */
    uint64_t *live_at; /* id -> index in live */
    uint64_t nlive;
    uint64_t free_pages;
};

/*
 * Walks every free list: links are consistent both ways, each block is naturally aligned (on
 * physical frames), inside the region, headed by the right state byte, and no page is covered
 * twice; counts match free_per_order and free_pages. Every non-zero state byte heads a free
 * block or (when a model is given) a live block. With a model, free blocks cover exactly the
 * model's free pages.
 */
static void check_structure(const struct buddy *b, const struct model *m)
{
    uint8_t *cover = calloc(b->pages ? b->pages : 1, 1);
    assert_non_null(cover);
    uint64_t total = 0;
    for (unsigned k = 0; k <= BUDDY_MAX_ORDER; k++) {
        uint64_t n = 0, prev = 0;
        for (uint64_t cur = b->free_heads[k]; cur; cur = b->links[2 * (cur - 1)]) {
            uint64_t i = cur - 1;
            assert_true(i < b->pages);
            assert_int_equal(b->links[2 * i + 1], prev);
            assert_int_equal(b->page_state[i], BUDDY_STATE_FREE | k);
            uint64_t pfn = (b->base >> 12) + i;
            assert_int_equal(pfn & ((UINT64_C(1) << k) - 1), 0);
            assert_true(i + (UINT64_C(1) << k) <= b->pages);
            for (uint64_t p = i; p < i + (UINT64_C(1) << k); p++) {
                assert_int_equal(cover[p], 0);
                cover[p] = 1;
                if (m)
                    assert_int_equal(m->owner[p], M_FREE);
            }
            n++;
            assert_true(n <= b->pages); /* no cycles */
            prev = cur;
        }
        assert_int_equal(n, b->free_per_order[k]);
        total += n << k;
    }
    assert_int_equal(total, b->free_pages);
    for (uint64_t p = 0; p < b->pages; p++) {
        uint8_t s = b->page_state[p];
        if (s & BUDDY_STATE_FREE)
            assert_int_equal(cover[p], 1); /* a free head must be on its list */
        if (!m)
            continue;
        if (m->owner[p] == M_FREE)
            assert_int_equal(cover[p], 1);
        if (s & BUDDY_STATE_ALLOC) {
            int32_t id = m->owner[p];
            assert_true(id >= 0);
            assert_int_equal(m->addr[id], b->base + p * PAGE);
            assert_int_equal(s, BUDDY_STATE_ALLOC | m->order[id]);
        } else if (!(s & BUDDY_STATE_FREE)) {
            assert_int_equal(s, 0);
        }
    }
    if (m)
        assert_int_equal(m->free_pages, b->free_pages);
    free(cover);
}

/* The free blocks, as (page index, order) sorted by index, read from the free lists. */
struct blk {
    uint64_t i;
    unsigned order;
};

static int blk_cmp(const void *a, const void *c)
{
    const struct blk *x = a, *y = c;
    return x->i < y->i ? -1 : x->i > y->i;
}

static size_t free_blocks(const struct buddy *b, struct blk *out, size_t cap)
{
    size_t n = 0;
    for (unsigned k = 0; k <= BUDDY_MAX_ORDER; k++) {
        for (uint64_t cur = b->free_heads[k]; cur; cur = b->links[2 * (cur - 1)]) {
            assert_true(n < cap);
            out[n++] = (struct blk){cur - 1, k};
        }
    }
    qsort(out, n, sizeof(*out), blk_cmp);
    return n;
}

/* The maximal naturally aligned blocks (capped at BUDDY_MAX_ORDER) of the pages marked in
   `added`, sorted by index: what a fully coalesced allocator must hold when nothing is live. */
static size_t maximal_blocks(const struct buddy *b, const uint8_t *added, struct blk *out,
                             size_t cap)
{
    size_t n = 0;
    uint64_t p = 0;
    while (p < b->pages) {
        if (!added[p]) {
            p++;
            continue;
        }
        uint64_t run_end = p;
        while (run_end < b->pages && added[run_end])
            run_end++;
        while (p < run_end) {
            uint64_t pfn = (b->base >> 12) + p;
            unsigned k = 0;
            while (k < BUDDY_MAX_ORDER && !(pfn & (UINT64_C(1) << k)) &&
                   p + (UINT64_C(2) << k) <= run_end)
                k++;
            assert_true(n < cap);
            out[n++] = (struct blk){p, k};
            p += UINT64_C(1) << k;
        }
    }
    return n;
}

static void check_fully_coalesced(const struct buddy *b, const uint8_t *added)
{
    size_t cap = b->pages + 1;
    struct blk *got = calloc(cap, sizeof(*got)), *want = calloc(cap, sizeof(*want));
    size_t ngot = free_blocks(b, got, cap), nwant = maximal_blocks(b, added, want, cap);
    assert_int_equal(ngot, nwant);
    for (size_t j = 0; j < ngot; j++) {
        assert_int_equal(got[j].i, want[j].i);
        assert_int_equal(got[j].order, want[j].order);
    }
    free(got);
    free(want);
}

/* ---- buddy_order_for, buddy_bookkeeping_bytes, init ---------------------------------------- */

static void test_order_for(void **state)
{
    (void)state;
    assert_int_equal(buddy_order_for(0), 0);
    assert_int_equal(buddy_order_for(1), 0);
    assert_int_equal(buddy_order_for(4096), 0);
    assert_int_equal(buddy_order_for(4097), 1);
    assert_int_equal(buddy_order_for(8192), 1);
    assert_int_equal(buddy_order_for(8193), 2);
    assert_int_equal(buddy_order_for(12288), 2);
    assert_int_equal(buddy_order_for(2 * MIB - 1), 9);
    assert_int_equal(buddy_order_for(2 * MIB), 9);
    assert_int_equal(buddy_order_for(2 * MIB + 1), 10);
    assert_int_equal(buddy_order_for(1 * GIB), 18);
    assert_int_equal(buddy_order_for(4 * GIB), BUDDY_MAX_ORDER);
    assert_int_equal(buddy_order_for(4 * GIB + 1), BUDDY_MAX_ORDER + 1);
    assert_int_equal(buddy_order_for(UINT64_C(1) << 47), BUDDY_MAX_ORDER + 1);
    assert_int_equal(buddy_order_for(UINT64_MAX), BUDDY_MAX_ORDER + 1);
    for (unsigned k = 0; k <= BUDDY_MAX_ORDER; k++) {
        uint64_t size = PAGE << k;
        assert_int_equal(buddy_order_for(size), k);
        assert_int_equal(buddy_order_for(size + 1), k + 1);
        if (k)
            assert_int_equal(buddy_order_for(size - 1), k);
    }
}

static void test_bookkeeping_bytes(void **state)
{
    (void)state;
    assert_int_equal(buddy_bookkeeping_bytes(0), 0);
    assert_int_equal(buddy_bookkeeping_bytes(1), 17);
    assert_int_equal(buddy_bookkeeping_bytes(PAGES), 17 * PAGES);
    /* A 2^47-byte Untyped block: 2^35 pages. */
    assert_int_equal(buddy_bookkeeping_bytes(UINT64_C(1) << 35), 17 * (UINT64_C(1) << 35));
    assert_int_equal(buddy_bookkeeping_bytes(UINT64_MAX), SIZE_MAX);
    assert_int_equal(buddy_bookkeeping_bytes(SIZE_MAX / 17 + 1), SIZE_MAX);
}

static void test_init_nothing_free(void **state)
{
    (void)state;
    struct fx f;
    fx_init(&f, 0x200000, 512);
    assert_int_equal(f.b.free_pages, 0);
    for (unsigned k = 0; k <= BUDDY_MAX_ORDER; k++) {
        assert_int_equal(f.b.free_per_order[k], 0);
        assert_int_equal(buddy_alloc(&f.b, k), BUDDY_NONE);
    }
    for (uint64_t p = 0; p < 512; p++)
        assert_int_equal(f.state[p], 0);
    /* Memory not yet added cannot be freed either. */
    assert_false(buddy_free(&f.b, 0x200000, 0));
    assert_false(buddy_free(&f.b, 0x200000, 9));
    check_structure(&f.b, NULL);
    fx_fini(&f);
}

/* ---- splitting and coalescing -------------------------------------------------------------- */

static void test_split_exact_addresses(void **state)
{
    (void)state;
    struct fx f;
    const uint64_t base = 0x200000; /* 2 MiB aligned: one order-9 block */
    fx_init(&f, base, 512);
    assert_true(buddy_add_range(&f.b, base, 2 * MIB));
    assert_int_equal(f.b.free_pages, 512);
    assert_int_equal(f.b.free_per_order[9], 1);

    /* The first order-0 request splits 9 -> 0, leaving one free block of each order 0..8: the
       upper halves base + 4K, 8K, 16K, ..., 1M. */
    assert_int_equal(buddy_alloc(&f.b, 0), base);
    for (unsigned k = 0; k < 9; k++) {
        assert_int_equal(f.b.free_per_order[k], 1);
        assert_int_equal(f.b.free_heads[k] - 1, UINT64_C(1) << k);
    }
    assert_int_equal(f.b.free_per_order[9], 0);
    assert_int_equal(f.b.free_pages, 511);
    check_structure(&f.b, NULL);

    assert_int_equal(buddy_alloc(&f.b, 0), base + 4 * KIB);  /* the order-0 leftover */
    assert_int_equal(buddy_alloc(&f.b, 1), base + 8 * KIB);  /* the order-1 leftover */
    assert_int_equal(buddy_alloc(&f.b, 0), base + 16 * KIB); /* splits the order-2 block */
    assert_int_equal(f.b.free_per_order[0], 1);              /* 20K */
    assert_int_equal(f.b.free_per_order[1], 1);              /* 24K */
    assert_int_equal(f.b.free_per_order[2], 0);
    assert_int_equal(buddy_alloc(&f.b, 8), base + 1 * MIB);
    assert_int_equal(buddy_alloc(&f.b, 7), base + 512 * KIB);
    assert_int_equal(buddy_alloc(&f.b, 8), BUDDY_NONE);
    assert_int_equal(buddy_alloc(&f.b, 9), BUDDY_NONE);
    assert_int_equal(buddy_alloc(&f.b, 1), base + 24 * KIB);
    assert_int_equal(buddy_alloc(&f.b, 0), base + 20 * KIB);
    assert_int_equal(f.b.free_pages, 512 - 1 - 1 - 2 - 1 - 256 - 128 - 2 - 1);
    check_structure(&f.b, NULL);

    /* Free everything: back to the single order-9 block. */
    assert_true(buddy_free(&f.b, base, 0));
    assert_true(buddy_free(&f.b, base + 1 * MIB, 8));
    assert_true(buddy_free(&f.b, base + 20 * KIB, 0));
    assert_true(buddy_free(&f.b, base + 4 * KIB, 0));
    assert_true(buddy_free(&f.b, base + 512 * KIB, 7));
    assert_true(buddy_free(&f.b, base + 8 * KIB, 1));
    assert_true(buddy_free(&f.b, base + 24 * KIB, 1));
    assert_true(buddy_free(&f.b, base + 16 * KIB, 0));
    assert_int_equal(f.b.free_pages, 512);
    assert_int_equal(f.b.free_per_order[9], 1);
    assert_int_equal(f.b.free_heads[9], 1);
    for (unsigned k = 0; k < 9; k++)
        assert_int_equal(f.b.free_per_order[k], 0);
    check_structure(&f.b, NULL);
    fx_fini(&f);
}

/* Every one of the 8! orders of freeing eight order-0 pages split from an order-3 block must
   coalesce back into that block; after each free, the counters say exactly which pairs merged. */
static void test_coalesce_every_order(void **state)
{
    (void)state;
    struct fx f;
    const uint64_t base = 0x7000000;
    fx_init(&f, base, 8);
    assert_true(buddy_add_range(&f.b, base, 8 * PAGE));
    unsigned perm[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    unsigned runs = 0;
    for (;;) {
        for (unsigned j = 0; j < 8; j++)
            assert_int_equal(buddy_alloc(&f.b, 0), base + j * PAGE);
        assert_int_equal(f.b.free_pages, 0);
        bool freed[8] = {false};
        for (unsigned j = 0; j < 8; j++) {
            assert_true(buddy_free(&f.b, base + perm[j] * PAGE, 0));
            freed[perm[j]] = true;
            /* Expected free blocks: each aligned group that is entirely freed, counted at its
               largest such order. */
            uint64_t want[4] = {0};
            for (unsigned p = 0; p < 8;) {
                if (!freed[p]) {
                    p++;
                    continue;
                }
                unsigned k = 0;
                while (k < 3 && !(p & (1u << k))) {
                    bool all = true;
                    for (unsigned q = p; q < p + (2u << k); q++)
                        all = all && freed[q];
                    if (!all)
                        break;
                    k++;
                }
                want[k]++;
                p += 1u << k;
            }
            for (unsigned k = 0; k < 4; k++)
                assert_int_equal(f.b.free_per_order[k], want[k]);
        }
        assert_int_equal(f.b.free_per_order[3], 1);
        assert_int_equal(f.b.free_pages, 8);
        runs++;
        /* next permutation */
        int i = 6;
        while (i >= 0 && perm[i] > perm[i + 1])
            i--;
        if (i < 0)
            break;
        int j = 7;
        while (perm[j] < perm[i])
            j--;
        unsigned t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
        for (int a = i + 1, c = 7; a < c; a++, c--) {
            t = perm[a];
            perm[a] = perm[c];
            perm[c] = t;
        }
    }
    assert_int_equal(runs, 40320);
    check_structure(&f.b, NULL);
    fx_fini(&f);
}

/* Mixed orders freed in several orders coalesce back to the original block. */
static void test_coalesce_mixed_orders(void **state)
{
    (void)state;
    static const unsigned orders[] = {0, 3, 1, 0, 2, 5, 0, 1, 4, 2, 0, 3};
    enum { N = sizeof(orders) / sizeof(orders[0]) };
    static const unsigned free_orders[][N] = {
        {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11},
        {11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0},
        {5, 0, 11, 3, 8, 1, 10, 2, 7, 4, 9, 6},
        {1, 3, 5, 7, 9, 11, 0, 2, 4, 6, 8, 10},
    };
    struct fx f;
    const uint64_t base = 0x40000000;
    fx_init(&f, base, 128);
    assert_true(buddy_add_range(&f.b, base, 128 * PAGE));
    for (size_t r = 0; r < sizeof(free_orders) / sizeof(free_orders[0]); r++) {
        uint64_t addr[N];
        for (unsigned j = 0; j < N; j++) {
            addr[j] = buddy_alloc(&f.b, orders[j]);
            assert_int_not_equal(addr[j], BUDDY_NONE);
            assert_int_equal(addr[j] & ((PAGE << orders[j]) - 1), 0);
        }
        check_structure(&f.b, NULL);
        for (unsigned j = 0; j < N; j++) {
            unsigned x = free_orders[r][j];
            assert_true(buddy_free(&f.b, addr[x], orders[x]));
        }
        assert_int_equal(f.b.free_per_order[7], 1);
        assert_int_equal(f.b.free_pages, 128);
        check_structure(&f.b, NULL);
    }
    fx_fini(&f);
}

/* ---- regions: unaligned bases, holes, high addresses, the order cap ------------------------ */

static void test_unaligned_base(void **state)
{
    (void)state;
    struct fx f;
    /* Frames 0x103..0x11f (29 pages): naturally aligned, that is 0x103 (order 0), 0x104 (2),
       0x108 (3), 0x110 (4) - never one block spanning them, since alignment is physical. */
    const uint64_t base = 0x103000;
    fx_init(&f, base, 29);
    assert_true(buddy_add_range(&f.b, base, 29 * PAGE));
    assert_int_equal(f.b.free_pages, 29);
    static const uint64_t want[BUDDY_MAX_ORDER + 1] = {1, 0, 1, 1, 1};
    for (unsigned k = 0; k <= BUDDY_MAX_ORDER; k++)
        assert_int_equal(f.b.free_per_order[k], want[k]);
    check_structure(&f.b, NULL);

    assert_int_equal(buddy_alloc(&f.b, 5), BUDDY_NONE); /* 29 pages free, yet no 32-page block */
    assert_int_equal(buddy_alloc(&f.b, 4), 0x110000);
    assert_int_equal(buddy_alloc(&f.b, 3), 0x108000);
    assert_int_equal(buddy_alloc(&f.b, 1), 0x104000); /* splits 0x104 (order 2) */
    assert_int_equal(buddy_alloc(&f.b, 1), 0x106000);
    assert_int_equal(buddy_alloc(&f.b, 0), 0x103000);
    assert_int_equal(buddy_alloc(&f.b, 0), BUDDY_NONE);
    assert_int_equal(f.b.free_pages, 0);

    /* 0x103's buddy 0x102 is outside the region: freeing it must not merge with anything. */
    assert_true(buddy_free(&f.b, 0x103000, 0));
    assert_int_equal(f.b.free_per_order[0], 1);
    assert_true(buddy_free(&f.b, 0x106000, 1));
    assert_true(buddy_free(&f.b, 0x104000, 1));
    assert_true(buddy_free(&f.b, 0x108000, 3));
    assert_true(buddy_free(&f.b, 0x110000, 4)); /* its buddy 0x100..0x10f is partly outside */
    for (unsigned k = 0; k <= BUDDY_MAX_ORDER; k++)
        assert_int_equal(f.b.free_per_order[k], want[k]);
    check_structure(&f.b, NULL);
    fx_fini(&f);

    /* A region ending unaligned: frames 0x200..0x20a (11 pages) -> 0x200 (3), 0x208 (1), 0x20a
       (0). */
    fx_init(&f, 0x200000, 11);
    assert_true(buddy_add_range(&f.b, 0x200000, 11 * PAGE));
    assert_int_equal(f.b.free_per_order[3], 1);
    assert_int_equal(f.b.free_per_order[1], 1);
    assert_int_equal(f.b.free_per_order[0], 1);
    check_structure(&f.b, NULL);
    fx_fini(&f);
}

static void test_holes(void **state)
{
    (void)state;
    struct fx f;
    const uint64_t base = 0x400000;
    fx_init(&f, base, 64);
    uint8_t added[64] = {0};
    static const struct {
        uint64_t first, count;
    } ranges[] = {{0, 8}, {16, 16}, {40, 1}, {48, 16}, {43, 3}};
    uint64_t total = 0;
    for (size_t r = 0; r < sizeof(ranges) / sizeof(ranges[0]); r++) {
        assert_true(buddy_add_range(&f.b, base + ranges[r].first * PAGE, ranges[r].count * PAGE));
        for (uint64_t p = ranges[r].first; p < ranges[r].first + ranges[r].count; p++)
            added[p] = 1;
        total += ranges[r].count;
        assert_int_equal(f.b.free_pages, total);
        check_fully_coalesced(&f.b, added);
    }

    /* Every page handed out lies in an added range; holes never come out. */
    uint64_t got[64];
    uint64_t n = 0;
    for (uint64_t a; (a = buddy_alloc(&f.b, 0)) != BUDDY_NONE; n++) {
        assert_true(a >= base && a < base + 64 * PAGE);
        assert_true(added[(a - base) / PAGE]);
        for (uint64_t j = 0; j < n; j++)
            assert_int_not_equal(got[j], a);
        got[n] = a;
    }
    assert_int_equal(n, total);
    assert_int_equal(f.b.free_pages, 0);
    for (uint64_t j = 0; j < n; j++)
        assert_true(buddy_free(&f.b, got[j], 0));
    check_fully_coalesced(&f.b, added);

    /* Filling the hole [8, 16) joins [0, 8) and [16, 32) into one order-5 block. */
    assert_true(buddy_add_range(&f.b, base + 8 * PAGE, 8 * PAGE));
    for (uint64_t p = 8; p < 16; p++)
        added[p] = 1;
    check_fully_coalesced(&f.b, added);
    assert_int_equal(f.b.free_per_order[5], 1);
    assert_int_equal(buddy_alloc(&f.b, 5), base);
    assert_int_equal(buddy_alloc(&f.b, 5), BUDDY_NONE);
    assert_true(buddy_free(&f.b, base, 5));
    check_structure(&f.b, NULL);
    fx_fini(&f);
}

/* Added ranges coalesce with free memory around them page by page, in any order. */
static void test_add_pages_one_by_one(void **state)
{
    (void)state;
    struct fx f;
    const uint64_t base = 0x10000000;
    fx_init(&f, base, 256);
    /* Add in a scrambled order: 7 is coprime with 256, so p*7 mod 256 visits every page. */
    for (uint64_t j = 0; j < 256; j++)
        assert_true(buddy_add_range(&f.b, base + (j * 7 % 256) * PAGE, PAGE));
    assert_int_equal(f.b.free_pages, 256);
    assert_int_equal(f.b.free_per_order[8], 1);
    check_structure(&f.b, NULL);
    fx_fini(&f);
}

static void test_high_addresses(void **state)
{
    (void)state;
    struct fx f;
    /* The top 4 MiB below 2^47, and a region ending at the very top of the address space. */
    const uint64_t base = (UINT64_C(1) << 47) - 4 * MIB;
    fx_init(&f, base, 1024);
    assert_true(buddy_add_range(&f.b, base, 4 * MIB));
    assert_int_equal(f.b.free_per_order[10], 1);
    assert_int_equal(buddy_alloc(&f.b, 9), base);
    assert_int_equal(buddy_alloc(&f.b, 9), base + 2 * MIB);
    assert_true(buddy_free(&f.b, base + 2 * MIB, 9));
    assert_true(buddy_free(&f.b, base, 9));
    assert_int_equal(f.b.free_per_order[10], 1);
    fx_fini(&f);

    const uint64_t top = UINT64_MAX - 16 * PAGE + 1;
    fx_init(&f, top, 16);
    assert_true(buddy_add_range(&f.b, top, 16 * PAGE));
    assert_int_equal(f.b.free_per_order[4], 1); /* its buddy would wrap: never merged */
    assert_false(buddy_add_range(&f.b, top + 15 * PAGE, 2 * PAGE));
    assert_int_equal(buddy_alloc(&f.b, 4), top);
    assert_false(buddy_free(&f.b, UINT64_MAX - PAGE + 1, 0));
    assert_true(buddy_free(&f.b, top, 4));
    check_structure(&f.b, NULL);
    fx_fini(&f);
}

/* Blocks never exceed order 20, even when a larger aligned range is added. */
static void test_max_order_cap(void **state)
{
    (void)state;
    struct fx f;
    const uint64_t base = 8 * GIB; /* aligned to 8 GiB: a 2^21-page block would fit */
    fx_init(&f, base, 2 * PAGES + 3);
    assert_true(buddy_add_range(&f.b, base, (2 * PAGES + 3) * PAGE));
    assert_int_equal(f.b.free_per_order[BUDDY_MAX_ORDER], 2);
    assert_int_equal(f.b.free_per_order[1], 1);
    assert_int_equal(f.b.free_per_order[0], 1);
    assert_int_equal(f.b.free_pages, 2 * PAGES + 3);
    assert_int_equal(buddy_alloc(&f.b, BUDDY_MAX_ORDER + 1), BUDDY_NONE);
    assert_int_equal(buddy_alloc(&f.b, 64), BUDDY_NONE);
    assert_false(buddy_free(&f.b, base, BUDDY_MAX_ORDER + 1));
    uint64_t a = buddy_alloc(&f.b, BUDDY_MAX_ORDER);
    uint64_t c = buddy_alloc(&f.b, BUDDY_MAX_ORDER);
    assert_true((a == base && c == base + 4 * GIB) || (c == base && a == base + 4 * GIB));
    assert_int_equal(buddy_alloc(&f.b, BUDDY_MAX_ORDER), BUDDY_NONE);
    assert_int_equal(buddy_alloc(&f.b, 1), base + 2 * PAGES * PAGE);
    assert_true(buddy_free(&f.b, a, BUDDY_MAX_ORDER));
    assert_true(buddy_free(&f.b, c, BUDDY_MAX_ORDER));
    /* Two free buddies of order 20 stay separate: there is no order 21. */
    assert_int_equal(f.b.free_per_order[BUDDY_MAX_ORDER], 2);
    fx_fini(&f);
}

/* ---- exhaustion and fragmentation ---------------------------------------------------------- */

static void test_exhaustion(void **state)
{
    (void)state;
    struct fx f;
    const uint64_t base = 0x100000;
    fx_init(&f, base, 16);
    assert_true(buddy_add_range(&f.b, base, 16 * PAGE));
    uint64_t a[4];
    for (unsigned j = 0; j < 4; j++)
        a[j] = buddy_alloc(&f.b, 2);
    assert_int_equal(f.b.free_pages, 0);
    for (unsigned k = 0; k <= BUDDY_MAX_ORDER; k++) {
        assert_int_equal(buddy_alloc(&f.b, k), BUDDY_NONE);
        assert_int_equal(f.b.free_per_order[k], 0);
    }
    check_structure(&f.b, NULL);
    assert_true(buddy_free(&f.b, a[2], 2));
    assert_int_equal(buddy_alloc(&f.b, 3), BUDDY_NONE);
    assert_int_equal(buddy_alloc(&f.b, 0), a[2]);
    assert_int_equal(f.b.free_pages, 3);
    fx_fini(&f);
}

static void test_fragmentation(void **state)
{
    (void)state;
    struct fx f;
    const uint64_t base = 4 * GIB; /* one order-20 block */
    fx_init(&f, base, PAGES);
    assert_true(buddy_add_range(&f.b, base, PAGES * PAGE));
    assert_int_equal(f.b.free_per_order[BUDDY_MAX_ORDER], 1);
    for (uint64_t j = 0; j < PAGES; j++)
        assert_int_equal(buddy_alloc(&f.b, 0), base + j * PAGE);
    assert_int_equal(buddy_alloc(&f.b, 0), BUDDY_NONE);
    assert_int_equal(f.b.free_pages, 0);

    for (uint64_t j = 0; j < PAGES; j += 2)
        assert_true(buddy_free(&f.b, base + j * PAGE, 0));
    /* Half the memory is free, but no two free pages are buddies. */
    assert_int_equal(f.b.free_pages, PAGES / 2);
    assert_int_equal(f.b.free_per_order[0], PAGES / 2);
    assert_int_equal(buddy_alloc(&f.b, 1), BUDDY_NONE);
    assert_int_equal(buddy_alloc(&f.b, BUDDY_MAX_ORDER), BUDDY_NONE);

    for (uint64_t j = 1; j < PAGES; j += 2)
        assert_true(buddy_free(&f.b, base + j * PAGE, 0));
    assert_int_equal(f.b.free_pages, PAGES);
    assert_int_equal(f.b.free_per_order[BUDDY_MAX_ORDER], 1);
    assert_int_equal(buddy_alloc(&f.b, BUDDY_MAX_ORDER), base);
    assert_int_equal(f.b.free_pages, 0);
    assert_true(buddy_free(&f.b, base, BUDDY_MAX_ORDER));
    check_structure(&f.b, NULL);
    fx_fini(&f);
}

/* ---- bad input ----------------------------------------------------------------------------- */

static void test_bad_free(void **state)
{
    (void)state;
    struct fx f;
    const uint64_t base = 0x800000;
    fx_init(&f, base, 64);
    assert_true(buddy_add_range(&f.b, base, 32 * PAGE)); /* pages 32..63 never added */
    uint64_t a2 = buddy_alloc(&f.b, 2);
    uint64_t a0 = buddy_alloc(&f.b, 0);
    uint64_t a3 = buddy_alloc(&f.b, 3);
    assert_int_equal(a2, base);
    assert_int_equal(a0, base + 4 * PAGE);
    assert_int_equal(a3, base + 8 * PAGE);
    assert_true(buddy_free(&f.b, a0, 0));

    struct snap s;
    snap_take(&s, &f);
    assert_false(buddy_free(&f.b, a0, 0));                 /* double free */
    assert_false(buddy_free(&f.b, a2, 1));                 /* wrong order: smaller */
    assert_false(buddy_free(&f.b, a2, 3));                 /* wrong order: larger */
    assert_false(buddy_free(&f.b, a3, 0));                 /* wrong order */
    assert_false(buddy_free(&f.b, a2 + PAGE, 0));          /* inside a block, not its start */
    assert_false(buddy_free(&f.b, a2 + 2 * PAGE, 1));      /* a would-be sub-block */
    assert_false(buddy_free(&f.b, a2 + 1, 2));             /* misaligned */
    assert_false(buddy_free(&f.b, a2 + PAGE / 2, 2));      /* misaligned */
    assert_false(buddy_free(&f.b, base - PAGE, 0));        /* below the region */
    assert_false(buddy_free(&f.b, base + 64 * PAGE, 0));   /* at the end */
    assert_false(buddy_free(&f.b, base + 1000 * PAGE, 0)); /* beyond */
    assert_false(buddy_free(&f.b, 0, 0));
    assert_false(buddy_free(&f.b, UINT64_MAX & ~(PAGE - 1), 0));
    assert_false(buddy_free(&f.b, base + 16 * PAGE, 4)); /* free memory, never allocated */
    assert_false(buddy_free(&f.b, base + 40 * PAGE, 0)); /* never added */
    assert_false(buddy_free(&f.b, a3, BUDDY_MAX_ORDER + 1));
    assert_false(buddy_free(&f.b, a3, 3 + 64));
    snap_check_and_drop(&s, &f);

    assert_true(buddy_free(&f.b, a3, 3));
    assert_false(buddy_free(&f.b, a3, 3)); /* double free after merging */
    assert_true(buddy_free(&f.b, a2, 2));
    assert_false(buddy_free(&f.b, a2, 2));
    assert_int_equal(f.b.free_per_order[5], 1);
    check_structure(&f.b, NULL);
    fx_fini(&f);
}

static void test_add_range_bad(void **state)
{
    (void)state;
    struct fx f;
    const uint64_t base = 0x1000000;
    fx_init(&f, base, 64);
    assert_true(buddy_add_range(&f.b, base + 16 * PAGE, 16 * PAGE)); /* pages 16..31 free */
    assert_true(buddy_add_range(&f.b, base + 40 * PAGE, 8 * PAGE));  /* pages 40..47 free */
    uint64_t a = buddy_alloc(&f.b, 2);                               /* pages 40..43 live */
    assert_int_equal(a, base + 40 * PAGE);

    struct snap s;
    snap_take(&s, &f);
    assert_false(buddy_add_range(&f.b, base + 1, PAGE));             /* unaligned address */
    assert_false(buddy_add_range(&f.b, base, PAGE + 8));             /* unaligned size */
    assert_false(buddy_add_range(&f.b, base - PAGE, 2 * PAGE));      /* starts below */
    assert_false(buddy_add_range(&f.b, base + 60 * PAGE, 8 * PAGE)); /* runs past the end */
    assert_false(buddy_add_range(&f.b, base + 64 * PAGE, PAGE));     /* at the end */
    assert_false(buddy_add_range(&f.b, base + 8 * PAGE, UINT64_MAX & ~(PAGE - 1))); /* wraps */
    assert_false(buddy_add_range(&f.b, UINT64_MAX & ~(PAGE - 1), PAGE));
    assert_false(buddy_add_range(&f.b, base + 16 * PAGE, 16 * PAGE)); /* exactly free memory */
    assert_false(buddy_add_range(&f.b, base + 20 * PAGE, PAGE));      /* inside a free block */
    assert_false(buddy_add_range(&f.b, base + 31 * PAGE, 2 * PAGE));  /* tail of free memory */
    assert_false(buddy_add_range(&f.b, base + 8 * PAGE, 9 * PAGE));   /* head of free memory */
    assert_false(buddy_add_range(&f.b, base, 64 * PAGE));             /* contains free memory */
    assert_false(buddy_add_range(&f.b, base + 44 * PAGE, 4 * PAGE));  /* the split-off free 44 */
    assert_false(buddy_add_range(&f.b, base + 41 * PAGE, PAGE));      /* inside a live block */
    assert_false(buddy_add_range(&f.b, base + 36 * PAGE, 5 * PAGE));  /* reaches a live block */
    snap_check_and_drop(&s, &f);

    assert_true(buddy_add_range(&f.b, base, 0)); /* empty: nothing to do */
    assert_true(buddy_add_range(&f.b, base + 64 * PAGE, 0));
    snap_take(&s, &f);
    snap_check_and_drop(&s, &f);

    /* The gaps themselves are fine, and the whole region then coalesces once a is freed. */
    assert_true(buddy_add_range(&f.b, base, 16 * PAGE));
    assert_true(buddy_add_range(&f.b, base + 32 * PAGE, 8 * PAGE));
    assert_true(buddy_add_range(&f.b, base + 48 * PAGE, 16 * PAGE));
    assert_true(buddy_free(&f.b, a, 2));
    assert_int_equal(f.b.free_per_order[6], 1);
    assert_int_equal(f.b.free_pages, 64);
    check_structure(&f.b, NULL);
    fx_fini(&f);
}

/* ---- randomized test against a per-page owner model ---------------------------------------- */

static uint64_t rng_state;

static uint64_t rng(void)
{
    /* xorshift64*: deterministic across hosts, unlike rand(). */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * UINT64_C(2685821657736338717);
}

/* Whether the model has any fully free, naturally aligned run of 2^order pages. When the
   allocator is fully coalesced such a run always lies inside one free block of at least that
   order, so alloc must succeed exactly when this is true. */
static bool model_has_free_block(const struct buddy *b, const struct model *m, unsigned order)
{
    uint64_t n = UINT64_C(1) << order;
    uint64_t pfn0 = b->base >> 12;
    uint64_t first = (n - (pfn0 & (n - 1))) & (n - 1); /* first aligned page index */
    for (uint64_t p = first; p + n <= b->pages; p += n) {
        bool all = true;
        for (uint64_t q = p; q < p + n && all; q++)
            all = m->owner[q] == M_FREE;
        if (all)
            return true;
    }
    return false;
}

static void run_random(uint64_t seed, uint64_t base, uint64_t pages, unsigned max_order,
                       unsigned ops)
{
    rng_state = seed;
    struct fx f;
    fx_init(&f, base, pages);
    struct model m = {0};
    m.owner = malloc(pages * sizeof(*m.owner));
    m.addr = malloc(pages * sizeof(*m.addr));
    m.order = malloc(pages * sizeof(*m.order));
    m.live = malloc(pages * sizeof(*m.live));
    m.live_at = malloc(pages * sizeof(*m.live_at));
    uint8_t *added = calloc(pages, 1);
    uint64_t *free_ids = malloc(pages * sizeof(*free_ids));
    uint64_t nfree_ids = 0;
    for (uint64_t p = 0; p < pages; p++) {
        m.owner[p] = M_ABSENT;
        free_ids[nfree_ids++] = pages - 1 - p;
    }

    /* Added ranges with holes: random runs of present and absent pages, added in a random
       order so later ranges must merge with earlier ones. */
    uint64_t rfirst[256], rcount[256];
    unsigned nr = 0;
    for (uint64_t p = 0; p < pages && nr < 256;) {
        uint64_t len = 1 + rng() % (pages / 8);
        if (p + len > pages)
            len = pages - p;
        if (rng() % 4) {
            rfirst[nr] = p;
            rcount[nr] = len;
            nr++;
        }
        p += len + (rng() % 3 == 0 ? rng() % 9 : 0);
    }
    for (unsigned j = nr; j > 1; j--) {
        unsigned x = (unsigned)(rng() % j);
        uint64_t t = rfirst[x];
        rfirst[x] = rfirst[j - 1];
        rfirst[j - 1] = t;
        t = rcount[x];
        rcount[x] = rcount[j - 1];
        rcount[j - 1] = t;
    }
    for (unsigned r = 0; r < nr; r++) {
        /* Sometimes add a range in two pieces, back half first. */
        uint64_t split = rcount[r] > 1 && rng() % 2 ? 1 + rng() % (rcount[r] - 1) : rcount[r];
        if (split < rcount[r])
            assert_true(buddy_add_range(&f.b, base + (rfirst[r] + split) * PAGE,
                                        (rcount[r] - split) * PAGE));
        assert_true(buddy_add_range(&f.b, base + rfirst[r] * PAGE, split * PAGE));
        for (uint64_t p = rfirst[r]; p < rfirst[r] + rcount[r]; p++) {
            added[p] = 1;
            m.owner[p] = M_FREE;
            m.free_pages++;
        }
        assert_false(buddy_add_range(&f.b, base + rfirst[r] * PAGE, PAGE)); /* now free */
    }
    assert_int_equal(f.b.free_pages, m.free_pages);
    check_fully_coalesced(&f.b, added);
    check_structure(&f.b, &m);

    uint64_t allocs = 0, fails = 0, frees = 0;
    for (unsigned op = 0; op < ops; op++) {
        /* Drift between filling up and draining so both exhaustion and coalescing happen. */
        unsigned phase = (op / 5000) % 2;
        bool do_alloc = m.nlive == 0 || rng() % 100 < (phase ? 70u : 35u);
        if (do_alloc) {
            unsigned order = (unsigned)(rng() % (max_order + 1));
            if (rng() % 2)
                order = (unsigned)(rng() % 3); /* favour small blocks */
            uint64_t a = buddy_alloc(&f.b, order);
            if (a == BUDDY_NONE) {
                fails++;
                assert_false(model_has_free_block(&f.b, &m, order));
            } else {
                allocs++;
                uint64_t n = UINT64_C(1) << order;
                assert_int_equal(a & ((PAGE << order) - 1), 0); /* physically aligned */
                assert_true(a >= base);
                uint64_t first = (a - base) / PAGE;
                assert_true(first + n <= pages);
                assert_true(nfree_ids > 0);
                uint64_t id = free_ids[--nfree_ids];
                for (uint64_t p = first; p < first + n; p++) {
                    assert_int_equal(m.owner[p], M_FREE); /* added, and no overlap */
                    m.owner[p] = (int32_t)id;
                }
                m.addr[id] = a;
                m.order[id] = order;
                m.live_at[id] = m.nlive;
                m.live[m.nlive++] = id;
                m.free_pages -= n;
            }
        } else {
            uint64_t at = rng() % m.nlive;
            uint64_t id = m.live[at];
            uint64_t a = m.addr[id];
            unsigned order = m.order[id];
            if (rng() % 16 == 0) {
                /* Wrong order and interior addresses must be refused. */
                assert_false(buddy_free(&f.b, a, order + 1));
                if (order)
                    assert_false(buddy_free(&f.b, a, order - 1));
                if (order)
                    assert_false(buddy_free(&f.b, a + PAGE, order - 1));
            }
            assert_true(buddy_free(&f.b, a, order));
            if (rng() % 16 == 0)
                assert_false(buddy_free(&f.b, a, order)); /* double free */
            frees++;
            uint64_t n = UINT64_C(1) << order, first = (a - base) / PAGE;
            for (uint64_t p = first; p < first + n; p++)
                m.owner[p] = M_FREE;
            m.free_pages += n;
            uint64_t last = m.live[--m.nlive];
            m.live[at] = last;
            m.live_at[last] = at;
            free_ids[nfree_ids++] = id;
        }
        assert_int_equal(f.b.free_pages, m.free_pages);
        if (op % 4096 == 0)
            check_structure(&f.b, &m);
    }
    check_structure(&f.b, &m);
    assert_true(allocs > ops / 10);
    assert_true(fails > 0);
    assert_true(frees > ops / 10);

    /* Free everything in random order: the free lists must be exactly the maximal blocks. */
    while (m.nlive) {
        uint64_t at = rng() % m.nlive;
        uint64_t id = m.live[at];
        assert_true(buddy_free(&f.b, m.addr[id], m.order[id]));
        uint64_t n = UINT64_C(1) << m.order[id], first = (m.addr[id] - base) / PAGE;
        for (uint64_t p = first; p < first + n; p++)
            m.owner[p] = M_FREE;
        m.free_pages += n;
        m.live[at] = m.live[--m.nlive];
    }
    assert_int_equal(f.b.free_pages, m.free_pages);
    check_structure(&f.b, &m);
    check_fully_coalesced(&f.b, added);

    free(m.owner);
    free(m.addr);
    free(m.order);
    free(m.live);
    free(m.live_at);
    free(added);
    free(free_ids);
    fx_fini(&f);
}

static void test_random_aligned_base(void **state)
{
    (void)state;
    run_random(0x5eed0001, 0x40000000, 4096, 10, 200000);
}

static void test_random_unaligned_base(void **state)
{
    (void)state;
    /* Base 12 KiB past a 16 MiB boundary and an odd page count: edge blocks never merge. */
    run_random(0x5eed0002, 0x81003000, 3001, 10, 200000);
}

static void test_random_small(void **state)
{
    (void)state;
    /* A tight region: exhaustion and failed allocations dominate. */
    for (uint64_t seed = 1; seed <= 20; seed++)
        run_random(seed * 0x9e3779b97f4a7c15ull, 0x200000 + seed * PAGE, 61, 6, 5000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_for),
        cmocka_unit_test(test_bookkeeping_bytes),
        cmocka_unit_test(test_init_nothing_free),
        cmocka_unit_test(test_split_exact_addresses),
        cmocka_unit_test(test_coalesce_every_order),
        cmocka_unit_test(test_coalesce_mixed_orders),
        cmocka_unit_test(test_unaligned_base),
        cmocka_unit_test(test_holes),
        cmocka_unit_test(test_add_pages_one_by_one),
        cmocka_unit_test(test_high_addresses),
        cmocka_unit_test(test_max_order_cap),
        cmocka_unit_test(test_exhaustion),
        cmocka_unit_test(test_fragmentation),
        cmocka_unit_test(test_bad_free),
        cmocka_unit_test(test_add_range_bad),
        cmocka_unit_test(test_random_aligned_base),
        cmocka_unit_test(test_random_unaligned_base),
        cmocka_unit_test(test_random_small),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
