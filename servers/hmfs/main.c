/*
 * servers/hmfs: mounts the volume on the disk its arguments name, serves the file protocol
 * (lib/proto/fs.h) on the server library, commits on its policy (every fsync; dirty data at
 * most HMFSD_COMMIT_MS and a tick old, on a clock a helper thread ticks; when lib/hmfs's cache
 * fills),
 * and commits and unmounts on procsrv's shutdown. Manifest arguments:
 *
 *   -- ramdisk 0 [format]     the first disk of the block server "ramdisk" (or "ahci", ...)
 *   -- memory 4096 [format]   a volume in the server's memory (tests)
 *
 * "format" makes an empty volume when the disk holds no HMFS superblock (never over one,
 * even a damaged one: fsck is for that).
 */
#include <stdio.h>
#include <string.h>

#include "hmfs/crc32c.h"
#include "hmfsd.h"
#include "libsys/invoke.h"
#include "libsys/objects.h"
#include "proto/proc.h"

#define BADGE_SHUTDOWN  1u
#define BADGE_TICK      2u
#define TICK_MS         1000
#define TICKER_STACK    4096
#define TICKER_PRIORITY 100

struct hmfsd hmfsd;

static bool shutting_down;
static uint64_t tick_slot;
static _Alignas(16) uint8_t ticker_stack[TICKER_STACK];

static const struct server_op ops[] = {
    {FS_CONNECT, 2, 0, 0, handle_connect},
    {FS_SHARE, 1, 0, SERVER_CLIENT_ONLY, handle_share},
    {FS_DISCONNECT, 0, 0, SERVER_CLIENT_ONLY, handle_disconnect},
    {FS_OPEN, 4, 0, SERVER_CLIENT_ONLY, handle_open},
    {FS_CLOSE, 1, 0, SERVER_CLIENT_ONLY, handle_close},
    {FS_READ, 4, 0, SERVER_CLIENT_ONLY, handle_read},
    {FS_WRITE, 4, 0, SERVER_CLIENT_ONLY, handle_write},
    {FS_STAT, 3, 0, SERVER_CLIENT_ONLY, handle_stat},
    {FS_FSTAT, 1, 0, SERVER_CLIENT_ONLY, handle_fstat},
    {FS_READDIR, 5, 0, SERVER_CLIENT_ONLY, handle_readdir},
    {FS_MKDIR, 3, 0, SERVER_CLIENT_ONLY, handle_mkdir},
    {FS_UNLINK, 3, 0, SERVER_CLIENT_ONLY, handle_unlink},
    {FS_RMDIR, 3, 0, SERVER_CLIENT_ONLY, handle_rmdir},
    {FS_RENAME, 5, 0, SERVER_CLIENT_ONLY, handle_rename},
    {FS_TRUNCATE, 2, 0, SERVER_CLIENT_ONLY, handle_truncate},
    {FS_FSYNC, 1, 0, SERVER_CLIENT_ONLY, handle_fsync},
    {FS_SYNC, 0, 0, SERVER_CLIENT_ONLY, handle_sync},
    {FS_STATFS, 0, 0, SERVER_CLIENT_ONLY, handle_statfs},
    {FS_SNAPSHOT_CREATE, 3, 0, SERVER_CLIENT_ONLY, handle_snapshot_create},
    {FS_SNAPSHOT_LIST, 1, 0, SERVER_CLIENT_ONLY, handle_snapshot_list},
    {FS_SNAPSHOT_DELETE, 2, 0, SERVER_CLIENT_ONLY, handle_snapshot_delete},
    {FS_SNAPSHOT_MOUNT, 2, 0, SERVER_CLIENT_ONLY, handle_snapshot_mount},
    {FS_SNAPSHOT_CLONE, 3, 0, SERVER_CLIENT_ONLY, handle_snapshot_clone},
    {FS_FSCK, 2, 0, SERVER_CLIENT_ONLY, handle_fsck},
    {FS_PROBLEM, 0, 0, SERVER_CLIENT_ONLY, handle_problem},
    {FS_MOVE, 5, 0, SERVER_CLIENT_ONLY, handle_move},
};

/* The helper thread: ticks the server's notification every TICK_MS. It uses only raw system
   calls with register-only messages, so it never touches the IPC buffer it shares with the
   server's thread (whose receive slot a library call would reset). */
static void ticker_main(uint64_t arg)
{
    (void)arg;
    for (;;) {
        struct missive_msg msg = {.mr = {[0] = TICK_MS}};
        missive_syscall(SYS_CALL, PROC_SLOT_PROCSRV, MSG_TAG(PROC_SLEEP, 1, 0), &msg);
        struct missive_msg none = {0};
        missive_syscall(SYS_SEND, tick_slot, 0, &none);
    }
}

/* A kernel object of type (libsys_make_object's), or 0 when memsrv lends no memory. */
static uint64_t make_object(unsigned type, unsigned bits)
{
    uint64_t slot;
    return result_is_ok(libsys_make_object(type, bits, &slot)) ? slot : 0;
}

