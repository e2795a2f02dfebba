/*
 * File data of HMFS: a file's block map takes block indexes to data blocks of HMFS_DATA_BYTES
 * bytes each (after the block header). A missing index is a hole and reads as zeros. The
 * bytes of the last block past the end of the file are always zero (truncate clears them), so
 * growing a file never shows old data.
 */
#include <string.h>

#include "hmfs/internal.h"

static int file_get(struct hmfs *fs, unsigned tree, uint64_t ino, struct hmfs_inode *out)
{
    int rc = hmfs_inode_get(fs, tree, ino, out);
    if (rc)
        return rc;
    return out->type == HMFS_INODE_DIR ? HMFS_ERR_ISDIR : HMFS_OK;
}

int hmfs_read(struct hmfs *fs, unsigned tree, uint64_t ino, uint64_t offset, void *buffer,
              size_t length, size_t *done)
{
    *done = 0;
    int rc = hmfs_tree_readable(fs, tree);
    if (rc)
        return rc;
    fs->op++;
    struct hmfs_inode inode;
    rc = file_get(fs, tree, ino, &inode);
    if (rc)
        return rc;
    if (offset >= inode.size)
        return HMFS_OK;
    if (length > inode.size - offset)
        length = (size_t)(inode.size - offset);
    uint8_t *out = buffer;
    /* The pointers of the current group of 32 blocks (they share a hash prefix and so, but in
       the deepest table, a bucket), taken in one scan of its bucket (hmfs_map_group) rather
       than one scan per block; a block not among them is looked up alone. */
    struct hmfs_bptr group[HMFS_MAP_GROUP];
    uint32_t found = 0;
    uint64_t group_of = UINT64_MAX;
    while (*done < length) {
        fs->op++;
        uint64_t at = offset + *done;
        uint64_t index = at / HMFS_DATA_BYTES;
        size_t in_block = (size_t)(at % HMFS_DATA_BYTES);
        size_t n = HMFS_DATA_BYTES - in_block;
        if (n > length - *done)
            n = length - *done;
        if (index / HMFS_MAP_GROUP != group_of) {
            group_of = index / HMFS_MAP_GROUP;
            rc = hmfs_map_group(fs, &inode.map, ino, group_of, group, &found);
            if (rc)
                return rc;
        }
        struct hmfs_bptr ptr;
        unsigned member = (unsigned)(index % HMFS_MAP_GROUP);
        if (found & (1u << member)) {
            ptr = group[member];
            rc = HMFS_OK;
        } else {
            rc = hmfs_map_get(fs, &inode.map, ino, hmfs_hash_block_index(index), &index, 8, &ptr,
                              sizeof ptr, NULL);
        }
        if (rc == HMFS_ERR_NOENT) {
            memset(out + *done, 0, n);
        } else if (rc) {
            return rc;
        } else {
            rc = hmfs_data_read(fs, &ptr, ino, HMFS_HEADER_SIZE + in_block, out + *done, n);
            if (rc)
                return rc;
        }
        *done += n;
    }
    return HMFS_OK;
}

