/*
 * fstest: the file server's in-system test (tests/system/hmfs_cases.py), a client of
 * servers/hmfs through libsys's file client (lib/libsys/fs_client.h). What it does is named by
 * its first argument, the file server by its second:
 *
 *   ops SERVER         every request of the protocol, and every bad input the issue lists
 *                      (names too long or with '/' or NUL, paths through files, a directory
 *                      renamed into itself, a handle after close and another client's, a
 *                      snapshot written), then many clients at once
 *   full SERVER        a small volume filled to "no space": consistent after, space given
 *                      back by unlink
 *   write SERVER       the persistence test's first boot: files written and fsynced
 *   read SERVER        its second boot: the files as written
 *   persist SERVER     write, or read if the files are there (one case, a reboot between)
 *   periodic SERVER    a write without an fsync is committed on the server's clock
 *   damaged SERVER     the corruption test: damaged.bin fails with an I/O error naming it,
 *                      the other files read; fsck finds the damage
 *   ioerror SERVER     the read-error test: the disk fails reads of /damaged.bin's block
 *   intruder SERVER H  (spawned by ops) another client: handle H is not its own
 *   worker SERVER K    (spawned by ops) one of the clients at once: its own file, checked
 *
 * Ends with "fstest: MODE: N passed, M failed".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libsys/fs_client.h"
#include "testlib.h"

#define WORKERS  4
#define VISITORS 200 /* past the 152 that exhausted the server's CSpace (test_visitors) */

static const char *server;

/* Checks that r is success (status 0) or the file status or SERVICE_* status. */
static void expect(const char *what, struct result r, unsigned long status)
{
    if (status == 0 ? result_is_ok(r)
                    : (r.source == RESULT_SERVICE && (unsigned long)r.code == status)) {
        check(what, 0, 0);
        return;
    }
    check_fail("%s: got %s (%ld), want %s", what,
               r.source == RESULT_OK       ? "ok"
               : r.source == RESULT_KERNEL ? "a kernel error"
                                           : fs_error_name((unsigned long)r.code),
               r.code, status ? fs_error_name(status) : "ok");
}

static struct fs_client *connect_or_die(void)
{
    struct fs_client *c = 0;
    struct result r = fs_connect(server, 256u << 10, &c);
    expect("connect", r, 0);
    if (!result_is_ok(r)) {
        check_report(0);
        exit(1);
    }
    return c;
}

/* A pattern byte for offset i of file seed. */
static uint8_t pattern(unsigned seed, size_t i)
{
    return (uint8_t)(i * 31 + seed * 7 + (i >> 9));
}

/* Writes size bytes of pattern seed to path (created or emptied). */
static void write_file(struct fs_client *c, const char *path, unsigned seed, size_t size, bool sync)
{
    uint8_t *data = malloc(size ? size : 1);
    for (size_t i = 0; i < size; i++)
        data[i] = pattern(seed, i);
    uint64_t h;
    struct result r = fs_open(c, 0, path, FS_OPEN_WRITE | FS_OPEN_CREATE | FS_OPEN_TRUNCATE, &h, 0);
    expect(path, r, 0);
    if (result_is_ok(r)) {
        size_t done = 0;
        expect("write", fs_write(c, h, 0, data, size, &done, 0), 0);
        check("written", (long)done, (long)size);
        if (sync)
            expect("fsync", fs_fsync(c, h), 0);
        expect("close", fs_close(c, h), 0);
    }
    free(data);
}

/* Checks that path holds size bytes of pattern seed. */
static void check_file(struct fs_client *c, unsigned tree, const char *path, unsigned seed,
                       size_t size)
{
    uint64_t h;
    struct fs_stat st;
    struct result r = fs_open(c, tree, path, FS_OPEN_READ, &h, &st);
    expect(path, r, 0);
    if (!result_is_ok(r))
        return;
    check("size", (long)st.size, (long)size);
    uint8_t *data = malloc(size + 16);
    size_t got = 0;
    expect("read", fs_read(c, h, 0, data, size + 16, &got), 0);
    check("read bytes", (long)got, (long)size);
    size_t bad = 0;
    for (size_t i = 0; i < got; i++)
        bad += data[i] != pattern(seed, i);
    if (bad)
        check_fail("%s: %zu bytes differ", path, bad);
    expect("close", fs_close(c, h), 0);
    free(data);
}

