/*
 * The compositor's client library (gfxclient.h). Requests are built again for a retry, since
 * words past MR9 share the IPC buffer with the reply.
 */
#include "gfxclient/gfxclient.h"

#include <string.h>

#include "libsys/invoke.h"
#include "libsys/objects.h"
#include "libsys/service.h"
#include "libsys/vmap.h"

/* Where surfaces are mapped in a client: one 128 MiB region after the other. */
#define GFX_CLIENT_MAP_BASE 0x500000000000ul
#define GFX_CLIENT_MAP_STEP (128ul << 20)
#define GFX_SMALL_SURFACE   (64ul << 10) /* bytes up to which 4 KiB frames are used */

static uint64_t next_map = GFX_CLIENT_MAP_BASE;

/* A kernel object of type from a fresh 4 KiB Untyped into a fresh slot; 0 on failure. */
static uint64_t make_small(unsigned type)
{
    uint64_t slot;
    return result_is_ok(libsys_make_object(type, 0, &slot)) ? slot : 0;
}

static struct result connect_once(struct gfx_connection *c)
{
    struct request r = {.label = GFX_CONNECT};
    request_set_word(&r, 0, 0);
    struct result e =
        request_result(request_call(c->endpoint, &r, &c->notification_badged, 1, 0), &r);
    if (result_is_ok(e)) {
        c->screen_width = (uint32_t)request_word(&r, 0);
        c->screen_height = (uint32_t)request_word(&r, 1);
        c->instance = request_word(&r, 2);
    }
    return e;
}

/* Sends s's frames to the compositor; sets s->id. */
static struct result share_surface(struct gfx_connection *c, struct gfx_surface *s)
{
    struct request r = {.label = GFX_SURFACE_CREATE};
    request_set_word(&r, 0, s->width);
    request_set_word(&r, 1, s->height);
    request_set_word(&r, 2, s->stride);
    request_set_word(&r, 3, s->frame_count);
    struct result e = request_result(request_call(c->endpoint, &r, &s->frames[0], 1, 0), &r);
    if (!result_is_ok(e))
        return e;
    s->id = request_word(&r, 0);
    for (unsigned i = 1; i < s->frame_count; i++) {
        r = (struct request){.label = GFX_SURFACE_FRAME};
        request_set_word(&r, 0, s->id);
        request_set_word(&r, 1, i);
        e = request_result(request_call(c->endpoint, &r, &s->frames[i], 1, 0), &r);
        if (!result_is_ok(e))
            return e;
    }
    return result_ok();
}

static struct result create_window(struct gfx_connection *c, struct gfx_window *w)
{
    struct request r = {.label = GFX_WINDOW_CREATE};
    size_t n = strlen(w->title);
    request_set_word(&r, 0, w->surface->id);
    request_set_word(&r, 1, (uint32_t)w->x);
    request_set_word(&r, 2, (uint32_t)w->y);
    request_set_word(&r, 3, w->min_size);
    request_set_word(&r, 4, w->max_size);
    request_set_word(&r, 5, n);
    request_put_bytes(&r, 6, w->title, n);
    struct result e = request_result(request_call(c->endpoint, &r, 0, 0, 0), &r);
    if (result_is_ok(e))
        w->id = request_word(&r, 0);
    return e;
}

static struct result commit_once(struct gfx_connection *c, struct gfx_window *w,
                                 const struct gfx_rect *rects, unsigned n)
{
    struct request r = {.label = GFX_COMMIT};
    request_set_word(&r, 0, w->id);
    request_set_word(&r, 1, w->surface->id);
    request_set_word(&r, 2, n);
    for (unsigned i = 0; i < n && i < GFX_MAX_DAMAGE; i++) {
        request_set_word(&r, 3 + 2 * i, GFX_PACK(rects[i].x, rects[i].y));
        request_set_word(&r, 4 + 2 * i, GFX_PACK(rects[i].width, rects[i].height));
    }
    return request_result(request_call(c->endpoint, &r, 0, 0, 0), &r);
}

/* The compositor was restarted: connects again and re-creates everything, shown whole. */
static struct result reconnect(struct gfx_connection *c)
{
    struct result e = connect_once(c);
    if (!result_is_ok(e))
        return e;
    c->reconnects++;
    for (unsigned i = 0; i < GFX_MAX_SURFACES; i++)
        if (c->surfaces[i] && !result_is_ok(e = share_surface(c, c->surfaces[i])))
            return e;
    for (unsigned i = 0; i < GFX_MAX_WINDOWS; i++) {
        struct gfx_window *w = c->windows[i];
        if (w && !result_is_ok(e = create_window(c, w)))
            return e;
        if (w && w->committed && !result_is_ok(e = commit_once(c, w, 0, 0)))
            return e;
    }
    return result_ok();
}

