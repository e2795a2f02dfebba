/*
 * PS/2 scancode set 1 decoding. See keymap.h for the contract.
 *
 * Set 1 sends one make byte per key press (0x01..0x58 for the original keys) and the same byte
 * with bit 7 set on release. Keys added after the XT carry a 0xE0 prefix; Pause sends the
 * six-byte E1 1D 45 E1 9D C5 and no release. With Num Lock on, or with Shift held, the
 * navigation keys also wrap themselves in fake shift presses and releases (E0 2A, E0 AA, E0 36,
 * E0 B6) that must not disturb the real shift state, so those are dropped.
 */
#include "input/keymap.h"

/* Internal bits of keymap_state.held: left and right modifier keys are tracked apart so that
   releasing one shift while the other is still down keeps Shift in effect. */
#define HELD_LSHIFT 0x01
#define HELD_RSHIFT 0x02
#define HELD_LCTRL  0x04
#define HELD_RCTRL  0x08
#define HELD_LALT   0x10
#define HELD_RALT   0x20

/* Keys of the make codes without prefix, indexed by make code; 0 where no key is defined. */
static const uint8_t plain_keys[0x59] = {
    [0x01] = KEY_ESCAPE,
    [0x02] = KEY_1,
    [0x03] = KEY_2,
    [0x04] = KEY_3,
    [0x05] = KEY_4,
    [0x06] = KEY_5,
    [0x07] = KEY_6,
    [0x08] = KEY_7,
    [0x09] = KEY_8,
    [0x0A] = KEY_9,
    [0x0B] = KEY_0,
    [0x0C] = KEY_MINUS,
    [0x0D] = KEY_EQUAL,
    [0x0E] = KEY_BACKSPACE,
    [0x0F] = KEY_TAB,
    [0x10] = KEY_Q,
    [0x11] = KEY_W,
    [0x12] = KEY_E,
    [0x13] = KEY_R,
    [0x14] = KEY_T,
    [0x15] = KEY_Y,
    [0x16] = KEY_U,
    [0x17] = KEY_I,
    [0x18] = KEY_O,
    [0x19] = KEY_P,
    [0x1A] = KEY_LEFT_BRACKET,
    [0x1B] = KEY_RIGHT_BRACKET,
    [0x1C] = KEY_ENTER,
    [0x1D] = KEY_LEFT_CTRL,
    [0x1E] = KEY_A,
    [0x1F] = KEY_S,
    [0x20] = KEY_D,
    [0x21] = KEY_F,
    [0x22] = KEY_G,
    [0x23] = KEY_H,
    [0x24] = KEY_J,
    [0x25] = KEY_K,
    [0x26] = KEY_L,
    [0x27] = KEY_SEMICOLON,
    [0x28] = KEY_APOSTROPHE,
    [0x29] = KEY_GRAVE,
    [0x2A] = KEY_LEFT_SHIFT,
    [0x2B] = KEY_BACKSLASH,
    [0x2C] = KEY_Z,
    [0x2D] = KEY_X,
    [0x2E] = KEY_C,
    [0x2F] = KEY_V,
    [0x30] = KEY_B,
    [0x31] = KEY_N,
    [0x32] = KEY_M,
    [0x33] = KEY_COMMA,
    [0x34] = KEY_PERIOD,
    [0x35] = KEY_SLASH,
    [0x36] = KEY_RIGHT_SHIFT,
    [0x37] = KEY_KP_STAR,
    [0x38] = KEY_LEFT_ALT,
    [0x39] = KEY_SPACE,
    [0x3A] = KEY_CAPS_LOCK,
    [0x3B] = KEY_F1,
    [0x3C] = KEY_F2,
    [0x3D] = KEY_F3,
    [0x3E] = KEY_F4,
    [0x3F] = KEY_F5,
    [0x40] = KEY_F6,
    [0x41] = KEY_F7,
    [0x42] = KEY_F8,
    [0x43] = KEY_F9,
    [0x44] = KEY_F10,
    [0x45] = KEY_NUM_LOCK,
    [0x46] = KEY_SCROLL_LOCK,
    [0x47] = KEY_KP_7,
    [0x48] = KEY_KP_8,
    [0x49] = KEY_KP_9,
    [0x4A] = KEY_KP_MINUS,
    [0x4B] = KEY_KP_4,
    [0x4C] = KEY_KP_5,
    [0x4D] = KEY_KP_6,
    [0x4E] = KEY_KP_PLUS,
    [0x4F] = KEY_KP_1,
    [0x50] = KEY_KP_2,
    [0x51] = KEY_KP_3,
    [0x52] = KEY_KP_0,
    [0x53] = KEY_KP_PERIOD,
    [0x56] = KEY_NONUS_BACKSLASH,
    [0x57] = KEY_F11,
    [0x58] = KEY_F12,
};