/* A raw request naming a range of the buffer (for what the library never sends). */
static struct result raw(struct fs_client *c, uint64_t label, const uint64_t *words, unsigned n)
{
    struct request r = {.label = label};
    for (unsigned i = 0; i < n; i++)
        request_set_word(&r, i, words[i]);
    return request_result(request_call(fs_endpoint(c), &r, 0, 0, 0), &r);
}

static void test_files(struct fs_client *c)
{
    expect("mkdir /docs", fs_mkdir(c, 0, "/docs", 0), 0);
    expect("mkdir again", fs_mkdir(c, 0, "/docs", 0), FS_ERROR_EXISTS);
    write_file(c, "/docs/a.txt", 1, 10000, false);
    check_file(c, 0, "/docs/a.txt", 1, 10000);
    write_file(c, "docs/big.bin", 2, 600000, true); /* several buffer chunks */
    check_file(c, 0, "/docs/big.bin", 2, 600000);

    uint64_t h;
    struct fs_stat st;
    /* Append, truncate, fstat. */
    expect("open append", fs_open(c, 0, "/docs/a.txt", FS_OPEN_WRITE | FS_OPEN_APPEND, &h, 0), 0);
    size_t done;
    uint64_t end;
    expect("append", fs_write(c, h, 0, "tail", 4, &done, &end), 0);
    check("append end", (long)end, 10004);
    expect("truncate", fs_truncate(c, h, 5000), 0);
    expect("fstat", fs_fstat(c, h, &st), 0);
    check("truncated size", (long)st.size, 5000);
    check("fstat type", st.type, FS_TYPE_FILE);
    char byte;
    size_t got;
    expect("read of a write-only handle", fs_read(c, h, 0, &byte, 1, &got), FS_ERROR_ACCESS);
    expect("close", fs_close(c, h), 0);
    check_file(c, 0, "/docs/a.txt", 1, 5000);

    /* Exclusive create, stat, rename, unlink, rmdir. */
    expect("create exclusive of an existing file",
           fs_open(c, 0, "/docs/a.txt", FS_OPEN_WRITE | FS_OPEN_CREATE | FS_OPEN_EXCLUSIVE, &h, 0),
           FS_ERROR_EXISTS);
    expect("stat", fs_stat(c, 0, "/docs/big.bin", &st), 0);
    check("stat size", (long)st.size, 600000);
    expect("stat of the root", fs_stat(c, 0, "/", &st), 0);
    check("root is a directory", st.type, FS_TYPE_DIR);
    expect("rename", fs_rename(c, 0, "/docs/a.txt", "/a-moved.txt"), 0);
    expect("old name gone", fs_stat(c, 0, "/docs/a.txt", &st), FS_ERROR_NOT_FOUND);
    check_file(c, 0, "/a-moved.txt", 1, 5000);
    expect("rmdir of a full directory", fs_rmdir(c, 0, "/docs"), FS_ERROR_NOT_EMPTY);
    expect("unlink of a directory", fs_unlink(c, 0, "/docs"), FS_ERROR_IS_DIR);
    expect("unlink", fs_unlink(c, 0, "/docs/big.bin"), 0);
    expect("unlink again", fs_unlink(c, 0, "/docs/big.bin"), FS_ERROR_NOT_FOUND);
    expect("rmdir", fs_rmdir(c, 0, "/docs"), 0);

    /* readdir of a directory of 300 names, in batches. */
    expect("mkdir /many", fs_mkdir(c, 0, "/many", 0), 0);
    for (unsigned i = 0; i < 300; i++) {
        char path[40];
        snprintf(path, sizeof path, "/many/file-%u", i);
        expect("create", fs_open(c, 0, path, FS_OPEN_WRITE | FS_OPEN_CREATE, &h, 0), 0);
        expect("close", fs_close(c, h), 0);
    }
    expect("open a directory", fs_open(c, 0, "/many", FS_OPEN_READ | FS_OPEN_DIRECTORY, &h, 0), 0);
    static struct fs_entry entries[64];
    static bool seen[300];
    uint64_t cookie = 0;
    unsigned total = 0, count, batches = 0;
    do {
        expect("readdir", fs_readdir(c, h, &cookie, entries, 64, &count), 0);
        for (unsigned i = 0; i < count; i++) {
            unsigned n;
            if (sscanf(entries[i].name, "file-%u", &n) == 1 && n < 300 && !seen[n]) {
                seen[n] = true;
                total++;
            }
        }
        batches++;
    } while (count && batches < 100);
    check("readdir listed every name once", total, 300);
    check("readdir in batches", batches >= 5, 1);
    expect("close", fs_close(c, h), 0);
    expect("statfs", fs_statfs(c, &(struct fs_statfs){0}), 0);
}

