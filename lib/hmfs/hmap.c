/*
 * Extendible hash maps (docs/hmfs.md, "Hash maps"), as ZFS's ZAP: a pointer table of 128
 * slots indexed by 7 bits of the hash; a bucket of local depth d covers 2^(7-d) aligned slots.
 * A full bucket splits in two in its table (only the table's pointers change); a full bucket
 * that covers a single slot becomes a table of the next level, which uses the next 7 bits.
 * Lookups read one block per level: 9 levels at most (63 bits of the hash).
 *
 * Every change copies the path from the map's root down (hmfs_block_mut), so the caller's
 * struct hmfs_mapref must lie in a block (or tree entry) that is writable already.
 */
#include <string.h>

#include "hmfs/internal.h"

static size_t align8(size_t n)
{
    return (n + 7u) & ~(size_t)7u;
}

static size_t record_size(size_t key_len, size_t value_len)
{
    return align8(HMFS_RECORD_SIZE + key_len) + align8(value_len);
}

static uint64_t fmix64(uint64_t k)
{
    k ^= k >> 33;
    k *= UINT64_C(0xff51afd7ed558ccd);
    k ^= k >> 33;
    k *= UINT64_C(0xc4ceb9fe1a85ec53);
    k ^= k >> 33;
    return k;
}

/* FNV-1a, then MurmurHash3's finaliser so that every bit depends on every byte. */
uint64_t hmfs_hash_name(const char *name, size_t length)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (size_t i = 0; i < length; i++) {
        h ^= (uint8_t)name[i];
        h *= UINT64_C(0x100000001b3);
    }
    h = fmix64(h);
    /* Never the last hash: readdir's cookie (the hash + 1) then cannot wrap to the start. */
    return h == UINT64_MAX ? h - 1 : h;
}

/* A bijection: distinct inode numbers never share a hash. */
uint64_t hmfs_hash_u64(uint64_t key)
{
    return fmix64(key);
}

/* 32 consecutive blocks of a file share a bucket: the low 5 bits are the index's own. */
uint64_t hmfs_hash_block_index(uint64_t index)
{
    return (fmix64((index >> 5) + 1) & ~UINT64_C(31)) | (index & 31u);
}

uint8_t hmfs_slot(uint64_t hash, unsigned level)
{
    return (uint8_t)((hash >> (57u - HMFS_TABLE_BITS * level)) & (HMFS_TABLE_SLOTS - 1u));
}

static struct hmfs_bucket_body *body_of(uint8_t *bucket)
{
    return (struct hmfs_bucket_body *)(bucket + HMFS_HEADER_SIZE);
}

static struct hmfs_bptr *slots_of(uint8_t *table)
{
    return (struct hmfs_bptr *)(table + HMFS_TABLE_OFFSET);
}

/* The offset (from HMFS_BUCKET_OFFSET) of the record of key, or -1. */
static long bucket_find(uint8_t *bucket, uint64_t hash, const void *key, size_t key_len)
{
    struct hmfs_bucket_body *body = body_of(bucket);
    size_t offset = 0;
    for (unsigned i = 0; i < body->count; i++) {
        uint8_t *rec = bucket + HMFS_BUCKET_OFFSET + offset;
        struct hmfs_record r;
        r = hmfs_record_get(rec);
        if (r.hash == hash && r.key_len == key_len &&
            memcmp(rec + HMFS_RECORD_SIZE, key, key_len) == 0)
            return (long)offset;
        offset += record_size(r.key_len, r.value_len);
    }
    return -1;
}

/* Moves n bytes from `from` down to `to` (to < from, the ranges may overlap) in chunks of
   from - to bytes, which never overlap one another, by memcpy: the C library's memmove goes a
   byte at a time, about five instructions a byte, and a removal moves the rest of a bucket. */
static void move_down(uint8_t *to, const uint8_t *from, size_t n)
{
    size_t chunk = (size_t)(from - to);
    for (size_t done = 0; done < n; done += chunk)
        memcpy(to + done, from + done, n - done < chunk ? n - done : chunk);
}

