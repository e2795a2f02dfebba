/*
 * blocktest's driver replacement subcommands (docs/processes.md, "Swapping a block driver"):
 * swaps, which swaps a block server again and again (and kills it) while other programs use
 * its disk, kills, which only kills it again and again (a crash each time), pause, which
 * measures the longest gap between two completed writes of a stream at queue depth 1 across a swap
 * (tools/bench/swap.py reads its line), and swapafter, the swap pause's other program: it swaps
 * the driver from outside the writer, as the shell would.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "blocktest.h"
#include "libsys/service.h"
#include "testlib.h"

#define SWAPS_MAX        100
#define SWAPS_SERVING_MS 300 /* how long each instance serves the workload before the next */
#define PAUSE_SECTORS    8   /* per write of the pause stream: 4 KiB */
#define PAUSE_MAX_WRITES 20000

uint64_t blocktest_server_pid(const char *name)
{
    struct proc_entry p;
    for (uint64_t i = 0; result_is_ok(proc_list(i, &p)); i++)
        if (strcmp(p.name, name) == 0 && p.state == PROC_STATE_RUNNING)
            return p.pid;
    return 0;
}

/* Waits until server's name is registered (and its disk answers), up to NAMED_WAIT_MS: a PCI driver
   is started only once the pci server has found its device, so with more than one CPU a program of
   the same manifest can run before the driver's name exists (procsrv registers it at the start, and
   it outlives restarts and swaps). As hmfs waits for its disk (servers/hmfs/device.c). */
#define NAMED_WAIT_MS 15000
#define NAMED_STEP_MS 20
static bool named(const char *server, unsigned disk)
{
    struct block_disk_info info;
    for (unsigned waited = 0;; waited += NAMED_STEP_MS) {
        long e = block_disk_info(server, disk, &info);
        if (e != -(long)SERVICE_NOT_FOUND || waited >= NAMED_WAIT_MS)
            return e != -(long)SERVICE_NOT_FOUND;
        proc_sleep_ms(NAMED_STEP_MS);
    }
}

/* Waits until server's new instance answers BLOCK_INFO for disk (a call waits in its
   endpoint's queue while no instance receives); returns whether it did. */
static bool serving(const char *server, unsigned disk)
{
    struct block_disk_info info;
    return block_disk_info(server, disk, &info) == 0;
}

int blocktest_swaps(const char *server, unsigned disk, unsigned count, const char *first,
                    const char *second, bool kill, const char *stop)
{
    if (count > SWAPS_MAX)
        count = SWAPS_MAX;
    check("the server serves before", serving(server, disk), 1);
    for (unsigned i = 0; i < count; i++) {
        proc_sleep_ms(SWAPS_SERVING_MS);
        const char *program = i % 2 ? second : first;
        uint64_t pid = 0;
        check_status("swap", proc_swap(server, program, &pid), SERVICE_OK);
        check("the new instance serves", serving(server, disk), 1);
    }
    if (kill) {
        proc_sleep_ms(SWAPS_SERVING_MS);
        check_status("kill the server", proc_kill(blocktest_server_pid(server)), SERVICE_OK);
        check("the restarted instance serves", serving(server, disk), 1);
    }
    proc_sleep_ms(SWAPS_SERVING_MS);
    printf("blocktest: swaps: %s swapped %u times%s under its clients%s\n", server, count,
           kill ? " and killed once" : "", check_failures() ? ": FAILED" : "");
    if (stop) { /* the workload's signal: it finishes only now, so every swap fell under it */
        int fd = open(stop, O_WRONLY | O_CREAT, 0644);
        check("make the stop file", fd >= 0, 1);
        if (fd >= 0)
            close(fd);
    }
    return check_failures();
}

int blocktest_kills(const char *server, unsigned disk, unsigned count)
{
    check("the server serves before", serving(server, disk), 1);
    for (unsigned i = 0; i < count && i < SWAPS_MAX; i++) {
        proc_sleep_ms(SWAPS_SERVING_MS / 2);
        check_status("kill the server", proc_kill(blocktest_server_pid(server)), SERVICE_OK);
        check("the restarted instance serves", serving(server, disk), 1);
    }
    printf("blocktest: kills: %s killed %u times under its clients%s\n", server, count,
           check_failures() ? ": FAILED" : "");
    return check_failures();
}

static uint64_t read_tsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory"); /* no C for it */
    return ((uint64_t)hi << 32) | lo;
}

int blocktest_swap_after(const char *server, unsigned disk, uint64_t ms, const char *program)
{
    check("the server is there", named(server, disk), 1);
    check("the server serves before", serving(server, disk), 1);
    proc_sleep_ms(ms);
    uint64_t pid = 0, asked = read_tsc();
    check_status("swap the server", proc_swap(server, program, &pid), SERVICE_OK);
    uint64_t answered = read_tsc();
    /* The times let tools/bench/swap.py find the writer's gap the request fell in. Said a
       second later: a console line at once (the console server runs above the writer) would
       lengthen the very pause the writer measures. */
    proc_sleep_ms(1000);
    printf("blocktest: swapafter: %s swapped for %s (process %llu), asked at tsc %llu, answered "
           "at tsc %llu\n",
           server, program, (unsigned long long)pid, (unsigned long long)asked,
           (unsigned long long)answered);
    return check_failures();
}