static void test_bad_input(struct fs_client *c)
{
    uint64_t h;
    struct fs_stat st;
    char name[300];
    memset(name, 'n', sizeof name);
    name[256] = 0; /* 256 bytes: one past FS_NAME_MAX */
    expect("a name too long", fs_open(c, 0, name, FS_OPEN_WRITE | FS_OPEN_CREATE, &h, 0),
           FS_ERROR_NAME_TOO_LONG);
    name[255] = 0;
    expect("a name of 255 bytes", fs_open(c, 0, name, FS_OPEN_WRITE | FS_OPEN_CREATE, &h, 0), 0);
    expect("close", fs_close(c, h), 0);
    static char path[FS_PATH_MAX + 2];
    memset(path, 'p', FS_PATH_MAX + 1);
    expect("a path too long", fs_stat(c, 0, path, &st), FS_ERROR_NAME_TOO_LONG);

    /* A NUL inside a path, and a path past the buffer: only a raw request sends those. */
    size_t bytes;
    char *buffer = fs_buffer(c, &bytes);
    memcpy(buffer, "bad\0name", 8);
    expect("a NUL in a path", raw(c, FS_MKDIR, (uint64_t[]){0, 0, 8}, 3), FS_ERROR_BAD_NAME);
    struct result r = raw(c, FS_STAT, (uint64_t[]){0, bytes - 2, 8}, 3);
    check("a path past the buffer: bad argument", result_is_service(r, SERVICE_BAD_ARGUMENT), 1);
    check("  naming the path's offset", r.argument, 1);
    r = raw(c, FS_OPEN, (uint64_t[]){0, 0x1000, 0, 1}, 4);
    check("unknown open flags: bad argument 1",
          result_is_service(r, SERVICE_BAD_ARGUMENT) && r.argument == 1, 1);
    r = raw(c, FS_STAT, (uint64_t[]){FS_MAX_TREES, 0, 1}, 3);
    check("a tree past the last: bad argument 0",
          result_is_service(r, SERVICE_BAD_ARGUMENT) && r.argument == 0 &&
              r.max == FS_MAX_TREES - 1,
          1);
    r = raw(c, FS_READ, (uint64_t[]){1, 0, 0, FS_IO_MAX + 1}, 4);
    check("a read past FS_IO_MAX or a bad handle", r.source == RESULT_SERVICE, 1);

    /* '/' where one name is wanted, "." and "..". */
    expect("a snapshot name with '/'", fs_snapshot_create(c, 0, "a/b", 0), FS_ERROR_BAD_NAME);
    expect("mkdir \"..\"", fs_mkdir(c, 0, "/..", 0), FS_ERROR_BAD_NAME);
    expect("unlink the root", fs_unlink(c, 0, "/"), FS_ERROR_BAD_NAME);

    /* Paths through files. */
    write_file(c, "/plain", 5, 100, false);
    expect("a path through a file", fs_stat(c, 0, "/plain/x", &st), FS_ERROR_NOT_DIR);
    expect("create below a file", fs_open(c, 0, "/plain/x", FS_OPEN_WRITE | FS_OPEN_CREATE, &h, 0),
           FS_ERROR_NOT_DIR);
    expect("mkdir below a file", fs_mkdir(c, 0, "/plain/d", 0), FS_ERROR_NOT_DIR);
    expect("open a file as a directory",
           fs_open(c, 0, "/plain", FS_OPEN_READ | FS_OPEN_DIRECTORY, &h, 0), FS_ERROR_NOT_DIR);
    expect("open a directory as a file", fs_open(c, 0, "/", FS_OPEN_READ, &h, 0), FS_ERROR_IS_DIR);

    /* A directory renamed into itself or below. */
    expect("mkdir /outer", fs_mkdir(c, 0, "/outer", 0), 0);
    expect("mkdir /outer/inner", fs_mkdir(c, 0, "/outer/inner", 0), 0);
    expect("rename into itself", fs_rename(c, 0, "/outer", "/outer/inner/x"), FS_ERROR_INVALID);
    expect("rename onto a directory", fs_rename(c, 0, "/plain", "/outer"), FS_ERROR_IS_DIR);
    expect("outer still there", fs_stat(c, 0, "/outer/inner", &st), 0);

    /* A handle after close; one never opened. */
    expect("open", fs_open(c, 0, "/plain", FS_OPEN_READ, &h, 0), 0);
    expect("close", fs_close(c, h), 0);
    char b[8];
    size_t got;
    expect("read after close", fs_read(c, h, 0, b, 8, &got), FS_ERROR_BAD_HANDLE);
    expect("close after close", fs_close(c, h), FS_ERROR_BAD_HANDLE);
    expect("a handle never opened", fs_fstat(c, 12345, &st), FS_ERROR_BAD_HANDLE);
}

