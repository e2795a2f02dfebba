/*
 * libsys's POSIX file calls, inside: what files.c (the calls, the descriptor table, the current
 * directory), initrd_files.c (the initrd's files under /initrd, through procsrv), hmfs_files.c
 * (the HMFS volume at /, through the file client) and dir.c (opendir, readdir) share.
 * Programs use <fcntl.h>, <unistd.h>, <sys/stat.h>, <dirent.h> and <stdio.h> instead.
 *
 * Every backend call returns 0 (or a count) on success and a negative errno on failure; the
 * POSIX call in files.c sets errno from it. Not thread-safe (one descriptor table, one
 * connection), as picolibc's stdio is not either.
 */
#ifndef MISSIVE_LIBSYS_FILES_H
#define MISSIVE_LIBSYS_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "fdtable/fdtable.h"
#include "fspath/fspath.h"

/* The console (posix.c): what fds 0-2 read and write. */
ssize_t libsys_console_write(const void *buf, size_t n);
ssize_t libsys_console_read(void *buf, size_t n);

/* A path resolved: normalised, and split by file system. */
struct files_path {
    char full[FSPATH_MAX];   /* absolute and normalised */
    enum fspath_where where; /* FSPATH_HMFS or FSPATH_INITRD */
    const char *rest;        /* inside full: the path on that file system */
};

/* Resolves path against the current directory into *out: 0 or -errno (ENOENT for "",
   ENAMETOOLONG). */
int files_resolve(const char *path, struct files_path *out);

/* The initrd (initrd_files.c). rest is the name inside it ("" the top, "etc/motd"). */
int initrd_files_open(const char *rest, unsigned mode, bool create, struct fdtable_entry *e);
ssize_t initrd_files_read(struct fdtable_entry *e, void *buf, size_t n);
int initrd_files_stat(const char *rest, struct stat *st);
int initrd_files_fstat(const struct fdtable_entry *e, struct stat *st);
/* The cookie-th file of the initrd's list and its size: true, or false past the end. */
bool initrd_files_entry(uint64_t cookie, const char **name, uint64_t *size);

/* The HMFS volume (hmfs_files.c). rest is the normalised path on it ("/", "/a/b", with
   "/.snap/NAME/..." in the snapshot or clone NAME). flags are fcntl.h's. e->handle is the
   server's handle, e->size the tree index. */
int hmfs_files_open(const char *rest, int flags, struct fdtable_entry *e);
int hmfs_files_open_dir(const char *rest, struct fdtable_entry *e);
int hmfs_files_close(struct fdtable_entry *e);
ssize_t hmfs_files_read(struct fdtable_entry *e, void *buf, size_t n);
ssize_t hmfs_files_write(struct fdtable_entry *e, const void *buf, size_t n);
int hmfs_files_size(struct fdtable_entry *e, uint64_t *size);
int hmfs_files_stat(const char *rest, struct stat *st);
int hmfs_files_fstat(struct fdtable_entry *e, struct stat *st);
int hmfs_files_fsync(struct fdtable_entry *e);
int hmfs_files_truncate(struct fdtable_entry *e, uint64_t size);
int hmfs_files_mkdir(const char *rest);
int hmfs_files_unlink(const char *rest);
int hmfs_files_rmdir(const char *rest);
int hmfs_files_rename(const char *old_rest, const char *new_rest);
/* Up to max entries of the directory handle e from *cookie (advanced) into out: how many (0 at
   the end), or -errno. */
struct dirent;
struct fs_entry;
int hmfs_files_readdir(struct fdtable_entry *e, uint64_t *cookie, struct fs_entry *out,
                       unsigned max);
/* The next snapshot or clone (the list /.snap shows) from *cookie: 1, 0 at the end, -errno. */
int hmfs_files_snapshot_next(uint64_t *cookie, struct dirent *out);

/* Sets errno to -error and returns -1 when error is negative, else returns error. */
int files_errno(long error);

#endif
