/*
 * The volume of HMFS: format, mount (choosing the superblock and rebuilding the reference
 * counts by walking every tree), commit, and the trees (snapshots and clones).
 */
#include <stdlib.h>
#include <string.h>

#include "hmfs/internal.h"

static const char *const error_names[HMFS_ERR_COUNT] = {"ok",
                                                        "no space",
                                                        "not found",
                                                        "exists",
                                                        "not a directory",
                                                        "is a directory",
                                                        "directory not empty",
                                                        "name too long",
                                                        "bad name",
                                                        "read-only",
                                                        "I/O error",
                                                        "corrupt",
                                                        "invalid argument",
                                                        "out of memory",
                                                        "file too large",
                                                        "too many trees",
                                                        "name hash collision",
                                                        "volume stopped after an error"};

const char *hmfs_error_name(int error)
{
    if (error < 0 || error >= HMFS_ERR_COUNT)
        return "unknown error";
    return error_names[error];
}

struct hmfs_problem hmfs_problem(const struct hmfs *fs)
{
    return fs->problem;
}

static void volume_free(struct hmfs *fs)
{
    if (!fs)
        return;
    if (fs->cache)
        for (unsigned i = 0; i < fs->cache_size; i++)
            free(fs->cache[i].data);
    free(fs->cache);
    free(fs->index);
    free(fs->refs);
    free(fs->pending);
    free(fs);
}

/* Zeroes the reference counts and marks the superblock ring as used. */
static void refs_reset(struct hmfs *fs)
{
    memset(fs->refs, 0, fs->blocks);
    memset(fs->pending, 0, (fs->blocks + 7) / 8);
    for (unsigned i = 0; i < HMFS_RING_SIZE; i++)
        fs->refs[i] = 1;
    fs->used = HMFS_RING_SIZE;
    fs->pending_count = 0;
}

/* A volume of blocks blocks with an empty cache and nothing referenced but the ring. */
static int volume_new(const struct hmfs_device *dev, const struct hmfs_options *options,
                      uint64_t blocks, struct hmfs **out)
{
    if (blocks < HMFS_MIN_BLOCKS || blocks > HMFS_MAX_BLOCKS || blocks > dev->block_count ||
        blocks > SIZE_MAX / 2)
        return HMFS_ERR_INVAL;
    struct hmfs *fs = calloc(1, sizeof *fs);
    if (!fs)
        return HMFS_ERR_NOMEM;
    fs->dev = *dev;
    if (options)
        fs->options = *options;
    if (fs->options.cache_blocks == 0)
        fs->options.cache_blocks = 256;
    if (fs->options.cache_blocks < 32)
        fs->options.cache_blocks = 32;
    fs->blocks = blocks;
    fs->cursor = HMFS_RING_SIZE;
    fs->refs = malloc((size_t)blocks);
    fs->pending = malloc((size_t)(blocks + 7) / 8);
    fs->cache_size = fs->options.cache_blocks + HMFS_OP_BLOCKS;
    fs->cache = calloc(fs->cache_size, sizeof *fs->cache);
    fs->index_size = 1;
    while (fs->index_size < 2 * (size_t)fs->cache_size)
        fs->index_size *= 2;
    fs->index = calloc(fs->index_size, sizeof *fs->index);
    bool ok = fs->refs && fs->pending && fs->cache && fs->index;
    for (unsigned i = 0; ok && i < fs->cache_size; i++)
        ok = (fs->cache[i].data = malloc(HMFS_BLOCK_SIZE)) != NULL;
    if (!ok) {
        volume_free(fs);
        return HMFS_ERR_NOMEM;
    }
    refs_reset(fs);
    *out = fs;
    return HMFS_OK;
}

int hmfs_tree_readable(struct hmfs *fs, unsigned tree)
{
    if (fs->stopped)
        return HMFS_ERR_STOPPED;
    if (tree >= HMFS_MAX_TREES || !(fs->super.trees[tree].flags & HMFS_TREE_USED))
        return HMFS_ERR_NOENT;
    return HMFS_OK;
}

int hmfs_tree_writable(struct hmfs *fs, unsigned tree)
{
    int rc = hmfs_tree_readable(fs, tree);
    if (rc == HMFS_OK && ((fs->super.trees[tree].flags & HMFS_TREE_READONLY) || fs->degraded))
        return HMFS_ERR_ROFS;
    return rc;
}

