/*
 * Host unit tests for lib/fsserve: the error map, paths and tree names as requests name them,
 * handles by badge (closed, another client's, reused slots), and the block cache (a read sees
 * the last write, write-back merges runs and happens only at a flush, a FUA write or under
 * pressure, readahead grows on sequential misses and keeps its blocks when it evicts dirty ones,
 * follows a stream across lone misses elsewhere and reads over cached blocks, a failing disk is
 * reported).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "fsserve/bcache.h"
#include "fsserve/fsserve.h"
#include "hmfs/hmfs.h"

static void test_error_map(void **state)
{
    (void)state;
    assert_int_equal(fsserve_error(HMFS_OK), 0);
    assert_int_equal(fsserve_error(HMFS_ERR_NOSPC), FS_ERROR_NO_SPACE);
    assert_int_equal(fsserve_error(HMFS_ERR_ROFS), FS_ERROR_READ_ONLY);
    assert_int_equal(fsserve_error(HMFS_ERR_CORRUPT), FS_ERROR_CORRUPT);
    assert_int_equal(fsserve_error(HMFS_ERR_STOPPED), FS_ERROR_STOPPED);
    assert_int_equal(fsserve_error(999), FS_ERROR_IO);
    /* Every hmfs error has a status of its own range and a name. */
    for (int e = 1; e < HMFS_ERR_COUNT; e++) {
        unsigned s = fsserve_error(e);
        assert_true(s >= FS_ERROR_BASE && s < FS_ERROR_END);
        assert_string_not_equal(fs_error_name(s), "unknown error");
    }
    assert_string_equal(fs_error_name(SERVICE_DENIED), "not permitted");
    assert_string_equal(fs_error_name(FS_ERROR_BAD_HANDLE), "bad handle");
}

static void test_paths(void **state)
{
    (void)state;
    char out[FS_PATH_MAX + 1];
    assert_int_equal(fsserve_path_copy("a/b", 3, out), 0);
    assert_string_equal(out, "a/b");
    assert_int_equal(fsserve_path_copy("a\0b", 3, out), FS_ERROR_BAD_NAME);
    static char long_path[FS_PATH_MAX + 1];
    memset(long_path, 'x', sizeof long_path);
    assert_int_equal(fsserve_path_copy(long_path, FS_PATH_MAX, out), 0);
    assert_int_equal(fsserve_path_copy(long_path, FS_PATH_MAX + 1, out), FS_ERROR_NAME_TOO_LONG);

    /* Splits: (path, status, parent, name). */
    static const struct {
        const char *path;
        unsigned status;
        const char *parent, *name;
    } splits[] = {
        {"/dir/sub/file", 0, "/dir/sub", "file"}, {"file//", 0, "", "file"},
        {"/", FS_ERROR_BAD_NAME, NULL, NULL},     {"a/..", FS_ERROR_BAD_NAME, NULL, NULL},
        {"", FS_ERROR_BAD_NAME, NULL, NULL},
    };
    for (size_t i = 0; i < sizeof splits / sizeof splits[0]; i++) {
        char path[32];
        const char *parent, *name;
        strcpy(path, splits[i].path);
        assert_int_equal(fsserve_path_split(path, &parent, &name), splits[i].status);
        if (splits[i].status == 0) {
            assert_string_equal(parent, splits[i].parent);
            assert_string_equal(name, splits[i].name);
        }
    }

    /* Tree names: (name, length, status). */
    static const struct {
        const char *name;
        size_t length;
        unsigned status;
    } trees[] = {
        {"snap1", 5, 0},
        {"", 0, FS_ERROR_BAD_NAME},
        {"a/b", 3, FS_ERROR_BAD_NAME},
        {"a\0b", 3, FS_ERROR_BAD_NAME},
        {long_path, FS_TREE_NAME_MAX + 1, FS_ERROR_NAME_TOO_LONG},
    };
    char tree[FS_TREE_NAME_MAX + 1];
    for (size_t i = 0; i < sizeof trees / sizeof trees[0]; i++) {
        assert_int_equal(fsserve_tree_name_copy(trees[i].name, trees[i].length, tree),
                         trees[i].status);
        if (trees[i].status == 0)
            assert_string_equal(tree, trees[i].name);
    }

    /* What the console shows: control bytes and DEL as '?', the rest as is, cut to fit
       (in, room, shown). */
    static const struct {
        const char *in;
        size_t room;
        const char *shown;
    } shows[] = {
        {"/a\x1b[2Jb\nhmfs: x\x7f\xc3\xa9", 16, "/a?[2Jb?hmfs: x"},
        {"ok\t\xc3\xa9", 16, "ok?\xc3\xa9"},
        {"", 1, ""},
    };
    for (size_t i = 0; i < sizeof shows / sizeof shows[0]; i++) {
        char shown[16];
        fsserve_printable(shows[i].in, shown, shows[i].room);
        assert_string_equal(shown, shows[i].shown);
    }
}

