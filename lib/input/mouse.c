/*
 * PS/2 mouse packets. See mouse.h.
 */
#include "input/mouse.h"

void mouse_init(struct mouse_state *st)
{
    *st = (struct mouse_state){0};
}

/* A 9-bit two's complement count from its low byte and sign bit. */
static int16_t nine_bit(uint8_t low, bool negative)
{
    return (int16_t)(negative ? (int)low - 256 : (int)low);
}

bool mouse_feed(struct mouse_state *st, uint8_t byte, struct mouse_event *out)
{
    if (st->count == 0 && !(byte & MOUSE_BYTE0_ALWAYS_ONE)) {
        st->discarded++;
        return false;
    }
    st->bytes[st->count++] = byte;
    if (st->count < 3)
        return false;
    st->count = 0;
    uint8_t b0 = st->bytes[0];
    *out = (struct mouse_event){.buttons = b0 & MOUSE_BYTE0_BUTTONS};
    /* An overflowed counter says only "a lot, this way": a guess would throw the pointer
       across the screen, so the motion is dropped (Linux's psmouse does the same). */
    if (b0 & (MOUSE_BYTE0_X_OVERFLOW | MOUSE_BYTE0_Y_OVERFLOW)) {
        out->overflow = true;
        return true;
    }
    out->dx = nine_bit(st->bytes[1], b0 & MOUSE_BYTE0_X_SIGN);
    out->dy = (int16_t)-nine_bit(st->bytes[2], b0 & MOUSE_BYTE0_Y_SIGN);
    return true;
}
