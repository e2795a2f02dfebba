/*
 * The structure checks of HMFS (docs/hmfs.md, "Blocks" and "Hash maps"): every block read from
 * the device is checked against the pointer that led to it, and a table or bucket against
 * the rules of its map, before anything else looks at it.
 */
#include <string.h>

#include "hmfs/crc32c.h"
#include "hmfs/internal.h"

static size_t align8(size_t n)
{
    return (n + 7u) & ~(size_t)7u;
}

/* The bytes a record of key_len and value_len bytes takes in a bucket. */
static size_t record_size(uint16_t key_len, uint16_t value_len)
{
    return align8(HMFS_RECORD_SIZE + key_len) + align8(value_len);
}

/* Whether name (length bytes) is a valid directory entry name. */
static bool name_valid(const uint8_t *name, size_t length)
{
    if (length == 0 || length > HMFS_NAME_MAX)
        return false;
    if ((length == 1 && name[0] == '.') || (length == 2 && name[0] == '.' && name[1] == '.'))
        return false;
    for (size_t i = 0; i < length; i++)
        if (name[i] == '/' || name[i] == 0)
            return false;
    return true;
}

/* Whether a pointer in a block of generation parent_gen can be right: inside the volume, not
   a superblock, not newer than its parent. */
static bool bptr_sane(const struct hmfs_bptr *p, uint64_t blocks, uint64_t parent_gen)
{
    return p->blockno >= HMFS_RING_SIZE && p->blockno < blocks && p->gen > 0 &&
           p->gen <= parent_gen && p->zero == 0;
}

/* What is wrong with a bucket's records for its kind and place in a volume of blocks blocks,
   or NULL if nothing is. */
static const char *bucket_problem(const uint8_t *block, uint64_t blocks)
{
    const struct hmfs_header *h = (const struct hmfs_header *)block;
    struct hmfs_bucket_body body;
    memcpy(&body, block + HMFS_HEADER_SIZE, sizeof body);
    if (body.level > HMFS_MAX_LEVEL || body.depth > HMFS_TABLE_BITS)
        return "bucket level or depth out of range";
    unsigned run = 1u << (HMFS_TABLE_BITS - body.depth);
    if (body.prefix % run != 0)
        return "bucket prefix not aligned";
    if (body.bytes > HMFS_BUCKET_SPACE)
        return "bucket byte count too large";
    size_t offset = 0;
    for (unsigned i = 0; i < body.count; i++) {
        struct hmfs_record r;
        if (offset + HMFS_RECORD_SIZE > body.bytes)
            return "record past the bucket's end";
        const uint8_t *rec = block + HMFS_BUCKET_OFFSET + offset;
        r = hmfs_record_get(rec);
        size_t size = record_size(r.key_len, r.value_len);
        if (offset + size > body.bytes)
            return "record past the bucket's end";
        unsigned slot = hmfs_slot(r.hash, body.level);
        if (slot < body.prefix || slot >= body.prefix + run)
            return "record in the wrong bucket for its hash";
        const uint8_t *key = rec + HMFS_RECORD_SIZE;
        const uint8_t *value = rec + align8(HMFS_RECORD_SIZE + r.key_len);
        if (h->kind == HMFS_KIND_DIR) {
            struct hmfs_dirent_value v;
            if (r.value_len != sizeof v || !name_valid(key, r.key_len))
                return "bad directory record";
            if (r.hash != hmfs_hash_name((const char *)key, r.key_len))
                return "directory record hash mismatch";
            memcpy(&v, value, sizeof v);
            if ((v.type != HMFS_INODE_FILE && v.type != HMFS_INODE_DIR) || v.ino == 0)
                return "bad directory entry";
        } else if (h->kind == HMFS_KIND_INODES) {
            struct hmfs_inode ino;
            uint64_t k;
            if (r.key_len != 8 || r.value_len != sizeof ino)
                return "bad inode record";
            memcpy(&k, key, 8);
            memcpy(&ino, value, sizeof ino);
            if (ino.ino != k || k == 0 || r.hash != hmfs_hash_u64(k))
                return "inode record key mismatch";
            uint8_t kind = ino.type == HMFS_INODE_FILE  ? HMFS_KIND_FILEMAP
                           : ino.type == HMFS_INODE_DIR ? HMFS_KIND_DIR
                                                        : 0;
            if (kind == 0)
                return "bad inode type";
            if (ino.map.root.blockno != 0 &&
                (!bptr_sane(&ino.map.root, blocks, h->gen) || ino.map.root.kind != kind ||
                 (ino.map.root.type != HMFS_TYPE_TABLE && ino.map.root.type != HMFS_TYPE_BUCKET)))
                return "bad inode map pointer";
            if ((ino.map.root.blockno == 0) != (ino.map.count == 0))
                return "inode map count mismatch";
        } else if (h->kind == HMFS_KIND_FILEMAP) {
            struct hmfs_bptr p;
            uint64_t index;
            if (r.key_len != 8 || r.value_len != sizeof p)
                return "bad block map record";
            memcpy(&index, key, 8);
            memcpy(&p, value, sizeof p);
            if (index >= HMFS_MAX_FILE_BLOCKS || r.hash != hmfs_hash_block_index(index))
                return "block map record key mismatch";
            if (!bptr_sane(&p, blocks, h->gen) || p.type != HMFS_TYPE_DATA || p.kind != 0)
                return "bad data block pointer";
        } else {
            return "bucket of no map kind";
        }
        offset += size;
    }
    if (offset != body.bytes)
        return "bucket byte count mismatch";
    return NULL;
}

