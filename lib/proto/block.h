/*
 * The block protocol (docs/protocols.md, "Block devices"): what every block server speaks
 * (servers/ahci, servers/nvme, servers/ramdisk), so a client (the filesystem, the
 * shell's `blk`, the benchmark) works on any of them unchanged.
 *
 * Control requests are calls on the server's endpoint (found by the server's name; the shell's
 * `disks` finds every block server through PROC_LIST's flags). Data never travels in
 * messages: a client opens a disk with
 *   - a ring frame (4 KiB, struct block_ring) holding a submission and a completion queue,
 *     written by both sides, and
 *   - a buffer region: frames of RAM (all 4 KiB or all 2 MiB) shared once, by capability,
 *     with the right CAP_RIGHT_PHYS: a request names an offset and length in the region, and
 *     the driver puts those pages' physical addresses straight into the device's scatter list
 *     (zero copy);
 * then rings doorbells: the client signals the notification BLOCK_OPEN answered after adding
 * submissions, the server signals the client's notification after adding completions
 * (each side only when the other may be asleep: see struct block_ring's comments).
 *
 * Trust: there is no IOMMU in use, so a disk driver that programs DMA can reach all memory;
 * a disk driver is trusted like the kernel (docs/protocols.md). The protocol protects the
 * driver and the other clients from a client: every request is checked (range, alignment,
 * region bounds) before anything happens on the disk, and a ring whose indices make no sense
 * ends that client's session, not the driver.
 */
#ifndef MISSIVE_PROTO_BLOCK_H
#define MISSIVE_PROTO_BLOCK_H

#include <stdint.h>

#include "proto/service.h"

/* --- control requests ------------------------------------------------------------------- */

/* Labels from 0x40 on, apart from every other protocol's, so a client that asks a server
   whether it is a block server cannot start something else by mistake. */
