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

/* The bytes a record of key_len and value_len bytes takes in a bucket. */
static size_t record_size(uint16_t key_len, uint16_t value_len)
{
    return align8(HMFS_RECORD_SIZE + key_len) + align8(value_len);
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

/* Where blockno's search in the cache's index starts. */
static size_t index_home(const struct hmfs *fs, uint64_t blockno)
{
    return (size_t)(hmfs_hash_u64(blockno + 1) & (fs->index_size - 1));
}

/* The cache entry holding blockno, or NULL. */
struct hmfs_cache_entry *hmfs_cache_find(struct hmfs *fs, uint64_t blockno)
{
    for (size_t i = index_home(fs, blockno);; i = (i + 1) & (fs->index_size - 1)) {
        uint32_t slot = fs->index[i];
        if (slot == 0)
            return NULL;
        if (fs->cache[slot - 1].blockno == blockno)
            return &fs->cache[slot - 1];
    }
}

static void index_insert(struct hmfs *fs, const struct hmfs_cache_entry *e)
{
    size_t i = index_home(fs, e->blockno);
    while (fs->index[i] != 0)
        i = (i + 1) & (fs->index_size - 1);
    fs->index[i] = (uint32_t)(e - fs->cache) + 1;
}

/* Takes blockno out of the index, moving back the entries after it that its slot kept from
   their home (linear probing's deletion without tombstones). */
static void index_remove(struct hmfs *fs, uint64_t blockno)
{
    size_t mask = fs->index_size - 1, i = index_home(fs, blockno);
    while (fs->index[i] != 0 && fs->cache[fs->index[i] - 1].blockno != blockno)
        i = (i + 1) & mask;
    if (fs->index[i] == 0)
        return;
    for (size_t j = (i + 1) & mask; fs->index[j] != 0; j = (j + 1) & mask) {
        size_t home = index_home(fs, fs->cache[fs->index[j] - 1].blockno);
        /* The entry at j may fill the hole at i unless its home lies cyclically in (i, j]. */
        bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (!stays) {
            fs->index[i] = fs->index[j];
            i = j;
        }
    }
    fs->index[i] = 0;
}

/* Makes a cache entry empty. */
static void cache_forget(struct hmfs *fs, struct hmfs_cache_entry *e)
{
    if (!e->valid)
        return;
    index_remove(fs, e->blockno);
    if (e->dirty)
        fs->dirty_count--;
    e->valid = false;
    e->dirty = false;
}

/* A free cache entry: the first the clock hand meets that is empty, or clean, not used in
   this step and not used since the hand last passed it (CLOCK, an approximation of least
   recently used that costs a few entries per miss where a search for the oldest looked at
   every entry). Two turns of the hand find any clean entry outside the step. NULL (and the
   problem set) if every entry is dirty or in use. */
static struct hmfs_cache_entry *cache_take(struct hmfs *fs, uint64_t blockno)
{
    /* A block is never cached twice: an old copy of it goes first. */
    struct hmfs_cache_entry *best = hmfs_cache_find(fs, blockno);
    if (best)
        cache_forget(fs, best);
    best = NULL;
    for (unsigned n = 0; n < 2 * fs->cache_size && !best; n++) {
        struct hmfs_cache_entry *e = &fs->cache[fs->hand];
        fs->hand = fs->hand + 1 < fs->cache_size ? fs->hand + 1 : 0;
        if (!e->valid)
            best = e;
        else if (e->dirty || e->op == fs->op)
            continue;
        else if (e->referenced)
            e->referenced = false;
        else
            best = e;
    }
    if (!best) {
        hmfs_fail(fs, HMFS_ERR_NOMEM, blockno, 0, "block cache full");
        return NULL;
    }
    cache_forget(fs, best);
    best->valid = true;
    best->dirty = false;
    best->blockno = blockno;
    best->referenced = true;
    best->op = fs->op;
    index_insert(fs, best);
    return best;
}

void hmfs_cache_release(struct hmfs *fs, struct hmfs_cache_entry *e)
{
    if (!e->dirty)
        cache_forget(fs, e);
}

/* Drops blockno from the cache, if it is there. */
static void cache_drop(struct hmfs *fs, uint64_t blockno)
{
    struct hmfs_cache_entry *e = hmfs_cache_find(fs, blockno);
    if (e)
        cache_forget(fs, e);
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
        e->referenced = true;
        e->op = fs->op;
        *out = e->data;
        return HMFS_OK;
    }
    if (ptr->gen == fs->txn && ptr->type != HMFS_TYPE_DATA)
        return hmfs_fail(fs, HMFS_ERR_CORRUPT, ptr->blockno, owner, "new block not in the cache");
    /* A new data block out of the cache was written early (hmfs_data_done): the device has it
       and *ptr its checksum, so it is read and verified like any other. */
    e = cache_take(fs, ptr->blockno);
    if (!e)
        return HMFS_ERR_NOMEM;
    if (fs->dev.read(fs->dev.context, ptr->blockno, e->data) != 0) {
        cache_forget(fs, e);
        return hmfs_fail(fs, HMFS_ERR_IO, ptr->blockno, owner, "read failed");
    }
    rc = hmfs_verify(fs, e->data, ptr, owner, level);
    if (rc) {
        cache_forget(fs, e);
        return rc;
    }
    *out = e->data;
    return HMFS_OK;
}

