/*
 * The pool: one buddy allocator per Untyped region procsrv gave memsrv, and
 * beside it the tree of Untyped capabilities that mirrors the buddy's
 * blocks. A block the buddy hands out must be exactly one capability, so
 * the tree is split on demand: splitting a block retypes its capability
 * into two halves; a block whose halves were made but are all free again
 * is reclaimed by revoking it, which deletes their capabilities (and resets
 * the block). node[order][index] is the slot of the capability of the
 * index-th block of that order in the region, 0 if there is none.
 */
#include <stdio.h>
#include <string.h>

#include "memsrv.h"
#include "proto/mem.h"

#define MAX_REGIONS    256
#define BOOKKEEPING_AT 0x8000000000ul /* memsrv's own bookkeeping, mapped at start */

struct region {
    uint64_t phys, slot;
    unsigned bits; /* size 2^bits */
    unsigned top;  /* its order: bits - 12 (capped at BUDDY_MAX_ORDER... regions are smaller) */
    struct buddy buddy;
    uint32_t *node[BUDDY_MAX_ORDER + 1];
};

static struct region regions[MAX_REGIONS];
static unsigned region_count;
static uint64_t total_bytes;

/* --- slots ---------------------------------------------------------------------------------- */

static uint64_t slot_used[(1u << 16) / 64];
static uint64_t slot_count;

static bool slot_is_used(uint64_t s)
{
    return slot_used[s / 64] & (1ull << (s % 64));
}

uint64_t slots_alloc(uint64_t count)
{
    uint64_t run = 0;
    for (uint64_t s = 1; s < slot_count; s++) {
        run = slot_is_used(s) ? 0 : run + 1;
        if (run == count) {
            uint64_t first = s + 1 - count;
            for (uint64_t i = first; i <= s; i++)
                slot_used[i / 64] |= 1ull << (i % 64);
            return first;
        }
    }
    return 0;
}

void slots_free(uint64_t first, uint64_t count)
{
    for (uint64_t i = first; i < first + count && i < slot_count; i++)
        slot_used[i / 64] &= ~(1ull << (i % 64));
}

/* --- the tree of capabilities ------------------------------------------------------------- */

static uint32_t *node_at(struct region *r, uint64_t phys, unsigned order)
{
    return &r->node[order][(phys - r->phys) >> (12 + order)];
}

/* Forgets the capabilities under node (phys, order), which a revoke just
   deleted, and frees their slots. */
static void forget_below(struct region *r, uint64_t phys, unsigned order)
{
    if (order == 0)
        return;
    uint64_t half = 1ull << (PAGE_BITS - 1 + order);
    for (int i = 0; i < 2; i++) {
        uint32_t *child = node_at(r, phys + i * half, order - 1);
        if (*child) {
            slots_free(*child, 1);
            *child = 0;
            forget_below(r, phys + i * half, order - 1);
        }
    }
}

/* Makes sure block (phys, order) is one capability with nothing made from
   it: splits its ancestors down to it, and reclaims halves made under it.
   Returns its slot, or 0 if memsrv is out of slots. */
static uint64_t materialize(struct region *r, uint64_t phys, unsigned order)
{
    unsigned o = r->top;
    uint64_t at = r->phys;
    while (o > order) {
        uint64_t half = 1ull << (PAGE_BITS - 1 + o);
        uint32_t *left = node_at(r, at, o - 1);
        if (!*left) { /* not split yet */
            uint64_t pair = slots_alloc(2);
            if (!pair || untyped_retype(*node_at(r, at, o), CAP_UNTYPED, PAGE_BITS - 1 + o, pair,
                                        2) != ERR_OK) {
                if (pair)
                    slots_free(pair, 2);
                return 0;
            }
            *left = (uint32_t)pair;
            *node_at(r, at + half, o - 1) = (uint32_t)(pair + 1);
        }
        if (phys >= at + half)
            at += half;
        o--;
    }
    uint64_t slot = *node_at(r, phys, order);
    if (order > 0 && *node_at(r, phys, order - 1)) {
        /* Split before, all free now (the buddy says so): take it back whole. */
        cspace_revoke(ROOT_SLOT_CSPACE, slot, 0);
        forget_below(r, phys, order);
    }
    return slot;
}

