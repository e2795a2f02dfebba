/*
 * usertest preempt: how long an interrupt waits for the kernel while a lower-priority thread
 * revokes a subtree of 65,536 capabilities and while the kernel reaps a CSpace of 2^16 slots
 * (docs/kernel.md section 4, "Long operations"). Run as the root task under -icount shift=0,
 * so that rdtsc counts instructions, and -rtc clock=vm, so that the RTC's periodic interrupt
 * runs on that same clock (the system-test case user-preempt).
 *
 * This thread (priority 255) waits on the RTC's periodic interrupt (8192 Hz, IRQ 8, bound to a
 * notification) and reads the TSC as soon as its wait returns: the wake. A worker at priority
 * 100 does the long operations. The interrupt's own time comes from the RTC's grid: its ticks
 * fall every PERIOD_NUM / PERIOD_DEN instructions, so once one tick's time is known, every
 * tick's is. That one is found first, while the worker only spins storing the TSC: an
 * interrupt then arrives within the spin loop's few instructions of its last store. After
 * each wake this thread reads the RTC's register C, which lets it raise its line again: the
 * next interrupt is the first tick after that read, and its latency is the wake minus that
 * tick's time.
 */
#include <stdio.h>

#include "usertest.h"

enum {
    P_EP = 2000, /* the root of the revoked subtree */
    P_COPY,
    P_BIG, /* the CSpace of 2^16 slots */
    P_WORKER,
    P_NTFN,
    P_PORTS,
    P_IRQ,
    P_UT2,  /* an Untyped for ... */
    P_BIG2, /* ... another, reaped while this thread revokes what it holds ... */
    P_BIG3, /* ... and then reuses its memory for this one */
};

#define BIG_BITS    16
#define BIG_SLOTS   (1ul << BIG_BITS)
#define CHAIN       256
#define RTC_RATE    3                                 /* 32768 >> (RTC_RATE - 1) = 8192 Hz */
#define PERIOD_NUM  (1000000000ull << (RTC_RATE - 1)) /* a tick every PERIOD_NUM / PERIOD_DEN */
#define PERIOD_DEN  32768ull                          /* ns, which -icount makes instructions */
#define CALIBRATION 16                                /* ticks to find the grid */
#define MAX_SAMPLES 8192
#define MATCH       32 /* instructions: a calibration tick within this of the grid fits it */
/* Instructions an interrupt may wait to wake this thread: the kernel's batches between checks
   for interrupts are about 15,000 instructions; without the checks it is millions. */
#define LATENCY_BOUND 100000

enum phase { CALIBRATE, REVOKE, FILL, REAP, DONE, REAP_AGAIN, REAPED };

static volatile int phase;
static volatile uint64_t spin_tsc;       /* the worker's last TSC while it spins */
static volatile uint64_t mark[DONE + 1]; /* the TSC when the worker began each phase */
static volatile long revoke_result, revoked, fill_result, reap_result, left_result, left;
static volatile long reap2_result, left2_result, left2;

static struct {
    uint64_t raised, woken;
} samples[MAX_SAMPLES];
static uint64_t calibration[CALIBRATION];
static _Alignas(16) uint8_t worker_stack[8192];

static inline uint64_t tsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)); /* GNU inline asm: C has no rdtsc */
    return (uint64_t)hi << 32 | lo;
}

/* Fills slots 1 .. 2^16 - 1 of the CSpace in slot big with capabilities derived from the endpoint:
   256 chains of 256 copies (the last one 255), each chain's head a child of the endpoint, each
   other copy a child of the one before. (Not 65,535 children of the endpoint: a new child goes
   at the end of its parent's list, which takes a walk along its siblings.) */
static long fill(uint64_t big)
{
    for (uint64_t i = 1; i < BIG_SLOTS; i++) {
        bool head = i % CHAIN == 1;
        long r =
            cspace_copy(big, i, head ? P_EP : i - 1, CAP_RIGHTS_ALL, head ? ROOT_SLOT_CSPACE : 0);
        if (r != ERR_OK)
            return r;
    }
    return ERR_OK;
}

