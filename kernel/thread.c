/* Threads: state, teardown, and entering user mode. See thread.h. */
#include "thread.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/cpu_local.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/vm.h"
#include "endpoint.h"
#include "fastpath.h"
#include "invoke.h"
#include "irq.h"
#include "lock.h"
#include "log.h"
#include "missive/abi.h"
#include "notification.h"
#include "object.h"
#include "reply.h"
#include "sched.h"
#include "smp.h"
#include "string.h"

/* Each CPU's fpu_owner is the thread whose FPU/SSE/AVX registers are in it now. Switching saves and
   loads them eagerly on every change of thread (docs/kernel.md): one xsave/xrstor (or
   fxsave/fxrstor) pair is cheaper than taking #NM traps for the many programs (picolibc's printf
   among them) that use SSE. */

void thread_fpu_release(struct cpu_local *cpu)
{
    if (cpu->fpu_owner)
        thread_fpu_save(cpu->fpu_owner);
    cpu->fpu_owner = 0;
    cpu->fpu_save_area = cpu->fpu_scratch;
}

uint64_t thread_buffer_epoch;

struct ipc_buffer *thread_receive_buffer(struct thread *t)
{
    const struct cte *reg = t->ipc_buffer_cap.parent; /* NULL: no copy (a copy is a frame's) */
    bool ok = reg && reg->cap.type == CAP_FRAME && (reg->cap.mapping.rights & CAP_RIGHT_WRITE) &&
              t->vspace_cap.cap.type == CAP_VSPACE &&
              reg->cap.mapping.vspace_id == ((struct vspace *)t->vspace_cap.cap.object)->id;
    t->receive_buffer_epoch = thread_buffer_epoch;
    return t->receive_buffer = ok ? phys_to_virt(t->ipc_buffer_cap.cap.object) : 0;
}

/* The last thread id given; the root task's thread gets 1. */
static uint32_t thread_last_id;

void thread_init(struct thread *t)
{
    t->id = ++thread_last_id;
    t->header.type = CAP_THREAD;
    t->state = THREAD_INACTIVE;
    t->cpu = (uint8_t)smp_next_cpu();
    t->timeslice = TIMESLICE_TICKS;
    t->context.cs = SEL_USER_CODE;
    t->context.ss = SEL_USER_DATA;
    t->context.rflags = 0x202;
    /* fxsave image of a freshly reset FPU: x87 control word 0x37f, MXCSR
       0x1f80 (all exceptions masked). */
    t->fpu_state[0] = 0x7f;
    t->fpu_state[1] = 0x03;
    t->fpu_state[24] = 0x80;
    t->fpu_state[25] = 0x1f;
    memcpy(t->name, "thread", 7);
}

void thread_set_state(struct thread *t, enum thread_state state)
{
    t->state = state;
    if (state == THREAD_RUNNABLE)
        sched_wake(t); /* slice not refilled: two threads calling each other would starve peers */
    else
        sched_dequeue(t);
}

/* Takes t out of whatever it waits in: endpoint queue, notification, a pending reply either way. */
static void thread_cancel_ipc(struct thread *t)
{
    if (t->state == THREAD_BLOCKED_SEND || t->state == THREAD_BLOCKED_RECV)
        endpoint_cancel(t);
    if (t->state == THREAD_BLOCKED_NOTIFICATION)
        notification_cancel(t);
    if (t->replier) { /* t waits for a reply: the replier owes nobody now */
        t->replier->reply_to = 0;
        t->replier = 0;
    }
    reply_cancel(t);
    if (t->reply_to) { /* t owes a reply: its caller will never get one */
        struct thread *caller = t->reply_to;
        caller->replier = 0;
        t->reply_to = 0;
        thread_wake_with_error(caller, ERR_OBJECT_DELETED);
    }
}

