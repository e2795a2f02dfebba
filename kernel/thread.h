/*
 * Thread objects (4 KiB, made from Untyped; the root task's by the kernel at boot). A thread's user
 * registers live in it, and entry.asm saves them straight into it; its CSpace and VSpace are held
 * through capability copies in its own slots, so neither can die while the thread uses it.
 */
#ifndef MISSIVE_THREAD_H
#define MISSIVE_THREAD_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/cpu_local.h"
#include "arch/x86_64/trap.h"
#include "arch/x86_64/vm.h"
#include "cap.h"
#include "lock.h"
#include "missive/abi.h"
#include "vspace.h"

enum thread_state {
    THREAD_INACTIVE, /* made, not started */
    THREAD_RUNNABLE,
    THREAD_BLOCKED_SEND,         /* queued on ipc_endpoint to send (or call) */
    THREAD_BLOCKED_RECV,         /* queued on ipc_endpoint to receive */
    THREAD_BLOCKED_REPLY,        /* called, waiting for the reply */
    THREAD_BLOCKED_NOTIFICATION, /* waiting on ipc_notification */
    THREAD_SUSPENDED,            /* stopped: suspended, faulted with no handler, exited */
};

/* A FIFO of threads waiting on an endpoint or notification, linked through
   their ipc_next/ipc_prev. */
struct thread_queue {
    struct thread *head, *tail;
};

struct thread {
    struct object_header header;
    uint64_t padding;
    /* 16-byte aligned (the object is page-aligned, this is at offset 16):
       the CPU's trap pushes and entry.asm's syscall pushes end at its end. */
    struct trap_frame context;
    uint64_t fs_base;
    struct cte cspace_cap; /* copies keeping the CSpace and VSpace alive */
    struct cte vspace_cap;
    struct cte fault_cap;              /* the endpoint its faults go to (empty: none) */
    struct cte ipc_buffer_cap;         /* the frame holding its struct ipc_buffer (empty: none) */
    struct ipc_buffer *receive_buffer; /* thread_receive_buffer's last answer, good while ... */
    uint64_t receive_buffer_epoch;     /* ... thread_buffer_epoch has this value */
    struct cte bound_cap;              /* the notification bound to it (empty: none) */
    struct notification *bound_notification;
    enum thread_state state;
    uint8_t priority;
    uint8_t queued; /* in a run queue */
    uint8_t cpu;    /* the CPU whose run queue it joins: it runs only there */
    uint32_t timeslice;
    struct thread *sched_next, *sched_prev;
    /* IPC */
    struct endpoint *ipc_endpoint; /* queued on it when BLOCKED_SEND/RECV */
    struct notification *ipc_notification;
    struct thread *ipc_next, *ipc_prev;
    uint64_t ipc_badge;                /* the badge of the capability it sends with */
    uint8_t ipc_is_call;               /* blocked sending a call */
    uint8_t ipc_can_grant;             /* it sends with the grant right */
    uint8_t ipc_reply_can_grant;       /* it received with the grant right: its reply may
                                          carry capabilities */
    struct thread *reply_to;           /* the caller this thread owes a reply (one-shot) */
    struct thread *replier;            /* the thread that owes this one a reply */
    struct cte *reply_cap;             /* or: the saved reply capability that answers it */
    uint8_t fault_pending;             /* its next message is this fault */
    uint64_t fault_mr[FAULT_MR_COUNT]; /* the fault message (missive/abi.h) */
    char name[16];                     /* THREAD_SET_NAME's, NUL-ended; "thread" at first */
    uint32_t id; /* unique since boot (until 2^32 threads were made): the IPC trace's */

    /* Long operations stopped for an interrupt (docs/kernel.md section 4). */
    struct cte *revoking;               /* the slot of a CSPACE_REVOKE to go on with ... */
    struct cte_revoke_walk revoke_walk; /* ... and how far it got (cspace_ops.c) */
    uint8_t reaping; /* owes CSpace reaping before it returns to user mode (thread.c) */

    _Alignas(64) uint8_t fpu_state[1024]; /* xsave (or fxsave) image: THREAD_FPU_AREA */
};

_Static_assert(sizeof(struct thread) <= 1 << THREAD_BITS, "a thread fits its object");

/* Sets up a zeroed thread object: inactive, priority 0, clean FPU state,
   the next thread id. Holds the lock. */
void thread_init(struct thread *t);

/* Tears a thread down when its last capability goes: stops it, takes it off
   every queue, drops its CSpace and VSpace copies. */
void thread_destroy(struct thread *t);

/* Stops t: out of any IPC (a caller it owes a reply gets ERR_OBJECT_DELETED) and suspended. */
void thread_stop(struct thread *t);

/* Ends t's wait with error in its RAX; a thread waiting to deliver a fault
   has no system call to return from, so it is stopped instead. */
void thread_wake_with_error(struct thread *t, long error);

/* Moves t to CPU cpu's run queue (cpu < cpu_count), taking it off the CPU
   that runs it now if need be. Holds the lock. */