/* Whether e says the compositor no longer knows us (it was restarted), after which one
   reconnect and a retry are worth it. */
static bool lost(struct result e)
{
    return result_is_service(e, SERVICE_DENIED);
}

struct result gfx_connect(struct gfx_connection *c)
{
    memset(c, 0, sizeof *c);
    c->endpoint = libsys_alloc_slot();
    struct result e = result_from_kernel(ERR_EMPTY_SLOT, 0);
    for (int tries = 0; tries < 64; tries++) {
        e = proc_lookup(GFX_SERVER_NAME, c->endpoint);
        if (result_is_ok(e) || !result_is_service(e, SERVICE_NOT_FOUND))
            break;
        proc_sleep_ms(20);
    }
    if (!result_is_ok(e))
        return e;
    c->notification = make_small(CAP_NOTIFICATION);
    c->notification_badged = libsys_alloc_slot();
    if (!c->notification || !c->notification_badged)
        return result_from_reply(ERR_OK, SERVICE_NO_MEMORY, 0);
    long k = cspace_mint(PROC_SLOT_CSPACE, c->notification_badged, c->notification, CAP_RIGHT_SEND,
                         GFX_NOTIFY_EVENTS, 0);
    if (k != ERR_OK)
        return result_from_kernel(k, 0);
    return connect_once(c);
}

/* Makes the frames of s (frame_bits and frame_count set) in this process's memory. */
static struct result make_frames(struct gfx_surface *s)
{
    uint64_t first;
    struct result e = libsys_make_frames(s->frame_bits, s->frame_count, 0, &first);
    if (!result_is_ok(e))
        return e;
    for (unsigned i = 0; i < s->frame_count; i++)
        s->frames[i] = first + i;
    return result_ok();
}

struct result gfx_surface_create(struct gfx_connection *c, struct gfx_surface *s, uint32_t width,
                                 uint32_t height)
{
    memset(s, 0, sizeof *s);
    if (width == 0 || width > GFX_MAX_SIZE)
        return result_bad_argument(0, 1, GFX_MAX_SIZE);
    if (height == 0 || height > GFX_MAX_SIZE)
        return result_bad_argument(1, 1, GFX_MAX_SIZE);
    unsigned slot = 0;
    while (slot < GFX_MAX_SURFACES && c->surfaces[slot])
        slot++;
    if (slot == GFX_MAX_SURFACES)
        return result_from_reply(ERR_OK, SERVICE_TOO_MANY, 0);
    s->width = width;
    s->height = height;
    s->stride = width * 4;
    uint64_t bytes = (uint64_t)s->stride * height;
    s->frame_bits = bytes <= GFX_SMALL_SURFACE ? PAGE_BITS : FRAME_LARGE_BITS;
    s->frame_count = (unsigned)((bytes + (1ul << s->frame_bits) - 1) >> s->frame_bits);
    if (s->frame_count > GFX_MAX_FRAMES)
        return result_bad_argument(0, 1, GFX_MAX_SIZE);
    struct result e = make_frames(s);
    if (!result_is_ok(e))
        return e;
    uint64_t at = next_map;
    next_map += GFX_CLIENT_MAP_STEP;
    for (unsigned i = 0; i < s->frame_count; i++) {
        long k = vmap_frame(s->frames[i], at + ((uint64_t)i << s->frame_bits),
                            CAP_RIGHT_READ | CAP_RIGHT_WRITE);
        if (k != ERR_OK)
            return result_from_kernel(k, 0);
    }
    s->pixels = (uint32_t *)at;
    for (int attempt = 0;; attempt++) {
        e = share_surface(c, s);
        if (attempt == 0 && lost(e) && result_is_ok(reconnect(c)))
            continue;
        break;
    }
    if (result_is_ok(e))
        c->surfaces[slot] = s;
    return e;
}

struct result gfx_window_create(struct gfx_connection *c, struct gfx_window *w,
                                struct gfx_surface *s, const char *title, int x, int y,
                                uint64_t min_size, uint64_t max_size)
{
    memset(w, 0, sizeof *w);
    unsigned slot = 0;
    while (slot < GFX_MAX_WINDOWS && c->windows[slot])
        slot++;
    if (slot == GFX_MAX_WINDOWS)
        return result_from_reply(ERR_OK, SERVICE_TOO_MANY, 0);
    if (strlen(title) > GFX_TITLE_MAX)
        return result_bad_argument(5, 0, GFX_TITLE_MAX);
    w->surface = s;
    strcpy(w->title, title);
    w->x = x;
    w->y = y;
    w->min_size = min_size;
    w->max_size = max_size;
    struct result e;
    for (int attempt = 0;; attempt++) {
        e = create_window(c, w);
        if (attempt == 0 && lost(e) && result_is_ok(reconnect(c)))
            continue;
        break;
    }
    if (result_is_ok(e))
        c->windows[slot] = w;
    return e;
}

