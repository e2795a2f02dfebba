/*
 * The block client (block.h): discovery, sessions, the rings, blocking reads and writes, and
 * surviving a server that restarts or is swapped.
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
#include "libsys/block.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "block/block_check.h"
#include "libsys/invoke.h"
#include "libsys/objects.h"
#include "libsys/service.h"
#include "libsys/vmap.h"

/* Where sessions' rings and regions are mapped in a client, one window after the other. */
#define BLOCK_CLIENT_BASE   0x540000000000ul
#define BLOCK_CLIENT_WINDOW (4ul << 30) /* a ring page, then the region (at most 2 GiB) */
#define BLOCK_ENDPOINTS     8           /* servers whose endpoints are kept */
/* A restarting server is waited for about 30 s (an AHCI driver resets the HBA and spins each
   port up, up to 10 s a port): 20 ms, doubling to 500 ms a try. */
#define BLOCK_OPEN_WAIT_MS     30000
#define BLOCK_OPEN_FIRST_MS    20
#define BLOCK_OPEN_MAX_STEP_MS 500
#define BLOCK_SPARES           4 /* closed sessions whose memory and slots wait for the next open */

struct block_request_entry {
    bool used;
    struct block_submission request; /* tag: the caller's */
};

struct block_session {
    char server[PROTO_NAME_MAX + 1];
    unsigned disk;
    uint64_t endpoint;
    uint64_t notification, notification_badged, doorbell, ring_frame;
    volatile struct block_ring *ring;
    unsigned frame_bits, frame_count;
    uint64_t first_frame;
    uint8_t *region;
    size_t region_bytes;
    uint64_t session, instance;
    struct block_disk_info info;
    struct block_request_entry entries[BLOCK_RING_ENTRIES];
    unsigned in_flight;
    uint32_t sq_tail, cq_head;
    /* 1 + the entry submitted last and not yet in the ring (0: none): the next BLOCK_WAIT
       carries it (lib/proto/block.h), block_kick or the next block_submit puts it in the
       ring. */
    unsigned unpublished;
    uint64_t wait_sequence; /* unpublished's sequence number (one per request, not per try) */
    struct block_completion pending[BLOCK_RING_ENTRIES]; /* completed, not yet reaped */
    unsigned pending_count;
    unsigned reopens;
    bool failed; /* the disk reopened was not this one: every request fails (see reopen) */
};

static struct {
    char name[PROTO_NAME_MAX + 1];
    uint64_t slot;
} endpoints[BLOCK_ENDPOINTS];
static unsigned next_window;
/* Slots are never given back to libsys (it only counts up), so a program that opens and closes
   again and again (the shell's blk) reuses a closed session's objects: ring, notification,
   region, mapped where they were. */
static struct block_session *spares[BLOCK_SPARES];
/* The sessions open now, for block_move_sessions (a client holds a few at most). */
#define BLOCK_OPEN_MAX 16
static struct block_session *opened[BLOCK_OPEN_MAX];

/* Notes s as open (a client past BLOCK_OPEN_MAX open sessions cannot move the others). */
static void note_opened(struct block_session *s, bool open)
{
    for (unsigned i = 0; i < BLOCK_OPEN_MAX; i++) {
        if (open ? !opened[i] : opened[i] == s) {
            opened[i] = open ? s : 0;
            return;
        }
    }
}

/* A kernel error or a server status as the library's negative answer. */
static long failure(struct result e)
{
    if (e.source == RESULT_SERVICE)
        return -e.code;
    return -(long)SERVICE_INTERNAL;
}

