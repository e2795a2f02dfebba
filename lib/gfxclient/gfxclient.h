/*
 * The compositor's client library (lib/proto/gfx.h; docs/graphics.md): connect, make a
 * surface in frames of this process's own memory and share them, show it in a window, commit
 * damage, read events. It keeps what it made, so when the compositor is restarted (a call
 * answers SERVICE_DENIED: the new one knows no client) it connects again, re-creates every
 * surface and window, commits them whole and retries the call once; reconnects counts that.
 *
 * Not thread-safe: one thread per connection.
 */
#ifndef MISSIVE_GFXCLIENT_H
#define MISSIVE_GFXCLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include "proto/gfx.h"
#include "result/result.h"

struct gfx_surface {
    uint32_t width, height, stride; /* stride in bytes */
    uint32_t *pixels;               /* where this process sees it, read-write */
    unsigned frame_bits;            /* 12 or 21 */
    unsigned frame_count;
    uint64_t frames[GFX_MAX_FRAMES]; /* this process's slots of the frames */
    uint64_t id;                     /* the compositor's (0: not shared) */
};

struct gfx_window {
    struct gfx_surface *surface;
    uint64_t id; /* the compositor's (0: none) */
    int x, y;
    uint64_t min_size, max_size; /* GFX_PACK(width, height); 0: none */
    char title[GFX_TITLE_MAX + 1];
    bool committed; /* once: a reconnect shows it again */
};

struct gfx_connection {
    uint64_t endpoint;     /* the compositor, badged with our pid */
    uint64_t notification; /* what the compositor signals; wait on it (gfx_wait) */
    uint64_t notification_badged;
    uint32_t screen_width, screen_height;
    uint64_t instance;   /* the compositor's, as GFX_CONNECT answered */
    unsigned reconnects; /* times the library connected again after a restart */
    struct gfx_surface *surfaces[GFX_MAX_SURFACES];
    struct gfx_window *windows[GFX_MAX_WINDOWS];
};

/* Looks the compositor up (retrying for about a second while it starts), makes the event
   notification and connects. */
struct result gfx_connect(struct gfx_connection *c);

/* Makes a width x height surface in fresh memory (zeroed: transparent), maps it at
   s->pixels and shares it. */
struct result gfx_surface_create(struct gfx_connection *c, struct gfx_surface *s, uint32_t width,
                                 uint32_t height);

/* Shows surface s in window w at x, y (the surface's top-left; the title bar is above it),
   with a title and minimum and maximum sizes (GFX_PACK(w, h); 0: none). Nothing shows
   before the first gfx_commit. */
struct result gfx_window_create(struct gfx_connection *c, struct gfx_window *w,
                                struct gfx_surface *s, const char *title, int x, int y,
                                uint64_t min_size, uint64_t max_size);

struct gfx_rect {
    int x, y, width, height;
};

/* Shows what changed in w's surface: n rectangles (0: all of it; at most GFX_MAX_DAMAGE). */
struct result gfx_commit(struct gfx_connection *c, struct gfx_window *w,
                         const struct gfx_rect *rects, unsigned n);
struct result gfx_window_move(struct gfx_connection *c, struct gfx_window *w, int x, int y);
struct result gfx_window_destroy(struct gfx_connection *c, struct gfx_window *w);

/* Reads up to max (at most GFX_EVENTS_MAX) queued events into events, leaving the others
   queued; *count says how many, *dropped (if not NULL) how many the compositor dropped
   since the last read. */
struct result gfx_events(struct gfx_connection *c, struct gfx_event *events, unsigned max,
                         unsigned *count, uint64_t *dropped);

/* Waits until the compositor signals that events are queued. */
void gfx_wait(struct gfx_connection *c);

/* The compositor's counters (GFX_STATS): words[0..6] as gfx.h says. */
struct result gfx_stats(struct gfx_connection *c, uint64_t words[7]);

/* Fills a rectangle of s with a premultiplied colour (clipped to the surface). */
void gfx_fill(struct gfx_surface *s, int x, int y, int width, int height, uint32_t argb);

#endif
