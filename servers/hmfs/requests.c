/*
 * The file requests (lib/proto/fs.h): each handler decodes its request, checking every
 * argument in order and naming the first bad one, then performs it on the volume. Paths and
 * names are copied out of the client's buffer before they are looked at.
 */
#include <stdio.h>
#include <string.h>

#include "hmfsd.h"

/* The one retry every allocating request makes: true when rc is HMFS_ERR_NOSPC and a commit
   was made (there was something to commit: the blocks changes freed since the last commit are
   free only after it), so the caller tries once more. */
static bool retry_after_no_space(int rc)
{
    return rc == HMFS_ERR_NOSPC && hmfsd.dirty && volume_commit("no space") == 0;
}

long fail(struct hmfsd_client *c, int error, unsigned tree, const char *path)
{
    if (error == HMFS_ERR_IO || error == HMFS_ERR_CORRUPT) {
        struct hmfs_problem p = hmfs_problem(hmfsd.fs);
        static char shown[FS_PATH_MAX + 1]; /* the client's bytes, control bytes as '?' */
        fsserve_printable(path ? path : "", shown, sizeof shown);
        printf("hmfs: %s reading %s%s (tree %u, inode %llu): block %llu: %s\n",
               hmfs_error_name(error), *shown == '/' ? "" : "/", shown, tree,
               (unsigned long long)p.inode, (unsigned long long)p.block, p.what ? p.what : "");
        if (c) {
            c->has_problem = true;
            c->problem_error = fsserve_error(error);
            c->problem_tree = tree;
            c->problem = p;
            snprintf(c->problem_path, sizeof c->problem_path, "%s", path ? path : "");
        }
    }
    return (long)fsserve_error(error);
}

/* The path at words first, first + 1 of call into out (FS_PATH_MAX + 1 bytes): 0 or the
   status (take_bytes). */
static long take_path(struct server_call *call, unsigned first, char *out)
{
    return take_bytes(call, first, FS_PATH_MAX, fsserve_path_copy, out);
}

/* A tree index in word i of call: 0, or the bad argument set. */
static long check_tree(struct server_call *call, unsigned i)
{
    if (word(call, i) >= FS_MAX_TREES)
        return server_bad_argument(call, i, 0, FS_MAX_TREES - 1);
    return 0;
}

/* The caller's handle named by word 0: NULL with *status set if there is none. */
static struct fsserve_handle *take_handle(struct server_call *call, long *status)
{
    struct hmfsd_client *c = call->client;
    struct fsserve_handle *h = fsserve_handle_get(&hmfsd.handles, c->pid, word(call, 0));
    if (!h)
        *status = FS_ERROR_BAD_HANDLE;
    return h;
}

/* Puts st into the reply as FS_STAT answers. */
static void put_stat(struct server_call *call, const struct hmfs_stat *st)
{
    request_set_word(&call->out, FS_STAT_MR_INODE, st->ino);
    request_set_word(&call->out, FS_STAT_MR_TYPE,
                     st->type == HMFS_INODE_DIR ? FS_TYPE_DIR : FS_TYPE_FILE);
    request_set_word(&call->out, FS_STAT_MR_LINKS, st->nlink);
    request_set_word(&call->out, FS_STAT_MR_SIZE, st->size);
    request_set_word(&call->out, FS_STAT_MR_MTIME, st->mtime);
    request_set_word(&call->out, FS_STAT_MR_BLOCKS, st->blocks);
}

/* Creates the file path names in tree (its parent must exist): *ino. */
static int create_file(unsigned tree, char *path, uint64_t *ino)
{
    const char *parent, *name;
    char copy[FS_PATH_MAX + 1];
    strcpy(copy, path);
    unsigned bad = fsserve_path_split(copy, &parent, &name);
    if (bad)
        return HMFS_ERR_BADNAME;
    uint64_t dir;
    int rc = hmfs_resolve(hmfsd.fs, tree, parent, &dir);
    if (!rc)
        rc = hmfs_create(hmfsd.fs, tree, dir, name, ino);
    if (retry_after_no_space(rc))
        rc = hmfs_create(hmfsd.fs, tree, dir, name, ino);
    return rc;
}