/* Writes the dirty block *ptr leads to, its dirty children first, and sets *ptr's checksum. */
static int flush_block(struct hmfs *fs, struct hmfs_bptr *ptr, uint64_t owner)
{
    struct hmfs_cache_entry *e = hmfs_cache_find(fs, ptr->blockno);
    if (!e || !e->dirty)
        return hmfs_fail(fs, HMFS_ERR_CORRUPT, ptr->blockno, owner, "new block lost from cache");
    struct hmfs_child children[HMFS_TABLE_SLOTS];
    size_t n = hmfs_children(e->data, children);
    struct hmfs_bptr last = {0, 0, 0, 0, 0, 0};
    for (size_t i = 0; i < n; i++) {
        struct hmfs_bptr *c = children[i].ptr;
        if (c->gen != fs->txn)
            continue;
        if (c->type == HMFS_TYPE_DATA) {
            /* Written early (hmfs_data_done) and not changed since: *c has its checksum. */
            struct hmfs_cache_entry *d = hmfs_cache_find(fs, c->blockno);
            if (!d || !d->dirty)
                continue;
        }
        if (c->blockno == last.blockno) {
            *c = last; /* another slot of the same bucket */
            continue;
        }
        int rc = flush_block(fs, c, children[i].owner);
        if (rc)
            return rc;
        last = *c;
    }
    int rc = hmfs_block_write(fs, e, ptr, owner);
    if (rc)
        return rc;
    /* A file's data block is read again through the device's cache (hmfs_data_read), not
       this one: its entry goes now rather than push out map blocks the next writes need. */
    if (((const struct hmfs_header *)e->data)->type == HMFS_TYPE_DATA)
        hmfs_cache_release(fs, e);
    return HMFS_OK;
}

/* Commits the transaction (docs/hmfs.md, "Commit"). On a device error the volume stops. */
int hmfs_commit(struct hmfs *fs)
{
    if (fs->stopped)
        return HMFS_ERR_STOPPED;
    if (!fs->super_dirty && fs->dirty_count == 0)
        return HMFS_OK;
    for (unsigned t = 0; t < HMFS_MAX_TREES; t++) {
        struct hmfs_tree_entry *tree = &fs->super.trees[t];
        if ((tree->flags & HMFS_TREE_USED) && tree->inodes.root.blockno != 0 &&
            tree->inodes.root.gen == fs->txn) {
            int rc = flush_block(fs, &tree->inodes.root, HMFS_OWNER_INODES);
            if (rc)
                return hmfs_stop(fs, rc);
        }
    }
    if (fs->dirty_count != 0)
        return hmfs_stop(fs, hmfs_fail(fs, HMFS_ERR_CORRUPT, 0, 0, "new block in no tree"));
    if (fs->dev.flush(fs->dev.context) != 0)
        return hmfs_stop(fs, hmfs_fail(fs, HMFS_ERR_IO, 0, 0, "flush failed"));
    struct hmfs_super *s = &fs->super;
    unsigned slot = (unsigned)(fs->txn % HMFS_RING_SIZE);
    s->header =
        (struct hmfs_header){0, HMFS_MAGIC, HMFS_TYPE_SUPER, 0, slot, fs->txn, HMFS_OWNER_INODES};
    s->magic = HMFS_SUPER_MAGIC;
    s->version = HMFS_VERSION;
    s->ring_size = HMFS_RING_SIZE;
    s->block_count = fs->blocks;
    s->used_blocks = fs->used;
    uint8_t block[HMFS_BLOCK_SIZE];
    memset(block, 0, sizeof block);
    memcpy(block, s, sizeof *s);
    uint32_t crc = hmfs_block_crc(block);
    memcpy(block, &crc, sizeof crc);
    s->header.crc = crc;
    if (fs->dev.write_fua(fs->dev.context, slot, block) != 0)
        return hmfs_stop(fs, hmfs_fail(fs, HMFS_ERR_IO, slot, 0, "superblock write failed"));
    if (fs->dev.flush(fs->dev.context) != 0)
        return hmfs_stop(fs, hmfs_fail(fs, HMFS_ERR_IO, slot, 0, "flush failed"));
    memset(fs->pending, 0, (fs->blocks + 7) / 8);
    fs->pending_count = 0;
    fs->slot = slot;
    fs->txn++;
    fs->super_dirty = false;
    return HMFS_OK;
}

int hmfs_sync(struct hmfs *fs)
{
    return hmfs_commit(fs);
}

