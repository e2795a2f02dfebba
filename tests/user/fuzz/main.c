/*
 * fuzz: a seeded, reproducible system-call fuzzer, run as the root task:
 *   CMDLINE="qemu-exit init=bin/fuzz -- seed=N [calls=N]"
 *
 * Two phases of random system calls (gen.c), each in a thread of its own at
 * priority 50, beside a healthy client and server pair at the same priority
 * that must keep answering correctly throughout:
 *   1. a confined thread in a fresh 64-slot CSpace holding capabilities it
 *      may abuse (a cap to that CSpace, endpoints, notifications, a thread,
 *      frames, a VSpace, another CSpace), installed by IPC capability
 *      transfer; untouchable originals in slots 48-63 refill the slots it
 *      empties;
 *   2. a thread in the root CSpace, limited to prepared slots (a 2^16-byte
 *      Untyped among them) and whatever it makes from them, all made from a
 *      reserve Untyped that refills them (and is revoked, wiping everything,
 *      when full). The boot capabilities' slots and the harness's own are
 *      filtered out of everything it names. Its CSpace operations may go
 *      through the root CSpace cap, with the same filter on their slots.
 * In each phase two partner threads call, send to and receive from the
 * fuzzer's endpoints and notifications (long messages, capabilities), so
 * that its non-blocking IPC meets someone and objects die under waiters.
 * The root task waits (yielding at priority 50), watches that the fuzzer
 * keeps making progress, and checks at the end: the fuzzer's own checks
 * (known error codes, registers untouched by failed lookups, a 64 KiB
 * canary region, no message for a receive it left blocking because the slot
 * held no endpoint), the healthy pair's progress and answers, and that every
 * capability the harness owns is still where it was. A watchdog thread
 * above them all, woken by the RTC, turns starvation at priority 50 into a
 * report instead of a hang.
 *
 * Everything the fuzzing threads draw comes from the seed alone, so a seed
 * always makes the same calls; their results can vary slightly from run to
 * run where threads the fuzzer started or the partners run in between.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "testlib.h"

#define FUZZ_PRIORITY     50
#define DEFAULT_CALLS     1000000
#define STALL_CYCLES      30000000000ull /* TSC cycles without a call made: the fuzzer is stuck */
#define BUFFERS_AT        0x30000000ul   /* where the root task maps the IPC buffers it writes */
#define PARTNERS          2              /* per phase */
#define HEALTHY_BADGE     0x4ea1
#define LOAD_GO           1  /* the label of the loader's last message */
#define RESERVE_BITS      22 /* phase 2's reserve Untyped: 4 MiB */
#define WATCHDOG_PRIORITY (FUZZ_PRIORITY + 1)
#define WATCHDOG_LIMIT    40 /* RTC ticks (2 Hz) without the root task's loop running */
#define RTC_IRQ           8

/* Phase 2's prepared capabilities in the root CSpace, from p2_base (the
   first multiple of 16 after the boot capabilities) on; then the free region
   where its new capabilities go, up to the harness's own slots. */
enum {
    P2_EP,
    P2_EP_BADGED,
    P2_EP_RECV,
    P2_EP_GRANT,
    P2_NTFN,
    P2_NTFN_BADGED,
    P2_UNTYPED,
    P2_CSPACE,
    P2_THREAD,
    P2_FRAME,
    P2_FRAME_RO,
    P2_TABLE,
    P2_VSPACE,
    P2_PREPARED,
    P2_REGION = 32,
};
#define P2(offset) (p2_base + (offset))

/* The harness's own slots in the root CSpace: never named by a fuzzer. */
enum {
    PRIV = 4000,
    PRIV_P1_THREAD = PRIV,
    PRIV_P2_THREAD,
    PRIV_SERVER,
    PRIV_CLIENT,
    PRIV_HEALTHY_EP,
    PRIV_HEALTHY_CLIENT_EP,
    PRIV_LOADER_EP,
    PRIV_LOADER_RECV,
    PRIV_C,
    PRIV_P1_BUFFER,
    PRIV_P2_BUFFER,
    PRIV_PARTNER_BUFFERS,                                /* 2 * PARTNERS slots */
    PRIV_PARTNERS = PRIV_PARTNER_BUFFERS + 2 * PARTNERS, /* 2 * PARTNERS slots */
    PRIV_RESERVE = PRIV_PARTNERS + 2 * PARTNERS,
    PRIV_TABLES, /* 3 slots */
    PRIV_E1 = PRIV_TABLES + 3,
    PRIV_E1_BADGED,
    PRIV_E1_GRANT,
    PRIV_N1,
    PRIV_N1_A,
    PRIV_N1_B,
    PRIV_T1,
    PRIV_F1,
    PRIV_F1_RO,
    PRIV_V1,
    PRIV_D1,
    PRIV_E2,
    PRIV_WATCHDOG,
    PRIV_RTC_PORTS,
    PRIV_RTC_IRQ,
    PRIV_RTC_NTFN,
};

/* Phase 1's CSpace: slot 1 is the harness's (identify, refill), 2 the
   loader's endpoint until the go-ahead, 2-14 the fuzzer's capabilities,
   15-47 free, 48-60 the originals the refill copies from. */
enum {
    C_BITS = 6,
    C_HARNESS = 1,
    C_LOADER = 2,
    C_PREPARED = 2,
    C_PREPARED_COUNT = 13,
    C_REGION = C_PREPARED + C_PREPARED_COUNT,
    C_ORIGINALS = 48,
};

/* The IPC buffers the root task maps: phase 1's and 2's fuzzing threads',
   then the partners'. */
#define P1_BUFFER              ((struct ipc_buffer *)BUFFERS_AT)
#define P2_BUFFER              ((struct ipc_buffer *)(BUFFERS_AT + 0x1000))
#define PARTNER_BUFFER(i)      ((struct ipc_buffer *)(BUFFERS_AT + 0x2000 + 0x1000 * (i)))
#define PARTNER_BUFFER_SLOT(i) (PRIV_PARTNER_BUFFERS + (i))

/* A partner: a thread beside a fuzzing thread that calls, sends to and
   receives from the endpoints and notifications the fuzzer holds (with long
   messages and capabilities), so that the fuzzer's non-blocking IPC finds
   someone to rendezvous with and objects die under waiting threads. Its
   labels are no invocation's: a capability the fuzzer moved into one of its
   slots only ever answers ERR_INVALID_LABEL. */
