/*
 * Finding and listing the initrd. The archive is untrusted input: the cpio reader (lib/cpio) bounds
 * every read, and a bad archive only costs the files after the damage, never the boot.
 */
#include "initrd.h"

#include "arch/x86_64/vm.h"
#include "cpio/cpio.h"
#include "log.h"
#include "string.h"

static const struct mb2_module *pick_module(const struct mb2_info *info)
{
    for (size_t i = 0; i < info->module_count; i++)
        if (info->modules[i].cmdline && strcmp(info->modules[i].cmdline, "initrd") == 0)
            return &info->modules[i];
    return info->module_count ? &info->modules[0] : 0;
}

void initrd_init(const struct mb2_info *info, struct initrd *out)
{
    *out = (struct initrd){0};
    for (size_t i = 0; i < info->module_count; i++)
        log_info("module %zu: 0x%08x-0x%08x (%u bytes) '%s'\n", i, info->modules[i].start,
                 info->modules[i].end, info->modules[i].end - info->modules[i].start,
                 info->modules[i].cmdline);
    if (info->modules_dropped)
        log_warn("boot: %zu boot modules beyond the first %d ignored\n", info->modules_dropped,
                 MB2_MAX_MODULES);

    const struct mb2_module *module = pick_module(info);
    if (!module) {
        log_warn("initrd: no boot module: GRUB loaded no initrd.cpio; continuing without one\n");
        return;
    }
    const void *data = phys_to_virt(module->start);
    size_t size = module->end - module->start;
    kprintf("initrd: %zu bytes at 0x%x\n", size, module->start);

    struct cpio_reader reader;
    struct cpio_entry entry;
    size_t files = 0, bytes = 0;
    int status;
    cpio_reader_init(&reader, data, size);
    while ((status = cpio_next(&reader, &entry)) == CPIO_OK) {
        int dir = (entry.mode & CPIO_S_IFMT) == CPIO_S_IFDIR;
        kprintf("  %10zu  %s%s\n", entry.size, entry.name, dir ? "/" : "");
        if ((entry.mode & CPIO_S_IFMT) == CPIO_S_IFREG) {
            files++;
            bytes += entry.size;
        }
    }
    if (status != CPIO_END) {
        log_error("initrd: malformed archive: %s at offset %zu; the initrd is not used\n",
                  cpio_strerror(status), reader.pos);
        return;
    }
    kprintf("initrd: %zu files, %zu bytes\n", files, bytes);
    out->data = data;
    out->size = size;
}
