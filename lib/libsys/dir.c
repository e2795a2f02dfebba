/*
 * opendir, readdir, rewinddir and closedir (picolibc's <dirent.h>, the types in
 * lib/libsys/include/sys/dirent.h) over the three kinds of directory: an HMFS directory (a
 * handle of the server's, listed by cookie), an initrd directory (the prefixes of its flat
 * names) and /.snap (the volume's snapshots and clones). The root "/" lists "initrd" too, after
 * the volume's entries, and is there even with no file server running.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "libsys/files.h"
#include "libsys/fs_client.h"

enum dir_kind { DIR_HMFS, DIR_INITRD, DIR_SNAPSHOTS };

#define DIR_BATCH 64 /* HMFS entries one request fetches: a request per 64 names */

struct libsys_dir {
    enum dir_kind kind;
    struct fdtable_entry hmfs; /* DIR_HMFS: the open handle (not in the descriptor table) */
    bool has_handle;           /* DIR_HMFS: false for "/" with no file server */
    bool is_root;              /* "/": "initrd" is listed last */
    bool done;                 /* the file system's own entries are all listed */
    bool root_initrd_listed;
    uint64_t cookie;
    char initrd_dir[FSPATH_MAX];      /* DIR_INITRD: the directory inside the initrd */
    struct fs_entry batch[DIR_BATCH]; /* DIR_HMFS: fetched, batch_at.. not yet returned */
    unsigned batch_count, batch_at;
    struct dirent entry; /* what readdir returns */
};

DIR *opendir(const char *path)
{
    struct files_path p;
    int error = files_resolve(path, &p);
    if (error) {
        files_errno(error);
        return NULL;
    }
    DIR *d = calloc(1, sizeof *d);
    if (!d) {
        errno = ENOMEM;
        return NULL;
    }
    if (p.where == FSPATH_INITRD) {
        struct stat st;
        error = initrd_files_stat(p.rest, &st);
        if (!error && !S_ISDIR(st.st_mode))
            error = -ENOTDIR;
        d->kind = DIR_INITRD;
        strcpy(d->initrd_dir, p.rest);
    } else {
        d->is_root = strcmp(p.rest, "/") == 0;
        error = hmfs_files_open_dir(p.rest, &d->hmfs);
        d->has_handle = error == 0;
        d->kind = d->has_handle && d->hmfs.size == UINT64_MAX ? DIR_SNAPSHOTS : DIR_HMFS;
        if (error == -ENODEV && d->is_root)
            error = 0; /* no volume: "/" holds only the initrd */
    }
    if (error) {
        free(d);
        files_errno(error);
        return NULL;
    }
    return d;
}

/* The next child of the initrd directory from d->cookie on that no earlier file gave: 1, or 0
   at the end. */
static int dir_initrd_next(DIR *d)
{
    const char *file, *name;
    uint64_t size;
    while (initrd_files_entry(d->cookie, &file, &size)) {
        uint64_t index = d->cookie++;
        size_t length;
        bool is_dir;
        if (!fspath_child(d->initrd_dir, file, &name, &length, &is_dir) || length > MAXNAMLEN)
            continue;
        bool seen = false; /* a directory shows once, at its first file */
        for (uint64_t i = 0; i < index && !seen; i++) {
            const char *other, *other_name;
            size_t other_length;
            bool other_dir;
            uint64_t other_size;
            seen = initrd_files_entry(i, &other, &other_size) &&
                   fspath_child(d->initrd_dir, other, &other_name, &other_length, &other_dir) &&
                   other_length == length && memcmp(other_name, name, length) == 0;
        }
        if (seen)
            continue;
        memcpy(d->entry.d_name, name, length);
        d->entry.d_name[length] = '\0';
        d->entry.d_type = is_dir ? DT_DIR : DT_REG;
        d->entry.d_ino = (ino_t)(is_dir ? 0 : index + 1);
        return 1;
    }
    return 0;
}

/* The next HMFS entry, from the batch or a new one: 1, 0 at the end, or -errno. */
static int dir_hmfs_next(DIR *d)
{
    if (d->batch_at == d->batch_count) {
        int got = hmfs_files_readdir(&d->hmfs, &d->cookie, d->batch, DIR_BATCH);
        if (got <= 0)
            return got;
        d->batch_count = (unsigned)got;
        d->batch_at = 0;
    }
    const struct fs_entry *e = &d->batch[d->batch_at++];
    d->entry.d_ino = (ino_t)e->inode;
    d->entry.d_type = e->type == FS_TYPE_DIR ? DT_DIR : DT_REG;
    /* The name and its NUL only: strncpy would fill the rest of d_name's 256 bytes with zeros,
       a byte at a time in picolibc (most of a listing's instructions per name). */
    size_t length = strlen(e->name); /* NUL-terminated by fs_readdir, FS_NAME_MAX at most */
    if (length > sizeof d->entry.d_name - 1)
        length = sizeof d->entry.d_name - 1;
    memcpy(d->entry.d_name, e->name, length);
    d->entry.d_name[length] = '\0';
    return 1;
}

struct dirent *readdir(DIR *d)
{
    int got = 0;
    if (!d->done) {
        switch (d->kind) {
        case DIR_INITRD:
            got = dir_initrd_next(d);
            break;
        case DIR_SNAPSHOTS:
            got = hmfs_files_snapshot_next(&d->cookie, &d->entry);
            break;
        default:
            got = d->has_handle ? dir_hmfs_next(d) : 0;
            break;
        }
        if (got < 0) {
            files_errno(got);
            return NULL; /* errno set: an error, not the end */
        }
        if (got > 0)
            return &d->entry;
        d->done = true;
    }
    if (d->is_root && !d->root_initrd_listed) {
        d->root_initrd_listed = true;
        strcpy(d->entry.d_name, FSPATH_INITRD_DIR + 1);
        d->entry.d_type = DT_DIR;
        d->entry.d_ino = 0;
        return &d->entry;
    }
    return NULL;
}

void rewinddir(DIR *d)
{
    d->cookie = 0;
    d->batch_count = d->batch_at = 0;
    d->done = false;
    d->root_initrd_listed = false;
}

int closedir(DIR *d)
{
    int error = d->kind != DIR_INITRD && d->has_handle ? hmfs_files_close(&d->hmfs) : 0;
    free(d);
    return files_errno(error);
}
