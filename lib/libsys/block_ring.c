/*
 * The block client's rings (block.h): queueing requests, the BLOCK_WAIT call that carries the
 * last one and brings completions back, reaping. A server that went is noticed here and the
 * session opened again (block_reopen.c).
 *
 * Tags: the library puts its own tag in every submission, the index of the request's entry in
 * the session's in-flight table, and keeps the caller's tag there; so a completion names
 * exactly one request, and after a reopen the requests still in flight are submitted again
 * from that table. Waiting is BLOCK_WAIT, a call: if the server ends meanwhile, the kernel
 * ends the call (lib/proto/block.h), and the library reopens the disk.
 *
 * Small copies of fixed size are __builtin_memcpy: -ffreestanding makes every memcpy a library
 * call, and these run for every request (as in the server library's block_server*.c).
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "block/block_check.h"
#include "libsys/block_internal.h"
#include "libsys/invoke.h"
#include "libsys/objects.h"
#include "libsys/service.h"
#include "libsys/vmap.h"

/* Puts the request of entry i in the ring (there is room: at most BLOCK_RING_ENTRIES are in
   flight, and the server consumed what it completed). */
void block_enqueue(struct block_session *s, unsigned i)
{
    struct block_submission sub = s->entries[i].request;
    sub.tag = i;
    __builtin_memcpy((void *)&s->ring->sq[block_ring_slot(s->sq_tail)], &sub, sizeof sub);
    atomic_thread_fence(memory_order_release);
    s->ring->sq_tail = ++s->sq_tail;
}

/* Puts the request held back for the next BLOCK_WAIT (if any) in the ring after all. */
static void publish(struct block_session *s)
{
    if (!s->unpublished)
        return;
    unsigned i = s->unpublished - 1;
    s->unpublished = 0;
    block_enqueue(s, i);
}

/* Moves the completion of the request tagged tag (the library's tag) into pending; the entry
   is then free. A server's nonsense (a tag of no request in flight) is dropped. */
static void take_completion(struct block_session *s, uint64_t tag, uint32_t status)
{
    if (tag >= BLOCK_RING_ENTRIES || !s->entries[tag].used)
        return;
    s->entries[tag].used = false;
    s->in_flight--;
    s->pending[s->pending_count++] =
        (struct block_completion){.tag = s->entries[tag].request.tag, .status = status};
}

/* Moves the completions the ring holds into pending (take_completion). */
void block_harvest(struct block_session *s)
{
    uint32_t tail = s->ring->cq_tail;
    if (!block_ring_sane(s->cq_head, tail))
        return; /* a broken server: the reopen that follows starts a fresh ring */
    atomic_thread_fence(memory_order_acquire);
    while (s->cq_head != tail) {
        struct block_completion c;
        __builtin_memcpy(&c, (const void *)&s->ring->cq[block_ring_slot(s->cq_head)], sizeof c);
        s->ring->cq_head = ++s->cq_head;
        take_completion(s, c.tag, c.status);
    }
}

/* Takes the completions a BLOCK_WAIT answer m of length words carries (lib/proto/block.h), if
   any: all in registers (2 + 2 * BLOCK_WAIT_CARRIED words at most). */
_Static_assert(2 + 2 * BLOCK_WAIT_CARRIED <= MSG_REGISTERS, "carried completions in registers");
static void take_carried(struct block_session *s, const struct missive_msg *m, uint64_t length)
{
    uint64_t n = length >= 2 ? m->mr[1] : 0;
    for (uint64_t i = 0; i < n && i < BLOCK_WAIT_CARRIED && 3 + 2 * i < length; i++)
        take_completion(s, m->mr[2 + 2 * i], (uint32_t)m->mr[3 + 2 * i]);
}

/* BLOCK_WAIT's words for s into m (its MR0-MR7 are registers: the call needs no IPC buffer
   words, lib/proto/block.h), with the request held back for it, if any. Returns the length. */
#define BLOCK_WAIT_RETRIES 8 /* a lost call is made again this often, as request_call does */
static unsigned wait_message(struct block_session *s, struct missive_msg *m)
{
    m->mr[0] = s->session;
    m->mr[1] = s->instance;
    m->mr[2] = BLOCK_WAIT_CARRIED;
    if (!s->unpublished)
        return 3;
    struct block_submission sub = s->entries[s->unpublished - 1].request;
    sub.tag = s->unpublished - 1;
    _Static_assert(sizeof sub == 4 * sizeof(uint64_t), "a submission is MR3-MR6");
    __builtin_memcpy(&m->mr[3], &sub, sizeof sub);
    m->mr[7] = s->wait_sequence; /* the same on every try */
    return 8;
}

/* One BLOCK_WAIT for s, made again while it is lost (up to BLOCK_WAIT_RETRIES times, as
   request_call would): the kernel's result, the answer in *m. Made here rather than with
   request_call, which keeps IPC-buffer words and copies the message for its retries: every
   request at queue depth 1 waits once. */
