/*
 * Inodes and directories of HMFS: each tree's inode table maps inode numbers to struct
 * hmfs_inode; a directory's map takes names to struct hmfs_dirent_value. Every changing call
 * works in steps (hmfs_step): a step first makes sure the blocks it may need are free
 * (hmfs_reserve) and checks every argument before it changes anything, so a refused call
 * leaves the volume as it was.
 */
#include <string.h>

#include "hmfs/internal.h"

static uint64_t now(struct hmfs *fs)
{
    return fs->options.clock ? fs->options.clock() : 0;
}

/* Ends a step: an error after the step changed the uncommitted state stops the volume (the
   half-done change must never be committed); an error before it is the caller's answer. */
int hmfs_step_end(struct hmfs *fs, uint64_t changes_before, int rc)
{
    if (rc != HMFS_OK && fs->changes != changes_before)
        return hmfs_stop(fs, rc);
    return rc;
}

int hmfs_name_check(const char *name, size_t length)
{
    if (length == 0)
        return HMFS_ERR_BADNAME;
    if (length > HMFS_NAME_MAX)
        return HMFS_ERR_NAMETOOLONG;
    if ((length == 1 && name[0] == '.') || (length == 2 && name[0] == '.' && name[1] == '.'))
        return HMFS_ERR_BADNAME;
    for (size_t i = 0; i < length; i++)
        if (name[i] == '/' || name[i] == '\0')
            return HMFS_ERR_BADNAME;
    return HMFS_OK;
}

/* The length of a NUL-terminated name, or HMFS_NAME_MAX + 1 if longer. */
static size_t name_length(const char *name)
{
    size_t n = 0;
    while (n <= HMFS_NAME_MAX && name[n])
        n++;
    return n;
}

static int check_name(const char *name, size_t *length)
{
    if (!name)
        return HMFS_ERR_BADNAME;
    *length = name_length(name);
    return hmfs_name_check(name, *length);
}

static struct hmfs_mapref *inode_map(struct hmfs *fs, unsigned tree)
{
    return &fs->super.trees[tree].inodes;
}

int hmfs_inode_get(struct hmfs *fs, unsigned tree, uint64_t ino, struct hmfs_inode *out)
{
    if (ino == 0)
        return HMFS_ERR_NOENT;
    return hmfs_map_get(fs, inode_map(fs, tree), HMFS_OWNER_INODES, hmfs_hash_u64(ino), &ino, 8,
                        out, sizeof *out, NULL);
}

/* The inode made writable in its bucket (and the tree entry marked changed). */
int hmfs_inode_mut(struct hmfs *fs, unsigned tree, uint64_t ino, struct hmfs_inode **out)
{
    uint8_t *value;
    fs->super_dirty = true;
    int rc = hmfs_map_mut(fs, inode_map(fs, tree), HMFS_OWNER_INODES, hmfs_hash_u64(ino), &ino, 8,
                          &value);
    if (rc == HMFS_ERR_NOENT)
        return hmfs_fail(fs, HMFS_ERR_CORRUPT, 0, ino, "inode vanished");
    *out = (struct hmfs_inode *)value;
    return rc;
}

/* Drops an inode whose last name went: its map's blocks and its record. The record's bucket is
   made writable first: the reference to the map that is dropped must be the writable copy's
   (while a snapshot shares the bucket, the map stays the snapshot's). */
static int inode_drop(struct hmfs *fs, unsigned tree, uint64_t ino)
{
    struct hmfs_inode *ip;
    int rc = hmfs_inode_mut(fs, tree, ino, &ip);
    if (rc)
        return rc;
    if (ip->map.root.blockno != 0) {
        rc = hmfs_block_unref(fs, &ip->map.root, ino, 0);
        if (rc)
            return rc;
        memset(&ip->map, 0, sizeof ip->map);
    }
    return hmfs_map_delete(fs, inode_map(fs, tree), HMFS_OWNER_INODES, hmfs_hash_u64(ino), &ino, 8);
}

static int dir_get(struct hmfs *fs, unsigned tree, uint64_t dir, struct hmfs_inode *out)
{
    int rc = hmfs_inode_get(fs, tree, dir, out);
    if (rc)
        return rc;
    return out->type == HMFS_INODE_DIR ? HMFS_OK : HMFS_ERR_NOTDIR;
}

