/*
 * The controller (NVMe 1.4 section 7.6.1, "Initialization", and 7.6.2, "Shutdown"): disable,
 * wait for CSTS.RDY to clear, the admin queue, enable, wait for CSTS.RDY, IDENTIFY the
 * controller and its active namespaces, ask for I/O queue pairs (Set Features, Number of
 * Queues) and create as many as were granted, up to the number wanted. The same steps (without
 * IDENTIFY) recover the controller after a time-out; Abort is sent here too. The only places
 * the driver waits, each wait bounded by CAP.TO or ADMIN_MS.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "driver.h"
#include "libsys/service.h"

#define NVME_DMA_BASE 0x548000000000ul /* where the DMA memory is mapped (beside the AHCI's) */
#define NVME_DMA_SIZE (256u * 1024)
#define ADMIN_SQ_AT   0x0000
#define ADMIN_CQ_AT   0x1000
#define IDENTIFY_AT   0x2000
#define LISTS_AT      0x3000
#define QUEUES_AT     (LISTS_AT + NVME_SLOTS * NVME_LIST_BYTES) /* the I/O queue pairs */
#define QUEUE_BYTES   0x3000 /* one pair: the SQ (65 entries of 64 bytes, two pages), the CQ */
#define QUEUE_CQ_AT   0x2000 /* the CQ's page in a pair's */
#define POLL_MS       10
#define ADMIN_MS      5000 /* an admin command answers within this */

_Static_assert((NVME_SLOTS + 1) * NVME_SQE_BYTES <= QUEUE_CQ_AT, "an I/O SQ fits");
_Static_assert((NVME_SLOTS + 1) * NVME_CQE_BYTES <= QUEUE_BYTES - QUEUE_CQ_AT, "an I/O CQ fits");
_Static_assert(QUEUES_AT + NVME_MAX_QUEUES * QUEUE_BYTES <= NVME_DMA_SIZE, "the queues fit");
_Static_assert(NVME_PAGE % NVME_LIST_BYTES == 0, "no PRP list crosses a page");

struct nvme_controller nvme;

static void write64(unsigned offset, uint64_t value)
{
    reg_write(offset, (uint32_t)value);
    reg_write(offset + 4, (uint32_t)(value >> 32));
}

/* Waits until (CSTS & mask) == want, at most ms; whether it came. */
static bool wait_status(uint32_t mask, uint32_t want, uint32_t ms)
{
    for (uint32_t waited = 0;; waited += POLL_MS) {
        uint32_t csts = reg_read(NVME_REG_CSTS);
        if (csts != 0xffffffffu && (csts & mask) == want)
            return true;
        if (waited >= ms)
            return false;
        proc_sleep_ms(POLL_MS);
    }
}

/* Sends e on the admin queue and waits for its completion (polling: the admin queue is used
   only here). Returns the status field (0: success), or -1 when no answer came in ADMIN_MS;
   *result (if not NULL) gets the completion's DW0. */
static int admin_result(struct nvme_sqe *e, uint32_t *result)
{
    static uint16_t cid;
    e->cid = ++cid;
    nvme.admin_sq[nvme.admin_tail] = *e;
    nvme.admin_tail = (nvme.admin_tail + 1) % NVME_ADMIN_ENTRIES;
    atomic_thread_fence(memory_order_release); /* the entry is in memory before the doorbell */
    reg_write(nvme_doorbell(&nvme.cap, 0, false), nvme.admin_tail);
    for (uint32_t waited = 0, polls = 0;;) {
        volatile struct nvme_cqe *c = &nvme.admin_cq[nvme.admin_cursor.head];
        uint16_t status = c->status;
        if (nvme_cq_ready(&nvme.admin_cursor, status)) {
            atomic_thread_fence(memory_order_acquire);
            uint16_t got = c->cid;
            uint32_t dw0 = c->result;
            nvme_cq_advance(&nvme.admin_cursor);
            reg_write(nvme_doorbell(&nvme.cap, 0, true), nvme.admin_cursor.head);
            if (got != e->cid)
                continue; /* a stale answer (a command of before a reset): not ours */
            if (result)
                *result = dw0;
            return status >> 1;
        }
        if (waited >= ADMIN_MS)
            return -1;
        if (++polls > 100) { /* QEMU answers at once; a real device may take longer */
            proc_sleep_ms(POLL_MS);
            waited += POLL_MS;
        }
    }
}

