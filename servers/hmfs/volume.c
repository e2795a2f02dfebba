/*
 * The volume as a whole: commits (fsync, sync, the commit policy), statfs, snapshots and
 * clones, the read-only check and the problem a client met.
 */
#include <stdio.h>
#include <string.h>

#include "hmfsd.h"
#include "libsys/block.h"
#include "libsys/service.h"

void volume_changed(void)
{
    if (!hmfsd.dirty) {
        hmfsd.dirty = true;
        /* One call to procsrv a commit period: the clock starts now, so the bound is
           HMFSD_COMMIT_MS and a tick, not two. 0 (no answer) leaves it to the next tick. */
        uint64_t now = 0;
        hmfsd.dirty_since_ms = result_is_ok(proc_uptime_ms(&now)) ? now : 0;
    }
}

int volume_commit(const char *why)
{
    int rc = hmfs_sync(hmfsd.fs);
    if (rc) {
        struct hmfs_problem p = hmfs_problem(hmfsd.fs);
        printf("hmfs: commit (%s) failed: %s (block %llu: %s)\n", why, hmfs_error_name(rc),
               (unsigned long long)p.block, p.what ? p.what : "");
        return rc;
    }
    hmfsd.dirty = false;
    hmfsd.commits++;
    return 0;
}

void volume_commit_due(uint64_t now_ms)
{
    if (!hmfsd.dirty)
        return;
    if (!hmfsd.dirty_since_ms) {
        hmfsd.dirty_since_ms = now_ms ? now_ms : 1;
        return;
    }
    if (now_ms - hmfsd.dirty_since_ms >= HMFSD_COMMIT_MS)
        volume_commit("periodic");
}

bool volume_tree_read_only(unsigned tree)
{
    struct hmfs_statfs s;
    if (hmfs_statfs(hmfsd.fs, &s) || s.degraded)
        return true;
    unsigned index = tree;
    struct hmfs_tree_info info;
    if (hmfs_tree_next(hmfsd.fs, &index, &info) || index != tree)
        return false; /* no such tree: the operation itself says so */
    return info.readonly;
}

/* Commits for a request: the status to answer. */
static long commit_for(struct server_call *call, const char *why)
{
    int rc = volume_commit(why);
    return rc ? fail(call->client, rc, 0, "") : SERVICE_OK;
}

/* FS_FSYNC: MR0 handle. */
long handle_fsync(struct server_call *call)
{
    struct hmfsd_client *c = call->client;
    if (!fsserve_handle_get(&hmfsd.handles, c->pid, word(call, 0)))
        return FS_ERROR_BAD_HANDLE;
    return commit_for(call, "fsync");
}

/* FS_SYNC */
long handle_sync(struct server_call *call)
{
    return commit_for(call, "sync");
}

/* FS_MOVE: MR0 disk, MR1-MR4 a block server's name. Committed first, so nothing is in
   flight or dirty: then the session moves if that disk holds this volume (device_move). */
long handle_move(struct server_call *call)
{
    char server[PROTO_NAME_MAX + 1];
    request_get_bytes(&call->in, 1, server, PROTO_NAME_MAX);
    server[PROTO_NAME_MAX] = 0;
    if (!server[0])
        return server_bad_argument(call, 1, 1, PROTO_NAME_WORDS);
    long status = commit_for(call, "move");
    if (status != SERVICE_OK)
        return status;
    long moved = device_move(server, (unsigned)word(call, 0));
    if (moved <= 0) {
        printf("hmfs: cannot move to %s disk %llu (%ld)\n", server,
               (unsigned long long)word(call, 0), moved);
        return moved ? -moved : SERVICE_DENIED;
    }
    printf("hmfs: moved to %s disk %llu\n", server, (unsigned long long)word(call, 0));
    return SERVICE_OK;
}

