/*
 * smptest: the SMP tests, run as the root task from the test initrd:
 *   CMDLINE="qemu-exit init=bin/smptest -- MODE"
 * with MODE stress, tlb, fairness, bad, wake or figures (stress.c, tlb.c,
 * sched.c, wake.c, figures.c). Each suite prints what fails and ends with a count line. The
 * helper threads share the root task's address space and CSpace and use no
 * libc (they share its TLS block too).
 */
#include <stdio.h>
#include <string.h>

#include "smptest.h"

unsigned ncpus;

/* DEBUG_CPU_STATS of cpu (zeros if it fails). */
static struct debug_cpu_stats cpu_stats(unsigned cpu)
{
    struct debug_cpu_stats stats = {0};
    debug_cpu_stats(ROOT_SLOT_DEBUG, cpu, &stats);
    return stats;
}

uint64_t uptime(void)
{
    return cpu_stats(0).uptime;
}

uint64_t cpu_busy_ticks(unsigned cpu)
{
    return cpu_stats(cpu).busy;
}

uint64_t my_cpu(void)
{
    return cpu_stats(0).caller_cpu;
}

uint64_t tsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)); /* GNU inline asm: C has no rdtsc */
    return ((uint64_t)hi << 32) | lo;
}

void yield(void)
{
    struct missive_msg m;
    missive_syscall(SYS_YIELD, 0, 0, &m);
}

static uint64_t park_slot; /* an endpoint nobody sends to (main makes it) */

_Noreturn void park(void)
{
    struct missive_msg m;
    for (;;)
        missive_syscall(SYS_RECV, park_slot, 0, &m);
}

/* Prints each CPU's load: ticks busy (a thread running) and idle, and threads queued. */
static void print_load(void)
{
    for (unsigned cpu = 0; cpu < ncpus; cpu++) {
        struct debug_cpu_stats stats = cpu_stats(cpu);
        printf("smptest: cpu %u: %lu ticks busy, %lu idle, %lu runnable\n", cpu,
               (unsigned long)stats.busy, (unsigned long)stats.idle, (unsigned long)stats.runnable);
    }
}

int main(int argc, char **argv)
{
    check_init("smptest");
    ncpus = (unsigned)setup_boot->cpu_count;
    const char *mode = argc > 1 ? argv[1] : "";
    printf("smptest: mode '%s' on %u CPUs\n", mode, ncpus);
    park_slot = setup_objects(CAP_ENDPOINT, 0, 1);
    int r;
    if (!strcmp(mode, "stress"))
        r = stress_suite();
    else if (!strcmp(mode, "tlb"))
        r = tlb_suite();
    else if (!strcmp(mode, "fairness"))
        r = fairness_suite();
    else if (!strcmp(mode, "bad"))
        r = bad_input_suite();
    else if (!strcmp(mode, "wake"))
        r = wake_suite();
    else if (!strcmp(mode, "figures"))
        r = figures();
    else {
        printf("smptest: unknown mode '%s'\n", mode);
        return 2;
    }
    print_load();
    return r;
}