struct partner {
    uint64_t eps[16]; /* the slots it uses, in its CSpace */
    unsigned ep_count;
    uint64_t give_first, give_end; /* the slots it offers capabilities from */
    uint64_t recv_first, recv_end; /* the slots it receives capabilities into */
    struct ipc_buffer *buffer;
    uint64_t state;
    volatile uint64_t rounds;
};

/* The originals, in the order of the prepared slots, and their types. */
static const uint64_t originals[C_PREPARED_COUNT] = {
    PRIV_C,  PRIV_E1, PRIV_E1_BADGED, PRIV_E1_GRANT, PRIV_N1, PRIV_N1_A,  PRIV_N1_B,
    PRIV_T1, PRIV_F1, PRIV_V1,        PRIV_D1,       PRIV_E2, PRIV_F1_RO,
};
static const uint8_t original_types[C_PREPARED_COUNT] = {
    CAP_CSPACE,       CAP_ENDPOINT,     CAP_ENDPOINT, CAP_ENDPOINT, CAP_NOTIFICATION,
    CAP_NOTIFICATION, CAP_NOTIFICATION, CAP_THREAD,   CAP_FRAME,    CAP_VSPACE,
    CAP_CSPACE,       CAP_ENDPOINT,     CAP_FRAME,
};

/* Phase 2's objects made from the reserve, and those derived from them. */
static const struct {
    uint8_t offset, type, bits;
} p2_made[] = {
    {P2_EP, CAP_ENDPOINT, 0},      {P2_NTFN, CAP_NOTIFICATION, 0}, {P2_UNTYPED, CAP_UNTYPED, 16},
    {P2_CSPACE, CAP_CSPACE, 4},    {P2_THREAD, CAP_THREAD, 0},     {P2_FRAME, CAP_FRAME, PAGE_BITS},
    {P2_TABLE, CAP_PAGE_TABLE, 0}, {P2_VSPACE, CAP_VSPACE, 0},
};
static const struct {
    uint8_t offset, source, type, rights;
    uint64_t badge; /* 0: a copy, else a mint */
} p2_derived[] = {
    {P2_EP_BADGED, P2_EP, CAP_ENDPOINT, CAP_RIGHT_SEND, 0x77},
    {P2_EP_RECV, P2_EP, CAP_ENDPOINT, CAP_RIGHT_RECEIVE, 0},
    {P2_EP_GRANT, P2_EP, CAP_ENDPOINT, CAP_RIGHT_SEND | CAP_RIGHT_GRANT, 0},
    {P2_NTFN_BADGED, P2_NTFN, CAP_NOTIFICATION, CAP_RIGHT_SEND, 0x10},
    {P2_FRAME_RO, P2_FRAME, CAP_FRAME, CAP_RIGHT_READ, 0},
};

static struct fuzz_env env1, env2;
static struct partner partners[2 * PARTNERS]; /* phase 1's, then phase 2's */
static _Alignas(16) uint8_t partner_stacks[2 * PARTNERS][8192];
static _Alignas(16) uint8_t p1_stack[16384], p2_stack[16384];
static _Alignas(16) uint8_t server_stack[8192], client_stack[8192];
static volatile uint64_t healthy_ok, healthy_bad;
static volatile uint64_t p1_messages, p1_caps, p1_errors;
static volatile int p1_waiting;
static _Alignas(16) uint8_t watchdog_stack[8192];
static volatile uint64_t root_polls;      /* rounds of the root task's waiting loop */
static volatile uint64_t starved_healthy; /* the healthy count when the watchdog struck */
static volatile int starved;
static int setup_failures;
static uint64_t p2_base;
static uint64_t run_seed;
static uint8_t boot_types[1 << ROOT_CSPACE_BITS]; /* the boot capabilities' types */

/* --- used by every thread: no libc ------------------------------------------------ */

/* The type of the capability in slot of the CSpace cspace names, and its
   badge (CAP_TYPE_COUNT if the lookup fails). */
static uint64_t slot_type(uint64_t cspace, uint64_t slot, uint64_t *badge)
{
    struct cspace_identity id;
    if (cspace_identify(cspace, slot, &id) != ERR_OK)
        return CAP_TYPE_COUNT;
    if (badge)
        *badge = id.badge;
    return id.type;
}

/* Yields n times. */
static void yield(int n)
{
    struct missive_msg m = {0};
    for (int i = 0; i < n; i++)
        missive_syscall(SYS_YIELD, 0, 0, &m);
}

/* --- threads other than the root task ------------------------------------------------ */

/* The watchdog, above the fuzzing threads: woken twice a second by the
   real-time clock, it checks that the root task's waiting loop still gets
   to run. After WATCHDOG_LIMIT ticks without, the threads at FUZZ_PRIORITY
   are being starved: it says so and stops the healthy pair, so that the
   root task can report it rather than the test hanging until its timeout. */
static void watchdog(void)
{
    struct missive_msg m = {0};
    uint64_t last = root_polls, quiet = 0;
    for (;;) {
        missive_syscall(SYS_RECV, PRIV_RTC_NTFN, 0, &m);
        setup_rtc_read(PRIV_RTC_PORTS, 0x0c); /* lets the RTC interrupt again */
        irq_handler_ack(PRIV_RTC_IRQ);
        if (root_polls != last) {
            last = root_polls;
            quiet = 0;
        } else if (++quiet == WATCHDOG_LIMIT && !starved) {
            starved_healthy = healthy_ok;
            starved = 1;
            thread_suspend(PRIV_CLIENT);
            thread_suspend(PRIV_SERVER);
        }
    }
}

/* The healthy server: answers every call with MR0 + 1 and the badge. */
static void healthy_server(void)
{
    struct missive_msg m = {0};
    long r = missive_syscall(SYS_RECV, PRIV_HEALTHY_EP, 0, &m);
    for (;;) {
        uint64_t in = r == ERR_OK ? m.mr[0] : 0, badge = r == ERR_OK ? m.badge : 0;
        m.mr[0] = in + 1;
        m.mr[1] = badge;
        r = missive_syscall(SYS_REPLY_RECV, PRIV_HEALTHY_EP, MSG_TAG(0, 2, 0), &m);
    }
}

/* The healthy client: calls the server for ever, counting right and wrong
   answers. */