/* admin_result without the DW0. */
static int admin(struct nvme_sqe *e)
{
    return admin_result(e, 0);
}

/* Disables the controller and waits for it to stop. */
static bool disable(void)
{
    uint32_t cc = reg_read(NVME_REG_CC);
    if (cc & NVME_CC_EN)
        reg_write(NVME_REG_CC, cc & ~NVME_CC_EN);
    return wait_status(NVME_CSTS_RDY, 0, nvme.cap.timeout_ms);
}

/* Disable, admin queue, enable: the controller ready for admin commands, or why not. */
static const char *enable(void)
{
    if (!disable())
        return "CSTS.RDY did not clear within CAP.TO after CC.EN was cleared";
    memset(nvme.admin_sq, 0, NVME_ADMIN_ENTRIES * NVME_SQE_BYTES);
    memset(nvme.admin_cq, 0, NVME_ADMIN_ENTRIES * NVME_CQE_BYTES);
    nvme.admin_tail = 0;
    nvme_cq_start(&nvme.admin_cursor, NVME_ADMIN_ENTRIES);
    reg_write(NVME_REG_AQA, (NVME_ADMIN_ENTRIES - 1) << 16 | (NVME_ADMIN_ENTRIES - 1));
    write64(NVME_REG_ASQ, nvme.dma_phys + ADMIN_SQ_AT);
    write64(NVME_REG_ACQ, nvme.dma_phys + ADMIN_CQ_AT);
    reg_write(NVME_REG_CC, nvme_cc_enable());
    if (!wait_status(NVME_CSTS_RDY | NVME_CSTS_CFS, NVME_CSTS_RDY, nvme.cap.timeout_ms))
        return "CSTS.RDY did not come within CAP.TO after CC.EN was set";
    return NULL;
}

/* Creates queue pair q (qid index + 1), empty, its CQ on MSI-X vector index mod
   nvme.vector_count; NULL or why not. */
static const char *make_queue(unsigned index)
{
    struct nvme_queue *q = &nvme.queues[index];
    uint64_t at = QUEUES_AT + (uint64_t)index * QUEUE_BYTES;
    q->sq = (struct nvme_sqe *)(nvme.dma + at);
    q->cq = (struct nvme_cqe *)(nvme.dma + at + QUEUE_CQ_AT);
    q->qid = (uint16_t)(index + 1);
    memset(q->sq, 0, nvme.io_entries * NVME_SQE_BYTES);
    memset(q->cq, 0, nvme.io_entries * NVME_CQE_BYTES);
    q->tail = 0;
    q->tail_moved = false;
    q->last_built = -1;
    nvme_cq_start(&q->cursor, nvme.io_entries);
    struct nvme_sqe e;
    nvme_build_create_cq(&e, 0, q->qid, nvme.io_entries, nvme.dma_phys + at + QUEUE_CQ_AT,
                         (uint16_t)(index % nvme.vector_count));
    int s = admin(&e);
    if (s != 0)
        return s < 0 ? "Create I/O Completion Queue got no answer" : nvme_status_name((uint16_t)s);
    nvme_build_create_sq(&e, 0, q->qid, nvme.io_entries, nvme.dma_phys + at, q->qid);
    if ((s = admin(&e)) != 0)
        return s < 0 ? "Create I/O Submission Queue got no answer" : nvme_status_name((uint16_t)s);
    return NULL;
}