int hmfs_format(const struct hmfs_device *dev)
{
    struct hmfs *fs;
    int rc = volume_new(dev, NULL, dev->block_count, &fs);
    if (rc)
        return rc;
    /* An older volume's superblocks must not outlive the format. */
    uint8_t zero[HMFS_BLOCK_SIZE];
    memset(zero, 0, sizeof zero);
    for (unsigned i = 0; i < HMFS_RING_SIZE && rc == HMFS_OK; i++)
        if (dev->write(dev->context, i, zero) != 0)
            rc = HMFS_ERR_IO;
    if (rc == HMFS_OK && dev->flush(dev->context) != 0)
        rc = HMFS_ERR_IO;
    fs->txn = 1;
    struct hmfs_tree_entry *main = &fs->super.trees[0];
    main->flags = HMFS_TREE_USED;
    main->created_gen = 1;
    main->next_ino = HMFS_ROOT_INO + 1;
    struct hmfs_inode root = {
        .ino = HMFS_ROOT_INO, .type = HMFS_INODE_DIR, .nlink = 2, .parent = HMFS_ROOT_INO};
    if (rc == HMFS_OK)
        rc = hmfs_map_put(fs, &main->inodes, HMFS_KIND_INODES, HMFS_OWNER_INODES,
                          hmfs_hash_u64(HMFS_ROOT_INO), &root.ino, 8, &root, sizeof root, false);
    fs->super_dirty = true;
    if (rc == HMFS_OK)
        rc = hmfs_commit(fs);
    volume_free(fs);
    return rc;
}

/* Counts the references of the subtree ptr leads to (docs/hmfs.md, "Mount"): a block seen
   before is counted, not read again. With data, data blocks are read and verified too. A block
   that does not verify is counted but not descended into: the volume is then degraded (read
   only, since the blocks below it may be in use) and the first such problem kept. */
static int walk(struct hmfs *fs, const struct hmfs_bptr *ptr, uint64_t owner, uint8_t level,
                bool data)
{
    uint64_t b = ptr->blockno;
    if (b < HMFS_RING_SIZE || b >= fs->blocks) {
        hmfs_fail(fs, HMFS_ERR_CORRUPT, b, owner, "pointer out of the volume");
        fs->degraded = true;
        return HMFS_OK;
    }
    int rc = hmfs_block_ref(fs, b);
    if (rc)
        return rc;
    if (fs->refs[b] > 1)
        return HMFS_OK;
    fs->used++;
    if (ptr->type == HMFS_TYPE_DATA && !data)
        return HMFS_OK;
    uint8_t *block = malloc(HMFS_BLOCK_SIZE);
    if (!block)
        return hmfs_fail(fs, HMFS_ERR_NOMEM, b, owner, "no memory to walk the trees");
    if (hmfs_block_copy(fs, ptr, owner, level, block) != HMFS_OK) {
        if (!fs->degraded)
            fs->degraded_problem = fs->problem;
        fs->degraded = true;
        free(block);
        return HMFS_OK;
    }
    struct hmfs_child children[HMFS_TABLE_SLOTS];
    size_t n = hmfs_distinct_children(block, children);
    for (size_t i = 0; i < n && rc == HMFS_OK; i++)
        rc = walk(fs, children[i].ptr, children[i].owner, children[i].level, data);
    free(block);
    return rc;
}

int hmfs_walk_trees(struct hmfs *fs, bool data)
{
    refs_reset(fs);
    fs->degraded = false;
    for (unsigned t = 0; t < HMFS_MAX_TREES; t++) {
        const struct hmfs_tree_entry *tree = &fs->super.trees[t];
        if ((tree->flags & HMFS_TREE_USED) && tree->inodes.root.blockno != 0) {
            int rc = walk(fs, &tree->inodes.root, HMFS_OWNER_INODES, 0, data);
            if (rc)
                return rc;
        }
    }
    return HMFS_OK;
}

/* Whether every tree's root block reads back as its superblock says (the test of a complete
   commit: a commit writes the superblock only after everything below it). */
static int roots_complete(struct hmfs *fs)
{
    uint8_t *block = malloc(HMFS_BLOCK_SIZE);
    if (!block)
        return HMFS_ERR_NOMEM;
    int rc = HMFS_OK;
    for (unsigned t = 0; t < HMFS_MAX_TREES && rc == HMFS_OK; t++) {
        const struct hmfs_tree_entry *tree = &fs->super.trees[t];
        if ((tree->flags & HMFS_TREE_USED) && tree->inodes.root.blockno != 0)
            rc = hmfs_block_copy(fs, &tree->inodes.root, HMFS_OWNER_INODES, 0, block);
    }
    free(block);
    return rc;
}

