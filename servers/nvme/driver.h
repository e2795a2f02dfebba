/*
 * The NVMe driver's hardware layer (docs/disks.md, "NVMe"): the controller (controller.c:
 * reset, admin queue, IDENTIFY, the I/O queue pairs, Abort, recovery by reset, shutdown) and
 * the I/O queues' command slots (queue.c: submitting, completing, errors, retries, time-outs). The
 * block protocol's side is the block server library's (lib/libsys/block_server.h), plugged in
 * by main.c; the pure parts (registers, IDENTIFY, commands, PRPs, status codes) in lib/nvme.
 *
 * With MSI-X it makes one I/O queue pair per CPU (as many as the controller grants), each
 * pair's completion queue on its own MSI-X vector, which procsrv routes to that CPU (pair i,
 * vector i, CPU i), and one service thread per pair (block_server_threads: thread i bound to
 * CPU i, vector i bound to its notification); a session's requests go to the pair of the CPU
 * its client named at BLOCK_OPEN (else session index mod pairs), and that pair's thread takes
 * them and drains its completion queue. Requests, doorbells, interrupts, ticks (thread 0) and
 * the shutdown signal (thread 0) all arrive through the block server library's loops, which
 * run the hooks one at a time under the library's mutex: that mutex is the lock of everything
 * here (the slots are shared by all pairs). With INTx, one pair and one thread.
 */
#ifndef NVME_DRIVER_H
#define NVME_DRIVER_H

#include <stdbool.h>
#include <stdint.h>

#include "nvme/nvme.h"
#include "proto/block.h"

#define NVME_SLOTS         64         /* I/O commands in flight at most (the ring's depth) */
#define NVME_ADMIN_ENTRIES 16         /* admin queue entries (start-up and recovery only) */
#define NVME_MAX_DISKS     8          /* namespaces served */
#define NVME_TICK_MS       100        /* the watchdog's period while anything is in flight */
#define NVME_RETRIES       3          /* a failed or timed-out command is tried again this often */
#define NVME_MAX_REQUEST   (1u << 20) /* bytes, advertised in BLOCK_INFO (below MDTS's) */
#define NVME_LIST_BYTES    2048       /* one command's PRP list: 256 entries, 1 MiB misaligned */
#define NVME_LIST_ENTRIES  (NVME_LIST_BYTES / 8)
#define NVME_MAX_QUEUES    8    /* I/O queue pairs at most (one per CPU, up to this) */
#define NVME_ABORT_MS      1000 /* an aborted command completes within this, else a reset */
#define NVME_MERGE_PIECES  64   /* a merged command's physical pieces at most (queue.c) */

/* Time-outs in milliseconds (as the AHCI driver's: 30 s for I/O, 60 s for a flush), changeable
   from the manifest for tests. */
struct nvme_timeouts {
    uint32_t io_ms, flush_ms;
};
extern struct nvme_timeouts nvme_timeouts;

struct nvme_slot {
    bool busy;
    bool sent;               /* in the submission queue (else built, waiting for queue_kick) */
    bool aborting;           /* timed out, an Abort sent: its completion is awaited */
    uint8_t retries;         /* errors or time-outs it had alone */
    uint8_t queue;           /* index into nvme.queues it goes to */
    uint32_t disk;           /* index into nvme.disks */
    uint64_t lba;            /* for the log line naming a failure */
    uint32_t count;          /* blocks */
    uint64_t deadline;       /* the tick it times out at */
    unsigned cookie;         /* the block server library's request id */
    struct nvme_sqe command; /* kept to send again after an error or a reset */
    /* Merging (queue.c): a request for the blocks right after a built, unsent command's joins
       that command (its slot a follower, never sent itself, finished with it). */
    bool fua;
    bool merged;          /* a follower: leader's command carries it */
    uint8_t leader;       /* the slot whose command carries it, if merged */
    uint64_t followers;   /* slots merged into this one's command */
    uint32_t own_count;   /* its own request's blocks (count: its command's, with followers) */
    unsigned piece_count; /* its own request's pieces, kept in pieces (0: too many to keep) */
    unsigned all_count;   /* its command's pieces, in all (a leader's; 0: none join it) */
    struct block_segment pieces[NVME_MERGE_PIECES];
    struct block_segment all[NVME_MERGE_PIECES];
};

/* One I/O queue pair (qid = index + 1), its completion queue on MSI-X vector index mod
   nvme.vector_count. */
struct nvme_queue {
    struct nvme_sqe *sq;
    struct nvme_cqe *cq;
    uint16_t qid;
    uint32_t tail;
    bool tail_moved; /* entries added since the last doorbell */
    struct nvme_cq_cursor cursor;
    uint64_t completed; /* commands it completed (the log's per-queue count) */
    int last_built;     /* the slot last built for it, a merge's candidate (-1: none) */
    uint64_t merged;    /* requests that joined another's command (the log's count) */
};

struct nvme_disk {
    uint32_t nsid;
    struct nvme_namespace_id ns;
};

enum nvme_state {
    NVME_RUNNING = 1,
    NVME_FAILED, /* gave up: every request fails with BLOCK_ERROR_NO_DEVICE */
};

