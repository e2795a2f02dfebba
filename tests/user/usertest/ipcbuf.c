/*
 * usertest's suite for messages that need the receiver's IPC buffer (docs/abi.md section 4):
 * every length 0-64 with 0-3 capabilities, with the grant right and without, checked word by
 * word and capability by capability both ways; and a receiver whose buffer is read-only,
 * unmapped or revoked while it waits (for a message or for a reply): the sender gets
 * ERR_NOT_MAPPED and nothing of the message reaches the frame.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include "libsys/libsys.h"
#include "libsys/server.h"
#include "libsys/thread.h"
#include "usertest.h"

enum {
    B_UT = 2100, /* a 64 KiB Untyped all of this suite's objects come from */
    B_EP,
    B_EP_NO_GRANT, /* send only */
    B_EP_GRANT,    /* send and grant */
    B_EP3,         /* nobody receives on it: its senders queue */
    B_SERVER,
    B_SERVER_BUF,
    B_CLIENT,
    B_CLIENT2,
    B_CLIENT_BUF,
    B_VIEW,  /* a read-only copy of the server's buffer, to look at it unmapped */
    B_TABLE, /* 2111-2113: page tables on the way to B_MAP_AT */
    B_NTFN = 2115,
    B_NTFN_BADGED,          /* 2116-2118: copies badged 1, 2, 3 */
    B_RECEIVED = 2120,      /* 2120-2122: where the server receives capabilities */
    B_REPLY_RECEIVED = 2124 /* 2124-2126: where the main thread receives them back */
};

#define B_MAP_AT      0x30000000ul
#define SERVER_BUFFER ((struct ipc_buffer *)B_MAP_AT)
#define CLIENT_BUFFER ((struct ipc_buffer *)(B_MAP_AT + 0x1000))
#define VIEW          ((const volatile struct ipc_buffer *)(B_MAP_AT + 0x2000))
#define SENTINEL      0x5e5e5e5e5e5e5e5eull
#define ROUNDS        1000 /* yields to let another thread of the same priority run */

enum { LABEL_CHECK = 1, LABEL_REVOKE_CALLER, LABEL_RECEIVE_EP3 };

/* Word i of a message of length words, and of its reply: different for every length and
   position, so a word that went to the wrong place or stayed from an earlier message shows. */
static uint64_t word(uint64_t length, uint64_t i)
{
    return 0xa5ull << 56 | length << 32 | (i + 1) * 0x10001ull;
}

static uint64_t reply_word(uint64_t length, uint64_t i)
{
    return ~word(length, i);
}

/* What the server saw last: length, capabilities, words or capabilities wrong, and the
   results of its special labels. */
static volatile uint64_t served, last_length, last_caps, last_wrong;
static volatile long reply_result = 1, ep3_result = 1;

/* Counts the words of m (length of them) that are not word(length, i), and the received
   capabilities that are not the notification copies badged 1, 2, 3 in order; deletes them and
   counts slots past them that are not empty. */
static uint64_t wrong_in(const struct missive_msg *m, const struct ipc_buffer *b, uint64_t length,
                         uint64_t caps, uint64_t (*expect)(uint64_t, uint64_t), uint64_t at)
{
    uint64_t wrong = 0;
    for (uint64_t i = 0; i < length; i++)
        wrong += (i < MSG_REGISTERS ? m->mr[i] : b->mr[i]) != expect(length, i);
    for (uint64_t j = 0; j < MSG_MAX_CAPS; j++) {
        struct cspace_identity id = {0};
        cspace_identify(ROOT_SLOT_CSPACE, at + j, &id);
        if (j < caps)
            wrong += id.type != CAP_NOTIFICATION || id.badge != j + 1;
        else
            wrong += id.type != CAP_NULL;
        cspace_delete(ROOT_SLOT_CSPACE, at + j);
    }
    return wrong;
}

/* Answers LABEL_CHECK with as many words as it got (reply_word) and capabilities back when it
   got some; LABEL_REVOKE_CALLER revokes its caller's IPC buffer first and answers with 20
   words; LABEL_RECEIVE_EP3 answers, then receives once on B_EP3. Writes its buffer only for
   replies longer than the registers (its buffer may be read-only meanwhile). */