static void bucket_remove(uint8_t *bucket, size_t offset)
{
    struct hmfs_bucket_body *body = body_of(bucket);
    uint8_t *rec = bucket + HMFS_BUCKET_OFFSET + offset;
    struct hmfs_record r;
    r = hmfs_record_get(rec);
    size_t size = record_size(r.key_len, r.value_len);
    move_down(rec, rec + size, body->bytes - offset - size);
    memset(bucket + HMFS_BUCKET_OFFSET + body->bytes - size, 0, size);
    body->bytes = (uint16_t)(body->bytes - size);
    body->count--;
}

static bool bucket_append(uint8_t *bucket, uint64_t hash, const void *key, size_t key_len,
                          const void *value, size_t value_len)
{
    struct hmfs_bucket_body *body = body_of(bucket);
    size_t size = record_size(key_len, value_len);
    if (body->bytes + size > HMFS_BUCKET_SPACE)
        return false;
    uint8_t *rec = bucket + HMFS_BUCKET_OFFSET + body->bytes;
    memset(rec, 0, size);
    struct hmfs_record r = {hash, (uint16_t)key_len, (uint16_t)value_len};
    memcpy(rec, &r, HMFS_RECORD_SIZE);
    memcpy(rec + HMFS_RECORD_SIZE, key, key_len);
    memcpy(rec + align8(HMFS_RECORD_SIZE + key_len), value, value_len);
    body->bytes = (uint16_t)(body->bytes + size);
    body->count++;
    return true;
}

/* Where a descent ended: the bucket, the table above it (NULL for a root bucket), levels. */
struct descent {
    uint8_t *bucket;
    uint8_t *table;
    struct hmfs_bptr *slot; /* the pointer that led to the bucket */
    unsigned level;
};

/* Descends to the bucket for hash; with writable, makes every block on the way writable. */
static int descend(struct hmfs *fs, struct hmfs_mapref *map, uint64_t owner, uint64_t hash,
                   bool writable, struct descent *d)
{
    struct hmfs_bptr *p = &map->root;
    unsigned level = 0;
    d->table = NULL;
    for (;;) {
        uint8_t *block;
        if (p->type == HMFS_TYPE_TABLE) {
            int rc = writable ? hmfs_block_mut(fs, p, owner, (uint8_t)level, &block)
                              : hmfs_block_get(fs, p, owner, (uint8_t)level, &block);
            if (rc)
                return rc;
            d->table = block;
            p = &slots_of(block)[hmfs_slot(hash, level)];
            if (p->type == HMFS_TYPE_TABLE)
                level++;
            continue;
        }
        uint64_t before = p->blockno;
        int rc = writable ? hmfs_block_mut(fs, p, owner, (uint8_t)level, &block)
                          : hmfs_block_get(fs, p, owner, (uint8_t)level, &block);
        if (rc)
            return rc;
        struct hmfs_bucket_body *body = body_of(block);
        unsigned run = 1u << (HMFS_TABLE_BITS - body->depth);
        if (d->table) {
            /* The slot must lie in the bucket's run (a verified table and bucket can still
               disagree when the image is damaged). */
            unsigned slot = (unsigned)(p - slots_of(d->table));
            if (slot < body->prefix || slot >= body->prefix + run)
                return hmfs_fail(fs, HMFS_ERR_CORRUPT, p->blockno, owner,
                                 "bucket does not cover the slot that points to it");
            if (p->blockno != before)
                for (unsigned i = body->prefix; i < body->prefix + run; i++)
                    slots_of(d->table)[i] = *p;
        } else if (body->depth != 0 || level != 0) {
            return hmfs_fail(fs, HMFS_ERR_CORRUPT, p->blockno, owner, "root bucket not at depth 0");
        }
        d->bucket = block;
        d->slot = p;
        d->level = level;
        return HMFS_OK;
    }
}

int hmfs_map_get(struct hmfs *fs, const struct hmfs_mapref *map, uint64_t owner, uint64_t hash,
                 const void *key, size_t key_len, void *value, size_t value_max, size_t *value_len)
{
    if (map->root.blockno == 0)
        return HMFS_ERR_NOENT;
    struct descent d;
    int rc = descend(fs, (struct hmfs_mapref *)map, owner, hash, false, &d);
    if (rc)
        return rc;
    long offset = bucket_find(d.bucket, hash, key, key_len);
    if (offset < 0)
        return HMFS_ERR_NOENT;
    uint8_t *rec = d.bucket + HMFS_BUCKET_OFFSET + offset;
    struct hmfs_record r;
    r = hmfs_record_get(rec);
    size_t n = r.value_len < value_max ? r.value_len : value_max;
    memcpy(value, rec + align8(HMFS_RECORD_SIZE + key_len), n);
    if (value_len)
        *value_len = r.value_len;
    return HMFS_OK;
}

