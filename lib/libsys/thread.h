/*
 * Threads with an IPC buffer of their own (libsys/thread.c): what lets several threads of one
 * process call and serve at once (the NVMe driver's service thread per queue pair). Each
 * thread started here gets a stack, thread-local storage (a copy of the template, so picolibc's
 * errno is its own) and a fresh 4 KiB frame registered as its IPC buffer and mapped at an
 * address of its own, which libsys_ipc_buffer (service.h) names in that thread: request_call,
 * request_word and server_run then use that frame, never the main thread's at USER_IPC_BUFFER.
 *
 * The frames go in the 60 KiB between USER_IPC_BUFFER and USER_PROC_INFO (abi.h, proto/proc.h),
 * one page each: at most LIBSYS_THREAD_MAX threads per process, never given back.
 *
 * One thread at a time starts threads (or makes objects, libsys/objects.h): the slot allocator
 * (libsys_alloc_slot, libsys_get_slot) is not thread-safe. A started thread's faults go to
 * procsrv, as the main thread's: the process ends, rather than living on without it.
 */
#ifndef MISSIVE_LIBSYS_THREAD_H
#define MISSIVE_LIBSYS_THREAD_H

#include <stddef.h>
#include <stdint.h>

#include "libsys/libsys.h"
#include "result/result.h"

#define LIBSYS_THREAD_BUFFERS (USER_IPC_BUFFER + PAGE_SIZE) /* the first thread's frame */
#define LIBSYS_THREAD_MAX     15
#define LIBSYS_THREAD_ANY_CPU (~0ul)

/* A thread libsys started. Kept by the caller for as long as the thread runs. */
struct libsys_thread {
    uint64_t thread;           /* its Thread's slot */
    uint64_t buffer_frame;     /* its IPC buffer's Frame's slot */
    struct ipc_buffer *buffer; /* where that frame is mapped (its libsys_ipc_buffer) */
    void (*entry)(void *arg);  /* what it runs, with arg; it suspends itself if entry returns */
    void *arg;
};

/* How to start it. */
struct libsys_thread_how {
    const char *name; /* its name in log lines and the IPC trace (15 bytes kept) */
    unsigned priority;
    uint64_t cpu;       /* the CPU it is bound to, or LIBSYS_THREAD_ANY_CPU */
    void *stack;        /* stack_bytes for its stack and TLS block (16-byte aligned) */
    size_t stack_bytes; /* at least 8 KiB */
};

/* Starts entry(arg) on thread (a Thread's slot, not yet configured) in this process's CSpace
   and address space, with frame (a 4 KiB RAM Frame's slot, mapped read-write at buffer) as its
   IPC buffer, as how says. For programs that make their own objects (the root task's tests);
   the others use libsys_thread_start. Returns ERR_OK or the kernel's error. */
long libsys_thread_start_with(struct libsys_thread *t, uint64_t thread, uint64_t frame,
                              struct ipc_buffer *buffer, const struct libsys_thread_how *how,
                              void (*entry)(void *arg), void *arg);

/* The same with the Thread and the frame made from memory memsrv lends, the frame mapped at
   the next free page after USER_IPC_BUFFER. Returns the failure (memsrv's, the kernel's,
   SERVICE_TOO_MANY past LIBSYS_THREAD_MAX threads). */
struct result libsys_thread_start(struct libsys_thread *t, const struct libsys_thread_how *how,
                                  void (*entry)(void *arg), void *arg);

#endif
