/*
 * The NVMe driver (docs/disks.md, "NVMe"): started by procsrv for an NVM Express controller
 * (PCI class 01.08.02, the manifest's pci=01.08.02) with its BAR 0, its interrupt and its
 * function's configuration space. It takes the controller (controller.c), then serves every
 * active namespace it can use as a disk through the block server library
 * (lib/libsys/block_server.h): the library checks and hands over requests (start), the driver
 * builds commands with PRPs straight from the requests' physical pieces (queue.c) and completes
 * them from its interrupts: MSI-X when the function has MSI-X and procsrv gave MSI vectors,
 * else INTx.
 *
 * With MSI-X, one I/O queue pair per CPU (as many as the controller grants), pair i's
 * completion queue on MSI-X entry i, whose vector procsrv routes to CPU i (PROC_GRANT_MSI, then
 * one PROC_GRANT_MSIX_VECTOR per further CPU); a session's requests go to the pair of the CPU
 * its client named in BLOCK_OPEN (block_set_cpu), else to pair (session index mod pairs), and
 * each pair has its own service thread on its CPU, its vector bound to that thread's
 * notification (driver.h; docs/disks.md, "Queue pairs"). With INTx, one pair, one thread.
 *
 * Arguments (the manifest's `-- ...`), for tests: timeout-io=MS and timeout-flush=MS replace
 * the time-outs (30 s, 60 s); log-queues logs the commands each I/O queue pair completed
 * whenever the driver goes idle (queue_log_counts); prp describes every transfer with PRPs even
 * where the controller takes SGLs (to compare the two); no-merge sends every request as a
 * command of its own (queue.c merges sequential ones otherwise).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "block/block_args.h"
#include "driver.h"
#include "libsys/block_driver.h"
#include "libsys/block_server.h"
#include "libsys/invoke.h"
#include "libsys/pci_driver.h"
#include "libsys/service.h"
#include "libsys/watchdog.h"
#include "proto/pci.h"

#define BAR_INDEX             0
#define PCI_CAP_POINTER       0x34
#define PCI_CAP_MSIX          0x11
#define MSIX_CONTROL_ENABLE   (1u << 15)
#define MSIX_CONTROL_MASK_ALL (1u << 14)
#define SHUTDOWN_QUIET_TICKS  2 /* no request for this long after the signal: shut down */
/* The service threads' priority: the manifests' for nvme (a thread cannot read its own). */
#define NVME_THREAD_PRIORITY 172

/* The driver's bits on the block server's notification. */
#define NVME_BIT_IRQ      0
#define NVME_BIT_TICK     1
#define NVME_BIT_SHUTDOWN 2
#define NVME_BIT_VECTOR   3 /* MSI-X vectors 1.. (vector 0 is NVME_BIT_IRQ): bits 3.. */

struct block_server *nvme_server;
static struct block_disk_info disks[NVME_MAX_DISKS];
static uint64_t irq_handler;
/* INTx: the kernel masks the line at each interrupt until irq_handler_ack. An MSI(-X) cannot
   be masked, and acknowledging one does nothing (kernel/irq.c): a system call saved on every
   interrupt. */
static bool irq_needs_ack;
static bool shutting_down;
static uint64_t started, started_at_last_tick;
static unsigned quiet_ticks;
/* log-queues: the pair + 1 each session's requests were last logged going to. */
static unsigned logged_queue[BLOCK_MAX_SESSIONS];

/* MSI-X (PCI 3.0 section 6.8.2): table entry i in the BAR (this driver's own memory) gets the
   address and data of procsrv's i-th MSI grant (vector 0 its PROC_GRANT_MSI, then its
   PROC_GRANT_MSIX_VECTORs), unmasked, for as many entries as the table has; then the
   capability's enable bit through the pci server. Sets *vectors to the entries programmed.
   Returns why not, or NULL. */
static const char *enable_msix(const struct pci_driver_grants *g, unsigned *vectors)
{
    uint64_t at = 0, id = 0, control = 0, table = 0;
    if (!pci_driver_config_read(g, PCI_CAP_POINTER, 1, &at))
        return "its capability list cannot be read";
    for (unsigned hops = 0; at >= 0x40 && at < 0x100 && hops < 48; hops++) {
        if (!pci_driver_config_read(g, (unsigned)at, 1, &id))
            return "its capability list cannot be read";
        if (id == PCI_CAP_MSIX)
            break;
        if (!pci_driver_config_read(g, (unsigned)at + 1, 1, &at))
            return "its capability list cannot be read";
    }
    if (id != PCI_CAP_MSIX || at < 0x40 || at >= 0x100)
        return "it has no MSI-X capability";
    if (!pci_driver_config_read(g, (unsigned)at + 2, 2, &control) ||
        !pci_driver_config_read(g, (unsigned)at + 4, 4, &table))
        return "its MSI-X capability cannot be read";
    uint64_t offset = table & ~7ull;
    if ((table & 7) != BAR_INDEX || offset + 16 > g->bar_bytes)
        return "its MSI-X table is not inside BAR 0";
    unsigned table_size = (unsigned)(control & 0x7ff) + 1;
    unsigned n = 1 + g->extra_vectors < table_size ? 1 + g->extra_vectors : table_size;
    if (n > NVME_MAX_QUEUES)
        n = NVME_MAX_QUEUES;
    if (offset + 16ull * n > g->bar_bytes)
        n = 1;
    for (unsigned i = 0; i < n; i++) {
        volatile uint32_t *entry = g->bar + offset / 4 + 4 * i;
        uint64_t address = i ? g->extra[i - 1].msi_address : g->msi_address;
        entry[0] = (uint32_t)address;
        entry[1] = (uint32_t)(address >> 32);
        entry[2] = (uint32_t)(i ? g->extra[i - 1].msi_data : g->msi_data);
        entry[3] = 0; /* unmasked */
    }
    *vectors = n;
    if (!pci_driver_config_write(g, (unsigned)at + 2, 2,
                                 (control | MSIX_CONTROL_ENABLE) &
                                     ~(uint64_t)MSIX_CONTROL_MASK_ALL))
        return "the pci server refused to enable MSI-X";
    return NULL;
}

