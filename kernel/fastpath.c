/*
 * The IPC fast path (docs/ipc-performance.md): call and reply_recv with a message of up to 64 words
 * and 3 capabilities when the other side already waits. It does what endpoint.c would do with
 * nothing general in the way. Anything else (faults, nobody waiting, a receiver still owing a
 * reply, a notification to deliver first, an IPC buffer missing) it declines before changing
 * anything, and the slow path handles the call.
 *
 * When the thread that gets the message can run here and now (this CPU, at least as urgent as
 * anything queued), the fast path switches to it directly, and the message never leaves the
 * sender's saved context: fastpath_exit (entry.asm) loads the message registers from there, and
 * only the receiver's RIP, RFLAGS and RSP from the receiver, and releases the kernel lock only
 * after that: a sender that replied is already queued as a receiver, and another CPU may write the
 * next client's message into its context as soon as the lock is free (posix-fsx-smp2 caught clients
 * getting the other client's request as their reply when the lock was released before). Otherwise
 * the message is copied into the receiver's context and the receiver queued, which interrupts its
 * CPU if that idles.
 */
#include "fastpath.h"

#include "arch/x86_64/cpu_local.h"
#include "endpoint.h"
#include "lock.h"
#include "log.h"
#include "missive/abi.h"
#include "notification.h"
#include "object.h"
#include "sched.h"
#include "syscall.h"
#include "thread.h"
#include "trace.h"

/* In entry.asm: leaves the kernel by sysret into the thread whose context (saved by syscall) is
   to, with the message registers, RAX, RDI and RSI of from. Needs the kernel lock held; releases
   it once from is read. */
_Noreturn void fastpath_exit(struct trap_frame *to, struct trap_frame *from);

uint64_t fastpath_count;

/* The message registers and the three words the receiver also gets. */
static void copy_message(struct trap_frame *to, const struct trap_frame *from)
{
    to->rdx = from->rdx;
    to->r8 = from->r8;
    to->r9 = from->r9;
    to->r10 = from->r10;
    to->r12 = from->r12;
    to->r13 = from->r13;
    to->r14 = from->r14;
    to->r15 = from->r15;
    to->rbx = from->rbx;
    to->rbp = from->rbp;
    to->rax = from->rax;
    to->rdi = from->rdi;
    to->rsi = from->rsi;
}

/* The endpoint capability in t's slot if it has right, else NULL. */
static inline const struct cap *endpoint_lookup(const struct thread *t, uint64_t slot,
                                                unsigned right)
{
    /* thread_cspace, without its NULL test: a CSpace capability always names an object. */
    if (t->cspace_cap.cap.type != CAP_CSPACE)
        return 0;
    struct cspace *cs = (struct cspace *)t->cspace_cap.cap.object;
    /* slot - 1 wraps for slot 0, which is never valid. */
    if (slot - 1 >= cs->last_slot)
        return 0;
    const struct cap *cap = &cspace_slot(cs, slot)->cap;
    if (cap->type != CAP_ENDPOINT || !(cap->rights & right))
        return 0;
    return cap;
}

/* The last step of both operations, once the IPC state is final: from (the running thread) becomes
   state, and to, which now holds the message in from's context with RAX 0 and RDI badge, runs.
   Switches straight to it when the scheduler would pick it; else queues it and returns, and the
   caller leaves through kernel_return_to_user. */
/* always_inline (a GCC attribute): both operations end here, and a call
   with its own prologue costs the fast path a tenth of its budget. */
__attribute__((always_inline)) static inline void
fastpath_deliver(struct cpu_local *cpu, struct thread *from, struct thread *to,
                 enum thread_state state, uint64_t badge, bool traced, bool xsave)
{
    struct trap_frame *message = &from->context;
    /* from's RAX and RDI are rewritten by whatever ends its wait. */
    message->rax = ERR_OK;
    message->rdi = badge;
    if (traced && trace_on)
        trace_ipc(from, to,
                  TRACE_FAST | (state == THREAD_BLOCKED_REPLY ? TRACE_CALL : TRACE_REPLY));
    fastpath_count++;
    from->state = state;
    to->state = THREAD_RUNNABLE;
    /* fastpath_exit leaves by sysret, which needs a context saved by syscall. to's is: a thread
       blocks receiving, or waiting for a reply, only by a system call (a fault's wait for its
       answer is excluded above, and only stopped threads get their registers written). Debug builds
       check it. A thread whose VSpace was revoked while it waited goes through
       kernel_return_to_user, which stops it. */
#ifdef MISSIVE_DEBUG
    if (to->context.vector != TRAP_VECTOR_SYSCALL)
        panic("fastpath: thread '%s' waits with a context not saved by syscall", to->name);
#endif
    uint64_t root = thread_vspace_root(to);
    if (to->cpu == from->cpu && root && sched_switch_to(from, to)) {
        thread_switch_in(cpu, to, root, xsave);
        fastpath_exit(&to->context, message);
    }
    copy_message(&to->context, message);
    sched_dequeue(from);
    sched_wake(to);
}

