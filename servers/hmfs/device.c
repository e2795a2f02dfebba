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
#define REGION_BYTES (2u << 20) /* the block session's buffer region: one 2 MiB frame */

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

struct block_disk {
    struct block_session *session;
    uint64_t sectors_per_block;
    char name[PROTO_NAME_MAX + 16];
};

/* Says on the console what failed (the block names the place for fsck and the user). */
static int block_failed(struct block_disk *d, const char *what, uint64_t block, long error)
{
    printf("hmfs: %s: %s of block %llu failed (%ld)\n", d->name, what, (unsigned long long)block,
           error);
    return -1;
}

static int disk_read(void *context, uint64_t block, unsigned count, void *data)
{
    struct block_disk *d = context;
    long e =
        block_read(d->session, block * d->sectors_per_block, data, (size_t)count * BCACHE_BLOCK);
    return e ? block_failed(d, "read", block, e) : 0;
}

static int disk_write(void *context, uint64_t block, unsigned count, const void *data, bool fua)
{
    struct block_disk *d = context;
    long e = block_write(d->session, block * d->sectors_per_block, data,
                         (size_t)count * BCACHE_BLOCK, fua);
    return e ? block_failed(d, "write", block, e) : 0;
}

static int disk_flush(void *context)
{
    struct block_disk *d = context;
    long e = block_flush(d->session);
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
        if (e == 0)
            snprintf(d->name, sizeof d->name, "%s %u", name, number);
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
        backend = (struct bcache_backend){&m, number, 64, memory_read, memory_write, memory_flush};
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
        if (run > REGION_BYTES / BCACHE_BLOCK)
            run = REGION_BYTES / BCACHE_BLOCK;
        backend = (struct bcache_backend){
            &d,        info->sectors / d.sectors_per_block, run ? run : 1, disk_read, disk_write,
            disk_flush};
        snprintf(description, sizeof description, "%s (%llu blocks)", d.name,
                 (unsigned long long)backend.block_count);
    }
    hmfsd.cache = bcache_new(&backend, HMFSD_CACHE_BLOCKS);
    if (!hmfsd.cache)
        return "no memory for the block cache";
    hmfsd.device = (struct hmfs_device){hmfsd.cache, backend.block_count, cache_read,
                                        cache_write, cache_write_fua,     cache_flush};
    hmfsd.disk = description;
    return 0;
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