/* Writes n bytes at in_block of block index of file ino, its mtime set to mtime: one step. */
static int write_block(struct hmfs *fs, unsigned tree, uint64_t ino, uint64_t index,
                       size_t in_block, const uint8_t *bytes, size_t n, uint64_t end,
                       uint64_t mtime)
{
    int rc = hmfs_step(fs);
    if (rc == HMFS_OK)
        rc = hmfs_reserve(fs, HMFS_STEP_BLOCKS, false);
    if (rc)
        return rc;
    uint64_t before = fs->changes;
    struct hmfs_inode *ip;
    rc = hmfs_inode_mut(fs, tree, ino, &ip);
    uint64_t hash = hmfs_hash_block_index(index);
    uint8_t *value = NULL, *data = NULL;
    struct hmfs_bptr fresh, *ptr = NULL;
    /* A block that starts at or past the end of the file has no record (truncation drops
       them, and fsck holds every file to it): an append looks for nothing. */
    if (rc == HMFS_OK)
        rc = index * HMFS_DATA_BYTES >= ip->size
                 ? HMFS_ERR_NOENT
                 : hmfs_map_mut(fs, &ip->map, ino, hash, &index, 8, &value);
    if (rc == HMFS_OK) {
        ptr = (struct hmfs_bptr *)value;
        rc = hmfs_block_mut(fs, ptr, ino, 0, &data);
    } else if (rc == HMFS_ERR_NOENT && n == HMFS_DATA_BYTES) {
        /* A whole new block (an append's): written as it is copied from the caller. */
        rc = hmfs_data_write_new(fs, ino, bytes, &fresh);
    } else if (rc == HMFS_ERR_NOENT) {
        rc = hmfs_block_new(fs, HMFS_TYPE_DATA, HMFS_KIND_NONE, ino, &fresh, &data);
    }
    if (rc == HMFS_OK && data) {
        memcpy(data + HMFS_HEADER_SIZE + in_block, bytes, n);
        /* Filled to its end: a sequential write is done with it (hmfs_data_done). */
        if (in_block + n == HMFS_DATA_BYTES)
            rc = hmfs_data_done(fs, ptr ? ptr : &fresh, ino);
    }
    if (rc == HMFS_OK && !ptr)
        rc = hmfs_map_insert(fs, &ip->map, HMFS_KIND_FILEMAP, ino, hash, &index, 8, &fresh,
                             sizeof fresh);
    if (rc == HMFS_OK) {
        if (end > ip->size)
            ip->size = end;
        ip->mtime = mtime;
    }
    return hmfs_step_end(fs, before, rc);
}

int hmfs_write(struct hmfs *fs, unsigned tree, uint64_t ino, uint64_t offset, const void *buffer,
               size_t length, size_t *done)
{
    *done = 0;
    int rc = hmfs_tree_writable(fs, tree);
    if (rc)
        return rc;
    fs->op++;
    struct hmfs_inode inode;
    rc = file_get(fs, tree, ino, &inode);
    if (rc)
        return rc;
    if (offset > HMFS_MAX_FILE_SIZE || length > HMFS_MAX_FILE_SIZE - offset)
        return HMFS_ERR_FBIG;
    /* One reading of the clock for the whole write, not one a block: a server's clock may be
       a call to another process (servers/hmfs: procsrv's uptime), and the write is one
       operation whose blocks share its time. */
    uint64_t mtime = fs->options.clock ? fs->options.clock() : 0;
    const uint8_t *in = buffer;
    while (*done < length) {
        uint64_t at = offset + *done;
        uint64_t index = at / HMFS_DATA_BYTES;
        size_t in_block = (size_t)(at % HMFS_DATA_BYTES);
        size_t n = HMFS_DATA_BYTES - in_block;
        if (n > length - *done)
            n = length - *done;
        rc = write_block(fs, tree, ino, index, in_block, in + *done, n, at + n, mtime);
        if (rc)
            return rc;
        *done += n;
    }
    return HMFS_OK;
}

/* Drops the block map record (hash, index) of file ino and its data block: one step. */
static int drop_block(struct hmfs *fs, unsigned tree, uint64_t ino, uint64_t hash, uint64_t index)
{
    int rc = hmfs_step(fs);
    if (rc == HMFS_OK)
        rc = hmfs_reserve(fs, HMFS_STEP_BLOCKS, true);
    if (rc)
        return rc;
    uint64_t before = fs->changes;
    struct hmfs_inode *ip;
    struct hmfs_bptr ptr;
    rc = hmfs_inode_mut(fs, tree, ino, &ip);
    if (rc == HMFS_OK)
        rc = hmfs_map_get(fs, &ip->map, ino, hash, &index, 8, &ptr, sizeof ptr, NULL);
    if (rc == HMFS_OK)
        rc = hmfs_map_delete(fs, &ip->map, ino, hash, &index, 8);
    if (rc == HMFS_OK)
        rc = hmfs_block_unref(fs, &ptr, ino, 0);
    return hmfs_step_end(fs, before, rc);
}