int hmfs_data_read(struct hmfs *fs, const struct hmfs_bptr *ptr, uint64_t owner, size_t at,
                   uint8_t *out, size_t n)
{
    if (at < HMFS_HEADER_SIZE || at > HMFS_BLOCK_SIZE || n > HMFS_BLOCK_SIZE - at)
        return HMFS_ERR_INVAL;
    if (!fs->dev.peek || hmfs_cache_find(fs, ptr->blockno)) {
        uint8_t *data;
        int rc = hmfs_block_get(fs, ptr, owner, 0, &data);
        if (rc)
            return rc;
        memcpy(out, data + at, n);
        return HMFS_OK;
    }
    int rc = pointer_check(fs, ptr, owner);
    if (rc)
        return rc;
    /* A new data block not in the cache was written early (hmfs_data_done): verified below. */
    const uint8_t *data = fs->dev.peek(fs->dev.context, ptr->blockno);
    if (!data)
        return hmfs_fail(fs, HMFS_ERR_IO, ptr->blockno, owner, "read failed");
    /* hmfs_block_crc's value, the asked-for bytes copied out on the way: one pass. */
    uint32_t crc = hmfs_crc32c_update(HMFS_CRC32C_START, NULL, data + 4, at - 4);
    crc = hmfs_crc32c_update(crc, out, data + at, n);
    crc = hmfs_crc32c_update(crc, NULL, data + at + n, HMFS_BLOCK_SIZE - at - n);
    return hmfs_verify_sum(fs, data, crc ^ 0xffffffffu, ptr, owner, 0);
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
        r = hmfs_record_get(rec);
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

/* hmfs_block_new, and hmfs_data_new without zeroing the body (zero false). */
static int block_new(struct hmfs *fs, uint8_t type, uint8_t kind, uint64_t owner,
                     struct hmfs_bptr *ptr, uint8_t **out, bool zero)
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
    if (zero)
        memset(e->data, 0, HMFS_BLOCK_SIZE);
    *header_of(e->data) = (struct hmfs_header){0, HMFS_MAGIC, type, kind, b, fs->txn, owner};
    *ptr = (struct hmfs_bptr){b, fs->txn, 0, type, kind, 0};
    *out = e->data;
    return HMFS_OK;
}

/* A new zeroed block of this transaction, dirty in the cache, *ptr pointing to it. */
int hmfs_block_new(struct hmfs *fs, uint8_t type, uint8_t kind, uint64_t owner,
                   struct hmfs_bptr *ptr, uint8_t **out)
{
    return block_new(fs, type, kind, owner, ptr, out, true);
}

int hmfs_data_new(struct hmfs *fs, uint64_t owner, struct hmfs_bptr *ptr, uint8_t **out)
{
    return block_new(fs, HMFS_TYPE_DATA, HMFS_KIND_NONE, owner, ptr, out, false);
}

