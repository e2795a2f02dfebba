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

struct build {
    struct process *p;
    uint64_t next_slot; /* the child's next own-memory slot */
    uint64_t slots;     /* its CSpace size */
    long error;
    const char *why;
};

static bool failed(struct build *b, long error, const char *why)
{
    if (b && !b->error) {
        b->error = error;
        b->why = why;
    }
    return false;
}

/* One object of type from the process's Untyped in a new procsrv slot; 0 on failure. */
static uint64_t make(struct build *b, uint64_t type, uint64_t bits)
{
    uint64_t slot = slot_alloc();
    if (!slot) {
        failed(b, -SERVICE_TOO_MANY, "procsrv's CSpace is full");
        return 0;
    }
    if (untyped_retype(b->p->untyped, type, bits, slot, 1) != ERR_OK) {
        slot_free(slot);
        failed(b, -SERVICE_NO_MEMORY, "its memory estimate was too small");
        return 0;
    }
    return slot;
}

/* Moves the capability in procsrv's slot into the child's CSpace at dest
   (0: its next own-memory slot) and frees procsrv's slot. */
static bool give(struct build *b, uint64_t slot, uint64_t dest)
{
    if (!dest) {
        if (b->next_slot >= b->slots)
            return failed(b, -SERVICE_NO_MEMORY, "its CSpace is too small");
        dest = b->next_slot++;
    }
    if (cspace_move(b->p->cspace, dest, slot, ROOT_SLOT_CSPACE) != ERR_OK)
        return failed(b, -SERVICE_INTERNAL, "a capability would not move");
    slot_free(slot);
    return true;
}

/* Maps frame at address in vspace, adding page tables as they are missing:
   the child's from its Untyped (given to it), the window's from procsrv's. */
static bool map(struct build *b, uint64_t vspace, uint64_t frame, uint64_t address, uint64_t rights)
{
    for (int level = 0; level < 4; level++) {
        long r = vspace_map_frame(vspace, frame, address, rights);
        if (r == ERR_OK)
            return true;
        if (r != ERR_MISSING_TABLE)
            return failed(b, -SERVICE_BAD_PROGRAM, "a page would not map");
        uint64_t table;
        if (b) {
            table = make(b, CAP_PAGE_TABLE, 0);
        } else {
            table = slot_alloc();
            if (untyped_retype(window_untyped, CAP_PAGE_TABLE, 0, table, 1))
                table = 0;
        }
        if (!table || vspace_map_table(vspace, table, address, 0) != ERR_OK)
            return b ? failed(b, -SERVICE_NO_MEMORY, "no page table") : false;
        if (b && !give(b, table, 0))
            return false;
    }
    return false;
}

/* Copies n bytes into frame at offset through the window (frames start zeroed). */
static bool fill(struct build *b, uint64_t frame, uint64_t offset, const void *bytes, size_t n)
{
    if (!map(0, ROOT_SLOT_VSPACE, frame, WINDOW, CAP_RIGHT_READ | CAP_RIGHT_WRITE))
        return failed(b, -SERVICE_NO_MEMORY, "procsrv's window would not map");
    memcpy((char *)WINDOW + offset, bytes, n);
    frame_unmap(frame);
    return true;
}