/* Another client (a process of its own) tries a handle of this one. */
static void test_intruder(struct fs_client *c)
{
    uint64_t h;
    expect("open", fs_open(c, 0, "/plain", FS_OPEN_READ | FS_OPEN_WRITE, &h, 0), 0);
    char number[24];
    snprintf(number, sizeof number, "%llu", (unsigned long long)h);
    const char *argv[] = {"intruder", server, number, 0};
    uint64_t pid;
    int64_t status = -1;
    expect("spawn the intruder", proc_spawn("bin/fstest", argv, &pid), 0);
    expect("wait", proc_wait(pid, &status), 0);
    check("the intruder's checks passed", (long)status, 0);
    /* The handle is still this client's. */
    char b[8];
    size_t got;
    expect("the handle still works", fs_read(c, h, 0, b, 8, &got), 0);
    expect("close", fs_close(c, h), 0);
}

static int intruder(uint64_t h)
{
    struct fs_client *c = connect_or_die();
    char b[8] = "evil";
    size_t got;
    struct fs_stat st;
    expect("another's handle: read", fs_read(c, h, 0, b, 8, &got), FS_ERROR_BAD_HANDLE);
    expect("another's handle: write", fs_write(c, h, 0, b, 4, &got, 0), FS_ERROR_BAD_HANDLE);
    expect("another's handle: fstat", fs_fstat(c, h, &st), FS_ERROR_BAD_HANDLE);
    expect("another's handle: close", fs_close(c, h), FS_ERROR_BAD_HANDLE);
    return check_report("intruder");
}

