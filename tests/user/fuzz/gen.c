/*
 * The fuzzer proper: a seeded generator of system calls (xoshiro256**;
 * boundary-biased values; labels, slots and arguments biased towards what
 * the phase prepared), the loop that makes them, and the checks every
 * answer must pass. Runs in fuzzing threads, not in the root task: no libc,
 * only plain memory and missive_syscall. Every draw from the generator is
 * independent of the kernel's answers, so a seed always gives the same
 * sequence of calls.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fuzz.h"

uint64_t fuzz_canary[FUZZ_CANARY_WORDS];
static uint64_t canary_expected;
static uint64_t rng[4];

/* splitmix64: expands the seed into the generator's state and the canary. */
static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Rotates x left by k bits (0 < k < 64). */
static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* xoshiro256**: the next 64 random bits. */
static uint64_t next(void)
{
    uint64_t result = rotl(rng[1] * 5, 7) * 9;
    uint64_t t = rng[1] << 17;
    rng[2] ^= rng[0];
    rng[3] ^= rng[1];
    rng[1] ^= rng[2];
    rng[0] ^= rng[3];
    rng[2] ^= t;
    rng[3] = rotl(rng[3], 45);
    return result;
}

/* A number in [0, n), n > 0 (the modulo bias does not matter here). */
static uint64_t below(uint64_t n)
{
    return next() % n;
}

/* True with the given probability in percent. */
static bool chance(unsigned percent)
{
    return below(100) < percent;
}

uint64_t fuzz_canary_sum(void)
{
    uint64_t sum = 0x6a09e667f3bcc908ull;
    for (size_t i = 0; i < FUZZ_CANARY_WORDS; i++)
        sum = rotl(sum ^ fuzz_canary[i], 23) * 0x9e3779b97f4a7c15ull + i;
    return sum;
}

uint64_t fuzz_seed(uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        rng[i] = splitmix(&x);
    uint64_t y = seed ^ 0xca4a5e5eedull;
    for (size_t i = 0; i < FUZZ_CANARY_WORDS; i++)
        fuzz_canary[i] = splitmix(&y);
    canary_expected = fuzz_canary_sum();
    return canary_expected;
}

uint64_t fuzz_prng_digest(void)
{
    uint64_t x = rng[0] ^ rotl(rng[1], 16) ^ rotl(rng[2], 32) ^ rotl(rng[3], 48);
    return splitmix(&x);
}

const char *fuzz_result_name(unsigned index)
{
    _Static_assert(ERR_INTERRUPTED == -(FUZZ_RESULT_KINDS - 2), "a name for every error code");
    static const char *const names[FUZZ_RESULT_KINDS] = {
        "ok",
        "invalid-syscall",
        "invalid-slot",
        "empty-slot",
        "wrong-type",
        "missing-right",
        "invalid-label",
        "invalid-argument",
        "slot-occupied",
        "no-memory",
        "not-permitted",
        "no-reply",
        "object-deleted",
        "would-block",
        "already-mapped",
        "missing-table",
        "not-mapped",
        "interrupted",
        "unknown",
    };
    return index < FUZZ_RESULT_KINDS ? names[index] : "?";
}

/* --- values ------------------------------------------------------------------ */

static const uint64_t interesting[] = {
    0,
    1,
    2,
    3,
    4,
    7,
    8,
    15,
    16,
    31,
    32,
    63,
    64,
    127,
    128,
    255,
    256,
    257,
    4095,
    4096,
    4097,
    65535,
    65536,
    0x7fffffffull,
    0x80000000ull,
    0xffffffffull,
    0x100000000ull,
    0x7fffffffffffffffull,
    0x8000000000000000ull,
    UINT64_MAX,
    UINT64_MAX - 1,
    USER_BASE,
    USER_BASE - 1,
    USER_END,
    USER_END - 1,
    USER_END - 4096,
    USER_STACK_TOP,
    USER_STACK_TOP - 8,
    USER_IPC_BUFFER,
    0x7fffffffffffull,
    0x800000000000ull,
    0xffff800000000000ull,
    0xffffffff80000000ull,
    0xffffffff80100000ull,
    0x10000000,
    0x200000,
    0x1000,
};

/* A boundary-biased 64-bit value: the values above, powers of two and
   their neighbours, small and small negative numbers, user addresses,
   slot-sized numbers, random bits. */
