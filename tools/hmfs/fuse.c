/*
 * hmfs-fuse [--tree NAME] IMAGE MOUNTPOINT [FUSE options]: mounts an HMFS image on Linux through
 * libfuse3, so files can be copied in and out of a Missive disk (docs/hmfs.md, "Host tools").
 * The main tree, or the snapshot or clone NAME (a snapshot read-only). Runs single-threaded
 * (the library is not thread-safe); fsync commits, and so does unmounting (fusermount3 -u).
 */
#define FUSE_USE_VERSION 31
#define _POSIX_C_SOURCE  200809L
#include <errno.h>
#include <fuse.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "filedev.h"
#include "hmfs/crc32c.h"
#include "hmfs/hmfs.h"

static struct filedev image;
static struct hmfs *fs;
static unsigned tree;

static int to_errno(int rc)
{
    static const int table[HMFS_ERR_COUNT] = {
        [HMFS_OK] = 0,
        [HMFS_ERR_NOSPC] = ENOSPC,
        [HMFS_ERR_NOENT] = ENOENT,
        [HMFS_ERR_EXIST] = EEXIST,
        [HMFS_ERR_NOTDIR] = ENOTDIR,
        [HMFS_ERR_ISDIR] = EISDIR,
        [HMFS_ERR_NOTEMPTY] = ENOTEMPTY,
        [HMFS_ERR_NAMETOOLONG] = ENAMETOOLONG,
        [HMFS_ERR_BADNAME] = EINVAL,
        [HMFS_ERR_ROFS] = EROFS,
        [HMFS_ERR_IO] = EIO,
        [HMFS_ERR_CORRUPT] = EIO,
        [HMFS_ERR_INVAL] = EINVAL,
        [HMFS_ERR_NOMEM] = ENOMEM,
        [HMFS_ERR_FBIG] = EFBIG,
        [HMFS_ERR_TOOMANY] = ENOSPC,
        [HMFS_ERR_COLLISION] = EEXIST,
        [HMFS_ERR_STOPPED] = EIO,
    };
    if (rc < 0 || rc >= HMFS_ERR_COUNT)
        return -EIO;
    if (rc == HMFS_ERR_IO || rc == HMFS_ERR_CORRUPT) {
        struct hmfs_problem p = hmfs_problem(fs);
        fprintf(stderr, "hmfs-fuse: %s: block %llu of inode %llu: %s\n", hmfs_error_name(rc),
                (unsigned long long)p.block, (unsigned long long)p.inode, p.what ? p.what : "");
    }
    return -table[rc];
}

/* The directory holding path and the last component of path (in name, NAME_MAX + 1). */
static int split(const char *path, uint64_t *dir, char *name)
{
    const char *slash = strrchr(path, '/');
    if (!slash || strlen(slash + 1) > HMFS_NAME_MAX)
        return slash ? -ENAMETOOLONG : -EINVAL;
    strcpy(name, slash + 1);
    size_t n = (size_t)(slash - path);
    char *parent = malloc(n + 2);
    memcpy(parent, path, n);
    parent[n] = '\0';
    int rc = hmfs_resolve(fs, tree, n ? parent : "/", dir);
    free(parent);
    return to_errno(rc);
}

static int hf_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
    uint64_t ino;
    int rc = fi ? (ino = fi->fh, HMFS_OK) : hmfs_resolve(fs, tree, path, &ino);
    struct hmfs_stat s;
    if (rc == HMFS_OK)
        rc = hmfs_stat(fs, tree, ino, &s);
    if (rc)
        return to_errno(rc);
    memset(st, 0, sizeof *st);
    st->st_ino = s.ino;
    st->st_mode = s.type == HMFS_INODE_DIR ? S_IFDIR | 0755 : S_IFREG | 0644;
    st->st_nlink = s.nlink;
    st->st_size = (off_t)s.size;
    st->st_blocks = (blkcnt_t)((s.size + 511) / 512);
    st->st_mtime = (time_t)s.mtime;
    st->st_uid = getuid();
    st->st_gid = getgid();
    return 0;
}

static int hf_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t offset,
                      struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
    (void)offset, (void)fi, (void)flags;
    uint64_t dir, cookie = 0;
    int rc = hmfs_resolve(fs, tree, path, &dir);
    if (rc)
        return to_errno(rc);
    fill(buf, ".", NULL, 0, 0);
    fill(buf, "..", NULL, 0, 0);
    struct hmfs_dirent e;
    while ((rc = hmfs_readdir(fs, tree, dir, &cookie, &e)) == HMFS_OK)
        fill(buf, e.name, NULL, 0, 0);
    return rc == HMFS_ERR_NOENT ? 0 : to_errno(rc);
}

static int hf_open(const char *path, struct fuse_file_info *fi)
{
    uint64_t ino;
    int rc = hmfs_resolve(fs, tree, path, &ino);
    if (rc == HMFS_OK && (fi->flags & O_TRUNC))
        rc = hmfs_truncate(fs, tree, ino, 0);
    fi->fh = ino;
    return to_errno(rc);
}

static int hf_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
    (void)mode;
    uint64_t dir, ino;
    char name[HMFS_NAME_MAX + 1];
    int rc = split(path, &dir, name);
    if (rc)
        return rc;
    rc = hmfs_create(fs, tree, dir, name, &ino);
    fi->fh = ino;
    return to_errno(rc);
}