/* The entry of name in the directory inode. */
static int entry_get(struct hmfs *fs, const struct hmfs_inode *dir, const char *name, size_t length,
                     struct hmfs_dirent_value *out)
{
    return hmfs_map_get(fs, &dir->map, dir->ino, hmfs_hash_name(name, length), name, length, out,
                        sizeof *out, NULL);
}

/* HMFS_ERR_COLLISION if another name of the directory has the same hash as name. */
static int collision_check(struct hmfs *fs, const struct hmfs_inode *dir, const char *name,
                           size_t length)
{
    uint64_t hash = hmfs_hash_name(name, length);
    char key[HMFS_NAME_MAX];
    struct hmfs_dirent_value value;
    size_t key_len, value_len;
    int rc = hmfs_map_next(fs, &dir->map, dir->ino, &hash, NULL, 0, key, sizeof key, &key_len,
                           &value, sizeof value, &value_len);
    if (rc == HMFS_ERR_NOENT)
        return HMFS_OK;
    if (rc)
        return rc;
    if (hash == hmfs_hash_name(name, length) && (key_len != length || memcmp(key, name, length)))
        return HMFS_ERR_COLLISION;
    return HMFS_OK;
}

int hmfs_lookup(struct hmfs *fs, unsigned tree, uint64_t dir, const char *name, uint64_t *ino)
{
    size_t length;
    int rc = hmfs_tree_readable(fs, tree);
    if (rc == HMFS_OK)
        rc = check_name(name, &length);
    if (rc)
        return rc;
    fs->op++;
    struct hmfs_inode d;
    struct hmfs_dirent_value e;
    rc = dir_get(fs, tree, dir, &d);
    if (rc == HMFS_OK)
        rc = entry_get(fs, &d, name, length, &e);
    if (rc == HMFS_OK)
        *ino = e.ino;
    return rc;
}

void hmfs_resolve_forget(struct hmfs *fs)
{
    fs->memo_valid = false;
}

int hmfs_resolve(struct hmfs *fs, unsigned tree, const char *path, uint64_t *ino)
{
    int rc = hmfs_tree_readable(fs, tree);
    if (rc)
        return rc;
    uint64_t at = HMFS_ROOT_INO;
    /* The directory part: through the last '/' that a name follows. */
    const char *slash = strrchr(path, '/');
    size_t prefix = slash && slash[1] ? (size_t)(slash - path) + 1 : 0;
    if (prefix > sizeof fs->memo_path)
        prefix = 0; /* too long to keep */
    if (prefix && fs->memo_valid && fs->memo_tree == tree && fs->memo_length == prefix &&
        memcmp(fs->memo_path, path, prefix) == 0) {
        at = fs->memo_ino;
        path += prefix;
        prefix = 0; /* nothing more to note */
    }
    const char *directory_end = prefix ? slash : NULL;
    while (*path) {
        while (*path == '/')
            path++;
        size_t n = 0;
        while (path[n] && path[n] != '/')
            n++;
        if (n == 0)
            break;
        if (n > HMFS_NAME_MAX)
            return HMFS_ERR_NAMETOOLONG;
        fs->op++;
        struct hmfs_inode d;
        rc = dir_get(fs, tree, at, &d);
        if (rc)
            return rc;
        if (n == 1 && path[0] == '.') {
        } else if (n == 2 && path[0] == '.' && path[1] == '.') {
            at = d.parent;
        } else {
            struct hmfs_dirent_value e;
            rc = entry_get(fs, &d, path, n, &e);
            if (rc)
                return rc;
            at = e.ino;
        }
        path += n;
        if (path == directory_end) {
            memcpy(fs->memo_path, directory_end + 1 - prefix, prefix);
            fs->memo_length = prefix;
            fs->memo_tree = tree;
            fs->memo_ino = at;
            fs->memo_valid = true;
        }
    }
    *ino = at;
    return HMFS_OK;
}

/* Common start of a changing call on a directory entry. */
static int begin_change(struct hmfs *fs, unsigned tree, const char *name, size_t *length,
                        bool freeing)
{
    int rc = hmfs_tree_writable(fs, tree);
    if (rc == HMFS_OK)
        rc = check_name(name, length);
    if (rc == HMFS_OK)
        rc = hmfs_step(fs);
    if (rc == HMFS_OK)
        rc = hmfs_reserve(fs, HMFS_STEP_BLOCKS, freeing);
    return rc;
}