struct nvme_controller {
    volatile uint32_t *regs;
    struct nvme_cap cap;
    struct nvme_controller_id id;
    enum nvme_state state;
    unsigned vector_count; /* MSI-X entries programmed (1 with INTx): pair i's CQ uses i mod this */
    uint64_t interrupts[NVME_MAX_QUEUES]; /* per vector: interrupts seen (the log's count) */
    unsigned threads;                     /* service threads (1, or one per pair) */
    /* per service thread: requests its start hook took, completions it consumed (the log's
       counts), and those of another thread's pair (0 unless a time-out drained every pair) */
    uint64_t thread_started[NVME_MAX_QUEUES], thread_completed[NVME_MAX_QUEUES];
    uint64_t foreign_started, foreign_completed;
    /* DMA memory: queues, IDENTIFY buffer, PRP lists */
    uint8_t *dma;
    uint64_t dma_phys;
    struct nvme_sqe *admin_sq;
    struct nvme_cqe *admin_cq;
    uint32_t admin_tail;
    struct nvme_cq_cursor admin_cursor;
    uint32_t io_entries;    /* every I/O queue's entries: slots + 1 (all slots fit in one) */
    unsigned queues_wanted; /* pairs asked for: min(CPUs, NVME_MAX_QUEUES) with MSI-X, else 1 */
    unsigned queue_count;   /* pairs made (what the controller granted, at most wanted) */
    struct nvme_queue queues[NVME_MAX_QUEUES];
    uint8_t *identify; /* 4 KiB */
    uint64_t *lists;   /* NVME_SLOTS lists of NVME_LIST_ENTRIES */
    unsigned slot_count;
    uint64_t free_mask;    /* slots free */
    uint64_t waiting_mask; /* built, not yet in the submission queue */
    uint64_t suspect_mask; /* in flight at a reset: sent again one at a time (queue.c) */
    struct nvme_slot slots[NVME_SLOTS];
    struct nvme_disk disks[NVME_MAX_DISKS];
    unsigned disk_count;
    uint64_t tick;
    uint64_t resets;
};

extern struct nvme_controller nvme;

static inline uint32_t reg_read(unsigned offset)
{
    return nvme.regs[offset / 4];
}

static inline void reg_write(unsigned offset, uint32_t value)
{
    nvme.regs[offset / 4] = value;
}

/* controller.c */
/* Takes the controller: DMA memory, reset, admin queue, enable, IDENTIFY, up to queues I/O
   queue pairs (as many as it grants), the namespaces. Waits (bounded by CAP.TO, with
   PROC_SLEEP) only here, in an Abort and in a recovery. Returns NULL or why the controller
   cannot be used. */
const char *controller_start(volatile uint32_t *bar, unsigned vectors, unsigned queues);
/* After a time-out or a fatal status: disables and enables the controller again and makes
   its queues anew (the slots' commands are then sent again by queue.c). false: it would not
   come back. */
bool controller_reset(void);
/* Normal shutdown (CC.SHN), waiting for CSTS.SHST complete at most CAP.TO. */
void controller_shutdown(void);
/* Writes entry e at I/O queue q's submission tail (the doorbell waits for queue_kick). */
void controller_push(struct nvme_queue *q, const struct nvme_sqe *e);
/* Sends Abort for command cid of queue q (polled, at most ADMIN_MS): the Abort's status (0:
   success, then *aborted says whether the command was), or -1 for no answer. */
int controller_abort(const struct nvme_queue *q, uint16_t cid, bool *aborted);

/* queue.c */
#define QUEUE_FULL (-1)
/* A request from the block server library, checked already. */
struct queue_io {
    uint8_t op; /* BLOCK_OP_* */
    bool fua;
    unsigned disk;
    uint64_t lba;
    uint32_t count;
    const struct block_segment *segments;
    unsigned segment_count;
    unsigned cookie;
    unsigned queue; /* the queue pair (below nvme.queue_count) */
};
/* Builds io's command in a free slot; it goes to the controller at the next queue_kick.
   Returns BLOCK_OK, QUEUE_FULL, or a BLOCK_ERROR_* status for a request that fails at once. */
int queue_submit(const struct queue_io *io);
/* Sends what waits (all of it, or after a reset the next suspect alone) and rings the
   submission doorbell once. */
void queue_kick(void);
/* Consumes every completion queue (and rings each one's head doorbell it moved). */
void queue_interrupt(void);
/* The same for pair queue alone (its service thread's interrupt). */
void queue_interrupt_pair(unsigned queue);
/* A watchdog tick: time-outs, a controller that reports a fatal status. */
void queue_tick(void);
/* Whether anything is in flight (the watchdog must tick). */
bool queue_busy(void);
/* Logs how many commands each queue pair completed, how many requests joined another's command
   there (queue.c's merge) and how many interrupts each vector
   brought, if nvme_log_queues, any did since the last line and there are several pairs
   (queue_tick calls it when nothing is in flight). */
extern bool nvme_log_queues;
/* SGLs for reads and writes where the controller takes them (the argument prp turns them off,
   to compare). */
extern bool nvme_use_sgl;
/* Sequential requests in flight at once join one command (queue.c's merge); the argument
   no-merge turns it off (a test that needs many commands queued, comparisons). */
extern bool nvme_merge;
void queue_log_counts(void);

/* main.c */
extern struct block_server *nvme_server;
void disks_failed(void);

#endif
