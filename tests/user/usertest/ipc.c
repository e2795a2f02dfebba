/*
 * usertest ipc: a first look at the cost of a register-only call/reply
 * round trip between two threads of one address space, through the fast
 * path. Under QEMU's -icount shift=0 the TSC counts instructions, so the
 * figure is exact and repeatable. The full study (other address spaces,
 * message lengths, overhead subtraction, Linux beside it) is ipcbench's.
 */
#include <stdint.h>
#include <stdio.h>

#include "libsys/libsys.h"
#include "usertest.h"

#define ROUNDS   10000
#define S_UT_EP  2000
#define S_SERVER 2001
#define S_TRACE  2002 /* the trace buffers, one per CPU, from here */

static inline uint64_t tsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)); /* GNU inline asm: C has no rdtsc */
    return ((uint64_t)hi << 32) | lo;
}

static void echo_server(void)
{
    struct missive_msg m = {0};
    missive_syscall(SYS_RECV, S_UT_EP, 0, &m);
    for (;;)
        missive_syscall(SYS_REPLY_RECV, S_UT_EP, MSG_TAG(0, 1, 0), &m);
}

static uint64_t round_trips(void)
{
    struct missive_msg m = {0};
    uint64_t start = tsc();
    for (int i = 0; i < ROUNDS; i++)
        missive_syscall(SYS_CALL, S_UT_EP, MSG_TAG(1, 1, 0), &m);
    return (tsc() - start) / ROUNDS;
}

/* The same round trips with the IPC trace recording both messages of each
   (docs/ipc-performance.md). Returns 0 if the buffers could not be had. */
static uint64_t traced_round_trips(void)
{
    uint64_t ut = setup_find_untyped(TRACE_BUFFER_BITS + 5, false);
    uint64_t cpus = setup_boot->cpu_count;
    if (!ut || cpus > 16 ||
        untyped_retype(ut, CAP_FRAME, TRACE_BUFFER_BITS, S_TRACE, cpus) != ERR_OK)
        return 0;
    for (uint64_t cpu = 0; cpu < cpus; cpu++)
        if (debug_trace_set_buffer(ROOT_SLOT_DEBUG, cpu, S_TRACE + cpu) != ERR_OK)
            return 0;
    if (debug_trace_start(ROOT_SLOT_DEBUG) != ERR_OK)
        return 0;
    uint64_t each = round_trips();
    uint64_t written = 0;
    if (debug_trace_stop(ROOT_SLOT_DEBUG, &written) != ERR_OK || written != 2 * ROUNDS)
        return 0;
    return each;
}

int ipc_figures(void)
{
    uint64_t ut = setup_find_untyped(16, false);
    if (!ut || untyped_retype(ut, CAP_ENDPOINT, 0, S_UT_EP, 1) ||
        untyped_retype(ut, CAP_THREAD, 0, S_SERVER, 1) ||
        setup_thread_start(S_SERVER, (struct setup_thread){.priority = 255},
                           (void (*)(uint64_t))echo_server, 0)) {
        printf("usertest: ipc: FAIL: set-up\n");
        return 1;
    }
    struct missive_msg m = {0};
    for (int i = 0; i < 100; i++) /* warm-up */
        missive_syscall(SYS_CALL, S_UT_EP, MSG_TAG(1, 1, 0), &m);
    uint64_t each = round_trips();
    printf("usertest: ipc: %d call/reply_recv round trips, %llu TSC each (instructions under "
           "-icount shift=0)\n",
           ROUNDS, (unsigned long long)each);
    uint64_t traced = traced_round_trips();
    if (!traced) {
        printf("usertest: ipc: FAIL: the IPC trace would not record the round trips\n");
        return 1;
    }
    printf("usertest: ipc: with the IPC trace on, %llu TSC each\n", (unsigned long long)traced);
    return 0;
}

#define SLOW_ROUNDS  300
#define S_SLOW_NTFN  2010
#define S_SLOW_FRAME 2011
#define S_SLOW_UT    2012
#define S_SLOW_TABLE 2013 /* three page tables from here */
#define S_SLOW_CHILD 2020
#define SLOW_ADDRESS 0x50000000ul

/* usertest slowpath: system calls the fast path declines, round after round, for
   tools/bench/pathtrace.sh (`pathtrace.sh bin/usertest -- slowpath`): the null system call,
   a notification's signal with nobody waiting, cspace_identify, a frame's map and unmap, and
   untyped_retype of one frame and its delete. Each must answer as documented; the figures
   themselves are ipcbench's. */
int slowpath_loop(void)
{
    uint64_t ut = setup_find_untyped(16, false);
    if (!ut || untyped_retype(ut, CAP_NOTIFICATION, 0, S_SLOW_NTFN, 1) ||
        untyped_retype(ut, CAP_FRAME, 12, S_SLOW_FRAME, 1) ||
        untyped_retype(ut, CAP_UNTYPED, 14, S_SLOW_UT, 1) ||
        untyped_retype(ut, CAP_PAGE_TABLE, 0, S_SLOW_TABLE, 3)) {
        printf("usertest: slowpath: FAIL: set-up\n");
        return 1;
    }
    uint64_t level = 3;
    /* the levels missing on the way to SLOW_ADDRESS, down to the last (0) */
    for (int i = 0; i < 3 && level != 0; i++)
        if (vspace_map_table(ROOT_SLOT_VSPACE, S_SLOW_TABLE + i, SLOW_ADDRESS, &level) != ERR_OK)
            break;
    struct missive_msg m = {0};
    struct cspace_identity id;
    unsigned failures = 0, failed[7] = {0};
    for (int i = 0; i < SLOW_ROUNDS; i++) {
        failed[0] += missive_syscall(SYS_COUNT, 0, 0, &m) != ERR_INVALID_SYSCALL;
        failed[1] += missive_syscall(SYS_SEND, S_SLOW_NTFN, 0, &m) != ERR_OK;
        failed[2] += cspace_identify(ROOT_SLOT_CSPACE, S_SLOW_NTFN, &id) != ERR_OK;
        failed[3] += vspace_map_frame(ROOT_SLOT_VSPACE, S_SLOW_FRAME, SLOW_ADDRESS,
                                      CAP_RIGHT_READ | CAP_RIGHT_WRITE) != ERR_OK;
        failed[4] += frame_unmap(S_SLOW_FRAME) != ERR_OK;
        failed[5] += untyped_retype(S_SLOW_UT, CAP_FRAME, 12, S_SLOW_CHILD, 1) != ERR_OK;
        failed[6] += cspace_delete(ROOT_SLOT_CSPACE, S_SLOW_CHILD) != ERR_OK;
    }
    for (int op = 0; op < 7; op++) {
        if (failed[op])
            printf("usertest: slowpath: FAIL: operation %d failed %u times\n", op, failed[op]);
        failures += failed[op];
    }
    printf("usertest: slowpath: %d rounds, %u failed\n", SLOW_ROUNDS, failures);
    return failures != 0;
}
