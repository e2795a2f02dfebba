/*
 * The block client's sessions moved (block.h): opened again after their server restarted or
 * was swapped (the requests in flight submitted again), failed when the disk is another, or
 * moved by the caller to another server's disk (block_move_sessions).
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

/* A restarting server is waited for about 30 s (an AHCI driver resets the HBA and spins each
   port up, up to 10 s a port): 20 ms, doubling to 500 ms a try. */
#define BLOCK_OPEN_WAIT_MS     30000
#define BLOCK_OPEN_FIRST_MS    20
#define BLOCK_OPEN_MAX_STEP_MS 500

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
void block_fail_session(struct block_session *s)
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
long block_reopen_session(struct block_session *s, bool cut_off)
{
    block_harvest(s);
    s->unpublished = 0; /* it goes again below, with every request in flight */
    if (cut_off)        /* the old requests may still be doing DMA into the region: wait them out */
        block_close_session(s);
    long error = -(long)SERVICE_NOT_FOUND;
    for (unsigned waited = 0, step = BLOCK_OPEN_FIRST_MS;; waited += step) {
        struct block_disk_info now;
        error = block_info_call(s->endpoint, s->disk, &now);
        if (error == -(long)SERVICE_NOT_FOUND ||
            (error == 0 && !same_disk(&s->info, &now, cut_off))) {
            block_fail_session(s); /* no such disk now, or another one */
            return 0;
        }
        if (error == 0)
            error = block_open_session(s);
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
            block_enqueue(s, i);
    return 0;
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
    long error = block_info_call(endpoint, disk, &now);
    if (error != 0)
        return error;
    if (now.sector_size != s->info.sector_size || now.sectors != s->info.sectors)
        return -(long)SERVICE_BAD_ARGUMENT; /* not the same image: another size */
    block_close_session(s);
    uint64_t old_endpoint = s->endpoint;
    unsigned old_disk = s->disk;
    s->endpoint = endpoint;
    s->disk = disk;
    if ((error = block_open_session(s)) != 0) {
        s->endpoint = old_endpoint;
        s->disk = old_disk;
        if (block_open_session(s) != 0)
            block_fail_session(s);
        return error;
    }
    snprintf(s->server, sizeof s->server, "%s", server);
    s->info = now;
    return 0;
}

long block_move_sessions(const char *server, unsigned disk)
{
    long error = 0;
    uint64_t endpoint = block_endpoint(server, &error);
    if (!endpoint)
        return error;
    long moved = 0;
    for (unsigned i = 0; i < BLOCK_OPEN_MAX; i++) {
        if (!block_opened[i])
            continue;
        if ((error = move_session(block_opened[i], server, endpoint, disk)) != 0)
            return error;
        moved++;
    }
    return moved;
}
