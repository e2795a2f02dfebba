/*
 * The disk under the server: a block server's disk through the block client, or memory (a
 * volume that lives as long as the server, for tests), with the block cache between it and
 * lib/hmfs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hmfsd.h"
#include "libsys/block.h"
#include "libsys/service.h"

#define OPEN_TRIES   30 /* a block server that is not there yet: tries, OPEN_WAIT_MS apart */
#define OPEN_WAIT_MS 500
/* The block session's buffer region: two 2 MiB frames, a read area of the largest request
   and a ring for write-back's runs in flight (block_disk). */
#define REGION_BYTES (4u << 20)

/* --- memory ------------------------------------------------------------------------------ */

struct memory_disk {
    uint8_t *blocks;
};

static int memory_read(void *context, uint64_t block, unsigned count, void *data)
{
    struct memory_disk *m = context;
    memcpy(data, m->blocks + block * BCACHE_BLOCK, (size_t)count * BCACHE_BLOCK);
    return 0;
}

static int memory_write(void *context, uint64_t block, unsigned count, const void *data, bool fua)
{
    (void)fua;
    struct memory_disk *m = context;
    memcpy(m->blocks + block * BCACHE_BLOCK, data, (size_t)count * BCACHE_BLOCK);
    return 0;
}

static int memory_flush(void *context)
{
    (void)context;
    return 0;
}

/* --- a block server's disk ------------------------------------------------------------------ */

/*
 * The session's buffer region is split in three: two read areas the size of the largest
 * request (reads land there and the cache copies them out: read_view), and a write ring the
 * rest. A read of a full run (the cache's readahead at its largest: a stream) submits the
 * next run into the other area without waiting for it; the cache's next read of those blocks
 * waits for it then (by then the disk has mostly read it) and submits the one after. A write
 * of a block of that run while it is pending makes it stale: the read is then done again.
 * Write-back's runs are staged in the ring (stage) and submitted without waiting, many in
 * flight, so the cache goes on while the disk writes; they are waited for all at once where
 * order matters: before a flush (a commit's new blocks are all on the disk before the flush
 * that precedes its superblock), before a FUA write, before a read (a read of a block whose
 * write is in flight could return the old contents), and before the ring wraps. A write that
 * fails is said on the console when it is reaped, and from then on every flush and FUA write
 * fails, so no superblock can point at blocks that never reached the disk.
 */
struct block_disk {
    struct block_session *session;
    uint8_t *region;
    uint64_t sectors_per_block;
    size_t read_bytes; /* the read areas: the region's first read_bytes */
    size_t run_bytes;  /* one read area: the largest request (two of them) */
    unsigned run;      /* blocks of the largest request */
    uint64_t block_count;
    /* The run read ahead of a stream: the next full run, submitted after a full run's read
       and waited for only when the cache asks for it (so the disk reads it while the server
       copies out the one before); stale if a write of its blocks went out since. */
    struct {
        bool pending, in_flight, stale;
        unsigned area;
        long status;
        uint64_t block;
        unsigned count;
    } ahead;
    bool alone_done; /* run_alone's request completed, with alone_status */
    long alone_status;
    size_t write_at, write_end; /* the write ring: [read_bytes, write_end), the next run at */
    uint8_t *staged;            /* the run stage handed out last (write then copies nothing) */
    bool write_failed;          /* a write-back's request failed: no more flushes */
    char name[PROTO_NAME_MAX + 16];
    char server[PROTO_NAME_MAX + 1]; /* the block server it is on, and its disk number */
    unsigned disk;
    struct device_waits waits; /* what the cache waited for (device_waits) */
};

/* The block server's disk under the cache, or NULL (a memory disk): for device_move. */
static struct block_disk *block_device;

#define READ_TAG  UINT64_MAX       /* run_alone's tag; a write's is its first block */
#define AHEAD_TAG (UINT64_MAX - 1) /* the read ahead's */

/* Says on the console what failed (the block names the place for fsck and the user). */
static int block_failed(struct block_disk *d, const char *what, uint64_t block, long error)
{
    printf("hmfs: %s: %s of block %llu failed (%ld)\n", d->name, what, (unsigned long long)block,
           error);
    return -1;
}

/* Waits for at least one completion and notes each: run_alone's and the read ahead's
   outcome, a write's failure for good. 0 or the session's error. */
