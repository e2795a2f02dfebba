/*
 * The block server library's rings (block_server.h): taking a session's submissions, checking
 * each, handing the good ones to the driver, posting completions and waking clients by the
 * need_wake rule of lib/proto/block.h. The ring frame is shared with a client that may write
 * anything at any time, so every index and entry is read once into the server's own copy and
 * judged there.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "libsys/block_server_internal.h"
#include "libsys/invoke.h"

/* A full barrier: the need_wake rule stores a flag and then reads an index (and the other side
   the other way round); a store may not pass the load. */
static void full_barrier(void)
{
    atomic_thread_fence(memory_order_seq_cst);
}

/* Ends session s because its ring made no sense (the client only). */
static void break_session(struct block_server *bs, struct block_session_state *s)
{
    if (!s->broken)
        bs->cut_off++;
    s->broken = true;
    s->woken = true; /* a waiting BLOCK_WAIT is told */
}

/* Posts one completion to s (there is room: see take_one) and publishes it. */
static void post(struct block_session_state *s, uint64_t tag, uint32_t status)
{
    volatile struct block_completion *c = &s->ring->cq[block_ring_slot(s->cq_tail)];
    c->tag = tag;
    c->status = status;
    c->zero = 0;
    atomic_thread_fence(memory_order_release); /* the entry before the index */
    s->ring->cq_tail = ++s->cq_tail;
    s->woken = true;
}

/* A free entry of the started table, or BLOCK_SERVER_MAX_STARTED. */
static unsigned started_entry(struct block_server *bs)
{
    return bs->free_id_count ? bs->free_ids[--bs->free_id_count] : BLOCK_SERVER_MAX_STARTED;
}

/* Gives entry id of the started table back. */
static void started_free(struct block_server *bs, unsigned id)
{
    bs->started[id].used = false;
    bs->free_ids[bs->free_id_count++] = id;
}

/* Hands the checked submission sub of session index to the driver; false if it has no room
   (nothing changed then). */
static bool start(struct block_server *bs, unsigned index, const struct block_submission *sub)
{
    static struct block_segment segments[BLOCK_SERVER_MAX_SEGMENTS];
    struct block_session_state *s = &bs->sessions[index];
    const struct block_disk_info *disk = &bs->driver->disks[s->disk];
    unsigned id = started_entry(bs);
    if (id == BLOCK_SERVER_MAX_STARTED)
        return false;
    struct block_server_request r = {.id = id,
                                     .disk = s->disk,
                                     .session = index,
                                     .cpu = s->cpu,
                                     .op = sub->op,
                                     .flags = sub->flags,
                                     .count = sub->count,
                                     .lba = sub->lba,
                                     .bytes = (uint64_t)sub->count * disk->sector_size,
                                     .segments = segments};
    if (r.bytes) {
        r.segment_count = block_segments(s->physical, s->frame_count, s->frame_bits, sub->offset,
                                         r.bytes, segments, BLOCK_SERVER_MAX_SEGMENTS);
        r.data = s->region ? s->region + sub->offset : 0;
    }
    bs->started[id] = (struct block_started){true, index, s->generation, sub->tag};
    s->started++;
    if (!bs->driver->start(bs, &r)) {
        started_free(bs, id);
        s->started--;
        bs->driver_full = true;
        if (bs->threaded) /* a completion on any thread wakes it (block_server.c) */
            bs->starved |= 1u << bs->current->index;
        return false;
    }
    return true;
}

/* Whether s's completion queue has room for one more request's completion, given the
   client's cq_head (read once by the caller and already found sane): every request taken gets
   a completion, so those posted and not consumed, those the driver holds and those reported
   but not yet posted all count. A client that never consumes stalls only itself. */
static bool session_room(const struct block_session_state *s, uint32_t cq_head)
{
    return block_ring_count(cq_head, s->cq_tail) + s->started + s->done_count < BLOCK_RING_ENTRIES;
}

/* Reads s's ring indices once into *tail and *cq_head; false (and the session broken) if
   they make no sense, so session_room and the submission count can trust them. */
static bool read_indices(struct block_server *bs, struct block_session_state *s, uint32_t *tail,
                         uint32_t *cq_head)
{
    *tail = s->ring->sq_tail;
    *cq_head = s->ring->cq_head;
    if (!block_ring_sane(s->sq_head, *tail) || !block_ring_sane(*cq_head, s->cq_tail)) {
        break_session(bs, s);
        return false;
    }
    return true;
}

