/*
 * blocktest bad: every bad input the block protocol must survive (lib/proto/block.h), sent by
 * hand rather than through the client library, which would never send them: bad control
 * requests, frames without CAP_RIGHT_PHYS or of the wrong size, requests past the end, of
 * length zero, misaligned, outside the region or unknown, a ring with garbage indices, a
 * client that never consumes its completions, and too many sessions. After each the server
 * must go on serving a well-behaved client (checked through the library at the end).
 */
#include <stdio.h>
#include <string.h>

#include "blocktest.h"
#include "libsys/service.h"
#include "libsys/vmap.h"
#include "testlib.h"

#define RAW_BASE   0x560000000000ul
#define RAW_WINDOW (1ul << 24)
#define RAW_FRAMES 4
#define RAW_PAGE   (1ul << PAGE_BITS)

/* A session made by hand. */
struct raw {
    uint64_t endpoint, notification, ring_frame, frames, doorbell;
    volatile struct block_ring *ring;
    uint8_t *region;
    uint64_t session, instance;
};

static unsigned windows;

/* An object of type (size bits for a frame) from a fresh Untyped of untyped_bits; 0 on
   failure. */
static uint64_t make(unsigned type, unsigned bits, unsigned untyped_bits, unsigned count)
{
    uint64_t untyped = libsys_alloc_slot(), first = libsys_alloc_slot();
    for (unsigned i = 1; i < count; i++)
        libsys_alloc_slot();
    if (!result_is_ok(mem_untyped(untyped_bits, untyped)) ||
        untyped_retype(untyped, type, bits, first, count) != ERR_OK)
        return 0;
    return first;
}

/* Its notification, ring frame and RAW_FRAMES region frames, mapped. */
static bool raw_make(struct raw *r, uint64_t endpoint)
{
    memset(r, 0, sizeof *r);
    uint64_t at = RAW_BASE + windows++ * RAW_WINDOW;
    r->endpoint = endpoint;
    r->notification = make(CAP_NOTIFICATION, 0, PAGE_BITS, 1);
    r->ring_frame = make(CAP_FRAME, PAGE_BITS, PAGE_BITS, 1);
    r->frames = make(CAP_FRAME, PAGE_BITS, PAGE_BITS + 2, RAW_FRAMES);
    r->doorbell = libsys_alloc_slot();
    if (!r->notification || !r->ring_frame || !r->frames ||
        vmap_frame(r->ring_frame, at, CAP_RIGHT_READ | CAP_RIGHT_WRITE) != ERR_OK)
        return false;
    for (unsigned i = 0; i < RAW_FRAMES; i++)
        if (vmap_frame(r->frames + i, at + RAW_PAGE * (1 + i), CAP_RIGHT_READ | CAP_RIGHT_WRITE))
            return false;
    r->ring = (volatile struct block_ring *)at;
    r->region = (uint8_t *)(at + RAW_PAGE);
    return true;
}

/* BLOCK_OPEN with words disk, bits, count and the capabilities caps. */
static struct result raw_open_with(struct raw *r, uint64_t disk, uint64_t bits, uint64_t count,
                                   const uint64_t *caps, unsigned cap_count)
{
    struct request q = {.label = BLOCK_OPEN};
    request_set_word(&q, 0, disk);
    request_set_word(&q, 1, bits);
    request_set_word(&q, 2, count);
    cspace_delete(PROC_SLOT_CSPACE, r->doorbell);
    struct result e =
        request_result(request_call(r->endpoint, &q, caps, cap_count, r->doorbell), &q);
    if (result_is_ok(e)) {
        r->session = request_word(&q, 0);
        r->instance = request_word(&q, 1);
    }
    return e;
}

static struct result raw_open(struct raw *r, unsigned disk)
{
    uint64_t caps[2] = {r->notification, r->ring_frame};
    return raw_open_with(r, disk, PAGE_BITS, RAW_FRAMES, caps, 2);
}

/* BLOCK_SHARE of n frames from first (frame index index). */
static struct result raw_share(struct raw *r, uint64_t index, const uint64_t *frames, unsigned n)
{
    struct request q = {.label = BLOCK_SHARE};
    request_set_word(&q, 0, r->session);
    request_set_word(&q, 1, index);
    request_set_word(&q, 2, r->instance);
    return request_result(request_call(r->endpoint, &q, frames, n, 0), &q);
}