static void test_handles(void **state)
{
    (void)state;
    static struct fsserve_handles t;
    memset(&t, 0, sizeof t);
    uint64_t a, b;
    struct fsserve_handle *ha = fsserve_handle_new(&t, 7, &a);
    assert_non_null(ha);
    ha->tree = 3;
    struct fsserve_handle *hb = fsserve_handle_new(&t, 8, &b);
    assert_non_null(hb);
    assert_int_not_equal(a, 0);
    assert_int_not_equal(a, b);
    assert_ptr_equal(fsserve_handle_get(&t, 7, a), ha);
    assert_null(fsserve_handle_get(&t, 8, a)); /* another client's */
    assert_null(fsserve_handle_get(&t, 7, a + 1));
    assert_null(fsserve_handle_get(&t, 7, ~0ull));
    assert_true(fsserve_handle_in_tree(&t, 3));
    fsserve_handle_close(ha);
    assert_null(fsserve_handle_get(&t, 7, a)); /* after close */
    assert_false(fsserve_handle_in_tree(&t, 3));
    /* The slot is reused with another number: the old one stays dead. */
    uint64_t c;
    assert_ptr_equal(fsserve_handle_new(&t, 7, &c), ha);
    assert_int_not_equal(c, a);
    assert_null(fsserve_handle_get(&t, 7, a));
    assert_non_null(fsserve_handle_get(&t, 7, c));
    /* One client holds at most FS_MAX_CLIENT_HANDLES: client 7 has one already. */
    unsigned opened = 1;
    uint64_t id;
    while (fsserve_handle_new(&t, 7, &id))
        opened++;
    assert_int_equal(opened, FS_MAX_CLIENT_HANDLES);
    /* Others still open, until the table is full; then a client's handles closed at once. */
    uint64_t owner = 100;
    for (opened = 1 + FS_MAX_CLIENT_HANDLES; fsserve_handle_new(&t, owner, &id); opened++)
        if (opened % FS_MAX_CLIENT_HANDLES == 0)
            owner++;
    assert_int_equal(opened, FS_MAX_HANDLES);
    assert_int_equal(fsserve_handle_close_owner(&t, 7), FS_MAX_CLIENT_HANDLES);
    assert_non_null(fsserve_handle_get(&t, 8, b));
    assert_non_null(fsserve_handle_new(&t, 7, &id)); /* room again */
}

/* --- the block cache over a disk in memory that counts what it is asked ------------------- */

#define DISK_BLOCKS 256
struct disk {
    long bad_block;                               /* reads that include it fail (-1: none) */
    uint8_t blocks[DISK_BLOCKS][BCACHE_BLOCK];    /* durable */
    uint8_t volatile_[DISK_BLOCKS][BCACHE_BLOCK]; /* written, not flushed */
    bool pending[DISK_BLOCKS];
    unsigned reads, read_calls, writes, write_calls, flushes, fua;
    bool fail;
    /* The optional hooks (stage, read_view), as a disk with a buffer region offers them: runs
       are staged in one area and read views land in another. */
    uint8_t stage_area[8][BCACHE_BLOCK], view_area[8][BCACHE_BLOCK];
    unsigned staged_writes, views;
};