static uint64_t value(void)
{
    switch (below(9)) {
    case 0:
    case 1:
        return interesting[below(sizeof interesting / sizeof interesting[0])];
    case 2:
        return (1ull << below(64)) + below(3) - 1;
    case 3:
        return below(65);
    case 4:
        return ~below(64); /* -1 .. -64 */
    case 5:
        return next();
    case 6: {
        uint64_t at = USER_BASE + below(USER_END - USER_BASE);
        return chance(50) ? at & ~0xfffull : at;
    }
    case 7:
        return USER_BASE + below(0x200000); /* this program: code, data, stacks */
    default:
        return below(4200);
    }
}

/* --- slots --------------------------------------------------------------------- */

/* True if the phase must never name slot. */
static bool forbidden(const struct fuzz_env *env, uint64_t slot)
{
    for (unsigned i = 0; i < env->forbidden_count; i++)
        if (slot >= env->forbidden[i].first && slot < env->forbidden[i].end)
            return true;
    return false;
}

/* A prepared slot, at random. */
static uint64_t prepared(const struct fuzz_env *env)
{
    return env->prepared[below(env->prepared_count)];
}

/* A prepared slot that holds a capability of type when the refill has just
   run; any prepared slot if none does. */
static uint64_t prepared_of(const struct fuzz_env *env, unsigned type)
{
    unsigned n = 0;
    for (unsigned i = 0; i < env->prepared_count; i++)
        n += env->prepared_type[i] == type;
    if (!n)
        return prepared(env);
    uint64_t pick = below(n);
    for (unsigned i = 0; i < env->prepared_count; i++)
        if (env->prepared_type[i] == type && pick-- == 0)
            return env->prepared[i];
    return prepared(env);
}

/* The type of object a label is an invocation of; CAP_NULL for the labels
   of objects no fuzzer holds, and for numbers that are no label. */
static unsigned label_type(uint64_t lab)
{
    if (lab == UNTYPED_RETYPE)
        return CAP_UNTYPED;
    if (lab >= FUZZ_CSPACE_LABEL_MIN && lab <= FUZZ_CSPACE_LABEL_MAX)
        return CAP_CSPACE;
    if ((lab >= THREAD_CONFIGURE && lab <= THREAD_BIND_NOTIFICATION) || lab == THREAD_SET_NAME)
        return CAP_THREAD;
    if (lab == VSPACE_MAP_TABLE || lab == VSPACE_MAP_FRAME)
        return CAP_VSPACE;
    if (lab >= FRAME_UNMAP && lab <= FRAME_PHYSICAL_ADDRESS)
        return CAP_FRAME;
    if (lab == PAGE_TABLE_UNMAP)
        return CAP_PAGE_TABLE;
    return CAP_NULL;
}

/* A slot of a CSpace of 2^4 slots, or just past it. */
static uint64_t small_slot(void)
{
    return below(20);
}

/* A slot number: mostly the prepared ones, then any in or just past the
   CSpace, the free region new capabilities land in, boundary values. */
static uint64_t slot(const struct fuzz_env *env)
{
    uint64_t r = below(100);
    if (r < 55)
        return prepared(env);
    if (r < 75)
        return below(env->cspace_slots + 104);
    if (r < 85) {
        uint64_t span = env->region_end - env->region_first;
        return env->region_first + below(span < 300 ? span : 300);
    }
    if (r < 93)
        return value();
    static const uint64_t odd[] = {0, UINT64_MAX, 1ull << 32, (1ull << 32) + 100, 1ull << 63};
    switch (below(4)) {
    case 0:
        return env->cspace_slots - 1;
    case 1:
        return env->cspace_slots;
    default:
        return odd[below(sizeof odd / sizeof odd[0])];
    }
}

/* Replaces a forbidden slot number by a prepared one. */
static uint64_t filter(struct fuzz_env *env, uint64_t s)
{
    if (!forbidden(env, s))
        return s;
    env->filtered++;
    return prepared(env);
}

/* --- calls ------------------------------------------------------------------------ */

