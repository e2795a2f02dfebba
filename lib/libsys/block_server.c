/*
 * The block server library (block_server.h): the server's set-up, its requests table, the
 * notification that brings doorbells and the driver's interrupts, and the slots the library
 * keeps. The control requests and the session table are block_server_session.c's, BLOCK_WAIT
 * block_server_wait.c's, the rings block_server_queue.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libsys/block_server_internal.h"
#include "libsys/invoke.h"
#include "libsys/objects.h"
#include "libsys/vmap.h"

/* The one block server of this process, for the server library's slot hooks (which take no
   argument). */
static struct block_server *the_server;

/* --- slots ------------------------------------------------------------------------------ */

uint64_t block_slots_take(struct block_server *bs, uint64_t count)
{
    for (unsigned i = 0; i < bs->free_run_count; i++) {
        struct block_free_run *r = &bs->free_runs[i];
        if (r->count < count)
            continue;
        uint64_t first = r->first;
        r->first += count;
        r->count -= count;
        if (r->count == 0)
            *r = bs->free_runs[--bs->free_run_count];
        return first;
    }
    /* libsys_alloc_slot counts up, and nothing else takes slots meanwhile: a run. */
    uint64_t first = libsys_alloc_slot();
    for (uint64_t i = 1; first && i < count; i++)
        if (libsys_alloc_slot() != first + i)
            return 0;
    return first;
}

void block_slots_give(struct block_server *bs, uint64_t first, uint64_t count)
{
    if (!first || !count)
        return;
    for (unsigned i = 0; i < bs->free_run_count; i++) { /* join a neighbour */
        struct block_free_run *r = &bs->free_runs[i];
        if (r->first + r->count == first) {
            r->count += count;
            return;
        }
        if (first + count == r->first) {
            r->first = first;
            r->count += count;
            return;
        }
    }
    if (bs->free_run_count < BLOCK_SERVER_FREE_RUNS) /* else the slots are lost: harmless */
        bs->free_runs[bs->free_run_count++] = (struct block_free_run){first, count};
}

/* Where a request's capabilities go: MSG_MAX_CAPS empty slots in a row. */
static uint64_t receive_slots(void)
{
    return block_slots_take(the_server, MSG_MAX_CAPS);
}

/* A reply's capability was sent: its slot comes back. */
static void reply_slot_free(uint64_t slot)
{
    block_slots_give(the_server, slot, 1);
}

/* Every request answers after the rings have moved on: what it changed may let requests go
   to the driver or completions to clients. */
#define BLOCK_HANDLER(name, inner)                                                                 \
    static long name(struct server_call *call)                                                     \
    {                                                                                              \
        long status = inner(call);                                                                 \
        block_server_settle(call->server->context);                                                \
        return status;                                                                             \
    }
BLOCK_HANDLER(info_request, block_handle_info)
BLOCK_HANDLER(open_request, block_handle_open)
BLOCK_HANDLER(share_request, block_handle_share)
BLOCK_HANDLER(close_request, block_handle_close)
BLOCK_HANDLER(stats_request, block_handle_stats)

/* BLOCK_WAIT first: the table is searched in order, and it comes with every request. */
static const struct server_op block_ops[] = {
    {BLOCK_WAIT, 2, 0, 0, block_handle_wait}, {BLOCK_INFO, 1, 0, 0, info_request},
    {BLOCK_OPEN, 3, 0, 0, open_request},      {BLOCK_SHARE, 3, 0, 0, share_request},
    {BLOCK_CLOSE, 2, 0, 0, close_request},    {BLOCK_STATS, 0, 0, 0, stats_request},
};

/* The bound notification fired: doorbells (bits 0..31) and the driver's bits (32..63). Any
   word is safe (server.h's notification_any_word): a client that sends the label itself
   arrives here with its badge, a process id, which at worst asks for a settle. */
static void notified(struct server *server, uint64_t word)
{
    struct block_server *bs = server->context;
    uint32_t driver_bits = (uint32_t)(word >> 32);
    if (driver_bits && bs->driver->interrupt)
        bs->driver->interrupt(bs, driver_bits);
    bs->driver_event = (uint32_t)word == 0; /* no doorbell: see carry_in_answer */
    block_server_settle(bs); /* a doorbell only asks for what settle does for every session */
    bs->driver_event = false;
}

/* The service thread whose loop runs server (its struct server is inside it). */
static struct block_server_thread *thread_of(struct server *server)
{
    return (struct block_server_thread *)((char *)server -
                                          __builtin_offsetof(struct block_server_thread, server));
}

