/*
 * The protocol between ipcbench and its server (apps/ipcbench, docs/ipc-performance.md). The
 * server is a second ipcbench process (`ipcbench --serve`, spawned through procsrv) that
 * registers an endpoint as "ipcbench-PID" with procsrv; ipcbench looks it up like any other
 * server's. A server thread in ipcbench's own address space speaks the same protocol.
 *
 * A measured message has label IPCBENCH_MEASURE; the server answers it with the length set by
 * IPCBENCH_SETUP, and MR0 = the server's TSC right after its receive returned, MR1 = its TSC
 * right before its reply_recv (when the reply has fewer than two words they are sent all the
 * same but the kernel need not deliver them). The control requests below are answered with
 * status SERVICE_OK or SERVICE_BAD_LABEL / SERVICE_BAD_ARGUMENT (lib/proto/service.h).
 */
#ifndef MISSIVE_PROTO_IPCBENCH_H
#define MISSIVE_PROTO_IPCBENCH_H

#include "proto/service.h"

#define IPCBENCH_NAME_PREFIX "ipcbench-" /* followed by the server's pid in decimal */

enum ipcbench_label {
    IPCBENCH_MEASURE = 0,
    /* MR0 the reply length in words (0-64), MR1 flags below -> - */
    IPCBENCH_SETUP = 1,
    /* MR0 a CPU: the server moves its thread there (THREAD_SET_AFFINITY) -> - */
    IPCBENCH_CPU = 2,
    /* The server deletes the capabilities it received since the last clean-up and resets its
       receive slots -> MR0 the measured calls since then that came without their capability */
    IPCBENCH_CLEAN = 3,
    /* The server answers, then stops serving (the process ends) -> - */
    IPCBENCH_EXIT = 4,
};

enum ipcbench_flags {
    IPCBENCH_FPU = 1,  /* use the SSE registers between each receive and reply */
    IPCBENCH_CAPS = 2, /* accept one capability per call, each into a fresh slot */
};

/* Capabilities a server accepts between two IPCBENCH_CLEAN: a client sends one per call and
   cleans up after this many calls. */
#define IPCBENCH_CAP_SLOTS 32

#endif