/* The endpoint of server (looked up once, then kept), or 0 with *error set. */
static uint64_t server_endpoint(const char *server, long *error)
{
    unsigned free_entry = BLOCK_ENDPOINTS;
    for (unsigned i = 0; i < BLOCK_ENDPOINTS; i++) {
        if (endpoints[i].slot && strcmp(endpoints[i].name, server) == 0)
            return endpoints[i].slot;
        if (!endpoints[i].slot && free_entry == BLOCK_ENDPOINTS)
            free_entry = i;
    }
    if (strlen(server) > PROTO_NAME_MAX) {
        *error = -(long)SERVICE_NOT_FOUND;
        return 0;
    }
    unsigned i = free_entry == BLOCK_ENDPOINTS ? 0 : free_entry; /* full: forget the first */
    uint64_t slot = endpoints[i].slot ? endpoints[i].slot : libsys_alloc_slot();
    cspace_delete(PROC_SLOT_CSPACE, slot);
    endpoints[i].slot = 0;
    struct result e = proc_lookup(server, slot);
    if (!slot || !result_is_ok(e)) {
        *error = slot ? failure(e) : -(long)SERVICE_TOO_MANY;
        return 0;
    }
    strcpy(endpoints[i].name, server);
    endpoints[i].slot = slot;
    return slot;
}

bool block_server_name(unsigned n, char *name)
{
    char seen[16][PROTO_NAME_MAX + 1];
    unsigned found = 0;
    struct proc_entry p;
    for (uint64_t i = 0; result_is_ok(proc_list(i, &p)); i++) {
        if (!(p.flags & PROC_FLAG_BLOCK) ||
            (p.state != PROC_STATE_RUNNING && p.state != PROC_STATE_RESTARTING))
            continue;
        bool again = false;
        for (unsigned j = 0; j < found && j < 16; j++)
            again |= strcmp(seen[j], p.name) == 0;
        if (again)
            continue;
        if (found == n) {
            strcpy(name, p.name);
            return true;
        }
        if (found < 16)
            strcpy(seen[found], p.name);
        found++;
    }
    return false;
}

/* BLOCK_INFO on endpoint. */
static long info_call(uint64_t endpoint, unsigned disk, struct block_disk_info *info)
{
    struct request r = {.label = BLOCK_INFO};
    request_set_word(&r, 0, disk);
    struct result e = request_result(request_call(endpoint, &r, 0, 0, 0), &r);
    if (!result_is_ok(e))
        return failure(e);
    memset(info, 0, sizeof *info);
    info->sector_size = (uint32_t)request_word(&r, 0);
    info->sectors = request_word(&r, 1);
    info->flags = (uint32_t)request_word(&r, 2);
    info->depth = (uint32_t)request_word(&r, 3);
    info->max_bytes = (uint32_t)request_word(&r, 4);
    request_get_bytes(&r, 5, info->model, BLOCK_MODEL_BYTES);
    request_get_bytes(&r, 10, info->serial, BLOCK_SERIAL_BYTES);
    if (info->sector_size != 512 && info->sector_size != 4096)
        return -(long)SERVICE_INTERNAL; /* not a block server we can talk to */
    return 0;
}

long block_disk_info(const char *server, unsigned disk, struct block_disk_info *info)
{
    long error = 0;
    uint64_t endpoint = server_endpoint(server, &error);
    return endpoint ? info_call(endpoint, disk, info) : error;
}

/* A kernel object of type (4 KiB or less) in a fresh slot; 0 on failure. */
static uint64_t make_small(unsigned type, unsigned bits)
{
    uint64_t slot;
    return result_is_ok(libsys_make_object(type, bits, &slot)) ? slot : 0;
}

/* Makes s's region (frame_bits, frame_count set) and maps it at address. */
static long make_region(struct block_session *s, uint64_t address)
{
    struct result e = libsys_make_frames(s->frame_bits, s->frame_count, address, &s->first_frame);
    if (!result_is_ok(e))
        return e.source == RESULT_SERVICE ? -(long)e.code : -(long)SERVICE_NO_MEMORY;
    s->region = (uint8_t *)address;
    return 0;
}