/* sub's status before the disk: its checks (lib/block/block_check.h) and the disk's state. */
static uint32_t check(const struct block_server *bs, const struct block_session_state *s,
                      const struct block_submission *sub)
{
    const struct block_disk_info *disk = &bs->driver->disks[s->disk];
    struct block_check_disk geometry = {disk->sector_size, disk->sectors, disk->max_bytes,
                                        (disk->flags & BLOCK_INFO_READ_ONLY) != 0};
    uint32_t status =
        block_check_request(sub, &geometry, (uint64_t)s->frame_count << s->frame_bits);
    if (status == BLOCK_OK && (disk->flags & BLOCK_INFO_FAILED))
        status = BLOCK_ERROR_NO_DEVICE;
    return status;
}

bool block_wait_take(struct block_server *bs, unsigned index, const struct block_submission *sub,
                     uint64_t sequence)
{
    struct block_session_state *s = &bs->sessions[index];
    if (s->started || s->done_count || s->closing || s->gone)
        return false;
    /* A driver that copies (map_regions) touches the client's region: as a ring, it is
       looked at first. A DMA driver only hands the device physical addresses. */
    if (bs->driver->map_regions && !block_session_alive(s)) {
        s->gone = true;
        return false;
    }
    uint32_t status = check(bs, s, sub);
    if (status != BLOCK_OK) {
        s->done[s->done_count++] = (struct block_completion){.tag = sub->tag, .status = status};
        bs->failed++;
    } else if (!start(bs, index, sub)) {
        return false;
    } else if (bs->driver->kick) {
        bs->driver->kick(bs);
    }
    s->wait_sequence = sequence;
    return true;
}

/* Takes one submission of session index if there is one and room for it: true if it took
   one (and should be asked again). */
static bool take_one(struct block_server *bs, unsigned index)
{
    struct block_session_state *s = &bs->sessions[index];
    volatile struct block_ring *ring = s->ring;
    uint32_t tail, cq_head;
    if (!read_indices(bs, s, &tail, &cq_head) || !session_room(s, cq_head) || tail == s->sq_head)
        return false;
    atomic_thread_fence(memory_order_acquire); /* the entry after the index */
    struct block_submission sub;
    /* Inline, not picolibc's memcpy: -ffreestanding makes each a call (block.c). */
    __builtin_memcpy(&sub, (const void *)&ring->sq[block_ring_slot(s->sq_head)], sizeof sub);
    uint32_t status = check(bs, s, &sub);
    if (status != BLOCK_OK) {
        post(s, sub.tag, status);
        bs->failed++;
    } else if (!start(bs, index, &sub)) {
        return false;
    }
    ring->sq_head = ++s->sq_head;
    return true;
}

void block_session_pump(struct block_server *bs, unsigned index)
{
    struct block_session_state *s = &bs->sessions[index];
    if (!s->used || !s->ready || s->broken || s->closing || s->gone)
        return;
    /* The ring is the client's: one that submits nonsense (completed at once) and consumes
       each completion as fast as it comes could keep this loop going forever. So a session
       gets at most a ring's worth of takes per pump, and one more look after asking for a
       doorbell; what is left waits for the next settle, which resume makes sure comes. */
    for (unsigned pass = 0, budget = BLOCK_RING_ENTRIES; pass < 2; pass++) {
        while (budget > 0 && take_one(bs, index))
            budget--;
        if (s->broken || bs->driver_full)
            return;
        /* About to stop: ask for a doorbell, then look once more (lib/proto/block.h). */
        s->ring->server_need_wake = 1;
        full_barrier();
        uint32_t tail, cq_head;
        if (!read_indices(bs, s, &tail, &cq_head) || tail == s->sq_head ||
            !session_room(s, cq_head))
            return;
        if (budget == 0 || pass == 1)
            break; /* need_wake stays 1: a doorbell is welcome too */
        s->ring->server_need_wake = 0;
    }
    /* Work is left and the client may not ring (it saw need_wake 0): signal ourselves so the
       service thread answers other calls first and then settles again. */
    struct missive_msg msg = {0};
    missive_syscall(SYS_SEND, bs->threads[s->thread].resume, 0, &msg);
}

bool block_session_alive(const struct block_session_state *s)
{
    struct cspace_identity id;
    return cspace_identify(PROC_SLOT_CSPACE, s->slots + SESSION_SLOT_RING, &id) == ERR_OK &&
           id.type == CAP_FRAME;
}

/* Moves the completions the driver reported into s's ring (there is room: see take_one). */
static void flush_done(struct block_session_state *s)
{
    for (unsigned i = 0; i < s->done_count; i++)
        post(s, s->done[i].tag, s->done[i].status);
    s->done_count = 0;
}

bool block_session_has_completions(const struct block_session_state *s)
{
    return s->ring && s->ring->cq_head != s->cq_tail;
}