/* longer (a constant): 1 words past the registers, 2 also capabilities (with grant), their
   count then in from's tag, which to gets. False, changing nothing, unless both have a buffer,
   to's one it may write. The last test of both operations: what it changes stays. */
__attribute__((always_inline)) static inline bool
copy_longer(int longer, struct thread *from, struct thread *to, uint64_t shape, bool grant)
{
    if (!longer)
        return true;
    struct ipc_buffer *out = /* thread_receive_buffer's while good; NULL: the slow path asks */
        to->receive_buffer_epoch == thread_buffer_epoch ? to->receive_buffer : 0;
    unsigned caps = longer == 2 ? (unsigned)(shape >> 8) : 0, length = shape & 0x7f;
    if (from->ipc_buffer_cap.cap.type != CAP_FRAME || !out || (caps && !grant))
        return false;
    struct ipc_buffer *in = phys_to_virt(from->ipc_buffer_cap.cap.object); /* thread_ipc_buffer */
#ifdef MISSIVE_DEBUG
    if (out != thread_receive_buffer(to)) /* a change thread_buffer_epoch missed */
        panic("fastpath: thread '%s' has a stale receive buffer", to->name);
#endif
    if (length > MSG_REGISTERS)
        cpu_copy_words(&out->mr[MSG_REGISTERS], &in->mr[MSG_REGISTERS], length - MSG_REGISTERS);
    if (caps)
        from->context.rsi = (from->context.rsi & ~(3ul << 8)) |
                            (uint64_t)endpoint_transfer_caps(from, in, to, out, caps) << 8;
    return true;
}

__attribute__((always_inline)) static inline bool
fastpath_call(struct cpu_local *cpu, struct thread *t, struct trap_frame *c, bool traced,
              bool xsave, int longer, uint64_t shape)
{
    const struct cap *cap = endpoint_lookup(t, c->rdi, CAP_RIGHT_SEND);
    if (!cap)
        return false;
    struct endpoint *ep = (struct endpoint *)cap->object;
    struct thread *receiver = ep->queue.head;
    if (!ep->receivers || !receiver || receiver->reply_to ||
        !copy_longer(longer, t, receiver, shape, cap->rights & CAP_RIGHT_GRANT))
        return false;
    /* endpoint_cancel of the head, unrolled. */
    struct thread *next = receiver->ipc_next;
    ep->queue.head = next;
    if (next) {
        next->ipc_prev = 0;
    } else {
        ep->queue.tail = 0;
        ep->receivers = 0;
    }
    receiver->ipc_next = 0;
    receiver->ipc_endpoint = 0;
    receiver->reply_to = t;
    t->replier = receiver;
    fastpath_deliver(cpu, t, receiver, THREAD_BLOCKED_REPLY, cap->badge, traced, xsave);
    return true;
}

__attribute__((always_inline)) static inline bool
fastpath_reply_recv(struct cpu_local *cpu, struct thread *t, struct trap_frame *c, bool traced,
                    bool xsave, int longer, uint64_t shape)
{
    struct thread *caller = t->reply_to;
    if (!caller || caller->fault_pending)
        return false;
    const struct cap *cap = endpoint_lookup(t, c->rdi, CAP_RIGHT_RECEIVE);
    if (!cap)
        return false;
    struct endpoint *ep = (struct endpoint *)cap->object;
    /* A sender already waiting is the slow path's to deliver. */
    if ((!ep->receivers && ep->queue.head) ||
        (t->bound_notification && notification_bound_pending(t)) ||
        !copy_longer(longer, t, caller, shape, t->ipc_reply_can_grant))
        return false;
    t->reply_to = 0;
    caller->replier = 0;
    t->ipc_reply_can_grant = cap->rights & CAP_RIGHT_GRANT;
    /* endpoint_enqueue, unrolled. */
    struct thread *last = ep->queue.tail;
    ep->receivers = 1;
    t->ipc_endpoint = ep;
    t->ipc_next = 0;
    t->ipc_prev = last;
    if (last)
        last->ipc_next = t;
    else
        ep->queue.head = t;
    ep->queue.tail = t;
    fastpath_deliver(cpu, t, caller, THREAD_BLOCKED_RECV, 0, traced, xsave);
    return true;
}

