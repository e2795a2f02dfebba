/*
 * blocktest's subcommands but the bad-input suite (blocktest.h says what each does). Every
 * line it prints starts with "blocktest:"; a run ends with the count line of testlib.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blocktest.h"
#include "libsys/service.h"
#include "testlib.h"

#define MAX_SECTORS_PER_REQUEST 16
#define DEFAULT_SECTORS         8192
#define MAX_CLIENTS             8
#define STREAM_SECTORS          8 /* per write of a stream */
#define STREAM_DEPTH            16
#define STREAM_MAX              4096

/* A small generator for request sizes (the data is blocktest_word's). */
static uint64_t next_random(uint64_t *state)
{
    *state = *state * 6364136223846793005ull + 1442695040888963407ull;
    return *state >> 33;
}

/* Fills sectors [lba, lba + count) of the pattern into buffer. */
static void fill(uint8_t *buffer, uint64_t seed, uint64_t lba, uint32_t count, uint32_t sector)
{
    uint64_t first = lba * sector / 8, words = (uint64_t)count * sector / 8;
    for (uint64_t i = 0; i < words; i++) {
        uint64_t w = blocktest_word(seed, first + i);
        memcpy(buffer + 8 * i, &w, 8);
    }
}

/* The sectors of buffer (holding [lba, lba + count)) that differ from the pattern. */
static unsigned mismatches(const uint8_t *buffer, uint64_t seed, uint64_t lba, uint32_t count,
                           uint32_t sector)
{
    unsigned bad = 0;
    for (uint32_t s = 0; s < count; s++) {
        uint64_t first = (lba + s) * sector / 8;
        for (uint32_t i = 0; i < sector / 8; i++) {
            uint64_t w;
            memcpy(&w, buffer + (uint64_t)s * sector + 8 * i, 8);
            if (w != blocktest_word(seed, first + i)) {
                if (bad < 3)
                    printf("blocktest: sector %llu differs at byte %u\n",
                           (unsigned long long)(lba + s), 8 * i);
                bad++;
                break;
            }
        }
    }
    return bad;
}

/* Writes (op BLOCK_OP_WRITE, each with flags: BLOCK_FLAG_FUA or 0) or reads and checks
   (BLOCK_OP_READ) the pattern on sectors [first, first + count), depth requests in flight,
   each 1..16 sectors. Returns the sectors that failed (or mismatched). */
static uint64_t run_pattern(struct block_session *s, uint8_t op, uint8_t flags, uint64_t seed,
                            unsigned depth, uint64_t first, uint64_t count)
{
    const struct block_disk_info *info = block_info(s);
    uint32_t sector = info->sector_size;
    uint64_t slot_bytes = (uint64_t)MAX_SECTORS_PER_REQUEST * sector;
    uint8_t *region = block_region(s);
    uint64_t lba_of[BLOCK_RING_ENTRIES];
    uint32_t count_of[BLOCK_RING_ENTRIES];
    unsigned free_slots[BLOCK_RING_ENTRIES], free_count = 0;
    for (unsigned i = 0; i < depth; i++)
        free_slots[free_count++] = depth - 1 - i;
    uint64_t next = first, end = first + count, failed = 0, random = seed ^ op;
    while (next < end || block_in_flight(s) > 0) {
        while (next < end && free_count > 0) {
            uint32_t n = 1 + (uint32_t)(next_random(&random) % MAX_SECTORS_PER_REQUEST);
            if (n > end - next)
                n = (uint32_t)(end - next);
            unsigned slot = free_slots[--free_count];
            lba_of[slot] = next;
            count_of[slot] = n;
            if (op == BLOCK_OP_WRITE)
                fill(region + slot * slot_bytes, seed, next, n, sector);
            struct block_submission r = {.op = op,
                                         .flags = flags,
                                         .count = n,
                                         .lba = next,
                                         .offset = slot * slot_bytes,
                                         .tag = slot};
            long e = block_submit(s, &r);
            if (e != 0) {
                check_fail("submit at sector %llu: error %ld", (unsigned long long)next, e);
                return count;
            }
            next += n;
        }
        block_kick(s);
        struct block_completion done[BLOCK_RING_ENTRIES];
        long got = block_reap(s, done, BLOCK_RING_ENTRIES);
        if (got < 0) {
            check_fail("reap: error %ld", got);
            return count;
        }
        for (long i = 0; i < got; i++) {
            unsigned slot = (unsigned)done[i].tag;
            if (done[i].status != BLOCK_OK) {
                printf("blocktest: sectors %llu+%u: %s\n", (unsigned long long)lba_of[slot],
                       count_of[slot], block_status_name(done[i].status));
                failed += count_of[slot];
            } else if (op == BLOCK_OP_READ) {
                failed += mismatches(region + slot * slot_bytes, seed, lba_of[slot], count_of[slot],
                                     sector);
            }
            free_slots[free_count++] = slot;
        }
    }
    return failed;
}