static void healthy_client(void)
{
    for (uint64_t i = 0;; i++) {
        struct missive_msg m = {0};
        m.mr[0] = i;
        long r = missive_syscall(SYS_CALL, PRIV_HEALTHY_CLIENT_EP, MSG_TAG(7, 1, 0), &m);
        if (r == ERR_OK && m.mr[0] == i + 1 && m.mr[1] == HEALTHY_BADGE && MSG_LENGTH(m.tag) == 2)
            healthy_ok++;
        else
            healthy_bad++;
    }
}

/* A partner's loop: one random IPC after another. */
static void partner_main(struct partner *p)
{
    struct missive_msg m = {0};
    for (;;) {
        p->state = p->state * 6364136223846793005ull + 1442695040888963407ull;
        uint64_t r = p->state ^ (p->state >> 29);
        uint64_t slot = p->eps[r % p->ep_count];
        struct ipc_buffer *b = p->buffer;
        b->receive_slot = p->recv_first + (r >> 8) % (p->recv_end - p->recv_first);
        for (int i = 0; i < MSG_MAX_CAPS; i++)
            b->caps[i] = p->give_first + (r >> (12 + 6 * i)) % (p->give_end - p->give_first);
        for (int i = MSG_REGISTERS; i < MSG_MAX_LENGTH; i++)
            b->mr[i] = r + (uint64_t)i;
        for (int i = 0; i < MSG_REGISTERS; i++)
            m.mr[i] = r ^ ((uint64_t)i << 56);
        uint64_t tag = MSG_TAG(0x1000 + ((r >> 30) & 0xff), (r >> 38) % (MSG_MAX_LENGTH + 1),
                               (r >> 45) % (MSG_MAX_CAPS + 1));
        long rc;
        switch ((r >> 50) % 4) {
        case 0:
            rc = missive_syscall(SYS_CALL, slot, tag, &m);
            break;
        case 1:
            rc = missive_syscall(SYS_SEND, slot, tag, &m);
            break;
        case 2:
            rc = missive_syscall(SYS_RECV, slot, tag, &m);
            if (rc == ERR_OK)
                rc = missive_syscall(SYS_REPLY, 0, tag, &m); /* ERR_NO_REPLY after a send */
            break;
        default:
            rc = missive_syscall(SYS_NB_SEND, slot, tag, &m);
            break;
        }
        p->rounds++;
        if (rc != ERR_OK)
            yield(1);
    }
}

/* Phase 1's refill: copies the original of every prepared slot the fuzzer
   emptied back into it. */
static void refill_phase1(struct fuzz_env *env)
{
    for (uint64_t i = 0; i < C_PREPARED_COUNT; i++) {
        if (slot_type(C_HARNESS, C_PREPARED + i, 0) != CAP_NULL)
            continue;
        if (cspace_copy(C_HARNESS, C_PREPARED + i, C_ORIGINALS + i, CAP_RIGHTS_ALL, 0) == ERR_OK)
            env->refilled++;
        else
            env->refill_errors++;
    }
}

/* Phase 2's refill without starting over: makes each prepared object the
   fuzzer deleted or moved away afresh from the reserve, and the copies and
   mints of them; ERR_NOT_ENOUGH_MEMORY once the reserve is full. */
static long refill_phase2_once(struct fuzz_env *env)
{
    for (size_t i = 0; i < sizeof p2_made / sizeof p2_made[0]; i++) {
        uint64_t slot = P2(p2_made[i].offset);
        if (slot_type(ROOT_SLOT_CSPACE, slot, 0) != CAP_NULL)
            continue;
        long r = untyped_retype(PRIV_RESERVE, p2_made[i].type, p2_made[i].bits, slot, 1);
        if (r != ERR_OK)
            return r;
        env->refilled++;
    }
    for (size_t i = 0; i < sizeof p2_derived / sizeof p2_derived[0]; i++) {
        uint64_t slot = P2(p2_derived[i].offset), source = P2(p2_derived[i].source), badge = 0;
        if (slot_type(ROOT_SLOT_CSPACE, slot, 0) != CAP_NULL ||
            slot_type(ROOT_SLOT_CSPACE, source, &badge) != p2_derived[i].type || badge)
            continue; /* the fuzzer moved something else into the source: leave it */
        long r = p2_derived[i].badge
                     ? cspace_mint(ROOT_SLOT_CSPACE, slot, source, p2_derived[i].rights,
                                   p2_derived[i].badge, 0)
                     : cspace_copy(ROOT_SLOT_CSPACE, slot, source, p2_derived[i].rights, 0);
        if (r == ERR_OK)
            env->refilled++;
        else
            env->refill_errors++;
    }
    return ERR_OK;
}

/* Phase 2's refill: when the reserve is full, revokes it (every object made
   from it goes, the fuzzer's own included) and starts over. */
static void refill_phase2(struct fuzz_env *env)
{
    long r = refill_phase2_once(env);
    if (r == ERR_NOT_ENOUGH_MEMORY) {
        env->resets++;
        if (cspace_revoke(ROOT_SLOT_CSPACE, PRIV_RESERVE, NULL) != ERR_OK)
            env->refill_errors++;
        r = refill_phase2_once(env);
    }
    if (r != ERR_OK)
        env->refill_errors++;
}

/* Phase 1's thread: receives its capabilities from the loader (the first
   message in the root CSpace, where it starts; the root task moves it into
   its own CSpace while it waits), drops the loader's endpoint, fuzzes. */
static void phase1_main(void)
{
    struct missive_msg m = {0};
    uint64_t from = PRIV_LOADER_RECV;
    p1_waiting = 1;
    for (;;) {
        long r = missive_syscall(SYS_RECV, from, 0, &m);
        p1_messages++;
        if (r != ERR_OK) {
            p1_errors++;
            for (;;)
                yield(1);
        }
        p1_caps += MSG_CAPS(m.tag);
        if (MSG_LABEL(m.tag) == LOAD_GO)
            break;
        from = C_LOADER;
    }
    if (cspace_delete(C_HARNESS, C_LOADER) != ERR_OK)
        p1_errors++;
    fuzz_run(&env1);
    env1.done = 1;
    for (;;)
        yield(1);
}

/* Phase 2's thread: fuzzes in the root CSpace. */
static void phase2_main(void)
{
    fuzz_run(&env2);
    env2.done = 1;
    for (;;)
        yield(1);
}

/* --- the root task's set-up ------------------------------------------------------- */

