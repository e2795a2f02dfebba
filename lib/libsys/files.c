/*
 * The POSIX file calls picolibc and programs use (open, read, write, lseek, close, stat, fstat,
 * fsync, ftruncate, mkdir, unlink, rmdir, rename, chdir, getcwd, isatty): one name space with
 * the HMFS volume at "/" (hmfs_files.c) and the initrd, read-only, at "/initrd"
 * (initrd_files.c); descriptors 0-2 are the console (posix.c). Each call checks its arguments,
 * resolves paths against the current directory (lib/fspath), and hands the work to the file
 * system the path or descriptor is on. docs/userspace.md ("Files") has the details.
 */
#define _DEFAULT_SOURCE /* fsync, ftruncate, getcwd under -std=c11 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libsys/files.h"

static struct fdtable files_table;
static bool files_table_ready;
static char files_cwd[FSPATH_MAX] = "/";

/* The process's descriptor table, set up on first use (0-2 the console). */
static struct fdtable *files_fds(void)
{
    if (!files_table_ready) {
        fdtable_init(&files_table);
        files_table_ready = true;
    }
    return &files_table;
}

int files_errno(long error)
{
    if (error < 0) {
        errno = (int)-error;
        return -1;
    }
    return (int)error;
}

int files_resolve(const char *path, struct files_path *out)
{
    if (!path)
        return -EFAULT;
    switch (fspath_normalize(files_cwd, path, out->full)) {
    case FSPATH_OK:
        break;
    case FSPATH_EMPTY:
        return -ENOENT;
    case FSPATH_TOO_LONG:
        return -ENAMETOOLONG;
    default:
        return -EINVAL;
    }
    out->where = fspath_where(out->full, &out->rest);
    return 0;
}

/* The open descriptor fd: NULL with errno EBADF if it is not one. */
static struct fdtable_entry *files_entry(int fd)
{
    struct fdtable_entry *e = fdtable_get(files_fds(), fd);
    if (!e)
        errno = EBADF;
    return e;
}

/* open's flags as the descriptor's mode (FDTABLE_*). */
static unsigned files_mode(int flags)
{
    unsigned mode = 0;
    switch (flags & O_ACCMODE) {
    case O_RDONLY:
        mode = FDTABLE_READ;
        break;
    case O_WRONLY:
        mode = FDTABLE_WRITE;
        break;
    default:
        mode = FDTABLE_READ | FDTABLE_WRITE;
        break;
    }
    return mode | (flags & O_APPEND ? FDTABLE_APPEND : 0);
}

/* Opens path with flags (O_RDONLY/O_WRONLY/O_RDWR, O_CREAT, O_EXCL, O_TRUNC, O_APPEND,
   O_DIRECTORY); the mode argument is accepted and ignored (HMFS keeps no permissions). Returns
   the lowest free descriptor, or -1 with errno. */
int open(const char *path, int flags, ...)
{
    if ((flags & O_ACCMODE) == O_ACCMODE)
        return files_errno(-EINVAL);
    struct files_path p;
    int error = files_resolve(path, &p);
    if (error)
        return files_errno(error);
    unsigned mode = files_mode(flags);
    struct fdtable_entry e = {.kind = p.where == FSPATH_INITRD ? FDTABLE_INITRD : FDTABLE_HMFS,
                              .mode = mode};
    if (p.where == FSPATH_INITRD)
        error = initrd_files_open(p.rest, mode, flags & (O_CREAT | O_TRUNC), &e);
    else
        error = hmfs_files_open(p.rest, flags, &e);
    if (error)
        return files_errno(error);
    int fd = fdtable_alloc(files_fds(), e.kind, mode);
    if (fd < 0) {
        if (e.kind == FDTABLE_HMFS)
            hmfs_files_close(&e);
        return files_errno(-EMFILE);
    }
    *fdtable_get(files_fds(), fd) = e;
    return fd;
}

int creat(const char *path, mode_t mode)
{
    return open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
}

int close(int fd)
{
    struct fdtable_entry *e = files_entry(fd);
    if (!e)
        return -1;
    int error = e->kind == FDTABLE_HMFS ? hmfs_files_close(e) : 0;
    fdtable_free(files_fds(), fd);
    return files_errno(error);
}

ssize_t read(int fd, void *buf, size_t n)
{
    struct fdtable_entry *e = files_entry(fd);
    if (!e)
        return -1;
    if (!(e->mode & FDTABLE_READ))
        return files_errno(-EBADF);
    switch (e->kind) {
    case FDTABLE_CONSOLE:
        return libsys_console_read(buf, n);
    case FDTABLE_INITRD:
        return files_errno(initrd_files_read(e, buf, n));
    default:
        return files_errno(hmfs_files_read(e, buf, n));
    }
}

ssize_t write(int fd, const void *buf, size_t n)
{
    struct fdtable_entry *e = files_entry(fd);
    if (!e)
        return -1;
    if (!(e->mode & FDTABLE_WRITE))
        return files_errno(-EBADF);
    if (e->kind == FDTABLE_CONSOLE)
        return libsys_console_write(buf, n);
    return files_errno(hmfs_files_write(e, buf, n));
}

