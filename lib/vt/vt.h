/*
 * A terminal emulator's core: the VT100/xterm subset the shell and its line editor use
 * (docs/terminal.md lists it), on a screen of cells with a scrollback. Bytes in (UTF-8,
 * control characters, escape sequences), cells out; what changed is tracked as a range of
 * rows so a window redraws only those. Pure C, no allocation: the caller gives the memory
 * (VT_CELLS), so the console server and the host tests use it unchanged. Rendering the
 * cells into pixels is vt_render.h.
 */
#ifndef MISSIVE_VT_H
#define MISSIVE_VT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VT_MAX_COLS   256
#define VT_MAX_ROWS   128
#define VT_MAX_PARAMS 8
#define VT_TAB        8

/* Colours: 0-7 the ANSI colours, 8-15 their bright forms, VT_DEFAULT the terminal's own
   foreground or background. */
#define VT_DEFAULT 0xff

/* Cell attributes. */
#define VT_ATTR_BOLD    0x01 /* SGR 1: drawn with the bright form of colours 0-7 */
#define VT_ATTR_REVERSE 0x02 /* SGR 7: foreground and background swapped */

struct vt_cell {
    uint32_t cp; /* a Unicode code point; ' ' for an empty cell */
    uint8_t fg, bg, attr;
};

/* The cells the caller provides for a cols x rows screen with scrollback lines of history. */
#define VT_CELLS(cols, rows, scrollback) ((size_t)(cols) * ((size_t)(rows) + (size_t)(scrollback)))

/* The parser's state between bytes. */
enum vt_parse_state { VT_GROUND, VT_ESCAPE, VT_CSI, VT_UTF8 };

struct vt {
    int cols, rows;
    struct vt_cell *screen;     /* rows x cols, row-major */
    struct vt_cell *scrollback; /* a ring of scrollback_lines rows of cols */
    int scrollback_lines;
    int history;      /* rows kept in the ring (at most scrollback_lines) */
    int history_next; /* the ring's row the next line scrolled off goes to */
    int view;         /* rows the view is scrolled back into the history (0: the screen) */
    int cursor_x, cursor_y;
    bool wrap_pending; /* the last column was just written: the next character wraps first */
    bool cursor_visible;
    int saved_x, saved_y;
    uint8_t fg, bg, attr;          /* what new characters get */
    int scroll_top, scroll_bottom; /* the scrolling region, rows inclusive */
    /* Parser. */
    enum vt_parse_state state;
    bool escape_intermediate; /* an ESC sequence had an intermediate byte (0x20-0x2f) */
    bool csi_private;         /* a '?' after CSI */
    unsigned params[VT_MAX_PARAMS];
    int param_count;   /* parameters started (a digit or ';' seen) */
    uint32_t utf8_cp;  /* the code point being gathered */
    int utf8_left;     /* continuation bytes still expected */
    uint32_t utf8_min; /* the smallest value its length may encode */
    /* Damage: rows changed since vt_take_damage, as a range (first > last: none). */
    int damage_first, damage_last;
    uint64_t bells;   /* BEL received (the window may flash; counted for tests) */
    uint64_t unknown; /* sequences not understood (ignored) */
};

/* Sets up a cols x rows terminal (1..VT_MAX_COLS, 1..VT_MAX_ROWS) on cells, which must hold
   VT_CELLS(cols, rows, scrollback_lines); returns false (and sets nothing up) for sizes out
   of range. The screen starts blank, the cursor home and visible, every row damaged. */
bool vt_init(struct vt *vt, int cols, int rows, struct vt_cell *cells, int scrollback_lines);

/* Feeds n bytes of output to the terminal. */
void vt_write(struct vt *vt, const void *bytes, size_t n);

/* The cell at (x, y) of what is shown: the screen, or with the view scrolled back, rows of
   the history above it. Outside the screen: a blank cell. */
struct vt_cell vt_cell_at(const struct vt *vt, int x, int y);

/* Scrolls the view by lines (positive: back into the history), within what the history
   holds; damages the whole screen if it moved. Writing output brings the view back. Returns
   the view's offset. */
int vt_scroll_view(struct vt *vt, int lines);

/* Copies row y of what is shown as UTF-8 text, trailing blanks cut, into out (NUL-terminated,
   at most size bytes); for tests and logs. */
size_t vt_row_text(const struct vt *vt, int y, char *out, size_t size);

/* Takes the damaged rows: true and *first..*last (inclusive) if any row changed since the
   last call, false if none; the damage is then cleared. */
bool vt_take_damage(struct vt *vt, int *first, int *last);

#endif
