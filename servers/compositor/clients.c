/*
 * The compositor's clients: the table (found by badge, the client's pid), their event queues,
 * the capability slots the compositor keeps their frames in, and what happens when a client
 * dies. A client is noticed dead by its frames: when its process ends, memsrv takes back its
 * memory, the kernel deletes the frames, and with them our copies and mappings; before every
 * composition the compositor looks at the frames and the notification of every client
 * (CSPACE_IDENTIFY, no memory touched) and forgets a client whose are gone.
 */
#include <stdlib.h>
#include <string.h>

#include "compositor.h"
#include "libsys/invoke.h"

struct client clients[COMP_MAX_CLIENTS];

void *clients_find(struct server *s, uint64_t badge)
{
    (void)s;
    for (unsigned i = 0; i < COMP_MAX_CLIENTS; i++)
        if (clients[i].used && clients[i].pid == badge)
            return &clients[i];
    return 0;
}

struct client *clients_add(uint64_t pid)
{
    for (unsigned i = 0; i < COMP_MAX_CLIENTS; i++)
        if (!clients[i].used) {
            memset(&clients[i], 0, sizeof clients[i]);
            clients[i].used = true;
            clients[i].pid = pid;
            clients[i].index = i;
            return &clients[i];
        }
    return 0;
}

void surface_destroy(struct surface *s)
{
    for (unsigned i = 0; i < s->frame_count; i++)
        if (s->frames[i]) {
            frame_unmap(s->frames[i]);
            libsys_put_slot(s->frames[i]);
        }
    memset(s, 0, sizeof *s);
}

void clients_reset(struct client *c)
{
    for (unsigned i = 0; i < GFX_MAX_WINDOWS; i++) {
        struct window *w = &c->windows[i];
        if (!w->used)
            continue;
        if (w->mapped) {
            screen_damage_window(w);
            screen_remove(w);
        }
        free(w->title_bar);
        memset(w, 0, sizeof *w);
    }
    for (unsigned i = 0; i < GFX_MAX_SURFACES; i++)
        if (c->surfaces[i].used)
            surface_destroy(&c->surfaces[i]);
    c->head = c->queued = 0;
    c->dropped = 0;
}

/* The queue's i-th event from the oldest. */
static struct gfx_event *queued(struct client *c, unsigned i)
{
    return &c->queue[(c->head + i) % GFX_EVENT_QUEUE];
}

/* Makes room in a full queue by dropping its oldest pointer motion; false if it has none. */
static bool drop_motion(struct client *c)
{
    for (unsigned i = 0; i < c->queued; i++)
        if (queued(c, i)->type == GFX_EVENT_POINTER) {
            for (unsigned j = i; j + 1 < c->queued; j++)
                *queued(c, j) = *queued(c, j + 1);
            c->queued--;
            c->dropped++;
            return true;
        }
    return false;
}

void clients_post(struct client *c, const struct gfx_event *e)
{
    /* Motion is compressed: a pointer event replaces one for the same window at the end of
       the queue, and a full queue gives up motion before keys, buttons and the rest. */
    if (e->type == GFX_EVENT_POINTER && c->queued) {
        struct gfx_event *last = queued(c, c->queued - 1);
        if (last->type == GFX_EVENT_POINTER && last->window == e->window) {
            *last = *e;
            return;
        }
    }
    if (c->queued == GFX_EVENT_QUEUE && (e->type == GFX_EVENT_POINTER || !drop_motion(c))) {
        c->dropped++;
        return;
    }
    *queued(c, c->queued) = *e;
    if (c->queued++ == 0 && c->notification) {
        /* A notification signal never blocks (GFX_CONNECT checked the type). */
        struct missive_msg msg = {0};
        missive_syscall(SYS_NB_SEND, c->notification, 0, &msg);
    }
}

/* Whether every frame we hold of c is still a frame, and its notification a notification
   (both were made from its memory, so both go when it ends). */
static bool client_alive(const struct client *c)
{
    struct cspace_identity n;
    if (cspace_identify(PROC_SLOT_CSPACE, c->notification, &n) != ERR_OK ||
        n.type != CAP_NOTIFICATION)
        return false;
    for (unsigned i = 0; i < GFX_MAX_SURFACES; i++) {
        const struct surface *s = &c->surfaces[i];
        for (unsigned f = 0; s->used && f < s->frame_count; f++) {
            struct cspace_identity id;
            if (s->frames[f] && (cspace_identify(PROC_SLOT_CSPACE, s->frames[f], &id) != ERR_OK ||
                                 id.type != CAP_FRAME))
                return false;
        }
    }
    return true;
}

bool clients_sweep(void)
{
    bool any = false;
    for (unsigned i = 0; i < COMP_MAX_CLIENTS; i++) {
        struct client *c = &clients[i];
        if (c->used && !client_alive(c)) {
            clients_reset(c);
            libsys_put_slot(c->notification);
            c->used = false;
            any = true;
        }
    }
    return any;
}