/* Keys of the make codes after an 0xE0 prefix; 0 where none (including the fake shifts). */
static const uint8_t extended_keys[0x5E] = {
    [0x1C] = KEY_KP_ENTER,     [0x1D] = KEY_RIGHT_CTRL, [0x35] = KEY_KP_SLASH,
    [0x37] = KEY_PRINT_SCREEN, [0x38] = KEY_RIGHT_ALT,  [0x46] = KEY_PAUSE, /* Ctrl+Break */
    [0x47] = KEY_HOME,         [0x48] = KEY_UP,         [0x49] = KEY_PAGE_UP,
    [0x4B] = KEY_LEFT,         [0x4D] = KEY_RIGHT,      [0x4F] = KEY_END,
    [0x50] = KEY_DOWN,         [0x51] = KEY_PAGE_DOWN,  [0x52] = KEY_INSERT,
    [0x53] = KEY_DELETE,       [0x5B] = KEY_LEFT_GUI,   [0x5C] = KEY_RIGHT_GUI,
    [0x5D] = KEY_MENU,
};

/* Unshifted and shifted characters of the non-letter keys that type one (US layout). */
struct key_chars {
    uint8_t key;
    char plain, shifted;
};

static const struct key_chars char_keys[] = {
    {KEY_1, '1', '!'},
    {KEY_2, '2', '@'},
    {KEY_3, '3', '#'},
    {KEY_4, '4', '$'},
    {KEY_5, '5', '%'},
    {KEY_6, '6', '^'},
    {KEY_7, '7', '&'},
    {KEY_8, '8', '*'},
    {KEY_9, '9', '('},
    {KEY_0, '0', ')'},
    {KEY_MINUS, '-', '_'},
    {KEY_EQUAL, '=', '+'},
    {KEY_LEFT_BRACKET, '[', '{'},
    {KEY_RIGHT_BRACKET, ']', '}'},
    {KEY_SEMICOLON, ';', ':'},
    {KEY_APOSTROPHE, '\'', '"'},
    {KEY_GRAVE, '`', '~'},
    {KEY_BACKSLASH, '\\', '|'},
    {KEY_NONUS_BACKSLASH, '\\', '|'},
    {KEY_COMMA, ',', '<'},
    {KEY_PERIOD, '.', '>'},
    {KEY_SLASH, '/', '?'},
    {KEY_SPACE, ' ', ' '},
    {KEY_ENTER, '\r', '\r'},
    {KEY_KP_ENTER, '\r', '\r'},
    {KEY_BACKSPACE, 0x7f, 0x7f},
    {KEY_TAB, '\t', '\t'},
    {KEY_ESCAPE, 0x1b, 0x1b},
    {KEY_KP_PLUS, '+', '+'},
    {KEY_KP_MINUS, '-', '-'},
    {KEY_KP_STAR, '*', '*'},
    {KEY_KP_SLASH, '/', '/'},
};

/* Resets *st: no prefix pending, no modifier held, every lock off. */
void keymap_init(struct keymap_state *st)
{
    st->prefix = 0;
    st->pending = 0;
    st->pause_first = 0;
    st->held = 0;
    st->locks = 0;
    st->lock_keys_down = 0;
}

/* The KEYMAP_MOD_* byte for the current state. */
static uint8_t current_modifiers(const struct keymap_state *st)
{
    uint8_t mods = st->locks;
    if (st->held & (HELD_LSHIFT | HELD_RSHIFT))
        mods |= KEYMAP_MOD_SHIFT;
    if (st->held & (HELD_LCTRL | HELD_RCTRL))
        mods |= KEYMAP_MOD_CTRL;
    if (st->held & (HELD_LALT | HELD_RALT))
        mods |= KEYMAP_MOD_ALT;
    return mods;
}