static long reap_some(struct block_disk *d)
{
    struct block_completion done[BLOCK_RING_ENTRIES];
    long n = block_reap(d->session, done, BLOCK_RING_ENTRIES);
    if (n < 0)
        return n;
    for (long i = 0; i < n; i++) {
        long status = done[i].status == BLOCK_OK ? 0 : -(long)(BLOCK_STATUS_BASE + done[i].status);
        if (done[i].tag == READ_TAG) {
            d->alone_done = true;
            d->alone_status = status;
        } else if (done[i].tag == AHEAD_TAG) {
            d->ahead.in_flight = false;
            d->ahead.status = status;
        } else if (status) {
            d->write_failed = true;
            block_failed(d, "write", done[i].tag, status);
        }
    }
    return 0;
}

/* Requests in flight besides the read ahead. */
static unsigned others_in_flight(const struct block_disk *d)
{
    return block_in_flight(d->session) - (d->ahead.in_flight ? 1u : 0u);
}

/* Waits for every request in flight (all writes: reads are waited for at once): 0, or -1 if
   the session failed or a write ever failed. */
static int drain(struct block_disk *d)
{
    uint64_t start = ticks_now();
    /* No doorbell when nothing is in flight: a read's drain would wake the server for an empty
       ring. The read ahead is not waited for (it was kicked when it was submitted). */
    if (others_in_flight(d) > 0)
        block_kick(d->session);
    while (others_in_flight(d) > 0) {
        long n = reap_some(d);
        if (n < 0)
            return block_failed(d, "wait for writes", 0, n);
        d->waits.drains++;
    }
    d->waits.drain_ticks += ticks_now() - start;
    d->write_at = d->read_bytes;
    return d->write_failed ? -1 : 0;
}

/* Queues one request for count blocks at block from offset of the region (reaping finished
   writes first while half the ring is taken): 0 or the error. */
static long submit(struct block_disk *d, uint8_t op, uint8_t flags, uint64_t block, unsigned count,
                   size_t offset, uint64_t tag)
{
    while (block_in_flight(d->session) >= BLOCK_RING_ENTRIES / 2) {
        long n = reap_some(d);
        if (n < 0)
            return n;
    }
    struct block_submission r = {.op = op,
                                 .flags = flags,
                                 .count = (uint32_t)(count * d->sectors_per_block),
                                 .lba = block * d->sectors_per_block,
                                 .offset = offset,
                                 .tag = tag};
    return block_submit(d->session, &r);
}

/* Runs one request alone (nothing else in flight) and waits for it: 0 or the error. */
static long run_alone(struct block_disk *d, uint8_t op, uint8_t flags, uint64_t block,
                      unsigned count, size_t offset)
{
    long e = submit(d, op, flags, block, count, offset, READ_TAG);
    if (e)
        return e;
    d->alone_done = false;
    while (!d->alone_done) { /* the read ahead's completion may come first */
        long n = reap_some(d);
        if (n < 0)
            return n;
    }
    return d->alone_status;
}

/* Waits until the read ahead is not in flight: 0 or the session's error. */
static long settle(struct block_disk *d)
{
    while (d->ahead.in_flight) {
        long n = reap_some(d);
        if (n < 0)
            return n;
    }
    return 0;
}

/* Submits the read of count blocks at block into read area `area`, ahead of the cache's asking
   (nothing if a read ahead is pending or the run passes the disk's end). */
static void read_ahead(struct block_disk *d, uint64_t block, unsigned count, unsigned area)
{
    if (d->ahead.pending || block + count > d->block_count)
        return;
    if (submit(d, BLOCK_OP_READ, 0, block, count, area * d->run_bytes, AHEAD_TAG))
        return; /* not read ahead: the cache's read will say what is wrong */
    block_kick(d->session);
    d->ahead.pending = d->ahead.in_flight = true;
    d->ahead.stale = false;
    d->ahead.area = area;
    d->ahead.block = block;
    d->ahead.count = count;
    d->waits.reads++;
    d->waits.read_blocks += count;
}

/* The read ahead's blocks, if they hold [block, block + count) and no write of theirs went out
   since: 1 with *data set, 0 if not (a read of half a run or more forgets the read ahead, so
   the next can start; a smaller one leaves it pending), or the session's error. */