/* Answers the BLOCK_WAIT saved for s with status (and the completion tail). */
static void answer_wait(struct block_session_state *s, long status)
{
    struct missive_msg msg = {.mr = {[0] = s->cq_tail}};
    long e =
        missive_syscall(SYS_SEND, s->wait_slot, MSG_TAG(status, status == SERVICE_OK, 0), &msg);
    if (e != ERR_OK)
        cspace_delete(PROC_SLOT_CSPACE, s->wait_slot);
    s->waiting = false;
}

/* Readies in t, the service thread that owes it unsaved, the answer to s's BLOCK_WAIT with
   status: the notification hook returns it (block_server.c), so the loop answers and receives
   in one system call. The carried completions are the caller's to set. */
static void ready_owed(struct block_server_thread *t, struct block_session_state *s, long status)
{
    t->owed_answer = status;
    t->owed_tail = s->cq_tail;
    s->waiting = false;
    s->wait_owed = false;
}

/* ready_owed, carrying nothing; readied on another thread (a session let go), the owing
   thread is signalled. */
static void answer_owed(struct block_server *bs, struct block_session_state *s, long status)
{
    struct block_server_thread *t = &bs->threads[s->thread];
    ready_owed(t, s, status);
    t->owed_carried_count = 0;
    block_poke_owner(bs, s);
}

/* Answers s's waiting BLOCK_WAIT, saved or owed. */
static void answer_waiting(struct block_server *bs, struct block_session_state *s, long status)
{
    if (s->wait_owed)
        answer_owed(bs, s, status);
    else
        answer_wait(s, status);
}

void block_owed_dropped(struct block_server *bs)
{
    struct block_server_thread *t = bs->current;
    if (!t->owed)
        return;
    struct block_session_state *s = &bs->sessions[t->owed - 1];
    /* Another thread may have released the session and given its entry to a client of its
       own, whose wait it owes: that one is not this thread's to clear. */
    if (s->wait_owed && s->thread == t->index) {
        s->waiting = false;
        s->wait_owed = false;
    }
    t->owed = 0;
    t->owed_answer = SERVER_NO_REPLY;
    t->save_waits = BLOCK_MAX_SESSIONS * 2; /* others call meanwhile: save for a while */
}

/* Wakes s's client after completions: its waiting BLOCK_WAIT, else its notification if it
   asked (client_need_wake). A client whose notification is gone went away. */
static void wake(struct block_server *bs, struct block_session_state *s)
{
    s->woken = false;
    if (s->waiting) {
        if (s->broken)
            answer_waiting(bs, s, SERVICE_NOT_FOUND);
        else if (block_session_has_completions(s))
            answer_waiting(bs, s, SERVICE_OK);
        return;
    }
    if (s->broken || !s->ring->client_need_wake)
        return;
    s->ring->client_need_wake = 0;
    struct missive_msg msg = {0};
    if (missive_syscall(SYS_SEND, s->slots + SESSION_SLOT_CLIENT, 0, &msg) == ERR_EMPTY_SLOT)
        s->gone = true;
}

/* Whether s's completions can go in the answer to its owed BLOCK_WAIT instead of its ring, so
   this settle need not touch the ring at all: a settle for the driver's bits alone (an
   interrupt or a tick, no doorbell), a client waiting in a BLOCK_WAIT the thread owes, and
   few enough completions for one answer. Its submissions are not taken then either: its
   client waits (one thread per session in the library), and a client that submits from
   another thread rings the doorbell, as server_need_wake (set by every pump that stops) asks,
   and that doorbell's settle takes them. */
static bool carry_in_answer(const struct block_server *bs, const struct block_session_state *s)
{
    return bs->driver_event && s->wait_owed && !s->broken && !s->gone && !s->closing &&
           s->done_count > 0 && s->done_count <= s->wait_carry;
}

/* Readies the answer to s's owed BLOCK_WAIT with its reported completions in it. */
static void carry(struct block_server *bs, struct block_session_state *s)
{
    /* No signal: settle visits the current thread's sessions only. */
    struct block_server_thread *t = bs->current;
    ready_owed(t, s, SERVICE_OK);
    for (unsigned i = 0; i < s->done_count; i++)
        t->owed_carried[i] = s->done[i];
    t->owed_carried_count = s->done_count;
    s->done_count = 0;
}

_Static_assert(BLOCK_MAX_SESSIONS == 32, "used_mask has a bit per session");

/* The index of the lowest set bit of bits (not 0). __builtin_ctz is one instruction (bsf);
   C11 has no portable way to say it. */
static unsigned lowest_bit(uint32_t bits)
{
    return (unsigned)__builtin_ctz(bits);
}

