/*
 * The block protocol's pure parts (lib/proto/block.h), shared by the server library
 * (libsys/block_server.c), the client library (libsys/block.c) and host unit tests
 * (tests/unit/test_block.c): checking one request against its disk and region, the ring
 * indices' arithmetic, and splitting a request's bytes into physical pieces.
 */
#ifndef MISSIVE_BLOCK_CHECK_H
#define MISSIVE_BLOCK_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "proto/block.h"

/* What a request is checked against. */
struct block_check_disk {
    uint32_t sector_size; /* 512 or 4096 */
    uint64_t sectors;
    uint32_t max_bytes; /* the largest request (a multiple of sector_size) */
    bool read_only;
};

/* The status request s gets before anything happens on the disk: BLOCK_OK, or, checked in this
   order, BLOCK_ERROR_OP (unknown op, unknown flag or FUA on other than a write, non-zero
   reserved field, a flush with a count, lba or offset), BLOCK_ERROR_READ_ONLY (a write to a
   read-only disk), BLOCK_ERROR_RANGE (count 0, more than max_bytes, or sectors past the end),
   BLOCK_ERROR_ALIGNMENT (offset not a multiple of the sector size), BLOCK_ERROR_REGION (the
   bytes do not lie inside the region of region_bytes). No overflow can make a bad request
   pass. */
uint32_t block_check_request(const struct block_submission *s, const struct block_check_disk *d,
                             uint64_t region_bytes);

/* A ring's entries between a consumer's index head and a producer's index tail (both running
   freely and wrapping): tail - head. A count above BLOCK_RING_ENTRIES means the producer (or
   whoever wrote the index) is broken. */
static inline uint32_t block_ring_count(uint32_t head, uint32_t tail)
{
    return tail - head;
}

/* Whether head and tail can be a queue's indices at all. */
static inline bool block_ring_sane(uint32_t head, uint32_t tail)
{
    return block_ring_count(head, tail) <= BLOCK_RING_ENTRIES;
}

/* The slot of index i. */
static inline uint32_t block_ring_slot(uint32_t i)
{
    return i % BLOCK_RING_ENTRIES;
}

/* A physically contiguous piece of a request's buffer. */
struct block_segment {
    uint64_t physical;
    uint64_t bytes;
};

/* Splits bytes (> 0) at offset of a region made of frames of 2^frame_bits bytes at the
   physical addresses frame_physical[0..frame_count) into out, in order, merging pieces that
   are physically adjacent: returns how many, or 0 when the range leaves the region or needs
   more than max pieces. */
unsigned block_segments(const uint64_t *frame_physical, unsigned frame_count, unsigned frame_bits,
                        uint64_t offset, uint64_t bytes, struct block_segment *out, unsigned max);

#endif
