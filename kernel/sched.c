/* Fixed-priority round robin, one run queue per CPU; see sched.h. Caller
   holds the kernel lock. */
#include "sched.h"

#include "arch/x86_64/cpu_local.h"
#include "lock.h"
#include "smp.h"
#include "thread.h"

volatile uint64_t sched_ticks;
unsigned sched_hz = 1000;

struct run_queue {
    struct thread *head[PRIORITY_COUNT];
    struct thread *tail[PRIORITY_COUNT];
    uint64_t nonempty[PRIORITY_COUNT / 64]; /* bit p set: queue p has threads */
};

static struct run_queue run_queues[SMP_MAX_CPUS];

/* The highest non-empty priority of rq, or -1. */
static int highest(const struct run_queue *rq)
{
    for (int word = PRIORITY_COUNT / 64 - 1; word >= 0; word--)
        if (rq->nonempty[word])
            return word * 64 + 63 - __builtin_clzll(rq->nonempty[word]); /* GCC builtin: bsr */
    return -1;
}

void sched_enqueue(struct thread *t)
{
    KERNEL_LOCK_ASSERT_HELD();
    struct run_queue *rq = &run_queues[t->cpu];
    unsigned p = t->priority;
    /* Another CPU that idles or runs something less urgent must look again;
       one that runs something as urgent finds t at its next tick. */
    if (t->cpu != this_cpu()->id && highest(rq) < (int)p)
        smp_kick(t->cpu);
    t->sched_next = 0;
    t->sched_prev = rq->tail[p];
    if (rq->tail[p])
        rq->tail[p]->sched_next = t;
    else
        rq->head[p] = t;
    rq->tail[p] = t;
    t->queued = 1;
    rq->nonempty[p / 64] |= 1ull << (p % 64);
}

void sched_dequeue(struct thread *t)
{
    KERNEL_LOCK_ASSERT_HELD();
    if (!t->queued)
        return;
    struct run_queue *rq = &run_queues[t->cpu];
    unsigned p = t->priority;
    if (t->sched_prev)
        t->sched_prev->sched_next = t->sched_next;
    else
        rq->head[p] = t->sched_next;
    if (t->sched_next)
        t->sched_next->sched_prev = t->sched_prev;
    else
        rq->tail[p] = t->sched_prev;
    t->sched_next = t->sched_prev = 0;
    t->queued = 0;
    if (!rq->head[p])
        rq->nonempty[p / 64] &= ~(1ull << (p % 64));
}

void sched_enqueue_front(struct thread *t)
{
    struct run_queue *rq = &run_queues[t->cpu];
    unsigned p = t->priority;
    t->sched_prev = 0;
    t->sched_next = rq->head[p];
    if (rq->head[p])
        rq->head[p]->sched_prev = t;
    else
        rq->tail[p] = t;
    rq->head[p] = t;
    t->queued = 1;
    rq->nonempty[p / 64] |= 1ull << (p % 64);
}

int sched_highest_priority(void)
{
    return highest(&run_queues[this_cpu()->id]);
}

struct thread *sched_pick(void)
{
    const struct run_queue *rq = &run_queues[this_cpu()->id];
    int p = highest(rq);
    return p < 0 ? 0 : rq->head[p];
}

bool sched_runnable_anywhere(void)
{
    for (unsigned cpu = 0; cpu < cpu_count; cpu++)
        if (highest(&run_queues[cpu]) >= 0)
            return true;
    return false;
}

unsigned sched_queued(unsigned cpu)
{
    unsigned n = 0;
    const struct run_queue *rq = &run_queues[cpu];
    for (int p = highest(rq); p >= 0; p--)
        for (const struct thread *t = rq->head[p]; t; t = t->sched_next)
            n++;
    return n;
}

void sched_yield(struct thread *t)
{
    t->timeslice = TIMESLICE_TICKS;
    if (t->queued) {
        sched_dequeue(t);
        sched_enqueue(t);
    }
}

bool sched_tick_quick(void)
{
    struct cpu_local *cpu = this_cpu();
    struct thread *t = cpu->current;
    if (!t || t->timeslice <= 1 || __atomic_load_n(&cpu->requests, __ATOMIC_ACQUIRE))
        return false;
    t->timeslice--;
    cpu->busy_ticks++;
    return true;
}

void sched_tick(struct thread *running)
{
    if (!running || !running->queued)
        return;
    this_cpu()->busy_ticks++;
    if (running->timeslice > 1) {
        running->timeslice--;
        return;
    }
    sched_yield(running);
}