static void server(uint64_t unused)
{
    (void)unused;
    struct missive_msg m = {0};
    SERVER_BUFFER->receive_slot = B_RECEIVED;
    missive_syscall(SYS_RECV, B_EP, 0, &m);
    for (;;) {
        uint64_t length = MSG_LENGTH(m.tag), caps = MSG_CAPS(m.tag), label = MSG_LABEL(m.tag);
        last_length = length;
        last_caps = caps;
        last_wrong = wrong_in(&m, SERVER_BUFFER, length, caps, word, B_RECEIVED);
        served++;
        if (label == LABEL_REVOKE_CALLER) {
            cspace_revoke(ROOT_SLOT_CSPACE, B_CLIENT_BUF, NULL);
            length = 20;
        }
        for (uint64_t i = 0; i < length; i++) {
            if (i < MSG_REGISTERS)
                m.mr[i] = reply_word(length, i);
            else
                SERVER_BUFFER->mr[i] = reply_word(length, i);
        }
        for (uint64_t j = 0; j < caps; j++)
            SERVER_BUFFER->caps[j] = B_NTFN_BADGED + j;
        if (label == LABEL_CHECK) {
            missive_syscall(SYS_REPLY_RECV, B_EP, MSG_TAG(0, length, caps), &m);
            continue;
        }
        reply_result = missive_syscall(SYS_REPLY, 0, MSG_TAG(0, length, 0), &m);
        if (label == LABEL_RECEIVE_EP3)
            ep3_result = missive_syscall(SYS_RECV, B_EP3, 0, &m);
        missive_syscall(SYS_RECV, B_EP, 0, &m);
    }
}

/* Calls through slot with length words (word()) and caps capabilities (B_NTFN_BADGED...). */
static long call(uint64_t slot, uint64_t length, uint64_t caps, struct missive_msg *m)
{
    struct ipc_buffer *mine = (struct ipc_buffer *)USER_IPC_BUFFER;
    *m = (struct missive_msg){0};
    for (uint64_t i = 0; i < length; i++) {
        if (i < MSG_REGISTERS)
            m->mr[i] = word(length, i);
        else
            mine->mr[i] = word(length, i);
    }
    for (uint64_t j = 0; j < caps; j++)
        mine->caps[j] = B_NTFN_BADGED + j;
    return missive_syscall(SYS_CALL, slot, MSG_TAG(LABEL_CHECK, length, caps), m);
}

/* Every length 0-64 with 0-3 capabilities: through a capability with the grant right they all
   arrive, word by word and capability by capability, and come back the same way; without it
   a message with capabilities is refused whole, one without arrives. */
static void test_every_length(void)
{
    struct missive_msg m = {0};
    struct ipc_buffer *mine = (struct ipc_buffer *)USER_IPC_BUFFER;
    unsigned wrong = 0, refused_wrong = 0, without_wrong = 0;
    mine->receive_slot = B_REPLY_RECEIVED;
    for (uint64_t length = 0; length <= MSG_MAX_LENGTH; length++) {
        for (uint64_t caps = 0; caps <= MSG_MAX_CAPS; caps++) {
            long r = call(B_EP_GRANT, length, caps, &m);
            wrong += r != ERR_OK || last_length != length || last_caps != caps || last_wrong ||
                     MSG_LENGTH(m.tag) != length || MSG_CAPS(m.tag) != caps ||
                     wrong_in(&m, mine, length, caps, reply_word, B_REPLY_RECEIVED);
            uint64_t before = served;
            r = call(B_EP_NO_GRANT, length, caps, &m);
            if (caps)
                refused_wrong += r != ERR_MISSING_RIGHT || served != before;
            else
                without_wrong += r != ERR_OK || last_length != length || last_wrong ||
                                 wrong_in(&m, mine, length, 0, reply_word, B_REPLY_RECEIVED);
        }
    }
    mine->receive_slot = 0;
    check("every length 0-64 with 0-3 capabilities (grant) arrives and returns whole", (long)wrong,
          0);
    check("without the grant right, capabilities are refused", (long)refused_wrong, 0);
    check("and messages without them arrive whole", (long)without_wrong, 0);
    struct cspace_identity id = {0};
    cspace_identify(ROOT_SLOT_CSPACE, B_NTFN_BADGED + 2, &id);
    check("the sender keeps its capabilities", (long)id.badge, 3);
}

/* Fills words 10-63 of the server's buffer with SENTINEL. */
static void fill_server_buffer(void)
{
    for (unsigned i = MSG_REGISTERS; i < MSG_MAX_LENGTH; i++)
        SERVER_BUFFER->mr[i] = SENTINEL;
}

