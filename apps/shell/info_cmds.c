/*
 * The commands that report on the system: mem (memsrv), uptime and sleep (procsrv's clock).
 * See shell.h.
 */
#include <stdio.h>
#include <unistd.h>

#include "args.h"
#include "libsys/service.h"
#include "shell.h"

/* mem: totals, free blocks per order, then each client's quota and use. */
void cmd_mem(int argc, char **argv, bool background)
{
    (void)argc, (void)argv, (void)background;
    struct mem_stats s;
    struct result e = mem_stats(&s);
    if (!result_is_ok(e)) {
        shell_report("mem", "statistics", e);
        return;
    }
    printf("memory: %llu KiB total, %llu KiB free, %llu clients\n",
           (unsigned long long)(s.total / 1024), (unsigned long long)(s.free / 1024),
           (unsigned long long)s.clients);
    printf("free blocks per order (size:count):\n ");
    for (unsigned order = 0; order <= MEM_MAX_ORDER; order++) {
        unsigned kib = 4u << order;
        printf(" %u%c:%llu", kib >= 1024 ? kib / 1024 : kib, kib >= 1024 ? 'M' : 'K',
               (unsigned long long)s.free_blocks[order]);
    }
    printf("\n%8s %12s %12s\n", "CLIENT", "QUOTA", "USED");
    for (uint64_t i = 0;; i++) {
        uint64_t client, quota, used;
        e = mem_client_info(i, &client, &quota, &used);
        if (result_is_service(e, SERVICE_NOT_FOUND))
            break;
        if (!result_is_ok(e)) {
            shell_report("mem", "clients", e);
            return;
        }
        printf("%8llu %11lluK %11lluK\n", (unsigned long long)client,
               (unsigned long long)(quota / 1024), (unsigned long long)(used / 1024));
    }
}

/* uptime: seconds with three decimals. */
void cmd_uptime(int argc, char **argv, bool background)
{
    (void)argc, (void)argv, (void)background;
    uint64_t ms;
    struct result e = proc_uptime_ms(&ms);
    if (!result_is_ok(e)) {
        shell_report("uptime", "clock", e);
        return;
    }
    printf("up %llu.%03llu s\n", (unsigned long long)(ms / 1000), (unsigned long long)(ms % 1000));
}

/* cpus: each CPU's share of busy ticks since boot, the share of uptime it spent halted (the
   kernel's idle ticks: an idle CPU polls briefly, then halts; docs/smp.md) and its runnable
   threads. */
void cmd_cpus(int argc, char **argv, bool background)
{
    (void)argc, (void)argv, (void)background;
    printf("  CPU  BUSY  HALTED  RUNNABLE\n");
    for (uint64_t cpu = 0;; cpu++) {
        struct proc_cpu c;
        struct result e = proc_cpu_stats(cpu, &c);
        if (result_is_service(e, SERVICE_NOT_FOUND) && cpu > 0)
            break;
        if (!result_is_ok(e)) {
            shell_report("cpus", "statistics", e);
            return;
        }
        uint64_t total = c.busy + c.idle;
        printf("  %3llu  %3llu%%  %5llu%%  %8llu\n", (unsigned long long)cpu,
               (unsigned long long)(total ? c.busy * 100 / total : 0),
               (unsigned long long)(c.uptime ? c.idle * 100 / c.uptime : 0),
               (unsigned long long)c.runnable);
    }
}

/* trace: procsrv stops the IPC trace and prints it (tools/trace turns it into JSON). */
void cmd_trace(int argc, char **argv, bool background)
{
    (void)argc, (void)argv, (void)background;
    uint64_t records;
    struct result e = proc_trace_dump(&records);
    if (result_is_service(e, SERVICE_NOT_FOUND))
        printf("trace: not tracing (boot with the procsrv argument trace: make trace)\n");
    else if (!result_is_ok(e))
        shell_report("trace", "dump", e);
    else
        printf("trace: %llu records\n", (unsigned long long)records);
}

/* sleep MS */
void cmd_sleep(int argc, char **argv, bool background)
{
    (void)argc, (void)background;
    uint64_t ms;
    if (!args_parse_u64(argv[1], &ms)) {
        printf("sleep: not a number of milliseconds: '%s'\n", argv[1]);
        return;
    }
    struct result e = proc_sleep_ms(ms);
    if (!result_is_ok(e))
        shell_report("sleep", argv[1], e);
}
