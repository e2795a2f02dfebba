/*
 * A port's command slots and state machine (docs/disks.md, "Requests: the hot path" and
 * "Errors, time-outs and the port state machine"). Requests become
 * commands in free slots (port_submit builds the FIS and the PRDs in the slot's table), go to
 * the HBA in batches (port_kick), end through the interrupt (port_interrupt) and time out on
 * the watchdog's ticks (port_tick).
 *
 * Errors, as MINIX 3's driver handles them: TFES, HBFS, HBDS or IFS (or a time-out) restarts
 * the port (PxCMD.ST off, wait for CR, clear the errors, COMRESET if the device stays busy or
 * NCQ commands were in flight, ST on) without waiting in place: each step that must wait is a
 * state the next tick looks at again. Every command that was in flight is tried again, one at a
 * time, so an error can be blamed on one command: that one is retried up to AHCI_RETRIES times
 * and then fails alone (BLOCK_ERROR_IO and a line naming the disk and the LBA).
 */
#include <stdio.h>
#include <string.h>

#include "driver.h"
#include "libsys/block_server.h"
#include "libsys/service.h"

#define AHCI_DMA_BASE   0x540000000000ul /* where each port's DMA memory is mapped */
#define LIST_OFFSET     0
#define RFIS_OFFSET     1024
#define TABLES_OFFSET   2048
#define IDENTIFY_OFFSET (TABLES_OFFSET + AHCI_SLOTS * AHCI_TABLE_BYTES)
#define FIS_DWORDS      5
#define STARTUP_WAIT_MS 10000 /* BSY after power-up, and IDENTIFY, at most (bounded waits) */
#define STOP_MS         500
#define RESET_WAIT_MS   10000

_Static_assert(IDENTIFY_OFFSET + 512 <= AHCI_PORT_DMA, "a port's DMA memory holds it all");

struct ahci_timeouts ahci_timeouts = {30000, 60000, 10000};
bool ahci_no_ncq;

/* Ticks from now until ms have passed (rounded up, and one more: the current tick is part
   gone). */
static uint64_t deadline_after(uint32_t ms)
{
    return ahci_hba.tick + (ms + AHCI_TICK_MS - 1) / AHCI_TICK_MS + 1;
}

/* Waits (start-up only) until (register & mask) == want, at most ms. */
static bool startup_wait(struct ahci_port *p, unsigned offset, uint32_t mask, uint32_t want,
                         unsigned ms)
{
    for (unsigned waited = 0;; waited += 10) {
        if ((port_read(p, offset) & mask) == want)
            return true;
        if (waited >= ms)
            return false;
        proc_sleep_ms(10);
    }
}

/* Fills slot's header for a command of prds entries. */
static void set_header(struct ahci_port *p, unsigned slot, unsigned prds, bool write)
{
    struct ahci_command_header *h = &p->list[slot];
    h->flags = (uint16_t)(FIS_DWORDS | (write ? AHCI_HEADER_WRITE : 0));
    h->prdtl = (uint16_t)prds;
    h->prdbc = 0;
}

/* IDENTIFY DEVICE in slot 0, waited for (start-up only). */
static const char *identify(struct ahci_port *p)
{
    static const struct ahci_io_mode plain = {0};
    struct ahci_command_table *t = &p->tables[0];
    uint8_t op;
    ahci_fis_build(t->cfis, &plain, AHCI_IO_IDENTIFY, 0, 0, 0, false, &op);
    t->prd[0] = (struct ahci_prd){p->dma_phys + IDENTIFY_OFFSET, 0, 511};
    set_header(p, 0, 1, false);
    port_write(p, AHCI_PX_CI, 1);
    if (!startup_wait(p, AHCI_PX_CI, 1, 0, STARTUP_WAIT_MS))
        return "IDENTIFY DEVICE did not end in 10 s";
    uint32_t tfd = port_read(p, AHCI_PX_TFD);
    if ((port_read(p, AHCI_PX_IS) & AHCI_PX_IS_ERRORS) || (tfd & AHCI_TFD_ERR))
        return "IDENTIFY DEVICE failed";
    enum ahci_identify_error e = ahci_identify_parse(p->identify, &p->id);
    return e == AHCI_IDENTIFY_OK ? NULL : ahci_identify_error_text(e);
}

