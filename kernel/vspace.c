/*
 * VSpace, PageTable and Frame invocations; see vspace.h. Every argument is
 * checked before the page tables change; user mappings never touch the
 * kernel half, which every VSpace shares.
 */
#include "vspace.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/cpu_local.h"
#include "arch/x86_64/vm.h"
#include "invoke.h"
#include "missive/abi.h"
#include "object.h"
#include "smp.h"
#include "string.h"
#include "thread.h"

#define VSPACE_SLOTS 4096
#define ADDR_MASK    0x000ffffffffff000ull

static struct vspace *vspace_table[VSPACE_SLOTS];
static uint32_t next_id = 1;
static uint64_t vspaces_live;

static struct vspace *lookup(uint64_t id)
{
    struct vspace *vs = id ? vspace_table[id % VSPACE_SLOTS] : 0;
    return vs && vs->id == id ? vs : 0;
}

uint64_t vspace_ids_free(void)
{
    return VSPACE_SLOTS - vspaces_live;
}

void vspace_register(struct vspace *vs, uint64_t root)
{
    vs->header.type = CAP_VSPACE;
    vs->root = root;
    for (;;) {
        uint32_t id = next_id++;
        if (id && !vspace_table[id % VSPACE_SLOTS]) {
            vs->id = id;
            vspace_table[id % VSPACE_SLOTS] = vs;
            vspaces_live++;
            return;
        }
    }
}

struct vspace *vspace_create(void *mem)
{
    struct vspace *vs = (struct vspace *)((char *)mem + PAGE_SIZE);
    vm_share_kernel_half(mem);
    vspace_register(vs, virt_to_phys(mem));
    return vs;
}

void vspace_destroy(struct vspace *vs)
{
    if (lookup(vs->id) == vs) {
        vspace_table[vs->id % VSPACE_SLOTS] = 0;
        vspaces_live--;
    }
    /* No thread runs in it (each holds a copy of its capability), but a CPU
       may still have it loaded: idle, or its thread just reconfigured. */
    struct cpu_local *cpu = this_cpu();
    if (cpu->loaded_root == vs->root) {
        cpu->loaded_root = vm_kernel_root();
        write_cr3(cpu->loaded_root);
    }
    smp_shootdown(vs->root, SMP_REQUEST_UNLOAD);
}

/* After changing vs's tables: the TLB only caches the space that is loaded,
   here and on every CPU that has it loaded, which flush before this returns
   (the TLB shootdown). */
static void flush(struct vspace *vs, uint64_t vaddr, bool whole)
{
    if (this_cpu()->loaded_root == vs->root) {
        if (whole)
            write_cr3(vs->root);
        else
            cpu_invlpg(vaddr);
    }
    smp_shootdown(vs->root, SMP_REQUEST_TLB);
}

/* The entry at level for vaddr if the tables above it exist, else NULL. */
static uint64_t *entry_at(struct vspace *vs, uint64_t vaddr, int level)
{
    uint64_t table = vs->root;
    for (int l = 3; l > level; l--) {
        uint64_t e = ((uint64_t *)phys_to_virt(table))[(vaddr >> (12 + 9 * l)) & 511];
        if (!(e & PTE_PRESENT) || (e & PTE_HUGE))
            return 0;
        table = e & ADDR_MASK;
    }
    return (uint64_t *)phys_to_virt(table) + ((vaddr >> (12 + 9 * level)) & 511);
}

/* Clears the entry a Frame or PageTable capability mapped, if it still
   holds that physical address (a later mapping may have replaced it). */
static void unmap(const struct cap *cap)
{
    struct vspace *vs = lookup(cap->mapping);
    if (!vs)
        return;
    int level = cap->type == CAP_PAGE_TABLE     ? (int)(cap->flags >> 8) + 1
                : cap->size == FRAME_LARGE_BITS ? 1
                                                : 0;
    uint64_t *e = entry_at(vs, cap->badge, level);
    if (e && (*e & PTE_PRESENT) && (*e & ADDR_MASK) == (cap->object & ADDR_MASK)) {
        *e = 0;
        flush(vs, cap->badge, cap->type == CAP_PAGE_TABLE);
    }
    if (cap->type == CAP_PAGE_TABLE) /* what was mapped through it is gone with it */
        memset(phys_to_virt(cap->object), 0, PAGE_SIZE);
}

void vspace_cap_deleted(const struct cap *cap)
{
    if ((cap->type == CAP_FRAME || cap->type == CAP_PAGE_TABLE) && cap->mapping)
        unmap(cap);
}

static bool mapped(const struct cap *cap)
{
    return cap->mapping && lookup(cap->mapping);
}

static uint64_t frame_flags(const struct cap *frame, uint64_t rights)
{
    uint64_t flags = PTE_PRESENT | PTE_USER;
    if (rights & CAP_RIGHT_WRITE)
        flags |= PTE_WRITABLE;
    if (!(rights & CAP_RIGHT_EXEC))
        flags |= vm_nx_bit();
    if (frame->flags & CAP_FLAG_DEVICE)
        flags |= PTE_CACHE_DISABLE | PTE_WRITE_THROUGH;
    if (frame->size == FRAME_LARGE_BITS)
        flags |= PTE_HUGE;
    return flags;
}

