/*
 * The capabilities a process's manifest line grants it (docs/processes.md): I/O ports, IRQ
 * lines, device memory, other servers' endpoints, the ACPI tables (acpi), the framebuffer
 * (framebuffer) and a PCI driver's function (pci=). Each goes into the child's grant slots
 * and is described in its info page's grants, in the order the manifest gives them.
 */
#include <stdio.h>
#include <string.h>

#include "build.h"
#include "procsrv.h"

#define PAGE PAGE_SIZE

/* The boot framebuffer's 4 KiB frames (0: none procsrv can give: not RGB or not 32 bpp). */
uint64_t build_framebuffer_pages(void)
{
    const struct boot_info *boot = (const struct boot_info *)USER_BOOT_INFO;
    return boot->framebuffer_bpp == 32 ? boot->framebuffer_count : 0;
}

/* Adds a grant to info, refusing past PROC_MAX_GRANTS. */
static bool note(struct build *b, struct proc_info *info, struct proc_grant g)
{
    if (info->grant_count == PROC_MAX_GRANTS)
        return build_failed(b, -SERVICE_TOO_MANY, "it has more grants than fit its info page");
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
            return build_failed(b, -SERVICE_DENIED, "a BAR of its device is not device memory");
        }
        if (!build_map(b, b->p->vspace, copy, *mmio_at, CAP_RIGHT_READ | CAP_RIGHT_WRITE) ||
            !build_give(b, copy, 0))
            return false;
    }
    return true;
}

/* An MSI-X function's vectors past the first, one per CPU (1, 2, ...) up to PROC_MSIX_VECTORS,
   each routed to its CPU, so that a driver can give each CPU a queue with its own interrupt
   (servers/nvme). Stops quietly when the kernel has no vector left or the grant slots run out
   (one stays for the pci server's endpoint): the driver then has fewer. */
static bool grant_msix_vectors(struct build *b, struct proc_info *info, uint64_t *next)
{
    const struct boot_info *boot = (const struct boot_info *)USER_BOOT_INFO;
    for (uint64_t cpu = 1; cpu < boot->cpu_count && cpu < PROC_MSIX_VECTORS; cpu++) {
        if (*next + 1 >= PROC_SLOT_GRANTS_END || info->grant_count + 1 >= PROC_MAX_GRANTS)
            return true;
        uint64_t handler = slot_alloc();
        struct irq_msi pair = {0, 0};
        if (!handler || irq_control_get_msi(ROOT_SLOT_IRQ_CONTROL, cpu, handler, &pair) != ERR_OK) {
            slot_free(handler);
            return true;
        }
        if (!note(b, info,
                  (struct proc_grant){PROC_GRANT_MSIX_VECTOR, *next, pair.address, pair.data}) ||
            !build_give(b, handler, *next))
            return false;
        (*next)++;
    }
    return true;
}

/* Its interrupt: MSI if the function has MSI or MSI-X (and the manifest does not say msi=off),
   else INTx as the pci server routed it. An MSI-X message is the same address and data as an
   MSI one: the driver writes them into its table entry (docs/platform.md). A line another
   driver holds leaves it without one. */
static bool grant_interrupt(struct build *b, struct proc_info *info, uint64_t *next)
{
    const struct proc_device *d = &b->p->device;
    bool msi = (d->irq_word & (PCI_IRQ_MSI | PCI_IRQ_MSIX)) && !b->p->entry.no_msi;
    if (!msi && !(d->irq_word & PCI_IRQ_ROUTED))
        return true;
    uint64_t handler = slot_alloc(), notification = build_make(b, CAP_NOTIFICATION, 0);
    if (!handler || !notification) {
        slot_free(handler);
        return build_failed(b, -SERVICE_TOO_MANY, "no slot for its interrupt");
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
        !build_give(b, handler, *next) || !build_give(b, notification, *next + 1))
        return false;
    *next += 2;
    return !msi || !(d->irq_word & PCI_IRQ_MSIX) || grant_msix_vectors(b, info, next);
}

/* A PCI driver's function: its BARs, its interrupt, and the pci server's endpoint badged for
   this function alone. */
static bool grant_device(struct build *b, struct proc_info *info, uint64_t *next, uint64_t *mmio_at)
{
    const struct proc_device *d = &b->p->device;
    /* Its slots: an I/O capability per BAR at most, the interrupt's two, the endpoint. */
    if (*next + PCI_BARS + 3 > PROC_SLOT_GRANTS_END)
        return build_failed(b, -SERVICE_TOO_MANY,
                            "its manifest grants leave no room for its device");
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
            return build_failed(b, -SERVICE_DENIED, "an I/O BAR of its device is the kernel's");
        }
        if (!note(b, info,
                  (struct proc_grant){PROC_GRANT_PCI_PORTS, *next, base,
                                      (base + size - 1) | (uint64_t)i << 16}) ||
            !build_give(b, slot, (*next)++))
            return false;
    }
    if (!grant_interrupt(b, info, next))
        return false;
    uint64_t pci = names_lookup("pci");
    if (!pci)
        return build_failed(b, -SERVICE_NOT_FOUND, "the pci server is not registered");
    if (cspace_mint(b->p->cspace, *next, pci, CAP_RIGHT_SEND, PCI_BADGE_FUNCTION | d->address,
                    ROOT_SLOT_CSPACE) != ERR_OK)
        return build_failed(b, -SERVICE_INTERNAL, "the pci server's endpoint would not mint");
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
                return build_failed(b, -SERVICE_INTERNAL, "firmware memory is not device memory");
            }
            if (!build_map(b, b->p->vspace, copy, PROC_ACPI_BASE + phys, CAP_RIGHT_READ) ||
                !build_give(b, copy, 0))
                return false;
        }
    }
    if (boot->rsdp_size &&
        !build_add_page(b, PROC_ACPI_RSDP, CAP_RIGHT_READ, 0, boot->rsdp, boot->rsdp_size, false))
        return false;
    if (cspace_mint(b->p->cspace, *next, procsrv_notification, CAP_RIGHT_SEND,
                    PROCSRV_BADGE_POWER_BUTTON, ROOT_SLOT_CSPACE) != ERR_OK)
        return build_failed(b, -SERVICE_INTERNAL, "the power-button notification would not mint");
    info->grants[info->grant_count++] =
        (struct proc_grant){PROC_GRANT_ACPI_ROOT, (*next)++, boot->rsdp_size, PROC_ACPI_RSDP};
    return true;
}