enum block_label {
    /* MR0 disk index (0, 1, ...) -> MR0 sector size in bytes (512 or 4096), MR1 sector count,
       MR2 flags (BLOCK_INFO_*), MR3 the queue depth the device takes (1..BLOCK_RING_ENTRIES),
       MR4 the largest request in bytes (a multiple of the sector size), MR5-MR9 the model
       (40 bytes, NUL-padded), MR10-MR12 the serial (20 bytes, NUL-padded);
       SERVICE_NOT_FOUND past the last disk. A disk that failed keeps its index (flag
       BLOCK_INFO_FAILED) so indices stay stable while the server runs. */
    BLOCK_INFO = 0x40,
    /* Opens a session on a disk. MR0 disk index, MR1 the buffer region's frame size in bits
       (12 or 21), MR2 its frame count (1..BLOCK_REGION_MAX_FRAMES), MR3 (optional, else 0) the
       CPU the client runs on + 1 (0: not said; a driver with a device queue per CPU gives the
       session that CPU's queue, servers/nvme; others ignore it); capability 0: the client's
       notification (the server signals it, badge as minted, when it adds completions);
       capability 1: the ring frame (4 KiB RAM, read-write), which the server zeroes.
       -> MR0 the session (1..BLOCK_MAX_SESSIONS), MR1 the server's instance (changes when
       it restarts: a client that sees another instance knows its sessions are gone);
       capability 0: the doorbell, a notification to signal after adding submissions;
       capability 1 (only from a server with a service thread per CPU, servers/nvme): the
       endpoint of the thread that serves the session, badged as the client, on which the
       client makes the session's BLOCK_WAIT, BLOCK_SHARE and BLOCK_CLOSE (a server of one
       thread sends none: those go to the server's endpoint, as every request may anyway).
       That endpoint dies with the instance: a call on it that fails says the server went,
       and the client opens again through the server's endpoint.
       The session takes requests once all its region frames have come (BLOCK_SHARE).
       SERVICE_TOO_MANY: no session free; SERVICE_QUOTA: the caller holds
       BLOCK_CLIENT_SESSIONS already (those it never shared whole are let go first);
       SERVICE_NOT_FOUND: the server has no disks; SERVICE_BUSY: the disk failed. */
    BLOCK_OPEN = 0x41,
    /* MR0 session, MR1 index of the first frame sent (0..count-1), MR2 the instance
       BLOCK_OPEN answered; capabilities 0-2: the region's next frames (1 to 3, in order; each
       of the frame size BLOCK_OPEN named, RAM, read-write, with CAP_RIGHT_PHYS) -> MR0 frames
       received so far. SERVICE_NOT_FOUND: another instance's session (as BLOCK_WAIT). */
    BLOCK_SHARE = 0x42,
    /* MR0 session, MR1 the instance BLOCK_OPEN answered: requests in flight finish (their
       completions are posted), then the session is gone and the server has let go of the ring
       and the region (unmapped, capabilities deleted), so the client may reuse that memory. A
       session cut off for a bad ring can still be closed this way (to learn when its requests
       are over). SERVICE_NOT_FOUND: another instance's session, or none of the caller's. */
    BLOCK_CLOSE = 0x43,
    /* -> MR0 disks, MR1 sessions open, MR2 requests completed, MR3 requests failed, MR4
       retries, MR5 port or controller resets, MR6 sessions cut off for a bad ring (for the
       shell and tests) */
    BLOCK_STATS = 0x44,
    /* MR0 session, MR1 the instance BLOCK_OPEN answered, MR2 (optional, else 0) how many
       completions the caller takes in the answer (0..BLOCK_WAIT_CARRIED), and optionally
       (length 8) MR3-MR6 one submission (struct block_submission's 32 bytes) with MR7 its
       sequence number (not 0, a new one for each new submission): a doorbell and a wait in one
       call. A submission in the message is taken without the ring when the session has no
       request in flight on the server (else SERVICE_BUSY, nothing taken: put it in the ring
       and wait again); MR2 must then be at least 1, and a call that repeats the
       last sequence number taken (request_call calling again after a lost reply) takes
       nothing new.
       The server takes the session's new submissions (as on a doorbell) and answers once the
       completion queue holds an entry the client has not consumed (at once if it does), or
       completions come in the answer itself -> MR0 the completion queue's tail, MR1 how many
       completions the answer carries (at most MR2's; none if the answer is one word long),
       MR2 + 2i and MR3 + 2i the i-th one's tag and status: those are not in the ring (a
       server answering after an interrupt need not touch the ring then). SERVICE_NOT_FOUND: no
       such session of the caller's in this instance (the server restarted or ended the session:
       open again); SERVICE_BUSY: another BLOCK_WAIT on the session waits already. Why a call: a
       server that ends drops the reply, so a client waiting here learns from the kernel that its
       server went (SERVICE_CALL_LOST) without polling (docs/protocols.md, "Replaceability"). */
    BLOCK_WAIT = 0x45,
};

#define BLOCK_WAIT_CARRIED 4 /* completions a BLOCK_WAIT answer carries at most (MR2-MR9) */

#define BLOCK_INFO_WRITE_CACHE 1u  /* the disk has a volatile write cache: FLUSH matters */
#define BLOCK_INFO_FUA         2u  /* BLOCK_FLAG_FUA is done by the device (else: write+flush) */
#define BLOCK_INFO_NCQ         4u  /* native command queueing */
#define BLOCK_INFO_READ_ONLY   8u  /* writes fail with BLOCK_ERROR_READ_ONLY */
#define BLOCK_INFO_FAILED      16u /* the disk stopped answering: every request fails */
#define BLOCK_INFO_RAM         32u /* a ramdisk: its contents go with the server */

#define BLOCK_MODEL_BYTES  40
#define BLOCK_SERIAL_BYTES 20

#define BLOCK_MAX_SESSIONS      32   /* per server, over all its disks */
#define BLOCK_MAX_CPUS          64   /* BLOCK_OPEN's MR3 names a CPU below this, else none */
#define BLOCK_CLIENT_SESSIONS   8    /* per client (badge) and server: SERVICE_QUOTA past it */
#define BLOCK_REGION_MAX_FRAMES 1024 /* frames of one session's buffer region */

/* --- the ring frame ---------------------------------------------------------------------- */

enum block_op {
    BLOCK_OP_READ = 1,  /* sectors [lba, lba + count) into the region at offset */
    BLOCK_OP_WRITE = 2, /* from the region at offset into sectors [lba, lba + count) */
    BLOCK_OP_FLUSH = 3, /* everything completed before is on stable media (lba, count,
                           offset: 0) */
};

