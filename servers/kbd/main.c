/*
 * The i8042 driver: the PS/2 keyboard and, in the graphics boot, the PS/2 mouse, which share
 * the controller (so one driver owns both). Scancodes (IRQ 1) are decoded with
 * lib/input/keymap (set 1, which the controller's translation makes of the keyboard's set 2);
 * mouse packets (IRQ 12) with lib/input/mouse.
 *
 * Where events go (docs/input.md, "Who sends input to whom"): with the compositor's endpoint
 * granted (manifest endpoints=compositor), every key and mouse event goes to it
 * (INPUT_EVENTS, lib/proto/input.h); without it (the text boot) key presses go to the
 * console as the bytes a terminal would send (CONSOLE_INPUT), so the shell reads keyboard and
 * serial input alike, and the mouse stays off. docs/userspace.md.
 *
 * Grants (boot manifest): I/O ports 0x60 and 0x64 (one range 0x60-0x64 or two ranges both
 * work), IRQ 1 and its notification; for the mouse also IRQ 12 and the compositor's endpoint.
 */
#include <stdio.h>
#include <stdlib.h>

#include "i8042.h"
#include "input/keymap.h"
#include "input/mouse.h"
#include "libsys/invoke.h"
#include "libsys/server.h"
#include "procgrant/procgrant.h"
#include "proto/input.h"

#define KBD_IRQ   1
#define MOUSE_IRQ 12

struct kbd {
    struct i8042 controller;
    uint64_t irq, notification;
    uint64_t mouse_irq;  /* 0: no mouse (not granted, or it did not answer) */
    uint64_t compositor; /* the compositor's endpoint; 0 in the text boot */
    struct keymap_state keys;
    struct mouse_state mouse;
    size_t pending_bytes; /* bytes gathered for the next CONSOLE_INPUT */
    uint8_t bytes[CONSOLE_MAX_BYTES];
    size_t pending_events; /* events gathered for the next INPUT_EVENTS */
    uint64_t events[INPUT_MAX_EVENTS];
};

static struct kbd kbd;

/* Sends the bytes gathered so far to the console. A console that is not there (yet) or
   fails loses them: keys typed with no console to take them have nowhere to go. */
static void flush_bytes(struct kbd *k)
{
    if (k->pending_bytes == 0)
        return;
    struct request r = {.label = CONSOLE_INPUT};
    request_set_word(&r, 0, k->pending_bytes);
    request_put_bytes(&r, 1, k->bytes, k->pending_bytes);
    request_call(PROC_SLOT_CONSOLE, &r, 0, 0, 0);
    k->pending_bytes = 0;
}

/* Sends the events gathered so far to the compositor; one that fails loses them, as the
   console's keys are lost (a restarted compositor gets the next ones). */
static void flush_events(struct kbd *k)
{
    if (k->pending_events == 0)
        return;
    struct request r = {.label = INPUT_EVENTS};
    request_set_word(&r, 0, k->pending_events);
    for (size_t i = 0; i < k->pending_events; i++)
        request_set_word(&r, 1 + (unsigned)i, k->events[i]);
    request_call(k->compositor, &r, 0, 0, 0);
    k->pending_events = 0;
}

/* Adds an event to the batch for the compositor. */
static void add_event(struct kbd *k, const struct input_event *ev)
{
    if (k->pending_events == INPUT_MAX_EVENTS)
        flush_events(k);
    k->events[k->pending_events++] = input_event_pack(ev);
}

/* Decodes one scancode byte: a key event for the compositor, or a key press's terminal bytes
   for the console. */
static void feed_scancode(struct kbd *k, uint8_t code)
{
    struct input_event ev = {.type = INPUT_EVENT_KEY};
    if (!keymap_feed(&k->keys, code, &ev.key))
        return;
    if (k->compositor) {
        add_event(k, &ev);
        return;
    }
    char out[8];
    size_t n = keymap_to_terminal(&ev.key, out);
    if (k->pending_bytes + n > sizeof k->bytes)
        flush_bytes(k);
    for (size_t i = 0; i < n; i++)
        k->bytes[k->pending_bytes++] = (uint8_t)out[i];
}

/* Decodes one byte from the mouse; a completed packet is an event for the compositor. */
static void feed_mouse(struct kbd *k, uint8_t byte)
{
    struct mouse_event m;
    if (!mouse_feed(&k->mouse, byte, &m))
        return;
    struct input_event ev = {.type = INPUT_EVENT_MOUSE,
                             .dx = m.dx,
                             .dy = m.dy,
                             .buttons = m.buttons,
                             .overflow = m.overflow};
    add_event(k, &ev);
}

