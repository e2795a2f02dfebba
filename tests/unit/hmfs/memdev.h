/*
 * An in-memory block device for the HMFS host tests, able to stop taking writes after the
 * N-th (a power cut) and to lose the writes not yet flushed, in any order, when it does; and
 * able to fail reads or writes of chosen blocks.
 */
#ifndef MISSIVE_TESTS_HMFS_MEMDEV_H
#define MISSIVE_TESTS_HMFS_MEMDEV_H

#include <stdbool.h>
#include <stdint.h>

#include "hmfs/hmfs.h"

struct memdev {
    uint64_t blocks;
    uint8_t *durable;   /* what survives a power cut */
    uint8_t *volatile_; /* what reads see: durable plus the unflushed writes */
    bool *unflushed;    /* per block: written since the last flush */
    uint64_t writes;    /* writes so far (FUA ones included) */
    uint64_t cut_after; /* writes taken before the power goes (UINT64_MAX: never) */
    bool cut;           /* the power is off: every call fails */
    uint64_t fail_read; /* a block whose reads fail (UINT64_MAX: none) */
    struct hmfs_device dev;
};

void memdev_init(struct memdev *m, uint64_t blocks);
void memdev_free(struct memdev *m);
/* After a cut: keeps the durable contents, and of the unflushed writes each one survives or
   not as seed says (seed 0: all are lost; UINT64_MAX: all survive). Power comes back. */
void memdev_power_on(struct memdev *m, uint64_t seed);
void memdev_copy(struct memdev *to, const struct memdev *from);

#endif