/* The bound notification fired (notified), and the answer to the BLOCK_WAIT the thread owes
   unsaved, if settle readied it: the loop's next receive (SYS_REPLY_RECV) sends it. Nothing
   owed: SERVICE_BAD_LABEL, which answers a client that sent the label itself, if any. */
static long notified_answer(struct server_call *call)
{
    struct block_server *bs = call->server->context;
    struct block_server_thread *t = thread_of(call->server);
    notified(call->server, call->badge);
    if (!t->owed)
        return SERVICE_BAD_LABEL;
    if ((uint32_t)call->badge != 0 && t->owed_answer == SERVER_NO_REPLY) {
        /* A doorbell, or a client's call labelled as a notification: the two look alike, and
           a call has ended the owed reply in the kernel, so what answers now goes to that
           caller. Holding on would hand it the next interrupt's carried completions, which
           are in no ring: the owed client, calling again, would wait for them for ever. So
           the owed wait is answered now, carrying nothing (its completions stay in the ring);
           a real owed client just waits again. */
        struct block_session_state *s = &bs->sessions[t->owed - 1];
        s->waiting = false;
        s->wait_owed = false;
        t->owed_answer = SERVICE_OK;
        t->owed_tail = s->cq_tail;
        t->owed_carried_count = 0;
        t->save_waits = BLOCK_MAX_SESSIONS * 2; /* a forger calling again gains nothing */
    }
    long status = t->owed_answer;
    if (status == SERVER_NO_REPLY)
        return SERVER_NO_REPLY; /* still owed: a later notification answers it */
    t->owed = 0;
    t->owed_answer = SERVER_NO_REPLY;
    if (status != SERVICE_OK)
        return status;
    block_answer_carried(&call->out, t->owed_tail, t->owed_carried, &t->owed_carried_count);
    return status;
}

/* Any call ended the BLOCK_WAIT reply the thread owed unsaved (server.h's call_arrived). */
static void call_arrived(struct server *server)
{
    block_owed_dropped(server->context);
}

/* With several threads, the hooks that begin every message (call_arrived for a call,
   notified_answer for a notification) first make the thread they run on the current one
   (the mutex is held): a server of one thread has one current thread from the start. */
static void threaded_call_arrived(struct server *server)
{
    struct block_server *bs = server->context;
    bs->current = thread_of(server);
    call_arrived(server);
}

static long threaded_notified_answer(struct server_call *call)
{
    struct block_server *bs = call->server->context;
    bs->current = thread_of(call->server);
    return notified_answer(call);
}

/* Signals the threads in mask (their resume: they settle). */
static void poke(struct block_server *bs, uint32_t mask)
{
    for (; mask; mask &= mask - 1) {
        struct missive_msg msg = {0};
        missive_syscall(SYS_SEND, bs->threads[__builtin_ctz(mask)].resume, 0, &msg);
    }
}

void block_poke_owner(struct block_server *bs, const struct block_session_state *s)
{
    if (s->thread != bs->current->index)
        poke(bs, 1u << s->thread);
}

/* After a driver hook on a server of several threads (threaded_driver): if requests completed
   in it (done counts them since before), the threads the driver refused a request have room
   and settle again, and so do the threads whose sessions' requests ended here (handed: their
   completions wait in the sessions' done, or a close or release of a broken or gone session
   waits for them; a time-out's tick drains every pair, servers/nvme). */
static void hand_over(struct block_server *bs, uint64_t before)
{
    if (bs->completed + bs->failed == before)
        return;
    uint32_t wake = bs->starved | bs->handed;
    bs->starved = 0;
    bs->handed = 0;
    poke(bs, wake & ~(1u << bs->current->index));
}

static bool threaded_start(struct block_server *bs, const struct block_server_request *r)
{
    uint64_t before = bs->completed + bs->failed;
    bool took = bs->own_driver->start(bs, r);
    hand_over(bs, before);
    return took;
}

static void threaded_interrupt(struct block_server *bs, uint32_t bits)
{
    uint64_t before = bs->completed + bs->failed;
    bs->own_driver->interrupt(bs, bits);
    hand_over(bs, before);
}

static void threaded_kick(struct block_server *bs)
{
    uint64_t before = bs->completed + bs->failed;
    bs->own_driver->kick(bs);
    hand_over(bs, before);
}