/* BLOCK_CLOSE of s's session (named with its instance, so a stale one reaches nothing);
   returns once the server let go of it and of every request it had taken. */
static void close_session(struct block_session *s)
{
    struct request r = {.label = BLOCK_CLOSE};
    request_set_word(&r, 0, s->session);
    request_set_word(&r, 1, s->instance);
    request_call(s->endpoint, &r, 0, 0, 0);
}

/* Opens s's disk on its server (again, after a restart): BLOCK_OPEN and BLOCK_SHARE. */
static long open_session(struct block_session *s)
{
    struct request r = {.label = BLOCK_OPEN};
    request_set_word(&r, 0, s->disk);
    request_set_word(&r, 1, s->frame_bits);
    request_set_word(&r, 2, s->frame_count);
    uint64_t caps[2] = {s->notification_badged, s->ring_frame};
    cspace_delete(PROC_SLOT_CSPACE, s->doorbell);
    struct result e = request_result(request_call(s->endpoint, &r, caps, 2, s->doorbell), &r);
    if (!result_is_ok(e))
        return failure(e);
    s->session = request_word(&r, 0);
    s->instance = request_word(&r, 1);
    s->sq_tail = s->cq_head = 0;
    for (unsigned f = 0; f < s->frame_count; f += MSG_MAX_CAPS) {
        r = (struct request){.label = BLOCK_SHARE};
        request_set_word(&r, 0, s->session);
        request_set_word(&r, 1, f);
        request_set_word(&r, 2, s->instance);
        uint64_t frames[MSG_MAX_CAPS];
        unsigned n = s->frame_count - f < MSG_MAX_CAPS ? s->frame_count - f : MSG_MAX_CAPS;
        for (unsigned i = 0; i < n; i++)
            frames[i] = s->first_frame + f + i;
        e = request_result(request_call(s->endpoint, &r, frames, n, 0), &r);
        if (!result_is_ok(e)) {
            close_session(s); /* a half-open session would hold a table entry for good */
            return failure(e);
        }
    }
    return 0;
}

long block_open(const char *server, unsigned disk, size_t region_bytes, struct block_session **out)
{
    *out = 0;
    long error = 0;
    uint64_t endpoint = server_endpoint(server, &error);
    if (!endpoint)
        return error;
    struct block_session *s = calloc(1, sizeof *s);
    if (!s)
        return -(long)SERVICE_NO_MEMORY;
    strcpy(s->server, server);
    s->disk = disk;
    s->endpoint = endpoint;
    if ((error = info_call(endpoint, disk, &s->info)) != 0)
        goto fail;
    s->frame_bits = region_bytes >= (2ul << 20) ? FRAME_LARGE_BITS : PAGE_BITS;
    if (region_bytes == 0 || region_bytes > ((uint64_t)BLOCK_REGION_MAX_FRAMES << s->frame_bits) ||
        (s->frame_bits == PAGE_BITS && region_bytes > (4ul << 20))) {
        error = -(long)SERVICE_BAD_ARGUMENT;
        goto fail;
    }
    s->frame_count = (unsigned)((region_bytes + (1ul << s->frame_bits) - 1) >> s->frame_bits);
    s->region_bytes = (size_t)s->frame_count << s->frame_bits;
    for (unsigned i = 0; i < BLOCK_SPARES; i++) {
        struct block_session *spare = spares[i];
        if (!spare || spare->frame_bits != s->frame_bits || spare->frame_count != s->frame_count)
            continue;
        spares[i] = 0;
        s->notification = spare->notification;
        s->notification_badged = spare->notification_badged;
        s->ring_frame = spare->ring_frame;
        s->ring = spare->ring;
        s->doorbell = spare->doorbell;
        s->first_frame = spare->first_frame;
        s->region = spare->region;
        free(spare);
        if ((error = open_session(s)) != 0)
            goto fail;
        note_opened(s, true);
        *out = s;
        return 0;
    }
    uint64_t window = BLOCK_CLIENT_BASE + next_window++ * BLOCK_CLIENT_WINDOW;
    s->notification = make_small(CAP_NOTIFICATION, 0);
    s->notification_badged = libsys_alloc_slot();
    s->ring_frame = make_small(CAP_FRAME, PAGE_BITS);
    s->doorbell = libsys_alloc_slot();
    error = -(long)SERVICE_NO_MEMORY;
    if (!s->notification || !s->notification_badged || !s->ring_frame || !s->doorbell ||
        cspace_mint(PROC_SLOT_CSPACE, s->notification_badged, s->notification, CAP_RIGHT_SEND, 1,
                    0) != ERR_OK ||
        vmap_frame(s->ring_frame, window, CAP_RIGHT_READ | CAP_RIGHT_WRITE) != ERR_OK)
        goto fail;
    s->ring = (volatile struct block_ring *)window;
    if ((error = make_region(s, window + (2ul << 30))) != 0 || (error = open_session(s)) != 0)
        goto fail;
    note_opened(s, true);
    *out = s;
    return 0;
fail:
    free(s); /* its slots and memory stay with the process: a failed open is rare */
    return error;
}

