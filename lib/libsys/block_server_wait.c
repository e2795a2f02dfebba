/*
 * The block server library's BLOCK_WAIT (lib/proto/block.h): a client waiting for its
 * completions, with the one request it may carry (the queue-depth-1 path, no ring touched) and
 * the completions the answer may carry back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libsys/block_server_internal.h"
#include "libsys/invoke.h"
#include "libsys/objects.h"
#include "libsys/vmap.h"

/* BLOCK_WAIT's submission in MR3..MR6 and its sequence number in MR7 (lib/proto/block.h). */
#define BLOCK_WAIT_SUBMITTING_LENGTH 8

void block_answer_carried(struct request *out, uint32_t tail, struct block_completion *done,
                          unsigned *count)
{
    request_set_word(out, 0, tail);
    request_set_word(out, 1, *count);
    for (unsigned i = 0; i < *count; i++) {
        request_set_word(out, 2 + 2 * i, done[i].tag);
        request_set_word(out, 3 + 2 * i, done[i].status);
    }
    out->length = 2 + 2 * *count;
    *count = 0;
}

/* BLOCK_WAIT with a submission of its own (s ready, carry its MR2). Sets *wait when the
   caller is to wait as for any request (it was taken, and the settle after the interrupt
   answers with its completion); else returns the answer: at once (it failed its checks, or a
   ramdisk did it) or SERVICE_BUSY (not taken). The depth-1 path: no ring touched. A call
   repeating the last sequence number is one request_call made again after a lost reply:
   nothing new is taken, and it is answered as a plain BLOCK_WAIT. */
static long take_submitted(struct server_call *call, struct block_session_state *s, uint64_t carry,
                           bool *wait)
{
    struct block_server *bs = call->server->context;
    uint64_t sequence = request_word(&call->in, 7);
    if (carry < 1 || carry > BLOCK_WAIT_CARRIED)
        return server_bad_argument(call, 2, 1, BLOCK_WAIT_CARRIED);
    if (sequence == 0)
        return server_bad_argument(call, 7, 1, UINT64_MAX);
    if (s->broken) {
        s->closing = true;
        return server_bad_argument(call, 0, 0, 0);
    }
    if (sequence == s->wait_sequence) { /* a repeat: wait for what is there */
        block_server_settle(bs);
        if (block_session_has_completions(s)) {
            request_set_word(&call->out, 0, s->cq_tail);
            call->out.length = 1;
            return SERVICE_OK;
        }
        *wait = true;
        return SERVICE_OK;
    }
    if (s->waiting)
        return SERVICE_BUSY;
    struct block_submission sub;
    uint64_t words[4];
    for (unsigned i = 0; i < 4; i++)
        words[i] = request_word(&call->in, 3 + i);
    __builtin_memcpy(&sub, words, sizeof sub); /* inline: a call per request else (block.c) */
    if (!block_wait_take(bs, (unsigned)(s - bs->sessions), &sub, sequence))
        return SERVICE_BUSY;
    if (s->done_count) {
        /* one request: carry is at least 1, and s->done holds at most it */
        block_answer_carried(&call->out, s->cq_tail, s->done, &s->done_count);
        return SERVICE_OK;
    }
    *wait = true;
    return SERVICE_OK;
}

/* BLOCK_WAIT: takes the session's submissions; answers when it has completions. It settles
   itself, before it looks (so what completes at once is answered at once, with no saved
   reply), and nothing after. */
long block_handle_wait(struct server_call *call)
{
    struct block_server *bs = call->server->context;
    long status;
    if (request_word(&call->in, 1) != bs->instance)
        return SERVICE_NOT_FOUND;
    struct block_session_state *s = block_caller_session(call, 0, &status);
    if (!s)
        return status;
    if (!s->ready)
        return server_bad_argument(call, 0, 0, 0);
    uint64_t carry = call->in.length > 2 ? request_word(&call->in, 2) : 0;
    if (call->in.length >= BLOCK_WAIT_SUBMITTING_LENGTH) {
        bool wait = false;
        long answer = take_submitted(call, s, carry, &wait);
        if (!wait)
            return answer; /* at once, or not taken (SERVICE_BUSY) */
    } else {
        block_server_settle(bs); /* takes its submissions; what completed at once is posted */
        if (s->broken) {
            s->closing = true; /* told now: it goes */
            return server_bad_argument(call, 0, 0, 0);
        }
        if (block_session_has_completions(s)) {
            request_set_word(&call->out, 0, s->cq_tail);
            call->out.length = 1;
            return SERVICE_OK;
        }
    }
    if (s->waiting)
        return SERVICE_BUSY;
    s->waiting = true;
    s->wait_carry = carry < BLOCK_WAIT_CARRIED ? (unsigned)carry : BLOCK_WAIT_CARRIED;
    struct block_server_thread *t = bs->current;
    if (t->owned == 1u << (s - bs->sessions) && t->save_waits == 0) {
        /* The thread's only session (and its own): its reply stays owed in the thread,
           unsaved, and the notification that brings its completion answers it
           (notified_answer). Another call would end it (block_owed_dropped), so with other
           sessions about it is saved. */
        s->wait_owed = true;
        t->owed = (unsigned)(s - bs->sessions) + 1;
        t->owed_answer = SERVER_NO_REPLY;
        return SERVER_NO_REPLY;
    }
    if (t->save_waits)
        t->save_waits--;
    if (cspace_save_reply(PROC_SLOT_CSPACE, s->wait_slot) != ERR_OK) {
        s->waiting = false;
        return SERVICE_INTERNAL;
    }
    if (s->thread != t->index) { /* another thread's session (called on the service endpoint): */
        bs->waits_elsewhere++;
        block_poke_owner(bs, s); /* its thread settles it and answers the saved reply */
    }
    return SERVER_NO_REPLY;
}
