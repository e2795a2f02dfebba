/*
 * proctest: user space under test, started by procsrv from a test manifest
 * (initrd/tests/NAME.manifest) or from the shell:
 *   libc      picolibc in use: formatting, strings, malloc, qsort, strtod
 *   greedy    allocates until its quota stops it, then waits to be killed
 *   crash-null, crash-divide, crash-stack   dies of a fault
 *   spawn     spawns "proctest libc", waits, checks the status
 *   echo-server VERSION / echo-client N   the swap test's two ends
 *   bad-messages   malformed requests to procsrv and memsrv
 *   clock     sleeps and reads the monotonic clock
 *   shutdown-listener ready|silent   hears of a shutdown (PROC_SHUTDOWN_NOTIFY) and answers or not
 * Each prints "proctest: MODE: N passed, M failed" (or what it did).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "libsys/service.h"
#include "proctest.h"

static int greedy(void)
{
    size_t total = 0;
    for (;;) {
        void *p = malloc(64 * 1024);
        if (!p)
            break;
        memset(p, 0x5a, 64 * 1024);
        total += 64 * 1024;
    }
    printf("proctest: greedy: allocated %zu KiB before the quota stopped it\n", total / 1024);
    for (;;)
        proc_sleep_ms(1000);
    return 0;
}

/* Kills the process named name once it holds 3 MiB and has stopped
   growing (it reached its quota: on another CPU it may still be at it), and
   checks its memory came back. */
static int reaper(const char *name)
{
    struct proc_entry e = {0};
    uint64_t pid = 0, last = 0;
    int steady = 0;
    for (int tries = 0; tries < 400 && steady < 4; tries++) {
        proc_sleep_ms(50);
        pid = 0;
        for (uint64_t i = 0; result_is_ok(proc_list(i, &e)) && !pid; i++)
            if (!strcmp(e.name, name) && e.memory >= (3u << 20))
                pid = e.pid;
        steady = pid && e.memory == last ? steady + 1 : 0;
        last = pid ? e.memory : 0;
    }
    check("the greedy process filled its quota", pid != 0, 1);
    struct mem_stats before, after;
    check_status("memory statistics", mem_stats(&before), SERVICE_OK);
    check_status("kill it", proc_kill(pid), SERVICE_OK);
    check_status("memory statistics again", mem_stats(&after), SERVICE_OK);
    check("3 MiB or more came back", after.free - before.free >= (3u << 20), 1);
    check_status("it is gone", proc_kill(pid), SERVICE_NOT_FOUND);
    printf("proctest: reaper: killed %s (process %lu); %lu KiB free before, %lu KiB after\n", name,
           (unsigned long)pid, (unsigned long)(before.free >> 10),
           (unsigned long)(after.free >> 10));
    return check_report("reaper") != 0;
}

/* Replaces the server name by program while its clients call it. */
static int swapper(const char *name, const char *program)
{
    proc_sleep_ms(100);
    uint64_t pid;
    check_status("swap", proc_swap(name, program, &pid), SERVICE_OK);
    check_status("swap an unknown server", proc_swap("nobody", program, &pid), SERVICE_NOT_FOUND);
    check_status("swap for a missing program", proc_swap(name, "bin/nothing", &pid),
                 SERVICE_NOT_FOUND);
    printf("proctest: swapper: %s now runs %s as process %lu\n", name, program, (unsigned long)pid);
    return check_report("swapper") != 0;
}

static uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)); /* GNU inline asm: no C for it */
    return ((uint64_t)hi << 32) | lo;
}

/* Instruction counts under -icount shift=0 (rdtsc counts instructions):
   the median of several runs of each operation. */
