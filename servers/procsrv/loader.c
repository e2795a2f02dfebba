/*
 * Building a process from a program in the initrd: its CSpace, VSpace and
 * thread, its image, stack, IPC buffer and info page, the capabilities the
 * manifest grants it, all made from one Untyped so that revoking that
 * Untyped ends every trace of it.
 *
 * Frames are filled through a one-page window in procsrv's own address
 * space and then mapped into the child; the child's frames and page tables
 * move into its own CSpace (from PROC_SLOT_MEMORY on), so procsrv keeps
 * only four slots per process.
 */
#include <stdio.h>
#include <string.h>

#include "build.h"
#include "elf/elf.h"
#include "initstack/initstack.h"
#include "procsrv.h"

#define WINDOW     0x7ffd00000000ul /* procsrv's page for filling frames */
#define PAGE       PAGE_SIZE
#define STACK_BASE (USER_STACK_TOP - PROC_STACK_SIZE)

static uint64_t window_untyped; /* procsrv's own page tables for the window */

void loader_init(uint64_t table_untyped)
{
    window_untyped = table_untyped;
}

bool build_failed(struct build *b, long error, const char *why)
{
    if (b && !b->error) {
        b->error = error;
        b->why = why;
    }
    return false;
}

/* One object of type from the process's Untyped in a new procsrv slot; 0 on failure. */
uint64_t build_make(struct build *b, uint64_t type, uint64_t bits)
{
    uint64_t slot = slot_alloc();
    if (!slot) {
        build_failed(b, -SERVICE_TOO_MANY, "procsrv's CSpace is full");
        return 0;
    }
    if (untyped_retype(b->p->untyped, type, bits, slot, 1) != ERR_OK) {
        slot_free(slot);
        build_failed(b, -SERVICE_NO_MEMORY, "its memory estimate was too small");
        return 0;
    }
    return slot;
}

/* Moves the capability in procsrv's slot into the child's CSpace at dest
   (0: its next own-memory slot) and frees procsrv's slot. */
bool build_give(struct build *b, uint64_t slot, uint64_t dest)
{
    if (!dest) {
        if (b->next_slot >= b->slots)
            return build_failed(b, -SERVICE_NO_MEMORY, "its CSpace is too small");
        dest = b->next_slot++;
    }
    if (cspace_move(b->p->cspace, dest, slot, ROOT_SLOT_CSPACE) != ERR_OK)
        return build_failed(b, -SERVICE_INTERNAL, "a capability would not move");
    slot_free(slot);
    return true;
}

/* Maps frame at address in vspace, adding page tables as they are missing:
   the child's from its Untyped (given to it), the window's from procsrv's. */
bool build_map(struct build *b, uint64_t vspace, uint64_t frame, uint64_t address, uint64_t rights)
{
    for (int level = 0; level < 4; level++) {
        long r = vspace_map_frame(vspace, frame, address, rights);
        if (r == ERR_OK)
            return true;
        if (r != ERR_MISSING_TABLE)
            return build_failed(b, -SERVICE_BAD_PROGRAM, "a page would not map");
        uint64_t table;
        if (b) {
            table = build_make(b, CAP_PAGE_TABLE, 0);
        } else {
            table = slot_alloc();
            if (untyped_retype(window_untyped, CAP_PAGE_TABLE, 0, table, 1))
                table = 0;
        }
        if (!table || vspace_map_table(vspace, table, address, 0) != ERR_OK)
            return b ? build_failed(b, -SERVICE_NO_MEMORY, "no page table") : false;
        if (b && !build_give(b, table, 0))
            return false;
    }
    return false;
}

/* Copies n bytes into frame at offset through the window (frames start zeroed). */
static bool fill(struct build *b, uint64_t frame, uint64_t offset, const void *bytes, size_t n)
{
    if (!build_map(0, ROOT_SLOT_VSPACE, frame, WINDOW, CAP_RIGHT_READ | CAP_RIGHT_WRITE))
        return build_failed(b, -SERVICE_NO_MEMORY, "procsrv's window would not map");
    memcpy((char *)WINDOW + offset, bytes, n);
    frame_unmap(frame);
    return true;
}