/* FS_STATFS */
long handle_statfs(struct server_call *call)
{
    struct hmfs_statfs s;
    int rc = hmfs_statfs(hmfsd.fs, &s);
    if (rc)
        return fail(call->client, rc, 0, "");
    request_set_word(&call->out, FS_STATFS_MR_BLOCK_SIZE, HMFS_BLOCK_SIZE);
    request_set_word(&call->out, FS_STATFS_MR_BLOCKS, s.block_count);
    request_set_word(&call->out, FS_STATFS_MR_USED, s.used_blocks);
    request_set_word(&call->out, FS_STATFS_MR_FREE, s.free_blocks);
    request_set_word(&call->out, FS_STATFS_MR_GENERATION, s.generation);
    request_set_word(&call->out, FS_STATFS_MR_TREES, s.trees);
    uint64_t flags = s.degraded ? FS_STATFS_DEGRADED : 0;
    uint64_t probe = 0;
    if (hmfs_resolve(hmfsd.fs, 0, "", &probe) == HMFS_ERR_STOPPED)
        flags |= FS_STATFS_STOPPED;
    request_set_word(&call->out, FS_STATFS_MR_FLAGS, flags);
    request_set_word(&call->out, FS_STATFS_MR_DATA_BYTES, HMFS_DATA_BYTES);
    return SERVICE_OK;
}

/* The tree name at words first, first + 1 of call into out: 0 or the status. */
static long take_tree_name(struct server_call *call, unsigned first, char *out)
{
    return take_bytes(call, first, FS_TREE_NAME_MAX, fsserve_tree_name_copy, out);
}

/* FS_SNAPSHOT_CREATE: MR0 tree, MR1-MR2 name. */
long handle_snapshot_create(struct server_call *call)
{
    if (word(call, 0) >= FS_MAX_TREES)
        return server_bad_argument(call, 0, 0, FS_MAX_TREES - 1);
    char name[FS_TREE_NAME_MAX + 1];
    long status = take_tree_name(call, 1, name);
    if (status)
        return status;
    unsigned index;
    int rc = hmfs_snapshot_create(hmfsd.fs, (unsigned)word(call, 0), name);
    if (!rc)
        rc = hmfs_tree_find(hmfsd.fs, name, &index);
    if (rc)
        return fail(call->client, rc, (unsigned)word(call, 0), "");
    hmfsd.dirty = false; /* hmfs_snapshot_create committed */
    request_set_word(&call->out, 0, index);
    return SERVICE_OK;
}

/* FS_SNAPSHOT_LIST: MR0 index. */
long handle_snapshot_list(struct server_call *call)
{
    uint64_t from = word(call, 0);
    if (from >= FS_MAX_TREES)
        return FS_ERROR_NOT_FOUND;
    unsigned index = (unsigned)from;
    struct hmfs_tree_info info;
    int rc = hmfs_tree_next(hmfsd.fs, &index, &info);
    if (rc)
        return fail(call->client, rc, 0, "");
    size_t n = strlen(info.name);
    request_set_word(&call->out, 0, index);
    request_set_word(&call->out, 1, info.readonly ? FS_TREE_READ_ONLY : 0);
    request_set_word(&call->out, 2, info.created_gen);
    request_set_word(&call->out, 3, n);
    request_put_bytes(&call->out, 4, info.name, n);
    if (call->out.length < 9)
        call->out.length = 9;
    return SERVICE_OK;
}

/* FS_SNAPSHOT_DELETE: MR0-MR1 name. */
long handle_snapshot_delete(struct server_call *call)
{
    char name[FS_TREE_NAME_MAX + 1];
    long status = take_tree_name(call, 0, name);
    if (status)
        return status;
    unsigned index;
    int rc = hmfs_tree_find(hmfsd.fs, name, &index);
    if (rc)
        return fail(call->client, rc, 0, "");
    if (fsserve_handle_in_tree(&hmfsd.handles, index))
        return SERVICE_BUSY;
    rc = hmfs_tree_delete(hmfsd.fs, name);
    if (rc)
        return fail(call->client, rc, index, "");
    hmfsd.dirty = false; /* hmfs_tree_delete committed */
    return SERVICE_OK;
}

