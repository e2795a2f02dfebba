/*
 * gfxtest: the compositor under test (docs/graphics.md, docs/testing.md):
 *   scene     draws the known scene the gfx-scene system tests compare pixel for pixel
 *             (tests/system/gfx_cases.py computes the same), prints "gfxtest: scene ready"
 *             and stays, so the windows stay
 *   faults    refused requests (absurd surfaces, capabilities that are not frames or too
 *             small, bad windows and damage), a window far off screen, one never committed, a
 *             flood of damage, events never read, a client that crashes, the compositor
 *             killed and restarted;
 *             prints "gfxtest: faults: N passed, M failed"
 *   crasher   shows a window, then dies of a page fault (faults spawns it)
 *   blend     the SIMD blends against the scalar one on random pixels, in the guest
 *   input     two overlapping windows, then prints every event it gets (gfx-input moves the
 *             mouse, clicks, drags and types through QMP)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blend/blend.h"
#include "gfxclient/gfxclient.h"
#include "libsys/invoke.h"
#include "libsys/service.h"
#include "testlib.h"

static struct gfx_connection conn;

static void need(const char *what, struct result r)
{
    if (!result_is_ok(r)) {
        char why[96];
        printf("gfxtest: FAIL: %s: %s\n", what, result_format(why, sizeof why, "compositor", r));
        exit(1);
    }
}

static _Noreturn void rest(void)
{
    for (;;)
        proc_sleep_ms(100000);
}

/* --- scene ------------------------------------------------------------------------------- */

static int scene(void)
{
    static struct gfx_surface s1, s2, s3;
    static struct gfx_window w1, w2, w3;
    need("connect", gfx_connect(&conn));
    need("surface one", gfx_surface_create(&conn, &s1, 240, 160));
    gfx_fill(&s1, 0, 0, 240, 160, 0xff2050c0);
    gfx_fill(&s1, 20, 20, 100, 60, 0x80800000); /* half red: shows the desktop through */
    need("window one", gfx_window_create(&conn, &w1, &s1, "one", 100, 120, 0, 0));
    need("commit one", gfx_commit(&conn, &w1, 0, 0));

    need("surface two", gfx_surface_create(&conn, &s2, 200, 150));
    gfx_fill(&s2, 0, 0, 200, 150, 0x80008000);  /* half green over window one */
    gfx_fill(&s2, 50, 40, 60, 50, 0xffffff00);  /* opaque yellow */
    gfx_fill(&s2, 120, 90, 60, 40, 0x00000000); /* a hole */
    need("window two", gfx_window_create(&conn, &w2, &s2, "two", 260, 200, 0, 0));
    need("commit two", gfx_commit(&conn, &w2, 0, 0));

    need("surface three", gfx_surface_create(&conn, &s3, 64, 48));
    for (uint32_t y = 0; y < 48; y++)
        for (uint32_t x = 0; x < 64; x++) {
            uint32_t a = x * 4;
            s3.pixels[y * 64 + x] = a << 24 | (a / 2) << 16 | (y * a / 48) << 8 | a / 8;
        }
    need("window three", gfx_window_create(&conn, &w3, &s3, "three", 600, 500, 0, 0));
    need("commit three", gfx_commit(&conn, &w3, 0, 0));

    /* Damage decides what is shown: the first block changes without being damaged, the
       second is damaged. */
    gfx_fill(&s3, 0, 0, 8, 8, 0xffffffff);
    gfx_fill(&s3, 40, 30, 8, 8, 0xff00ffff);
    struct gfx_rect damaged = {40, 30, 8, 8};
    need("partial commit", gfx_commit(&conn, &w3, &damaged, 1));
    printf("gfxtest: scene ready\n");
    rest();
}

/* --- faults ------------------------------------------------------------------------------ */

/* A raw GFX_SURFACE_CREATE with one capability. */
static struct result surface_raw(uint64_t w, uint64_t h, uint64_t stride, uint64_t count,
                                 uint64_t cap)
{
    struct request r = {.label = GFX_SURFACE_CREATE};
    request_set_word(&r, 0, w);
    request_set_word(&r, 1, h);
    request_set_word(&r, 2, stride);
    request_set_word(&r, 3, count);
    return request_result(request_call(conn.endpoint, &r, cap ? &cap : 0, cap ? 1 : 0, 0), &r);
}

/* One 4 KiB frame of our own memory. */
static uint64_t small_frame(void)
{
    uint64_t untyped = libsys_alloc_slot(), frame = libsys_alloc_slot();
    if (!result_is_ok(mem_untyped(PAGE_BITS, untyped)) ||
        untyped_retype(untyped, CAP_FRAME, PAGE_BITS, frame, 1) != ERR_OK)
        return 0;
    return frame;
}

static uint64_t stats_word(unsigned i)
{
    uint64_t words[7] = {0};
    need("stats", gfx_stats(&conn, words));
    return words[i];
}

static uint64_t find_pid(const char *name)
{
    struct proc_entry e;
    for (uint64_t i = 0; result_is_ok(proc_list(i, &e)); i++)
        if (strcmp(e.name, name) == 0 && e.state == PROC_STATE_RUNNING)
            return e.pid;
    return 0;
}

