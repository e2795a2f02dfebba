/*
 * The console's input ring. See ring.h.
 */
#include "ring.h"

_Static_assert((RING_SIZE & (RING_SIZE - 1)) == 0, "RING_SIZE must be a power of two");

void ring_init(struct ring *r)
{
    r->head = 0;
    r->count = 0;
}

size_t ring_put(struct ring *r, const void *bytes, size_t n)
{
    const uint8_t *p = bytes;
    size_t room = RING_SIZE - r->count;
    if (n > room)
        n = room;
    for (size_t i = 0; i < n; i++)
        r->bytes[(r->head + r->count + i) & (RING_SIZE - 1)] = p[i];
    r->count += n;
    return n;
}

size_t ring_peek(const struct ring *r, void *out, size_t n)
{
    uint8_t *p = out;
    if (n > r->count)
        n = r->count;
    for (size_t i = 0; i < n; i++)
        p[i] = r->bytes[(r->head + i) & (RING_SIZE - 1)];
    return n;
}

void ring_drop(struct ring *r, size_t n)
{
    if (n > r->count)
        n = r->count;
    r->head = (r->head + n) & (RING_SIZE - 1);
    r->count -= n;
}

size_t ring_count(const struct ring *r)
{
    return r->count;
}