/* FS_SNAPSHOT_MOUNT: MR0-MR1 name. */
long handle_snapshot_mount(struct server_call *call)
{
    char name[FS_TREE_NAME_MAX + 1];
    long status = take_tree_name(call, 0, name);
    if (status)
        return status;
    unsigned index;
    int rc = hmfs_tree_find(hmfsd.fs, name, &index);
    if (rc)
        return fail(call->client, rc, 0, "");
    request_set_word(&call->out, 0, index);
    request_set_word(&call->out, 1, volume_tree_read_only(index) ? FS_TREE_READ_ONLY : 0);
    return SERVICE_OK;
}

/* FS_SNAPSHOT_CLONE: MR0 source tree, MR1-MR2 name. */
long handle_snapshot_clone(struct server_call *call)
{
    if (word(call, 0) >= FS_MAX_TREES)
        return server_bad_argument(call, 0, 0, FS_MAX_TREES - 1);
    char name[FS_TREE_NAME_MAX + 1];
    long status = take_tree_name(call, 1, name);
    if (status)
        return status;
    unsigned index;
    int rc = hmfs_clone(hmfsd.fs, (unsigned)word(call, 0), name);
    if (!rc)
        rc = hmfs_tree_find(hmfsd.fs, name, &index);
    if (rc)
        return fail(call->client, rc, (unsigned)word(call, 0), "");
    volume_changed();
    request_set_word(&call->out, 0, index);
    return SERVICE_OK;
}

/* The report fsck writes into: the client's buffer range. */
struct report {
    uint8_t *bytes;
    uint64_t room, used;
};

static void report_line(void *context, const char *message)
{
    struct report *r = context;
    /* A message may quote a name from the disk: any bytes. */
    static char shown[512];
    fsserve_printable(message, shown, sizeof shown);
    printf("hmfs: fsck: %s\n", shown);
    size_t n = strlen(message);
    if (r->used + n + 1 > r->room)
        return;
    memcpy(r->bytes + r->used, message, n);
    r->bytes[r->used + n] = '\n';
    r->used += n + 1;
}

/* FS_FSCK: MR0-MR1 the report's buffer range. */
long handle_fsck(struct server_call *call)
{
    struct report r = {client_bytes(call->client, word(call, 0), word(call, 1)), word(call, 1), 0};
    if (!r.bytes)
        return server_bad_argument(call, 0, 0, 0);
    /* Commit first so the check sees every change (a degraded volume has none to commit). */
    int rc = hmfsd.dirty ? volume_commit("fsck") : 0;
    if (rc)
        return fail(call->client, rc, 0, "");
    /* The check reads the committed volume through the cache, so it sees the disk: no dirty
       block is left after the commit, and the clean ones are the disk's. */
    struct hmfs_check_options options = {.repair = false, .report = report_line, .context = &r};
    struct hmfs_check_result result;
    rc = hmfs_check(&hmfsd.device, &options, &result);
    if (rc)
        return fail(call->client, rc, 0, "");
    printf("hmfs: fsck: %u errors, %llu blocks, %llu inodes\n", result.errors,
           (unsigned long long)result.blocks, (unsigned long long)result.inodes);
    request_set_word(&call->out, 0, result.errors);
    request_set_word(&call->out, 1, result.blocks);
    request_set_word(&call->out, 2, result.inodes);
    request_set_word(&call->out, 3, r.used);
    return SERVICE_OK;
}

/* FS_PROBLEM */
long handle_problem(struct server_call *call)
{
    struct hmfsd_client *c = call->client;
    if (!c->has_problem)
        return FS_ERROR_NOT_FOUND;
    const char *what = c->problem.what ? c->problem.what : "";
    size_t n = strlen(what), p = strlen(c->problem_path);
    if (n > FS_PROBLEM_TEXT)
        n = FS_PROBLEM_TEXT;
    request_set_word(&call->out, 0, c->problem_error);
    request_set_word(&call->out, 1, c->problem.block);
    request_set_word(&call->out, 2, c->problem.inode);
    request_set_word(&call->out, 3, c->problem_tree);
    request_set_word(&call->out, 4, n);
    request_put_bytes(&call->out, 5, what, n);
    request_set_word(&call->out, 10, p);
    request_put_bytes(&call->out, 11, c->problem_path, p);
    if (call->out.length < 11)
        call->out.length = 11;
    return SERVICE_OK;
}
