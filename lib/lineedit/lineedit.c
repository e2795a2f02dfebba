/*
 * Line editor state machine. See lineedit.h for the contract.
 *
 * Screen discipline: after every byte fed, the terminal row shows prompt + buf[0..len) followed
 * by blanks, with the cursor at column prompt_len + cursor. Every edit writes only what that
 * needs: the changed tail, ESC [ K to clear what the line no longer covers, and a move back to
 * the cursor. No libc string functions are used so the module links into the kernel too.
 */
#include "lineedit/lineedit.h"

#define CTRL(c) ((c)&0x1f)
#define ESC     0x1b
#define DEL     0x7f

/* Passes n bytes to the output callback, if there is one. */
static void put(struct lineedit *le, const char *s, size_t n)
{
    if (le->emit && n)
        le->emit(le->ctx, s, n);
}

/* Outputs a NUL-terminated string. */
static void puts_(struct lineedit *le, const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    put(le, s, n);
}

/* Moves the terminal cursor n columns left (dir 'D') or right (dir 'C'); nothing for 0. */
static void move(struct lineedit *le, size_t n, char dir)
{
    if (n == 0)
        return;
    char seq[32];
    char digits[24];
    size_t nd = 0;
    while (n) {
        digits[nd++] = (char)('0' + n % 10);
        n /= 10;
    }
    size_t i = 0;
    seq[i++] = ESC;
    seq[i++] = '[';
    while (nd)
        seq[i++] = digits[--nd];
    seq[i++] = dir;
    put(le, seq, i);
}

/* Rings the terminal bell: the key was refused. */
static void bell(struct lineedit *le)
{
    put(le, "\a", 1);
}

/* Writes buf[from..len), clears the rest of the row and returns the cursor to le->cursor; the
   terminal cursor must be at column `from` of the line. */
static void redraw_from(struct lineedit *le, size_t from)
{
    put(le, le->buf + from, le->len - from);
    puts_(le, "\x1b[K");
    move(le, le->len - le->cursor, 'D');
}

/* Sets up *le; see lineedit.h. */
void lineedit_init(struct lineedit *le, char *buf, size_t cap, char *history,
                   size_t history_entries, lineedit_emit_fn emit, void *ctx)
{
    le->buf = buf;
    le->cap = cap;
    le->history = history_entries ? history : NULL;
    le->history_entries = history ? history_entries : 0;
    le->history_count = 0;
    le->history_next = 0;
    le->emit = emit;
    le->ctx = ctx;
    le->after_cr = false;
    lineedit_start(le, NULL);
}

/* Starts a new, empty line after printing prompt; see lineedit.h. */
void lineedit_start(struct lineedit *le, const char *prompt)
{
    le->len = 0;
    le->cursor = 0;
    le->buf[0] = '\0';
    le->history_pos = 0;
    le->esc = LINEEDIT_ESC_NONE;
    le->finished = false;
    if (prompt)
        puts_(le, prompt);
}

/* The history slot of the k-th newest line (k >= 1), or of the draft for k == 0. */
static char *history_slot(struct lineedit *le, size_t k)
{
    size_t n = le->history_entries;
    if (k == 0)
        return le->history + n * le->cap;
    return le->history + ((le->history_next + n - k) % n) * le->cap;
}

/* Copies the NUL-terminated line at src into the slot dst of cap bytes (or the reverse),
   truncating to cap - 1 characters; returns its length. */
static size_t copy_line(char *dst, const char *src, size_t cap)
{
    size_t n = 0;
    while (n + 1 < cap && src[n]) {
        dst[n] = src[n];
        n++;
    }
    dst[n] = '\0';
    return n;
}

/* Adds the finished line (NUL-terminated in buf) to the history unless it is empty or repeats
   the newest entry. */
static void history_add(struct lineedit *le)
{
    if (!le->history || le->len == 0)
        return;
    if (le->history_count) {
        const char *newest = history_slot(le, 1);
        size_t i = 0;
        while (i < le->len && newest[i] == le->buf[i])
            i++;
        if (i == le->len && newest[i] == '\0')
            return;
    }
    copy_line(le->history + le->history_next * le->cap, le->buf, le->cap);
    le->history_next = (le->history_next + 1) % le->history_entries;
    if (le->history_count < le->history_entries)
        le->history_count++;
}

/* Replaces the line on screen and in buf with the string at src, cursor at its end. */
static void replace_line(struct lineedit *le, const char *src)
{
    move(le, le->cursor, 'D');
    le->len = copy_line(le->buf, src, le->cap);
    le->cursor = le->len;
    redraw_from(le, 0);
}

