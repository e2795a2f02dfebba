/*
 * The HMFS volume at "/" through the file client (lib/libsys/fs_client.h, fs_default's one
 * connection): each POSIX call is one or two requests, errors mapped by lib/fserrno's table.
 * A path under /.snap/NAME is inside the snapshot or clone NAME (its tree found by
 * FS_SNAPSHOT_MOUNT each time, so a deleted snapshot is simply not found); /.snap itself lists
 * them.
 */
#define _DEFAULT_SOURCE /* O_DIRECTORY under -std=c11 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "fserrno/fserrno.h"
#include "libsys/files.h"
#include "libsys/fs_client.h"

/* -errno for a failed request r (the file server missing altogether is ENOENT: nothing is
   mounted at "/"). */
static int hmfs_error(struct result r)
{
    if (r.source == RESULT_SERVICE)
        return -fserrno_from_status(r.code);
    return -EIO;
}

/* Whether the server answered r with the file protocol's status. */
static bool hmfs_is(struct result r, long status)
{
    return r.source == RESULT_SERVICE && r.code == status;
}

/* The connection: 0 or -errno (ENODEV when there is no file server). */
static int hmfs_client(struct fs_client **c)
{
    struct result r = fs_default(c);
    if (result_is_ok(r))
        return 0;
    return result_is_service(r, SERVICE_NOT_FOUND) ? -ENODEV : hmfs_error(r);
}

/* The tree (*tree) and the path inside it (*inner) that the HMFS path rest names: 0, or
   -errno (ENOENT for an unknown snapshot or a name past FS_TREE_NAME_MAX, else the server's
   answer to FS_SNAPSHOT_MOUNT). /.snap itself is no tree: *tree is -1 and the caller decides
   what that means for its call. */
static int hmfs_tree(struct fs_client *c, const char *rest, int *tree, const char **inner)
{
    const char *name;
    size_t length;
    switch (fspath_tree(rest, &name, &length, inner)) {
    case FSPATH_MAIN:
        *tree = 0;
        return 0;
    case FSPATH_SNAP_TOP:
        *tree = -1;
        return 0;
    default:
        break;
    }
    if (length > FS_TREE_NAME_MAX)
        return -ENOENT;
    char copy[FS_TREE_NAME_MAX + 1];
    memcpy(copy, name, length);
    copy[length] = '\0';
    unsigned index;
    struct result r = fs_snapshot_mount(c, copy, &index, NULL);
    if (!result_is_ok(r))
        return hmfs_error(r);
    *tree = (int)index;
    return 0;
}

/* The connection and the tree of rest, for a call that needs a real tree (not /.snap). */
static int hmfs_locate(const char *rest, struct fs_client **c, int *tree, const char **inner)
{
    int error = hmfs_client(c);
    if (!error)
        error = hmfs_tree(*c, rest, tree, inner);
    if (!error && *tree < 0)
        error = -EROFS; /* /.snap itself: made by the server, not changed by path calls */
    return error;
}

int hmfs_files_open(const char *rest, int flags, struct fdtable_entry *e)
{
    struct fs_client *c;
    int tree;
    const char *inner;
    int error = hmfs_client(&c);
    if (!error)
        error = hmfs_tree(c, rest, &tree, &inner);
    if (error)
        return error;
    if (tree < 0) { /* /.snap: a directory of its own, listed by dir.c */
        if ((flags & O_ACCMODE) != O_RDONLY || flags & O_CREAT)
            return -EISDIR;
        e->handle = UINT64_MAX;
        e->size = UINT64_MAX;
        return 0;
    }
    unsigned fs_flags = 0;
    switch (flags & O_ACCMODE) {
    case O_RDONLY:
        fs_flags = FS_OPEN_READ;
        break;
    case O_WRONLY:
        fs_flags = FS_OPEN_WRITE;
        break;
    default:
        fs_flags = FS_OPEN_READ | FS_OPEN_WRITE;
        break;
    }
    fs_flags |= (flags & O_CREAT ? FS_OPEN_CREATE : 0) | (flags & O_EXCL ? FS_OPEN_EXCLUSIVE : 0) |
                (flags & O_TRUNC ? FS_OPEN_TRUNCATE : 0) | (flags & O_APPEND ? FS_OPEN_APPEND : 0) |
                (flags & O_DIRECTORY ? FS_OPEN_DIRECTORY : 0);
    if ((flags & O_TRUNC) && !(fs_flags & FS_OPEN_WRITE))
        fs_flags &= ~FS_OPEN_TRUNCATE; /* POSIX leaves it unspecified; the server refuses it */
    struct fs_stat st;
    struct result r = fs_open(c, (unsigned)tree, inner, fs_flags, &e->handle, &st);
    if (hmfs_is(r, FS_ERROR_IS_DIR) && fs_flags == FS_OPEN_READ) {
        /* A directory opened for reading: allowed (fstat, fsync, opendir's way in). */
        r = fs_open(c, (unsigned)tree, inner, FS_OPEN_READ | FS_OPEN_DIRECTORY, &e->handle, &st);
    }
    if (!result_is_ok(r))
        return hmfs_error(r);
    e->size = (uint64_t)tree;
    return 0;
}