/* Whether a superblock read from slot is well-formed for a device of device_blocks. */
static bool super_valid(const uint8_t *block, unsigned slot, uint64_t device_blocks)
{
    struct hmfs_super s;
    memcpy(&s, block, sizeof s);
    if (s.header.crc != hmfs_block_crc(block) || s.header.magic != HMFS_MAGIC ||
        s.header.type != HMFS_TYPE_SUPER || s.header.blockno != slot || s.header.gen == 0 ||
        s.magic != HMFS_SUPER_MAGIC || s.version != HMFS_VERSION || s.ring_size != HMFS_RING_SIZE ||
        s.block_count < HMFS_MIN_BLOCKS || s.block_count > device_blocks ||
        s.block_count > HMFS_MAX_BLOCKS)
        return false;
    if (!(s.trees[0].flags & HMFS_TREE_USED) || (s.trees[0].flags & HMFS_TREE_READONLY))
        return false;
    for (unsigned t = 0; t < HMFS_MAX_TREES; t++) {
        const struct hmfs_tree_entry *tree = &s.trees[t];
        if (tree->flags & ~(HMFS_TREE_USED | HMFS_TREE_READONLY))
            return false;
        if (tree->name[HMFS_TREE_NAME_MAX] != '\0')
            return false;
        const struct hmfs_bptr *r = &tree->inodes.root;
        if ((tree->flags & HMFS_TREE_USED) && r->blockno != 0 &&
            (r->kind != HMFS_KIND_INODES || r->gen > s.header.gen ||
             (r->type != HMFS_TYPE_TABLE && r->type != HMFS_TYPE_BUCKET)))
            return false;
    }
    return true;
}

int hmfs_mount_slot(const struct hmfs_device *dev, const struct hmfs_options *options,
                    int only_slot, struct hmfs **out, struct hmfs_problem *problem)
{
    uint8_t block[HMFS_BLOCK_SIZE];
    struct hmfs_super supers[HMFS_RING_SIZE];
    bool valid[HMFS_RING_SIZE];
    if (dev->block_count < HMFS_MIN_BLOCKS)
        return HMFS_ERR_INVAL;
    int error = HMFS_ERR_CORRUPT;
    for (unsigned i = 0; i < HMFS_RING_SIZE; i++) {
        valid[i] =
            dev->read(dev->context, i, block) == 0 && super_valid(block, i, dev->block_count);
        if (valid[i])
            memcpy(&supers[i], block, sizeof supers[i]);
    }
    /* Newest first; a superblock whose trees do not read back whole is passed over. */
    for (;;) {
        int best = -1;
        for (unsigned i = 0; i < HMFS_RING_SIZE; i++)
            if (valid[i] && (only_slot < 0 || (int)i == only_slot) &&
                (best < 0 || supers[i].header.gen > supers[best].header.gen))
                best = (int)i;
        if (best < 0)
            return error;
        valid[best] = false;
        struct hmfs *fs;
        int rc = volume_new(dev, options, supers[best].block_count, &fs);
        if (rc)
            return rc;
        fs->super = supers[best];
        fs->txn = fs->super.header.gen + 1;
        fs->slot = (unsigned)best;
        rc = roots_complete(fs);
        if (rc == HMFS_OK)
            rc = hmfs_walk_trees(fs, false);
        if (rc == HMFS_OK) {
            *out = fs;
            return HMFS_OK;
        }
        error = rc;
        if (problem)
            *problem = fs->problem;
        volume_free(fs);
    }
}

int hmfs_mount(const struct hmfs_device *dev, const struct hmfs_options *options, struct hmfs **out)
{
    return hmfs_mount_slot(dev, options, -1, out, NULL);
}

int hmfs_unmount(struct hmfs *fs)
{
    int rc = fs->stopped ? HMFS_ERR_STOPPED : fs->degraded ? HMFS_OK : hmfs_commit(fs);
    volume_free(fs);
    return rc;
}

void hmfs_unmount_discard(struct hmfs *fs)
{
    volume_free(fs);
}

int hmfs_statfs(struct hmfs *fs, struct hmfs_statfs *out)
{
    out->block_count = fs->blocks;
    out->used_blocks = fs->used + fs->pending_count;
    out->free_blocks = fs->blocks - out->used_blocks;
    out->generation = fs->txn - 1;
    out->trees = 0;
    for (unsigned t = 0; t < HMFS_MAX_TREES; t++)
        out->trees += (fs->super.trees[t].flags & HMFS_TREE_USED) != 0;
    out->degraded = fs->degraded;
    return fs->stopped ? HMFS_ERR_STOPPED : HMFS_OK;
}

static int tree_name_check(const char *name, size_t *length)
{
    size_t n = 0;
    while (n <= HMFS_TREE_NAME_MAX && name[n])
        n++;
    if (n == 0)
        return HMFS_ERR_BADNAME;
    if (n > HMFS_TREE_NAME_MAX)
        return HMFS_ERR_NAMETOOLONG;
    for (size_t i = 0; i < n; i++)
        if (name[i] == '/')
            return HMFS_ERR_BADNAME;
    *length = n;
    return HMFS_OK;
}