static int figures(void)
{
    enum { RUNS = 9 };
    uint64_t spawn[RUNS], wait[RUNS], frame[RUNS], tsc = rdtsc();
    static const char *const args[] = {"exit", 0};
    for (int i = 0; i < RUNS; i++) {
        uint64_t pid;
        int64_t status;
        uint64_t t0 = rdtsc();
        bool ok = result_is_ok(proc_spawn("bin/proctest", args, &pid));
        uint64_t t1 = rdtsc();
        ok &= result_is_ok(proc_wait(pid, &status));
        uint64_t t2 = rdtsc();
        ok &= result_is_ok(mem_map(0x60000000, 4096, CAP_RIGHT_READ | CAP_RIGHT_WRITE));
        ok &= result_is_ok(mem_unmap(0x60000000));
        uint64_t t3 = rdtsc();
        check("spawn, wait, map and unmap", ok, 1);
        spawn[i] = t1 - t0;
        wait[i] = t2 - t1;
        frame[i] = t3 - t2;
    }
    for (int i = 0; i < RUNS; i++) /* sort each (insertion sort) for the median */
        for (int j = i; j > 0; j--) {
            uint64_t *arrays[3] = {spawn, wait, frame};
            for (int k = 0; k < 3; k++)
                if (arrays[k][j] < arrays[k][j - 1]) {
                    uint64_t t = arrays[k][j];
                    arrays[k][j] = arrays[k][j - 1];
                    arrays[k][j - 1] = t;
                }
        }
    printf(
        "proctest: figures: at tsc %llu; spawn %llu, run to exit and wait %llu, memsrv map+unmap "
        "of one frame %llu instructions (median of %d)\n",
        (unsigned long long)tsc, (unsigned long long)spawn[RUNS / 2],
        (unsigned long long)wait[RUNS / 2], (unsigned long long)frame[RUNS / 2], RUNS);
    return check_report("figures") != 0;
}

/* The manifest's grants as proc_info lists them: device memory (mapped)
   and another server's endpoint. */
static int grants(void)
{
    const struct proc_info *info = libsys_proc_info();
    const struct proc_grant *mmio = 0, *endpoint = 0;
    for (unsigned long i = 0; info && i < info->grant_count; i++) {
        if (info->grants[i].kind == PROC_GRANT_MMIO)
            mmio = &info->grants[i];
        if (info->grants[i].kind == PROC_GRANT_ENDPOINT)
            endpoint = &info->grants[i];
    }
    check("a device memory grant", mmio != 0, 1);
    check("an endpoint grant", endpoint != 0, 1);
    if (!mmio || !endpoint)
        return check_report("grants") != 0;
    /* QEMU's standard VGA: its framebuffer BAR, where SeaBIOS puts it. */
    check("of the VGA framebuffer", (long)mmio->arg, 0xfd000000);
    volatile uint32_t *pixels = (volatile uint32_t *)mmio->arg2;
    pixels[0] = 0x00ff8800;
    pixels[2047] = 0x12345678; /* the last word of the second page */
    check("device memory reads back", pixels[0] == 0x00ff8800 && pixels[2047] == 0x12345678, 1);
    char name[17] = {0};
    memcpy(name, &endpoint->arg, 16);
    check("the endpoint is memsrv's", strcmp(name, "memsrv"), 0);
    struct request r = {.label = MEM_STATS};
    check("call memsrv through it", request_call(endpoint->slot, &r, 0, 0, 0), ERR_OK);
    check("memsrv answers", (long)r.label, SERVICE_OK);
    return check_report("grants") != 0;
}

static volatile int zero, one = 1;

/* Recurses until the stack runs out; the depth check (never true) keeps
   the compiler from calling the recursion infinite. */
static int recurse(int depth)
{
    volatile char frame[512];
    frame[0] = (char)depth;
    if (depth == -1)
        return 0;
    return recurse(depth + 1) + frame[0];
}

static int spawn_child(void)
{
    static const char *const args[] = {"libc", 0};
    uint64_t pid;
    check_status("spawn proctest libc", proc_spawn("bin/proctest", args, &pid), SERVICE_OK);
    int64_t status = -1;
    check_status("wait for it", proc_wait(pid, &status), SERVICE_OK);
    check("it exited with status 0", (long)status, 0);
    check_status("a second wait finds nothing", proc_wait(pid, &status), SERVICE_NOT_FOUND);
    static const char *const env_args[] = {"env", "two", 0};
    static const char *const env[] = {"MISSIVE_TEST=yes", "EMPTY=", 0};
    check_status("spawn with an environment", proc_spawn_env("bin/proctest", env_args, env, &pid),
                 SERVICE_OK);
    check_status("wait for it", proc_wait(pid, &status), SERVICE_OK);
    check("it saw its arguments and environment", (long)status, 0);
    check_status("spawn a missing program", proc_spawn("bin/nothing", 0, &pid), SERVICE_NOT_FOUND);
    check_status("spawn a corrupt program", proc_spawn("bin/corrupt", 0, &pid),
                 SERVICE_BAD_PROGRAM);
    static const char *const crash[] = {"crash-null", 0};
    check_status("spawn a crashing child", proc_spawn("bin/proctest", crash, &pid), SERVICE_OK);
    check_status("wait for it", proc_wait(pid, &status), SERVICE_OK);
    check("its status says page fault", (long)status, -(128 + 14));
    return check_report("spawn") != 0;
}