static int hf_read(const char *path, char *buf, size_t size, off_t offset,
                   struct fuse_file_info *fi)
{
    (void)path;
    size_t done;
    int rc = hmfs_read(fs, tree, fi->fh, (uint64_t)offset, buf, size, &done);
    return rc ? to_errno(rc) : (int)done;
}

static int hf_write(const char *path, const char *buf, size_t size, off_t offset,
                    struct fuse_file_info *fi)
{
    (void)path;
    size_t done;
    int rc = hmfs_write(fs, tree, fi->fh, (uint64_t)offset, buf, size, &done);
    return rc && done == 0 ? to_errno(rc) : (int)done;
}

static int hf_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
    uint64_t ino;
    int rc = fi ? (ino = fi->fh, HMFS_OK) : hmfs_resolve(fs, tree, path, &ino);
    if (rc == HMFS_OK)
        rc = hmfs_truncate(fs, tree, ino, (uint64_t)size);
    return to_errno(rc);
}

static int hf_mkdir(const char *path, mode_t mode)
{
    (void)mode;
    uint64_t dir;
    char name[HMFS_NAME_MAX + 1];
    int rc = split(path, &dir, name);
    return rc ? rc : to_errno(hmfs_mkdir(fs, tree, dir, name, NULL));
}

static int hf_unlink(const char *path)
{
    uint64_t dir;
    char name[HMFS_NAME_MAX + 1];
    int rc = split(path, &dir, name);
    return rc ? rc : to_errno(hmfs_unlink(fs, tree, dir, name));
}

static int hf_rmdir(const char *path)
{
    uint64_t dir;
    char name[HMFS_NAME_MAX + 1];
    int rc = split(path, &dir, name);
    return rc ? rc : to_errno(hmfs_rmdir(fs, tree, dir, name));
}

static int hf_rename(const char *from, const char *to, unsigned int flags)
{
    if (flags)
        return -EINVAL; /* RENAME_EXCHANGE and RENAME_NOREPLACE: not supported */
    uint64_t from_dir, to_dir;
    char from_name[HMFS_NAME_MAX + 1], to_name[HMFS_NAME_MAX + 1];
    int rc = split(from, &from_dir, from_name);
    if (rc == 0)
        rc = split(to, &to_dir, to_name);
    return rc ? rc : to_errno(hmfs_rename(fs, tree, from_dir, from_name, to_dir, to_name));
}

static int hf_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
    (void)path, (void)datasync, (void)fi;
    return to_errno(hmfs_sync(fs));
}

static int hf_statfs(const char *path, struct statvfs *out)
{
    (void)path;
    struct hmfs_statfs s;
    int rc = hmfs_statfs(fs, &s);
    memset(out, 0, sizeof *out);
    out->f_bsize = HMFS_BLOCK_SIZE;
    out->f_frsize = HMFS_BLOCK_SIZE;
    out->f_blocks = s.block_count;
    out->f_bfree = s.free_blocks;
    out->f_bavail = s.free_blocks;
    out->f_namemax = HMFS_NAME_MAX;
    return to_errno(rc);
}

/* Times, owners and modes are not kept: accepted so that cp -p and friends work. */
static int hf_utimens(const char *path, const struct timespec tv[2], struct fuse_file_info *fi)
{
    (void)tv;
    return hf_getattr(path, &(struct stat){0}, fi);
}

static int hf_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
    (void)mode;
    return hf_getattr(path, &(struct stat){0}, fi);
}

static void hf_destroy(void *data)
{
    (void)data;
    int rc = hmfs_unmount(fs);
    if (rc)
        fprintf(stderr, "hmfs-fuse: unmount: %s\n", hmfs_error_name(rc));
    filedev_close(&image);
}

static const struct fuse_operations operations = {
    .getattr = hf_getattr,
    .readdir = hf_readdir,
    .open = hf_open,
    .create = hf_create,
    .read = hf_read,
    .write = hf_write,
    .truncate = hf_truncate,
    .mkdir = hf_mkdir,
    .unlink = hf_unlink,
    .rmdir = hf_rmdir,
    .rename = hf_rename,
    .fsync = hf_fsync,
    .statfs = hf_statfs,
    .utimens = hf_utimens,
    .chmod = hf_chmod,
    .destroy = hf_destroy,
};

int main(int argc, char **argv)
{
    hmfs_crc32c_set(hmfs_crc32c_hardware());
    const char *tree_name = NULL;
    int first = 1;
    if (argc > 2 && strcmp(argv[1], "--tree") == 0) {
        tree_name = argv[2];
        first = 3;
    }
    if (argc - first < 2) {
        fprintf(stderr, "usage: hmfs-fuse [--tree NAME] IMAGE MOUNTPOINT [FUSE options]\n");
        return 2;
    }
    if (!filedev_open(&image, argv[first], true))
        return 1;
    int rc = hmfs_mount(&image.dev, NULL, &fs);
    if (rc == HMFS_OK && tree_name)
        rc = hmfs_tree_find(fs, tree_name, &tree);
    if (rc) {
        fprintf(stderr, "hmfs-fuse: %s: %s\n", argv[first], hmfs_error_name(rc));
        return 1;
    }
    /* FUSE's arguments: the mount point, single-threaded, then the user's options. */
    char **fuse_argv = calloc((size_t)argc + 2, sizeof *fuse_argv);
    int n = 0;
    fuse_argv[n++] = argv[0];
    fuse_argv[n++] = argv[first + 1];
    fuse_argv[n++] = "-s";
    for (int i = first + 2; i < argc; i++)
        fuse_argv[n++] = argv[i];
    return fuse_main(n, fuse_argv, &operations, NULL);
}
