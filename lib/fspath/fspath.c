/*
 * Path normalisation and the initrd's directories (fspath.h). Pure.
 */
#include "fspath/fspath.h"

#include <string.h>

/* Appends the component [name, name + length) to out (holding *used bytes, no NUL), or, for
   "..", removes its last component. Returns false if it does not fit (with its NUL). */
static bool fspath_push(char *out, size_t *used, const char *name, size_t length)
{
    if (length == 1 && name[0] == '.')
        return true;
    if (length == 2 && name[0] == '.' && name[1] == '.') {
        while (*used > 0 && out[*used - 1] != '/')
            (*used)--;
        if (*used > 0)
            (*used)--; /* the slash before it */
        return true;
    }
    if (*used + 1 + length + 1 > FSPATH_MAX)
        return false;
    out[(*used)++] = '/';
    memcpy(out + *used, name, length);
    *used += length;
    return true;
}

/* Appends every component of path to out (see fspath_push). */
static bool fspath_push_all(char *out, size_t *used, const char *path)
{
    while (*path) {
        while (*path == '/')
            path++;
        size_t length = 0;
        while (path[length] && path[length] != '/')
            length++;
        if (length > 0 && !fspath_push(out, used, path, length))
            return false;
        path += length;
    }
    return true;
}

enum fspath_error fspath_normalize(const char *cwd, const char *path, char out[FSPATH_MAX])
{
    if (path[0] == '\0')
        return FSPATH_EMPTY;
    size_t used = 0; /* out holds "/a/b" without its NUL; "" stands for "/" */
    if (path[0] != '/') {
        if (cwd[0] != '/')
            return FSPATH_RELATIVE;
        if (!fspath_push_all(out, &used, cwd))
            return FSPATH_TOO_LONG;
    }
    if (!fspath_push_all(out, &used, path))
        return FSPATH_TOO_LONG;
    if (used == 0)
        out[used++] = '/';
    out[used] = '\0';
    return FSPATH_OK;
}

enum fspath_where fspath_where(const char *path, const char **rest)
{
    size_t n = sizeof FSPATH_INITRD_DIR - 1;
    if (strncmp(path, FSPATH_INITRD_DIR, n) == 0 && (path[n] == '\0' || path[n] == '/')) {
        *rest = path[n] ? path + n + 1 : path + n;
        return FSPATH_INITRD;
    }
    *rest = path;
    return FSPATH_HMFS;
}

enum fspath_tree fspath_tree(const char *path, const char **name, size_t *name_length,
                             const char **inner)
{
    size_t n = sizeof FSPATH_SNAP_DIR - 1;
    *inner = path;
    if (strncmp(path, FSPATH_SNAP_DIR, n) != 0 || (path[n] != '\0' && path[n] != '/'))
        return FSPATH_MAIN;
    if (path[n] == '\0')
        return FSPATH_SNAP_TOP;
    *name = path + n + 1;
    const char *slash = strchr(*name, '/');
    *name_length = slash ? (size_t)(slash - *name) : strlen(*name);
    *inner = *name + *name_length;
    return FSPATH_SNAP_TREE;
}

bool fspath_child(const char *dir, const char *file, const char **name, size_t *length,
                  bool *is_dir)
{
    size_t n = strlen(dir);
    if (n > 0) {
        if (strncmp(file, dir, n) != 0 || file[n] != '/')
            return false;
        file += n + 1;
    }
    size_t k = 0;
    while (file[k] && file[k] != '/')
        k++;
    if (k == 0)
        return false; /* "etc/" or "/x": not a name the initrd can hold, skipped */
    *name = file;
    *length = k;
    *is_dir = file[k] == '/';
    return true;
}

const char *fspath_last(const char *path, size_t *parent_length)
{
    const char *slash = strrchr(path, '/');
    *parent_length = slash == path ? 1 : (size_t)(slash - path);
    return slash + 1;
}
