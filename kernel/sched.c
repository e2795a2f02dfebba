/* Fixed-priority round robin, one run queue per CPU, with lazy queue updates for the IPC fast path;
   see sched.h. Caller holds the kernel lock. */
#include "sched.h"

#include "arch/x86_64/cpu_local.h"
#include "lock.h"
#include "smp.h"
#include "thread.h"

volatile uint64_t sched_ticks;
unsigned sched_hz = 1000;
uint64_t sched_idle_poll = 100000;

/* One CPU's run queues, lazily kept (sched.h, sched_switch_to): a queue may hold threads that have
   blocked since, and a CPU may run a thread that is not queued. */
struct run_queue {
    struct thread *head[PRIORITY_COUNT];
    struct thread *tail[PRIORITY_COUNT];
    uint64_t nonempty[PRIORITY_COUNT / 64]; /* bit p set: queue p has threads */
    uint64_t nonempty_words;                /* bit w set: nonempty[w] is not 0 */
};

static struct run_queue run_queues[SMP_MAX_CPUS];

/* The highest non-empty priority of rq, or -1: two bit scans (GCC builtin
   for bsr). Queues may hold threads that blocked since (sched.h), so this
   is an upper bound on the highest runnable priority. */
static int highest(const struct run_queue *rq)
{
    if (!rq->nonempty_words)
        return -1;
    int word = 63 - __builtin_clzll(rq->nonempty_words);
    return word * 64 + 63 - __builtin_clzll(rq->nonempty[word]);
}

static void mark_nonempty(struct run_queue *rq, unsigned p)
{
    rq->nonempty[p / 64] |= 1ull << (p % 64);
    rq->nonempty_words |= 1ull << (p / 64);
}

static void mark_empty(struct run_queue *rq, unsigned p)
{
    rq->nonempty[p / 64] &= ~(1ull << (p % 64));
    if (!rq->nonempty[p / 64])
        rq->nonempty_words &= ~(1ull << (p / 64));
}

/* Interrupts t's CPU (if it is another) when that idles or runs something less urgent than t, so
   that it looks again; one polling (thread.c idle) sees its flag cleared instead. One that runs
   something as urgent finds t at its next tick. What it runs counts, not its queue (lazy). */
static void kick_for(const struct thread *t)
{
    if (t->cpu == this_cpu()->id)
        return;
    const struct thread *running = cpus[t->cpu].current;
    if (!running || running->state != THREAD_RUNNABLE || running->priority < t->priority)
        if (!__atomic_exchange_n(&cpus[t->cpu].polling, 0, __ATOMIC_ACQ_REL))
            smp_kick(t->cpu);
}

/* Puts t (runnable, not queued) at the back of its priority's queue on its CPU, or at the front. */
static void insert(struct thread *t, bool front)
{
    struct run_queue *rq = &run_queues[t->cpu];
    unsigned p = t->priority;
    struct thread *neighbour = front ? rq->head[p] : rq->tail[p];
    t->sched_next = front ? neighbour : 0;
    t->sched_prev = front ? 0 : neighbour;
    if (!neighbour)
        rq->head[p] = rq->tail[p] = t;
    else if (front)
        rq->head[p] = neighbour->sched_prev = t;
    else
        rq->tail[p] = neighbour->sched_next = t;
    t->queued = 1;
    mark_nonempty(rq, p);
    cpus[t->cpu].run_queue_changes++;
}

void sched_enqueue(struct thread *t)
{
    KERNEL_LOCK_ASSERT_HELD();
    kick_for(t);
    insert(t, false);
}

void sched_wake(struct thread *t)
{
    if (!t->queued)
        sched_enqueue(t);
    else {
        kick_for(t); /* still queued from before it blocked (lazily) */
        cpus[t->cpu].run_queue_changes++;
    }
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
        mark_empty(rq, p);
}

bool sched_switch_to_lower(struct thread *out, struct thread *in)
{
    sched_dequeue(out); /* it blocks: out of the way of the test below */
    return (int)in->priority >= highest(&run_queues[out->cpu]);
}

struct thread *sched_pick(void)
{
    struct cpu_local *cpu = this_cpu();
    struct run_queue *rq = &run_queues[cpu->id];
    /* A thread the fast path switched to runs unqueued; it is the most urgent here (or was, until
       something now queued), so it goes back to the front of its queue. */
    struct thread *running = cpu->current;
    if (running && running->state == THREAD_RUNNABLE && !running->queued && running->cpu == cpu->id)
        insert(running, true); /* with the slice it has left */
    for (;;) {
        int p = highest(rq);
        if (p < 0)
            return 0;
        struct thread *t = rq->head[p];
        if (t->state == THREAD_RUNNABLE)
            return t;
        sched_dequeue(t); /* blocked since, on the fast path: taken out now */
    }
}

/* How many threads CPU cpu could run, counting up to limit: runnable ones
   in its queues, and the one it runs if the fast path left that unqueued.
   Visits only the non-empty queues (the idle loop asks on every wake-up). */
static unsigned runnable_on(unsigned cpu, unsigned limit)
{
    unsigned n = 0;
    const struct thread *running = cpus[cpu].current;
    if (running && running->state == THREAD_RUNNABLE && !running->queued)
        n++;
    const struct run_queue *rq = &run_queues[cpu];
    for (unsigned word = 0; word < PRIORITY_COUNT / 64 && n < limit; word++)
        for (uint64_t bits = rq->nonempty[word]; bits && n < limit; bits &= bits - 1) {
            unsigned p = word * 64 + (unsigned)__builtin_ctzll(bits); /* GCC builtin: bsf */
            for (const struct thread *t = rq->head[p]; t; t = t->sched_next)
                n += t->state == THREAD_RUNNABLE;
        }
    return n;
}

bool sched_runnable_anywhere(void)
{
    /* Cheap, as the idle loop asks on every wake-up: only a CPU's own fast path leaves blocked
       threads in its queue, and only while it runs something (going idle, sched_pick takes them all
       out). So an idle CPU's queue is exact, a CPU running a runnable thread has work, and only a
       CPU in between needs its queues walked. */
    for (unsigned cpu = 0; cpu < cpu_count; cpu++) {
        const struct thread *running = cpus[cpu].current;
        if (running && running->state == THREAD_RUNNABLE)
            return true;
        if (highest(&run_queues[cpu]) >= 0 && (!running || runnable_on(cpu, 1)))
            return true;
    }
    return false;
}

unsigned sched_queued(unsigned cpu)
{
    return runnable_on(cpu, ~0u);
}

void sched_yield(struct thread *t)
{
    t->timeslice = TIMESLICE_TICKS;
    sched_dequeue(t);
    sched_enqueue(t);
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
    if (!running || running->state != THREAD_RUNNABLE)
        return;
    this_cpu()->busy_ticks++;
    if (running->timeslice > 1) {
        running->timeslice--;
        return;
    }
    sched_yield(running);
}
