/* The initrd, read-only at USER_INITRD: programs to load, files to list. */
#include <string.h>

#include "cpio/cpio.h"
#include "procsrv.h"

static const void *archive;
static uint64_t archive_size;

void files_init(const void *data, uint64_t size)
{
    archive = data;
    archive_size = size;
}

bool files_find(const char *path, const void **data, uint64_t *size)
{
    struct cpio_entry e;
    if (cpio_find(archive, archive_size, path, &e) != CPIO_OK ||
        (e.mode & CPIO_S_IFMT) != CPIO_S_IFREG)
        return false;
    *data = e.data;
    *size = e.size;
    return true;
}

bool files_at(uint64_t index, const char **path, uint64_t *path_length, uint64_t *size)
{
    struct cpio_reader r;
    struct cpio_entry e;
    cpio_reader_init(&r, archive, archive_size);
    uint64_t n = 0;
    while (cpio_next(&r, &e) == CPIO_OK) {
        if ((e.mode & CPIO_S_IFMT) != CPIO_S_IFREG)
            continue;
        if (n++ == index) {
            *path = e.name;
            *path_length = e.name_len;
            *size = e.size;
            return true;
        }
    }
    return false;
}