/* A receive failed: the server goes on (a client that vanished mid-call is no reason). */
static bool receive_failed(struct server *server, long error)
{
    (void)server;
    (void)error;
    return true;
}

/* Makes thread t's notification (bound by the thread itself: bind says which Thread, 0 for
   none yet) and its resume; false after saying why. */
static bool thread_notification(struct block_server *bs, struct block_server_thread *t,
                                uint64_t bind)
{
    uint64_t notification = 0;
    if (!result_is_ok(libsys_make_object(CAP_NOTIFICATION, 0, &notification)) ||
        (bind && thread_bind_notification(bind, notification) != ERR_OK)) {
        printf("%s: no notification for the block server (out of memory or slots)\n",
               bs->driver->name);
        return false;
    }
    t->notification = notification;
    t->resume = libsys_alloc_slot();
    if (!t->resume ||
        cspace_mint(PROC_SLOT_CSPACE, t->resume, notification, CAP_RIGHT_SEND, 1, 0) != ERR_OK) {
        printf("%s: no notification for the block server (out of slots)\n", bs->driver->name);
        return false;
    }
    return true;
}

/* Thread t's receive loop: on endpoint, with the library's hooks. */
static void thread_server(struct block_server *bs, struct block_server_thread *t, uint64_t endpoint)
{
    t->bs = bs;
    t->owed_answer = SERVER_NO_REPLY;
    t->server = (struct server){.name = bs->driver->name,
                                .endpoint = endpoint,
                                .cspace = PROC_SLOT_CSPACE,
                                .ops = block_ops,
                                .op_count = sizeof block_ops / sizeof block_ops[0],
                                .context = bs,
                                .notification = notified,
                                .notification_any_word = true,
                                .notification_answer = notified_answer,
                                .call_arrived = call_arrived,
                                .receive_failed = receive_failed,
                                .slot_alloc = receive_slots,
                                .slot_free = reply_slot_free,
                                .receive_caps = MSG_MAX_CAPS};
}

struct block_server *block_server_create(const struct block_server_driver *driver)
{
    struct block_server *bs = calloc(1, sizeof *bs);
    if (!bs) {
        printf("%s: no memory for the block server\n", driver->name);
        return 0;
    }
    bs->driver = driver;
    bs->thread_count = 1;
    struct block_server_thread *t = &bs->threads[0];
    if (!thread_notification(bs, t, PROC_SLOT_THREAD)) {
        free(bs);
        return 0;
    }
    for (unsigned i = 0; i < BLOCK_SERVER_MAX_STARTED; i++)
        bs->free_ids[bs->free_id_count++] = BLOCK_SERVER_MAX_STARTED - 1 - i;
    /* The sessions' rings' page tables now: a driver that makes its server before it serves
       (a swap's new instance, servers/ahci) then borrows none in the first BLOCK_OPEN, inside
       the swap pause. Without them BLOCK_OPEN makes them itself. */
    vmap_tables(BLOCK_SERVER_RING_BASE);
    bs->instance = libsys_proc_info()->pid;
    thread_server(bs, t, PROC_SLOT_SERVICE);
    bs->current = t;
    the_server = bs;
    return bs;
}

/* Where service threads 1.. start: bind the notification, serve. */
static void thread_entry(void *arg)
{
    struct block_server_thread *t = arg;
    if (thread_bind_notification(t->thread.thread, t->notification) != ERR_OK)
        printf("%s: service thread %u: its notification cannot be bound\n", t->bs->driver->name,
               t->index);
    server_run(&t->server);
}

#define BLOCK_THREAD_STACK (32 * 1024)

/* server, one of several threads' loops: under the mutex, with the hooks that make its thread
   the current one. */
static void threaded_server(struct block_server *bs, struct server *server)
{
    server->mutex = &bs->mutex;
    server->call_arrived = threaded_call_arrived;
    server->notification_answer = threaded_notified_answer;
}

