/*
 * The compositor's pure part (docs/graphics.md): rectangles, the damage list (rectangles
 * merged as Redox's orbital does), composing a region from a stack of layers with a blend
 * function from lib/blend, the window decorations and the pointer's bitmap. No system calls
 * and no allocation: the compositor, the benchmark and the host tests use it unchanged.
 */
#ifndef MISSIVE_COMPOSE_H
#define MISSIVE_COMPOSE_H

#include <stdbool.h>
#include <stdint.h>

#include "blend/blend.h"

struct compose_rect {
    int x, y, width, height;
};

static inline bool compose_rect_empty(struct compose_rect r)
{
    return r.width <= 0 || r.height <= 0;
}

/* The intersection (empty: width or height 0). */
struct compose_rect compose_rect_intersect(struct compose_rect a, struct compose_rect b);
/* The smallest rectangle holding both (an empty one counts as nothing). */
struct compose_rect compose_rect_union(struct compose_rect a, struct compose_rect b);
/* Whether they overlap or touch (share an edge), so that merging them wastes little. */
bool compose_rect_touch(struct compose_rect a, struct compose_rect b);

/* Damage: up to COMPOSE_DAMAGE_MAX rectangles, none overlapping or touching another. A new
   rectangle merges with every one it overlaps or touches (their bounding box, again merged
   until none touches); when the list is full the new one merges with the one whose bounding
   box grows least. */
#define COMPOSE_DAMAGE_MAX 16

struct compose_damage {
    unsigned count;
    struct compose_rect rects[COMPOSE_DAMAGE_MAX];
    uint64_t merged; /* rectangles folded into another, since the start */
};

void compose_damage_add(struct compose_damage *d, struct compose_rect r);
static inline void compose_damage_clear(struct compose_damage *d)
{
    d->count = 0;
}

/* A layer: pixels (premultiplied ARGB32, stride in pixels) shown at a rectangle of the
   screen, or a solid colour (pixels NULL). opaque: copied instead of blended (the
   compositor's own decorations; a client's pixels are always blended). */
struct compose_layer {
    struct compose_rect at;
    const uint32_t *pixels;
    uint32_t stride; /* pixels */
    uint32_t colour; /* when pixels is NULL */
    bool opaque;
};

/* Composes the clip rectangle of dst (stride in pixels): the background colour, then each
   layer from 0 (bottom) up, blended with blend. The clip must lie inside dst. */
void compose_region(uint32_t *dst, uint32_t dst_stride, struct compose_rect clip,
                    uint32_t background, const struct compose_layer *layers, unsigned count,
                    blend_over_fn blend);

/* --- decorations and the pointer (the host's reference draws the same) ------------------ */

#define COMPOSE_BACKGROUND    0xff2e3440u /* the desktop */
#define COMPOSE_BORDER        0xff101010u
#define COMPOSE_TITLE_FOCUSED 0xff3b6ea5u
#define COMPOSE_TITLE         0xff707070u
#define COMPOSE_TITLE_TEXT    0xffffffffu
#define COMPOSE_CLOSE         0xffc0392bu
#define COMPOSE_TITLE_TEXT_X  6 /* the title's first glyph, from the title bar's left */

/* Draws a title bar of width x GFX_TITLE_HEIGHT pixels into out (stride width): its colour,
   the close button (a GFX_CLOSE_SIZE square, 3 pixels from the right and top edges). The
   title's text is drawn on it by the caller's font. */
void compose_title_bar(uint32_t *out, int width, bool focused);

/* Where the close button of a title bar of that width is, relative to the bar. */
struct compose_rect compose_close_button(int width);

/* The pointer: GFX_POINTER_W x GFX_POINTER_H rows of '.', 'X' (black) and 'O' (white), its
   hot spot at the top-left corner. */
extern const char *const compose_pointer_rows[];

/* The pointer's pixels (premultiplied: '.' is 0, transparent). */
void compose_pointer_pixels(uint32_t out[]);

#endif