/* Whether new_cache gives the cache the optional hooks: every cache test runs both ways. */
static bool with_hooks;

static int disk_read(void *context, uint64_t block, unsigned count, void *data)
{
    struct disk *d = context;
    if (d->fail || block + count > DISK_BLOCKS ||
        (d->bad_block >= (long)block && d->bad_block < (long)(block + count)))
        return -1;
    for (unsigned i = 0; i < count; i++)
        memcpy((uint8_t *)data + i * BCACHE_BLOCK,
               d->pending[block + i] ? d->volatile_[block + i] : d->blocks[block + i],
               BCACHE_BLOCK);
    d->reads += count;
    d->read_calls++;
    return 0;
}

static int disk_flush(void *context)
{
    struct disk *d = context;
    for (unsigned i = 0; i < DISK_BLOCKS; i++)
        if (d->pending[i]) {
            memcpy(d->blocks[i], d->volatile_[i], BCACHE_BLOCK);
            d->pending[i] = false;
        }
    d->flushes++;
    return 0;
}

static int disk_write(void *context, uint64_t block, unsigned count, const void *data, bool fua)
{
    struct disk *d = context;
    if (d->fail || block + count > DISK_BLOCKS)
        return -1;
    if (data == (const void *)d->stage_area)
        d->staged_writes++;
    for (unsigned i = 0; i < count; i++) {
        memcpy(d->volatile_[block + i], (const uint8_t *)data + i * BCACHE_BLOCK, BCACHE_BLOCK);
        d->pending[block + i] = true;
    }
    d->writes += count;
    d->write_calls++;
    if (fua) {
        d->fua++;
        for (unsigned i = 0; i < count; i++) {
            memcpy(d->blocks[block + i], d->volatile_[block + i], BCACHE_BLOCK);
            d->pending[block + i] = false;
        }
    }
    return 0;
}

static void *disk_stage(void *context, unsigned count)
{
    struct disk *d = context;
    assert_true(count >= 1 && count <= 8);
    /* Leftovers of an earlier run must not reach the disk: the cache fills all of it. */
    memset(d->stage_area, 0xa5, sizeof d->stage_area);
    return d->stage_area;
}

static int disk_read_view(void *context, uint64_t block, unsigned count, const void **data)
{
    struct disk *d = context;
    assert_true(count >= 1 && count <= 8);
    d->views++;
    *data = d->view_area;
    return disk_read(context, block, count, d->view_area);
}

static struct bcache *new_cache(struct disk *d, unsigned capacity)
{
    struct bcache_backend b = {.context = d,
                               .block_count = DISK_BLOCKS,
                               .max_run = 8,
                               .read = disk_read,
                               .write = disk_write,
                               .flush = disk_flush};
    if (with_hooks) {
        b.stage = disk_stage;
        b.read_view = disk_read_view;
    }
    struct bcache *c = bcache_new(&b, capacity);
    assert_non_null(c);
    return c;
}

static void fill(uint8_t *block, unsigned value)
{
    memset(block, (int)value, BCACHE_BLOCK);
}

/* A disk for the cache tests, no block bad; with filled, block b holds fill(b). */
static struct disk *new_disk(bool filled)
{
    struct disk *d = calloc(1, sizeof *d);
    assert_non_null(d);
    d->bad_block = -1;
    for (unsigned b = 0; filled && b < DISK_BLOCKS; b++)
        fill(d->blocks[b], b);
    return d;
}

/* Writes blocks [first, end) through c, block b filled with (b + offset) ^ mask. */
static void write_blocks(struct bcache *c, unsigned first, unsigned end, int offset, unsigned mask)
{
    uint8_t in[BCACHE_BLOCK];
    for (unsigned b = first; b < end; b++) {
        fill(in, (b + (unsigned)offset) ^ mask);
        assert_int_equal(bcache_write(c, b, in), 0);
    }
}