/* A set-up step: reports and counts a failure. */
static void need(const char *what, long r)
{
    if (r != ERR_OK) {
        setup_failures++;
        printf("fuzz: FAIL set-up: %s: error %ld\n", what, r);
    }
}

/* Retypes count objects from ut into dest onwards. */
static void need_retype(uint64_t ut, uint64_t type, uint64_t bits, uint64_t dest, uint64_t count)
{
    need("retype", untyped_retype(ut, type, bits, dest, count));
}

/* Configures a thread in the root VSpace and writes its registers: it
   starts in entry, with arg as its argument. */
static void prepare_thread_arg(uint64_t slot, uint64_t cspace, uint64_t priority,
                               void (*entry)(void), uint8_t *stack, size_t stack_size, void *arg)
{
    need("configure a thread", thread_configure(slot, cspace, ROOT_SLOT_VSPACE, priority, 0));
    need("write a thread's registers",
         thread_write_registers(slot, (uint64_t)entry, (uint64_t)(stack + stack_size) - 8,
                                (uint64_t)arg, 0, 0));
}

/* As prepare_thread_arg, without an argument. */
static void prepare_thread(uint64_t slot, uint64_t cspace, uint64_t priority, void (*entry)(void),
                           uint8_t *stack, size_t stack_size)
{
    prepare_thread_arg(slot, cspace, priority, entry, stack, stack_size, 0);
}

/* Resumes a thread. */
static void resume(uint64_t slot)
{
    need("resume a thread", thread_resume(slot));
}

/* Maps a frame read-write into the root VSpace at an address near
   BUFFERS_AT, making the page tables it needs in PRIV_TABLES onwards. */
static void map_frame(uint64_t ut, uint64_t frame, uint64_t at)
{
    static uint64_t table = PRIV_TABLES;
    for (;;) {
        long r = vspace_map_frame(ROOT_SLOT_VSPACE, frame, at, CAP_RIGHT_READ | CAP_RIGHT_WRITE);
        if (r != ERR_MISSING_TABLE || table == PRIV_TABLES + 3) {
            need("map an IPC buffer", r);
            return;
        }
        need_retype(ut, CAP_PAGE_TABLE, 0, table, 1);
        need("map a page table", vspace_map_table(ROOT_SLOT_VSPACE, table, at, NULL));
        table++;
    }
}

/* Makes partner i (in the CSpace cspace names) with an IPC buffer of its
   own; not started. */
static void setup_partner(uint64_t ut, unsigned i, uint64_t cspace)
{
    struct partner *p = &partners[i];
    p->buffer = PARTNER_BUFFER(i);
    p->state = run_seed * 0x9e3779b97f4a7c15ull + i;
    need_retype(ut, CAP_FRAME, PAGE_BITS, PARTNER_BUFFER_SLOT(i), 1);
    map_frame(ut, PARTNER_BUFFER_SLOT(i), (uint64_t)PARTNER_BUFFER(i));
    need_retype(ut, CAP_THREAD, 0, PRIV_PARTNERS + i, 1);
    prepare_thread_arg(PRIV_PARTNERS + i, cspace, FUZZ_PRIORITY, (void (*)(void))partner_main,
                       partner_stacks[i], sizeof partner_stacks[i], p);
    need("a partner's IPC buffer",
         thread_set_ipc_buffer(PRIV_PARTNERS + i, PARTNER_BUFFER_SLOT(i)));
}

/* Resumes or suspends the partners of a phase. */
static void partners_run(int phase, bool run)
{
    for (unsigned i = 0; i < PARTNERS; i++) {
        uint64_t partner = PRIV_PARTNERS + (phase - 1) * PARTNERS + i;
        if (run)
            thread_resume(partner);
        else
            thread_suspend(partner);
    }
}

/* Sends count capabilities from the root CSpace to phase 1's CSpace, from
   its slot receive_slot on. */
static void load(uint64_t receive_slot, const uint64_t *caps, unsigned count)
{
    struct ipc_buffer *mine = (struct ipc_buffer *)USER_IPC_BUFFER;
    struct ipc_buffer *theirs = P1_BUFFER;
    theirs->receive_slot = receive_slot;
    for (unsigned i = 0; i < count; i++)
        mine->caps[i] = caps[i];
    struct missive_msg m = {0};
    need("send capabilities", missive_syscall(SYS_SEND, PRIV_LOADER_EP, MSG_TAG(0, 0, count), &m));
}

/* Phase 1: its CSpace, the originals of the capabilities to abuse, its
   thread; loads the originals into the CSpace by IPC and leaves the thread
   waiting for the go-ahead at FUZZ_PRIORITY. */
