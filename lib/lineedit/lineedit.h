/*
 * A line editor for a shell on a VT100-style terminal, fed one input byte at a time (from a
 * serial line, or from the keyboard through keymap_to_terminal). It keeps the line and a
 * history ring in caller-provided storage and writes, through a callback, the bytes that keep
 * the screen showing prompt and line with the cursor in place. Pure C, no allocation.
 *
 * Keys: printable ASCII inserts at the cursor; Backspace (0x7f or 0x08) deletes before it;
 * Enter ('\r', '\n', CR LF as one) ends the line; Ctrl-C cancels it; Ctrl-A/Ctrl-E or Home/End
 * (ESC [ H, ESC [ F, ESC [ 1 ~, ESC [ 4 ~, ESC [ 7 ~, ESC [ 8 ~, ESC O H, ESC O F) go to the
 * start/end; Ctrl-B/Ctrl-F or Left/Right (ESC [ D, ESC [ C, ESC O D, ESC O C) move one column;
 * Ctrl-P/Ctrl-N or Up/Down (ESC [ A, ESC [ B, ESC O A, ESC O B) walk the history; Delete
 * (ESC [ 3 ~) or Ctrl-D deletes under the cursor; Ctrl-U kills the whole line, Ctrl-K to its
 * end, Ctrl-W the word before the cursor. Other control bytes, bytes >= 0x80 and unknown or
 * malformed escape sequences are discarded without touching the line.
 *
 * The editor assumes prompt and line fit on one terminal row (choose cap to suit the width):
 * it moves the cursor with \b, ESC [ n C and ESC [ n D, which do not cross row boundaries.
 */
#ifndef MISSIVE_LINEEDIT_H
#define MISSIVE_LINEEDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bytes of history storage for entries lines of a cap-byte buffer: one slot of cap bytes per
   entry plus one that holds the line being typed while the user browses the history. */
#define LINEEDIT_HISTORY_BYTES(entries, cap) (((entries) + 1) * (cap))

/* Receives n bytes of terminal output (not NUL-terminated). */
typedef void (*lineedit_emit_fn)(void *ctx, const char *bytes, size_t n);

enum lineedit_result {
    LINEEDIT_CONTINUE,  /* the line is still being edited */
    LINEEDIT_DONE,      /* Enter: the line is in buf, NUL-terminated */
    LINEEDIT_CANCELLED, /* Ctrl-C: the line was dropped; buf is "" */
};

/* Escape-sequence parser states (internal). */
enum lineedit_esc {
    LINEEDIT_ESC_NONE,
    LINEEDIT_ESC_START, /* after ESC */
    LINEEDIT_ESC_CSI,   /* after ESC [ */
    LINEEDIT_ESC_SS3,   /* after ESC O */
};

/* Editor state: caller-allocated, set up by lineedit_init. The fields are read-only to the
   caller, who may read buf/len/cursor (tests do). */
struct lineedit {
    char *buf;  /* the line; NUL-terminated after DONE or CANCELLED */
    size_t cap; /* bytes of buf; a line holds at most cap - 1 characters */
    size_t len;
    size_t cursor; /* 0..len: where the next character goes */
    char *history; /* LINEEDIT_HISTORY_BYTES(history_entries, cap) bytes, or NULL */
    size_t history_entries;
    size_t history_count; /* lines stored, at most history_entries */
    size_t history_next;  /* the slot the next entered line goes to */
    size_t history_pos;   /* 0 while editing the new line, k while showing the k-th newest */
    lineedit_emit_fn emit;
    void *ctx;
    enum lineedit_esc esc;
    uint8_t esc_param; /* value of the first CSI parameter, saturating */
    bool esc_param_seen;
    bool esc_extra; /* the CSI had other parameter or intermediate bytes */
    bool after_cr;  /* the last byte was '\r', so a '\n' now is part of the same Enter */
    bool finished;  /* DONE or CANCELLED was returned and no new line has started */
};

/* Sets up *le over buf (cap >= 1 bytes) and history storage for history_entries lines (history
   may be NULL, or history_entries 0, for no history). emit receives all terminal output with
   ctx; emit may be NULL to discard it. Starts an empty line without printing a prompt. */
void lineedit_init(struct lineedit *le, char *buf, size_t cap, char *history,
                   size_t history_entries, lineedit_emit_fn emit, void *ctx);

/* Starts a new, empty line: prints prompt (may be NULL) and resets cursor and history walk.
   A CR LF split across the previous line's end and this call is still one Enter. */
void lineedit_start(struct lineedit *le, const char *prompt);

/* Feeds one input byte. Returns LINEEDIT_DONE when it ends the line (buf holds it, NUL-
   terminated, and a non-empty line that differs from the newest entry went into the history),
   LINEEDIT_CANCELLED on Ctrl-C, LINEEDIT_CONTINUE otherwise. After DONE or CANCELLED the next
   byte starts a new line (without a prompt) unless lineedit_start was called. A character that
   does not fit is refused with a bell (\a). */
enum lineedit_result lineedit_feed(struct lineedit *le, uint8_t byte);

#endif
