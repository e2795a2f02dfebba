/*
 * The terminal window. See terminal.h and docs/terminal.md.
 *
 * Shared between the console's thread and the helper: the terminal emulator (vt), its damage,
 * and the queue of typed bytes, under one lock (a sleeping one: the console's thread has the
 * higher priority, and spinning for a lock the preempted helper holds would starve it for
 * ever on one CPU; libsys/mutex.h); the helper's notification slot, written
 * once before the console thread may read it. Sharing the IPC buffer: both threads of the
 * process have the one at USER_IPC_BUFFER (libsys reads words past MR9 there), so the helper
 * keeps every message it sends or receives within the ten words that travel in registers
 * (GFX_EVENTS asks for two events at most), and the console's thread, a server that sends
 * no capabilities with its replies, never writes the buffer's capability words the helper's
 * requests use (lib/libsys/server.c writes caps[0] only for a reply that carries one).
 */
#include "terminal.h"

#include <stdatomic.h>
#include <string.h>

#include "gfxclient/gfxclient.h"
#include "input/keymap.h"
#include "libsys/invoke.h"
#include "libsys/mutex.h"
#include "libsys/objects.h"
#include "libsys/service.h"
#include "libsys/thread.h"
#include "psf/psf.h"
#include "vt/vt.h"
#include "vt/vt_render.h"

#define FONT_PATH       "etc/font.psf"
#define FONT_MAX        65536 /* bytes: Terminus 10x20 with its table is 22,818 */
#define TERM_COLS       80
#define TERM_ROWS       24
#define TERM_SCROLLBACK 500
#define TERM_X          24 /* where the window's surface goes on the screen */
#define TERM_Y          48
#define TERM_TITLE      "Terminal"
#define HELPER_PRIORITY 150 /* below the drivers and the compositor, above programs */
#define HELPER_STACK    (32 * 1024)
#define WAKE_OUTPUT     4ul /* the helper's notification bit for "the terminal changed" */
#define EVENTS_PER_CALL 2   /* 2 + 3 * 2 words: the reply stays in registers */
#define SCROLL_STEP     (TERM_ROWS / 2)

struct terminal {
    struct mutex lock;
    bool running;
    struct vt vt;
    struct ring typed; /* bytes from the window's keys, for the console thread */
    struct psf_font font;
    uint64_t console_wake; /* a send copy of the console thread's notification, badge 2 */
    /* The helper's own. */
    struct libsys_thread helper;
    _Atomic uint64_t helper_wake; /* a send copy of the helper's notification; 0 before */
    struct gfx_connection gfx;
    struct gfx_surface surface;
    struct gfx_window window;
};

static struct terminal term;
static struct vt_cell cells[VT_CELLS(TERM_COLS, TERM_ROWS, TERM_SCROLLBACK)];
static uint8_t font_bytes[FONT_MAX];
static _Alignas(16) uint8_t helper_stack[HELPER_STACK];

/* Signals the notification in slot (its badge's bits). */
static void wake(uint64_t slot)
{
    struct missive_msg msg = {0};
    if (slot)
        missive_syscall(SYS_SEND, slot, 0, &msg);
}

bool terminal_running(void)
{
    return term.running;
}

void terminal_output(const void *bytes, size_t n)
{
    if (!term.running)
        return;
    mutex_lock(&term.lock);
    vt_write(&term.vt, bytes, n);
    mutex_unlock(&term.lock);
    wake(atomic_load(&term.helper_wake));
}

size_t terminal_take_input(struct ring *input)
{
    if (!term.running)
        return 0;
    uint8_t bytes[256];
    mutex_lock(&term.lock);
    size_t room = RING_SIZE - ring_count(input);
    size_t n = ring_peek(&term.typed, bytes, room < sizeof bytes ? room : sizeof bytes);
    ring_drop(&term.typed, n);
    bool more = ring_count(&term.typed) > 0 && n == sizeof bytes;
    mutex_unlock(&term.lock);
    ring_put(input, bytes, n);
    if (more)
        wake(term.console_wake); /* come back for the rest */
    return n;
}

