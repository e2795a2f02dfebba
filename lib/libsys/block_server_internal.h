/*
 * What the parts of the block server library share: block_server.c (set-up, notifications,
 * slots), block_server_session.c (the control requests, the session table),
 * block_server_wait.c (BLOCK_WAIT) and block_server_queue.c (the rings: taking submissions,
 * posting completions, waking clients). Not for drivers: they use block_server.h.
 */
#ifndef MISSIVE_LIBSYS_BLOCK_SERVER_INTERNAL_H
#define MISSIVE_LIBSYS_BLOCK_SERVER_INTERNAL_H

#include "libsys/block_server.h"
#include "libsys/mutex.h"
#include "libsys/server.h"
#include "libsys/thread.h"

/* Where sessions' rings and regions are mapped in the server (between the ACPI window and
   device memory, proto/proc.h). A region takes at most BLOCK_REGION_MAX_FRAMES 2 MiB frames. */
#define BLOCK_SERVER_RING_BASE   0x580000000000ul
#define BLOCK_SERVER_REGION_BASE 0x590000000000ul
#define BLOCK_SERVER_REGION_SPAN (1ul << 31)

/* A session's slots, one run: the ring frame, the client's notification, then the frames. */
enum { SESSION_SLOT_RING = 0, SESSION_SLOT_CLIENT = 1, SESSION_SLOT_FRAMES = 2 };

struct block_session_state {
    bool used;
    bool ready;     /* every region frame came: requests are taken */
    bool broken;    /* its ring made no sense: the next call that names it is told, then it goes */
    bool closing;   /* BLOCK_CLOSE came: it goes once the driver gave back every request */
    bool gone;      /* the client went away (its frames vanished): it goes likewise */
    bool woken;     /* completions were posted since the client was last woken */
    bool waiting;   /* a BLOCK_WAIT waits: its reply saved in wait_slot, or owed (wait_owed) */
    bool wait_owed; /* that reply is the one the service thread owes, unsaved (block_server
                       owed) */
    unsigned wait_carry;    /* completions that wait takes in its answer (its MR2) */
    uint64_t wait_sequence; /* the last BLOCK_WAIT submission taken (its MR7) */
    bool close_waiting;     /* a BLOCK_CLOSE's reply is saved in close_slot */
    uint64_t owner;         /* the client's badge */
    unsigned disk;
    unsigned cpu;    /* BLOCK_OPEN's MR3: the client's CPU + 1, 0 if not said */
    unsigned thread; /* the service thread that owns it (settles it, owes its wait) */
    unsigned frame_bits, frame_count, frames_received;
    uint64_t slots; /* the first of 2 + frame_count */
    uint64_t wait_slot, close_slot;
    uint64_t *physical; /* frame_count addresses */
    volatile struct block_ring *ring;
    uint8_t *region;           /* mapped here (driver map_regions), else NULL */
    uint32_t sq_head, cq_tail; /* the server's own copies: the ring's may be scribbled on */
    unsigned started;          /* requests the driver holds */
    /* Completions the driver reported, not yet in the ring: the ring is only touched after
       settle saw it is still there (block_session_alive). */
    struct block_completion done[BLOCK_RING_ENTRIES];
    unsigned done_count;
    uint32_t generation; /* tells a new session in this entry from an ended one */
};

struct block_started {
    bool used;
    unsigned session;
    uint32_t generation;
    uint64_t tag;
};

struct block_free_run {
    uint64_t first, count;
};

#define BLOCK_SERVER_FREE_RUNS 96

/* One service thread (block_server_threads): its receive loop and everything of the
   BLOCK_WAIT reply it owes unsaved (the kernel keeps that reply in the thread). Thread 0 is the
   one that called block_server_run, on the process's service endpoint. */
struct block_server_thread {
    struct block_server *bs;
    unsigned index;
    struct server server;
    uint64_t notification; /* bound to this thread; badged copies go out */
    uint64_t resume;       /* notification, badged as a doorbell: a pump left work over */
    uint64_t endpoint;     /* its own endpoint (BLOCK_OPEN's capability 1), 0 for thread 0 */
    uint32_t owned;        /* bit i: sessions[i] is in use and this thread's */
    /* The BLOCK_WAIT the thread owes unsaved (server.h's notification_answer): 1 + its
       session, or 0. Any call that arrives ends it (the kernel answers ERR_NO_REPLY and the
       client's request_call calls again), so handlers forget it (block_owed_dropped). */
    unsigned owed;
    long owed_answer;   /* its answer once ready (SERVER_NO_REPLY: not yet) */
    uint32_t owed_tail; /* and the completion tail that goes with it */
    /* and the completions it carries instead of the ring (lib/proto/block.h) */
    struct block_completion owed_carried[BLOCK_WAIT_CARRIED];
    unsigned owed_carried_count;
    unsigned save_waits;         /* after a drop: the next BLOCK_WAITs are saved, not owed */
    struct libsys_thread thread; /* threads 1..: how it was started */
};