/* A copy of notification badged badge, for another to signal; 0 on failure. */
static uint64_t badged(uint64_t notification, uint64_t badge)
{
    uint64_t slot = libsys_alloc_slot();
    if (!slot ||
        cspace_mint(PROC_SLOT_CSPACE, slot, notification, CAP_RIGHT_SEND, badge, 0) != ERR_OK)
        return 0;
    return slot;
}

/* The notification bound to this thread: procsrv signals shutdown on it, the ticker ticks.
   Returns why not, or NULL. */
static const char *start_notifications(void)
{
    uint64_t notification = make_object(CAP_NOTIFICATION, PAGE_BITS);
    if (!notification || thread_bind_notification(PROC_SLOT_THREAD, notification) != ERR_OK)
        return "no notification";
    uint64_t shutdown = badged(notification, BADGE_SHUTDOWN);
    if (!shutdown || !result_is_ok(proc_shutdown_notify(shutdown)))
        return "procsrv did not take the shutdown notification";
    tick_slot = badged(notification, BADGE_TICK);
    uint64_t thread = make_object(CAP_THREAD, THREAD_BITS);
    if (!tick_slot || !thread ||
        thread_configure(thread, PROC_SLOT_CSPACE, PROC_SLOT_VSPACE, TICKER_PRIORITY, 0) !=
            ERR_OK ||
        thread_set_ipc_buffer(thread, PROC_SLOT_IPC_BUFFER) != ERR_OK ||
        thread_write_registers(thread, (uint64_t)ticker_main,
                               (uint64_t)(ticker_stack + TICKER_STACK - 8), 0, 0, 0) != ERR_OK)
        return "no ticker thread";
    sys_thread_set_name(thread, "hmfs-ticker");
    if (thread_resume(thread) != ERR_OK)
        return "the ticker thread does not start";
    return 0;
}

/* The bound notification fired: shutdown (commit, unmount, say ready) and the clock. */
static void notified(struct server *s, uint64_t word)
{
    (void)s;
    if ((word & BADGE_SHUTDOWN) && !shutting_down) {
        shutting_down = true;
        int rc = hmfs_unmount(hmfsd.fs);
        struct bcache_stats st = bcache_stats(hmfsd.cache);
        printf("hmfs: shutdown: %s (%llu commits; cache %llu hits, %llu misses, %llu read "
               "ahead, %llu blocks written in %llu runs)\n",
               rc ? hmfs_error_name(rc) : "committed and unmounted",
               (unsigned long long)hmfsd.commits + 1, (unsigned long long)st.hits,
               (unsigned long long)st.misses, (unsigned long long)st.readahead,
               (unsigned long long)st.writes, (unsigned long long)st.write_runs);
        struct device_waits w = device_waits();
        printf("hmfs: waits (Mticks): %llu reads of %llu blocks %llu (%llu runs read ahead); "
               "%llu flushes %llu; %llu FUA writes %llu; %llu drains %llu\n",
               (unsigned long long)w.reads, (unsigned long long)w.read_blocks,
               (unsigned long long)(w.read_ticks >> 20), (unsigned long long)w.ahead_hits,
               (unsigned long long)w.flushes, (unsigned long long)(w.flush_ticks >> 20),
               (unsigned long long)w.fuas, (unsigned long long)(w.fua_ticks >> 20),
               (unsigned long long)w.drains, (unsigned long long)(w.drain_ticks >> 20));
        hmfsd.fs = 0;
        proc_shutdown_ready();
    }
    if ((word & BADGE_TICK) && hmfsd.fs) {
        uint64_t now = 0;
        if (result_is_ok(proc_uptime_ms(&now)))
            volume_commit_due(now);
    }
}

/* After shutdown the volume is gone: every request but the connection ones is refused. */
static void *find_client(struct server *s, uint64_t badge)
{
    return shutting_down ? 0 : clients_find(s, badge);
}

static bool keep_serving(struct server *s, long error)
{
    (void)s, (void)error;
    return true;
}

/* lib/hmfs's clock (mtime, seconds): procsrv's uptime, asked again only when the time stamp
   counter has moved CLOCK_FRESH_TICKS since the last answer (about 7 ms at the 2.4 GHz of the
   development host), else that answer. Each question is an IPC round trip to procsrv, two
   address-space switches, and QEMU's TCG empties its whole soft TLB at each: asked for every
   4 KiB block written, they took more of the big file's write than the data's copies
   (docs/fs-performance.md, 2026-12-07 night). A stamp is a few ms old at most
   (it may name the second before, near a second's end), never older than the last answer. */
#define CLOCK_FRESH_TICKS (1ull << 24)
static uint64_t clock_seconds(void)
{
    static uint64_t asked, seconds;
    static bool known;
    uint64_t now = ticks_now(), ms = 0;
    if (known && now >= asked && now - asked < CLOCK_FRESH_TICKS)
        return seconds;
    if (!result_is_ok(proc_uptime_ms(&ms)))
        return known ? seconds : 0;
    asked = now, seconds = ms / 1000, known = true; /* the wait for procsrv counts too */
    return seconds;
}