const struct block_disk_info *block_info(const struct block_session *s)
{
    return &s->info;
}

void *block_region(const struct block_session *s)
{
    return s->region;
}

size_t block_region_bytes(const struct block_session *s)
{
    return s->region_bytes;
}

unsigned block_in_flight(const struct block_session *s)
{
    return s->in_flight;
}

unsigned block_reopen_count(const struct block_session *s)
{
    return s->reopens;
}

/* Puts the request of entry i in the ring (there is room: at most BLOCK_RING_ENTRIES are in
   flight, and the server consumed what it completed). */
static void enqueue(struct block_session *s, unsigned i)
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
    enqueue(s, i);
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
static void harvest(struct block_session *s)
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

/* Whether now (BLOCK_INFO after a reopen) is the disk the session was opened on: the same
   geometry, model and serial. cut_off: the same server instance (it ended only the session);
   otherwise a ramdisk (BLOCK_INFO_RAM) is not the same disk even if it looks it, because its
   contents went with the old instance. */
static bool same_disk(const struct block_disk_info *then, const struct block_disk_info *now,
                      bool cut_off)
{
    return then->sector_size == now->sector_size && then->sectors == now->sectors &&
           memcmp(then->model, now->model, BLOCK_MODEL_BYTES) == 0 &&
           memcmp(then->serial, now->serial, BLOCK_SERIAL_BYTES) == 0 &&
           (cut_off || !(now->flags & BLOCK_INFO_RAM));
}

/* Fails s for good: every request in flight completes with BLOCK_ERROR_NO_DEVICE, and so
   will every later one (block_submit), rather than go to a disk it was not meant for. */
static void fail_session(struct block_session *s)
{
    s->failed = true;
    s->unpublished = 0;
    for (unsigned i = 0; i < BLOCK_RING_ENTRIES; i++) {
        if (!s->entries[i].used)
            continue;
        s->entries[i].used = false;
        s->pending[s->pending_count++] = (struct block_completion){.tag = s->entries[i].request.tag,
                                                                   .status = BLOCK_ERROR_NO_DEVICE};
    }
    s->in_flight = 0;
}

/* The server restarted (or ended the session: cut_off, the same instance): keeps what it
   completed, opens the disk again and submits again every request still in flight, if it is
   still the same disk (same_disk); if not, the session fails (fail_session) and 0 is
   returned with the failures pending. */