/* A call of label naming the session (and the instance). */
static struct result raw_call(struct raw *r, uint64_t label)
{
    struct request q = {.label = label};
    request_set_word(&q, 0, r->session);
    request_set_word(&q, 1, r->instance);
    return request_result(request_call(r->endpoint, &q, 0, 0, 0), &q);
}

/* Shares r's whole region with its open session: then it is ready. */
static bool raw_share_all(struct raw *r)
{
    uint64_t frames[3] = {r->frames, r->frames + 1, r->frames + 2};
    uint64_t last = r->frames + 3;
    return result_is_ok(raw_share(r, 0, frames, 3)) && result_is_ok(raw_share(r, 3, &last, 1));
}

/* Opens and shares the whole region: a ready session. */
static bool raw_ready(struct raw *r, uint64_t endpoint, unsigned disk)
{
    return raw_make(r, endpoint) && result_is_ok(raw_open(r, disk)) && raw_share_all(r);
}

/* Queues one submission in r's ring. */
static void raw_submit(struct raw *r, struct block_submission s)
{
    uint32_t tail = r->ring->sq_tail;
    r->ring->sq[tail % BLOCK_RING_ENTRIES] = s;
    r->ring->sq_tail = tail + 1;
}

/* Submits s alone and waits: its completion's status (or 99 if none came). */
static uint32_t raw_status(struct raw *r, struct block_submission s)
{
    raw_submit(r, s);
    if (!result_is_ok(raw_call(r, BLOCK_WAIT)))
        return 99;
    uint32_t head = r->ring->cq_head;
    if (head == r->ring->cq_tail)
        return 99;
    struct block_completion c = r->ring->cq[head % BLOCK_RING_ENTRIES];
    r->ring->cq_head = head + 1;
    return c.tag == s.tag ? c.status : 98;
}

/* Submits s in a BLOCK_WAIT of its own (sequence number sequence, carry completions asked
   for): its completion's status, from the answer or the ring (99 if none came). *call gets
   the call's result. */
static uint32_t raw_status_in_call(struct raw *r, struct block_submission s, uint64_t sequence,
                                   uint64_t carry, struct result *call)
{
    struct request q = {.label = BLOCK_WAIT};
    uint64_t words[4];
    memcpy(words, &s, sizeof words);
    request_set_word(&q, 0, r->session);
    request_set_word(&q, 1, r->instance);
    request_set_word(&q, 2, carry);
    for (unsigned i = 0; i < 4; i++)
        request_set_word(&q, 3 + i, words[i]);
    request_set_word(&q, 7, sequence);
    *call = request_result(request_call(r->endpoint, &q, 0, 0, 0), &q);
    if (!result_is_ok(*call))
        return 99;
    if (q.length >= 4 && request_word(&q, 1) == 1)
        return request_word(&q, 2) == s.tag ? (uint32_t)request_word(&q, 3) : 98;
    uint32_t head = r->ring->cq_head;
    if (head == r->ring->cq_tail)
        return 99;
    struct block_completion c = r->ring->cq[head % BLOCK_RING_ENTRIES];
    r->ring->cq_head = head + 1;
    return c.tag == s.tag ? c.status : 98;
}

/* Waits (BLOCK_WAIT, which answers at once while completions are unconsumed, then a pause)
   until r's completion queue holds n entries not consumed: a disk completes in its own time.
   Returns whether they came within ten seconds. */
static bool raw_wait_for(struct raw *r, uint32_t n)
{
    for (int tries = 0; tries < 1000; tries++) {
        if (!result_is_ok(raw_call(r, BLOCK_WAIT)))
            return false;
        if (r->ring->cq_tail - r->ring->cq_head >= n)
            return true;
        proc_sleep_ms(10);
    }
    return false;
}

