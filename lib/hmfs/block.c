/*
 * The block layer of HMFS: a bounded cache of blocks, reads that verify each block against the
 * pointer that led to it, allocation from the in-memory reference counts, and copy-on-write
 * with reference counting in the manner of Rodeh's shadowed B-trees (btrfs): a block's count
 * is the number of distinct parents (blocks or tree entries) that point to it. Copying a shared
 * block gives each of its children one more parent; a block whose count drops to 0 is free and
 * its children lose a parent. docs/hmfs.md, "Free space", explains why.
 */
#include <stdlib.h>
#include <string.h>

#include "hmfs/crc32c.h"
#include "hmfs/internal.h"

/* Records: 8-byte aligned; the value starts 8-byte aligned after the header and the key. */
static size_t align8(size_t n)
{
    return (n + 7u) & ~(size_t)7u;
}

/* Sets the problem report and returns error (the caller decides whether to stop). */
int hmfs_fail(struct hmfs *fs, int error, uint64_t block, uint64_t inode, const char *what)
{
    fs->problem = (struct hmfs_problem){error, block, inode, what};
    return error;
}

/* Stops the volume after an error that may have left the uncommitted state half-changed:
   nothing more is written; returns error. */
int hmfs_stop(struct hmfs *fs, int error)
{
    fs->stopped = true;
    return error;
}

/* The checksum a block must carry in its header: bytes 4 .. end. */
uint32_t hmfs_block_crc(const uint8_t *block)
{
    return hmfs_crc32c(block + 4, HMFS_BLOCK_SIZE - 4);
}

static struct hmfs_header *header_of(uint8_t *block)
{
    return (struct hmfs_header *)block;
}

struct hmfs_cache_entry *hmfs_cache_find(struct hmfs *fs, uint64_t blockno)
{
    for (unsigned i = 0; i < fs->cache_size; i++)
        if (fs->cache[i].valid && fs->cache[i].blockno == blockno)
            return &fs->cache[i];
    return NULL;
}

/* A free cache entry: an empty one, or the least recently used clean one not used in this
   step. NULL (and the problem set) if every entry is dirty or in use. */
static struct hmfs_cache_entry *cache_take(struct hmfs *fs, uint64_t blockno)
{
    struct hmfs_cache_entry *best = NULL;
    for (unsigned i = 0; i < fs->cache_size; i++) {
        struct hmfs_cache_entry *e = &fs->cache[i];
        if (!e->valid) {
            best = e;
            break;
        }
        if (!e->dirty && e->op != fs->op && (!best || e->used < best->used))
            best = e;
    }
    if (!best) {
        hmfs_fail(fs, HMFS_ERR_NOMEM, blockno, 0, "block cache full");
        return NULL;
    }
    best->valid = true;
    best->dirty = false;
    best->blockno = blockno;
    best->used = ++fs->clock;
    best->op = fs->op;
    return best;
}

static void cache_drop(struct hmfs *fs, uint64_t blockno)
{
    struct hmfs_cache_entry *e = hmfs_cache_find(fs, blockno);
    if (!e)
        return;
    if (e->dirty)
        fs->dirty_count--;
    e->valid = false;
    e->dirty = false;
}

/* Begins a step of an operation: the cache may evict what earlier steps used, and commits if
   half the cache is dirty. No pointer into the cache may be held across it. */
int hmfs_step(struct hmfs *fs)
{
    fs->op++;
    if (fs->dirty_count * 2 > fs->options.cache_blocks)
        return hmfs_commit(fs);
    return HMFS_OK;
}

/* Checks that blocks more blocks can be allocated before the step changes anything (freeing
   steps may use the reserve); commits first to free what this transaction released. */
int hmfs_reserve(struct hmfs *fs, uint64_t blocks, bool freeing)
{
    uint64_t need = blocks + (freeing ? 0 : HMFS_RESERVE_BLOCKS);
    if (fs->blocks - fs->used - fs->pending_count < need && fs->pending_count > 0) {
        int rc = hmfs_commit(fs);
        if (rc)
            return rc;
    }
    if (fs->blocks - fs->used - fs->pending_count < need)
        return HMFS_ERR_NOSPC;
    return HMFS_OK;
}

