/*
 * A binary buddy allocator for physical memory, as memsrv uses it: memory is handed out in
 * naturally aligned power-of-two blocks of 2^(12+order) bytes, order 0 (4 KiB) to
 * BUDDY_MAX_ORDER (4 GiB). A request splits a larger free block in halves until it is just big
 * enough; a freed block merges with its free buddy again and again. Every block is physically
 * contiguous, so any allocation can back DMA.
 *
 * Alignment is relative to physical address 0, not to the region's base: the buddy of the block
 * at A of order k is A ^ 2^(12+k). That keeps blocks usable as naturally aligned Untyped memory
 * and large pages whatever the region's base; a buddy that lies (partly) outside the region is
 * never free, so blocks at the region's edges simply stop merging there.
 *
 * Pure C with no libc calls and no allocation: the caller provides the bookkeeping memory
 * (buddy_bookkeeping_bytes), so the same source serves the user-space server and host tests.
 * Not thread-safe: the caller serialises calls on one struct buddy.
 *
 * Costs: alloc and free are O(BUDDY_MAX_ORDER); free lists are doubly linked, so inserting or
 * removing a block is O(1). init and add_range are linear in the pages they cover.
 */
#ifndef MISSIVE_BUDDY_H
#define MISSIVE_BUDDY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "missive/abi.h" /* PAGE_BITS: the buddy hands out frames */

#define BUDDY_PAGE_BITS PAGE_BITS
#define BUDDY_PAGE_SIZE (UINT64_C(1) << BUDDY_PAGE_BITS)
#define BUDDY_MAX_ORDER 20
#define BUDDY_NONE      UINT64_MAX

/*
 * page_state encoding (one byte per page). Only the first page of a block (its head) carries a
 * non-zero byte; every other page is 0. That invariant is what lets buddy_free reject double,
 * wrong-order and misaligned frees by looking at one byte, and lets buddy_add_range find
 * overlaps by looking for non-zero bytes.
 */
#define BUDDY_STATE_ORDER_MASK 0x1fu /* the block's order, 0..BUDDY_MAX_ORDER */
#define BUDDY_STATE_FREE       0x20u /* head of a free block, linked on free_heads[order] */
#define BUDDY_STATE_ALLOC      0x40u /* head of a block handed out by buddy_alloc */

struct buddy {
    uint64_t base;       /* physical base of the managed region, 4 KiB aligned */
    uint64_t pages;      /* number of 4 KiB pages managed */
    uint64_t base_pfn;   /* base >> BUDDY_PAGE_BITS: alignment is checked on physical frames */
    uint8_t *page_state; /* caller memory, `pages` bytes: see BUDDY_STATE_* */
    /* Head of the free list per order, as a page index (relative to base) + 1; 0 = empty. */
    uint64_t free_heads[BUDDY_MAX_ORDER + 1];
    /* Caller memory, 2*pages entries: links[2i] / links[2i+1] are the next / prev page index + 1
       of the free block headed by page i (0 = none). Only free heads' entries are meaningful. */
    uint64_t *links;
    uint64_t free_pages;                          /* pages in free blocks */
    uint64_t free_per_order[BUDDY_MAX_ORDER + 1]; /* free blocks (not pages) of each order */
};

/* Bytes of caller memory needed for a region of `pages` pages: `pages` bytes of page_state plus
   2*pages uint64_t of links (SIZE_MAX if that overflows). Carving one buffer, put links first so
   they stay 8-byte aligned. */
size_t buddy_bookkeeping_bytes(uint64_t pages);

/* Sets up b for [base, base + pages*4096) with nothing free yet: memory becomes allocatable only
   through buddy_add_range, so holes and reserved pages never need special cases. base must be
   4 KiB aligned and the region must not wrap past 2^64; page_state and links point to caller
   memory of the sizes above (page_state is cleared here, links need no initialisation). */
void buddy_init(struct buddy *b, uint64_t base, uint64_t pages, uint8_t *page_state,
                uint64_t *links);

/* Makes [addr, addr+size) free: it is inserted as maximal naturally aligned blocks (capped at
   BUDDY_MAX_ORDER), each merged with free buddies, so adjacent ranges end up fully coalesced.
   Returns false and changes nothing if addr or size is not page aligned, the range leaves the
   region, or it overlaps memory that is free or allocated (either would give one page two
   owners). size 0 is an empty range: true, nothing changes. */
bool buddy_add_range(struct buddy *b, uint64_t addr, uint64_t size);

/* Allocates one naturally aligned block of 2^(12+order) bytes, splitting the smallest big
   enough free block in halves; returns its physical address, or BUDDY_NONE if no free block
   is large enough or order > BUDDY_MAX_ORDER. */
uint64_t buddy_alloc(struct buddy *b, unsigned order);

/* Frees a block buddy_alloc returned for this order and merges it with its buddy while that is
   free. Returns false and changes nothing unless addr is the start of a currently allocated
   block of exactly this order (catches double frees, wrong orders, misaligned or foreign
   addresses). */
bool buddy_free(struct buddy *b, uint64_t addr, unsigned order);

/* Smallest order whose block holds size bytes (size 0 -> order 0); BUDDY_MAX_ORDER + 1 if even
   the largest block is too small. */
unsigned buddy_order_for(uint64_t size);

#endif