static void setup_phase1(uint64_t ut)
{
    need_retype(ut, CAP_CSPACE, C_BITS, PRIV_C, 1);
    need_retype(ut, CAP_ENDPOINT, 0, PRIV_LOADER_EP, 1);
    need("loader receive cap",
         cspace_copy(ROOT_SLOT_CSPACE, PRIV_LOADER_RECV, PRIV_LOADER_EP, CAP_RIGHT_RECEIVE, 0));
    need_retype(ut, CAP_ENDPOINT, 0, PRIV_E1, 1);
    need("mint E1",
         cspace_mint(ROOT_SLOT_CSPACE, PRIV_E1_BADGED, PRIV_E1, CAP_RIGHT_SEND, 0x42, 0));
    need("copy E1", cspace_copy(ROOT_SLOT_CSPACE, PRIV_E1_GRANT, PRIV_E1,
                                CAP_RIGHT_SEND | CAP_RIGHT_GRANT, 0));
    need_retype(ut, CAP_NOTIFICATION, 0, PRIV_N1, 1);
    need("mint N1", cspace_mint(ROOT_SLOT_CSPACE, PRIV_N1_A, PRIV_N1, CAP_RIGHT_SEND, 1, 0));
    need("mint N1",
         cspace_mint(ROOT_SLOT_CSPACE, PRIV_N1_B, PRIV_N1, CAP_RIGHT_SEND, 1ull << 63, 0));
    need_retype(ut, CAP_THREAD, 0, PRIV_T1, 1);
    need_retype(ut, CAP_FRAME, PAGE_BITS, PRIV_F1, 1);
    need("copy F1", cspace_copy(ROOT_SLOT_CSPACE, PRIV_F1_RO, PRIV_F1, CAP_RIGHT_READ, 0));
    need_retype(ut, CAP_VSPACE, 0, PRIV_V1, 1);
    need_retype(ut, CAP_CSPACE, 4, PRIV_D1, 1);
    need_retype(ut, CAP_ENDPOINT, 0, PRIV_E2, 1);

    /* The thread starts in the root CSpace at the loader's priority, with an
       IPC buffer the root task can write the receive slot into. */
    need_retype(ut, CAP_FRAME, PAGE_BITS, PRIV_P1_BUFFER, 1);
    map_frame(ut, PRIV_P1_BUFFER, (uint64_t)P1_BUFFER);
    need_retype(ut, CAP_THREAD, 0, PRIV_P1_THREAD, 1);
    prepare_thread(PRIV_P1_THREAD, ROOT_SLOT_CSPACE, 255, phase1_main, p1_stack, sizeof p1_stack);
    need("phase 1's IPC buffer", thread_set_ipc_buffer(PRIV_P1_THREAD, PRIV_P1_BUFFER));
    if (setup_failures)
        return;
    /* On this CPU, so that the yields below let it reach its first receive
       before its CSpace changes under it: on another CPU it could still be
       on its way there, look in the new CSpace and never be loaded. */
    struct debug_cpu_stats here = {0};
    need("which CPU the root task is on", debug_cpu_stats(ROOT_SLOT_DEBUG, 0, &here));
    need("phase 1 on the same CPU", thread_set_affinity(PRIV_P1_THREAD, here.caller_cpu));
    resume(PRIV_P1_THREAD);
    for (int i = 0; i < 100 && !p1_waiting; i++)
        yield(1);
    yield(3); /* it runs at this priority: now it waits in its first receive */
    need("move phase 1 into its CSpace",
         thread_configure(PRIV_P1_THREAD, PRIV_C, ROOT_SLOT_VSPACE, 255, 0));

    static const uint64_t first[2] = {PRIV_C, PRIV_LOADER_RECV};
    load(C_HARNESS, first, 2);
    for (unsigned i = 0; i < C_PREPARED_COUNT; i += 3)
        load(C_ORIGINALS + i, originals + i, C_PREPARED_COUNT - i < 3 ? C_PREPARED_COUNT - i : 3);
    P1_BUFFER->receive_slot = 0;
    for (uint64_t i = 0; i < C_PREPARED_COUNT; i++) {
        uint64_t type = slot_type(PRIV_C, C_ORIGINALS + i, 0);
        if (type != original_types[i]) {
            printf("fuzz: FAIL set-up: phase 1 slot %llu holds type %llu, want %u\n",
                   (unsigned long long)(C_ORIGINALS + i), (unsigned long long)type,
                   original_types[i]);
            setup_failures++;
        }
    }
    need("phase 1's priority", thread_set_priority(PRIV_P1_THREAD, FUZZ_PRIORITY));

    env1.phase = 1;
    env1.cspace_slots = 1ull << C_BITS;
    env1.identify_slot = C_HARNESS;
    for (uint64_t i = 0; i < C_PREPARED_COUNT; i++) {
        env1.prepared[env1.prepared_count] = C_PREPARED + i;
        env1.prepared_type[env1.prepared_count++] = original_types[i];
    }
    env1.region_first = C_REGION;
    env1.region_end = C_ORIGINALS;
    env1.forbidden[env1.forbidden_count++] = (struct fuzz_range){C_HARNESS, C_HARNESS + 1};
    env1.forbidden[env1.forbidden_count++] = (struct fuzz_range){C_ORIGINALS, 1ull << C_BITS};
    env1.refill = refill_phase1;
    env1.buffer = P1_BUFFER;

    /* Its partners live in its CSpace and use the originals (which the
       fuzzer cannot take away) and the prepared slots. */
    static const uint64_t eps[] = {
        C_ORIGINALS + 1, C_ORIGINALS + 2, C_ORIGINALS + 3,  C_ORIGINALS + 4, /* E1s, N1 */
        C_ORIGINALS + 5, C_ORIGINALS + 6, C_ORIGINALS + 11,                  /* N1s, E2 */
        C_PREPARED + 1,  C_PREPARED + 2,  C_PREPARED + 3,   C_PREPARED + 4,  C_PREPARED + 11,
    };
    for (unsigned i = 0; i < PARTNERS; i++) {
        struct partner *p = &partners[i];
        for (p->ep_count = 0; p->ep_count < sizeof eps / sizeof eps[0]; p->ep_count++)
            p->eps[p->ep_count] = eps[p->ep_count];
        p->give_first = C_PREPARED;
        p->give_end = 1ull << C_BITS;
        p->recv_first = C_REGION;
        p->recv_end = C_ORIGINALS;
        setup_partner(ut, i, PRIV_C);
    }
}

/* Phase 2: the reserve and the prepared capabilities made from it, its
   thread (not started), and what it must never name: every boot capability
   (slots 1 to boot_end - 1) and the harness's own. */
static void setup_phase2(uint64_t ut, uint64_t boot_end)
{
    need_retype(ut, CAP_UNTYPED, RESERVE_BITS, PRIV_RESERVE, 1);
    env2.phase = 2;
    need("phase 2's capabilities", refill_phase2_once(&env2));
    if (env2.refilled !=
            sizeof p2_made / sizeof p2_made[0] + sizeof p2_derived / sizeof p2_derived[0] ||
        env2.refill_errors)
        need("phase 2's capabilities", ERR_INVALID_ARGUMENT);
    env2.refilled = 0;
    need_retype(ut, CAP_THREAD, 0, PRIV_P2_THREAD, 1);
    prepare_thread(PRIV_P2_THREAD, ROOT_SLOT_CSPACE, FUZZ_PRIORITY, phase2_main, p2_stack,
                   sizeof p2_stack);

    env2.cspace_slots = 1ull << ROOT_CSPACE_BITS;
    env2.identify_slot = ROOT_SLOT_CSPACE;
    env2.proxy_slot = ROOT_SLOT_CSPACE;
    static const uint8_t types[P2_PREPARED] = {
        CAP_ENDPOINT,     CAP_ENDPOINT,   CAP_ENDPOINT, CAP_ENDPOINT, CAP_NOTIFICATION,
        CAP_NOTIFICATION, CAP_UNTYPED,    CAP_CSPACE,   CAP_THREAD,   CAP_FRAME,
        CAP_FRAME,        CAP_PAGE_TABLE, CAP_VSPACE,
    };
    for (uint64_t s = 0; s < P2_PREPARED; s++) {
        env2.prepared[env2.prepared_count] = P2(s);
        env2.prepared_type[env2.prepared_count++] = types[s];
    }
    env2.region_first = P2(P2_REGION);
    env2.region_end = PRIV;
    env2.forbidden[env2.forbidden_count++] = (struct fuzz_range){1, boot_end};
    env2.forbidden[env2.forbidden_count++] = (struct fuzz_range){PRIV, 1ull << ROOT_CSPACE_BITS};
    env2.refill = refill_phase2;
    need_retype(ut, CAP_FRAME, PAGE_BITS, PRIV_P2_BUFFER, 1);
    map_frame(ut, PRIV_P2_BUFFER, (uint64_t)P2_BUFFER);
    need("phase 2's IPC buffer", thread_set_ipc_buffer(PRIV_P2_THREAD, PRIV_P2_BUFFER));
    env2.buffer = P2_BUFFER;

    /* Its partners use the endpoint and notification slots the refill
       fills, in the root CSpace; they offer and receive capabilities in the
       fuzzer's slots only. */
    for (unsigned i = PARTNERS; i < 2 * PARTNERS; i++) {
        struct partner *p = &partners[i];
        for (p->ep_count = 0; p->ep_count <= P2_NTFN_BADGED; p->ep_count++)
            p->eps[p->ep_count] = P2(p->ep_count);
        p->give_first = P2(0);
        p->give_end = PRIV;
        p->recv_first = P2(P2_REGION);
        p->recv_end = PRIV;
        setup_partner(ut, i, ROOT_SLOT_CSPACE);
    }
}

