/*
 * The compositor (docs/graphics.md): owns the framebuffer, composes its clients' windows into
 * a back buffer where damaged and copies that to the screen, draws decorations and the
 * pointer, holds the focus and routes input. One thread; everything here is its state.
 *
 *   main.c     start-up (the framebuffer grant), the request table, the server loop
 *   requests.c surfaces, windows, commits, events (the protocol of lib/proto/gfx.h)
 *   clients.c  the client table, event queues, dead clients
 *   screen.c   the stacking order, damage, composing and copying to the framebuffer
 *   input.c    the i8042 driver's events (lib/proto/input.h): pointer, clicks, drags, keys
 */
#ifndef MISSIVE_COMPOSITOR_H
#define MISSIVE_COMPOSITOR_H

#include <stdbool.h>
#include <stdint.h>

#include "blend/blend.h"
#include "compose/compose.h"
#include "libsys/server.h"
#include "proto/gfx.h"
#include "psf/psf.h"

#define COMP_MAX_CLIENTS 16
#define COMP_MAX_WINDOWS (COMP_MAX_CLIENTS * GFX_MAX_WINDOWS)
/* Where client surfaces are mapped: one region of GFX_MAX_FRAMES 2 MiB frames each. */
#define COMP_SURFACE_BASE 0x300000000000ul
#define COMP_SURFACE_SPAN ((uint64_t)GFX_MAX_FRAMES << 21)

struct client;

struct surface {
    bool used;
    uint32_t width, height, stride;
    unsigned frame_bits, frame_count, frames_given;
    uint64_t frames[GFX_MAX_FRAMES]; /* our slots of the client's frames (0: not yet) */
    const uint32_t *pixels;          /* where we mapped them, read-only */
};

struct window {
    bool used, mapped; /* mapped: committed once, so shown */
    struct client *owner;
    unsigned id;
    struct surface *surface;
    int x, y;          /* the surface's top-left on the screen */
    int width, height; /* the surface's size */
    uint64_t min_size, max_size;
    char title[GFX_TITLE_MAX + 1];
    uint32_t *title_bar; /* width x GFX_TITLE_HEIGHT, drawn by us */
    int title_bar_width;
};

struct client {
    bool used;
    uint64_t pid;          /* its badge */
    uint64_t notification; /* our slot of what we signal */
    unsigned index;        /* in the table: where its surfaces are mapped */
    struct surface surfaces[GFX_MAX_SURFACES];
    struct window windows[GFX_MAX_WINDOWS];
    struct gfx_event queue[GFX_EVENT_QUEUE];
    unsigned head, queued;
    uint64_t dropped;
};

struct compositor {
    uint32_t *framebuffer; /* pitch bytes a row */
    int width, height;
    uint32_t pitch;
    uint32_t *back; /* width x height, what the screen shows */
    struct compose_damage damage;
    struct window *stack[COMP_MAX_WINDOWS]; /* mapped windows, bottom first */
    unsigned stack_count;
    struct window *focus;
    int pointer_x, pointer_y;
    uint8_t buttons;
    struct window *dragging; /* a title being dragged */
    int drag_dx, drag_dy;    /* pointer minus window position when the drag began */
    uint32_t pointer_pixels[GFX_POINTER_W * GFX_POINTER_H];
    blend_over_fn blend;
    enum blend_kind blend_kind;
    uint64_t instance;
    struct psf_font font; /* the titles' (etc/font.psf); glyph_count 0: titles have no text */
    /* counters (GFX_STATS) */
    uint64_t full_compositions, partial_compositions, pixels_composed;
};

extern struct compositor comp;
extern struct client clients[COMP_MAX_CLIENTS];

/* requests.c */
extern const struct server_op requests_table[];
extern const unsigned requests_count;

/* clients.c */
void *clients_find(struct server *s, uint64_t badge);
struct client *clients_add(uint64_t pid);
/* Forgets c's windows (damaging where they were) and surfaces, deletes its capabilities. */
void clients_reset(struct client *c);
/* Queues an event for c and signals it if the queue was empty. Pointer motion is compressed
   (a motion event replaces the one at the queue's end for the same window); a full queue
   drops its oldest motion to take another event, else drops the new one (counted). */
void clients_post(struct client *c, const struct gfx_event *e);
/* Clients whose frames are gone (the process ended) lose everything; true if any did. */
bool clients_sweep(void);
void surface_destroy(struct surface *s);

/* screen.c */
/* The window's footprint with decorations: border, title bar, surface. */
struct compose_rect screen_window_frame(const struct window *w);
void screen_damage(struct compose_rect r);
void screen_damage_window(const struct window *w);
/* Composes every damaged rectangle and copies it to the framebuffer (clients swept first). */
void screen_update(void);
void screen_raise(struct window *w);
void screen_remove(struct window *w);
void screen_focus(struct window *w);
/* The topmost window whose footprint holds x, y (NULL: the desktop). */
struct window *screen_window_at(int x, int y);
void screen_draw_title(struct window *w);
/* Clamps a window's position so its title bar stays reachable. */
void screen_clamp(int width, int height, int *x, int *y);

/* input.c */
long input_handle(struct server_call *call);
void input_pointer_moved(int dx, int dy, uint8_t buttons);

#endif
