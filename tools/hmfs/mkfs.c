/*
 * mkfs.hmfs IMAGE SIZE [-d DIR]: makes an HMFS volume (docs/hmfs.md) in the image file IMAGE of
 * SIZE bytes (a number with an optional K, M or G suffix, rounded down to whole 4 KiB blocks),
 * creating or resizing the file; with -d, copies DIR's directories and regular files into it
 * (other kinds are skipped with a warning). Exit status 0, or 1 with a message.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "filedev.h"
#include "hmfs/crc32c.h"
#include "hmfs/hmfs.h"

static int usage(void)
{
    fprintf(stderr, "usage: mkfs.hmfs IMAGE SIZE[K|M|G] [-d DIR]\n");
    return 1;
}

/* SIZE as bytes; 0 if malformed. */
static uint64_t parse_size(const char *text)
{
    char *end;
    errno = 0;
    unsigned long long n = strtoull(text, &end, 10);
    if (errno || end == text)
        return 0;
    uint64_t unit = 1;
    if (*end == 'K' || *end == 'k')
        unit = 1024;
    else if (*end == 'M' || *end == 'm')
        unit = 1024 * 1024;
    else if (*end == 'G' || *end == 'g')
        unit = 1024 * 1024 * 1024;
    if (unit != 1)
        end++;
    if (*end || n > UINT64_MAX / unit)
        return 0;
    return n * unit;
}

static int copy_file(struct hmfs *fs, uint64_t dir, const char *name, const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        fprintf(stderr, "mkfs.hmfs: %s: %s\n", path, strerror(errno));
        return 1;
    }
    uint64_t ino;
    int rc = hmfs_create(fs, 0, dir, name, &ino);
    static char buffer[1 << 16];
    uint64_t offset = 0;
    ssize_t n = 0;
    while (rc == HMFS_OK && (n = read(fd, buffer, sizeof buffer)) > 0) {
        size_t done;
        rc = hmfs_write(fs, 0, ino, offset, buffer, (size_t)n, &done);
        offset += done;
    }
    close(fd);
    if (n < 0) {
        fprintf(stderr, "mkfs.hmfs: %s: %s\n", path, strerror(errno));
        return 1;
    }
    if (rc) {
        fprintf(stderr, "mkfs.hmfs: %s: %s\n", path, hmfs_error_name(rc));
        return 1;
    }
    return 0;
}

/* Copies the contents of the host directory path into directory dir of the volume. */
static int copy_tree(struct hmfs *fs, uint64_t dir, const char *path)
{
    DIR *d = opendir(path);
    if (!d) {
        fprintf(stderr, "mkfs.hmfs: %s: %s\n", path, strerror(errno));
        return 1;
    }
    int failed = 0;
    struct dirent *e;
    while (!failed && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        size_t length = strlen(path) + strlen(e->d_name) + 2;
        char *child = malloc(length);
        snprintf(child, length, "%s/%s", path, e->d_name);
        struct stat st;
        if (lstat(child, &st) != 0) {
            fprintf(stderr, "mkfs.hmfs: %s: %s\n", child, strerror(errno));
            failed = 1;
        } else if (S_ISDIR(st.st_mode)) {
            uint64_t sub;
            int rc = hmfs_mkdir(fs, 0, dir, e->d_name, &sub);
            if (rc) {
                fprintf(stderr, "mkfs.hmfs: %s: %s\n", child, hmfs_error_name(rc));
                failed = 1;
            } else {
                failed = copy_tree(fs, sub, child);
            }
        } else if (S_ISREG(st.st_mode)) {
            failed = copy_file(fs, dir, e->d_name, child);
        } else {
            fprintf(stderr, "mkfs.hmfs: %s: not a file or directory, skipped\n", child);
        }
        free(child);
    }
    closedir(d);
    return failed;
}

int main(int argc, char **argv)
{
    hmfs_crc32c_set(hmfs_crc32c_hardware());
    const char *image = NULL, *size_text = NULL, *from = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-d") == 0 && i + 1 < argc)
            from = argv[++i];
        else if (argv[i][0] == '-')
            return usage();
        else if (!image)
            image = argv[i];
        else if (!size_text)
            size_text = argv[i];
        else
            return usage();
    }
    if (!image || !size_text)
        return usage();
    uint64_t size = parse_size(size_text);
    uint64_t blocks = size / HMFS_BLOCK_SIZE;
    if (blocks < HMFS_MIN_BLOCKS || blocks > HMFS_MAX_BLOCKS) {
        fprintf(stderr, "mkfs.hmfs: size %s: must be %llu KiB to %llu GiB\n", size_text,
                (unsigned long long)(HMFS_MIN_BLOCKS * HMFS_BLOCK_SIZE / 1024),
                (unsigned long long)(HMFS_MAX_BLOCKS * HMFS_BLOCK_SIZE >> 30));
        return 1;
    }
    int fd = open(image, O_RDWR | O_CREAT, 0644);
    if (fd < 0 || ftruncate(fd, (off_t)(blocks * HMFS_BLOCK_SIZE)) != 0) {
        fprintf(stderr, "mkfs.hmfs: %s: %s\n", image, strerror(errno));
        return 1;
    }
    close(fd);
    struct filedev f;
    if (!filedev_open(&f, image, true))
        return 1;
    int rc = hmfs_format(&f.dev);
    struct hmfs *fs = NULL;
    if (rc == HMFS_OK)
        rc = hmfs_mount(&f.dev, NULL, &fs);
    if (rc) {
        fprintf(stderr, "mkfs.hmfs: %s: %s\n", image, hmfs_error_name(rc));
        filedev_close(&f);
        return 1;
    }
    int failed = from ? copy_tree(fs, HMFS_ROOT_INO, from) : 0;
    rc = hmfs_unmount(fs);
    if (rc) {
        fprintf(stderr, "mkfs.hmfs: %s: %s\n", image, hmfs_error_name(rc));
        failed = 1;
    }
    filedev_close(&f);
    return failed;
}
