/*
 * The block client's blocking calls (block.h): block_read, block_write, block_flush, one
 * request at a time through the session's region.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "block/block_check.h"
#include "libsys/block_internal.h"
#include "libsys/invoke.h"
#include "libsys/objects.h"
#include "libsys/service.h"
#include "libsys/vmap.h"

/* Runs one request alone and waits for it: 0 or the failed request's answer. */
static long run_one(struct block_session *s, const struct block_submission *request)
{
    if (s->in_flight || s->pending_count)
        return -(long)SERVICE_BUSY; /* the blocking calls do not mix with queued ones */
    long error = block_submit(s, request);
    if (error != 0)
        return error;
    struct block_completion c; /* no doorbell: the wait (BLOCK_WAIT) takes the request */
    long n = block_reap(s, &c, 1);
    if (n < 0)
        return n;
    return c.status == BLOCK_OK ? 0 : -(long)(BLOCK_STATUS_BASE + c.status);
}

/* The bytes one blocking request moves at most. */
static size_t chunk_bytes(const struct block_session *s)
{
    return s->region_bytes < s->info.max_bytes ? s->region_bytes : s->info.max_bytes;
}

long block_read(struct block_session *s, uint64_t lba, void *buffer, size_t bytes)
{
    if (bytes % s->info.sector_size)
        return -(long)SERVICE_BAD_ARGUMENT; /* a partial sector would be rounded down: lost */
    uint8_t *to = buffer;
    while (bytes > 0) {
        size_t n = bytes < chunk_bytes(s) ? bytes : chunk_bytes(s);
        struct block_submission r = {
            .op = BLOCK_OP_READ, .count = (uint32_t)(n / s->info.sector_size), .lba = lba};
        long error = run_one(s, &r);
        if (error != 0)
            return error;
        memcpy(to, s->region, n);
        to += n;
        bytes -= n;
        lba += n / s->info.sector_size;
    }
    return 0;
}

long block_write(struct block_session *s, uint64_t lba, const void *buffer, size_t bytes, bool fua)
{
    if (bytes % s->info.sector_size)
        return -(long)SERVICE_BAD_ARGUMENT; /* a partial sector would be rounded down: lost */
    const uint8_t *from = buffer;
    while (bytes > 0) {
        size_t n = bytes < chunk_bytes(s) ? bytes : chunk_bytes(s);
        memcpy(s->region, from, n);
        struct block_submission r = {.op = BLOCK_OP_WRITE,
                                     .flags = fua ? BLOCK_FLAG_FUA : 0,
                                     .count = (uint32_t)(n / s->info.sector_size),
                                     .lba = lba};
        long error = run_one(s, &r);
        if (error != 0)
            return error;
        from += n;
        bytes -= n;
        lba += n / s->info.sector_size;
    }
    return 0;
}

long block_flush(struct block_session *s)
{
    struct block_submission r = {.op = BLOCK_OP_FLUSH};
    return run_one(s, &r);
}
