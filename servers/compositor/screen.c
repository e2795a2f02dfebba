/*
 * The screen: the stacking order of mapped windows, the damage list, composing damaged
 * rectangles into the back buffer from the windows' layers (border, title bar, surface, from
 * the bottom window up, then the pointer) and copying them to the framebuffer.
 */
#include <stdlib.h>
#include <string.h>

#include "compositor.h"
#include "text/text.h"

struct compose_rect screen_window_frame(const struct window *w)
{
    return (struct compose_rect){w->x - GFX_BORDER, w->y - GFX_TITLE_HEIGHT - GFX_BORDER,
                                 w->width + 2 * GFX_BORDER,
                                 w->height + GFX_TITLE_HEIGHT + 2 * GFX_BORDER};
}

void screen_damage(struct compose_rect r)
{
    r = compose_rect_intersect(r, (struct compose_rect){0, 0, comp.width, comp.height});
    compose_damage_add(&comp.damage, r);
}

void screen_damage_window(const struct window *w)
{
    screen_damage(screen_window_frame(w));
}

void screen_clamp(int width, int height, int *x, int *y)
{
    (void)height;
    /* At least 32 pixels of the title bar stay on the screen, and all of its height. */
    int min_x = 32 - width, max_x = comp.width - 32;
    int min_y = GFX_TITLE_HEIGHT + GFX_BORDER, max_y = comp.height;
    *x = *x < min_x ? min_x : *x > max_x ? max_x : *x;
    *y = *y < min_y ? min_y : *y > max_y ? max_y : *y;
}

/* Takes w out of the stacking order (the focus stays). */
static void unstack(struct window *w)
{
    unsigned j = 0;
    for (unsigned i = 0; i < comp.stack_count; i++)
        if (comp.stack[i] != w)
            comp.stack[j++] = comp.stack[i];
    comp.stack_count = j;
}

void screen_remove(struct window *w)
{
    unstack(w);
    if (comp.dragging == w)
        comp.dragging = 0;
    if (comp.focus == w) {
        comp.focus = 0;
        if (comp.stack_count)
            screen_focus(comp.stack[comp.stack_count - 1]);
    }
}

void screen_raise(struct window *w)
{
    unstack(w);
    comp.stack[comp.stack_count++] = w;
    screen_damage_window(w);
}

void screen_draw_title(struct window *w)
{
    if (!w->title_bar || w->title_bar_width != w->width) {
        free(w->title_bar);
        w->title_bar = malloc((size_t)w->width * GFX_TITLE_HEIGHT * 4);
        w->title_bar_width = w->title_bar ? w->width : 0;
    }
    if (w->title_bar) {
        compose_title_bar(w->title_bar, w->width, w == comp.focus);
        /* The title, clipped where the close button begins. */
        struct text_target t =
            text_target(w->title_bar, w->width, GFX_TITLE_HEIGHT, (size_t)w->width);
        t.clip_x1 = compose_close_button(w->width).x - COMPOSE_TITLE_TEXT_X / 2;
        if (comp.font.glyph_count)
            text_draw(&t, &comp.font, COMPOSE_TITLE_TEXT_X,
                      (GFX_TITLE_HEIGHT - (int32_t)comp.font.height) / 2, w->title,
                      strlen(w->title), COMPOSE_TITLE_TEXT, 0, false);
    }
    struct compose_rect bar = {w->x, w->y - GFX_TITLE_HEIGHT, w->width, GFX_TITLE_HEIGHT};
    screen_damage(bar);
}

void screen_focus(struct window *w)
{
    struct window *old = comp.focus;
    if (old == w)
        return;
    comp.focus = w;
    if (old) {
        screen_draw_title(old);
        clients_post(old->owner, &(struct gfx_event){GFX_EVENT_FOCUS, old->id, 0, 0, 0, 0, 0});
    }
    if (w) {
        screen_draw_title(w);
        clients_post(w->owner, &(struct gfx_event){GFX_EVENT_FOCUS, w->id, 0, 0, 1, 0, 0});
    }
}

struct window *screen_window_at(int x, int y)
{
    for (unsigned i = comp.stack_count; i-- > 0;) {
        struct compose_rect f = screen_window_frame(comp.stack[i]);
        if (x >= f.x && x < f.x + f.width && y >= f.y && y < f.y + f.height)
            return comp.stack[i];
    }
    return 0;
}

/* The layers of the scene, bottom first: per window its four border edges, its title bar and
   its surface; the pointer last. Returns the count. */
static unsigned scene_layers(struct compose_layer *layers)
{
    unsigned n = 0;
    for (unsigned i = 0; i < comp.stack_count; i++) {
        const struct window *w = comp.stack[i];
        struct compose_rect f = screen_window_frame(w);
        int inner_h = w->height + GFX_TITLE_HEIGHT;
        layers[n++] =
            (struct compose_layer){{f.x, f.y, f.width, GFX_BORDER}, 0, 0, COMPOSE_BORDER, true};
        layers[n++] = (struct compose_layer){
            {f.x, f.y + f.height - GFX_BORDER, f.width, GFX_BORDER}, 0, 0, COMPOSE_BORDER, true};
        layers[n++] = (struct compose_layer){
            {f.x, f.y + GFX_BORDER, GFX_BORDER, inner_h}, 0, 0, COMPOSE_BORDER, true};
        layers[n++] = (struct compose_layer){
            {w->x + w->width, f.y + GFX_BORDER, GFX_BORDER, inner_h}, 0, 0, COMPOSE_BORDER, true};
        struct compose_rect bar = {w->x, w->y - GFX_TITLE_HEIGHT, w->width, GFX_TITLE_HEIGHT};
        if (w->title_bar)
            layers[n++] = (struct compose_layer){bar, w->title_bar, (uint32_t)w->width, 0, true};
        else
            layers[n++] = (struct compose_layer){bar, 0, 0, COMPOSE_TITLE, true};
        if (w->surface && w->surface->pixels)
            layers[n++] = (struct compose_layer){{w->x, w->y, w->width, w->height},
                                                 w->surface->pixels,
                                                 w->surface->stride / 4,
                                                 0,
                                                 false};
    }
    layers[n++] =
        (struct compose_layer){{comp.pointer_x, comp.pointer_y, GFX_POINTER_W, GFX_POINTER_H},
                               comp.pointer_pixels,
                               GFX_POINTER_W,
                               0,
                               false};
    return n;
}

void screen_update(void)
{
    clients_sweep();
    if (comp.damage.count == 0)
        return;
    static struct compose_layer layers[COMP_MAX_WINDOWS * 6 + 1];
    unsigned n = scene_layers(layers);
    bool full = false;
    for (unsigned i = 0; i < comp.damage.count; i++) {
        struct compose_rect r = comp.damage.rects[i];
        compose_region(comp.back, (uint32_t)comp.width, r, COMPOSE_BACKGROUND, layers, n,
                       comp.blend);
        for (int y = r.y; y < r.y + r.height; y++)
            memcpy((char *)comp.framebuffer + (uint64_t)y * comp.pitch + (uint64_t)r.x * 4,
                   comp.back + (uint64_t)y * comp.width + r.x, (size_t)r.width * 4);
        comp.pixels_composed += (uint64_t)r.width * r.height;
        full = full || (r.width == comp.width && r.height == comp.height);
    }
    if (full)
        comp.full_compositions++;
    else
        comp.partial_compositions++;
    compose_damage_clear(&comp.damage);
}