/* A new frame at address in the child, holding bytes at offset; given to it. */
uint64_t build_add_page(struct build *b, uint64_t address, uint64_t rights, uint64_t offset,
                        const void *bytes, size_t n, bool keep)
{
    uint64_t frame = build_make(b, CAP_FRAME, FRAME_SMALL_BITS);
    if (!frame || (n && !fill(b, frame, offset, bytes, n)) ||
        !build_map(b, b->p->vspace, frame, address, rights) || (!keep && !build_give(b, frame, 0)))
        return 0;
    return frame;
}

static uint64_t segment_rights(uint32_t flags)
{
    uint64_t rights = CAP_RIGHT_READ;
    if (flags & ELF_SEG_W)
        rights |= CAP_RIGHT_WRITE;
    if (flags & ELF_SEG_X)
        rights |= CAP_RIGHT_EXEC;
    return rights;
}

/* Read-only segments kept for PCI drivers, whose every instance maps the same frames: TCG
   keys its translations by physical address, so a restarted or swapped-in instance of the
   same bytes runs code already translated instead of translating it afresh, which made most of
   a swap's pause (docs/disk-performance.md, "Swap pause"). Only byte-identical segments at the
   same address share (a different build does not: it gets its own frames, as before). The
   frames come from procsrv's reserve, outside every process's Untyped, so no instance's end
   takes them; they are never given back, hence the bound. */
#define SHARED_SEGMENTS 8
#define SHARED_PAGES    96 /* 384 KiB of procsrv's 1 MiB reserve */

static struct shared_segment {
    const uint8_t *bytes; /* the file's bytes it was filled from (the initrd stays) */
    struct elf_segment segment;
    unsigned first; /* its frames: shared_frames[first, first + pages) */
} shared_segments[SHARED_SEGMENTS];
static unsigned shared_count;
static uint64_t shared_frames[SHARED_PAGES]; /* procsrv's slots, never mapped but to fill */
static unsigned shared_frame_count;

/* The kept segment holding bytes for s, or NULL. */
static const struct shared_segment *shared_find(const uint8_t *bytes, const struct elf_segment *s)
{
    for (unsigned i = 0; i < shared_count; i++) {
        const struct shared_segment *k = &shared_segments[i];
        if (k->segment.vaddr == s->vaddr && k->segment.memsz == s->memsz &&
            k->segment.filesz == s->filesz && k->segment.flags == s->flags &&
            (k->bytes == bytes || memcmp(k->bytes, bytes, s->filesz) == 0))
            return k;
    }
    return 0;
}

/* Frames from procsrv's reserve holding read-only segment s of file, kept from now on; NULL
   if there is no room left (the caller loads it the ordinary way). */
static const struct shared_segment *shared_make(struct build *b, const uint8_t *file,
                                                const struct elf_segment *s)
{
    uint64_t first = s->vaddr & ~(PAGE - 1), end = (s->vaddr + s->memsz + PAGE - 1) & ~(PAGE - 1);
    unsigned pages = (unsigned)((end - first) / PAGE);
    if (shared_count == SHARED_SEGMENTS || pages > SHARED_PAGES - shared_frame_count)
        return 0;
    struct shared_segment *k = &shared_segments[shared_count];
    k->bytes = file + s->offset;
    k->segment = *s;
    k->first = shared_frame_count;
    for (uint64_t page = first; page < end; page += PAGE) {
        uint64_t from = page > s->vaddr ? page : s->vaddr;
        uint64_t to = page + PAGE < s->vaddr + s->filesz ? page + PAGE : s->vaddr + s->filesz;
        uint64_t frame = slot_alloc();
        if (!frame || untyped_retype(procsrv_reserve, CAP_FRAME, FRAME_SMALL_BITS, frame, 1)) {
            slot_free(frame);
            break;
        }
        shared_frames[shared_frame_count++] = frame;
        if (to > from && !fill(b, frame, from - page, k->bytes + (from - s->vaddr), to - from))
            break;
    }
    if (shared_frame_count == k->first + pages) {
        shared_count++;
        return k;
    }
    /* Undone (the reserve's memory stays used: it is a bump allocator; rare, and bounded). */
    while (shared_frame_count > k->first)
        slot_release(shared_frames[--shared_frame_count]);
    return 0;
}