void thread_stop(struct thread *t)
{
    if (t->state == THREAD_RUNNABLE && t->cpu != this_cpu()->id)
        smp_evict(t); /* it may be running there: stop it now, not at its next tick */
    bool waiting = t->state == THREAD_BLOCKED_SEND || t->state == THREAD_BLOCKED_RECV ||
                   t->state == THREAD_BLOCKED_REPLY || t->state == THREAD_BLOCKED_NOTIFICATION;
    if (waiting && !t->fault_pending)
        t->context.rax = (uint64_t)ERR_INTERRUPTED; /* what its system call returns if resumed */
    thread_cancel_ipc(t);
    t->fault_pending = 0; /* resumed, it retries the faulting instruction */
    thread_set_state(t, THREAD_SUSPENDED);
}

void thread_destroy(struct thread *t)
{
    thread_stop(t);
    if (this_cpu()->current == t)
        this_cpu()->current = 0;
    /* Another CPU may still hold t's FPU registers though it runs nothing
       (idle since t blocked): it must never save them into freed memory. */
    for (unsigned i = 0; i < cpu_count; i++)
        if (cpus[i].fpu_owner == t) {
            cpus[i].fpu_owner = 0;
            cpus[i].fpu_save_area = cpus[i].fpu_scratch; /* not into freed memory */
        }
    cte_delete(&t->cspace_cap);
    cte_delete(&t->vspace_cap);
    cte_delete(&t->fault_cap);
    cte_delete(&t->ipc_buffer_cap);
    notification_unbind(t);
}

void thread_wake_with_error(struct thread *t, long error)
{
    if (!t->fault_pending)
        t->context.rax = (uint64_t)error;
    thread_set_state(t, t->fault_pending ? THREAD_SUSPENDED : THREAD_RUNNABLE);
    t->fault_pending = 0;
}

void thread_queue_append(struct thread_queue *q, struct thread *t)
{
    t->ipc_next = 0;
    t->ipc_prev = q->tail;
    if (q->tail)
        q->tail->ipc_next = t;
    else
        q->head = t;
    q->tail = t;
}

void thread_queue_remove(struct thread_queue *q, struct thread *t)
{
    if (t->ipc_prev)
        t->ipc_prev->ipc_next = t->ipc_next;
    else
        q->head = t->ipc_next;
    if (t->ipc_next)
        t->ipc_next->ipc_prev = t->ipc_prev;
    else
        q->tail = t->ipc_prev;
    t->ipc_next = t->ipc_prev = 0;
}

#define MR_AT(reg) offsetof(struct trap_frame, reg)
const uint8_t thread_mr_offsets[MSG_REGISTERS] = {MR_AT(rdx), MR_AT(r8),  MR_AT(r9),  MR_AT(r10),
                                                  MR_AT(r12), MR_AT(r13), MR_AT(r14), MR_AT(r15),
                                                  MR_AT(rbx), MR_AT(rbp)};
#undef MR_AT

void thread_set_affinity(struct thread *t, unsigned cpu)
{
    if (t->cpu == cpu)
        return;
    smp_evict(t);
    sched_dequeue(t);
    t->cpu = (uint8_t)cpu;
    if (t->state == THREAD_RUNNABLE)
        sched_enqueue(t);
}

/* Lets the interrupts pending on this CPU in, the kernel lock released meanwhile, as idle does
   around hlt: the kernel's only preemption point. Nothing may be kept across it but what the
   caller records in objects; afterwards the caller picks a thread again. Holds the lock on entry
   and on return. */
static void preemption_point(struct cpu_local *cpu)
{
    cpu->current = 0;
    preempted_invocations++;
    kernel_unlock();
    cpu_take_pending_interrupts();
    kernel_lock();
}

/* Waits, the kernel lock released, until something may have been queued here: polls (pause,
   interrupts taken) for poll TSC ticks, then halts until an interrupt. A waker finding polling
   set clears it instead of sending an IPI (sched.c); the exchange decides which came first. A
   queue change since the caller's pick (changes) ends the wait. Lock held on entry and return. */
