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
    uint64_t level = 0, address = 0;
    check("retype a frame", untyped_retype(ut, CAP_FRAME, PAGE_BITS, S_FRAME, 1), ERR_OK);
    check("retype two page tables", untyped_retype(ut, CAP_PAGE_TABLE, 0, S_TABLE, 2), ERR_OK);
    check("a frame needs a table first",
          vspace_map_frame(ROOT_SLOT_VSPACE, S_FRAME, MAP_AT, CAP_RIGHT_READ), ERR_MISSING_TABLE);
    check("map a page table", vspace_map_table(ROOT_SLOT_VSPACE, S_TABLE, MAP_AT, &level), ERR_OK);
    check("it became the last level", (long)level, 0);
    check("no second table there", vspace_map_table(ROOT_SLOT_VSPACE, S_TABLE2, MAP_AT, NULL),
          ERR_ALREADY_MAPPED);
    check("a table cap maps once", vspace_map_table(ROOT_SLOT_VSPACE, S_TABLE, 0x40000000, NULL),
          ERR_ALREADY_MAPPED);
    check("page tables cannot be copied",
          cspace_copy(ROOT_SLOT_CSPACE, S_PROBE, S_TABLE, CAP_RIGHTS_ALL, 0), ERR_NOT_PERMITTED);
    long r = vspace_map_table(ROOT_SLOT_VSPACE, S_TABLE2, USER_END, NULL);
    check_bad_argument("a table in the kernel half", r, VSPACE_MAP_TABLE_ARG_ADDRESS, 0,
                       USER_END - 1);

    r = vspace_map_frame(ROOT_SLOT_VSPACE, S_FRAME, MAP_AT + 1, CAP_RIGHT_READ);
    check_bad_argument("unaligned frame", r, VSPACE_MAP_FRAME_ARG_ADDRESS, 0, USER_END - PAGE_SIZE);
    r = vspace_map_frame(ROOT_SLOT_VSPACE, S_FRAME, 0xffffffff80000000ul, CAP_RIGHT_READ);
    check_bad_argument("frame at a kernel address", r, VSPACE_MAP_FRAME_ARG_ADDRESS, 0,
                       USER_END - PAGE_SIZE);
    r = vspace_map_frame(ROOT_SLOT_VSPACE, S_FRAME, MAP_AT, CAP_RIGHT_WRITE);
    check_bad_argument("frame without read", r, VSPACE_MAP_FRAME_ARG_RIGHTS, CAP_RIGHT_READ,
                       CAP_RIGHTS_ALL);
    check("map the frame read-write",
          vspace_map_frame(ROOT_SLOT_VSPACE, S_FRAME, MAP_AT, CAP_RIGHT_READ | CAP_RIGHT_WRITE),
          ERR_OK);
    check("no frame over a frame",
          vspace_map_frame(ROOT_SLOT_VSPACE, S_FRAME, MAP_AT, CAP_RIGHT_READ), ERR_ALREADY_MAPPED);
    volatile uint64_t *page = (volatile uint64_t *)MAP_AT;
    check("a fresh frame is zero", (long)page[7], 0);
    page[7] = 0x5eed;
    check("and holds what is written", (long)page[7], 0x5eed);

    check("copy the frame", cspace_copy(ROOT_SLOT_CSPACE, S_FRAME_COPY, S_FRAME, CAP_RIGHTS_ALL, 0),
          ERR_OK);
    check("map the copy at a second address",
          vspace_map_frame(ROOT_SLOT_VSPACE, S_FRAME_COPY, MAP_AT + 0x1000, CAP_RIGHT_READ),
          ERR_OK);
    check("both addresses show one frame", (long)((volatile uint64_t *)(MAP_AT + 0x1000))[7],
          0x5eed);
    check("a read-only copy", cspace_copy(ROOT_SLOT_CSPACE, S_FRAME_RO, S_FRAME, CAP_RIGHT_READ, 0),
          ERR_OK);
    check("cannot map writable",
          vspace_map_frame(ROOT_SLOT_VSPACE, S_FRAME_RO, MAP_AT + 0x2000,
                           CAP_RIGHT_READ | CAP_RIGHT_WRITE),
          ERR_MISSING_RIGHT);
    check("nor executable",
          vspace_map_frame(ROOT_SLOT_VSPACE, S_FRAME_RO, MAP_AT + 0x2000,
                           CAP_RIGHT_READ | CAP_RIGHT_EXEC),
          ERR_MISSING_RIGHT);
    check("nor learn its address", frame_physical_address(S_FRAME_RO, NULL), ERR_MISSING_RIGHT);
    check("the full cap may",
          frame_physical_address(S_FRAME, &address) == ERR_OK && address != 0 &&
              address % PAGE_SIZE == 0,
          1);
    check("protect the copy", frame_protect(S_FRAME_COPY, CAP_RIGHT_READ), ERR_OK);
    check("protect beyond the cap's rights",
          frame_protect(S_FRAME_RO, CAP_RIGHT_READ | CAP_RIGHT_WRITE), ERR_MISSING_RIGHT);
    check("protect an unmapped frame", frame_protect(S_FRAME_RO, CAP_RIGHT_READ), ERR_NOT_MAPPED);

    /* Map the read-only copy at +0x2000, then delete it: a thread reading
       there afterwards must fault, not see the frame. */
    check("map the read-only copy",
          vspace_map_frame(ROOT_SLOT_VSPACE, S_FRAME_RO, MAP_AT + 0x2000, CAP_RIGHT_READ), ERR_OK);
    check("read through it", (long)((volatile uint64_t *)(MAP_AT + 0x2000))[7], 0x5eed);
    check("delete the read-only copy (unmaps it)", cspace_delete(ROOT_SLOT_CSPACE, S_FRAME_RO),
          ERR_OK);
    check("retype a probe thread", untyped_retype(ut, CAP_THREAD, 0, S_PROBE, 1), ERR_OK);
    check("start it",
          setup_thread_start(S_PROBE, (struct setup_thread){.priority = 255},
                             (void (*)(uint64_t))probe, 0),
          ERR_OK);
    for (int i = 0; i < SETTLE && !probe_before; i++)
        missive_syscall(SYS_YIELD, 0, 0, &m);
    check("the probe ran", probe_before, 1);
    check("and faulted on the unmapped page", probe_after, 0);
    check("delete the probe", cspace_delete(ROOT_SLOT_CSPACE, S_PROBE), ERR_OK);

    /* A VSpace of its own: tables and frames map there too; deleting it
       leaves the capabilities that mapped into it harmless. */
    check("retype a VSpace", untyped_retype(ut, CAP_VSPACE, 0, S_VSPACE, 1), ERR_OK);
    check("unmap the first frame", frame_unmap(S_FRAME), ERR_OK);
    r = vspace_map_table(S_VSPACE, S_TABLE2, MAP_AT, &level);
    check("a new VSpace needs a PDPT first", r == ERR_OK && level == 2, 1);
    check("so the frame cannot map yet",
          vspace_map_frame(S_VSPACE, S_FRAME, MAP_AT, CAP_RIGHT_READ), ERR_MISSING_TABLE);
    check("delete the VSpace", cspace_delete(ROOT_SLOT_CSPACE, S_VSPACE), ERR_OK);
    check("a table of a dead VSpace can be deleted", cspace_delete(ROOT_SLOT_CSPACE, S_TABLE2),
          ERR_OK);
    check("unmap the copy", frame_unmap(S_FRAME_COPY), ERR_OK);
    check("unmap the table", page_table_unmap(S_TABLE), ERR_OK);
    check("remap the frame after its table went",
          vspace_map_frame(ROOT_SLOT_VSPACE, S_FRAME, MAP_AT, CAP_RIGHT_READ), ERR_MISSING_TABLE);
}
