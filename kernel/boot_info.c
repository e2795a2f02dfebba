/*
 * The hand-over to the root task: capabilities for all memory and the boot
 * info page that describes them (lib/missive/abi.h, struct boot_info).
 */
#include "boot_info.h"

#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu_local.h"
#include "arch/x86_64/vm.h"
#include "log.h"
#include "missive/abi.h"
#include "object.h"
#include "sched.h"
#include "string.h"

_Static_assert(sizeof(struct boot_info) <= PAGE_SIZE, "the boot info fits a page");

struct handover {
    struct cspace *cs;
    uint64_t next_slot, slots;
    struct boot_info *bi;
};

/* Puts cap in the next free slot; false if the CSpace is full. */
static bool give(struct handover *h, const struct cap *cap)
{
    if (h->next_slot >= h->slots)
        return false;
    cte_insert(cspace_slot(h->cs, h->next_slot++), cap, 0);
    return true;
}

/* Carves every range of set into aligned power-of-two Untyped blocks. */
static void give_untyped(struct handover *h, struct bootmem *set, bool device)
{
    uint64_t base;
    unsigned bits;
    while (h->bi->untyped_count < BOOT_INFO_MAX_UNTYPED &&
           bootmem_take_block(set, UNTYPED_MAX_BITS, &base, &bits)) {
        struct cap cap = object_new(CAP_UNTYPED, (void *)base, bits, device);
        if (!give(h, &cap))
            break;
        struct boot_info_untyped *u = &h->bi->untyped[h->bi->untyped_count++];
        u->phys = base;
        u->size_bits = (unsigned char)bits;
        u->device = device;
    }
    if (bootmem_free_bytes(set))
        log_warn("boot: %lu KiB of %s memory not handed over (no room for more Untyped)\n",
                 bootmem_free_bytes(set) / 1024, device ? "device" : "RAM");
}

/* The physical ranges below 4 GiB that are neither RAM (nor bad or unknown) nor the
   kernel's own devices (APICs) nor the framebuffer: device memory. Firmware
   memory (reserved, ACPI reclaimable, ACPI NVS) is included: the ACPI tables
   live there, and procsrv grants the acpi server read-only frames of them. */
static void find_device_memory(struct bootmem *dev, const struct mb2_info *info)
{
    bootmem_init(dev);
    bootmem_add(dev, 1ul << 20, (4ul << 30) - (1ul << 20));
    for (size_t i = 0; i < info->mmap_count; i++) {
        struct mb2_mmap_entry e;
        mb2_mmap_get(info, i, &e);
        if (e.type < MB2_MEM_RESERVED || e.type > MB2_MEM_NVS)
            bootmem_reserve(dev, e.base, e.length);
    }
    bootmem_reserve(dev, apic_io_base(), PAGE_SIZE);
    bootmem_reserve(dev, apic_local_base(), PAGE_SIZE);
    if (info->has_framebuffer)
        bootmem_reserve(dev, info->framebuffer.addr,
                        (uint64_t)info->framebuffer.pitch * info->framebuffer.height);
}

int boot_info_give(struct bootmem *bm, struct cspace *cs, uint64_t root,
                   const struct mb2_info *info, const struct initrd *initrd)
{
    uint64_t page = vm_zeroed_frame(bm);
    if (!page)
        return -1;
    vm_map_user_page(bm, root, USER_BOOT_INFO, page, false, false);
    struct handover h = {cs, ROOT_SLOT_FIRST_FREE, 1ull << cs->slot_bits, phys_to_virt(page)};
    struct boot_info *bi = h.bi;
    bi->magic = BOOT_INFO_MAGIC;
    bi->cpu_count = cpu_count;
    bi->tick_hz = sched_hz;
    struct cap cap = object_new(CAP_FRAME, (void *)page, FRAME_SMALL_BITS, false);
    cap.rights = CAP_RIGHT_READ;
    cte_insert(cspace_slot(cs, ROOT_SLOT_BOOT_INFO), &cap, 0);

    /* The initrd: its frames, read-only, and a read-only mapping of them. */
    bi->initrd_first = h.next_slot;
    if (initrd->data) {
        uint64_t start = virt_to_phys(initrd->data);
        for (uint64_t off = 0; off < initrd->size; off += PAGE_SIZE) {
            cap = object_new(CAP_FRAME, (void *)(start + off), FRAME_SMALL_BITS, false);
            cap.rights = CAP_RIGHT_READ;
            vm_map_user_page(bm, root, USER_INITRD + off, start + off, false, false);
            if (!give(&h, &cap))
                break;
            bi->initrd_count++;
        }
        bi->initrd_size = initrd->size;
    }
    for (size_t i = 0; i < info->mmap_count && i < BOOT_INFO_MAX_MEMORY; i++) {
        struct mb2_mmap_entry e;
        mb2_mmap_get(info, i, &e);
        bi->memory[i].base = e.base;
        bi->memory[i].length = e.length;
        bi->memory[i].type = e.type;
        bi->memory_count = i + 1;
    }
    if (info->rsdp) {
        bi->rsdp_size = info->rsdp_size < sizeof bi->rsdp ? (unsigned)info->rsdp_size
                                                          : (unsigned)sizeof bi->rsdp;
        memcpy(bi->rsdp, info->rsdp, bi->rsdp_size);
    }

    /* Everything else: the boot allocator's last act. */
    struct bootmem device;
    find_device_memory(&device, info);
    bi->untyped_first = h.next_slot;
    give_untyped(&h, bm, false);
    uint64_t ram_untyped = bi->untyped_count;
    give_untyped(&h, &device, true);

    bi->framebuffer_first = h.next_slot;
    if (info->has_framebuffer && info->framebuffer.type == 1) {
        const struct mb2_framebuffer *fb = &info->framebuffer;
        uint64_t bytes = (uint64_t)fb->pitch * fb->height;
        for (uint64_t off = 0; off < bytes; off += PAGE_SIZE) {
            cap = object_new(CAP_FRAME, (void *)((fb->addr & ~(PAGE_SIZE - 1)) + off),
                             FRAME_SMALL_BITS, true);
            if (!give(&h, &cap))
                break;
            bi->framebuffer_count++;
        }
        bi->framebuffer_addr = fb->addr;
        bi->framebuffer_width = fb->width;
        bi->framebuffer_height = fb->height;
        bi->framebuffer_pitch = fb->pitch;
        bi->framebuffer_bpp = fb->bpp;
        bi->framebuffer_type = fb->type;
    }
    kprintf("root task: %lu initrd frames, %lu Untyped (%lu device), %lu framebuffer frames, "
            "slots %u-%lu\n",
            bi->initrd_count, bi->untyped_count, bi->untyped_count - ram_untyped,
            bi->framebuffer_count, ROOT_SLOT_FIRST_FREE, h.next_slot - 1);
    return 0;
}
