/*
 * HMFS internals shared by the library's files (not for users: they include hmfs.h).
 *
 * block.c: the block cache, checksummed reads, allocation and reference counts, copy-on-write.
 * verify.c: the checks of each block read against its pointer and its map's rules.
 * hmap.c: the extendible hash maps (tables and buckets).
 * inode.c, file.c: inodes, directories, file data. volume.c: format, mount, commit, trees.
 * check.c: the full check behind fsck.hmfs.
 */
#ifndef MISSIVE_HMFS_INTERNAL_H
#define MISSIVE_HMFS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hmfs/hmfs.h"

/* Cache entries an operation may use beyond cache_blocks: the most blocks one step of an
   operation touches (4 map paths of at most 10 blocks each, splits, the data block). */
#define HMFS_OP_BLOCKS 96u
/* Blocks one step of an operation may allocate, at most: it checks they are free first so
   that it never runs out half-way (6 map changes of 10 path blocks and 3 for a split, and a
   data block). */
#define HMFS_STEP_BLOCKS 80u
/* Blocks kept back for operations that free space (unlink, rmdir, truncate, tree delete): a
   full volume can still be emptied. */
#define HMFS_RESERVE_BLOCKS (2u * HMFS_STEP_BLOCKS)

struct hmfs_cache_entry {
    uint64_t blockno;
    uint64_t op;     /* the operation step that last used it: not evicted during that step */
    bool referenced; /* used since the eviction hand last passed it (a second chance) */
    bool valid;
    bool dirty;    /* written in this transaction: pinned until the commit */
    uint8_t *data; /* HMFS_BLOCK_SIZE bytes */
};

struct hmfs {
    struct hmfs_device dev;
    struct hmfs_options options;
    uint64_t blocks;
    uint64_t txn;            /* the generation being built: the last commit's + 1 */
    struct hmfs_super super; /* the trees as they are now (in memory) */
    bool super_dirty;        /* the trees changed since the last commit */
    unsigned slot;           /* the ring slot of the last commit */
    /* One reference count per block (see docs/hmfs.md "Free space"): 0 = free. */
    uint8_t *refs;
    /* One bit per block freed in this transaction but still in the last commit's trees. */
    uint8_t *pending;
    uint64_t used; /* blocks with a reference count above 0 */
    uint64_t pending_count;
    uint64_t cursor; /* where the next allocation search starts */
    struct hmfs_cache_entry *cache;
    unsigned cache_size; /* entries: cache_blocks + HMFS_OP_BLOCKS */
    /* The cache's index by block number: open addressing, linear probing; each slot holds a
       valid entry's index + 1, or 0. index_size is a power of two, at least 2 * cache_size. */
    uint32_t *index;
    size_t index_size;
    unsigned hand; /* the eviction's clock hand: the entry it looks at next */
    uint64_t op;   /* current operation step */
    uint64_t dirty_count;
    uint64_t changes; /* counts changes to the uncommitted state (see hmfs_step_end) */
    bool stopped;
    bool degraded; /* the mount found damaged blocks: read-only (see walk in volume.c) */
    struct hmfs_problem degraded_problem; /* the first of them */
    struct hmfs_problem problem;
    /* hmfs_resolve's memo: the directory the last path's directory part (up to and with its
       last '/') led to, so a run of requests in one directory walks only the last name.
       Anything that can change what a directory path leads to (rename, rmdir, the trees'
       operations) forgets it (hmfs_resolve_forget). */
    bool memo_valid;
    unsigned memo_tree;
    uint64_t memo_ino;
    size_t memo_length;
    char memo_path[HMFS_NAME_MAX + 1];
};

/* One child pointer in a block, with the owner and level the child must have. */
struct hmfs_child {
    struct hmfs_bptr *ptr; /* points into the parent block */
    uint64_t owner;
    uint8_t level;
};

/* block.c */
int hmfs_fail(struct hmfs *fs, int error, uint64_t block, uint64_t inode, const char *what);
int hmfs_stop(struct hmfs *fs, int error);
int hmfs_step_end(struct hmfs *fs, uint64_t changes_before, int rc);
int hmfs_step(struct hmfs *fs);
int hmfs_reserve(struct hmfs *fs, uint64_t blocks, bool freeing);
int hmfs_verify(struct hmfs *fs, const uint8_t *block, const struct hmfs_bptr *ptr, uint64_t owner,
                uint8_t level);
int hmfs_block_get(struct hmfs *fs, const struct hmfs_bptr *ptr, uint64_t owner, uint8_t level,
                   uint8_t **out);
/* Copies n bytes at offset at (past the header) of the file data block ptr leads to into out,
   the block verified: from the library's cache if it is there, else from the device's own
   memory (dev.peek), checksummed in the same pass as the copy and without taking a cache
   entry, else read into the cache as hmfs_block_get does. On an error out may hold some of
   the block's bytes: they must not be taken as read. */
