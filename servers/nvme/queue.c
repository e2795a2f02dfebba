/*
 * The I/O queue pairs' command slots (docs/disks.md, "NVMe"): requests become commands in free
 * slots (the slot index is the command id, unique over all pairs; each slot goes to the pair its
 * request names; a request for the blocks right after an unsent command's joins it: merge), go to
 * the controller in batches (one submission doorbell per pair and round), end through the interrupt
 * (every new completion of every pair consumed, then one completion-head doorbell per pair that
 * moved: QEMU stalls a queue whose head is never rung) and time out on the watchdog's ticks.
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
bool nvme_merge = true;

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

/* Gives the slot back and tells the library; the requests merged into its command end with
   it, with its status, in slot order. A follower finished on its own (a controller given
   up on finishes every busy slot) leaves its leader's list first, so none ends twice. */
static void finish(unsigned slot, uint32_t status)
{
    struct nvme_slot *s = &nvme.slots[slot];
    uint64_t followers = s->followers;
    if (s->merged)
        nvme.slots[s->leader].followers &= ~(1ull << slot);
    s->busy = false;
    s->aborting = false;
    s->merged = false;
    s->followers = 0;
    nvme.free_mask |= 1ull << slot;
    nvme.suspect_mask &= ~(1ull << slot);
    nvme.waiting_mask &= ~(1ull << slot);
    block_server_complete(nvme_server, s->cookie, status);
    for (uint64_t m = followers; m; m &= m - 1)
        finish(lowest_bit(m), status);
}

/* The largest command in bytes: the block size's multiple BLOCK_INFO advertises (the
   driver's bound and MDTS's). */
static uint64_t most_bytes(void)
{
    uint64_t most = NVME_MAX_REQUEST;
    if (nvme.id.max_transfer && nvme.id.max_transfer < most)
        most = nvme.id.max_transfer;
    return most;
}

/* Builds slot's read or write command for pieces[0..count): an SGL where the controller takes
   one, else PRPs; false when neither describes them. */
static bool build_rw(unsigned slot, bool write, const struct block_segment *pieces, unsigned count)
{
    struct nvme_slot *s = &nvme.slots[slot];
    uint64_t prp1, prp2;
    uint64_t *list = nvme.lists + (size_t)slot * NVME_LIST_ENTRIES;
    uint64_t list_phys = nvme.dma_phys + (uint64_t)((uint8_t *)list - nvme.dma);
    /* An SGL where the controller takes one: a contiguous piece is one descriptor, where PRPs
       name each of its pages (32 for 128 KiB), for the driver and the controller. */
    bool sgl =
        nvme.id.sgl && nvme_use_sgl &&
        nvme_sgl_build(pieces, count, (uint8_t *)list, NVME_LIST_BYTES, list_phys, &prp1, &prp2);
    if (!sgl && !nvme_prp_build(pieces, count, list, NVME_LIST_ENTRIES, list_phys, &prp1, &prp2))
        return false;
    nvme_build_rw(&s->command, write, (uint16_t)slot, nvme.disks[s->disk].nsid, s->lba, s->count,
                  s->fua, prp1, prp2);
    if (sgl)
        s->command.flags |= NVME_PSDT_SGL;
    return true;
}

/* io joins the command last built for its pair when that one is still unsent, the same kind
   (read or write, FUA or not, disk) and ends at io's first block, and the two fit one command
   (most_bytes, NVME_MERGE_PIECES, the PRP or SGL list): io then takes a free slot as a
   follower, which is never sent and finishes with the command. The library hands over a
   session's submissions one after another before it kicks (block_server_settle), so a
   client's sequential requests in flight at once become few large commands, as Linux's block
   layer merges them under its plug: fewer commands for the controller to fetch, map and
   complete, fewer doorbells and interrupts. Commands in flight are unordered (the block
   protocol orders nothing in flight), so sending io earlier, with its neighbour, is allowed.
   Not after a reset, while the suspects go one at a time. */
