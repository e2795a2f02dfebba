/*
 * ipcbench: times Missive's system calls and IPC the way sel4bench does and prints one CSV
 * line per benchmark on the console (tools/bench/benchcsv.py, docs/ipc-performance.md).
 *
 *   run ipcbench [--iterations N] [--warmup N] [--bench NAME,...] [--sizes N,...]
 *
 * It runs on CPU 0 at the priority it was started with; the other end of the calls is a
 * second ipcbench process (`--serve`, spawned through procsrv and found through procsrv's
 * name registry) or a thread of its own. The last line is `ipcbench: done, N benchmarks, F
 * failed`; the exit status is 0 if nothing failed, 1 if something did, 2 for a usage error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipcbench.h"
#include "ipcbench/stats.h"
#include "libsys/service.h"

#define HELPER_STACK 16384

static _Alignas(16) uint8_t helper_stack[HELPER_STACK];

void ib_report(struct ib_ctx *c, enum ib_bench b, const char *name, int64_t *v, uint64_t n,
               int64_t overhead)
{
    if (!c->args->selected[b])
        return;
    struct ibstat s;
    ibstat_summarize(v, n, overhead, &s);
    char line[256];
    ibstat_csv(line, sizeof line, name, &s);
    printf("%s\n", line);
    fflush(stdout);
    c->printed++;
}

void ib_fail(struct ib_ctx *c, const char *what, struct result e)
{
    char line[120];
    printf("ipcbench: FAIL %s\n", result_format(line, sizeof line, what, e));
    fflush(stdout);
    c->failures++;
}

int64_t ib_overhead(const struct ib_ctx *c, bool stamped)
{
    struct ibt_msg m = {.number = SYS_YIELD};
    int64_t least = INT64_MAX;
    for (uint64_t i = 0; i < c->args->warmup + c->args->iterations; i++) {
        if (stamped)
            ibt_stamped_nop(0, 0, &m);
        else
            ibt_syscall_nop(0, 0, &m);
        int64_t d = (int64_t)(m.t_after - m.t_before);
        if (i >= c->args->warmup && d < least)
            least = d;
    }
    return least;
}

void ib_fpu_touch(void)
{
    /* volatile keeps the compiler from folding it: the SSE registers must really change */
    static volatile double sink = 1.0;
    sink = sink * 1.0000001 + 0.5;
}

struct result ib_helper_start(struct ib_ctx *c, void (*entry)(uint64_t), uint64_t arg,
                              uint64_t priority)
{
    long e = thread_configure(c->helper, PROC_SLOT_CSPACE, PROC_SLOT_VSPACE, priority, 0);
    if (e == ERR_OK)
        e = thread_set_affinity(c->helper, 0);
    /* The stack's top less 8: as if entry had been called (SysV alignment); entry never
       returns. FS base 0: helpers touch no thread-local storage. */
    if (e == ERR_OK)
        e = thread_write_registers(c->helper, (uint64_t)entry,
                                   (uint64_t)(helper_stack + HELPER_STACK - 8), arg, 0, 0);
    if (e == ERR_OK)
        e = thread_resume(c->helper);
    return result_from_kernel(e, 0);
}

void ib_helper_stop(struct ib_ctx *c)
{
    thread_suspend(c->helper);
}

/* This thread's priority: configuring a thread above it fails with it as the upper limit. */
static uint64_t ib_my_priority(uint64_t thread)
{
    long e = thread_configure(thread, PROC_SLOT_CSPACE, PROC_SLOT_VSPACE, 255, 0);
    if (e == ERR_OK)
        return 255;
    bool priority_refused = e == ERR_INVALID_ARGUMENT &&
                            invoke_last_bad_argument.argument == THREAD_CONFIGURE_ARG_PRIORITY;
    return priority_refused ? invoke_last_bad_argument.max : 100;
}