/* The control requests' checks, and the frames the server must refuse. */
static void bad_control(uint64_t endpoint, unsigned disk)
{
    struct request q = {.label = BLOCK_INFO};
    request_set_word(&q, 0, 99);
    check_status("BLOCK_INFO past the last disk",
                 request_result(request_call(endpoint, &q, 0, 0, 0), &q), SERVICE_NOT_FOUND);
    struct raw r;
    if (!raw_make(&r, endpoint)) {
        check_fail("no memory for a session");
        return;
    }
    uint64_t caps[2] = {r.notification, r.ring_frame};
    check_result_bad_argument("open: no such disk", raw_open_with(&r, 99, 12, 4, caps, 2), 0);
    check_result_bad_range("open: frame size", raw_open_with(&r, disk, 13, 4, caps, 2), 1, 12, 21);
    check_result_bad_argument("open: no frames", raw_open_with(&r, disk, 12, 0, caps, 2), 2);
    check_result_bad_argument("open: too many frames",
                              raw_open_with(&r, disk, 12, BLOCK_REGION_MAX_FRAMES + 1, caps, 2), 2);
    check_result_bad_argument("open: no capabilities", raw_open_with(&r, disk, 12, 4, caps, 0),
                              SERVICE_ARGUMENT_CAP);
    uint64_t swapped[2] = {r.ring_frame, r.notification};
    check_result_bad_argument("open: a frame for the notification",
                              raw_open_with(&r, disk, 12, 4, swapped, 2), SERVICE_ARGUMENT_CAP);
    uint64_t no_ring[2] = {r.notification, r.notification};
    check_result_bad_argument("open: a notification for the ring",
                              raw_open_with(&r, disk, 12, 4, no_ring, 2), SERVICE_ARGUMENT_CAP + 1);
    check_status("open", raw_open(&r, disk), SERVICE_OK);
    /* Frames without CAP_RIGHT_PHYS, and of the wrong size. */
    uint64_t no_phys = libsys_alloc_slot();
    cspace_copy(PROC_SLOT_CSPACE, no_phys, r.frames, CAP_RIGHT_READ | CAP_RIGHT_WRITE, 0);
    check_result_bad_argument("share: a frame without PHYS", raw_share(&r, 0, &no_phys, 1),
                              SERVICE_ARGUMENT_CAP);
    uint64_t large = make(CAP_FRAME, FRAME_LARGE_BITS, FRAME_LARGE_BITS, 1);
    check_result_bad_argument("share: a 2 MiB frame in a 4 KiB region", raw_share(&r, 0, &large, 1),
                              SERVICE_ARGUMENT_CAP);
    uint64_t good[2] = {r.frames, no_phys};
    check_result_bad_argument("share: the second frame without PHYS", raw_share(&r, 0, good, 2),
                              SERVICE_ARGUMENT_CAP + 1);
    check_result_bad_range("share: out of order", raw_share(&r, 2, &r.frames, 1), 1, 0, 0);
    check_result_bad_argument("wait before the region is whole", raw_call(&r, BLOCK_WAIT), 0);
    check_status("close a session never used", raw_call(&r, BLOCK_CLOSE), SERVICE_OK);
    check_status("the closed session is gone", raw_call(&r, BLOCK_WAIT), SERVICE_NOT_FOUND);
    cspace_delete(PROC_SLOT_CSPACE, large);
}

