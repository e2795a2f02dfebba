/*
 * Creating the root task, the one user process the kernel starts itself. Its ELF image is untrusted
 * input like any file: lib/elf validates every header and segment before a byte is mapped.
 */
#include "root_task.h"

#include "boot_info.h"

#include "arch/x86_64/vm.h"
#include "cpio/cpio.h"
#include "elf/elf.h"
#include "initstack/initstack.h"
#include "log.h"
#include "missive/abi.h"
#include "object.h"
#include "sched.h"
#include "string.h"
#include "thread.h"
#include "vspace.h"

/* A zeroed frame from bm, or 0 (logged) when memory ran out. */
static uint64_t zeroed_frame(struct bootmem *bm)
{
    uint64_t frame = vm_zeroed_frame(bm);
    if (!frame)
        log_error("root task: out of boot memory\n");
    return frame;
}

/* Maps one PT_LOAD segment page by page, copying its file bytes into fresh
   frames; the rest of each page stays zero (bss). */
static int load_segment(struct bootmem *bm, uint64_t root, const uint8_t *file,
                        const struct elf_segment *seg)
{
    uint64_t first = seg->vaddr & ~(PAGE_SIZE - 1);
    uint64_t end = (seg->vaddr + seg->memsz + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    for (uint64_t page = first; page < end; page += PAGE_SIZE) {
        uint64_t frame = zeroed_frame(bm);
        if (!frame)
            return -1;
        /* The part of [vaddr, vaddr + filesz) that falls in this page. */
        uint64_t from = page > seg->vaddr ? page : seg->vaddr;
        uint64_t to = page + PAGE_SIZE < seg->vaddr + seg->filesz ? page + PAGE_SIZE
                                                                  : seg->vaddr + seg->filesz;
        if (from < to)
            memcpy((uint8_t *)phys_to_virt(frame) + (from - page),
                   file + seg->offset + (from - seg->vaddr), to - from);
        vm_map_user_page(bm, root, page, frame, seg->flags & ELF_SEG_W, seg->flags & ELF_SEG_X);
    }
    return 0;
}

/* Maps the stack and lays out argc, argv (path, then the words of args) and
   an empty envp on it as crt0 expects (lib/initstack, docs/abi.md). Returns
   the initial stack pointer (16-byte aligned), or 0. */
static uint64_t build_stack(struct bootmem *bm, uint64_t root, const char *path, const char *args)
{
    uint64_t top_frame = 0;
    for (uint64_t page = USER_STACK_TOP - USER_STACK_SIZE; page < USER_STACK_TOP;
         page += PAGE_SIZE) {
        uint64_t frame = zeroed_frame(bm);
        if (!frame)
            return 0;
        vm_map_user_page(bm, root, page, frame, true, false);
        top_frame = frame;
    }
    static struct initstack stack; /* once, at boot: kept off the kernel stack */
    initstack_init(&stack, phys_to_virt(top_frame), USER_STACK_TOP - PAGE_SIZE);
    initstack_add(&stack, path, strlen(path), false);
    for (const char *p = args; *p;) {
        while (*p == ' ' || *p == '\t')
            p++;
        const char *word = p;
        while (*p && *p != ' ' && *p != '\t')
            p++;
        if (p == word)
            break;
        if (!initstack_add(&stack, word, (size_t)(p - word), false)) {
            log_warn("root task: arguments beyond '%.*s' dropped (at most %d, in one page)\n",
                     (int)(p - word), word, INITSTACK_MAX_STRINGS);
            break;
        }
    }
    return initstack_finish(&stack);
}

int root_task_create(struct bootmem *bm, const struct mb2_info *info, const struct initrd *initrd,
                     const char *path, const char *args)
{
    struct cpio_entry entry;
    if (!initrd->data || cpio_find(initrd->data, initrd->size, path, &entry) != CPIO_OK) {
        log_error("root task: no %s in the initrd; nothing to run\n", path);
        return -1;
    }
    struct elf_limits limits = {USER_BASE, USER_END};
    struct elf_image image;
    int status = elf_parse(entry.data, entry.size, &limits, &image);
    if (status != ELF_OK) {
        log_error("root task: %s is not a valid program: %s (program header %d)\n", path,
                  elf_strerror(status), image.error_index);
        return -1;
    }

    uint64_t root = vm_new_address_space(bm);
    for (size_t i = 0; i < image.segment_count; i++)
        if (load_segment(bm, root, entry.data, &image.segments[i]) < 0)
            return -1;
    uint64_t sp = build_stack(bm, root, path, args);
    uint64_t thread_frame = zeroed_frame(bm);
    uint64_t vspace_frame = zeroed_frame(bm);
    uint64_t cspace_bytes = 1ull << (ROOT_CSPACE_BITS + CTE_BITS);
    uint64_t cspace_phys = bootmem_alloc_contiguous(bm, cspace_bytes, 4ull << 30);
    if (!sp || !thread_frame || !vspace_frame || cspace_phys == BOOTMEM_NONE) {
        log_error("root task: out of boot memory\n");
        return -1;
    }
    memset(phys_to_virt(cspace_phys), 0, cspace_bytes);

    /* The root task's objects, and the first capabilities to them: roots of
       the derivation tree, like the Untyped made below. */
    struct cspace *cs = phys_to_virt(cspace_phys);
    struct vspace *vs = phys_to_virt(vspace_frame);
    struct thread *t = phys_to_virt(thread_frame);
    struct cap cap = object_new(CAP_CSPACE, cs, ROOT_CSPACE_BITS + CTE_BITS, false);
    cte_insert(cspace_slot(cs, ROOT_SLOT_CSPACE), &cap, 0);
    vspace_register(vs, root);
    cap = (struct cap){.type = CAP_VSPACE, .rights = CAP_RIGHTS_ALL, .object = (uint64_t)vs};
    cte_insert(cspace_slot(cs, ROOT_SLOT_VSPACE), &cap, 0);
    cap = object_new(CAP_THREAD, t, THREAD_BITS, false);
    cte_insert(cspace_slot(cs, ROOT_SLOT_THREAD), &cap, 0);
    cap = (struct cap){.type = CAP_DEBUG, .rights = CAP_RIGHTS_ALL};
    cte_insert(cspace_slot(cs, ROOT_SLOT_DEBUG), &cap, 0);
    uint64_t buffer = zeroed_frame(bm);
    if (!buffer)
        return -1;
    vm_map_user_page(bm, root, USER_IPC_BUFFER, buffer, true, false);
    cap = object_new(CAP_FRAME, (void *)buffer, FRAME_SMALL_BITS, false);
    cap.rights &= (uint8_t)~CAP_RIGHT_PHYS;
    /* Mapped by the kernel; recorded as VSPACE_MAP_FRAME would (thread_receive_buffer). */
    cap.mapping =
        (struct cap_mapping){USER_IPC_BUFFER, vs->id, 0, CAP_RIGHT_READ | CAP_RIGHT_WRITE};
    cte_insert(cspace_slot(cs, ROOT_SLOT_IPC_BUFFER), &cap, 0);
    cte_derive(&t->ipc_buffer_cap, cspace_slot(cs, ROOT_SLOT_IPC_BUFFER), CAP_RIGHTS_ALL, 0);
    cap = (struct cap){.type = CAP_IRQ_CONTROL, .rights = CAP_RIGHTS_ALL};
    cte_insert(cspace_slot(cs, ROOT_SLOT_IRQ_CONTROL), &cap, 0);
    cap = (struct cap){.type = CAP_IO_PORT_CONTROL, .rights = CAP_RIGHTS_ALL};
    cte_insert(cspace_slot(cs, ROOT_SLOT_IO_PORT_CONTROL), &cap, 0);

    cte_derive(&t->cspace_cap, cspace_slot(cs, ROOT_SLOT_CSPACE), CAP_RIGHTS_ALL, 0);
    cte_derive(&t->vspace_cap, cspace_slot(cs, ROOT_SLOT_VSPACE), CAP_RIGHTS_ALL, 0);
    const char *base = path;
    for (const char *p = path; *p; p++)
        if (*p == '/')
            base = p + 1;
    memset(t->name, 0, sizeof t->name);
    for (size_t i = 0; i + 1 < sizeof t->name && base[i]; i++)
        t->name[i] = base[i];
    t->priority = PRIORITY_COUNT - 1;
    t->context.rip = image.entry;
    t->context.rsp = sp;
    thread_set_state(t, THREAD_RUNNABLE);
    kprintf("root task: %s, %zu bytes, entry 0x%lx, %zu segments\n", path, entry.size, image.entry,
            image.segment_count);

    if (boot_info_give(bm, cs, root, info, initrd) < 0)
        return -1;
    return 0;
}
