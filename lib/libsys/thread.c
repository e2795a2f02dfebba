/*
 * Threads with their own IPC buffer and thread-local storage (thread.h).
 */
#include "libsys/thread.h"

#include <picolibc.h> /* defines PICOLIBC_TLS, which picotls.h tests */
#include <picotls.h>
#include <stdatomic.h>

#include "libsys/invoke.h"
#include "libsys/objects.h"
#include "libsys/service.h"

/* Defined by lib/libsys/user.ld. */
extern char __tdata_size[], __tbss_size[], __tls_align[];

#define MIN_STACK (8 * 1024)

/* Pages handed out after USER_IPC_BUFFER (libsys_thread_start). Atomic, but the slots and
   memory a start takes are not (thread.h: one thread at a time starts threads). */
static _Atomic unsigned buffers_used;

/* Where a new thread starts (rdi: its record; its TLS a fresh copy of the template): names its
   IPC buffer, runs its entry, and if that returns, suspends itself, so that a returning entry
   ends the thread rather than the process. */
static _Noreturn void thread_main(struct libsys_thread *t)
{
    libsys_ipc_buffer = t->buffer;
    t->entry(t->arg);
    for (;;)
        thread_suspend(t->thread);
}

/* Where the TLS block, the thread pointer and the stack's top go in how's memory; false if the
   memory is too small (under MIN_STACK, or the TLS block leaves less than half of it). */
static bool thread_layout(const struct libsys_thread_how *how, uintptr_t *tls, uintptr_t *tp,
                          uintptr_t *top)
{
    /* The TLS block at the bottom of the memory, the stack above it growing down to it. The
       x86_64 layout (variant II) puts the block just below the thread pointer, which points
       at itself; the block is a copy of the template, as the main thread's (start.c). */
    uintptr_t align = (uintptr_t)__tls_align ? (uintptr_t)__tls_align : 1;
    uintptr_t size = ((uintptr_t)__tdata_size + (uintptr_t)__tbss_size + align - 1) & ~(align - 1);
    uintptr_t base = (uintptr_t)how->stack;
    *tp = (base + size + align - 1) & ~(align - 1);
    *tls = *tp - size;
    *top = (base + how->stack_bytes) & ~(uintptr_t)15;
    return how->stack_bytes >= MIN_STACK && *tp + sizeof(void *) + MIN_STACK / 2 <= *top;
}

long libsys_thread_start_with(struct libsys_thread *t, uint64_t thread, uint64_t frame,
                              struct ipc_buffer *buffer, const struct libsys_thread_how *how,
                              void (*entry)(void *arg), void *arg)
{
    uintptr_t tls, tp, top;
    if (!thread_layout(how, &tls, &tp, &top))
        return ERR_INVALID_ARGUMENT;
    *t = (struct libsys_thread){thread, frame, buffer, entry, arg};
    _init_tls((void *)tls);
    *(uintptr_t *)tp = tp;
    /* Its faults go to procsrv with this process's badge, as the main thread's do (the process
       ends and is restarted as its manifest says, rather than living on without the thread);
       the root task has no procsrv: its threads' faults are only logged. */
    uint64_t fault = libsys_proc_info() ? PROC_SLOT_PROCSRV : 0;
    long k = thread_configure(thread, PROC_SLOT_CSPACE, PROC_SLOT_VSPACE, how->priority, fault);
    if (k == ERR_OK)
        k = thread_set_ipc_buffer(thread, frame);
    if (k == ERR_OK && how->cpu != LIBSYS_THREAD_ANY_CPU)
        k = thread_set_affinity(thread, how->cpu);
    /* rsp 8 below the top: as after a call, so the entry's frame is aligned */
    if (k == ERR_OK)
        k = thread_write_registers(thread, (uint64_t)thread_main, top - 8, (uint64_t)t, 0, tp);
    if (k == ERR_OK && how->name)
        sys_thread_set_name(thread, how->name);
    return k == ERR_OK ? thread_resume(thread) : k;
}

/* Takes the next free buffer page's index; false when all LIBSYS_THREAD_MAX are taken. */
static bool buffer_take(unsigned *index)
{
    unsigned n = atomic_load(&buffers_used);
    do {
        if (n >= LIBSYS_THREAD_MAX)
            return false;
    } while (!atomic_compare_exchange_weak(&buffers_used, &n, n + 1));
    *index = n;
    return true;
}

/* Gives index back if it is still the last one taken (else its page stays unused). */
static void buffer_give_back(unsigned index)
{
    unsigned n = index + 1;
    atomic_compare_exchange_strong(&buffers_used, &n, index);
}

struct result libsys_thread_start(struct libsys_thread *t, const struct libsys_thread_how *how,
                                  void (*entry)(void *arg), void *arg)
{
    uintptr_t tls, tp, top;
    if (!thread_layout(how, &tls, &tp, &top))
        return result_from_kernel(ERR_INVALID_ARGUMENT, 0);
    unsigned index;
    if (!buffer_take(&index))
        return result_from_reply(ERR_OK, SERVICE_TOO_MANY, 0);
    uint64_t address = LIBSYS_THREAD_BUFFERS + (uint64_t)index * PAGE_SIZE, frame = 0, thread = 0;
    struct result e = libsys_make_frames(PAGE_BITS, 1, address, &frame);
    if (result_is_ok(e))
        e = libsys_make_object(CAP_THREAD, THREAD_BITS, &thread);
    if (result_is_ok(e)) {
        long k = libsys_thread_start_with(t, thread, frame, (struct ipc_buffer *)address, how,
                                          entry, arg);
        if (k == ERR_OK)
            return result_ok();
        e = result_from_kernel(k, 0);
    }
    /* Nothing runs on them: the Thread goes, the frame goes (deleting it unmaps it), and the
       page is free again. */
    if (thread)
        libsys_put_slot(thread);
    if (frame)
        libsys_put_slot(frame);
    buffer_give_back(index);
    return e;
}
