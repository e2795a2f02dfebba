/*
 * The block server library's sessions (block_server.h): the session table and the control
 * requests of lib/proto/block.h that shape it (BLOCK_INFO, BLOCK_OPEN, BLOCK_SHARE,
 * BLOCK_CLOSE, BLOCK_STATS), with the frames clients share.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libsys/block_server_internal.h"
#include "libsys/invoke.h"
#include "libsys/objects.h"
#include "libsys/vmap.h"

/* The caller's session named by MR word (1..BLOCK_MAX_SESSIONS), or NULL after shaping the
   answer: SERVICE_BAD_ARGUMENT for a number out of range or a session cut off for a bad ring
   (then it goes), SERVICE_NOT_FOUND for one that is not the caller's. *status says which. */
struct block_session_state *block_caller_session(struct server_call *call, unsigned word,
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

/* BLOCK_INFO: MR0 disk -> its geometry, model and serial. */
long block_handle_info(struct server_call *call)
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

/* Mints into slot the thread's endpoint badged as the client's own (its process id, as
   procsrv badges the service endpoint), so the thread knows the caller as it would there.
   Returns the kernel's error. */
static long mint_endpoint(uint64_t slot, uint64_t endpoint, uint64_t badge)
{
    return cspace_mint(PROC_SLOT_CSPACE, slot, endpoint, CAP_RIGHT_SEND | CAP_RIGHT_GRANT, badge,
                       0);
}

/* BLOCK_OPEN: a session on a disk, with the client's notification and ring frame -> the
   session, the instance, the doorbell. */
long block_handle_open(struct server_call *call)
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
    uint64_t said = call->in.length > 3 ? request_word(&call->in, 3) : 0;
    unsigned cpu = said <= BLOCK_MAX_CPUS ? (unsigned)said : 0; /* nonsense: not said */
    uint64_t slots = block_slots_take(bs, SESSION_SLOT_FRAMES + count);
    uint64_t wait_slot = block_slots_take(bs, 1), close_slot = block_slots_take(bs, 1);
    uint64_t doorbell = block_slots_take(bs, 1);
    /* Its thread: that of the client's CPU (block_server.h); with one thread, thread 0. */
    unsigned thread = (cpu ? cpu - 1 : index) % bs->thread_count;
    struct block_server_thread *owner = &bs->threads[thread];
    uint64_t endpoint = owner->endpoint ? block_slots_take(bs, 1) : 0;
    uint64_t *physical = calloc(count, sizeof *physical);
    uint64_t ring_at = BLOCK_SERVER_RING_BASE + ((uint64_t)index << PAGE_BITS);
    if (!slots || !wait_slot || !close_slot || !doorbell || !physical ||
        (owner->endpoint && (!endpoint || mint_endpoint(endpoint, owner->endpoint, call->badge))) ||
        cspace_move(PROC_SLOT_CSPACE, slots + SESSION_SLOT_RING, call->received + 1, 0) ||
        cspace_move(PROC_SLOT_CSPACE, slots + SESSION_SLOT_CLIENT, call->received, 0) ||
        vmap_frame(slots + SESSION_SLOT_RING, ring_at, CAP_RIGHT_READ | CAP_RIGHT_WRITE) ||
        cspace_mint(PROC_SLOT_CSPACE, doorbell, owner->notification, CAP_RIGHT_SEND, 1ull << index,
                    0)) {
        cspace_delete(PROC_SLOT_CSPACE, slots + SESSION_SLOT_RING);
        cspace_delete(PROC_SLOT_CSPACE, slots + SESSION_SLOT_CLIENT);
        block_slots_give(bs, slots, SESSION_SLOT_FRAMES + count);
        block_slots_give(bs, wait_slot, 1);
        block_slots_give(bs, close_slot, 1);
        block_slots_give(bs, doorbell, 1);
        if (endpoint) {
            cspace_delete(PROC_SLOT_CSPACE, endpoint);
            block_slots_give(bs, endpoint, 1);
        }
        free(physical);
        return SERVICE_NO_MEMORY;
    }
    *s = (struct block_session_state){.used = true,
                                      .owner = call->badge,
                                      .disk = (unsigned)request_word(&call->in, 0),
                                      .cpu = cpu,
                                      .thread = thread,
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
    owner->owned |= 1u << index;
    request_set_word(&call->out, 0, index + 1);
    request_set_word(&call->out, 1, bs->instance);
    call->out.length = 2;
    return server_reply_caps(call, doorbell, endpoint); /* endpoint 0: only the doorbell */
}

/* BLOCK_SHARE: the region's next frames. */
long block_handle_share(struct server_call *call)
{
    struct block_server *bs = call->server->context;
    long status;
    if (request_word(&call->in, 2) != bs->instance)
        return SERVICE_NOT_FOUND; /* a session of an earlier instance: never another's */
    struct block_session_state *s = block_caller_session(call, 0, &status);
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
long block_handle_close(struct server_call *call)
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
    block_poke_owner(bs, s); /* its thread lets it go once the driver gave everything back */
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
long block_handle_stats(struct server_call *call)
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