/* Opens server's disk with a region for depth requests of the largest size. */
static struct block_session *open_for(const char *server, unsigned disk, unsigned depth)
{
    struct block_disk_info info;
    long e = block_disk_info(server, disk, &info);
    struct block_session *s = 0;
    if (e == 0)
        e = block_open(server, disk, (size_t)depth * MAX_SECTORS_PER_REQUEST * info.sector_size,
                       &s);
    if (e != 0)
        check_fail("open %s disk %u: error %ld", server, disk, e);
    return s;
}

/* write, write-fua, verify, pattern: the pattern on [first, first + count) at depth (the
   writes with BLOCK_FLAG_FUA if fua). */
static void pattern(const char *server, unsigned disk, uint64_t seed, unsigned depth,
                    uint64_t first, uint64_t count, bool write, bool verify, bool fua)
{
    if (depth < 1 || depth > BLOCK_RING_ENTRIES) {
        check_fail("depth %u: 1..%u", depth, BLOCK_RING_ENTRIES);
        return;
    }
    struct block_session *s = open_for(server, disk, depth);
    if (!s)
        return;
    uint64_t sectors = block_info(s)->sectors;
    if (count == 0 && first < sectors) /* the default: what fits */
        count = sectors - first < DEFAULT_SECTORS ? sectors - first : DEFAULT_SECTORS;
    if (count == 0 || first >= sectors || count > sectors - first) {
        check_fail("sectors %llu+%llu: the disk has %llu", (unsigned long long)first,
                   (unsigned long long)count, (unsigned long long)sectors);
        block_close(s);
        return;
    }
    if (write)
        check("sectors written wrong",
              (long)run_pattern(s, BLOCK_OP_WRITE, fua ? BLOCK_FLAG_FUA : 0, seed, depth, first,
                                count),
              0);
    if (verify)
        check("sectors read back wrong",
              (long)run_pattern(s, BLOCK_OP_READ, 0, seed, depth, first, count), 0);
    printf("blocktest: %s %s disk %u: sectors %llu+%llu at depth %u%s%s\n",
           check_failures() ? "FAILED" : "ok", server, disk, (unsigned long long)first,
           (unsigned long long)count, depth,
           !write ? ""
           : fua  ? " written (FUA)"
                  : " written",
           verify ? " verified" : "");
    block_close(s);
}