/* Checks a table's slots: sane pointers of its kind, each bucket over an aligned run of a
   power-of-two slots, each table over one, no block in two runs. */
static const char *table_problem(const uint8_t *block, uint64_t blocks)
{
    const struct hmfs_header *h = (const struct hmfs_header *)block;
    struct hmfs_table_body body;
    memcpy(&body, block + HMFS_HEADER_SIZE, sizeof body);
    if (body.level > HMFS_MAX_LEVEL)
        return "table level out of range";
    struct hmfs_bptr slots[HMFS_TABLE_SLOTS];
    memcpy(slots, block + HMFS_TABLE_OFFSET, sizeof slots);
    for (unsigned i = 0; i < HMFS_TABLE_SLOTS;) {
        const struct hmfs_bptr *p = &slots[i];
        if (!bptr_sane(p, blocks, h->gen) || p->kind != h->kind)
            return "bad table slot";
        if (p->type == HMFS_TYPE_TABLE ? body.level >= HMFS_MAX_LEVEL : p->type != HMFS_TYPE_BUCKET)
            return "bad table slot type";
        unsigned end = i + 1;
        while (end < HMFS_TABLE_SLOTS && memcmp(&slots[end], p, sizeof *p) == 0)
            end++;
        unsigned run = end - i;
        if ((run & (run - 1)) != 0 || i % run != 0 || (p->type == HMFS_TYPE_TABLE && run != 1))
            return "table slot run not aligned";
        for (unsigned j = 0; j < i; j++)
            if (slots[j].blockno == p->blockno)
                return "block in two runs of a table";
        i = end;
    }
    return NULL;
}

/* Verifies a block read from the device against ptr, the owner and level it must have. */
int hmfs_verify(struct hmfs *fs, const uint8_t *block, const struct hmfs_bptr *ptr, uint64_t owner,
                uint8_t level)
{
    return hmfs_verify_sum(fs, block, hmfs_block_crc(block), ptr, owner, level);
}

int hmfs_verify_sum(struct hmfs *fs, const uint8_t *block, uint32_t crc,
                    const struct hmfs_bptr *ptr, uint64_t owner, uint8_t level)
{
    const struct hmfs_header *h = (const struct hmfs_header *)block;
    const char *what = NULL;
    if (h->crc != crc)
        what = "checksum mismatch (torn or damaged block)";
    else if (h->magic != HMFS_MAGIC)
        what = "bad magic";
    else if (h->blockno != ptr->blockno)
        what = "block number mismatch (misdirected write)";
    else if (h->gen != ptr->gen)
        what = "generation mismatch (stale block)";
    else if (h->crc != ptr->crc)
        what = "checksum differs from the parent's pointer";
    else if (h->type != ptr->type || h->kind != ptr->kind)
        what = "block type mismatch";
    else if (h->owner != owner)
        what = "owner mismatch";
    else if (h->type == HMFS_TYPE_TABLE) {
        if (block[HMFS_HEADER_SIZE] != level)
            what = "table level mismatch";
        else
            what = table_problem(block, fs->blocks);
    } else if (h->type == HMFS_TYPE_BUCKET) {
        if (block[HMFS_HEADER_SIZE] != level)
            what = "bucket level mismatch";
        else
            what = bucket_problem(block, fs->blocks);
    } else if (h->type != HMFS_TYPE_DATA)
        what = "unexpected block type";
    if (what)
        return hmfs_fail(fs, HMFS_ERR_CORRUPT, ptr->blockno, owner, what);
    return HMFS_OK;
}

/* Whether a bucket is well-formed (for tests). */
int hmfs_check_bucket(const uint8_t *block)
{
    return bucket_problem(block, HMFS_MAX_BLOCKS) ? HMFS_ERR_CORRUPT : HMFS_OK;
}