static long reopen(struct block_session *s, bool cut_off)
{
    harvest(s);
    s->unpublished = 0; /* it goes again below, with every request in flight */
    if (cut_off)        /* the old requests may still be doing DMA into the region: wait them out */
        close_session(s);
    long error = -(long)SERVICE_NOT_FOUND;
    for (unsigned waited = 0, step = BLOCK_OPEN_FIRST_MS;; waited += step) {
        struct block_disk_info now;
        error = info_call(s->endpoint, s->disk, &now);
        if (error == -(long)SERVICE_NOT_FOUND ||
            (error == 0 && !same_disk(&s->info, &now, cut_off))) {
            fail_session(s); /* no such disk now, or another one */
            return 0;
        }
        if (error == 0)
            error = open_session(s);
        if (error == 0 || error == -(long)SERVICE_BAD_ARGUMENT || waited >= BLOCK_OPEN_WAIT_MS)
            break;
        proc_sleep_ms(step);
        step = step * 2 < BLOCK_OPEN_MAX_STEP_MS ? step * 2 : BLOCK_OPEN_MAX_STEP_MS;
    }
    if (error != 0)
        return error;
    s->reopens++;
    for (unsigned i = 0; i < BLOCK_RING_ENTRIES; i++)
        if (s->entries[i].used)
            enqueue(s, i);
    return 0;
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
    struct ipc_buffer *buffer = (struct ipc_buffer *)USER_IPC_BUFFER;
    buffer->receive_slot = 0; /* the answer brings no capability (a server's loop may set it) */
    long k = ERR_OK;
    for (int attempt = 0; attempt < BLOCK_WAIT_RETRIES; attempt++) {
        unsigned length = wait_message(s, m);
        k = missive_syscall(SYS_CALL, s->endpoint, MSG_TAG(BLOCK_WAIT, length, 0), m);
        if (!SERVICE_CALL_LOST(k))
            break;
    }
    return k;
}

/* BLOCK_WAIT until the ring holds completions, reopening the disk when the server went.
   A lost call is not enough to reopen: a server that keeps the wait's reply owed in its
   thread, unsaved (lib/libsys/block_server.c), loses it to any other client's call, and
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
        if (!SERVICE_CALL_LOST(k) && !result_is_service(e, SERVICE_NOT_FOUND) && !cut_off)
            return failure(e);
        long error = reopen(s, cut_off);
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
        harvest(s);
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
    harvest(s);
    while (s->pending_count == 0 && s->in_flight > 0) {
        long error = wait_completions(s);
        if (error != 0)
            return error;
        if (s->pending_count == 0) /* the answer carried none: they are in the ring */
            harvest(s);
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

/* Runs one request alone and waits for it: 0 or the failed request's answer. */
static long run_one(struct block_session *s, const struct block_submission *request)
{
    if (s->in_flight || s->pending_count)
        return -(long)SERVICE_BUSY; /* the blocking calls do not mix with queued ones */
    long error = block_submit(s, request);
    if (error != 0)
        return error;
    struct block_completion c; /* no doorbell: the wait (BLOCK_WAIT) takes the request */
    long n = block_reap(s, &c, 1);
    if (n < 0)
        return n;
    return c.status == BLOCK_OK ? 0 : -(long)(BLOCK_STATUS_BASE + c.status);
}

/* The bytes one blocking request moves at most. */
static size_t chunk_bytes(const struct block_session *s)
{
    return s->region_bytes < s->info.max_bytes ? s->region_bytes : s->info.max_bytes;
}

long block_read(struct block_session *s, uint64_t lba, void *buffer, size_t bytes)
{
    if (bytes % s->info.sector_size)
        return -(long)SERVICE_BAD_ARGUMENT; /* a partial sector would be rounded down: lost */
    uint8_t *to = buffer;
    while (bytes > 0) {
        size_t n = bytes < chunk_bytes(s) ? bytes : chunk_bytes(s);
        struct block_submission r = {
            .op = BLOCK_OP_READ, .count = (uint32_t)(n / s->info.sector_size), .lba = lba};
        long error = run_one(s, &r);
        if (error != 0)
            return error;
        memcpy(to, s->region, n);
        to += n;
        bytes -= n;
        lba += n / s->info.sector_size;
    }
    return 0;
}

