/*
 * The file server's block cache (servers/hmfs): bounded memory (a fixed number of 4 KiB
 * blocks), least recently used out first, write-back (a write only marks the block dirty;
 * dirty blocks go to the device, sorted and merged into runs, at a flush, a FUA write, or when
 * a quarter of the cache is dirty or a dirty block must make room) and readahead (a miss that
 * follows the previous miss reads a growing run ahead, up to the backend's largest request; a
 * run that fails is read again as the one block asked for, so a bad block read ahead fails
 * only its own reads).
 *
 * It sits between lib/hmfs (whose struct hmfs_device it serves: bcache_read and friends have
 * its callbacks' meaning) and the disk (struct bcache_backend). Semantics the filesystem
 * relies on: a read returns the last write of that block; a flush makes every write before it
 * durable; a FUA write is durable, with every write before it, when it returns.
 * Pure C (malloc); not thread-safe.
 */
#ifndef MISSIVE_FSSERVE_BCACHE_H
#define MISSIVE_FSSERVE_BCACHE_H

#include <stdbool.h>
#include <stdint.h>

#define BCACHE_BLOCK 4096u

struct bcache_backend {
    void *context;
    uint64_t block_count;
    unsigned max_run; /* blocks one read or write may span (>= 1) */
    /* Each returns 0 or non-zero on failure. */
    int (*read)(void *context, uint64_t block, unsigned count, void *data);
    int (*write)(void *context, uint64_t block, unsigned count, const void *data, bool fua);
    int (*flush)(void *context);
    /* Optional (NULL: the cache stages runs in its own memory, and read and write copy).
       stage: where a write of count blocks (<= max_run) should be put, in the backend's own
       memory (a disk's buffer region), NULL on failure; the cache fills it and passes it to
       write, which then moves nothing. read_view: reads count blocks into the backend's memory
       and points *data at them, valid until the next read or read_view (stage and write must
       leave them alone: a readahead may write dirty blocks back before it has taken them). */
    void *(*stage)(void *context, unsigned count);
    int (*read_view)(void *context, uint64_t block, unsigned count, const void **data);
};

struct bcache_stats {
    uint64_t hits, misses, readahead; /* readahead: blocks read before they were asked for */
    uint64_t writes, write_runs, flushes;
    uint64_t dirty; /* now */
};

struct bcache;

/* A cache of capacity blocks (>= 16) over backend: NULL when out of memory. */
struct bcache *bcache_new(const struct bcache_backend *backend, unsigned capacity);
/* Frees it; dirty blocks are dropped (flush first). */
void bcache_free(struct bcache *c);

int bcache_read(struct bcache *c, uint64_t block, void *data);
/* bcache_read without the copy: the block's bytes, valid until the next call into the cache;
   NULL if the read failed. A long readahead run (a stream's) that a peek reads stays where the
   backend read it (its read_view): its blocks are peeked there and are not kept in the cache
   (used once); those never peeked go into the cache before the next read. */
const void *bcache_peek(struct bcache *c, uint64_t block);
/* Puts the blocks of the run peeks are served from into the cache, where a readahead without
   peeks would have put them: before the backend's read memory is used outside the cache (a
   read_view not made by it). 0, or -1 if a write-back failed. */
int bcache_settle(struct bcache *c);
int bcache_write(struct bcache *c, uint64_t block, const void *data);
/* bcache_write without the copy: the cache's memory for block, marked dirty, which the caller
   must fill whole before its next call into the cache (so a block made while it is copied is
   gone over once); NULL if a write-back failed. */
void *bcache_write_buffer(struct bcache *c, uint64_t block);
/* Writes every dirty block, then this one with FUA. */
int bcache_write_fua(struct bcache *c, uint64_t block, const void *data);
/* Writes every dirty block, then flushes the device. */
int bcache_flush(struct bcache *c);
/* Forgets every clean block (so the next reads come from the disk: for a check). */
void bcache_drop_clean(struct bcache *c);
struct bcache_stats bcache_stats(const struct bcache *c);

#endif