static bool merge(const struct queue_io *io, unsigned queue)
{
    int at = nvme.queues[queue].last_built;
    if (!nvme_merge || at < 0 || !nvme.free_mask || nvme.suspect_mask || io->op == BLOCK_OP_FLUSH)
        return false;
    unsigned leader = (unsigned)at;
    struct nvme_slot *l = &nvme.slots[leader];
    uint8_t opcode = io->op == BLOCK_OP_WRITE ? NVME_IO_WRITE : NVME_IO_READ;
    if (!(nvme.waiting_mask & (1ull << leader)) || l->sent || l->merged || !l->all_count ||
        io->segment_count > NVME_MERGE_PIECES || l->queue != queue || l->command.opcode != opcode ||
        l->fua != io->fua || l->disk != io->disk || l->lba + l->count != io->lba)
        return false;
    uint64_t block = nvme.disks[io->disk].ns.block_size;
    if (((uint64_t)l->count + io->count) * block > most_bytes())
        return false;
    struct block_segment pieces[NVME_MERGE_PIECES];
    memcpy(pieces, l->all, l->all_count * sizeof pieces[0]);
    unsigned count = nvme_segments_append(pieces, l->all_count, NVME_MERGE_PIECES, io->segments,
                                          io->segment_count);
    if (!count)
        return false;
    l->count += io->count;
    if (!build_rw(leader, io->op == BLOCK_OP_WRITE, pieces, count)) {
        l->count -= io->count; /* as it was: its pieces built before */
        build_rw(leader, io->op == BLOCK_OP_WRITE, l->all, l->all_count);
        return false;
    }
    memcpy(l->all, pieces, count * sizeof pieces[0]);
    l->all_count = count;
    unsigned slot = lowest_bit(nvme.free_mask);
    struct nvme_slot *f = &nvme.slots[slot];
    f->busy = true;
    f->sent = false;
    f->aborting = false;
    f->merged = true;
    f->leader = (uint8_t)leader;
    f->followers = 0;
    f->retries = 0;
    f->fua = io->fua;
    f->command.opcode = opcode; /* its own command is built only if it goes alone (split) */
    memcpy(f->pieces, io->segments, io->segment_count * sizeof f->pieces[0]);
    f->piece_count = io->segment_count;
    f->all_count = 0;
    f->queue = (uint8_t)queue;
    f->disk = io->disk;
    f->lba = io->lba;
    f->count = f->own_count = io->count;
    f->cookie = io->cookie;
    l->followers |= 1ull << slot;
    nvme.free_mask &= ~(1ull << slot);
    nvme.queues[queue].merged++;
    return true;
}