off_t lseek(int fd, off_t offset, int whence)
{
    struct fdtable_entry *e = files_entry(fd);
    if (!e)
        return -1;
    uint64_t size = 0, result;
    if (e->kind == FDTABLE_CONSOLE)
        return files_errno(-ESPIPE);
    if (e->kind == FDTABLE_INITRD)
        size = e->size;
    else if (whence == SEEK_END) {
        int error = hmfs_files_size(e, &size);
        if (error)
            return files_errno(error);
    }
    if (!fdtable_seek(e->offset, size, offset, whence, &result))
        return files_errno(-EINVAL);
    e->offset = result;
    return (off_t)result;
}

int fstat(int fd, struct stat *st)
{
    struct fdtable_entry *e = files_entry(fd);
    if (!e)
        return -1;
    memset(st, 0, sizeof *st);
    switch (e->kind) {
    case FDTABLE_CONSOLE:
        st->st_mode = S_IFCHR | 0620;
        st->st_nlink = 1;
        return 0;
    case FDTABLE_INITRD:
        return files_errno(initrd_files_fstat(e, st));
    default:
        return files_errno(hmfs_files_fstat(e, st));
    }
}

int stat(const char *restrict path, struct stat *restrict st)
{
    struct files_path p;
    int error = files_resolve(path, &p);
    if (error)
        return files_errno(error);
    memset(st, 0, sizeof *st);
    if (p.where == FSPATH_INITRD)
        return files_errno(initrd_files_stat(p.rest, st));
    return files_errno(hmfs_files_stat(p.rest, st));
}

int isatty(int fd)
{
    struct fdtable_entry *e = files_entry(fd);
    if (!e)
        return 0;
    if (e->kind != FDTABLE_CONSOLE) {
        errno = ENOTTY;
        return 0;
    }
    return 1;
}

/* Makes everything written through fd durable (HMFS commits the volume); nothing to do for the
   console and the initrd. */
int fsync(int fd)
{
    struct fdtable_entry *e = files_entry(fd);
    if (!e)
        return -1;
    return files_errno(e->kind == FDTABLE_HMFS ? hmfs_files_fsync(e) : 0);
}

int ftruncate(int fd, off_t length)
{
    struct fdtable_entry *e = files_entry(fd);
    if (!e)
        return -1;
    if (length < 0)
        return files_errno(-EINVAL);
    if (e->kind != FDTABLE_HMFS || !(e->mode & FDTABLE_WRITE))
        return files_errno(-EINVAL); /* POSIX: not open for writing, or not a file */
    return files_errno(hmfs_files_truncate(e, (uint64_t)length));
}

/* A path-only call on HMFS: the initrd is read-only (EROFS), except that what exists there is
   EEXIST for mkdir. */
static int files_path_call(const char *path, int (*hmfs_call)(const char *), bool is_mkdir)
{
    struct files_path p;
    int error = files_resolve(path, &p);
    if (error)
        return files_errno(error);
    if (p.where == FSPATH_INITRD) {
        struct stat st;
        if (is_mkdir && initrd_files_stat(p.rest, &st) == 0)
            return files_errno(-EEXIST);
        return files_errno(-EROFS);
    }
    return files_errno(hmfs_call(p.rest));
}

int mkdir(const char *path, mode_t mode)
{
    (void)mode; /* HMFS keeps no permissions */
    return files_path_call(path, hmfs_files_mkdir, true);
}

int unlink(const char *path)
{
    return files_path_call(path, hmfs_files_unlink, false);
}

int rmdir(const char *path)
{
    return files_path_call(path, hmfs_files_rmdir, false);
}

int rename(const char *old_path, const char *new_path)
{
    struct files_path from, to;
    int error = files_resolve(old_path, &from);
    if (!error)
        error = files_resolve(new_path, &to);
    if (error)
        return files_errno(error);
    if (from.where == FSPATH_INITRD || to.where == FSPATH_INITRD)
        return files_errno(from.where == to.where ? -EROFS : -EXDEV);
    return files_errno(hmfs_files_rename(from.rest, to.rest));
}

/* Changes the current directory to path, which must be a directory. */
int chdir(const char *path)
{
    struct files_path p;
    struct stat st;
    int error = files_resolve(path, &p);
    if (error)
        return files_errno(error);
    if (stat(p.full, &st) != 0)
        return -1;
    if (!S_ISDIR(st.st_mode))
        return files_errno(-ENOTDIR);
    memcpy(files_cwd, p.full, sizeof files_cwd);
    return 0;
}

char *getcwd(char *buf, size_t size)
{
    size_t n = strlen(files_cwd) + 1;
    if (!buf || size == 0) {
        errno = buf ? EINVAL : EFAULT;
        return NULL;
    }
    if (n > size) {
        errno = ERANGE;
        return NULL;
    }
    memcpy(buf, files_cwd, n);
    return buf;
}