/* --- the helper thread ------------------------------------------------------------------- */

/* Draws the damaged rows into the surface (under the lock) and commits them. */
static void draw(struct terminal *t)
{
    int first, last;
    mutex_lock(&t->lock);
    bool damaged = vt_take_damage(&t->vt, &first, &last);
    if (damaged) {
        struct text_target target = text_target(t->surface.pixels, (int32_t)t->surface.width,
                                                (int32_t)t->surface.height, t->surface.stride / 4);
        vt_render_rows(&t->vt, &target, &t->font, vt_default_palette, 0, 0, first, last);
    }
    mutex_unlock(&t->lock);
    if (!damaged)
        return;
    struct gfx_rect rect = {0, first * (int)t->font.height, (int)t->surface.width,
                            (last - first + 1) * (int)t->font.height};
    gfx_commit(&t->gfx, &t->window, &rect, 1);
}

/* A key typed into the window: Shift-PageUp/PageDown scroll the view through the scrollback
   (as in xterm); anything else becomes the bytes a terminal sends, queued for the console. */
static void key(struct terminal *t, const struct gfx_event *e)
{
    struct key_event k = {.key = (uint16_t)e->code,
                          .pressed = e->flags & GFX_KEY_PRESSED,
                          .modifiers = (uint8_t)(e->flags >> 8),
                          .ascii = (char)e->text};
    if (!k.pressed)
        return;
    if ((k.modifiers & KEYMAP_MOD_SHIFT) && (k.key == KEY_PAGE_UP || k.key == KEY_PAGE_DOWN)) {
        mutex_lock(&t->lock);
        vt_scroll_view(&t->vt, k.key == KEY_PAGE_UP ? SCROLL_STEP : -SCROLL_STEP);
        mutex_unlock(&t->lock);
        return;
    }
    char bytes[8];
    size_t n = keymap_to_terminal(&k, bytes);
    if (n == 0)
        return;
    mutex_lock(&t->lock);
    ring_put(&t->typed, bytes, n);
    mutex_unlock(&t->lock);
    wake(t->console_wake);
}

/* Reads and handles every queued event of the window. */
static void take_events(struct terminal *t)
{
    for (;;) {
        struct gfx_event events[EVENTS_PER_CALL];
        unsigned count = 0;
        if (!result_is_ok(gfx_events(&t->gfx, events, EVENTS_PER_CALL, &count, 0)) || !count)
            return;
        for (unsigned i = 0; i < count; i++)
            if (events[i].type == GFX_EVENT_KEY)
                key(t, &events[i]);
        /* The close button: the terminal is the console's and stays (the close is not
           obeyed); focus, pointer and configure events need nothing. */
    }
}

/* One try at connecting, making the surface and the window. */
static bool connect_once(struct terminal *t)
{
    if (!result_is_ok(gfx_connect(&t->gfx)))
        return false;
    struct cspace_identity id;
    if (cspace_identify(PROC_SLOT_CSPACE, t->gfx.endpoint, &id) != ERR_OK ||
        id.type != CAP_ENDPOINT)
        return false;
    uint32_t width = TERM_COLS * t->font.width, height = TERM_ROWS * t->font.height;
    return result_is_ok(gfx_surface_create(&t->gfx, &t->surface, width, height)) &&
           result_is_ok(gfx_window_create(&t->gfx, &t->window, &t->surface, TERM_TITLE, TERM_X,
                                          TERM_Y, 0, 0));
}

/* Connects (retrying while the compositor starts: the console starts first), makes the
   surface and the window, and gives the console thread the way to wake this one. A try can
   also fail for a reason that passes: the console's thread, serving a request, resets the
   shared IPC buffer's receive slot between this thread's setting it and its call, and the
   capability it asked for (the compositor's endpoint, memory) is not taken. The next try
   then works; what the failed one made stays unused. */