static void test_snapshots(struct fs_client *c)
{
    write_file(c, "/snapped", 9, 20000, false);
    unsigned snap, clone, flags;
    expect("snapshot create", fs_snapshot_create(c, 0, "before", &snap), 0);
    expect("snapshot again", fs_snapshot_create(c, 0, "before", 0), FS_ERROR_EXISTS);
    write_file(c, "/snapped", 10, 3000, false); /* the main tree moves on */
    expect("snapshot mount", fs_snapshot_mount(c, "before", &snap, &flags), 0);
    check("the snapshot is read-only", flags & FS_TREE_READ_ONLY, FS_TREE_READ_ONLY);
    check_file(c, snap, "/snapped", 9, 20000);
    check_file(c, 0, "/snapped", 10, 3000);
    uint64_t h;
    expect("a snapshot written", fs_open(c, snap, "/snapped", FS_OPEN_WRITE, &h, 0),
           FS_ERROR_READ_ONLY);
    expect("a snapshot created in", fs_open(c, snap, "/new", FS_OPEN_WRITE | FS_OPEN_CREATE, &h, 0),
           FS_ERROR_READ_ONLY);
    expect("mkdir in a snapshot", fs_mkdir(c, snap, "/d", 0), FS_ERROR_READ_ONLY);
    expect("unlink in a snapshot", fs_unlink(c, snap, "/snapped"), FS_ERROR_READ_ONLY);
    check_file(c, snap, "/snapped", 9, 20000); /* nothing lost */
    expect("clone", fs_snapshot_clone(c, snap, "fork", &clone), 0);
    expect("write the clone", fs_open(c, clone, "/snapped", FS_OPEN_WRITE | FS_OPEN_APPEND, &h, 0),
           0);
    size_t done;
    expect("append to the clone", fs_write(c, h, 0, "x", 1, &done, 0), 0);
    expect("close", fs_close(c, h), 0);
    struct fs_tree t;
    unsigned trees = 0, at = 0;
    bool found_before = false;
    while (result_is_ok(fs_snapshot_list(c, at, &t))) {
        trees++;
        found_before |= !strcmp(t.name, "before") && (t.flags & FS_TREE_READ_ONLY);
        at = t.index + 1;
    }
    check("three trees listed", trees, 3);
    check("the snapshot listed read-only", found_before, 1);
    expect("open in the snapshot", fs_open(c, snap, "/snapped", FS_OPEN_READ, &h, 0), 0);
    expect("delete a snapshot in use", fs_snapshot_delete(c, "before"), SERVICE_BUSY);
    expect("close", fs_close(c, h), 0);
    struct fs_statfs before, after;
    expect("statfs", fs_statfs(c, &before), 0);
    expect("delete the clone", fs_snapshot_delete(c, "fork"), 0);
    expect("delete the snapshot", fs_snapshot_delete(c, "before"), 0);
    expect("statfs", fs_statfs(c, &after), 0);
    check("deleting gave space back", after.free > before.free, 1);
    expect("mount a deleted one", fs_snapshot_mount(c, "before", &snap, 0), FS_ERROR_NOT_FOUND);
    expect("delete the main tree", fs_snapshot_delete(c, "x/"), FS_ERROR_BAD_NAME);
}

static void test_fsck(struct fs_client *c)
{
    static char report[2048];
    struct fs_fsck_result f;
    expect("fsck", fs_fsck(c, report, sizeof report, &f), 0);
    check("fsck finds no error", (long)f.errors, 0);
    check("fsck read blocks", f.blocks > 10, 1);
    printf("fstest: fsck: %llu errors, %llu blocks, %llu inodes\n", (unsigned long long)f.errors,
           (unsigned long long)f.blocks, (unsigned long long)f.inodes);
}

/* WORKERS clients at once, each in a process of its own. */
static void test_many(void)
{
    uint64_t pids[WORKERS];
    for (unsigned i = 0; i < WORKERS; i++) {
        char k[8];
        snprintf(k, sizeof k, "%u", i);
        const char *argv[] = {"worker", server, k, 0};
        expect("spawn a worker", proc_spawn("bin/fstest", argv, &pids[i]), 0);
    }
    for (unsigned i = 0; i < WORKERS; i++) {
        int64_t status = -1;
        expect("wait", proc_wait(pids[i], &status), 0);
        check("a worker's checks passed", (long)status, 0);
    }
}

