/*
 * servers/hmfs: the HMFS file server (docs/hmfs.md, "The server"; lib/proto/fs.h). One
 * thread serves every client in turn on the server library; the volume (lib/hmfs) sits on a
 * block cache (lib/fsserve/bcache.h) over a disk of a block server (lib/libsys/block.h) or,
 * for tests, over memory.
 *
 * State shared by its files: the volume, the clients (by badge) and the handles.
 */
#ifndef MISSIVE_HMFSD_H
#define MISSIVE_HMFSD_H

#include <stdbool.h>
#include <stdint.h>

#include "fsserve/bcache.h"
#include "fsserve/fsserve.h"
#include "hmfs/hmfs.h"
#include "libsys/server.h"
#include "proto/fs.h"

/* Where clients' buffers are mapped in the server: FS_MAX_FRAMES 2 MiB frames each. */
#define HMFSD_BUFFER_BASE 0x360000000000ul
#define HMFSD_BUFFER_SPAN ((uint64_t)FS_MAX_FRAMES << 21)

#define HMFSD_CACHE_BLOCKS 2048 /* the block cache: 8 MiB */
/* Blocks lib/hmfs keeps between operations (its dirty ones): 16 MiB, so a big write commits
   every 8 MiB (half of it dirty) rather than every 2 MiB. */
#define HMFSD_HMFS_CACHE 4096
/* Dirty data is committed this long after the first change, at the first tick past it: at
   most HMFSD_COMMIT_MS + one tick (main.c's TICK_MS) late. */
#define HMFSD_COMMIT_MS 5000

struct hmfsd_client {
    bool used;
    uint64_t pid;
    unsigned index; /* its place in the table, and so its buffer's */
    unsigned frame_bits, frame_count, frames_received;
    uint64_t frames[FS_MAX_FRAMES];
    uint8_t *buffer;
    /* The last I/O error or corruption it met (FS_PROBLEM). */
    bool has_problem;
    unsigned problem_error, problem_tree;
    struct hmfs_problem problem;
    char problem_path[FS_PROBLEM_PATH + 1];
};

struct hmfsd {
    struct hmfs *fs;
    struct hmfs_device device; /* over the cache */
    struct bcache *cache;
    const char *disk; /* "ramdisk 0", "memory", for messages */
    uint64_t instance;
    struct fsserve_handles handles;
    struct hmfsd_client clients[FS_MAX_CLIENTS];
    bool dirty; /* changed since the last commit */
    uint64_t dirty_since_ms;
    uint64_t commits;
};

extern struct hmfsd hmfsd;

/* Word i of call's request. */
static inline uint64_t word(const struct server_call *call, unsigned i)
{
    return request_word(&call->in, i);
}

/* The time stamp counter (no C for it): the clock of the disk's waits and of the checksum's
   choice. */
static inline uint64_t ticks_now(void)
{
    uint32_t lo, hi;
    __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
    return (uint64_t)hi << 32 | lo;
}

/* device.c: the disk under the cache. Opens what args name ("memory BLOCKS", or a block
   server's name and a disk index), sets hmfsd.device over a new cache: NULL, or why not. */
const char *device_open(const char *kind, const char *which);
/* Whether the disk holds an HMFS superblock in its ring (any magic, valid or not). */
bool device_has_hmfs(void);
/* FS_MOVE's move: every block session to disk of server, if that disk holds this volume (the
   same image: its superblock ring as the one under the cache has it; else it goes back,
   -SERVICE_BAD_ARGUMENT). The sessions moved, or block_move_sessions' error (-SERVICE_DENIED
   for a memory disk). Nothing in flight or dirty: a commit comes first. */
long device_move(const char *server, unsigned disk);
/* What the cache waited for on a block server's disk since it was opened (rdtsc ticks): reads
   (each a request of blocks blocks), flushes and FUA writes, and write-back's drains. */
struct device_waits {
    uint64_t reads, read_blocks, read_ticks, ahead_hits; /* ahead_hits: runs read ahead, used */
    uint64_t flushes, flush_ticks, fuas, fua_ticks, drains, drain_ticks;
};
/* Zero for a memory disk. */
struct device_waits device_waits(void);

/* clients.c */
void *clients_find(struct server *s, uint64_t badge);
/* Forgets at most `most` clients whose first frame is gone (their process ended), with their
   handles; returns how many. One at a time where it can: each gives back up to FS_MAX_FRAMES
   slots; libsys once kept only 256 given-back slots (service.c keeps them all now, past 256
   on the heap), and forgetting a whole table of dead clients at once lost the rest for good.
   Forgetting only what is needed still keeps the server's given-back list short. */
unsigned clients_sweep(unsigned most);
/* The bytes [offset, offset + length) of c's buffer, or NULL if they are not all in frames
   received. */
uint8_t *client_bytes(struct hmfsd_client *c, uint64_t offset, uint64_t length);
/* Copies the bytes at words first, first + 1 (offset, length) of call out of the client's
   buffer into out (most + 1 bytes) with copy (fsserve_path_copy, fsserve_tree_name_copy: it
   checks them): 0, FS_ERROR_NAME_TOO_LONG past most, SERVICE_BAD_ARGUMENT (already set) for
   bytes outside the buffer, or copy's status. */
long take_bytes(struct server_call *call, unsigned first, uint64_t most,
                unsigned (*copy)(const char *, size_t, char *), char *out);
long handle_connect(struct server_call *call);
long handle_share(struct server_call *call);
long handle_disconnect(struct server_call *call);

/* requests.c: the file requests. */
long handle_open(struct server_call *call);
long handle_close(struct server_call *call);
long handle_read(struct server_call *call);
long handle_write(struct server_call *call);
long handle_stat(struct server_call *call);
long handle_fstat(struct server_call *call);
long handle_readdir(struct server_call *call);
long handle_mkdir(struct server_call *call);
long handle_unlink(struct server_call *call);
long handle_rmdir(struct server_call *call);
long handle_rename(struct server_call *call);
long handle_truncate(struct server_call *call);
/* The status for an hmfs error met by client c on path (kept for FS_PROBLEM if it is an I/O
   error or corruption, and said on the console naming the file). */
long fail(struct hmfsd_client *c, int error, unsigned tree, const char *path);

/* volume.c: the volume as a whole. */
long handle_fsync(struct server_call *call);
long handle_sync(struct server_call *call);
long handle_statfs(struct server_call *call);
long handle_snapshot_create(struct server_call *call);
long handle_snapshot_list(struct server_call *call);
long handle_snapshot_delete(struct server_call *call);
long handle_snapshot_mount(struct server_call *call);
long handle_snapshot_clone(struct server_call *call);
long handle_fsck(struct server_call *call);
long handle_problem(struct server_call *call);
long handle_move(struct server_call *call);
/* Notes a change: the first since a commit starts the commit policy's clock at the uptime now
   (at the next tick if procsrv does not answer). */
void volume_changed(void);
/* Commits if dirty data is older than HMFSD_COMMIT_MS; now_ms from the caller. */
void volume_commit_due(uint64_t now_ms);
/* Commits now: 0 or an hmfs error (said on the console). */
int volume_commit(const char *why);
/* Whether tree is open read-only (a snapshot, or the volume degraded). */
bool volume_tree_read_only(unsigned tree);

#endif