static long take_ahead(struct block_disk *d, uint64_t block, unsigned count, const void **data)
{
    if (!d->ahead.pending)
        return 0;
    if (block < d->ahead.block || block + count > d->ahead.block + d->ahead.count) {
        if (count < d->run / 2)
            return 0; /* a lone block (a map's): the stream's run stays pending */
        /* Another stream, or this one past what was read ahead: that read goes. */
        long e = settle(d);
        d->ahead.pending = false;
        return e;
    }
    long e = settle(d);
    if (e)
        return e;
    d->ahead.pending = false;
    if (d->ahead.stale || d->ahead.status)
        return 0; /* read again alone: a failed block then fails only its own read */
    *data = d->region + d->ahead.area * d->run_bytes + (block - d->ahead.block) * BCACHE_BLOCK;
    d->waits.ahead_hits++;
    /* The next run, into the other area (this one is the cache's view until its next read). */
    read_ahead(d, d->ahead.block + d->ahead.count, d->ahead.count, 1 - d->ahead.area);
    return 1;
}

static int disk_read_view(void *context, uint64_t block, unsigned count, const void **data)
{
    struct block_disk *d = context;
    if (drain(d) && !d->write_failed)
        return -1; /* the session is gone (a failed write is the flush's to report) */
    uint64_t start = ticks_now();
    long e = take_ahead(d, block, count, data);
    if (e == 0) {
        /* Alone, into the area a pending read ahead does not hold. */
        unsigned area = d->ahead.pending ? 1 - d->ahead.area : 0;
        e = run_alone(d, BLOCK_OP_READ, 0, block, count, area * d->run_bytes);
        d->waits.reads++;
        d->waits.read_blocks += count;
        if (e == 0) {
            *data = d->region + area * d->run_bytes;
            /* A run of half the largest or more is a stream's (the cache's readahead doubles
               up to the largest): the next full run. */
            if (count >= d->run / 2 && d->run >= 2)
                read_ahead(d, block + count, d->run, 1 - area);
        }
    }
    d->waits.read_ticks += ticks_now() - start;
    if (e < 0)
        return block_failed(d, "read", block, e);
    return 0;
}

static int disk_read(void *context, uint64_t block, unsigned count, void *data)
{
    struct block_disk *d = context;
    const void *view;
    if (disk_read_view(d, block, count, &view))
        return -1;
    memcpy(data, view, (size_t)count * BCACHE_BLOCK);
    return 0;
}

static void *disk_stage(void *context, unsigned count)
{
    struct block_disk *d = context;
    size_t bytes = (size_t)count * BCACHE_BLOCK;
    if (d->write_at + bytes > d->write_end && drain(d))
        return NULL; /* the ring is full: wrapping waits for what is in it */
    d->staged = d->region + d->write_at;
    return d->staged;
}

static int disk_write(void *context, uint64_t block, unsigned count, const void *data, bool fua)
{
    struct block_disk *d = context;
    size_t bytes = (size_t)count * BCACHE_BLOCK;
    if (d->ahead.pending && block < d->ahead.block + d->ahead.count &&
        d->ahead.block < block + count)
        d->ahead.stale = true; /* it may hold the old contents or the new */
    if (fua) {
        /* Durable with everything before it: what is in flight lands first. */
        if (drain(d))
            return -1;
        memcpy(d->region + d->write_at, data, bytes);
        uint64_t start = ticks_now();
        long e = run_alone(d, BLOCK_OP_WRITE, BLOCK_FLAG_FUA, block, count, d->write_at);
        d->waits.fuas++;
        d->waits.fua_ticks += ticks_now() - start;
        return e ? block_failed(d, "write", block, e) : 0;
    }
    if (data != d->staged) {
        void *at = disk_stage(d, count);
        if (!at)
            return -1;
        memcpy(at, data, bytes);
    }
    d->staged = NULL;
    long e = submit(d, BLOCK_OP_WRITE, 0, block, count, d->write_at, block);
    if (e)
        return block_failed(d, "write", block, e);
    d->write_at += bytes;
    block_kick(d->session); /* the disk starts on it while the cache goes on */
    return 0;
}

static int disk_flush(void *context)
{
    struct block_disk *d = context;
    if (drain(d))
        return -1;
    uint64_t start = ticks_now();
    long e = run_alone(d, BLOCK_OP_FLUSH, 0, 0, 0, 0);
    d->waits.flushes++;
    d->waits.flush_ticks += ticks_now() - start;
    return e ? block_failed(d, "flush", 0, e) : 0;
}

