/*
 * gfxbench: the compositor's costs (`make bench-gfx`, docs/graphics.md), each the least of a
 * few runs, in rdtsc ticks (guest instructions under -icount shift=0; the host's TSC under
 * plain TCG, which tools/bench/gfx.py turns into time):
 *   blend-scalar, blend-sse2, blend-avx2: "over" of a 1024x768 buffer onto another
 *   memcpy: the same bytes copied
 *   compose-full: the whole 1024x768 screen composed from four overlapping translucent
 *     windows with their decorations and the pointer, and copied to a framebuffer-sized
 *     buffer, as the compositor does (lib/compose, the same code)
 *   compose-pointer: the update of a pointer move: its old and new rectangles only
 * Each line: "gfxbench: NAME ticks T pixels P bytes B"; then "gfxbench: done".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blend/blend.h"
#include "compose/compose.h"
#include "proto/gfx.h"

enum { WIDTH = 1024, HEIGHT = 768, PIXELS = WIDTH * HEIGHT, RUNS = 3, WINDOWS = 4 };
enum { WIN_W = 400, WIN_H = 300 };

static uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)); /* GNU inline asm: no C for it */
    return ((uint64_t)hi << 32) | lo;
}

static uint32_t *src, *dst, *back, *screen, *windows[WINDOWS], *bars[WINDOWS];
static uint32_t pointer[GFX_POINTER_W * GFX_POINTER_H];

static void report(const char *name, uint64_t ticks, uint64_t pixels)
{
    printf("gfxbench: %s ticks %llu pixels %llu bytes %llu\n", name, (unsigned long long)ticks,
           (unsigned long long)pixels, (unsigned long long)pixels * 4);
}

static void bench_blend(const char *name, blend_over_fn fn)
{
    uint64_t best = ~0ull;
    for (int run = 0; run < RUNS; run++) {
        uint64_t t = rdtsc();
        fn(dst, src, PIXELS);
        t = rdtsc() - t;
        best = t < best ? t : best;
    }
    report(name, best, PIXELS);
}

static void bench_memcpy(void)
{
    uint64_t best = ~0ull;
    for (int run = 0; run < RUNS; run++) {
        uint64_t t = rdtsc();
        memcpy(dst, src, (size_t)PIXELS * 4);
        t = rdtsc() - t;
        best = t < best ? t : best;
    }
    report("memcpy", best, PIXELS);
}

/* The scene's layers as the compositor builds them: per window four border edges, the title
   bar, the surface; the pointer at x, y. Returns the count. */
static unsigned scene(struct compose_layer *l, int px, int py)
{
    unsigned n = 0;
    for (int i = 0; i < WINDOWS; i++) {
        int x = 80 + i * 150, y = 60 + i * 110;
        struct compose_rect f = {x - 1, y - GFX_TITLE_HEIGHT - 1, WIN_W + 2,
                                 WIN_H + GFX_TITLE_HEIGHT + 2};
        l[n++] = (struct compose_layer){{f.x, f.y, f.width, 1}, 0, 0, COMPOSE_BORDER, true};
        l[n++] = (struct compose_layer){
            {f.x, f.y + f.height - 1, f.width, 1}, 0, 0, COMPOSE_BORDER, true};
        l[n++] =
            (struct compose_layer){{f.x, f.y + 1, 1, f.height - 2}, 0, 0, COMPOSE_BORDER, true};
        l[n++] = (struct compose_layer){
            {x + WIN_W, f.y + 1, 1, f.height - 2}, 0, 0, COMPOSE_BORDER, true};
        l[n++] = (struct compose_layer){
            {x, y - GFX_TITLE_HEIGHT, WIN_W, GFX_TITLE_HEIGHT}, bars[i], WIN_W, 0, true};
        l[n++] = (struct compose_layer){{x, y, WIN_W, WIN_H}, windows[i], WIN_W, 0, false};
    }
    l[n++] = (struct compose_layer){
        {px, py, GFX_POINTER_W, GFX_POINTER_H}, pointer, GFX_POINTER_W, 0, false};
    return n;
}

