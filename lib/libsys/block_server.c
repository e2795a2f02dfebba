/*
 * The block server library's control side (block_server.h): the requests of lib/proto/block.h
 * decoded on the server library (server.h), the session table, the frames clients share, and
 * the slots they are kept in. The rings themselves are block_server_queue.c's.
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

/* --- sessions --------------------------------------------------------------------------- */

/* The caller's session named by MR word (1..BLOCK_MAX_SESSIONS), or NULL after shaping the
   answer: SERVICE_BAD_ARGUMENT for a number out of range or a session cut off for a bad ring
   (then it goes), SERVICE_NOT_FOUND for one that is not the caller's. *status says which. */
static struct block_session_state *caller_session(struct server_call *call, unsigned word,
                                                  long *status)
{
    struct block_server *bs = call->server->context;
    uint64_t number = request_word(&call->in, word);
    if (number < 1 || number > BLOCK_MAX_SESSIONS) {
        *status = server_bad_argument(call, word, 1, BLOCK_MAX_SESSIONS);
        return 0;
    }
    struct block_session_state *s = &bs->sessions[number - 1];
    if (!s->used || s->owner != call->badge || s->closing || s->gone) {
        *status = SERVICE_NOT_FOUND;
        return 0;
    }
    if (s->broken) {
        *status = server_bad_argument(call, word, 0, 0);
        s->closing = true; /* told once: it goes when the driver has given everything back */
        return 0;
    }
    return s;
}

/* Whether the capability in slot is of type with at least rights (and, if size_bits is not 0,
   that size). */
static bool capability_is(uint64_t slot, uint64_t type, uint64_t rights, uint64_t size_bits)
{
    struct cspace_identity id;
    return cspace_identify(PROC_SLOT_CSPACE, slot, &id) == ERR_OK && id.type == type &&
           (id.rights & rights) == rights && (size_bits == 0 || id.size == size_bits);
}

/* A free entry of the session table, after reclaiming those whose client went away (its ring
   frame vanished with its memory) or that were cut off and never asked again: its index, or
   BLOCK_MAX_SESSIONS. Entries are taken in turn, not lowest first, so that clients opening one
   after another get different ones (a driver may spread sessions over its queues by index) and
   a closed session's number is not at once another's. */
static unsigned free_session(struct block_server *bs)
{
    for (int pass = 0; pass < 2; pass++) {
        for (unsigned n = 0; n < BLOCK_MAX_SESSIONS; n++) {
            unsigned i = (bs->next_session + n) % BLOCK_MAX_SESSIONS;
            if (!bs->sessions[i].used) {
                bs->next_session = (i + 1) % BLOCK_MAX_SESSIONS;
                return i;
            }
        }
        for (unsigned i = 0; i < BLOCK_MAX_SESSIONS; i++) {
            struct block_session_state *s = &bs->sessions[i];
            if (s->used && (!block_session_alive(s) || s->broken))
                s->gone = true;
        }
        block_server_settle(bs);
    }
    return BLOCK_MAX_SESSIONS;
}

/* Whether owner may open one more session: fewer than BLOCK_CLIENT_SESSIONS, so that one
   client cannot take the whole table. At the limit, its sessions never shared whole (a
   client that gave up half way, or crashed inside block_open) are let go first: they have
   no requests, and their owner is the one asking. */
static bool owner_has_room(struct block_server *bs, uint64_t owner)
{
    unsigned held = 0;
    for (int pass = 0; pass < 2; pass++) {
        held = 0;
        for (unsigned i = 0; i < BLOCK_MAX_SESSIONS; i++) {
            struct block_session_state *s = &bs->sessions[i];
            if (!s->used || s->owner != owner)
                continue;
            if (pass == 1 && !s->ready && s->started == 0 && !s->close_waiting)
                block_session_release(bs, i);
            else
                held++;
        }
        if (held < BLOCK_CLIENT_SESSIONS)
            return true;
    }
    return false;
}

/* --- requests --------------------------------------------------------------------------- */