struct result gfx_commit(struct gfx_connection *c, struct gfx_window *w,
                         const struct gfx_rect *rects, unsigned n)
{
    if (n > GFX_MAX_DAMAGE)
        return result_bad_argument(2, 0, GFX_MAX_DAMAGE);
    struct result e;
    for (int attempt = 0;; attempt++) {
        e = commit_once(c, w, rects, n);
        if (attempt == 0 && lost(e) && result_is_ok(reconnect(c)))
            continue; /* the reconnect committed it whole; the retry is harmless */
        if (result_is_ok(e))
            w->committed = true;
        return e;
    }
}

/* A request of up to three words about window w, retried once after a restart. */
static struct result window_call(struct gfx_connection *c, uint64_t label, struct gfx_window *w,
                                 uint64_t a, uint64_t b, unsigned length)
{
    struct result e;
    for (int attempt = 0;; attempt++) {
        struct request r = {.label = label};
        request_set_word(&r, 0, w->id);
        if (length > 1)
            request_set_word(&r, 1, a);
        if (length > 2)
            request_set_word(&r, 2, b);
        e = request_result(request_call(c->endpoint, &r, 0, 0, 0), &r);
        if (attempt == 0 && lost(e) && result_is_ok(reconnect(c)))
            continue;
        return e;
    }
}

struct result gfx_window_move(struct gfx_connection *c, struct gfx_window *w, int x, int y)
{
    struct result e = window_call(c, GFX_WINDOW_MOVE, w, (uint32_t)x, (uint32_t)y, 3);
    if (result_is_ok(e)) {
        w->x = x;
        w->y = y;
    }
    return e;
}

struct result gfx_window_destroy(struct gfx_connection *c, struct gfx_window *w)
{
    for (unsigned i = 0; i < GFX_MAX_WINDOWS; i++)
        if (c->windows[i] == w)
            c->windows[i] = 0;
    return window_call(c, GFX_WINDOW_DESTROY, w, 0, 0, 1);
}

struct result gfx_events(struct gfx_connection *c, struct gfx_event *events, unsigned max,
                         unsigned *count, uint64_t *dropped)
{
    /* The compositor takes off its queue only what is asked for: the rest stays for the next
       read. */
    uint64_t want = max < GFX_EVENTS_MAX ? max : GFX_EVENTS_MAX;
    if (want == 0) {
        *count = 0;
        return result_ok();
    }
    struct request r = {.label = GFX_EVENTS};
    request_set_word(&r, 0, want);
    struct result e = request_result(request_call(c->endpoint, &r, 0, 0, 0), &r);
    if (lost(e) && result_is_ok(reconnect(c))) {
        r = (struct request){.label = GFX_EVENTS};
        request_set_word(&r, 0, want);
        e = request_result(request_call(c->endpoint, &r, 0, 0, 0), &r);
    }
    *count = 0;
    if (!result_is_ok(e))
        return e;
    unsigned n = (unsigned)request_word(&r, 0);
    if (dropped)
        *dropped = request_word(&r, 1);
    for (unsigned i = 0; i < n && i < max && i < GFX_EVENTS_MAX; i++) {
        unsigned long w[GFX_EVENT_WORDS];
        for (unsigned j = 0; j < GFX_EVENT_WORDS; j++)
            w[j] = request_word(&r, 2 + i * GFX_EVENT_WORDS + j);
        gfx_event_unpack(w, &events[i]);
        *count = i + 1;
    }
    return e;
}

void gfx_wait(struct gfx_connection *c)
{
    struct missive_msg msg = {0};
    missive_syscall(SYS_RECV, c->notification, 0, &msg);
}

struct result gfx_stats(struct gfx_connection *c, uint64_t words[7])
{
    struct request r = {.label = GFX_STATS};
    struct result e = request_result(request_call(c->endpoint, &r, 0, 0, 0), &r);
    if (lost(e) && result_is_ok(reconnect(c))) {
        r = (struct request){.label = GFX_STATS};
        e = request_result(request_call(c->endpoint, &r, 0, 0, 0), &r);
    }
    if (result_is_ok(e))
        for (unsigned i = 0; i < 7; i++)
            words[i] = request_word(&r, i);
    return e;
}

void gfx_fill(struct gfx_surface *s, int x, int y, int width, int height, uint32_t argb)
{
    int x0 = x < 0 ? 0 : x, y0 = y < 0 ? 0 : y;
    int x1 = x + width > (int)s->width ? (int)s->width : x + width;
    int y1 = y + height > (int)s->height ? (int)s->height : y + height;
    for (int row = y0; row < y1; row++) {
        uint32_t *p = (uint32_t *)((char *)s->pixels + (uint64_t)row * s->stride);
        for (int col = x0; col < x1; col++)
            p[col] = argb;
    }
}
