/*
 * The filesystem benchmark's rows over POSIX calls (fsbench.h).
 */
/* fsync, mkdir, opendir and their kin from the C library's headers under -std=c11. */
#define _POSIX_C_SOURCE 200809L

#include "fsbench/fsbench.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diskbench/diskbench.h"

const char *const fsbench_row_names[FSBENCH_ROW_COUNT] = {
    "write-fsync-64m", "read-64m", "create-10k", "stat-10k", "list-10k", "delete-10k",
};

bool fsbench_size_named(const char *word, struct fsbench_size *out)
{
    if (strcmp(word, "full") == 0) {
        *out = (struct fsbench_size){64ull << 20, 10000};
        return true;
    }
    if (strcmp(word, "check") == 0) {
        *out = (struct fsbench_size){1ull << 20, 100};
        return true;
    }
    return false;
}

/* Records in out->error that call on path failed with errno; returns false. */
static bool fsbench_failed(struct fsbench_outcome *out, const char *call, const char *path)
{
    snprintf(out->error, sizeof out->error, "%s %s: %s", call, path, strerror(errno));
    return false;
}

/* The big file: created, written chunk by chunk (each 4 KiB block stamped with its offset as
   the disk rows stamp theirs), fsynced, closed. */
static bool fsbench_write(const char *path, const struct fsbench_size *size, uint8_t *buffer,
                          struct fsbench_outcome *out)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return fsbench_failed(out, "open", path);
    for (uint64_t at = 0; at < size->file_bytes; at += FSBENCH_CHUNK) {
        diskbench_stamp(buffer, at, FSBENCH_CHUNK);
        ssize_t n = write(fd, buffer, FSBENCH_CHUNK);
        if (n != (ssize_t)FSBENCH_CHUNK) {
            if (n >= 0)
                errno = EIO; /* a short write: no error of its own */
            close(fd);
            return fsbench_failed(out, "write", path);
        }
        out->operations++;
        out->bytes += FSBENCH_CHUNK;
    }
    if (fsync(fd) != 0) {
        close(fd);
        return fsbench_failed(out, "fsync", path);
    }
    if (close(fd) != 0)
        return fsbench_failed(out, "close", path);
    return true;
}

/* The big file read back chunk by chunk, every block's stamp checked, then the end of the
   file (a read of 0 bytes). */
static bool fsbench_read(const char *path, const struct fsbench_size *size, uint8_t *buffer,
                         struct fsbench_outcome *out)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return fsbench_failed(out, "open", path);
    for (uint64_t at = 0; at < size->file_bytes; at += FSBENCH_CHUNK) {
        ssize_t n = read(fd, buffer, FSBENCH_CHUNK);
        if (n != (ssize_t)FSBENCH_CHUNK) {
            if (n >= 0)
                errno = EIO;
            close(fd);
            return fsbench_failed(out, "read", path);
        }
        size_t bad = diskbench_check(buffer, at, FSBENCH_CHUNK);
        if (bad != 0) {
            close(fd);
            snprintf(out->error, sizeof out->error, "read %s: %zu blocks wrong at offset %llu",
                     path, bad, (unsigned long long)at);
            return false;
        }
        out->operations++;
        out->bytes += FSBENCH_CHUNK;
    }
    ssize_t end = read(fd, buffer, 1);
    close(fd);
    if (end != 0) {
        snprintf(out->error, sizeof out->error, "read %s: %s past its %llu bytes", path,
                 end > 0 ? "data" : "an error", (unsigned long long)size->file_bytes);
        return false;
    }
    return true;
}

/* root/dir/fNNNNN of file i, into path (FSBENCH_PATH_MAX bytes). */
static void fsbench_name(char *path, const char *root, unsigned i)
{
    snprintf(path, FSBENCH_PATH_MAX, "%s/dir/f%05u", root, i);
}

/* One of the per-file rows (create, stat, delete) over every file. */
static bool fsbench_each_file(enum fsbench_row row, const char *root,
                              const struct fsbench_size *size, struct fsbench_outcome *out)
{
    char path[FSBENCH_PATH_MAX];
    for (unsigned i = 0; i < size->files; i++) {
        fsbench_name(path, root, i);
        if (row == FSBENCH_CREATE) {
            int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
            if (fd < 0)
                return fsbench_failed(out, "open", path);
            if (close(fd) != 0)
                return fsbench_failed(out, "close", path);
        } else if (row == FSBENCH_STAT) {
            struct stat st;
            if (stat(path, &st) != 0)
                return fsbench_failed(out, "stat", path);
            if (!S_ISREG(st.st_mode) || st.st_size != 0) {
                snprintf(out->error, sizeof out->error, "stat %s: not an empty file", path);
                return false;
            }
        } else if (unlink(path) != 0) {
            return fsbench_failed(out, "unlink", path);
        }
        out->operations++;
    }
    return true;
}

/* The directory listed to its end: every entry but "." and ".." counted; they must be the
   files, all of them. */
static bool fsbench_list(const char *root, const struct fsbench_size *size,
                         struct fsbench_outcome *out)
{
    char path[FSBENCH_PATH_MAX];
    snprintf(path, sizeof path, "%s/dir", root);
    DIR *d = opendir(path);
    if (!d)
        return fsbench_failed(out, "opendir", path);
    uint64_t names = 0, ours = 0;
    struct dirent *e;
    errno = 0;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        names++;
        ours += e->d_name[0] == 'f' && strlen(e->d_name) == 6;
    }
    int listing_errno = errno;
    closedir(d);
    if (listing_errno != 0) {
        errno = listing_errno;
        return fsbench_failed(out, "readdir", path);
    }
    out->operations = names;
    if (names != size->files || ours != size->files) {
        snprintf(out->error, sizeof out->error,
                 "readdir %s: %llu names, %llu of them ours, "
                 "not %u",
                 path, (unsigned long long)names, (unsigned long long)ours, size->files);
        return false;
    }
    return true;
}

bool fsbench_run(enum fsbench_row row, const char *root, const struct fsbench_size *size,
                 uint8_t *buffer, struct fsbench_outcome *out)
{
    memset(out, 0, sizeof *out);
    char path[FSBENCH_PATH_MAX];
    switch (row) {
    case FSBENCH_WRITE_FSYNC:
        snprintf(path, sizeof path, "%s/big", root);
        return fsbench_write(path, size, buffer, out);
    case FSBENCH_READ:
        snprintf(path, sizeof path, "%s/big", root);
        return fsbench_read(path, size, buffer, out);
    case FSBENCH_CREATE:
        snprintf(path, sizeof path, "%s/dir", root);
        if (mkdir(path, 0755) != 0 && errno != EEXIST)
            return fsbench_failed(out, "mkdir", path);
        return fsbench_each_file(row, root, size, out);
    case FSBENCH_STAT:
    case FSBENCH_DELETE:
        return fsbench_each_file(row, root, size, out);
    case FSBENCH_LIST:
        return fsbench_list(root, size, out);
    default:
        snprintf(out->error, sizeof out->error, "no row %d", (int)row);
        return false;
    }
}

void fsbench_format(char *line, const char *row, uint64_t operations, uint64_t bytes,
                    uint64_t ticks, uint64_t spin_ticks)
{
    snprintf(line, FSBENCH_LINE_MAX, "FS,%s,%llu,%llu,%llu,%llu", row,
             (unsigned long long)operations, (unsigned long long)bytes, (unsigned long long)ticks,
             (unsigned long long)spin_ticks);
}
