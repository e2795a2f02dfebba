/*
 * Host unit tests of lib/hmfs, structure by structure: CRC32C (table and SSE4.2 agree), the
 * hash maps (splits down to new table levels, readdir over them, shrinking back), the inode
 * table, file block maps (holes, truncation), the allocator and a full disk, the superblock
 * ring and mount's fallback, snapshots and clones (sharing, isolation, space given back on
 * delete), bad input of every kind, and fsck's findings and repairs. After the changes, the
 * reference counts in memory are compared with a fresh walk of the trees (hmfs_check_refs)
 * and the full check must come out clean.
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
#include "hmfs/internal.h"
#include "hmfs/memdev.h"
#include "hmfs/util.h"

#define ROOT HMFS_ROOT_INO

static struct hmfs *fresh(struct memdev *m, uint64_t blocks, unsigned cache)
{
    memdev_init(m, blocks);
    assert_int_equal(hmfs_format(&m->dev), HMFS_OK);
    struct hmfs_options o = {cache, NULL};
    struct hmfs *fs;
    assert_int_equal(hmfs_mount(&m->dev, &o, &fs), HMFS_OK);
    return fs;
}

static void remount(struct hmfs **fs, struct memdev *m)
{
    assert_int_equal(hmfs_unmount(*fs), HMFS_OK);
    assert_int_equal(hmfs_mount(&m->dev, NULL, fs), HMFS_OK);
}

/* The full check finds nothing (and reports what it finds, to help a failing test). */
static void report_line(void *context, const char *line)
{
    (void)context;
    fprintf(stderr, "fsck: %s\n", line);
}

static struct hmfs_check_result check(struct memdev *m, bool repair)
{
    struct hmfs_check_options o = {repair, report_line, NULL, 0};
    struct hmfs_check_result r;
    assert_int_equal(hmfs_check(&m->dev, &o, &r), HMFS_OK);
    return r;
}

static void assert_clean(struct memdev *m)
{
    struct hmfs_check_result r = check(m, false);
    assert_true(r.mounted);
    assert_int_equal(r.errors, 0);
}

static void write_pattern(struct hmfs *fs, unsigned tree, uint64_t ino, uint64_t seed,
                          uint64_t offset, size_t length)
{
    uint8_t *buf = malloc(length);
    for (size_t i = 0; i < length; i++)
        buf[i] = pattern_byte(seed, offset + i);
    size_t done;
    assert_int_equal(hmfs_write(fs, tree, ino, offset, buf, length, &done), HMFS_OK);
    assert_int_equal(done, length);
    free(buf);
}

static void assert_pattern(struct hmfs *fs, unsigned tree, uint64_t ino, uint64_t seed,
                           uint64_t offset, size_t length)
{
    uint8_t *buf = malloc(length);
    size_t done;
    assert_int_equal(hmfs_read(fs, tree, ino, offset, buf, length, &done), HMFS_OK);
    assert_int_equal(done, length);
    for (size_t i = 0; i < length; i++)
        if (buf[i] != pattern_byte(seed, offset + i))
            fail_msg("byte %zu of inode %llu differs", i, (unsigned long long)ino);
    free(buf);
}

/* Data blocks a write fills to their end go to the device at once (hmfs_data_done), before
   the commit, and leave the cache: the same transaction then rewrites part of one (read back
   and dirty again), truncates into another and reads them all; a big write makes no commit
   of its own; after the commit and a remount everything reads back and checks clean. */
static void test_data_written_early(void **state)
{
    (void)state;
    struct memdev m;
    struct hmfs *fs = fresh(&m, 8192, 64);
    uint64_t ino;
    assert_int_equal(hmfs_create(fs, 0, ROOT, "early", &ino), HMFS_OK);
    assert_int_equal(hmfs_sync(fs), HMFS_OK);
    uint64_t txn = fs->txn, writes = m.writes;
    /* 600 blocks through a cache of 64: they cannot all stay in it, and need not. */
    size_t length = 600 * (size_t)HMFS_DATA_BYTES;
    write_pattern(fs, 0, ino, 3, 0, length);
    assert_int_equal(fs->txn, txn);
    assert_true(m.writes - writes >= 600);
    assert_true(fs->dirty_count < 64);
    /* Rewritten in part (block 7's middle, across blocks 9 and 10), truncated into block 500,
       and read in the same transaction. */
    write_pattern(fs, 0, ino, 4, 7 * (uint64_t)HMFS_DATA_BYTES + 100, 1000);
    write_pattern(fs, 0, ino, 4, 10 * (uint64_t)HMFS_DATA_BYTES - 50, 100);
    uint64_t end = 500 * (uint64_t)HMFS_DATA_BYTES + 1234;
    assert_int_equal(hmfs_truncate(fs, 0, ino, end), HMFS_OK);
    assert_pattern(fs, 0, ino, 3, 0, 7 * (size_t)HMFS_DATA_BYTES + 100);
    assert_pattern(fs, 0, ino, 4, 7 * (uint64_t)HMFS_DATA_BYTES + 100, 1000);
    assert_pattern(fs, 0, ino, 3, 7 * (uint64_t)HMFS_DATA_BYTES + 1100,
                   3 * (size_t)HMFS_DATA_BYTES - 1150);
    assert_pattern(fs, 0, ino, 4, 10 * (uint64_t)HMFS_DATA_BYTES - 50, 100);
    assert_pattern(fs, 0, ino, 3, 10 * (uint64_t)HMFS_DATA_BYTES + 50,
                   (size_t)(end - 10 * (uint64_t)HMFS_DATA_BYTES - 50));
    assert_int_equal(hmfs_check_refs(fs), HMFS_OK);
    remount(&fs, &m);
    assert_int_equal(hmfs_resolve(fs, 0, "/early", &ino), HMFS_OK);
    assert_pattern(fs, 0, ino, 4, 7 * (uint64_t)HMFS_DATA_BYTES + 100, 1000);
    assert_pattern(fs, 0, ino, 3, 10 * (uint64_t)HMFS_DATA_BYTES + 50,
                   (size_t)(end - 10 * (uint64_t)HMFS_DATA_BYTES - 50));
    struct hmfs_stat st;
    assert_int_equal(hmfs_stat(fs, 0, ino, &st), HMFS_OK);
    assert_int_equal(st.size, end);
    assert_int_equal(hmfs_unmount(fs), HMFS_OK);
    assert_clean(&m);
    memdev_free(&m);
}