/* The manifest's framebuffer: copies of the kernel's frames, mapped read-write from at, and
   the two grants that say where and what it is. */
static bool grant_framebuffer(struct build *b, struct proc_info *info, uint64_t at)
{
    const struct boot_info *boot = (const struct boot_info *)USER_BOOT_INFO;
    info->grants[info->grant_count++] =
        (struct proc_grant){PROC_GRANT_FRAMEBUFFER, b->next_slot, boot->framebuffer_addr, at};
    info->grants[info->grant_count++] =
        (struct proc_grant){PROC_GRANT_FRAMEBUFFER_MODE, 0,
                            boot->framebuffer_width | (uint64_t)boot->framebuffer_height << 32,
                            boot->framebuffer_pitch | (uint64_t)boot->framebuffer_bpp << 32};
    for (uint64_t i = 0; i < boot->framebuffer_count; i++, at += PAGE) {
        uint64_t copy = slot_alloc();
        if (!copy || cspace_copy(ROOT_SLOT_CSPACE, copy, boot->framebuffer_first + i,
                                 CAP_RIGHT_READ | CAP_RIGHT_WRITE, 0) != ERR_OK) {
            slot_free(copy);
            return build_failed(b, -SERVICE_INTERNAL, "a framebuffer frame would not copy");
        }
        if (!build_map(b, b->p->vspace, copy, at, CAP_RIGHT_READ | CAP_RIGHT_WRITE) ||
            !build_give(b, copy, 0))
            return false;
    }
    return true;
}

/* The manifest's grants, into the child's grant slots and info->grants. */
bool build_grants(struct build *b, struct proc_info *info)
{
    const struct manifest_entry *e = &b->p->entry;
    struct process *p = b->p;
    uint64_t next = PROC_SLOT_GRANTS;
    for (unsigned i = 0; i < e->ioport_count; i++) {
        uint64_t slot = slot_alloc();
        if (io_port_control_issue(ROOT_SLOT_IO_PORT_CONTROL, e->ioports[i].first,
                                  e->ioports[i].last, slot) != ERR_OK) {
            slot_free(slot);
            return build_failed(b, -SERVICE_DENIED,
                                "an I/O port range it asks for is the kernel's");
        }
        info->grants[info->grant_count++] =
            (struct proc_grant){PROC_GRANT_IO_PORTS, next, e->ioports[i].first, e->ioports[i].last};
        if (!build_give(b, slot, next++))
            return false;
    }
    for (unsigned i = 0; i < e->irq_count; i++) {
        uint64_t handler = slot_alloc(), notification = build_make(b, CAP_NOTIFICATION, 0);
        if (!notification)
            return false;
        if (irq_control_get(ROOT_SLOT_IRQ_CONTROL, e->irqs[i], handler, 0) != ERR_OK) {
            slot_free(handler);
            slot_release(notification);
            return build_failed(b, -SERVICE_BUSY,
                                "an IRQ line it asks for is taken or the kernel's");
        }
        irq_handler_set_notification(handler, notification);
        info->grants[info->grant_count++] =
            (struct proc_grant){PROC_GRANT_IRQ, next, e->irqs[i], 0};
        info->grants[info->grant_count++] =
            (struct proc_grant){PROC_GRANT_NOTIFICATION, next + 1, e->irqs[i], 0};
        if (!build_give(b, handler, next) || !build_give(b, notification, next + 1))
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
                return build_failed(b, -SERVICE_DENIED,
                                    "a device memory range it asks for is not "
                                    "device memory");
            }
            if (!build_map(b, p->vspace, copy, mmio_at, CAP_RIGHT_READ | CAP_RIGHT_WRITE) ||
                !build_give(b, copy, 0))
                return false;
        }
    }
    if (e->framebuffer) {
        if (!grant_framebuffer(b, info, mmio_at))
            return false;
        mmio_at += build_framebuffer_pages() * PAGE; /* a PCI driver's BARs come after it */
    }
    for (unsigned i = 0; i < e->endpoint_count; i++) {
        uint64_t endpoint = names_lookup(e->endpoints[i]);
        if (!endpoint)
            return build_failed(b, -SERVICE_NOT_FOUND, "an endpoint it asks for is not registered");
        struct proc_grant g = {PROC_GRANT_ENDPOINT, next, 0, 0};
        memcpy(&g.arg, e->endpoints[i],
               strlen(e->endpoints[i]) < 16 ? strlen(e->endpoints[i]) : 16);
        info->grants[info->grant_count++] = g;
        if (!build_mint(b, endpoint, next++))
            return false;
    }
    if (e->acpi && !grant_acpi(b, info, &next))
        return false;
    if (p->device.present && !grant_device(b, info, &next, &mmio_at))
        return false;
    if (e->debug && cspace_copy(b->p->cspace, PROC_SLOT_DEBUG, ROOT_SLOT_DEBUG, CAP_RIGHTS_ALL,
                                ROOT_SLOT_CSPACE) != ERR_OK)
        return build_failed(b, -SERVICE_INTERNAL, "the debug console would not copy");
    return true;
}
