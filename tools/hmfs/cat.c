/*
 * hmfs-cat IMAGE PATH [TREE]: prints the file PATH of an HMFS image to standard output, or, for
 * a directory, its entries one a line (a directory's with a '/' after it), from the main tree
 * or the snapshot or clone TREE. For the tests and for looking into a Missive disk from the
 * host. Exit status 0, or 1 with a message naming the error (and the block, if damaged).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>

#include "filedev.h"
#include "hmfs/crc32c.h"
#include "hmfs/hmfs.h"

static int fail(struct hmfs *fs, const char *what, int rc)
{
    struct hmfs_problem p = hmfs_problem(fs);
    if (rc == HMFS_ERR_IO || rc == HMFS_ERR_CORRUPT)
        fprintf(stderr, "hmfs-cat: %s: %s (block %llu of inode %llu: %s)\n", what,
                hmfs_error_name(rc), (unsigned long long)p.block, (unsigned long long)p.inode,
                p.what ? p.what : "");
    else
        fprintf(stderr, "hmfs-cat: %s: %s\n", what, hmfs_error_name(rc));
    return 1;
}

int main(int argc, char **argv)
{
    hmfs_crc32c_set(hmfs_crc32c_hardware());
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: hmfs-cat IMAGE PATH [TREE]\n");
        return 2;
    }
    struct filedev f;
    if (!filedev_open(&f, argv[1], false))
        return 1;
    struct hmfs *fs;
    int rc = hmfs_mount(&f.dev, NULL, &fs);
    if (rc) {
        fprintf(stderr, "hmfs-cat: %s: %s\n", argv[1], hmfs_error_name(rc));
        return 1;
    }
    unsigned tree = 0;
    uint64_t ino;
    struct hmfs_stat st;
    int status = 0;
    if (argc == 4 && (rc = hmfs_tree_find(fs, argv[3], &tree)) != HMFS_OK)
        status = fail(fs, argv[3], rc);
    else if ((rc = hmfs_resolve(fs, tree, argv[2], &ino)) != HMFS_OK ||
             (rc = hmfs_stat(fs, tree, ino, &st)) != HMFS_OK)
        status = fail(fs, argv[2], rc);
    else if (st.type == HMFS_INODE_DIR) {
        uint64_t cookie = 0;
        struct hmfs_dirent e;
        while ((rc = hmfs_readdir(fs, tree, ino, &cookie, &e)) == HMFS_OK)
            printf("%s%s\n", e.name, e.type == HMFS_INODE_DIR ? "/" : "");
        if (rc != HMFS_ERR_NOENT)
            status = fail(fs, argv[2], rc);
    } else {
        static char buffer[1 << 16];
        uint64_t offset = 0;
        size_t done;
        while ((rc = hmfs_read(fs, tree, ino, offset, buffer, sizeof buffer, &done)) == HMFS_OK &&
               done > 0) {
            fwrite(buffer, 1, done, stdout);
            offset += done;
        }
        if (rc)
            status = fail(fs, argv[2], rc);
    }
    hmfs_unmount(fs);
    filedev_close(&f);
    return status;
}
