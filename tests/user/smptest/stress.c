/*
 * smptest stress: client/server pairs spread over every CPU, each client on
 * one CPU calling its server on the next, with ten-word messages whose last
 * word is a checksum of the others. Servers check what they get and answer
 * with every word inverted and a new checksum; clients check the answers.
 * Afterwards the counts must add up: every call answered, nothing corrupt.
 * A deadlock shows as the harness's timeout.
 */
#include <stdio.h>

#include "smptest.h"

#define ROUNDS    400
#define MAX_PAIRS 16

static struct pair {
    uint64_t ep, client_ep; /* the client's is badged with the pair's number + 1 */
    volatile uint64_t served, served_bad, answered, answered_bad;
} pairs[MAX_PAIRS];
static uint64_t done_slot;
static volatile uint64_t finished;

static uint64_t checksum(const uint64_t *w, unsigned n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (unsigned i = 0; i < n; i++)
        h = (h ^ w[i]) * 0x100000001b3ull;
    return h;
}

static void server(uint64_t i)
{
    struct missive_msg m = {0};
    long r = missive_syscall(SYS_RECV, pairs[i].ep, 0, &m);
    for (;;) {
        if (r == ERR_OK && MSG_LENGTH(m.tag) == 10 && m.badge == i + 1 &&
            checksum(m.mr, 9) == m.mr[9])
            pairs[i].served++;
        else
            pairs[i].served_bad++;
        for (unsigned k = 0; k < 9; k++)
            m.mr[k] = ~m.mr[k];
        m.mr[9] = checksum(m.mr, 9);
        r = missive_syscall(SYS_REPLY_RECV, pairs[i].ep, MSG_TAG(2, 10, 0), &m);
    }
}

static void client(uint64_t i)
{
    uint64_t x = (i + 1) * 0x9e3779b97f4a7c15ull;
    for (unsigned round = 0; round < ROUNDS; round++) {
        struct missive_msg m = {0};
        uint64_t sent[9];
        for (unsigned k = 0; k < 9; k++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            m.mr[k] = sent[k] = x;
        }
        m.mr[9] = checksum(m.mr, 9);
        long r = missive_syscall(SYS_CALL, pairs[i].client_ep, MSG_TAG(1, 10, 0), &m);
        int ok = r == ERR_OK && MSG_LENGTH(m.tag) == 10 && checksum(m.mr, 9) == m.mr[9];
        for (unsigned k = 0; k < 9; k++)
            ok = ok && m.mr[k] == ~sent[k];
        if (ok)
            pairs[i].answered++;
        else
            pairs[i].answered_bad++;
    }
    __atomic_add_fetch(&finished, 1, __ATOMIC_SEQ_CST);
    struct missive_msg m = {0};
    missive_syscall(SYS_SEND, done_slot, 0, &m);
    park();
}

int stress_suite(void)
{
    unsigned count = 2 * ncpus > MAX_PAIRS ? MAX_PAIRS : 2 * ncpus;
    done_slot = setup_objects(CAP_NOTIFICATION, 0, 1);
    uint64_t eps = setup_objects(CAP_ENDPOINT, 0, count);
    uint64_t threads = setup_objects(CAP_THREAD, 0, 2 * count);
    uint64_t minted = setup_slots(count);
    uint64_t start = uptime();
    for (unsigned i = 0; i < count; i++) {
        pairs[i].ep = eps + i;
        pairs[i].client_ep = minted + i;
        check("mint a client capability",
              cspace_mint(ROOT_SLOT_CSPACE, minted + i, eps + i, CAP_RIGHT_SEND, i + 1, 0), ERR_OK);
        check("start a server",
              setup_thread_start(
                  threads + 2 * i,
                  (struct setup_thread){.priority = 100, .pinned = true, .cpu = (i + 1) % ncpus},
                  server, i),
              ERR_OK);
        check("start a client",
              setup_thread_start(
                  threads + 2 * i + 1,
                  (struct setup_thread){.priority = 100, .pinned = true, .cpu = i % ncpus}, client,
                  i),
              ERR_OK);
    }
    struct missive_msg m = {0};
    while (__atomic_load_n(&finished, __ATOMIC_SEQ_CST) < count)
        missive_syscall(SYS_RECV, done_slot, 0, &m);
    uint64_t served = 0, answered = 0, bad = 0;
    for (unsigned i = 0; i < count; i++) {
        check("every call of a pair answered", (long)pairs[i].answered, ROUNDS);
        check("and served once", (long)pairs[i].served, ROUNDS);
        served += pairs[i].served;
        answered += pairs[i].answered;
        bad += pairs[i].served_bad + pairs[i].answered_bad;
    }
    check("no corrupt message", (long)bad, 0);
    printf("smptest: stress: %u pairs over %u CPUs, %lu calls answered, %lu served, %lu corrupt, "
           "in %lu ticks\n",
           count, ncpus, (unsigned long)answered, (unsigned long)served, (unsigned long)bad,
           (unsigned long)(uptime() - start));
    return check_report("stress") != 0;
}