/* used rotated right by n (0..31): bit k says whether session (n + k) % 32 is in use. */
static uint32_t rotate_right(uint32_t used, unsigned n)
{
    return n ? (used >> n) | (used << (32 - n)) : used;
}

void block_server_settle(struct block_server *bs)
{
    /* settle runs for every doorbell, call and interrupt, and most sessions are free: only the
       sessions in use (used_mask) are visited (docs/disk-performance.md measured the walk over
       all of them at a thousand instructions a settle). */
    /* Only the current thread's sessions: another's are settled by their own thread, which
       answers their waits (block_server.h). */
    uint32_t mine = bs->current->owned;
    uint32_t carried = 0; /* sessions whose ring this settle leaves alone (carry_in_answer) */
    for (uint32_t left = mine; left; left &= left - 1) {
        unsigned i = lowest_bit(left);
        struct block_session_state *s = &bs->sessions[i];
        if (carry_in_answer(bs, s)) {
            carry(bs, s);
            carried |= 1u << i;
            continue;
        }
        /* Every ring this settle touches is looked at first: the client may have gone (or
           revoked the frame) while the server waited (docs/disk-performance.md). */
        if (!s->gone && !block_session_alive(s))
            s->gone = true;
        if (!s->gone && !s->broken)
            flush_done(s);
    }
    uint32_t pumped = mine & ~carried;
    for (int round = 0; round < 2 && pumped; round++) {
        bs->driver_full = false;
        /* In order from next_pump, as before: fairness between sessions. */
        uint32_t left = rotate_right(pumped, bs->next_pump);
        for (; left && !bs->driver_full; left &= left - 1)
            block_session_pump(bs, (bs->next_pump + lowest_bit(left)) % BLOCK_MAX_SESSIONS);
        bs->next_pump = (bs->next_pump + 1) % BLOCK_MAX_SESSIONS;
        /* Every pump that ended drained its session or asked for a doorbell: a second round
           finds more only where the driver refused a request (and may have room again if it
           completes at once), starting from the next session for fairness. */
        if (!bs->driver_full)
            break;
    }
    if (bs->driver->kick)
        bs->driver->kick(bs);
    for (uint32_t left = pumped; left; left &= left - 1) {
        unsigned i = lowest_bit(left);
        struct block_session_state *s = &bs->sessions[i];
        if (!s->gone && !s->broken)
            flush_done(s); /* what completed while the sessions were pumped (a ramdisk: all) */
        if (s->woken && !s->gone)
            wake(bs, s);
        if ((s->closing || s->gone) && s->started == 0)
            block_session_release(bs, i);
    }
}

void block_server_complete(struct block_server *bs, unsigned id, uint32_t status)
{
    if (id >= BLOCK_SERVER_MAX_STARTED || !bs->started[id].used)
        return;
    struct block_started *r = &bs->started[id];
    struct block_session_state *s = &bs->sessions[r->session];
    started_free(bs, id);
    bs->driver_full = false;
    if (status == BLOCK_OK)
        bs->completed++;
    else
        bs->failed++;
    if (!s->used || s->generation != r->generation)
        return;
    s->started--;
    if (bs->threaded && s->thread != bs->current->index) /* broken or gone too: see handed */
        bs->handed |= 1u << s->thread;
    if (!s->broken && !s->gone)
        s->done[s->done_count++] = (struct block_completion){.tag = r->tag, .status = status};
}

void block_session_release(struct block_server *bs, unsigned index)
{
    struct block_session_state *s = &bs->sessions[index];
    if (s->waiting)
        answer_waiting(bs, s, SERVICE_NOT_FOUND);
    if (s->close_waiting) {
        struct missive_msg msg = {0};
        if (missive_syscall(SYS_SEND, s->close_slot, MSG_TAG(SERVICE_OK, 0, 0), &msg) != ERR_OK)
            cspace_delete(PROC_SLOT_CSPACE, s->close_slot);
    }
    uint64_t run = SESSION_SLOT_FRAMES + s->frame_count;
    for (uint64_t i = 0; i < run; i++) {
        if (i == SESSION_SLOT_RING || (i >= SESSION_SLOT_FRAMES && s->region))
            frame_unmap(s->slots + i);
        cspace_delete(PROC_SLOT_CSPACE, s->slots + i);
    }
    block_slots_give(bs, s->slots, run);
    block_slots_give(bs, s->wait_slot, 1);
    block_slots_give(bs, s->close_slot, 1);
    free(s->physical);
    uint32_t generation = s->generation + 1;
    bs->threads[s->thread].owned &= ~(1u << index);
    *s = (struct block_session_state){.generation = generation};
    bs->used_mask &= ~(1u << index);
}
