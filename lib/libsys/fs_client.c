/*
 * The file client's calls (fs_client.h). Every request that names bytes copies them through
 * the connection's buffer; paths go at FS_PATH_SLOT_A (and a rename's second at
 * FS_PATH_SLOT_B), data from offset 0 of the whole buffer.
 */
#include "libsys/fs_client.h"

#include <stdlib.h>
#include <string.h>

#include "libsys/invoke.h"
#include "libsys/objects.h"
#include "libsys/vmap.h"

/* Where connections' buffers are mapped in a client: one 128 MiB region after the other. */
#define FS_CLIENT_MAP_BASE 0x580000000000ul
#define FS_CLIENT_MAP_STEP (128ul << 20)
#define FS_SMALL_BUFFER    (128ul << 10) /* bytes up to which 4 KiB frames are used */
#define FS_MIN_BUFFER      (8ul << 10)   /* two paths of FS_PATH_MAX and room to spare */
#define FS_PATH_SLOT_A     0
#define FS_PATH_SLOT_B     (FS_PATH_MAX + 8)

struct fs_client {
    uint64_t endpoint;
    uint64_t instance;
    unsigned frame_bits, frame_count;
    uint64_t frames[FS_MAX_FRAMES];
    uint8_t *buffer;
    size_t buffer_bytes;
};

static uint64_t next_map = FS_CLIENT_MAP_BASE;

/* A connection that failed or was closed, with its buffer still made and mapped (libsys cannot
   give frames back), kept for the next fs_connect of the same shape: a process that tries again
   and again (every POSIX call does while no file server answers) would otherwise make a new
   buffer, 30-odd slots and 128 KiB, at every try. */
static struct fs_client *spare;

/* The length of s, looking at most max + 1 bytes (strnlen is POSIX, not C11). */
static size_t bounded_length(const char *s, size_t max)
{
    size_t n = 0;
    while (n <= max && s[n])
        n++;
    return n;
}
static struct fs_client *default_client;

/* The status s as a result (no bad-argument detail). */
static struct result status_result(unsigned long s)
{
    return result_from_reply(ERR_OK, s, 0);
}

/* Makes c's frames (frame_bits, frame_count set) and maps them at consecutive addresses. */
static struct result make_buffer(struct fs_client *c)
{
    uint64_t at = next_map, first;
    next_map += FS_CLIENT_MAP_STEP;
    struct result e = libsys_make_frames(c->frame_bits, c->frame_count, at, &first);
    if (!result_is_ok(e))
        return e;
    for (unsigned i = 0; i < c->frame_count; i++)
        c->frames[i] = first + i;
    c->buffer = (uint8_t *)at;
    c->buffer_bytes = (size_t)c->frame_count << c->frame_bits;
    return result_ok();
}

/* Sends c's frames to the server (FS_CONNECT, then FS_SHARE for the rest). */
static struct result share_buffer(struct fs_client *c)
{
    struct request r = {.label = FS_CONNECT};
    request_set_word(&r, 0, c->frame_bits);
    request_set_word(&r, 1, c->frame_count);
    struct result e = request_result(request_call(c->endpoint, &r, &c->frames[0], 1, 0), &r);
    if (!result_is_ok(e))
        return e;
    c->instance = request_word(&r, 0);
    for (unsigned i = 1; i < c->frame_count; i++) {
        r = (struct request){.label = FS_SHARE};
        request_set_word(&r, 0, i);
        e = request_result(request_call(c->endpoint, &r, &c->frames[i], 1, 0), &r);
        if (!result_is_ok(e))
            return e;
    }
    return e;
}

/* A connection of count frames of 2^bits bytes, not yet connected: the spare if it has that
   shape (its buffer made), else a fresh one without a buffer. 0 without memory. */
static struct fs_client *client_of_shape(unsigned bits, unsigned count)
{
    struct fs_client *c = spare;
    if (c && c->frame_bits == bits && c->frame_count == count) {
        spare = 0;
        return c;
    }
    c = calloc(1, sizeof *c);
    if (c) {
        c->frame_bits = bits;
        c->frame_count = count;
    }
    return c;
}

/* Lets go of c, which is not connected (any more): its endpoint slot is given back, and its
   buffer, if made, becomes the spare unless there is one (then its frames stay with the process,
   as before the spare). */
static void client_retire(struct fs_client *c)
{
    libsys_put_slot(c->endpoint);
    c->endpoint = 0;
    c->instance = 0;
    if (c->buffer && !spare)
        spare = c;
    else
        free(c);
}