/* How many of words 10-63 of b are not SENTINEL. */
static unsigned touched(const volatile struct ipc_buffer *b)
{
    unsigned n = 0;
    for (unsigned i = MSG_REGISTERS; i < MSG_MAX_LENGTH; i++)
        n += b->mr[i] != SENTINEL;
    return n;
}

/* With the server's buffer as it is now (read-only, unmapped or revoked): a long message and
   one with a capability fail with ERR_NOT_MAPPED without reaching the server (view: where its
   buffer's words can be read), a register-only one still goes. */
static void refused(const char *how, const volatile struct ipc_buffer *view)
{
    struct missive_msg m = {0};
    char what[96];
    uint64_t before = served;
    snprintf(what, sizeof what, "%s: a 20-word call fails", how);
    check(what, call(B_EP_GRANT, 20, 0, &m), ERR_NOT_MAPPED);
    snprintf(what, sizeof what, "%s: a call with a capability fails", how);
    check(what, call(B_EP_GRANT, 1, 1, &m), ERR_NOT_MAPPED);
    snprintf(what, sizeof what, "%s: a 64-word call with 3 capabilities fails", how);
    check(what, call(B_EP_GRANT, 64, 3, &m), ERR_NOT_MAPPED);
    snprintf(what, sizeof what, "%s: the server received none of them", how);
    check(what, (long)(served - before), 0);
    snprintf(what, sizeof what, "%s: its buffer's words are untouched", how);
    check(what, (long)touched(view), 0);
    struct cspace_identity id = {0};
    cspace_identify(ROOT_SLOT_CSPACE, B_RECEIVED, &id);
    snprintf(what, sizeof what, "%s: no capability arrived", how);
    check(what, (long)id.type, CAP_NULL);
    snprintf(what, sizeof what, "%s: a 10-word call still goes", how);
    check(what, call(B_EP_GRANT, 10, 0, &m), ERR_OK);
    check(what, (long)(last_length == 10 && !last_wrong && served == before + 1), 1);
}

static void test_receiver_buffer(void)
{
    struct missive_msg m = {0};
    fill_server_buffer();
    check("read-only: protect the server's buffer", frame_protect(B_SERVER_BUF, CAP_RIGHT_READ),
          ERR_OK);
    refused("read-only", SERVER_BUFFER);
    check("writable again", frame_protect(B_SERVER_BUF, CAP_RIGHT_READ | CAP_RIGHT_WRITE), ERR_OK);
    check("a 20-word call goes", call(B_EP_GRANT, 20, 1, &m), ERR_OK);
    check("whole", (long)(last_length == 20 && last_caps == 1 && !last_wrong), 1);

    fill_server_buffer();
    check("a read-only copy to look with",
          cspace_copy(ROOT_SLOT_CSPACE, B_VIEW, B_SERVER_BUF, CAP_RIGHT_READ, 0), ERR_OK);
    check("mapped", vspace_map_frame(ROOT_SLOT_VSPACE, B_VIEW, (uint64_t)VIEW, CAP_RIGHT_READ),
          ERR_OK);
    check("unmapped: unmap the server's buffer", frame_unmap(B_SERVER_BUF), ERR_OK);
    refused("unmapped (another capability's mapping does not count)", VIEW);
    check("mapped again",
          vspace_map_frame(ROOT_SLOT_VSPACE, B_SERVER_BUF, B_MAP_AT,
                           CAP_RIGHT_READ | CAP_RIGHT_WRITE),
          ERR_OK);
    check("a 64-word call goes", call(B_EP_GRANT, 64, 3, &m), ERR_OK);
    check("whole", (long)(last_length == 64 && last_caps == 3 && !last_wrong), 1);

    fill_server_buffer();
    check("revoked: revoke the server's buffer (its registration)",
          cspace_revoke(ROOT_SLOT_CSPACE, B_SERVER_BUF, NULL), ERR_OK);
    refused("revoked", SERVER_BUFFER);
    check("registered again", thread_set_ipc_buffer(B_SERVER, B_SERVER_BUF), ERR_OK);
    check("a 30-word call goes", call(B_EP_GRANT, 30, 2, &m), ERR_OK);
    check("whole", (long)(last_length == 30 && last_caps == 2 && !last_wrong), 1);
}

static volatile long client_result = 1;
static volatile uint64_t client_tag;