/* The HELD_* bit of a modifier key, 0 for other keys. */
static uint8_t held_bit(uint16_t key)
{
    switch (key) {
    case KEY_LEFT_SHIFT:
        return HELD_LSHIFT;
    case KEY_RIGHT_SHIFT:
        return HELD_RSHIFT;
    case KEY_LEFT_CTRL:
        return HELD_LCTRL;
    case KEY_RIGHT_CTRL:
        return HELD_RCTRL;
    case KEY_LEFT_ALT:
        return HELD_LALT;
    case KEY_RIGHT_ALT:
        return HELD_RALT;
    default:
        return 0;
    }
}

/* Updates held modifiers and locks for a press or release of key. A lock toggles only on the
   first press: a held key repeats its make code, which must not toggle again. */
static void track_modifiers(struct keymap_state *st, uint16_t key, bool pressed)
{
    uint8_t bit = held_bit(key);
    if (bit) {
        if (pressed)
            st->held |= bit;
        else
            st->held &= (uint8_t)~bit;
        return;
    }
    uint8_t lock = key == KEY_CAPS_LOCK  ? KEYMAP_MOD_CAPS_LOCK
                   : key == KEY_NUM_LOCK ? KEYMAP_MOD_NUM_LOCK
                                         : 0;
    if (!lock)
        return;
    if (pressed && !(st->lock_keys_down & lock))
        st->locks ^= lock;
    if (pressed)
        st->lock_keys_down |= lock;
    else
        st->lock_keys_down &= (uint8_t)~lock;
}

/* The character a press of key types with modifiers mods, or 0. */
static char key_ascii(uint16_t key, uint8_t mods)
{
    bool shift = mods & KEYMAP_MOD_SHIFT;
    bool ctrl = mods & KEYMAP_MOD_CTRL;
    if (key >= KEY_A && key <= KEY_Z) {
        if (ctrl)
            return (char)(key - KEY_A + 1); /* Ctrl-A is 0x01 ... Ctrl-Z 0x1a */
        bool upper = shift != !!(mods & KEYMAP_MOD_CAPS_LOCK);
        return (char)((upper ? 'A' : 'a') + (key - KEY_A));
    }
    if ((key >= KEY_KP_0 && key <= KEY_KP_9) || key == KEY_KP_PERIOD) {
        /* Without Num Lock these are navigation keys, typing nothing. */
        if (!(mods & KEYMAP_MOD_NUM_LOCK))
            return 0;
        return key == KEY_KP_PERIOD ? '.' : (char)('0' + (key - KEY_KP_0));
    }
    for (size_t i = 0; i < sizeof char_keys / sizeof char_keys[0]; i++) {
        if (char_keys[i].key != key)
            continue;
        char c = shift ? char_keys[i].shifted : char_keys[i].plain;
        /* Ctrl with [ \ ] ^ _ gives ESC, FS, GS, RS, US as on a VT100. */
        if (ctrl && c >= '[' && c <= '_')
            return (char)(c & 0x1f);
        return c;
    }
    return 0;
}

/* Fills *out for key going down or up, after updating the modifier state. */
static bool emit_key(struct keymap_state *st, uint16_t key, bool pressed, struct key_event *out)
{
    track_modifiers(st, key, pressed);
    out->key = key;
    out->pressed = pressed;
    out->modifiers = current_modifiers(st);
    out->ascii = pressed ? key_ascii(key, out->modifiers) : 0;
    return true;
}

/* Handles a byte inside a Pause sequence (E1 1D 45 for the press, E1 9D C5 for the release).
   A byte that does not fit abandons the sequence and is decoded afresh, so a stray 0xE1 costs
   no real keystroke. */
static bool feed_pause(struct keymap_state *st, uint8_t byte, struct key_event *out, bool *done)
{
    *done = true;
    if (st->pending == 2) {
        if (byte == 0x1D || byte == 0x9D) {
            st->pause_first = byte;
            st->pending = 1;
            return false;
        }
    } else if ((st->pause_first == 0x1D && byte == 0x45) ||
               (st->pause_first == 0x9D && byte == 0xC5)) {
        st->pending = 0;
        st->prefix = 0;
        return emit_key(st, KEY_PAUSE, byte == 0x45, out);
    }
    st->pending = 0;
    st->prefix = 0;
    *done = false;
    return false;
}