/* Walks the history one step: older (up) or newer (down). Leaving the line being typed keeps
   it in the draft slot so coming back restores it; recalled lines are copies, so editing them
   changes no entry. */
static void history_walk(struct lineedit *le, bool up)
{
    if (up ? le->history_pos >= le->history_count : le->history_pos == 0) {
        bell(le);
        return;
    }
    if (up && le->history_pos == 0) {
        le->buf[le->len] = '\0';
        copy_line(history_slot(le, 0), le->buf, le->cap);
    }
    if (up)
        le->history_pos++;
    else
        le->history_pos--;
    replace_line(le, history_slot(le, le->history_pos));
}

/* Inserts printable c at the cursor, or rings the bell when the line is full. */
static void insert(struct lineedit *le, char c)
{
    if (le->len + 1 >= le->cap) {
        bell(le);
        return;
    }
    for (size_t i = le->len; i > le->cursor; i--)
        le->buf[i] = le->buf[i - 1];
    le->buf[le->cursor] = c;
    le->len++;
    le->cursor++;
    put(le, le->buf + le->cursor - 1, le->len - le->cursor + 1);
    move(le, le->len - le->cursor, 'D');
}

/* Removes the n characters starting at from (from + n <= len) from buf; the screen is the
   caller's business. */
static void remove_chars(struct lineedit *le, size_t from, size_t n)
{
    for (size_t i = from; i + n < le->len; i++)
        le->buf[i] = le->buf[i + n];
    le->len -= n;
}

/* Backspace: deletes the character before the cursor. */
static void backspace(struct lineedit *le)
{
    if (le->cursor == 0) {
        bell(le);
        return;
    }
    le->cursor--;
    remove_chars(le, le->cursor, 1);
    if (le->cursor == le->len) {
        puts_(le, "\b \b"); /* the common case: erasing at the end */
        return;
    }
    put(le, "\b", 1);
    redraw_from(le, le->cursor);
}

/* Delete: deletes the character under the cursor. */
static void delete_forward(struct lineedit *le)
{
    if (le->cursor == le->len) {
        bell(le);
        return;
    }
    remove_chars(le, le->cursor, 1);
    redraw_from(le, le->cursor);
}

/* Ctrl-W: deletes the spaces before the cursor, then the word before them. */
static void kill_word(struct lineedit *le)
{
    size_t start = le->cursor;
    while (start > 0 && le->buf[start - 1] == ' ')
        start--;
    while (start > 0 && le->buf[start - 1] != ' ')
        start--;
    size_t n = le->cursor - start;
    if (n == 0)
        return;
    move(le, n, 'D');
    le->cursor = start;
    remove_chars(le, start, n);
    redraw_from(le, start);
}

/* Moves the cursor to column to of the line. */
static void move_to(struct lineedit *le, size_t to)
{
    if (to < le->cursor)
        move(le, le->cursor - to, 'D');
    else
        move(le, to - le->cursor, 'C');
    le->cursor = to;
}

/* Ends the line: NUL-terminates it, records it in the history, moves to a new row. */
static enum lineedit_result enter(struct lineedit *le)
{
    le->buf[le->len] = '\0';
    puts_(le, "\r\n");
    history_add(le);
    le->history_pos = 0;
    le->finished = true;
    return LINEEDIT_DONE;
}

/* Performs the editing key of an escape sequence's final byte (shared by CSI and SS3). */
static void escape_key(struct lineedit *le, char final)
{
    switch (final) {
    case 'A':
        history_walk(le, true);
        break;
    case 'B':
        history_walk(le, false);
        break;
    case 'C':
        if (le->cursor < le->len)
            move_to(le, le->cursor + 1);
        break;
    case 'D':
        if (le->cursor > 0)
            move_to(le, le->cursor - 1);
        break;
    case 'H':
        move_to(le, 0);
        break;
    case 'F':
        move_to(le, le->len);
        break;
    default:
        break; /* F-keys and the like: nothing to do */
    }
}