/* Reads blocks [first, end) through c: block b must hold (b + offset) ^ mask. */
static void expect_blocks(struct bcache *c, unsigned first, unsigned end, int offset, unsigned mask)
{
    uint8_t in[BCACHE_BLOCK], out[BCACHE_BLOCK];
    for (unsigned b = first; b < end; b++) {
        assert_int_equal(bcache_read(c, b, out), 0);
        fill(in, (b + (unsigned)offset) ^ mask);
        assert_memory_equal(in, out, BCACHE_BLOCK);
    }
}

static void test_cache_write_back(void **state)
{
    (void)state;
    struct disk *d = new_disk(false);
    struct bcache *c = new_cache(d, 64);
    uint8_t in[BCACHE_BLOCK], out[BCACHE_BLOCK];
    write_blocks(c, 10, 15, 0, 0);
    assert_int_equal(d->writes, 0); /* nothing reaches the disk before a flush */
    expect_blocks(c, 12, 13, 0, 0);
    assert_int_equal(d->reads, 0);
    fill(in, 99);
    assert_int_equal(bcache_write(c, 40, in), 0);
    assert_int_equal(bcache_flush(c), 0);
    /* Blocks 10-14 as one run, 40 alone; then durable. */
    assert_int_equal(d->writes, 6);
    assert_int_equal(d->write_calls, 2);
    assert_int_equal(d->flushes, 1);
    fill(in, 13);
    assert_memory_equal(d->blocks[13], in, BCACHE_BLOCK);
    assert_int_equal(bcache_stats(c).dirty, 0);
    /* A FUA write: the dirty blocks before it first, then it, durable. */
    fill(in, 1);
    assert_int_equal(bcache_write(c, 20, in), 0);
    fill(in, 2);
    assert_int_equal(bcache_write_fua(c, 0, in), 0);
    assert_int_equal(d->fua, 1);
    assert_memory_equal(d->blocks[0], in, BCACHE_BLOCK);
    assert_true(d->pending[20]); /* written before the FUA one (a flush makes it durable) */
    assert_int_equal(bcache_read(c, 0, out), 0);
    assert_memory_equal(in, out, BCACHE_BLOCK);
    bcache_free(c);
    free(d);
}

static void test_cache_pressure(void **state)
{
    (void)state;
    struct disk *d = new_disk(false);
    struct bcache *c = new_cache(d, 16);
    /* A quarter of the cache dirty (blocks 100-103 holding 1-4): written back on its own. */
    write_blocks(c, 100, 104, -99, 0);
    assert_int_equal(d->writes, 4);
    assert_int_equal(d->write_calls, 1);
    /* Far more blocks than the cache holds: every one reads back as written. */
    write_blocks(c, 0, 200, 0, 0);
    expect_blocks(c, 0, 200, 0, 0);
    bcache_free(c);
    free(d);
}

static void test_cache_readahead(void **state)
{
    (void)state;
    struct disk *d = new_disk(true);
    struct bcache *c = new_cache(d, 64);
    uint8_t in[BCACHE_BLOCK], out[BCACHE_BLOCK];
    expect_blocks(c, 0, 64, 0, 0);
    /* 1, 2, 4, 8, 8, ... blocks a miss: far fewer reads than blocks. */
    assert_true(d->read_calls <= 12);
    assert_true(d->reads >= 64 && d->reads <= 64 + 8); /* the last miss read ahead too */
    assert_true(bcache_stats(c).readahead >= 48);
    /* A random read reads one block. */
    unsigned before = d->reads;
    assert_int_equal(bcache_read(c, 200, out), 0);
    assert_int_equal(d->reads, before + 1);
    /* Readahead never replaces a dirty block with the disk's copy. */
    fill(in, 77);
    assert_int_equal(bcache_write(c, 203, in), 0);
    assert_int_equal(bcache_read(c, 201, out), 0);
    assert_int_equal(bcache_read(c, 202, out), 0);
    assert_int_equal(bcache_read(c, 203, out), 0);
    assert_memory_equal(in, out, BCACHE_BLOCK);
    /* Past the end of the disk nothing is read ahead. */
    assert_int_equal(bcache_read(c, DISK_BLOCKS - 1, out), 0);
    bcache_free(c);
    free(d);
}

