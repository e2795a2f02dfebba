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

#define STACK_SIZE 4096
#define STACKS     64
#define FIRST_SLOT 2000

unsigned ncpus;
static int checks, failures;
static uint64_t next_slot = FIRST_SLOT;
static _Alignas(16) uint8_t stacks[STACKS][STACK_SIZE];
static unsigned stacks_used;

void check(const char *what, long got, long want)
{
    checks++;
    if (got != want) {
        failures++;
        printf("smptest: FAIL %s: got %ld, want %ld\n", what, got, want);
    }
}

int report(const char *suite)
{
    printf("smptest: %s: %d passed, %d failed\n", suite, checks - failures, failures);
    return failures != 0;
}

long invoke(uint64_t slot, uint64_t label, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
            struct missive_msg *answer)
{
    uint64_t args[4] = {a0, a1, a2, a3};
    return sys_invoke(slot, label, 4, args, answer);
}

long cs(uint64_t label, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    return invoke(ROOT_SLOT_CSPACE, label, a0, a1, a2, a3, 0);
}

uint64_t slots(uint64_t count)
{
    uint64_t first = next_slot;
    next_slot += count;
    return first;
}

uint64_t make(uint64_t type, uint64_t bits, uint64_t count)
{
    const struct boot_info *boot = (const struct boot_info *)USER_BOOT_INFO;
    uint64_t first = next_slot;
    next_slot += count;
    for (uint64_t i = 0; i < boot->untyped_count; i++) {
        if (boot->untyped[i].device || boot->untyped[i].size_bits < 20)
            continue;
        if (invoke(boot->untyped_first + i, UNTYPED_RETYPE, type, bits, first, count, 0) == ERR_OK)
            return first;
    }
    printf("smptest: FAIL: no memory for %lu objects of type %lu\n", (unsigned long)count,
           (unsigned long)type);
    failures++;
    return first;
}

long spawn(uint64_t slot, uint64_t priority, uint64_t fault_ep, unsigned cpu,
           void (*entry)(uint64_t), uint64_t arg)
{
    if (stacks_used == STACKS)
        return ERR_NOT_ENOUGH_MEMORY;
    uint8_t *stack = stacks[stacks_used++];
    long r =
        invoke(slot, THREAD_CONFIGURE, ROOT_SLOT_CSPACE, ROOT_SLOT_VSPACE, priority, fault_ep, 0);
    if (r == ERR_OK)
        r = invoke(slot, THREAD_SET_AFFINITY, cpu, 0, 0, 0, 0);
    uint64_t regs[5] = {(uint64_t)entry, (uint64_t)(stack + STACK_SIZE - 8), arg, 0, 0};
    if (r == ERR_OK)
        r = sys_invoke(slot, THREAD_WRITE_REGISTERS, 5, regs, 0);
    return r != ERR_OK ? r : invoke(slot, THREAD_RESUME, 0, 0, 0, 0, 0);
}

uint64_t uptime(void)
{
    struct missive_msg m;
    invoke(ROOT_SLOT_DEBUG, DEBUG_CPU_STATS, 0, 0, 0, 0, &m);
    return m.mr[0];
}

uint64_t cpu_busy_ticks(unsigned cpu)
{
    struct missive_msg m;
    invoke(ROOT_SLOT_DEBUG, DEBUG_CPU_STATS, cpu, 0, 0, 0, &m);
    return m.mr[1];
}

uint64_t my_cpu(void)
{
    struct missive_msg m;
    invoke(ROOT_SLOT_DEBUG, DEBUG_CPU_STATS, 0, 0, 0, 0, &m);
    return m.mr[4];
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
        struct missive_msg m;
        invoke(ROOT_SLOT_DEBUG, DEBUG_CPU_STATS, cpu, 0, 0, 0, &m);
        printf("smptest: cpu %u: %lu ticks busy, %lu idle, %lu runnable\n", cpu,
               (unsigned long)m.mr[1], (unsigned long)m.mr[2], (unsigned long)m.mr[3]);
    }
}

int main(int argc, char **argv)
{
    const struct boot_info *boot = (const struct boot_info *)USER_BOOT_INFO;
    ncpus = (unsigned)boot->cpu_count;
    const char *mode = argc > 1 ? argv[1] : "";
    printf("smptest: mode '%s' on %u CPUs\n", mode, ncpus);
    park_slot = make(CAP_ENDPOINT, 0, 1);
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