/* Calls arg's endpoint with 20 words from its buffer (SENTINEL) and keeps the result. */
static void client(uint64_t ep)
{
    struct missive_msg m = {0};
    for (unsigned i = MSG_REGISTERS; i < MSG_MAX_LENGTH; i++)
        CLIENT_BUFFER->mr[i] = SENTINEL;
    long r =
        missive_syscall(SYS_CALL, ep, MSG_TAG(ep == B_EP ? LABEL_REVOKE_CALLER : 0, 20, 0), &m);
    client_tag = m.tag;
    client_result = r;
    for (;;)
        missive_syscall(SYS_YIELD, 0, 0, &m);
}

/* A caller whose buffer is revoked while it waits for the reply gets ERR_NOT_MAPPED instead of
   the 20-word reply, and so does the server's SYS_REPLY; a sender queued on an endpoint, met by
   a receiver whose buffer is read-only, gets ERR_NOT_MAPPED, and so does the receive. */
static void test_mid_call(void)
{
    struct missive_msg m = {0};
    check("a client thread", untyped_retype(B_UT, CAP_THREAD, 0, B_CLIENT, 1), ERR_OK);
    check("its buffer", untyped_retype(B_UT, CAP_FRAME, PAGE_BITS, B_CLIENT_BUF, 1), ERR_OK);
    check("mapped",
          vspace_map_frame(ROOT_SLOT_VSPACE, B_CLIENT_BUF, (uint64_t)CLIENT_BUFFER,
                           CAP_RIGHT_READ | CAP_RIGHT_WRITE),
          ERR_OK);
    check("registered", thread_set_ipc_buffer(B_CLIENT, B_CLIENT_BUF), ERR_OK);
    check("start it",
          setup_thread_start(B_CLIENT, (struct setup_thread){.priority = 255}, client, B_EP),
          ERR_OK);
    /* Both results: the client, woken inside the server's reply, may set its own first. */
    for (int i = 0; i < ROUNDS && (client_result == 1 || reply_result == 1); i++)
        missive_syscall(SYS_YIELD, 0, 0, &m);
    check("the server got the 20-word call", (long)last_length, 20);
    check("its reply failed: the caller's buffer was revoked", reply_result, ERR_NOT_MAPPED);
    check("the caller's call failed the same way", client_result, ERR_NOT_MAPPED);
    check("the caller's buffer is untouched", (long)touched(CLIENT_BUFFER), 0);
    check("suspend the client", thread_suspend(B_CLIENT), ERR_OK);

    client_result = 1;
    check("an endpoint nobody receives on", untyped_retype(B_UT, CAP_ENDPOINT, 0, B_EP3, 1),
          ERR_OK);
    check("a second client", untyped_retype(B_UT, CAP_THREAD, 0, B_CLIENT2, 1), ERR_OK);
    check("with the same buffer", thread_set_ipc_buffer(B_CLIENT2, B_CLIENT_BUF), ERR_OK);
    check("start it",
          setup_thread_start(B_CLIENT2, (struct setup_thread){.priority = 255}, client, B_EP3),
          ERR_OK);
    for (int i = 0; i < ROUNDS; i++) /* it queues on B_EP3 */
        missive_syscall(SYS_YIELD, 0, 0, &m);
    check("the second client waits", client_result, 1);
    fill_server_buffer();
    check("the server's buffer read-only", frame_protect(B_SERVER_BUF, CAP_RIGHT_READ), ERR_OK);
    m = (struct missive_msg){0};
    check("ask the server to receive on it",
          missive_syscall(SYS_CALL, B_EP_GRANT, MSG_TAG(LABEL_RECEIVE_EP3, 0, 0), &m), ERR_OK);
    for (int i = 0; i < ROUNDS && (ep3_result == 1 || client_result == 1); i++)
        missive_syscall(SYS_YIELD, 0, 0, &m);
    check("the server's receive failed", ep3_result, ERR_NOT_MAPPED);
    check("the queued sender's call failed", client_result, ERR_NOT_MAPPED);
    check("the server's buffer is untouched", (long)touched(SERVER_BUFFER), 0);
    check("writable again", frame_protect(B_SERVER_BUF, CAP_RIGHT_READ | CAP_RIGHT_WRITE), ERR_OK);
    check("and the server answers", call(B_EP_GRANT, 40, 0, &m), ERR_OK);
    check("whole", (long)(last_length == 40 && !last_wrong), 1);
    check("suspend the second client", thread_suspend(B_CLIENT2), ERR_OK);
}