int hmfs_files_open_dir(const char *rest, struct fdtable_entry *e)
{
    return hmfs_files_open(rest, O_RDONLY | O_DIRECTORY, e);
}

/* Whether e is /.snap (no handle of the server's). */
static bool hmfs_is_snap_top(const struct fdtable_entry *e)
{
    return e->size == UINT64_MAX;
}

int hmfs_files_close(struct fdtable_entry *e)
{
    struct fs_client *c;
    if (hmfs_is_snap_top(e))
        return 0;
    int error = hmfs_client(&c);
    if (error)
        return error;
    struct result r = fs_close(c, e->handle);
    return result_is_ok(r) ? 0 : hmfs_error(r);
}

ssize_t hmfs_files_read(struct fdtable_entry *e, void *buf, size_t n)
{
    struct fs_client *c;
    if (hmfs_is_snap_top(e))
        return -EISDIR;
    int error = hmfs_client(&c);
    if (error)
        return error;
    size_t got = 0;
    struct result r = fs_read(c, e->handle, e->offset, buf, n, &got);
    if (!result_is_ok(r))
        return hmfs_error(r);
    e->offset += got;
    return (ssize_t)got;
}

ssize_t hmfs_files_write(struct fdtable_entry *e, const void *buf, size_t n)
{
    struct fs_client *c;
    if (hmfs_is_snap_top(e))
        return -EBADF;
    int error = hmfs_client(&c);
    if (error)
        return error;
    size_t done = 0;
    uint64_t end = e->offset;
    struct result r = fs_write(c, e->handle, e->offset, buf, n, &done, &end);
    if (!result_is_ok(r) && done == 0)
        return hmfs_error(r);
    e->offset = end;
    return (ssize_t)done;
}

/* Fills st from the server's answer about a file of tree. */
static void hmfs_fill_stat(const struct fs_stat *f, uint64_t tree, struct stat *st)
{
    memset(st, 0, sizeof *st);
    st->st_dev = (dev_t)(FILES_DEV_HMFS + tree);
    st->st_ino = (ino_t)f->inode;
    st->st_mode = f->type == FS_TYPE_DIR ? S_IFDIR | 0755 : S_IFREG | 0644;
    st->st_nlink = (nlink_t)f->links;
    st->st_size = (off_t)f->size;
    st->st_blksize = 4096;
    st->st_blocks = (blkcnt_t)(f->blocks * 8); /* in 512-byte units */
    st->st_mtim.tv_sec = (time_t)f->mtime;
}

/* /.snap as a directory. */
static void hmfs_snap_top_stat(struct stat *st)
{
    memset(st, 0, sizeof *st);
    st->st_dev = FILES_DEV_HMFS;
    st->st_mode = S_IFDIR | 0555;
    st->st_nlink = 2;
    st->st_blksize = 4096;
}

int hmfs_files_size(struct fdtable_entry *e, uint64_t *size)
{
    struct stat st;
    int error = hmfs_files_fstat(e, &st);
    if (!error)
        *size = (uint64_t)st.st_size;
    return error;
}

int hmfs_files_stat(const char *rest, struct stat *st)
{
    struct fs_client *c;
    int tree;
    const char *inner;
    int error = hmfs_client(&c);
    if (error == -ENODEV && strcmp(rest, "/") == 0)
        error = 0, tree = -1; /* no volume: "/" holds only /initrd */
    else if (!error)
        error = hmfs_tree(c, rest, &tree, &inner);
    if (error)
        return error;
    if (tree < 0) {
        hmfs_snap_top_stat(st);
        return 0;
    }
    struct fs_stat f;
    struct result r = fs_stat(c, (unsigned)tree, inner, &f);
    if (!result_is_ok(r))
        return hmfs_error(r);
    hmfs_fill_stat(&f, (uint64_t)tree, st);
    return 0;
}

