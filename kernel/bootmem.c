/* Boot-time frame allocator; see bootmem.h. */
#include "bootmem.h"

#define PAGE_MASK ((uint64_t)BOOTMEM_PAGE - 1)

void bootmem_init(struct bootmem *bm)
{
    bm->count = 0;
    bm->total = bm->reserved = bm->used = bm->lost = 0;
}

uint64_t bootmem_free_bytes(const struct bootmem *bm)
{
    uint64_t sum = 0;
    for (unsigned i = 0; i < bm->count; i++)
        sum += bm->free[i].end - bm->free[i].base;
    return sum;
}

static void remove_at(struct bootmem *bm, unsigned i)
{
    for (; i + 1 < bm->count; i++)
        bm->free[i] = bm->free[i + 1];
    bm->count--;
}

/* Inserts [base, end) at its sorted place, merging with any range it
   overlaps or touches. Returns the bytes it added that were not free yet. */
static uint64_t insert_range(struct bootmem *bm, uint64_t base, uint64_t end)
{
    uint64_t before = bootmem_free_bytes(bm);
    unsigned i = 0;
    while (i < bm->count && bm->free[i].end < base)
        i++;
    /* Everything from i on that touches [base, end) merges into it. */
    while (i < bm->count && bm->free[i].base <= end) {
        if (bm->free[i].base < base)
            base = bm->free[i].base;
        if (bm->free[i].end > end)
            end = bm->free[i].end;
        remove_at(bm, i);
    }
    if (bm->count == BOOTMEM_MAX_RANGES) {
        /* Only reachable when nothing merged, so only the new range is lost. */
        bm->lost += end - base;
        return 0;
    }
    for (unsigned j = bm->count; j > i; j--)
        bm->free[j] = bm->free[j - 1];
    bm->free[i].base = base;
    bm->free[i].end = end;
    bm->count++;
    return bootmem_free_bytes(bm) - before;
}

void bootmem_add(struct bootmem *bm, uint64_t base, uint64_t length)
{
    if (length > UINT64_MAX - base)
        length = UINT64_MAX - base;
    uint64_t end = (base + length) & ~PAGE_MASK;
    if (base > UINT64_MAX - PAGE_MASK)
        return;
    base = (base + PAGE_MASK) & ~PAGE_MASK;
    if (end <= base)
        return;
    bm->total += insert_range(bm, base, end);
}

void bootmem_reserve(struct bootmem *bm, uint64_t base, uint64_t length)
{
    if (length == 0)
        return;
    if (length > UINT64_MAX - base)
        length = UINT64_MAX - base;
    uint64_t end = base + length;
    end = end > UINT64_MAX - PAGE_MASK ? UINT64_MAX & ~PAGE_MASK : (end + PAGE_MASK) & ~PAGE_MASK;
    base &= ~PAGE_MASK;

    for (unsigned i = 0; i < bm->count;) {
        struct bootmem_range *r = &bm->free[i];
        if (r->end <= base || r->base >= end) {
            i++;
            continue;
        }
        uint64_t cut_base = r->base > base ? r->base : base;
        uint64_t cut_end = r->end < end ? r->end : end;
        bm->reserved += cut_end - cut_base;
        if (cut_base == r->base && cut_end == r->end) {
            remove_at(bm, i);
        } else if (cut_base == r->base) {
            r->base = cut_end;
            i++;
        } else if (cut_end == r->end) {
            r->end = cut_base;
            i++;
        } else if (bm->count < BOOTMEM_MAX_RANGES) {
            /* A hole in the middle: split into two ranges. */
            for (unsigned j = bm->count; j > i + 1; j--)
                bm->free[j] = bm->free[j - 1];
            bm->free[i + 1].base = cut_end;
            bm->free[i + 1].end = r->end;
            r->end = cut_base;
            bm->count++;
            i += 2;
        } else {
            /* No slot for the upper piece: give it up rather than risk
               handing out reserved memory. */
            bm->lost += r->end - cut_end;
            r->end = cut_base;
            i++;
        }
    }
}

/* The lowest free frame is the first of the first range: ranges are sorted and each holds at
   least a page, so a search for one page stops at the first range or finds nothing below limit. */
uint64_t bootmem_alloc(struct bootmem *bm, uint64_t limit)
{
    return bootmem_alloc_contiguous(bm, BOOTMEM_PAGE, limit);
}

uint64_t bootmem_alloc_contiguous(struct bootmem *bm, uint64_t size, uint64_t limit)
{
    size = (size + PAGE_MASK) & ~PAGE_MASK;
    for (unsigned i = 0; i < bm->count; i++) {
        struct bootmem_range *r = &bm->free[i];
        if (r->end - r->base < size || r->base > limit || limit - r->base < size)
            continue;
        uint64_t base = r->base;
        r->base += size;
        if (r->base == r->end)
            remove_at(bm, i);
        bm->used += size;
        return base;
    }
    return BOOTMEM_NONE;
}

bool bootmem_take_block(struct bootmem *bm, unsigned max_bits, uint64_t *base, unsigned *bits)
{
    if (bm->count == 0)
        return false;
    struct bootmem_range *r = &bm->free[0];
    unsigned b = 12;
    /* Grow while the block stays aligned at its base and inside the range. */
    while (b < max_bits && b < 63 && !(r->base & ((2ull << b) - 1)) &&
           r->end - r->base >= (2ull << b))
        b++;
    *base = r->base;
    *bits = b;
    r->base += 1ull << b;
    if (r->base == r->end)
        remove_at(bm, 0);
    return true;
}