int queue_submit(const struct queue_io *io)
{
    if (nvme.state != NVME_RUNNING)
        return BLOCK_ERROR_NO_DEVICE;
    if (!nvme.free_mask)
        return QUEUE_FULL;
    unsigned queue = io->queue < nvme.queue_count ? io->queue : 0;
    if (merge(io, queue))
        return BLOCK_OK;
    unsigned slot = lowest_bit(nvme.free_mask);
    struct nvme_slot *s = &nvme.slots[slot];
    s->disk = io->disk;
    s->lba = io->lba;
    s->count = s->own_count = io->count;
    s->fua = io->fua;
    s->piece_count = s->all_count = 0;
    if (io->op == BLOCK_OP_FLUSH) {
        nvme_build_flush(&s->command, (uint16_t)slot, nvme.disks[io->disk].nsid);
    } else {
        if (!build_rw(slot, io->op == BLOCK_OP_WRITE, io->segments, io->segment_count))
            return BLOCK_ERROR_REGION;
        if (io->segment_count <= NVME_MERGE_PIECES) { /* else nothing joins it */
            memcpy(s->pieces, io->segments, io->segment_count * sizeof s->pieces[0]);
            memcpy(s->all, io->segments, io->segment_count * sizeof s->all[0]);
            s->piece_count = s->all_count = io->segment_count;
        }
    }
    s->busy = true;
    s->sent = false;
    s->aborting = false;
    s->merged = false;
    s->followers = 0;
    s->retries = 0;
    s->queue = (uint8_t)queue;
    s->cookie = io->cookie;
    s->deadline = slot_deadline(s);
    nvme.free_mask &= ~(1ull << slot);
    nvme.waiting_mask |= 1ull << slot;
    nvme.queues[queue].last_built = io->op == BLOCK_OP_FLUSH ? -1 : (int)slot;
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

/* Slot's command carries merged requests and failed or timed out (the first time: no retry
   as a whole): each request goes again with a command of its own (own pieces, own blocks, fresh
   retries), so that only a bad one fails, as it would have unmerged. true if it split (the requests
   wait for queue_kick); false: slot carries no other request, and its failure is its own. */
static bool split(unsigned slot)
{
    struct nvme_slot *s = &nvme.slots[slot];
    if (!s->followers)
        return false;
    bool write = s->command.opcode == NVME_IO_WRITE;
    uint64_t requests = s->followers | 1ull << slot;
    printf("nvme: disk %u (namespace %u): a merged command failed at LBA %llu (%u blocks); its "
           "%u requests go again one by one\n",
           s->disk, nvme.disks[s->disk].nsid, (unsigned long long)s->lba, s->count,
           (unsigned)__builtin_popcountll(requests));
    s->followers = 0;
    s->count = s->own_count;
    nvme.queues[s->queue].last_built = -1; /* none of them is merged into again */
    for (uint64_t m = requests; m; m &= m - 1) {
        unsigned i = lowest_bit(m);
        struct nvme_slot *r = &nvme.slots[i];
        r->merged = false;
        r->aborting = false;
        r->retries = 0;
        r->sent = false;
        r->all_count = 0;
        /* Its pieces were described already, alone or as a run inside the merged command's, so
           they build alone (a run inside PRPs is valid PRPs); should they not, it fails alone. */
        if (!build_rw(i, write, r->pieces, r->piece_count)) {
            finish(i, BLOCK_ERROR_REGION);
            continue;
        }
        r->deadline = slot_deadline(r);
        nvme.waiting_mask |= 1ull << i;
    }
    return true;
}

/* A command ended with an error status: sent again if that may help, else failed, named. */
static void command_failed(unsigned slot, uint16_t status)
{
    struct nvme_slot *s = &nvme.slots[slot];
    bool aborted = s->aborting && NVME_STATUS_SCT(status) == 0 &&
                   NVME_STATUS_SC(status) == NVME_SC_ABORT_REQUESTED; /* DNR, M, CRD aside */
    s->aborting = false;
    /* A merged command goes no further as one: each of its requests goes again alone, with
       retries of its own, so a bad one fails as soon as it would have unmerged (retrying the
       whole first would double the time a client waits to hear of a bad block). */
    if (split(slot))
        return;
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
        unsigned thread = block_server_thread(nvme_server);
        nvme.thread_completed[thread]++;
        if (nvme.threads > 1 && thread != q->qid - 1u)
            nvme.foreign_completed++;
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

void queue_interrupt_pair(unsigned queue)
{
    if (nvme.state != NVME_RUNNING || queue >= nvme.queue_count)
        return;
    drain(&nvme.queues[queue]);
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
    at = snprintf(line, sizeof line, "nvme: merged by queue pair:");
    for (unsigned i = 0; i < nvme.queue_count && at > 0 && (size_t)at < sizeof line; i++)
        at += snprintf(line + at, sizeof line - (size_t)at, " %u: %llu", nvme.queues[i].qid,
                       (unsigned long long)nvme.queues[i].merged);
    printf("%s\n", line);
    at = snprintf(line, sizeof line, "nvme: interrupts by vector:");
    for (unsigned i = 0; i < nvme.vector_count && at > 0 && (size_t)at < sizeof line; i++)
        at += snprintf(line + at, sizeof line - (size_t)at, " %u: %llu", i,
                       (unsigned long long)nvme.interrupts[i]);
    printf("%s\n", line);
    if (nvme.threads < 2)
        return;
    /* Which service thread took and completed what (thread i serves pair i + 1 on CPU i): the
       test's proof that each pair is served by its own thread, not by timing. */
    at = snprintf(line, sizeof line, "nvme: requests started/commands completed by thread:");
    for (unsigned i = 0; i < nvme.threads && at > 0 && (size_t)at < sizeof line; i++)
        at += snprintf(line + at, sizeof line - (size_t)at, " %u: %llu/%llu", i,
                       (unsigned long long)nvme.thread_started[i],
                       (unsigned long long)nvme.thread_completed[i]);
    if (at > 0 && (size_t)at < sizeof line)
        snprintf(line + at, sizeof line - (size_t)at,
                 "; off their pair's thread: %llu/%llu; waits on another thread: %llu",
                 (unsigned long long)nvme.foreign_started,
                 (unsigned long long)nvme.foreign_completed,
                 (unsigned long long)block_server_waits_elsewhere(nvme_server));
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
        if (split(slot)) {
            in_flight = 0; /* split: each waits to go as a new request (not a suspect) */
        } else if (s->retries >= NVME_RETRIES) {
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
