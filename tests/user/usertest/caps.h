/* usertest's capability suite (caps_suite, caps.c), split by kernel object:
   caps_untyped.c, caps_cspace.c, caps_notification.c, caps_thread.c,
   caps_endpoint.c, caps_vspace.c, caps_irq.c. caps_suite runs them in one
   order, and a later part may use what an earlier one left: the slots below
   say which part fills them. */
#ifndef CAPS_H
#define CAPS_H

#include <stdint.h>

#include "usertest.h"

/* The free slots the suite uses (each part's own, unless said). */
enum {
    S_EMPTY = 1099, /* never filled */
    S_SPARE = 1098, /* destination of calls that must fail */
    S_EP = 1100,
    S_EP_BADGED,
    S_NTFN,
    S_NTFN_A,
    S_NTFN_B,
    S_COPY1,
    S_COPY2,
    S_MOVED,
    S_SMALL_UT = 1110,
    S_MANY = 1120, /* 1120-1183 */
    S_THREAD = 1200,
    S_SERVER_EP,
    S_CLIENT_EP,
    S_SPIN_A,
    S_SPIN_B,
    S_CHILD,
    S_CHILD_CSPACE,
    S_FRAME = 1300,
    S_TABLE,
    S_TABLE2,
    S_VSPACE,
    S_FRAME_COPY,
    S_FRAME_RO,
    S_FRAME2,
    S_PROBE,
    S_FAULT_EP = 1320,
    S_FAULT_EP_BADGED,
    S_FAULTER,
    S_PAGER_FRAME,
    S_RTC_PORTS = 1330,
    S_RTC_IRQ,
    S_RTC_NTFN,
    S_BAD_PORTS,
    S_IRQ_COPY,
    S_EP2 = 1340,
    S_EP2_NO_GRANT,
    S_EP2_GRANT,
    S_SERVER2,
    S_SERVER2_BUFFER,
    S_RECEIVED = 1400,
    S_AVX = 1410, /* 1410-1411 */
    S_EP3 = 1420,
    S_BOUND_NTFN,
    S_BOUND_SIGNAL,
    S_SERVER3,
    S_BOUND_COPY,
    S_BIG_FRAMES = 1440, /* 1440-1455 */
};

/* Where the suite maps frames: no page table reaches it at start (the root
   task is at 4 MiB). caps_vspace.c maps S_TABLE here; caps_thread.c's pager
   and caps_endpoint.c's IPC buffer use it after. */
#define MAP_AT 0x10000000ul

/* Yields to wait at most for another thread to get somewhere: with SMP it
   may run on another CPU, so one yield does not mean it has run. */
#define SETTLE 1000000

/* The parts, in the order caps_suite runs them; ut is a RAM Untyped of
   4 MiB or more that they retype from. */
void test_retype(uint64_t ut);               /* caps_untyped.c: fills S_EP */
void test_derivation(void);                  /* caps_cspace.c: copies of S_EP, deletes it */
void test_notification_signals(uint64_t ut); /* caps_notification.c: S_NTFN, S_NTFN_A, S_NTFN_B */
void test_cspace_move(void);                 /* caps_cspace.c: S_NTFN moves to S_MOVED */
void test_thread_configuration(uint64_t ut); /* caps_thread.c: S_THREAD, left unconfigured */
void test_endpoint_calls(uint64_t ut);       /* caps_endpoint.c: starts S_THREAD as its server */
void test_vspace(uint64_t ut);               /* caps_vspace.c: S_TABLE, unmapped at the end */
void test_fault_handler(uint64_t ut);        /* caps_thread.c: maps S_TABLE at MAP_AT again */
void test_irq(uint64_t ut);                  /* caps_irq.c */
void test_long_messages(uint64_t ut);        /* caps_endpoint.c: sends S_NTFN_A, signals S_MOVED */
void test_fairness(uint64_t ut);             /* caps_thread.c: leaves this thread at priority 10 */
void test_avx(uint64_t ut);                  /* caps_thread.c */
void test_bound_notification(uint64_t ut);   /* caps_notification.c */
void test_long_retype(void);                 /* caps_untyped.c */
void test_confinement(uint64_t ut);          /* caps_cspace.c */

#endif
