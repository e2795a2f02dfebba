/*
 * The descriptor table (fdtable.h). Pure.
 */
#include "fdtable/fdtable.h"

#include <string.h>

void fdtable_init(struct fdtable *t)
{
    memset(t, 0, sizeof *t);
    t->entries[0] = (struct fdtable_entry){.kind = FDTABLE_CONSOLE, .mode = FDTABLE_READ};
    t->entries[1] = (struct fdtable_entry){.kind = FDTABLE_CONSOLE, .mode = FDTABLE_WRITE};
    t->entries[2] = (struct fdtable_entry){.kind = FDTABLE_CONSOLE, .mode = FDTABLE_WRITE};
}

int fdtable_alloc(struct fdtable *t, enum fdtable_kind kind, unsigned mode)
{
    for (int fd = 0; fd < FDTABLE_SIZE; fd++) {
        if (t->entries[fd].kind == FDTABLE_FREE) {
            t->entries[fd] = (struct fdtable_entry){.kind = kind, .mode = mode};
            return fd;
        }
    }
    return -1;
}

struct fdtable_entry *fdtable_get(struct fdtable *t, int fd)
{
    if (fd < 0 || fd >= FDTABLE_SIZE || t->entries[fd].kind == FDTABLE_FREE)
        return NULL;
    return &t->entries[fd];
}

void fdtable_free(struct fdtable *t, int fd)
{
    t->entries[fd] = (struct fdtable_entry){.kind = FDTABLE_FREE};
}

bool fdtable_seek(uint64_t current, uint64_t size, int64_t offset, int whence, uint64_t *result)
{
    uint64_t base;
    switch (whence) {
    case 0:
        base = 0;
        break;
    case 1:
        base = current;
        break;
    case 2:
        base = size;
        break;
    default:
        return false;
    }
    if (base > (uint64_t)INT64_MAX)
        return false;
    int64_t start = (int64_t)base;
    if (offset > 0 && start > INT64_MAX - offset)
        return false;
    if (offset < 0 && start + offset < 0)
        return false;
    *result = (uint64_t)(start + offset);
    return true;
}
