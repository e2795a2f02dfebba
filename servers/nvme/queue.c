/*
 * The I/O queue pairs' command slots (docs/disks.md, "NVMe"): requests become commands in free
 * slots (the slot index is the command id, unique over all pairs; each slot goes to the pair its
 * request names), go to the controller in batches (one submission doorbell per pair and round),
 * end through the interrupt (every new completion of every pair consumed, then one
 * completion-head doorbell per pair that moved: QEMU stalls a queue whose head is never rung)
 * and time out on the watchdog's ticks.
 *
 * Errors, as the AHCI driver handles them: a completion with an error status that may pass
 * (nvme_status_retryable) is sent again up to NVME_RETRIES times, then fails with the block
 * status it maps to and a line naming the namespace and the LBA; one that cannot pass (LBA out
 * of range, a read-only range) fails at once. A command past its deadline is aborted first
 * (Abort, NVMe 1.4 section 5.1): if the controller aborts it and it completes within
 * NVME_ABORT_MS, it counts a retry and goes again (after NVME_RETRIES it fails with
 * BLOCK_ERROR_TIMEOUT), with no reset. An Abort refused or not answered, an aborted command that
 * does not complete, or CSTS.CFS, resets the controller (controller_reset); every command that was
 * in flight becomes a suspect, and the suspects are sent again one at a time (new requests wait),
 * so a time-out can be blamed on one command: a suspect that times out alone counts a retry and
 * fails with BLOCK_ERROR_TIMEOUT after NVME_RETRIES. A controller that does not come back fails its
 * disks.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "driver.h"
#include "libsys/block_server.h"
#include "libsys/service.h"

struct nvme_timeouts nvme_timeouts = {30000, 60000};
bool nvme_log_queues;
bool nvme_use_sgl = true;

/* Ticks from now until ms have passed (rounded up, and one more: the current tick is part
   gone). */
static uint64_t deadline_after(uint32_t ms)
{
    return nvme.tick + (ms + NVME_TICK_MS - 1) / NVME_TICK_MS + 1;
}

static uint64_t slot_deadline(const struct nvme_slot *s)
{
    return deadline_after(s->command.opcode == NVME_IO_FLUSH ? nvme_timeouts.flush_ms
                                                             : nvme_timeouts.io_ms);
}

/* The lowest set bit's index of a non-zero mask (GCC's builtin is one instruction; C11 has no
   word for it). */
static unsigned lowest_bit(uint64_t mask)
{
    return (unsigned)__builtin_ctzll(mask);
}

bool queue_busy(void)
{
    uint64_t all = nvme.slot_count == 64 ? ~0ull : (1ull << nvme.slot_count) - 1;
    return nvme.state == NVME_RUNNING && nvme.free_mask != all;
}

/* Gives the slot back and tells the library. */
static void finish(unsigned slot, uint32_t status)
{
    struct nvme_slot *s = &nvme.slots[slot];
    s->busy = false;
    s->aborting = false;
    nvme.free_mask |= 1ull << slot;
    nvme.suspect_mask &= ~(1ull << slot);
    nvme.waiting_mask &= ~(1ull << slot);
    block_server_complete(nvme_server, s->cookie, status);
}

int queue_submit(const struct queue_io *io)
{
    if (nvme.state != NVME_RUNNING)
        return BLOCK_ERROR_NO_DEVICE;
    if (!nvme.free_mask)
        return QUEUE_FULL;
    unsigned slot = lowest_bit(nvme.free_mask);
    struct nvme_slot *s = &nvme.slots[slot];
    const struct nvme_disk *d = &nvme.disks[io->disk];
    if (io->op == BLOCK_OP_FLUSH) {
        nvme_build_flush(&s->command, (uint16_t)slot, d->nsid);
    } else {
        uint64_t prp1, prp2;
        uint64_t *list = nvme.lists + (size_t)slot * NVME_LIST_ENTRIES;
        uint64_t list_phys = nvme.dma_phys + (uint64_t)((uint8_t *)list - nvme.dma);
        /* An SGL where the controller takes one: a contiguous piece is one descriptor, where
           PRPs name each of its pages (32 for 128 KiB), for the driver and the controller. */
        bool sgl = nvme.id.sgl && nvme_use_sgl &&
                   nvme_sgl_build(io->segments, io->segment_count, (uint8_t *)list, NVME_LIST_BYTES,
                                  list_phys, &prp1, &prp2);
        if (!sgl && !nvme_prp_build(io->segments, io->segment_count, list, NVME_LIST_ENTRIES,
                                    list_phys, &prp1, &prp2))
            return BLOCK_ERROR_REGION;
        nvme_build_rw(&s->command, io->op == BLOCK_OP_WRITE, (uint16_t)slot, d->nsid, io->lba,
                      io->count, io->fua, prp1, prp2);
        if (sgl)
            s->command.flags |= NVME_PSDT_SGL;
    }
    s->busy = true;
    s->sent = false;
    s->aborting = false;
    s->retries = 0;
    s->queue = (uint8_t)(io->queue < nvme.queue_count ? io->queue : 0);
    s->disk = io->disk;
    s->lba = io->lba;
    s->count = io->count;
    s->cookie = io->cookie;
    s->deadline = slot_deadline(s);
    nvme.free_mask &= ~(1ull << slot);
    nvme.waiting_mask |= 1ull << slot;
    return BLOCK_OK;
}

