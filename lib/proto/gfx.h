/*
 * The compositor's protocol (servers/compositor; docs/graphics.md): clients share surfaces
 * (ARGB32, premultiplied alpha) in frames they send by capability, show them in windows the
 * compositor decorates, commit damage rectangles, and read their input events from a small
 * queue the compositor signals through a notification.
 *
 * Clients find the compositor by name (PROC_LOOKUP of GFX_SERVER_NAME). Every request but
 * GFX_CONNECT needs a connected client (SERVICE_DENIED otherwise: a compositor that was
 * restarted knows nobody, and the client library then connects again and re-creates its
 * surfaces and windows).
 */
#ifndef MISSIVE_PROTO_GFX_H
#define MISSIVE_PROTO_GFX_H

#include "proto/service.h"

#define GFX_SERVER_NAME "compositor"

/* --- requests ---------------------------------------------------------------------------- */

/* Labels from 16 on: the compositor's endpoint also takes the input protocol's (lib/proto/
   input.h, labels 1-15) from the i8042 driver. */
enum gfx_label {
    /* Capability 0: a Notification the compositor signals (bit GFX_NOTIFY_EVENTS) when the
       client's event queue goes from empty to not empty. Connecting again replaces it (and
       forgets the client's surfaces and windows).
       -> MR0 screen width, MR1 screen height, MR2 the compositor's instance (changes when it
       is restarted) */
    GFX_CONNECT = 16,
    /* MR0 width (1..GFX_MAX_SIZE), MR1 height (1..GFX_MAX_SIZE), MR2 stride in bytes (4 *
       width .. GFX_MAX_STRIDE, a multiple of 4), MR3 frame count (1..GFX_MAX_FRAMES);
       capability 0: the first frame (4 KiB or 2 MiB of RAM, read right at least). Every frame
       of a surface has the first one's size; together they must hold stride * height bytes.
       -> MR0 the surface's id. The surface is complete (can be attached) once every frame has
       come (GFX_SURFACE_FRAME). */
    GFX_SURFACE_CREATE = 17,
    /* MR0 surface, MR1 index (1..count-1); capability 0: that frame */
    GFX_SURFACE_FRAME = 18,
    /* MR0 surface: forgotten (a window showing it shows nothing until another is attached) */
    GFX_SURFACE_DESTROY = 19,
    /* MR0 surface (complete), MR1 x, MR2 y (of the surface's top-left on the screen, signed:
       int32 in the low half of the word), MR3 minimum size, MR4 maximum size (each width |
       height << 32; 0: none), MR5 title length (0..GFX_TITLE_MAX), the title from MR6 on
       -> MR0 the window's id. The window is the surface's size, which must lie within the
       minimum and maximum; it is mapped (shown) at its first GFX_COMMIT, on top, and
       focused. A configure event tells the size. */
    GFX_WINDOW_CREATE = 20,
    /* MR0 window: gone from the screen */
    GFX_WINDOW_DESTROY = 21,
    /* MR0 window, MR1 surface to attach (0: keep the one attached), MR2 rectangle count n
       (0..GFX_MAX_DAMAGE; 0: the whole surface), then two words per rectangle from MR3:
       x | y << 32, width | height << 32, in surface pixels (clipped to the surface). The
       damaged pixels are read from the surface and shown. */
    GFX_COMMIT = 22,
    /* MR0 at most this many (1..GFX_EVENTS_MAX; 0 or no MR0: GFX_EVENTS_MAX; events beyond
       stay queued) -> MR0 events n (0..GFX_EVENTS_MAX), MR1 events dropped since the last
       read (queue full), then GFX_EVENT_WORDS words per event from MR2 (struct gfx_event's
       packing) */
    GFX_EVENTS = 23,
    /* MR0 window, MR1 x, MR2 y (as GFX_WINDOW_CREATE) */
    GFX_WINDOW_MOVE = 24,
    /* -> MR0 windows shown, MR1 full compositions, MR2 partial ones, MR3 pixels composed,
       MR4 damage rectangles dropped by merging, MR5 the focused window's owner (pid) and id
       (pid << 32 | id), MR6 pointer x | y << 32 (for tests and the benchmark) */
    GFX_STATS = 25,
};