/* ---- CRC32C ---------------------------------------------------------------------------- */

static void test_crc32c(void **state)
{
    (void)state;
    assert_int_equal(hmfs_crc32c_software("123456789", 9), 0xe3069283u);
    assert_int_equal(hmfs_crc32c_software("", 0), 0);
    assert_int_equal(hmfs_crc32c_bytewise("123456789", 9), 0xe3069283u);
    hmfs_crc32c_fn hw = hmfs_crc32c_hardware();
#if defined(__x86_64__)
    assert_non_null(hw); /* every x86_64 host that runs these tests has SSE4.2 */
#endif
    uint64_t rng = 1;
    uint8_t buf[HMFS_BLOCK_SIZE + 17], copy[HMFS_BLOCK_SIZE + 17];
    /* Each implementation, plain and copying, in one piece or two: the bytewise values and
       the bytes copied exactly (nothing past the end). */
    hmfs_crc32c_fn impls[] = {hmfs_crc32c_software_update, hw};
    for (size_t which = 0; which < (hw ? 2u : 1u); which++) {
        hmfs_crc32c_fn f = impls[which];
        assert_int_equal(f(HMFS_CRC32C_START, NULL, "123456789", 9) ^ 0xffffffffu, 0xe3069283u);
        for (int round = 0; round < 2000; round++) {
            size_t start = rng_below(&rng, 17), length = rng_below(&rng, HMFS_BLOCK_SIZE);
            size_t split = length ? rng_below(&rng, length) : 0, to = rng_below(&rng, 17);
            for (size_t i = 0; i < sizeof buf; i++)
                buf[i] = (uint8_t)rng_next(&rng);
            uint32_t want = hmfs_crc32c_bytewise(buf + start, length);
            assert_int_equal(f(HMFS_CRC32C_START, NULL, buf + start, length) ^ 0xffffffffu, want);
            memset(copy, 0xee, sizeof copy);
            uint32_t crc = f(HMFS_CRC32C_START, copy + to, buf + start, split);
            crc = f(crc, copy + to + split, buf + start + split, length - split);
            assert_int_equal(crc ^ 0xffffffffu, want);
            assert_memory_equal(copy + to, buf + start, length);
            for (size_t i = 0; i < sizeof copy; i++)
                if (i < to || i >= to + length)
                    assert_int_equal(copy[i], 0xee);
        }
    }
    if (!hw)
        return;
    hmfs_crc32c_set(hw);
    assert_int_equal(hmfs_crc32c(buf, 100), hmfs_crc32c_software(buf, 100));
    hmfs_crc32c_set(NULL);
}

/* The slicing-by-8 loop against the byte-at-a-time definition: random bytes at every
   alignment, lengths across the 8-byte steps and whole blocks. */
static void test_crc32c_slicing(void **state)
{
    (void)state;
    uint64_t rng = 7;
    uint8_t buf[HMFS_BLOCK_SIZE + 17];
    for (int round = 0; round < 3000; round++) {
        size_t start = rng_below(&rng, 17);
        size_t length = round < 64 ? (size_t)round : rng_below(&rng, HMFS_BLOCK_SIZE + 1);
        for (size_t i = 0; i < sizeof buf; i++)
            buf[i] = (uint8_t)rng_next(&rng);
        assert_int_equal(hmfs_crc32c_software(buf + start, length),
                         hmfs_crc32c_bytewise(buf + start, length));
    }
    memset(buf, 0xff, sizeof buf);
    assert_int_equal(hmfs_crc32c_software(buf + 3, HMFS_BLOCK_SIZE - 4),
                     hmfs_crc32c_bytewise(buf + 3, HMFS_BLOCK_SIZE - 4));
}

/* ---- hash maps ----------------------------------------------------------------------------- */

/* Directory entries as listed, for comparing hmfs_readdir with hmfs_readdir_many. */
struct listing {
    unsigned count, room;
    char **names;
    uint64_t *inodes, *cookies;
};

static void listing_add(struct listing *l, const struct hmfs_dirent *e, uint64_t cookie)
{
    l->names = realloc(l->names, (l->count + 1) * sizeof *l->names);
    l->inodes = realloc(l->inodes, (l->count + 1) * sizeof *l->inodes);
    l->cookies = realloc(l->cookies, (l->count + 1) * sizeof *l->cookies);
    assert_non_null(l->names);
    assert_non_null(l->inodes);
    assert_non_null(l->cookies);
    l->names[l->count] = malloc(strlen(e->name) + 1);
    assert_non_null(l->names[l->count]);
    strcpy(l->names[l->count], e->name);
    l->inodes[l->count] = e->ino;
    l->cookies[l->count] = cookie;
    l->count++;
}

/* hmfs_readdir_many's visit: takes entries until the listing's room is reached. */
static bool listing_visit(void *context, const struct hmfs_dirent *e, uint64_t next_cookie)
{
    struct listing *l = context;
    if (l->count >= l->room)
        return false;
    listing_add(l, e, next_cookie);
    return true;
}

static void listing_free(struct listing *l)
{
    for (unsigned i = 0; i < l->count; i++)
        free(l->names[i]);
    free(l->names);
    free(l->inodes);
    free(l->cookies);
}