struct result fs_connect(const char *server, size_t buffer_bytes, struct fs_client **out)
{
    if (buffer_bytes < FS_MIN_BUFFER)
        buffer_bytes = FS_MIN_BUFFER;
    unsigned bits = buffer_bytes <= FS_SMALL_BUFFER ? PAGE_BITS : FRAME_LARGE_BITS;
    uint64_t count = (buffer_bytes + (1ul << bits) - 1) >> bits;
    if (count > FS_MAX_FRAMES)
        return result_bad_argument(1, FS_MIN_BUFFER, (uint64_t)FS_MAX_FRAMES << FRAME_LARGE_BITS);
    struct fs_client *c = client_of_shape(bits, (unsigned)count);
    if (!c)
        return status_result(SERVICE_NO_MEMORY);
    c->endpoint = libsys_get_slot();
    struct result e = c->endpoint ? proc_lookup(server ? server : FS_SERVER_NAME, c->endpoint)
                                  : status_result(SERVICE_TOO_MANY);
    if (result_is_ok(e) && !c->buffer)
        e = make_buffer(c);
    if (result_is_ok(e))
        e = share_buffer(c);
    if (!result_is_ok(e)) {
        if (c->instance) { /* connected, then a share failed: the server lets go of it all */
            struct request r = {.label = FS_DISCONNECT};
            request_call(c->endpoint, &r, 0, 0, 0);
        }
        client_retire(c);
        return e;
    }
    *out = c;
    return e;
}

struct result fs_default(struct fs_client **out)
{
    if (!default_client) {
        /* Without 128 KiB in one piece from memsrv, the smallest buffer still serves (a
           request per FS_MIN_BUFFER bytes). */
        struct result e = fs_connect(0, FS_CLIENT_DEFAULT_BUFFER, &default_client);
        if (result_is_service(e, SERVICE_NO_MEMORY))
            e = fs_connect(0, FS_MIN_BUFFER, &default_client);
        if (!result_is_ok(e)) {
            default_client = 0;
            return e;
        }
    }
    *out = default_client;
    return result_ok();
}

void fs_disconnect(struct fs_client *c)
{
    if (!c)
        return;
    struct request r = {.label = FS_DISCONNECT};
    request_call(c->endpoint, &r, 0, 0, 0);
    if (c == default_client)
        default_client = 0;
    client_retire(c); /* the server has let go of the buffer: the next connect may take it */
}

uint64_t fs_instance(const struct fs_client *c)
{
    return c->instance;
}

void *fs_buffer(struct fs_client *c, size_t *bytes)
{
    *bytes = c->buffer_bytes;
    return c->buffer;
}

uint64_t fs_endpoint(const struct fs_client *c)
{
    return c->endpoint;
}

/* Calls the server with r; on success r holds the reply. */
static struct result call(struct fs_client *c, struct request *r)
{
    return request_result(request_call(c->endpoint, r, 0, 0, 0), r);
}

/* Copies path into the buffer at slot; false if it is too long (then *e says so). */
static bool put_path(struct fs_client *c, size_t slot, const char *path, size_t *length,
                     struct result *e)
{
    size_t n = bounded_length(path, FS_PATH_MAX + 1);
    if (n > FS_PATH_MAX) {
        *e = status_result(FS_ERROR_NAME_TOO_LONG);
        return false;
    }
    memcpy(c->buffer + slot, path, n);
    *length = n;
    return true;
}

/* A request naming (tree, path) in MR0-MR2 (first: tree's word, the path's two follow). */
static struct result path_request(struct fs_client *c, uint64_t label, unsigned tree,
                                  const char *path, struct request *r)
{
    size_t n;
    struct result e;
    if (!put_path(c, FS_PATH_SLOT_A, path, &n, &e))
        return e;
    *r = (struct request){.label = label};
    request_set_word(r, 0, tree);
    request_set_word(r, 1, FS_PATH_SLOT_A);
    request_set_word(r, 2, n);
    return call(c, r);
}

struct result fs_open(struct fs_client *c, unsigned tree, const char *path, unsigned flags,
                      uint64_t *handle, struct fs_stat *st)
{
    size_t n;
    struct result e;
    if (!put_path(c, FS_PATH_SLOT_A, path, &n, &e))
        return e;
    struct request r = {.label = FS_OPEN};
    request_set_word(&r, 0, tree);
    request_set_word(&r, 1, flags);
    request_set_word(&r, 2, FS_PATH_SLOT_A);
    request_set_word(&r, 3, n);
    e = call(c, &r);
    if (!result_is_ok(e))
        return e;
    *handle = request_word(&r, 0);
    if (st) {
        memset(st, 0, sizeof *st);
        st->inode = request_word(&r, 1);
        st->size = request_word(&r, 2);
        st->type = (uint32_t)request_word(&r, 3);
    }
    return e;
}