/* Maps read-only segment s of file from the kept frames (made at its first load): 1 done,
   0 failed (b says why), -1 not kept (no room: the caller loads it the ordinary way). The
   child gets copies cut to the segment's rights, so it cannot map them writable. */
static int load_shared(struct build *b, const uint8_t *file, const struct elf_segment *s)
{
    const struct shared_segment *k = shared_find(file + s->offset, s);
    if (!k && !(k = shared_make(b, file, s)))
        return b->error ? 0 : -1;
    uint64_t rights = segment_rights(s->flags);
    uint64_t page = s->vaddr & ~(PAGE - 1), end = (s->vaddr + s->memsz + PAGE - 1) & ~(PAGE - 1);
    for (unsigned i = k->first; page < end; page += PAGE, i++) {
        uint64_t copy = slot_alloc();
        if (!copy)
            return build_failed(b, -SERVICE_TOO_MANY, "procsrv's CSpace is full");
        if (cspace_copy(ROOT_SLOT_CSPACE, copy, shared_frames[i], rights, ROOT_SLOT_CSPACE) !=
            ERR_OK) {
            slot_free(copy);
            return build_failed(b, -SERVICE_INTERNAL, "a kept frame would not copy");
        }
        if (!build_map(b, b->p->vspace, copy, page, rights) || !build_give(b, copy, 0)) {
            slot_release(copy); /* unmapped as it goes */
            return 0;
        }
    }
    return 1;
}

static bool load_segment(struct build *b, const uint8_t *file, const struct elf_segment *s)
{
    if (!(s->flags & ELF_SEG_W) && b->p->device.present) {
        int shared = load_shared(b, file, s);
        if (shared >= 0)
            return shared == 1;
    }
    uint64_t first = s->vaddr & ~(PAGE - 1), end = (s->vaddr + s->memsz + PAGE - 1) & ~(PAGE - 1);
    for (uint64_t page = first; page < end; page += PAGE) {
        /* The part of the file's bytes [vaddr, vaddr + filesz) on this page. */
        uint64_t from = page > s->vaddr ? page : s->vaddr;
        uint64_t to = page + PAGE < s->vaddr + s->filesz ? page + PAGE : s->vaddr + s->filesz;
        const void *bytes = file + s->offset + (from - s->vaddr);
        size_t n = to > from ? to - from : 0;
        if (!build_add_page(b, page, segment_rights(s->flags), from - page, bytes, n, false))
            return false;
    }
    return true;
}

/* The program's ELF, checked. */
static bool parse(const struct manifest_entry *entry, struct elf_image *image, const void **file,
                  long *error, const char **why)
{
    uint64_t size;
    if (!files_find(entry->program, file, &size)) {
        *error = -SERVICE_NOT_FOUND;
        *why = "no such program in the initrd";
        return false;
    }
    static const struct elf_limits limits = {USER_BASE, STACK_BASE - PAGE};
    int status = elf_parse(*file, size, &limits, image);
    if (status != ELF_OK) {
        *error = -SERVICE_BAD_PROGRAM;
        *why = elf_strerror(status);
        return false;
    }
    return true;
}

static unsigned bits_for(uint64_t bytes)
{
    unsigned bits = 0;
    while ((1ull << bits) < bytes)
        bits++;
    return bits;
}