/* Walks the records of a verified bucket. */
static size_t record_size(uint16_t key_len, uint16_t value_len)
{
    return align8(HMFS_RECORD_SIZE + key_len) + align8(value_len);
}

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

static bool bptr_sane(const struct hmfs_bptr *p, uint64_t blocks, uint64_t parent_gen)
{
    return p->blockno >= HMFS_RING_SIZE && p->blockno < blocks && p->gen > 0 &&
           p->gen <= parent_gen && p->zero == 0;
}

/* Checks a bucket's records against its kind and place (the volume size is checked by
   hmfs_verify); 0 or a short reason is not returned: a nonzero value says it is malformed. */
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
        memcpy(&r, rec, HMFS_RECORD_SIZE);
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
    const struct hmfs_header *h = (const struct hmfs_header *)block;
    const char *what = NULL;
    if (h->crc != hmfs_block_crc(block))
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

/* Checks a cached block's header against a pointer (its contents were verified on load). */
static int cached_matches(struct hmfs *fs, struct hmfs_cache_entry *e, const struct hmfs_bptr *ptr,
                          uint64_t owner, uint8_t level)
{
    const struct hmfs_header *h = (const struct hmfs_header *)e->data;
    if (h->gen != ptr->gen || h->type != ptr->type || h->kind != ptr->kind || h->owner != owner ||
        (!e->dirty && h->crc != ptr->crc) ||
        (h->type != HMFS_TYPE_DATA && e->data[HMFS_HEADER_SIZE] != level))
        return hmfs_fail(fs, HMFS_ERR_CORRUPT, ptr->blockno, owner,
                         "block differs from its parent's pointer");
    return HMFS_OK;
}

static int pointer_check(struct hmfs *fs, const struct hmfs_bptr *ptr, uint64_t owner)
{
    if (ptr->blockno < HMFS_RING_SIZE || ptr->blockno >= fs->blocks)
        return hmfs_fail(fs, HMFS_ERR_CORRUPT, ptr->blockno, owner, "pointer out of the volume");
    if (ptr->gen > fs->txn)
        return hmfs_fail(fs, HMFS_ERR_CORRUPT, ptr->blockno, owner, "pointer from the future");
    return HMFS_OK;
}

/* The block ptr leads to, in the cache (valid for this step): read and verified if needed. */
int hmfs_block_get(struct hmfs *fs, const struct hmfs_bptr *ptr, uint64_t owner, uint8_t level,
                   uint8_t **out)
{
    int rc = pointer_check(fs, ptr, owner);
    if (rc)
        return rc;
    struct hmfs_cache_entry *e = hmfs_cache_find(fs, ptr->blockno);
    if (e) {
        rc = cached_matches(fs, e, ptr, owner, level);
        if (rc)
            return rc;
        e->used = ++fs->clock;
        e->op = fs->op;
        *out = e->data;
        return HMFS_OK;
    }
    if (ptr->gen == fs->txn)
        return hmfs_fail(fs, HMFS_ERR_CORRUPT, ptr->blockno, owner, "new block not in the cache");
    e = cache_take(fs, ptr->blockno);
    if (!e)
        return HMFS_ERR_NOMEM;
    if (fs->dev.read(fs->dev.context, ptr->blockno, e->data) != 0) {
        e->valid = false;
        return hmfs_fail(fs, HMFS_ERR_IO, ptr->blockno, owner, "read failed");
    }
    rc = hmfs_verify(fs, e->data, ptr, owner, level);
    if (rc) {
        e->valid = false;
        return rc;
    }
    *out = e->data;
    return HMFS_OK;
}

/* Copies the block ptr leads to into out, verified, without taking a cache entry (for walks
   over many blocks). */
int hmfs_block_copy(struct hmfs *fs, const struct hmfs_bptr *ptr, uint64_t owner, uint8_t level,
                    uint8_t *out)
{
    int rc = pointer_check(fs, ptr, owner);
    if (rc)
        return rc;
    struct hmfs_cache_entry *e = hmfs_cache_find(fs, ptr->blockno);
    if (e) {
        rc = cached_matches(fs, e, ptr, owner, level);
        if (rc)
            return rc;
        memcpy(out, e->data, HMFS_BLOCK_SIZE);
        return HMFS_OK;
    }
    if (ptr->gen == fs->txn)
        return hmfs_fail(fs, HMFS_ERR_CORRUPT, ptr->blockno, owner, "new block not in the cache");
    if (fs->dev.read(fs->dev.context, ptr->blockno, out) != 0)
        return hmfs_fail(fs, HMFS_ERR_IO, ptr->blockno, owner, "read failed");
    return hmfs_verify(fs, out, ptr, owner, level);
}

