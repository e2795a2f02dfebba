/*
 * libFuzzer target for lib/hmfs: mounting, reading, changing and checking damaged images.
 *
 * The input is a list of damages to a small valid volume built once (16 blocks, 64 KiB: a
 * directory, files, a snapshot): each 3 bytes are a 16-bit offset into the volume and a byte
 * XORed onto it there, so the empty input is the volume itself and a short input can reach any
 * block. Blocks
 * carry CRC32Cs and pointers carry their children's, so random damage would only ever test the
 * checksums; the target therefore recomputes every block's checksum and sets every pointer it
 * can find to its child's (bottom-up, a few rounds) before mounting: the damage reaches the
 * structure checks, the hash maps, the reference counts and fsck. Every path must answer with
 * an error, never crash, hang or leak.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "../unit/hmfs/memdev.h"
#include "hmfs/crc32c.h"
#include "hmfs/format.h"
#include "hmfs/hmfs.h"

#define BLOCKS HMFS_MIN_BLOCKS
#define BYTES  (BLOCKS * HMFS_BLOCK_SIZE)

static uint8_t pristine[BYTES];
static struct memdev dev;

static void build(void)
{
    memdev_init(&dev, BLOCKS);
    struct hmfs *fs;
    uint64_t d, a, b;
    size_t done;
    static const char text[3000] = "HMFS fuzz seed";
    hmfs_crc32c_set(hmfs_crc32c_hardware()); /* the same values as the table's, sooner */
    if (hmfs_format(&dev.dev) || hmfs_mount(&dev.dev, NULL, &fs))
        __builtin_trap();
    hmfs_mkdir(fs, 0, HMFS_ROOT_INO, "d", &d);
    hmfs_create(fs, 0, d, "a", &a);
    hmfs_write(fs, 0, a, 0, text, sizeof text, &done);
    hmfs_create(fs, 0, HMFS_ROOT_INO, "b", &b);
    hmfs_write(fs, 0, b, 0, "bee", 3, &done);
    hmfs_snapshot_create(fs, 0, "s");
    hmfs_write(fs, 0, b, 5000, "later", 5, &done);
    hmfs_unmount(fs);
    memcpy(pristine, dev.volatile_, BYTES);
}

static uint32_t header_crc(const uint8_t *image, uint64_t block)
{
    uint32_t crc;
    memcpy(&crc, image + block * HMFS_BLOCK_SIZE, 4);
    return crc;
}

static void fix_pointer(uint8_t *image, uint8_t *at)
{
    struct hmfs_bptr p;
    memcpy(&p, at, sizeof p);
    if (p.blockno < BLOCKS) {
        p.crc = header_crc(image, p.blockno);
        memcpy(at, &p, sizeof p);
    }
}

/* Points every pointer of the block at its child's checksum, then checksums the block. */
static void fix_block(uint8_t *image, uint64_t b)
{
    uint8_t *block = image + b * HMFS_BLOCK_SIZE;
    struct hmfs_header h;
    memcpy(&h, block, sizeof h);
    if (b < HMFS_RING_SIZE) {
        for (unsigned t = 0; t < HMFS_MAX_TREES; t++)
            fix_pointer(image, block + offsetof(struct hmfs_super, trees) +
                                   t * sizeof(struct hmfs_tree_entry) +
                                   offsetof(struct hmfs_tree_entry, inodes));
    } else if (h.type == HMFS_TYPE_TABLE) {
        for (unsigned i = 0; i < HMFS_TABLE_SLOTS; i++)
            fix_pointer(image, block + HMFS_TABLE_OFFSET + i * sizeof(struct hmfs_bptr));
    } else if (h.type == HMFS_TYPE_BUCKET) {
        struct hmfs_bucket_body body;
        memcpy(&body, block + HMFS_HEADER_SIZE, sizeof body);
        size_t offset = 0;
        for (unsigned i = 0; i < body.count; i++) {
            struct hmfs_record r;
            if (HMFS_BUCKET_OFFSET + offset + HMFS_RECORD_SIZE > HMFS_BLOCK_SIZE)
                break;
            memcpy(&r, block + HMFS_BUCKET_OFFSET + offset, HMFS_RECORD_SIZE);
            size_t value = offset + ((HMFS_RECORD_SIZE + r.key_len + 7u) & ~7u);
            size_t end = value + ((r.value_len + 7u) & ~7u);
            if (HMFS_BUCKET_OFFSET + end > HMFS_BLOCK_SIZE)
                break;
            uint8_t *v = block + HMFS_BUCKET_OFFSET + value;
            if (h.kind == HMFS_KIND_INODES && r.value_len == sizeof(struct hmfs_inode))
                fix_pointer(image, v + offsetof(struct hmfs_inode, map));
            else if (h.kind == HMFS_KIND_FILEMAP && r.value_len == sizeof(struct hmfs_bptr))
                fix_pointer(image, v);
            offset = end;
        }
    }
    uint32_t crc = hmfs_crc32c(block + 4, HMFS_BLOCK_SIZE - 4);
    memcpy(block, &crc, 4);
}

/* Reads everything under directory dir of tree (to a small depth). */
static void read_tree(struct hmfs *fs, unsigned tree, uint64_t dir, int depth)
{
    uint64_t cookie = 0;
    struct hmfs_dirent e;
    static uint8_t buffer[9000];
    for (int n = 0; n < 64 && hmfs_readdir(fs, tree, dir, &cookie, &e) == HMFS_OK; n++) {
        struct hmfs_stat st;
        uint64_t ino;
        size_t done;
        if (hmfs_lookup(fs, tree, dir, e.name, &ino) != HMFS_OK ||
            hmfs_stat(fs, tree, ino, &st) != HMFS_OK)
            continue;
        if (st.type == HMFS_INODE_DIR && depth < 4)
            read_tree(fs, tree, ino, depth + 1);
        else
            hmfs_read(fs, tree, ino, 0, buffer, sizeof buffer, &done);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dev.blocks)
        build();
    memcpy(dev.volatile_, pristine, BYTES);
    for (size_t i = 0; i + 3 <= size; i += 3)
        dev.volatile_[(data[i] | (size_t)data[i + 1] << 8) % BYTES] ^= data[i + 2];
    for (int round = 0; round < 4; round++)
        for (uint64_t b = BLOCKS; b-- > 0;)
            fix_block(dev.volatile_, b);
    struct hmfs_options o = {32, NULL};
    struct hmfs *fs;
    if (hmfs_mount(&dev.dev, &o, &fs) == HMFS_OK) {
        unsigned index = 0;
        struct hmfs_tree_info info;
        while (hmfs_tree_next(fs, &index, &info) == HMFS_OK) {
            read_tree(fs, info.index, HMFS_ROOT_INO, 0);
            index++;
        }
        uint64_t ino, d;
        size_t done;
        if (hmfs_resolve(fs, 0, "/d", &d) == HMFS_OK) {
            hmfs_create(fs, 0, d, "new", &ino);
            hmfs_write(fs, 0, ino, 100, "xyz", 3, &done);
            hmfs_rename(fs, 0, d, "a", HMFS_ROOT_INO, "moved");
            hmfs_unlink(fs, 0, HMFS_ROOT_INO, "b");
            hmfs_truncate(fs, 0, ino, 1);
        }
        hmfs_snapshot_create(fs, 0, "t");
        hmfs_tree_delete(fs, "s");
        hmfs_unmount(fs);
    }
    struct hmfs_check_options co = {true, NULL, NULL, 32};
    struct hmfs_check_result cr;
    hmfs_check(&dev.dev, &co, &cr);
    return 0;
}