static void test_directory_splits(void **state)
{
    (void)state;
    struct memdev m;
    struct hmfs *fs = fresh(&m, 4096, 64);
    struct hmfs_statfs before;
    hmfs_statfs(fs, &before);
    uint64_t dir;
    assert_int_equal(hmfs_mkdir(fs, 0, ROOT, "big", &dir), HMFS_OK);
    enum { N = 6000 };
    char name[64];
    for (int i = 0; i < N; i++) {
        snprintf(name, sizeof name, "entry-with-a-longish-name-%05d", i);
        uint64_t ino;
        assert_int_equal(hmfs_create(fs, 0, dir, name, &ino), HMFS_OK);
    }
    /* The directory's map is a table now, with buckets below it (and more levels). */
    struct hmfs_inode d;
    assert_int_equal(hmfs_inode_get(fs, 0, dir, &d), HMFS_OK);
    assert_int_equal(d.map.root.type, HMFS_TYPE_TABLE);
    assert_int_equal(d.map.count, N);
    assert_int_equal(d.size, N);
    assert_int_equal(hmfs_check_refs(fs), HMFS_OK);
    remount(&fs, &m);
    for (int i = 0; i < N; i += 7) {
        snprintf(name, sizeof name, "entry-with-a-longish-name-%05d", i);
        uint64_t ino;
        assert_int_equal(hmfs_lookup(fs, 0, dir, name, &ino), HMFS_OK);
    }
    assert_int_equal(hmfs_lookup(fs, 0, dir, "entry-with-a-longish-name-99999", &(uint64_t){0}),
                     HMFS_ERR_NOENT);
    /* readdir: every name once, in increasing hash order. */
    char *seen = calloc(N, 1);
    uint64_t cookie = 0, last = 0;
    struct hmfs_dirent e;
    int count = 0;
    while (hmfs_readdir(fs, 0, dir, &cookie, &e) == HMFS_OK) {
        int i = atoi(e.name + strlen("entry-with-a-longish-name-"));
        assert_in_range(i, 0, N - 1);
        assert_false(seen[i]);
        seen[i] = 1;
        assert_true(count == 0 || cookie > last);
        last = cookie;
        count++;
    }
    assert_int_equal(count, N);
    free(seen);
    /* readdir_many, stopped every few entries and resumed from its cookie, gives the same
       entries in the same order as readdir one at a time. */
    for (unsigned batch = 1; batch <= 700; batch = batch * 3 + 4) {
        struct listing all = {0}, many = {0};
        cookie = 0;
        while (hmfs_readdir(fs, 0, dir, &cookie, &e) == HMFS_OK)
            listing_add(&all, &e, cookie);
        cookie = 0;
        int rc;
        do {
            many.room = many.count + batch;
            rc = hmfs_readdir_many(fs, 0, dir, &cookie, listing_visit, &many);
            assert_true(rc == HMFS_OK || rc == HMFS_ERR_NOENT);
            assert_true(rc == HMFS_ERR_NOENT || many.count == many.room);
        } while (rc == HMFS_OK);
        assert_int_equal(many.count, N);
        assert_int_equal(all.count, N);
        for (unsigned i = 0; i < N; i++) {
            assert_string_equal(many.names[i], all.names[i]);
            assert_int_equal(many.inodes[i], all.inodes[i]);
            assert_int_equal(many.cookies[i], all.cookies[i]);
        }
        /* At the end, the cookie lists nothing more. */
        many.room = many.count + 1;
        assert_int_equal(hmfs_readdir_many(fs, 0, dir, &cookie, listing_visit, &many),
                         HMFS_ERR_NOENT);
        assert_int_equal(many.count, N);
        listing_free(&all);
        listing_free(&many);
    }
    /* Emptied, the directory's map goes whole; the inode table keeps its (empty) buckets (maps
       do not merge buckets), so a second round adds only the few splits the new inode numbers'
       hashes need, and no block leaks (hmfs_check_refs). */
    struct hmfs_statfs after[2];
    for (int round = 0; round < 2; round++) {
        if (round == 1) {
            assert_int_equal(hmfs_mkdir(fs, 0, ROOT, "big", &dir), HMFS_OK);
            for (int i = 0; i < N; i++) {
                snprintf(name, sizeof name, "entry-with-a-longish-name-%05d", i);
                assert_int_equal(hmfs_create(fs, 0, dir, name, NULL), HMFS_OK);
            }
        }
        for (int i = 0; i < N; i++) {
            snprintf(name, sizeof name, "entry-with-a-longish-name-%05d", i);
            assert_int_equal(hmfs_unlink(fs, 0, dir, name), HMFS_OK);
        }
        assert_int_equal(hmfs_inode_get(fs, 0, dir, &d), HMFS_OK);
        assert_int_equal(d.map.root.blockno, 0);
        assert_int_equal(d.size, 0);
        assert_int_equal(hmfs_rmdir(fs, 0, ROOT, "big"), HMFS_OK);
        assert_int_equal(hmfs_sync(fs), HMFS_OK);
        hmfs_statfs(fs, &after[round]);
        assert_int_equal(fs->super.trees[0].inodes.count, 1);
    }
    assert_true(after[1].used_blocks >= after[0].used_blocks);
    assert_true(after[1].used_blocks < after[0].used_blocks + after[0].used_blocks / 10);
    assert_true(after[0].used_blocks > before.used_blocks);
    assert_int_equal(hmfs_check_refs(fs), HMFS_OK);
    assert_int_equal(hmfs_unmount(fs), HMFS_OK);
    assert_clean(&m);
    memdev_free(&m);
}

/* A clock that counts its readings and gives their number as the time. */
static unsigned clock_reads;
static uint64_t counting_clock(void)
{
    return ++clock_reads;
}

/* A write of many blocks reads the clock once, and every block's step sets that time: a
   server's clock can be a call to another process (servers/hmfs asks procsrv), which a read a
   block made the big file's most frequent call (docs/fs-performance.md, 2026-12-07 night). */