/* FS_OPEN: MR0 tree, MR1 flags, MR2-MR3 path. */
long handle_open(struct server_call *call)
{
    long status = check_tree(call, 0);
    if (status)
        return status;
    unsigned tree = (unsigned)word(call, 0);
    uint64_t flags = word(call, 1);
    bool write = flags & FS_OPEN_WRITE;
    if ((flags & ~(uint64_t)FS_OPEN_ALL) ||
        ((flags & (FS_OPEN_TRUNCATE | FS_OPEN_APPEND)) && !write) ||
        ((flags & FS_OPEN_DIRECTORY) && (flags & (FS_OPEN_WRITE | FS_OPEN_CREATE))))
        return server_bad_argument(call, 1, 0, FS_OPEN_ALL);
    char path[FS_PATH_MAX + 1];
    if ((status = take_path(call, 2, path)))
        return status;

    struct hmfsd_client *c = call->client;
    uint64_t ino;
    int rc = hmfs_resolve(hmfsd.fs, tree, path, &ino);
    if (!rc && (flags & FS_OPEN_CREATE) && (flags & FS_OPEN_EXCLUSIVE))
        return FS_ERROR_EXISTS;
    if (rc == HMFS_ERR_NOENT && (flags & FS_OPEN_CREATE)) {
        if (volume_tree_read_only(tree))
            return FS_ERROR_READ_ONLY;
        rc = create_file(tree, path, &ino);
        if (!rc)
            volume_changed();
    }
    struct hmfs_stat st;
    if (!rc)
        rc = hmfs_stat(hmfsd.fs, tree, ino, &st);
    if (rc)
        return fail(c, rc, tree, path);
    if (st.type == HMFS_INODE_DIR && !(flags & FS_OPEN_DIRECTORY))
        return FS_ERROR_IS_DIR;
    if (st.type != HMFS_INODE_DIR && (flags & FS_OPEN_DIRECTORY))
        return FS_ERROR_NOT_DIR;
    if (write && volume_tree_read_only(tree))
        return FS_ERROR_READ_ONLY;
    if (flags & FS_OPEN_TRUNCATE && st.size) {
        if ((rc = hmfs_truncate(hmfsd.fs, tree, ino, 0)))
            return fail(c, rc, tree, path);
        st.size = 0;
        volume_changed();
    }
    uint64_t id;
    struct fsserve_handle *h = fsserve_handle_new(&hmfsd.handles, c->pid, &id);
    while (!h && clients_sweep(1)) /* the dead's handles make room */
        h = fsserve_handle_new(&hmfsd.handles, c->pid, &id);
    if (!h)
        return FS_ERROR_TOO_MANY;
    h->tree = tree;
    h->inode = ino;
    h->flags = (unsigned)flags;
    snprintf(h->path, sizeof h->path, "%s", path);
    request_set_word(&call->out, 0, id);
    request_set_word(&call->out, 1, ino);
    request_set_word(&call->out, 2, st.size);
    request_set_word(&call->out, 3, st.type == HMFS_INODE_DIR ? FS_TYPE_DIR : FS_TYPE_FILE);
    return SERVICE_OK;
}

/* FS_CLOSE: MR0 handle. */
long handle_close(struct server_call *call)
{
    long status;
    struct fsserve_handle *h = take_handle(call, &status);
    if (!h)
        return status;
    fsserve_handle_close(h);
    return SERVICE_OK;
}

/* The checks FS_READ and FS_WRITE share: the handle, its mode, and the buffer range (MR2,
   MR3). NULL with *status set on failure. */
