/*
 * fsck.hmfs [-n|-y] IMAGE: checks an HMFS volume (every checksum, every invariant of
 * docs/hmfs.md; lib/hmfs/check.c). -n (the default) only reports; -y repairs what can be
 * repaired. Exit status as e2fsck's: 0 no errors, 1 errors corrected, 4 errors left
 * uncorrected, 8 operational error, 16 usage error.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>

#include "filedev.h"
#include "hmfs/crc32c.h"
#include "hmfs/hmfs.h"

static void print_line(void *context, const char *line)
{
    (void)context;
    printf("%s\n", line);
}

int main(int argc, char **argv)
{
    hmfs_crc32c_set(hmfs_crc32c_hardware());
    bool repair = false;
    const char *image = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-n") == 0)
            repair = false;
        else if (strcmp(argv[i], "-y") == 0)
            repair = true;
        else if (argv[i][0] != '-' && !image)
            image = argv[i];
        else
            image = NULL, i = argc;
    }
    if (!image) {
        fprintf(stderr, "usage: fsck.hmfs [-n|-y] IMAGE\n");
        return 16;
    }
    struct filedev f;
    if (!filedev_open(&f, image, repair))
        return 8;
    struct hmfs_check_options o = {repair, print_line, NULL, 1024};
    struct hmfs_check_result r;
    int rc = hmfs_check(&f.dev, &o, &r);
    filedev_close(&f);
    if (rc) {
        fprintf(stderr, "fsck.hmfs: %s: %s\n", image, hmfs_error_name(rc));
        return 8;
    }
    printf("%s: %llu blocks, %llu inodes checked: %u errors, %u repaired, %u left\n", image,
           (unsigned long long)r.blocks, (unsigned long long)r.inodes, r.errors, r.repaired,
           r.remaining);
    if (r.errors == 0)
        return 0;
    return r.remaining == 0 ? 1 : 4;
}