#define BLOCK_FLAG_FUA 1u /* a write: on stable media when it completes */

/* A request: 32 bytes, written by the client. offset must be a multiple of the sector size,
   count * sector size at most the disk's largest request (BLOCK_INFO MR4), and the request
   inside the region and the disk. */
struct block_submission {
    uint8_t op;     /* enum block_op */
    uint8_t flags;  /* BLOCK_FLAG_* */
    uint16_t zero;  /* 0 */
    uint32_t count; /* sectors, 1..max request / sector size (0 for a flush) */
    uint64_t lba;
    uint64_t offset; /* in bytes, into the buffer region */
    uint64_t tag;    /* the client's own: echoed in the completion */
};

enum block_status {
    BLOCK_OK = 0,
    BLOCK_ERROR_IO = 1,        /* the device failed it after the retries (the disk log names
                                  the disk and LBA) */
    BLOCK_ERROR_RANGE = 2,     /* past the end of the disk, or count 0 or too large */
    BLOCK_ERROR_ALIGNMENT = 3, /* offset not sector aligned */
    BLOCK_ERROR_REGION = 4,    /* [offset, offset + bytes) outside the buffer region */
    BLOCK_ERROR_OP = 5,        /* unknown op, flag or non-zero reserved field */
    BLOCK_ERROR_READ_ONLY = 6,
    BLOCK_ERROR_TIMEOUT = 7,   /* the device did not answer in time, even after a reset */
    BLOCK_ERROR_NO_DEVICE = 8, /* the disk failed or went away */
    BLOCK_STATUS_COUNT
};

static inline const char *block_status_name(uint32_t status)
{
    static const char *const names[BLOCK_STATUS_COUNT] = {
        "ok",          "I/O error",      "out of range", "misaligned", "outside the region",
        "bad request", "read-only disk", "timed out",    "no device"};
    return status < BLOCK_STATUS_COUNT ? names[status] : "unknown status";
}

/* A completion: 16 bytes, written by the server, in any order of submission. */
struct block_completion {
    uint64_t tag;    /* the submission's */
    uint32_t status; /* enum block_status */
    uint32_t zero;
};

#define BLOCK_RING_ENTRIES 64 /* each queue; a power of two */

/*
 * The ring frame. Indices run freely (uint32, wrapping); entry i is at i % BLOCK_RING_ENTRIES.
 * The submission queue: the client writes entries at sq_tail, then publishes sq_tail (release
 * store); the server consumes from sq_head and publishes it. The completion queue the other
 * way round. A side that finds the other's index more than BLOCK_RING_ENTRIES ahead of its
 * own has a broken peer: the server then ends the session (SERVICE_BAD_ARGUMENT to the next
 * call; completions stop).
 *
 * Doorbells, without lost wake-ups: a side about to sleep stores its need_wake flag (1), then
 * checks the queue once more (full barrier between); the other side, after publishing, signals
 * only if that need_wake is 1 (and clears it). A client may also simply always signal.
 * A client has at most BLOCK_RING_ENTRIES requests in flight (submitted, not yet completed),
 * so the completion queue can never overflow; the server stops taking submissions while the
 * completion queue is full (a client that never consumes only stalls itself).
 */
struct block_ring {
    uint32_t sq_head, sq_tail; /* server consumes at head; client produces at tail */
    uint32_t server_need_wake; /* the server sleeps: signal the doorbell after submitting */
    uint32_t zero0[13];
    uint32_t cq_head, cq_tail; /* client consumes at head; server produces at tail */
    uint32_t client_need_wake; /* the client sleeps: signal its notification on completing */
    uint32_t zero1[13];
    struct block_submission sq[BLOCK_RING_ENTRIES];
    struct block_completion cq[BLOCK_RING_ENTRIES];
};

_Static_assert(sizeof(struct block_submission) == 32, "submission layout");
_Static_assert(sizeof(struct block_completion) == 16, "completion layout");
_Static_assert(sizeof(struct block_ring) <= 4096, "the ring fits its frame");

#endif
