/*
 * VSpace, PageTable and Frame invocations; see vspace.h. Every argument is checked before the page
 * tables change; user mappings never touch the kernel half, which every VSpace shares.
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
/* The rights a mapping has; the others say nothing about it. */
#define MAPPING_RIGHTS (CAP_RIGHT_READ | CAP_RIGHT_WRITE | CAP_RIGHT_EXEC)

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
    do
        vs->id = next_id++;
    while (!vs->id || vspace_table[vs->id % VSPACE_SLOTS]); /* never 0, nor a live VSpace's slot */
    vspace_table[vs->id % VSPACE_SLOTS] = vs;
    vspaces_live++;
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

/* After changing vs's tables: the TLB only caches the space that is loaded, here and on every CPU
   that has it loaded, which flush before this returns (the TLB shootdown). */
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
        table = e & PTE_ADDRESS;
    }
    return (uint64_t *)phys_to_virt(table) + ((vaddr >> (12 + 9 * level)) & 511);
}

/* Clears the entry a Frame or PageTable capability mapped, if it still
   holds that physical address (a later mapping may have replaced it). */
static void unmap(const struct cap *cap)
{
    struct vspace *vs = lookup(cap->mapping.vspace_id);
    if (!vs)
        return;
    int level = cap->type == CAP_PAGE_TABLE     ? cap->mapping.level + 1
                : cap->size == FRAME_LARGE_BITS ? 1
                                                : 0;
    uint64_t *e = entry_at(vs, cap->mapping.vaddr, level);
    if (e && (*e & PTE_PRESENT) && (*e & PTE_ADDRESS) == (cap->object & PTE_ADDRESS)) {
        *e = 0;
        flush(vs, cap->mapping.vaddr, cap->type == CAP_PAGE_TABLE);
    }
    if (cap->type == CAP_PAGE_TABLE) /* what was mapped through it is gone with it */
        memset(phys_to_virt(cap->object), 0, PAGE_SIZE);
}

