/*
 * smptest tlb: the TLB shootdown. A reader on another CPU reads a page in a
 * loop while this thread unmaps it; once FRAME_UNMAP returns, this thread
 * writes a new value into the frame through a second mapping. The reader
 * must fault (its fault comes to this thread's fault endpoint) and must
 * never have seen the new value: that would be a read through a stale TLB
 * entry. Then the same for rights: a writer stores a counter into the page
 * while this thread makes the page read-only; after FRAME_PROTECT returns
 * the counter must not move, and the writer must fault on a write.
 */
#include <stdio.h>

#include "smptest.h"

#define PAGE      0x10000000ul /* where the reader and writer look */
#define ALIAS     0x10001000ul /* the same frame, for this thread only */
#define ROUNDS    12
#define GOOD      0x600d600d600dull
#define STALE     0x5ba1e5ba1e5ull
#define MAX_TICKS 3000 /* a fault that does not come in 3 s is a failure */

static volatile uint64_t reads, stale_reads, writes;

static void reader(uint64_t unused)
{
    (void)unused;
    for (;;) {
        if (*(volatile uint64_t *)PAGE == STALE)
            stale_reads++;
        reads++;
    }
}

static void writer(uint64_t unused)
{
    (void)unused;
    for (;;)
        *(volatile uint64_t *)PAGE = ++writes;
}

/* Waits (yielding: the thread may share this CPU) until *counter has moved on by at least n. */
static void wait_progress(volatile uint64_t *counter, uint64_t n)
{
    uint64_t from = *counter, start = uptime();
    while (*counter - from < n && uptime() - start < MAX_TICKS)
        yield();
}

/* Polls the fault endpoint until a fault arrives or MAX_TICKS pass. */
static long wait_fault(uint64_t fault_ep, struct missive_msg *m)
{
    uint64_t start = uptime();
    long r;
    while ((r = missive_syscall(SYS_NB_RECV, fault_ep, 0, m)) == ERR_WOULD_BLOCK &&
           uptime() - start < MAX_TICKS)
        yield();
    return r;
}

int tlb_suite(void)
{
    unsigned other = ncpus > 1 ? 1 : 0;
    uint64_t frame = setup_objects(CAP_FRAME, PAGE_BITS, 1), alias = setup_slots(1);
    uint64_t table = setup_objects(CAP_PAGE_TABLE, 0, 1),
             fault_ep = setup_objects(CAP_ENDPOINT, 0, 1);
    uint64_t threads = setup_objects(CAP_THREAD, 0, 2);
    struct missive_msg m;
    check("a page table", vspace_map_table(ROOT_SLOT_VSPACE, table, PAGE, NULL), ERR_OK);
    check("copy the frame", cspace_copy(ROOT_SLOT_CSPACE, alias, frame, CAP_RIGHTS_ALL, 0), ERR_OK);
    check("map the alias",
          vspace_map_frame(ROOT_SLOT_VSPACE, alias, ALIAS, CAP_RIGHT_READ | CAP_RIGHT_WRITE),
          ERR_OK);
    volatile uint64_t *through_alias = (volatile uint64_t *)ALIAS;

    int faults = 0, stale = 0;
    for (int round = 0; round < ROUNDS; round++) {
        *through_alias = GOOD;
        check("map the page", vspace_map_frame(ROOT_SLOT_VSPACE, frame, PAGE, CAP_RIGHT_READ),
              ERR_OK);
        if (round == 0)
            check("start the reader",
                  setup_thread_start(threads,
                                     (struct setup_thread){.priority = 255,
                                                           .fault_endpoint = fault_ep,
                                                           .pinned = true,
                                                           .cpu = other},
                                     reader, 0),
                  ERR_OK);
        else
            check("resume the reader", missive_syscall(SYS_REPLY, 0, MSG_TAG(0, 0, 0), &m), ERR_OK);
        wait_progress(&reads, 1000);
        check("unmap it under the reader", frame_unmap(frame), ERR_OK);
        *through_alias = STALE;
        long r = wait_fault(fault_ep, &m);
        check("the reader faulted", r, ERR_OK);
        if (r != ERR_OK)
            break;
        faults++;
        check("a page fault", (long)m.mr[FAULT_MR_VECTOR], 14);
        check("on the page", (long)m.mr[FAULT_MR_ADDRESS], (long)PAGE);
        stale += stale_reads != 0;
    }
    check("the reader never saw the value written after the unmap", (long)stale_reads, 0);
    missive_syscall(SYS_REPLY, 0, MSG_TAG(1, 0, 0), &m); /* leave the reader stopped */

    /* Reducing rights: read-write to read-only under a writer. */
    int protect_faults = 0;
    uint64_t moved = 0;
    check("map the page writable",
          vspace_map_frame(ROOT_SLOT_VSPACE, frame, PAGE, CAP_RIGHT_READ | CAP_RIGHT_WRITE),
          ERR_OK);
    for (int round = 0; round < ROUNDS; round++) {
        if (round == 0)
            check("start the writer",
                  setup_thread_start(threads + 1,
                                     (struct setup_thread){.priority = 255,
                                                           .fault_endpoint = fault_ep,
                                                           .pinned = true,
                                                           .cpu = other},
                                     writer, 0),
                  ERR_OK);
        else
            check("resume the writer", missive_syscall(SYS_REPLY, 0, MSG_TAG(0, 0, 0), &m), ERR_OK);
        wait_progress(&writes, 1000);
        check("make it read-only under the writer", frame_protect(frame, CAP_RIGHT_READ), ERR_OK);
        uint64_t after = *through_alias;
        long r = wait_fault(fault_ep, &m);
        check("the writer faulted", r, ERR_OK);
        if (r != ERR_OK)
            break;
        protect_faults++;
        check("a write to a read-only page", (long)m.mr[FAULT_MR_ERROR], 7);
        moved += *through_alias != after;
        check("writable again", frame_protect(frame, CAP_RIGHT_READ | CAP_RIGHT_WRITE), ERR_OK);
    }
    check("no write landed after the protect returned", (long)moved, 0);
    missive_syscall(SYS_REPLY, 0, MSG_TAG(1, 0, 0), &m);
    printf("smptest: tlb: reader on CPU %u: %d unmaps, %d faults, %d stale rounds; writer: %d "
           "protects, %d faults, %lu late writes\n",
           other, ROUNDS, faults, stale, ROUNDS, protect_faults, (unsigned long)moved);
    return check_report("tlb") != 0;
}