static int faults(void)
{
    check_init("gfxtest");
    need("connect", gfx_connect(&conn));
    uint64_t frame = small_frame();
    check("a frame for the tests", frame != 0, 1);

    /* absurd surfaces: each refused, naming the argument */
    check_result_bad_range("width 0", surface_raw(0, 10, 40, 1, frame), 0, 1, GFX_MAX_SIZE);
    check_result_bad_range("100000 x 100000", surface_raw(100000, 100000, 400000, 1, frame), 0, 1,
                           GFX_MAX_SIZE);
    check_result_bad_range("height 100000", surface_raw(10, 100000, 40, 1, frame), 1, 1,
                           GFX_MAX_SIZE);
    check_result_bad_range("stride below the width", surface_raw(100, 10, 396, 1, frame), 2, 400,
                           GFX_MAX_STRIDE);
    check_result_bad_range("frame count 0", surface_raw(10, 10, 40, 0, frame), 3, 1,
                           GFX_MAX_FRAMES);
    check_result_bad_range("no capability", surface_raw(10, 10, 40, 1, 0), SERVICE_ARGUMENT_CAP, 0,
                           0);
    check_result_bad_range("a notification, not a frame",
                           surface_raw(10, 10, 40, 1, conn.notification_badged),
                           SERVICE_ARGUMENT_CAP, 0, 0);
    check_result_bad_range("one 4 KiB frame for 100 x 100", surface_raw(100, 100, 400, 1, frame), 3,
                           10, GFX_MAX_FRAMES);
    check_status("a surface that fits", surface_raw(32, 32, 128, 1, frame), SERVICE_OK);

    /* windows */
    static struct gfx_surface s, big;
    static struct gfx_window w, far, never;
    need("surface", gfx_surface_create(&conn, &s, 100, 80));
    gfx_fill(&s, 0, 0, 100, 80, 0xff804020);
    check_result_bad_argument("a surface bigger than the maximum",
                              gfx_window_create(&conn, &w, &s, "w", 10, 40, 0, GFX_PACK(50, 50)),
                              4);
    check_result_bad_argument("smaller than the minimum",
                              gfx_window_create(&conn, &w, &s, "w", 10, 40, GFX_PACK(200, 10), 0),
                              3);
    need("window",
         gfx_window_create(&conn, &w, &s, "faults", 10, 40, GFX_PACK(50, 50), GFX_PACK(400, 400)));
    need("commit", gfx_commit(&conn, &w, 0, 0));
    uint64_t shown = stats_word(0);
    check("one window shown", shown >= 1, 1);
    struct gfx_rect many[GFX_MAX_DAMAGE + 1];
    check_result_bad_argument("17 damage rectangles", gfx_commit(&conn, &w, many, 17), 2);
    /* far off screen: accepted, kept reachable */
    need("surface far", gfx_surface_create(&conn, &big, 50, 50));
    check_status("a window far off screen",
                 gfx_window_create(&conn, &far, &big, "far", 1000000, -1000000, 0, 0), SERVICE_OK);
    check_status("its commit", gfx_commit(&conn, &far, 0, 0), SERVICE_OK);
    check("far off screen: shown", stats_word(0), (long)shown + 1);
    /* never committed: not shown, nothing else changes */
    check_status("a window never committed",
                 gfx_window_create(&conn, &never, &big, "never", 30, 30, 0, 0), SERVICE_OK);
    check("never committed: not shown", stats_word(0), (long)shown + 1);
    /* a flood of damage: every commit answered, the list stays merged */
    struct gfx_rect flood[GFX_MAX_DAMAGE];
    for (unsigned i = 0; i < GFX_MAX_DAMAGE; i++)
        flood[i] = (struct gfx_rect){(int)(i * 6), (int)(i * 5), 3, 3};
    int flood_ok = 0;
    for (int i = 0; i < 400; i++)
        flood_ok += result_is_ok(gfx_commit(&conn, &w, flood, GFX_MAX_DAMAGE));
    check("400 flooding commits answered", flood_ok, 400);
    check("damage merged", stats_word(4) > 0, 1);

    /* a client that never reads its events: its queue is bounded, the rest dropped and
       counted (each window made posts a configure event) */
    for (int i = 0; i < 80; i++) {
        static struct gfx_window t;
        if (result_is_ok(gfx_window_create(&conn, &t, &big, "queue", 40, 40, 0, 0)))
            gfx_window_destroy(&conn, &t);
    }
    struct gfx_event events[GFX_EVENTS_MAX];
    unsigned got;
    uint64_t dropped;
    need("events", gfx_events(&conn, events, GFX_EVENTS_MAX, &got, &dropped));
    check("a full queue gives 20 events a read", got, GFX_EVENTS_MAX);
    check("the rest were dropped and counted", dropped >= 16, 1);
    check("the last kept is a configure event", events[got - 1].type, GFX_EVENT_CONFIGURE);

    /* a client that crashes loses its windows and nothing else */
    uint64_t child;
    const char *const args[] = {"crasher", 0};
    need("spawn the crasher", proc_spawn("bin/gfxtest", args, &child));
    int64_t status;
    need("wait for it", proc_wait(child, &status));
    check("the crasher died of a page fault", status, -(128 + 14));
    check("its window went", stats_word(0), (long)shown + 1);
    check_status("our commits still work", gfx_commit(&conn, &w, 0, 0), SERVICE_OK);

    /* the compositor killed: procsrv restarts it, the library re-creates our windows */
    uint64_t pid = find_pid("compositor");
    check("the compositor runs", pid != 0, 1);
    need("kill the compositor", proc_kill(pid));
    proc_sleep_ms(400); /* the restart back-off is 100 ms */
    check_status("a commit after the restart", gfx_commit(&conn, &w, 0, 0), SERVICE_OK);
    check("the library connected again", conn.reconnects, 1);
    check("a new compositor", find_pid("compositor") != pid, 1);
    check("our windows are back", stats_word(0), (long)shown + 1);
    return check_report("faults");
}