/* clients: n copies of this program at once, each writing and checking its own sectors. */
static void clients(const char *server, const char *disk, unsigned n)
{
    uint64_t pids[MAX_CLIENTS];
    if (n < 1 || n > MAX_CLIENTS) {
        check_fail("clients: 1..%u", MAX_CLIENTS);
        return;
    }
    for (unsigned i = 0; i < n; i++) {
        char seed[24], first[24], depth[8];
        snprintf(seed, sizeof seed, "%u", 1000 + i);
        snprintf(first, sizeof first, "%u", i * 2048);
        snprintf(depth, sizeof depth, "%u", 1 + 4 * i);
        const char *argv[] = {"worker", server, disk, seed, depth, first, "2048", 0};
        check_status("spawn a client", proc_spawn("bin/blocktest", argv, &pids[i]), SERVICE_OK);
    }
    for (unsigned i = 0; i < n; i++) {
        int64_t status = -1;
        check_status("wait for a client", proc_wait(pids[i], &status), SERVICE_OK);
        check("a client's failures", (long)status, 0);
    }
    printf("blocktest: %u clients at once on %s disk %s: %s\n", n, server, disk,
           check_failures() ? "FAILED" : "each read back its own data");
}

/* Swaps server for program ("swap=PROGRAM") or kills it ("kill"). */
static void fault(const char *server, const char *how)
{
    if (strncmp(how, "swap=", 5) == 0) {
        uint64_t pid = 0;
        check_status("swap the server", proc_swap(server, how + 5, &pid), SERVICE_OK);
    } else {
        check_status("kill the server", proc_kill(blocktest_server_pid(server)), SERVICE_OK);
    }
    printf("blocktest: stream: %s (%s) while writes were in flight\n", server, how);
}

/* stream: count writes of STREAM_SECTORS each, one after the other on the disk, STREAM_DEPTH in
   flight; the server is swapped or killed (how) a third of the way. */
static void stream(const char *server, unsigned disk, unsigned count, const char *how)
{
    static uint8_t completions[STREAM_MAX];
    const uint64_t seed = 77;
    struct block_session *s = open_for(server, disk, STREAM_DEPTH);
    if (!s)
        return;
    uint32_t sector = block_info(s)->sector_size;
    uint64_t room = block_info(s)->sectors / STREAM_SECTORS;
    if (count > STREAM_MAX || count > room)
        count = (unsigned)(room < STREAM_MAX ? room : STREAM_MAX);
    uint8_t *region = block_region(s);
    uint64_t slot_bytes = (uint64_t)MAX_SECTORS_PER_REQUEST * sector;
    unsigned next = 0, done = 0, failed = 0, no_device = 0, slot_of[STREAM_MAX];
    unsigned free_slots[STREAM_DEPTH], free_count = 0;
    bool faulted = !how;
    for (unsigned i = 0; i < STREAM_DEPTH; i++)
        free_slots[free_count++] = i;
    while (done < count) {
        while (next < count && free_count > 0) {
            unsigned slot = free_slots[--free_count];
            slot_of[next] = slot;
            fill(region + slot * slot_bytes, seed, (uint64_t)next * STREAM_SECTORS, STREAM_SECTORS,
                 sector);
            struct block_submission r = {.op = BLOCK_OP_WRITE,
                                         .count = STREAM_SECTORS,
                                         .lba = (uint64_t)next * STREAM_SECTORS,
                                         .offset = slot * slot_bytes,
                                         .tag = next};
            if (block_submit(s, &r) != 0)
                break;
            next++;
        }
        block_kick(s);
        if (!faulted && done >= count / 3) {
            fault(server, how);
            faulted = true;
        }
        struct block_completion c[STREAM_DEPTH];
        long got = block_reap(s, c, STREAM_DEPTH);
        if (got <= 0) {
            check_fail("stream: reap answered %ld after %u of %u writes", got, done, count);
            break;
        }
        for (long i = 0; i < got; i++) {
            if (c[i].tag >= count || completions[c[i].tag]++ != 0) {
                check_fail("stream: write %llu completed twice (or never asked)",
                           (unsigned long long)c[i].tag);
                continue;
            }
            failed += c[i].status != BLOCK_OK;
            no_device += c[i].status == BLOCK_ERROR_NO_DEVICE;
            free_slots[free_count++] = slot_of[c[i].tag];
            done++;
        }
    }
    unsigned once = 0;
    for (unsigned i = 0; i < count; i++)
        once += completions[i] == 1;
    check("stream: writes completed exactly once", once, count);
    bool ram = block_info(s)->flags & BLOCK_INFO_RAM;
    if (ram && how) {
        /* A new ramdisk is empty: the session fails rather than write into it. */
        check("stream: writes failed other than with no device", failed - no_device, 0);
        check("stream: writes failed with no device", no_device >= 1, 1);
        check("stream: the ramdisk's session was opened again", block_reopen_count(s), 0);
    } else {
        check("stream: writes failed", failed, 0);
        if (how)
            check("stream: the session was opened again", block_reopen_count(s) >= 1, 1);
    }
    printf("blocktest: stream: %u writes, %u completed exactly once, %u failed, %u reopens\n",
           count, once, failed, block_reopen_count(s));
    block_close(s);
    if (ram && how) {
        printf("blocktest: stream: the session failed: a ramdisk's contents go with its "
               "server\n");
        return;
    }
    struct block_session *r = open_for(server, disk, STREAM_DEPTH);
    if (r) {
        check("stream: sectors read back wrong",
              (long)run_pattern(r, BLOCK_OP_READ, 0, seed, STREAM_DEPTH, 0,
                                (uint64_t)count * STREAM_SECTORS),
              0);
        printf("blocktest: stream: every acknowledged write read back\n");
        block_close(r);
    }
}