/* Every label the kernel knows, and the two it sends. */
static const uint16_t labels[] = {
    UNTYPED_RETYPE,
    CSPACE_COPY,
    CSPACE_MINT,
    CSPACE_MOVE,
    CSPACE_DELETE,
    CSPACE_REVOKE,
    CSPACE_IDENTIFY,
    CSPACE_SAVE_REPLY,
    THREAD_CONFIGURE,
    THREAD_WRITE_REGISTERS,
    THREAD_READ_REGISTERS,
    THREAD_RESUME,
    THREAD_SUSPEND,
    THREAD_SET_PRIORITY,
    THREAD_SET_TLS_BASE,
    THREAD_SET_IPC_BUFFER,
    THREAD_BIND_NOTIFICATION,
    VSPACE_MAP_TABLE,
    VSPACE_MAP_FRAME,
    FRAME_UNMAP,
    FRAME_PROTECT,
    FRAME_PHYSICAL_ADDRESS,
    PAGE_TABLE_UNMAP,
    IRQ_CONTROL_GET,
    IRQ_CONTROL_GET_MSI,
    IRQ_HANDLER_SET_NOTIFICATION,
    IRQ_HANDLER_ACK,
    IO_PORT_CONTROL_ISSUE,
    IO_PORT_IN,
    IO_PORT_OUT,
    DEBUG_WRITE,
    DEBUG_EXIT,
    DEBUG_TRACE_SET_BUFFER, /* the fuzzers hold no Debug capability: refused */
    DEBUG_TRACE_START,
    DEBUG_TRACE_STOP,
    THREAD_SET_NAME,
    FAULT_LABEL,
    NOTIFICATION_LABEL,
};

/* A system-call number: mostly the real ones (SYS_CALL, the way into every
   invocation, most), some just past them, a few far off. SYS_YIELD is rare:
   each one gives the rest of the time slice to the other threads. */
static int64_t number(void)
{
    static const uint64_t odd[] = {
        UINT64_MAX,
        UINT64_MAX - 1,
        0x8000000000000000ull,
        INT64_MAX,
        1ull << 32,
        (1ull << 32) + SYS_RECV,
        0xffffffff00000000ull,
        0x100 + SYS_CALL,
        255,
        256,
    };
    uint64_t r = below(1000);
    if (r < 1)
        return SYS_YIELD;
    if (r < 450)
        return SYS_CALL;
    if (r < 850)
        return (int64_t)(1 + below(SYS_YIELD - 1)); /* SYS_SEND .. SYS_REPLY_RECV */
    if (r < 920)
        return (int64_t)(SYS_COUNT + below(3));
    if (r < 980)
        return (int64_t)odd[below(sizeof odd / sizeof odd[0])];
    return (int64_t)next();
}

/* A label: mostly the real ones, then small and any 48-bit numbers. */
static uint64_t label(void)
{
    uint64_t r = below(100);
    if (r < 72)
        return labels[below(sizeof labels / sizeof labels[0])];
    if (r < 80)
        return 0;
    if (r < 90)
        return below(128);
    return next() >> 16;
}

/* A priority: around the fuzzing threads' own (50), or out of range. */
static uint64_t priority(void)
{
    static const uint64_t odd[] = {49, 50, 51, 254, 255, 256, UINT64_MAX};
    return chance(70) ? below(64) : odd[below(sizeof odd / sizeof odd[0])];
}

/* A user address aligned to 4 KiB or 2 MiB, sometimes anything. */
static uint64_t mapping_address(void)
{
    uint64_t r = below(100);
    if (r < 40)
        return 0x10000000ull + (below(64) << 12);
    if (r < 60)
        return (USER_BASE + below(USER_END - USER_BASE)) & ~0x1fffffull;
    if (r < 80)
        return value() & ~0xfffull;
    return value();
}

/* Rights: mostly valid masks. */
static uint64_t rights(void)
{
    return chance(90) ? below(CAP_RIGHTS_ALL + 1) : value();
}

/* Size bits for a retype of type: mostly what the kernel accepts and its edges. */
static uint64_t retype_bits(uint64_t type)
{
    if (chance(20))
        return chance(50) ? below(70) : value();
    switch (type) {
    case CAP_UNTYPED:
        return 11 + below(10);
    case CAP_FRAME:
        return chance(80) ? 12 : 21;
    case CAP_CSPACE:
        return 1 + below(8);
    default:
        return below(4);
    }
}

/* Shapes the message registers for a real label so that calls get past the
   argument checks and change the kernel's state, not only fail. */
