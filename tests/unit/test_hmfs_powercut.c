/*
 * Power cuts at every write, in littlefs's manner. A seeded workload (creates, writes,
 * renames, truncations, deletions, snapshots, and an fsync after each round) runs once on a
 * device that records every write and flush. A cut after write n leaves the device as those
 * writes made it: the writes before the last flush are durable, of the ones after it any
 * subset may survive (three policies: none, all, a random subset). For every n, the image the
 * cut leaves is built from the record, then: the volume must mount, the full check must find
 * nothing, and every file fsynced before the cut must be there with every byte (a file whose
 * deletion had begun may be gone, but not damaged).
 *
 * make unit-test covers two workloads at two policies (over 10,000 cut points); make
 * hmfs-powercut (HMFS_POWERCUT_LONG=1) runs more workloads, longer, at all three.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hmfs/crc32c.h"
#include "hmfs/hmfs.h"
#include "hmfs/memdev.h"
#include "hmfs/util.h"

#define DEVICE_BLOCKS 512u

/* ---- the recording device ------------------------------------------------------------------ */

struct logged_write {
    uint64_t block;
    bool fua;
    uint8_t *data;
};

struct recorder {
    struct memdev m;
    struct logged_write *writes;
    size_t count, capacity;
    uint64_t *flushes; /* the write count at each flush */
    size_t flush_count, flush_capacity;
    struct hmfs_device dev;
};

static int rec_write_any(struct recorder *r, uint64_t block, const void *data, bool fua)
{
    if (r->count == r->capacity) {
        r->capacity = r->capacity ? 2 * r->capacity : 1024;
        r->writes = realloc(r->writes, r->capacity * sizeof *r->writes);
    }
    uint8_t *copy = malloc(HMFS_BLOCK_SIZE);
    memcpy(copy, data, HMFS_BLOCK_SIZE);
    r->writes[r->count++] = (struct logged_write){block, fua, copy};
    return fua ? r->m.dev.write_fua(&r->m, block, data) : r->m.dev.write(&r->m, block, data);
}

static int rec_write(void *context, uint64_t block, const void *data)
{
    return rec_write_any(context, block, data, false);
}

static int rec_write_fua(void *context, uint64_t block, const void *data)
{
    return rec_write_any(context, block, data, true);
}

static int rec_flush(void *context)
{
    struct recorder *r = context;
    if (r->flush_count == r->flush_capacity) {
        r->flush_capacity = r->flush_capacity ? 2 * r->flush_capacity : 256;
        r->flushes = realloc(r->flushes, r->flush_capacity * sizeof *r->flushes);
    }
    r->flushes[r->flush_count++] = r->count;
    return r->m.dev.flush(&r->m);
}

static int rec_read(void *context, uint64_t block, void *data)
{
    struct recorder *r = context;
    return r->m.dev.read(&r->m, block, data);
}

/* ---- the workload and what it promises ----------------------------------------------------- */

struct promise {
    char path[48];
    uint64_t seed, size;
    uint64_t synced_at; /* the write count when the fsync that covered it returned */
    uint64_t delete_at; /* the write count when its deletion began (UINT64_MAX: never) */
};

struct workload {
    struct promise *files;
    size_t count, capacity;
    uint64_t *syncs; /* write counts when each fsync returned */
    size_t sync_count;
    uint64_t writes; /* in all */
};

static void put_file(struct hmfs *fs, uint64_t dir, const char *name, uint64_t seed, uint64_t size,
                     uint64_t *rng)
{
    uint64_t ino;
    assert_int_equal(hmfs_create(fs, 0, dir, name, &ino), HMFS_OK);
    uint8_t *buf = malloc(size + 1);
    for (uint64_t i = 0; i < size; i++)
        buf[i] = pattern_byte(seed, i);
    /* In one to three writes, in any order. */
    uint64_t cut = size ? rng_below(rng, size) : 0;
    size_t done;
    if (rng_below(rng, 2)) {
        assert_int_equal(hmfs_write(fs, 0, ino, cut, buf + cut, size - cut, &done), HMFS_OK);
        assert_int_equal(hmfs_write(fs, 0, ino, 0, buf, cut, &done), HMFS_OK);
    } else {
        assert_int_equal(hmfs_write(fs, 0, ino, 0, buf, size, &done), HMFS_OK);
    }
    free(buf);
}

