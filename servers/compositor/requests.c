/*
 * The compositor's protocol (lib/proto/gfx.h): each handler decodes its request, checking
 * every argument in order and naming the first bad one, then performs it.
 */
#include <stdlib.h>
#include <string.h>

#include "compositor.h"
#include "libsys/invoke.h"
#include "libsys/vmap.h"
#include "proto/input.h"

static uint64_t word(const struct server_call *call, unsigned i)
{
    return request_word(&call->in, i);
}

/* What a capability that came with a request is (type CAP_NULL if none). */
static struct cspace_identity identify(const struct server_call *call)
{
    struct cspace_identity id = {0};
    if (call->received)
        cspace_identify(PROC_SLOT_CSPACE, call->received, &id);
    return id;
}

/* Maps frame index of surface s (of client c) read-only where the surface lives. */
static bool map_frame(const struct client *c, struct surface *s, unsigned index, uint64_t slot)
{
    uint64_t base =
        COMP_SURFACE_BASE +
        (uint64_t)(c->index * GFX_MAX_SURFACES + (unsigned)(s - c->surfaces)) * COMP_SURFACE_SPAN;
    if (vmap_frame(slot, base + ((uint64_t)index << s->frame_bits), CAP_RIGHT_READ) != ERR_OK)
        return false;
    s->frames[index] = slot;
    s->frames_given++;
    if (s->frames_given == s->frame_count)
        s->pixels = (const uint32_t *)base;
    return true;
}

/* GFX_CONNECT: capability 0 a notification. */
static long handle_connect(struct server_call *call)
{
    struct cspace_identity id = identify(call);
    if (id.type != CAP_NOTIFICATION || !(id.rights & CAP_RIGHT_SEND))
        return server_bad_argument(call, SERVICE_ARGUMENT_CAP, 0, 0);
    struct client *c = call->client;
    if (c)
        clients_reset(c);
    else if (!(c = clients_add(call->badge)) &&
             (!clients_sweep() || !(c = clients_add(call->badge))))
        return SERVICE_TOO_MANY;
    if (c->notification)
        libsys_put_slot(c->notification);
    c->notification = call->received;
    call->received = 0;
    request_set_word(&call->out, 0, (uint64_t)comp.width);
    request_set_word(&call->out, 1, (uint64_t)comp.height);
    request_set_word(&call->out, 2, comp.instance);
    screen_update();
    return SERVICE_OK;
}

/* Checks that the capability of call is a RAM frame we may read of size bits (any of 12 and
   21 if bits is 0); sets *bits. */
static bool frame_ok(const struct server_call *call, unsigned *bits)
{
    struct cspace_identity id = identify(call);
    if (id.type != CAP_FRAME || !(id.rights & CAP_RIGHT_READ))
        return false;
    if (*bits && id.size != *bits)
        return false;
    *bits = (unsigned)id.size;
    return true;
}

/* GFX_SURFACE_CREATE: MR0 width, MR1 height, MR2 stride, MR3 frame count; capability 0. */
static long handle_surface_create(struct server_call *call)
{
    uint64_t width = word(call, 0), height = word(call, 1), stride = word(call, 2),
             count = word(call, 3);
    if (width < 1 || width > GFX_MAX_SIZE)
        return server_bad_argument(call, 0, 1, GFX_MAX_SIZE);
    if (height < 1 || height > GFX_MAX_SIZE)
        return server_bad_argument(call, 1, 1, GFX_MAX_SIZE);
    if (stride < width * 4 || stride > GFX_MAX_STRIDE || stride % 4)
        return server_bad_argument(call, 2, width * 4, GFX_MAX_STRIDE);
    if (count < 1 || count > GFX_MAX_FRAMES)
        return server_bad_argument(call, 3, 1, GFX_MAX_FRAMES);
    unsigned bits = 0;
    if (!frame_ok(call, &bits))
        return server_bad_argument(call, SERVICE_ARGUMENT_CAP, 0, 0);
    uint64_t needed = (stride * height + (1ul << bits) - 1) >> bits;
    if (count < needed)
        return server_bad_argument(call, 3, needed, GFX_MAX_FRAMES);
    struct client *c = call->client;
    struct surface *s = 0;
    for (unsigned i = 0; i < GFX_MAX_SURFACES && !s; i++)
        if (!c->surfaces[i].used)
            s = &c->surfaces[i];
    if (!s)
        return SERVICE_TOO_MANY;
    *s = (struct surface){.used = true,
                          .width = (uint32_t)width,
                          .height = (uint32_t)height,
                          .stride = (uint32_t)stride,
                          .frame_bits = bits,
                          .frame_count = (unsigned)count};
    if (!map_frame(c, s, 0, call->received)) {
        memset(s, 0, sizeof *s);
        return SERVICE_NO_MEMORY;
    }
    call->received = 0;
    request_set_word(&call->out, 0, (uint64_t)(s - c->surfaces) + 1);
    return SERVICE_OK;
}