/* Pages, tables and CSpace size the program needs. */
static void estimate(const struct manifest_entry *entry, const struct elf_image *image,
                     uint64_t *pages, uint64_t *cspace_bits, uint64_t *bytes)
{
    uint64_t image_pages = 0, span = 0;
    for (size_t i = 0; i < image->segment_count; i++) {
        const struct elf_segment *s = &image->segments[i];
        uint64_t first = s->vaddr & ~(PAGE - 1);
        image_pages += (s->vaddr + s->memsz + PAGE - 1 - first) / PAGE;
        span = s->vaddr + s->memsz - image->segments[0].vaddr;
    }
    uint64_t tables = 7 + span / (2ul << 20);
    *pages = image_pages + PROC_STACK_SIZE / PAGE + 2 + tables;
    if (entry->acpi) /* the frames of the ACPI grant, the RSDP's page, their tables */
        *pages += firmware_acpi_pages() + 1 + 3 + firmware_acpi_pages() / 512;
    /* The framebuffer's frames take slots but no memory; their page tables (one per 2 MiB)
       take both. */
    uint64_t device_frames = entry->framebuffer ? build_framebuffer_pages() : 0;
    *pages += device_frames ? device_frames / 512 + 2 : 0;
    uint64_t bits = entry->cspace_bits;
    while ((1ull << bits) < PROC_SLOT_MEMORY + *pages + device_frames + 64)
        bits++;
    *cspace_bits = bits;
    uint64_t objects = (1ull << (bits + 6)) + 3 * PAGE + (*pages + 1) * PAGE;
    *bytes = objects + objects / 4;
}

struct load_result loader_check(const struct manifest_entry *entry)
{
    struct load_result result = {0, 0, 0};
    if (entry->framebuffer && !build_framebuffer_pages()) {
        result.error = -SERVICE_NOT_FOUND;
        result.why = "there is no 32-bpp framebuffer (the graphics boot entry gives one)";
        return result;
    }
    struct elf_image image;
    const void *file;
    if (!parse(entry, &image, &file, &result.error, &result.why))
        return result;
    uint64_t pages, cspace_bits, bytes;
    estimate(entry, &image, &pages, &cspace_bits, &bytes);
    result.memory_bits = bits_for(bytes) < 16 ? 16 : bits_for(bytes);
    return result;
}

/* Mints procsrv's slot src into the child's dest with the process's badge. */
bool build_mint(struct build *b, uint64_t src, uint64_t dest)
{
    if (cspace_mint(b->p->cspace, dest, src, CAP_RIGHT_SEND | CAP_RIGHT_GRANT, b->p->pid,
                    ROOT_SLOT_CSPACE) != ERR_OK)
        return build_failed(b, -SERVICE_INTERNAL, "an endpoint would not mint");
    return true;
}

/* Copies one of procsrv's own capabilities of the process (its CSpace,
   VSpace, thread) into the child's slot dest. */
static bool copy_own(struct build *b, uint64_t src, uint64_t dest)
{
    if (cspace_copy(b->p->cspace, dest, src, CAP_RIGHTS_ALL, ROOT_SLOT_CSPACE) != ERR_OK)
        return build_failed(b, -SERVICE_INTERNAL, "a capability would not copy");
    return true;
}

/* Building in stages (loader_step): the objects, then each ELF segment, the stack, and the
   rest (endpoints, grants, info page, thread). A swap's instance is built a stage at a time
   while the old one serves (process.c); every other process in one go. */
enum build_stage { STAGE_OBJECTS, STAGE_SEGMENTS, STAGE_STACK, STAGE_REST, STAGE_DONE };

struct build_state {
    struct build b;
    enum build_stage stage;
    struct elf_image image;
    const void *file;
    size_t segment; /* the next to load */
    uint64_t rsp;
    const char *extra;
    uint64_t extra_length;
    uint8_t top[PAGE]; /* the stack's top page, laid out by lib/initstack */
    struct initstack stack;
    struct proc_info info;
};

