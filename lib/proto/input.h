/*
 * The input protocol: the events the i8042 driver (servers/kbd) sends the
 * compositor, and the one-word encoding of an event that the compositor
 * reuses when it passes a key on to the focused window's client.
 * docs/input.md ("Who sends input to whom").
 *
 * kbd sends INPUT_EVENTS to the endpoint the boot manifest grants it as
 * `endpoints=compositor`; without that grant (the text boot) it sends keys
 * to the console as terminal bytes (CONSOLE_INPUT) and leaves the mouse off.
 *
 * No timestamps: the driver would need a call to procsrv per interrupt to
 * read the clock, and the compositor, which answers at once, stamps an event
 * on arrival as precisely.
 */
#ifndef MISSIVE_PROTO_INPUT_H
#define MISSIVE_PROTO_INPUT_H

#include <stdbool.h>
#include <stdint.h>

#include "input/keymap.h"
#include "proto/service.h"

#define INPUT_MAX_EVENTS 63 /* events one request carries (MR1-MR63) */

enum input_label {
    /* kbd only: MR0 n (1..INPUT_MAX_EVENTS), then one event a word (input_event_pack) from
       MR1 on, oldest first -> MR0 n. An event of an unknown type is skipped, not refused, so
       a newer driver can add types. */
    INPUT_EVENTS = 1,
};

enum input_event_type {
    INPUT_EVENT_KEY = 1,   /* a key pressed or released (struct key_event of lib/input) */
    INPUT_EVENT_MOUSE = 2, /* relative motion and the button state after it */
};

/* Mouse buttons (input_event.buttons): as PS/2 byte 0 has them. */
#define INPUT_BUTTON_LEFT   0x01
#define INPUT_BUTTON_RIGHT  0x02
#define INPUT_BUTTON_MIDDLE 0x04

/* One event, unpacked. */
struct input_event {
    uint8_t type; /* enum input_event_type */
    /* INPUT_EVENT_KEY */
    struct key_event key;
    /* INPUT_EVENT_MOUSE: motion in mouse counts, x to the right and y DOWN the screen (PS/2
       counts y up; the driver turns it round); buttons held after the motion; overflow set
       when the mouse said its counter overflowed (the motion is then 0: it was lost). */
    int16_t dx, dy;
    uint8_t buttons;
    bool overflow;
};

/*
 * The word an event travels in:
 *   bits 0-7   type
 *   KEY:   bits 8-23 key (enum keymap_key), bit 24 pressed, bits 32-39 modifiers
 *          (KEYMAP_MOD_*), bits 40-47 ascii
 *   MOUSE: bits 8-15 buttons, bits 16-31 dx, bits 32-47 dy (two's complement), bit 48
 *          overflow
 * Unused bits are 0.
 */
static inline uint64_t input_event_pack(const struct input_event *ev)
{
    uint64_t w = ev->type;
    if (ev->type == INPUT_EVENT_KEY) {
        w |= (uint64_t)ev->key.key << 8;
        w |= (uint64_t)(ev->key.pressed ? 1 : 0) << 24;
        w |= (uint64_t)ev->key.modifiers << 32;
        w |= (uint64_t)(uint8_t)ev->key.ascii << 40;
    } else if (ev->type == INPUT_EVENT_MOUSE) {
        w |= (uint64_t)ev->buttons << 8;
        w |= (uint64_t)(uint16_t)ev->dx << 16;
        w |= (uint64_t)(uint16_t)ev->dy << 32;
        w |= (uint64_t)(ev->overflow ? 1 : 0) << 48;
    }
    return w;
}

/* Unpacks word into *ev; returns false (and *ev zeroed but for the type) for a type it does
   not know, or a key code beyond KEY_COUNT. */
static inline bool input_event_unpack(uint64_t w, struct input_event *ev)
{
    *ev = (struct input_event){.type = (uint8_t)w};
    if (ev->type == INPUT_EVENT_KEY) {
        uint16_t key = (uint16_t)(w >> 8);
        if (key == KEY_NONE || key >= KEY_COUNT)
            return false;
        ev->key.key = key;
        ev->key.pressed = (w >> 24) & 1;
        ev->key.modifiers = (uint8_t)(w >> 32);
        ev->key.ascii = (char)(uint8_t)(w >> 40);
        return true;
    }
    if (ev->type == INPUT_EVENT_MOUSE) {
        ev->buttons = (uint8_t)(w >> 8);
        ev->dx = (int16_t)(uint16_t)(w >> 16);
        ev->dy = (int16_t)(uint16_t)(w >> 32);
        ev->overflow = (w >> 48) & 1;
        return true;
    }
    return false;
}

#endif
