/*
 * What the parts of the block client share (block.c: discovery, open, close; block_ring.c:
 * the rings and waits; block_reopen.c: reopening and moving sessions; block_sync.c: the
 * blocking calls). Not for programs: they use block.h.
 */
#ifndef MISSIVE_LIBSYS_BLOCK_INTERNAL_H
#define MISSIVE_LIBSYS_BLOCK_INTERNAL_H

#include "libsys/block.h"
#include "libsys/service.h"

struct block_request_entry {
    bool used;
    struct block_submission request; /* tag: the caller's */
};

struct block_session {
    char server[PROTO_NAME_MAX + 1];
    unsigned disk;
    uint64_t endpoint; /* the server's named endpoint: BLOCK_INFO, BLOCK_OPEN, reopening */
    /* What BLOCK_WAIT, BLOCK_SHARE and BLOCK_CLOSE call: the endpoint of the server's thread
       that serves the session (BLOCK_OPEN's capability 1, kept in doorbell + 1), or endpoint
       when the server sent none (a server of one thread). */
    uint64_t session_endpoint;
    uint64_t notification, notification_badged, doorbell, ring_frame;
    volatile struct block_ring *ring;
    unsigned frame_bits, frame_count;
    uint64_t first_frame;
    uint8_t *region;
    size_t region_bytes;
    uint64_t session, instance;
    struct block_disk_info info;
    struct block_request_entry entries[BLOCK_RING_ENTRIES];
    unsigned in_flight;
    uint32_t sq_tail, cq_head;
    /* 1 + the entry submitted last and not yet in the ring (0: none): the next BLOCK_WAIT
       carries it (lib/proto/block.h), block_kick or the next block_submit puts it in the
       ring. */
    unsigned unpublished;
    uint64_t wait_sequence; /* unpublished's sequence number (one per request, not per try) */
    struct block_completion pending[BLOCK_RING_ENTRIES]; /* completed, not yet reaped */
    unsigned pending_count;
    unsigned reopens;
    bool failed; /* the disk reopened was not this one: every request fails (see reopen) */
};

/* The sessions open now, for block_move_sessions (a client holds a few at most). */
#define BLOCK_OPEN_MAX 16
extern struct block_session *block_opened[BLOCK_OPEN_MAX];

/* block.c */
/* A kernel error or a server status as the library's negative answer. */
long block_failure(struct result e);
/* The endpoint of server (looked up once, then kept), or 0 with *error set. */
uint64_t block_endpoint(const char *server, long *error);
/* BLOCK_INFO on endpoint: 0 or a negative error. */
long block_info_call(uint64_t endpoint, unsigned disk, struct block_disk_info *info);
/* BLOCK_CLOSE of s's session; returns once the server let go of it and its requests. */
void block_close_session(struct block_session *s);
/* Opens s's disk on its server (again, after a restart): BLOCK_OPEN and BLOCK_SHARE. */
long block_open_session(struct block_session *s);

/* block_ring.c */
/* Puts the request of entry i in the ring. */
void block_enqueue(struct block_session *s, unsigned i);
/* Moves the completions the ring holds into pending. */
void block_harvest(struct block_session *s);

/* block_reopen.c */
/* Fails s for good: every request in flight completes with BLOCK_ERROR_NO_DEVICE. */
void block_fail_session(struct block_session *s);
/* The server restarted (or ended the session: cut_off): opens the disk again and submits again
   every request in flight, or fails the session if the disk is another; 0 or an error. */
long block_reopen_session(struct block_session *s, bool cut_off);

#endif