/* Runs the workload on r's device, noting what each fsync promises. */
static void run_workload(struct recorder *r, uint64_t seed, unsigned rounds, struct workload *w)
{
    uint64_t rng = seed * 7919 + 3;
    struct hmfs *fs;
    struct hmfs_options o = {48, NULL};
    assert_int_equal(hmfs_mount(&r->dev, &o, &fs), HMFS_OK);
    uint64_t dirs[3];
    char name[48];
    for (int d = 0; d < 3; d++) {
        snprintf(name, sizeof name, "d%d", d);
        assert_int_equal(hmfs_mkdir(fs, 0, HMFS_ROOT_INO, name, &dirs[d]), HMFS_OK);
    }
    size_t first_unsynced = 0, oldest_live = 0;
    unsigned snaps = 0;
    for (unsigned round = 0; round < rounds; round++) {
        /* A new file, promised after this round's fsync. */
        int d = (int)rng_below(&rng, 3);
        snprintf(name, sizeof name, "f%u", round);
        uint64_t size = rng_below(&rng, 3) == 0 ? 0 : rng_below(&rng, 14000);
        put_file(fs, dirs[d], name, seed + round, size, &rng);
        if (w->count == w->capacity) {
            w->capacity = w->capacity ? 2 * w->capacity : 256;
            w->files = realloc(w->files, w->capacity * sizeof *w->files);
        }
        struct promise *p = &w->files[w->count++];
        snprintf(p->path, sizeof p->path, "/d%d/f%u", d, round);
        p->seed = seed + round;
        p->size = size;
        p->synced_at = UINT64_MAX;
        p->delete_at = UINT64_MAX;
        /* A scratch file written, truncated, renamed and deleted, never promised. */
        if (rng_below(&rng, 2)) {
            put_file(fs, dirs[0], "scratch", round, rng_below(&rng, 9000), &rng);
            uint64_t ino;
            assert_int_equal(hmfs_lookup(fs, 0, dirs[0], "scratch", &ino), HMFS_OK);
            assert_int_equal(hmfs_truncate(fs, 0, ino, rng_below(&rng, 5000)), HMFS_OK);
            assert_int_equal(hmfs_rename(fs, 0, dirs[0], "scratch", dirs[1], "moved"), HMFS_OK);
            assert_int_equal(hmfs_unlink(fs, 0, dirs[1], "moved"), HMFS_OK);
        }
        /* The oldest promised file deleted once six are kept: the volume stays small. */
        if (first_unsynced - oldest_live > 6) {
            struct promise *v = &w->files[oldest_live++];
            v->delete_at = r->count;
            int vd = v->path[2] - '0';
            assert_int_equal(hmfs_unlink(fs, 0, dirs[vd], strrchr(v->path, '/') + 1), HMFS_OK);
        }
        /* Now and then a snapshot, and the one before it deleted. */
        if (round % 9 == 4) {
            snprintf(name, sizeof name, "s%u", snaps++);
            assert_int_equal(hmfs_snapshot_create(fs, 0, name), HMFS_OK);
            if (snaps > 1) {
                snprintf(name, sizeof name, "s%u", snaps - 2);
                assert_int_equal(hmfs_tree_delete(fs, name), HMFS_OK);
            }
        }
        assert_int_equal(hmfs_sync(fs), HMFS_OK);
        for (size_t i = first_unsynced; i < w->count; i++)
            w->files[i].synced_at = r->count;
        first_unsynced = w->count;
        w->syncs = realloc(w->syncs, (w->sync_count + 1) * sizeof *w->syncs);
        w->syncs[w->sync_count++] = r->count;
    }
    assert_int_equal(hmfs_unmount(fs), HMFS_OK);
    w->writes = r->count;
}

/* ---- cutting ----------------------------------------------------------------------------------
 */

/* Whether the volume on m keeps every promise due at a cut after write n. */
static void check_promises(struct memdev *m, const struct workload *w, uint64_t n, uint64_t seed,
                           int policy)
{
    struct hmfs *fs;
    struct hmfs_options o = {32, NULL};
    int rc = hmfs_mount(&m->dev, &o, &fs);
    if (rc)
        fail_msg("seed %llu cut %llu policy %d: mount: %s", (unsigned long long)seed,
                 (unsigned long long)n, policy, hmfs_error_name(rc));
    uint8_t *buf = malloc(16384);
    for (size_t i = 0; i < w->count; i++) {
        const struct promise *p = &w->files[i];
        if (p->synced_at >= n && n != w->writes)
            continue; /* not promised yet: the fsync had not returned */
        uint64_t ino;
        rc = hmfs_resolve(fs, 0, p->path, &ino);
        bool may_be_gone = p->delete_at < n;
        if (rc == HMFS_ERR_NOENT && may_be_gone)
            continue;
        if (rc)
            fail_msg("seed %llu cut %llu policy %d: %s fsynced at write %llu: %s",
                     (unsigned long long)seed, (unsigned long long)n, policy, p->path,
                     (unsigned long long)p->synced_at, hmfs_error_name(rc));
        size_t done;
        assert_int_equal(hmfs_read(fs, 0, ino, 0, buf, 16384, &done), HMFS_OK);
        assert_int_equal(done, p->size);
        for (size_t k = 0; k < done; k++)
            if (buf[k] != pattern_byte(p->seed, k))
                fail_msg("seed %llu cut %llu: %s: byte %zu differs", (unsigned long long)seed,
                         (unsigned long long)n, p->path, k);
    }
    free(buf);
    hmfs_unmount(fs);
    struct hmfs_check_options co = {false, NULL, NULL, 32};
    struct hmfs_check_result cr;
    assert_int_equal(hmfs_check(&m->dev, &co, &cr), HMFS_OK);
    if (cr.errors)
        fail_msg("seed %llu cut %llu policy %d: fsck found %u errors", (unsigned long long)seed,
                 (unsigned long long)n, policy, cr.errors);
}