/* BLOCK_INFO: MR0 disk -> its geometry, model and serial. */
static long handle_info(struct server_call *call)
{
    struct block_server *bs = call->server->context;
    uint64_t index = request_word(&call->in, 0);
    if (index >= bs->driver->disk_count)
        return SERVICE_NOT_FOUND;
    const struct block_disk_info *d = &bs->driver->disks[index];
    request_set_word(&call->out, 0, d->sector_size);
    request_set_word(&call->out, 1, d->sectors);
    request_set_word(&call->out, 2, d->flags);
    request_set_word(&call->out, 3, d->depth);
    request_set_word(&call->out, 4, d->max_bytes);
    request_put_bytes(&call->out, 5, d->model, BLOCK_MODEL_BYTES);
    request_put_bytes(&call->out, 10, d->serial, BLOCK_SERIAL_BYTES);
    call->out.length = 13;
    return SERVICE_OK;
}

/* BLOCK_OPEN's arguments, checked in order; SERVICE_OK or the answer. */
static long decode_open(struct server_call *call)
{
    struct block_server *bs = call->server->context;
    uint64_t disk = request_word(&call->in, 0), bits = request_word(&call->in, 1);
    uint64_t count = request_word(&call->in, 2);
    if (bs->driver->disk_count == 0)
        return SERVICE_NOT_FOUND; /* no range to name: disk_count - 1 would wrap */
    if (disk >= bs->driver->disk_count)
        return server_bad_argument(call, 0, 0, bs->driver->disk_count - 1);
    if (bits != FRAME_SMALL_BITS && bits != FRAME_LARGE_BITS)
        return server_bad_argument(call, 1, FRAME_SMALL_BITS, FRAME_LARGE_BITS);
    if (count < 1 || count > BLOCK_REGION_MAX_FRAMES)
        return server_bad_argument(call, 2, 1, BLOCK_REGION_MAX_FRAMES);
    if (call->received_count < 1 ||
        !capability_is(call->received, CAP_NOTIFICATION, CAP_RIGHT_SEND, 0))
        return server_bad_argument(call, SERVICE_ARGUMENT_CAP, 0, 0);
    if (call->received_count < 2 ||
        !capability_is(call->received + 1, CAP_FRAME, CAP_RIGHT_READ | CAP_RIGHT_WRITE,
                       FRAME_SMALL_BITS))
        return server_bad_argument(call, SERVICE_ARGUMENT_CAP + 1, 0, 0);
    if (bs->driver->disks[disk].flags & BLOCK_INFO_FAILED)
        return SERVICE_BUSY;
    return SERVICE_OK;
}

/* BLOCK_OPEN: a session on a disk, with the client's notification and ring frame -> the
   session, the instance, the doorbell. */
static long handle_open(struct server_call *call)
{
    struct block_server *bs = call->server->context;
    long status = decode_open(call);
    if (status != SERVICE_OK)
        return status;
    if (!owner_has_room(bs, call->badge))
        return SERVICE_QUOTA;
    unsigned index = free_session(bs);
    if (index == BLOCK_MAX_SESSIONS)
        return SERVICE_TOO_MANY;
    struct block_session_state *s = &bs->sessions[index];
    unsigned count = (unsigned)request_word(&call->in, 2);
    uint64_t slots = block_slots_take(bs, SESSION_SLOT_FRAMES + count);
    uint64_t wait_slot = block_slots_take(bs, 1), close_slot = block_slots_take(bs, 1);
    uint64_t doorbell = block_slots_take(bs, 1);
    uint64_t *physical = calloc(count, sizeof *physical);
    uint64_t ring_at = BLOCK_SERVER_RING_BASE + ((uint64_t)index << PAGE_BITS);
    if (!slots || !wait_slot || !close_slot || !doorbell || !physical ||
        cspace_move(PROC_SLOT_CSPACE, slots + SESSION_SLOT_RING, call->received + 1, 0) ||
        cspace_move(PROC_SLOT_CSPACE, slots + SESSION_SLOT_CLIENT, call->received, 0) ||
        vmap_frame(slots + SESSION_SLOT_RING, ring_at, CAP_RIGHT_READ | CAP_RIGHT_WRITE) ||
        cspace_mint(PROC_SLOT_CSPACE, doorbell, bs->notification, CAP_RIGHT_SEND, 1ull << index,
                    0)) {
        cspace_delete(PROC_SLOT_CSPACE, slots + SESSION_SLOT_RING);
        cspace_delete(PROC_SLOT_CSPACE, slots + SESSION_SLOT_CLIENT);
        block_slots_give(bs, slots, SESSION_SLOT_FRAMES + count);
        block_slots_give(bs, wait_slot, 1);
        block_slots_give(bs, close_slot, 1);
        block_slots_give(bs, doorbell, 1);
        free(physical);
        return SERVICE_NO_MEMORY;
    }
    *s = (struct block_session_state){.used = true,
                                      .owner = call->badge,
                                      .disk = (unsigned)request_word(&call->in, 0),
                                      .frame_bits = (unsigned)request_word(&call->in, 1),
                                      .frame_count = count,
                                      .slots = slots,
                                      .wait_slot = wait_slot,
                                      .close_slot = close_slot,
                                      .physical = physical,
                                      .ring = (volatile struct block_ring *)ring_at,
                                      .generation = s->generation};
    memset((void *)s->ring, 0, 1ul << PAGE_BITS);
    bs->used_mask |= 1u << index;
    request_set_word(&call->out, 0, index + 1);
    request_set_word(&call->out, 1, bs->instance);
    call->out.length = 2;
    return server_reply_cap(call, doorbell);
}

