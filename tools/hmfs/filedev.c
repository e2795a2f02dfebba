/*
 * The image-file block device of the host tools (filedev.h): pread/pwrite, and fdatasync for
 * flushes and FUA writes.
 */
#define _POSIX_C_SOURCE 200809L
#include "filedev.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fd_read(void *context, uint64_t block, void *data)
{
    struct filedev *f = context;
    ssize_t n = pread(f->fd, data, HMFS_BLOCK_SIZE, (off_t)(block * HMFS_BLOCK_SIZE));
    return n == HMFS_BLOCK_SIZE ? 0 : -1;
}

static int fd_write(void *context, uint64_t block, const void *data)
{
    struct filedev *f = context;
    ssize_t n = pwrite(f->fd, data, HMFS_BLOCK_SIZE, (off_t)(block * HMFS_BLOCK_SIZE));
    return n == HMFS_BLOCK_SIZE ? 0 : -1;
}

static int fd_flush(void *context)
{
    struct filedev *f = context;
    return fdatasync(f->fd);
}

static int fd_write_fua(void *context, uint64_t block, const void *data)
{
    int rc = fd_write(context, block, data);
    return rc ? rc : fd_flush(context);
}

bool filedev_open(struct filedev *f, const char *path, bool writable)
{
    f->fd = open(path, writable ? O_RDWR : O_RDONLY);
    if (f->fd < 0) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        return false;
    }
    struct stat st;
    if (fstat(f->fd, &st) != 0) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        close(f->fd);
        return false;
    }
    f->dev = (struct hmfs_device){f,
                                  (uint64_t)st.st_size / HMFS_BLOCK_SIZE,
                                  fd_read,
                                  fd_write,
                                  fd_write_fua,
                                  fd_flush,
                                  NULL,
                                  NULL};
    return true;
}

void filedev_close(struct filedev *f)
{
    close(f->fd);
}
