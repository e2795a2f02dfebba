/* Fixed-priority round robin; see sched.h. Caller holds the kernel (for now:
   one CPU, interrupts off in the kernel). */
#include "sched.h"

#include "thread.h"

volatile uint64_t sched_ticks;
unsigned sched_hz = 1000;

static struct thread *queue_head[PRIORITY_COUNT];
static struct thread *queue_tail[PRIORITY_COUNT];
static uint64_t nonempty[PRIORITY_COUNT / 64]; /* bit p set: queue p has threads */

void sched_enqueue(struct thread *t)
{
    unsigned p = t->priority;
    t->sched_next = 0;
    t->sched_prev = queue_tail[p];
    if (queue_tail[p])
        queue_tail[p]->sched_next = t;
    else
        queue_head[p] = t;
    queue_tail[p] = t;
    t->queued = 1;
    nonempty[p / 64] |= 1ull << (p % 64);
}

void sched_dequeue(struct thread *t)
{
    if (!t->queued)
        return;
    unsigned p = t->priority;
    if (t->sched_prev)
        t->sched_prev->sched_next = t->sched_next;
    else
        queue_head[p] = t->sched_next;
    if (t->sched_next)
        t->sched_next->sched_prev = t->sched_prev;
    else
        queue_tail[p] = t->sched_prev;
    t->sched_next = t->sched_prev = 0;
    t->queued = 0;
    if (!queue_head[p])
        nonempty[p / 64] &= ~(1ull << (p % 64));
}

void sched_enqueue_front(struct thread *t)
{
    unsigned p = t->priority;
    t->sched_prev = 0;
    t->sched_next = queue_head[p];
    if (queue_head[p])
        queue_head[p]->sched_prev = t;
    else
        queue_tail[p] = t;
    queue_head[p] = t;
    t->queued = 1;
    nonempty[p / 64] |= 1ull << (p % 64);
}

int sched_highest_priority(void)
{
    for (int word = PRIORITY_COUNT / 64 - 1; word >= 0; word--)
        if (nonempty[word])
            return word * 64 + 63 - __builtin_clzll(nonempty[word]); /* GCC builtin: bsr */
    return -1;
}

struct thread *sched_pick(void)
{
    for (int word = PRIORITY_COUNT / 64 - 1; word >= 0; word--) {
        if (nonempty[word]) {
            int bit = 63 - __builtin_clzll(nonempty[word]); /* GCC builtin: one bsr */
            return queue_head[word * 64 + bit];
        }
    }
    return 0;
}

void sched_yield(struct thread *t)
{
    t->timeslice = TIMESLICE_TICKS;
    if (t->queued) {
        sched_dequeue(t);
        sched_enqueue(t);
    }
}

void sched_tick(struct thread *running)
{
    sched_ticks++;
    if (!running || !running->queued)
        return;
    if (running->timeslice > 1) {
        running->timeslice--;
        return;
    }
    sched_yield(running);
}