#define GFX_MAX_SIZE      8192                /* pixels, width and height */
#define GFX_MAX_STRIDE    (4u * GFX_MAX_SIZE) /* bytes */
#define GFX_MAX_FRAMES    64                  /* frames of one surface (128 MiB of 2 MiB ones) */
#define GFX_MAX_DAMAGE    16                  /* rectangles of one commit */
#define GFX_TITLE_MAX     64                  /* bytes of a title */
#define GFX_MAX_SURFACES  8                   /* per client */
#define GFX_MAX_WINDOWS   4                   /* per client */
#define GFX_NOTIFY_EVENTS 1ul                 /* the bit the compositor signals */

/* Pixels: 32 bits, 0xAARRGGBB in a little-endian word (B, G, R, A in memory), colour
   premultiplied by alpha (each of R, G, B <= A). The framebuffer's own format is the same
   without alpha. */
static inline unsigned gfx_argb(unsigned a, unsigned r, unsigned g, unsigned b)
{
    return a << 24 | r << 16 | g << 8 | b;
}

/* A size word of GFX_WINDOW_CREATE and a rectangle's words of GFX_COMMIT. */
#define GFX_PACK(low, high) ((unsigned long)(unsigned)(low) | (unsigned long)(unsigned)(high) << 32)
#define GFX_LOW(word)       ((unsigned)((word)&0xffffffffu))
#define GFX_HIGH(word)      ((unsigned)((word) >> 32))

/* --- decorations (drawn by the compositor; docs/graphics.md) -------------------------------- */

#define GFX_TITLE_HEIGHT 20 /* pixels of the title bar, above the surface */
#define GFX_BORDER       1  /* pixels of the border around title and surface */
#define GFX_CLOSE_SIZE   14 /* the close button, a square at the title bar's right end */
#define GFX_POINTER_W    12 /* the pointer's bitmap */
#define GFX_POINTER_H    19

/* --- events ------------------------------------------------------------------------------ */

enum gfx_event_type {
    /* code: the key (enum keymap_key, lib/input/keymap.h), flags: GFX_KEY_PRESSED |
       modifiers (KEYMAP_MOD_*) << 8, text: the byte a terminal sends (0: none) */
    GFX_EVENT_KEY = 1,
    GFX_EVENT_POINTER = 2,   /* x, y: the pointer in surface pixels (it moved over the window) */
    GFX_EVENT_BUTTON = 3,    /* code: button (1 left, 2 right, 3 middle), flags: 1 pressed, x y */
    GFX_EVENT_FOCUS = 4,     /* code: 1 gained, 0 lost */
    GFX_EVENT_CLOSE = 5,     /* the close button was clicked: the client decides */
    GFX_EVENT_CONFIGURE = 6, /* x, y: the window's size (width, height) */
};

#define GFX_KEY_PRESSED 1u

struct gfx_event {
    unsigned type, window;
    int x, y;
    unsigned code, flags, text;
};

#define GFX_EVENT_WORDS 3
#define GFX_EVENTS_MAX  20 /* per GFX_EVENTS reply: (64 - 2) / 3 words */
#define GFX_EVENT_QUEUE 64 /* per client; beyond, events are dropped and counted */

/* Packing: word 0 type | window << 32; word 1 x | y << 32 (int32 each); word 2 code (16
   bits) | flags << 16 (16 bits) | text << 32. */
static inline void gfx_event_pack(const struct gfx_event *e, unsigned long w[GFX_EVENT_WORDS])
{
    w[0] = GFX_PACK(e->type, e->window);
    w[1] = GFX_PACK(e->x, e->y);
    w[2] = (unsigned long)(e->code & 0xffff) | (unsigned long)(e->flags & 0xffff) << 16 |
           (unsigned long)e->text << 32;
}

static inline void gfx_event_unpack(const unsigned long w[GFX_EVENT_WORDS], struct gfx_event *e)
{
    e->type = GFX_LOW(w[0]);
    e->window = GFX_HIGH(w[0]);
    e->x = (int)GFX_LOW(w[1]);
    e->y = (int)GFX_HIGH(w[1]);
    e->code = (unsigned)(w[2] & 0xffff);
    e->flags = (unsigned)(w[2] >> 16 & 0xffff);
    e->text = GFX_HIGH(w[2]);
}

#endif