long block_write(struct block_session *s, uint64_t lba, const void *buffer, size_t bytes, bool fua)
{
    if (bytes % s->info.sector_size)
        return -(long)SERVICE_BAD_ARGUMENT; /* a partial sector would be rounded down: lost */
    const uint8_t *from = buffer;
    while (bytes > 0) {
        size_t n = bytes < chunk_bytes(s) ? bytes : chunk_bytes(s);
        memcpy(s->region, from, n);
        struct block_submission r = {.op = BLOCK_OP_WRITE,
                                     .flags = fua ? BLOCK_FLAG_FUA : 0,
                                     .count = (uint32_t)(n / s->info.sector_size),
                                     .lba = lba};
        long error = run_one(s, &r);
        if (error != 0)
            return error;
        from += n;
        bytes -= n;
        lba += n / s->info.sector_size;
    }
    return 0;
}

long block_flush(struct block_session *s)
{
    struct block_submission r = {.op = BLOCK_OP_FLUSH};
    return run_one(s, &r);
}

/* Moves s, idle, to disk of the server at endpoint: the old server lets go of the session
   (BLOCK_CLOSE), the new one gets the same ring and region (open_session). On failure s stays
   on the old server (opened there again). */
static long move_session(struct block_session *s, const char *server, uint64_t endpoint,
                         unsigned disk)
{
    if (s->in_flight || s->pending_count || s->failed)
        return -(long)SERVICE_BUSY; /* quiesce first: nothing in flight or unreaped */
    struct block_disk_info now;
    long error = info_call(endpoint, disk, &now);
    if (error != 0)
        return error;
    if (now.sector_size != s->info.sector_size || now.sectors != s->info.sectors)
        return -(long)SERVICE_BAD_ARGUMENT; /* not the same image: another size */
    close_session(s);
    uint64_t old_endpoint = s->endpoint;
    unsigned old_disk = s->disk;
    s->endpoint = endpoint;
    s->disk = disk;
    if ((error = open_session(s)) != 0) {
        s->endpoint = old_endpoint;
        s->disk = old_disk;
        if (open_session(s) != 0)
            fail_session(s);
        return error;
    }
    snprintf(s->server, sizeof s->server, "%s", server);
    s->info = now;
    return 0;
}

long block_move_sessions(const char *server, unsigned disk)
{
    long error = 0;
    uint64_t endpoint = server_endpoint(server, &error);
    if (!endpoint)
        return error;
    long moved = 0;
    for (unsigned i = 0; i < BLOCK_OPEN_MAX; i++) {
        if (!opened[i])
            continue;
        if ((error = move_session(opened[i], server, endpoint, disk)) != 0)
            return error;
        moved++;
    }
    return moved;
}

void block_close(struct block_session *s)
{
    note_opened(s, false);
    struct block_completion done[8];
    while (s->in_flight > 0 && block_reap(s, done, 8) > 0)
        ;
    if (!s->failed)
        close_session(s); /* a stale instance is answered SERVICE_NOT_FOUND, nothing closed */
    /* The server has let go of the ring and the region: they wait for the next open, or go. */
    for (unsigned i = 0; i < BLOCK_SPARES; i++) {
        if (!spares[i]) {
            spares[i] = s;
            s->in_flight = s->pending_count = s->unpublished = 0;
            memset(s->entries, 0, sizeof s->entries);
            return;
        }
    }
    for (unsigned i = 0; i < s->frame_count; i++)
        cspace_delete(PROC_SLOT_CSPACE, s->first_frame + i);
    uint64_t slots[] = {s->ring_frame, s->notification_badged, s->notification, s->doorbell};
    for (unsigned i = 0; i < sizeof slots / sizeof slots[0]; i++)
        cspace_delete(PROC_SLOT_CSPACE, slots[i]);
    free(s);
}