/* The client's surface named by an id (1..GFX_MAX_SURFACES), or NULL. */
static struct surface *surface_of(struct client *c, uint64_t id)
{
    if (id < 1 || id > GFX_MAX_SURFACES || !c->surfaces[id - 1].used)
        return 0;
    return &c->surfaces[id - 1];
}

static struct window *window_of(struct client *c, uint64_t id)
{
    if (id < 1 || id > GFX_MAX_WINDOWS || !c->windows[id - 1].used)
        return 0;
    return &c->windows[id - 1];
}

/* GFX_SURFACE_FRAME: MR0 surface, MR1 index; capability 0. */
static long handle_surface_frame(struct server_call *call)
{
    struct client *c = call->client;
    struct surface *s = surface_of(c, word(call, 0));
    if (!s)
        return server_bad_argument(call, 0, 1, GFX_MAX_SURFACES);
    uint64_t index = word(call, 1);
    if (index < 1 || index >= s->frame_count)
        return server_bad_argument(call, 1, 1, s->frame_count - 1);
    if (s->frames[index])
        return SERVICE_EXISTS;
    unsigned bits = s->frame_bits;
    if (!frame_ok(call, &bits))
        return server_bad_argument(call, SERVICE_ARGUMENT_CAP, 0, 0);
    if (!map_frame(c, s, (unsigned)index, call->received))
        return SERVICE_NO_MEMORY;
    call->received = 0;
    return SERVICE_OK;
}

/* GFX_SURFACE_DESTROY: MR0 surface. Windows showing it show nothing until another comes. */
static long handle_surface_destroy(struct server_call *call)
{
    struct client *c = call->client;
    struct surface *s = surface_of(c, word(call, 0));
    if (!s)
        return server_bad_argument(call, 0, 1, GFX_MAX_SURFACES);
    for (unsigned i = 0; i < GFX_MAX_WINDOWS; i++)
        if (c->windows[i].used && c->windows[i].surface == s) {
            c->windows[i].surface = 0;
            if (c->windows[i].mapped)
                screen_damage_window(&c->windows[i]);
        }
    surface_destroy(s);
    screen_update();
    return SERVICE_OK;
}

/* Whether a surface of width x height fits the sizes (GFX_PACK; 0: none); *which gets the
   argument (3 min, 4 max) it breaks. */
static bool size_fits(uint64_t width, uint64_t height, uint64_t min, uint64_t max, unsigned *which)
{
    *which = 3;
    if (min && (width < GFX_LOW(min) || height < GFX_HIGH(min)))
        return false;
    *which = 4;
    return !max || (width <= GFX_LOW(max) && height <= GFX_HIGH(max));
}