void disks_failed(void)
{
    for (unsigned i = 0; i < nvme.disk_count; i++)
        disks[i].flags |= BLOCK_INFO_FAILED;
}

/* The library's start hook: r becomes a command in a free slot. */
static bool start(struct block_server *bs, const struct block_server_request *r)
{
    unsigned queue = (r->cpu ? r->cpu - 1 : r->session) % nvme.queue_count;
    if (nvme_log_queues && r->cpu && logged_queue[r->session] != queue + 1) {
        logged_queue[r->session] = queue + 1; /* once per session and pair: the test's proof */
        printf("nvme: session %u from CPU %u: queue pair %u\n", r->session + 1, r->cpu - 1,
               queue + 1);
    }
    struct queue_io io = {
        .op = r->op,
        .fua = (r->flags & BLOCK_FLAG_FUA) != 0,
        .disk = r->disk,
        .lba = r->lba,
        .count = r->count,
        .segments = r->segments,
        .segment_count = r->segment_count,
        .cookie = r->id,
        .queue = queue,
    };
    int status = queue_submit(&io);
    if (status == QUEUE_FULL)
        return false;
    started++;
    unsigned thread = block_server_thread(bs);
    nvme.thread_started[thread]++;
    if (nvme.threads > 1 && thread != queue)
        nvme.foreign_started++;
    if (status != BLOCK_OK)
        block_server_complete(nvme_server, r->id, (uint32_t)status);
    return true;
}

/* Asks for a tick while anything is in flight or a shutdown waits for quiet. */
static void arm_if_busy(void)
{
    if (queue_busy() || (shutting_down && quiet_ticks < SHUTDOWN_QUIET_TICKS))
        libsys_watchdog_arm();
}

static void kick(struct block_server *bs)
{
    (void)bs;
    queue_kick();
    arm_if_busy();
}

/* The shutdown sequence (procsrv's signal): the file servers commit first, so the controller
   is shut down (CC.SHN) once no request has come for SHUTDOWN_QUIET_TICKS ticks. */
static void shutdown_tick(void)
{
    if (started != started_at_last_tick || queue_busy()) {
        started_at_last_tick = started;
        quiet_ticks = 0;
        return;
    }
    if (++quiet_ticks == SHUTDOWN_QUIET_TICKS) {
        controller_shutdown();
        proc_shutdown_ready();
    }
}

/* The library's interrupt hook: completions (looked for on every wake-up: a tick and an
   interrupt may come as one), the watchdog's tick, the shutdown signal. */
static void interrupt(struct block_server *bs, uint32_t bits)
{
    /* A thread per pair drains its own pair (a time-out's tick drains them all, queue.c).
       With fewer threads than pairs (one did not start) some pair has no thread whose vector
       is its own: every thread drains every pair. */
    if (nvme.threads > 1 && nvme.threads == nvme.queue_count)
        queue_interrupt_pair(block_server_thread(bs));
    else
        queue_interrupt();
    if (bits & (1u << NVME_BIT_IRQ))
        nvme.interrupts[0]++;
    for (unsigned v = 1; v < nvme.vector_count; v++)
        if (bits & (1u << (NVME_BIT_VECTOR + v - 1)))
            nvme.interrupts[v]++;
    if ((bits & (1u << NVME_BIT_IRQ)) && irq_needs_ack)
        irq_handler_ack(irq_handler);
    if (bits & (1u << NVME_BIT_SHUTDOWN) && !shutting_down) {
        shutting_down = true;
        started_at_last_tick = started;
    }
    if (bits & (1u << NVME_BIT_TICK)) {
        libsys_watchdog_fired();
        nvme.tick++;
        queue_tick();
        if (shutting_down && quiet_ticks < SHUTDOWN_QUIET_TICKS)
            shutdown_tick();
    }
    arm_if_busy();
}