struct result fs_close(struct fs_client *c, uint64_t handle)
{
    struct request r = {.label = FS_CLOSE};
    request_set_word(&r, 0, handle);
    return call(c, &r);
}

/* The chunk one read or write request moves: the whole buffer, bounded by FS_IO_MAX. */
static size_t chunk_bytes(const struct fs_client *c, size_t left)
{
    size_t most = c->buffer_bytes < FS_IO_MAX ? c->buffer_bytes : FS_IO_MAX;
    return left < most ? left : most;
}

struct result fs_read(struct fs_client *c, uint64_t handle, uint64_t offset, void *buf, size_t n,
                      size_t *got)
{
    size_t total = 0;
    struct result e = result_ok();
    do {
        size_t want = chunk_bytes(c, n - total);
        struct request r = {.label = FS_READ};
        request_set_word(&r, 0, handle);
        request_set_word(&r, 1, offset + total);
        request_set_word(&r, 2, 0);
        request_set_word(&r, 3, want);
        e = call(c, &r);
        if (!result_is_ok(e))
            break;
        size_t done = request_word(&r, 0);
        if (done > want)
            done = want;
        memcpy((uint8_t *)buf + total, c->buffer, done);
        total += done;
        if (done < want)
            break;
    } while (total < n);
    *got = total;
    return total ? result_ok() : e; /* an error after some bytes: the next call reports it */
}

struct result fs_write(struct fs_client *c, uint64_t handle, uint64_t offset, const void *buf,
                       size_t n, size_t *done, uint64_t *end)
{
    size_t total = 0;
    uint64_t at = offset;
    struct result e = result_ok();
    do {
        size_t chunk = chunk_bytes(c, n - total);
        memcpy(c->buffer, (const uint8_t *)buf + total, chunk);
        struct request r = {.label = FS_WRITE};
        request_set_word(&r, 0, handle);
        request_set_word(&r, 1, offset + total);
        request_set_word(&r, 2, 0);
        request_set_word(&r, 3, chunk);
        e = call(c, &r);
        if (!result_is_ok(e))
            break;
        size_t wrote = request_word(&r, 0);
        if (wrote > chunk)
            wrote = chunk;
        at = request_word(&r, 1) + wrote;
        total += wrote;
        if (wrote < chunk)
            break;
    } while (total < n);
    *done = total;
    if (end)
        *end = at;
    return total ? result_ok() : e;
}

/* Unpacks a stat answer. */
static void get_stat(const struct request *r, struct fs_stat *out)
{
    out->inode = request_word(r, FS_STAT_MR_INODE);
    out->type = (uint32_t)request_word(r, FS_STAT_MR_TYPE);
    out->links = (uint32_t)request_word(r, FS_STAT_MR_LINKS);
    out->size = request_word(r, FS_STAT_MR_SIZE);
    out->mtime = request_word(r, FS_STAT_MR_MTIME);
    out->blocks = request_word(r, FS_STAT_MR_BLOCKS);
}

struct result fs_stat(struct fs_client *c, unsigned tree, const char *path, struct fs_stat *out)
{
    struct request r;
    struct result e = path_request(c, FS_STAT, tree, path, &r);
    if (result_is_ok(e))
        get_stat(&r, out);
    return e;
}

struct result fs_fstat(struct fs_client *c, uint64_t handle, struct fs_stat *out)
{
    struct request r = {.label = FS_FSTAT};
    request_set_word(&r, 0, handle);
    struct result e = call(c, &r);
    if (result_is_ok(e))
        get_stat(&r, out);
    return e;
}