bool port_dma(struct ahci_port *p)
{
    uint64_t address = AHCI_DMA_BASE + (uint64_t)p->index * AHCI_PORT_DMA;
    if (!result_is_ok(mem_dma(address, AHCI_PORT_DMA, &p->dma_phys)))
        return false;
    p->dma = (uint8_t *)address;
    p->list = (struct ahci_command_header *)(p->dma + LIST_OFFSET);
    p->tables = (struct ahci_command_table *)(p->dma + TABLES_OFFSET);
    p->identify = (uint16_t *)(p->dma + IDENTIFY_OFFSET);
    for (unsigned i = 0; i < AHCI_SLOTS; i++)
        p->list[i].ctba = p->dma_phys + TABLES_OFFSET + i * AHCI_TABLE_BYTES;
    return true;
}

void port_dma_drop(struct ahci_port *p)
{
    if (!p->dma)
        return;
    mem_unmap((uint64_t)p->dma);
    p->dma = 0;
}

const char *port_bring_up(struct ahci_port *p)
{
    /* hba_prepare may have mapped DMA memory for a disk seen before the handover: a port
       skipped here gives it back (port_dma_drop), or a skipped port's memory would stay
       mapped for the driver's life. Until CLB and FB are written below, the port never saw
       it. */
    uint32_t sig = port_read(p, AHCI_PX_SIG);
    if (sig == AHCI_SIG_ATAPI) {
        port_dma_drop(p);
        return "an ATAPI device (CD or DVD drive)";
    }
    if (sig == AHCI_SIG_SEMB || sig == AHCI_SIG_PORT_MUL) {
        port_dma_drop(p);
        return "an enclosure bridge or port multiplier, not supported";
    }
    if (!p->dma && !port_dma(p)) /* hba_prepare's, for a disk seen before the handover */
        return "no DMA memory for it";
    if (p->dma_phys >> 32 && !(ahci_hba.cap & AHCI_CAP_S64A)) {
        port_dma_drop(p);
        return "its DMA memory is above 4 GiB and the controller has only 32-bit addresses";
    }
    uint64_t address = (uint64_t)p->dma;
    uint64_t list = p->dma_phys + LIST_OFFSET, rfis = p->dma_phys + RFIS_OFFSET;
    port_write(p, AHCI_PX_CLB, (uint32_t)list);
    port_write(p, AHCI_PX_CLBU, (uint32_t)(list >> 32));
    port_write(p, AHCI_PX_FB, (uint32_t)rfis);
    port_write(p, AHCI_PX_FBU, (uint32_t)(rfis >> 32));
    port_write(p, AHCI_PX_SERR, ~0u);
    port_write(p, AHCI_PX_IS, ~0u);
    port_write(p, AHCI_PX_CMD, port_read(p, AHCI_PX_CMD) | AHCI_PX_CMD_FRE);
    if (!startup_wait(p, AHCI_PX_TFD, AHCI_TFD_BSY | AHCI_TFD_DRQ, 0, STARTUP_WAIT_MS)) {
        /* FB points at the memory now: it goes back only once FIS receive has stopped (a
           port that will not stop keeps it: a leak, not memory the device may write into
           after memsrv gave it to another). */
        port_write(p, AHCI_PX_CMD, port_read(p, AHCI_PX_CMD) & ~AHCI_PX_CMD_FRE);
        if (startup_wait(p, AHCI_PX_CMD, AHCI_PX_CMD_FR, 0, STARTUP_WAIT_MS))
            port_dma_drop(p);
        return "the device stays busy after its reset";
    }
    sig = port_read(p, AHCI_PX_SIG);
    if (sig == AHCI_SIG_ATAPI)
        return "an ATAPI device (CD or DVD drive)";
    port_write(p, AHCI_PX_CMD, port_read(p, AHCI_PX_CMD) | AHCI_PX_CMD_ST);
    const char *why = identify(p);
    if (why) {
        /* Not a disk this driver can use: its engines stop and its memory goes back. */
        port_write(p, AHCI_PX_CMD, port_read(p, AHCI_PX_CMD) & ~(AHCI_PX_CMD_ST | AHCI_PX_CMD_FRE));
        mem_unmap(address);
        p->dma = 0;
        return why;
    }
    p->mode.ncq = p->id.ncq && (ahci_hba.cap & AHCI_CAP_SNCQ) && !ahci_no_ncq;
    p->mode.lba48 = p->id.lba48;
    p->mode.fua = p->id.fua;
    p->depth = ahci_hba.slots < AHCI_SLOTS ? ahci_hba.slots : AHCI_SLOTS;
    if (p->mode.ncq && p->id.queue_depth < p->depth)
        p->depth = p->id.queue_depth;
    p->free_mask = p->depth == 32 ? ~0u : (1u << p->depth) - 1;
    port_write(p, AHCI_PX_SERR, ~0u);
    port_write(p, AHCI_PX_IS, ~0u);
    port_write(p, AHCI_PX_IE, AHCI_PX_IE_USED);
    p->state = PORT_RUNNING;
    return NULL;
}