/* The least ticks of CHECKSUM_TRIES checksums of block by crc. */
#define CHECKSUM_TRIES 8
static uint64_t checksum_ticks(hmfs_crc32c_fn crc, const uint8_t *block)
{
    uint64_t least = UINT64_MAX;
    for (unsigned i = 0; i < CHECKSUM_TRIES; i++) {
        uint64_t start = ticks_now();
        volatile uint32_t sum = crc(HMFS_CRC32C_START, NULL, block, HMFS_BLOCK_SIZE);
        (void)sum;
        uint64_t took = ticks_now() - start;
        if (took < least)
            least = took;
    }
    return least;
}

/* Sets the faster of the two checksum implementations on this CPU (both give the same
   values), timed on a block, as Linux's raid6 picks its algorithm at boot: SSE4.2's crc32
   instruction on any real x86_64 with it; the table where the instruction is there but slow,
   as under QEMU's TCG, whose crc32 helper goes a bit at a time (64 steps an instruction:
   27 us a block against the table's 7 us on the development host; docs/fs-performance.md).
   Under -icount the clock counts instructions, and the instruction wins. Says what it chose
   into why (for the mount message). */
static void choose_checksum(char *why, size_t size)
{
    static uint8_t block[HMFS_BLOCK_SIZE];
    for (size_t i = 0; i < sizeof block; i++)
        block[i] = (uint8_t)(i * 131 + 7);
    hmfs_crc32c_fn hardware = hmfs_crc32c_hardware();
    if (!hardware) {
        hmfs_crc32c_set(NULL);
        snprintf(why, size, "table (no SSE4.2)");
        return;
    }
    uint64_t table = checksum_ticks(hmfs_crc32c_software_update, block);
    uint64_t instruction = checksum_ticks(hardware, block);
    hmfs_crc32c_set(instruction <= table ? hardware : NULL);
    snprintf(why, size, "%s (a block in %llu ticks by SSE4.2's crc32, %llu by table)",
             instruction <= table ? "SSE4.2's crc32" : "table", (unsigned long long)instruction,
             (unsigned long long)table);
}

int main(int argc, char **argv)
{
    char checksum[96];
    choose_checksum(checksum, sizeof checksum);
    const char *why = device_open(argc > 1 ? argv[1] : 0, argc > 2 ? argv[2] : 0);
    if (why && !strncmp(why, "no disk", 7)) {
        /* The boot manifest names the first AHCI disk; a machine without one has no files. */
        printf("hmfs: %s: not serving files\n", why);
        return 0;
    }
    if (why) {
        printf("hmfs: error: %s\n", why);
        return 1;
    }
    bool format = argc > 3 && !strcmp(argv[3], "format");
    struct hmfs_options options = {.cache_blocks = HMFSD_HMFS_CACHE, .clock = clock_seconds};
    int rc = hmfs_mount(&hmfsd.device, &options, &hmfsd.fs);
    if (rc && format && !device_has_hmfs()) {
        printf("hmfs: %s holds no HMFS: formatting it\n", hmfsd.disk);
        rc = hmfs_format(&hmfsd.device);
        if (!rc)
            rc = hmfs_mount(&hmfsd.device, &options, &hmfsd.fs);
    }
    if (rc && !format && !device_has_hmfs()) {
        printf("hmfs: %s holds no HMFS volume: not serving files (make one with mkfs.hmfs, or "
               "give hmfs \"format\" in the manifest)\n",
               hmfsd.disk);
        return 0;
    }
    if (rc) {
        printf("hmfs: error: cannot mount %s: %s\n", hmfsd.disk, hmfs_error_name(rc));
        return 1;
    }
    struct hmfs_statfs st;
    hmfs_statfs(hmfsd.fs, &st);
    uint64_t now = 0;
    proc_uptime_ms(&now);
    hmfsd.instance = now + 1;
    printf("hmfs: mounted %s: generation %llu, %llu of %llu blocks used, %u trees%s; checksums "
           "by %s\n",
           hmfsd.disk, (unsigned long long)st.generation, (unsigned long long)st.used_blocks,
           (unsigned long long)st.block_count, st.trees,
           st.degraded ? " (degraded: read-only, run fsck)" : "", checksum);
    why = start_notifications();
    if (why)
        printf("hmfs: warning: %s (no periodic commits or clean shutdown)\n", why);
    static struct server server = {
        .name = "hmfs",
        .endpoint = PROC_SLOT_SERVICE,
        .cspace = PROC_SLOT_CSPACE,
        .ops = ops,
        .op_count = sizeof ops / sizeof ops[0],
        .find_client = find_client,
        .notification = notified,
        .receive_failed = keep_serving,
        .slot_alloc = libsys_get_slot,
        .slot_free = libsys_put_slot,
    };
    server_run(&server);
}