int hmfs_data_write_new(struct hmfs *fs, uint64_t owner, const uint8_t *bytes,
                        struct hmfs_bptr *ptr)
{
    if (!fs->dev.write_buffer) {
        uint8_t *data;
        int rc = hmfs_data_new(fs, owner, ptr, &data);
        if (rc)
            return rc;
        memcpy(data + HMFS_HEADER_SIZE, bytes, HMFS_DATA_BYTES);
        return hmfs_data_done(fs, ptr, owner);
    }
    uint64_t b;
    if (allocate(fs, &b) != HMFS_OK)
        return hmfs_fail(fs, HMFS_ERR_NOSPC, 0, owner, "no free block");
    cache_drop(fs, b); /* never an old copy of it beside the device's */
    fs->changes++;
    uint8_t *to = fs->dev.write_buffer(fs->dev.context, b);
    if (!to)
        return hmfs_fail(fs, HMFS_ERR_IO, b, owner, "write failed");
    /* The header, then the caller's bytes, checksummed as they are copied: the block as
       hmfs_data_new, a copy and hmfs_data_done would have written it, gone over once. */
    struct hmfs_header h = {0, HMFS_MAGIC, HMFS_TYPE_DATA, HMFS_KIND_NONE, b, fs->txn, owner};
    uint32_t crc =
        hmfs_crc32c_update(HMFS_CRC32C_START, to + 4, (const uint8_t *)&h + 4, sizeof h - 4);
    crc = hmfs_crc32c_update(crc, to + HMFS_HEADER_SIZE, bytes, HMFS_DATA_BYTES) ^ 0xffffffffu;
    memcpy(to, &crc, sizeof crc);
    *ptr = (struct hmfs_bptr){b, fs->txn, crc, HMFS_TYPE_DATA, HMFS_KIND_NONE, 0};
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
        /* A data block written early (hmfs_data_done) and read back is dirty again: the commit
           writes it once more and gives *ptr its new checksum. */
        struct hmfs_cache_entry *e = hmfs_cache_find(fs, ptr->blockno);
        if (!e->dirty) {
            e->dirty = true;
            fs->dirty_count++;
        }
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

int hmfs_data_done(struct hmfs *fs, struct hmfs_bptr *ptr, uint64_t owner)
{
    struct hmfs_cache_entry *e = hmfs_cache_find(fs, ptr->blockno);
    if (!e || !e->dirty || ptr->gen != fs->txn || ptr->type != HMFS_TYPE_DATA)
        return hmfs_fail(fs, HMFS_ERR_CORRUPT, ptr->blockno, owner, "data block not new");
    int rc = hmfs_block_write(fs, e, ptr, owner);
    if (rc == HMFS_OK)
        hmfs_cache_release(fs, e);
    return rc;
}

int hmfs_block_write(struct hmfs *fs, struct hmfs_cache_entry *e, struct hmfs_bptr *ptr,
                     uint64_t owner)
{
    uint32_t crc;
    if (fs->dev.write_buffer) {
        /* Checksummed as it is copied to the device: one pass over the block. */
        uint8_t *to = fs->dev.write_buffer(fs->dev.context, ptr->blockno);
        if (!to)
            return hmfs_fail(fs, HMFS_ERR_IO, ptr->blockno, owner, "write failed");
        crc = hmfs_crc32c_update(HMFS_CRC32C_START, to + 4, e->data + 4, HMFS_BLOCK_SIZE - 4) ^
              0xffffffffu;
        memcpy(e->data, &crc, sizeof crc);
        memcpy(to, &crc, sizeof crc);
    } else {
        crc = hmfs_block_crc(e->data);
        memcpy(e->data, &crc, sizeof crc);
        if (fs->dev.write(fs->dev.context, ptr->blockno, e->data) != 0)
            return hmfs_fail(fs, HMFS_ERR_IO, ptr->blockno, owner, "write failed");
    }
    ptr->crc = crc;
    e->dirty = false;
    fs->dirty_count--;
    return HMFS_OK;
}