static void test_write_reads_clock_once(void **state)
{
    (void)state;
    struct memdev m;
    memdev_init(&m, 4096);
    assert_int_equal(hmfs_format(&m.dev), HMFS_OK);
    struct hmfs_options o = {64, counting_clock};
    struct hmfs *fs;
    assert_int_equal(hmfs_mount(&m.dev, &o, &fs), HMFS_OK);
    uint64_t ino;
    assert_int_equal(hmfs_create(fs, 0, ROOT, "stamped", &ino), HMFS_OK);
    unsigned before = clock_reads;
    write_pattern(fs, 0, ino, 5, 100, 40 * (size_t)HMFS_DATA_BYTES);
    assert_int_equal(clock_reads, before + 1);
    struct hmfs_stat st;
    assert_int_equal(hmfs_stat(fs, 0, ino, &st), HMFS_OK);
    assert_int_equal(st.mtime, before + 1);
    assert_pattern(fs, 0, ino, 5, 100, 40 * (size_t)HMFS_DATA_BYTES);
    assert_int_equal(hmfs_unmount(fs), HMFS_OK);
    assert_clean(&m);
    memdev_free(&m);
}

/* hmfs_resolve's memo of the last directory part never outlives a change of what a path
   leads to: renames, rmdirs and trees made or deleted in between are seen. */
static void test_resolve_memo(void **state)
{
    (void)state;
    struct memdev m;
    struct hmfs *fs = fresh(&m, 4096, 64);
    uint64_t d, e, f, g, ino;
    assert_int_equal(hmfs_mkdir(fs, 0, ROOT, "d", &d), HMFS_OK);
    assert_int_equal(hmfs_mkdir(fs, 0, d, "e", &e), HMFS_OK);
    assert_int_equal(hmfs_create(fs, 0, e, "f", &f), HMFS_OK);
    assert_int_equal(hmfs_create(fs, 0, e, "g", &g), HMFS_OK);
    assert_int_equal(hmfs_resolve(fs, 0, "/d/e/f", &ino), HMFS_OK);
    assert_int_equal(ino, f);
    assert_int_equal(hmfs_resolve(fs, 0, "/d/e/g", &ino), HMFS_OK); /* from the memo */
    assert_int_equal(ino, g);
    assert_int_equal(hmfs_resolve(fs, 0, "/d/e/x", &ino), HMFS_ERR_NOENT);
    assert_int_equal(hmfs_resolve(fs, 0, "/d/e/f/x", &ino), HMFS_ERR_NOTDIR);
    assert_int_equal(hmfs_resolve(fs, 0, "/d/e/f/y", &ino), HMFS_ERR_NOTDIR);
    /* A rename moves the directory: the old path is gone, the new one leads to it. */
    assert_int_equal(hmfs_resolve(fs, 0, "/d/e/f", &ino), HMFS_OK);
    assert_int_equal(hmfs_rename(fs, 0, d, "e", ROOT, "moved"), HMFS_OK);
    assert_int_equal(hmfs_resolve(fs, 0, "/d/e/f", &ino), HMFS_ERR_NOENT);
    assert_int_equal(hmfs_resolve(fs, 0, "/moved/f", &ino), HMFS_OK);
    assert_int_equal(ino, f);
    /* An rmdir: a directory of the same name made again is another one. */
    assert_int_equal(hmfs_unlink(fs, 0, e, "f"), HMFS_OK);
    assert_int_equal(hmfs_unlink(fs, 0, e, "g"), HMFS_OK);
    assert_int_equal(hmfs_resolve(fs, 0, "/moved/g", &ino), HMFS_ERR_NOENT);
    assert_int_equal(hmfs_rmdir(fs, 0, ROOT, "moved"), HMFS_OK);
    assert_int_equal(hmfs_resolve(fs, 0, "/moved/g", &ino), HMFS_ERR_NOENT);
    uint64_t again;
    assert_int_equal(hmfs_mkdir(fs, 0, ROOT, "moved", &again), HMFS_OK);
    assert_int_equal(hmfs_create(fs, 0, again, "g", &g), HMFS_OK);
    assert_int_equal(hmfs_resolve(fs, 0, "/moved/g", &ino), HMFS_OK);
    assert_int_equal(ino, g);
    /* Trees: a snapshot's paths are its own, and a deleted one's index made again is new. */
    assert_int_equal(hmfs_snapshot_create(fs, 0, "snap"), HMFS_OK);
    unsigned snap;
    assert_int_equal(hmfs_tree_find(fs, "snap", &snap), HMFS_OK);
    assert_int_equal(hmfs_resolve(fs, snap, "/moved/g", &ino), HMFS_OK);
    assert_int_equal(hmfs_unlink(fs, 0, again, "g"), HMFS_OK);
    assert_int_equal(hmfs_resolve(fs, 0, "/moved/g", &ino), HMFS_ERR_NOENT);
    assert_int_equal(hmfs_resolve(fs, snap, "/moved/g", &ino), HMFS_OK);
    assert_int_equal(hmfs_tree_delete(fs, "snap"), HMFS_OK);
    assert_int_equal(hmfs_rename(fs, 0, ROOT, "moved", ROOT, "other"), HMFS_OK);
    assert_int_equal(hmfs_snapshot_create(fs, 0, "snap2"), HMFS_OK);
    unsigned snap2;
    assert_int_equal(hmfs_tree_find(fs, "snap2", &snap2), HMFS_OK);
    assert_int_equal(hmfs_resolve(fs, snap2, "/moved/g", &ino), HMFS_ERR_NOENT);
    assert_int_equal(hmfs_resolve(fs, snap2, "/other", &ino), HMFS_OK);
    assert_int_equal(hmfs_unmount(fs), HMFS_OK);
    memdev_free(&m);
}