/* BLOCK_SHARE: the region's next frames. */
static long handle_share(struct server_call *call)
{
    struct block_server *bs = call->server->context;
    long status;
    if (request_word(&call->in, 2) != bs->instance)
        return SERVICE_NOT_FOUND; /* a session of an earlier instance: never another's */
    struct block_session_state *s = caller_session(call, 0, &status);
    if (!s)
        return status;
    uint64_t first = request_word(&call->in, 1);
    if (first != s->frames_received || s->frames_received == s->frame_count)
        return server_bad_argument(call, 1, s->frames_received, s->frames_received);
    unsigned n = call->received_count;
    if (n == 0)
        return server_bad_argument(call, SERVICE_ARGUMENT_CAP, 0, 0);
    if (n > s->frame_count - s->frames_received)
        n = s->frame_count - s->frames_received; /* the others are deleted unused */
    uint64_t rights = CAP_RIGHT_READ | CAP_RIGHT_WRITE | CAP_RIGHT_PHYS;
    for (unsigned i = 0; i < n; i++)
        if (!capability_is(call->received + i, CAP_FRAME, rights, s->frame_bits))
            return server_bad_argument(call, SERVICE_ARGUMENT_CAP + i, 0, 0);
    unsigned index = (unsigned)(s - bs->sessions);
    for (unsigned i = 0; i < n; i++) {
        unsigned f = s->frames_received;
        uint64_t slot = s->slots + SESSION_SLOT_FRAMES + f;
        uint8_t *at = (uint8_t *)(BLOCK_SERVER_REGION_BASE + index * BLOCK_SERVER_REGION_SPAN +
                                  ((uint64_t)f << s->frame_bits));
        if (cspace_move(PROC_SLOT_CSPACE, slot, call->received + i, 0) ||
            frame_physical_address(slot, &s->physical[f]) ||
            (bs->driver->map_regions &&
             vmap_frame(slot, (uint64_t)at, CAP_RIGHT_READ | CAP_RIGHT_WRITE))) {
            cspace_delete(PROC_SLOT_CSPACE, slot);
            return SERVICE_NO_MEMORY;
        }
        s->frames_received++;
    }
    if (s->frames_received == s->frame_count) {
        s->ready = true;
        if (bs->driver->map_regions)
            s->region = (uint8_t *)(BLOCK_SERVER_REGION_BASE + index * BLOCK_SERVER_REGION_SPAN);
    }
    request_set_word(&call->out, 0, s->frames_received);
    call->out.length = 1;
    return SERVICE_OK;
}

/* BLOCK_CLOSE: answered once the driver has given back the session's requests. A session
   cut off for a bad ring (closing already) may be closed too: that is how its client learns
   that the old requests no longer touch its region before it opens again. */
static long handle_close(struct server_call *call)
{
    struct block_server *bs = call->server->context;
    uint64_t number = request_word(&call->in, 0);
    if (request_word(&call->in, 1) != bs->instance)
        return SERVICE_NOT_FOUND; /* a session of an earlier instance: never another's */
    if (number < 1 || number > BLOCK_MAX_SESSIONS)
        return server_bad_argument(call, 0, 1, BLOCK_MAX_SESSIONS);
    struct block_session_state *s = &bs->sessions[number - 1];
    if (!s->used || s->owner != call->badge || s->gone || s->close_waiting)
        return SERVICE_NOT_FOUND;
    s->closing = true;
    if (s->started == 0) {
        block_session_release(bs, (unsigned)(s - bs->sessions));
        return SERVICE_OK;
    }
    if (cspace_save_reply(PROC_SLOT_CSPACE, s->close_slot) != ERR_OK)
        return SERVICE_OK; /* it goes anyway; the caller is told now */
    s->close_waiting = true;
    return SERVER_NO_REPLY;
}

