/*
 * The AHCI driver (docs/disks.md): started by procsrv for a SATA controller in AHCI mode (PCI
 * class 01.06.01, the manifest's pci=01.06.01) with its ABAR (BAR 5), its interrupt (MSI, or
 * INTx with msi=off) and its function's configuration space. It takes the controller (hba.c),
 * then serves every disk it found through the block server library (lib/libsys/block_server.h):
 * the library checks and hands over requests (start), the driver builds commands straight from
 * the requests' physical pieces (port.c) and completes them from its interrupt.
 *
 * Arguments (the manifest's `-- ...`), for tests: timeout-io=MS, timeout-flush=MS,
 * timeout-other=MS replace the time-outs (30 s, 60 s, 10 s); ncq=off drives every disk with
 * READ/WRITE DMA EXT, as a disk without NCQ is driven.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "block/block_args.h"
#include "driver.h"
#include "libsys/block_server.h"
#include "libsys/invoke.h"
#include "libsys/pci_driver.h"
#include "libsys/service.h"
#include "libsys/watchdog.h"
#include "proto/pci.h"

#define ABAR_INDEX 5

struct block_server *ahci_server;
static struct block_disk_info disks[AHCI_MAX_PORTS];
static uint64_t irq_handler;
/* INTx: the kernel masks the line at each interrupt until irq_handler_ack. An MSI cannot be
   masked, and acknowledging one does nothing (kernel/irq.c): a system call saved on every
   interrupt. */
static bool irq_needs_ack;

void disk_failed(const struct ahci_port *p)
{
    disks[p->disk].flags |= BLOCK_INFO_FAILED;
}

/* The library's start hook: r becomes a command in a free slot of its disk's port. */
static bool start(struct block_server *bs, const struct block_server_request *r)
{
    (void)bs;
    struct ahci_port *p = ahci_hba.ports[r->disk];
    struct port_io io = {
        .op = r->op,
        .fua = (r->flags & BLOCK_FLAG_FUA) != 0,
        .lba = r->lba,
        .count = r->count,
        .segments = r->segments,
        .segment_count = r->segment_count,
        .cookie = r->id,
    };
    int status = port_submit(p, &io);
    if (status == PORT_SUBMIT_FULL)
        return false;
    if (status != BLOCK_OK)
        block_server_complete(ahci_server, r->id, (uint32_t)status);
    return true;
}

/* The library's kick hook: what start queued goes to the HBA, and a tick is asked for while
   any port has work in flight or is restarting. The library kicks after every event, the
   interrupt hook's included (its settle), so this is the one place that arms. */
static void kick(struct block_server *bs)
{
    (void)bs;
    bool busy = false;
    for (unsigned i = 0; i < ahci_hba.port_count; i++) {
        port_kick(ahci_hba.ports[i]);
        busy = busy || port_busy(ahci_hba.ports[i]);
    }
    if (busy)
        libsys_watchdog_arm();
}

/* The library's interrupt hook: the HBA's interrupt (looked at on every wake-up: a tick and
   an interrupt may come as one) and the watchdog's tick. What the ports took out of service
   and what waits goes to the HBA at the kick that follows (the library's settle). */
static void interrupt(struct block_server *bs, uint32_t bits)
{
    (void)bs;
    if (bits & (1u << AHCI_BIT_TICK)) {
        libsys_watchdog_fired();
        ahci_hba.tick++;
        for (unsigned i = 0; i < ahci_hba.port_count; i++)
            port_tick(ahci_hba.ports[i]);
    }
    uint32_t is = hba_read(AHCI_IS);
    for (unsigned i = 0; i < ahci_hba.port_count; i++)
        if (is & (1u << ahci_hba.ports[i]->index))
            port_interrupt(ahci_hba.ports[i]);
    if (is)
        hba_write(AHCI_IS, is);
    if ((bits & (1u << AHCI_BIT_IRQ)) && irq_needs_ack)
        irq_handler_ack(irq_handler);
}

/* The BLOCK_INFO entry of port p's disk. */
static void describe(struct block_disk_info *d, const struct ahci_port *p)
{
    d->sector_size = p->id.sector_size;
    d->sectors = p->id.sectors;
    d->flags = (p->id.write_cache ? BLOCK_INFO_WRITE_CACHE : 0) |
               (p->mode.ncq || p->mode.fua ? BLOCK_INFO_FUA : 0) |
               (p->mode.ncq ? BLOCK_INFO_NCQ : 0);
    d->depth = p->mode.ncq ? p->depth : 1;
    uint64_t most = (uint64_t)ahci_max_sectors(&p->mode) * p->id.sector_size;
    if (most > AHCI_MAX_REQUEST)
        most = AHCI_MAX_REQUEST;
    /* The protocol promises whole sectors (lib/proto/block.h); the cap is one for 512 and
       4096, the only sizes ahci_identify_parse lets through, but the promise is kept here. */
    d->max_bytes = (uint32_t)(most - most % p->id.sector_size);
    /* Copied, not printed: a restarted driver that prints nothing runs none of printf's code,
       which under TCG is translated afresh for each new instance (the swap pause). The rest is
       zeroed (strncpy): clients compare the whole field. */
    strncpy(d->model, p->id.model, sizeof d->model - 1);
    strncpy(d->serial, p->id.serial, sizeof d->serial - 1);
}

