/* The buddy allocator; see buddy.h for the contracts and the page_state encoding. */
#include "buddy/buddy.h"

/* Pages in a block of this order. */
static uint64_t order_pages(unsigned order)
{
    return UINT64_C(1) << order;
}

/* Links page i (a block head of this order) at the front of its free list: LIFO keeps recently
   freed, likely cache-warm memory in use, and O(1) either way. */
static void list_push(struct buddy *b, uint64_t i, unsigned order)
{
    uint64_t head = b->free_heads[order];
    b->links[2 * i] = head;
    b->links[2 * i + 1] = 0;
    if (head)
        b->links[2 * (head - 1) + 1] = i + 1;
    b->free_heads[order] = i + 1;
    b->page_state[i] = (uint8_t)(BUDDY_STATE_FREE | order);
    b->free_per_order[order]++;
    b->free_pages += order_pages(order);
}

/* Unlinks the free block headed by page i from its list; its page_state is the caller's to set
   (allocated head, or 0 when it becomes the upper half of a merged block). */
static void list_remove(struct buddy *b, uint64_t i, unsigned order)
{
    uint64_t next = b->links[2 * i], prev = b->links[2 * i + 1];
    if (prev)
        b->links[2 * (prev - 1)] = next;
    else
        b->free_heads[order] = next;
    if (next)
        b->links[2 * (next - 1) + 1] = prev;
    b->page_state[i] = 0;
    b->free_per_order[order]--;
    b->free_pages -= order_pages(order);
}

/* Frees the block of this order headed by page i (whose page_state is 0) and merges it with its
   buddy while the buddy is a free block of the same order. Buddies are found on physical frame
   numbers, so a block at the region's edge whose buddy is outside never merges. */
static void insert_merged(struct buddy *b, uint64_t i, unsigned order)
{
    while (order < BUDDY_MAX_ORDER) {
        uint64_t pfn = b->base_pfn + i;
        uint64_t buddy_pfn = pfn ^ order_pages(order);
        if (buddy_pfn < b->base_pfn || buddy_pfn - b->base_pfn >= b->pages)
            break;
        uint64_t j = buddy_pfn - b->base_pfn;
        /* The buddy's head byte says whether it is one free block of exactly this order; a
           smaller free block there (or an allocated one) means the pair cannot merge yet. */
        if (b->page_state[j] != (BUDDY_STATE_FREE | order))
            break;
        list_remove(b, j, order);
        if (j < i)
            i = j; /* the merged block starts at the lower buddy; i's byte is already 0 */
        order++;
    }
    list_push(b, i, order);
}

size_t buddy_bookkeeping_bytes(uint64_t pages)
{
    /* 17 bytes per page: one state byte plus two 8-byte links. */
    if (pages > SIZE_MAX / (1 + 2 * sizeof(uint64_t)))
        return SIZE_MAX;
    return (size_t)pages * (1 + 2 * sizeof(uint64_t));
}

void buddy_init(struct buddy *b, uint64_t base, uint64_t pages, uint8_t *page_state,
                uint64_t *links)
{
    b->base = base;
    b->pages = pages;
    b->base_pfn = base >> BUDDY_PAGE_BITS;
    b->page_state = page_state;
    b->links = links;
    b->free_pages = 0;
    for (unsigned k = 0; k <= BUDDY_MAX_ORDER; k++) {
        b->free_heads[k] = 0;
        b->free_per_order[k] = 0;
    }
    /* Zero means "not a block head": the whole region starts as not-yet-added memory. */
    for (uint64_t i = 0; i < pages; i++)
        page_state[i] = 0;
}

bool buddy_add_range(struct buddy *b, uint64_t addr, uint64_t size)
{
    uint64_t page_mask = BUDDY_PAGE_SIZE - 1;
    if ((addr & page_mask) || (size & page_mask))
        return false;
    if (size == 0)
        return true;
    uint64_t region_bytes = b->pages << BUDDY_PAGE_BITS;
    if (addr < b->base || addr - b->base > region_bytes || size > region_bytes - (addr - b->base))
        return false;

    uint64_t first = (addr - b->base) >> BUDDY_PAGE_BITS;
    uint64_t count = size >> BUDDY_PAGE_BITS;

    /* Validate everything before changing anything. A block covering the first page may start
       before the range: look at each order's aligned head at or below it. */
    uint64_t pfn = b->base_pfn + first;
    for (unsigned k = 0; k <= BUDDY_MAX_ORDER; k++) {
        uint64_t head_pfn = pfn & ~(order_pages(k) - 1);
        if (head_pfn < b->base_pfn)
            break; /* larger orders' heads are lower still */
        uint8_t s = b->page_state[head_pfn - b->base_pfn];
        if ((s & (BUDDY_STATE_FREE | BUDDY_STATE_ALLOC)) && (s & BUDDY_STATE_ORDER_MASK) == k)
            return false;
    }
    /* Any other block overlapping the range has its head inside it. */
    for (uint64_t i = first; i < first + count; i++) {
        if (b->page_state[i])
            return false;
    }

    /* Carve the range into maximal naturally aligned blocks: each is as large as the alignment
       of its start frame and the remaining length allow. */
    uint64_t i = first, left = count;
    while (left) {
        unsigned order = 0;
        pfn = b->base_pfn + i;
        while (order < BUDDY_MAX_ORDER && !(pfn & order_pages(order)) &&
               order_pages(order + 1) <= left)
            order++;
        insert_merged(b, i, order);
        i += order_pages(order);
        left -= order_pages(order);
    }
    return true;
}

uint64_t buddy_alloc(struct buddy *b, unsigned order)
{
    if (order > BUDDY_MAX_ORDER)
        return BUDDY_NONE;
    unsigned k = order;
    while (k <= BUDDY_MAX_ORDER && !b->free_heads[k])
        k++;
    if (k > BUDDY_MAX_ORDER)
        return BUDDY_NONE;

    uint64_t i = b->free_heads[k] - 1;
    list_remove(b, i, k);
    /* Keep the lower half each time and free the upper one: the block stays at the same start,
       and the halves left over are exactly the buddies a later free will merge with. */
    while (k > order) {
        k--;
        list_push(b, i + order_pages(k), k);
    }
    b->page_state[i] = (uint8_t)(BUDDY_STATE_ALLOC | order);
    return b->base + (i << BUDDY_PAGE_BITS);
}

bool buddy_free(struct buddy *b, uint64_t addr, unsigned order)
{
    if (order > BUDDY_MAX_ORDER || (addr & (BUDDY_PAGE_SIZE - 1)) || addr < b->base)
        return false;
    uint64_t i = (addr - b->base) >> BUDDY_PAGE_BITS;
    if (i >= b->pages)
        return false;
    /* Only buddy_alloc sets an allocated head byte, and only on a block's first page, so this
       one comparison rejects every address/order pair that is not a live allocation. */
    if (b->page_state[i] != (BUDDY_STATE_ALLOC | order))
        return false;
    b->page_state[i] = 0;
    insert_merged(b, i, order);
    return true;
}

unsigned buddy_order_for(uint64_t size)
{
    if (size <= BUDDY_PAGE_SIZE)
        return 0;
    /* The block needs pages = ceil(size / 4096) <= 2^order, i.e. order = bit length of
       pages - 1 = (size - 1) >> 12; computed this way nothing overflows near UINT64_MAX. */
    uint64_t last = (size - 1) >> BUDDY_PAGE_BITS;
    unsigned order = 0;
    while (last) {
        order++;
        last >>= 1;
    }
    return order > BUDDY_MAX_ORDER ? BUDDY_MAX_ORDER + 1 : order;
}