static void shape(struct fuzz_env *env, struct fuzz_call *c, uint64_t lab)
{
    uint64_t *mr = c->mr;
    switch (lab) {
    case UNTYPED_RETYPE:
        mr[0] = chance(85) ? 1 + below(CAP_TYPE_COUNT) : value();
        mr[1] = retype_bits(mr[0]);
        mr[2] =
            chance(80) ? env->region_first + below(env->region_end - env->region_first) : slot(env);
        mr[3] = chance(70) ? 1 + below(4) : chance(67) ? below(300) : value();
        break;
    case CSPACE_COPY:
    case CSPACE_MINT:
    case CSPACE_MOVE:
        mr[0] = chance(50) ? slot(env) : small_slot();
        mr[1] = chance(50) ? slot(env) : small_slot();
        mr[2] = rights();
        mr[3] = chance(20) ? 0 : value();
        /* The source CSpace: mostly this one, sometimes a prepared one. */
        mr[4] = chance(60) ? 0 : chance(70) ? prepared_of(env, CAP_CSPACE) : slot(env);
        break;
    case CSPACE_DELETE:
    case CSPACE_REVOKE:
    case CSPACE_IDENTIFY:
    case CSPACE_SAVE_REPLY:
        mr[0] = chance(50) ? slot(env) : small_slot();
        break;
    case THREAD_CONFIGURE:
        mr[0] = chance(60) ? prepared_of(env, CAP_CSPACE) : slot(env);
        mr[1] = chance(60) ? prepared_of(env, CAP_VSPACE) : slot(env);
        mr[2] = priority();
        mr[3] = chance(50) ? 0 : chance(60) ? prepared_of(env, CAP_ENDPOINT) : slot(env);
        break;
    case THREAD_WRITE_REGISTERS:
        for (int i = 0; i < 5; i++)
            mr[i] = chance(50) ? USER_BASE + below(0x200000) : value();
        break;
    case THREAD_SET_PRIORITY:
        mr[0] = priority();
        break;
    case THREAD_SET_NAME: /* mostly printable names of 0-15 bytes, some too long or not */
        mr[0] = chance(80) ? below(16) : chance(50) ? below(20) : value();
        mr[1] = chance(70) ? 0x2020202020202020ull + (value() & 0x1f1f1f1f1f1f1f1full) : value();
        mr[2] = chance(70) ? 0x2020202020202020ull + (value() & 0x1f1f1f1f1f1f1f1full) : value();
        break;
    case THREAD_SET_IPC_BUFFER:
        mr[0] = chance(20) ? 0 : chance(60) ? prepared_of(env, CAP_FRAME) : slot(env);
        break;
    case THREAD_BIND_NOTIFICATION:
        mr[0] = chance(20) ? 0 : chance(60) ? prepared_of(env, CAP_NOTIFICATION) : slot(env);
        break;
    case VSPACE_MAP_TABLE:
        mr[0] = chance(60) ? prepared_of(env, CAP_PAGE_TABLE) : slot(env);
        mr[1] = mapping_address();
        break;
    case VSPACE_MAP_FRAME:
        mr[0] = chance(60) ? prepared_of(env, CAP_FRAME) : slot(env);
        mr[1] = mapping_address();
        mr[2] = rights();
        break;
    case FRAME_PROTECT:
        mr[0] = rights();
        break;
    default:
        break;
    }
}

/* Filters the message registers that name slots of the caller's CSpace
   (or, for CSpace ops through the proxy, of the root CSpace). */