/* Requests that must fail, each with its error, on a ready session. */
static void bad_requests(uint64_t endpoint, unsigned disk, uint64_t sectors, uint32_t sector)
{
    struct raw r;
    if (!raw_ready(&r, endpoint, disk)) {
        check_fail("no ready session for the bad requests");
        return;
    }
    uint64_t region = RAW_FRAMES * RAW_PAGE;
    struct {
        const char *what;
        struct block_submission s;
        uint32_t want;
    } cases[] = {
        {"a read", {.op = BLOCK_OP_READ, .count = 1, .lba = 0}, BLOCK_OK},
        {"past the end", {.op = BLOCK_OP_READ, .count = 1, .lba = sectors}, BLOCK_ERROR_RANGE},
        {"across the end",
         {.op = BLOCK_OP_WRITE, .count = 2, .lba = sectors - 1},
         BLOCK_ERROR_RANGE},
        {"zero length", {.op = BLOCK_OP_READ, .count = 0}, BLOCK_ERROR_RANGE},
        {"an overflowing lba",
         {.op = BLOCK_OP_READ, .count = 2, .lba = UINT64_MAX},
         BLOCK_ERROR_RANGE},
        {"too large", {.op = BLOCK_OP_READ, .count = UINT32_MAX}, BLOCK_ERROR_RANGE},
        {"misaligned", {.op = BLOCK_OP_READ, .count = 1, .offset = 1}, BLOCK_ERROR_ALIGNMENT},
        {"outside the region",
         {.op = BLOCK_OP_READ, .count = 1, .offset = region},
         BLOCK_ERROR_REGION},
        {"across the region's end",
         {.op = BLOCK_OP_READ, .count = 2, .offset = region - sector},
         BLOCK_ERROR_REGION},
        {"an unknown op", {.op = 9, .count = 1}, BLOCK_ERROR_OP},
        {"an unknown flag", {.op = BLOCK_OP_WRITE, .flags = 0x80, .count = 1}, BLOCK_ERROR_OP},
        {"a reserved field", {.op = BLOCK_OP_READ, .zero = 1, .count = 1}, BLOCK_ERROR_OP},
        {"a flush with a count", {.op = BLOCK_OP_FLUSH, .count = 1}, BLOCK_ERROR_OP},
        {"a flush", {.op = BLOCK_OP_FLUSH}, BLOCK_OK},
    };
    for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cases[i].s.tag = 100 + i;
        char what[64];
        snprintf(what, sizeof what, "request %s", cases[i].what);
        check(what, raw_status(&r, cases[i].s), cases[i].want);
        /* The same in the wait's own message (lib/proto/block.h): checked alike. */
        struct result call;
        snprintf(what, sizeof what, "request in the call: %s", cases[i].what);
        check(what, raw_status_in_call(&r, cases[i].s, 1000 + i, 1, &call), cases[i].want);
        check_status(what, call, SERVICE_OK);
    }
    struct result call;
    struct block_submission read = {.op = BLOCK_OP_READ, .count = 1, .tag = 7};
    raw_status_in_call(&r, read, 5000, 0, &call);
    check_result_bad_argument("a request in the call that carries no completion", call, 2);
    raw_status_in_call(&r, read, 0, 1, &call);
    check_result_bad_argument("a request in the call with sequence number 0", call, 7);
    struct raw other = r;
    other.instance ^= 0x5555;
    check_status("wait with another instance", raw_call(&other, BLOCK_WAIT), SERVICE_NOT_FOUND);
    check_status("close with another instance", raw_call(&other, BLOCK_CLOSE), SERVICE_NOT_FOUND);
    check_status("close", raw_call(&r, BLOCK_CLOSE), SERVICE_OK);
}

/* A client that never consumes: it stalls itself, nobody else. Then garbage indices. */
static void bad_rings(uint64_t endpoint, const char *server, unsigned disk)
{
    struct raw r, g;
    if (!raw_ready(&r, endpoint, disk) || !raw_ready(&g, endpoint, disk)) {
        check_fail("no ready sessions for the ring checks");
        return;
    }
    for (unsigned i = 0; i < BLOCK_RING_ENTRIES; i++)
        raw_submit(&r, (struct block_submission){.op = BLOCK_OP_READ, .count = 1, .tag = i});
    check("64 reads complete", raw_wait_for(&r, BLOCK_RING_ENTRIES), true);
    for (unsigned i = 0; i < 10; i++) /* the completion queue is full: these must wait */
        raw_submit(&r, (struct block_submission){.op = BLOCK_OP_READ, .count = 1, .tag = 64 + i});
    check_status("a wait with the completions unconsumed", raw_call(&r, BLOCK_WAIT), SERVICE_OK);
    check("requests taken while the completion queue is full", r.ring->sq_head, BLOCK_RING_ENTRIES);
    check("completions posted", r.ring->cq_tail, BLOCK_RING_ENTRIES);
    struct block_session *s = 0;
    check("another client opens meanwhile", block_open(server, disk, 64 * 1024, &s), 0);
    if (s) {
        static uint8_t buffer[8192];
        check("another client reads meanwhile", block_read(s, 0, buffer, sizeof buffer), 0);
        block_close(s);
    }
    r.ring->cq_head = BLOCK_RING_ENTRIES; /* consumed at last: the rest goes on */
    check("the stalled client waits again", raw_wait_for(&r, 10), true);
    check("the stalled requests completed", r.ring->cq_tail, BLOCK_RING_ENTRIES + 10);
    /* Garbage indices: the session ends, nothing else. */
    r.ring->sq_tail = r.ring->sq_head + 1000;
    check_result_bad_argument("a submission index 1000 ahead", raw_call(&r, BLOCK_WAIT), 0);
    check_status("the cut-off session is gone", raw_call(&r, BLOCK_WAIT), SERVICE_NOT_FOUND);
    check_status("the cut-off session closes", raw_call(&r, BLOCK_CLOSE), SERVICE_OK);
    check_status("and then is no more", raw_call(&r, BLOCK_CLOSE), SERVICE_NOT_FOUND);
    g.ring->cq_head = 5000;
    raw_submit(&g, (struct block_submission){.op = BLOCK_OP_READ, .count = 1});
    check_result_bad_argument("a completion index ahead of the server's", raw_call(&g, BLOCK_WAIT),
                              0);
}