/* VSPACE_MAP_TABLE: the table becomes the first missing level for vaddr. */
static long map_table(struct invocation *inv, struct vspace *vs)
{
    long error;
    struct cte *slot = invoke_lookup(inv->caller, inv->mr[0], &error);
    uint64_t vaddr = inv->mr[1];
    if (!slot)
        return error;
    if (slot->cap.type != CAP_PAGE_TABLE)
        return ERR_WRONG_TYPE;
    if (vaddr >= USER_END)
        return invoke_bad_argument(inv, 1, 0, USER_END - 1);
    if (mapped(&slot->cap))
        return ERR_ALREADY_MAPPED;
    int level = 2; /* the level of the table vaddr lacks: 2 PDPT, 1 PD, 0 PT */
    uint64_t *e;
    while (level >= 0 && (e = entry_at(vs, vaddr, level + 1)) && (*e & PTE_PRESENT)) {
        if (*e & PTE_HUGE)
            return ERR_ALREADY_MAPPED; /* a 2 MiB frame covers it */
        level--;
    }
    e = level < 0 ? 0 : entry_at(vs, vaddr, level + 1);
    if (!e)
        return ERR_ALREADY_MAPPED;
    /* A table keeps its entries when unlinked from a VSpace that died: start
       it empty, so no mapping a frame capability no longer tracks revives. */
    memset(phys_to_virt(slot->cap.object), 0, PAGE_SIZE);
    *e = (slot->cap.object & ADDR_MASK) | PTE_PRESENT | PTE_WRITABLE | PTE_USER;
    uint64_t span = 1ull << (12 + 9 * (level + 1));
    slot->cap.mapping = vs->id;
    slot->cap.badge = vaddr & ~(span - 1);
    slot->cap.flags = (uint16_t)((slot->cap.flags & 0xff) | (level << 8));
    invoke_reply_mr(inv, 0, (uint64_t)level);
    return ERR_OK;
}

/* VSPACE_MAP_FRAME: a frame at vaddr with rights no wider than its cap's. */
static long map_frame(struct invocation *inv, struct vspace *vs)
{
    long error;
    struct cte *slot = invoke_lookup(inv->caller, inv->mr[0], &error);
    uint64_t vaddr = inv->mr[1], rights = inv->mr[2];
    if (!slot)
        return error;
    if (slot->cap.type != CAP_FRAME)
        return ERR_WRONG_TYPE;
    uint64_t size = 1ull << slot->cap.size;
    if (vaddr & (size - 1) || vaddr >= USER_END || USER_END - vaddr < size)
        return invoke_bad_argument(inv, 1, 0, USER_END - size);
    if (rights > CAP_RIGHTS_ALL || !(rights & CAP_RIGHT_READ))
        return invoke_bad_argument(inv, 2, CAP_RIGHT_READ, CAP_RIGHTS_ALL);
    if (rights & ~(uint64_t)slot->cap.rights & (CAP_RIGHT_READ | CAP_RIGHT_WRITE | CAP_RIGHT_EXEC))
        return ERR_MISSING_RIGHT;
    if (mapped(&slot->cap))
        return ERR_ALREADY_MAPPED;
    uint64_t *e = entry_at(vs, vaddr, slot->cap.size == FRAME_LARGE_BITS ? 1 : 0);
    if (!e)
        return ERR_MISSING_TABLE;
    if (*e & PTE_PRESENT)
        return ERR_ALREADY_MAPPED;
    *e = (slot->cap.object & ADDR_MASK) | frame_flags(&slot->cap, rights);
    slot->cap.mapping = vs->id;
    slot->cap.badge = vaddr;
    return ERR_OK;
}

long vspace_invoke(struct invocation *inv)
{
    struct vspace *vs = (struct vspace *)inv->slot->cap.object;
    switch (inv->label) {
    case VSPACE_MAP_TABLE:
        return map_table(inv, vs);
    case VSPACE_MAP_FRAME:
        return map_frame(inv, vs);
    default:
        return ERR_INVALID_LABEL;
    }
}

long frame_invoke(struct invocation *inv)
{
    struct cap *cap = &inv->slot->cap;
    switch (inv->label) {
    case FRAME_UNMAP:
        if (cap->mapping)
            unmap(cap);
        cap->mapping = 0;
        cap->badge = 0;
        return ERR_OK;
    case FRAME_PROTECT: {
        uint64_t rights = inv->mr[0];
        if (rights > CAP_RIGHTS_ALL || !(rights & CAP_RIGHT_READ))
            return invoke_bad_argument(inv, 0, CAP_RIGHT_READ, CAP_RIGHTS_ALL);
        if (rights & ~(uint64_t)cap->rights & (CAP_RIGHT_READ | CAP_RIGHT_WRITE | CAP_RIGHT_EXEC))
            return ERR_MISSING_RIGHT;
        struct vspace *vs = lookup(cap->mapping);
        if (!vs)
            return ERR_NOT_MAPPED;
        uint64_t *e = entry_at(vs, cap->badge, cap->size == FRAME_LARGE_BITS ? 1 : 0);
        if (!e || (*e & ADDR_MASK) != (cap->object & ADDR_MASK))
            return ERR_NOT_MAPPED;
        *e = (cap->object & ADDR_MASK) | frame_flags(cap, rights);
        flush(vs, cap->badge, false);
        return ERR_OK;
    }
    case FRAME_PHYSICAL_ADDRESS:
        if (!(cap->rights & CAP_RIGHT_PHYS))
            return ERR_MISSING_RIGHT;
        invoke_reply_mr(inv, 0, cap->object);
        return ERR_OK;
    default:
        return ERR_INVALID_LABEL;
    }
}

long page_table_invoke(struct invocation *inv)
{
    struct cap *cap = &inv->slot->cap;
    if (inv->label != PAGE_TABLE_UNMAP)
        return ERR_INVALID_LABEL;
    if (cap->mapping)
        unmap(cap);
    cap->mapping = 0;
    cap->badge = 0;
    return ERR_OK;
}