static void filter_slot_arguments(struct fuzz_env *env, struct fuzz_call *c, uint64_t lab,
                                  bool proxied)
{
    uint64_t *mr = c->mr;
    bool cspace_op = lab >= FUZZ_CSPACE_LABEL_MIN && lab <= FUZZ_CSPACE_LABEL_MAX;
    /* Copy, mint and move name a source CSpace in the caller's (or, through
       the proxy, the root) CSpace: never one of the harness's. */
    if (lab == CSPACE_COPY || lab == CSPACE_MINT || lab == CSPACE_MOVE)
        mr[4] = mr[4] ? filter(env, mr[4]) : 0;
    if (cspace_op && (proxied || env->phase == 1)) {
        /* Through the proxy these are slots of the root CSpace; in phase 1
           of the thread's own CSpace, whose slot 1 is the harness's. */
        mr[0] = filter(env, mr[0]);
        mr[1] = filter(env, mr[1]);
        return;
    }
    switch (lab) {
    case UNTYPED_RETYPE: {
        /* Objects land in [MR2, MR2 + MR3): none of it may be the harness's
           (the kernel refuses a range that would not fit the CSpace). */
        uint64_t count = mr[3] < RETYPE_MAX_COUNT ? mr[3] : RETYPE_MAX_COUNT;
        for (uint64_t i = 0; i < count && mr[2] + i >= mr[2]; i++)
            if (forbidden(env, mr[2] + i)) {
                env->filtered++;
                mr[2] = env->region_first;
                mr[3] = 1;
                break;
            }
        break;
    }
    case THREAD_CONFIGURE:
        mr[0] = filter(env, mr[0]);
        mr[1] = filter(env, mr[1]);
        mr[3] = filter(env, mr[3]);
        break;
    case THREAD_SET_IPC_BUFFER:
    case THREAD_BIND_NOTIFICATION:
    case VSPACE_MAP_TABLE:
    case VSPACE_MAP_FRAME:
    case IRQ_HANDLER_SET_NOTIFICATION:
        mr[0] = filter(env, mr[0]);
        break;
    case IRQ_CONTROL_GET:
    case IRQ_CONTROL_GET_MSI:
        mr[1] = filter(env, mr[1]);
        break;
    case IO_PORT_CONTROL_ISSUE:
        mr[2] = filter(env, mr[2]);
        break;
    default:
        break;
    }
}

/* Draws the next call of the sequence. */
static void generate(struct fuzz_env *env, struct fuzz_call *c)
{
    c->number = number();
    c->slot = slot(env);
    uint64_t lab = label();
    uint64_t length = below(128);
    uint64_t caps = chance(70) ? below(4) : below(256);
    c->tag = chance(92) ? MSG_TAG(lab, length, caps) : next();
    for (int i = 0; i < MSG_REGISTERS; i++)
        c->mr[i] = value();
    lab = MSG_LABEL(c->tag);
    if (chance(60))
        shape(env, c, lab);
    /* Often aim the call at an object it suits: invocations at their type,
       IPC at endpoints and notifications. */
    bool ipc = c->number >= SYS_SEND && c->number <= SYS_REPLY_RECV && c->number != SYS_REPLY;
    if (label_type(lab) != CAP_NULL && c->number == SYS_CALL && chance(40))
        c->slot = prepared_of(env, label_type(lab));
    else if ((ipc || c->number == SYS_CALL) && chance(30))
        c->slot = prepared_of(env, chance(60) ? CAP_ENDPOINT : CAP_NOTIFICATION);
    bool proxied = false;
    if (env->proxy_slot && lab >= FUZZ_CSPACE_LABEL_MIN && lab <= FUZZ_CSPACE_LABEL_MAX &&
        chance(40)) {
        c->number = SYS_CALL;
        c->slot = env->proxy_slot;
        proxied = true;
        env->proxied++;
    } else {
        c->slot = filter(env, c->slot);
    }
    filter_slot_arguments(env, c, lab, proxied);
    if (env->buffer) {
        /* What a send offers and where a receive puts capabilities: slots of
           the fuzzer's, never the forbidden ones. */
        struct ipc_buffer *b = env->buffer;
        b->receive_slot = chance(20) ? 0 : filter(env, slot(env));
        for (int i = 0; i < MSG_MAX_CAPS; i++)
            b->caps[i] = filter(env, slot(env));
        b->mr[MSG_REGISTERS + below(MSG_MAX_LENGTH - MSG_REGISTERS)] = value();
    }
}

/* The type of the capability in slot of the fuzzing thread's CSpace, asked
   through the harness's own CSpace cap (CAP_TYPE_COUNT if that fails). */
static uint64_t slot_type(const struct fuzz_env *env, uint64_t s)
{
    struct missive_msg m = {0};
    m.mr[0] = s;
    if (missive_syscall(SYS_CALL, env->identify_slot, MSG_TAG(CSPACE_IDENTIFY, 1, 0), &m) != ERR_OK)
        return CAP_TYPE_COUNT;
    return m.mr[0];
}