static void worker(uint64_t unused)
{
    (void)unused;
    while (phase == CALIBRATE)
        spin_tsc = tsc();
    uint64_t deleted = 0;
    mark[REVOKE] = tsc();
    revoke_result = cspace_revoke(ROOT_SLOT_CSPACE, P_EP, &deleted);
    revoked = (long)deleted;
    mark[FILL] = tsc();
    phase = FILL;
    fill_result = fill(P_BIG);
    mark[REAP] = tsc();
    phase = REAP;
    reap_result = cspace_delete(ROOT_SLOT_CSPACE, P_BIG);
    mark[DONE] = tsc();
    /* Nothing is left below the endpoint: the reaping ended before the delete returned. */
    deleted = 0;
    left_result = cspace_revoke(ROOT_SLOT_CSPACE, P_EP, &deleted);
    left = (long)deleted;
    phase = DONE;
    while (phase != REAP_AGAIN)
        spin_tsc = tsc(); /* the CPU never idles: -icount time stays instructions */
    reap2_result = cspace_delete(ROOT_SLOT_CSPACE, P_BIG2);
    deleted = 0;
    left2_result = cspace_revoke(ROOT_SLOT_CSPACE, P_EP, &deleted);
    left2 = (long)deleted;
    phase = REAPED;
    for (;;)
        spin_tsc = tsc();
}

/* The RTC's grid: tick n at origin + n * PERIOD_NUM / PERIOD_DEN. */
static uint64_t origin;

static uint64_t tick_time(uint64_t n)
{
    return origin + n * PERIOD_NUM / PERIOD_DEN;
}

/* The number of the first tick after time x (x >= origin). */
static uint64_t tick_after(uint64_t x)
{
    uint64_t n = (x - origin) * PERIOD_DEN / PERIOD_NUM;
    while (tick_time(n) <= x)
        n++;
    while (n > 0 && tick_time(n - 1) > x)
        n--;
    return n;
}

/* Sets the grid from the calibration ticks, each raised within the spin loop's few
   instructions after the worker's last TSC before it. An interrupt in between (the scheduler's
   tick) makes that TSC early, so of the origins the ticks give, the latest is right. Returns
   how many ticks lie within MATCH of the grid. */
static int calibrate(int count)
{
    const uint64_t half = PERIOD_NUM / PERIOD_DEN / 2;
    uint64_t first = calibration[0], latest = first;
    for (int k = 1; k < count; k++) {
        uint64_t n = (calibration[k] - first + half) * PERIOD_DEN / PERIOD_NUM;
        uint64_t candidate = calibration[k] - n * PERIOD_NUM / PERIOD_DEN;
        if (candidate > latest && candidate - latest < half)
            latest = candidate;
    }
    origin = latest - PERIOD_NUM / PERIOD_DEN; /* tick 1 is the latest; every tick after it */
    int fit = 0;
    for (int k = 0; k < count; k++) {
        uint64_t t = tick_time(tick_after(calibration[k] - MATCH));
        fit += t <= calibration[k] + MATCH;
    }
    return fit;
}

/* What the waiting thread did at its first interrupt while the kernel reaped the second
   CSpace: revoked the endpoint, retyped the Untyped the CSpace was made from (its only child, so
   the retype resets it and reuses the dead CSpace's memory), revoked again, deleted the new
   CSpace. Results and counts; a count is negative until done. */
static long concurrent_revoke, concurrent_revoked = -1, reuse_result, reuse_left_result,
                               reuse_left = -1, reuse_delete_result;

/* Fills a second big CSpace, made from an Untyped of its own, has the worker delete it and at
   the first interrupt while the kernel reaps it, does what the comment above says. */
