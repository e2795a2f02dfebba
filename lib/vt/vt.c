/*
 * The terminal emulator's core. See vt.h; the subset is listed in docs/terminal.md. Parsing
 * follows the shape of Paul Williams' DEC parser state machine, cut down to the states this
 * subset needs: ground, escape, CSI parameters, and a UTF-8 sequence.
 */
#include "vt/vt.h"

#define ESC                   0x1b
#define REPLACEMENT_CHARACTER 0xfffd

static const struct vt_cell blank_cell = {' ', VT_DEFAULT, VT_DEFAULT, 0};

static int clamp(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

static struct vt_cell *row_of(struct vt *vt, int y)
{
    return vt->screen + (size_t)y * (size_t)vt->cols;
}

static void damage(struct vt *vt, int first, int last)
{
    if (first < vt->damage_first)
        vt->damage_first = first;
    if (last > vt->damage_last)
        vt->damage_last = last;
}

/* A blank cell in the current background (erasing keeps the colour, as xterm's does). */
static struct vt_cell erased(const struct vt *vt)
{
    struct vt_cell c = blank_cell;
    c.bg = vt->bg;
    c.attr = vt->attr & VT_ATTR_REVERSE;
    return c;
}

static void fill(struct vt_cell *cells, size_t n, struct vt_cell c)
{
    for (size_t i = 0; i < n; i++)
        cells[i] = c;
}

bool vt_init(struct vt *vt, int cols, int rows, struct vt_cell *cells, int scrollback_lines)
{
    if (cols < 1 || cols > VT_MAX_COLS || rows < 1 || rows > VT_MAX_ROWS || scrollback_lines < 0)
        return false;
    *vt = (struct vt){.cols = cols,
                      .rows = rows,
                      .screen = cells,
                      .scrollback = cells + (size_t)cols * (size_t)rows,
                      .scrollback_lines = scrollback_lines,
                      .cursor_visible = true,
                      .fg = VT_DEFAULT,
                      .bg = VT_DEFAULT,
                      .scroll_bottom = rows - 1,
                      .damage_first = 0,
                      .damage_last = rows - 1};
    fill(cells, (size_t)cols * (size_t)rows, blank_cell);
    return true;
}

/* Moves the cursor (clamped to the screen); damages the rows it left and reached, since the
   cursor is drawn. */
static void move_cursor(struct vt *vt, int x, int y)
{
    damage(vt, vt->cursor_y, vt->cursor_y);
    vt->cursor_x = clamp(x, 0, vt->cols - 1);
    vt->cursor_y = clamp(y, 0, vt->rows - 1);
    vt->wrap_pending = false;
    damage(vt, vt->cursor_y, vt->cursor_y);
}

/* Keeps row (of the screen) in the scrollback ring. */
static void push_history(struct vt *vt, const struct vt_cell *row)
{
    if (vt->scrollback_lines == 0)
        return;
    struct vt_cell *dest = vt->scrollback + (size_t)vt->history_next * (size_t)vt->cols;
    for (int x = 0; x < vt->cols; x++)
        dest[x] = row[x];
    vt->history_next = (vt->history_next + 1) % vt->scrollback_lines;
    if (vt->history < vt->scrollback_lines)
        vt->history++;
}

/* Scrolls rows top..bottom up by n (n > 0) or down by -n; rows that come in are blank. A row
   scrolled off the top of the whole screen goes into the scrollback. */
static void scroll_region(struct vt *vt, int top, int bottom, int n)
{
    int height = bottom - top + 1;
    size_t cols = (size_t)vt->cols;
    if (n > height)
        n = height;
    if (n < -height)
        n = -height;
    if (n > 0) {
        /* Only a scroll of the whole screen keeps history, as in xterm: a region's lines
           are the application's business. */
        for (int y = top; y < top + n && top == 0 && bottom == vt->rows - 1; y++)
            push_history(vt, row_of(vt, y));
        for (int y = top; y + n <= bottom; y++)
            for (size_t x = 0; x < cols; x++)
                row_of(vt, y)[x] = row_of(vt, y + n)[x];
        fill(row_of(vt, bottom - n + 1), cols * (size_t)n, erased(vt));
    } else if (n < 0) {
        n = -n;
        for (int y = bottom; y - n >= top; y--)
            for (size_t x = 0; x < cols; x++)
                row_of(vt, y)[x] = row_of(vt, y - n)[x];
        fill(row_of(vt, top), cols * (size_t)n, erased(vt));
    }
    damage(vt, top, bottom);
}

/* Line feed: down one row, scrolling the region at its bottom. */
static void line_feed(struct vt *vt)
{
    if (vt->cursor_y == vt->scroll_bottom)
        scroll_region(vt, vt->scroll_top, vt->scroll_bottom, 1);
    else
        move_cursor(vt, vt->cursor_x, vt->cursor_y + 1);
    vt->wrap_pending = false;
}

/* Writes a printable code point at the cursor, wrapping first if the last column was just
   written (xterm's deferred wrap: a full-width line does not scroll until more comes). */
static void put_char(struct vt *vt, uint32_t cp)
{
    if (vt->wrap_pending) {
        vt->cursor_x = 0;
        line_feed(vt);
    }
    row_of(vt, vt->cursor_y)[vt->cursor_x] = (struct vt_cell){cp, vt->fg, vt->bg, vt->attr};
    damage(vt, vt->cursor_y, vt->cursor_y);
    if (vt->cursor_x == vt->cols - 1)
        vt->wrap_pending = true;
    else
        vt->cursor_x++;
}

/* ED: 0 cursor to end, 1 start to cursor, 2 the whole screen, 3 the scrollback too. */
static void erase_display(struct vt *vt, unsigned mode)
{
    size_t cols = (size_t)vt->cols, at = (size_t)vt->cursor_y * cols + (size_t)vt->cursor_x;
    size_t all = cols * (size_t)vt->rows;
    if (mode == 0) {
        fill(vt->screen + at, all - at, erased(vt));
        damage(vt, vt->cursor_y, vt->rows - 1);
    } else if (mode == 1) {
        fill(vt->screen, at + 1, erased(vt));
        damage(vt, 0, vt->cursor_y);
    } else if (mode == 2 || mode == 3) {
        fill(vt->screen, all, erased(vt));
        damage(vt, 0, vt->rows - 1);
        if (mode == 3)
            vt->history = vt->history_next = vt->view = 0;
    } else {
        vt->unknown++;
    }
}

/* EL: 0 cursor to end of line, 1 start to cursor, 2 the whole line. */
static void erase_line(struct vt *vt, unsigned mode)
{
    struct vt_cell *row = row_of(vt, vt->cursor_y);
    size_t x = (size_t)vt->cursor_x, cols = (size_t)vt->cols;
    if (mode == 0)
        fill(row + x, cols - x, erased(vt));
    else if (mode == 1)
        fill(row, x + 1, erased(vt));
    else if (mode == 2)
        fill(row, cols, erased(vt));
    else
        vt->unknown++;
    damage(vt, vt->cursor_y, vt->cursor_y);
}

/* SGR: each parameter in turn (none: reset). */
static void set_graphics(struct vt *vt)
{
    int count = vt->param_count ? vt->param_count : 1;
    for (int i = 0; i < count; i++) {
        unsigned p = vt->params[i];
        if (p == 0)
            vt->fg = vt->bg = VT_DEFAULT, vt->attr = 0;
        else if (p == 1)
            vt->attr |= VT_ATTR_BOLD;
        else if (p == 7)
            vt->attr |= VT_ATTR_REVERSE;
        else if (p == 22)
            vt->attr &= (uint8_t)~VT_ATTR_BOLD;
        else if (p == 27)
            vt->attr &= (uint8_t)~VT_ATTR_REVERSE;
        else if (p >= 30 && p <= 37)
            vt->fg = (uint8_t)(p - 30);
        else if (p == 39)
            vt->fg = VT_DEFAULT;
        else if (p >= 40 && p <= 47)
            vt->bg = (uint8_t)(p - 40);
        else if (p == 49)
            vt->bg = VT_DEFAULT;
        else if (p >= 90 && p <= 97)
            vt->fg = (uint8_t)(p - 90 + 8);
        else if (p >= 100 && p <= 107)
            vt->bg = (uint8_t)(p - 100 + 8);
        else if (p == 38 || p == 48) {
            /* 256-colour and direct colour are not in the subset: skip their arguments
               (5;N or 2;R;G;B) so they are not taken for attributes. */
            vt->unknown++;
            if (i + 1 < count)
                i += vt->params[i + 1] == 5 ? 2 : vt->params[i + 1] == 2 ? 4 : 1;
        } else
            vt->unknown++;
    }
}

/* A count parameter: absent or 0 means 1. */
static int count_param(const struct vt *vt, int i)
{
    unsigned p = i < vt->param_count ? vt->params[i] : 0;
    return p == 0 ? 1 : (int)(p > 10000 ? 10000 : p);
}

/* Runs the CSI sequence ended by final. */
static void csi_dispatch(struct vt *vt, uint8_t final)
{
    int x = vt->cursor_x, y = vt->cursor_y;
    if (vt->csi_private) {
        /* DECTCEM (?25h / ?25l) only. */
        if (vt->params[0] == 25 && (final == 'h' || final == 'l')) {
            vt->cursor_visible = final == 'h';
            damage(vt, y, y);
        } else {
            vt->unknown++;
        }
        return;
    }
    switch (final) {
    case 'A':
        move_cursor(vt, x, y - count_param(vt, 0));
        break;
    case 'B':
        move_cursor(vt, x, y + count_param(vt, 0));
        break;
    case 'C':
        move_cursor(vt, x + count_param(vt, 0), y);
        break;
    case 'D':
        move_cursor(vt, x - count_param(vt, 0), y);
        break;
    case 'E':
        move_cursor(vt, 0, y + count_param(vt, 0));
        break;
    case 'F':
        move_cursor(vt, 0, y - count_param(vt, 0));
        break;
    case 'G':
        move_cursor(vt, count_param(vt, 0) - 1, y);
        break;
    case 'd':
        move_cursor(vt, x, count_param(vt, 0) - 1);
        break;
    case 'H':
    case 'f':
        move_cursor(vt, count_param(vt, 1) - 1, count_param(vt, 0) - 1);
        break;
    case 'J':
        erase_display(vt, vt->params[0]);
        break;
    case 'K':
        erase_line(vt, vt->params[0]);
        break;
    case 'm':
        set_graphics(vt);
        break;
    case 'S':
        scroll_region(vt, vt->scroll_top, vt->scroll_bottom, count_param(vt, 0));
        break;
    case 'T':
        scroll_region(vt, vt->scroll_top, vt->scroll_bottom, -count_param(vt, 0));
        break;
    case 'r': {
        /* DECSTBM: the scrolling region (whole screen without parameters); cursor home. */
        int top = vt->param_count > 0 && vt->params[0] ? (int)vt->params[0] - 1 : 0;
        int bottom = vt->param_count > 1 && vt->params[1] ? (int)vt->params[1] - 1 : vt->rows - 1;
        if (top < bottom && bottom < vt->rows) {
            vt->scroll_top = top, vt->scroll_bottom = bottom;
            move_cursor(vt, 0, 0);
        } else {
            vt->unknown++;
        }
        break;
    }
    case 's':
        vt->saved_x = x, vt->saved_y = y;
        break;
    case 'u':
        move_cursor(vt, vt->saved_x, vt->saved_y);
        break;
    default:
        vt->unknown++;
        break;
    }
}

/* ESC c: back to the state vt_init leaves (the scrollback stays). */
static void full_reset(struct vt *vt)
{
    vt->fg = vt->bg = VT_DEFAULT, vt->attr = 0;
    vt->scroll_top = 0, vt->scroll_bottom = vt->rows - 1;
    vt->cursor_visible = true;
    erase_display(vt, 2);
    move_cursor(vt, 0, 0);
}

/* A C0 control character, which acts in any state (but ESC, CAN and SUB, the caller's). */
static void control(struct vt *vt, uint8_t b)
{
    switch (b) {
    case '\a':
        vt->bells++;
        break;
    case '\b':
        move_cursor(vt, vt->cursor_x - 1, vt->cursor_y);
        break;
    case '\t':
        move_cursor(vt, (vt->cursor_x / VT_TAB + 1) * VT_TAB, vt->cursor_y);
        break;
    /* LF, VT and FF also return the carriage: the console sends program output as is, and
       programs end lines with a lone \n (the serial side adds the \r the same way). */
    case '\n':
    case '\v':
    case '\f':
        vt->cursor_x = 0;
        line_feed(vt);
        break;
    case '\r':
        move_cursor(vt, 0, vt->cursor_y);
        break;
    default:
        break; /* other controls do nothing */
    }
}

/* One byte in the escape state (after ESC). */
static void escape_byte(struct vt *vt, uint8_t b)
{
    if (b >= 0x20 && b <= 0x2f) {
        /* An intermediate (ESC ( B chooses a character set, ESC # 8 fills the screen ...):
           none is in the subset, so the whole sequence is skipped up to its final byte. */
        vt->escape_intermediate = true;
        return;
    }
    vt->state = VT_GROUND;
    if (vt->escape_intermediate) {
        vt->unknown++;
        return;
    }
    switch (b) {
    case '[':
        vt->state = VT_CSI;
        vt->csi_private = false;
        vt->param_count = 0;
        for (int i = 0; i < VT_MAX_PARAMS; i++)
            vt->params[i] = 0;
        break;
    case '7':
        vt->saved_x = vt->cursor_x, vt->saved_y = vt->cursor_y;
        break;
    case '8':
        move_cursor(vt, vt->saved_x, vt->saved_y);
        break;
    case 'c':
        full_reset(vt);
        break;
    case 'D':
        line_feed(vt);
        break;
    case 'E':
        vt->cursor_x = 0;
        line_feed(vt);
        break;
    case 'M':
        if (vt->cursor_y == vt->scroll_top)
            scroll_region(vt, vt->scroll_top, vt->scroll_bottom, -1);
        else
            move_cursor(vt, vt->cursor_x, vt->cursor_y - 1);
        break;
    default:
        vt->unknown++;
        break;
    }
}

/* One byte in the CSI state: parameters, intermediates, the final byte. */
static void csi_byte(struct vt *vt, uint8_t b)
{
    if (b >= '0' && b <= '9') {
        if (vt->param_count == 0)
            vt->param_count = 1;
        unsigned *p = &vt->params[vt->param_count - 1];
        *p = *p > 100000 ? *p : *p * 10 + (b - '0'); /* huge values saturate */
    } else if (b == ';') {
        if (vt->param_count == 0)
            vt->param_count = 1;
        if (vt->param_count < VT_MAX_PARAMS)
            vt->param_count++;
    } else if (b == '?' && vt->param_count == 0) {
        vt->csi_private = true;
    } else if (b >= 0x40 && b <= 0x7e) {
        vt->state = VT_GROUND;
        csi_dispatch(vt, b);
    } else if (b >= 0x20 && b <= 0x3f) {
        /* intermediates and other private markers: not in the subset; wait for the end */
        vt->unknown++;
        vt->csi_private = true; /* so the final byte does nothing */
        vt->params[0] = 0;
    } else {
        vt->state = VT_GROUND; /* a byte no sequence has: abandon it */
        vt->unknown++;
    }
}

/* One byte of UTF-8: starts, continues or breaks a sequence. Returns true if it was used. */
static bool utf8_byte(struct vt *vt, uint8_t b)
{
    if (vt->state == VT_UTF8) {
        if ((b & 0xc0) != 0x80) {
            put_char(vt, REPLACEMENT_CHARACTER); /* cut short: the byte is read afresh */
            vt->state = VT_GROUND;
            return false;
        }
        vt->utf8_cp = vt->utf8_cp << 6 | (b & 0x3f);
        if (--vt->utf8_left == 0) {
            vt->state = VT_GROUND;
            uint32_t cp = vt->utf8_cp;
            bool bad = cp < vt->utf8_min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff);
            put_char(vt, bad ? REPLACEMENT_CHARACTER : cp);
        }
        return true;
    }
    if ((b & 0xe0) == 0xc0)
        vt->utf8_cp = b & 0x1f, vt->utf8_left = 1, vt->utf8_min = 0x80;
    else if ((b & 0xf0) == 0xe0)
        vt->utf8_cp = b & 0x0f, vt->utf8_left = 2, vt->utf8_min = 0x800;
    else if ((b & 0xf8) == 0xf0)
        vt->utf8_cp = b & 0x07, vt->utf8_left = 3, vt->utf8_min = 0x10000;
    else {
        put_char(vt, REPLACEMENT_CHARACTER); /* a stray continuation or invalid byte */
        return true;
    }
    vt->state = VT_UTF8;
    return true;
}