static struct fsserve_handle *io_request(struct server_call *call, unsigned need, uint8_t **bytes,
                                         long *status)
{
    struct fsserve_handle *h = take_handle(call, status);
    if (!h)
        return 0;
    uint64_t length = word(call, 3);
    if (length > FS_IO_MAX) {
        *status = server_bad_argument(call, 3, 0, FS_IO_MAX);
        return 0;
    }
    if (!(*bytes = client_bytes(call->client, word(call, 2), length))) {
        *status = server_bad_argument(call, 2, 0, 0);
        return 0;
    }
    if (!(h->flags & need)) {
        *status = FS_ERROR_ACCESS;
        return 0;
    }
    return h;
}

/* FS_READ: MR0 handle, MR1 file offset, MR2 buffer offset, MR3 length. */
long handle_read(struct server_call *call)
{
    long status;
    uint8_t *bytes;
    struct fsserve_handle *h = io_request(call, FS_OPEN_READ, &bytes, &status);
    if (!h)
        return status;
    size_t done = 0;
    int rc = hmfs_read(hmfsd.fs, h->tree, h->inode, word(call, 1), bytes, word(call, 3), &done);
    if (rc && !done)
        return fail(call->client, rc, h->tree, h->path);
    request_set_word(&call->out, 0, done);
    return SERVICE_OK;
}

/* FS_WRITE: MR0 handle, MR1 file offset, MR2 buffer offset, MR3 length. */
long handle_write(struct server_call *call)
{
    long status;
    uint8_t *bytes;
    struct fsserve_handle *h = io_request(call, FS_OPEN_WRITE, &bytes, &status);
    if (!h)
        return status;
    uint64_t offset = word(call, 1), length = word(call, 3);
    struct hmfs_stat st;
    int rc = hmfs_stat(hmfsd.fs, h->tree, h->inode, &st);
    if (rc)
        return fail(call->client, rc, h->tree, h->path);
    if (h->flags & FS_OPEN_APPEND)
        offset = st.size;
    size_t done = 0;
    if (length) {
        rc = hmfs_write(hmfsd.fs, h->tree, h->inode, offset, bytes, length, &done);
        if (retry_after_no_space(rc)) {
            /* Blocks freed since the last commit come back with a commit: try the rest. */
            size_t more = 0;
            rc = hmfs_write(hmfsd.fs, h->tree, h->inode, offset + done, bytes + done, length - done,
                            &more);
            done += more;
        }
        if (done)
            volume_changed();
        if (rc && !done)
            return fail(call->client, rc, h->tree, h->path);
    }
    uint64_t end = offset + done;
    request_set_word(&call->out, 0, done);
    request_set_word(&call->out, 1, offset);
    request_set_word(&call->out, 2, end > st.size ? end : st.size);
    return SERVICE_OK;
}

/* FS_STAT: MR0 tree, MR1-MR2 path. */
long handle_stat(struct server_call *call)
{
    long status = check_tree(call, 0);
    char path[FS_PATH_MAX + 1];
    if (status || (status = take_path(call, 1, path)))
        return status;
    unsigned tree = (unsigned)word(call, 0);
    uint64_t ino;
    struct hmfs_stat st;
    int rc = hmfs_resolve(hmfsd.fs, tree, path, &ino);
    if (!rc)
        rc = hmfs_stat(hmfsd.fs, tree, ino, &st);
    if (rc)
        return fail(call->client, rc, tree, path);
    put_stat(call, &st);
    return SERVICE_OK;
}

/* FS_FSTAT: MR0 handle. */
long handle_fstat(struct server_call *call)
{
    long status;
    struct fsserve_handle *h = take_handle(call, &status);
    if (!h)
        return status;
    struct hmfs_stat st;
    int rc = hmfs_stat(hmfsd.fs, h->tree, h->inode, &st);
    if (rc)
        return fail(call->client, rc, h->tree, h->path);
    put_stat(call, &st);
    return SERVICE_OK;
}