/* Asks for nvme.queues_wanted I/O queue pairs (Set Features, Number of Queues) and makes as many
   as were granted (one if the controller did not answer; after a reset never more than
   before, since the slots' queues stay). */
static const char *make_io_queues(void)
{
    struct nvme_sqe e;
    uint32_t result = 0;
    unsigned want = nvme.queue_count ? nvme.queue_count : nvme.queues_wanted;
    nvme_build_set_queues(&e, 0, (uint16_t)want, (uint16_t)want);
    int s = admin_result(&e, &result);
    unsigned granted = s == 0 ? nvme_queues_granted(result, want) : 1;
    if (s != 0)
        printf("nvme: warning: Set Features (queues) answered %s; one queue pair\n",
               s < 0 ? "nothing" : nvme_status_name((uint16_t)s));
    for (unsigned i = 0; i < granted; i++) {
        const char *why = make_queue(i);
        if (why)
            return why;
    }
    nvme.queue_count = granted;
    return NULL;
}

/* IDENTIFY cns for nsid into nvme.identify; false (after saying why) if it failed. */
static bool identify(uint32_t nsid, uint32_t cns)
{
    memset(nvme.identify, 0, NVME_IDENTIFY_BYTES);
    struct nvme_sqe e;
    nvme_build_identify(&e, 0, nsid, cns, nvme.dma_phys + IDENTIFY_AT);
    int s = admin(&e);
    if (s == 0)
        return true;
    printf("nvme: IDENTIFY (CNS %u, namespace %u): %s\n", cns, nsid,
           s < 0 ? "no answer" : nvme_status_name((uint16_t)s));
    return false;
}

/* The active namespaces this driver can serve, in nvme.disks; a namespace it cannot use is
   named and skipped (the others are served). */
static void find_namespaces(void)
{
    uint32_t ids[NVME_MAX_DISKS];
    unsigned count = 0;
    if (identify(0, NVME_IDENTIFY_ACTIVE_NS))
        count = nvme_active_namespaces(nvme.identify, nvme.id.namespaces, ids, NVME_MAX_DISKS);
    else /* NVMe 1.0: no list; namespaces 1..NN */
        for (uint32_t id = 1; id <= nvme.id.namespaces && count < NVME_MAX_DISKS; id++)
            ids[count++] = id;
    for (unsigned i = 0; i < count; i++) {
        if (!identify(ids[i], NVME_IDENTIFY_NAMESPACE))
            continue;
        struct nvme_disk *d = &nvme.disks[nvme.disk_count];
        enum nvme_identify_error e = nvme_identify_namespace(nvme.identify, &d->ns);
        if (e != NVME_IDENTIFY_OK) {
            printf("nvme: namespace %u: %s; skipped\n", ids[i], nvme_identify_error_text(e));
            continue;
        }
        d->nsid = ids[i];
        printf("nvme: namespace %u: %llu blocks of %u bytes (disk %u)\n", d->nsid,
               (unsigned long long)d->ns.blocks, d->ns.block_size, nvme.disk_count);
        nvme.disk_count++;
    }
}