/* Turns calls that could block the fuzzing thread for ever (IPC that waits
   on an endpoint or notification nobody else uses) into their non-blocking
   forms. Asks the kernel what the slot holds: the fuzzer itself makes and
   moves endpoints and notifications.

   An empty slot counts as an endpoint: it can be given one between this
   check and the moment the kernel looks at it. The partners receive
   capabilities into the fuzzer's CSpace while it runs, on other CPUs; and
   a REPLY_RECV answers first, so the capabilities its own answer carries
   land in the caller's receive slots, in this same CSpace, and the receive
   that follows may find one there. That is how phase 1 stalled in a
   reply_recv at -smp 4 (issue 5): its answer put an endpoint into the
   slot, and it waited there for a message nobody sent. */
static void avoid_blocking(struct fuzz_env *env, struct fuzz_call *c)
{
    bool sends = c->number == SYS_CALL || c->number == SYS_SEND;
    bool receives = c->number == SYS_RECV || c->number == SYS_REPLY_RECV;
    if ((!sends && !receives) || c->slot == 0 || c->slot >= env->cspace_slots ||
        c->slot == env->proxy_slot)
        return;
    uint64_t type = slot_type(env, c->slot);
    bool endpoint = type == CAP_ENDPOINT || type == CAP_TYPE_COUNT || type == CAP_NULL;
    bool notification = type == CAP_NOTIFICATION;
    if (endpoint || (notification && receives)) {
        c->number = sends ? SYS_NB_SEND : SYS_NB_RECV;
        env->converted++;
    }
}

/* Stops the phase with a failure. */
static void fail(struct fuzz_env *env, enum fuzz_failure_kind kind, uint64_t index, long result,
                 const struct missive_msg *answer)
{
    env->failure = kind;
    env->failure_index = index;
    env->failure_result = result;
    env->failure_answer = *answer;
}

/* True if the answer is the message sent, untouched (as a failed lookup
   must leave it: the kernel wrote only RAX). */
static bool untouched(const struct fuzz_call *c, const struct missive_msg *m)
{
    if (m->badge != c->slot || m->tag != c->tag)
        return false;
    for (int i = 0; i < MSG_REGISTERS; i++)
        if (m->mr[i] != c->mr[i])
            return false;
    return true;
}

void fuzz_run(struct fuzz_env *env)
{
    for (uint64_t i = 0; i < env->calls; i++) {
        uint64_t index = env->first_index + i;
        if (i % FUZZ_REFILL_EVERY == 0 && env->refill)
            env->refill(env);
        struct fuzz_call c;
        generate(env, &c);
        avoid_blocking(env, &c);
        env->current = c;
        struct missive_msg m;
        m.badge = 0;
        m.tag = c.tag;
        for (int j = 0; j < MSG_REGISTERS; j++)
            m.mr[j] = c.mr[j];
        long r = missive_syscall(c.number, c.slot, c.tag, &m);
        env->progress = i + 1;
        if (r > 0 || r <= -FUZZ_RESULT_UNKNOWN) {
            env->results[FUZZ_RESULT_UNKNOWN]++;
            fail(env, FUZZ_FAILURE_RESULT, index, r, &m);
            return;
        }
        env->results[-r]++;
        if ((r == ERR_INVALID_SYSCALL || r == ERR_INVALID_SLOT || r == ERR_EMPTY_SLOT) &&
            !untouched(&c, &m)) {
            fail(env, FUZZ_FAILURE_REGISTERS, index, r, &m);
            return;
        }
        /* A receive left blocking named no endpoint or notification when
           avoid_blocking looked; if it got a message, the slot changed in
           between, and the call could as well have waited for ever. */
        if ((c.number == SYS_RECV || c.number == SYS_REPLY_RECV) && r == ERR_OK) {
            fail(env, FUZZ_FAILURE_BLOCKING, index, r, &m);
            return;
        }
        if ((index + 1) % FUZZ_CHECK_EVERY == 0 && fuzz_canary_sum() != canary_expected) {
            fail(env, FUZZ_FAILURE_CANARY, index, r, &m);
            return;
        }
    }
    if (fuzz_canary_sum() != canary_expected) {
        struct missive_msg none = {0};
        fail(env, FUZZ_FAILURE_CANARY, env->first_index + env->calls, 0, &none);
    }
}