/* --- libsys threads with buffers of their own (libsys/thread.h) --------------------------- */

#define PAIR_THREADS 2   /* two clients and two server threads */
#define PAIR_CALLS   200 /* calls per client */
#define PAIR_STACK   (16 * 1024)
#define PAIR_MAP_AT  (B_MAP_AT + 0x4000) /* their four frames: same page table as B_MAP_AT */
#define LABEL_PAIR   7

static _Alignas(16) uint8_t pair_stacks[2 * PAIR_THREADS][PAIR_STACK];
static struct libsys_thread pair_threads[2 * PAIR_THREADS];
static uint64_t pair_endpoint;
static volatile uint64_t pair_served[PAIR_THREADS], pair_wrong[PAIR_THREADS], pair_done;

/* Word i of client c's call number n: different for each client, call and position. */
static uint64_t pair_word(uint64_t c, uint64_t n, uint64_t i)
{
    return 0xc3ull << 56 | c << 48 | n << 16 | i;
}

/* The server threads' handler (libsys's server loop, request_word/request_set_word through
   libsys_ipc_buffer): reads every word, yields so that the other thread runs between its
   receive and its reply, and answers each word inverted, plus which server thread it was. */
static long pair_echo(struct server_call *call)
{
    uint64_t words[MSG_MAX_LENGTH], length = call->in.length;
    for (unsigned i = 0; i < length; i++)
        words[i] = request_word(&call->in, i);
    struct missive_msg m = {0};
    missive_syscall(SYS_YIELD, 0, 0, &m);
    for (unsigned i = 0; i < length; i++)
        request_set_word(&call->out, i, ~words[i]);
    uint64_t me = (uint64_t)call->server->context;
    pair_served[me]++;
    return SERVICE_OK;
}

static const struct server_op pair_ops[] = {{.label = LABEL_PAIR, .handle = pair_echo}};
static struct server pair_servers[PAIR_THREADS];

static void pair_server(void *arg)
{
    server_run(arg);
}

/* A client thread (arg: its number): PAIR_CALLS calls of 64 words through request_call, each
   written into its buffer, then a yield (the other client writes its own meanwhile), then the
   call; every word of every answer checked. */
static void pair_client(void *arg)
{
    uint64_t c = (uint64_t)arg, wrong = 0;
    for (uint64_t n = 0; n < PAIR_CALLS; n++) {
        struct request r = {.label = LABEL_PAIR};
        for (unsigned i = 0; i < MSG_MAX_LENGTH; i++)
            request_set_word(&r, i, pair_word(c, n, i));
        struct missive_msg m = {0};
        missive_syscall(SYS_YIELD, 0, 0, &m);
        long k = request_call(pair_endpoint, &r, 0, 0, 0);
        wrong += k != ERR_OK || r.label != SERVICE_OK || r.length != MSG_MAX_LENGTH;
        for (unsigned i = 0; k == ERR_OK && i < MSG_MAX_LENGTH; i++)
            wrong += request_word(&r, i) != ~pair_word(c, n, i);
    }
    pair_wrong[c] = wrong;
    atomic_fetch_add((_Atomic uint64_t *)&pair_done, 1);
    for (;;)
        missive_syscall(SYS_YIELD, 0, 0, &(struct missive_msg){0});
}

/* Two client threads calling two server threads at once, each of the four with its own IPC
   buffer (libsys_thread_start_with): no answer word is another call's, and both server threads
   served. With one buffer for all (libsys's old USER_IPC_BUFFER) the words of the calls in
   flight overwrite each other at the yields (10,800 and 54 wrong words in two runs). The
   servers read every word before they yield and answer right after writing, so what this
   catches is the clients' sharing, and a server reading through the wrong pointer. */
