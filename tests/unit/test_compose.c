/*
 * Host unit tests for lib/compose: rectangle arithmetic, damage merging (touching rectangles
 * fold together, a full list merges where it grows least, nothing is lost), composition of
 * overlapping layers against a per-pixel reference, decorations and the pointer bitmap.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "compose/compose.h"
#include "proto/gfx.h"

static bool covered(const struct compose_damage *d, int x, int y)
{
    for (unsigned i = 0; i < d->count; i++) {
        struct compose_rect r = d->rects[i];
        if (x >= r.x && x < r.x + r.width && y >= r.y && y < r.y + r.height)
            return true;
    }
    return false;
}

static void test_rects(void **state)
{
    (void)state;
    struct compose_rect a = {0, 0, 10, 10}, b = {5, 5, 10, 10}, c = {10, 0, 5, 5};
    struct compose_rect i = compose_rect_intersect(a, b);
    assert_int_equal(i.x, 5);
    assert_int_equal(i.width, 5);
    assert_true(compose_rect_empty(compose_rect_intersect(a, c))); /* touching only */
    assert_true(compose_rect_touch(a, c));
    assert_false(compose_rect_touch(a, (struct compose_rect){11, 0, 5, 5}));
    struct compose_rect u = compose_rect_union(a, b);
    assert_int_equal(u.width, 15);
    assert_int_equal(u.height, 15);
}

static void test_damage_merge(void **state)
{
    (void)state;
    struct compose_damage d = {0};
    compose_damage_add(&d, (struct compose_rect){0, 0, 10, 10});
    compose_damage_add(&d, (struct compose_rect){100, 100, 10, 10});
    assert_int_equal(d.count, 2);
    compose_damage_add(&d, (struct compose_rect){5, 5, 10, 10}); /* overlaps the first */
    assert_int_equal(d.count, 2);
    /* one that bridges both: everything becomes one */
    compose_damage_add(&d, (struct compose_rect){10, 10, 95, 95});
    assert_int_equal(d.count, 1);
    assert_int_equal(d.rects[0].width, 110);
    compose_damage_add(&d, (struct compose_rect){0, 0, 0, 5}); /* empty: nothing */
    assert_int_equal(d.count, 1);
}

static void test_damage_full(void **state)
{
    (void)state;
    struct compose_damage d = {0};
    /* a flood of separate 1x1 rectangles: the list stays bounded, every pixel stays covered */
    for (int i = 0; i < 200; i++)
        compose_damage_add(&d, (struct compose_rect){(i * 37) % 500, (i * 91) % 300, 1, 1});
    assert_true(d.count <= COMPOSE_DAMAGE_MAX);
    for (int i = 0; i < 200; i++)
        assert_true(covered(&d, (i * 37) % 500, (i * 91) % 300));
    for (unsigned i = 0; i < d.count; i++)
        for (unsigned j = i + 1; j < d.count; j++)
            assert_false(compose_rect_touch(d.rects[i], d.rects[j]));
}

static void test_compose_reference(void **state)
{
    (void)state;
    enum { W = 40, H = 30 };
    static uint32_t screen[W * H], want[W * H], a[20 * 10], b[15 * 25];
    for (int i = 0; i < 20 * 10; i++)
        a[i] = 0x80400000u + (uint32_t)i; /* translucent red-ish, premultiplied */
    for (int i = 0; i < 15 * 25; i++)
        b[i] = i % 3 ? 0xff00ff00u : 0x40004000u;
    struct compose_layer layers[] = {
        {{5, 5, 20, 10}, a, 20, 0, false},
        {{-5, 8, 15, 25}, b, 15, 0, false},         /* partly off the left edge */
        {{30, 0, 20, 4}, 0, 0, 0x80808080u, false}, /* a translucent solid, off the right */
        {{0, 28, 40, 2}, 0, 0, 0xff123456u, true},
    };
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            uint32_t p = COMPOSE_BACKGROUND;
            for (unsigned l = 0; l < 4; l++) {
                struct compose_rect r = layers[l].at;
                if (x < r.x || x >= r.x + r.width || y < r.y || y >= r.y + r.height)
                    continue;
                uint32_t s = layers[l].pixels
                                 ? layers[l].pixels[(y - r.y) * (int)layers[l].stride + x - r.x]
                                 : layers[l].colour;
                p = layers[l].opaque ? s : blend_over_pixel(p, s);
            }
            want[y * W + x] = p;
        }
    memset(screen, 0, sizeof screen);
    /* composed in two halves, as two damage rectangles would be */
    compose_region(screen, W, (struct compose_rect){0, 0, W, 13}, COMPOSE_BACKGROUND, layers, 4,
                   blend_over_scalar);
    compose_region(screen, W, (struct compose_rect){0, 13, W, H - 13}, COMPOSE_BACKGROUND, layers,
                   4, blend_over_sse2);
    assert_memory_equal(screen, want, sizeof want);
}

static void test_decorations(void **state)
{
    (void)state;
    static uint32_t bar[100 * GFX_TITLE_HEIGHT], pointer[GFX_POINTER_W * GFX_POINTER_H];
    compose_title_bar(bar, 100, true);
    assert_int_equal(bar[0], COMPOSE_TITLE_FOCUSED);
    struct compose_rect c = compose_close_button(100);
    assert_int_equal(c.x + c.width + 3, 100);
    assert_int_equal(bar[c.y * 100 + c.x], COMPOSE_CLOSE);
    assert_int_equal(bar[(c.y - 1) * 100 + c.x], COMPOSE_TITLE_FOCUSED);
    compose_title_bar(bar, 100, false);
    assert_int_equal(bar[99], COMPOSE_TITLE);
    compose_pointer_pixels(pointer);
    assert_int_equal(pointer[0], 0xff000000u); /* the hot spot is black */
    assert_int_equal(pointer[GFX_POINTER_W * 2 + 1], 0xffffffffu);
    assert_int_equal(pointer[GFX_POINTER_W - 1], 0); /* transparent */
    for (int y = 0; y < GFX_POINTER_H; y++)
        assert_int_equal(strlen(compose_pointer_rows[y]), GFX_POINTER_W);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rects),       cmocka_unit_test(test_damage_merge),
        cmocka_unit_test(test_damage_full), cmocka_unit_test(test_compose_reference),
        cmocka_unit_test(test_decorations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