static int make_node(struct hmfs *fs, unsigned tree, uint64_t dir, const char *name, uint32_t type,
                     uint64_t *ino)
{
    size_t length;
    int rc = begin_change(fs, tree, name, &length, false);
    if (rc)
        return rc;
    struct hmfs_inode d;
    struct hmfs_dirent_value e;
    rc = dir_get(fs, tree, dir, &d);
    if (rc)
        return rc;
    rc = entry_get(fs, &d, name, length, &e);
    if (rc == HMFS_OK)
        return HMFS_ERR_EXIST;
    if (rc != HMFS_ERR_NOENT)
        return rc;
    rc = collision_check(fs, &d, name, length);
    if (rc)
        return rc;
    struct hmfs_tree_entry *t = &fs->super.trees[tree];
    uint64_t before = fs->changes;
    struct hmfs_inode node = {.ino = t->next_ino,
                              .type = type,
                              .nlink = type == HMFS_INODE_DIR ? 2 : 1,
                              .parent = type == HMFS_INODE_DIR ? dir : 0,
                              .mtime = now(fs)};
    t->next_ino++;
    fs->super_dirty = true;
    rc = hmfs_map_put(fs, inode_map(fs, tree), HMFS_KIND_INODES, HMFS_OWNER_INODES,
                      hmfs_hash_u64(node.ino), &node.ino, 8, &node, sizeof node, false);
    struct hmfs_inode *dp = NULL;
    if (rc == HMFS_OK)
        rc = hmfs_inode_mut(fs, tree, dir, &dp);
    if (rc == HMFS_OK) {
        e = (struct hmfs_dirent_value){node.ino, type, 0};
        rc = hmfs_map_put(fs, &dp->map, HMFS_KIND_DIR, dir, hmfs_hash_name(name, length), name,
                          length, &e, sizeof e, false);
    }
    if (rc == HMFS_OK) {
        dp->size++;
        dp->nlink += type == HMFS_INODE_DIR;
        dp->mtime = node.mtime;
        if (ino)
            *ino = node.ino;
    }
    return hmfs_step_end(fs, before, rc);
}

int hmfs_create(struct hmfs *fs, unsigned tree, uint64_t dir, const char *name, uint64_t *ino)
{
    return make_node(fs, tree, dir, name, HMFS_INODE_FILE, ino);
}

int hmfs_mkdir(struct hmfs *fs, unsigned tree, uint64_t dir, const char *name, uint64_t *ino)
{
    return make_node(fs, tree, dir, name, HMFS_INODE_DIR, ino);
}

/* Removes name from directory dir (whose inode is d), adjusting its size and link count. */
static int entry_remove(struct hmfs *fs, unsigned tree, uint64_t dir, const char *name,
                        size_t length, bool was_dir)
{
    struct hmfs_inode *dp;
    int rc = hmfs_inode_mut(fs, tree, dir, &dp);
    if (rc)
        return rc;
    rc = hmfs_map_delete(fs, &dp->map, dir, hmfs_hash_name(name, length), name, length);
    if (rc == HMFS_ERR_NOENT)
        return hmfs_fail(fs, HMFS_ERR_CORRUPT, 0, dir, "directory entry vanished");
    if (rc)
        return rc;
    dp->size--;
    dp->nlink -= was_dir;
    dp->mtime = now(fs);
    return HMFS_OK;
}

/* Drops one link of inode: at 0 the inode goes. */
static int unlink_inode(struct hmfs *fs, unsigned tree, const struct hmfs_inode *inode)
{
    if (inode->nlink <= 1 || inode->type == HMFS_INODE_DIR)
        return inode_drop(fs, tree, inode->ino);
    struct hmfs_inode *ip;
    int rc = hmfs_inode_mut(fs, tree, inode->ino, &ip);
    if (rc == HMFS_OK)
        ip->nlink--;
    return rc;
}