static long revoke_while_reaped(uint64_t ut)
{
    struct missive_msg m = {0};
    long r = untyped_retype(ut, CAP_UNTYPED, BIG_BITS + 6, P_UT2, 1);
    if (r == ERR_OK)
        r = untyped_retype(P_UT2, CAP_CSPACE, BIG_BITS, P_BIG2, 1);
    if (r == ERR_OK)
        r = fill(P_BIG2);
    if (r != ERR_OK)
        return r;
    missive_syscall(SYS_NB_RECV, P_NTFN, 0, &m); /* nothing stale */
    setup_rtc_read(P_PORTS, 0x0c);
    irq_handler_ack(P_IRQ);
    phase = REAP_AGAIN;
    while (phase != REAPED) {
        if (missive_syscall(SYS_RECV, P_NTFN, 0, &m) != ERR_OK)
            return -1;
        if (phase == REAP_AGAIN && concurrent_revoked < 0) {
            uint64_t deleted = 0;
            concurrent_revoke = cspace_revoke(ROOT_SLOT_CSPACE, P_EP, &deleted);
            concurrent_revoked = (long)deleted;
            reuse_result = untyped_retype(P_UT2, CAP_CSPACE, BIG_BITS, P_BIG3, 1);
            deleted = 0;
            reuse_left_result = cspace_revoke(ROOT_SLOT_CSPACE, P_EP, &deleted);
            reuse_left = (long)deleted;
            reuse_delete_result = cspace_delete(ROOT_SLOT_CSPACE, P_BIG3);
        }
        setup_rtc_read(P_PORTS, 0x0c);
        irq_handler_ack(P_IRQ);
    }
    return ERR_OK;
}

struct worst {
    uint64_t count, max;
};

static void account(struct worst *w, uint64_t latency)
{
    w->count++;
    if (latency > w->max)
        w->max = latency;
}