/* Cuts after every write of the record (every stride-th), under the policy for unflushed
   writes: 0 none survive, 1 all do, 2 a random subset. Returns the cut points checked. */
static uint64_t cut_everywhere(const struct recorder *r, const uint8_t *base,
                               const struct workload *w, uint64_t seed, int policy, uint64_t stride)
{
    size_t bytes = (size_t)DEVICE_BLOCKS * HMFS_BLOCK_SIZE;
    /* m's contents are what the flushes made durable; a cut adds the surviving unflushed
       writes, and they are taken back after its check (mounting and checking write nothing). */
    struct memdev m;
    memdev_init(&m, DEVICE_BLOCKS);
    memcpy(m.volatile_, base, bytes);
    size_t flushed = 0; /* writes made durable by a flush */
    size_t next_flush = 0;
    uint64_t rng = seed ^ 0x5bd1e995u, checked = 0;
    uint8_t *durable = m.durable;
    memcpy(durable, base, bytes);
    for (uint64_t n = 0; n <= r->count; n++) {
        /* Flushes before the cut made everything before them durable. A flush that followed
           write n-1 is taken as not done (the harder case), except at the very end. */
        while (next_flush < r->flush_count && (r->flushes[next_flush] < n || n == r->count)) {
            for (; flushed < r->flushes[next_flush]; flushed++) {
                const struct logged_write *lw = &r->writes[flushed];
                memcpy(durable + lw->block * HMFS_BLOCK_SIZE, lw->data, HMFS_BLOCK_SIZE);
                memcpy(m.volatile_ + lw->block * HMFS_BLOCK_SIZE, lw->data, HMFS_BLOCK_SIZE);
            }
            next_flush++;
        }
        if (n % stride != 0 && n != r->count)
            continue;
        for (size_t k = flushed; k < n; k++) {
            const struct logged_write *lw = &r->writes[k];
            bool keep = lw->fua || policy == 1 || (policy == 2 && (rng_next(&rng) & 1));
            if (keep)
                memcpy(m.volatile_ + lw->block * HMFS_BLOCK_SIZE, lw->data, HMFS_BLOCK_SIZE);
        }
        check_promises(&m, w, n, seed, policy);
        for (size_t k = flushed; k < n; k++) {
            uint64_t b = r->writes[k].block;
            memcpy(m.volatile_ + b * HMFS_BLOCK_SIZE, durable + b * HMFS_BLOCK_SIZE,
                   HMFS_BLOCK_SIZE);
        }
        checked++;
    }
    memdev_free(&m);
    return checked;
}

static uint64_t powercut(uint64_t seed, unsigned rounds, const int *policies, int npolicies,
                         uint64_t stride)
{
    struct recorder *r = calloc(1, sizeof *r);
    memdev_init(&r->m, DEVICE_BLOCKS);
    assert_int_equal(hmfs_format(&r->m.dev), HMFS_OK);
    size_t bytes = (size_t)DEVICE_BLOCKS * HMFS_BLOCK_SIZE;
    uint8_t *base = malloc(bytes);
    memcpy(base, r->m.durable, bytes);
    r->dev = (struct hmfs_device){r,         DEVICE_BLOCKS, rec_read, rec_write, rec_write_fua,
                                  rec_flush, NULL,          NULL};
    struct workload w = {0};
    run_workload(r, seed, rounds, &w);
    uint64_t checked = 0;
    for (int i = 0; i < npolicies; i++)
        checked += cut_everywhere(r, base, &w, seed, policies[i], stride);
    for (size_t i = 0; i < r->count; i++)
        free(r->writes[i].data);
    free(r->writes);
    free(r->flushes);
    free(w.files);
    free(w.syncs);
    free(base);
    memdev_free(&r->m);
    free(r);
    return checked;
}

static void test_powercut(void **state)
{
    (void)state;
    uint64_t checked = 0;
    hmfs_crc32c_set(hmfs_crc32c_hardware()); /* the same values (test_hmfs), sooner */
    if (getenv("HMFS_POWERCUT_LONG")) {
        const int all[] = {0, 1, 2};
        for (uint64_t seed = 1; seed <= 6; seed++)
            checked += powercut(seed, 400, all, 3, 1);
    } else {
        const int two[] = {0, 2};
        checked += powercut(1, 420, two, 2, 1);
        checked += powercut(2, 420, two, 2, 1);
    }
    printf("power cuts checked: %llu\n", (unsigned long long)checked);
    assert_true(checked >= 10000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_powercut),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
