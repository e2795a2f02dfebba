/*
 * smptest fairness and bad: scheduling across CPUs.
 *
 * fairness: a busy thread on every CPU, plus an interactive server at the
 * same priority on another CPU than this client; every call must still be
 * answered within a bound (two time slices and some), and every busy thread
 * must make progress. The bound counts local timer ticks that the CPU of a
 * waiting thread (the server for the call, this client for the answer)
 * gave to others while it waited (busy ticks), not time: with more vCPUs
 * than host cores, QEMU may leave a vCPU unrun for tens of milliseconds,
 * which says nothing about the scheduler.
 *
 * bad: affinity to a CPU that does not exist; migrating a running thread
 * (it goes on running, on the new CPU); moving this thread itself;
 * suspending and deleting a thread while it runs on another CPU (it stops
 * at once); deleting endpoints while threads on other CPUs are blocked on
 * them (they wake with ERR_OBJECT_DELETED).
 */
#include <stdio.h>

#include "smptest.h"

#define CALLS       40
#define BOUND_TICKS 40 /* slices are 5 ticks: the server's CPU and ours may each owe one */
#define MAX_TICKS   3000

static volatile uint64_t busy[16];

static void busy_thread(uint64_t i)
{
    for (;;)
        busy[i]++;
}

static uint64_t echo_ep;

/* Answers MR0 + 1, with its own CPU's busy ticks when it woke (MR2) and
   those of the caller's CPU, MR1, as it answers (MR3). */
static void echo(uint64_t cpu)
{
    struct missive_msg m = {0};
    missive_syscall(SYS_RECV, echo_ep, 0, &m);
    for (;;) {
        m.mr[2] = cpu_busy_ticks((unsigned)cpu);
        m.mr[0]++;
        m.mr[3] = cpu_busy_ticks((unsigned)m.mr[1]);
        missive_syscall(SYS_REPLY_RECV, echo_ep, MSG_TAG(0, 4, 0), &m);
    }
}

int fairness_suite(void)
{
    uint64_t threads = setup_objects(CAP_THREAD, 0, ncpus + 1);
    echo_ep = setup_objects(CAP_ENDPOINT, 0, 1);
    for (unsigned cpu = 0; cpu < ncpus; cpu++)
        check("start a busy thread",
              setup_thread_start(threads + cpu,
                                 (struct setup_thread){.priority = 50, .pinned = true, .cpu = cpu},
                                 busy_thread, cpu),
              ERR_OK);
    check(
        "start the interactive server",
        setup_thread_start(threads + ncpus,
                           (struct setup_thread){.priority = 50, .pinned = true, .cpu = ncpus - 1},
                           echo, ncpus - 1),
        ERR_OK);
    check("join them at their priority", thread_set_priority(ROOT_SLOT_THREAD, 50), ERR_OK);
    uint64_t worst = 0, wrong = 0;
    unsigned mine = (unsigned)my_cpu(), server = ncpus - 1;
    for (int i = 0; i < CALLS; i++) {
        struct missive_msg m = {0};
        m.mr[0] = (uint64_t)i;
        m.mr[1] = mine;
        uint64_t server_before = cpu_busy_ticks(server);
        long r = missive_syscall(SYS_CALL, echo_ep, MSG_TAG(0, 2, 0), &m);
        uint64_t mine_after = cpu_busy_ticks(mine);
        uint64_t server_waited = m.mr[2] - server_before, client_waited = mine_after - m.mr[3];
        uint64_t took = server_waited > client_waited ? server_waited : client_waited;
        wrong += r != ERR_OK || m.mr[0] != (uint64_t)i + 1;
        if (took > worst)
            worst = took;
    }
    check("every call answered right", (long)wrong, 0);
    check("within the bound", worst <= BOUND_TICKS, 1);
    /* Every busy thread must make progress, but not necessarily during the
       calls: on a loaded host, QEMU may not run a halted vCPU's thread for
       a long while after the IPI that woke it. So wait for it (yielding,
       which lets this CPU's busy thread run), up to MAX_TICKS. */
    int idle = 0;
    uint64_t since = uptime();
    do {
        idle = 0;
        for (unsigned cpu = 0; cpu < ncpus; cpu++)
            idle += busy[cpu] == 0;
        if (idle)
            missive_syscall(SYS_YIELD, 0, 0, &(struct missive_msg){0});
    } while (idle && uptime() - since < MAX_TICKS);
    check("every busy thread ran", idle, 0);
    printf("smptest: fairness: %d calls beside %u busy threads, slowest answer %lu ticks run "
           "(bound %d)\n",
           CALLS, ncpus, (unsigned long)worst, BOUND_TICKS);
    for (unsigned i = 0; i <= ncpus; i++)
        check("suspend", thread_suspend(threads + i), ERR_OK);
    return check_report("fairness") != 0;
}

/* --- bad input ----------------------------------------------------------- */

static volatile uint64_t spins[2], where[2];

/* Counts, and says every so often where it runs. */
static void spinner(uint64_t i)
{
    for (;;) {
        if ((++spins[i] & 0xfff) == 0)
            where[i] = my_cpu();
    }
}