/* idle: a session left idle while its server is swapped for program (or killed: "kill")
   learns it at its next request, which the library carries to the new instance. */
static void idle(const char *server, unsigned disk, const char *how)
{
    static uint8_t buffer[4096];
    struct block_session *s = open_for(server, disk, 1);
    if (!s)
        return;
    check("a read before", block_read(s, 0, buffer, sizeof buffer), 0);
    fault(server, how);
    if (block_info(s)->flags & BLOCK_INFO_RAM) {
        /* Its contents went with the old instance: the session fails, nothing is reopened. */
        long no_device = -(long)(BLOCK_STATUS_BASE + BLOCK_ERROR_NO_DEVICE);
        check("a read after", block_read(s, 0, buffer, sizeof buffer), no_device);
        check("a write after", block_write(s, 0, buffer, sizeof buffer, true), no_device);
        check("the session was not opened again", block_reopen_count(s), 0);
        printf("blocktest: idle: %s; the ramdisk's session failed cleanly\n",
               check_failures() ? "FAILED" : "the server went while the session was idle");
        block_close(s);
        return;
    }
    check("a read after, from the new instance", block_read(s, 0, buffer, sizeof buffer), 0);
    check("a write after", block_write(s, 0, buffer, sizeof buffer, true), 0);
    check("the session was opened again once", block_reopen_count(s), 1);
    printf("blocktest: idle: %s; the next requests went to the new instance\n",
           check_failures() ? "FAILED" : "the server went while the session was idle");
    block_close(s);
}

/* A number argument, or exits with the usage. */
static uint64_t number(const char *s)
{
    char *end;
    uint64_t n = strtoull(s, &end, 0);
    if (!*s || *end) {
        printf("blocktest: not a number: '%s'\n", s);
        exit(2);
    }
    return n;
}

static _Noreturn void usage(void)
{
    printf("blocktest: usage: blocktest pattern SERVER DISK SEED DEPTH [SECTORS] | write|verify "
           "SERVER DISK SEED DEPTH FIRST COUNT | write-fua SERVER DISK SEED DEPTH FIRST COUNT | "
           "clients SERVER DISK N | stream SERVER DISK "
           "COUNT [swap=PROGRAM|kill] | idle SERVER DISK swap=PROGRAM|kill | bad SERVER DISK | "
           "orphans SERVER DISK N | swaps SERVER DISK N PROGRAM-A PROGRAM-B [kill] [stop=PATH] | "
           "kills SERVER "
           "DISK N | pause "
           "SERVER DISK N swap=PROGRAM|kill|other | swapafter SERVER DISK MS PROGRAM; any of them "
           "ending in cpu=N runs on CPU N\n");
    exit(2);
}

