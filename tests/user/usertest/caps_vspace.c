/*
 * usertest caps: address spaces. Page tables and frames mapped into the
 * root VSpace and a new one, with their rights and errors; copies of a
 * frame, its physical address, protect and unmap; a mapping that goes
 * when its capability is deleted.
 */
#include <stdint.h>

#include "caps.h"

static volatile int probe_before, probe_after;

/* Reads an address the root task has just unmapped: must fault. */
static void probe(void)
{
    probe_before = 1;
    probe_after = *(volatile int *)(MAP_AT + 0x2000);
    probe_after = 1;
    for (;;)
        ;
}

void test_vspace(uint64_t ut)
{
    struct missive_msg m;
    check("retype a frame", retype(ut, CAP_FRAME, 12, S_FRAME, 1), ERR_OK);
    check("retype two page tables", retype(ut, CAP_PAGE_TABLE, 0, S_TABLE, 2), ERR_OK);
    check("a frame needs a table first",
          invoke(ROOT_SLOT_VSPACE, VSPACE_MAP_FRAME, S_FRAME, MAP_AT, CAP_RIGHT_READ, 0, 0),
          ERR_MISSING_TABLE);
    long r = invoke(ROOT_SLOT_VSPACE, VSPACE_MAP_TABLE, S_TABLE, MAP_AT, 0, 0, &m);
    check("map a page table", r, ERR_OK);
    check("it became the last level", (long)m.mr[0], 0);
    check("no second table there",
          invoke(ROOT_SLOT_VSPACE, VSPACE_MAP_TABLE, S_TABLE2, MAP_AT, 0, 0, 0),
          ERR_ALREADY_MAPPED);
    check("a table cap maps once",
          invoke(ROOT_SLOT_VSPACE, VSPACE_MAP_TABLE, S_TABLE, 0x40000000, 0, 0, 0),
          ERR_ALREADY_MAPPED);
    check("page tables cannot be copied", cs(CSPACE_COPY, S_PROBE, S_TABLE, CAP_RIGHTS_ALL, 0),
          ERR_NOT_PERMITTED);
    r = invoke(ROOT_SLOT_VSPACE, VSPACE_MAP_TABLE, S_TABLE2, USER_END, 0, 0, &m);
    check_bad_argument("a table in the kernel half", r, &m, 1, 0, USER_END - 1);

    r = invoke(ROOT_SLOT_VSPACE, VSPACE_MAP_FRAME, S_FRAME, MAP_AT + 1, CAP_RIGHT_READ, 0, &m);
    check_bad_argument("unaligned frame", r, &m, 1, 0, USER_END - 4096);
    r = invoke(ROOT_SLOT_VSPACE, VSPACE_MAP_FRAME, S_FRAME, 0xffffffff80000000ul, CAP_RIGHT_READ, 0,
               &m);
    check_bad_argument("frame at a kernel address", r, &m, 1, 0, USER_END - 4096);
    r = invoke(ROOT_SLOT_VSPACE, VSPACE_MAP_FRAME, S_FRAME, MAP_AT, CAP_RIGHT_WRITE, 0, &m);
    check_bad_argument("frame without read", r, &m, 2, CAP_RIGHT_READ, CAP_RIGHTS_ALL);
    check("map the frame read-write",
          invoke(ROOT_SLOT_VSPACE, VSPACE_MAP_FRAME, S_FRAME, MAP_AT,
                 CAP_RIGHT_READ | CAP_RIGHT_WRITE, 0, 0),
          ERR_OK);
    check("no frame over a frame",
          invoke(ROOT_SLOT_VSPACE, VSPACE_MAP_FRAME, S_FRAME, MAP_AT, CAP_RIGHT_READ, 0, 0),
          ERR_ALREADY_MAPPED);
    volatile uint64_t *page = (volatile uint64_t *)MAP_AT;
    check("a fresh frame is zero", (long)page[7], 0);
    page[7] = 0x5eed;
    check("and holds what is written", (long)page[7], 0x5eed);

    check("copy the frame", cs(CSPACE_COPY, S_FRAME_COPY, S_FRAME, CAP_RIGHTS_ALL, 0), ERR_OK);
    check("map the copy at a second address",
          invoke(ROOT_SLOT_VSPACE, VSPACE_MAP_FRAME, S_FRAME_COPY, MAP_AT + 0x1000, CAP_RIGHT_READ,
                 0, 0),
          ERR_OK);
    check("both addresses show one frame", (long)((volatile uint64_t *)(MAP_AT + 0x1000))[7],
          0x5eed);
    check("a read-only copy", cs(CSPACE_COPY, S_FRAME_RO, S_FRAME, CAP_RIGHT_READ, 0), ERR_OK);
    check("cannot map writable",
          invoke(ROOT_SLOT_VSPACE, VSPACE_MAP_FRAME, S_FRAME_RO, MAP_AT + 0x2000,
                 CAP_RIGHT_READ | CAP_RIGHT_WRITE, 0, 0),
          ERR_MISSING_RIGHT);
    check("nor executable",
          invoke(ROOT_SLOT_VSPACE, VSPACE_MAP_FRAME, S_FRAME_RO, MAP_AT + 0x2000,
                 CAP_RIGHT_READ | CAP_RIGHT_EXEC, 0, 0),
          ERR_MISSING_RIGHT);
    check("nor learn its address", invoke(S_FRAME_RO, FRAME_PHYSICAL_ADDRESS, 0, 0, 0, 0, 0),
          ERR_MISSING_RIGHT);
    check("the full cap may",
          invoke(S_FRAME, FRAME_PHYSICAL_ADDRESS, 0, 0, 0, 0, &m) == ERR_OK && m.mr[0] != 0 &&
              (m.mr[0] & 0xfff) == 0,
          1);
    check("protect the copy", invoke(S_FRAME_COPY, FRAME_PROTECT, CAP_RIGHT_READ, 0, 0, 0, 0),
          ERR_OK);
    check("protect beyond the cap's rights",
          invoke(S_FRAME_RO, FRAME_PROTECT, CAP_RIGHT_READ | CAP_RIGHT_WRITE, 0, 0, 0, 0),
          ERR_MISSING_RIGHT);
    check("protect an unmapped frame",
          invoke(S_FRAME_RO, FRAME_PROTECT, CAP_RIGHT_READ, 0, 0, 0, 0), ERR_NOT_MAPPED);

    /* Map the read-only copy at +0x2000, then delete it: a thread reading
       there afterwards must fault, not see the frame. */
    check("map the read-only copy",
          invoke(ROOT_SLOT_VSPACE, VSPACE_MAP_FRAME, S_FRAME_RO, MAP_AT + 0x2000, CAP_RIGHT_READ, 0,
                 0),
          ERR_OK);
    check("read through it", (long)((volatile uint64_t *)(MAP_AT + 0x2000))[7], 0x5eed);
    check("delete the read-only copy (unmaps it)", cs(CSPACE_DELETE, S_FRAME_RO, 0, 0, 0), ERR_OK);
    check("retype a probe thread", retype(ut, CAP_THREAD, 0, S_PROBE, 1), ERR_OK);
    check("start it",
          setup_thread_start(S_PROBE, (struct setup_thread){.priority = 255},
                             (void (*)(uint64_t))probe, 0),
          ERR_OK);
    for (int i = 0; i < SETTLE && !probe_before; i++)
        missive_syscall(SYS_YIELD, 0, 0, &m);
    check("the probe ran", probe_before, 1);
    check("and faulted on the unmapped page", probe_after, 0);
    check("delete the probe", cs(CSPACE_DELETE, S_PROBE, 0, 0, 0), ERR_OK);

    /* A VSpace of its own: tables and frames map there too; deleting it
       leaves the capabilities that mapped into it harmless. */
    check("retype a VSpace", retype(ut, CAP_VSPACE, 0, S_VSPACE, 1), ERR_OK);
    check("unmap the first frame", invoke(S_FRAME, FRAME_UNMAP, 0, 0, 0, 0, 0), ERR_OK);
    r = invoke(S_VSPACE, VSPACE_MAP_TABLE, S_TABLE2, MAP_AT, 0, 0, &m);
    check("a new VSpace needs a PDPT first", r == ERR_OK && m.mr[0] == 2, 1);
    check("so the frame cannot map yet",
          invoke(S_VSPACE, VSPACE_MAP_FRAME, S_FRAME, MAP_AT, CAP_RIGHT_READ, 0, 0),
          ERR_MISSING_TABLE);
    check("delete the VSpace", cs(CSPACE_DELETE, S_VSPACE, 0, 0, 0), ERR_OK);
    check("a table of a dead VSpace can be deleted", cs(CSPACE_DELETE, S_TABLE2, 0, 0, 0), ERR_OK);
    check("unmap the copy", invoke(S_FRAME_COPY, FRAME_UNMAP, 0, 0, 0, 0, 0), ERR_OK);
    check("unmap the table", invoke(S_TABLE, PAGE_TABLE_UNMAP, 0, 0, 0, 0, 0), ERR_OK);
    check("remap the frame after its table went",
          invoke(ROOT_SLOT_VSPACE, VSPACE_MAP_FRAME, S_FRAME, MAP_AT, CAP_RIGHT_READ, 0, 0),
          ERR_MISSING_TABLE);
}