/* Handles a control byte or printable byte outside escape sequences. */
static enum lineedit_result plain_byte(struct lineedit *le, uint8_t byte)
{
    switch (byte) {
    case '\r':
        le->after_cr = true;
        return enter(le);
    case '\n':
        return enter(le);
    case CTRL('C'):
        puts_(le, "^C\r\n");
        le->len = 0;
        le->cursor = 0;
        le->buf[0] = '\0';
        le->history_pos = 0;
        le->finished = true;
        return LINEEDIT_CANCELLED;
    case ESC:
        le->esc = LINEEDIT_ESC_START;
        break;
    case DEL:
    case '\b':
        backspace(le);
        break;
    case CTRL('A'):
        move_to(le, 0);
        break;
    case CTRL('E'):
        move_to(le, le->len);
        break;
    case CTRL('B'):
        escape_key(le, 'D');
        break;
    case CTRL('F'):
        escape_key(le, 'C');
        break;
    case CTRL('P'):
        history_walk(le, true);
        break;
    case CTRL('N'):
        history_walk(le, false);
        break;
    case CTRL('D'):
        delete_forward(le);
        break;
    case CTRL('K'):
        le->len = le->cursor;
        puts_(le, "\x1b[K");
        break;
    case CTRL('U'):
        move_to(le, 0);
        le->len = 0;
        puts_(le, "\x1b[K");
        break;
    case CTRL('W'):
        kill_word(le);
        break;
    default:
        if (byte >= 0x20 && byte < DEL)
            insert(le, (char)byte);
        break; /* other controls (Tab included) and non-ASCII bytes are ignored */
    }
    return LINEEDIT_CONTINUE;
}

/* Finishes a CSI sequence with final byte final: letters as in escape_key, "n ~" for the
   VT220 editing keys. */
static void csi_final(struct lineedit *le, char final)
{
    if (final != '~') {
        escape_key(le, final);
        return;
    }
    if (!le->esc_param_seen)
        return;
    switch (le->esc_param) {
    case 1:
    case 7:
        escape_key(le, 'H');
        break;
    case 4:
    case 8:
        escape_key(le, 'F');
        break;
    case 3:
        delete_forward(le);
        break;
    default:
        break; /* Insert, PageUp/Down, F5-F12: ignored */
    }
}

/* Consumes byte inside an escape sequence. Returns true if the byte was used up; false if the
   sequence was abandoned and byte must be handled as an ordinary byte (a control character
   arriving mid-sequence means the sender gave up on it, and Enter or Ctrl-C must still work). */
static bool escape_byte(struct lineedit *le, uint8_t byte)
{
    if (byte == ESC) {
        le->esc = LINEEDIT_ESC_START; /* a new sequence replaces the broken one */
        return true;
    }
    if (byte < 0x20 || byte == DEL) {
        le->esc = LINEEDIT_ESC_NONE;
        return false;
    }
    if (byte >= 0x80) {
        le->esc = LINEEDIT_ESC_NONE;
        return true;
    }
    switch (le->esc) {
    case LINEEDIT_ESC_START:
        if (byte == '[') {
            le->esc = LINEEDIT_ESC_CSI;
            le->esc_param = 0;
            le->esc_param_seen = false;
            le->esc_extra = false;
        } else if (byte == 'O') {
            le->esc = LINEEDIT_ESC_SS3;
        } else {
            le->esc = LINEEDIT_ESC_NONE; /* Alt+key and the like: dropped */
        }
        return true;
    case LINEEDIT_ESC_SS3:
        le->esc = LINEEDIT_ESC_NONE;
        escape_key(le, (char)byte);
        return true;
    default:
        break;
    }
    /* CSI: parameter bytes 0x30-0x3F, intermediates 0x20-0x2F, then a final 0x40-0x7E. Only the
       first parameter matters; later ones (modifiers, as in ESC [ 1 ; 5 C) are skipped. */
    if (byte >= '0' && byte <= '9') {
        if (!le->esc_extra) {
            unsigned v = le->esc_param * 10u + (unsigned)(byte - '0');
            le->esc_param = v > 255 ? 255 : (uint8_t)v;
            le->esc_param_seen = true;
        }
    } else if (byte < 0x40) {
        le->esc_extra = true;
    } else {
        le->esc = LINEEDIT_ESC_NONE;
        csi_final(le, (char)byte);
    }
    return true;
}

/* Feeds one input byte; see lineedit.h. */
enum lineedit_result lineedit_feed(struct lineedit *le, uint8_t byte)
{
    bool after_cr = le->after_cr;
    le->after_cr = false;
    if (after_cr && byte == '\n')
        return LINEEDIT_CONTINUE; /* the LF of CR LF: that Enter was already reported */
    if (le->finished)
        lineedit_start(le, NULL);
    if (le->esc != LINEEDIT_ESC_NONE && escape_byte(le, byte))
        return LINEEDIT_CONTINUE;
    return plain_byte(le, byte);
}
