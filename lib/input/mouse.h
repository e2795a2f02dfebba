/*
 * PS/2 mouse packet decoder (the standard 3-byte packets a mouse sends with data reporting
 * on, no wheel): bytes in, motion and buttons out. Pure C, no allocation, caller-held state;
 * every byte value is accepted. docs/input.md.
 *
 * Byte 0: bit 0 left, 1 right, 2 middle, bit 3 always 1, bit 4 X sign, 5 Y sign, 6 X
 * overflow, 7 Y overflow; byte 1: X (low 8 of 9 bits), byte 2: Y (up positive).
 */
#ifndef MISSIVE_MOUSE_H
#define MISSIVE_MOUSE_H

#include <stdbool.h>
#include <stdint.h>

#define MOUSE_BYTE0_BUTTONS    0x07
#define MOUSE_BYTE0_ALWAYS_ONE 0x08
#define MOUSE_BYTE0_X_SIGN     0x10
#define MOUSE_BYTE0_Y_SIGN     0x20
#define MOUSE_BYTE0_X_OVERFLOW 0x40
#define MOUSE_BYTE0_Y_OVERFLOW 0x80

struct mouse_event {
    int16_t dx;      /* -256..255, right positive */
    int16_t dy;      /* -255..256, DOWN positive (screen coordinates) */
    uint8_t buttons; /* MOUSE_BYTE0_BUTTONS bits held */
    bool overflow;   /* a counter overflowed: dx and dy are 0 (the motion is unknown) */
};

/* Decoder state; set up with mouse_init. */
struct mouse_state {
    uint8_t bytes[3];
    uint8_t count;      /* bytes of the current packet gathered */
    uint32_t discarded; /* bytes thrown away to find a packet's start again */
};

/* Resets *st to wait for the first byte of a packet. */
void mouse_init(struct mouse_state *st);

/* Feeds one byte from the mouse. Returns true and fills *out when it completes a packet.
   A byte that should start a packet but lacks bit 3 is discarded (counted in
   st->discarded): that is how the decoder finds the packet boundary again after a lost
   byte. */
bool mouse_feed(struct mouse_state *st, uint8_t byte, struct mouse_event *out);

#endif
