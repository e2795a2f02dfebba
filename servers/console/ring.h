/*
 * The console's input queue: a byte ring of fixed size. When it is full the
 * newest bytes are dropped (what a terminal's typeahead does), so what was
 * typed first is never lost to what came after. Pure C.
 */
#ifndef MISSIVE_CONSOLE_RING_H
#define MISSIVE_CONSOLE_RING_H

#include <stddef.h>
#include <stdint.h>

#define RING_SIZE 4096 /* bytes; a power of two */

struct ring {
    uint8_t bytes[RING_SIZE];
    size_t head;  /* index of the oldest byte */
    size_t count; /* bytes queued, 0..RING_SIZE */
};

/* Empties *r. */
void ring_init(struct ring *r);

/* Appends up to n bytes; returns how many fitted (the rest, the newest, are dropped). */
size_t ring_put(struct ring *r, const void *bytes, size_t n);

/* Copies up to n of the oldest bytes into out without removing them; returns the count. */
size_t ring_peek(const struct ring *r, void *out, size_t n);

/* Removes the n oldest bytes (all of them if fewer are queued). */
void ring_drop(struct ring *r, size_t n);

/* Bytes queued. */
size_t ring_count(const struct ring *r);

#endif