/* --- lib/hmfs's device over the cache --------------------------------------------------------- */

static int cache_read(void *context, uint64_t block, void *data)
{
    return bcache_read(context, block, data);
}

static int cache_write(void *context, uint64_t block, const void *data)
{
    return bcache_write(context, block, data);
}

static int cache_write_fua(void *context, uint64_t block, const void *data)
{
    return bcache_write_fua(context, block, data);
}

static const void *cache_peek(void *context, uint64_t block)
{
    return bcache_peek(context, block);
}

static void *cache_write_buffer(void *context, uint64_t block)
{
    return bcache_write_buffer(context, block);
}

static int cache_flush(void *context)
{
    return bcache_flush(context);
}

/* Opens disk number of the first block server in kinds that has it: kinds is one name or
   several separated by commas ("ahci,nvme": the boot manifest's line, so make run's disk is
   mounted on AHCI or on NVMe, DISK=nvme). d->name then names the one opened. Returns
   block_open's answer for the last name tried. */
static long open_first(const char *kinds, unsigned number, struct block_disk *d)
{
    long e = -(long)SERVICE_NOT_FOUND;
    for (const char *at = kinds; *at && e == -(long)SERVICE_NOT_FOUND;) {
        size_t n = strcspn(at, ",");
        char name[PROTO_NAME_MAX + 1];
        snprintf(name, sizeof name, "%.*s", (int)n, at);
        e = block_open(name, number, REGION_BYTES, &d->session);
        if (e == 0) {
            snprintf(d->name, sizeof d->name, "%s %u", name, number);
            snprintf(d->server, sizeof d->server, "%s", name);
            d->disk = number;
        }
        at += n + (at[n] == ',');
    }
    return e;
}

/* Parses a decimal number; false if s is not one. */
static bool parse_number(const char *s, uint64_t *out)
{
    if (!s || !*s)
        return false;
    uint64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > UINT64_MAX / 10)
            return false;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return true;
}

const char *device_open(const char *kind, const char *which)
{
    static struct bcache_backend backend;
    static char description[PROTO_NAME_MAX + 32];
    uint64_t number;
    if (!kind || !parse_number(which, &number))
        return "usage: hmfs -- (memory BLOCKS | BLOCK-SERVER DISK) [format]";
    if (!strcmp(kind, "memory")) {
        static struct memory_disk m;
        if (number < HMFS_MIN_BLOCKS || number > (1u << 20))
            return "a memory disk has 16 to 1048576 blocks";
        m.blocks = calloc(number, BCACHE_BLOCK);
        if (!m.blocks)
            return "no memory for the memory disk";
        backend = (struct bcache_backend){.context = &m,
                                          .block_count = number,
                                          .max_run = 64,
                                          .read = memory_read,
                                          .write = memory_write,
                                          .flush = memory_flush};
        snprintf(description, sizeof description, "memory (%llu blocks)",
                 (unsigned long long)number);
    } else {
        static struct block_disk d;
        snprintf(d.name, sizeof d.name, "%s %llu", kind, (unsigned long long)number);
        /* A driver the pci server starts may come up after this server: wait for its name. */
        long e = open_first(kind, (unsigned)number, &d);
        for (unsigned tries = 0; e == -(long)SERVICE_NOT_FOUND && tries < OPEN_TRIES; tries++) {
            proc_sleep_ms(OPEN_WAIT_MS);
            e = open_first(kind, (unsigned)number, &d);
        }
        if (e == -(long)SERVICE_NOT_FOUND) {
            snprintf(description, sizeof description, "no disk %s", d.name);
            return description;
        }
        if (e) {
            snprintf(description, sizeof description, "cannot open %s (%ld)", d.name, e);
            return description;
        }
        const struct block_disk_info *info = block_info(d.session);
        if (info->sector_size == 0 || BCACHE_BLOCK % info->sector_size)
            return "the disk's sector size does not divide 4096";
        d.sectors_per_block = BCACHE_BLOCK / info->sector_size;
        unsigned run = info->max_bytes / BCACHE_BLOCK;
        if (run > REGION_BYTES / 4 / BCACHE_BLOCK)
            run = REGION_BYTES / 4 / BCACHE_BLOCK;
        if (run == 0)
            run = 1;
        d.region = block_region(d.session);
        block_device = &d;
        d.run = run;
        d.run_bytes = (size_t)run * BCACHE_BLOCK;
        d.read_bytes = 2 * d.run_bytes; /* two read areas: a run and the one read ahead */
        d.write_at = d.read_bytes;
        d.block_count = info->sectors / d.sectors_per_block;
        d.write_end = block_region_bytes(d.session);
        backend = (struct bcache_backend){.context = &d,
                                          .block_count = info->sectors / d.sectors_per_block,
                                          .max_run = run,
                                          .read = disk_read,
                                          .write = disk_write,
                                          .flush = disk_flush,
                                          .stage = disk_stage,
                                          .read_view = disk_read_view};
        snprintf(description, sizeof description, "%s (%llu blocks)", d.name,
                 (unsigned long long)backend.block_count);
    }
    hmfsd.cache = bcache_new(&backend, HMFSD_CACHE_BLOCKS);
    if (!hmfsd.cache)
        return "no memory for the block cache";
    hmfsd.device = (struct hmfs_device){.context = hmfsd.cache,
                                        .block_count = backend.block_count,
                                        .read = cache_read,
                                        .write = cache_write,
                                        .write_fua = cache_write_fua,
                                        .flush = cache_flush,
                                        .peek = cache_peek,
                                        .write_buffer = cache_write_buffer};
    hmfsd.disk = description;
    return 0;
}