int hmfs_files_fstat(struct fdtable_entry *e, struct stat *st)
{
    struct fs_client *c;
    if (hmfs_is_snap_top(e)) {
        hmfs_snap_top_stat(st);
        return 0;
    }
    int error = hmfs_client(&c);
    if (error)
        return error;
    struct fs_stat f;
    struct result r = fs_fstat(c, e->handle, &f);
    if (!result_is_ok(r))
        return hmfs_error(r);
    hmfs_fill_stat(&f, e->size, st);
    return 0;
}

int hmfs_files_fsync(struct fdtable_entry *e)
{
    struct fs_client *c;
    int error = hmfs_client(&c);
    if (error)
        return error;
    struct result r = hmfs_is_snap_top(e) ? fs_sync(c) : fs_fsync(c, e->handle);
    return result_is_ok(r) ? 0 : hmfs_error(r);
}

int hmfs_files_truncate(struct fdtable_entry *e, uint64_t size)
{
    struct fs_client *c;
    if (hmfs_is_snap_top(e))
        return -EINVAL;
    int error = hmfs_client(&c);
    if (error)
        return error;
    struct result r = fs_truncate(c, e->handle, size);
    return result_is_ok(r) ? 0 : hmfs_error(r);
}

int hmfs_files_mkdir(const char *rest)
{
    struct fs_client *c;
    int tree;
    const char *inner;
    int error = hmfs_locate(rest, &c, &tree, &inner);
    if (error)
        return error == -EROFS ? -EEXIST : error;
    struct result r = fs_mkdir(c, (unsigned)tree, inner, NULL);
    return result_is_ok(r) ? 0 : hmfs_error(r);
}

int hmfs_files_unlink(const char *rest)
{
    struct fs_client *c;
    int tree;
    const char *inner;
    int error = hmfs_locate(rest, &c, &tree, &inner);
    if (error)
        return error == -EROFS ? -EISDIR : error;
    struct result r = fs_unlink(c, (unsigned)tree, inner);
    return result_is_ok(r) ? 0 : hmfs_error(r);
}

int hmfs_files_rmdir(const char *rest)
{
    struct fs_client *c;
    int tree;
    const char *inner;
    int error = hmfs_locate(rest, &c, &tree, &inner);
    if (error)
        return error == -EROFS ? -EBUSY : error;
    if (inner[0] == '\0' || strcmp(inner, "/") == 0)
        return -EBUSY; /* a tree's root: it stays (a snapshot is deleted with snap delete) */
    struct result r = fs_rmdir(c, (unsigned)tree, inner);
    return result_is_ok(r) ? 0 : hmfs_error(r);
}

int hmfs_files_rename(const char *old_rest, const char *new_rest)
{
    struct fs_client *c;
    int from, to;
    const char *old_inner, *new_inner;
    int error = hmfs_locate(old_rest, &c, &from, &old_inner);
    if (!error)
        error = hmfs_locate(new_rest, &c, &to, &new_inner);
    if (error)
        return error;
    if (from != to)
        return -EXDEV; /* trees are separate: a rename cannot cross them */
    struct result r = fs_rename(c, (unsigned)from, old_inner, new_inner);
    return result_is_ok(r) ? 0 : hmfs_error(r);
}

int hmfs_files_readdir(struct fdtable_entry *e, uint64_t *cookie, struct fs_entry *out,
                       unsigned max)
{
    struct fs_client *c;
    int error = hmfs_client(&c);
    if (error)
        return error;
    unsigned count = 0;
    struct result r = fs_readdir(c, e->handle, cookie, out, max, &count);
    if (!result_is_ok(r))
        return hmfs_error(r);
    return (int)count;
}

int hmfs_files_snapshot_next(uint64_t *cookie, struct dirent *out)
{
    struct fs_client *c;
    int error = hmfs_client(&c);
    if (error)
        return error;
    for (;;) {
        struct fs_tree t;
        struct result r = fs_snapshot_list(c, (unsigned)*cookie, &t);
        if (hmfs_is(r, FS_ERROR_NOT_FOUND))
            return 0;
        if (!result_is_ok(r))
            return hmfs_error(r);
        *cookie = t.index + 1u;
        if (t.index == 0)
            continue; /* the main tree is "/" itself */
        out->d_ino = t.index;
        out->d_type = DT_DIR;
        strncpy(out->d_name, t.name, sizeof out->d_name - 1);
        out->d_name[sizeof out->d_name - 1] = '\0';
        return 1;
    }
}
