/*
 * The server's clients: the table (by badge, the client's pid), their buffers (frames shared
 * by capability, mapped at HMFSD_BUFFER_BASE + index * HMFSD_BUFFER_SPAN), and forgetting
 * the dead. A client is noticed dead by its buffer: when its process ends, memsrv takes its
 * memory back and the kernel deletes the frames with our copies; when the table is full the
 * server looks at every client's first frame (CSPACE_IDENTIFY) and forgets those gone, with
 * their handles.
 */
#include <string.h>

#include "hmfsd.h"
#include "libsys/invoke.h"
#include "libsys/vmap.h"

void *clients_find(struct server *s, uint64_t badge)
{
    (void)s;
    for (unsigned i = 0; i < FS_MAX_CLIENTS; i++)
        if (hmfsd.clients[i].used && hmfsd.clients[i].pid == badge)
            return &hmfsd.clients[i];
    return 0;
}

/* Closes c's handles and lets go of its buffer; the entry is free after. */
static void client_reset(struct hmfsd_client *c)
{
    fsserve_handle_close_owner(&hmfsd.handles, c->pid);
    for (unsigned i = 0; i < c->frame_count; i++)
        if (c->frames[i]) {
            frame_unmap(c->frames[i]);
            libsys_put_slot(c->frames[i]);
        }
    unsigned index = c->index;
    memset(c, 0, sizeof *c);
    c->index = index;
}

unsigned clients_sweep(unsigned most)
{
    unsigned n = 0;
    for (unsigned i = 0; i < FS_MAX_CLIENTS && n < most; i++) {
        struct hmfsd_client *c = &hmfsd.clients[i];
        struct cspace_identity id = {0};
        if (c->used && (cspace_identify(PROC_SLOT_CSPACE, c->frames[0], &id) != ERR_OK ||
                        id.type != CAP_FRAME)) {
            client_reset(c);
            n++;
        }
    }
    return n;
}

static struct hmfsd_client *client_add(uint64_t pid)
{
    for (int pass = 0; pass < 2; pass++) {
        for (unsigned i = 0; i < FS_MAX_CLIENTS; i++)
            if (!hmfsd.clients[i].used) {
                struct hmfsd_client *c = &hmfsd.clients[i];
                memset(c, 0, sizeof *c);
                c->used = true;
                c->pid = pid;
                c->index = i;
                return c;
            }
        if (!clients_sweep(1))
            break;
    }
    return 0;
}

long take_bytes(struct server_call *call, unsigned first, uint64_t most,
                unsigned (*copy)(const char *, size_t, char *), char *out)
{
    uint64_t offset = word(call, first), length = word(call, first + 1);
    if (length > most)
        return FS_ERROR_NAME_TOO_LONG;
    const uint8_t *bytes = client_bytes(call->client, offset, length);
    if (!bytes)
        return server_bad_argument(call, first, 0, 0);
    return copy((const char *)bytes, length, out);
}

uint8_t *client_bytes(struct hmfsd_client *c, uint64_t offset, uint64_t length)
{
    uint64_t received = (uint64_t)c->frames_received << c->frame_bits;
    if (offset > received || length > received - offset)
        return 0;
    return c->buffer + offset;
}

/* A frame that came with call: of c's frame size and writable, or false. */
static bool frame_fits(const struct server_call *call, unsigned frame_bits)
{
    struct cspace_identity id = {0};
    return call->received && cspace_identify(PROC_SLOT_CSPACE, call->received, &id) == ERR_OK &&
           id.type == CAP_FRAME && id.size == frame_bits &&
           (id.rights & (CAP_RIGHT_READ | CAP_RIGHT_WRITE)) == (CAP_RIGHT_READ | CAP_RIGHT_WRITE);
}

/* Maps the frame that came with call as c's frame index (the next one expected). */
static bool map_frame(struct server_call *call, struct hmfsd_client *c, unsigned index)
{
    uint64_t base = HMFSD_BUFFER_BASE + (uint64_t)c->index * HMFSD_BUFFER_SPAN;
    if (vmap_frame(call->received, base + ((uint64_t)index << c->frame_bits),
                   CAP_RIGHT_READ | CAP_RIGHT_WRITE) != ERR_OK)
        return false;
    c->frames[index] = call->received;
    call->received = 0; /* kept */
    c->frames_received = index + 1;
    c->buffer = (uint8_t *)base;
    return true;
}

/* FS_CONNECT: MR0 frame bits, MR1 count; capability 0 frame 0. */
long handle_connect(struct server_call *call)
{
    uint64_t bits = request_word(&call->in, 0), count = request_word(&call->in, 1);
    if (bits != PAGE_BITS && bits != FRAME_LARGE_BITS)
        return server_bad_argument(call, 0, PAGE_BITS, FRAME_LARGE_BITS);
    if (count < 1 || count > FS_MAX_FRAMES)
        return server_bad_argument(call, 1, 1, FS_MAX_FRAMES);
    if (!frame_fits(call, (unsigned)bits))
        return server_bad_argument(call, SERVICE_ARGUMENT_CAP, 0, 0);
    struct hmfsd_client *c = call->client;
    if (c)
        client_reset(c); /* connecting again: the old connection goes */
    c = client_add(call->badge);
    if (!c)
        return SERVICE_TOO_MANY;
    c->frame_bits = (unsigned)bits;
    c->frame_count = (unsigned)count;
    if (!map_frame(call, c, 0)) {
        client_reset(c);
        return SERVICE_NO_MEMORY;
    }
    request_set_word(&call->out, 0, hmfsd.instance);
    request_set_word(&call->out, 1, HMFS_BLOCK_SIZE);
    return SERVICE_OK;
}

/* FS_SHARE: MR0 the frame's index; capability 0 the frame. */
long handle_share(struct server_call *call)
{
    struct hmfsd_client *c = call->client;
    uint64_t index = request_word(&call->in, 0);
    if (index != c->frames_received || index >= c->frame_count)
        return server_bad_argument(call, 0, c->frames_received, c->frames_received);
    if (!frame_fits(call, c->frame_bits))
        return server_bad_argument(call, SERVICE_ARGUMENT_CAP, 0, 0);
    if (!map_frame(call, c, (unsigned)index))
        return SERVICE_NO_MEMORY;
    request_set_word(&call->out, 0, c->frames_received);
    return SERVICE_OK;
}

/* FS_DISCONNECT */
long handle_disconnect(struct server_call *call)
{
    client_reset(call->client);
    return SERVICE_OK;
}