int hmfs_map_group(struct hmfs *fs, const struct hmfs_mapref *map, uint64_t owner, uint64_t group,
                   struct hmfs_bptr *out, uint32_t *found)
{
    *found = 0;
    if (map->root.blockno == 0)
        return HMFS_OK;
    uint64_t hash = hmfs_hash_block_index(group * HMFS_MAP_GROUP);
    struct descent d;
    int rc = descend(fs, (struct hmfs_mapref *)map, owner, hash, false, &d);
    if (rc)
        return rc;
    struct hmfs_bucket_body *body = body_of(d.bucket);
    size_t offset = 0;
    for (unsigned i = 0; i < body->count; i++) {
        const uint8_t *rec = d.bucket + HMFS_BUCKET_OFFSET + offset;
        struct hmfs_record r = hmfs_record_get(rec);
        offset += record_size(r.key_len, r.value_len);
        if ((r.hash ^ hash) >> 5 != 0 || r.key_len != 8 || r.value_len != sizeof *out)
            continue;
        uint64_t key = hmfs_le64(rec + HMFS_RECORD_SIZE);
        if (key / HMFS_MAP_GROUP != group)
            continue;
        /* Values are 8-byte aligned in the bucket: a plain load, not a memcpy call. */
        out[key % HMFS_MAP_GROUP] = *(const struct hmfs_bptr *)(rec + align8(HMFS_RECORD_SIZE + 8));
        *found |= 1u << (key % HMFS_MAP_GROUP);
    }
    return HMFS_OK;
}

/* Splits the full bucket of d in two (or gives its single slot a table of the next level). */
static int split(struct hmfs *fs, struct hmfs_mapref *map, uint8_t kind, uint64_t owner,
                 struct descent *d)
{
    if (fs->blocks - fs->used - fs->pending_count < 2)
        return hmfs_fail(fs, HMFS_ERR_NOSPC, 0, owner, "no free block for a split");
    uint8_t *table = d->table;
    struct hmfs_bucket_body *body = body_of(d->bucket);
    struct hmfs_bptr bucket_ptr = *d->slot;
    if (!table) {
        struct hmfs_bptr tptr;
        int rc = hmfs_block_new(fs, HMFS_TYPE_TABLE, kind, owner, &tptr, &table);
        if (rc)
            return rc;
        for (unsigned i = 0; i < HMFS_TABLE_SLOTS; i++)
            slots_of(table)[i] = bucket_ptr;
        map->root = tptr;
    } else if (body->depth == HMFS_TABLE_BITS) {
        if (d->level >= HMFS_MAX_LEVEL)
            return hmfs_fail(fs, HMFS_ERR_NOSPC, bucket_ptr.blockno, owner,
                             "hash bucket full at the last level");
        struct hmfs_bptr tptr;
        uint8_t *sub;
        int rc = hmfs_block_new(fs, HMFS_TYPE_TABLE, kind, owner, &tptr, &sub);
        if (rc)
            return rc;
        sub[HMFS_HEADER_SIZE] = (uint8_t)(d->level + 1);
        for (unsigned i = 0; i < HMFS_TABLE_SLOTS; i++)
            slots_of(sub)[i] = bucket_ptr;
        *d->slot = tptr;
        body->level = (uint8_t)(d->level + 1);
        body->depth = 0;
        body->prefix = 0;
        d->level++;
        table = sub;
    }
    /* Now the bucket covers 2^(7-depth) >= 2 slots of table: halve it. */
    unsigned half = 1u << (HMFS_TABLE_BITS - body->depth - 1);
    struct hmfs_bptr high_ptr;
    uint8_t *high;
    int rc = hmfs_block_new(fs, HMFS_TYPE_BUCKET, kind, owner, &high_ptr, &high);
    if (rc)
        return rc;
    struct hmfs_bucket_body *hb = body_of(high);
    hb->level = body->level;
    hb->depth = (uint8_t)(body->depth + 1);
    hb->prefix = (uint8_t)(body->prefix + half);
    uint8_t old[HMFS_BUCKET_SPACE];
    unsigned count = body->count;
    memcpy(old, d->bucket + HMFS_BUCKET_OFFSET, body->bytes);
    memset(d->bucket + HMFS_BUCKET_OFFSET, 0, HMFS_BUCKET_SPACE);
    body->count = 0;
    body->bytes = 0;
    body->depth++;
    size_t offset = 0;
    for (unsigned i = 0; i < count; i++) {
        struct hmfs_record r;
        r = hmfs_record_get(old + offset);
        const uint8_t *key = old + offset + HMFS_RECORD_SIZE;
        const uint8_t *value = old + offset + align8(HMFS_RECORD_SIZE + r.key_len);
        uint8_t *to = hmfs_slot(r.hash, body->level) >= hb->prefix ? high : d->bucket;
        bucket_append(to, r.hash, key, r.key_len, value, r.value_len);
        offset += record_size(r.key_len, r.value_len);
    }
    for (unsigned i = hb->prefix; i < hb->prefix + half; i++)
        slots_of(table)[i] = high_ptr;
    return HMFS_OK;
}

