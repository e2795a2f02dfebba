/*
 * PCI drivers: a manifest line with pci=CC.SS.PP or pci=VVVV:DDDD is not started at boot but
 * kept; the pci server, once it has walked the buses, offers every function it found
 * (PROC_PCI_DEVICE) and procsrv starts the first kept driver that matches, once per
 * function, with that function's resources (loader.c grants them).
 *
 * Deadlock: procsrv serves everyone and must never wait for the pci server while the pci
 * server waits for it. So procsrv never calls the pci server: the pci server calls here with
 * everything procsrv needs, and procsrv answers from its own state.
 */
#include <stdio.h>
#include <string.h>

#include "procsrv.h"

#define MAX_DRIVERS 8

static struct manifest_entry drivers[MAX_DRIVERS];
static unsigned driver_count, started[MAX_DRIVERS];

bool pcidrivers_add(const struct manifest_entry *entry)
{
    if (driver_count == MAX_DRIVERS)
        return false;
    drivers[driver_count++] = *entry;
    return true;
}

static bool matches(const struct manifest_entry *e, const struct proc_device *d)
{
    if (e->pci == MANIFEST_PCI_CLASS)
        return e->pci_match == d->class_word;
    return e->pci == MANIFEST_PCI_ID && e->pci_match == d->ids;
}

/* The CSpace a driver needs beyond its program: a slot per page of its memory BARs and the
   page tables that map them. */
static unsigned cspace_bits_for(const struct proc_device *d, unsigned bits)
{
    uint64_t pages = 0;
    for (unsigned i = 0; i < PCI_BARS; i++)
        if (d->bars[i].size && !(d->bars[i].flags & PCI_BAR_IO))
            pages += (d->bars[i].size + PAGE_SIZE - 1) / PAGE_SIZE;
    uint64_t slots = PROC_SLOT_MEMORY + 256 + pages + pages / 512 + 8;
    while ((1ull << bits) < slots && bits < 16)
        bits++;
    return bits;
}

/* Decodes PROC_PCI_DEVICE's words into *d: SERVICE_OK or SERVICE_BAD_ARGUMENT. */
static long decode(struct server_call *call, struct proc_device *d)
{
    const struct request *in = &call->in;
    memset(d, 0, sizeof *d);
    d->present = true;
    d->address = request_word(in, 0);
    if (d->address > PCI_ADDRESS_MAX)
        return server_bad_argument(call, 0, 0, PCI_ADDRESS_MAX);
    d->ids = request_word(in, 1);
    if (d->ids > 0xffffffffu)
        return server_bad_argument(call, 1, 0, 0xffffffffu);
    d->class_word = request_word(in, 2);
    if (d->class_word > 0xffffff)
        return server_bad_argument(call, 2, 0, 0xffffff);
    d->irq_word = request_word(in, 3);
    if (PCI_IRQ_GSI(d->irq_word) > 23)
        return server_bad_argument(call, 3, 0, PCI_IRQ_WORD(7, 0x38, 23, 3));
    for (unsigned i = 0; i < PCI_BARS; i++) {
        unsigned w = 4 + 3 * i;
        d->bars[i].base = request_word(in, w);
        d->bars[i].size = request_word(in, w + 1);
        d->bars[i].flags = request_word(in, w + 2);
        if (d->bars[i].size && d->bars[i].base + d->bars[i].size < d->bars[i].base)
            return server_bad_argument(call, w + 1, 0, -d->bars[i].base);
        if (d->bars[i].flags & ~(uint64_t)(PCI_BAR_IO | PCI_BAR_64 | PCI_BAR_PREFETCH))
            return server_bad_argument(call, w + 2, 0, 7);
        if ((d->bars[i].flags & PCI_BAR_IO) && d->bars[i].base + d->bars[i].size > 0x10000)
            return server_bad_argument(call, w, 0, 0xffff);
    }
    return SERVICE_OK;
}