bool port_busy(const struct ahci_port *p)
{
    return p->state != PORT_FAILED &&
           (p->state != PORT_RUNNING || p->issued_queued || p->issued_plain || p->waiting_mask);
}

/* Gives slot back and tells its owner. */
static void finish(struct ahci_port *p, unsigned slot, int status)
{
    struct ahci_slot *s = &p->slots[slot];
    uint32_t bit = 1u << slot;
    uint64_t cookie = s->cookie;
    p->waiting_mask &= ~bit;
    p->issued_queued &= ~bit;
    p->issued_plain &= ~bit;
    p->suspect_mask &= ~bit;
    s->state = SLOT_FREE;
    p->free_mask |= bit;
    if (status == BLOCK_OK)
        p->completed++;
    else
        p->failed++;
    block_server_complete(ahci_server, (unsigned)cookie, (uint32_t)status);
}

int port_submit(struct ahci_port *p, const struct port_io *io)
{
    if (p->state == PORT_FAILED)
        return BLOCK_ERROR_NO_DEVICE;
    if (!p->free_mask)
        return PORT_SUBMIT_FULL;
    unsigned slot = lowest_bit(p->free_mask);
    struct ahci_slot *s = &p->slots[slot];
    struct ahci_command_table *t = &p->tables[slot];
    enum ahci_io_kind kind = io->op == BLOCK_OP_READ    ? AHCI_IO_READ
                             : io->op == BLOCK_OP_WRITE ? AHCI_IO_WRITE
                                                        : AHCI_IO_FLUSH;
    unsigned prds = 0;
    if (kind != AHCI_IO_FLUSH) {
        prds = ahci_prd_build(t->prd, AHCI_TABLE_PRDS, io->segments, io->segment_count);
        if (!prds)
            return BLOCK_ERROR_REGION;
    }
    uint8_t op;
    *s = (struct ahci_slot){
        .state = SLOT_WAITING,
        .kind = (uint8_t)kind,
        .queued = ahci_fis_build(t->cfis, &p->mode, kind, io->lba, io->count, slot, io->fua, &op),
        .flush_after = kind == AHCI_IO_WRITE && io->fua && !p->mode.ncq && !p->mode.fua,
        .lba = io->lba,
        .count = io->count,
        .seq = p->seq++,
        .cookie = io->cookie,
    };
    set_header(p, slot, prds, kind == AHCI_IO_WRITE);
    p->free_mask &= ~(1u << slot);
    p->waiting_mask |= 1u << slot;
    return BLOCK_OK;
}