/* VISITORS processes one after another, each connecting with the default buffer (one slot in
   the server per frame) and ending without disconnecting, as most programs do: the server
   forgets them when its table is full. Forgetting a full table at once lost the slots libsys
   could not keep for reuse, and with 128 KiB buffers the 152nd process could not connect. */
static void test_visitors(void)
{
    unsigned failed = 0;
    for (unsigned i = 0; i < VISITORS; i++) {
        const char *argv[] = {"visitor", server, 0};
        uint64_t pid;
        int64_t status = -1;
        if (!result_is_ok(proc_spawn("bin/fstest", argv, &pid)) ||
            !result_is_ok(proc_wait(pid, &status)) || status != 0)
            failed++;
    }
    printf("fstest: %u visitors, %u failed\n", VISITORS, failed);
    check("every visitor connected and read", (long)failed, 0);
}

/* One visitor: connects with the default buffer, stats the root, ends without disconnecting. */
static int visitor(void)
{
    struct fs_client *c = 0;
    struct fs_stat st;
    if (!result_is_ok(fs_connect(server, FS_CLIENT_DEFAULT_BUFFER, &c)) ||
        !result_is_ok(fs_stat(c, 0, "/", &st)))
        return 1;
    return 0;
}

static int worker(unsigned k)
{
    struct fs_client *c = connect_or_die();
    char path[32];
    snprintf(path, sizeof path, "/worker-%u", k);
    for (unsigned round = 0; round < 5; round++) {
        write_file(c, path, k * 10 + round, 30000 + k * 1000, round == 4);
        check_file(c, 0, path, k * 10 + round, 30000 + k * 1000);
    }
    fs_disconnect(c);
    return check_report("worker");
}

static void test_full(struct fs_client *c)
{
    static uint8_t chunk[16384];
    memset(chunk, 0xa5, sizeof chunk);
    uint64_t h;
    expect("create", fs_open(c, 0, "/filler", FS_OPEN_WRITE | FS_OPEN_CREATE, &h, 0), 0);
    uint64_t offset = 0;
    struct result r = result_ok();
    for (unsigned i = 0; i < 10000; i++) {
        size_t done = 0;
        r = fs_write(c, h, offset, chunk, sizeof chunk, &done, 0);
        offset += done;
        if (!result_is_ok(r) || done < sizeof chunk)
            break;
    }
    if (result_is_ok(r)) { /* a short write: the next one reports it */
        size_t done;
        r = fs_write(c, h, offset, chunk, sizeof chunk, &done, 0);
    }
    expect("a full disk", r, FS_ERROR_NO_SPACE);
    check("something was written", offset > 0, 1);
    printf("fstest: the disk filled after %llu bytes\n", (unsigned long long)offset);
    expect("mkdir on a full disk", fs_mkdir(c, 0, "/more", 0),
           FS_ERROR_NO_SPACE); /* no room for the directory's block either */
    expect("close", fs_close(c, h), 0);
    expect("unlink the filler", fs_unlink(c, 0, "/filler"), 0);
    expect("sync", fs_sync(c), 0);
    write_file(c, "/after", 3, 50000, true);
    check_file(c, 0, "/after", 3, 50000);
    test_fsck(c);
}

/* The persistence test's files. */
static void test_write(struct fs_client *c)
{
    fs_mkdir(c, 0, "/kept", 0);
    write_file(c, "/kept/notes.txt", 21, 12345, false);
    write_file(c, "/kept/big.bin", 22, 300000, true);
    write_file(c, "/kept/unsynced.txt", 23, 777, false); /* shutdown commits it */
}

static void test_read(struct fs_client *c)
{
    check_file(c, 0, "/kept/notes.txt", 21, 12345);
    check_file(c, 0, "/kept/big.bin", 22, 300000);
    check_file(c, 0, "/kept/unsynced.txt", 23, 777);
    test_fsck(c);
}

/* The persistence test (two boots on one disk): the first writes and reboots through procsrv's
   shutdown sequence, the second finds the files, checks them and powers off. */