/* The BLOCK_INFO entry of disk i. */
static void describe(struct block_disk_info *d, unsigned i)
{
    const struct nvme_disk *n = &nvme.disks[i];
    d->sector_size = n->ns.block_size;
    d->sectors = n->ns.blocks;
    d->flags = (nvme.id.write_cache ? BLOCK_INFO_WRITE_CACHE : 0) | BLOCK_INFO_FUA;
    d->depth = nvme.slot_count;
    uint64_t most = NVME_MAX_REQUEST;
    if (nvme.id.max_transfer && nvme.id.max_transfer < most)
        most = nvme.id.max_transfer;
    d->max_bytes = (uint32_t)(most - most % n->ns.block_size);
    snprintf(d->model, sizeof d->model, "%s", nvme.id.model);
    snprintf(d->serial, sizeof d->serial, "%s", nvme.id.serial);
}

static struct block_server_driver driver = {
    .name = "nvme",
    .disks = disks,
    .start = start,
    .interrupt = interrupt,
    .kick = kick,
};

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "log-queues") == 0)
            nvme_log_queues = true;
        else if (strcmp(argv[i], "prp") == 0)
            nvme_use_sgl = false;
        else if (strcmp(argv[i], "no-merge") == 0)
            nvme_merge = false;
        else if (!block_timeout_argument("nvme", argv[i], "timeout-io", &nvme_timeouts.io_ms) &&
                 !block_timeout_argument("nvme", argv[i], "timeout-flush", &nvme_timeouts.flush_ms))
            printf("nvme: unknown argument '%s' ignored\n", argv[i]);
    struct pci_driver_grants g = pci_driver_find_grants(libsys_proc_info(), BAR_INDEX);
    if (!g.pci || !g.bar || g.bar_bytes < 0x2000) {
        printf("nvme: no controller granted (the manifest starts it with pci=01.08.02); "
               "stopping\n");
        return 1;
    }
    if (!pci_driver_enable_bus_master(&g, g.msi)) {
        printf("nvme: bus mastering could not be enabled; stopping\n");
        return 1;
    }
    /* MSI-X before the controller makes its queues: QEMU 7.2 ties a completion queue to its
       vector only if MSI-X is on when the queue is created (msix_vector_use in nvme_init_cq);
       a queue made before never signals. */
    unsigned vectors = 1;
    const char *why = g.msi ? enable_msix(&g, &vectors) : NULL;
    if (why) {
        printf("nvme: MSI-X: %s; stopping\n", why);
        return 1;
    }
    why = controller_start(g.bar, vectors, g.msi ? (unsigned)libsys_proc_info()->cpu_count : 1);
    if (why) {
        printf("nvme: %s; stopping\n", why);
        return 1;
    }
    /* The reset stopped every queue an earlier driver left: its memory may go. */
    proc_device_reset();
    for (unsigned i = 0; i < nvme.disk_count; i++)
        describe(&disks[i], i);
    driver.disk_count = nvme.disk_count;
    irq_handler = g.handler;
    irq_needs_ack = !g.msi;
    nvme_server = block_driver_setup(&driver, g.handler, NVME_BIT_IRQ, NVME_BIT_TICK, NVME_TICK_MS,
                                     "nvme-watchdog");
    if (!nvme_server)
        return 1;
    /* A service thread per pair when each pair has its vector: thread i on CPU i. */
    nvme.threads = 1;
    if (nvme.queue_count > 1 && nvme.vector_count >= nvme.queue_count) {
        uint64_t cpus[NVME_MAX_QUEUES];
        for (unsigned i = 0; i < nvme.queue_count; i++)
            cpus[i] = i;
        nvme.threads =
            block_server_threads(nvme_server, nvme.queue_count, cpus, NVME_THREAD_PRIORITY);
    }
    for (unsigned v = 1; v < nvme.vector_count; v++) { /* each further vector: its own bit */
        uint64_t bit = block_server_thread_notification(nvme_server, v % nvme.threads,
                                                        NVME_BIT_VECTOR + v - 1);
        if (!bit || irq_handler_set_notification(g.extra[v - 1].handler, bit) != ERR_OK) {
            printf("nvme: MSI-X vector %u cannot be bound; stopping\n", v);
            return 1;
        }
    }
    uint64_t shutdown = block_server_driver_notification(nvme_server, NVME_BIT_SHUTDOWN);
    if (!shutdown || !result_is_ok(proc_shutdown_notify(shutdown)))
        printf("nvme: warning: procsrv did not take the shutdown notification\n");
    if (nvme.disk_count == 0)
        printf("nvme: no namespace it can serve; waiting\n");
    else
        printf("nvme: serving %u namespace%s, interrupts through %s (%u vector%s)\n",
               nvme.disk_count, nvme.disk_count == 1 ? "" : "s", g.msi ? "MSI-X" : "INTx",
               nvme.vector_count, nvme.vector_count == 1 ? "" : "s");
    if (nvme.threads > 1)
        printf("nvme: %u service threads, one per queue pair on its CPU\n", nvme.threads);
    block_server_run(nvme_server);
}