/* The children of a block (which must be verified or built by this library). */
size_t hmfs_children(uint8_t *block, struct hmfs_child *out)
{
    struct hmfs_header *h = header_of(block);
    size_t n = 0;
    if (h->type == HMFS_TYPE_TABLE) {
        uint8_t level = block[HMFS_HEADER_SIZE];
        struct hmfs_bptr *slots = (struct hmfs_bptr *)(block + HMFS_TABLE_OFFSET);
        for (unsigned i = 0; i < HMFS_TABLE_SLOTS; i++)
            out[n++] = (struct hmfs_child){
                &slots[i], h->owner,
                (uint8_t)(slots[i].type == HMFS_TYPE_TABLE ? level + 1 : level)};
        return n;
    }
    if (h->type != HMFS_TYPE_BUCKET || h->kind == HMFS_KIND_DIR)
        return 0;
    struct hmfs_bucket_body body;
    memcpy(&body, block + HMFS_HEADER_SIZE, sizeof body);
    size_t offset = 0;
    for (unsigned i = 0; i < body.count; i++) {
        uint8_t *rec = block + HMFS_BUCKET_OFFSET + offset;
        struct hmfs_record r;
        memcpy(&r, rec, HMFS_RECORD_SIZE);
        uint8_t *value = rec + align8(HMFS_RECORD_SIZE + r.key_len);
        if (h->kind == HMFS_KIND_INODES) {
            struct hmfs_inode *ino = (struct hmfs_inode *)value;
            if (ino->map.root.blockno != 0)
                out[n++] = (struct hmfs_child){&ino->map.root, ino->ino, 0};
        } else if (h->kind == HMFS_KIND_FILEMAP) {
            out[n++] = (struct hmfs_child){(struct hmfs_bptr *)value, h->owner, 0};
        }
        offset += record_size(r.key_len, r.value_len);
    }
    return n;
}

/* The children without the repeats of a table's runs: each distinct parent-child link once. */
size_t hmfs_distinct_children(uint8_t *block, struct hmfs_child *out)
{
    size_t n = hmfs_children(block, out), kept = 0;
    for (size_t i = 0; i < n; i++)
        if (kept == 0 || out[kept - 1].ptr->blockno != out[i].ptr->blockno)
            out[kept++] = out[i];
    return kept;
}

/* A free block (count 0, not released by this transaction), from the cursor on. */
static int allocate(struct hmfs *fs, uint64_t *blockno)
{
    for (uint64_t n = 0; n < fs->blocks; n++) {
        uint64_t b = fs->cursor;
        fs->cursor = fs->cursor + 1 < fs->blocks ? fs->cursor + 1 : HMFS_RING_SIZE;
        if (b >= HMFS_RING_SIZE && fs->refs[b] == 0 && !(fs->pending[b / 8] & (1u << (b % 8)))) {
            fs->refs[b] = 1;
            fs->used++;
            *blockno = b;
            return HMFS_OK;
        }
    }
    return HMFS_ERR_NOSPC;
}

/* Gives back a block whose count reached 0: at once if this transaction wrote it, after the
   commit if the last commit's trees still hold it. */
static void release(struct hmfs *fs, uint64_t blockno, uint64_t gen)
{
    fs->used--;
    if (gen < fs->txn) {
        fs->pending[blockno / 8] |= (uint8_t)(1u << (blockno % 8));
        fs->pending_count++;
    }
    cache_drop(fs, blockno);
}

int hmfs_block_ref(struct hmfs *fs, uint64_t blockno)
{
    if (fs->refs[blockno] == UINT8_MAX)
        return hmfs_fail(fs, HMFS_ERR_CORRUPT, blockno, 0, "too many references to a block");
    fs->refs[blockno]++;
    fs->changes++;
    return HMFS_OK;
}

