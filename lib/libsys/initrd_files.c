/*
 * The initrd's files under /initrd, read-only, through procsrv (PROC_FILE_LIST, PROC_FILE_READ).
 * The initrd is a flat list of names ("etc/motd"); its directories are the prefixes of those
 * names (lib/fspath's fspath_child). The list never changes while the system runs, so it is
 * read once, on first use, and kept.
 */
#define _DEFAULT_SOURCE /* strdup under -std=c11 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "libsys/files.h"
#include "libsys/service.h"

#define INITRD_DIR_HANDLE UINT64_MAX /* an open directory's handle */

static struct initrd_file {
    char *name;
    uint64_t size;
} * initrd_files;
static uint64_t initrd_file_count;
static bool initrd_loaded;

/* Reads the initrd's list once: 0 or -errno (EIO when procsrv cannot be asked). */
static int initrd_load(void)
{
    if (initrd_loaded)
        return 0;
    struct initrd_file *files = NULL;
    uint64_t count = 0;
    for (;;) {
        char path[PROC_PATH_MAX + 1];
        uint64_t size;
        struct result r = proc_file_list(count, path, sizeof path, &size);
        if (result_is_service(r, SERVICE_NOT_FOUND))
            break;
        struct initrd_file *grown = realloc(files, (count + 1) * sizeof *files);
        char *name = result_is_ok(r) && grown ? strdup(path) : NULL;
        if (grown)
            files = grown;
        if (!name) {
            for (uint64_t i = 0; i < count; i++)
                free(files[i].name);
            free(files);
            return result_is_ok(r) ? -ENOMEM : -EIO;
        }
        files[count++] = (struct initrd_file){name, size};
    }
    initrd_files = files;
    initrd_file_count = count;
    initrd_loaded = true;
    return 0;
}

/* What rest names: 1 a file (*index), 2 a directory, 0 nothing; or -errno. */
static int initrd_lookup(const char *rest, uint64_t *index)
{
    int error = initrd_load();
    if (error)
        return error;
    if (rest[0] == '\0')
        return 2;
    size_t n = strlen(rest);
    bool dir = false;
    for (uint64_t i = 0; i < initrd_file_count; i++) {
        const char *name = initrd_files[i].name;
        if (strcmp(name, rest) == 0) {
            *index = i;
            return 1;
        }
        if (strncmp(name, rest, n) == 0 && name[n] == '/')
            dir = true;
    }
    return dir ? 2 : 0;
}

bool initrd_files_entry(uint64_t cookie, const char **name, uint64_t *size)
{
    if (initrd_load() != 0 || cookie >= initrd_file_count)
        return false;
    *name = initrd_files[cookie].name;
    *size = initrd_files[cookie].size;
    return true;
}

int initrd_files_open(const char *rest, unsigned mode, bool create, struct fdtable_entry *e)
{
    uint64_t index = 0;
    int found = initrd_lookup(rest, &index);
    if (found < 0)
        return found;
    if (mode & FDTABLE_WRITE || create)
        return -EROFS;
    if (found == 0)
        return -ENOENT;
    e->handle = found == 2 ? INITRD_DIR_HANDLE : index;
    e->size = found == 2 ? 0 : initrd_files[index].size;
    return 0;
}

ssize_t initrd_files_read(struct fdtable_entry *e, void *buf, size_t n)
{
    if (e->handle == INITRD_DIR_HANDLE)
        return -EISDIR;
    const char *path = initrd_files[e->handle].name;
    size_t done = 0;
    while (done < n && e->offset < e->size) {
        size_t got;
        struct result r = proc_file_read(path, e->offset, (char *)buf + done, n - done, &got);
        if (!result_is_ok(r))
            return done ? (ssize_t)done : -EIO;
        if (got == 0)
            break;
        done += got;
        e->offset += got;
    }
    return (ssize_t)done;
}

/* Fills st for the file index, or a directory when index is INITRD_DIR_HANDLE. */
static void initrd_fill_stat(uint64_t index, struct stat *st)
{
    memset(st, 0, sizeof *st);
    st->st_blksize = 512;
    if (index == INITRD_DIR_HANDLE) {
        st->st_mode = S_IFDIR | 0555;
        st->st_nlink = 2;
        return;
    }
    st->st_mode = S_IFREG | 0444;
    st->st_nlink = 1;
    st->st_ino = (ino_t)(index + 1);
    st->st_size = (off_t)initrd_files[index].size;
    st->st_blocks = (blkcnt_t)((initrd_files[index].size + 511) / 512);
}

int initrd_files_stat(const char *rest, struct stat *st)
{
    uint64_t index = 0;
    int found = initrd_lookup(rest, &index);
    if (found <= 0)
        return found < 0 ? found : -ENOENT;
    initrd_fill_stat(found == 2 ? INITRD_DIR_HANDLE : index, st);
    return 0;
}

int initrd_files_fstat(const struct fdtable_entry *e, struct stat *st)
{
    initrd_fill_stat(e->handle, st);
    return 0;
}