static void test_inode_table_and_block_map(void **state)
{
    (void)state;
    struct memdev m;
    struct hmfs *fs = fresh(&m, 8192, 128);
    uint64_t ino;
    assert_int_equal(hmfs_create(fs, 0, ROOT, "sparse", &ino), HMFS_OK);
    /* Blocks 0 and 1000 written, the rest a hole. */
    write_pattern(fs, 0, ino, 5, 0, 100);
    uint64_t far = 1000 * (uint64_t)HMFS_DATA_BYTES + 17;
    write_pattern(fs, 0, ino, 5, far, 9000);
    struct hmfs_stat st;
    assert_int_equal(hmfs_stat(fs, 0, ino, &st), HMFS_OK);
    assert_int_equal(st.size, far + 9000);
    assert_int_equal(st.blocks, 1 + 3);
    uint8_t buf[8192];
    size_t done;
    assert_int_equal(hmfs_read(fs, 0, ino, 5000, buf, sizeof buf, &done), HMFS_OK);
    assert_int_equal(done, sizeof buf);
    for (size_t i = 0; i < sizeof buf; i++)
        assert_int_equal(buf[i], 0);
    assert_pattern(fs, 0, ino, 5, far, 9000);
    /* Reading past the end is short; truncation clears what lay past the new end. */
    assert_int_equal(hmfs_read(fs, 0, ino, far + 8990, buf, 100, &done), HMFS_OK);
    assert_int_equal(done, 10);
    assert_int_equal(hmfs_truncate(fs, 0, ino, 50), HMFS_OK);
    assert_int_equal(hmfs_stat(fs, 0, ino, &st), HMFS_OK);
    assert_int_equal(st.blocks, 1);
    assert_int_equal(hmfs_truncate(fs, 0, ino, 200), HMFS_OK);
    assert_pattern(fs, 0, ino, 5, 0, 50);
    assert_int_equal(hmfs_read(fs, 0, ino, 50, buf, 150, &done), HMFS_OK);
    assert_int_equal(done, 150);
    for (size_t i = 0; i < 150; i++)
        assert_int_equal(buf[i], 0);
    /* A large file: its block map splits too. */
    assert_int_equal(hmfs_create(fs, 0, ROOT, "large", &ino), HMFS_OK);
    write_pattern(fs, 0, ino, 9, 0, 3000 * 1024);
    struct hmfs_inode in;
    assert_int_equal(hmfs_inode_get(fs, 0, ino, &in), HMFS_OK);
    assert_int_equal(in.map.root.type, HMFS_TYPE_TABLE);
    /* Many inodes: the inode table splits. */
    char name[32];
    for (int i = 0; i < 400; i++) {
        snprintf(name, sizeof name, "f%d", i);
        assert_int_equal(hmfs_create(fs, 0, ROOT, name, NULL), HMFS_OK);
    }
    assert_int_equal(fs->super.trees[0].inodes.root.type, HMFS_TYPE_TABLE);
    assert_int_equal(fs->super.trees[0].inodes.count, 403);
    assert_int_equal(hmfs_check_refs(fs), HMFS_OK);
    remount(&fs, &m);
    assert_int_equal(hmfs_resolve(fs, 0, "/large", &ino), HMFS_OK);
    assert_pattern(fs, 0, ino, 9, 0, 3000 * 1024);
    assert_int_equal(hmfs_unmount(fs), HMFS_OK);
    assert_clean(&m);
    memdev_free(&m);
}

/* ---- allocator and a full disk ---------------------------------------------------------- */

static void test_full_disk(void **state)
{
    (void)state;
    struct memdev m;
    struct hmfs *fs = fresh(&m, 600, 64);
    uint64_t keep, big;
    assert_int_equal(hmfs_create(fs, 0, ROOT, "keep", &keep), HMFS_OK);
    write_pattern(fs, 0, keep, 1, 0, 20000);
    assert_int_equal(hmfs_sync(fs), HMFS_OK);
    assert_int_equal(hmfs_create(fs, 0, ROOT, "big", &big), HMFS_OK);
    uint8_t chunk[HMFS_DATA_BYTES];
    memset(chunk, 0xab, sizeof chunk);
    uint64_t offset = 0;
    int rc;
    size_t done;
    for (;;) {
        rc = hmfs_write(fs, 0, big, offset, chunk, sizeof chunk, &done);
        offset += done;
        if (rc)
            break;
    }
    assert_int_equal(rc, HMFS_ERR_NOSPC);
    assert_true(offset > 300 * (uint64_t)HMFS_DATA_BYTES);
    /* Nothing else fits either, but the volume is whole and deleting still works. */
    assert_int_equal(hmfs_create(fs, 0, ROOT, "more", NULL), HMFS_ERR_NOSPC);
    assert_int_equal(hmfs_mkdir(fs, 0, ROOT, "more", NULL), HMFS_ERR_NOSPC);
    struct hmfs_stat st;
    assert_int_equal(hmfs_stat(fs, 0, big, &st), HMFS_OK);
    assert_int_equal(st.size, offset);
    assert_int_equal(hmfs_sync(fs), HMFS_OK);
    assert_int_equal(hmfs_check_refs(fs), HMFS_OK);
    remount(&fs, &m);
    assert_pattern(fs, 0, keep, 1, 0, 20000);
    assert_int_equal(hmfs_unlink(fs, 0, ROOT, "big"), HMFS_OK);
    assert_int_equal(hmfs_create(fs, 0, ROOT, "more", &big), HMFS_OK);
    write_pattern(fs, 0, big, 2, 0, 100000);
    assert_int_equal(hmfs_unmount(fs), HMFS_OK);
    assert_clean(&m);
    memdev_free(&m);
}

/* ---- the superblock ring -------------------------------------------------------------------- */

static uint64_t super_gen(struct memdev *m, unsigned slot)
{
    struct hmfs_header h;
    memcpy(&h, m->volatile_ + (uint64_t)slot * HMFS_BLOCK_SIZE, sizeof h);
    return h.gen;
}

