/*
 * The block protocol's server side (libsys/block_server.c, lib/proto/block.h): everything a
 * block server (servers/ahci, servers/ramdisk) does the same way, so a driver supplies only its
 * disks and a way to start one request.
 *
 * The library owns the service thread's loop (on the server library, server.h): it answers
 * BLOCK_INFO, BLOCK_OPEN, BLOCK_SHARE, BLOCK_CLOSE, BLOCK_STATS and BLOCK_WAIT; keeps the
 * session table (BLOCK_MAX_SESSIONS); checks every frame a client shares (a frame of the size
 * the session named, read-write, with CAP_RIGHT_PHYS; not that it is RAM, which a frame
 * capability does not tell the server) and reads its physical address; maps the ring frame;
 * consumes submissions, checks each (lib/block/block_check.h) and fails the bad ones itself, so the
 * driver only ever sees a request that fits the disk, the region and its own limits; posts
 * completions and wakes clients by the need_wake rule; and ends a session whose ring indices
 * make no sense (that client only).
 *
 * Waiting: one notification is bound to the service thread, so the one receive that takes
 * requests also takes doorbells and the driver's interrupts. Its badge bits 0..31 are the
 * sessions' doorbells (BLOCK_MAX_SESSIONS); bits 32..63 are the driver's own: give
 * block_server_driver_notification's capability to an IRQ handler
 * (irq_handler_set_notification) and the driver's interrupt hook runs with those bits when it
 * fires. A driver that needs a timer (I/O time-outs) can run a second thread that sleeps
 * (proc_sleep_ms) and signals one of its bits.
 *
 * Threads: a server of one thread (AHCI, the ramdisk) takes no locks. A driver with a device
 * queue per CPU (servers/nvme) may ask for a service thread per queue (block_server_threads):
 * each has its own endpoint and notification and is bound to its CPU; a session belongs to
 * the thread of the CPU its client named in BLOCK_OPEN (else session index mod threads), whose
 * endpoint BLOCK_OPEN hands the client as its capability 1, so that thread takes the
 * session's submissions and answers its waits. The library then holds one mutex
 * (libsys/mutex.h) over every message, hook and settle, so the hooks still run one at a time,
 * each on the thread whose message or notification it serves (block_server_thread says
 * which); a completion for another thread's session is handed to that thread.
 *
 * Trust: a driver's start hook gets the physical addresses of client memory to give to a DMA
 * engine. There is no IOMMU: the driver is trusted with all memory (docs/protocols.md).
 */
#ifndef MISSIVE_LIBSYS_BLOCK_SERVER_H
#define MISSIVE_LIBSYS_BLOCK_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include "block/block_check.h"
#include "libsys/block.h"

/* The largest request a driver may declare (struct block_disk_info.max_bytes). */
#define BLOCK_SERVER_MAX_BYTES (4ul << 20)
/* The physical pieces one request has at most: one per 4 KiB page, one more for a request that
   does not start on a page boundary. */
#define BLOCK_SERVER_MAX_SEGMENTS (BLOCK_SERVER_MAX_BYTES / 4096 + 1)
/* Requests the library lets a driver hold at once (over all sessions and disks). */
#define BLOCK_SERVER_MAX_STARTED 256
/* Service threads at most (block_server_threads): one per device queue a driver has. */
#define BLOCK_SERVER_MAX_THREADS 8
/* The driver's notification bits: 0..BLOCK_SERVER_DRIVER_BITS-1 (badge bits 32..63). */
#define BLOCK_SERVER_DRIVER_BITS 32

struct block_server; /* opaque; libsys/block_server.c */

/* One request, checked, as the driver's start hook sees it. Valid only during that call: copy
   what is needed (the segments go into the device's scatter list). */
struct block_server_request {
    unsigned id;    /* what block_server_complete takes */
    unsigned disk;  /* index into the driver's disks */
    uint8_t op;     /* BLOCK_OP_READ, BLOCK_OP_WRITE or BLOCK_OP_FLUSH */
    uint8_t flags;  /* BLOCK_FLAG_FUA on a write the disk does itself (BLOCK_INFO_FUA) */
    uint32_t count; /* sectors (0 for a flush) */
    uint64_t lba;
    /* The session it came from (0..BLOCK_MAX_SESSIONS-1): a driver with several device queues
       spreads sessions over them (servers/nvme). */
    unsigned session;
    /* The client's CPU + 1 as its BLOCK_OPEN said (0: not said): a driver with a queue per
       CPU gives the request that CPU's queue (servers/nvme). */
    unsigned cpu;
    uint64_t bytes; /* count * sector size */
    void *data;     /* the bytes in this process (driver map_regions only; else NULL) */
    unsigned segment_count;
    const struct block_segment *segments; /* physical pieces, in order, adjacent ones merged */
};