/* A big file's reads between its metadata's: lone misses elsewhere (even two neighbours) leave
   the stream's readahead as it was, and a run reads over blocks cached already, keeping their
   copies (a dirty one is newer than the disk's). */
static void test_cache_readahead_streams(void **state)
{
    (void)state;
    struct disk *d = calloc(1, sizeof *d);
    d->bad_block = -1;
    for (unsigned b = 0; b < DISK_BLOCKS; b++)
        fill(d->blocks[b], b);
    struct bcache *c = new_cache(d, 128);
    uint8_t in[BCACHE_BLOCK], out[BCACHE_BLOCK];
    /* Cached before the scan: 40 dirty, 41 clean. */
    fill(in, 0x5a);
    assert_int_equal(bcache_write(c, 40, in), 0);
    assert_int_equal(bcache_read(c, 41, out), 0);
    unsigned calls = d->read_calls, lone = 0;
    for (unsigned b = 0; b < 96; b++) {
        assert_int_equal(bcache_read(c, b, out), 0);
        fill(in, b == 40 ? 0x5a : b);
        assert_memory_equal(in, out, BCACHE_BLOCK);
        if (b % 8 == 7) { /* a map bucket, then its neighbour, far away */
            assert_int_equal(bcache_read(c, 200 + 2 * b / 8 * 2, out), 0);
            assert_int_equal(bcache_read(c, 201 + 2 * b / 8 * 2, out), 0);
            lone += 2;
        }
    }
    /* The stream: 1, 2, 4, then runs of 8 (12 of them for the rest), besides the lone
       misses' own reads (at most one each). Restarting at 1 after each lone miss would take
       four reads per eight blocks. */
    assert_true(d->read_calls - calls <= 3 + 12 + 1 + lone);
    assert_true(bcache_stats(c).readahead >= 80);
    bcache_free(c);
    free(d);
}

/* A readahead that must write dirty blocks back to make room keeps the blocks it read: each
   read-ahead block reads back as the disk's, each dirty block reaches the disk as written. */
static void test_cache_readahead_evicts_dirty(void **state)
{
    (void)state;
    struct disk *d = new_disk(true);
    struct bcache *c = new_cache(d, 64);
    uint8_t in[BCACHE_BLOCK];
    /* 15 dirty blocks (one short of the quarter that writes back): the oldest entries. */
    write_blocks(c, 20, 35, 0, 0xe0);
    assert_int_equal(d->writes, 0);
    /* A sequential scan: its runs of 8 soon need the dirty entries' room. */
    expect_blocks(c, 100, 180, 0, 0);
    assert_int_equal(d->writes, 15);
    assert_true(bcache_stats(c).readahead >= 40);
    for (unsigned b = 20; b < 35; b++) {
        fill(in, 0xe0 ^ b);
        assert_memory_equal(d->volatile_[b], in, BCACHE_BLOCK);
    }
    expect_blocks(c, 20, 35, 0, 0xe0);
    bcache_free(c);
    free(d);
}

static void test_cache_failure(void **state)
{
    (void)state;
    struct disk *d = new_disk(false);
    struct bcache *c = new_cache(d, 16);
    uint8_t out[BCACHE_BLOCK];
    /* A bad block inside a readahead run fails only its own read. */
    d->bad_block = 3;
    for (unsigned b = 0; b < 3; b++)
        assert_int_equal(bcache_read(c, b, out), 0);
    assert_int_not_equal(bcache_read(c, 3, out), 0);
    assert_int_equal(bcache_read(c, 4, out), 0);
    /* A good block whose readahead run holds the bad one still reads. */
    d->bad_block = 14;
    unsigned calls = d->read_calls;
    for (unsigned b = 10; b < 14; b++)
        assert_int_equal(bcache_read(c, b, out), 0);
    /* 10, then 11-12, then 13-16 failed (not counted) and 13 was read alone */
    assert_int_equal(d->read_calls, calls + 3);
    assert_int_not_equal(bcache_read(c, 14, out), 0);
    d->bad_block = -1;
    d->fail = true;
    assert_int_not_equal(bcache_read(c, 30, out), 0); /* not cached (5 is: 4 read ahead) */
    assert_int_equal(bcache_write(c, 5, out), 0);     /* only cached */
    assert_int_not_equal(bcache_flush(c), 0);
    d->fail = false;
    assert_int_equal(bcache_flush(c), 0); /* still dirty: written now */
    assert_int_equal(d->writes, 1);
    bcache_free(c);
    free(d);
}