/* The healthy pair: an endpoint nobody else sees, a server, a client. */
static void setup_healthy(uint64_t ut)
{
    need_retype(ut, CAP_ENDPOINT, 0, PRIV_HEALTHY_EP, 1);
    need("mint the client's cap", cspace_mint(ROOT_SLOT_CSPACE, PRIV_HEALTHY_CLIENT_EP,
                                              PRIV_HEALTHY_EP, CAP_RIGHT_SEND, HEALTHY_BADGE, 0));
    need_retype(ut, CAP_THREAD, 0, PRIV_SERVER, 2);
    prepare_thread(PRIV_SERVER, ROOT_SLOT_CSPACE, FUZZ_PRIORITY, healthy_server, server_stack,
                   sizeof server_stack);
    prepare_thread(PRIV_CLIENT, ROOT_SLOT_CSPACE, FUZZ_PRIORITY, healthy_client, client_stack,
                   sizeof client_stack);
    if (setup_failures)
        return;
    resume(PRIV_SERVER);
    resume(PRIV_CLIENT);
}

/* The watchdog: the RTC's ports and interrupt, through a notification, to
   a thread above the fuzzing threads. */
static void setup_watchdog(uint64_t ut)
{
    need("the RTC's ports",
         io_port_control_issue(ROOT_SLOT_IO_PORT_CONTROL, 0x70, 0x71, PRIV_RTC_PORTS));
    need("the RTC's interrupt", irq_control_get(ROOT_SLOT_IRQ_CONTROL, RTC_IRQ, PRIV_RTC_IRQ, 0));
    need_retype(ut, CAP_NOTIFICATION, 0, PRIV_RTC_NTFN, 1);
    need("bind the RTC's interrupt", irq_handler_set_notification(PRIV_RTC_IRQ, PRIV_RTC_NTFN));
    need_retype(ut, CAP_THREAD, 0, PRIV_WATCHDOG, 1);
    prepare_thread(PRIV_WATCHDOG, ROOT_SLOT_CSPACE, WATCHDOG_PRIORITY, watchdog, watchdog_stack,
                   sizeof watchdog_stack);
    if (setup_failures)
        return;
    resume(PRIV_WATCHDOG);
    setup_rtc_write(PRIV_RTC_PORTS, 0x8a,
                    (setup_rtc_read(PRIV_RTC_PORTS, 0x8a) & 0xf0) | 0x0f); /* rate 15: 2 Hz */
    setup_rtc_write(PRIV_RTC_PORTS, 0x8b,
                    setup_rtc_read(PRIV_RTC_PORTS, 0x8b) | 0x40); /* periodic interrupt on */
    setup_rtc_read(PRIV_RTC_PORTS, 0x0c);
}

/* Stops the watchdog and lets go of the interrupt line (a bound line would
   keep the kernel from ending the run once every thread has stopped). */
static void stop_watchdog(void)
{
    thread_suspend(PRIV_WATCHDOG);
    if (cspace_identify(ROOT_SLOT_CSPACE, PRIV_RTC_PORTS, NULL) == ERR_OK) {
        setup_rtc_write(PRIV_RTC_PORTS, 0x8b, setup_rtc_read(PRIV_RTC_PORTS, 0x8b) & ~0x40ull);
        setup_rtc_read(PRIV_RTC_PORTS, 0x0c);
    }
    cspace_delete(ROOT_SLOT_CSPACE, PRIV_RTC_IRQ);
}

/* --- running and reporting ---------------------------------------------------------- */

/* Prints a call as made. */
static void print_call(uint64_t index, const struct fuzz_call *c)
{
    printf("fuzz:   call %llu: number %lld slot 0x%llx tag 0x%llx\n", (unsigned long long)index,
           (long long)c->number, (unsigned long long)c->slot, (unsigned long long)c->tag);
    printf("fuzz:   mr 0x%llx 0x%llx 0x%llx 0x%llx 0x%llx\n", (unsigned long long)c->mr[0],
           (unsigned long long)c->mr[1], (unsigned long long)c->mr[2], (unsigned long long)c->mr[3],
           (unsigned long long)c->mr[4]);
    printf("fuzz:      0x%llx 0x%llx 0x%llx 0x%llx 0x%llx\n", (unsigned long long)c->mr[5],
           (unsigned long long)c->mr[6], (unsigned long long)c->mr[7], (unsigned long long)c->mr[8],
           (unsigned long long)c->mr[9]);
}

/* Reports that the watchdog found the threads at FUZZ_PRIORITY starved. */
static void report_starved(const struct fuzz_env *env)
{
    printf("fuzz: FAIL: starved: the root task's loop at priority %d did not run for %d s; "
           "phase %d had made %llu calls, the healthy pair %llu round trips\n",
           FUZZ_PRIORITY, WATCHDOG_LIMIT / 2, env->phase, (unsigned long long)env->progress,
           (unsigned long long)starved_healthy);
}