/* Reads every byte the controller holds; mouse bytes are dropped unless the mouse is on. */
static void drain(struct kbd *k)
{
    for (unsigned i = 0; i < I8042_DRAIN_MAX; i++) {
        int status = i8042_status(&k->controller);
        if (!(status & I8042_STATUS_OUTPUT))
            break;
        int code = i8042_read_data(&k->controller);
        if (code < 0)
            continue;
        if (!(status & I8042_STATUS_AUX))
            feed_scancode(k, (uint8_t)code);
        else if (k->mouse_irq)
            feed_mouse(k, (uint8_t)code);
    }
}

/* Finds the grants; exits with a message if one it needs is missing. */
static void kbd_setup(struct kbd *k)
{
    const struct proc_info *info = libsys_proc_info();
    if (!info) {
        printf("kbd: no proc_info: not started by procsrv\n");
        exit(1);
    }
    k->controller.data_port = procgrant_ports(info, I8042_DATA, I8042_DATA);
    k->controller.status_port = procgrant_ports(info, I8042_STATUS, I8042_STATUS);
    if (!k->controller.data_port || !k->controller.status_port) {
        printf("kbd: no I/O port grants for 0x60 and 0x64\n");
        exit(1);
    }
    if (!procgrant_irq(info, KBD_IRQ, &k->irq, &k->notification)) {
        printf("kbd: no grant of IRQ 1 with its notification\n");
        exit(1);
    }
    k->compositor = procgrant_endpoint(info, "compositor");
    keymap_init(&k->keys);
    mouse_init(&k->mouse);
}

/* With a compositor to send them to, turns the mouse on: IRQ 12 signals the keyboard's
   notification too, so one wait serves both lines (the status byte says which device each
   byte comes from). Without the IRQ 12 grant, or with no mouse answering, kbd says so and
   goes on with the keyboard alone. */
static void mouse_setup(struct kbd *k)
{
    const struct proc_info *info = libsys_proc_info();
    uint64_t irq, notification;
    if (!k->compositor)
        return;
    if (!procgrant_irq(info, MOUSE_IRQ, &irq, &notification)) {
        printf("kbd: no grant of IRQ 12: no mouse\n");
        return;
    }
    if (irq_handler_set_notification(irq, k->notification) != ERR_OK) {
        printf("kbd: IRQ 12 cannot signal IRQ 1's notification: no mouse\n");
        return;
    }
    const char *failure = i8042_init_mouse(&k->controller);
    if (failure) {
        printf("kbd: %s: no mouse\n", failure);
        return;
    }
    k->mouse_irq = irq;
    printf("kbd: PS/2 mouse on, events to the compositor\n");
}

/* IRQ 1 or 12: acknowledge before reading, so a byte that comes while we read raises the line
   again instead of waiting behind a masked one; then take every byte and pass it on. */
static void kbd_interrupt(struct server *s, uint64_t word)
{
    (void)word;
    struct kbd *k = s->context;
    irq_handler_ack(k->irq);
    if (k->mouse_irq)
        irq_handler_ack(k->mouse_irq);
    drain(k);
    flush_bytes(k);
    flush_events(k);
}

/* A wait on the IRQ's notification failed for another reason than a suspend: the grant is
   unusable, so kbd says so and exits (procsrv restarts it if the manifest asks). */
static bool kbd_wait_failed(struct server *s, long error)
{
    (void)s;
    char why[80];
    printf("kbd: cannot wait for IRQ 1 (%s)\n",
           result_format(why, sizeof why, 0, result_from_kernel(error, 0)));
    return false;
}

int main(void)
{
    struct kbd *k = &kbd;
    kbd_setup(k);
    if (!i8042_init_keyboard(&k->controller))
        printf("kbd: the i8042 controller does not answer; waiting for interrupts anyway\n");
    mouse_setup(k);
    static struct server server = {
        .name = "kbd",
        .endpoint_is_notification = true,
        .cspace = PROC_SLOT_CSPACE,
        .context = &kbd,
        .notification = kbd_interrupt,
        .receive_failed = kbd_wait_failed,
    };
    server.endpoint = k->notification;
    server_run(&server);
}