/* A READDIR reply being filled: the client's buffer, its room, the records' count and limit,
   and the cookie after the last record placed. */
struct readdir_reply {
    uint8_t *bytes;
    uint64_t length, at, records, most, cookie;
};

/* Places one entry in the client's buffer if the reply has room for the largest record and
   the count allows one more; false to stop (the entry is then the next call's first). */
static bool readdir_place(void *context, const struct hmfs_dirent *d, uint64_t next_cookie)
{
    struct readdir_reply *r = context;
    if (r->records >= r->most || r->at + FS_DIRENT_MAX > r->length)
        return false;
    size_t n = strlen(d->name);
    /* The record goes into the client's memory, which it may change under us: the offset
       advances by what was meant, never by what is read back. */
    uint16_t record = (uint16_t)FS_DIRENT_SIZE(n);
    struct fs_dirent *out = (struct fs_dirent *)(r->bytes + r->at);
    out->inode = d->ino;
    out->type = d->type == HMFS_INODE_DIR ? FS_TYPE_DIR : FS_TYPE_FILE;
    out->name_length = (uint16_t)n;
    out->record_length = record;
    memcpy(out->name, d->name, n + 1);
    r->at += record;
    r->records++;
    r->cookie = next_cookie;
    return true;
}

/* FS_READDIR: MR0 handle, MR1 cookie, MR2 buffer offset, MR3 length, MR4 most records. */
long handle_readdir(struct server_call *call)
{
    long status;
    struct fsserve_handle *h = take_handle(call, &status);
    if (!h)
        return status;
    uint64_t cookie = word(call, 1), length = word(call, 3), most = word(call, 4);
    if (length < FS_DIRENT_MAX || length > FS_IO_MAX)
        return server_bad_argument(call, 3, FS_DIRENT_MAX, FS_IO_MAX);
    uint8_t *bytes = client_bytes(call->client, word(call, 2), length);
    if (!bytes || (word(call, 2) & 7))
        return server_bad_argument(call, 2, 0, 0);
    if (most == 0)
        return server_bad_argument(call, 4, 1, UINT64_MAX);
    if (!(h->flags & FS_OPEN_DIRECTORY))
        return FS_ERROR_NOT_DIR;
    struct readdir_reply r = {bytes, length, 0, 0, most, cookie};
    uint64_t next = cookie, end = 0;
    /* One pass over the directory's buckets for the whole reply. */
    int rc = hmfs_readdir_many(hmfsd.fs, h->tree, h->inode, &next, readdir_place, &r);
    if (rc == HMFS_ERR_NOENT) {
        end = 1;
        r.cookie = next;
    } else if (rc == HMFS_OK) {
        r.cookie = next;
    } else if (!r.records) {
        return fail(call->client, rc, h->tree, h->path);
    } /* else what was listed goes (r.cookie after it); the next call meets the error */
    request_set_word(&call->out, 0, r.records);
    request_set_word(&call->out, 1, r.cookie);
    request_set_word(&call->out, 2, end);
    return SERVICE_OK;
}

/* The decoding MKDIR, UNLINK and RMDIR share: MR0 tree, MR1-MR2 path into path (kept whole,
   for the messages and FS_PROBLEM), the parent's inode (*dir) and the last name (*name, in a
   static copy split). 0 or the status to answer. */
static long name_request(struct server_call *call, char *path, unsigned *tree, uint64_t *dir,
                         const char **name)
{
    long status = check_tree(call, 0);
    if (status || (status = take_path(call, 1, path)))
        return status;
    *tree = (unsigned)word(call, 0);
    const char *parent;
    static char split[FS_PATH_MAX + 1];
    strcpy(split, path);
    if ((status = fsserve_path_split(split, &parent, name)))
        return status;
    int rc = hmfs_resolve(hmfsd.fs, *tree, parent, dir);
    if (rc)
        return fail(call->client, rc, *tree, path);
    if (volume_tree_read_only(*tree))
        return FS_ERROR_READ_ONLY;
    return 0;
}