static int clock_check(void)
{
    uint64_t before, after;
    check_status("uptime", proc_uptime_ms(&before), SERVICE_OK);
    check_status("sleep 200 ms", proc_sleep_ms(200), SERVICE_OK);
    check_status("uptime again", proc_uptime_ms(&after), SERVICE_OK);
    check("200 ms or more passed", after - before >= 200, 1);
    check("but not 2 s", after - before < 2000, 1);
    struct timespec ts;
    check("clock_gettime", clock_gettime(CLOCK_REALTIME, &ts), 0);
    check("it agrees", ts.tv_sec * 1000 + ts.tv_nsec / 1000000 >= (long)after, 1);
    return check_report("clock") != 0;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    check_init("proctest");
    /* Started as bin/proctest-crash (the swap tests' driver that crashes at start, whatever
       arguments the manifest entry it replaces has): a null read at once. */
    size_t length = argc > 0 ? strlen(argv[0]) : 0;
    if (length >= 6 && !strcmp(argv[0] + length - 6, "-crash"))
        return *(volatile int *)(uintptr_t)zero;
    /* Started as bin/proctest-hang: a driver that never takes its device over (no
       PROC_TAKE_OVER) and never ends; procsrv must end the swap (PROC_TAKE_OVER_WAIT_MS). */
    if (length >= 5 && !strcmp(argv[0] + length - 5, "-hang"))
        for (;;)
            proc_sleep_ms(1000);
    if (!strcmp(mode, "libc"))
        return libc_suite();
    if (!strcmp(mode, "slots"))
        return slots_suite();
    if (!strcmp(mode, "greedy"))
        return greedy();
    if (!strcmp(mode, "crash-null"))
        return *(volatile int *)(uintptr_t)zero;
    if (!strcmp(mode, "crash-divide"))
        return one / zero; /* both volatile: a real idiv, not a folded 1/x */
    if (!strcmp(mode, "crash-stack"))
        return recurse(0);
    if (!strcmp(mode, "spawn"))
        return spawn_child();
    if (!strcmp(mode, "echo-server"))
        return echo_server(argc > 2 ? argv[2] : "1");
    if (!strcmp(mode, "echo-client"))
        return echo_client(argc > 2 ? atoi(argv[2]) : 1000);
    if (!strcmp(mode, "echo-crash"))
        return echo_crash();
    if (!strcmp(mode, "fuzz-servers"))
        return fuzz_servers(4000);
    if (!strcmp(mode, "bad-messages"))
        return bad_messages();
    if (!strcmp(mode, "reaper") && argc > 2)
        return reaper(argv[2]);
    if (!strcmp(mode, "swapper") && argc > 3)
        return swapper(argv[2], argv[3]);
    if (!strcmp(mode, "grants"))
        return grants();
    if (!strcmp(mode, "figures"))
        return figures();
    if (!strcmp(mode, "shutdown-listener") && argc > 2)
        return shutdown_listener(argv[2]);
    if (!strcmp(mode, "exit"))
        return 0;
    if (!strcmp(mode, "env")) /* exits 0 if spawned with "env two" and spawn_child's environment */
        return !(argc == 3 && !strcmp(argv[2], "two") && getenv("MISSIVE_TEST") &&
                 !strcmp(getenv("MISSIVE_TEST"), "yes") && getenv("EMPTY") &&
                 !strcmp(getenv("EMPTY"), "") && !getenv("HOME"));
    if (!strcmp(mode, "clock"))
        return clock_check();
    printf("proctest: unknown mode '%s'\n", mode);
    return 2;
}