void thread_set_affinity(struct thread *t, unsigned cpu);

/* Saves the FPU registers of cpu's FPU owner into it; cpu owns none after. Runs on cpu itself. */
void thread_fpu_release(struct cpu_local *cpu);

/* Makes t runnable (queued) or not, keeping the run queue in step. */
void thread_set_state(struct thread *t, enum thread_state state);

/* The thread's CSpace and the physical address of its top-level page table, read through its own
   capability copies every time: revoking the capabilities it was configured with takes them from it
   at once. NULL / 0 when it has none. */
static inline struct cspace *thread_cspace(const struct thread *t)
{
    return t->cspace_cap.cap.type == CAP_CSPACE ? (struct cspace *)t->cspace_cap.cap.object : 0;
}

static inline uint64_t thread_vspace_root(const struct thread *t)
{
    return t->vspace_cap.cap.type == CAP_VSPACE ? ((struct vspace *)t->vspace_cap.cap.object)->root
                                                : 0;
}

/* Appends t to q / removes t from q. */
void thread_queue_append(struct thread_queue *q, struct thread *t);
void thread_queue_remove(struct thread_queue *q, struct thread *t);

/* The thread's IPC buffer (through the direct map), or NULL: what the kernel reads from. */
static inline struct ipc_buffer *thread_ipc_buffer(struct thread *t)
{
    return t->ipc_buffer_cap.cap.type == CAP_FRAME ? phys_to_virt(t->ipc_buffer_cap.cap.object) : 0;
}

/* Bumped by whatever may take a valid thread_receive_buffer answer back: deleting a Frame's or
   VSpace's capability, unmapping or protecting a frame (becoming valid needs none: kernel.md). */
extern uint64_t thread_buffer_epoch;

/* The thread's IPC buffer if the kernel may write into it: the frame capability it was registered
   with (its copy's parent) mapped writable in its own VSpace (kernel.md section 9). Kept in t. */
struct ipc_buffer *thread_receive_buffer(struct thread *t);

/* Where MR0-MR9 travel in a saved context (docs/abi.md): byte offsets. */
extern const uint8_t thread_mr_offsets[MSG_REGISTERS];

/* Message register i (0 <= i < MSG_REGISTERS) of a saved context. Inline:
   every slow-path system call reads and answers through it. */
static inline uint64_t *thread_mr(struct trap_frame *context, unsigned i)
{
    return (uint64_t *)((char *)context + thread_mr_offsets[i]);
}

/* Saves t's FPU/SSE/AVX registers, which this CPU holds, into t. */
static inline void thread_fpu_save(struct thread *t)
{
    if (cpu_fpu_features)
        cpu_xsave(t->fpu_state, cpu_fpu_features);
    else
        cpu_fxsave(t->fpu_state);
}

/* Makes t this CPU's current thread and loads what of it is not in its saved context (FPU
   registers, address space, FS base, the stack traps save its context on): the last step but
   releasing the kernel lock before leaving the kernel into t (thread_enter_user, and the fast
   path's direct switch, which must read the sender's context before it releases the lock:
   fastpath.c). Needs: the kernel lock held; t runnable and of this CPU, with a valid user context;
   root is its page-table root (not 0); xsave says whether this CPU switches FPU state by xsave
   (cpu_fpu_features not 0) or fxsave, a constant in the fast path's variants (fastpath.c). */
__attribute__((always_inline)) static inline void
thread_switch_in(struct cpu_local *cpu, struct thread *t, uint64_t root, bool xsave)
{
    cpu->current = t;
    /* Eager FPU switching (docs/kernel.md): no #NM trap, and no LazyFP-style
       leak of one thread's registers to another. */
    if (cpu->fpu_owner != t) {
        if (xsave) {
            cpu_xsave(cpu->fpu_save_area, cpu_fpu_features);
            cpu_xrstor(t->fpu_state, cpu_fpu_features);
        } else {
            cpu_fxsave(cpu->fpu_save_area);
            cpu_fxrstor(t->fpu_state);
        }
        cpu->fpu_owner = t;
        cpu->fpu_save_area = t->fpu_state;
    }
    if (cpu->loaded_root != root) {
        write_cr3(root);
        cpu->loaded_root = root;
    }
    /* wrmsr is slow and user code cannot change the FS base itself (FSGSBASE
       stays off), so write it only when it differs from what is loaded. */
    if (t->fs_base != cpu->loaded_fs_base) {
        wrmsr(MSR_FS_BASE, t->fs_base);
        cpu->loaded_fs_base = t->fs_base;
    }
    cpu->context_end = (uint64_t)(&t->context + 1);
    *cpu->trap_stack = cpu->context_end;
}

/* Leaves the kernel into the thread the scheduler picks, else idles.
   Called at the end of every kernel entry (entry.asm) and at the end of
   boot. Interrupts off, the kernel lock held (released on the way out). */
_Noreturn void kernel_return_to_user(void);

#endif