bool pool_alloc(unsigned order, struct block *out)
{
    for (unsigned i = 0; i < region_count; i++) {
        struct region *r = &regions[i];
        if (order > r->top)
            continue;
        uint64_t phys = buddy_alloc(&r->buddy, order);
        if (phys == BUDDY_NONE)
            continue;
        uint64_t slot = materialize(r, phys, order);
        if (!slot) {
            buddy_free(&r->buddy, phys, order);
            return false;
        }
        *out = (struct block){phys, order, slot};
        return true;
    }
    return false;
}

void pool_free(const struct block *b)
{
    for (unsigned i = 0; i < region_count; i++) {
        struct region *r = &regions[i];
        if (b->phys >= r->phys && b->phys < r->phys + (1ull << r->bits)) {
            cspace_revoke(ROOT_SLOT_CSPACE, b->slot, 0);
            buddy_free(&r->buddy, b->phys, b->order);
            return;
        }
    }
}

uint64_t pool_total_bytes(void)
{
    return total_bytes;
}

uint64_t pool_free_bytes(void)
{
    uint64_t pages = 0;
    for (unsigned i = 0; i < region_count; i++)
        pages += regions[i].buddy.free_pages;
    return pages * PAGE;
}

uint64_t pool_free_blocks(unsigned order)
{
    uint64_t n = 0;
    for (unsigned i = 0; order <= BUDDY_MAX_ORDER && i < region_count; i++)
        n += regions[i].buddy.free_per_order[order];
    return n;
}

/* --- mapping ---------------------------------------------------------------------------------- */

long pool_map(uint64_t vspace, uint64_t frame, uint64_t address, uint64_t rights,
              uint64_t (*make_table)(void *context), void *context)
{
    for (int level = 0; level < 4; level++) {
        long r = vspace_map_frame(vspace, frame, address, rights);
        if (r != ERR_MISSING_TABLE)
            return r;
        uint64_t table = make_table(context);
        if (!table)
            return ERR_NOT_ENOUGH_MEMORY;
        r = vspace_map_table(vspace, table, address, 0);
        if (r != ERR_OK)
            return r;
    }
    return ERR_MISSING_TABLE;
}

/* --- start-up ------------------------------------------------------------------------------- */

/* Page tables for memsrv's own bookkeeping, from the tail of its block. */
static struct {
    uint64_t untyped;
} boot_tables;

static uint64_t boot_table(void *context)
{
    (void)context;
    uint64_t slot = slots_alloc(1);
    if (slot && untyped_retype(boot_tables.untyped, CAP_PAGE_TABLE, 0, slot, 1))
        return 0;
    return slot;
}

static uint64_t region_bookkeeping(unsigned bits)
{
    uint64_t pages = 1ull << (bits - 12);
    /* the buddy's, then the tree's: 2 * pages entries of 4 bytes over all orders */
    return ((buddy_bookkeeping_bytes(pages) + 7) & ~7ull) + 2 * pages * 4 + 64;
}