const char *controller_start(volatile uint32_t *bar, unsigned vectors, unsigned queues)
{
    nvme.regs = bar;
    nvme.vector_count = vectors < 1 ? 1 : vectors;
    nvme.queues_wanted = queues < 1 ? 1 : queues > NVME_MAX_QUEUES ? NVME_MAX_QUEUES : queues;
    uint64_t cap = (uint64_t)reg_read(NVME_REG_CAP) | (uint64_t)reg_read(NVME_REG_CAP + 4) << 32;
    enum nvme_cap_error ce = nvme_cap_decode(cap, &nvme.cap);
    if (ce != NVME_CAP_OK)
        return nvme_cap_error_text(ce);
    if (!result_is_ok(mem_dma(NVME_DMA_BASE, NVME_DMA_SIZE, &nvme.dma_phys)))
        return "no DMA memory for its queues";
    nvme.dma = (uint8_t *)NVME_DMA_BASE;
    nvme.admin_sq = (struct nvme_sqe *)(nvme.dma + ADMIN_SQ_AT);
    nvme.admin_cq = (struct nvme_cqe *)(nvme.dma + ADMIN_CQ_AT);
    nvme.identify = nvme.dma + IDENTIFY_AT;
    nvme.lists = (uint64_t *)(nvme.dma + LISTS_AT);
    nvme.io_entries = nvme.cap.max_entries < NVME_SLOTS + 1 ? nvme.cap.max_entries : NVME_SLOTS + 1;
    nvme.slot_count = nvme.io_entries - 1;
    nvme.free_mask = nvme.slot_count == 64 ? ~0ull : (1ull << nvme.slot_count) - 1;
    uint32_t vs = reg_read(NVME_REG_VS);
    const char *why = enable();
    if (why)
        return why;
    if (!identify(0, NVME_IDENTIFY_CONTROLLER))
        return "IDENTIFY controller failed";
    enum nvme_identify_error ie =
        nvme_identify_controller(nvme.identify, nvme.cap.page_min, &nvme.id);
    if (ie != NVME_IDENTIFY_OK)
        return nvme_identify_error_text(ie);
    printf("nvme: NVMe %u.%u, %s, serial %s, firmware %s, %u namespace%s, %u-entry I/O queue, "
           "largest transfer %llu KiB%s%s\n",
           vs >> 16, (vs >> 8) & 0xff, nvme.id.model[0] ? nvme.id.model : "(no model)",
           nvme.id.serial[0] ? nvme.id.serial : "(none)", nvme.id.firmware, nvme.id.namespaces,
           nvme.id.namespaces == 1 ? "" : "s", nvme.io_entries,
           (unsigned long long)(nvme.id.max_transfer ? nvme.id.max_transfer / 1024 : 0),
           nvme.id.write_cache ? ", write cache" : "", nvme.id.sgl ? ", SGLs" : "");
    find_namespaces();
    why = make_io_queues();
    if (why)
        return why;
    printf("nvme: %u I/O queue pair%s (%u wanted)\n", nvme.queue_count,
           nvme.queue_count == 1 ? "" : "s", nvme.queues_wanted);
    nvme.state = NVME_RUNNING;
    return NULL;
}

bool controller_reset(void)
{
    nvme.resets++;
    const char *why = enable();
    if (!why)
        why = make_io_queues();
    if (why) {
        printf("nvme: the controller did not come back from a reset: %s\n", why);
        return false;
    }
    return true;
}

void controller_shutdown(void)
{
    if (nvme.state != NVME_RUNNING)
        return;
    uint32_t cc = reg_read(NVME_REG_CC);
    reg_write(NVME_REG_CC, (cc & ~NVME_CC_SHN_MASK) | NVME_CC_SHN_NORMAL);
    for (uint32_t waited = 0;; waited += POLL_MS) {
        if (NVME_CSTS_SHST(reg_read(NVME_REG_CSTS)) == NVME_SHST_COMPLETE) {
            printf("nvme: shutdown complete\n");
            return;
        }
        if (waited >= nvme.cap.timeout_ms) {
            printf("nvme: warning: CSTS.SHST not complete within CAP.TO\n");
            return;
        }
        proc_sleep_ms(POLL_MS);
    }
}

void controller_push(struct nvme_queue *q, const struct nvme_sqe *e)
{
    q->sq[q->tail] = *e;
    q->tail = (q->tail + 1) % nvme.io_entries;
    q->tail_moved = true;
}

int controller_abort(const struct nvme_queue *q, uint16_t cid, bool *aborted)
{
    struct nvme_sqe e;
    uint32_t result = 1;
    nvme_build_abort(&e, 0, q->qid, cid);
    int s = admin_result(&e, &result);
    *aborted = s == 0 && nvme_abort_done(result);
    return s;
}
