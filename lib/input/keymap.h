/*
 * PS/2 scancode set 1 decoder (what QEMU's i8042 delivers with translation on) for a US
 * layout: bytes in, key events out, plus the bytes a terminal would send for an event so a
 * shell can treat keyboard and serial input alike. Pure C, no allocation, caller-held state;
 * every byte value is accepted and unknown ones are dropped.
 */
#ifndef MISSIVE_KEYMAP_H
#define MISSIVE_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Keycodes: one per physical key, independent of modifiers (KEY_A is 'a' and 'A'). */
enum keymap_key {
    KEY_NONE = 0,
    /* Letters, then digits of the main block, in order so that ranges work. */
    KEY_A,
    KEY_B,
    KEY_C,
    KEY_D,
    KEY_E,
    KEY_F,
    KEY_G,
    KEY_H,
    KEY_I,
    KEY_J,
    KEY_K,
    KEY_L,
    KEY_M,
    KEY_N,
    KEY_O,
    KEY_P,
    KEY_Q,
    KEY_R,
    KEY_S,
    KEY_T,
    KEY_U,
    KEY_V,
    KEY_W,
    KEY_X,
    KEY_Y,
    KEY_Z,
    KEY_0,
    KEY_1,
    KEY_2,
    KEY_3,
    KEY_4,
    KEY_5,
    KEY_6,
    KEY_7,
    KEY_8,
    KEY_9,
    /* Punctuation, named by the unshifted character. */
    KEY_MINUS,        /* - _ */
    KEY_EQUAL,        /* = + */
    KEY_LEFT_BRACKET, /* [ { */
    KEY_RIGHT_BRACKET,
    KEY_SEMICOLON,  /* ; : */
    KEY_APOSTROPHE, /* ' " */
    KEY_GRAVE,      /* ` ~ */
    KEY_BACKSLASH,  /* \ | */
    KEY_COMMA,      /* , < */
    KEY_PERIOD,     /* . > */
    KEY_SLASH,      /* / ? */
    KEY_SPACE,
    KEY_NONUS_BACKSLASH, /* the 102nd key of ISO boards; \ | in the US layout */
    /* Editing and navigation. */
    KEY_ENTER,
    KEY_BACKSPACE,
    KEY_TAB,
    KEY_ESCAPE,
    KEY_UP,
    KEY_DOWN,
    KEY_LEFT,
    KEY_RIGHT,
    KEY_HOME,
    KEY_END,
    KEY_PAGE_UP,
    KEY_PAGE_DOWN,
    KEY_INSERT,
    KEY_DELETE,
    /* Function keys, in order. */
    KEY_F1,
    KEY_F2,
    KEY_F3,
    KEY_F4,
    KEY_F5,
    KEY_F6,
    KEY_F7,
    KEY_F8,
    KEY_F9,
    KEY_F10,
    KEY_F11,
    KEY_F12,
    /* Modifiers and locks. */
    KEY_LEFT_SHIFT,
    KEY_RIGHT_SHIFT,
    KEY_LEFT_CTRL,
    KEY_RIGHT_CTRL,
    KEY_LEFT_ALT,
    KEY_RIGHT_ALT,
    KEY_LEFT_GUI,
    KEY_RIGHT_GUI,
    KEY_MENU,
    KEY_CAPS_LOCK,
    KEY_NUM_LOCK,
    KEY_SCROLL_LOCK,
    /* Keypad: digits in order; with Num Lock off they act as navigation keys. */
    KEY_KP_0,
    KEY_KP_1,
    KEY_KP_2,
    KEY_KP_3,
    KEY_KP_4,
    KEY_KP_5,
    KEY_KP_6,
    KEY_KP_7,
    KEY_KP_8,
    KEY_KP_9,
    KEY_KP_PERIOD,
    KEY_KP_PLUS,
    KEY_KP_MINUS,
    KEY_KP_STAR,
    KEY_KP_SLASH,
    KEY_KP_ENTER,
    /* System keys. */
    KEY_PRINT_SCREEN,
    KEY_PAUSE,
    KEY_COUNT
};

/* Modifier and lock bits of key_event.modifiers. */
#define KEYMAP_MOD_SHIFT     0x01 /* either shift key held */
#define KEYMAP_MOD_CTRL      0x02 /* either ctrl key held */
#define KEYMAP_MOD_ALT       0x04 /* either alt key held */
#define KEYMAP_MOD_CAPS_LOCK 0x08 /* caps lock on */
#define KEYMAP_MOD_NUM_LOCK  0x10 /* num lock on */

struct key_event {
    uint16_t key;      /* an enum keymap_key, never KEY_NONE in a produced event */
    bool pressed;      /* false for a release (break code) */
    uint8_t modifiers; /* KEYMAP_MOD_* after this event took effect */
    /* The byte a terminal sends for this key, US layout, shift and caps lock applied, Ctrl+
       letter as a control character; Enter is '\r', Backspace 0x7f, Tab '\t', Escape 0x1b.
       0 for keys with no single byte (arrows, F-keys, modifiers) and for every release. */
    char ascii;
};

/* Decoder state; treat as opaque and set up with keymap_init. */
struct keymap_state {
    uint8_t prefix;  /* 0, 0xE0 or 0xE1: the prefix the next byte belongs to */
    uint8_t pending; /* bytes of a Pause sequence still to come */
    uint8_t pause_first;
    uint8_t held;           /* which of the six shift/ctrl/alt keys are down (internal bits) */
    uint8_t locks;          /* KEYMAP_MOD_CAPS_LOCK | KEYMAP_MOD_NUM_LOCK */
    uint8_t lock_keys_down; /* lock keys held, so typematic repeat does not toggle again */
};

/* Resets *st: no prefix pending, no modifier held, every lock off. */
void keymap_init(struct keymap_state *st);

/* Feeds one byte from the keyboard. Returns true and fills *out when the byte completes a key
   event; false when it was a prefix, part of a Pause sequence, a keyboard status byte (0x00,
   0xFF, ACK 0xFA, ...), a fake shift from an extended sequence, or unknown (then *out is left
   untouched). Modifier and lock state update whatever the return value. */
bool keymap_feed(struct keymap_state *st, uint8_t byte, struct key_event *out);

/* Writes to out the bytes a VT100/xterm terminal sends for ev: its ascii byte (behind ESC when
   Alt is held), ESC [ A/B/C/D for arrows, ESC [ H / ESC [ F for Home/End, ESC [ 2 ~, 3 ~, 5 ~,
   6 ~ for Insert/Delete/PageUp/PageDown, ESC O P..S and ESC [ nn ~ for F1-F12; keypad keys with
   Num Lock off as their navigation keys. Returns the count (at most 8; not NUL-terminated), 0
   for releases and for keys a terminal sends nothing for. */
size_t keymap_to_terminal(const struct key_event *ev, char out[8]);

#endif