/* Sessions until the client's limit: SERVICE_QUOTA after BLOCK_CLIENT_SESSIONS (the table,
   32, is more than one client may take), and once they close, room again. Returns how many
   opened. */
static unsigned too_many(uint64_t endpoint, unsigned disk)
{
    static struct raw sessions[BLOCK_MAX_SESSIONS + 1];
    static uint64_t doorbells[BLOCK_MAX_SESSIONS + 2]; /* slots used again by each call */
    static struct raw base;
    static bool made;
    if (!made) {
        made = raw_make(&base, endpoint);
        for (unsigned i = 0; i < BLOCK_MAX_SESSIONS + 2; i++)
            doorbells[i] = libsys_alloc_slot();
    }
    if (!made) {
        check_fail("no memory for the sessions");
        return 0;
    }
    unsigned opened = 0;
    for (unsigned i = 0; i < BLOCK_CLIENT_SESSIONS; i++) {
        sessions[i] = base;
        sessions[i].doorbell = doorbells[i];
        if (!result_is_ok(raw_open(&sessions[i], disk)))
            break;
        opened++;
        if (!raw_share_all(&sessions[i]))
            check_fail("share session %u", i);
    }
    check("sessions one client may hold", opened, BLOCK_CLIENT_SESSIONS);
    const unsigned last = BLOCK_CLIENT_SESSIONS - 1, past = BLOCK_CLIENT_SESSIONS;
    sessions[past] = base;
    sessions[past].doorbell = doorbells[past];
    check_status("a session past the client's limit", raw_open(&sessions[past], disk),
                 SERVICE_QUOTA);
    /* A half-open session (never shared whole) is let go when its client is at the limit. */
    raw_call(&sessions[last], BLOCK_CLOSE);
    check_status("open again, not shared", raw_open(&sessions[last], disk), SERVICE_OK);
    /* (It was let go, else SERVICE_QUOTA; past may now have its number, so not asked.) */
    check_status("past the limit with one half open", raw_open(&sessions[past], disk), SERVICE_OK);
    for (unsigned i = 0; i < last; i++)
        raw_call(&sessions[i], BLOCK_CLOSE);
    raw_call(&sessions[past], BLOCK_CLOSE);
    struct raw again = base;
    again.doorbell = doorbells[BLOCK_MAX_SESSIONS + 1];
    check_status("a session once they closed", raw_open(&again, disk), SERVICE_OK);
    raw_call(&again, BLOCK_CLOSE);
    return opened;
}

/* The restarts procsrv counted for the server named name. */
static uint64_t restarts(const char *name)
{
    struct proc_entry p;
    for (uint64_t i = 0; result_is_ok(proc_list(i, &p)); i++)
        if (strcmp(p.name, name) == 0)
            return p.restarts;
    return 0;
}

int blocktest_hold(const char *server, unsigned disk)
{
    struct block_session *s = 0;
    if (block_open(server, disk, 64 * 1024, &s) != 0)
        return 1;
    for (unsigned i = 0; i < 16; i++) {
        struct block_submission w = {
            .op = BLOCK_OP_WRITE, .count = 8, .lba = 64 + 8 * i, .offset = 4096 * i, .tag = i};
        block_submit(s, &w);
    }
    block_kick(s);
    return 0; /* gone with 16 writes in flight, its session never closed */
}