/* Waits, yielding, for a phase to end; returns why not (after a report) if
   it stops making calls for STALL_CYCLES or the watchdog finds the threads
   at FUZZ_PRIORITY starved, else NULL. */
static const char *wait_for(struct fuzz_env *env, uint64_t *cycles)
{
    uint64_t start = __builtin_ia32_rdtsc(); /* GCC builtin: rdtsc */
    uint64_t last = env->progress, since = start;
    while (!env->done) {
        yield(1);
        root_polls++;
        if (starved) {
            report_starved(env);
            return "starved";
        }
        uint64_t now = __builtin_ia32_rdtsc();
        if (env->progress != last) {
            last = env->progress;
            since = now;
        } else if (now - since > STALL_CYCLES) {
            printf("fuzz: FAIL: phase %d stalled (blocked or faulted) after %llu calls\n",
                   env->phase, (unsigned long long)last);
            print_call(env->first_index + last, &env->current);
            return "stalled";
        }
    }
    *cycles = __builtin_ia32_rdtsc() - start;
    return 0;
}

/* How many slots of the CSpace cspace names hold a capability, among n. */
static unsigned occupied(uint64_t cspace, uint64_t first, uint64_t end)
{
    unsigned n = 0;
    for (uint64_t s = first; s < end; s++)
        n += slot_type(cspace, s, 0) != CAP_NULL;
    return n;
}

/* Reports a phase's results; false if its thread found a failure. */
static bool report_phase(const struct fuzz_env *env, uint64_t cycles, unsigned holding)
{
    char line[512];
    int n = snprintf(line, sizeof line,
                     "fuzz: phase %d: %llu calls, tsc %llu; %llu made non-blocking, %llu "
                     "proxied, %llu slots filtered, %llu caps refilled, %llu resets, %u slots "
                     "in use at the end; results:",
                     env->phase, (unsigned long long)env->progress, (unsigned long long)cycles,
                     (unsigned long long)env->converted, (unsigned long long)env->proxied,
                     (unsigned long long)env->filtered, (unsigned long long)env->refilled,
                     (unsigned long long)env->resets, holding);
    for (unsigned i = 0; i < FUZZ_RESULT_KINDS && n > 0 && (size_t)n < sizeof line; i++)
        if (env->results[i])
            n += snprintf(line + n, sizeof line - (size_t)n, " %s %llu", fuzz_result_name(i),
                          (unsigned long long)env->results[i]);
    printf("%s\n", line);
    printf("fuzz: phase %d: partners made %llu and %llu IPC calls\n", env->phase,
           (unsigned long long)partners[(env->phase - 1) * PARTNERS].rounds,
           (unsigned long long)partners[(env->phase - 1) * PARTNERS + 1].rounds);
    bool ok = true;
    if (env->refill_errors) {
        printf("fuzz: FAIL: phase %d: %llu refills failed\n", env->phase,
               (unsigned long long)env->refill_errors);
        ok = false;
    }
    if (env->failure == FUZZ_FAILURE_NONE)
        return ok;
    static const char *const why[] = {
        "", "an unknown result", "registers changed by a failed lookup",
        "the canary region changed", "a receive on no endpoint or notification received"};
    printf("fuzz: FAIL: phase %d, call %llu: %s (result %ld)\n", env->phase,
           (unsigned long long)env->failure_index, why[env->failure], env->failure_result);
    print_call(env->failure_index, &env->current);
    const struct missive_msg *a = &env->failure_answer;
    printf("fuzz:   answer badge 0x%llx tag 0x%llx mr0 0x%llx mr1 0x%llx mr2 0x%llx\n",
           (unsigned long long)a->badge, (unsigned long long)a->tag, (unsigned long long)a->mr[0],
           (unsigned long long)a->mr[1], (unsigned long long)a->mr[2]);
    return false;
}

/* Checks that every boot capability and the harness's own are still in
   their slots; returns how many are not. */
/* 1 (and a line saying which) if slot of cspace no longer holds type. */
static int slot_changed(const char *which, uint64_t cspace, uint64_t slot, uint64_t type)
{
    uint64_t now = slot_type(cspace, slot, 0);
    if (now == type)
        return 0;
    printf("fuzz: %s CSpace slot %llu: type %llu, was %llu\n", which, (unsigned long long)slot,
           (unsigned long long)now, (unsigned long long)type);
    return 1;
}

static int check_own_slots(uint64_t boot_end)
{
    static const struct {
        uint64_t slot;
        uint8_t type;
    } own[] = {
        {PRIV_P1_THREAD, CAP_THREAD},
        {PRIV_P2_THREAD, CAP_THREAD},
        {PRIV_SERVER, CAP_THREAD},
        {PRIV_CLIENT, CAP_THREAD},
        {PRIV_HEALTHY_EP, CAP_ENDPOINT},
        {PRIV_HEALTHY_CLIENT_EP, CAP_ENDPOINT},
        {PRIV_LOADER_EP, CAP_ENDPOINT},
        {PRIV_C, CAP_CSPACE},
        {PRIV_P1_BUFFER, CAP_FRAME},
        {PRIV_RESERVE, CAP_UNTYPED},
        {PRIV_E1, CAP_ENDPOINT},
        {PRIV_N1, CAP_NOTIFICATION},
        {PRIV_T1, CAP_THREAD},
        {PRIV_V1, CAP_VSPACE},
        {PRIV_D1, CAP_CSPACE},
        {PRIV_WATCHDOG, CAP_THREAD},
        {PRIV_RTC_PORTS, CAP_IO_PORT},
        {PRIV_RTC_IRQ, CAP_IRQ_HANDLER},
        {PRIV_RTC_NTFN, CAP_NOTIFICATION},
    };
    int bad = 0;
    for (uint64_t s = 1; s < boot_end; s++)
        bad += slot_changed("root", ROOT_SLOT_CSPACE, s, boot_types[s]);
    for (size_t i = 0; i < sizeof own / sizeof own[0]; i++)
        bad += slot_changed("root", ROOT_SLOT_CSPACE, own[i].slot, own[i].type);
    for (uint64_t i = 0; i < C_PREPARED_COUNT; i++)
        bad += slot_changed("phase 1's", PRIV_C, C_ORIGINALS + i, original_types[i]);
    return bad;
}

/* Suspends a thread of the harness. */
static void suspend(uint64_t slot)
{
    thread_suspend(slot);
}