/* hmfs_map_put and hmfs_map_insert: absent says the key is known to be missing (not looked
   for in the bucket). */
static int map_put(struct hmfs *fs, struct hmfs_mapref *map, uint8_t kind, uint64_t owner,
                   uint64_t hash, const void *key, size_t key_len, const void *value,
                   size_t value_len, bool replace, bool absent)
{
    if (record_size(key_len, value_len) > HMFS_BUCKET_SPACE)
        return HMFS_ERR_INVAL;
    if (map->root.blockno == 0) {
        uint8_t *bucket;
        int rc = hmfs_block_new(fs, HMFS_TYPE_BUCKET, kind, owner, &map->root, &bucket);
        if (rc)
            return rc;
        bucket_append(bucket, hash, key, key_len, value, value_len);
        map->count = 1;
        return HMFS_OK;
    }
    for (;;) {
        struct descent d;
        int rc = descend(fs, map, owner, hash, true, &d);
        if (rc)
            return rc;
        long offset = absent ? -1 : bucket_find(d.bucket, hash, key, key_len);
        if (offset >= 0) {
            if (!replace)
                return HMFS_ERR_EXIST;
            uint8_t *rec = d.bucket + HMFS_BUCKET_OFFSET + offset;
            struct hmfs_record r;
            r = hmfs_record_get(rec);
            if (r.value_len == value_len) {
                memcpy(rec + align8(HMFS_RECORD_SIZE + key_len), value, value_len);
                return HMFS_OK;
            }
            bucket_remove(d.bucket, (size_t)offset);
            map->count--;
        }
        if (bucket_append(d.bucket, hash, key, key_len, value, value_len)) {
            map->count++;
            return HMFS_OK;
        }
        rc = split(fs, map, kind, owner, &d);
        if (rc)
            return rc;
    }
}

int hmfs_map_put(struct hmfs *fs, struct hmfs_mapref *map, uint8_t kind, uint64_t owner,
                 uint64_t hash, const void *key, size_t key_len, const void *value,
                 size_t value_len, bool replace)
{
    return map_put(fs, map, kind, owner, hash, key, key_len, value, value_len, replace, false);
}

int hmfs_map_insert(struct hmfs *fs, struct hmfs_mapref *map, uint8_t kind, uint64_t owner,
                    uint64_t hash, const void *key, size_t key_len, const void *value,
                    size_t value_len)
{
    return map_put(fs, map, kind, owner, hash, key, key_len, value, value_len, false, true);
}

int hmfs_map_mut(struct hmfs *fs, struct hmfs_mapref *map, uint64_t owner, uint64_t hash,
                 const void *key, size_t key_len, uint8_t **value)
{
    if (map->root.blockno == 0)
        return HMFS_ERR_NOENT;
    struct descent d;
    int rc = descend(fs, map, owner, hash, true, &d);
    if (rc)
        return rc;
    long offset = bucket_find(d.bucket, hash, key, key_len);
    if (offset < 0)
        return HMFS_ERR_NOENT;
    *value = d.bucket + HMFS_BUCKET_OFFSET + offset + align8(HMFS_RECORD_SIZE + key_len);
    return HMFS_OK;
}