static bool stage_objects(struct build_state *st)
{
    struct build *b = &st->b;
    struct process *p = b->p;
    if (!parse(&p->entry, &st->image, &st->file, &b->error, &b->why))
        return false;
    uint64_t pages, cspace_bits, bytes;
    estimate(&p->entry, &st->image, &pages, &cspace_bits, &bytes);
    b->slots = 1ull << cspace_bits;
    b->next_slot = PROC_SLOT_MEMORY;
    st->info.cspace_bits = cspace_bits;

    /* The largest objects first: retype aligns each to its size. */
    p->cspace = build_make(b, CAP_CSPACE, cspace_bits);
    p->vspace = p->cspace ? build_make(b, CAP_VSPACE, 0) : 0;
    p->thread = p->vspace ? build_make(b, CAP_THREAD, 0) : 0;
    return p->thread && copy_own(b, p->cspace, PROC_SLOT_CSPACE) &&
           copy_own(b, p->vspace, PROC_SLOT_VSPACE) && copy_own(b, p->thread, PROC_SLOT_THREAD);
}

static bool stage_stack(struct build_state *st)
{
    struct build *b = &st->b;
    struct process *p = b->p;
    /* The stack (lib/initstack): argv[0] the program, then the manifest's arguments, then
       the spawner's, then the environment. */
    memset(st->top, 0, sizeof st->top);
    initstack_init(&st->stack, st->top, USER_STACK_TOP - PAGE);
    bool fits = initstack_add(&st->stack, p->entry.program, strlen(p->entry.program), false);
    const char *at = p->entry.args;
    for (unsigned i = 0; i < p->entry.argc; i++, at += strlen(at) + 1)
        fits = fits && initstack_add(&st->stack, at, strlen(at), false);
    for (uint64_t x = 0; x < st->extra_length; x += strlen(st->extra + x) + 1)
        fits = fits && initstack_add(&st->stack, st->extra + x, strlen(st->extra + x), false);
    if (p->entry.envc)
        at += 1; /* the empty string between arguments and environment */
    for (unsigned i = 0; i < p->entry.envc; i++, at += strlen(at) + 1)
        fits = fits && initstack_add(&st->stack, at, strlen(at), true);
    if (!fits)
        return build_failed(b, -SERVICE_BAD_ARGUMENT,
                            "its arguments do not fit its stack's top page");
    st->rsp = initstack_finish(&st->stack);
    for (uint64_t page = STACK_BASE; page < USER_STACK_TOP - PAGE; page += PAGE)
        if (!build_add_page(b, page, CAP_RIGHT_READ | CAP_RIGHT_WRITE, 0, 0, 0, false))
            return false;
    return build_add_page(b, USER_STACK_TOP - PAGE, CAP_RIGHT_READ | CAP_RIGHT_WRITE, 0, st->top,
                          PAGE, false) != 0;
}

