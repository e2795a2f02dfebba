/*
 * The in-memory device of the HMFS host tests (memdev.h).
 */
#include "memdev.h"

#include <stdlib.h>
#include <string.h>

static int md_read(void *context, uint64_t block, void *data)
{
    struct memdev *m = context;
    if (m->cut || block >= m->blocks || block == m->fail_read)
        return -1;
    memcpy(data, m->volatile_ + block * HMFS_BLOCK_SIZE, HMFS_BLOCK_SIZE);
    return 0;
}

/* The block in place (the peek hook: file data is read through it), failing as md_read. */
static const void *md_peek(void *context, uint64_t block)
{
    struct memdev *m = context;
    if (m->cut || block >= m->blocks || block == m->fail_read)
        return NULL;
    return m->volatile_ + block * HMFS_BLOCK_SIZE;
}

/* Takes one write of block: counts it and marks the block unflushed, returning where its bytes
   go in the volatile copy; NULL, taking nothing, for a block past the end or once the power is
   cut, which the write that reaches cut_after does. The one gate of md_write and
   md_write_buffer, so both count and cut alike. */
static uint8_t *md_take_write(struct memdev *m, uint64_t block)
{
    if (m->cut || block >= m->blocks)
        return NULL;
    if (m->writes >= m->cut_after) {
        m->cut = true;
        return NULL;
    }
    m->writes++;
    m->unflushed[block] = true;
    return m->volatile_ + block * HMFS_BLOCK_SIZE;
}

static int md_write(void *context, uint64_t block, const void *data)
{
    uint8_t *to = md_take_write(context, block);
    if (!to)
        return -1;
    memcpy(to, data, HMFS_BLOCK_SIZE);
    return 0;
}

/* The block in place to be filled (the write_buffer hook: blocks are checksummed as they are
   copied there), counted and cut as md_write. */
static void *md_write_buffer(void *context, uint64_t block)
{
    return md_take_write(context, block);
}

static int md_flush(void *context)
{
    struct memdev *m = context;
    if (m->cut)
        return -1;
    memcpy(m->durable, m->volatile_, m->blocks * HMFS_BLOCK_SIZE);
    memset(m->unflushed, 0, m->blocks * sizeof *m->unflushed);
    return 0;
}

static int md_write_fua(void *context, uint64_t block, const void *data)
{
    struct memdev *m = context;
    int rc = md_write(context, block, data);
    if (rc == 0) {
        memcpy(m->durable + block * HMFS_BLOCK_SIZE, data, HMFS_BLOCK_SIZE);
        m->unflushed[block] = false;
    }
    return rc;
}

void memdev_init(struct memdev *m, uint64_t blocks)
{
    memset(m, 0, sizeof *m);
    m->blocks = blocks;
    m->durable = calloc(blocks, HMFS_BLOCK_SIZE);
    m->volatile_ = calloc(blocks, HMFS_BLOCK_SIZE);
    m->unflushed = calloc(blocks, sizeof *m->unflushed);
    m->cut_after = UINT64_MAX;
    m->fail_read = UINT64_MAX;
    m->dev = (struct hmfs_device){m,        blocks,  md_read,        md_write, md_write_fua,
                                  md_flush, md_peek, md_write_buffer};
}

void memdev_free(struct memdev *m)
{
    free(m->durable);
    free(m->volatile_);
    free(m->unflushed);
}

void memdev_power_on(struct memdev *m, uint64_t seed)
{
    uint64_t x = seed;
    for (uint64_t b = 0; b < m->blocks; b++) {
        if (!m->unflushed[b])
            continue;
        bool keep = seed == UINT64_MAX;
        if (seed != 0 && seed != UINT64_MAX) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            keep = x & 1;
        }
        if (keep)
            memcpy(m->durable + b * HMFS_BLOCK_SIZE, m->volatile_ + b * HMFS_BLOCK_SIZE,
                   HMFS_BLOCK_SIZE);
    }
    memcpy(m->volatile_, m->durable, m->blocks * HMFS_BLOCK_SIZE);
    memset(m->unflushed, 0, m->blocks * sizeof *m->unflushed);
    m->cut = false;
    m->cut_after = UINT64_MAX;
}

void memdev_copy(struct memdev *to, const struct memdev *from)
{
    memdev_init(to, from->blocks);
    memcpy(to->durable, from->durable, from->blocks * HMFS_BLOCK_SIZE);
    memcpy(to->volatile_, from->volatile_, from->blocks * HMFS_BLOCK_SIZE);
    memcpy(to->unflushed, from->unflushed, from->blocks * sizeof *from->unflushed);
}