static void test_superblock_ring(void **state)
{
    (void)state;
    struct memdev m;
    struct hmfs *fs = fresh(&m, 512, 64);
    uint64_t ino;
    assert_int_equal(hmfs_create(fs, 0, ROOT, "a", &ino), HMFS_OK);
    for (int i = 0; i < 6; i++) {
        write_pattern(fs, 0, ino, (uint64_t)i, 0, 5000);
        assert_int_equal(hmfs_sync(fs), HMFS_OK);
    }
    struct hmfs_statfs st;
    hmfs_statfs(fs, &st);
    uint64_t gen = st.generation;
    assert_int_equal(super_gen(&m, gen % HMFS_RING_SIZE), gen);
    assert_int_equal(super_gen(&m, (gen - 1) % HMFS_RING_SIZE), gen - 1);
    assert_int_equal(hmfs_unmount(fs), HMFS_OK); /* nothing changed: no new commit */
    /* A torn newest superblock: the one before it is used, with the data of its time. */
    m.volatile_[(gen % HMFS_RING_SIZE) * HMFS_BLOCK_SIZE + 100] ^= 1;
    assert_int_equal(hmfs_mount(&m.dev, NULL, &fs), HMFS_OK);
    hmfs_statfs(fs, &st);
    assert_int_equal(st.generation, gen - 1);
    assert_pattern(fs, 0, ino, 4, 0, 5000);
    assert_int_equal(hmfs_unmount(fs), HMFS_OK);
    /* The repaired volume commits past the damaged one. */
    assert_int_equal(hmfs_mount(&m.dev, NULL, &fs), HMFS_OK);
    hmfs_statfs(fs, &st);
    assert_int_equal(st.generation, gen - 1);
    assert_int_equal(hmfs_unmount(fs), HMFS_OK);
    /* No valid superblock at all: mount refuses. */
    for (unsigned i = 0; i < HMFS_RING_SIZE; i++)
        m.volatile_[i * HMFS_BLOCK_SIZE + 200] ^= 4;
    assert_int_equal(hmfs_mount(&m.dev, NULL, &fs), HMFS_ERR_CORRUPT);
    struct hmfs_check_result r = check(&m, true);
    assert_false(r.mounted);
    assert_true(r.errors > 0);
    memdev_free(&m);
    /* Too small a device. */
    memdev_init(&m, HMFS_MIN_BLOCKS - 1);
    assert_int_equal(hmfs_format(&m.dev), HMFS_ERR_INVAL);
    memdev_free(&m);
}

/* ---- device errors while committing ------------------------------------------------------ */

static void test_write_error_stops(void **state)
{
    (void)state;
    struct memdev m;
    struct hmfs *fs = fresh(&m, 1024, 64);
    uint64_t a, b;
    assert_int_equal(hmfs_create(fs, 0, ROOT, "a", &a), HMFS_OK);
    write_pattern(fs, 0, a, 1, 0, 30000);
    assert_int_equal(hmfs_sync(fs), HMFS_OK);
    /* The device fails a few writes into the next commit: the volume stops, refuses every
       call, and what was committed is all there after the power comes back. */
    assert_int_equal(hmfs_create(fs, 0, ROOT, "b", &b), HMFS_OK);
    write_pattern(fs, 0, b, 2, 0, 30000);
    m.cut_after = m.writes + 3;
    assert_int_equal(hmfs_sync(fs), HMFS_ERR_IO);
    struct hmfs_problem p = hmfs_problem(fs);
    assert_int_equal(p.error, HMFS_ERR_IO);
    assert_string_equal(p.what, "write failed");
    assert_int_equal(hmfs_create(fs, 0, ROOT, "c", NULL), HMFS_ERR_STOPPED);
    assert_int_equal(hmfs_read(fs, 0, a, 0, &(char){0}, 1, &(size_t){0}), HMFS_ERR_STOPPED);
    assert_int_equal(hmfs_sync(fs), HMFS_ERR_STOPPED);
    assert_int_equal(hmfs_unmount(fs), HMFS_ERR_STOPPED);
    memdev_power_on(&m, 0);
    assert_int_equal(hmfs_mount(&m.dev, NULL, &fs), HMFS_OK);
    uint64_t x;
    assert_int_equal(hmfs_resolve(fs, 0, "/a", &x), HMFS_OK);
    assert_pattern(fs, 0, x, 1, 0, 30000);
    assert_int_equal(hmfs_resolve(fs, 0, "/b", &x), HMFS_ERR_NOENT);
    assert_int_equal(hmfs_unmount(fs), HMFS_OK);
    assert_clean(&m);
    memdev_free(&m);
}

/* ---- snapshots and clones ------------------------------------------------------------------- */

