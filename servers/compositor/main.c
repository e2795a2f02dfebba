/*
 * The compositor (docs/graphics.md): finds the framebuffer procsrv granted it (manifest option
 * framebuffer), paints the desktop, and serves its protocol (lib/proto/gfx.h) and the i8042
 * driver's input (lib/proto/input.h) on its endpoint.
 */
#include <stdio.h>
#include <stdlib.h>

#include "compositor.h"

struct compositor comp;

static const char *const blend_names[] = {"scalar C", "SSE2", "AVX2"};

/* The framebuffer's grants; false if there are none. */
static bool find_framebuffer(const struct proc_info *info)
{
    for (unsigned i = 0; i + 1 < info->grant_count && i + 1 < PROC_MAX_GRANTS; i++) {
        const struct proc_grant *g = &info->grants[i], *mode = &info->grants[i + 1];
        if (g->kind != PROC_GRANT_FRAMEBUFFER || mode->kind != PROC_GRANT_FRAMEBUFFER_MODE)
            continue;
        comp.framebuffer = (uint32_t *)(g->arg2 + g->arg % PAGE_SIZE);
        comp.width = (int)GFX_LOW(mode->arg);
        comp.height = (int)GFX_HIGH(mode->arg);
        comp.pitch = GFX_LOW(mode->arg2);
        return GFX_HIGH(mode->arg2) == 32 && comp.width > 0 && comp.height > 0;
    }
    return false;
}

/* Reads the titles' font from the initrd (etc/font.psf); without it titles have no text. */
static void load_font(void)
{
    static const char path[] = "etc/font.psf";
    size_t size = 0, capacity = 0;
    uint8_t *data = 0;
    for (;;) {
        if (size + PROC_FILE_CHUNK > capacity) {
            capacity = capacity ? capacity * 2 : 64 * 1024;
            uint8_t *bigger = realloc(data, capacity);
            if (!bigger)
                break;
            data = bigger;
        }
        size_t got = 0;
        if (!result_is_ok(proc_file_read(path, size, data + size, PROC_FILE_CHUNK, &got)) ||
            got == 0)
            break;
        size += got;
    }
    enum psf_error e = size ? psf_parse(&comp.font, data, size) : PSF_TOO_SHORT;
    if (e != PSF_OK) {
        printf("compositor: %s: %s; titles without text\n", path, psf_error_name(e));
        comp.font.glyph_count = 0;
    }
}

/* The compositor goes on whatever a receive says: clients must not be able to stop it. */
static bool keep_serving(struct server *s, long error)
{
    (void)s, (void)error;
    return true;
}

int main(void)
{
    const struct proc_info *info = libsys_proc_info();
    if (!info || !find_framebuffer(info)) {
        printf("compositor: error: no 32-bpp framebuffer granted (manifest option "
               "framebuffer, the graphics boot entry)\n");
        return 1;
    }
    comp.back = malloc((size_t)comp.width * (size_t)comp.height * 4);
    if (!comp.back) {
        printf("compositor: error: no memory for a %dx%d back buffer\n", comp.width, comp.height);
        return 1;
    }
    load_font();
    comp.blend = blend_best(&comp.blend_kind);
    comp.instance = info->pid;
    comp.pointer_x = comp.width / 2;
    comp.pointer_y = comp.height / 2;
    compose_pointer_pixels(comp.pointer_pixels);
    screen_damage((struct compose_rect){0, 0, comp.width, comp.height});
    screen_update();
    printf("compositor: %dx%d framebuffer, blending with %s\n", comp.width, comp.height,
           blend_names[comp.blend_kind]);
    static struct server server = {
        .name = "compositor",
        .endpoint = PROC_SLOT_SERVICE,
        .cspace = PROC_SLOT_CSPACE,
        .find_client = clients_find,
        .receive_failed = keep_serving,
        .slot_alloc = libsys_get_slot,
        .slot_free = libsys_put_slot,
    };
    server.ops = requests_table;
    server.op_count = requests_count;
    server_run(&server);
}
