/*
 * The scheduler: fixed-priority preemptive round robin (docs/kernel.md). Runnable threads wait in
 * one FIFO queue per priority; the highest non-empty priority runs, and a thread that uses up its
 * time slice goes to the back of its queue. Each CPU has its own run queues and runs only the
 * threads whose `cpu` names it; a thread changes CPU only when its affinity is set. Everything here
 * needs the kernel lock.
 */
#ifndef MISSIVE_SCHED_H
#define MISSIVE_SCHED_H

#include <stdbool.h>
#include <stdint.h>

#include "thread.h" /* sched_switch_to reads priorities */

#define PRIORITY_COUNT  256
#define TIMESLICE_TICKS 5 /* at the default 1000 Hz: 5 ms */

/* Appends t (runnable, not queued) to the back of its priority's queue on
   its CPU; interrupts that CPU if it should run t now. */
void sched_enqueue(struct thread *t);

/* Removes t from its queue; no-op if it is not queued. */
void sched_dequeue(struct thread *t);

/* sched_switch_to when in is less urgent than out: takes out (which blocks)
   off its queue and says whether nothing runnable here is more urgent
   than in, conservatively (threads that blocked lazily count). */
bool sched_switch_to_lower(struct thread *out, struct thread *in);

/* The fast path's direct switch: may in (runnable, of this CPU) run now in place of out, the thread
   running here, which blocks (both states say so already)? Lazy scheduling, as in L4: when in is at
   least as urgent as out, which runs and so is the most urgent here, nothing changes in the run
   queues. out may stay queued although blocked; sched_pick takes it out when it meets it. in runs
   unqueued; sched_pick puts it back at the front of its queue at the next scheduling decision.
   (Another CPU may have queued something more urgent a moment ago; its IPI is pending and preempts
   in as soon as it reaches user mode.) */
static inline bool sched_switch_to(struct thread *out, struct thread *in)
{
    return in->priority >= out->priority || sched_switch_to_lower(out, in);
}

/* t just became runnable: queues it unless it is still queued from before
   it blocked, and interrupts its CPU if that should run it now. */
void sched_wake(struct thread *t);

/* The thread that should run now on this CPU (it stays queued), or NULL. Puts the thread the fast
   path left running unqueued back first, and takes the blocked threads it meets off the queues. */
struct thread *sched_pick(void);

/* True if any CPU has a runnable thread. */
bool sched_runnable_anywhere(void);

/* How many threads are queued (runnable) on CPU cpu. */
unsigned sched_queued(unsigned cpu);

/* A local timer tick: counts this CPU busy, charges the running thread and rotates it to the back
 * of its queue when its slice is used up. */
void sched_tick(struct thread *running);

/* A local timer tick from user mode, without the kernel lock: charges the running thread when its
   slice has ticks left, touching only this CPU's data and the thread it runs, which no other CPU
   changes while it runs here (taking it away goes through a request, which this checks). False if
   the tick needs sched_tick under the lock. */
bool sched_tick_quick(void);

/* Moves t to the back of its queue with a fresh slice (yield). */
void sched_yield(struct thread *t);

/* Ticks since boot (the PIT's, on the boot CPU), and the tick rate. */
extern volatile uint64_t sched_ticks;
extern unsigned sched_hz;
/* TSC ticks a CPU going idle polls before it halts (idlepoll=; 0: at once; docs/smp.md). */
extern uint64_t sched_idle_poll;

#endif