/* A new frame at address in the child, holding bytes at offset; given to it. */
static uint64_t add_page(struct build *b, uint64_t address, uint64_t rights, uint64_t offset,
                         const void *bytes, size_t n, bool keep)
{
    uint64_t frame = make(b, CAP_FRAME, FRAME_SMALL_BITS);
    if (!frame || (n && !fill(b, frame, offset, bytes, n)) ||
        !map(b, b->p->vspace, frame, address, rights) || (!keep && !give(b, frame, 0)))
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

static bool load_segment(struct build *b, const uint8_t *file, const struct elf_segment *s)
{
    uint64_t first = s->vaddr & ~(PAGE - 1), end = (s->vaddr + s->memsz + PAGE - 1) & ~(PAGE - 1);
    for (uint64_t page = first; page < end; page += PAGE) {
        /* The part of the file's bytes [vaddr, vaddr + filesz) on this page. */
        uint64_t from = page > s->vaddr ? page : s->vaddr;
        uint64_t to = page + PAGE < s->vaddr + s->filesz ? page + PAGE : s->vaddr + s->filesz;
        const void *bytes = file + s->offset + (from - s->vaddr);
        size_t n = to > from ? to - from : 0;
        if (!add_page(b, page, segment_rights(s->flags), from - page, bytes, n, false))
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
    uint64_t bits = entry->cspace_bits;
    while ((1ull << bits) < PROC_SLOT_MEMORY + *pages + 64)
        bits++;
    *cspace_bits = bits;
    uint64_t objects = (1ull << (bits + 6)) + 3 * PAGE + (*pages + 1) * PAGE;
    *bytes = objects + objects / 4;
}

struct load_result loader_check(const struct manifest_entry *entry)
{
    struct load_result result = {0, 0, 0};
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
static bool mint(struct build *b, uint64_t src, uint64_t dest)
{
    if (cspace_mint(b->p->cspace, dest, src, CAP_RIGHT_SEND | CAP_RIGHT_GRANT, b->p->pid,
                    ROOT_SLOT_CSPACE) != ERR_OK)
        return failed(b, -SERVICE_INTERNAL, "an endpoint would not mint");
    return true;
}

/* Adds a grant to info, refusing past PROC_MAX_GRANTS. */
static bool note(struct build *b, struct proc_info *info, struct proc_grant g)
{
    if (info->grant_count == PROC_MAX_GRANTS)
        return failed(b, -SERVICE_TOO_MANY, "it has more grants than fit its info page");
    info->grants[info->grant_count++] = g;
    return true;
}

/* A memory BAR, mapped at *mmio_at page by page; the frames go to the child. A BAR smaller
   than a page shares its page with other devices' registers, so it is not granted. */
static bool grant_memory_bar(struct build *b, struct proc_info *info, unsigned index, uint64_t base,
                             uint64_t size, uint64_t *mmio_at)
{
    if (size < PAGE || base % PAGE) {
        printf("procsrv: %s: BAR %u (%lu bytes at 0x%lx) is smaller than a page; not granted\n",
               b->p->entry.name, index, (unsigned long)size, (unsigned long)base);
        return true;
    }
    if (!note(b, info,
              (struct proc_grant){PROC_GRANT_PCI_MEMORY, b->next_slot, *mmio_at, size | index}))
        return false;
    for (uint64_t off = 0; off < size; off += PAGE, *mmio_at += PAGE) {
        uint64_t original = devices_frame(base + off), copy = slot_alloc();
        if (!original || !copy ||
            cspace_copy(ROOT_SLOT_CSPACE, copy, original, CAP_RIGHTS_ALL, 0)) {
            slot_free(copy);
            return failed(b, -SERVICE_DENIED, "a BAR of its device is not device memory");
        }
        if (!map(b, b->p->vspace, copy, *mmio_at, CAP_RIGHT_READ | CAP_RIGHT_WRITE) ||
            !give(b, copy, 0))
            return false;
    }
    return true;
}

/* Its interrupt: MSI if the function has it (and the manifest does not say msi=off), else
   INTx as the pci server routed it. A line another driver holds leaves it without one. */
static bool grant_interrupt(struct build *b, struct proc_info *info, uint64_t *next)
{
    const struct proc_device *d = &b->p->device;
    bool msi = (d->irq_word & PCI_IRQ_MSI) && !b->p->entry.no_msi;
    if (!msi && !(d->irq_word & PCI_IRQ_ROUTED))
        return true;
    uint64_t handler = slot_alloc(), notification = make(b, CAP_NOTIFICATION, 0);
    if (!handler || !notification) {
        slot_free(handler);
        return failed(b, -SERVICE_TOO_MANY, "no slot for its interrupt");
    }
    struct irq_msi pair = {0, 0};
    long r = msi ? irq_control_get_msi(ROOT_SLOT_IRQ_CONTROL, 0, handler, &pair)
                 : irq_control_get(ROOT_SLOT_IRQ_CONTROL, PCI_IRQ_GSI(d->irq_word), handler,
                                   PCI_IRQ_MODE(d->irq_word));
    if (r != ERR_OK) {
        printf("procsrv: %s: %s is taken; it gets no interrupt\n", b->p->entry.name,
               msi ? "every MSI vector" : "its INTx line");
        slot_free(handler);
        slot_release(notification);
        return true;
    }
    irq_handler_set_notification(handler, notification);
    struct proc_grant g =
        msi ? (struct proc_grant){PROC_GRANT_MSI, *next, pair.address, pair.data}
            : (struct proc_grant){PROC_GRANT_IRQ, *next, PCI_IRQ_GSI(d->irq_word), 0};
    if (!note(b, info, g) ||
        !note(b, info, (struct proc_grant){PROC_GRANT_NOTIFICATION, *next + 1, g.arg, 0}) ||
        !give(b, handler, *next) || !give(b, notification, *next + 1))
        return false;
    *next += 2;
    return true;
}

/* A PCI driver's function: its BARs, its interrupt, and the pci server's endpoint badged for
   this function alone. */
static bool grant_device(struct build *b, struct proc_info *info, uint64_t *next, uint64_t *mmio_at)
{
    const struct proc_device *d = &b->p->device;
    /* Its slots: an I/O capability per BAR at most, the interrupt's two, the endpoint. */
    if (*next + PCI_BARS + 3 > PROC_SLOT_GRANTS_END)
        return failed(b, -SERVICE_TOO_MANY, "its manifest grants leave no room for its device");
    for (unsigned i = 0; i < PCI_BARS; i++) {
        uint64_t base = d->bars[i].base, size = d->bars[i].size;
        if (!size)
            continue;
        if (!(d->bars[i].flags & PCI_BAR_IO)) {
            if (!grant_memory_bar(b, info, i, base, size, mmio_at))
                return false;
            continue;
        }
        uint64_t slot = slot_alloc();
        if (!slot || io_port_control_issue(ROOT_SLOT_IO_PORT_CONTROL, base, base + size - 1,
                                           slot) != ERR_OK) {
            slot_free(slot);
            return failed(b, -SERVICE_DENIED, "an I/O BAR of its device is the kernel's");
        }
        if (!note(b, info,
                  (struct proc_grant){PROC_GRANT_PCI_PORTS, *next, base,
                                      (base + size - 1) | (uint64_t)i << 16}) ||
            !give(b, slot, (*next)++))
            return false;
    }
    if (!grant_interrupt(b, info, next))
        return false;
    uint64_t pci = names_lookup("pci");
    if (!pci)
        return failed(b, -SERVICE_NOT_FOUND, "the pci server is not registered");
    if (cspace_mint(b->p->cspace, *next, pci, CAP_RIGHT_SEND, PCI_BADGE_FUNCTION | d->address,
                    ROOT_SLOT_CSPACE) != ERR_OK)
        return failed(b, -SERVICE_INTERNAL, "the pci server's endpoint would not mint");
    return note(b, info, (struct proc_grant){PROC_GRANT_PCI, (*next)++, d->address, d->ids});
}

/* The manifest's acpi: read-only frames of the firmware memory holding the ACPI tables, mapped
   at PROC_ACPI_BASE + their physical address; a read-only page with the RSDP's copy; a badged
   copy of procsrv's notification for the power button (the grant slot *next). */
static bool grant_acpi(struct build *b, struct proc_info *info, uint64_t *next)
{
    const struct boot_info *boot = (const struct boot_info *)USER_BOOT_INFO;
    struct firmware_range ranges[BOOT_INFO_MAX_MEMORY];
    unsigned n = firmware_acpi_ranges(ranges, BOOT_INFO_MAX_MEMORY);
    for (unsigned i = 0; i < n && info->grant_count + 1 < PROC_MAX_GRANTS; i++) {
        info->grants[info->grant_count++] = (struct proc_grant){
            PROC_GRANT_ACPI_MEMORY, b->next_slot, ranges[i].first, ranges[i].end};
        for (uint64_t phys = ranges[i].first; phys < ranges[i].end; phys += PAGE) {
            uint64_t original = devices_frame(phys), copy = slot_alloc();
            if (!original || !copy ||
                cspace_copy(ROOT_SLOT_CSPACE, copy, original, CAP_RIGHT_READ, 0)) {
                slot_free(copy);
                return failed(b, -SERVICE_INTERNAL, "firmware memory is not device memory");
            }
            if (!map(b, b->p->vspace, copy, PROC_ACPI_BASE + phys, CAP_RIGHT_READ) ||
                !give(b, copy, 0))
                return false;
        }
    }
    if (boot->rsdp_size &&
        !add_page(b, PROC_ACPI_RSDP, CAP_RIGHT_READ, 0, boot->rsdp, boot->rsdp_size, false))
        return false;
    if (cspace_mint(b->p->cspace, *next, procsrv_notification, CAP_RIGHT_SEND,
                    PROCSRV_BADGE_POWER_BUTTON, ROOT_SLOT_CSPACE) != ERR_OK)
        return failed(b, -SERVICE_INTERNAL, "the power-button notification would not mint");
    info->grants[info->grant_count++] =
        (struct proc_grant){PROC_GRANT_ACPI_ROOT, (*next)++, boot->rsdp_size, PROC_ACPI_RSDP};
    return true;
}

/* The manifest's grants, into the child's grant slots and info->grants. */
static bool grant(struct build *b, struct proc_info *info)
{
    const struct manifest_entry *e = &b->p->entry;
    struct process *p = b->p;
    uint64_t next = PROC_SLOT_GRANTS;
    for (unsigned i = 0; i < e->ioport_count; i++) {
        uint64_t slot = slot_alloc();
        if (io_port_control_issue(ROOT_SLOT_IO_PORT_CONTROL, e->ioports[i].first,
                                  e->ioports[i].last, slot) != ERR_OK) {
            slot_free(slot);
            return failed(b, -SERVICE_DENIED, "an I/O port range it asks for is the kernel's");
        }
        info->grants[info->grant_count++] =
            (struct proc_grant){PROC_GRANT_IO_PORTS, next, e->ioports[i].first, e->ioports[i].last};
        if (!give(b, slot, next++))
            return false;
    }
    for (unsigned i = 0; i < e->irq_count; i++) {
        uint64_t handler = slot_alloc(), notification = make(b, CAP_NOTIFICATION, 0);
        if (!notification)
            return false;
        if (irq_control_get(ROOT_SLOT_IRQ_CONTROL, e->irqs[i], handler, 0) != ERR_OK) {
            slot_free(handler);
            slot_release(notification);
            return failed(b, -SERVICE_BUSY, "an IRQ line it asks for is taken or the kernel's");
        }
        irq_handler_set_notification(handler, notification);
        info->grants[info->grant_count++] =
            (struct proc_grant){PROC_GRANT_IRQ, next, e->irqs[i], 0};
        info->grants[info->grant_count++] =
            (struct proc_grant){PROC_GRANT_NOTIFICATION, next + 1, e->irqs[i], 0};
        if (!give(b, handler, next) || !give(b, notification, next + 1))
            return false;
        next += 2;
    }
    uint64_t mmio_at = PROC_MMIO_BASE;
    for (unsigned i = 0; i < e->mmio_count; i++) {
        info->grants[info->grant_count++] =
            (struct proc_grant){PROC_GRANT_MMIO, b->next_slot, e->mmio[i].base, mmio_at};
        for (uint64_t off = 0; off < e->mmio[i].size; off += PAGE, mmio_at += PAGE) {
            uint64_t original = devices_frame(e->mmio[i].base + off), copy = slot_alloc();
            if (!original || !copy ||
                cspace_copy(ROOT_SLOT_CSPACE, copy, original, CAP_RIGHTS_ALL, 0)) {
                slot_free(copy);
                return failed(b, -SERVICE_DENIED,
                              "a device memory range it asks for is not "
                              "device memory");
            }
            if (!map(b, p->vspace, copy, mmio_at, CAP_RIGHT_READ | CAP_RIGHT_WRITE) ||
                !give(b, copy, 0))
                return false;
        }
    }
    for (unsigned i = 0; i < e->endpoint_count; i++) {
        uint64_t endpoint = names_lookup(e->endpoints[i]);
        if (!endpoint)
            return failed(b, -SERVICE_NOT_FOUND, "an endpoint it asks for is not registered");
        struct proc_grant g = {PROC_GRANT_ENDPOINT, next, 0, 0};
        memcpy(&g.arg, e->endpoints[i],
               strlen(e->endpoints[i]) < 16 ? strlen(e->endpoints[i]) : 16);
        info->grants[info->grant_count++] = g;
        if (!mint(b, endpoint, next++))
            return false;
    }
    if (e->acpi && !grant_acpi(b, info, &next))
        return false;
    if (p->device.present && !grant_device(b, info, &next, &mmio_at))
        return false;
    if (e->debug && cspace_copy(b->p->cspace, PROC_SLOT_DEBUG, ROOT_SLOT_DEBUG, CAP_RIGHTS_ALL,
                                ROOT_SLOT_CSPACE) != ERR_OK)
        return failed(b, -SERVICE_INTERNAL, "the debug console would not copy");
    return true;
}

/* Copies one of procsrv's own capabilities of the process (its CSpace,
   VSpace, thread) into the child's slot dest. */
static bool copy_own(struct build *b, uint64_t src, uint64_t dest)
{
    if (cspace_copy(b->p->cspace, dest, src, CAP_RIGHTS_ALL, ROOT_SLOT_CSPACE) != ERR_OK)
        return failed(b, -SERVICE_INTERNAL, "a capability would not copy");
    return true;
}

static bool build(struct build *b, const char *extra, uint64_t extra_length)
{
    struct process *p = b->p;
    struct elf_image image;
    const void *file;
    if (!parse(&p->entry, &image, &file, &b->error, &b->why))
        return false;
    uint64_t pages, cspace_bits, bytes;
    estimate(&p->entry, &image, &pages, &cspace_bits, &bytes);
    b->slots = 1ull << cspace_bits;
    b->next_slot = PROC_SLOT_MEMORY;

    /* The largest objects first: retype aligns each to its size. */
    p->cspace = make(b, CAP_CSPACE, cspace_bits);
    p->vspace = p->cspace ? make(b, CAP_VSPACE, 0) : 0;
    p->thread = p->vspace ? make(b, CAP_THREAD, 0) : 0;
    if (!p->thread || !copy_own(b, p->cspace, PROC_SLOT_CSPACE) ||
        !copy_own(b, p->vspace, PROC_SLOT_VSPACE) || !copy_own(b, p->thread, PROC_SLOT_THREAD))
        return false;

    for (size_t i = 0; i < image.segment_count; i++)
        if (!load_segment(b, file, &image.segments[i]))
            return false;

    /* The stack (lib/initstack): argv[0] the program, then the manifest's arguments, then
       the spawner's, then the environment. */
    static uint8_t top[PAGE];
    static struct initstack stack;
    memset(top, 0, sizeof top);
    initstack_init(&stack, top, USER_STACK_TOP - PAGE);
    bool fits = initstack_add(&stack, p->entry.program, strlen(p->entry.program), false);
    const char *at = p->entry.args;
    for (unsigned i = 0; i < p->entry.argc; i++, at += strlen(at) + 1)
        fits = fits && initstack_add(&stack, at, strlen(at), false);
    for (uint64_t x = 0; x < extra_length; x += strlen(extra + x) + 1)
        fits = fits && initstack_add(&stack, extra + x, strlen(extra + x), false);
    if (p->entry.envc)
        at += 1; /* the empty string between arguments and environment */
    for (unsigned i = 0; i < p->entry.envc; i++, at += strlen(at) + 1)
        fits = fits && initstack_add(&stack, at, strlen(at), true);
    if (!fits)
        return failed(b, -SERVICE_BAD_ARGUMENT, "its arguments do not fit its stack's top page");
    uint64_t rsp = initstack_finish(&stack);
    for (uint64_t page = STACK_BASE; page < USER_STACK_TOP - PAGE; page += PAGE)
        if (!add_page(b, page, CAP_RIGHT_READ | CAP_RIGHT_WRITE, 0, 0, 0, false))
            return false;
    if (!add_page(b, USER_STACK_TOP - PAGE, CAP_RIGHT_READ | CAP_RIGHT_WRITE, 0, top, PAGE, false))
        return false;

    /* Its endpoints and grants, then the info page that lists them. */
    static struct proc_info info;
    memset(&info, 0, sizeof info);
    info.magic = PROC_INFO_MAGIC;
    info.pid = p->pid;
    const struct boot_info *boot = (const struct boot_info *)USER_BOOT_INFO;
    info.tick_hz = boot->tick_hz;
    info.cpu_count = boot->cpu_count;
    info.cspace_bits = cspace_bits;
    memcpy(info.name, p->entry.name, sizeof info.name);
    if (!mint(b, procsrv_endpoint, PROC_SLOT_PROCSRV) ||
        (memsrv_endpoint && !mint(b, memsrv_endpoint, PROC_SLOT_MEMSRV)))
        return false;
    uint64_t console = names_lookup("console");
    if (console && strcmp(p->entry.name, "console") != 0 && !mint(b, console, PROC_SLOT_CONSOLE))
        return false;
    if (p->service && !copy_own(b, p->service, PROC_SLOT_SERVICE))
        return false;
    if (!grant(b, &info))
        return false;

    uint64_t buffer = add_page(b, USER_IPC_BUFFER, CAP_RIGHT_READ | CAP_RIGHT_WRITE, 0, 0, 0, true);
    if (!buffer || thread_set_ipc_buffer(p->thread, buffer) != ERR_OK ||
        !give(b, buffer, PROC_SLOT_IPC_BUFFER))
        return false;
    /* Whatever the loader used so far, the program gets the rest. */
    info.free_slot = b->next_slot + 8; /* a few spare for the info page and stragglers */
    uint64_t info_frame = add_page(b, USER_PROC_INFO, CAP_RIGHT_READ, 0, &info, sizeof info, true);
    if (!info_frame || !give(b, info_frame, PROC_SLOT_INFO))
        return false;

    /* Its thread: faults come to procsrv with its badge. */
    uint64_t fault = slot_alloc();
    if (!fault || cspace_mint(ROOT_SLOT_CSPACE, fault, procsrv_endpoint, CAP_RIGHT_SEND, p->pid,
                              0) != ERR_OK) {
        slot_free(fault);
        return failed(b, -SERVICE_TOO_MANY, "no fault endpoint");
    }
    long r = thread_configure(p->thread, p->cspace, p->vspace, p->entry.priority, fault);
    slot_release(fault);
    /* Its name in kernel log lines and the IPC trace; a name the kernel
       refuses leaves it "thread", which is harmless. */
    sys_thread_set_name(p->thread, p->entry.name);
    /* Not resumed here: with several CPUs it would run at once, before
       procsrv has told memsrv about it (launch resumes it after that). */
    if (r != ERR_OK || thread_write_registers(p->thread, image.entry, rsp, 0, 0, 0) != ERR_OK)
        return failed(b, -SERVICE_INTERNAL, "its thread would not start");
    return true;
}

struct load_result loader_start(struct process *p, const char *extra, uint64_t extra_length)
{
    struct build b = {p, 0, 0, 0, 0};
    build(&b, extra, extra_length);
    return (struct load_result){b.error, b.why, 0};
}