/* A new zeroed block of this transaction, dirty in the cache, *ptr pointing to it. */
int hmfs_block_new(struct hmfs *fs, uint8_t type, uint8_t kind, uint64_t owner,
                   struct hmfs_bptr *ptr, uint8_t **out)
{
    uint64_t b;
    if (allocate(fs, &b) != HMFS_OK)
        return hmfs_fail(fs, HMFS_ERR_NOSPC, 0, owner, "no free block");
    struct hmfs_cache_entry *e = cache_take(fs, b);
    if (!e) {
        fs->refs[b] = 0;
        fs->used--;
        return HMFS_ERR_NOMEM;
    }
    e->dirty = true;
    fs->dirty_count++;
    fs->changes++;
    memset(e->data, 0, HMFS_BLOCK_SIZE);
    struct hmfs_header *h = header_of(e->data);
    h->magic = HMFS_MAGIC;
    h->type = type;
    h->kind = kind;
    h->blockno = b;
    h->gen = fs->txn;
    h->owner = owner;
    *ptr = (struct hmfs_bptr){b, fs->txn, 0, type, kind, 0};
    *out = e->data;
    return HMFS_OK;
}

/* Makes the block *ptr leads to writable: itself if this transaction wrote it, else a copy
   (*ptr then points to the copy; the caller's block holding *ptr must be writable already). */
int hmfs_block_mut(struct hmfs *fs, struct hmfs_bptr *ptr, uint64_t owner, uint8_t level,
                   uint8_t **out)
{
    uint8_t *old;
    int rc = hmfs_block_get(fs, ptr, owner, level, &old);
    if (rc)
        return rc;
    if (ptr->gen == fs->txn) {
        *out = old;
        return HMFS_OK;
    }
    struct hmfs_bptr fresh;
    uint8_t *copy;
    rc = hmfs_block_new(fs, ptr->type, ptr->kind, owner, &fresh, &copy);
    if (rc)
        return rc;
    memcpy(copy + HMFS_HEADER_SIZE, old + HMFS_HEADER_SIZE, HMFS_BLOCK_SIZE - HMFS_HEADER_SIZE);
    uint64_t b = ptr->blockno;
    if (fs->refs[b] > 1) {
        struct hmfs_child children[HMFS_TABLE_SLOTS];
        size_t n = hmfs_distinct_children(copy, children);
        for (size_t i = 0; i < n; i++) {
            rc = hmfs_block_ref(fs, children[i].ptr->blockno);
            if (rc)
                return rc;
        }
        fs->refs[b]--;
    } else if (fs->refs[b] == 1) {
        fs->refs[b] = 0;
        release(fs, b, ptr->gen);
    } else {
        return hmfs_fail(fs, HMFS_ERR_CORRUPT, b, owner, "live block with no references");
    }
    *ptr = fresh;
    *out = copy;
    return HMFS_OK;
}

/* Drops one reference to the block ptr leads to; at 0 frees it and drops its children's. */
int hmfs_block_unref(struct hmfs *fs, const struct hmfs_bptr *ptr, uint64_t owner, uint8_t level)
{
    uint64_t b = ptr->blockno;
    if (b < HMFS_RING_SIZE || b >= fs->blocks || fs->refs[b] == 0)
        return hmfs_fail(fs, HMFS_ERR_CORRUPT, b, owner, "reference count underflow");
    fs->changes++;
    if (--fs->refs[b] > 0)
        return HMFS_OK;
    if (ptr->type == HMFS_TYPE_DATA) {
        release(fs, b, ptr->gen);
        return HMFS_OK;
    }
    uint8_t *copy = malloc(HMFS_BLOCK_SIZE);
    if (!copy)
        return hmfs_fail(fs, HMFS_ERR_NOMEM, b, owner, "no memory to free a block");
    int rc = hmfs_block_copy(fs, ptr, owner, level, copy);
    if (rc == HMFS_OK) {
        release(fs, b, ptr->gen);
        struct hmfs_child children[HMFS_TABLE_SLOTS];
        size_t n = hmfs_distinct_children(copy, children);
        for (size_t i = 0; i < n && rc == HMFS_OK; i++)
            rc = hmfs_block_unref(fs, children[i].ptr, children[i].owner, children[i].level);
    }
    free(copy);
    return rc;
}

int hmfs_check_bucket(const uint8_t *block)
{
    return bucket_problem(block, HMFS_MAX_BLOCKS) ? HMFS_ERR_CORRUPT : HMFS_OK;
}