static void idle_wait(struct cpu_local *cpu, uint64_t poll)
{
    uint64_t changes = cpu->run_queue_changes, start = rdtsc();
    __atomic_store_n(&cpu->polling, 1, __ATOMIC_SEQ_CST);
    kernel_unlock();
    while (cpu->polling && cpu->run_queue_changes == changes && rdtsc() - start < poll) {
        cpu_take_pending_interrupts(); /* a device's, or a request (smp.c) */
        cpu_pause();
    }
    if (__atomic_exchange_n(&cpu->polling, 0, __ATOMIC_ACQ_REL) &&
        cpu->run_queue_changes == changes) {
        uint64_t since = sched_ticks;
        cpu_idle_until_interrupt(); /* an IPI sent after the exchange ends it */
        cpu->idle_ticks += sched_ticks - since;
    }
    kernel_lock();
}

/* Waits, without ticks, until an interrupt or another CPU makes a thread runnable here (the
   caller found none), polling once first if there is another CPU. With qemu-exit (tests), a
   system where nothing can run and no device line can wake anyone is finished: QEMU ends as
   after a normal boot. Holds the lock on entry and on return. */
static void idle(void)
{
    struct cpu_local *cpu = this_cpu();
    cpu->current = 0;
    if (sched_pick()) /* before the timer is stopped: no LAPIC writes for nothing */
        return;
    irq_stop_local_timer();
    for (uint64_t poll = cpu_count > 1 ? sched_idle_poll : 0; !sched_pick(); poll = 0) {
        if (object_reap_pending() &&
            !object_reap()) { /* reaping nobody owes any more (syscall.c), between interrupts */
            preemption_point(cpu);
            continue;
        }
        /* Checked at every wake-up: the last CPU to find nothing ends it. */
        if (qemu_exit_enabled && !sched_runnable_anywhere() && !irq_lines_bound()) {
            kprintf("kernel: no runnable threads; idle (IPC fast path taken %lu times, "
                    "%lu long invocations preempted, %lu IPIs)\n",
                    fastpath_count, preempted_invocations, smp_ipis_sent);
            machine_stop(EXIT_CODE_BOOT_OK);
        }
        idle_wait(cpu, poll);
    }
    irq_start_local_timer();
}

/* Leaves the kernel into t, which must be runnable, queued on this CPU and have a valid user
   context (the end of kernel_return_to_user). Releases the kernel lock on the way out. */
static _Noreturn void thread_enter_user(struct thread *t)
{
    /* Status flags, DF and AC (alignment checks a program asked for) only: register writes and
       traps are not the only ways into a context, so this path trusts none. (The fast path's
       contexts all come from syscall, whose R11 is the thread's own RFLAGS.) */
    t->context.rflags = (t->context.rflags & 0x40cd5) | RFLAGS_IF | 2;
    thread_switch_in(this_cpu(), t, thread_vspace_root(t), cpu_fpu_features != 0);
    /* From here on this CPU touches only t's context, which nobody frees
       before this CPU has answered a request from the kernel again (smp.c). */
    kernel_unlock();
    context_restore(&t->context);
}

_Noreturn void kernel_return_to_user(void)
{
    struct thread *t;
    for (;;) {
        t = sched_pick();
        if (!t) {
            idle();
            continue;
        }
        if (t->reaping) {
            /* It finishes the reaping its system call started before it runs again, at its own
               priority; an interrupt pending after a batch may make another thread more urgent.
               Then pick again: the reaping may have destroyed t. */
            t->reaping = !object_reap();
            if (t->reaping)
                preemption_point(this_cpu());
            continue;
        }
        /* Every way into a context (syscall, trap, register writes) can leave only user addresses
           here; checking again is cheap insurance against returning to ring 3 with a kernel or
           non-canonical RIP, which sysret and iretq would fault on in ring 0. */
        if (!thread_vspace_root(t)) {
            /* Its VSpace capability was revoked while it could run: like a
               fault with no handler, the thread stops with one line. */
            kprintf("fault: thread '%s' has no address space now; thread suspended\n", t->name);
        } else if (t->context.rip < USER_END && t->context.rsp < USER_SPACE_END) {
            break;
        } else {
            log_error("thread '%s': bad user rip 0x%lx or rsp 0x%lx; suspended\n", t->name,
                      t->context.rip, t->context.rsp);
        }
        thread_set_state(t, THREAD_SUSPENDED);
    }
    thread_enter_user(t);
}