void vspace_cap_deleted(const struct cap *cap)
{
    thread_buffer_epoch += cap->type == CAP_FRAME || cap->type == CAP_VSPACE; /* thread.h */
    if ((cap->type == CAP_FRAME || cap->type == CAP_PAGE_TABLE) && cap->mapping.vspace_id)
        unmap(cap);
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

/* VSPACE_MAP_TABLE: MR0 the table, MR1 an address it is to cover; it becomes the first level
   missing there. VSPACE_MAP_FRAME: MR0 the frame, MR1 the address, MR2 rights no wider than
   its capability's. */
long vspace_decode(struct invocation *inv, struct vspace_op *out)
{
    long error;
    bool table = inv->label == VSPACE_MAP_TABLE;
    if (!table && inv->label != VSPACE_MAP_FRAME)
        return ERR_INVALID_LABEL;
    /* MAP_TABLE's arguments are MAP_FRAME's first two. */
    struct cte *slot = invoke_lookup(inv->cspace, inv->mr[VSPACE_MAP_FRAME_ARG_FRAME], &error);
    uint64_t vaddr = inv->mr[VSPACE_MAP_FRAME_ARG_ADDRESS];
    uint64_t rights = inv->mr[VSPACE_MAP_FRAME_ARG_RIGHTS];
    *out = (struct vspace_op){slot, (struct vspace *)inv->slot->cap.object, 0, vaddr, rights, 0};
    if (!slot)
        return error;
    if (slot->cap.type != (table ? CAP_PAGE_TABLE : CAP_FRAME))
        return ERR_WRONG_TYPE;
    uint64_t size = table ? 1 : 1ull << slot->cap.size;
    if (vaddr & (size - 1) || vaddr >= USER_END || USER_END - vaddr < size)
        return invoke_bad_argument(inv, VSPACE_MAP_FRAME_ARG_ADDRESS, 0, USER_END - size);
    if (!table && (rights > CAP_RIGHTS_ALL || !(rights & CAP_RIGHT_READ)))
        return invoke_bad_argument(inv, VSPACE_MAP_FRAME_ARG_RIGHTS, CAP_RIGHT_READ,
                                   CAP_RIGHTS_ALL);
    if (!table && (rights & ~(uint64_t)slot->cap.rights & MAPPING_RIGHTS))
        return ERR_MISSING_RIGHT;
    if (lookup(slot->cap.mapping.vspace_id)) /* mapped (in a VSpace that still exists) */
        return ERR_ALREADY_MAPPED;
    if (!table) {
        out->entry = entry_at(out->vs, vaddr, slot->cap.size == FRAME_LARGE_BITS ? 1 : 0);
        if (!out->entry)
            return ERR_MISSING_TABLE;
        return *out->entry & PTE_PRESENT ? ERR_ALREADY_MAPPED : ERR_OK;
    }
    uint64_t *e;
    out->level = 2; /* the level of the table vaddr lacks: 2 PDPT, 1 PD, 0 PT */
    while (out->level >= 0 && (e = entry_at(out->vs, vaddr, out->level + 1)) &&
           (*e & PTE_PRESENT)) {
        if (*e & PTE_HUGE)
            return ERR_ALREADY_MAPPED; /* a 2 MiB frame covers it */
        out->level--;
    }
    out->entry = out->level < 0 ? 0 : entry_at(out->vs, vaddr, out->level + 1);
    out->vaddr = vaddr & ~((1ull << (12 + 9 * (out->level + 1))) - 1);
    return out->entry ? ERR_OK : ERR_ALREADY_MAPPED;
}

long vspace_invoke(struct invocation *inv)
{
    struct vspace_op a;
    long error = vspace_decode(inv, &a);
    if (error)
        return error;
    struct cap *cap = &a.cap->cap;
    if (cap->type == CAP_PAGE_TABLE) {
        /* A table keeps its entries when unlinked from a VSpace that died: start it empty, so no
           mapping a frame capability no longer tracks revives. */
        memset(phys_to_virt(cap->object), 0, PAGE_SIZE);
        *a.entry = (cap->object & PTE_ADDRESS) | PTE_PRESENT | PTE_WRITABLE | PTE_USER;
        invoke_reply(inv, VSPACE_MAP_TABLE_ANSWER_LEVEL, (uint64_t)a.level);
    } else {
        *a.entry = (cap->object & PTE_ADDRESS) | frame_flags(cap, a.rights);
    }
    cap->mapping = (struct cap_mapping){a.vaddr, a.vs->id, (uint8_t)a.level, (uint8_t)a.rights};
    return ERR_OK;
}

/* FRAME_PROTECT: MR0 the new rights, no wider than the capability's, for the mapping it made.
   FRAME_UNMAP, FRAME_PHYSICAL_ADDRESS (with the PHYS right): no arguments. */
long frame_decode(struct invocation *inv, struct vspace_op *out)
{
    struct cap *cap = &inv->slot->cap;
    uint64_t rights = inv->mr[FRAME_PROTECT_ARG_RIGHTS];
    *out = (struct vspace_op){inv->slot, lookup(cap->mapping.vspace_id), 0, 0, rights, 0};
    switch (inv->label) {
    case FRAME_UNMAP:
        return ERR_OK;
    case FRAME_PROTECT:
        if (rights > CAP_RIGHTS_ALL || !(rights & CAP_RIGHT_READ))
            return invoke_bad_argument(inv, FRAME_PROTECT_ARG_RIGHTS, CAP_RIGHT_READ,
                                       CAP_RIGHTS_ALL);
        if (rights & ~(uint64_t)cap->rights & MAPPING_RIGHTS)
            return ERR_MISSING_RIGHT;
        if (!out->vs)
            return ERR_NOT_MAPPED;
        out->entry = entry_at(out->vs, cap->mapping.vaddr, cap->size == FRAME_LARGE_BITS ? 1 : 0);
        if (!out->entry || (*out->entry & PTE_ADDRESS) != (cap->object & PTE_ADDRESS))
            return ERR_NOT_MAPPED;
        return ERR_OK;
    case FRAME_PHYSICAL_ADDRESS:
        return cap->rights & CAP_RIGHT_PHYS ? ERR_OK : ERR_MISSING_RIGHT;
    default:
        return ERR_INVALID_LABEL;
    }
}

/* Unmaps what cap mapped, if anything; FRAME_UNMAP and PAGE_TABLE_UNMAP. */
static void unmap_cap(struct cap *cap)
{
    unmap(cap); /* nothing if it maps nothing: lookup(0) finds no VSpace */
    cap->mapping = (struct cap_mapping){0};
}

long frame_invoke(struct invocation *inv)
{
    struct vspace_op a;
    long error = frame_decode(inv, &a);
    if (error)
        return error;
    struct cap *cap = &inv->slot->cap;
    if (inv->label == FRAME_PHYSICAL_ADDRESS) { /* changes no mapping: no epoch */
        invoke_reply(inv, FRAME_PHYSICAL_ADDRESS_ANSWER_ADDRESS, cap->object);
        return ERR_OK;
    }
    thread_buffer_epoch++; /* unmapped or protected: thread.h */
    if (inv->label == FRAME_UNMAP) {
        unmap_cap(cap);
    } else {
        *a.entry = (cap->object & PTE_ADDRESS) | frame_flags(cap, a.rights);
        cap->mapping.rights = (uint8_t)a.rights;
        flush(a.vs, cap->mapping.vaddr, false);
    }
    return ERR_OK;
}

long page_table_invoke(struct invocation *inv)
{
    if (inv->label != PAGE_TABLE_UNMAP) /* the whole decoding: no arguments */
        return ERR_INVALID_LABEL;
    unmap_cap(&inv->slot->cap);
    return ERR_OK;
}