/* GFX_WINDOW_CREATE: MR0 surface, MR1 x, MR2 y, MR3 min, MR4 max, MR5 title length, title. */
static long handle_window_create(struct server_call *call)
{
    struct client *c = call->client;
    struct surface *s = surface_of(c, word(call, 0));
    if (!s || !s->pixels)
        return server_bad_argument(call, 0, 1, GFX_MAX_SURFACES);
    unsigned which;
    if (!size_fits(s->width, s->height, word(call, 3), word(call, 4), &which))
        return server_bad_argument(call, which, which == 3 ? 0 : GFX_PACK(s->width, s->height),
                                   which == 3 ? GFX_PACK(s->width, s->height) : ~0ul);
    uint64_t n = word(call, 5), fits = call->in.length > 6 ? (call->in.length - 6) * 8 : 0;
    if (n > GFX_TITLE_MAX || n > fits)
        return server_bad_argument(call, 5, 0, fits < GFX_TITLE_MAX ? fits : GFX_TITLE_MAX);
    struct window *w = 0;
    for (unsigned i = 0; i < GFX_MAX_WINDOWS && !w; i++)
        if (!c->windows[i].used)
            w = &c->windows[i];
    if (!w)
        return SERVICE_TOO_MANY;
    *w = (struct window){.used = true,
                         .owner = c,
                         .id = (unsigned)(w - c->windows) + 1,
                         .surface = s,
                         .x = (int)(int32_t)GFX_LOW(word(call, 1)),
                         .y = (int)(int32_t)GFX_LOW(word(call, 2)),
                         .width = (int)s->width,
                         .height = (int)s->height,
                         .min_size = word(call, 3),
                         .max_size = word(call, 4)};
    request_get_bytes(&call->in, 6, w->title, n);
    w->title[n] = 0;
    screen_clamp(w->width, w->height, &w->x, &w->y);
    clients_post(c, &(struct gfx_event){GFX_EVENT_CONFIGURE, w->id, w->width, w->height, 0, 0, 0});
    request_set_word(&call->out, 0, w->id);
    return SERVICE_OK;
}

/* GFX_WINDOW_DESTROY: MR0 window. */
static long handle_window_destroy(struct server_call *call)
{
    struct window *w = window_of(call->client, word(call, 0));
    if (!w)
        return server_bad_argument(call, 0, 1, GFX_MAX_WINDOWS);
    if (w->mapped) {
        screen_damage_window(w);
        screen_remove(w);
    }
    free(w->title_bar);
    memset(w, 0, sizeof *w);
    screen_update();
    return SERVICE_OK;
}

/* GFX_COMMIT: MR0 window, MR1 surface (0: keep), MR2 n, n rectangles from MR3. */
static long handle_commit(struct server_call *call)
{
    struct client *c = call->client;
    struct window *w = window_of(c, word(call, 0));
    if (!w)
        return server_bad_argument(call, 0, 1, GFX_MAX_WINDOWS);
    struct surface *s = w->surface;
    if (word(call, 1)) {
        s = surface_of(c, word(call, 1));
        unsigned which;
        if (!s || !s->pixels || !size_fits(s->width, s->height, w->min_size, w->max_size, &which))
            return server_bad_argument(call, 1, 1, GFX_MAX_SURFACES);
    }
    uint64_t n = word(call, 2), fits = call->in.length > 3 ? (call->in.length - 3) / 2 : 0;
    if (n > GFX_MAX_DAMAGE || n > fits)
        return server_bad_argument(call, 2, 0, fits < GFX_MAX_DAMAGE ? fits : GFX_MAX_DAMAGE);
    if (!s)
        return SERVICE_OK; /* nothing attached: nothing to show */
    if (s != w->surface || (int)s->width != w->width || (int)s->height != w->height) {
        if (w->mapped)
            screen_damage_window(w);
        w->surface = s;
        w->width = (int)s->width;
        w->height = (int)s->height;
        n = 0;
        if (w->mapped)
            screen_draw_title(w);
    }
    if (!w->mapped) {
        w->mapped = true;
        screen_draw_title(w);
        screen_raise(w);
        screen_focus(w);
        n = 0;
    }
    struct compose_rect whole = {0, 0, w->width, w->height};
    for (uint64_t i = 0; i < (n ? n : 1); i++) {
        struct compose_rect r = whole;
        if (n) {
            uint64_t at = word(call, 3 + 2 * (unsigned)i), size = word(call, 4 + 2 * (unsigned)i);
            r = (struct compose_rect){(int)(int32_t)GFX_LOW(at), (int)(int32_t)GFX_HIGH(at),
                                      (int)(int32_t)GFX_LOW(size), (int)(int32_t)GFX_HIGH(size)};
            r = compose_rect_intersect(r, whole);
        }
        r.x += w->x;
        r.y += w->y;
        screen_damage(r);
    }
    screen_update();
    return SERVICE_OK;
}