static void test_persist(struct fs_client *c)
{
    struct fs_stat st;
    struct result r = fs_stat(c, 0, "/kept/notes.txt", &st);
    if (r.source == RESULT_SERVICE && r.code == FS_ERROR_NOT_FOUND) {
        test_write(c);
        int failed = check_report("persist-write");
        if (!failed)
            proc_shutdown(true); /* hmfs commits and unmounts before the reset */
        return;
    }
    test_read(c);
    check_report("persist-read");
    proc_shutdown(false);
}

/* The commit policy: data written without an fsync is committed within HMFSD_COMMIT_MS (5 s)
   and a tick; the case then cuts the power and the host reads the file. */
static void test_periodic(struct fs_client *c)
{
    struct fs_statfs before, now;
    expect("statfs", fs_statfs(c, &before), 0);
    uint64_t h;
    expect("create", fs_open(c, 0, "/periodic.txt", FS_OPEN_WRITE | FS_OPEN_CREATE, &h, 0), 0);
    size_t done;
    expect("write", fs_write(c, h, 0, "committed on its own\n", 21, &done, 0), 0);
    expect("close", fs_close(c, h), 0);
    uint64_t waited = 0;
    do {
        proc_sleep_ms(250);
        waited += 250;
        expect("statfs", fs_statfs(c, &now), 0);
    } while (now.generation == before.generation && waited < 12000);
    check("a commit came without an fsync", now.generation > before.generation, 1);
    check("  within the policy's 5 s and two ticks", waited <= 8000, 1);
    printf("fstest: periodic: committed after %llu ms\n", (unsigned long long)waited);
}

/* The corruption test: files made by the host (tests/system/hmfs_cases.py). */
static void test_damaged(struct fs_client *c)
{
    uint64_t h;
    expect("open the damaged file", fs_open(c, 0, "/damaged.bin", FS_OPEN_READ, &h, 0), 0);
    static uint8_t data[65536];
    size_t got = 0, total = 0;
    struct result r;
    /* The bytes before the damaged block come (a short read), then the error. */
    do {
        r = fs_read(c, h, total, data + total, sizeof data - total, &got);
        total += got;
    } while (result_is_ok(r) && got && total < sizeof data);
    check("reading the damaged file fails", result_is_ok(r), 0);
    check("  after the bytes before the damage", total < sizeof data, 1);
    check("with an I/O error or corruption",
          r.source == RESULT_SERVICE && (r.code == FS_ERROR_IO || r.code == FS_ERROR_CORRUPT), 1);
    struct fs_problem p;
    expect("the problem", fs_problem(c, &p), 0);
    check_string("the problem names the file", p.path, "/damaged.bin");
    printf("fstest: damaged: %s: %s at block %llu (inode %llu): %s\n", p.path,
           fs_error_name(p.error), (unsigned long long)p.block, (unsigned long long)p.inode,
           p.what);
    fs_close(c, h);
    for (unsigned i = 0; i < 3; i++) {
        char path[32];
        snprintf(path, sizeof path, "/good-%u.txt", i);
        expect(path, fs_open(c, 0, path, FS_OPEN_READ, &h, 0), 0);
        char text[64] = {0};
        expect("read a good file", fs_read(c, h, 0, text, sizeof text - 1, &got), 0);
        char want[64];
        snprintf(want, sizeof want, "good file %u\n", i);
        check_string("a good file reads", text, want);
        fs_close(c, h);
    }
    /* Below the damaged directory block: the directory cannot be read. */
    struct fs_stat st;
    r = fs_stat(c, 0, "/sub/inner.txt", &st);
    check("below a damaged directory: corrupt",
          r.source == RESULT_SERVICE && r.code == FS_ERROR_CORRUPT, 1);
    expect("the problem", fs_problem(c, &p), 0);
    printf("fstest: damaged: %s: %s at block %llu (inode %llu): %s\n", p.path,
           fs_error_name(p.error), (unsigned long long)p.block, (unsigned long long)p.inode,
           p.what);
    struct fs_statfs sf;
    expect("statfs", fs_statfs(c, &sf), 0);
    check("the volume mounted degraded", sf.flags & FS_STATFS_DEGRADED, FS_STATFS_DEGRADED);
    uint64_t w;
    expect("a degraded volume is read-only",
           fs_open(c, 0, "/new", FS_OPEN_WRITE | FS_OPEN_CREATE, &w, 0), FS_ERROR_READ_ONLY);
    static char report[4096];
    struct fs_fsck_result f = {0};
    expect("fsck", fs_fsck(c, report, sizeof report, &f), 0);
    check("fsck finds the damage", f.errors >= 2, 1);
    printf("fstest: fsck: %llu errors\n", (unsigned long long)f.errors);
}