static bool stage_rest(struct build_state *st)
{
    struct build *b = &st->b;
    struct process *p = b->p;
    /* Its endpoints and grants, then the info page that lists them. */
    struct proc_info *info = &st->info;
    uint64_t cspace_bits = info->cspace_bits;
    memset(info, 0, sizeof *info);
    info->magic = PROC_INFO_MAGIC;
    info->pid = p->pid;
    const struct boot_info *boot = (const struct boot_info *)USER_BOOT_INFO;
    info->tick_hz = boot->tick_hz;
    info->cpu_count = boot->cpu_count;
    info->cspace_bits = cspace_bits;
    info->earlier = p->launches;
    memcpy(info->name, p->entry.name, sizeof info->name);
    if (!build_mint(b, procsrv_endpoint, PROC_SLOT_PROCSRV) ||
        (memsrv_endpoint && !build_mint(b, memsrv_endpoint, PROC_SLOT_MEMSRV)))
        return false;
    uint64_t console = names_lookup("console");
    if (console && strcmp(p->entry.name, "console") != 0 &&
        !build_mint(b, console, PROC_SLOT_CONSOLE))
        return false;
    /* A swap's new instance gets the endpoint only at PROC_TAKE_OVER (process_take_over): a
       program that served before it (or never sent it) would take calls alongside the old
       instance. */
    if (p->service && !p->replaces && !copy_own(b, p->service, PROC_SLOT_SERVICE))
        return false;
    if (!build_grants(b, info))
        return false;

    uint64_t buffer =
        build_add_page(b, USER_IPC_BUFFER, CAP_RIGHT_READ | CAP_RIGHT_WRITE, 0, 0, 0, true);
    if (!buffer || thread_set_ipc_buffer(p->thread, buffer) != ERR_OK ||
        !build_give(b, buffer, PROC_SLOT_IPC_BUFFER))
        return false;
    /* Whatever the loader used so far, the program gets the rest. */
    info->free_slot = b->next_slot + 8; /* a few spare for the info page and stragglers */
    uint64_t info_frame =
        build_add_page(b, USER_PROC_INFO, CAP_RIGHT_READ, 0, info, sizeof *info, true);
    if (!info_frame || !build_give(b, info_frame, PROC_SLOT_INFO))
        return false;

    /* Its thread: faults come to procsrv with its badge. */
    uint64_t fault = slot_alloc();
    if (!fault || cspace_mint(ROOT_SLOT_CSPACE, fault, procsrv_endpoint, CAP_RIGHT_SEND, p->pid,
                              0) != ERR_OK) {
        slot_free(fault);
        return build_failed(b, -SERVICE_TOO_MANY, "no fault endpoint");
    }
    long r = thread_configure(p->thread, p->cspace, p->vspace, p->entry.priority, fault);
    slot_release(fault);
    /* Its name in kernel log lines and the IPC trace; a name the kernel
       refuses leaves it "thread", which is harmless. */
    sys_thread_set_name(p->thread, p->entry.name);
    /* Not resumed here: with several CPUs it would run at once, before
       procsrv has told memsrv about it (launch resumes it after that). */
    if (r != ERR_OK ||
        thread_write_registers(p->thread, st->image.entry, st->rsp, 0, 0, 0) != ERR_OK)
        return build_failed(b, -SERVICE_INTERNAL, "its thread would not start");
    return true;
}

/* One stage of st's build: true while it goes on (st->stage says whether it is done), false
   on failure (st->b.error and why set). */
static bool build_stage(struct build_state *st)
{
    bool ok = true;
    switch (st->stage) {
    case STAGE_OBJECTS:
        ok = stage_objects(st);
        st->stage = st->image.segment_count ? STAGE_SEGMENTS : STAGE_STACK;
        break;
    case STAGE_SEGMENTS:
        ok = load_segment(&st->b, st->file, &st->image.segments[st->segment++]);
        if (st->segment == st->image.segment_count)
            st->stage = STAGE_STACK;
        break;
    case STAGE_STACK:
        ok = stage_stack(st);
        st->stage = STAGE_REST;
        break;
    case STAGE_REST:
        ok = stage_rest(st);
        st->stage = STAGE_DONE;
        break;
    case STAGE_DONE:
        break;
    }
    return ok;
}

static struct build_state staged; /* the one build made in stages (loader_begin) */

void loader_begin(struct process *p)
{
    memset(&staged, 0, sizeof staged);
    staged.b.p = p;
    staged.extra = "";
}

int loader_step(struct load_result *failure)
{
    if (!build_stage(&staged)) {
        *failure = (struct load_result){staged.b.error, staged.b.why, 0};
        return -1;
    }
    return staged.stage == STAGE_DONE ? 0 : 1;
}

struct load_result loader_start(struct process *p, const char *extra, uint64_t extra_length)
{
    static struct build_state st;
    memset(&st, 0, sizeof st);
    st.b.p = p;
    st.extra = extra;
    st.extra_length = extra_length;
    while (st.stage != STAGE_DONE && build_stage(&st))
        ;
    return (struct load_result){st.b.error, st.b.why, 0};
}