int hmfs_data_read(struct hmfs *fs, const struct hmfs_bptr *ptr, uint64_t owner, size_t at,
                   uint8_t *out, size_t n);
int hmfs_block_copy(struct hmfs *fs, const struct hmfs_bptr *ptr, uint64_t owner, uint8_t level,
                    uint8_t *out);
int hmfs_block_mut(struct hmfs *fs, struct hmfs_bptr *ptr, uint64_t owner, uint8_t level,
                   uint8_t **out);
int hmfs_block_new(struct hmfs *fs, uint8_t type, uint8_t kind, uint64_t owner,
                   struct hmfs_bptr *ptr, uint8_t **out);
/* hmfs_block_new of a data block whose HMFS_DATA_BYTES after the header are left as they
   were, for a caller that writes all of them at once (a whole block's write: no zeroing of
   what is overwritten next). */
int hmfs_data_new(struct hmfs *fs, uint64_t owner, struct hmfs_bptr *ptr, uint8_t **out);
/* A new data block of this transaction holding the HMFS_DATA_BYTES at bytes, written to the
   device at once and left out of the library's cache (as hmfs_data_new, a copy and
   hmfs_data_done would leave it); *ptr points to it, its checksum in. Where the device offers
   write_buffer the block is checksummed as it is copied there, with no copy in the library's
   cache. */
int hmfs_data_write_new(struct hmfs *fs, uint64_t owner, const uint8_t *bytes,
                        struct hmfs_bptr *ptr);
int hmfs_block_unref(struct hmfs *fs, const struct hmfs_bptr *ptr, uint64_t owner, uint8_t level);
int hmfs_block_ref(struct hmfs *fs, uint64_t blockno);
size_t hmfs_children(uint8_t *block, struct hmfs_child *out);
size_t hmfs_distinct_children(uint8_t *block, struct hmfs_child *out);
struct hmfs_cache_entry *hmfs_cache_find(struct hmfs *fs, uint64_t blockno);
/* Gives a clean entry's room back at once (a committed data block: the device has it, and the
   cache's room is better spent on the maps' blocks a big write comes back to). */
void hmfs_cache_release(struct hmfs *fs, struct hmfs_cache_entry *e);
uint32_t hmfs_block_crc(const uint8_t *block);
/* Writes the new (this transaction's), dirty data block *ptr leads to at once, its checksum
   computed and put in *ptr (which must be in a block made writable), and lets its cache entry
   go: a block a write has filled to its end is final unless written again, and then it is read
   back and made dirty again (hmfs_block_mut). So a big write's data leaves the cache as it goes
   and no longer fills half of it and forces a commit every few MiB; the blocks belong to no
   committed tree, so writing them before the commit is as safe as writing them in it. */
int hmfs_data_done(struct hmfs *fs, struct hmfs_bptr *ptr, uint64_t owner);
/* Writes the dirty cache entry e of the block *ptr leads to: its checksum computed into the
   block and into *ptr, then the entry clean. HMFS_OK, or HMFS_ERR_IO (the volume failed). */
int hmfs_block_write(struct hmfs *fs, struct hmfs_cache_entry *e, struct hmfs_bptr *ptr,
                     uint64_t owner);

/* verify.c */
int hmfs_verify(struct hmfs *fs, const uint8_t *block, const struct hmfs_bptr *ptr, uint64_t owner,
                uint8_t level);
/* hmfs_verify of a block whose checksum (hmfs_block_crc's value) the caller computed: crc. */
int hmfs_verify_sum(struct hmfs *fs, const uint8_t *block, uint32_t crc,
                    const struct hmfs_bptr *ptr, uint64_t owner, uint8_t level);
int hmfs_check_bucket(const uint8_t *block);

/* hmap.c: maps keyed by (hash, key bytes). owner is the owner of the map's blocks. */
uint64_t hmfs_hash_name(const char *name, size_t length);
uint64_t hmfs_hash_u64(uint64_t key);
uint64_t hmfs_hash_block_index(uint64_t index);
uint8_t hmfs_slot(uint64_t hash, unsigned level);
/* Copies the value of key into value (value_max bytes at most; *value_len its length). */
int hmfs_map_get(struct hmfs *fs, const struct hmfs_mapref *map, uint64_t owner, uint64_t hash,
                 const void *key, size_t key_len, void *value, size_t value_max, size_t *value_len);
/* Inserts (or with replace, also overwrites) a record. HMFS_ERR_EXIST if there and !replace. */
int hmfs_map_put(struct hmfs *fs, struct hmfs_mapref *map, uint8_t kind, uint64_t owner,
                 uint64_t hash, const void *key, size_t key_len, const void *value,
                 size_t value_len, bool replace);
/* hmfs_map_put of a key the caller has just found missing (HMFS_ERR_NOENT from a lookup in
   this step, the map unchanged since): the bucket is not scanned for it again (a big write's
   block map bucket holds up to 84 records, each compared). */