struct block_server_driver {
    const char *name; /* for log lines: "ramdisk", "ahci" */
    /* The driver's disks. The driver may change an entry's flags while it runs (set
       BLOCK_INFO_FAILED); the library reads them at each request. */
    struct block_disk_info *disks;
    unsigned disk_count;
    /* Map every session's region into this process, so start gets request.data (a ramdisk,
       which copies). A DMA driver leaves it false and uses the segments. */
    bool map_regions;
    /* Starts r. Returns true when the driver took it: it then calls block_server_complete for
       it exactly once, from this hook or later (from the interrupt hook). false: no room now
       (every command slot busy); the library offers the request again after the next
       completion. A write with BLOCK_FLAG_FUA must be on stable media when it completes: a
       disk without BLOCK_INFO_FUA writes and then flushes its cache itself. */
    bool (*start)(struct block_server *bs, const struct block_server_request *r);
    /* The driver's notification fired with bits (bit i: block_server_driver_notification(bs,
       i)'s signal). NULL: no interrupts. */
    void (*interrupt)(struct block_server *bs, uint32_t bits);
    /* Called after each round of start calls and after every call of the interrupt hook
       (NULL: none): a driver that queues what start took hands it all to the device here, in
       one go (servers/ahci writes PxSACT and PxCI once for a batch), and what its interrupt
       hook made ready (a retry, a flush after a write) likewise. */
    void (*kick)(struct block_server *bs);
    void *context; /* the driver's own, for its hooks (block_server_context) */
};

/* Makes a block server for driver (which must outlive it): its notification, bound to the
   calling thread, and its tables. The manifest must give the process a CSpace large enough
   for the frames its clients share (cspace=14 or more). Returns NULL (after saying why) when
   out of memory or slots. */
struct block_server *block_server_create(const struct block_server_driver *driver);

/* A new slot holding the server's notification badged with driver bit (0..31), to give to an
   IRQ handler or a helper thread; 0 on failure. */
uint64_t block_server_driver_notification(struct block_server *bs, unsigned bit);

/* A new slot holding service thread thread's notification badged with driver bit (0..31), as
   block_server_driver_notification (thread 0's) does; 0 on failure. */
uint64_t block_server_thread_notification(struct block_server *bs, unsigned thread, unsigned bit);

/* Starts service threads 1..count-1 (the caller, which then calls block_server_run, is
   thread 0), thread t bound to CPU cpus[t] at priority, each with its own endpoint and
   notification (see the top). Call it after block_server_create and before
   block_server_run, from that thread, with no other thread making objects meanwhile (the
   slot allocator is not thread-safe, libsys/thread.h): afterwards the library allocates slots
   only under its mutex. Returns the threads serving (count, or fewer after saying why). */
unsigned block_server_threads(struct block_server *bs, unsigned count, const uint64_t *cpus,
                              unsigned priority);

/* The service thread running the hook that asks (0..threads-1). */
unsigned block_server_thread(const struct block_server *bs);

/* How many BLOCK_WAITs came to a thread that does not serve their session (a client making
   its waits on the service endpoint instead of the endpoint BLOCK_OPEN answered): served all
   the same, through the owner; 0 while every client uses its session's thread. */
uint64_t block_server_waits_elsewhere(const struct block_server *bs);

/* The request id (from start) has finished with status (enum block_status): posts its
   completion to its session (if the session still exists), wakes the client if it sleeps and
   offers waiting submissions to the driver again. Call it exactly once per request taken. */
void block_server_complete(struct block_server *bs, unsigned id, uint32_t status);

/* Counts for BLOCK_STATS: a command retried, a port or controller reset. */
void block_server_count_retry(struct block_server *bs);
void block_server_count_reset(struct block_server *bs);

void *block_server_context(const struct block_server *bs);

/* Registers nothing (the endpoint is the process's own, PROC_SLOT_SERVICE) and serves for
   ever: requests, doorbells and the driver's interrupts. The driver's disks must be known by
   now: a max_bytes above BLOCK_SERVER_MAX_BYTES is lowered (and said) here. */
_Noreturn void block_server_run(struct block_server *bs);

#endif