static void feed(struct vt *vt, uint8_t b)
{
    if (b == 0x18 || b == 0x1a) { /* CAN, SUB: abandon any sequence */
        vt->state = VT_GROUND;
        return;
    }
    if (b == ESC) {
        if (vt->state == VT_UTF8)
            put_char(vt, REPLACEMENT_CHARACTER);
        vt->state = VT_ESCAPE;
        vt->escape_intermediate = false;
        return;
    }
    if (b < 0x20) {
        if (vt->state == VT_UTF8) {
            put_char(vt, REPLACEMENT_CHARACTER);
            vt->state = VT_GROUND;
        }
        control(vt, b); /* controls act inside sequences too, as on a VT100 */
        return;
    }
    switch (vt->state) {
    case VT_ESCAPE:
        escape_byte(vt, b);
        return;
    case VT_CSI:
        csi_byte(vt, b);
        return;
    case VT_UTF8:
        if (utf8_byte(vt, b))
            return;
        break; /* the byte broke a sequence: read it afresh below */
    case VT_GROUND:
        break;
    }
    if (b == 0x7f)
        return; /* DEL draws nothing */
    if (b < 0x80)
        put_char(vt, b);
    else
        utf8_byte(vt, b);
}

void vt_write(struct vt *vt, const void *bytes, size_t n)
{
    const uint8_t *p = bytes;
    if (n && vt->view) {
        vt->view = 0;
        damage(vt, 0, vt->rows - 1);
    }
    for (size_t i = 0; i < n; i++)
        feed(vt, p[i]);
}