/* BLOCK_STATS: the counters. */
static long handle_stats(struct server_call *call)
{
    struct block_server *bs = call->server->context;
    unsigned open = 0;
    for (unsigned i = 0; i < BLOCK_MAX_SESSIONS; i++)
        open += bs->sessions[i].used;
    uint64_t words[] = {bs->driver->disk_count,
                        open,
                        bs->completed,
                        bs->failed,
                        bs->retries,
                        bs->resets,
                        bs->cut_off};
    for (unsigned i = 0; i < sizeof words / sizeof words[0]; i++)
        request_set_word(&call->out, i, words[i]);
    call->out.length = sizeof words / sizeof words[0];
    return SERVICE_OK;
}

/* BLOCK_WAIT's submission in MR3..MR6 and its sequence number in MR7 (lib/proto/block.h). */
#define BLOCK_WAIT_SUBMITTING_LENGTH 8

/* Answers call with s's reported completions carried (at most BLOCK_WAIT_CARRIED; the
   caller asked for them), not through the ring. */
static long answer_carried(struct server_call *call, struct block_session_state *s)
{
    request_set_word(&call->out, 0, s->cq_tail);
    request_set_word(&call->out, 1, s->done_count);
    for (unsigned i = 0; i < s->done_count; i++) {
        request_set_word(&call->out, 2 + 2 * i, s->done[i].tag);
        request_set_word(&call->out, 3 + 2 * i, s->done[i].status);
    }
    call->out.length = 2 + 2 * s->done_count;
    s->done_count = 0;
    return SERVICE_OK;
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
    if (s->done_count)
        return answer_carried(call, s); /* one request: carry is at least 1 */
    *wait = true;
    return SERVICE_OK;
}

/* BLOCK_WAIT: takes the session's submissions; answers when it has completions. It settles
   itself, before it looks (so what completes at once is answered at once, with no saved
   reply), and nothing after. */