/* Puts slot's command in its pair's submission queue. */
static void send(unsigned slot)
{
    struct nvme_slot *s = &nvme.slots[slot];
    s->sent = true;
    nvme.waiting_mask &= ~(1ull << slot);
    s->deadline = slot_deadline(s);
    if (s->queue >= nvme.queue_count) /* a reset granted fewer pairs than before */
        s->queue = 0;
    controller_push(&nvme.queues[s->queue], &s->command);
}

void queue_kick(void)
{
    if (nvme.state != NVME_RUNNING)
        return;
    if (nvme.suspect_mask) {
        /* After a reset: the suspects one at a time, nothing else. */
        bool one_out = false;
        for (uint64_t m = nvme.suspect_mask; m; m &= m - 1)
            one_out = one_out || nvme.slots[lowest_bit(m)].sent;
        if (!one_out)
            send(lowest_bit(nvme.suspect_mask));
    } else {
        for (uint64_t m = nvme.waiting_mask; m; m &= m - 1)
            send(lowest_bit(m));
    }
    bool fenced = false;
    for (unsigned i = 0; i < nvme.queue_count; i++) {
        struct nvme_queue *q = &nvme.queues[i];
        if (!q->tail_moved)
            continue;
        q->tail_moved = false;
        if (!fenced) /* the entries are in memory before the doorbell */
            atomic_thread_fence(memory_order_release);
        fenced = true;
        reg_write(nvme_doorbell(&nvme.cap, q->qid, false), q->tail);
    }
}

/* Gives up on the controller: everything fails, from now on too. */
static void controller_failed(const char *why)
{
    printf("nvme: %s; its disks are failed\n", why);
    nvme.state = NVME_FAILED;
    disks_failed();
    for (unsigned slot = 0; slot < nvme.slot_count; slot++)
        if (nvme.slots[slot].busy)
            finish(slot, BLOCK_ERROR_NO_DEVICE);
}

/* A command ended with an error status: sent again if that may help, else failed, named. */
static void command_failed(unsigned slot, uint16_t status)
{
    struct nvme_slot *s = &nvme.slots[slot];
    bool aborted = s->aborting && NVME_STATUS_SCT(status) == 0 &&
                   NVME_STATUS_SC(status) == NVME_SC_ABORT_REQUESTED; /* DNR, M, CRD aside */
    s->aborting = false;
    if (aborted && s->retries >= NVME_RETRIES) {
        printf("nvme: disk %u (namespace %u): time-out at LBA %llu (%u block%s) after %u "
               "retries\n",
               s->disk, nvme.disks[s->disk].nsid, (unsigned long long)s->lba, s->count,
               s->count == 1 ? "" : "s", NVME_RETRIES);
        finish(slot, BLOCK_ERROR_TIMEOUT);
        return;
    }
    if (aborted || (nvme_status_retryable(status) && s->retries < NVME_RETRIES)) {
        s->retries++;
        block_server_count_retry(nvme_server);
        send(slot);
        return;
    }
    printf("nvme: disk %u (namespace %u): %s at LBA %llu (%u block%s)%s\n", s->disk,
           nvme.disks[s->disk].nsid, nvme_status_name(status), (unsigned long long)s->lba, s->count,
           s->count == 1 ? "" : "s", s->retries ? " after retries" : "");
    finish(slot, nvme_status_block(status));
}

/* Consumes queue q's new completions; whether there were any (its head doorbell rung). */
static bool drain(struct nvme_queue *q)
{
    bool consumed = false;
    for (;;) {
        volatile struct nvme_cqe *c = &q->cq[q->cursor.head];
        uint16_t status = c->status;
        if (!nvme_cq_ready(&q->cursor, status))
            break;
        atomic_thread_fence(memory_order_acquire);
        uint16_t cid = c->cid;
        nvme_cq_advance(&q->cursor);
        consumed = true;
        if (cid >= nvme.slot_count || !nvme.slots[cid].busy || !nvme.slots[cid].sent ||
            nvme.slots[cid].queue != q->qid - 1) {
            printf("nvme: a completion for command %u on queue %u, which is not in flight there; "
                   "ignored\n",
                   cid, q->qid);
            continue;
        }
        q->completed++;
        status >>= 1;
        if (status == 0)
            finish(cid, BLOCK_OK);
        else
            command_failed(cid, status);
    }
    if (consumed)
        reg_write(nvme_doorbell(&nvme.cap, q->qid, true), q->cursor.head);
    return consumed;
}

void queue_interrupt(void)
{
    if (nvme.state != NVME_RUNNING)
        return;
    for (unsigned i = 0; i < nvme.queue_count; i++)
        drain(&nvme.queues[i]);
    queue_kick(); /* retries */
}