/* The time-out of slot's command, in ms. */
static uint32_t timeout_ms(const struct ahci_slot *s)
{
    if (s->kind == AHCI_IO_FLUSH)
        return ahci_timeouts.flush_ms;
    return s->kind == AHCI_IO_IDENTIFY ? ahci_timeouts.other_ms : ahci_timeouts.io_ms;
}

/* Marks the slots in mask issued and writes PxSACT (the queued ones) and PxCI once each. */
static void issue(struct ahci_port *p, uint32_t mask)
{
    uint32_t queued = 0;
    for (uint32_t m = mask; m; m &= m - 1) {
        unsigned slot = lowest_bit(m);
        struct ahci_slot *s = &p->slots[slot];
        s->state = SLOT_ISSUED;
        s->deadline = deadline_after(timeout_ms(s));
        if (s->queued)
            queued |= 1u << slot;
    }
    p->waiting_mask &= ~mask;
    p->issued_queued |= queued;
    p->issued_plain |= mask & ~queued;
    if (queued)
        port_write(p, AHCI_PX_SACT, queued);
    port_write(p, AHCI_PX_CI, mask);
}

/* The waiting slot submitted first among mask. */
static unsigned oldest(const struct ahci_port *p, uint32_t mask)
{
    unsigned best = lowest_bit(mask);
    for (uint32_t m = mask & (mask - 1); m; m &= m - 1) {
        unsigned slot = lowest_bit(m);
        if (p->slots[slot].seq < p->slots[best].seq)
            best = slot;
    }
    return best;
}

void port_kick(struct ahci_port *p)
{
    if (p->state != PORT_RUNNING || !p->waiting_mask)
        return;
    uint32_t in_flight = p->issued_queued | p->issued_plain;
    if (p->suspect_mask) {
        /* After an error: the commands that were in flight go again one at a time, in order. */
        if (!in_flight)
            issue(p, 1u << oldest(p, p->suspect_mask));
        return;
    }
    /* The hot path: only queued commands waiting and no unqueued one in flight: all go. */
    uint32_t plain_waiting = 0;
    for (uint32_t m = p->waiting_mask; m; m &= m - 1)
        if (!p->slots[lowest_bit(m)].queued)
            plain_waiting |= 1u << lowest_bit(m);
    if (!plain_waiting) {
        if (!p->issued_plain)
            issue(p, p->waiting_mask);
        return;
    }
    /* Otherwise in order: queued and unqueued commands never in flight together, a flush
       only when nothing else is. A command that cannot go holds back those after it. */
    uint32_t waiting = p->waiting_mask, batch = 0;
    uint32_t queued_busy = p->issued_queued, plain_busy = p->issued_plain;
    while (waiting) {
        unsigned slot = oldest(p, waiting);
        const struct ahci_slot *s = &p->slots[slot];
        bool ok = s->queued                  ? !plain_busy
                  : s->kind == AHCI_IO_FLUSH ? !queued_busy && !plain_busy && !batch
                                             : !queued_busy;
        if (!ok)
            break;
        batch |= 1u << slot;
        waiting &= ~(1u << slot);
        if (s->queued)
            queued_busy |= 1u << slot;
        else
            plain_busy |= 1u << slot;
        if (s->kind == AHCI_IO_FLUSH)
            break;
    }
    if (batch)
        issue(p, batch);
}

/* A command ended well: a FUA write the device cannot do becomes a flush in the same slot. */
static void ended(struct ahci_port *p, unsigned slot)
{
    struct ahci_slot *s = &p->slots[slot];
    if (!s->flush_after) {
        finish(p, slot, BLOCK_OK);
        return;
    }
    uint8_t op;
    ahci_fis_build(p->tables[slot].cfis, &p->mode, AHCI_IO_FLUSH, 0, 0, slot, false, &op);
    set_header(p, slot, 0, false);
    s->kind = AHCI_IO_FLUSH;
    s->queued = false;
    s->flush_after = false;
    s->state = SLOT_WAITING;
    p->issued_plain &= ~(1u << slot);
    p->waiting_mask |= 1u << slot;
}