static long wait_call(struct block_session *s, struct missive_msg *m)
{
    struct ipc_buffer *buffer = libsys_ipc_buffer;
    buffer->receive_slot = 0; /* the answer brings no capability (a server's loop may set it) */
    long k = ERR_OK;
    for (int attempt = 0; attempt < BLOCK_WAIT_RETRIES; attempt++) {
        unsigned length = wait_message(s, m);
        k = missive_syscall(SYS_CALL, s->session_endpoint, MSG_TAG(BLOCK_WAIT, length, 0), m);
        if (!SERVICE_CALL_LOST(k))
            break;
    }
    return k;
}

/* BLOCK_WAIT until the ring holds completions, reopening the disk when the server went.
   A lost call is not enough to reopen: a server that keeps the wait's reply owed in its
   thread, unsaved (lib/libsys/block_server_wait.c), loses it to any other client's call, and
   wait_call calls again. Only a server's answer (another instance: SERVICE_NOT_FOUND)
   says it went; a restarted server gives it at once, a dead one's endpoint waits for its
   successor as BLOCK_INFO would. After BLOCK_LOST_CALLS lost in a row it reopens anyway. */
#define BLOCK_LOST_CALLS 4
static long wait_completions(struct block_session *s)
{
    for (unsigned lost = 0;;) {
        if (s->in_flight > 1)
            publish(s); /* the server takes a call's own request only when it is the one */
        struct missive_msg m = {0};
        long k = wait_call(s, &m);
        if (k == ERR_OK && MSG_LABEL(m.tag) == SERVICE_OK) {
            s->unpublished = 0; /* taken (or answered) */
            take_carried(s, &m, MSG_LENGTH(m.tag));
            return 0;
        }
        struct request r = {.label = MSG_LABEL(m.tag), .length = MSG_LENGTH(m.tag), .msg = m};
        struct result e = request_result(k, &r);
        if (s->unpublished && result_is_service(e, SERVICE_BUSY)) {
            publish(s); /* not taken: through the ring, and wait again */
            continue;
        }
        if (SERVICE_CALL_LOST(k) && ++lost < BLOCK_LOST_CALLS)
            continue;
        lost = 0;
        bool cut_off = result_is_service(e, SERVICE_BAD_ARGUMENT);
        /* A serving thread's endpoint that fails (deleted with its instance) says the server
           went: reopen through the named endpoint, as after a restart. */
        bool thread_gone = k != ERR_OK && s->session_endpoint != s->endpoint;
        if (!SERVICE_CALL_LOST(k) && !result_is_service(e, SERVICE_NOT_FOUND) && !cut_off &&
            !thread_gone)
            return block_failure(e);
        long error = block_reopen_session(s, cut_off);
        if (error != 0)
            return error;
        if (s->pending_count || s->failed)
            return 0;
    }
}

long block_submit(struct block_session *s, const struct block_submission *request)
{
    /* Completions not yet reaped hold their place too: pending never overflows. */
    while (s->in_flight + s->pending_count >= BLOCK_RING_ENTRIES) {
        if (s->in_flight == 0)
            return -(long)SERVICE_BUSY; /* the caller must reap first */
        long error = wait_completions(s);
        if (error != 0)
            return error;
        block_harvest(s);
    }
    if (s->failed) { /* completes at once, where the caller reaps it */
        s->pending[s->pending_count++] =
            (struct block_completion){.tag = request->tag, .status = BLOCK_ERROR_NO_DEVICE};
        return 0;
    }
    unsigned i = 0;
    while (s->entries[i].used)
        i++;
    s->entries[i] = (struct block_request_entry){true, *request};
    s->in_flight++;
    publish(s); /* the one before goes in the ring: only the last waits for BLOCK_WAIT */
    s->unpublished = i + 1;
    s->wait_sequence++;
    return 0;
}

void block_kick(struct block_session *s)
{
    publish(s);
    atomic_thread_fence(memory_order_seq_cst); /* sq_tail out before need_wake is read */
    if (!s->ring->server_need_wake)
        return;
    s->ring->server_need_wake = 0;
    struct missive_msg msg = {0};
    /* A doorbell that is gone means the server went: the next wait reopens. */
    missive_syscall(SYS_SEND, s->doorbell, 0, &msg);
}

long block_reap(struct block_session *s, struct block_completion *out, unsigned max)
{
    block_harvest(s);
    while (s->pending_count == 0 && s->in_flight > 0) {
        long error = wait_completions(s);
        if (error != 0)
            return error;
        if (s->pending_count == 0) /* the answer carried none: they are in the ring */
            block_harvest(s);
    }
    /* By hand: a few entries (one at queue depth 1), where a library call costs more. */
    unsigned n = s->pending_count < max ? s->pending_count : max;
    for (unsigned i = 0; i < n; i++)
        out[i] = s->pending[i];
    for (unsigned i = n; i < s->pending_count; i++)
        s->pending[i - n] = s->pending[i];
    s->pending_count -= n;
    return n;
}