static struct block_server_driver driver = {
    .name = "ahci",
    .disks = disks,
    .start = start,
    .interrupt = interrupt,
    .kick = kick,
};

/* block_driver_setup's second half for a block server made before the handover (main): the
   IRQ handler to its interrupt bit, the watchdog on its tick bit. False after a line. */
static bool wire(struct block_server *bs, uint64_t handler)
{
    uint64_t irq = block_server_driver_notification(bs, AHCI_BIT_IRQ);
    if (!handler || !irq || irq_handler_set_notification(handler, irq) != ERR_OK) {
        printf("ahci: no interrupt; stopping\n");
        return false;
    }
    const char *why = libsys_watchdog_start(block_server_driver_notification(bs, AHCI_BIT_TICK),
                                            AHCI_TICK_MS, "ahci-watchdog");
    if (why) {
        printf("ahci: %s; stopping\n", why);
        return false;
    }
    return true;
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "ncq=off") == 0)
            ahci_no_ncq = true;
        else if (!block_timeout_argument("ahci", argv[i], "timeout-io", &ahci_timeouts.io_ms) &&
                 !block_timeout_argument("ahci", argv[i], "timeout-flush",
                                         &ahci_timeouts.flush_ms) &&
                 !block_timeout_argument("ahci", argv[i], "timeout-other", &ahci_timeouts.other_ms))
            printf("ahci: unknown argument '%s' ignored\n", argv[i]);
    struct pci_driver_grants g = pci_driver_find_grants(libsys_proc_info(), ABAR_INDEX);
    if (!g.pci || !g.bar) {
        printf("ahci: no controller granted (the manifest starts it with pci=01.06.01); "
               "stopping\n");
        return 1;
    }
    /* What needs no device comes first: a swap's new instance runs this at a low priority
       while the old one still serves, and waits in pci_driver_enable_bus_master (PROC_TAKE_OVER)
       until procsrv has ended it; so the swap pause covers only the device's bring-up
       (docs/processes.md, "Swapping a block driver"). The block server is made here rather
       than by block_driver_setup, whose watchdog thread cannot start at that priority (a
       thread is given at most its maker's): the interrupt and the watchdog are wired after. */
    hba_prepare(g.bar);
    ahci_server = block_server_create(&driver);
    if (!ahci_server)
        return 1;
    libsys_watchdog_prepare(); /* its thread's objects; started by wire (if not, made there) */
    if (!pci_driver_enable_bus_master(&g, false)) {
        printf("ahci: bus mastering could not be enabled; stopping\n");
        return 1;
    }
    /* A restart or a swap says nothing unless something fails: procsrv's line says it
       started, and each console line lengthens the swap pause (docs/disk-performance.md). */
    bool quiet = libsys_proc_info()->earlier != 0;
    const char *why = hba_start(g.bar, quiet);
    if (why) {
        printf("ahci: %s; stopping\n", why);
        return 1;
    }
    /* The HBA reset stopped every command an earlier driver left: its memory may go. */
    proc_device_reset();
    for (unsigned i = 0; i < ahci_hba.port_count; i++)
        describe(&disks[i], ahci_hba.ports[i]);
    driver.disk_count = ahci_hba.port_count;
    irq_handler = g.handler;
    irq_needs_ack = !g.msi;
    if (!wire(ahci_server, g.handler))
        return 1;
    if (g.msi &&
        !result_is_ok(pci_driver_call(g.pci, PCI_MSI_ENABLE,
                                      (uint64_t[]){g.address, g.msi_address, g.msi_data}, 3, 0))) {
        printf("ahci: MSI could not be enabled; stopping\n");
        return 1;
    }
    if (quiet) /* the first start said it */
        ;
    else if (ahci_hba.port_count == 0)
        printf("ahci: no disks on this controller; waiting\n");
    else
        printf("ahci: serving %u disk%s, interrupts through %s\n", ahci_hba.port_count,
               ahci_hba.port_count == 1 ? "" : "s", g.msi ? "MSI" : "INTx");
    block_server_run(ahci_server);
}
