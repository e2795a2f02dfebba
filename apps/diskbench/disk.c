/*
 * diskbench's disk rows: lib/diskbench's workload through the block client (libsys/block.h),
 * with the rows' 4 MiB of buffers as the session's shared region, so that every request
 * names its slot of the region and nothing is copied.
 */
#include <stdio.h>
#include <string.h>

#include "diskbench.h"
#include "libsys/block.h"

/* One target's session, for the diskbench_io callbacks. */
struct db_disk {
    struct block_session *session;
    uint32_t sector_size;
};

/* diskbench_io's queue: a submission naming the slot's part of the region (tag: the slot). */
static int db_queue(void *context, unsigned slot, enum diskbench_op op, uint64_t offset,
                    uint32_t bytes)
{
    struct db_disk *d = context;
    struct block_submission sub = {
        .op = op == DISKBENCH_WRITE ? BLOCK_OP_WRITE : BLOCK_OP_READ,
        .count = bytes / d->sector_size,
        .lba = offset / d->sector_size,
        .offset = (uint64_t)slot * DISKBENCH_MAX_REQUEST,
        .tag = slot,
    };
    long e = block_submit(d->session, &sub);
    return e < 0 ? (int)e : 0;
}

/* diskbench_io's complete: one doorbell for what was queued, then the completions (at
   least one). When nothing but the requests just queued is in flight, block_reap must wait,
   and its wait (BLOCK_WAIT) takes the queued requests itself (lib/libsys/block.h): the
   doorbell is left out then, so that submitting and waiting are one call, as Linux's
   io_uring_enter makes them. A failed request is printed and ends the row. */
static int db_complete(void *context, unsigned queued, unsigned *slots, unsigned max)
{
    struct db_disk *d = context;
    if (queued && block_in_flight(d->session) > queued)
        block_kick(d->session);
    struct block_completion done[DISKBENCH_MAX_DEPTH];
    long n = block_reap(d->session, done, max < DISKBENCH_MAX_DEPTH ? max : DISKBENCH_MAX_DEPTH);
    if (n <= 0)
        return n < 0 ? (int)n : -1;
    for (long i = 0; i < n; i++) {
        if (done[i].status != BLOCK_OK) {
            printf("diskbench: request on slot %llu: %s\n", (unsigned long long)done[i].tag,
                   block_status_name(done[i].status));
            return -(int)(BLOCK_STATUS_BASE + done[i].status);
        }
        slots[i] = (unsigned)done[i].tag;
    }
    return (int)n;
}

/* The rows on one target, o->repeats times: the number of failures. */
static unsigned db_run_disk(const struct db_options *o, const struct db_target *t)
{
    struct block_session *session;
    long e = block_open(t->server, t->disk, DISKBENCH_BUFFER_BYTES, &session);
    if (e < 0) {
        printf("diskbench: FAIL opening %s disk %u: error %ld\n", t->server, t->disk, e);
        return 1;
    }
    const struct block_disk_info *info = block_info(session);
    uint64_t disk_bytes = info->sectors * info->sector_size;
    struct diskbench_size size = o->size;
    /* A smaller disk (the ramdisk) runs the rows over what it has: the figures per request
       do not depend on the area. */
    if (size.area_bytes > disk_bytes)
        size.area_bytes = disk_bytes / DISKBENCH_MAX_REQUEST * DISKBENCH_MAX_REQUEST;
    printf("# %s:%u: %s, %llu sectors of %u bytes, depth %u, requests up to %u bytes, "
           "rows over %llu MiB\n",
           t->server, t->disk, info->model, (unsigned long long)info->sectors, info->sector_size,
           info->depth, info->max_bytes, (unsigned long long)(size.area_bytes >> 20));
    unsigned failed = 0;
    if (info->max_bytes < DISKBENCH_MAX_REQUEST || size.area_bytes == 0 ||
        DISKBENCH_MAX_REQUEST % info->sector_size != 0) {
        printf("diskbench: FAIL %s disk %u cannot take the rows' %u-byte requests\n", t->server,
               t->disk, DISKBENCH_MAX_REQUEST);
        failed++;
    }
    struct db_disk disk = {session, info->sector_size};
    struct diskbench_io io = {&disk, block_region(session), db_queue, db_complete};
    for (int pass = 0; pass < o->repeats && failed == 0; pass++) {
        for (int i = 0; i < DISKBENCH_ROW_COUNT && failed == 0; i++) {
            const struct diskbench_row *row = &diskbench_rows[i];
            uint64_t s0 = db_spins(), t0 = db_ticks();
            struct diskbench_outcome out = diskbench_run(row, &size, &io);
            uint64_t t1 = db_ticks(), s1 = db_spins();
            if (out.error != 0 || out.bad_blocks != 0) {
                printf("diskbench: FAIL %s:%s: error %d after %llu requests, %llu blocks read "
                       "back wrong\n",
                       t->server, row->name, out.error, (unsigned long long)out.requests,
                       (unsigned long long)out.bad_blocks);
                failed++;
                break;
            }
            char name[64], line[DISKBENCH_LINE_MAX];
            snprintf(name, sizeof name, "%s:%s", t->server, row->name);
            diskbench_format(line, name, out.requests, out.bytes, t1 - t0,
                             (s1 - s0) * DISKBENCH_SPIN_INSTRUCTIONS);
            printf("%s\n", line);
            fflush(stdout);
        }
    }
    block_close(session);
    return failed;
}

unsigned db_run_disks(const struct db_options *o)
{
    unsigned failed = 0;
    for (unsigned i = 0; i < o->target_count; i++)
        failed += db_run_disk(o, &o->targets[i]);
    return failed;
}