/* The read-error test: the disk fails every read of one data block of /damaged.bin (QEMU's
   blkdebug): an I/O error naming the file, the other files read, the volume not degraded. */
static void test_ioerror(struct fs_client *c)
{
    uint64_t h;
    expect("open the file on the bad sectors", fs_open(c, 0, "/damaged.bin", FS_OPEN_READ, &h, 0),
           0);
    static uint8_t data[65536];
    size_t got = 0, total = 0;
    struct result r;
    do {
        r = fs_read(c, h, total, data + total, sizeof data - total, &got);
        total += got;
    } while (result_is_ok(r) && got && total < sizeof data);
    check("reading it fails with an I/O error", r.source == RESULT_SERVICE && r.code == FS_ERROR_IO,
          1);
    struct fs_problem p;
    expect("the problem", fs_problem(c, &p), 0);
    check_string("the problem names the file", p.path, "/damaged.bin");
    printf("fstest: ioerror: %s: %s at block %llu (inode %llu)\n", p.path, fs_error_name(p.error),
           (unsigned long long)p.block, (unsigned long long)p.inode);
    fs_close(c, h);
    for (unsigned i = 0; i < 3; i++) {
        char path[32], text[64] = {0}, want[64];
        snprintf(path, sizeof path, "/good-%u.txt", i);
        expect(path, fs_open(c, 0, path, FS_OPEN_READ, &h, 0), 0);
        expect("read a good file", fs_read(c, h, 0, text, sizeof text - 1, &got), 0);
        snprintf(want, sizeof want, "good file %u\n", i);
        check_string("a good file reads", text, want);
        fs_close(c, h);
    }
    struct fs_stat st;
    expect("a file below /sub reads", fs_stat(c, 0, "/sub/inner.txt", &st), 0);
}

int main(int argc, char **argv)
{
    check_init("fstest");
    const char *mode = argc > 1 ? argv[1] : "ops";
    server = argc > 2 ? argv[2] : FS_SERVER_NAME;
    if (!strcmp(mode, "intruder"))
        return intruder(argc > 3 ? strtoull(argv[3], 0, 10) : 0);
    if (!strcmp(mode, "visitor"))
        return visitor();
    if (!strcmp(mode, "worker"))
        return worker(argc > 3 ? (unsigned)atoi(argv[3]) : 0);
    struct fs_client *c = connect_or_die();
    if (!strcmp(mode, "ops")) {
        test_files(c);
        test_bad_input(c);
        test_intruder(c);
        test_snapshots(c);
        test_many();
        test_visitors();
        test_fsck(c);
    } else if (!strcmp(mode, "full")) {
        test_full(c);
    } else if (!strcmp(mode, "write")) {
        test_write(c);
    } else if (!strcmp(mode, "read")) {
        test_read(c);
    } else if (!strcmp(mode, "periodic")) {
        test_periodic(c);
    } else if (!strcmp(mode, "persist")) {
        test_persist(c);
        return 0;
    } else if (!strcmp(mode, "ioerror")) {
        test_ioerror(c);
    } else if (!strcmp(mode, "damaged")) {
        test_damaged(c);
    } else {
        check_fail("unknown mode %s", mode);
    }
    int failed = check_report(mode);
    return failed ? 1 : 0;
}