/* Ends the program: the verdict line, every thread of the harness stopped. */
static int finish(const char *reason)
{
    stop_watchdog();
    partners_run(1, false);
    partners_run(2, false);
    suspend(PRIV_P1_THREAD);
    suspend(PRIV_P2_THREAD);
    suspend(PRIV_CLIENT);
    suspend(PRIV_SERVER);
    check_string("the verdict", reason ? reason : "passed", "passed");
    return check_report(NULL);
}

/* Reads seed=N and calls=N from the arguments. */
static void parse_args(int argc, char **argv, uint64_t *seed, uint64_t *calls)
{
    for (int i = 1; i < argc; i++) {
        if (!strncmp(argv[i], "seed=", 5))
            *seed = strtoull(argv[i] + 5, 0, 0);
        else if (!strncmp(argv[i], "calls=", 6))
            *calls = strtoull(argv[i] + 6, 0, 0);
        else
            printf("fuzz: unknown argument '%s' ignored\n", argv[i]);
    }
}

/* Finds where the boot capabilities end and an Untyped of RAM of at least
   2^bits bytes; false if there is none or too little room after them. */
static bool find_boot_caps(unsigned bits, uint64_t *boot_end, uint64_t *ut)
{
    const struct boot_info *info = setup_boot;
    if (info->magic != BOOT_INFO_MAGIC)
        return false;
    uint64_t ends[3] = {info->initrd_first + info->initrd_count,
                        info->untyped_first + info->untyped_count,
                        info->framebuffer_first + info->framebuffer_count};
    *boot_end = ROOT_SLOT_FIRST_FREE;
    for (int i = 0; i < 3; i++)
        if (ends[i] > *boot_end)
            *boot_end = ends[i];
    *ut = setup_find_untyped(bits, false);
    return *ut && *boot_end + 16 + P2_REGION + 256 <= PRIV;
}

int main(int argc, char **argv)
{
    uint64_t seed = 1, calls = DEFAULT_CALLS, boot_end, ut;
    check_init("fuzz");
    parse_args(argc, argv, &seed, &calls);
    uint64_t canary = fuzz_seed(seed);
    run_seed = seed;
    if (!find_boot_caps(RESERVE_BITS + 2, &boot_end, &ut)) {
        printf("fuzz: FAIL set-up: no boot info, no Untyped of 16 MiB, or no free slots\n");
        return finish("set-up");
    }
    for (uint64_t s = 1; s < boot_end; s++)
        boot_types[s] = (uint8_t)slot_type(ROOT_SLOT_CSPACE, s, 0);
    p2_base = (boot_end + 15) & ~15ull;
    env1.first_index = 0;
    env1.calls = calls / 4;
    env2.first_index = env1.calls;
    env2.calls = calls - env1.calls;
    setup_phase1(ut);
    if (!setup_failures)
        setup_phase2(ut, boot_end);
    if (!setup_failures)
        setup_healthy(ut);
    if (!setup_failures)
        setup_watchdog(ut);
    if (setup_failures)
        return finish("set-up");
    printf("fuzz: seed %llu: phase 1 in a %llu-slot CSpace with %u capabilities, phase 2 in the "
           "root CSpace with %u (slots %llu-%llu), slots 1-%llu and %d-%d filtered\n",
           (unsigned long long)seed, (unsigned long long)env1.cspace_slots, env1.prepared_count,
           env2.prepared_count, (unsigned long long)P2(0), (unsigned long long)P2(P2_PREPARED - 1),
           (unsigned long long)boot_end - 1, PRIV, (1 << ROOT_CSPACE_BITS) - 1);

    /* Everyone at one priority from here on: the timer interleaves them. */
    struct missive_msg m = {0};
    need("send the go-ahead",
         missive_syscall(SYS_SEND, PRIV_LOADER_EP, MSG_TAG(LOAD_GO, 0, 0), &m));
    partners_run(1, true);
    need("lower my priority", thread_set_priority(ROOT_SLOT_THREAD, FUZZ_PRIORITY));
    uint64_t h0 = healthy_ok, cycles1 = 0, cycles2 = 0;
    const char *why = wait_for(&env1, &cycles1);
    if (why)
        return finish(why);
    suspend(PRIV_P1_THREAD);
    partners_run(1, false);
    uint64_t h1 = healthy_ok;
    bool ok1 = report_phase(&env1, cycles1, occupied(PRIV_C, 1, C_ORIGINALS));
    if (p1_messages != 7 || p1_caps != 2 + C_PREPARED_COUNT || p1_errors) {
        printf("fuzz: FAIL: phase 1 loaded %llu capabilities in %llu messages, %llu errors\n",
               (unsigned long long)p1_caps, (unsigned long long)p1_messages,
               (unsigned long long)p1_errors);
        ok1 = false;
    }
    if (!ok1)
        return finish("phase 1");
    resume(PRIV_P2_THREAD);
    partners_run(2, true);
    why = wait_for(&env2, &cycles2);
    if (why)
        return finish(why);
    suspend(PRIV_P2_THREAD);
    partners_run(2, false);
    uint64_t h2 = healthy_ok;
    bool ok2 = report_phase(&env2, cycles2, occupied(ROOT_SLOT_CSPACE, P2(0), PRIV));

    bool canary_ok = fuzz_canary_sum() == canary;
    int lost = check_own_slots(boot_end);
    uint64_t made = env1.progress + env2.progress;
    printf("fuzz: seed %llu, %llu calls, canary %s, healthy %llu round trips, prng 0x%016llx\n",
           (unsigned long long)seed, (unsigned long long)made, canary_ok ? "ok" : "CORRUPTED",
           (unsigned long long)(h2 - h0), (unsigned long long)fuzz_prng_digest());
    if (!ok2)
        return finish("phase 2");
    if (!canary_ok)
        return finish("canary corrupted");
    if (lost) {
        printf("fuzz: FAIL: %d of the harness's capabilities changed\n", lost);
        return finish("capabilities changed");
    }
    if (h1 <= h0 || h2 <= h1 || healthy_bad) {
        printf("fuzz: FAIL: healthy pair: %llu, %llu, %llu answers, %llu wrong\n",
               (unsigned long long)h0, (unsigned long long)h1, (unsigned long long)h2,
               (unsigned long long)healthy_bad);
        return finish("healthy pair");
    }
    if (made != calls)
        return finish("calls missing");
    return finish(0);
}