long pcidrivers_offered(struct server_call *call)
{
    struct proc_device d;
    long status = decode(call, &d);
    if (status != SERVICE_OK)
        return status;
    const struct process *pci = process_server("pci");
    if (!pci || pci->pid != call->badge)
        return SERVICE_DENIED;
    request_set_word(&call->out, 0, 0);
    /* A restarted pci server offers every function again: one with a driver already (running
       or waiting for its restart) keeps it. */
    for (uint64_t i = 0; process_at(i); i++) {
        const struct process *p = process_at(i);
        if (p->device.present && p->device.address == d.address) {
            request_set_word(&call->out, 0, p->pid);
            for (unsigned w = 0; w < PROTO_NAME_WORDS; w++)
                request_set_word(&call->out, 1 + w, 0);
            request_put_bytes(&call->out, 1, p->entry.name, strlen(p->entry.name));
            return SERVICE_OK;
        }
    }
    for (unsigned i = 0; i < driver_count; i++) {
        if (!matches(&drivers[i], &d))
            continue;
        struct manifest_entry entry = drivers[i];
        /* A second function for one driver: a process of its own, named apart. */
        if (started[i]) {
            char suffix[8];
            snprintf(suffix, sizeof suffix, "-%u", started[i] + 1);
            size_t room = MANIFEST_NAME_MAX - strlen(suffix);
            entry.name[strlen(entry.name) < room ? strlen(entry.name) : room] = 0;
            strcat(entry.name, suffix);
        }
        entry.cspace_bits = cspace_bits_for(&d, entry.cspace_bits);
        long error;
        struct process *p = process_start_driver(&entry, &d, &error);
        if (!p)
            return SERVICE_OK; /* said why; the function stays without a driver */
        started[i]++;
        request_set_word(&call->out, 0, p->pid);
        for (unsigned w = 0; w < PROTO_NAME_WORDS; w++)
            request_set_word(&call->out, 1 + w, 0);
        request_put_bytes(&call->out, 1, p->entry.name, strlen(p->entry.name));
        return SERVICE_OK;
    }
    return SERVICE_OK;
}

/* Maps frame (procsrv's copy) at address in p, with page tables from p's own memory; the
   tables move to p's slots from *slot on. */
static long map_into(struct process *p, uint64_t frame, uint64_t address, uint64_t *slot,
                     uint64_t end)
{
    for (int level = 0; level < 4; level++) {
        long r = vspace_map_frame(p->vspace, frame, address, CAP_RIGHT_READ | CAP_RIGHT_WRITE);
        if (r == ERR_OK)
            return SERVICE_OK;
        if (r != ERR_MISSING_TABLE || *slot >= end)
            return SERVICE_INTERNAL;
        uint64_t table = slot_alloc();
        if (!table || untyped_retype(p->untyped, CAP_PAGE_TABLE, 0, table, 1) != ERR_OK) {
            slot_free(table);
            return SERVICE_NO_MEMORY;
        }
        if (vspace_map_table(p->vspace, table, address, 0) != ERR_OK ||
            cspace_move(p->cspace, (*slot)++, table, ROOT_SLOT_CSPACE) != ERR_OK) {
            slot_release(table);
            return SERVICE_INTERNAL;
        }
        slot_free(table);
    }
    return SERVICE_INTERNAL;
}

long pcidrivers_map_ecam(struct server_call *call)
{
    uint64_t phys = request_word(&call->in, 0), first = request_word(&call->in, 1);
    uint64_t count = request_word(&call->in, 2);
    if (phys % (1u << 20) || phys >= 1ull << 40)
        return server_bad_argument(call, 0, 0, (1ull << 40) - (1u << 20));
    if (!first)
        return server_bad_argument(call, 1, 1, UINT64_MAX);
    if (count < PROC_PCI_ECAM_SLOTS)
        return server_bad_argument(call, 2, PROC_PCI_ECAM_SLOTS, UINT64_MAX);
    struct process *pci = process_server("pci");
    if (!pci || pci->pid != call->badge)
        return SERVICE_DENIED;
    uint64_t slot = first, end = first + count;
    for (uint64_t off = 0; off < (1u << 20); off += PAGE_SIZE) {
        uint64_t original = devices_frame(phys + off), copy = slot_alloc();
        if (!original || !copy ||
            cspace_copy(ROOT_SLOT_CSPACE, copy, original, CAP_RIGHTS_ALL, 0)) {
            slot_free(copy);
            return SERVICE_DENIED; /* not device memory */
        }
        long status = map_into(pci, copy, PROC_ECAM_BASE + phys + off, &slot, end);
        if (status == SERVICE_OK &&
            (slot >= end || cspace_move(pci->cspace, slot++, copy, ROOT_SLOT_CSPACE)))
            status = SERVICE_INTERNAL;
        if (status != SERVICE_OK) {
            slot_release(copy);
            return status;
        }
        slot_free(copy);
    }
    return SERVICE_OK;
}