bool pool_init(uint64_t first_free, unsigned cspace_bits)
{
    slot_count = 1ull << cspace_bits;
    for (uint64_t s = 0; s < first_free; s++)
        slot_used[s / 64] |= 1ull << (s % 64);
    /* The regions procsrv moved in. */
    uint64_t need = 0, largest = 0;
    for (uint64_t s = MEM_UNTYPED_SLOT_FIRST; s < slot_count && region_count < MAX_REGIONS; s++) {
        struct cspace_identity id;
        if (cspace_identify(ROOT_SLOT_CSPACE, s, &id) != ERR_OK || id.type != CAP_UNTYPED)
            break;
        slot_used[s / 64] |= 1ull << (s % 64);
        if (id.size < PAGE_BITS || id.size > PAGE_BITS + BUDDY_MAX_ORDER)
            continue; /* not a size the buddy takes: left unused */
        struct region *r = &regions[region_count++];
        *r = (struct region){.phys = id.physical, .slot = s, .bits = (unsigned)id.size};
        r->top = r->bits - 12;
        need += region_bookkeeping(r->bits);
        total_bytes += 1ull << r->bits;
        if (r->bits > regions[largest].bits)
            largest = region_count - 1;
    }
    if (!region_count)
        return false;
    /* The bookkeeping's block: the lowest of the largest region, split off
       as the buddy would have, and kept for ever. */
    uint64_t pages = (need + PAGE - 1) / PAGE, tables = 4 + pages / 512;
    unsigned order = 0;
    while ((1ull << order) < pages + tables)
        order++;
    struct region *big = &regions[largest];
    if (order > big->top)
        return false;
    static uint32_t chain[BUDDY_MAX_ORDER + 1][2];
    uint64_t at = big->slot;
    for (unsigned o = big->top; o > order; o--) {
        uint64_t pair = slots_alloc(2);
        if (!pair || untyped_retype(at, CAP_UNTYPED, PAGE_BITS - 1 + o, pair, 2) != ERR_OK)
            return false;
        chain[o - 1][0] = (uint32_t)pair;
        chain[o - 1][1] = (uint32_t)(pair + 1);
        at = pair;
    }
    uint64_t frames = slots_alloc(pages);
    boot_tables.untyped = at;
    for (uint64_t done = 0; done < pages; done += RETYPE_MAX_COUNT) {
        uint64_t n = pages - done < RETYPE_MAX_COUNT ? pages - done : RETYPE_MAX_COUNT;
        if (!frames || untyped_retype(at, CAP_FRAME, FRAME_SMALL_BITS, frames + done, n))
            return false;
    }
    for (uint64_t i = 0; i < pages; i++)
        if (pool_map(PROC_SLOT_VSPACE, frames + i, BOOKKEEPING_AT + i * PAGE,
                     CAP_RIGHT_READ | CAP_RIGHT_WRITE, boot_table, 0) != ERR_OK)
            return false;

    /* Carve it: per region the buddy's bytes, then the tree's arrays. */
    uint8_t *next = (uint8_t *)BOOKKEEPING_AT;
    for (unsigned i = 0; i < region_count; i++) {
        struct region *r = &regions[i];
        uint64_t region_pages = 1ull << r->top;
        uint64_t *links = (uint64_t *)next;
        uint8_t *state = (uint8_t *)(links + 2 * region_pages);
        buddy_init(&r->buddy, r->phys, region_pages, state, links);
        next = (uint8_t *)(((uintptr_t)(state + region_pages) + 7) & ~7ul);
        for (unsigned o = 0; o <= r->top; o++) {
            r->node[o] = (uint32_t *)next;
            next += (region_pages >> o) * 4;
        }
        next = (uint8_t *)(((uintptr_t)next + 63) & ~63ul);
        *node_at(r, r->phys, r->top) = (uint32_t)r->slot;
        if (r != big) {
            buddy_add_range(&r->buddy, r->phys, 1ull << r->bits);
            continue;
        }
        for (unsigned o = r->top; o > order; o--) {
            *node_at(r, r->phys, o - 1) = chain[o - 1][0];
            *node_at(r, r->phys + (1ull << (PAGE_BITS - 1 + o)), o - 1) = chain[o - 1][1];
        }
        uint64_t kept = 1ull << (12 + order);
        buddy_add_range(&r->buddy, r->phys + kept, (1ull << r->bits) - kept);
    }
    printf("memsrv: %u regions, %lu KiB; bookkeeping %lu KiB\n", region_count,
           (unsigned long)(total_bytes >> 10), (unsigned long)((pages * PAGE) >> 10));
#ifdef MISSIVE_VARIANT
    printf("memsrv: built as variant '%s'\n", MISSIVE_VARIANT); /* tests/system/rebuild_check.sh */
#endif
    return true;
}