static int remove_node(struct hmfs *fs, unsigned tree, uint64_t dir, const char *name,
                       bool directory)
{
    size_t length;
    int rc = begin_change(fs, tree, name, &length, true);
    if (rc)
        return rc;
    struct hmfs_inode d, child;
    struct hmfs_dirent_value e = {0, 0, 0};
    rc = dir_get(fs, tree, dir, &d);
    if (rc == HMFS_OK)
        rc = entry_get(fs, &d, name, length, &e);
    if (rc == HMFS_OK)
        rc = hmfs_inode_get(fs, tree, e.ino, &child);
    if (rc == HMFS_ERR_NOENT && e.ino)
        return hmfs_fail(fs, HMFS_ERR_CORRUPT, 0, e.ino, "directory entry of a missing inode");
    if (rc)
        return rc;
    if (directory && child.type != HMFS_INODE_DIR)
        return HMFS_ERR_NOTDIR;
    if (!directory && child.type == HMFS_INODE_DIR)
        return HMFS_ERR_ISDIR;
    if (directory && child.size != 0)
        return HMFS_ERR_NOTEMPTY;
    uint64_t before = fs->changes;
    rc = entry_remove(fs, tree, dir, name, length, directory);
    if (rc == HMFS_OK)
        rc = unlink_inode(fs, tree, &child);
    return hmfs_step_end(fs, before, rc);
}

int hmfs_unlink(struct hmfs *fs, unsigned tree, uint64_t dir, const char *name)
{
    return remove_node(fs, tree, dir, name, false);
}

int hmfs_rmdir(struct hmfs *fs, unsigned tree, uint64_t dir, const char *name)
{
    hmfs_resolve_forget(fs);
    return remove_node(fs, tree, dir, name, true);
}

/* HMFS_ERR_INVAL if directory dir is ancestor or dir itself (walking up from at). */
static int not_below(struct hmfs *fs, unsigned tree, uint64_t dir, uint64_t at)
{
    for (unsigned depth = 0;; depth++) {
        if (at == dir)
            return HMFS_ERR_INVAL;
        if (at == HMFS_ROOT_INO)
            return HMFS_OK;
        if (depth > (1u << 20))
            return hmfs_fail(fs, HMFS_ERR_CORRUPT, 0, at, "directory parents form a loop");
        struct hmfs_inode a;
        int rc = hmfs_inode_get(fs, tree, at, &a);
        if (rc)
            return rc;
        at = a.parent;
    }
}

int hmfs_rename(struct hmfs *fs, unsigned tree, uint64_t old_dir, const char *old_name,
                uint64_t new_dir, const char *new_name)
{
    hmfs_resolve_forget(fs);
    size_t old_len, new_len;
    int rc = begin_change(fs, tree, old_name, &old_len, false);
    if (rc == HMFS_OK)
        rc = check_name(new_name, &new_len);
    if (rc)
        return rc;
    struct hmfs_inode od, nd, src, target;
    struct hmfs_dirent_value e, te;
    rc = dir_get(fs, tree, old_dir, &od);
    if (rc == HMFS_OK)
        rc = dir_get(fs, tree, new_dir, &nd);
    if (rc == HMFS_OK)
        rc = entry_get(fs, &od, old_name, old_len, &e);
    if (rc == HMFS_OK)
        rc = hmfs_inode_get(fs, tree, e.ino, &src);
    if (rc)
        return rc;
    bool dir = src.type == HMFS_INODE_DIR;
    if (dir && (rc = not_below(fs, tree, src.ino, new_dir)) != HMFS_OK)
        return rc;
    bool replacing = false;
    rc = entry_get(fs, &nd, new_name, new_len, &te);
    if (rc == HMFS_OK) {
        if (te.ino == e.ino)
            return HMFS_OK; /* the same file under the same name: nothing to do */
        rc = hmfs_inode_get(fs, tree, te.ino, &target);
        if (rc)
            return rc;
        if (target.type == HMFS_INODE_DIR)
            return dir ? HMFS_ERR_EXIST : HMFS_ERR_ISDIR;
        if (dir)
            return HMFS_ERR_NOTDIR;
        replacing = true;
    } else if (rc == HMFS_ERR_NOENT) {
        rc = collision_check(fs, &nd, new_name, new_len);
        if (rc)
            return rc;
    } else {
        return rc;
    }
    uint64_t before = fs->changes;
    rc = entry_remove(fs, tree, old_dir, old_name, old_len, dir);
    struct hmfs_inode *np = NULL;
    if (rc == HMFS_OK)
        rc = hmfs_inode_mut(fs, tree, new_dir, &np);
    if (rc == HMFS_OK) {
        rc = hmfs_map_put(fs, &np->map, HMFS_KIND_DIR, new_dir, hmfs_hash_name(new_name, new_len),
                          new_name, new_len, &e, sizeof e, true);
        if (rc == HMFS_OK) {
            np->size += !replacing;
            np->nlink += dir;
            np->mtime = now(fs);
        }
    }
    if (rc == HMFS_OK && dir && old_dir != new_dir) {
        struct hmfs_inode *sp;
        rc = hmfs_inode_mut(fs, tree, src.ino, &sp);
        if (rc == HMFS_OK)
            sp->parent = new_dir;
    }
    if (rc == HMFS_OK && replacing)
        rc = unlink_inode(fs, tree, &target);
    return hmfs_step_end(fs, before, rc);
}