/* The sessions open on the server at endpoint (BLOCK_STATS MR1). */
static uint64_t sessions_open(uint64_t endpoint)
{
    struct request q = {.label = BLOCK_STATS};
    check_status("stats", request_result(request_call(endpoint, &q, 0, 0, 0), &q), SERVICE_OK);
    return request_word(&q, 1);
}

int blocktest_orphans(const char *server, unsigned disk, unsigned n)
{
    uint64_t endpoint = libsys_alloc_slot(), before = restarts(server);
    if (!result_is_ok(proc_lookup(server, endpoint))) {
        check_fail("no block server %s", server);
        return check_failures();
    }
    uint64_t sessions_before = sessions_open(endpoint);
    for (unsigned i = 0; i < n; i++) {
        uint64_t pid;
        int64_t status = -1;
        const char *argv[] = {"hold", server, "0", 0};
        argv[2] = disk == 0 ? "0" : "1";
        check_status("spawn a client that leaves", proc_spawn("bin/blocktest", argv, &pid),
                     SERVICE_OK);
        check_status("wait for it", proc_wait(pid, &status), SERVICE_OK);
        check("its status", (long)status, 0);
    }
    /* A disk may still be finishing the writes of the last to leave: the session goes when the
       driver gives them back. Each BLOCK_STATS settles first, which notices the clients gone;
       it counts before, so the answer lags one call. */
    uint64_t open = BLOCK_MAX_SESSIONS + 1;
    for (int tries = 0; tries < 50 && open != sessions_before; tries++) {
        if (tries)
            proc_sleep_ms(100);
        open = sessions_open(endpoint);
    }
    check("sessions open once the clients that left are reclaimed", (long)open,
          (long)sessions_before);
    check("sessions one client may open then", too_many(endpoint, disk), BLOCK_CLIENT_SESSIONS);
    check("server restarts", (long)(restarts(server) - before), 0);
    printf("blocktest: %u clients left with requests in flight; %s\n", n,
           check_failures() ? "FAILED" : "their sessions were reclaimed, the server goes on");
    return check_failures();
}

int blocktest_bad(const char *server, unsigned disk)
{
    uint64_t endpoint = libsys_alloc_slot();
    struct block_disk_info info;
    if (!result_is_ok(proc_lookup(server, endpoint)) || block_disk_info(server, disk, &info) != 0) {
        check_fail("no block server %s with a disk %u", server, disk);
        return check_failures();
    }
    struct request q = {.label = BLOCK_STATS};
    request_call(endpoint, &q, 0, 0, 0);
    uint64_t cut_before = request_word(&q, 6);
    bad_control(endpoint, disk);
    bad_requests(endpoint, disk, info.sectors, info.sector_size);
    bad_rings(endpoint, server, disk);
    too_many(endpoint, disk);
    q = (struct request){.label = BLOCK_STATS};
    check_status("stats", request_result(request_call(endpoint, &q, 0, 0, 0), &q), SERVICE_OK);
    check("sessions cut off for a bad ring", request_word(&q, 6) - cut_before, 2);
    /* The server still serves a well-behaved client. */
    struct block_session *s = 0;
    static uint8_t out[4096], in[4096];
    for (unsigned i = 0; i < sizeof out; i++)
        out[i] = (uint8_t)(i * 7 + 3);
    check("open after it all", block_open(server, disk, 64 * 1024, &s), 0);
    if (s) {
        check("write after it all", block_write(s, 8, out, sizeof out, true), 0);
        check("read after it all", block_read(s, 8, in, sizeof in), 0);
        check("a read of part of a sector", block_read(s, 8, in, 100), -(long)SERVICE_BAD_ARGUMENT);
        check("a write of a sector and a half", block_write(s, 8, out, 768, false),
              -(long)SERVICE_BAD_ARGUMENT);
        check("the data after it all", memcmp(in, out, sizeof in), 0);
        block_close(s);
    }
    printf("blocktest: bad input on %s disk %u: %s\n", server, disk,
           check_failures() ? "FAILED" : "each refused, the server goes on");
    return check_failures();
}