static void test_snapshots(void **state)
{
    (void)state;
    struct memdev m;
    struct hmfs *fs = fresh(&m, 4096, 64);
    uint64_t a, dir;
    assert_int_equal(hmfs_mkdir(fs, 0, ROOT, "d", &dir), HMFS_OK);
    assert_int_equal(hmfs_create(fs, 0, dir, "a", &a), HMFS_OK);
    write_pattern(fs, 0, a, 1, 0, 200000);
    assert_int_equal(hmfs_sync(fs), HMFS_OK);
    struct hmfs_statfs s0, s1, s2;
    hmfs_statfs(fs, &s0);
    assert_int_equal(hmfs_snapshot_create(fs, 0, "monday"), HMFS_OK);
    hmfs_statfs(fs, &s1);
    assert_int_equal(s1.used_blocks, s0.used_blocks); /* O(1): nothing copied */
    /* Change the main tree: the snapshot keeps the old contents. */
    write_pattern(fs, 0, a, 2, 0, 200000);
    assert_int_equal(hmfs_unlink(fs, 0, dir, "a"), HMFS_OK);
    assert_int_equal(hmfs_create(fs, 0, dir, "b", NULL), HMFS_OK);
    unsigned snap;
    assert_int_equal(hmfs_tree_find(fs, "monday", &snap), HMFS_OK);
    uint64_t sa;
    assert_int_equal(hmfs_resolve(fs, snap, "/d/a", &sa), HMFS_OK);
    assert_pattern(fs, snap, sa, 1, 0, 200000);
    assert_int_equal(hmfs_resolve(fs, snap, "/d/b", &sa), HMFS_ERR_NOENT);
    assert_int_equal(hmfs_check_refs(fs), HMFS_OK);
    /* A read-only snapshot refuses every change. */
    assert_int_equal(hmfs_resolve(fs, snap, "/d/a", &sa), HMFS_OK);
    size_t done;
    assert_int_equal(hmfs_write(fs, snap, sa, 0, "x", 1, &done), HMFS_ERR_ROFS);
    assert_int_equal(hmfs_create(fs, snap, dir, "c", NULL), HMFS_ERR_ROFS);
    assert_int_equal(hmfs_unlink(fs, snap, dir, "a"), HMFS_ERR_ROFS);
    assert_int_equal(hmfs_truncate(fs, snap, sa, 0), HMFS_ERR_ROFS);
    assert_int_equal(hmfs_rename(fs, snap, dir, "a", dir, "z"), HMFS_ERR_ROFS);
    /* A clone of it is writable, and apart from both. */
    assert_int_equal(hmfs_clone(fs, snap, "work"), HMFS_OK);
    unsigned work;
    assert_int_equal(hmfs_tree_find(fs, "work", &work), HMFS_OK);
    uint64_t wa;
    assert_int_equal(hmfs_resolve(fs, work, "/d/a", &wa), HMFS_OK);
    write_pattern(fs, work, wa, 3, 1000, 5000);
    assert_pattern(fs, work, wa, 3, 1000, 5000);
    assert_pattern(fs, snap, sa, 1, 0, 200000);
    assert_int_equal(hmfs_create(fs, work, ROOT, "only-in-work", NULL), HMFS_OK);
    assert_int_equal(hmfs_resolve(fs, 0, "/only-in-work", &wa), HMFS_ERR_NOENT);
    /* Listing. */
    unsigned index = 0, n = 0;
    struct hmfs_tree_info info;
    while (hmfs_tree_next(fs, &index, &info) == HMFS_OK) {
        n++;
        index++;
    }
    assert_int_equal(n, 3);
    assert_int_equal(hmfs_check_refs(fs), HMFS_OK);
    remount(&fs, &m);
    assert_int_equal(hmfs_check_refs(fs), HMFS_OK);
    /* Deleting gives the space back: only the blocks nothing else holds. */
    assert_int_equal(hmfs_tree_delete(fs, "work"), HMFS_OK);
    assert_int_equal(hmfs_tree_delete(fs, "monday"), HMFS_OK);
    assert_int_equal(hmfs_tree_delete(fs, "monday"), HMFS_ERR_NOENT);
    assert_int_equal(hmfs_tree_delete(fs, ""), HMFS_ERR_INVAL);
    hmfs_statfs(fs, &s2);
    assert_true(s2.used_blocks < s0.used_blocks); /* the 200 KB file's old blocks went */
    assert_int_equal(hmfs_check_refs(fs), HMFS_OK);
    /* Tree names and limits. */
    assert_int_equal(hmfs_snapshot_create(fs, 0, ""), HMFS_ERR_BADNAME);
    assert_int_equal(hmfs_snapshot_create(fs, 0, "a/b"), HMFS_ERR_BADNAME);
    assert_int_equal(hmfs_snapshot_create(fs, 0, "0123456789012345678901234567890123456789"),
                     HMFS_ERR_NAMETOOLONG);
    assert_int_equal(hmfs_snapshot_create(fs, 7, "x"), HMFS_ERR_NOENT);
    char name[16];
    for (unsigned i = 1; i < HMFS_MAX_TREES; i++) {
        snprintf(name, sizeof name, "s%u", i);
        assert_int_equal(hmfs_snapshot_create(fs, 0, name), HMFS_OK);
    }
    assert_int_equal(hmfs_snapshot_create(fs, 0, "one-too-many"), HMFS_ERR_TOOMANY);
    assert_int_equal(hmfs_snapshot_create(fs, 0, "s3"), HMFS_ERR_EXIST);
    assert_int_equal(hmfs_unmount(fs), HMFS_OK);
    assert_clean(&m);
    memdev_free(&m);
}

/* ---- bad input ------------------------------------------------------------------------------ */