/* Composes r into the back buffer and copies it to the screen, as screen_update does. */
static void update(struct compose_rect r, const struct compose_layer *l, unsigned n,
                   blend_over_fn blend)
{
    compose_region(back, WIDTH, r, COMPOSE_BACKGROUND, l, n, blend);
    for (int y = r.y; y < r.y + r.height; y++)
        memcpy(screen + (size_t)y * WIDTH + r.x, back + (size_t)y * WIDTH + r.x,
               (size_t)r.width * 4);
}

static void bench_compose(blend_over_fn blend)
{
    static struct compose_layer layers[WINDOWS * 6 + 1];
    uint64_t best = ~0ull;
    unsigned n = scene(layers, 500, 400);
    for (int run = 0; run < RUNS; run++) {
        uint64_t t = rdtsc();
        update((struct compose_rect){0, 0, WIDTH, HEIGHT}, layers, n, blend);
        t = rdtsc() - t;
        best = t < best ? t : best;
    }
    report("compose-full", best, PIXELS);
    best = ~0ull;
    for (int run = 0; run < RUNS; run++) {
        /* the pointer moves by 5, 3 over the windows: both rectangles are redrawn */
        int x = 500 + run * 5, y = 400 + run * 3;
        uint64_t t = rdtsc();
        n = scene(layers, x + 5, y + 3);
        update((struct compose_rect){x, y, GFX_POINTER_W, GFX_POINTER_H}, layers, n, blend);
        update((struct compose_rect){x + 5, y + 3, GFX_POINTER_W, GFX_POINTER_H}, layers, n, blend);
        t = rdtsc() - t;
        best = t < best ? t : best;
    }
    report("compose-pointer", best, 2 * GFX_POINTER_W * GFX_POINTER_H);
}

int main(void)
{
    src = malloc((size_t)PIXELS * 4);
    dst = malloc((size_t)PIXELS * 4);
    back = malloc((size_t)PIXELS * 4);
    screen = malloc((size_t)PIXELS * 4);
    if (!src || !dst || !back || !screen) {
        printf("gfxbench: FAIL: no memory\n");
        return 1;
    }
    uint64_t seed = 1;
    for (size_t i = 0; i < PIXELS; i++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        uint32_t a = (uint32_t)(seed >> 56);
        uint32_t c = a ? (uint32_t)(seed >> 24) % (a + 1) : 0;
        src[i] = a << 24 | c << 16 | (c / 2) << 8 | c / 3; /* premultiplied, all alphas */
        dst[i] = 0xff000000u | (uint32_t)(seed >> 8);
    }
    for (int i = 0; i < WINDOWS; i++) {
        windows[i] = malloc((size_t)WIN_W * WIN_H * 4);
        bars[i] = malloc((size_t)WIN_W * GFX_TITLE_HEIGHT * 4);
        if (!windows[i] || !bars[i]) {
            printf("gfxbench: FAIL: no memory\n");
            return 1;
        }
        uint32_t a = 0x60 + 0x20 * (uint32_t)i; /* translucent */
        for (size_t p = 0; p < (size_t)WIN_W * WIN_H; p++)
            windows[i][p] = a << 24 | (a / 2) << 16 | (a / 3) << 8 | (a / 4);
        compose_title_bar(bars[i], WIN_W, i == WINDOWS - 1);
    }
    compose_pointer_pixels(pointer);
    enum blend_kind kind;
    blend_over_fn best = blend_best(&kind);
    static const char *const names[] = {"scalar", "SSE2", "AVX2"};
    printf("gfxbench: %dx%d, blending with %s\n", WIDTH, HEIGHT, names[kind]);
    bench_memcpy();
    bench_blend("blend-scalar", blend_over_scalar);
    bench_blend("blend-sse2", blend_over_sse2);
    if (kind == BLEND_AVX2)
        bench_blend("blend-avx2", blend_over_avx2);
    bench_compose(best);
    printf("gfxbench: done\n");
    return 0;
}