unsigned block_server_threads(struct block_server *bs, unsigned count, const uint64_t *cpus,
                              unsigned priority)
{
    if (count > BLOCK_SERVER_MAX_THREADS)
        count = BLOCK_SERVER_MAX_THREADS;
    if (count < 2 || bs->thread_count != 1)
        return bs->thread_count;
    if (!result_is_ok(mutex_init(&bs->mutex))) {
        printf("%s: no mutex for service threads; one thread serves\n", bs->driver->name);
        return 1;
    }
    /* Held while the threads start: each takes it before its loop's first slot (server_run),
       so only this thread allocates until block_server_run lets go of it. */
    mutex_lock(&bs->mutex);
    /* This thread is thread 0: on cpus[0], as each other on its own (the kernel places a new
       thread round robin and never moves it, so it could share a CPU with thread 1). */
    if (thread_set_affinity(PROC_SLOT_THREAD, cpus[0]) != ERR_OK)
        printf("%s: service thread 0 cannot be bound to CPU %llu\n", bs->driver->name,
               (unsigned long long)cpus[0]);
    unsigned made = 1;
    for (; made < count; made++) {
        struct block_server_thread *t = &bs->threads[made];
        uint64_t endpoint = 0;
        void *stack = malloc(BLOCK_THREAD_STACK);
        if (!stack || !result_is_ok(libsys_make_object(CAP_ENDPOINT, 0, &endpoint)) ||
            !thread_notification(bs, t, 0)) {
            printf("%s: service thread %u cannot be made\n", bs->driver->name, made);
            break;
        }
        t->index = made;
        t->endpoint = endpoint;
        bs->thread_count = made + 1;
        thread_server(bs, t, endpoint);
        threaded_server(bs, &t->server); /* before it starts: server_run reads it first */
        char name[16];
        snprintf(name, sizeof name, "%s-%u", bs->driver->name, made);
        struct libsys_thread_how how = {.name = name,
                                        .priority = priority,
                                        .cpu = cpus[made],
                                        .stack = stack,
                                        .stack_bytes = BLOCK_THREAD_STACK};
        if (!result_is_ok(libsys_thread_start(&t->thread, &how, thread_entry, t))) {
            printf("%s: service thread %u does not start\n", bs->driver->name, made);
            bs->thread_count = made;
            break;
        }
    }
    bs->threaded = made > 1;
    if (made > 1) { /* the driver's hooks through their wrappers (hand_over) */
        threaded_server(bs, &bs->threads[0].server);
        bs->own_driver = bs->driver;
        bs->threaded_driver = *bs->driver;
        bs->threaded_driver.start = threaded_start;
        if (bs->driver->interrupt)
            bs->threaded_driver.interrupt = threaded_interrupt;
        if (bs->driver->kick)
            bs->threaded_driver.kick = threaded_kick;
        bs->driver = &bs->threaded_driver;
    }
    if (made == 1)
        mutex_unlock(&bs->mutex);
    return bs->thread_count;
}

unsigned block_server_thread(const struct block_server *bs)
{
    return bs->current->index;
}

uint64_t block_server_waits_elsewhere(const struct block_server *bs)
{
    return bs->waits_elsewhere;
}

uint64_t block_server_thread_notification(struct block_server *bs, unsigned thread, unsigned bit)
{
    uint64_t slot =
        bit < BLOCK_SERVER_DRIVER_BITS && thread < bs->thread_count ? libsys_alloc_slot() : 0;
    if (slot && cspace_mint(PROC_SLOT_CSPACE, slot, bs->threads[thread].notification,
                            CAP_RIGHT_SEND, 1ull << (32 + bit), 0) != ERR_OK)
        return 0;
    return slot;
}

uint64_t block_server_driver_notification(struct block_server *bs, unsigned bit)
{
    return block_server_thread_notification(bs, 0, bit);
}

void block_server_count_retry(struct block_server *bs)
{
    bs->retries++;
}

void block_server_count_reset(struct block_server *bs)
{
    bs->resets++;
}

void *block_server_context(const struct block_server *bs)
{
    return bs->driver->context;
}

_Noreturn void block_server_run(struct block_server *bs)
{
    /* A driver's mistake, said at once. Here, not in block_server_create: a driver may make
       its server before it knows its disks (servers/ahci, before PROC_TAKE_OVER), and they
       are all known once it serves. */
    const struct block_server_driver *driver = bs->driver;
    for (unsigned i = 0; i < driver->disk_count; i++) {
        if (driver->disks[i].max_bytes > BLOCK_SERVER_MAX_BYTES) {
            printf("%s: disk %u: largest request %u bytes, more than the block server takes: "
                   "%lu\n",
                   driver->name, i, driver->disks[i].max_bytes, BLOCK_SERVER_MAX_BYTES);
            driver->disks[i].max_bytes = BLOCK_SERVER_MAX_BYTES;
        }
    }
    /* With threads, block_server_threads left the mutex held; the loop takes it per message. */
    if (bs->thread_count > 1)
        mutex_unlock(&bs->mutex);
    server_run(&bs->threads[0].server);
}