int preempt_figures(void)
{
    uint64_t ut = setup_find_untyped(BIG_BITS + 8, false);
    check("an Untyped for a 2^16-slot CSpace", ut != 0, 1);
    if (!ut)
        return 1;
    check("the CSpace", untyped_retype(ut, CAP_CSPACE, BIG_BITS, P_BIG, 1), ERR_OK);
    check("the endpoint", untyped_retype(ut, CAP_ENDPOINT, 0, P_EP, 1), ERR_OK);
    check("the notification", untyped_retype(ut, CAP_NOTIFICATION, 0, P_NTFN, 1), ERR_OK);
    check("the worker", untyped_retype(ut, CAP_THREAD, 0, P_WORKER, 1), ERR_OK);
    check("a copy here", cspace_copy(ROOT_SLOT_CSPACE, P_COPY, P_EP, CAP_RIGHTS_ALL, 0), ERR_OK);
    check("65,535 more there", fill(P_BIG), ERR_OK);
    check("the RTC's ports", io_port_control_issue(ROOT_SLOT_IO_PORT_CONTROL, 0x70, 0x71, P_PORTS),
          ERR_OK);
    check("its IRQ", irq_control_get(ROOT_SLOT_IRQ_CONTROL, 8, P_IRQ, 0), ERR_OK);
    check("to the notification", irq_handler_set_notification(P_IRQ, P_NTFN), ERR_OK);
    setup_rtc_write(P_PORTS, 0x8a, (setup_rtc_read(P_PORTS, 0x8a) & 0xf0) | RTC_RATE);
    setup_rtc_write(P_PORTS, 0x8b,
                    setup_rtc_read(P_PORTS, 0x8b) | 0x40); /* periodic interrupt on */
    setup_rtc_read(P_PORTS, 0x0c);
    check("start the worker",
          setup_thread_start(P_WORKER,
                             (struct setup_thread){.priority = 100,
                                                   .stack_top = worker_stack + sizeof worker_stack},
                             worker, 0),
          ERR_OK);

    struct worst idle = {0}, revoke = {0}, reap = {0}, other = {0};
    int calibrated = 0, n = 0, ambiguous = 0, dropped = 0;
    uint64_t next = 0; /* the tick the next interrupt comes from; 0: not known */
    struct missive_msg m = {0};
    while (phase != DONE) {
        if (missive_syscall(SYS_RECV, P_NTFN, 0, &m) != ERR_OK)
            break;
        uint64_t woken = tsc();
        if (phase == CALIBRATE) {
            calibration[calibrated] = spin_tsc;
            account(&idle, woken - spin_tsc);
            if (++calibrated == CALIBRATION) {
                check("the RTC ticks on the grid (-icount shift=0, -rtc clock=vm)",
                      calibrate(CALIBRATION) >= CALIBRATION / 2, 1);
                phase = REVOKE;
            }
        } else if (next && n < MAX_SAMPLES) {
            samples[n].raised = tick_time(next);
            samples[n++].woken = woken;
        } else if (next) {
            dropped++;
        }
        uint64_t before = tsc();
        setup_rtc_read(P_PORTS, 0x0c); /* lets the RTC raise its line again at its next tick */
        uint64_t after = tsc();
        irq_handler_ack(P_IRQ);
        next = 0;
        if (phase != CALIBRATE) {
            /* A tick between the two TSC reads may have come before or after the read. */
            next = tick_after(after);
            if (tick_after(before) != next) {
                next = 0;
                ambiguous++;
            }
        }
    }
    long concurrent = revoke_while_reaped(ut);
    thread_suspend(P_WORKER);
    setup_rtc_write(P_PORTS, 0x8b, setup_rtc_read(P_PORTS, 0x8b) & ~0x40ul);
    setup_rtc_read(P_PORTS, 0x0c);
    cspace_delete(ROOT_SLOT_CSPACE,
                  P_IRQ); /* no line bound: the kernel may end the run when idle */

    for (int i = 0; i < n; i++) {
        uint64_t t = samples[i].raised, latency = samples[i].woken - t;
        if (t >= mark[REVOKE] && t < mark[FILL])
            account(&revoke, latency);
        else if (t >= mark[REAP] && t < mark[DONE])
            account(&reap, latency);
        else
            account(&other, latency);
    }
    check("revoke", revoke_result, ERR_OK);
    check("it deleted 65,536 capabilities", revoked, 65536);
    check("fill again", fill_result, ERR_OK);
    check("delete the CSpace", reap_result, ERR_OK);
    check("nothing was left below the endpoint", left_result, ERR_OK);
    check("not one capability", left, 0);
    check("room for every interrupt's figures", dropped, 0);
    check("interrupts during the revoke", revoke.count >= 3, 1);
    check("interrupts during the reaping", reap.count >= 3, 1);
    printf("usertest: preempt: waking from a spinning thread: %lu interrupts, worst latency %lu "
           "instructions\n",
           (unsigned long)idle.count, (unsigned long)idle.max);
    printf("usertest: preempt: revoke of 65536 capabilities: %lu instructions, %lu interrupts, "
           "worst latency %lu instructions\n",
           (unsigned long)(mark[FILL] - mark[REVOKE]), (unsigned long)revoke.count,
           (unsigned long)revoke.max);
    printf("usertest: preempt: reaping a 65536-slot CSpace: %lu instructions, %lu interrupts, "
           "worst latency %lu instructions\n",
           (unsigned long)(mark[DONE] - mark[REAP]), (unsigned long)reap.count,
           (unsigned long)reap.max);
    printf("usertest: preempt: filling it (65535 invocations): %lu interrupts, worst latency %lu "
           "instructions; %d ticks skipped as ambiguous\n",
           (unsigned long)other.count, (unsigned long)other.max, ambiguous);
    check("the revoke's worst latency is within the bound", revoke.max <= LATENCY_BOUND, 1);
    /* While the worker's delete of another such CSpace was being reaped, this thread revoked
       what its slots still held: it found some of them, the reaping the rest. */
    check("a second CSpace from its own Untyped, filled", concurrent, ERR_OK);
    check("deleted", reap2_result, ERR_OK);
    check("a revoke during its reaping", concurrent_revoke, ERR_OK);
    check("finds what is not reaped yet",
          concurrent_revoked > 0 && concurrent_revoked < (long)BIG_SLOTS - 1, 1);
    check("its Untyped retyped meanwhile: the reaping ends first", reuse_result, ERR_OK);
    check("nothing below the endpoint then", reuse_left_result, ERR_OK);
    check("not one capability", reuse_left, 0);
    check("the new CSpace deleted", reuse_delete_result, ERR_OK);
    check("nothing left when the worker's delete returns", left2_result, ERR_OK);
    check("not one capability", left2, 0);
    printf("usertest: preempt: a revoke between two batches of reaping deleted %ld of the 65535 "
           "capabilities\n",
           concurrent_revoked);
    check("the reaping's worst latency is within the bound", reap.max <= LATENCY_BOUND, 1);
    return check_report("preempt") != 0;
}