int hmfs_map_insert(struct hmfs *fs, struct hmfs_mapref *map, uint8_t kind, uint64_t owner,
                    uint64_t hash, const void *key, size_t key_len, const void *value,
                    size_t value_len);
/* Block indexes that share a block map hash but for its low bits (hmfs_hash_block_index). */
#define HMFS_MAP_GROUP 32u
/* The block pointers of a file's blocks group * 32 .. group * 32 + 31 that the bucket of the
   group's hash holds, in one scan of it: out[i] for block group * 32 + i where bit i of *found
   is set. A block not found there may still be in another bucket (only in a table of the
   deepest level do a group's hashes part): hmfs_map_get says. */
int hmfs_map_group(struct hmfs *fs, const struct hmfs_mapref *map, uint64_t owner, uint64_t group,
                   struct hmfs_bptr *out, uint32_t *found);
/* A pointer to the value of key in a bucket made writable; valid until the next map change
   or the end of the step. */
int hmfs_map_mut(struct hmfs *fs, struct hmfs_mapref *map, uint64_t owner, uint64_t hash,
                 const void *key, size_t key_len, uint8_t **value);
/* Removes a record; the blocks its value points to keep their references (the caller drops
   them). The map's blocks all go with its last record. */
int hmfs_map_delete(struct hmfs *fs, struct hmfs_mapref *map, uint64_t owner, uint64_t hash,
                    const void *key, size_t key_len);
/* The first record after the cursor in (hash, key) order: with after_key NULL, the first with
   a hash >= *hash; else the first after (*hash, after_key). Its key and value are copied out
   and *hash set to its hash. Starts a new step for each bucket it reads (hold no pointers). */
int hmfs_map_next(struct hmfs *fs, const struct hmfs_mapref *map, uint64_t owner, uint64_t *hash,
                  const void *after_key, size_t after_len, void *key, size_t key_max,
                  size_t *key_len, void *value, size_t value_max, size_t *value_len);

/* Visits the records from hash *hash on in hash order (a map's hashes must be distinct: a
   directory's are, by its collision check; the inode table's are a bijection), one bucket per
   step, handing visit pointers into the bucket (valid during the call only; the map must not
   change) until visit returns false: HMFS_OK with *hash that record's hash (not consumed), or
   HMFS_ERR_NOENT after the last record. Costs one descent and one sort per bucket where
   hmfs_map_next costs a descent and a whole bucket's scan per record. */
int hmfs_map_scan(struct hmfs *fs, const struct hmfs_mapref *map, uint64_t owner, uint64_t *hash,
                  bool (*visit)(void *context, uint64_t hash, const uint8_t *key, size_t key_len,
                                const uint8_t *value, size_t value_len),
                  void *context);

/* inode.c */
/* Forgets hmfs_resolve's memo (a directory may have moved or gone). */
void hmfs_resolve_forget(struct hmfs *fs);
int hmfs_inode_get(struct hmfs *fs, unsigned tree, uint64_t ino, struct hmfs_inode *out);
int hmfs_inode_mut(struct hmfs *fs, unsigned tree, uint64_t ino, struct hmfs_inode **out);

/* volume.c */
int hmfs_commit(struct hmfs *fs);
/* Rebuilds the reference counts by walking every tree (reading data blocks too with data). */
int hmfs_walk_trees(struct hmfs *fs, bool data);
/* Frees the volume without committing. */
void hmfs_unmount_discard(struct hmfs *fs);
/* hmfs_mount, but only from ring slot only_slot when it is >= 0; on failure *problem (if not
   NULL) says what was wrong with the last superblock tried. */
int hmfs_mount_slot(const struct hmfs_device *dev, const struct hmfs_options *options,
                    int only_slot, struct hmfs **out, struct hmfs_problem *problem);
int hmfs_tree_writable(struct hmfs *fs, unsigned tree);
int hmfs_tree_readable(struct hmfs *fs, unsigned tree);

/* Little-endian integers at p, at any alignment (the format's byte order). Byte arithmetic,
   which the compiler turns into one load: in the freestanding build memcpy is no builtin, so a
   memcpy into a variable is a call that copies a few bytes one at a time, and the bucket scans
   read a record header per record. */
static inline uint64_t hmfs_le64(const uint8_t *p)
{
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
           (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
           (uint64_t)p[7] << 56;
}

static inline uint16_t hmfs_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

/* The header of the record at rec (HMFS_RECORD_SIZE bytes, packed). */
static inline struct hmfs_record hmfs_record_get(const uint8_t *rec)
{
    return (struct hmfs_record){hmfs_le64(rec), hmfs_le16(rec + 8), hmfs_le16(rec + 10)};
}

/* Record layout helpers. */
static inline uint8_t *hmfs_record_key(uint8_t *record)
{
    return record + HMFS_RECORD_SIZE;
}

#endif