static int crasher(void)
{
    static struct gfx_surface s;
    static struct gfx_window w;
    need("connect", gfx_connect(&conn));
    need("surface", gfx_surface_create(&conn, &s, 120, 90));
    gfx_fill(&s, 0, 0, 120, 90, 0xffff0000);
    need("window", gfx_window_create(&conn, &w, &s, "crasher", 400, 300, 0, 0));
    need("commit", gfx_commit(&conn, &w, 0, 0));
    printf("gfxtest: crasher shown; crashing\n");
    *(volatile int *)0 = 1;
    return 0;
}

/* --- input ------------------------------------------------------------------------------- */

static _Noreturn void input(void)
{
    static struct gfx_surface sa, sb;
    static struct gfx_window wa, wb;
    need("connect", gfx_connect(&conn));
    need("surface a", gfx_surface_create(&conn, &sa, 200, 150));
    gfx_fill(&sa, 0, 0, 200, 150, 0xff884422);
    need("window a", gfx_window_create(&conn, &wa, &sa, "a", 100, 100, 0, 0));
    need("commit a", gfx_commit(&conn, &wa, 0, 0));
    need("surface b", gfx_surface_create(&conn, &sb, 200, 150));
    gfx_fill(&sb, 0, 0, 200, 150, 0x80224488);
    need("window b", gfx_window_create(&conn, &wb, &sb, "b", 200, 160, 0, 0));
    need("commit b", gfx_commit(&conn, &wb, 0, 0));
    struct gfx_event events[GFX_EVENTS_MAX];
    unsigned n;
    need("events", gfx_events(&conn, events, GFX_EVENTS_MAX, &n, 0)); /* configure, focus */
    printf("gfxtest: input ready\n");
    static const char *const names[] = {"?",     "key",   "pointer",  "button",
                                        "focus", "close", "configure"};
    for (;;) {
        gfx_wait(&conn);
        do {
            need("events", gfx_events(&conn, events, GFX_EVENTS_MAX, &n, 0));
            for (unsigned i = 0; i < n; i++) {
                const struct gfx_event *e = &events[i];
                if (e->type == GFX_EVENT_POINTER)
                    continue; /* many; the screendump shows where the pointer is */
                printf("gfxtest: %s window %u at %d,%d code %u flags %u text %u\n",
                       names[e->type < 7 ? e->type : 0], e->window, e->x, e->y, e->code, e->flags,
                       e->text);
            }
        } while (n == GFX_EVENTS_MAX);
    }
}

/* --- blend -------------------------------------------------------------------------------- */

static int blend(void)
{
    check_init("gfxtest");
    static uint32_t src[1100], dst[1100], want[1100];
    uint64_t seed = 12345;
    enum blend_kind kind;
    blend_best(&kind);
    for (int round = 0; round < 200; round++) {
        size_t n = (size_t)(round * 7) % 1000, off = (size_t)round % 8;
        for (size_t i = 0; i < 1100; i++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            src[i] = (uint32_t)(seed >> 32);
            dst[i] = (uint32_t)(seed >> 7);
        }
        memcpy(want, dst, sizeof dst);
        blend_over_scalar(want + off, src + 3, n);
        uint32_t copy[1100];
        memcpy(copy, dst, sizeof dst);
        blend_over_sse2(copy + off, src + 3, n);
        check("sse2 equals scalar", memcmp(copy, want, sizeof want), 0);
        if (kind == BLEND_AVX2) {
            memcpy(copy, dst, sizeof dst);
            blend_over_avx2(copy + off, src + 3, n);
            check("avx2 equals scalar", memcmp(copy, want, sizeof want), 0);
        }
    }
    printf("gfxtest: blend: AVX2 %s\n", kind == BLEND_AVX2 ? "used" : "not available");
    return check_report("blend");
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    if (strcmp(mode, "scene") == 0)
        return scene();
    if (strcmp(mode, "faults") == 0)
        return faults();
    if (strcmp(mode, "crasher") == 0)
        return crasher();
    if (strcmp(mode, "blend") == 0)
        return blend();
    if (strcmp(mode, "input") == 0)
        input();
    printf("usage: gfxtest scene|faults|crasher|blend|input\n");
    return 2;
}