void queue_log_counts(void)
{
    static uint64_t logged;
    uint64_t total = 0;
    for (unsigned i = 0; i < nvme.queue_count; i++)
        total += nvme.queues[i].completed;
    if (!nvme_log_queues || nvme.queue_count < 2 || total == logged)
        return;
    logged = total;
    char line[160];
    int at = snprintf(line, sizeof line, "nvme: completed by queue pair:");
    for (unsigned i = 0; i < nvme.queue_count && at > 0 && (size_t)at < sizeof line; i++)
        at += snprintf(line + at, sizeof line - (size_t)at, " %u: %llu", nvme.queues[i].qid,
                       (unsigned long long)nvme.queues[i].completed);
    printf("%s\n", line);
    at = snprintf(line, sizeof line, "nvme: interrupts by vector:");
    for (unsigned i = 0; i < nvme.vector_count && at > 0 && (size_t)at < sizeof line; i++)
        at += snprintf(line + at, sizeof line - (size_t)at, " %u: %llu", i,
                       (unsigned long long)nvme.interrupts[i]);
    printf("%s\n", line);
}

/* Resets the controller; what was in flight becomes suspects, sent again one at a time. A
   command that was alone in flight counts a retry, and past NVME_RETRIES fails with
   BLOCK_ERROR_TIMEOUT. */
static void recover(const char *why)
{
    uint64_t in_flight = 0;
    for (unsigned slot = 0; slot < nvme.slot_count; slot++)
        if (nvme.slots[slot].busy && nvme.slots[slot].sent)
            in_flight |= 1ull << slot;
    unsigned count = (unsigned)__builtin_popcountll(in_flight);
    printf("nvme: %s with %u command%s in flight; resetting the controller\n", why, count,
           count == 1 ? "" : "s");
    block_server_count_reset(nvme_server);
    if (!controller_reset()) {
        controller_failed("the controller did not come back from a reset");
        return;
    }
    if (count == 1) {
        unsigned slot = lowest_bit(in_flight);
        struct nvme_slot *s = &nvme.slots[slot];
        if (s->retries >= NVME_RETRIES) {
            printf("nvme: disk %u (namespace %u): time-out at LBA %llu (%u block%s) after %u "
                   "retries\n",
                   s->disk, nvme.disks[s->disk].nsid, (unsigned long long)s->lba, s->count,
                   s->count == 1 ? "" : "s", NVME_RETRIES);
            finish(slot, BLOCK_ERROR_TIMEOUT);
            in_flight = 0;
        } else {
            s->retries++;
            block_server_count_retry(nvme_server);
        }
    }
    for (uint64_t m = in_flight; m; m &= m - 1)
        nvme.slots[lowest_bit(m)].sent = false;
    nvme.waiting_mask |= in_flight;
    nvme.suspect_mask |= in_flight;
    queue_kick();
}

/* Slot timed out: Abort it. true if the controller aborted it and its completion came (it was
   then sent again or failed by command_failed); false: the controller must be reset. */
static bool abort_command(unsigned slot)
{
    struct nvme_slot *s = &nvme.slots[slot];
    const struct nvme_queue *q = &nvme.queues[s->queue];
    bool aborted = false;
    s->aborting = true;
    int status = controller_abort(q, (uint16_t)slot, &aborted);
    if (!aborted) {
        s->aborting = false;
        printf("nvme: time-out of command %u on queue %u; Abort %s\n", slot, q->qid,
               status < 0    ? "got no answer"
               : status != 0 ? nvme_status_name((uint16_t)status)
                             : "answered: not aborted");
        return false;
    }
    printf("nvme: time-out of command %u on queue %u; Abort answered: aborted\n", slot, q->qid);
    for (uint32_t waited = 0; s->aborting && waited < NVME_ABORT_MS; waited += 10) {
        queue_interrupt();
        if (s->aborting)
            proc_sleep_ms(10);
    }
    if (s->aborting) {
        s->aborting = false;
        printf("nvme: command %u on queue %u did not complete after its Abort\n", slot, q->qid);
        return false;
    }
    return true;
}

void queue_tick(void)
{
    if (nvme.state != NVME_RUNNING)
        return;
    if (reg_read(NVME_REG_CSTS) & NVME_CSTS_CFS) {
        recover("the controller reports a fatal status (CSTS.CFS)");
        return;
    }
    for (unsigned slot = 0; slot < nvme.slot_count; slot++) {
        if (nvme.slots[slot].busy && nvme.slots[slot].sent &&
            nvme.slots[slot].deadline <= nvme.tick) {
            queue_interrupt(); /* it may have ended just now */
            if (!nvme.slots[slot].busy || abort_command(slot))
                return;
            queue_interrupt(); /* it may have ended while the Abort was refused */
            if (nvme.slots[slot].busy)
                recover("time-out");
            return;
        }
    }
    if (!queue_busy())
        queue_log_counts();
}
