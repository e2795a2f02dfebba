/*
 * An HMFS block device on an image file, for the host tools.
 */
#ifndef MISSIVE_TOOLS_HMFS_FILEDEV_H
#define MISSIVE_TOOLS_HMFS_FILEDEV_H

#include <stdbool.h>

#include "hmfs/hmfs.h"

struct filedev {
    int fd;
    struct hmfs_device dev;
};

/* Opens path (read-only unless writable) as a device of its size in whole blocks; false with
   a message on stderr if it cannot. */
bool filedev_open(struct filedev *f, const char *path, bool writable);
void filedev_close(struct filedev *f);

#endif