/* FS_MKDIR: MR0 tree, MR1-MR2 path. */
long handle_mkdir(struct server_call *call)
{
    char path[FS_PATH_MAX + 1];
    unsigned tree;
    uint64_t dir, ino;
    const char *name;
    long status = name_request(call, path, &tree, &dir, &name);
    if (status)
        return status;
    int rc = hmfs_mkdir(hmfsd.fs, tree, dir, name, &ino);
    if (retry_after_no_space(rc))
        rc = hmfs_mkdir(hmfsd.fs, tree, dir, name, &ino);
    if (rc)
        return fail(call->client, rc, tree, path);
    volume_changed();
    request_set_word(&call->out, 0, ino);
    return SERVICE_OK;
}

/* FS_UNLINK and FS_RMDIR (MR0 tree, MR1-MR2 path): removes the name with remove (hmfs_unlink
   or hmfs_rmdir, which tell a file from a directory). */
static long remove_request(struct server_call *call,
                           int (*remove)(struct hmfs *, unsigned, uint64_t, const char *))
{
    char path[FS_PATH_MAX + 1];
    unsigned tree;
    uint64_t dir;
    const char *name;
    long status = name_request(call, path, &tree, &dir, &name);
    if (status)
        return status;
    int rc = remove(hmfsd.fs, tree, dir, name);
    if (rc)
        return fail(call->client, rc, tree, path);
    volume_changed();
    return SERVICE_OK;
}

long handle_unlink(struct server_call *call)
{
    return remove_request(call, hmfs_unlink);
}

long handle_rmdir(struct server_call *call)
{
    return remove_request(call, hmfs_rmdir);
}

/* FS_RENAME: MR0 tree, MR1-MR2 old path, MR3-MR4 new path. */
long handle_rename(struct server_call *call)
{
    long status = check_tree(call, 0);
    char from[FS_PATH_MAX + 1], to[FS_PATH_MAX + 1];
    if (status || (status = take_path(call, 1, from)) || (status = take_path(call, 3, to)))
        return status;
    unsigned tree = (unsigned)word(call, 0);
    /* Split copies: from and to stay whole for the messages and FS_PROBLEM. */
    static char from_split[FS_PATH_MAX + 1], to_split[FS_PATH_MAX + 1];
    strcpy(from_split, from);
    strcpy(to_split, to);
    const char *from_parent, *from_name, *to_parent, *to_name;
    if ((status = fsserve_path_split(from_split, &from_parent, &from_name)) ||
        (status = fsserve_path_split(to_split, &to_parent, &to_name)))
        return status;
    uint64_t from_dir, to_dir;
    int rc = hmfs_resolve(hmfsd.fs, tree, from_parent, &from_dir);
    if (rc)
        return fail(call->client, rc, tree, from);
    rc = hmfs_resolve(hmfsd.fs, tree, to_parent, &to_dir);
    if (rc)
        return fail(call->client, rc, tree, to);
    if (volume_tree_read_only(tree))
        return FS_ERROR_READ_ONLY;
    rc = hmfs_rename(hmfsd.fs, tree, from_dir, from_name, to_dir, to_name);
    if (rc) /* either side's blocks may be the bad ones: the file moved is named */
        return fail(call->client, rc, tree, from);
    volume_changed();
    return SERVICE_OK;
}

/* FS_TRUNCATE: MR0 handle, MR1 size. */
long handle_truncate(struct server_call *call)
{
    long status;
    struct fsserve_handle *h = take_handle(call, &status);
    if (!h)
        return status;
    if (!(h->flags & FS_OPEN_WRITE))
        return FS_ERROR_ACCESS;
    int rc = hmfs_truncate(hmfsd.fs, h->tree, h->inode, word(call, 1));
    if (rc)
        return fail(call->client, rc, h->tree, h->path);
    volume_changed();
    return SERVICE_OK;
}