int hmfs_map_delete(struct hmfs *fs, struct hmfs_mapref *map, uint64_t owner, uint64_t hash,
                    const void *key, size_t key_len)
{
    if (map->root.blockno == 0)
        return HMFS_ERR_NOENT;
    struct descent d;
    int rc = descend(fs, map, owner, hash, false, &d);
    if (rc)
        return rc;
    if (bucket_find(d.bucket, hash, key, key_len) < 0)
        return HMFS_ERR_NOENT;
    rc = descend(fs, map, owner, hash, true, &d);
    if (rc)
        return rc;
    long offset = bucket_find(d.bucket, hash, key, key_len);
    if (offset < 0)
        return hmfs_fail(fs, HMFS_ERR_CORRUPT, d.slot->blockno, owner, "record vanished");
    bucket_remove(d.bucket, (size_t)offset);
    map->count--;
    if (map->count == 0) {
        /* The last record went: so does the whole map (no record is left to hold a child). */
        rc = hmfs_block_unref(fs, &map->root, owner, 0);
        if (rc)
            return rc;
        memset(map, 0, sizeof *map);
    }
    return HMFS_OK;
}

/* Whether record (hash, key) comes after the cursor (start, after). */
static bool after_cursor(uint64_t hash, const uint8_t *key, size_t key_len, uint64_t start,
                         const void *after, size_t after_len)
{
    if (hash != start)
        return hash > start;
    if (!after)
        return true;
    size_t n = key_len < after_len ? key_len : after_len;
    int c = memcmp(key, after, n);
    return c > 0 || (c == 0 && key_len > after_len);
}

/* Whether record a comes before record b in (hash, key) order. */
static bool record_before(uint64_t ha, const uint8_t *ka, size_t la, uint64_t hb, const uint8_t *kb,
                          size_t lb)
{
    if (ha != hb)
        return ha < hb;
    size_t n = la < lb ? la : lb;
    int c = memcmp(ka, kb, n);
    return c < 0 || (c == 0 && la < lb);
}

int hmfs_map_next(struct hmfs *fs, const struct hmfs_mapref *map, uint64_t owner, uint64_t *hash,
                  const void *after_key, size_t after_len, void *key, size_t key_max,
                  size_t *key_len, void *value, size_t value_max, size_t *value_len)
{
    if (map->root.blockno == 0)
        return HMFS_ERR_NOENT;
    uint64_t start = *hash;
    const void *after = after_key;
    for (;;) {
        fs->op++; /* a step per bucket: a long scan does not fill the cache */
        struct descent d;
        int rc = descend(fs, (struct hmfs_mapref *)map, owner, start, false, &d);
        if (rc)
            return rc;
        struct hmfs_bucket_body *body = body_of(d.bucket);
        size_t offset = 0;
        long best = -1;
        uint64_t best_hash = 0;
        for (unsigned i = 0; i < body->count; i++) {
            uint8_t *rec = d.bucket + HMFS_BUCKET_OFFSET + offset;
            struct hmfs_record r;
            r = hmfs_record_get(rec);
            const uint8_t *k = rec + HMFS_RECORD_SIZE;
            if (after_cursor(r.hash, k, r.key_len, start, after, after_len)) {
                struct hmfs_record b;
                if (best >= 0)
                    b = hmfs_record_get(d.bucket + HMFS_BUCKET_OFFSET + best);
                if (best < 0 ||
                    record_before(r.hash, k, r.key_len, b.hash,
                                  d.bucket + HMFS_BUCKET_OFFSET + best + HMFS_RECORD_SIZE,
                                  b.key_len)) {
                    best = (long)offset;
                    best_hash = r.hash;
                }
            }
            offset += record_size(r.key_len, r.value_len);
        }
        if (best >= 0) {
            uint8_t *rec = d.bucket + HMFS_BUCKET_OFFSET + best;
            struct hmfs_record r;
            r = hmfs_record_get(rec);
            if (r.key_len > key_max || r.value_len > value_max)
                return hmfs_fail(fs, HMFS_ERR_CORRUPT, d.slot->blockno, owner, "record too long");
            memcpy(key, rec + HMFS_RECORD_SIZE, r.key_len);
            memcpy(value, rec + align8(HMFS_RECORD_SIZE + r.key_len), r.value_len);
            *key_len = r.key_len;
            *value_len = r.value_len;
            *hash = best_hash;
            return HMFS_OK;
        }
        /* Nothing here: go on from the first hash past the bucket's slots. */
        unsigned span_bits = 64u - HMFS_TABLE_BITS * d.level; /* bits below the upper levels */
        uint64_t upper = d.level == 0 ? 0 : start & ~((UINT64_C(1) << span_bits) - 1);
        unsigned end = body->prefix + (1u << (HMFS_TABLE_BITS - body->depth));
        after = NULL;
        if (end < HMFS_TABLE_SLOTS) {
            start = upper + ((uint64_t)end << (span_bits - HMFS_TABLE_BITS));
            continue;
        }
        if (d.level == 0)
            return HMFS_ERR_NOENT;
        uint64_t next = upper + (UINT64_C(1) << span_bits);
        if (next == 0)
            return HMFS_ERR_NOENT;
        start = next;
    }
}