/* Feeds one byte from the keyboard; see keymap.h. */
bool keymap_feed(struct keymap_state *st, uint8_t byte, struct key_event *out)
{
    if (st->pending) {
        bool done;
        bool produced = feed_pause(st, byte, out, &done);
        if (done)
            return produced;
    }
    /* 0x00 and 0xFF report a buffer overrun or key detection error: whatever sequence was
       under way is lost, so start clean. */
    if (byte == 0x00 || byte == 0xFF) {
        st->prefix = 0;
        return false;
    }
    if (byte == 0xE0) {
        st->prefix = 0xE0;
        return false;
    }
    if (byte == 0xE1) {
        st->prefix = 0xE1;
        st->pending = 2;
        return false;
    }
    bool extended = st->prefix == 0xE0;
    st->prefix = 0;
    bool pressed = !(byte & 0x80);
    uint8_t code = byte & 0x7f;
    uint16_t key;
    if (extended)
        key = code < sizeof extended_keys ? extended_keys[code] : KEY_NONE;
    else
        key = code < sizeof plain_keys ? plain_keys[code] : KEY_NONE;
    if (key == KEY_NONE)
        return false; /* unknown codes, fake shifts, ACK/resend/echo replies */
    return emit_key(st, key, pressed, out);
}

/* Writes "ESC [ <final>" or "ESC [ <num> ~" style sequences: ESC, introducer, then text. */
static size_t put_seq(char out[8], char introducer, const char *text)
{
    size_t n = 0;
    out[n++] = 0x1b;
    out[n++] = introducer;
    while (*text && n < 8)
        out[n++] = *text++;
    return n;
}

/* The navigation key a keypad key stands for with Num Lock off, or the key itself. */
static uint16_t keypad_navigation(uint16_t key)
{
    switch (key) {
    case KEY_KP_8:
        return KEY_UP;
    case KEY_KP_2:
        return KEY_DOWN;
    case KEY_KP_4:
        return KEY_LEFT;
    case KEY_KP_6:
        return KEY_RIGHT;
    case KEY_KP_7:
        return KEY_HOME;
    case KEY_KP_1:
        return KEY_END;
    case KEY_KP_9:
        return KEY_PAGE_UP;
    case KEY_KP_3:
        return KEY_PAGE_DOWN;
    case KEY_KP_0:
        return KEY_INSERT;
    case KEY_KP_PERIOD:
        return KEY_DELETE;
    default:
        return key;
    }
}

/* Writes the bytes a terminal sends for ev; see keymap.h. */
size_t keymap_to_terminal(const struct key_event *ev, char out[8])
{
    if (!ev->pressed)
        return 0;
    if (ev->ascii) {
        size_t n = 0;
        /* Alt as Meta sends ESC first, the xterm default (metaSendsEscape). */
        if (ev->modifiers & KEYMAP_MOD_ALT)
            out[n++] = 0x1b;
        out[n++] = ev->ascii;
        return n;
    }
    uint16_t key = ev->key;
    if (!(ev->modifiers & KEYMAP_MOD_NUM_LOCK))
        key = keypad_navigation(key);
    switch (key) {
    case KEY_UP:
        return put_seq(out, '[', "A");
    case KEY_DOWN:
        return put_seq(out, '[', "B");
    case KEY_RIGHT:
        return put_seq(out, '[', "C");
    case KEY_LEFT:
        return put_seq(out, '[', "D");
    case KEY_HOME:
        return put_seq(out, '[', "H");
    case KEY_END:
        return put_seq(out, '[', "F");
    case KEY_INSERT:
        return put_seq(out, '[', "2~");
    case KEY_DELETE:
        return put_seq(out, '[', "3~");
    case KEY_PAGE_UP:
        return put_seq(out, '[', "5~");
    case KEY_PAGE_DOWN:
        return put_seq(out, '[', "6~");
    case KEY_F1:
        return put_seq(out, 'O', "P");
    case KEY_F2:
        return put_seq(out, 'O', "Q");
    case KEY_F3:
        return put_seq(out, 'O', "R");
    case KEY_F4:
        return put_seq(out, 'O', "S");
    case KEY_F5:
        return put_seq(out, '[', "15~");
    case KEY_F6:
        return put_seq(out, '[', "17~");
    case KEY_F7:
        return put_seq(out, '[', "18~");
    case KEY_F8:
        return put_seq(out, '[', "19~");
    case KEY_F9:
        return put_seq(out, '[', "20~");
    case KEY_F10:
        return put_seq(out, '[', "21~");
    case KEY_F11:
        return put_seq(out, '[', "23~");
    case KEY_F12:
        return put_seq(out, '[', "24~");
    default:
        return 0;
    }
}
