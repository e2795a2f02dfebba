/*
 * The block client (block.h): discovery, opening and closing sessions. The rings are
 * block_ring.c's, reopening and moving sessions block_reopen.c's, the blocking calls
 * block_sync.c's; block_internal.h is what they share.
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

#define BLOCK_CLIENT_BASE   0x540000000000ul
#define BLOCK_CLIENT_WINDOW (4ul << 30) /* a ring page, then the region (at most 2 GiB) */
#define BLOCK_ENDPOINTS     8           /* servers whose endpoints are kept */
#define BLOCK_SPARES        4 /* closed sessions whose memory and slots wait for the next open */

static struct {
    char name[PROTO_NAME_MAX + 1];
    uint64_t slot;
} endpoints[BLOCK_ENDPOINTS];
/* The slot of the last lookup that failed, taken by the next one: a client that waits for a
   driver's name by asking again and again must not use up its CSpace (libsys_alloc_slot's
   slots are never given back). */
static uint64_t spare_slot;
static unsigned next_window;
/* Slots are never given back to libsys (it only counts up), so a program that opens and closes
   again and again (the shell's blk) reuses a closed session's objects: ring, notification,
   region, mapped where they were. */
static struct block_session *spares[BLOCK_SPARES];
static unsigned cpu_said; /* block_set_cpu's CPU + 1; 0: none */
/* The sessions open now, for block_move_sessions (a client holds a few at most). */
struct block_session *block_opened[BLOCK_OPEN_MAX];

/* Notes s as open (a client past BLOCK_OPEN_MAX open sessions cannot move the others). */
static void note_opened(struct block_session *s, bool open)
{
    for (unsigned i = 0; i < BLOCK_OPEN_MAX; i++) {
        if (open ? !block_opened[i] : block_opened[i] == s) {
            block_opened[i] = open ? s : 0;
            return;
        }
    }
}

/* A kernel error or a server status as the library's negative answer. */
long block_failure(struct result e)
{
    if (e.source == RESULT_SERVICE)
        return -e.code;
    return -(long)SERVICE_INTERNAL;
}