typedef bool longer_fn(struct cpu_local *, struct thread *, struct trap_frame *, uint64_t);

/* call, traced, xsave: constants, one compiled variant each (entry.asm sorts by number).
   Messages with capabilities go to longer, the variant's copy out of line: its call of
   endpoint_transfer_caps would cost the other paths saved registers. */
__attribute__((always_inline)) static inline void
fastpath_syscall_body(struct trap_frame *c, bool call, bool traced, bool xsave, longer_fn *longer)
{
    kernel_lock();
    struct cpu_local *cpu = this_cpu();
    struct thread *t = cpu->current;
    uint64_t shape = c->rsi & ((3ul << 8) | 0x7f);
    if (t &&
        (shape <= MSG_REGISTERS ? (call ? fastpath_call(cpu, t, c, traced, xsave, 0, shape)
                                        : fastpath_reply_recv(cpu, t, c, traced, xsave, 0, shape))
         : shape <= MSG_MAX_LENGTH
             ? (call ? fastpath_call(cpu, t, c, traced, xsave, 1, shape)
                     : fastpath_reply_recv(cpu, t, c, traced, xsave, 1, shape))
             : (shape & 0x7f) <= MSG_MAX_LENGTH && longer(cpu, t, c, shape)))
        return;
    /* Declined: invocations (calls on other capabilities) come here. */
    uint64_t changes = cpu->run_queue_changes;
    syscall_dispatch(t, c);
    syscall_return_at_once(cpu, t, changes);
}

/* The variants: fastpath_set_traced picks the pair for the CPU's FPU switch and tracing. */
#define FASTPATH_VARIANT(name, call, traced, xsave)                                                \
    __attribute__((noinline)) static bool name##_longer(struct cpu_local *cpu, struct thread *t,   \
                                                        struct trap_frame *c, uint64_t shape)      \
    {                                                                                              \
        return call ? fastpath_call(cpu, t, c, traced, xsave, 2, shape)                            \
                    : fastpath_reply_recv(cpu, t, c, traced, xsave, 2, shape);                     \
    }                                                                                              \
    static void name(struct trap_frame *c)                                                         \
    {                                                                                              \
        fastpath_syscall_body(c, call, traced, xsave, name##_longer);                              \
    }
FASTPATH_VARIANT(fastpath_call_fxsave, true, false, false)
FASTPATH_VARIANT(fastpath_call_xsave, true, false, true)
FASTPATH_VARIANT(fastpath_call_fxsave_traced, true, true, false)
FASTPATH_VARIANT(fastpath_call_xsave_traced, true, true, true)
FASTPATH_VARIANT(fastpath_reply_recv_fxsave, false, false, false)
FASTPATH_VARIANT(fastpath_reply_recv_xsave, false, false, true)
FASTPATH_VARIANT(fastpath_reply_recv_fxsave_traced, false, true, false)
FASTPATH_VARIANT(fastpath_reply_recv_xsave_traced, false, true, true)

void (*fastpath_call_handler)(struct trap_frame *) = fastpath_call_fxsave;
void (*fastpath_reply_recv_handler)(struct trap_frame *) = fastpath_reply_recv_fxsave;

/* [call][xsave][traced] */
static void (*const fastpath_variants[2][2][2])(struct trap_frame *) = {
    {{fastpath_reply_recv_fxsave, fastpath_reply_recv_fxsave_traced},
     {fastpath_reply_recv_xsave, fastpath_reply_recv_xsave_traced}},
    {{fastpath_call_fxsave, fastpath_call_fxsave_traced},
     {fastpath_call_xsave, fastpath_call_xsave_traced}}};

void fastpath_set_traced(bool traced)
{
    fastpath_call_handler = fastpath_variants[1][cpu_fpu_features != 0][traced];
    fastpath_reply_recv_handler = fastpath_variants[0][cpu_fpu_features != 0][traced];
}
