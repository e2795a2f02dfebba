/*
 * ipcbench: IPC and system-call micro-benchmarks for Missive (docs/ipc-performance.md).
 * main.c parses the options, sets up and prints; ipc.c times call/reply_recv between address
 * spaces, threads and CPUs; events.c the null system call, yield, notifications and the IRQ;
 * server.c is the other end of the calls, as a thread or as a second process.
 */
#ifndef IPCBENCH_H
#define IPCBENCH_H

#include <stdbool.h>
#include <stdint.h>

#include "ipcbench/args.h"
#include "libsys/invoke.h"
#include "proto/ipcbench.h"
#include "result/result.h"
#include "timing.h"

/* The other end of the calls: a thread of this process, or `ipcbench --serve`. */
struct ib_server {
    uint64_t endpoint;                          /* where it receives */
    uint64_t thread;                            /* its own thread, for IPCBENCH_CPU */
    uint64_t cap_slots[IPCBENCH_CAP_SLOTS + 1]; /* the last 0: no slot */
    struct ipc_buffer *buffer; /* its IPC buffer, or NULL: it takes no capabilities */
    uint64_t reply_length, flags;
    unsigned caps_taken, caps_missing;
};

/* What the benchmarks share. */
struct ib_ctx {
    const struct ibargs *args;
    unsigned cpus;
    uint64_t priority;     /* this thread's */
    uint64_t helper;       /* a second thread of this process, restarted for each use */
    uint64_t endpoint;     /* an endpoint of this process (all rights) */
    uint64_t notification; /* a notification of this process (all rights) */
    uint64_t server_ep;    /* the server process's endpoint (send, grant), 0 if none */
    uint64_t server_pid;
    int64_t *samples[3]; /* args->iterations each */
    unsigned printed, failures;
};

/* main.c */
/* Prints the CSV line of benchmark name if it was selected (b: its enum ib_bench), from the
   n samples in v (sorted in place) less overhead. */
void ib_report(struct ib_ctx *c, enum ib_bench b, const char *name, int64_t *v, uint64_t n,
               int64_t overhead);
/* Prints one line saying what failed (a kernel or server error e) and counts it. */
void ib_fail(struct ib_ctx *c, const char *what, struct result e);
/* The overhead of the timing code: the least a _nop twin measures over the warm-up and
   iterations of c->args. stamped: ibt_stamped_nop rather than ibt_syscall_nop. */
int64_t ib_overhead(const struct ib_ctx *c, bool stamped);
/* (Re)starts c->helper at entry(arg) on its own stack, at priority, on CPU 0. */
struct result ib_helper_start(struct ib_ctx *c, void (*entry)(uint64_t), uint64_t arg,
                              uint64_t priority);
/* Stops c->helper (wherever it is: queued, blocked or running). */
void ib_helper_stop(struct ib_ctx *c);
/* Dirties the SSE registers (the *-fpu benchmarks). */
void ib_fpu_touch(void);

/* ipc.c */
/* A control request (label, two words) to the server on ep. *answer (if not NULL) gets the
   reply's MR0. */
struct result ib_control(uint64_t ep, uint64_t label, uint64_t a0, uint64_t a1, uint64_t *answer);
void ib_bench_ipc(struct ib_ctx *c);

/* events.c */
void ib_bench_events(struct ib_ctx *c);

/* server.c */
/* Serves the protocol of lib/proto/ipcbench.h on s->endpoint until IPCBENCH_EXIT, which it
   answers before returning. Uses no libc, so a thread sharing this process's TLS may run it. */
void ib_serve(struct ib_server *s);
/* The --serve mode: makes an endpoint, registers it as ipcbench-PID, serves. Returns the exit
   status. */
int ib_server_main(void);

#endif