static void test_bad_input(void **state)
{
    (void)state;
    struct memdev m;
    struct hmfs *fs = fresh(&m, 1024, 64);
    char long_name[HMFS_NAME_MAX + 2];
    memset(long_name, 'n', sizeof long_name);
    long_name[HMFS_NAME_MAX + 1] = '\0';
    assert_int_equal(hmfs_create(fs, 0, ROOT, long_name, NULL), HMFS_ERR_NAMETOOLONG);
    long_name[HMFS_NAME_MAX] = '\0';
    uint64_t f;
    assert_int_equal(hmfs_create(fs, 0, ROOT, long_name, &f), HMFS_OK); /* 255 is fine */
    assert_int_equal(hmfs_create(fs, 0, ROOT, long_name, NULL), HMFS_ERR_EXIST);
    assert_int_equal(hmfs_create(fs, 0, ROOT, "", NULL), HMFS_ERR_BADNAME);
    assert_int_equal(hmfs_create(fs, 0, ROOT, "a/b", NULL), HMFS_ERR_BADNAME);
    assert_int_equal(hmfs_create(fs, 0, ROOT, ".", NULL), HMFS_ERR_BADNAME);
    assert_int_equal(hmfs_mkdir(fs, 0, ROOT, "..", NULL), HMFS_ERR_BADNAME);
    assert_int_equal(hmfs_create(fs, 0, ROOT, NULL, NULL), HMFS_ERR_BADNAME);
    assert_int_equal(hmfs_name_check("a\0b", 3), HMFS_ERR_BADNAME);
    assert_int_equal(hmfs_name_check("ab", 2), HMFS_OK);
    assert_int_equal(hmfs_name_check(long_name, HMFS_NAME_MAX + 1), HMFS_ERR_NAMETOOLONG);
    /* Paths through a file, into nothing. */
    uint64_t x;
    assert_int_equal(hmfs_create(fs, 0, ROOT, "file", &f), HMFS_OK);
    assert_int_equal(hmfs_resolve(fs, 0, "/file/x", &x), HMFS_ERR_NOTDIR);
    assert_int_equal(hmfs_create(fs, 0, f, "x", NULL), HMFS_ERR_NOTDIR);
    assert_int_equal(hmfs_resolve(fs, 0, "/nothing/x", &x), HMFS_ERR_NOENT);
    assert_int_equal(hmfs_create(fs, 0, 999, "x", NULL), HMFS_ERR_NOENT);
    /* Directories: not empty, the wrong kind, into themselves. */
    uint64_t a, b;
    assert_int_equal(hmfs_mkdir(fs, 0, ROOT, "a", &a), HMFS_OK);
    assert_int_equal(hmfs_mkdir(fs, 0, a, "b", &b), HMFS_OK);
    assert_int_equal(hmfs_rmdir(fs, 0, ROOT, "a"), HMFS_ERR_NOTEMPTY);
    assert_int_equal(hmfs_unlink(fs, 0, ROOT, "a"), HMFS_ERR_ISDIR);
    assert_int_equal(hmfs_rmdir(fs, 0, ROOT, "file"), HMFS_ERR_NOTDIR);
    assert_int_equal(hmfs_rename(fs, 0, ROOT, "a", a, "a2"), HMFS_ERR_INVAL);
    assert_int_equal(hmfs_rename(fs, 0, ROOT, "a", b, "a2"), HMFS_ERR_INVAL);
    assert_int_equal(hmfs_rename(fs, 0, ROOT, "a", ROOT, "file"), HMFS_ERR_NOTDIR);
    assert_int_equal(hmfs_rename(fs, 0, ROOT, "file", ROOT, "a"), HMFS_ERR_ISDIR);
    assert_int_equal(hmfs_rename(fs, 0, ROOT, "nothing", ROOT, "x"), HMFS_ERR_NOENT);
    assert_int_equal(hmfs_rename(fs, 0, ROOT, "file", ROOT, "file"), HMFS_OK);
    assert_int_equal(hmfs_read(fs, 0, a, 0, &x, 1, &(size_t){0}), HMFS_ERR_ISDIR);
    /* A directory moves; its parent link follows. */
    assert_int_equal(hmfs_rename(fs, 0, a, "b", ROOT, "b"), HMFS_OK);
    assert_int_equal(hmfs_resolve(fs, 0, "/b/..", &x), HMFS_OK);
    assert_int_equal(x, ROOT);
    assert_int_equal(hmfs_rmdir(fs, 0, ROOT, "a"), HMFS_OK);
    /* Sizes. */
    size_t done;
    assert_int_equal(hmfs_write(fs, 0, f, HMFS_MAX_FILE_SIZE, "x", 1, &done), HMFS_ERR_FBIG);
    assert_int_equal(hmfs_truncate(fs, 0, f, HMFS_MAX_FILE_SIZE + 1), HMFS_ERR_FBIG);
    assert_int_equal(hmfs_stat(fs, 99, f, &(struct hmfs_stat){0}), HMFS_ERR_NOENT);
    assert_string_equal(hmfs_error_name(HMFS_ERR_NOSPC), "no space");
    assert_string_equal(hmfs_error_name(1000), "unknown error");
    assert_int_equal(hmfs_unmount(fs), HMFS_OK);
    assert_clean(&m);
    memdev_free(&m);
}

/* ---- fsck: findings and repairs ---------------------------------------------------------- */

static void test_fsck_repairs(void **state)
{
    (void)state;
    struct memdev m;
    struct hmfs *fs = fresh(&m, 1024, 64);
    uint64_t d, f, g;
    assert_int_equal(hmfs_mkdir(fs, 0, ROOT, "d", &d), HMFS_OK);
    assert_int_equal(hmfs_create(fs, 0, d, "f", &f), HMFS_OK);
    assert_int_equal(hmfs_create(fs, 0, ROOT, "g", &g), HMFS_OK);
    write_pattern(fs, 0, f, 3, 0, 10000);
    /* A wrong link count, a wrong directory size, and an orphan (its name removed behind the
       library's back). */
    assert_int_equal(hmfs_step(fs), HMFS_OK);
    struct hmfs_inode *ip;
    assert_int_equal(hmfs_inode_mut(fs, 0, f, &ip), HMFS_OK);
    ip->nlink = 3;
    assert_int_equal(hmfs_step(fs), HMFS_OK);
    assert_int_equal(hmfs_inode_mut(fs, 0, ROOT, &ip), HMFS_OK);
    assert_int_equal(hmfs_map_delete(fs, &ip->map, ROOT, hmfs_hash_name("g", 1), "g", 1), HMFS_OK);
    assert_int_equal(hmfs_unmount(fs), HMFS_OK);
    struct hmfs_check_result r = check(&m, false);
    assert_int_equal(r.errors, 3); /* nlink of f, root's size, g without a name */
    assert_int_equal(r.repaired, 0);
    assert_int_equal(r.remaining, 3);
    r = check(&m, true);
    assert_int_equal(r.errors, 3);
    assert_int_equal(r.repaired, 3);
    assert_int_equal(r.remaining, 0);
    assert_clean(&m);
    assert_int_equal(hmfs_mount(&m.dev, NULL, &fs), HMFS_OK);
    uint64_t x;
    assert_int_equal(hmfs_resolve(fs, 0, "/lost+found/#4", &x), HMFS_OK);
    assert_int_equal(x, g);
    assert_pattern(fs, 0, f, 3, 0, 10000);
    /* The superblock's used count. */
    fs->used += 5;
    fs->super_dirty = true;
    assert_int_equal(hmfs_unmount(fs), HMFS_OK);
    r = check(&m, true);
    assert_int_equal(r.errors, 1);
    assert_int_equal(r.remaining, 0);
    assert_clean(&m);
    memdev_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc32c),
        cmocka_unit_test(test_crc32c_slicing),
        cmocka_unit_test(test_data_written_early),
        cmocka_unit_test(test_write_reads_clock_once),
        cmocka_unit_test(test_resolve_memo),
        cmocka_unit_test(test_directory_splits),
        cmocka_unit_test(test_inode_table_and_block_map),
        cmocka_unit_test(test_full_disk),
        cmocka_unit_test(test_superblock_ring),
        cmocka_unit_test(test_write_error_stops),
        cmocka_unit_test(test_snapshots),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_fsck_repairs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