/* Waits until spinner i has reported CPU cpu and counted on. */
static int runs_on(unsigned i, unsigned cpu)
{
    uint64_t start = uptime();
    where[i] = ~0ull;
    while (where[i] != cpu && uptime() - start < MAX_TICKS)
        yield();
    uint64_t count = spins[i];
    while (spins[i] == count && uptime() - start < MAX_TICKS)
        yield();
    return where[i] == cpu && spins[i] != count;
}

/* True if spinner i does not count for 20 ticks. */
static int stopped(unsigned i)
{
    uint64_t count = spins[i], start = uptime();
    while (uptime() - start < 20)
        yield();
    return spins[i] == count;
}

static uint64_t doomed_ep, doomed_call_ep, blocked_done;
static volatile long woke_with[32];
static volatile uint64_t ready, woken;

/* Blocks on doomed_ep (a receive) or doomed_call_ep (a call) and records how that ended. */
static void blocker(uint64_t i)
{
    struct missive_msg m = {0};
    __atomic_add_fetch(&ready, 1, __ATOMIC_SEQ_CST);
    woke_with[i] = i % 2 ? missive_syscall(SYS_CALL, doomed_call_ep, MSG_TAG(1, 0, 0), &m)
                         : missive_syscall(SYS_RECV, doomed_ep, 0, &m);
    __atomic_add_fetch(&woken, 1, __ATOMIC_SEQ_CST);
    missive_syscall(SYS_SEND, blocked_done, 0, &m);
    park();
}

int bad_input_suite(void)
{
    struct missive_msg m;
    uint64_t threads = setup_objects(CAP_THREAD, 0, 2);
    long r = thread_set_affinity(threads, ncpus);
    check("affinity to a CPU that does not exist", r, ERR_INVALID_ARGUMENT);
    check("names the argument", (long)invoke_last_bad_argument.argument,
          THREAD_SET_AFFINITY_ARG_CPU);
    check("and the CPUs there are", (long)invoke_last_bad_argument.max, (long)ncpus - 1);
    check("affinity to CPU 2^64-1", thread_set_affinity(threads, ~0ull), ERR_INVALID_ARGUMENT);

    /* Migrating a running thread, round all CPUs twice. */
    check("start a spinner",
          setup_thread_start(
              threads,
              (struct setup_thread){.priority = 255, .pinned = true, .cpu = ncpus > 1 ? 1 : 0},
              spinner, 0),
          ERR_OK);
    int moved = 0;
    for (unsigned k = 0; k < 2 * ncpus; k++) {
        unsigned cpu = (k + 2) % ncpus;
        check("move the running spinner", thread_set_affinity(threads, cpu), ERR_OK);
        moved += runs_on(0, cpu);
    }
    check("it ran on every CPU it was moved to", moved, (long)(2 * ncpus));
    unsigned last = ncpus - 1;
    check("move myself", thread_set_affinity(ROOT_SLOT_THREAD, last), ERR_OK);
    check("I run there now", (long)my_cpu(), (long)last);
    check("and back", thread_set_affinity(ROOT_SLOT_THREAD, 0), ERR_OK);
    check("I run on CPU 0", (long)my_cpu(), 0);

    /* Suspending and deleting a thread that runs on another CPU. */
    check("put it on the last CPU", thread_set_affinity(threads, last), ERR_OK);
    check("it runs there", runs_on(0, last), 1);
    check("suspend it while it runs", thread_suspend(threads), ERR_OK);
    check("it stopped at once", stopped(0), 1);
    check("resume it", thread_resume(threads), ERR_OK);
    check("it runs again", runs_on(0, last), 1);
    check("delete it while it runs", cspace_delete(ROOT_SLOT_CSPACE, threads), ERR_OK);
    check("it stopped for good", stopped(0), 1);

    /* Deleting endpoints under threads blocked on them on every CPU. */
    unsigned count = 2 * ncpus > 32 ? 32 : 2 * ncpus;
    doomed_ep = setup_objects(CAP_ENDPOINT, 0, 1);
    doomed_call_ep = setup_objects(CAP_ENDPOINT, 0, 1);
    blocked_done = setup_objects(CAP_NOTIFICATION, 0, 1);
    uint64_t blockers = setup_objects(CAP_THREAD, 0, count);
    for (unsigned i = 0; i < count; i++)
        check("start a blocker",
              setup_thread_start(
                  blockers + i,
                  (struct setup_thread){.priority = 255, .pinned = true, .cpu = i % ncpus}, blocker,
                  i),
              ERR_OK);
    uint64_t start = uptime();
    while ((ready < count || uptime() - start < 20) && uptime() - start < MAX_TICKS)
        yield(); /* the ones on this CPU run when I yield */
    check("delete the receive endpoint", cspace_delete(ROOT_SLOT_CSPACE, doomed_ep), ERR_OK);
    check("delete the call endpoint", cspace_delete(ROOT_SLOT_CSPACE, doomed_call_ep), ERR_OK);
    while (__atomic_load_n(&woken, __ATOMIC_SEQ_CST) < count)
        missive_syscall(SYS_RECV, blocked_done, 0, &m);
    int deleted = 0;
    for (unsigned i = 0; i < count; i++)
        deleted += woke_with[i] == ERR_OBJECT_DELETED;
    check("every blocked thread woke with ERR_OBJECT_DELETED", deleted, (long)count);
    printf("smptest: bad: %d of %u moves seen, %d of %u blocked threads woken by the deletes\n",
           moved, 2 * ncpus, deleted, count);
    return check_report("bad") != 0;
}