/* GFX_EVENTS: MR0 at most this many (0 or none: GFX_EVENTS_MAX) queued events. A client
   that reads few at a time (the console's terminal thread keeps its replies in registers)
   leaves the others queued, not lost. */
static long handle_events(struct server_call *call)
{
    struct client *c = call->client;
    uint64_t max = call->in.length > 0 ? request_word(&call->in, 0) : 0;
    if (max == 0 || max > GFX_EVENTS_MAX)
        max = GFX_EVENTS_MAX;
    unsigned n = 0;
    request_set_word(&call->out, 1, c->dropped);
    c->dropped = 0;
    while (c->queued && n < max) {
        unsigned long w[GFX_EVENT_WORDS];
        gfx_event_pack(&c->queue[c->head], w);
        for (unsigned j = 0; j < GFX_EVENT_WORDS; j++)
            request_set_word(&call->out, 2 + n * GFX_EVENT_WORDS + j, w[j]);
        c->head = (c->head + 1) % GFX_EVENT_QUEUE;
        c->queued--;
        n++;
    }
    request_set_word(&call->out, 0, n);
    return SERVICE_OK;
}

/* GFX_WINDOW_MOVE: MR0 window, MR1 x, MR2 y. */
static long handle_window_move(struct server_call *call)
{
    struct window *w = window_of(call->client, word(call, 0));
    if (!w)
        return server_bad_argument(call, 0, 1, GFX_MAX_WINDOWS);
    if (w->mapped)
        screen_damage_window(w);
    w->x = (int)(int32_t)GFX_LOW(word(call, 1));
    w->y = (int)(int32_t)GFX_LOW(word(call, 2));
    screen_clamp(w->width, w->height, &w->x, &w->y);
    if (w->mapped)
        screen_damage_window(w);
    screen_update();
    return SERVICE_OK;
}

/* GFX_STATS: the counters. */
static long handle_stats(struct server_call *call)
{
    clients_sweep();
    screen_update();
    request_set_word(&call->out, 0, comp.stack_count);
    request_set_word(&call->out, 1, comp.full_compositions);
    request_set_word(&call->out, 2, comp.partial_compositions);
    request_set_word(&call->out, 3, comp.pixels_composed);
    request_set_word(&call->out, 4, comp.damage.merged);
    request_set_word(&call->out, 5, comp.focus ? comp.focus->owner->pid << 32 | comp.focus->id : 0);
    request_set_word(&call->out, 6, GFX_PACK(comp.pointer_x, comp.pointer_y));
    return SERVICE_OK;
}

const struct server_op requests_table[] = {
    {INPUT_EVENTS, 1, 0, 0, input_handle},
    {GFX_CONNECT, 0, 0, 0, handle_connect},
    {GFX_SURFACE_CREATE, 4, 0, SERVER_CLIENT_ONLY, handle_surface_create},
    {GFX_SURFACE_FRAME, 2, 0, SERVER_CLIENT_ONLY, handle_surface_frame},
    {GFX_SURFACE_DESTROY, 1, 0, SERVER_CLIENT_ONLY, handle_surface_destroy},
    {GFX_WINDOW_CREATE, 6, 0, SERVER_CLIENT_ONLY, handle_window_create},
    {GFX_WINDOW_DESTROY, 1, 0, SERVER_CLIENT_ONLY, handle_window_destroy},
    {GFX_COMMIT, 3, 0, SERVER_CLIENT_ONLY, handle_commit},
    {GFX_EVENTS, 0, 0, SERVER_CLIENT_ONLY, handle_events},
    {GFX_WINDOW_MOVE, 3, 0, SERVER_CLIENT_ONLY, handle_window_move},
    {GFX_STATS, 0, 0, 0, handle_stats},
};
const unsigned requests_count = sizeof requests_table / sizeof requests_table[0];