static bool helper_connect(struct terminal *t)
{
    for (unsigned tries = 0; !connect_once(t); tries++) {
        if (tries == 1000) /* about 100 s: no compositor is coming */
            return false;
        proc_sleep_ms(100);
    }
    uint64_t wake = libsys_alloc_slot();
    if (!wake || cspace_mint(PROC_SLOT_CSPACE, wake, t->gfx.notification, CAP_RIGHT_SEND,
                             WAKE_OUTPUT, 0) != ERR_OK)
        return false;
    mutex_lock(&t->lock);
    vt_scroll_view(&t->vt, 0);
    t->vt.damage_first = 0, t->vt.damage_last = TERM_ROWS - 1; /* the first draw is whole */
    mutex_unlock(&t->lock);
    atomic_store(&t->helper_wake, wake);
    return true;
}

/* The helper: connect, then draw and take events whenever the compositor or the console's
   thread signals. Never returns; on a failure it stops (the console goes on with COM1). */
static void helper_main(void *arg)
{
    struct terminal *t = arg;
    if (!helper_connect(t))
        return; /* libsys suspends the thread */
    for (;;) {
        draw(t);
        take_events(t);
        struct missive_msg msg = {0};
        missive_syscall(SYS_RECV, t->gfx.notification, 0, &msg);
    }
}

/* Reads the font file from the initrd into font_bytes; returns its size, 0 on failure. */
static size_t read_font(void)
{
    size_t total = 0;
    for (;;) {
        size_t got = 0;
        size_t want = FONT_MAX - total < PROC_FILE_CHUNK ? FONT_MAX - total : PROC_FILE_CHUNK;
        if (want == 0 ||
            !result_is_ok(proc_file_read(FONT_PATH, total, font_bytes + total, want, &got)))
            return 0;
        if (got == 0)
            return total;
        total += got;
    }
}

/* Makes the helper thread and starts it, with its TLS in the bottom of its stack
   (libsys_thread_start_with) and the process's one IPC buffer (this file's header says why
   sharing it is safe). */
static const char *start_helper(struct terminal *t)
{
    uint64_t thread;
    if (!result_is_ok(libsys_make_object(CAP_THREAD, THREAD_BITS, &thread)))
        return "no memory for the terminal's thread";
    struct libsys_thread_how how = {.name = "console-term",
                                    .priority = HELPER_PRIORITY,
                                    .cpu = LIBSYS_THREAD_ANY_CPU,
                                    .stack = helper_stack,
                                    .stack_bytes = HELPER_STACK};
    if (libsys_thread_start_with(&t->helper, thread, PROC_SLOT_IPC_BUFFER,
                                 (struct ipc_buffer *)USER_IPC_BUFFER, &how, helper_main,
                                 t) != ERR_OK)
        return "the terminal's thread cannot be set up";
    return 0;
}

const char *terminal_start(uint64_t notification)
{
    struct terminal *t = &term;
    size_t size = read_font();
    if (size == 0)
        return "no font (" FONT_PATH ")";
    enum psf_error e = psf_parse(&t->font, font_bytes, size);
    if (e != PSF_OK)
        return psf_error_name(e);
    if (!vt_init(&t->vt, TERM_COLS, TERM_ROWS, cells, TERM_SCROLLBACK))
        return "the terminal's size is out of range";
    ring_init(&t->typed);
    if (!result_is_ok(mutex_init(&t->lock)))
        return "no memory for the terminal's lock";
    t->console_wake = libsys_alloc_slot();
    if (!t->console_wake || cspace_mint(PROC_SLOT_CSPACE, t->console_wake, notification,
                                        CAP_RIGHT_SEND, TERMINAL_INPUT_BIT, 0) != ERR_OK)
        return "the console's notification cannot be minted";
    t->running = true; /* output from here on goes into the terminal too */
    const char *failure = start_helper(t);
    if (failure)
        t->running = false;
    return failure;
}