struct result fs_readdir(struct fs_client *c, uint64_t handle, uint64_t *cookie,
                         struct fs_entry *out, unsigned max, unsigned *count)
{
    *count = 0;
    if (max == 0)
        return result_ok();
    size_t room = (size_t)max * FS_DIRENT_MAX;
    if (room > c->buffer_bytes)
        room = c->buffer_bytes;
    struct request r = {.label = FS_READDIR};
    request_set_word(&r, 0, handle);
    request_set_word(&r, 1, *cookie);
    request_set_word(&r, 2, 0);
    request_set_word(&r, 3, room);
    request_set_word(&r, 4, max);
    struct result e = call(c, &r);
    if (!result_is_ok(e))
        return e;
    uint64_t records = request_word(&r, 0);
    size_t at = 0;
    unsigned n = 0;
    /* The server wrote the records; check each against the room before trusting it. */
    while (n < records && n < max && at + FS_DIRENT_HEADER <= room) {
        const struct fs_dirent *d = (const struct fs_dirent *)(c->buffer + at);
        if (d->name_length == 0 || d->name_length > FS_NAME_MAX ||
            d->record_length < FS_DIRENT_SIZE(d->name_length) || at + d->record_length > room)
            break;
        out[n].inode = d->inode;
        out[n].type = d->type;
        memcpy(out[n].name, d->name, d->name_length);
        out[n].name[d->name_length] = 0;
        at += d->record_length;
        n++;
    }
    *count = n;
    *cookie = request_word(&r, 1);
    return e;
}

struct result fs_mkdir(struct fs_client *c, unsigned tree, const char *path, uint64_t *inode)
{
    struct request r;
    struct result e = path_request(c, FS_MKDIR, tree, path, &r);
    if (result_is_ok(e) && inode)
        *inode = request_word(&r, 0);
    return e;
}

struct result fs_unlink(struct fs_client *c, unsigned tree, const char *path)
{
    struct request r;
    return path_request(c, FS_UNLINK, tree, path, &r);
}

struct result fs_rmdir(struct fs_client *c, unsigned tree, const char *path)
{
    struct request r;
    return path_request(c, FS_RMDIR, tree, path, &r);
}

struct result fs_rename(struct fs_client *c, unsigned tree, const char *old_path,
                        const char *new_path)
{
    size_t a, b;
    struct result e;
    if (!put_path(c, FS_PATH_SLOT_A, old_path, &a, &e) ||
        !put_path(c, FS_PATH_SLOT_B, new_path, &b, &e))
        return e;
    struct request r = {.label = FS_RENAME};
    request_set_word(&r, 0, tree);
    request_set_word(&r, 1, FS_PATH_SLOT_A);
    request_set_word(&r, 2, a);
    request_set_word(&r, 3, FS_PATH_SLOT_B);
    request_set_word(&r, 4, b);
    return call(c, &r);
}

struct result fs_truncate(struct fs_client *c, uint64_t handle, uint64_t size)
{
    struct request r = {.label = FS_TRUNCATE};
    request_set_word(&r, 0, handle);
    request_set_word(&r, 1, size);
    return call(c, &r);
}

struct result fs_fsync(struct fs_client *c, uint64_t handle)
{
    struct request r = {.label = FS_FSYNC};
    request_set_word(&r, 0, handle);
    return call(c, &r);
}

struct result fs_sync(struct fs_client *c)
{
    struct request r = {.label = FS_SYNC};
    return call(c, &r);
}

struct result fs_move(struct fs_client *c, const char *server, unsigned disk)
{
    struct request r = {.label = FS_MOVE};
    request_set_word(&r, 0, disk);
    for (unsigned w = 0; w < PROTO_NAME_WORDS; w++)
        request_set_word(&r, 1 + w, 0);
    size_t n = strlen(server);
    request_put_bytes(&r, 1, server, n < PROTO_NAME_MAX ? n : PROTO_NAME_MAX);
    return call(c, &r);
}

struct result fs_statfs(struct fs_client *c, struct fs_statfs *out)
{
    struct request r = {.label = FS_STATFS};
    struct result e = call(c, &r);
    if (!result_is_ok(e))
        return e;
    out->block_size = request_word(&r, FS_STATFS_MR_BLOCK_SIZE);
    out->blocks = request_word(&r, FS_STATFS_MR_BLOCKS);
    out->used = request_word(&r, FS_STATFS_MR_USED);
    out->free = request_word(&r, FS_STATFS_MR_FREE);
    out->generation = request_word(&r, FS_STATFS_MR_GENERATION);
    out->trees = request_word(&r, FS_STATFS_MR_TREES);
    out->flags = request_word(&r, FS_STATFS_MR_FLAGS);
    out->data_bytes = request_word(&r, FS_STATFS_MR_DATA_BYTES);
    return e;
}

/* Copies a tree name into the buffer; false (with *e) if it is too long. */
static bool put_tree_name(struct fs_client *c, const char *name, size_t *n, struct result *e)
{
    *n = bounded_length(name, FS_TREE_NAME_MAX + 1);
    if (*n > FS_TREE_NAME_MAX) {
        *e = status_result(FS_ERROR_NAME_TOO_LONG);
        return false;
    }
    memcpy(c->buffer + FS_PATH_SLOT_A, name, *n);
    return true;
}

