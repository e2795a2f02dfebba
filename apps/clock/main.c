/*
 * clock: the demo client of the graphics boot (etc/gui.manifest; docs/terminal.md). A
 * translucent window, over the terminal, that shows the time since boot and a bar sweeping
 * once a second, redrawn four times a second (procsrv's PROC_UPTIME and PROC_SLEEP): the
 * blending of a moving picture over another window, to watch. Closing its window ends it.
 *
 * Arguments: [X Y] where the window goes (default: over the terminal's lower right corner);
 * --frames N ends it after N frames (the tests).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "face.h"
#include "gfxclient/gfxclient.h"
#include "libsys/service.h"

#define FONT_PATH "etc/font.psf"
#define FONT_MAX  65536
#define FRAME_MS  250
#define DEFAULT_X 664
#define DEFAULT_Y 440
#define WAIT_MS   5000

static uint8_t font_bytes[FONT_MAX];

/* Reads the initrd's font; returns its size (0: none). */
static size_t read_font(void)
{
    size_t total = 0, got;
    while (total < FONT_MAX &&
           result_is_ok(proc_file_read(
               FONT_PATH, total, font_bytes + total,
               FONT_MAX - total < PROC_FILE_CHUNK ? FONT_MAX - total : PROC_FILE_CHUNK, &got)) &&
           got > 0)
        total += got;
    return total;
}

/* Whether the window's close button was clicked (events read and dropped otherwise). */
static bool closed(struct gfx_connection *c)
{
    struct gfx_event events[GFX_EVENTS_MAX];
    unsigned count = 0;
    bool close = false;
    while (result_is_ok(gfx_events(c, events, GFX_EVENTS_MAX, &count, 0)) && count)
        for (unsigned i = 0; i < count; i++)
            close = close || events[i].type == GFX_EVENT_CLOSE;
    return close;
}

/* Waits (up to WAIT_MS) until another window is shown, so that the clock, shown after it,
   lies on top: the terminal window comes up on its own time (the console's helper connects
   when it sees the compositor). A new window is also focused: click the terminal to type. */
static void wait_for_a_window(struct gfx_connection *c)
{
    for (unsigned ms = 0; ms < WAIT_MS; ms += 50) {
        uint64_t stats[7];
        if (!result_is_ok(gfx_stats(c, stats)) || stats[0] > 0)
            return;
        proc_sleep_ms(50);
    }
}

int main(int argc, char **argv)
{
    int x = DEFAULT_X, y = DEFAULT_Y;
    long frames = -1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--frames") == 0 && i + 1 < argc)
            frames = strtol(argv[++i], 0, 10);
        else if (i + 1 < argc)
            x = (int)strtol(argv[i], 0, 10), y = (int)strtol(argv[++i], 0, 10);
        else {
            printf("usage: clock [X Y] [--frames N]\n");
            return 2;
        }
    }
    struct psf_font font;
    size_t size = read_font();
    enum psf_error e = size ? psf_parse(&font, font_bytes, size) : PSF_TOO_SHORT;
    if (e != PSF_OK) {
        printf("clock: no usable font %s: %s\n", FONT_PATH, psf_error_name(e));
        return 1;
    }
    static struct gfx_connection gfx;
    static struct gfx_surface surface;
    static struct gfx_window window;
    char why[80];
    struct result r = gfx_connect(&gfx);
    if (result_is_ok(r))
        wait_for_a_window(&gfx);
    if (result_is_ok(r))
        r = gfx_surface_create(&gfx, &surface, FACE_WIDTH, FACE_HEIGHT);
    if (result_is_ok(r))
        r = gfx_window_create(&gfx, &window, &surface, "Clock", x, y, 0, 0);
    if (!result_is_ok(r)) {
        printf("clock: no window: %s\n", result_format(why, sizeof why, 0, r));
        return 1;
    }
    printf("clock: window at %d,%d\n", x, y);
    for (long n = 0; frames < 0 || n < frames; n++) {
        uint64_t ms = 0;
        proc_uptime_ms(&ms);
        face_draw(surface.pixels, surface.stride / 4, &font, ms);
        gfx_commit(&gfx, &window, 0, 0);
        if (closed(&gfx))
            break;
        proc_sleep_ms(FRAME_MS);
    }
    gfx_window_destroy(&gfx, &window);
    printf("clock: done\n");
    return 0;
}