/* Zeroes the bytes of block index from in_block on (if the block exists): one step. */
static int clear_tail(struct hmfs *fs, unsigned tree, uint64_t ino, uint64_t index, size_t in_block)
{
    int rc = hmfs_step(fs);
    if (rc == HMFS_OK)
        rc = hmfs_reserve(fs, HMFS_STEP_BLOCKS, true);
    if (rc)
        return rc;
    uint64_t before = fs->changes;
    struct hmfs_inode inode, *ip;
    rc = hmfs_inode_get(fs, tree, ino, &inode);
    uint64_t hash = hmfs_hash_block_index(index);
    struct hmfs_bptr ptr;
    if (rc == HMFS_OK)
        rc = hmfs_map_get(fs, &inode.map, ino, hash, &index, 8, &ptr, sizeof ptr, NULL);
    if (rc == HMFS_ERR_NOENT)
        return HMFS_OK;
    uint8_t *value, *data;
    if (rc == HMFS_OK)
        rc = hmfs_inode_mut(fs, tree, ino, &ip);
    if (rc == HMFS_OK)
        rc = hmfs_map_mut(fs, &ip->map, ino, hash, &index, 8, &value);
    if (rc == HMFS_OK)
        rc = hmfs_block_mut(fs, (struct hmfs_bptr *)value, ino, 0, &data);
    if (rc == HMFS_OK)
        memset(data + HMFS_HEADER_SIZE + in_block, 0, HMFS_DATA_BYTES - in_block);
    return hmfs_step_end(fs, before, rc);
}

int hmfs_truncate(struct hmfs *fs, unsigned tree, uint64_t ino, uint64_t size)
{
    int rc = hmfs_tree_writable(fs, tree);
    if (rc)
        return rc;
    if (size > HMFS_MAX_FILE_SIZE)
        return HMFS_ERR_FBIG;
    fs->op++;
    struct hmfs_inode inode;
    rc = file_get(fs, tree, ino, &inode);
    if (rc)
        return rc;
    if (size <= inode.size) {
        /* Also at the same size: fsck's repair drops blocks past the end this way. */
        uint64_t keep = (size + HMFS_DATA_BYTES - 1) / HMFS_DATA_BYTES;
        uint64_t hash = 0, index = 0, key;
        bool started = false;
        for (;;) {
            struct hmfs_inode now;
            rc = hmfs_inode_get(fs, tree, ino, &now);
            if (rc)
                return rc;
            struct hmfs_bptr ptr;
            size_t key_len, value_len;
            rc = hmfs_map_next(fs, &now.map, ino, &hash, started ? &index : NULL, 8, &key,
                               sizeof key, &key_len, &ptr, sizeof ptr, &value_len);
            if (rc == HMFS_ERR_NOENT)
                break;
            if (rc)
                return rc;
            index = key;
            started = true;
            if (key >= keep) {
                rc = drop_block(fs, tree, ino, hash, key);
                if (rc)
                    return rc;
            }
        }
        if (size < inode.size && size % HMFS_DATA_BYTES != 0) {
            rc = clear_tail(fs, tree, ino, size / HMFS_DATA_BYTES, size % HMFS_DATA_BYTES);
            if (rc)
                return rc;
        }
    }
    rc = hmfs_step(fs);
    if (rc == HMFS_OK)
        rc = hmfs_reserve(fs, HMFS_STEP_BLOCKS, size <= inode.size);
    if (rc)
        return rc;
    uint64_t before = fs->changes;
    struct hmfs_inode *ip;
    rc = hmfs_inode_mut(fs, tree, ino, &ip);
    if (rc == HMFS_OK) {
        ip->size = size;
        ip->mtime = fs->options.clock ? fs->options.clock() : 0;
    }
    return hmfs_step_end(fs, before, rc);
}
