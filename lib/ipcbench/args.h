/*
 * ipcbench's command line (apps/ipcbench, docs/ipc-performance.md): which benchmarks run,
 * over how many iterations, and the message lengths of the call-rtt-len-N series. Pure C
 * (no libc beyond string functions and snprintf), tested on the host.
 *
 *   ipcbench [--iterations N] [--warmup N] [--bench NAME[,NAME...]] [--sizes N[,N...]]
 *   ipcbench --serve            (the second address space, spawned by ipcbench itself)
 */
#ifndef MISSIVE_IPCBENCH_ARGS_H
#define MISSIVE_IPCBENCH_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The benchmarks, by the names of docs/ipc-performance.md. IB_CALL_RTT_LEN stands for the
   series call-rtt-len-N, one per size. */
enum ib_bench {
    IB_NULL_SYSCALL,
    IB_YIELD,
    IB_CALL_ONEWAY_INTER_AS,
    IB_REPLYRECV_ONEWAY_INTER_AS,
    IB_CALL_RTT_INTER_AS,
    IB_CALL_ONEWAY_INTRA_AS,
    IB_REPLYRECV_ONEWAY_INTRA_AS,
    IB_CALL_RTT_INTRA_AS,
    IB_CALL_ONEWAY_INTER_AS_FPU,
    IB_REPLYRECV_ONEWAY_INTER_AS_FPU,
    IB_CALL_RTT_INTER_AS_FPU,
    IB_CALL_ONEWAY_CROSS_CPU,
    IB_CALL_RTT_CROSS_CPU,
    IB_CALL_RTT_LEN,
    IB_CALL_RTT_CAP1,
    IB_NOTIFY_WAKE,
    IB_IRQ_LATENCY,
    IB_NOTIFICATION_SIGNAL, /* invocations and system calls the fast path declines */
    IB_CSPACE_IDENTIFY,
    IB_FRAME_MAP,
    IB_UNTYPED_RETYPE_FRAME,
    IB_IRQ_HANDLER_ACK,
    IB_COUNT
};

/* The names, indexed by enum ib_bench ("call-rtt-len" for the series). */
extern const char *const ibargs_names[IB_COUNT];

#define IBARGS_MAX_LENGTH     64 /* MSG_MAX_LENGTH: the longest message */
#define IBARGS_MIN_ITERATIONS 10
#define IBARGS_MAX_ITERATIONS 1000000
#define IBARGS_DEFAULT_ITERS  10000
#define IBARGS_DEFAULT_WARMUP 1000
#define IBARGS_MAX_WARMUP     1000000

struct ibargs {
    bool serve;                            /* --serve: be the server of another ipcbench */
    bool help;                             /* --help: err holds the usage; not an error */
    uint64_t iterations, warmup;           /* timed iterations and untimed ones before them */
    bool selected[IB_COUNT];               /* which benchmarks run */
    unsigned sizes[IBARGS_MAX_LENGTH + 1]; /* call-rtt-len-N: the lengths, ascending */
    unsigned size_count;
};

/* The one-line usage (without "ipcbench: "), for errors and --help. */
extern const char ibargs_usage[];

/* Parses argv[1..argc-1] into *out (defaults: every benchmark, 10,000 iterations, 1,000 of
   warm-up, the sizes 0 1 2 4 8 10 16 32 64). On an error returns false and writes one line
   (no newline) saying what is wrong and what is allowed into err (of err_size bytes). In
   --bench, NAME is a benchmark's name or call-rtt-len-N (0 <= N <= 64), which adds N to the
   sizes; --sizes replaces the default sizes. "--help" returns false with help set and the
   usage in err. */
bool ibargs_parse(int argc, char *const argv[], struct ibargs *out, char *err, size_t err_size);

#endif