/* The records of a bucket from hash start on, as offsets sorted by hash: how many (at most
   HMFS_BUCKET_SPACE / HMFS_RECORD_SIZE, the most a verified bucket holds). */
static unsigned bucket_sorted_from(uint8_t *bucket, uint64_t start, uint16_t *offsets,
                                   uint64_t *hashes)
{
    struct hmfs_bucket_body *body = body_of(bucket);
    size_t offset = 0;
    unsigned n = 0;
    for (unsigned i = 0; i < body->count; i++) {
        struct hmfs_record r;
        r = hmfs_record_get(bucket + HMFS_BUCKET_OFFSET + offset);
        if (r.hash >= start) {
            /* Insertion sort: a bucket's records mostly arrive in no order, but they are few. */
            unsigned j = n++;
            while (j > 0 && hashes[j - 1] > r.hash) {
                hashes[j] = hashes[j - 1];
                offsets[j] = offsets[j - 1];
                j--;
            }
            hashes[j] = r.hash;
            offsets[j] = (uint16_t)offset;
        }
        offset += record_size(r.key_len, r.value_len);
    }
    return n;
}

int hmfs_map_scan(struct hmfs *fs, const struct hmfs_mapref *map, uint64_t owner, uint64_t *hash,
                  bool (*visit)(void *context, uint64_t hash, const uint8_t *key, size_t key_len,
                                const uint8_t *value, size_t value_len),
                  void *context)
{
    if (map->root.blockno == 0)
        return HMFS_ERR_NOENT;
    uint64_t start = *hash;
    static uint16_t offsets[HMFS_BUCKET_SPACE / HMFS_RECORD_SIZE];
    static uint64_t hashes[HMFS_BUCKET_SPACE / HMFS_RECORD_SIZE];
    for (;;) {
        fs->op++; /* a step per bucket: a long scan does not fill the cache */
        struct descent d;
        int rc = descend(fs, (struct hmfs_mapref *)map, owner, start, false, &d);
        if (rc)
            return rc;
        unsigned n = bucket_sorted_from(d.bucket, start, offsets, hashes);
        for (unsigned i = 0; i < n; i++) {
            uint8_t *rec = d.bucket + HMFS_BUCKET_OFFSET + offsets[i];
            struct hmfs_record r;
            r = hmfs_record_get(rec);
            if (!visit(context, r.hash, rec + HMFS_RECORD_SIZE, r.key_len,
                       rec + align8(HMFS_RECORD_SIZE + r.key_len), r.value_len)) {
                *hash = r.hash;
                return HMFS_OK;
            }
        }
        /* The bucket is done: go on from the first hash past its slots (as hmfs_map_next). */
        struct hmfs_bucket_body *body = body_of(d.bucket);
        unsigned span_bits = 64u - HMFS_TABLE_BITS * d.level;
        uint64_t upper = d.level == 0 ? 0 : start & ~((UINT64_C(1) << span_bits) - 1);
        unsigned end = body->prefix + (1u << (HMFS_TABLE_BITS - body->depth));
        if (end < HMFS_TABLE_SLOTS) {
            start = upper + ((uint64_t)end << (span_bits - HMFS_TABLE_BITS));
            continue;
        }
        if (d.level == 0)
            return HMFS_ERR_NOENT;
        uint64_t next = upper + (UINT64_C(1) << span_bits);
        if (next == 0)
            return HMFS_ERR_NOENT;
        start = next;
    }
}
