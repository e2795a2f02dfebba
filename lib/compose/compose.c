/*
 * Rectangles, damage, composition, decorations, the pointer (compose.h).
 */
#include "compose/compose.h"

#include <string.h>

#include "proto/gfx.h"

static int min_int(int a, int b)
{
    return a < b ? a : b;
}

static int max_int(int a, int b)
{
    return a > b ? a : b;
}

struct compose_rect compose_rect_intersect(struct compose_rect a, struct compose_rect b)
{
    int x0 = max_int(a.x, b.x), y0 = max_int(a.y, b.y);
    int x1 = min_int(a.x + a.width, b.x + b.width), y1 = min_int(a.y + a.height, b.y + b.height);
    if (x1 <= x0 || y1 <= y0)
        return (struct compose_rect){0, 0, 0, 0};
    return (struct compose_rect){x0, y0, x1 - x0, y1 - y0};
}

struct compose_rect compose_rect_union(struct compose_rect a, struct compose_rect b)
{
    if (compose_rect_empty(a))
        return b;
    if (compose_rect_empty(b))
        return a;
    int x0 = min_int(a.x, b.x), y0 = min_int(a.y, b.y);
    int x1 = max_int(a.x + a.width, b.x + b.width), y1 = max_int(a.y + a.height, b.y + b.height);
    return (struct compose_rect){x0, y0, x1 - x0, y1 - y0};
}

bool compose_rect_touch(struct compose_rect a, struct compose_rect b)
{
    return a.x <= b.x + b.width && b.x <= a.x + a.width && a.y <= b.y + b.height &&
           b.y <= a.y + a.height;
}

static long long area(struct compose_rect r)
{
    return compose_rect_empty(r) ? 0 : (long long)r.width * r.height;
}

void compose_damage_add(struct compose_damage *d, struct compose_rect r)
{
    if (compose_rect_empty(r))
        return;
    /* Fold in every rectangle r touches, again after r grows, until none does. */
    for (bool again = true; again;) {
        again = false;
        for (unsigned i = 0; i < d->count; i++)
            if (compose_rect_touch(d->rects[i], r)) {
                r = compose_rect_union(r, d->rects[i]);
                d->rects[i] = d->rects[--d->count];
                d->merged++;
                again = true;
                break;
            }
    }
    if (d->count < COMPOSE_DAMAGE_MAX) {
        d->rects[d->count++] = r;
        return;
    }
    /* Full: merge with the one whose bounding box with r grows least, then re-add (the
       box may touch others now). */
    unsigned best = 0;
    long long best_growth = -1;
    for (unsigned i = 0; i < d->count; i++) {
        struct compose_rect u = compose_rect_union(d->rects[i], r);
        long long growth = area(u) - area(d->rects[i]) - area(r);
        if (best_growth < 0 || growth < best_growth) {
            best = i;
            best_growth = growth;
        }
    }
    struct compose_rect u = compose_rect_union(d->rects[best], r);
    d->rects[best] = d->rects[--d->count];
    d->merged++;
    compose_damage_add(d, u);
}

/* Blends one solid colour over n pixels. */
static void blend_colour(uint32_t *dst, uint32_t colour, int n)
{
    for (int i = 0; i < n; i++)
        dst[i] = blend_over_pixel(dst[i], colour);
}

void compose_region(uint32_t *dst, uint32_t dst_stride, struct compose_rect clip,
                    uint32_t background, const struct compose_layer *layers, unsigned count,
                    blend_over_fn blend)
{
    if (compose_rect_empty(clip))
        return;
    for (int y = clip.y; y < clip.y + clip.height; y++) {
        uint32_t *row = dst + (uint64_t)y * dst_stride;
        for (int x = clip.x; x < clip.x + clip.width; x++)
            row[x] = background;
    }
    for (unsigned i = 0; i < count; i++) {
        const struct compose_layer *l = &layers[i];
        struct compose_rect r = compose_rect_intersect(clip, l->at);
        if (compose_rect_empty(r))
            continue;
        for (int y = r.y; y < r.y + r.height; y++) {
            uint32_t *out = dst + (uint64_t)y * dst_stride + r.x;
            if (!l->pixels) {
                if (l->colour >> 24 == 255)
                    for (int x = 0; x < r.width; x++)
                        out[x] = l->colour;
                else
                    blend_colour(out, l->colour, r.width);
                continue;
            }
            const uint32_t *in =
                l->pixels + (uint64_t)(y - l->at.y) * l->stride + (uint64_t)(r.x - l->at.x);
            if (l->opaque)
                memcpy(out, in, (size_t)r.width * 4);
            else
                blend(out, in, (size_t)r.width);
        }
    }
}

struct compose_rect compose_close_button(int width)
{
    return (struct compose_rect){width - GFX_CLOSE_SIZE - 3, 3, GFX_CLOSE_SIZE, GFX_CLOSE_SIZE};
}

void compose_title_bar(uint32_t *out, int width, bool focused)
{
    uint32_t colour = focused ? COMPOSE_TITLE_FOCUSED : COMPOSE_TITLE;
    for (int i = 0; i < width * GFX_TITLE_HEIGHT; i++)
        out[i] = colour;
    struct compose_rect c = compose_rect_intersect(
        compose_close_button(width), (struct compose_rect){0, 0, width, GFX_TITLE_HEIGHT});
    for (int y = c.y; y < c.y + c.height; y++)
        for (int x = c.x; x < c.x + c.width; x++)
            out[y * width + x] = COMPOSE_CLOSE;
}

const char *const compose_pointer_rows[GFX_POINTER_H] = {
    "X...........", "XX..........", "XOX.........", "XOOX........", "XOOOX.......",
    "XOOOOX......", "XOOOOOX.....", "XOOOOOOX....", "XOOOOOOOX...", "XOOOOOOOOX..",
    "XOOOOOOOOOX.", "XOOOOOOOOOOX", "XOOOOOOXXXXX", "XOOOXOOX....", "XOOXXOOX....",
    "XOX..XOOX...", "XX...XOOX...", "X.....XOOX..", "......XXX...",
};

void compose_pointer_pixels(uint32_t out[])
{
    for (int y = 0; y < GFX_POINTER_H; y++)
        for (int x = 0; x < GFX_POINTER_W; x++) {
            char c = compose_pointer_rows[y][x];
            out[y * GFX_POINTER_W + x] = c == 'X' ? 0xff000000u : c == 'O' ? 0xffffffffu : 0;
        }
}
