/*
 * The boot-time frame allocator: hands out 4 KiB physical frames for the kernel's own early
 * structures (page tables, the root task's first objects) and never frees. It keeps a sorted list
 * of free physical ranges built from the firmware memory map minus what is in use (the kernel
 * image, boot modules, the boot information, the first MiB).
 *
 * Pure C with no kernel dependencies, so host unit tests compile it as is.
 * Not thread-safe: it is used only while one CPU boots.
 */
#ifndef MISSIVE_BOOTMEM_H
#define MISSIVE_BOOTMEM_H

#include <stdbool.h>
#include <stdint.h>

#include "missive/abi.h" /* PAGE_SIZE */

#define BOOTMEM_PAGE       PAGE_SIZE
#define BOOTMEM_MAX_RANGES 64
#define BOOTMEM_NONE       UINT64_MAX

struct bootmem_range {
    uint64_t base; /* page-aligned */
    uint64_t end;  /* exclusive, page-aligned, > base */
};

struct bootmem {
    struct bootmem_range free[BOOTMEM_MAX_RANGES]; /* sorted, disjoint, not adjacent */
    unsigned count;
    uint64_t total;    /* bytes of usable RAM added */
    uint64_t reserved; /* bytes of usable RAM withheld by bootmem_reserve */
    uint64_t used;     /* bytes handed out by bootmem_alloc */
    uint64_t lost;     /* bytes dropped because the range table was full: by an add
                          (never counted in total) or by a reserve split (counted) */
};

void bootmem_init(struct bootmem *bm);

/* Adds usable RAM [base, base+length), shrunk inward to whole pages. Overlap
   with ranges already added is counted once. */
void bootmem_add(struct bootmem *bm, uint64_t base, uint64_t length);

/* Withholds [base, base+length), grown outward to whole pages, from the free
   ranges (call after every bootmem_add). */
void bootmem_reserve(struct bootmem *bm, uint64_t base, uint64_t length);

/* Returns the physical address of the lowest free frame that lies wholly
   below limit, or BOOTMEM_NONE. The frame is not zeroed. */
uint64_t bootmem_alloc(struct bootmem *bm, uint64_t limit);

/* Returns the base of size bytes (rounded up to pages) of contiguous free memory wholly below
   limit, from the first range that has them, or BOOTMEM_NONE. */
uint64_t bootmem_alloc_contiguous(struct bootmem *bm, uint64_t size, uint64_t limit);

/* Takes the largest naturally aligned power-of-two block (4 KiB to 2^max_bits) at the start of the
   lowest free range: its base and size in bits. False when nothing is free. Used to hand all
   remaining memory to the root task as Untyped capabilities; the blocks are not counted as used. */
bool bootmem_take_block(struct bootmem *bm, unsigned max_bits, uint64_t *base, unsigned *bits);

/* Bytes still free. */
uint64_t bootmem_free_bytes(const struct bootmem *bm);

#endif
