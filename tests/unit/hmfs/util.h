/*
 * Helpers shared by the HMFS host tests: a seeded generator, and a volume on a memdev.
 */
#ifndef MISSIVE_TESTS_HMFS_UTIL_H
#define MISSIVE_TESTS_HMFS_UTIL_H

#include <stdint.h>

#include "memdev.h"

/* xorshift64*: reproducible from its seed. */
static inline uint64_t rng_next(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * UINT64_C(0x2545f4914f6cdd1d);
}

static inline uint64_t rng_below(uint64_t *state, uint64_t n)
{
    return n ? rng_next(state) % n : 0;
}

/* The content byte at offset of a file written with seed: any offset can be checked alone. */
static inline uint8_t pattern_byte(uint64_t seed, uint64_t offset)
{
    uint64_t x =
        (seed + 1) * UINT64_C(0x9e3779b97f4a7c15) ^ (offset * UINT64_C(0xbf58476d1ce4e5b9));
    x ^= x >> 31;
    return (uint8_t)(x ^ (x >> 17));
}

#endif
