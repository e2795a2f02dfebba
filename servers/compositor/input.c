/*
 * Input from the i8042 driver (lib/proto/input.h): the pointer moves, a click raises and
 * focuses the window under it (and starts dragging its title, or closes it), keys go to the
 * focused window's client only, and Alt-Tab, the compositor's own key, raises and focuses the
 * bottom window (cycling through them all).
 */
#include <string.h>

#include "compositor.h"
#include "proto/input.h"

/* The driver's pid, once checked: only the process procsrv runs as "kbd" may send input. */
static uint64_t driver_pid;

static bool is_driver(uint64_t pid)
{
    if (pid == driver_pid)
        return true;
    struct proc_entry e;
    for (uint64_t i = 0; result_is_ok(proc_list(i, &e)); i++)
        if (e.pid == pid) {
            if (strcmp(e.name, "kbd") != 0)
                return false;
            driver_pid = pid;
            return true;
        }
    return false;
}

static struct compose_rect pointer_rect(void)
{
    return (struct compose_rect){comp.pointer_x, comp.pointer_y, GFX_POINTER_W, GFX_POINTER_H};
}

/* An event about window w with the pointer in its surface's pixels. */
static void post_pointer(struct window *w, unsigned type, unsigned code, unsigned flags)
{
    clients_post(w->owner, &(struct gfx_event){type, w->id, comp.pointer_x - w->x,
                                               comp.pointer_y - w->y, code, flags, 0});
}

static bool in_surface(const struct window *w, int x, int y)
{
    return x >= w->x && x < w->x + w->width && y >= w->y && y < w->y + w->height;
}

/* The left button went down at the pointer. */
static void press(void)
{
    struct window *w = screen_window_at(comp.pointer_x, comp.pointer_y);
    if (!w)
        return;
    screen_raise(w);
    screen_focus(w);
    int bx = comp.pointer_x - w->x, by = comp.pointer_y - (w->y - GFX_TITLE_HEIGHT);
    struct compose_rect close = compose_close_button(w->width);
    if (by >= 0 && by < GFX_TITLE_HEIGHT && bx >= close.x && bx < close.x + close.width &&
        by >= close.y && by < close.y + close.height) {
        clients_post(w->owner, &(struct gfx_event){GFX_EVENT_CLOSE, w->id, 0, 0, 0, 0, 0});
    } else if (!in_surface(w, comp.pointer_x, comp.pointer_y)) {
        comp.dragging = w; /* the title bar or the border */
        comp.drag_dx = comp.pointer_x - w->x;
        comp.drag_dy = comp.pointer_y - w->y;
    } else {
        post_pointer(w, GFX_EVENT_BUTTON, 1, 1);
    }
}

void input_pointer_moved(int dx, int dy, uint8_t buttons)
{
    screen_damage(pointer_rect());
    int x = comp.pointer_x + dx, y = comp.pointer_y + dy;
    comp.pointer_x = x < 0 ? 0 : x >= comp.width ? comp.width - 1 : x;
    comp.pointer_y = y < 0 ? 0 : y >= comp.height ? comp.height - 1 : y;
    screen_damage(pointer_rect());
    struct window *d = comp.dragging;
    if (d && (dx || dy)) {
        screen_damage_window(d);
        d->x = comp.pointer_x - comp.drag_dx;
        d->y = comp.pointer_y - comp.drag_dy;
        screen_clamp(d->width, d->height, &d->x, &d->y);
        screen_damage_window(d);
    } else if (dx || dy) {
        struct window *w = screen_window_at(comp.pointer_x, comp.pointer_y);
        if (w && in_surface(w, comp.pointer_x, comp.pointer_y))
            post_pointer(w, GFX_EVENT_POINTER, 0, 0);
    }
    uint8_t changed = buttons ^ comp.buttons;
    comp.buttons = buttons;
    if (changed & INPUT_BUTTON_LEFT) {
        if (buttons & INPUT_BUTTON_LEFT) {
            press();
        } else if (comp.dragging) {
            comp.dragging = 0;
        } else if (comp.focus && in_surface(comp.focus, comp.pointer_x, comp.pointer_y)) {
            post_pointer(comp.focus, GFX_EVENT_BUTTON, 1, 0);
        }
    }
    static const unsigned others[][2] = {{INPUT_BUTTON_RIGHT, 2}, {INPUT_BUTTON_MIDDLE, 3}};
    for (unsigned i = 0; i < 2; i++)
        if ((changed & others[i][0]) && comp.focus &&
            in_surface(comp.focus, comp.pointer_x, comp.pointer_y))
            post_pointer(comp.focus, GFX_EVENT_BUTTON, others[i][1],
                         (buttons & others[i][0]) ? 1 : 0);
}

static void key(const struct key_event *k)
{
    if (k->key == KEY_TAB && (k->modifiers & KEYMAP_MOD_ALT)) {
        if (k->pressed && comp.stack_count > 1) {
            struct window *bottom = comp.stack[0];
            screen_raise(bottom);
            screen_focus(bottom);
        }
        return; /* the compositor's: no client sees it */
    }
    if (!comp.focus)
        return;
    unsigned flags = (k->pressed ? GFX_KEY_PRESSED : 0) | (unsigned)k->modifiers << 8;
    clients_post(comp.focus->owner, &(struct gfx_event){GFX_EVENT_KEY, comp.focus->id, 0, 0, k->key,
                                                        flags, (unsigned)(uint8_t)k->ascii});
}

/* INPUT_EVENTS: MR0 n, n events from MR1. */
long input_handle(struct server_call *call)
{
    if (!is_driver(call->badge))
        return SERVICE_DENIED;
    uint64_t n = request_word(&call->in, 0);
    if (n < 1 || n > INPUT_MAX_EVENTS || n + 1 > call->in.length)
        return server_bad_argument(call, 0, 1,
                                   call->in.length - 1 < INPUT_MAX_EVENTS ? call->in.length - 1
                                                                          : INPUT_MAX_EVENTS);
    for (unsigned i = 0; i < n; i++) {
        struct input_event e;
        if (!input_event_unpack(request_word(&call->in, 1 + i), &e))
            continue; /* a newer driver's type: skipped */
        if (e.type == INPUT_EVENT_KEY)
            key(&e.key);
        else if (e.type == INPUT_EVENT_MOUSE)
            input_pointer_moved(e.dx, e.dy, e.buttons);
    }
    screen_update();
    request_set_word(&call->out, 0, n);
    return SERVICE_OK;
}