struct vt_cell vt_cell_at(const struct vt *vt, int x, int y)
{
    if (x < 0 || x >= vt->cols || y < 0 || y >= vt->rows)
        return blank_cell;
    int from_history = vt->view - y; /* rows of history above the screen to reach row y */
    if (from_history <= 0)
        return vt->screen[(size_t)(y - vt->view) * (size_t)vt->cols + (size_t)x];
    /* History row k back (1: the newest) is at history_next - k in the ring. */
    int ring = (vt->history_next - from_history + vt->scrollback_lines) % vt->scrollback_lines;
    return vt->scrollback[(size_t)ring * (size_t)vt->cols + (size_t)x];
}

int vt_scroll_view(struct vt *vt, int lines)
{
    int view = clamp(vt->view + lines, 0, vt->history);
    if (view != vt->view) {
        vt->view = view;
        damage(vt, 0, vt->rows - 1);
    }
    return vt->view;
}

size_t vt_row_text(const struct vt *vt, int y, char *out, size_t size)
{
    size_t n = 0, keep = 0;
    if (size == 0)
        return 0;
    for (int x = 0; x < vt->cols; x++) {
        uint32_t cp = vt_cell_at(vt, x, y).cp;
        char enc[4];
        size_t len;
        if (cp < 0x80)
            enc[0] = (char)cp, len = 1;
        else if (cp < 0x800)
            enc[0] = (char)(0xc0 | cp >> 6), enc[1] = (char)(0x80 | (cp & 0x3f)), len = 2;
        else if (cp < 0x10000)
            enc[0] = (char)(0xe0 | cp >> 12), enc[1] = (char)(0x80 | ((cp >> 6) & 0x3f)),
            enc[2] = (char)(0x80 | (cp & 0x3f)), len = 3;
        else
            enc[0] = (char)(0xf0 | cp >> 18), enc[1] = (char)(0x80 | ((cp >> 12) & 0x3f)),
            enc[2] = (char)(0x80 | ((cp >> 6) & 0x3f)), enc[3] = (char)(0x80 | (cp & 0x3f)),
            len = 4;
        if (n + len >= size)
            break;
        for (size_t i = 0; i < len; i++)
            out[n++] = enc[i];
        if (cp != ' ')
            keep = n;
    }
    out[keep] = 0;
    return keep;
}

bool vt_take_damage(struct vt *vt, int *first, int *last)
{
    if (vt->damage_first > vt->damage_last)
        return false;
    *first = clamp(vt->damage_first, 0, vt->rows - 1);
    *last = clamp(vt->damage_last, 0, vt->rows - 1);
    vt->damage_first = vt->rows;
    vt->damage_last = -1;
    return true;
}