/* Makes the helper thread, an endpoint and a notification from 64 KiB of memsrv's memory. */
static struct result ib_make_objects(struct ib_ctx *c)
{
    uint64_t untyped = libsys_alloc_slot();
    c->helper = libsys_alloc_slot();
    c->endpoint = libsys_alloc_slot();
    c->notification = libsys_alloc_slot();
    if (!c->notification)
        return result_from_kernel(ERR_INVALID_SLOT, 0);
    struct result r = mem_untyped(16, untyped);
    if (!result_is_ok(r))
        return r;
    long e = untyped_retype(untyped, CAP_THREAD, 0, c->helper, 1);
    if (e == 0)
        e = untyped_retype(untyped, CAP_ENDPOINT, 0, c->endpoint, 1);
    if (e == 0)
        e = untyped_retype(untyped, CAP_NOTIFICATION, 0, c->notification, 1);
    return result_from_kernel(e, 0);
}

/* Spawns `PROGRAM --serve` and looks its endpoint up; 0 or an error. */
static struct result ib_start_server(struct ib_ctx *c, const char *program)
{
    const char *args[] = {"--serve", NULL};
    struct result e = proc_spawn(program, args, &c->server_pid);
    if (!result_is_ok(e))
        return e;
    char name[PROTO_NAME_MAX + 1];
    snprintf(name, sizeof name, IPCBENCH_NAME_PREFIX "%lu", (unsigned long)c->server_pid);
    uint64_t slot = libsys_alloc_slot();
    for (int i = 0; i < 500; i++) { /* it registers once it runs: up to 5 s */
        e = proc_lookup(name, slot);
        if (result_is_ok(e)) {
            c->server_ep = slot;
            return ib_control(slot, IPCBENCH_CPU, 0, 0, 0); /* beside this thread */
        }
        proc_sleep_ms(10);
    }
    return e;
}

/* Asks the server process to end and collects its status. */
static void ib_stop_server(struct ib_ctx *c)
{
    struct missive_msg m = {0};
    struct result e = result_from_kernel(
        missive_syscall(SYS_CALL, c->server_ep, MSG_TAG(IPCBENCH_EXIT, 0, 0), &m), 0);
    int64_t status = -1;
    if (result_is_ok(e))
        e = proc_wait(c->server_pid, &status);
    if (!result_is_ok(e))
        ib_fail(c, "ending the server process", e);
    else if (status != 0)
        printf("ipcbench: FAIL ending the server process: status %lld\n", (long long)status);
}

int main(int argc, char **argv)
{
    static struct ibargs args;
    char err[512];
    if (!ibargs_parse(argc, argv, &args, err, sizeof err)) {
        printf("ipcbench: %s\n", err);
        return args.help ? 0 : 2;
    }
    if (args.serve)
        return ib_server_main();
    static struct ib_ctx c;
    c.args = &args;
    const struct proc_info *info = libsys_proc_info();
    c.cpus = info ? (unsigned)info->cpu_count : 1;
    for (int i = 0; i < 3; i++) {
        c.samples[i] = malloc(args.iterations * sizeof(int64_t));
        if (!c.samples[i]) {
            printf("ipcbench: no memory for %lu samples\n", (unsigned long)args.iterations);
            return 1;
        }
    }
    /* CPU 0 for everything on one CPU; the server process moves there too. */
    struct result e = result_from_kernel(thread_set_affinity(PROC_SLOT_THREAD, 0), 0);
    if (result_is_ok(e))
        e = ib_make_objects(&c);
    if (!result_is_ok(e)) {
        printf("ipcbench: %s\n", result_format(err, sizeof err, "cannot make its threads", e));
        return 1;
    }
    c.priority = ib_my_priority(c.helper);
    e = ib_start_server(&c, argv[0]);
    if (!result_is_ok(e)) {
        printf("ipcbench: %s\n", result_format(err, sizeof err, "cannot start its server", e));
        return 1;
    }
    printf("ipcbench: %lu iterations after %lu of warm-up, %u CPUs, priority %lu, server "
           "process %lu; overhead %ld ticks\n",
           (unsigned long)args.iterations, (unsigned long)args.warmup, c.cpus,
           (unsigned long)c.priority, (unsigned long)c.server_pid, (long)ib_overhead(&c, false));
    fflush(stdout);
    ib_bench_events(&c);
    ib_bench_ipc(&c);
    ib_stop_server(&c);
    printf("ipcbench: done, %u benchmarks, %u failed\n", c.printed, c.failures);
    return c.failures ? 1 : 0;
}
