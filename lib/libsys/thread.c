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

/* Frames handed out after USER_IPC_BUFFER (libsys_thread_start): any thread may start one. */
static _Atomic unsigned buffers_used;

/* The calling thread's thread pointer (%fs:0 holds it: start.c, and below). */
static uintptr_t own_thread_pointer(void)
{
    uintptr_t tp;
    __asm__("mov %%fs:0, %0" : "=r"(tp));
    return tp;
}

/* Where a new thread starts (rdi: its record): runs its entry, and if that returns, suspends
   itself, so that a returning entry ends the thread rather than the process. */
static _Noreturn void thread_main(struct libsys_thread *t)
{
    t->entry(t->arg);
    for (;;)
        thread_suspend(t->thread);
}

long libsys_thread_start_with(struct libsys_thread *t, uint64_t thread, uint64_t frame,
                              struct ipc_buffer *buffer, const struct libsys_thread_how *how,
                              void (*entry)(void *arg), void *arg)
{
    *t = (struct libsys_thread){thread, frame, buffer, entry, arg};
    /* The TLS block at the bottom of the memory, the stack above it growing down to it. The
       x86_64 layout (variant II) puts the block just below the thread pointer, which points
       at itself; the block is a copy of the template, as the main thread's (start.c). */
    uintptr_t align = (uintptr_t)__tls_align ? (uintptr_t)__tls_align : 1;
    uintptr_t size = ((uintptr_t)__tdata_size + (uintptr_t)__tbss_size + align - 1) & ~(align - 1);
    uintptr_t base = (uintptr_t)how->stack;
    uintptr_t tp = (base + size + align - 1) & ~(align - 1);
    uintptr_t top = (base + how->stack_bytes) & ~(uintptr_t)15;
    if (how->stack_bytes < MIN_STACK || tp + sizeof(void *) + MIN_STACK / 2 > top)
        return ERR_INVALID_ARGUMENT;
    _init_tls((void *)(tp - size));
    *(uintptr_t *)tp = tp;
    /* The new thread's libsys_ipc_buffer: the same offset from its thread pointer as ours. */
    uintptr_t offset = (uintptr_t)&libsys_ipc_buffer - own_thread_pointer();
    *(struct ipc_buffer **)(tp + offset) = buffer;
    long k = thread_configure(thread, PROC_SLOT_CSPACE, PROC_SLOT_VSPACE, how->priority, 0);
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

struct result libsys_thread_start(struct libsys_thread *t, const struct libsys_thread_how *how,
                                  void (*entry)(void *arg), void *arg)
{
    unsigned index = atomic_fetch_add(&buffers_used, 1);
    if (index >= LIBSYS_THREAD_MAX)
        return result_from_reply(ERR_OK, SERVICE_TOO_MANY, 0);
    uint64_t address = LIBSYS_THREAD_BUFFERS + (uint64_t)index * PAGE_SIZE, frame, thread;
    struct result e = libsys_make_frames(PAGE_BITS, 1, address, &frame);
    if (!result_is_ok(e))
        return e;
    e = libsys_make_object(CAP_THREAD, THREAD_BITS, &thread);
    if (!result_is_ok(e))
        return e;
    long k =
        libsys_thread_start_with(t, thread, frame, (struct ipc_buffer *)address, how, entry, arg);
    return k == ERR_OK ? result_ok() : result_from_kernel(k, 0);
}