/* Gives up on the port: everything fails, from now on too. */
static void port_fail(struct ahci_port *p, const char *why)
{
    printf("ahci: disk %u (port %u, %s): %s; the disk is failed\n", p->disk, p->index, p->id.model,
           why);
    p->state = PORT_FAILED;
    port_write(p, AHCI_PX_IE, 0);
    disk_failed(p);
    for (unsigned slot = 0; slot < AHCI_SLOTS; slot++)
        if (p->slots[slot].state != SLOT_FREE)
            finish(p, slot, BLOCK_ERROR_NO_DEVICE);
}

/* Starts the command engine again and sends what waits (the last restart step). */
static void restart_done(struct ahci_port *p)
{
    port_write(p, AHCI_PX_SERR, ~0u);
    port_write(p, AHCI_PX_IS, ~0u);
    port_write(p, AHCI_PX_IE, AHCI_PX_IE_USED);
    port_write(p, AHCI_PX_CMD, port_read(p, AHCI_PX_CMD) | AHCI_PX_CMD_FRE | AHCI_PX_CMD_ST);
    p->state = PORT_RUNNING;
    p->reset_wanted = false;
    port_kick(p);
}

/* One step of a restart: whatever the current state waits for, if it has come. */
static void restart_step(struct ahci_port *p)
{
    bool late = ahci_hba.tick >= p->state_deadline;
    switch (p->state) {
    case PORT_STOPPING:
        if (port_read(p, AHCI_PX_CMD) & AHCI_PX_CMD_CR) {
            if (late)
                port_fail(p, "the port would not stop for a restart");
            return;
        }
        port_write(p, AHCI_PX_SERR, ~0u);
        port_write(p, AHCI_PX_IS, ~0u);
        if (!p->reset_wanted && !(port_read(p, AHCI_PX_TFD) & (AHCI_TFD_BSY | AHCI_TFD_DRQ))) {
            restart_done(p);
            return;
        }
        port_write(p, AHCI_PX_SCTL, (port_read(p, AHCI_PX_SCTL) & ~0xfu) | AHCI_SCTL_DET_RESET);
        p->state = PORT_RESET_HOLD;
        p->state_deadline = ahci_hba.tick + 1; /* held until the next tick: well over 1 ms */
        return;
    case PORT_RESET_HOLD:
        if (!late)
            return;
        port_write(p, AHCI_PX_SCTL, port_read(p, AHCI_PX_SCTL) & ~0xfu);
        p->state = PORT_RESET_WAIT;
        p->state_deadline = deadline_after(RESET_WAIT_MS);
        restart_step(p);
        return;
    case PORT_RESET_WAIT:
        if (AHCI_SSTS_DET(port_read(p, AHCI_PX_SSTS)) == AHCI_SSTS_DET_READY &&
            !(port_read(p, AHCI_PX_TFD) & (AHCI_TFD_BSY | AHCI_TFD_DRQ))) {
            restart_done(p);
            return;
        }
        if (late)
            port_fail(p, "the device did not come back from COMRESET");
        return;
    default:
        return;
    }
}

/* An error (interrupt bits, the device's ERR, or a time-out): every command in flight is tried
   again alone; one that was alone already counts a retry, and fails after AHCI_RETRIES. */
