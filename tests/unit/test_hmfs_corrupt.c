/*
 * Corruption is detected, never trusted: random bit flips in the blocks of a volume (data,
 * directories, block maps, the inode table, a snapshot's own blocks). After each flip: no
 * crash; every read either gives the right bytes or fails with HMFS_ERR_CORRUPT naming a
 * block; a flip in a file's data block fails that file alone (naming it and the block) while
 * every other file still reads; the full check reports the flipped block; and fsck -y never
 * makes it worse (what it cannot repair it leaves, and says so).
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

#define BLOCKS 700u
#define FILES  12

struct image {
    struct memdev m;
    uint64_t ino[FILES];
    uint64_t size[FILES];
    char path[FILES][32];
    uint8_t *pristine;
    uint64_t generation;
};

static void build(struct image *im)
{
    memdev_init(&im->m, BLOCKS);
    assert_int_equal(hmfs_format(&im->m.dev), HMFS_OK);
    struct hmfs *fs;
    assert_int_equal(hmfs_mount(&im->m.dev, NULL, &fs), HMFS_OK);
    uint64_t dir, many;
    assert_int_equal(hmfs_mkdir(fs, 0, HMFS_ROOT_INO, "docs", &dir), HMFS_OK);
    assert_int_equal(hmfs_mkdir(fs, 0, HMFS_ROOT_INO, "many", &many), HMFS_OK);
    char name[32];
    for (int i = 0; i < 300; i++) {
        snprintf(name, sizeof name, "empty-%d", i);
        assert_int_equal(hmfs_create(fs, 0, many, name, NULL), HMFS_OK);
    }
    uint64_t rng = 77;
    for (int i = 0; i < FILES; i++) {
        snprintf(name, sizeof name, "f%d", i);
        snprintf(im->path[i], sizeof im->path[i], "/docs/f%d", i);
        assert_int_equal(hmfs_create(fs, 0, dir, name, &im->ino[i]), HMFS_OK);
        im->size[i] = 1000 + rng_below(&rng, 40000);
        uint8_t *buf = malloc(im->size[i]);
        for (uint64_t k = 0; k < im->size[i]; k++)
            buf[k] = pattern_byte((uint64_t)i, k);
        size_t done;
        assert_int_equal(hmfs_write(fs, 0, im->ino[i], 0, buf, im->size[i], &done), HMFS_OK);
        free(buf);
        if (i == FILES / 2) {
            assert_int_equal(hmfs_snapshot_create(fs, 0, "half"), HMFS_OK);
        }
    }
    /* Blocks only the snapshot holds: the first file's old contents. */
    uint8_t zeros[5000] = {0};
    size_t done;
    assert_int_equal(hmfs_write(fs, 0, im->ino[0], 0, zeros, sizeof zeros, &done), HMFS_OK);
    memset(zeros, 0, sizeof zeros);
    uint8_t *buf = malloc(sizeof zeros);
    for (size_t k = 0; k < sizeof zeros; k++)
        buf[k] = pattern_byte(0, k);
    assert_int_equal(hmfs_write(fs, 0, im->ino[0], 0, buf, sizeof zeros, &done), HMFS_OK);
    free(buf);
    assert_int_equal(hmfs_sync(fs), HMFS_OK);
    struct hmfs_statfs st;
    hmfs_statfs(fs, &st);
    im->generation = st.generation;
    assert_int_equal(hmfs_unmount(fs), HMFS_OK);
    im->pristine = malloc((size_t)BLOCKS * HMFS_BLOCK_SIZE);
    memcpy(im->pristine, im->m.volatile_, (size_t)BLOCKS * HMFS_BLOCK_SIZE);
}

struct capture {
    char wanted[32];
    bool found;
    unsigned lines;
};

static void capture_line(void *context, const char *line)
{
    struct capture *c = context;
    c->lines++;
    if (getenv("HMFS_CORRUPT_VERBOSE"))
        fprintf(stderr, "fsck: %s\n", line);
    if (strstr(line, c->wanted))
        c->found = true;
}

/* The referenced blocks (not the superblocks) and their types. */
static size_t used_blocks(struct image *im, uint64_t *out, uint8_t *types)
{
    struct hmfs *fs;
    assert_int_equal(hmfs_mount(&im->m.dev, NULL, &fs), HMFS_OK);
    size_t n = 0;
    for (uint64_t b = HMFS_RING_SIZE; b < BLOCKS; b++)
        if (fs->refs[b]) {
            struct hmfs_header h;
            memcpy(&h, im->m.volatile_ + b * HMFS_BLOCK_SIZE, sizeof h);
            types[n] = h.type;
            out[n++] = b;
        }
    hmfs_unmount(fs);
    return n;
}