/* Peeks along a stream: its long runs are served where they were read, and stay right when
   the blocks are written (plainly or with FUA) or a lone read reuses the read memory. */
static void test_cache_peek_stream(void **state)
{
    (void)state;
    struct disk *d = new_disk(true);
    struct bcache *c = new_cache(d, 64);
    uint8_t in[BCACHE_BLOCK], out[BCACHE_BLOCK];
    for (unsigned b = 0; b < 64; b++) {
        if (b == 17) { /* blocks of the run peeked now */
            fill(in, 0x77);
            assert_int_equal(bcache_write(c, 21, in), 0);
            fill(in, 0x66);
            assert_int_equal(bcache_write_fua(c, 22, in), 0);
        }
        unsigned calls = d->read_calls;
        if (b == 19) /* a lone read elsewhere: the rest of the run must not be read again */
            assert_int_equal(bcache_read(c, 200, out), 0);
        const uint8_t *p = bcache_peek(c, b);
        assert_non_null(p);
        fill(in, b == 21 ? 0x77 : b == 22 ? 0x66 : b);
        assert_memory_equal(in, p, BCACHE_BLOCK);
        if (b == 19)
            assert_int_equal(d->read_calls, calls + 1);
        if (b % 8 == 4) { /* peeked twice (a block two reads share) */
            p = bcache_peek(c, b);
            assert_non_null(p);
            fill(in, b);
            assert_memory_equal(in, p, BCACHE_BLOCK);
        }
    }
    assert_true(d->read_calls <= 4 + 8 + 2);
    expect_blocks(c, 0, 21, 0, 0);
    bcache_free(c);
    free(d);
}

/* Blocks filled in the cache's own memory (bcache_write_buffer): read back, written back at
   a quarter of the cache dirty as bcache_write's are, and newer than a peeked run's copy. */
static void test_cache_write_buffer(void **state)
{
    (void)state;
    struct disk *d = new_disk(true);
    struct bcache *c = new_cache(d, 64);
    uint8_t in[BCACHE_BLOCK];
    for (unsigned b = 100; b < 140; b++) {
        uint8_t *to = bcache_write_buffer(c, b);
        assert_non_null(to);
        fill(to, b ^ 0x33);
    }
    assert_true(d->writes >= 16 && d->writes < 40); /* some written back on the way */
    expect_blocks(c, 100, 140, 0, 0x33);
    assert_int_equal(bcache_flush(c), 0);
    for (unsigned b = 100; b < 140; b++) {
        fill(in, b ^ 0x33);
        assert_memory_equal(d->blocks[b], in, BCACHE_BLOCK);
    }
    /* A block of the run peeks are served from, filled anew: the new bytes are read. */
    for (unsigned b = 0; b < 16; b++)
        assert_non_null(bcache_peek(c, b));
    uint8_t *to = bcache_write_buffer(c, 15);
    assert_non_null(to);
    fill(to, 0x99);
    const uint8_t *p = bcache_peek(c, 15);
    fill(in, 0x99);
    assert_memory_equal(in, p, BCACHE_BLOCK);
    bcache_free(c);
    free(d);
}

/* A block dirty in the cache when a peeked run reads over it: once written back and evicted
   while the run lives, the run's older copy must not become its answer (the entry's bytes, as
   written back, must). */