struct block_server {
    const struct block_server_driver *driver;
    uint64_t instance; /* this process's id: a restarted server has another */
    /* The service threads (1 unless block_server_threads made more). With more than one,
       every message, hook and settle runs under mutex (server.h's struct server.mutex), so
       one thread at a time touches what follows; current is the thread that holds it (the
       only one, with one thread). */
    struct block_server_thread threads[BLOCK_SERVER_MAX_THREADS];
    unsigned thread_count;
    bool threaded; /* thread_count > 1 (one load on the paths of a server of one thread) */
    struct block_server_thread *current;
    uint32_t starved; /* bit t: the driver refused thread t a request (full): poke it when one
                         completes, as its own settle after a completion would */
    uint64_t waits_elsewhere; /* block_server_waits_elsewhere */
    uint32_t handed;          /* bit t: a request of thread t's session ended on another thread (a
                                 time-out's tick drains every pair): poke it to settle, which also
                                 ends a close or a release that waits for that request */
    /* With several threads, driver is threaded_driver: the driver's hooks (own_driver's),
       each followed by handing its completions to their sessions' threads (block_server.c),
       so that a server of one thread runs none of that. */
    struct block_server_driver threaded_driver;
    const struct block_server_driver *own_driver;
    struct mutex mutex;
    struct block_session_state sessions[BLOCK_MAX_SESSIONS];
    unsigned next_session; /* where free_session looks first: entries are taken in turn */
    struct block_started started[BLOCK_SERVER_MAX_STARTED];
    unsigned free_ids[BLOCK_SERVER_MAX_STARTED]; /* entries of started not in use, a stack */
    unsigned free_id_count;
    unsigned next_pump; /* where the next round of taking submissions starts (fairness) */
    uint32_t used_mask; /* bit i: sessions[i].used, so settle visits the sessions in use only */
    bool driver_full;   /* the driver refused a request: offer again after a completion */
    bool driver_event;  /* the settle under way is for the driver's bits alone (no doorbell) */
    struct block_free_run free_runs[BLOCK_SERVER_FREE_RUNS];
    unsigned free_run_count;
    /* BLOCK_STATS */
    uint64_t completed, failed, retries, resets, cut_off;
};

/* block_server.c */
/* Session s changed (closed, waited on, answered): if another thread than the current one
   owns it, that thread is signalled (its resume) to settle it. */
void block_poke_owner(struct block_server *bs, const struct block_session_state *s);
/* count empty slots in a row (kept runs first, else fresh from libsys), or 0. */
uint64_t block_slots_take(struct block_server *bs, uint64_t count);
/* Gives a run of slots back for block_slots_take. */
void block_slots_give(struct block_server *bs, uint64_t first, uint64_t count);

/* block_server_session.c: the control requests (their handlers, lib/proto/block.h), and the
   caller's session named by MR word, or NULL with *status the answer. */
struct block_session_state *block_caller_session(struct server_call *call, unsigned word,
                                                 long *status);
long block_handle_info(struct server_call *call);
long block_handle_open(struct server_call *call);
long block_handle_share(struct server_call *call);
long block_handle_close(struct server_call *call);
long block_handle_stats(struct server_call *call);

/* block_server_wait.c: BLOCK_WAIT's handler. */
long block_handle_wait(struct server_call *call);
/* Writes into out a BLOCK_WAIT answer that carries completions (lib/proto/block.h): the
   completion tail, *count, then each of done's first *count as tag and status; *count becomes
   0 (they are handed over). *count is at most BLOCK_WAIT_CARRIED. The one encoding for an
   answer given at once (block_server_wait.c) and for the owed one (block_server.c). */
void block_answer_carried(struct request *out, uint32_t tail, struct block_completion *done,
                          unsigned *count);

/* block_server_queue.c */
/* Takes what every ready session has submitted (as far as the driver and each completion
   queue have room), then wakes the clients that got completions and lets go of the sessions
   that ended. Called after every event. */
void block_server_settle(struct block_server *bs);
/* Takes session's submissions (no waking). */
void block_session_pump(struct block_server *bs, unsigned session);
/* Whether s's ring frame is still there: a client that died took its memory with it (and
   the kernel our mapping), so its ring must not be touched again. */
bool block_session_alive(const struct block_session_state *s);
/* Whether session's completion queue holds entries the client has not consumed. */
bool block_session_has_completions(const struct block_session_state *s);
/* Lets go of the session: unmaps and deletes its ring and frames, answers what waits. */
void block_session_release(struct block_server *bs, unsigned session);
/* BLOCK_WAIT's own submission sub, sequence number sequence, for session index (ready, not
   broken): started or failed at once (its completion in done: true), or not taken (false:
   the session has requests in flight, or the driver is full). Touches no ring. */
bool block_wait_take(struct block_server *bs, unsigned index, const struct block_submission *sub,
                     uint64_t sequence);
/* A call arrived: the BLOCK_WAIT the service thread owed unsaved (if any) was ended by the
   kernel; its session no longer waits (its client calls again). */
void block_owed_dropped(struct block_server *bs);

#endif