static void test_bit_flips(void **state)
{
    (void)state;
    hmfs_crc32c_set(hmfs_crc32c_hardware());
    struct image im;
    build(&im);
    uint64_t blocks[BLOCKS];
    uint8_t types[BLOCKS];
    size_t n = used_blocks(&im, blocks, types);
    uint64_t rng = 2024;
    unsigned data_flips = 0, meta_flips = 0;
    uint8_t *buf = malloc(64 * 1024);
    for (int trial = 0; trial < 400; trial++) {
        memcpy(im.m.volatile_, im.pristine, (size_t)BLOCKS * HMFS_BLOCK_SIZE);
        size_t pick = rng_below(&rng, n);
        uint64_t b = blocks[pick];
        uint64_t bit = rng_below(&rng, HMFS_BLOCK_SIZE * 8);
        im.m.volatile_[b * HMFS_BLOCK_SIZE + bit / 8] ^= (uint8_t)(1u << (bit % 8));
        struct hmfs *fs;
        int rc = hmfs_mount(&im.m.dev, NULL, &fs);
        bool fell_back = false;
        if (rc == HMFS_OK) {
            struct hmfs_statfs st;
            hmfs_statfs(fs, &st);
            fell_back = st.generation < im.generation;
            unsigned failed = 0;
            for (int i = 0; i < FILES; i++) {
                uint64_t ino;
                size_t done = 0;
                rc = hmfs_resolve(fs, 0, im.path[i], &ino);
                if (rc == HMFS_OK)
                    rc = hmfs_read(fs, 0, ino, 0, buf, 64 * 1024, &done);
                if (rc == HMFS_OK) {
                    assert_int_equal(done, im.size[i]);
                    for (size_t k = 0; k < done; k++)
                        if (buf[k] != pattern_byte((uint64_t)i, k))
                            fail_msg("trial %d: block %llu flipped: %s read wrong data", trial,
                                     (unsigned long long)b, im.path[i]);
                    continue;
                }
                if (rc == HMFS_ERR_NOENT && st.generation < im.generation)
                    continue; /* an older commit, from before the file was made */
                assert_int_equal(rc, HMFS_ERR_CORRUPT);
                struct hmfs_problem p = hmfs_problem(fs);
                assert_non_null(p.what);
                failed++;
                if (types[pick] == HMFS_TYPE_DATA) {
                    /* Only the owner of the block fails, naming itself and the block. */
                    assert_int_equal(p.block, b);
                    assert_int_equal(p.inode, im.ino[i]);
                }
            }
            if (types[pick] == HMFS_TYPE_DATA) {
                data_flips++;
                assert_true(failed <= 1);
            } else {
                meta_flips++;
                /* Damaged metadata: the mount counted what it could and is read-only, or the
                   damage was at a root and it mounted the commit before (fsck says so). */
                assert_true(st.degraded || st.generation < im.generation);
                if (st.degraded)
                    assert_int_equal(hmfs_create(fs, 0, HMFS_ROOT_INO, "x", NULL), HMFS_ERR_ROFS);
            }
            hmfs_unmount(fs);
        } else {
            assert_int_equal(rc, HMFS_ERR_CORRUPT);
        }
        /* fsck names the block; with -y it repairs nothing it cannot, and says so. */
        struct capture c = {"", false, 0};
        snprintf(c.wanted, sizeof c.wanted, "block %llu", (unsigned long long)b);
        struct hmfs_check_options co = {false, capture_line, &c, 0};
        struct hmfs_check_result cr;
        assert_int_equal(hmfs_check(&im.m.dev, &co, &cr), HMFS_OK);
        assert_true(cr.errors > 0);
        if (cr.mounted && !c.found)
            fail_msg("trial %d: fsck did not name block %llu (type %u)", trial,
                     (unsigned long long)b, types[pick]);
        /* -y: a damaged newest commit is left for the one before (then all is well); other
           damage stays, reported. */
        co.repair = true;
        assert_int_equal(hmfs_check(&im.m.dev, &co, &cr), HMFS_OK);
        assert_true(fell_back ? cr.remaining == 0 : cr.remaining > 0);
    }
    assert_true(data_flips > 50);
    assert_true(meta_flips > 50);
    free(buf);
    free(im.pristine);
    memdev_free(&im.m);
}

/* A read error of the device names the block and the file; the others still read. */
static void test_read_error(void **state)
{
    (void)state;
    struct image im;
    build(&im);
    struct hmfs *fs;
    assert_int_equal(hmfs_mount(&im.m.dev, NULL, &fs), HMFS_OK);
    struct hmfs_inode in;
    assert_int_equal(hmfs_inode_get(fs, 0, im.ino[3], &in), HMFS_OK);
    uint64_t index = 0;
    struct hmfs_bptr p;
    assert_int_equal(hmfs_map_get(fs, &in.map, im.ino[3], hmfs_hash_block_index(0), &index, 8, &p,
                                  sizeof p, NULL),
                     HMFS_OK);
    hmfs_unmount(fs);
    im.m.fail_read = p.blockno;
    assert_int_equal(hmfs_mount(&im.m.dev, NULL, &fs), HMFS_OK);
    uint8_t buf[100];
    size_t done;
    assert_int_equal(hmfs_read(fs, 0, im.ino[3], 0, buf, sizeof buf, &done), HMFS_ERR_IO);
    struct hmfs_problem pr = hmfs_problem(fs);
    assert_int_equal(pr.block, p.blockno);
    assert_int_equal(pr.inode, im.ino[3]);
    assert_int_equal(hmfs_read(fs, 0, im.ino[4], 0, buf, sizeof buf, &done), HMFS_OK);
    hmfs_unmount(fs);
    free(im.pristine);
    memdev_free(&im.m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bit_flips),
        cmocka_unit_test(test_read_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