int hmfs_stat(struct hmfs *fs, unsigned tree, uint64_t ino, struct hmfs_stat *out)
{
    int rc = hmfs_tree_readable(fs, tree);
    if (rc)
        return rc;
    fs->op++;
    struct hmfs_inode i;
    rc = hmfs_inode_get(fs, tree, ino, &i);
    if (rc)
        return rc;
    *out = (struct hmfs_stat){i.ino, i.type, i.nlink, i.size, i.mtime, i.map.count};
    return HMFS_OK;
}

int hmfs_readdir(struct hmfs *fs, unsigned tree, uint64_t dir, uint64_t *cookie,
                 struct hmfs_dirent *out)
{
    int rc = hmfs_tree_readable(fs, tree);
    if (rc)
        return rc;
    fs->op++;
    struct hmfs_inode d;
    rc = dir_get(fs, tree, dir, &d);
    if (rc)
        return rc;
    if (*cookie == UINT64_MAX)
        return HMFS_ERR_NOENT;
    uint64_t hash = *cookie;
    struct hmfs_dirent_value v;
    size_t key_len, value_len;
    rc = hmfs_map_next(fs, &d.map, dir, &hash, NULL, 0, out->name, HMFS_NAME_MAX, &key_len, &v,
                       sizeof v, &value_len);
    if (rc)
        return rc;
    out->name[key_len] = '\0';
    out->ino = v.ino;
    out->type = v.type;
    *cookie = hash + 1;
    return HMFS_OK;
}

/* hmfs_readdir_many's state between the map's records and the caller's visit. */
struct readdir_walk {
    struct hmfs *fs;
    uint64_t dir;
    bool (*visit)(void *context, const struct hmfs_dirent *entry, uint64_t next_cookie);
    void *context;
    bool corrupt;
    struct hmfs_dirent entry;
};

/* One directory record to the caller's visit, checked as hmfs_readdir's copy checks it. */
static bool readdir_record(void *context, uint64_t hash, const uint8_t *key, size_t key_len,
                           const uint8_t *value, size_t value_len)
{
    struct readdir_walk *w = context;
    struct hmfs_dirent_value v;
    if (key_len == 0 || key_len > HMFS_NAME_MAX || value_len != sizeof v) {
        w->corrupt = true;
        return false;
    }
    memcpy(&v, value, sizeof v);
    memcpy(w->entry.name, key, key_len);
    w->entry.name[key_len] = '\0';
    w->entry.ino = v.ino;
    w->entry.type = v.type;
    return w->visit(w->context, &w->entry, hash + 1);
}

int hmfs_readdir_many(struct hmfs *fs, unsigned tree, uint64_t dir, uint64_t *cookie,
                      bool (*visit)(void *context, const struct hmfs_dirent *entry,
                                    uint64_t next_cookie),
                      void *context)
{
    int rc = hmfs_tree_readable(fs, tree);
    if (rc)
        return rc;
    fs->op++;
    struct hmfs_inode d;
    rc = dir_get(fs, tree, dir, &d);
    if (rc)
        return rc;
    if (*cookie == UINT64_MAX)
        return HMFS_ERR_NOENT;
    static struct readdir_walk w;
    w.fs = fs;
    w.dir = dir;
    w.visit = visit;
    w.context = context;
    w.corrupt = false;
    uint64_t hash = *cookie;
    rc = hmfs_map_scan(fs, &d.map, dir, &hash, readdir_record, &w);
    if (w.corrupt)
        return hmfs_fail(fs, HMFS_ERR_CORRUPT, 0, dir, "directory record too long");
    if (rc == HMFS_OK)
        *cookie = hash; /* the entry visit refused: the next call starts with it */
    else if (rc == HMFS_ERR_NOENT)
        *cookie = UINT64_MAX;
    return rc;
}