/* The endpoint of server (looked up once, then kept), or 0 with *error set. */
uint64_t block_endpoint(const char *server, long *error)
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
    uint64_t slot = endpoints[i].slot ? endpoints[i].slot
                    : spare_slot      ? spare_slot
                                      : libsys_alloc_slot();
    if (slot == spare_slot)
        spare_slot = 0;
    cspace_delete(PROC_SLOT_CSPACE, slot);
    endpoints[i].slot = 0;
    struct result e = proc_lookup(server, slot);
    if (!slot || !result_is_ok(e)) {
        *error = slot ? block_failure(e) : -(long)SERVICE_TOO_MANY;
        spare_slot = slot;
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
long block_info_call(uint64_t endpoint, unsigned disk, struct block_disk_info *info)
{
    struct request r = {.label = BLOCK_INFO};
    request_set_word(&r, 0, disk);
    struct result e = request_result(request_call(endpoint, &r, 0, 0, 0), &r);
    if (!result_is_ok(e))
        return block_failure(e);
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
    uint64_t endpoint = block_endpoint(server, &error);
    return endpoint ? block_info_call(endpoint, disk, info) : error;
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
void block_close_session(struct block_session *s)
{
    struct request r = {.label = BLOCK_CLOSE};
    request_set_word(&r, 0, s->session);
    request_set_word(&r, 1, s->instance);
    request_call(s->session_endpoint, &r, 0, 0, 0);
}

/* Two empty slots in a row (the doorbell and, after it, the endpoint BLOCK_OPEN may send as
   its capability 1), or 0. The allocator counts up: a slot given back meanwhile may break a
   pair, which is then left unused. */
static uint64_t slot_pair(void)
{
    uint64_t first = libsys_alloc_slot();
    for (int tries = 0; first && tries < 4; tries++) {
        uint64_t second = libsys_alloc_slot();
        if (second == first + 1 || !second)
            return second ? first : 0;
        first = second;
    }
    return 0;
}

/* Opens s's disk on its server (again, after a restart): BLOCK_OPEN and BLOCK_SHARE. */
long block_open_session(struct block_session *s)
{
    struct request r = {.label = BLOCK_OPEN};
    request_set_word(&r, 0, s->disk);
    request_set_word(&r, 1, s->frame_bits);
    request_set_word(&r, 2, s->frame_count);
    if (cpu_said)
        request_set_word(&r, 3, cpu_said);
    uint64_t caps[2] = {s->notification_badged, s->ring_frame};
    cspace_delete(PROC_SLOT_CSPACE, s->doorbell);
    cspace_delete(PROC_SLOT_CSPACE, s->doorbell + 1); /* the serving thread's endpoint */
    struct result e = request_result(request_call(s->endpoint, &r, caps, 2, s->doorbell), &r);
    if (!result_is_ok(e))
        return block_failure(e);
    /* Capability 1, if the server sent it: the session's thread (lib/proto/block.h). */
    s->session_endpoint = MSG_CAPS(r.msg.tag) >= 2 ? s->doorbell + 1 : s->endpoint;
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
        e = request_result(request_call(s->session_endpoint, &r, frames, n, 0), &r);
        if (!result_is_ok(e)) {
            block_close_session(s); /* a half-open session would hold a table entry for good */
            return block_failure(e);
        }
    }
    return 0;
}

long block_open(const char *server, unsigned disk, size_t region_bytes, struct block_session **out)
{
    *out = 0;
    long error = 0;
    uint64_t endpoint = block_endpoint(server, &error);
    if (!endpoint)
        return error;
    struct block_session *s = calloc(1, sizeof *s);
    if (!s)
        return -(long)SERVICE_NO_MEMORY;
    strcpy(s->server, server);
    s->disk = disk;
    s->endpoint = endpoint;
    if ((error = block_info_call(endpoint, disk, &s->info)) != 0)
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
        if ((error = block_open_session(s)) != 0)
            goto fail;
        note_opened(s, true);
        *out = s;
        return 0;
    }
    uint64_t window = BLOCK_CLIENT_BASE + next_window++ * BLOCK_CLIENT_WINDOW;
    s->notification = make_small(CAP_NOTIFICATION, 0);
    s->notification_badged = libsys_alloc_slot();
    s->ring_frame = make_small(CAP_FRAME, PAGE_BITS);
    s->doorbell = slot_pair();
    error = -(long)SERVICE_NO_MEMORY;
    if (!s->notification || !s->notification_badged || !s->ring_frame || !s->doorbell ||
        cspace_mint(PROC_SLOT_CSPACE, s->notification_badged, s->notification, CAP_RIGHT_SEND, 1,
                    0) != ERR_OK ||
        vmap_frame(s->ring_frame, window, CAP_RIGHT_READ | CAP_RIGHT_WRITE) != ERR_OK)
        goto fail;
    s->ring = (volatile struct block_ring *)window;
    if ((error = make_region(s, window + (2ul << 30))) != 0 || (error = block_open_session(s)) != 0)
        goto fail;
    note_opened(s, true);
    *out = s;
    return 0;
fail:
    free(s); /* its slots and memory stay with the process: a failed open is rare */
    return error;
}

void block_set_cpu(unsigned cpu)
{
    cpu_said = cpu < BLOCK_MAX_CPUS ? cpu + 1 : 0;
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

void block_close(struct block_session *s)
{
    note_opened(s, false);
    struct block_completion done[8];
    while (s->in_flight > 0 && block_reap(s, done, 8) > 0)
        ;
    if (!s->failed)
        block_close_session(s); /* a stale instance is answered SERVICE_NOT_FOUND, nothing closed */
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
    uint64_t slots[] = {s->ring_frame, s->notification_badged, s->notification, s->doorbell,
                        s->doorbell + 1};
    for (unsigned i = 0; i < sizeof slots / sizeof slots[0]; i++)
        cspace_delete(PROC_SLOT_CSPACE, slots[i]);
    free(s);
}