static void test_cache_dirty_in_view(void **state)
{
    (void)state;
    struct disk *d = new_disk(true);
    struct bcache *c = new_cache(d, 64);
    uint8_t in[BCACHE_BLOCK];
    fill(in, 0xab);
    assert_int_equal(bcache_write(c, 5, in), 0); /* dirty before the run is read */
    for (unsigned b = 0; b < 4; b++)
        assert_non_null(bcache_peek(c, b));
    /* writes elsewhere (no miss): 5 is written back and evicted, the view lives on */
    for (unsigned b = 100; b < 200; b++) {
        fill(in, 1);
        assert_int_equal(bcache_write(c, b, in), 0);
    }
    uint8_t out[BCACHE_BLOCK];
    assert_int_equal(bcache_read(c, 230, out), 0); /* a miss elsewhere: the view settles */
    assert_int_equal(bcache_read(c, 5, out), 0);   /* a plain read, long after */
    fill(in, 0xab);
    assert_memory_equal(in, out, BCACHE_BLOCK);
    bcache_free(c);
    free(d);
}

/* A plain write to a block of a live peeked run, then its eviction (written back): the run's
   copy, older than the write, must be forgotten, so a later peek reads the disk's new bytes. */
static void test_cache_write_in_view(void **state)
{
    (void)state;
    struct disk *d = new_disk(true);
    struct bcache *c = new_cache(d, 64);
    for (unsigned b = 0; b < 4; b++)
        assert_non_null(bcache_peek(c, b)); /* the run covers 5, never asked for */
    uint8_t in[BCACHE_BLOCK];
    fill(in, 0xcd);
    assert_int_equal(bcache_write(c, 5, in), 0);
    for (unsigned b = 100; b < 200; b++) { /* 5 written back and evicted; the run lives on */
        fill(in, 1);
        assert_int_equal(bcache_write(c, b, in), 0);
    }
    const uint8_t *got = bcache_peek(c, 5);
    assert_non_null(got);
    fill(in, 0xcd);
    assert_memory_equal(in, got, BCACHE_BLOCK);
    bcache_free(c);
    free(d);
}

/* The cache tests again with the backend's hooks: the same results, the runs staged in the
   backend's memory and the reads taken from its view. */
static void test_cache_with_hooks(void **state)
{
    static void (*const cache_tests[])(void **) = {test_cache_write_back,
                                                   test_cache_pressure,
                                                   test_cache_readahead,
                                                   test_cache_failure,
                                                   test_cache_readahead_evicts_dirty,
                                                   test_cache_readahead_streams,
                                                   test_cache_peek_stream,
                                                   test_cache_write_buffer,
                                                   test_cache_dirty_in_view,
                                                   test_cache_write_in_view};
    with_hooks = true;
    for (size_t i = 0; i < sizeof cache_tests / sizeof cache_tests[0]; i++)
        cache_tests[i](state);
    with_hooks = false;
}

/* The hooks are used: write-back's runs go out from the stage, misses read through the view. */
static void test_cache_hooks_used(void **state)
{
    (void)state;
    with_hooks = true;
    struct disk *d = new_disk(false);
    struct bcache *c = new_cache(d, 64);
    write_blocks(c, 0, 12, 1, 0);
    assert_int_equal(bcache_flush(c), 0);
    assert_int_equal(d->staged_writes, 2); /* 8 + 4: max_run is 8 */
    assert_int_equal(d->write_calls, 2);
    bcache_drop_clean(c);
    expect_blocks(c, 0, 12, 1, 0);
    assert_int_equal(d->views, d->read_calls);
    assert_true(d->views > 0);
    bcache_free(c);
    free(d);
    with_hooks = false;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_error_map),
        cmocka_unit_test(test_paths),
        cmocka_unit_test(test_handles),
        cmocka_unit_test(test_cache_write_back),
        cmocka_unit_test(test_cache_pressure),
        cmocka_unit_test(test_cache_readahead),
        cmocka_unit_test(test_cache_failure),
        cmocka_unit_test(test_cache_readahead_evicts_dirty),
        cmocka_unit_test(test_cache_readahead_streams),
        cmocka_unit_test(test_cache_peek_stream),
        cmocka_unit_test(test_cache_dirty_in_view),
        cmocka_unit_test(test_cache_write_in_view),
        cmocka_unit_test(test_cache_write_buffer),
        cmocka_unit_test(test_cache_with_hooks),
        cmocka_unit_test(test_cache_hooks_used),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
