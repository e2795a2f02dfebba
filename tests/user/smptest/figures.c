/*
 * smptest figures: instruction counts for docs/smp.md, meant to run under
 * QEMU's -icount shift=0, where the TSC counts guest instructions (all
 * vCPUs', run round-robin by one host thread). A client on CPU 0 calls an
 * echo server; the server notes the TSC as soon as its receive returns.
 *   round trip: TSC over ROUNDS calls, divided by ROUNDS;
 *   call to wake-up: the server's TSC at wake-up minus the client's just
 *   before its call, averaged. Across CPUs the server's CPU is idle (halted)
 *   when the call comes, so this is the IPI wake-up latency, kernel entry
 *   and exit included.
 * Both are measured with the server on CPU 1 and, for comparison, on CPU 0.
 */
#include <stdio.h>

#include "smptest.h"

#define ROUNDS 2000

static uint64_t ep;
static volatile uint64_t wake_sum;

static void timed_echo(uint64_t unused)
{
    (void)unused;
    struct missive_msg m = {0};
    missive_syscall(SYS_RECV, ep, 0, &m);
    for (;;) {
        wake_sum += tsc() - m.mr[0];
        missive_syscall(SYS_REPLY_RECV, ep, MSG_TAG(0, 1, 0), &m);
    }
}

/* Runs the calls against a server on cpu; returns the round trip and the wake-up latency. */
static void measure(uint64_t thread, unsigned cpu, uint64_t *round_trip, uint64_t *wake)
{
    check("start the server",
          setup_thread_start(thread,
                             (struct setup_thread){.priority = 255, .pinned = true, .cpu = cpu},
                             timed_echo, 0),
          ERR_OK);
    struct missive_msg m = {0};
    for (int i = 0; i < 10; i++) { /* let it reach its receive */
        m.mr[0] = tsc();
        missive_syscall(SYS_CALL, ep, MSG_TAG(0, 1, 0), &m);
    }
    wake_sum = 0;
    uint64_t start = tsc();
    for (int i = 0; i < ROUNDS; i++) {
        m.mr[0] = tsc();
        missive_syscall(SYS_CALL, ep, MSG_TAG(0, 1, 0), &m);
    }
    *round_trip = (tsc() - start) / ROUNDS;
    *wake = wake_sum / ROUNDS;
    check("suspend the server", thread_suspend(thread), ERR_OK);
}

int figures(void)
{
    uint64_t threads = setup_objects(CAP_THREAD, 0, 2);
    ep = setup_objects(CAP_ENDPOINT, 0, 1);
    uint64_t cross_rtt = 0, cross_wake = 0, local_rtt, local_wake;
    if (ncpus > 1)
        measure(threads, 1, &cross_rtt, &cross_wake);
    measure(threads + 1, 0, &local_rtt, &local_wake);
    printf("smptest: figures: cross-core round trip %lu, call to wake-up %lu; same core round "
           "trip %lu, call to wake-up %lu (TSC, per call, %d calls)\n",
           (unsigned long)cross_rtt, (unsigned long)cross_wake, (unsigned long)local_rtt,
           (unsigned long)local_wake, ROUNDS);
    return check_report("figures") != 0;
}