struct result fs_snapshot_create(struct fs_client *c, unsigned tree, const char *name,
                                 unsigned *index)
{
    size_t n;
    struct result e;
    if (!put_tree_name(c, name, &n, &e))
        return e;
    struct request r = {.label = FS_SNAPSHOT_CREATE};
    request_set_word(&r, 0, tree);
    request_set_word(&r, 1, FS_PATH_SLOT_A);
    request_set_word(&r, 2, n);
    e = call(c, &r);
    if (result_is_ok(e) && index)
        *index = (unsigned)request_word(&r, 0);
    return e;
}

struct result fs_snapshot_list(struct fs_client *c, unsigned index, struct fs_tree *out)
{
    struct request r = {.label = FS_SNAPSHOT_LIST};
    request_set_word(&r, 0, index);
    struct result e = call(c, &r);
    if (!result_is_ok(e))
        return e;
    memset(out, 0, sizeof *out);
    out->index = (unsigned)request_word(&r, 0);
    out->flags = (unsigned)request_word(&r, 1);
    out->created_generation = request_word(&r, 2);
    uint64_t n = request_word(&r, 3);
    if (n > FS_TREE_NAME_MAX)
        n = FS_TREE_NAME_MAX;
    request_get_bytes(&r, 4, out->name, n);
    return e;
}

struct result fs_snapshot_delete(struct fs_client *c, const char *name)
{
    size_t n;
    struct result e;
    if (!put_tree_name(c, name, &n, &e))
        return e;
    struct request r = {.label = FS_SNAPSHOT_DELETE};
    request_set_word(&r, 0, FS_PATH_SLOT_A);
    request_set_word(&r, 1, n);
    return call(c, &r);
}

struct result fs_snapshot_mount(struct fs_client *c, const char *name, unsigned *index,
                                unsigned *flags)
{
    size_t n;
    struct result e;
    if (!put_tree_name(c, name, &n, &e))
        return e;
    struct request r = {.label = FS_SNAPSHOT_MOUNT};
    request_set_word(&r, 0, FS_PATH_SLOT_A);
    request_set_word(&r, 1, n);
    e = call(c, &r);
    if (!result_is_ok(e))
        return e;
    *index = (unsigned)request_word(&r, 0);
    if (flags)
        *flags = (unsigned)request_word(&r, 1);
    return e;
}

struct result fs_snapshot_clone(struct fs_client *c, unsigned source, const char *name,
                                unsigned *index)
{
    size_t n;
    struct result e;
    if (!put_tree_name(c, name, &n, &e))
        return e;
    struct request r = {.label = FS_SNAPSHOT_CLONE};
    request_set_word(&r, 0, source);
    request_set_word(&r, 1, FS_PATH_SLOT_A);
    request_set_word(&r, 2, n);
    e = call(c, &r);
    if (result_is_ok(e) && index)
        *index = (unsigned)request_word(&r, 0);
    return e;
}

struct result fs_fsck(struct fs_client *c, char *report, size_t size, struct fs_fsck_result *out)
{
    size_t room = report && size ? size - 1 : 0;
    if (room > c->buffer_bytes)
        room = c->buffer_bytes;
    struct request r = {.label = FS_FSCK};
    request_set_word(&r, 0, 0);
    request_set_word(&r, 1, room);
    struct result e = call(c, &r);
    if (!result_is_ok(e))
        return e;
    out->errors = request_word(&r, 0);
    out->blocks = request_word(&r, 1);
    out->inodes = request_word(&r, 2);
    if (report && size) {
        uint64_t n = request_word(&r, 3);
        if (n > room)
            n = room;
        memcpy(report, c->buffer, n);
        report[n] = 0;
    }
    return e;
}

struct result fs_problem(struct fs_client *c, struct fs_problem *out)
{
    struct request r = {.label = FS_PROBLEM};
    struct result e = call(c, &r);
    if (!result_is_ok(e))
        return e;
    memset(out, 0, sizeof *out);
    out->error = request_word(&r, 0);
    out->block = request_word(&r, 1);
    out->inode = request_word(&r, 2);
    out->tree = request_word(&r, 3);
    uint64_t n = request_word(&r, 4);
    if (n > FS_PROBLEM_TEXT)
        n = FS_PROBLEM_TEXT;
    request_get_bytes(&r, 5, out->what, n);
    n = request_word(&r, 10);
    if (n > FS_PROBLEM_PATH)
        n = FS_PROBLEM_PATH;
    request_get_bytes(&r, 11, out->path, n);
    return e;
}