/* A last argument cpu=N: the thread moves to CPU N first (THREAD_SET_AFFINITY), so clients
   on several CPUs can be made (nvme-smp2-queues); it is then dropped from the arguments. */
static int place(int argc, char **argv)
{
    if (argc < 2 || strncmp(argv[argc - 1], "cpu=", 4) != 0)
        return argc;
    uint64_t cpu = number(argv[argc - 1] + 4);
    long r = thread_set_affinity(PROC_SLOT_THREAD, cpu);
    if (r != ERR_OK)
        printf("blocktest: cannot move to CPU %llu (%ld)\n", (unsigned long long)cpu, r);
    else
        printf("blocktest: on CPU %llu\n", (unsigned long long)cpu);
    if (r == ERR_OK)
        block_set_cpu((unsigned)cpu); /* its sessions get this CPU's queue (servers/nvme) */
    return argc - 1;
}

int main(int argc, char **argv)
{
    check_init("blocktest");
    argc = place(argc, argv);
    if (argc < 4)
        usage();
    const char *what = argv[1], *server = argv[2];
    unsigned disk = (unsigned)number(argv[3]);
    if (strcmp(what, "pattern") == 0 && argc >= 6) {
        pattern(server, disk, number(argv[4]), (unsigned)number(argv[5]), 0,
                argc > 6 ? number(argv[6]) : 0, true, true, false);
    } else if ((strcmp(what, "write") == 0 || strcmp(what, "write-fua") == 0 ||
                strcmp(what, "verify") == 0 || strcmp(what, "worker") == 0) &&
               argc == 8) {
        pattern(server, disk, number(argv[4]), (unsigned)number(argv[5]), number(argv[6]),
                number(argv[7]), what[0] != 'v', what[0] != 'w' || what[1] == 'o',
                strcmp(what, "write-fua") == 0);
        if (strcmp(what, "worker") == 0)
            return check_failures();
    } else if (strcmp(what, "clients") == 0 && argc == 5) {
        clients(server, argv[3], (unsigned)number(argv[4]));
    } else if (strcmp(what, "stream") == 0 && argc >= 5) {
        stream(server, disk, (unsigned)number(argv[4]), argc > 5 ? argv[5] : 0);
    } else if (strcmp(what, "bad") == 0) {
        blocktest_bad(server, disk);
    } else if (strcmp(what, "orphans") == 0 && argc == 5) {
        blocktest_orphans(server, disk, (unsigned)number(argv[4]));
    } else if (strcmp(what, "idle") == 0 && argc == 5) {
        idle(server, disk, argv[4]);
    } else if (strcmp(what, "swaps") == 0 && argc >= 7 && argc <= 9) {
        bool kill = false;
        const char *stop = 0;
        for (int i = 7; i < argc; i++) {
            if (strcmp(argv[i], "kill") == 0)
                kill = true;
            else if (strncmp(argv[i], "stop=", 5) == 0)
                stop = argv[i] + 5;
            else
                usage();
        }
        blocktest_swaps(server, disk, (unsigned)number(argv[4]), argv[5], argv[6], kill, stop);
    } else if (strcmp(what, "kills") == 0 && argc == 5) {
        blocktest_kills(server, disk, (unsigned)number(argv[4]));
    } else if (strcmp(what, "pause") == 0 && argc == 6) {
        blocktest_pause(server, disk, (unsigned)number(argv[4]), argv[5]);
    } else if (strcmp(what, "swapafter") == 0 && argc == 6) {
        blocktest_swap_after(server, disk, number(argv[4]), argv[5]);
    } else if (strcmp(what, "hold") == 0) {
        return blocktest_hold(server, disk);
    } else {
        usage();
    }
    return check_report(what) ? 1 : 0;
}