struct device_waits device_waits(void)
{
    return block_device ? block_device->waits : (struct device_waits){0};
}

bool device_has_hmfs(void)
{
    static uint8_t block[HMFS_BLOCK_SIZE];
    for (unsigned i = 0; i < HMFS_RING_SIZE && i < hmfsd.device.block_count; i++) {
        if (hmfsd.device.read(hmfsd.device.context, i, block))
            return true; /* unreadable: not blank for sure, so never formatted over */
        const struct hmfs_super *s = (const struct hmfs_super *)block;
        if (s->magic == HMFS_SUPER_MAGIC)
            return true;
    }
    return false;
}

/* Reads d's superblock ring (blocks 0 to HMFS_RING_SIZE - 1) from the disk itself, past the
   cache, into ring: 0 or -1. A block at a time: the read area may hold only one. */
static int read_ring(struct block_disk *d, uint8_t *ring)
{
    for (unsigned i = 0; i < HMFS_RING_SIZE; i++) {
        const void *view;
        if (disk_read_view(d, i, 1, &view))
            return -1;
        memcpy(ring + (size_t)i * BCACHE_BLOCK, view, BCACHE_BLOCK);
    }
    return 0;
}

long device_move(const char *server, unsigned disk)
{
    struct block_disk *d = block_device;
    if (!d)
        return -(long)SERVICE_DENIED; /* a volume in memory */
    /* Only the size is the block library's to check: the superblock ring, committed and
       identical on both, is what says the other disk holds this very image. Another disk
       of the same size would have the cache's blocks written over its own. */
    static uint8_t before[HMFS_RING_SIZE * BCACHE_BLOCK], after[HMFS_RING_SIZE * BCACHE_BLOCK];
    /* read_ring reads into the read areas, which may hold the cache's peeked run. */
    if (bcache_settle(hmfsd.cache) || read_ring(d, before) ||
        settle(d)) /* nothing in flight: the read ahead either */
        return -(long)SERVICE_INTERNAL;
    d->ahead.pending = false; /* read_ring below may reuse its area; read again if needed */
    long moved = block_move_sessions(server, disk);
    if (moved <= 0)
        return moved ? moved : -(long)SERVICE_DENIED;
    if (read_ring(d, after) == 0 && memcmp(before, after, sizeof before) == 0) {
        snprintf(d->name, sizeof d->name, "%s %u", server, disk);
        snprintf(d->server, sizeof d->server, "%s", server);
        d->disk = disk;
        return moved;
    }
    printf("hmfs: %s disk %u does not hold this volume (its superblocks differ); back to %s\n",
           server, disk, d->name);
    if (block_move_sessions(d->server, d->disk) <= 0)
        printf("hmfs: cannot go back to %s\n", d->name); /* later requests fail, reopening */
    return -(long)SERVICE_BAD_ARGUMENT;
}