static long handle_wait(struct server_call *call)
{
    struct block_server *bs = call->server->context;
    long status;
    if (request_word(&call->in, 1) != bs->instance)
        return SERVICE_NOT_FOUND;
    struct block_session_state *s = caller_session(call, 0, &status);
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
    if (bs->used_mask == 1u << (s - bs->sessions) && bs->save_waits == 0) {
        /* The only session: its reply stays owed in the thread, unsaved, and the notification
           that brings its completion answers it (notified_answer). Another call would end
           it (block_owed_dropped), so with other sessions about it is saved. */
        s->wait_owed = true;
        bs->owed = (unsigned)(s - bs->sessions) + 1;
        bs->owed_answer = SERVER_NO_REPLY;
        return SERVER_NO_REPLY;
    }
    if (bs->save_waits)
        bs->save_waits--;
    if (cspace_save_reply(PROC_SLOT_CSPACE, s->wait_slot) != ERR_OK) {
        s->waiting = false;
        return SERVICE_INTERNAL;
    }
    return SERVER_NO_REPLY;
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
BLOCK_HANDLER(info_request, handle_info)
BLOCK_HANDLER(open_request, handle_open)
BLOCK_HANDLER(share_request, handle_share)
BLOCK_HANDLER(close_request, handle_close)
BLOCK_HANDLER(stats_request, handle_stats)

/* BLOCK_WAIT first: the table is searched in order, and it comes with every request. */
static const struct server_op block_ops[] = {
    {BLOCK_WAIT, 2, 0, 0, handle_wait},    {BLOCK_INFO, 1, 0, 0, info_request},
    {BLOCK_OPEN, 3, 0, 0, open_request},   {BLOCK_SHARE, 3, 0, 0, share_request},
    {BLOCK_CLOSE, 2, 0, 0, close_request}, {BLOCK_STATS, 0, 0, 0, stats_request},
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

/* The bound notification fired (notified), and the answer to the BLOCK_WAIT the thread owes
   unsaved, if settle readied it: the loop's next receive (SYS_REPLY_RECV) sends it. Nothing
   owed: SERVICE_BAD_LABEL, which answers a client that sent the label itself, if any. */
static long notified_answer(struct server_call *call)
{
    struct block_server *bs = call->server->context;
    notified(call->server, call->badge);
    if (!bs->owed)
        return SERVICE_BAD_LABEL;
    if ((uint32_t)call->badge != 0 && bs->owed_answer == SERVER_NO_REPLY) {
        /* A doorbell, or a client's call labelled as a notification: the two look alike, and
           a call has ended the owed reply in the kernel, so what answers now goes to that
           caller. Holding on would hand it the next interrupt's carried completions, which
           are in no ring: the owed client, calling again, would wait for them for ever. So
           the owed wait is answered now, carrying nothing (its completions stay in the ring);
           a real owed client just waits again. */
        struct block_session_state *s = &bs->sessions[bs->owed - 1];
        s->waiting = false;
        s->wait_owed = false;
        bs->owed_answer = SERVICE_OK;
        bs->owed_tail = s->cq_tail;
        bs->owed_carried_count = 0;
        bs->save_waits = BLOCK_MAX_SESSIONS * 2; /* a forger calling again gains nothing */
    }
    long status = bs->owed_answer;
    if (status == SERVER_NO_REPLY)
        return SERVER_NO_REPLY; /* still owed: a later notification answers it */
    bs->owed = 0;
    bs->owed_answer = SERVER_NO_REPLY;
    if (status != SERVICE_OK)
        return status;
    request_set_word(&call->out, 0, bs->owed_tail);
    request_set_word(&call->out, 1, bs->owed_carried_count);
    for (unsigned i = 0; i < bs->owed_carried_count; i++) {
        request_set_word(&call->out, 2 + 2 * i, bs->owed_carried[i].tag);
        request_set_word(&call->out, 3 + 2 * i, bs->owed_carried[i].status);
    }
    call->out.length = 2 + 2 * bs->owed_carried_count;
    bs->owed_carried_count = 0;
    return status;
}

/* Any call ended the BLOCK_WAIT reply the thread owed unsaved (server.h's call_arrived). */
static void call_arrived(struct server *server)
{
    block_owed_dropped(server->context);
}

/* A receive failed: the server goes on (a client that vanished mid-call is no reason). */
static bool receive_failed(struct server *server, long error)
{
    (void)server;
    (void)error;
    return true;
}

struct block_server *block_server_create(const struct block_server_driver *driver)
{
    struct block_server *bs = calloc(1, sizeof *bs);
    uint64_t notification = 0;
    if (!bs || !result_is_ok(libsys_make_object(CAP_NOTIFICATION, 0, &notification)) ||
        thread_bind_notification(PROC_SLOT_THREAD, notification) != ERR_OK) {
        printf("%s: no notification for the block server (out of memory or slots)\n", driver->name);
        free(bs);
        return 0;
    }
    for (unsigned i = 0; i < driver->disk_count; i++) { /* a driver's mistake, said at once */
        if (driver->disks[i].max_bytes > BLOCK_SERVER_MAX_BYTES) {
            printf("%s: disk %u: largest request %u bytes, more than the block server takes: "
                   "%lu\n",
                   driver->name, i, driver->disks[i].max_bytes, BLOCK_SERVER_MAX_BYTES);
            driver->disks[i].max_bytes = BLOCK_SERVER_MAX_BYTES;
        }
    }
    for (unsigned i = 0; i < BLOCK_SERVER_MAX_STARTED; i++)
        bs->free_ids[bs->free_id_count++] = BLOCK_SERVER_MAX_STARTED - 1 - i;
    bs->driver = driver;
    bs->notification = notification;
    bs->resume = libsys_alloc_slot();
    if (!bs->resume ||
        cspace_mint(PROC_SLOT_CSPACE, bs->resume, notification, CAP_RIGHT_SEND, 1, 0) != ERR_OK) {
        printf("%s: no notification for the block server (out of slots)\n", driver->name);
        free(bs);
        return 0;
    }
    bs->instance = libsys_proc_info()->pid;
    bs->owed_answer = SERVER_NO_REPLY;
    bs->server = (struct server){.name = driver->name,
                                 .endpoint = PROC_SLOT_SERVICE,
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
    the_server = bs;
    return bs;
}

uint64_t block_server_driver_notification(struct block_server *bs, unsigned bit)
{
    uint64_t slot = bit < BLOCK_SERVER_DRIVER_BITS ? libsys_alloc_slot() : 0;
    if (slot && cspace_mint(PROC_SLOT_CSPACE, slot, bs->notification, CAP_RIGHT_SEND,
                            1ull << (32 + bit), 0) != ERR_OK)
        return 0;
    return slot;
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
    server_run(&bs->server);
}
