/*
 * The block client (libsys/block.c): finding block servers and disks, opening a disk's
 * session (ring frame, buffer region, doorbells: lib/proto/block.h), queueing requests and
 * reaping completions, and blocking reads and writes for simple users.
 *
 * The client survives its driver: when the server behind a session restarts or is swapped
 * (a new instance), the library opens the disk again, shares the same region and submits
 * again every request that was in flight and not completed; the caller sees each request
 * complete exactly once (docs/protocols.md says what a client can observe).
 *
 * Not thread-safe: one thread per session.
 */
#ifndef MISSIVE_LIBSYS_BLOCK_H
#define MISSIVE_LIBSYS_BLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/block.h"

struct block_disk_info {
    uint32_t sector_size;
    uint64_t sectors;
    uint32_t flags;     /* BLOCK_INFO_* */
    uint32_t depth;     /* requests the device takes at once */
    uint32_t max_bytes; /* the largest request */
    char model[BLOCK_MODEL_BYTES + 1], serial[BLOCK_SERIAL_BYTES + 1];
};

/* The name of the n-th block server running (0, 1, ...) into name (PROTO_NAME_MAX + 1
   bytes): true, or false past the last. */
bool block_server_name(unsigned n, char *name);

/* Asks server for its disk-th disk: ERR_OK (0), or a negative value: -SERVICE_NOT_FOUND past
   the last disk or when no server has that name, or another -error. */
long block_disk_info(const char *server, unsigned disk, struct block_disk_info *info);

struct block_session; /* opaque; libsys/block.c */

/* Opens disk of server with a buffer region of region_bytes (rounded up to whole frames; 2 MiB
   frames from 2 MiB on), mapped in this process: *out is the session, or NULL with a negative
   error returned. */
long block_open(const char *server, unsigned disk, size_t region_bytes, struct block_session **out);
/* Finishes what is in flight, closes the session, gives back its memory. */
void block_close(struct block_session *s);

const struct block_disk_info *block_info(const struct block_session *s);
void *block_region(const struct block_session *s); /* the region, region_bytes long */
size_t block_region_bytes(const struct block_session *s);

/* Queues one request (lib/proto/block.h's fields; the tag is the caller's). Waits while
   BLOCK_RING_ENTRIES are in flight. Returns 0 or a negative error: -SERVICE_BUSY when
   BLOCK_RING_ENTRIES requests completed and were not reaped yet; another when the session is
   gone and cannot be opened again. Errors are -SERVICE_* (lib/proto/service.h). */
long block_submit(struct block_session *s, const struct block_submission *request);
/* Puts what was queued in the ring (block_submit holds the last request back, so that a
   wait for it alone can carry it in the call: lib/proto/block.h's BLOCK_WAIT) and rings the
   doorbell, if the server asked for one (need_wake): one signal a batch. A caller about to
   wait in block_reap may leave it out: the wait takes the queued requests too. */
void block_kick(struct block_session *s);
/* Waits until at least one request has completed (if any is in flight) and copies up to max
   completions into out: returns how many (0: nothing was in flight), or a negative error. */
long block_reap(struct block_session *s, struct block_completion *out, unsigned max);
unsigned block_in_flight(const struct block_session *s);

/* Blocking, through the region (copied in and out in chunks): bytes a multiple of the sector
   size (else -SERVICE_BAD_ARGUMENT, nothing moved). Returns 0, -(BLOCK_ERROR_* +
   BLOCK_STATUS_BASE) for a failed request, or another negative error. */
#define BLOCK_STATUS_BASE 1000
long block_read(struct block_session *s, uint64_t lba, void *buffer, size_t bytes);
long block_write(struct block_session *s, uint64_t lba, const void *buffer, size_t bytes, bool fua);
long block_flush(struct block_session *s);

/* Moves every session this process has open to disk of server (HMFS's FS_MOVE: the same image
   attached to another controller, docs/processes.md): each must be idle (nothing in flight or
   unreaped: else -SERVICE_BUSY) and the new disk the same size (else -SERVICE_BAD_ARGUMENT);
   the old server lets go of it and the new one takes the same ring and region. Returns the
   sessions moved, or a negative error (the session it failed on stays where it was). */
long block_move_sessions(const char *server, unsigned disk);

/* The CPU this process uses its block sessions from (the caller set its threads' affinity
   there), told to servers in every later BLOCK_OPEN (and reopen), so that a driver with a
   device queue per CPU (servers/nvme) gives them that CPU's queue. Not called: not said, and
   the server chooses. */
void block_set_cpu(unsigned cpu);

/* How many times this session was opened again after its server restarted. */
unsigned block_reopen_count(const struct block_session *s);

#endif