int hmfs_tree_find(struct hmfs *fs, const char *name, unsigned *index)
{
    size_t n = 0;
    while (n <= HMFS_TREE_NAME_MAX && name[n])
        n++;
    if (n > HMFS_TREE_NAME_MAX)
        return HMFS_ERR_NOENT;
    for (unsigned t = 0; t < HMFS_MAX_TREES; t++) {
        const struct hmfs_tree_entry *tree = &fs->super.trees[t];
        if ((tree->flags & HMFS_TREE_USED) && memcmp(tree->name, name, n) == 0 &&
            tree->name[n] == '\0') {
            *index = t;
            return HMFS_OK;
        }
    }
    return HMFS_ERR_NOENT;
}

int hmfs_tree_next(struct hmfs *fs, unsigned *index, struct hmfs_tree_info *out)
{
    for (unsigned t = *index; t < HMFS_MAX_TREES; t++) {
        const struct hmfs_tree_entry *tree = &fs->super.trees[t];
        if (tree->flags & HMFS_TREE_USED) {
            *index = t;
            out->index = t;
            memcpy(out->name, tree->name, sizeof out->name);
            out->readonly = (tree->flags & HMFS_TREE_READONLY) != 0;
            out->created_gen = tree->created_gen;
            return HMFS_OK;
        }
    }
    return HMFS_ERR_NOENT;
}

/* A new tree sharing every block of source: a snapshot (read-only) or a clone. */
static int fork_tree(struct hmfs *fs, unsigned source, const char *name, bool readonly)
{
    size_t length;
    int rc = hmfs_tree_readable(fs, source);
    if (rc == HMFS_OK && fs->degraded)
        rc = HMFS_ERR_ROFS;
    if (rc == HMFS_OK)
        rc = tree_name_check(name, &length);
    if (rc)
        return rc;
    unsigned found, slot = HMFS_MAX_TREES;
    if (hmfs_tree_find(fs, name, &found) == HMFS_OK)
        return HMFS_ERR_EXIST;
    for (unsigned t = 1; t < HMFS_MAX_TREES && slot == HMFS_MAX_TREES; t++)
        if (!(fs->super.trees[t].flags & HMFS_TREE_USED))
            slot = t;
    if (slot == HMFS_MAX_TREES)
        return HMFS_ERR_TOOMANY;
    /* The source's blocks must be committed: only then may two trees share them. */
    rc = hmfs_commit(fs);
    if (rc)
        return rc;
    struct hmfs_tree_entry *tree = &fs->super.trees[slot];
    *tree = fs->super.trees[source];
    memset(tree->name, 0, sizeof tree->name);
    memcpy(tree->name, name, length);
    tree->flags = HMFS_TREE_USED | (readonly ? HMFS_TREE_READONLY : 0u);
    tree->created_gen = fs->txn;
    if (tree->inodes.root.blockno != 0) {
        rc = hmfs_block_ref(fs, tree->inodes.root.blockno);
        if (rc)
            return hmfs_stop(fs, rc);
    }
    fs->super_dirty = true;
    return hmfs_commit(fs);
}

int hmfs_snapshot_create(struct hmfs *fs, unsigned tree, const char *name)
{
    hmfs_resolve_forget(fs);
    return fork_tree(fs, tree, name, true);
}

int hmfs_clone(struct hmfs *fs, unsigned source, const char *name)
{
    hmfs_resolve_forget(fs);
    return fork_tree(fs, source, name, false);
}

int hmfs_tree_delete(struct hmfs *fs, const char *name)
{
    hmfs_resolve_forget(fs);
    unsigned t;
    if (fs->stopped)
        return HMFS_ERR_STOPPED;
    int rc = hmfs_tree_find(fs, name, &t);
    if (rc)
        return rc;
    if (t == 0)
        return HMFS_ERR_INVAL;
    if (fs->degraded)
        return HMFS_ERR_ROFS;
    rc = hmfs_commit(fs);
    if (rc)
        return rc;
    struct hmfs_tree_entry *tree = &fs->super.trees[t];
    if (tree->inodes.root.blockno != 0) {
        rc = hmfs_block_unref(fs, &tree->inodes.root, HMFS_OWNER_INODES, 0);
        if (rc)
            return hmfs_stop(fs, rc);
    }
    memset(tree, 0, sizeof *tree);
    fs->super_dirty = true;
    return hmfs_commit(fs);
}
