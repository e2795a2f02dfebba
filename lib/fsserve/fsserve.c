/*
 * The file server's pure parts. See fsserve.h.
 */
#include "fsserve/fsserve.h"

#include <string.h>

#include "hmfs/hmfs.h"

unsigned fsserve_error(int hmfs_error)
{
    static const unsigned map[HMFS_ERR_COUNT] = {
        [HMFS_OK] = 0,
        [HMFS_ERR_NOSPC] = FS_ERROR_NO_SPACE,
        [HMFS_ERR_NOENT] = FS_ERROR_NOT_FOUND,
        [HMFS_ERR_EXIST] = FS_ERROR_EXISTS,
        [HMFS_ERR_NOTDIR] = FS_ERROR_NOT_DIR,
        [HMFS_ERR_ISDIR] = FS_ERROR_IS_DIR,
        [HMFS_ERR_NOTEMPTY] = FS_ERROR_NOT_EMPTY,
        [HMFS_ERR_NAMETOOLONG] = FS_ERROR_NAME_TOO_LONG,
        [HMFS_ERR_BADNAME] = FS_ERROR_BAD_NAME,
        [HMFS_ERR_ROFS] = FS_ERROR_READ_ONLY,
        [HMFS_ERR_IO] = FS_ERROR_IO,
        [HMFS_ERR_CORRUPT] = FS_ERROR_CORRUPT,
        [HMFS_ERR_INVAL] = FS_ERROR_INVALID,
        [HMFS_ERR_NOMEM] = FS_ERROR_NO_MEMORY,
        [HMFS_ERR_FBIG] = FS_ERROR_TOO_BIG,
        [HMFS_ERR_TOOMANY] = FS_ERROR_TOO_MANY,
        [HMFS_ERR_COLLISION] = FS_ERROR_COLLISION,
        [HMFS_ERR_STOPPED] = FS_ERROR_STOPPED,
    };
    if (hmfs_error < 0 || hmfs_error >= HMFS_ERR_COUNT)
        return FS_ERROR_IO; /* no such error: say the worst that is still true */
    return map[hmfs_error];
}

unsigned fsserve_path_copy(const char *path, size_t length, char *out)
{
    if (length > FS_PATH_MAX)
        return FS_ERROR_NAME_TOO_LONG;
    if (memchr(path, 0, length))
        return FS_ERROR_BAD_NAME;
    memcpy(out, path, length);
    out[length] = 0;
    return 0;
}

unsigned fsserve_path_split(char *path, const char **parent, const char **name)
{
    size_t n = strlen(path);
    while (n > 0 && path[n - 1] == '/')
        path[--n] = 0;
    if (n == 0)
        return FS_ERROR_BAD_NAME; /* the root has no name to make or remove */
    char *slash = strrchr(path, '/');
    char *last = slash ? slash + 1 : path;
    if (!strcmp(last, ".") || !strcmp(last, ".."))
        return FS_ERROR_BAD_NAME;
    if (slash) {
        *slash = 0;
        *parent = path;
    } else {
        *parent = "";
    }
    *name = last;
    return 0;
}

unsigned fsserve_tree_name_copy(const char *name, size_t length, char *out)
{
    if (length > FS_TREE_NAME_MAX)
        return FS_ERROR_NAME_TOO_LONG;
    if (length == 0 || memchr(name, 0, length) || memchr(name, '/', length))
        return FS_ERROR_BAD_NAME;
    memcpy(out, name, length);
    out[length] = 0;
    return 0;
}

void fsserve_printable(const char *text, char *out, size_t size)
{
    size_t i = 0;
    for (; text[i] && i + 1 < size; i++) {
        unsigned char b = (unsigned char)text[i];
        out[i] = b < 0x20 || b == 0x7f ? '?' : (char)b;
    }
    out[i] = 0;
}

/* A handle's number: its generation above the slot's index (FS_MAX_HANDLES <= 1 << 12). */
#define HANDLE_INDEX_BITS 12
_Static_assert(FS_MAX_HANDLES <= 1u << HANDLE_INDEX_BITS, "handle numbers hold the index");

struct fsserve_handle *fsserve_handle_new(struct fsserve_handles *t, uint64_t owner, uint64_t *id)
{
    unsigned held = 0;
    for (unsigned i = 0; i < FS_MAX_HANDLES; i++)
        if (t->slots[i].used && t->slots[i].owner == owner)
            held++;
    if (held >= FS_MAX_CLIENT_HANDLES)
        return 0;
    for (unsigned i = 0; i < FS_MAX_HANDLES; i++) {
        struct fsserve_handle *h = &t->slots[i];
        if (h->used)
            continue;
        uint32_t generation = h->generation + 1;
        if (generation == 0)
            generation = 1;
        memset(h, 0, sizeof *h);
        h->used = true;
        h->generation = generation;
        h->owner = owner;
        *id = (uint64_t)generation << HANDLE_INDEX_BITS | i;
        return h;
    }
    return 0;
}

struct fsserve_handle *fsserve_handle_get(struct fsserve_handles *t, uint64_t owner, uint64_t id)
{
    uint64_t index = id & ((1u << HANDLE_INDEX_BITS) - 1);
    if (index >= FS_MAX_HANDLES)
        return 0;
    struct fsserve_handle *h = &t->slots[index];
    if (!h->used || h->owner != owner || (id >> HANDLE_INDEX_BITS) != h->generation)
        return 0;
    return h;
}

void fsserve_handle_close(struct fsserve_handle *h)
{
    h->used = false; /* the generation stays, so the number is not reused */
}

unsigned fsserve_handle_close_owner(struct fsserve_handles *t, uint64_t owner)
{
    unsigned n = 0;
    for (unsigned i = 0; i < FS_MAX_HANDLES; i++)
        if (t->slots[i].used && t->slots[i].owner == owner) {
            fsserve_handle_close(&t->slots[i]);
            n++;
        }
    return n;
}

bool fsserve_handle_in_tree(const struct fsserve_handles *t, unsigned tree)
{
    for (unsigned i = 0; i < FS_MAX_HANDLES; i++)
        if (t->slots[i].used && t->slots[i].tree == tree)
            return true;
    return false;
}