/* how: swap=PROGRAM or kill (the writer itself swaps or kills the server half-way through
   count writes), or other (another program swaps it: the writer goes on until its session
   was opened again and count / 2 writes more, at most PAUSE_MAX_WRITES). The gap across the
   swap is the one ending at the write whose wait saw the session opened again. */
int blocktest_pause(const char *server, unsigned disk, unsigned count, const char *how)
{
    static uint64_t done_at[PAUSE_MAX_WRITES];
    if (count < 3 || count > PAUSE_MAX_WRITES)
        count = count < 3 ? 3 : PAUSE_MAX_WRITES;
    struct block_session *s = 0;
    check("the server is there", named(server, disk), 1);
    long e = block_open(server, disk, 4096 * 4, &s);
    if (e) {
        check_fail("open %s disk %u: %ld", server, disk, e);
        return check_failures();
    }
    uint32_t sector = block_info(s)->sector_size;
    uint64_t room = block_info(s)->sectors / PAUSE_SECTORS;
    if (count > room)
        count = (unsigned)room;
    memset(block_region(s), 0x5a, (size_t)PAUSE_SECTORS * sector);
    bool other = strcmp(how, "other") == 0;
    unsigned fault_at = other ? PAUSE_MAX_WRITES : count / 2, swapped_after = 0, reopened_at = 0;
    unsigned writes = other ? PAUSE_MAX_WRITES : count;
    if (writes > room)
        writes = (unsigned)room;
    uint64_t uptime_before = 0, uptime_after = 0;
    for (unsigned i = 0; i < writes; i++) {
        unsigned reopens = block_reopen_count(s);
        if (i == fault_at) {
            uint64_t pid;
            proc_uptime_ms(&uptime_before);
            if (strncmp(how, "swap=", 5) == 0)
                check_status("swap the server", proc_swap(server, how + 5, &pid), SERVICE_OK);
            else
                check_status("kill the server", proc_kill(blocktest_server_pid(server)),
                             SERVICE_OK);
            swapped_after = i;
        }
        struct block_submission r = {
            .op = BLOCK_OP_WRITE, .count = PAUSE_SECTORS, .lba = (uint64_t)i * PAUSE_SECTORS};
        struct block_completion c;
        if (block_submit(s, &r) != 0 || block_reap(s, &c, 1) != 1 || c.status != BLOCK_OK) {
            check_fail("pause: write %u failed", i);
            break;
        }
        done_at[i] = read_tsc();
        if (i == fault_at)
            proc_uptime_ms(&uptime_after);
        if (!reopened_at && i > 0 && block_reopen_count(s) != reopens)
            reopened_at = i;
        if (other && reopened_at && i >= reopened_at + count / 2) {
            writes = i + 1;
            break;
        }
    }
    if (reopened_at)
        swapped_after = reopened_at;
    else if (other)
        check_fail("pause: the session was never opened again in %u writes", writes);
    count = writes;
    if (other)
        fault_at = swapped_after;
    /* The longest gap anywhere, and the one across the swap (the write before it to the
       first that completed after). */
    uint64_t longest = 0, usual = 0;
    for (unsigned i = 1; i < count; i++) {
        uint64_t gap = done_at[i] - done_at[i - 1];
        if (gap > longest)
            longest = gap;
        if (i < fault_at && gap > usual)
            usual = gap;
    }
    uint64_t across = swapped_after ? done_at[swapped_after] - done_at[swapped_after - 1] : 0;
    /* The eight longest gaps, with the time each ended: tools/bench/swap.py finds among them
       the one a swap asked for by another program fell in (its line gives the time). */
    static bool listed[PAUSE_MAX_WRITES];
    for (unsigned n = 0; other && n < 8; n++) {
        unsigned best = 0;
        for (unsigned i = 1; i < count; i++)
            if (!listed[i] &&
                (!best || done_at[i] - done_at[i - 1] > done_at[best] - done_at[best - 1]))
                best = i;
        if (!best)
            break;
        listed[best] = true;
        printf("blocktest: pause: gap %llu ticks from tsc %llu to %llu\n",
               (unsigned long long)(done_at[best] - done_at[best - 1]),
               (unsigned long long)done_at[best - 1], (unsigned long long)done_at[best]);
    }
    check("pause: the session was opened again", block_reopen_count(s), 1);
    printf("blocktest: pause: %s (%s) during %u writes of %u bytes at depth 1: gap across it "
           "%llu ticks, longest gap %llu ticks, longest before it %llu ticks, about %llu ms "
           "by the clock\n",
           server, how, count, PAUSE_SECTORS * sector, (unsigned long long)across,
           (unsigned long long)longest, (unsigned long long)usual,
           (unsigned long long)(uptime_after - uptime_before));
    block_close(s);
    return check_failures();
}