static void port_error(struct ahci_port *p, uint32_t is, bool timed_out)
{
    uint32_t tfd = port_read(p, AHCI_PX_TFD);
    uint32_t in_flight = p->issued_queued | p->issued_plain;
    bool queued = p->issued_queued != 0;
    printf("ahci: disk %u (port %u): %s with %u command%s in flight (PxIS 0x%x, status 0x%x, "
           "error 0x%x); restarting the port\n",
           p->disk, p->index, timed_out ? "time-out" : "error", bit_count(in_flight),
           bit_count(in_flight) == 1 ? "" : "s", is, tfd & 0xff, (tfd >> 8) & 0xff);
    if (in_flight && !(in_flight & (in_flight - 1))) {
        unsigned slot = lowest_bit(in_flight);
        struct ahci_slot *s = &p->slots[slot];
        if (s->retries >= AHCI_RETRIES) {
            printf("ahci: disk %u (port %u, %s): %s at LBA %llu (%u sector%s) after %u retries "
                   "(status 0x%x, error 0x%x)\n",
                   p->disk, p->index, p->id.model, timed_out ? "time-out" : "I/O error",
                   (unsigned long long)s->lba, s->count, s->count == 1 ? "" : "s", AHCI_RETRIES,
                   tfd & 0xff, (tfd >> 8) & 0xff);
            finish(p, slot, timed_out ? BLOCK_ERROR_TIMEOUT : BLOCK_ERROR_IO);
            in_flight = 0;
        } else {
            s->retries++;
            p->retries++;
            block_server_count_retry(ahci_server);
        }
    }
    for (uint32_t m = in_flight; m; m &= m - 1) {
        unsigned slot = lowest_bit(m);
        p->slots[slot].state = SLOT_WAITING;
        p->waiting_mask |= 1u << slot;
        p->suspect_mask |= 1u << slot;
    }
    p->issued_queued = p->issued_plain = 0;
    /* Restart: QEMU keeps an NCQ tag that failed in use until a COMRESET, as real devices
       keep the queue halted, so NCQ errors and time-outs always reset the link. */
    p->reset_wanted = p->reset_wanted || timed_out || queued;
    p->resets++;
    block_server_count_reset(ahci_server);
    port_write(p, AHCI_PX_CMD, port_read(p, AHCI_PX_CMD) & ~AHCI_PX_CMD_ST);
    p->state = PORT_STOPPING;
    p->state_deadline = deadline_after(STOP_MS);
    restart_step(p);
}

void port_interrupt(struct ahci_port *p)
{
    uint32_t is = port_read(p, AHCI_PX_IS);
    if (is)
        port_write(p, AHCI_PX_IS, is);
    if (p->state == PORT_FAILED)
        return;
    if (p->state != PORT_RUNNING) {
        restart_step(p);
        return;
    }
    /* A link event: PxSERR's diagnostics cleared (PCS stays set until they are), and a link
       that went away is an error that only a COMRESET may mend. */
    bool link_lost = false;
    if (is & (AHCI_PX_IS_PCS | AHCI_PX_IS_PRCS)) {
        port_write(p, AHCI_PX_SERR, port_read(p, AHCI_PX_SERR));
        link_lost = AHCI_SSTS_DET(port_read(p, AHCI_PX_SSTS)) != AHCI_SSTS_DET_READY;
    }
    if ((is & AHCI_PX_IS_ERRORS) || link_lost) {
        p->reset_wanted = p->reset_wanted || link_lost;
        port_error(p, is, false);
        return;
    }
    /* The hot path: one read of PxSACT (or PxCI) finds every command that ended. */
    uint32_t done = 0;
    if (p->issued_queued)
        done |= p->issued_queued & ~port_read(p, AHCI_PX_SACT);
    if (p->issued_plain)
        done |= p->issued_plain & ~port_read(p, AHCI_PX_CI);
    for (uint32_t m = done; m; m &= m - 1)
        ended(p, lowest_bit(m));
    /* What waits (a flush after a FUA write) goes at the library's kick after this event. */
}

void port_tick(struct ahci_port *p)
{
    if (p->state == PORT_FAILED)
        return;
    if (p->state != PORT_RUNNING) {
        restart_step(p);
        return;
    }
    for (uint32_t m = p->issued_queued | p->issued_plain; m; m &= m - 1) {
        if (p->slots[lowest_bit(m)].deadline <= ahci_hba.tick) {
            port_interrupt(p); /* it may have ended just now */
            if (p->state == PORT_RUNNING &&
                ((p->issued_queued | p->issued_plain) & (1u << lowest_bit(m))))
                port_error(p, 0, true);
            return;
        }
    }
}