static void test_thread_buffers(void)
{
    pair_endpoint = setup_objects(CAP_ENDPOINT, 0, 1);
    uint64_t threads = setup_objects(CAP_THREAD, 0, 2 * PAIR_THREADS);
    uint64_t frames = setup_objects(CAP_FRAME, PAGE_BITS, 2 * PAIR_THREADS);
    for (unsigned t = 0; t < 2 * PAIR_THREADS; t++) {
        uint64_t at = PAIR_MAP_AT + t * PAGE_SIZE;
        check("a thread's buffer mapped",
              vspace_map_frame(ROOT_SLOT_VSPACE, frames + t, at, CAP_RIGHT_READ | CAP_RIGHT_WRITE),
              ERR_OK);
        struct libsys_thread_how how = {.name = t < PAIR_THREADS ? "pair-server" : "pair-client",
                                        .priority = 255,
                                        .cpu = LIBSYS_THREAD_ANY_CPU,
                                        .stack = pair_stacks[t],
                                        .stack_bytes = PAIR_STACK};
        long k;
        if (t < PAIR_THREADS) {
            pair_servers[t] = (struct server){.name = "pair",
                                              .endpoint = pair_endpoint,
                                              .cspace = ROOT_SLOT_CSPACE,
                                              .ops = pair_ops,
                                              .op_count = 1,
                                              .context = (void *)(uint64_t)t};
            k = libsys_thread_start_with(&pair_threads[t], threads + t, frames + t,
                                         (struct ipc_buffer *)at, &how, pair_server,
                                         &pair_servers[t]);
        } else {
            k = libsys_thread_start_with(&pair_threads[t], threads + t, frames + t,
                                         (struct ipc_buffer *)at, &how, pair_client,
                                         (void *)(uint64_t)(t - PAIR_THREADS));
        }
        check("a libsys thread with its own buffer starts", k, ERR_OK);
    }
    struct missive_msg m = {0};
    for (long i = 0; i < 100 * ROUNDS && pair_done < PAIR_THREADS; i++)
        missive_syscall(SYS_YIELD, 0, 0, &m);
    check("both clients finished", (long)pair_done, PAIR_THREADS);
    check("client 0: every word of every answer its own", (long)pair_wrong[0], 0);
    check("client 1: every word of every answer its own", (long)pair_wrong[1], 0);
    check("the calls were served", (long)(pair_served[0] + pair_served[1]), 2 * PAIR_CALLS);
    check("by both server threads", pair_served[0] > 0 && pair_served[1] > 0, 1);
    for (unsigned t = 0; t < 2 * PAIR_THREADS; t++)
        thread_suspend(threads + t);
}

int ipcbuf_suite(void)
{
    uint64_t ut = setup_find_untyped(16, false);
    check("an Untyped of 64 KiB or more", ut != 0, 1);
    if (!ut)
        return 1;
    check("a 64 KiB Untyped for the suite", untyped_retype(ut, CAP_UNTYPED, 16, B_UT, 1), ERR_OK);
    check("an endpoint", untyped_retype(B_UT, CAP_ENDPOINT, 0, B_EP, 1), ERR_OK);
    check("a send-only copy", cspace_copy(ROOT_SLOT_CSPACE, B_EP_NO_GRANT, B_EP, CAP_RIGHT_SEND, 0),
          ERR_OK);
    check("a send+grant copy",
          cspace_copy(ROOT_SLOT_CSPACE, B_EP_GRANT, B_EP, CAP_RIGHT_SEND | CAP_RIGHT_GRANT, 0),
          ERR_OK);
    check("a notification", untyped_retype(B_UT, CAP_NOTIFICATION, 0, B_NTFN, 1), ERR_OK);
    for (uint64_t j = 0; j < MSG_MAX_CAPS; j++)
        check("a badged copy",
              cspace_mint(ROOT_SLOT_CSPACE, B_NTFN_BADGED + j, B_NTFN, CAP_RIGHT_SEND, j + 1, 0),
              ERR_OK);
    check("the server thread", untyped_retype(B_UT, CAP_THREAD, 0, B_SERVER, 1), ERR_OK);
    check("its buffer", untyped_retype(B_UT, CAP_FRAME, PAGE_BITS, B_SERVER_BUF, 1), ERR_OK);
    check("mapped", setup_map_with_tables(B_SERVER_BUF, B_MAP_AT, B_UT, B_TABLE), ERR_OK);
    check("registered", thread_set_ipc_buffer(B_SERVER, B_SERVER_BUF), ERR_OK);
    check("start it",
          setup_thread_start(B_SERVER, (struct setup_thread){.priority = 255}, server, 0), ERR_OK);
    test_every_length();
    test_receiver_buffer();
    test_mid_call();
    test_thread_buffers();
    check("suspend the server", thread_suspend(B_SERVER), ERR_OK);
    cspace_revoke(ROOT_SLOT_CSPACE, B_UT, NULL);
    return check_report("ipcbuf");
}
