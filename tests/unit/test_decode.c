/*
 * Host unit tests for the kernel's invocation decoders (kernel/invoke.h): every decoder's error
 * paths (each bad argument with the index and range it reports, wrong type, missing right,
 * empty slot, occupied destination, wrong state) and what it decodes on success, plus
 * cte_derive. The object files are compiled unchanged; tests/unit/kernel_stubs.c stands in for
 * the scheduler and the hardware and counts its calls, and every decoder test ends by checking
 * that no decoder made one.
 *
 * Objects live in host memory. A "physical" address p is reached at DIRECT_MAP_BASE + p, so a
 * page-table page at host address h has physical address h - DIRECT_MAP_BASE (mod 2^64).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86_64/vm.h"
#include "endpoint.h"
#include "invoke.h"
#include "irq.h"
#include "missive/abi.h"
#include "notification.h"
#include "thread.h"
#include "trace.h"
#include "vspace.h"

extern unsigned stub_calls;
extern unsigned cpu_count; /* 2 in the stubs */

#define SLOTS     16 /* the caller's CSpace: slots 1-15 */
#define LAST_SLOT (SLOTS - 1)

/* The caller's CSpace and what the tests put in its slots. */
enum {
    S_CSPACE = 1, /* the caller's CSpace itself */
    S_UNTYPED,    /* 1 MiB of RAM */
    S_DEVICE,     /* 1 MiB of device memory */
    S_EP,         /* an endpoint, all rights */
    S_EP_BADGED,
    S_EP_NOSEND,
    S_NTFN,
    S_NTFN_NORECV,
    S_FRAME,     /* 4 KiB, all rights */
    S_FRAME_RO,  /* 4 KiB, read only */
    S_BIG_FRAME, /* 2 MiB, all rights */
    S_TABLE,
    S_OTHER_CS, /* a second CSpace, of 4 slots */
    S_VSPACE,
    S_EMPTY, /* always empty */
};

static _Alignas(64) struct cte slots[SLOTS];
static _Alignas(64) struct cte other_slots[4];
static struct cspace *cs = (struct cspace *)slots;
static struct endpoint endpoint;
static struct notification notification, notification2;
static struct thread *caller, *target;
static _Alignas(4096) uint64_t pml4[512];
static struct vspace vspace;

static struct cte *slot(unsigned i)
{
    return cspace_slot(cs, i);
}

static void put(unsigned i, struct cap cap)
{
    cte_insert(slot(i), &cap, NULL);
}

static struct cap cap_of(unsigned type, uint8_t rights, uint64_t object, uint32_t size)
{
    struct cap cap = {.type = (uint8_t)type, .rights = rights, .size = size, .object = object};
    return cap;
}

static struct thread *new_thread(uint8_t priority)
{
    struct thread *t = aligned_alloc(64, sizeof *t);
    memset(t, 0, sizeof *t);
    t->header.type = CAP_THREAD;
    t->priority = priority;
    t->state = THREAD_INACTIVE;
    return t;
}

static int setup(void **state)
{
    (void)state;
    memset(slots, 0, sizeof slots);
    memset(other_slots, 0, sizeof other_slots);
    memset(pml4, 0, sizeof pml4);
    endpoint = (struct endpoint){.header.type = CAP_ENDPOINT};
    notification = (struct notification){.header.type = CAP_NOTIFICATION};
    notification2 = notification;
    struct cap c = object_new(CAP_CSPACE, slots, 4 + CTE_BITS, false);
    put(S_CSPACE, c);
    c = object_new(CAP_CSPACE, other_slots, 2 + CTE_BITS, false);
    put(S_OTHER_CS, c);
    put(S_UNTYPED, cap_of(CAP_UNTYPED, CAP_RIGHTS_ALL, 0x100000, 20));
    c = cap_of(CAP_UNTYPED, CAP_RIGHTS_ALL, 0xfe000000, 20);
    c.flags = CAP_FLAG_DEVICE;
    put(S_DEVICE, c);
    put(S_EP, cap_of(CAP_ENDPOINT, CAP_RIGHTS_ALL, (uint64_t)&endpoint, ENDPOINT_BITS));
    c = cap_of(CAP_ENDPOINT, CAP_RIGHTS_ALL, (uint64_t)&endpoint, ENDPOINT_BITS);
    c.badge = 7;
    put(S_EP_BADGED, c);
    put(S_EP_NOSEND, cap_of(CAP_ENDPOINT, CAP_RIGHT_RECEIVE, (uint64_t)&endpoint, 6));
    put(S_NTFN, cap_of(CAP_NOTIFICATION, CAP_RIGHTS_ALL, (uint64_t)&notification, 6));
    put(S_NTFN_NORECV, cap_of(CAP_NOTIFICATION, CAP_RIGHT_SEND, (uint64_t)&notification2, 6));
    put(S_FRAME, cap_of(CAP_FRAME, CAP_RIGHTS_ALL, 0x200000, 12));
    put(S_FRAME_RO, cap_of(CAP_FRAME, CAP_RIGHT_READ, 0x201000, 12));
    put(S_BIG_FRAME, cap_of(CAP_FRAME, CAP_RIGHTS_ALL, 0x400000, 21));
    put(S_TABLE, cap_of(CAP_PAGE_TABLE, CAP_RIGHTS_ALL, 0x300000, 12));
    vspace = (struct vspace){0};
    vspace_register(&vspace, virt_to_phys(pml4));
    put(S_VSPACE, cap_of(CAP_VSPACE, CAP_RIGHTS_ALL, (uint64_t)&vspace, VSPACE_BITS));
    caller = new_thread(100);
    target = new_thread(0);
    stub_calls = 0;
    return 0;
}

/* Every decoder test ends here: no decoder may call into the scheduler or the hardware. */
static int teardown(void **state)
{
    (void)state;
    assert_int_equal(stub_calls, 0);
    free(caller);
    free(target);
    return 0;
}

/* An invocation of the capability in slot invoked with label and MR0-MR4. */
static struct invocation inv_of(unsigned invoked, uint64_t label, uint64_t mr0, uint64_t mr1,
                                uint64_t mr2, uint64_t mr3, uint64_t mr4)
{
    struct invocation inv = {caller, cs, slot(invoked), label, {mr0, mr1, mr2, mr3, mr4}, {0}, 0};
    return inv;
}

/* Checks an ERR_INVALID_ARGUMENT answer: the argument and the range, and nothing else. */
static void expect_bad(long r, const struct invocation *inv, uint64_t arg, uint64_t min,
                       uint64_t max)
{
    assert_int_equal(r, ERR_INVALID_ARGUMENT);
    assert_int_equal(inv->reply_length, 3);
    assert_int_equal(inv->reply[0], arg);
    assert_int_equal(inv->reply[1], min);
    assert_int_equal(inv->reply[2], max);
}

/* Checks a plain error: no answer registers written. */
static void expect_error(long r, const struct invocation *inv, long error)
{
    assert_int_equal(r, error);
    assert_int_equal(inv->reply_length, 0);
}

/* ---- untyped ------------------------------------------------------------------------------ */

static long retype(unsigned ut, uint64_t type, uint64_t bits, uint64_t dest, uint64_t count,
                   struct invocation *inv, struct untyped_retype *out)
{
    *inv = inv_of(ut, UNTYPED_RETYPE, type, bits, dest, count, 0);
    return untyped_decode(inv, out);
}

static void test_untyped_errors(void **state)
{
    (void)state;
    struct invocation inv;
    struct untyped_retype out;
    inv = inv_of(S_UNTYPED, UNTYPED_RETYPE + 1000, CAP_ENDPOINT, 0, 1, 1, 0);
    expect_error(untyped_decode(&inv, &out), &inv, ERR_INVALID_LABEL);
    expect_bad(retype(S_UNTYPED, CAP_NULL, 0, S_EMPTY, 1, &inv, &out), &inv,
               UNTYPED_RETYPE_ARG_TYPE, CAP_UNTYPED, CAP_TYPE_COUNT - 1);
    expect_bad(retype(S_UNTYPED, 99, 0, S_EMPTY, 1, &inv, &out), &inv, UNTYPED_RETYPE_ARG_TYPE,
               CAP_UNTYPED, CAP_TYPE_COUNT - 1);
    expect_bad(retype(S_UNTYPED, CAP_DEBUG, 0, S_EMPTY, 1, &inv, &out), &inv,
               UNTYPED_RETYPE_ARG_TYPE, CAP_UNTYPED, CAP_TYPE_COUNT - 1); /* not made by retype */
    expect_bad(retype(S_UNTYPED, CAP_FRAME, 13, S_EMPTY, 1, &inv, &out), &inv,
               UNTYPED_RETYPE_ARG_SIZE_BITS, 12, 21);
    expect_bad(retype(S_UNTYPED, CAP_CSPACE, 1, S_EMPTY, 1, &inv, &out), &inv,
               UNTYPED_RETYPE_ARG_SIZE_BITS, 2, 16);
    expect_bad(retype(S_UNTYPED, CAP_UNTYPED, 48, S_EMPTY, 1, &inv, &out), &inv,
               UNTYPED_RETYPE_ARG_SIZE_BITS, 12, 47);
    expect_bad(retype(S_DEVICE, CAP_ENDPOINT, 0, S_EMPTY, 1, &inv, &out), &inv,
               UNTYPED_RETYPE_ARG_TYPE, CAP_UNTYPED, CAP_FRAME);
    expect_bad(retype(S_UNTYPED, CAP_ENDPOINT, 0, S_EMPTY, 0, &inv, &out), &inv,
               UNTYPED_RETYPE_ARG_COUNT, 1, RETYPE_MAX_COUNT);
    expect_bad(retype(S_UNTYPED, CAP_ENDPOINT, 0, S_EMPTY, RETYPE_MAX_COUNT + 1, &inv, &out), &inv,
               UNTYPED_RETYPE_ARG_COUNT, 1, RETYPE_MAX_COUNT);
    expect_bad(retype(S_UNTYPED, CAP_ENDPOINT, 0, 0, 1, &inv, &out), &inv, UNTYPED_RETYPE_ARG_DEST,
               1, SLOTS - 1);
    expect_bad(retype(S_UNTYPED, CAP_ENDPOINT, 0, SLOTS, 1, &inv, &out), &inv,
               UNTYPED_RETYPE_ARG_DEST, 1, SLOTS - 1);
    expect_bad(retype(S_UNTYPED, CAP_ENDPOINT, 0, LAST_SLOT, 2, &inv, &out), &inv,
               UNTYPED_RETYPE_ARG_DEST, 1, SLOTS - 2);
    expect_bad(retype(S_UNTYPED, CAP_ENDPOINT, 0, 1, 100, &inv, &out), &inv,
               UNTYPED_RETYPE_ARG_DEST, 1, 0);
    expect_error(retype(S_UNTYPED, CAP_ENDPOINT, 0, S_EMPTY - 1, 2, &inv, &out), &inv,
                 ERR_SLOT_OCCUPIED);
    expect_error(retype(S_UNTYPED, CAP_FRAME, 21, S_EMPTY, 1, &inv, &out), &inv,
                 ERR_NOT_ENOUGH_MEMORY); /* 2 MiB from 1 MiB */
    /* Room for one more 4 KiB object at the end, not for two. */
    slot(S_UNTYPED)->cap.untyped.free_index = (1 << 20) - 4096;
    struct cap child = cap_of(CAP_FRAME, CAP_RIGHTS_ALL, 0x100000, 12);
    cte_insert(&other_slots[1], &child, slot(S_UNTYPED)); /* it has a child: no reset */
    expect_error(retype(S_UNTYPED, CAP_THREAD, 0, S_EMPTY, 1, &inv, &out), &inv, ERR_OK);
    cte_delete(slot(S_VSPACE)); /* two empty slots: S_VSPACE, S_EMPTY */
    expect_error(retype(S_UNTYPED, CAP_FRAME, 12, S_VSPACE, 2, &inv, &out), &inv,
                 ERR_NOT_ENOUGH_MEMORY);
}

static void test_untyped_decodes(void **state)
{
    (void)state;
    struct invocation inv;
    struct untyped_retype out;
    assert_int_equal(retype(S_UNTYPED, CAP_ENDPOINT, 0, S_EMPTY, 1, &inv, &out), ERR_OK);
    assert_int_equal(out.type, CAP_ENDPOINT);
    assert_int_equal(out.bits, ENDPOINT_BITS);
    assert_int_equal(out.count, 1);
    assert_ptr_equal(out.dest, slot(S_EMPTY));
    assert_int_equal(out.start, 0);
    assert_int_equal(inv.reply_length, 0);

    /* With a child, objects follow the free index, rounded up to their size. */
    struct cap child = cap_of(CAP_FRAME, CAP_RIGHTS_ALL, 0x100000, 12);
    cte_insert(&other_slots[1], &child, slot(S_UNTYPED));
    slot(S_UNTYPED)->cap.untyped.free_index = 100;
    assert_int_equal(retype(S_UNTYPED, CAP_THREAD, 0, S_EMPTY, 1, &inv, &out), ERR_OK);
    assert_int_equal(out.start, 4096);
    assert_int_equal(retype(S_UNTYPED, CAP_CSPACE, 3, S_EMPTY, 1, &inv, &out), ERR_OK);
    assert_int_equal(out.bits, 3 + CTE_BITS);
    assert_int_equal(out.start, 512);

    /* Childless: reset, whatever the free index says. */
    cte_delete(&other_slots[1]);
    assert_int_equal(retype(S_UNTYPED, CAP_THREAD, 0, S_EMPTY, 1, &inv, &out), ERR_OK);
    assert_int_equal(out.start, 0);

    /* Device memory makes frames and smaller device Untyped. */
    assert_int_equal(retype(S_DEVICE, CAP_FRAME, 12, S_EMPTY, 1, &inv, &out), ERR_OK);
    assert_int_equal(retype(S_DEVICE, CAP_UNTYPED, 16, S_EMPTY, 1, &inv, &out), ERR_OK);
}

/* ---- cspace ------------------------------------------------------------------------------- */

static long cspace_op(uint64_t label, uint64_t mr0, uint64_t mr1, uint64_t mr2, uint64_t mr3,
                      uint64_t mr4, struct invocation *inv, struct cspace_op *out)
{
    *inv = inv_of(S_CSPACE, label, mr0, mr1, mr2, mr3, mr4);
    return cspace_decode(inv, out);
}

static void test_cspace_copy_errors(void **state)
{
    (void)state;
    struct invocation inv;
    struct cspace_op out;
    uint64_t all = CAP_RIGHTS_ALL;
    expect_error(cspace_op(999, S_EMPTY, S_EP, all, 0, 0, &inv, &out), &inv, ERR_INVALID_LABEL);
    for (uint64_t label = CSPACE_COPY; label <= CSPACE_MINT; label++) {
        uint64_t badge = 5;
        /* MR4, the source CSpace, comes first: it says what MR1 means. */
        expect_bad(cspace_op(label, S_EMPTY, S_EP, all, badge, SLOTS, &inv, &out), &inv,
                   CSPACE_MINT_ARG_SOURCE_CSPACE, 0, LAST_SLOT);
        expect_error(cspace_op(label, S_EMPTY, S_EP, all, badge, S_EMPTY, &inv, &out), &inv,
                     ERR_EMPTY_SLOT);
        expect_error(cspace_op(label, S_EMPTY, S_EP, all, badge, S_EP, &inv, &out), &inv,
                     ERR_WRONG_TYPE);
        expect_bad(cspace_op(label, 0, S_EP, all, badge, 0, &inv, &out), &inv, CSPACE_MINT_ARG_DEST,
                   1, LAST_SLOT);
        expect_bad(cspace_op(label, SLOTS, S_EP, all, badge, 0, &inv, &out), &inv,
                   CSPACE_MINT_ARG_DEST, 1, LAST_SLOT);
        expect_bad(cspace_op(label, S_EMPTY, 0, all, badge, 0, &inv, &out), &inv,
                   CSPACE_MINT_ARG_SRC, 1, LAST_SLOT);
        expect_bad(cspace_op(label, S_EMPTY, 4, all, badge, S_OTHER_CS, &inv, &out), &inv,
                   CSPACE_MINT_ARG_SRC, 1, 3); /* the range of the source CSpace */
        expect_bad(cspace_op(label, S_EMPTY, S_EP, 0x20, badge, 0, &inv, &out), &inv,
                   CSPACE_MINT_ARG_RIGHTS, 0, CAP_RIGHTS_ALL);
        expect_error(cspace_op(label, S_EMPTY, S_EMPTY, all, badge, 0, &inv, &out), &inv,
                     ERR_EMPTY_SLOT);
        expect_error(cspace_op(label, S_NTFN, S_EP, all, badge, 0, &inv, &out), &inv,
                     ERR_SLOT_OCCUPIED);
        expect_error(cspace_op(label, S_EMPTY, S_UNTYPED, all, badge, 0, &inv, &out), &inv,
                     ERR_NOT_PERMITTED);
        expect_error(cspace_op(label, S_EMPTY, S_TABLE, all, badge, 0, &inv, &out), &inv,
                     ERR_NOT_PERMITTED);
    }
    expect_error(cspace_op(CSPACE_MINT, S_EMPTY, S_FRAME, all, 5, 0, &inv, &out), &inv,
                 ERR_NOT_PERMITTED); /* only endpoints and notifications carry badges */
    expect_error(cspace_op(CSPACE_MINT, S_EMPTY, S_EP_BADGED, all, 5, 0, &inv, &out), &inv,
                 ERR_NOT_PERMITTED); /* minted once */
    expect_bad(cspace_op(CSPACE_MINT, S_EMPTY, S_EP, all, 0, 0, &inv, &out), &inv,
               CSPACE_MINT_ARG_BADGE, 1, UINT64_MAX);
}

static void test_cspace_copy_decodes(void **state)
{
    (void)state;
    struct invocation inv;
    struct cspace_op out;
    assert_int_equal(cspace_op(CSPACE_COPY, S_EMPTY, S_EP_BADGED, CAP_RIGHT_SEND, 9, 0, &inv, &out),
                     ERR_OK);
    assert_ptr_equal(out.slot, slot(S_EMPTY));
    assert_ptr_equal(out.src, slot(S_EP_BADGED));
    assert_int_equal(out.rights, CAP_RIGHT_SEND);
    assert_int_equal(out.badge, 0); /* a copy does not mint */
    assert_int_equal(cspace_op(CSPACE_MINT, S_EMPTY, S_NTFN, 3, 9, 0, &inv, &out), ERR_OK);
    assert_int_equal(out.badge, 9);
    /* From another CSpace. */
    struct cap c = cap_of(CAP_ENDPOINT, CAP_RIGHTS_ALL, (uint64_t)&endpoint, 6);
    cte_insert(&other_slots[3], &c, NULL);
    assert_int_equal(cspace_op(CSPACE_COPY, S_EMPTY, 3, 1, 0, S_OTHER_CS, &inv, &out), ERR_OK);
    assert_ptr_equal(out.src, &other_slots[3]);
    assert_int_equal(inv.reply_length, 0);
}

static void test_cspace_move(void **state)
{
    (void)state;
    struct invocation inv;
    struct cspace_op out;
    expect_bad(cspace_op(CSPACE_MOVE, S_EMPTY, S_EP, 0, 0, SLOTS, &inv, &out), &inv,
               CSPACE_MOVE_ARG_SOURCE_CSPACE, 0, LAST_SLOT);
    expect_bad(cspace_op(CSPACE_MOVE, 0, S_EP, 0, 0, 0, &inv, &out), &inv, CSPACE_MOVE_ARG_DEST, 1,
               LAST_SLOT);
    expect_bad(cspace_op(CSPACE_MOVE, S_EMPTY, SLOTS, 0, 0, 0, &inv, &out), &inv,
               CSPACE_MOVE_ARG_SRC, 1, LAST_SLOT);
    expect_error(cspace_op(CSPACE_MOVE, S_EMPTY, S_EMPTY, 0, 0, 0, &inv, &out), &inv,
                 ERR_EMPTY_SLOT);
    expect_error(cspace_op(CSPACE_MOVE, S_EP, S_NTFN, 0, 0, 0, &inv, &out), &inv,
                 ERR_SLOT_OCCUPIED);
    /* Any type moves, and MR2 means nothing to a move. */
    assert_int_equal(cspace_op(CSPACE_MOVE, S_EMPTY, S_UNTYPED, 0xff, 0, 0, &inv, &out), ERR_OK);
    assert_ptr_equal(out.slot, slot(S_EMPTY));
    assert_ptr_equal(out.src, slot(S_UNTYPED));
}

static void test_cspace_slot_ops(void **state)
{
    (void)state;
    struct invocation inv;
    struct cspace_op out;
    for (uint64_t label = CSPACE_DELETE; label <= CSPACE_REVOKE; label++) {
        expect_bad(cspace_op(label, 0, 0, 0, 0, 0, &inv, &out), &inv, CSPACE_DELETE_ARG_SLOT, 1,
                   LAST_SLOT);
        expect_bad(cspace_op(label, SLOTS, 0, 0, 0, 0, &inv, &out), &inv, CSPACE_DELETE_ARG_SLOT, 1,
                   LAST_SLOT);
        expect_error(cspace_op(label, S_EMPTY, 0, 0, 0, 0, &inv, &out), &inv, ERR_EMPTY_SLOT);
        assert_int_equal(cspace_op(label, S_EP, 0, 0, 0, 0, &inv, &out), ERR_OK);
        assert_ptr_equal(out.slot, slot(S_EP));
    }
    expect_bad(cspace_op(CSPACE_IDENTIFY, UINT64_MAX, 0, 0, 0, 0, &inv, &out), &inv,
               CSPACE_DELETE_ARG_SLOT, 1, LAST_SLOT);
    expect_error(cspace_op(CSPACE_IDENTIFY, S_EMPTY, 0, 0, 0, 0, &inv, &out), &inv, ERR_OK);

    expect_bad(cspace_op(CSPACE_SAVE_REPLY, 0, 0, 0, 0, 0, &inv, &out), &inv,
               CSPACE_DELETE_ARG_SLOT, 1, LAST_SLOT);
    expect_error(cspace_op(CSPACE_SAVE_REPLY, S_EP, 0, 0, 0, 0, &inv, &out), &inv,
                 ERR_SLOT_OCCUPIED);
    expect_error(cspace_op(CSPACE_SAVE_REPLY, S_EMPTY, 0, 0, 0, 0, &inv, &out), &inv,
                 ERR_NO_REPLY); /* the caller owes nobody */
    caller->reply_to = target;
    expect_error(cspace_op(CSPACE_SAVE_REPLY, S_EMPTY, 0, 0, 0, 0, &inv, &out), &inv, ERR_OK);
    assert_ptr_equal(out.slot, slot(S_EMPTY));
}

/* ---- thread ------------------------------------------------------------------------------- */

static unsigned s_target; /* the slot of the target thread's capability */

static long thread_op(uint64_t label, uint64_t mr0, uint64_t mr1, uint64_t mr2, uint64_t mr3,
                      uint64_t mr4, struct invocation *inv, struct thread_op *out)
{
    *inv = inv_of(s_target, label, mr0, mr1, mr2, mr3, mr4);
    return thread_decode(inv, out);
}

static int thread_setup(void **state)
{
    setup(state);
    s_target = S_EMPTY; /* the thread tests need no always-empty slot */
    put(s_target, cap_of(CAP_THREAD, CAP_RIGHTS_ALL, (uint64_t)target, THREAD_BITS));
    return 0;
}

static void test_thread_configure(void **state)
{
    (void)state;
    struct invocation inv;
    struct thread_op out;
    uint64_t l = THREAD_CONFIGURE;
    expect_bad(thread_op(l, 0, S_VSPACE, 0, 0, 0, &inv, &out), &inv, THREAD_CONFIGURE_ARG_CSPACE, 1,
               LAST_SLOT);
    cte_delete(slot(S_NTFN));
    expect_bad(thread_op(l, S_NTFN, S_VSPACE, 0, 0, 0, &inv, &out), &inv,
               THREAD_CONFIGURE_ARG_CSPACE, 1, LAST_SLOT);
    expect_bad(thread_op(l, S_CSPACE, SLOTS, 0, 0, 0, &inv, &out), &inv,
               THREAD_CONFIGURE_ARG_VSPACE, 1, LAST_SLOT);
    expect_error(thread_op(l, S_VSPACE, S_VSPACE, 0, 0, 0, &inv, &out), &inv, ERR_WRONG_TYPE);
    expect_error(thread_op(l, S_CSPACE, S_CSPACE, 0, 0, 0, &inv, &out), &inv, ERR_WRONG_TYPE);
    expect_bad(thread_op(l, S_CSPACE, S_VSPACE, 101, 0, 0, &inv, &out), &inv,
               THREAD_CONFIGURE_ARG_PRIORITY, 0, 100);
    expect_bad(thread_op(l, S_CSPACE, S_VSPACE, 100, S_NTFN, 0, &inv, &out), &inv,
               THREAD_CONFIGURE_ARG_FAULT_ENDPOINT, 0, LAST_SLOT);
    expect_error(thread_op(l, S_CSPACE, S_VSPACE, 100, S_FRAME, 0, &inv, &out), &inv,
                 ERR_WRONG_TYPE);
    expect_error(thread_op(l, S_CSPACE, S_VSPACE, 100, S_EP_NOSEND, 0, &inv, &out), &inv,
                 ERR_MISSING_RIGHT);

    assert_int_equal(thread_op(l, S_CSPACE, S_VSPACE, 100, 0, 0, &inv, &out), ERR_OK);
    assert_ptr_equal(out.cspace, slot(S_CSPACE));
    assert_ptr_equal(out.vspace, slot(S_VSPACE));
    assert_null(out.cap);
    assert_int_equal(out.value, 100);
    assert_int_equal(thread_op(l, S_CSPACE, S_VSPACE, 3, S_EP, 0, &inv, &out), ERR_OK);
    assert_ptr_equal(out.cap, slot(S_EP));
    assert_int_equal(out.value, 3);
}

static void test_thread_registers(void **state)
{
    (void)state;
    struct invocation inv;
    struct thread_op out;
    uint64_t l = THREAD_WRITE_REGISTERS, end = USER_SPACE_END;
    expect_bad(thread_op(l, USER_END, 0, 0, 0, 0, &inv, &out), &inv, THREAD_WRITE_REGISTERS_ARG_RIP,
               0, USER_END - 1);
    expect_bad(thread_op(l, 0x400000, end, 0, 0, 0, &inv, &out), &inv,
               THREAD_WRITE_REGISTERS_ARG_RSP, 0, end - 1);
    expect_bad(thread_op(l, 0x400000, 0, 0, 0, end, &inv, &out), &inv,
               THREAD_WRITE_REGISTERS_ARG_FS_BASE, 0, end - 1);
    target->state = THREAD_RUNNABLE;
    expect_error(thread_op(l, 0x400000, 0, 0, 0, 0, &inv, &out), &inv, ERR_NOT_PERMITTED);
    target->state = THREAD_SUSPENDED;
    assert_int_equal(thread_op(l, 0x400000, 0x1000, 1, 2, end - 1, &inv, &out), ERR_OK);
    assert_int_equal(out.registers.rip, 0x400000);
    assert_int_equal(out.registers.rsp, 0x1000);
    assert_int_equal(out.registers.rdi, 1);
    assert_int_equal(out.registers.rsi, 2);
    assert_int_equal(out.registers.fs_base, end - 1);

    assert_int_equal(thread_op(THREAD_READ_REGISTERS, 0, 0, 0, 0, 0, &inv, &out), ERR_OK);
    assert_int_equal(thread_op(THREAD_SUSPEND, 0, 0, 0, 0, 0, &inv, &out), ERR_OK);
    /* Resume needs a CSpace and a VSpace. */
    expect_error(thread_op(THREAD_RESUME, 0, 0, 0, 0, 0, &inv, &out), &inv, ERR_NOT_PERMITTED);
    cte_derive(&target->cspace_cap, slot(S_CSPACE), CAP_RIGHTS_ALL, 0);
    expect_error(thread_op(THREAD_RESUME, 0, 0, 0, 0, 0, &inv, &out), &inv, ERR_NOT_PERMITTED);
    cte_derive(&target->vspace_cap, slot(S_VSPACE), CAP_RIGHTS_ALL, 0);
    assert_int_equal(thread_op(THREAD_RESUME, 0, 0, 0, 0, 0, &inv, &out), ERR_OK);
    expect_error(thread_op(999, 0, 0, 0, 0, 0, &inv, &out), &inv, ERR_INVALID_LABEL);
}

static void test_thread_values(void **state)
{
    (void)state;
    struct invocation inv;
    struct thread_op out;
    expect_bad(thread_op(THREAD_SET_PRIORITY, 101, 0, 0, 0, 0, &inv, &out), &inv,
               THREAD_SET_PRIORITY_ARG_PRIORITY, 0, 100);
    assert_int_equal(thread_op(THREAD_SET_PRIORITY, 100, 0, 0, 0, 0, &inv, &out), ERR_OK);
    assert_int_equal(out.value, 100);
    expect_bad(thread_op(THREAD_SET_TLS_BASE, USER_SPACE_END, 0, 0, 0, 0, &inv, &out), &inv,
               THREAD_SET_TLS_BASE_ARG_FS_BASE, 0, USER_SPACE_END - 1);
    assert_int_equal(thread_op(THREAD_SET_TLS_BASE, 0x1234, 0, 0, 0, 0, &inv, &out), ERR_OK);
    assert_int_equal(out.value, 0x1234);
    expect_bad(thread_op(THREAD_SET_AFFINITY, cpu_count, 0, 0, 0, 0, &inv, &out), &inv,
               THREAD_SET_AFFINITY_ARG_CPU, 0, cpu_count - 1);
    assert_int_equal(thread_op(THREAD_SET_AFFINITY, 1, 0, 0, 0, 0, &inv, &out), ERR_OK);
    assert_int_equal(out.value, 1);
}

static void test_thread_name(void **state)
{
    (void)state;
    struct invocation inv;
    struct thread_op out;
    uint64_t l = THREAD_SET_NAME;
    expect_bad(thread_op(l, 16, 0, 0, 0, 0, &inv, &out), &inv, THREAD_SET_NAME_ARG_LENGTH, 0, 15);
    expect_bad(thread_op(l, 3, 0x0a6968, 0, 0, 0, &inv, &out), &inv, THREAD_SET_NAME_ARG_BYTES,
               0x20, 0x7e);
    expect_bad(thread_op(l, 10, 0x6161616161616161, 0x7f61, 0, 0, &inv, &out), &inv,
               THREAD_SET_NAME_ARG_BYTES + 1, 0x20, 0x7e); /* DEL in the tenth byte: MR2 */
    assert_int_equal(thread_op(l, 9, 0x6f77742d646c6f67, 0x21, 0, 0, &inv, &out), ERR_OK);
    assert_memory_equal(out.name, "gold-two!\0\0\0\0\0\0\0", 16);
}

static void test_thread_ipc_buffer(void **state)
{
    (void)state;
    struct invocation inv;
    struct thread_op out;
    uint64_t l = THREAD_SET_IPC_BUFFER;
    expect_bad(thread_op(l, SLOTS, 0, 0, 0, 0, &inv, &out), &inv, THREAD_SET_IPC_BUFFER_ARG_FRAME,
               0, LAST_SLOT);
    cte_delete(slot(S_NTFN));
    expect_bad(thread_op(l, S_NTFN, 0, 0, 0, 0, &inv, &out), &inv, THREAD_SET_IPC_BUFFER_ARG_FRAME,
               0, LAST_SLOT);
    expect_error(thread_op(l, S_EP, 0, 0, 0, 0, &inv, &out), &inv, ERR_WRONG_TYPE);
    slot(S_BIG_FRAME)->cap.flags = CAP_FLAG_DEVICE;
    expect_error(thread_op(l, S_BIG_FRAME, 0, 0, 0, 0, &inv, &out), &inv, ERR_WRONG_TYPE);
    expect_error(thread_op(l, S_FRAME_RO, 0, 0, 0, 0, &inv, &out), &inv, ERR_MISSING_RIGHT);
    assert_int_equal(thread_op(l, S_FRAME, 0, 0, 0, 0, &inv, &out), ERR_OK);
    assert_ptr_equal(out.cap, slot(S_FRAME));
    assert_int_equal(thread_op(l, 0, 0, 0, 0, 0, &inv, &out), ERR_OK);
    assert_null(out.cap);
}

static void test_thread_bind(void **state)
{
    (void)state;
    struct invocation inv;
    struct thread_op out;
    uint64_t l = THREAD_BIND_NOTIFICATION;
    expect_bad(thread_op(l, SLOTS, 0, 0, 0, 0, &inv, &out), &inv,
               THREAD_BIND_NOTIFICATION_ARG_NOTIFICATION, 0, LAST_SLOT);
    cte_delete(slot(S_EP_BADGED));
    expect_bad(thread_op(l, S_EP_BADGED, 0, 0, 0, 0, &inv, &out), &inv,
               THREAD_BIND_NOTIFICATION_ARG_NOTIFICATION, 0, LAST_SLOT); /* an empty slot */
    expect_error(thread_op(l, S_EP, 0, 0, 0, 0, &inv, &out), &inv, ERR_WRONG_TYPE);
    expect_error(thread_op(l, S_NTFN_NORECV, 0, 0, 0, 0, &inv, &out), &inv, ERR_MISSING_RIGHT);
    assert_int_equal(thread_op(l, S_NTFN, 0, 0, 0, 0, &inv, &out), ERR_OK);
    assert_ptr_equal(out.cap, slot(S_NTFN));
    assert_int_equal(thread_op(l, 0, 0, 0, 0, 0, &inv, &out), ERR_OK);
    assert_null(out.cap);

    /* The notification is bound to another thread that still holds its capability. */
    struct thread *other = new_thread(0);
    cte_derive(&other->bound_cap, slot(S_NTFN), CAP_RIGHTS_ALL, 0);
    notification_bind(&notification, other);
    expect_error(thread_op(l, S_NTFN, 0, 0, 0, 0, &inv, &out), &inv, ERR_NOT_PERMITTED);
    /* Once that capability is gone, the binding no longer counts. */
    cte_delete(&other->bound_cap);
    assert_int_equal(thread_op(l, S_NTFN, 0, 0, 0, 0, &inv, &out), ERR_OK);
    /* The thread is bound already. */
    struct cap c = cap_of(CAP_NOTIFICATION, CAP_RIGHTS_ALL, (uint64_t)&notification2, 6);
    cte_insert(&other_slots[1], &c, NULL);
    cte_derive(&target->bound_cap, &other_slots[1], CAP_RIGHTS_ALL, 0);
    notification_bind(&notification2, target);
    expect_error(thread_op(l, S_NTFN, 0, 0, 0, 0, &inv, &out), &inv, ERR_NOT_PERMITTED);
    free(other);
}

/* ---- vspace and frames -------------------------------------------------------------------- */

static long map(uint64_t label, uint64_t cap, uint64_t vaddr, uint64_t rights,
                struct invocation *inv, struct vspace_op *out)
{
    *inv = inv_of(S_VSPACE, label, cap, vaddr, rights, 0, 0);
    return vspace_decode(inv, out);
}

static void test_vspace_map_frame(void **state)
{
    (void)state;
    struct invocation inv;
    struct vspace_op out;
    uint64_t l = VSPACE_MAP_FRAME, r = CAP_RIGHT_READ, all = CAP_RIGHTS_ALL;
    expect_error(map(999, S_FRAME, 0x400000, r, &inv, &out), &inv, ERR_INVALID_LABEL);
    expect_error(map(l, SLOTS, 0x400000, r, &inv, &out), &inv, ERR_INVALID_SLOT);
    expect_error(map(l, S_EMPTY, 0x400000, r, &inv, &out), &inv, ERR_EMPTY_SLOT);
    expect_error(map(l, S_TABLE, 0x400000, r, &inv, &out), &inv, ERR_WRONG_TYPE);
    expect_bad(map(l, S_FRAME, 0x400001, r, &inv, &out), &inv, VSPACE_MAP_FRAME_ARG_ADDRESS, 0,
               USER_END - 4096);
    expect_bad(map(l, S_FRAME, USER_END, r, &inv, &out), &inv, VSPACE_MAP_FRAME_ARG_ADDRESS, 0,
               USER_END - 4096);
    expect_bad(map(l, S_BIG_FRAME, 0x401000, r, &inv, &out), &inv, VSPACE_MAP_FRAME_ARG_ADDRESS, 0,
               USER_END - (2 << 20));
    expect_bad(map(l, S_FRAME, 0x400000, 0, &inv, &out), &inv, VSPACE_MAP_FRAME_ARG_RIGHTS,
               CAP_RIGHT_READ, all);
    expect_bad(map(l, S_FRAME, 0x400000, CAP_RIGHT_WRITE, &inv, &out), &inv,
               VSPACE_MAP_FRAME_ARG_RIGHTS, CAP_RIGHT_READ, all);
    expect_bad(map(l, S_FRAME, 0x400000, 0x21, &inv, &out), &inv, VSPACE_MAP_FRAME_ARG_RIGHTS,
               CAP_RIGHT_READ, all);
    expect_error(map(l, S_FRAME_RO, 0x400000, r | CAP_RIGHT_WRITE, &inv, &out), &inv,
                 ERR_MISSING_RIGHT);
    /* PHYS and GRANT say nothing about a mapping: asking for them needs no such right. */
    expect_error(map(l, S_FRAME_RO, 0x400000, r | CAP_RIGHT_PHYS, &inv, &out), &inv,
                 ERR_MISSING_TABLE);
    expect_error(map(l, S_FRAME, 0x400000, r, &inv, &out), &inv, ERR_MISSING_TABLE);
    slot(S_FRAME)->cap.mapping = (struct cap_mapping){0x800000, vspace.id, 0, 0};
    expect_error(map(l, S_FRAME, 0x400000, r, &inv, &out), &inv, ERR_ALREADY_MAPPED);
}

static void test_vspace_map_table(void **state)
{
    (void)state;
    struct invocation inv;
    struct vspace_op out;
    uint64_t l = VSPACE_MAP_TABLE;
    expect_error(map(l, S_EMPTY, 0x400000, 0, &inv, &out), &inv, ERR_EMPTY_SLOT);
    expect_error(map(l, S_FRAME, 0x400000, 0, &inv, &out), &inv, ERR_WRONG_TYPE);
    expect_bad(map(l, S_TABLE, USER_END, 0, &inv, &out), &inv, VSPACE_MAP_TABLE_ARG_ADDRESS, 0,
               USER_END - 1);
    /* Into an empty VSpace it becomes the PDPT covering the first 512 GiB. */
    assert_int_equal(map(l, S_TABLE, 0x400123, 0, &inv, &out), ERR_OK);
    assert_int_equal(out.level, 2);
    assert_ptr_equal(out.entry, &pml4[0]);
    assert_int_equal(out.vaddr, 0);
    assert_ptr_equal(out.vs, &vspace);
    assert_int_equal(map(l, S_TABLE, 0x7f8000000000, 0, &inv, &out), ERR_OK);
    assert_ptr_equal(out.entry, &pml4[255]);
    slot(S_TABLE)->cap.mapping = (struct cap_mapping){0, vspace.id, 2, 0};
    expect_error(map(l, S_TABLE, 0x400000, 0, &inv, &out), &inv, ERR_ALREADY_MAPPED);
    /* A mapping in a VSpace that no longer exists counts as none. */
    slot(S_TABLE)->cap.mapping.vspace_id = vspace.id + 1;
    assert_int_equal(map(l, S_TABLE, 0x400000, 0, &inv, &out), ERR_OK);
}

/* Page tables below the PML4, in host memory: an entry holds a table's "physical" address,
   host address - DIRECT_MAP_BASE, which fits the entry's address bits for any host address
   below 2^47. */
static _Alignas(4096) uint64_t pdpt[512], pd[512], pt[512];

static uint64_t table_entry(void *table)
{
    return virt_to_phys(table) | PTE_PRESENT | PTE_WRITABLE | PTE_USER;
}

static void test_vspace_walk(void **state)
{
    (void)state;
    struct invocation inv;
    struct vspace_op out;
    memset(pdpt, 0, sizeof pdpt), memset(pd, 0, sizeof pd), memset(pt, 0, sizeof pt);
    pml4[0] = table_entry(pdpt);
    /* A PDPT there: the table becomes the PD covering the first GiB. */
    assert_int_equal(map(VSPACE_MAP_TABLE, S_TABLE, 0x401000, 0, &inv, &out), ERR_OK);
    assert_int_equal(out.level, 1);
    assert_ptr_equal(out.entry, &pdpt[0]);
    assert_int_equal(out.vaddr, 0);
    pdpt[0] = table_entry(pd);
    assert_int_equal(map(VSPACE_MAP_TABLE, S_TABLE, 0x401000, 0, &inv, &out), ERR_OK);
    assert_int_equal(out.level, 0);
    assert_ptr_equal(out.entry, &pd[2]);
    assert_int_equal(out.vaddr, 0x400000);
    /* A 2 MiB frame covers the address: no table under it, no small frame in it. */
    pd[2] = 0x600000 | PTE_PRESENT | PTE_HUGE;
    expect_error(map(VSPACE_MAP_TABLE, S_TABLE, 0x401000, 0, &inv, &out), &inv, ERR_ALREADY_MAPPED);
    expect_error(map(VSPACE_MAP_FRAME, S_FRAME, 0x401000, CAP_RIGHT_READ, &inv, &out), &inv,
                 ERR_MISSING_TABLE);
    expect_error(map(VSPACE_MAP_FRAME, S_BIG_FRAME, 0x400000, CAP_RIGHT_READ, &inv, &out), &inv,
                 ERR_ALREADY_MAPPED);
    /* Every level there. */
    pd[2] = table_entry(pt);
    expect_error(map(VSPACE_MAP_TABLE, S_TABLE, 0x401000, 0, &inv, &out), &inv, ERR_ALREADY_MAPPED);
    assert_int_equal(map(VSPACE_MAP_FRAME, S_FRAME, 0x401000, CAP_RIGHT_READ, &inv, &out), ERR_OK);
    assert_ptr_equal(out.entry, &pt[1]);
    assert_ptr_equal(out.cap, slot(S_FRAME));
    assert_int_equal(out.vaddr, 0x401000);
    assert_int_equal(out.rights, CAP_RIGHT_READ);
    pt[1] = 0x300000 | PTE_PRESENT;
    expect_error(map(VSPACE_MAP_FRAME, S_FRAME, 0x401000, CAP_RIGHT_READ, &inv, &out), &inv,
                 ERR_ALREADY_MAPPED);

    /* FRAME_PROTECT finds the entry the capability mapped, if it still holds the frame. */
    slot(S_FRAME)->cap.mapping = (struct cap_mapping){0x401000, vspace.id, 0, 0};
    inv = inv_of(S_FRAME, FRAME_PROTECT, CAP_RIGHT_READ, 0, 0, 0, 0);
    expect_error(frame_decode(&inv, &out), &inv, ERR_NOT_MAPPED); /* another frame is there */
    pt[1] = 0x200000 | PTE_PRESENT;
    assert_int_equal(frame_decode(&inv, &out), ERR_OK);
    assert_ptr_equal(out.entry, &pt[1]);
    assert_ptr_equal(out.vs, &vspace);
    assert_int_equal(out.rights, CAP_RIGHT_READ);
}

static long frame_op(unsigned frame, uint64_t label, uint64_t mr0, struct invocation *inv,
                     struct vspace_op *out)
{
    *inv = inv_of(frame, label, mr0, 0, 0, 0, 0);
    return frame_decode(inv, out);
}

static void test_frame(void **state)
{
    (void)state;
    struct invocation inv;
    struct vspace_op out;
    uint64_t r = CAP_RIGHT_READ;
    expect_error(frame_op(S_FRAME, 999, 0, &inv, &out), &inv, ERR_INVALID_LABEL);
    expect_bad(frame_op(S_FRAME, FRAME_PROTECT, 0, &inv, &out), &inv, FRAME_PROTECT_ARG_RIGHTS, r,
               CAP_RIGHTS_ALL);
    expect_bad(frame_op(S_FRAME, FRAME_PROTECT, 0x20 | r, &inv, &out), &inv,
               FRAME_PROTECT_ARG_RIGHTS, r, CAP_RIGHTS_ALL);
    expect_error(frame_op(S_FRAME_RO, FRAME_PROTECT, r | CAP_RIGHT_EXEC, &inv, &out), &inv,
                 ERR_MISSING_RIGHT);
    expect_error(frame_op(S_FRAME, FRAME_PROTECT, r, &inv, &out), &inv, ERR_NOT_MAPPED);
    /* Mapped by the capability's record, but the entry's table is not there any more. */
    slot(S_FRAME)->cap.mapping = (struct cap_mapping){0x400000, vspace.id, 0, 0};
    expect_error(frame_op(S_FRAME, FRAME_PROTECT, r, &inv, &out), &inv, ERR_NOT_MAPPED);
    expect_error(frame_op(S_FRAME_RO, FRAME_PHYSICAL_ADDRESS, 0, &inv, &out), &inv,
                 ERR_MISSING_RIGHT);
    assert_int_equal(frame_op(S_FRAME, FRAME_PHYSICAL_ADDRESS, 0, &inv, &out), ERR_OK);
    assert_int_equal(frame_op(S_FRAME, FRAME_UNMAP, 0, &inv, &out), ERR_OK);
}

/* ---- IRQ and I/O ports -------------------------------------------------------------------- */

static void test_irq_control(void **state)
{
    (void)state;
    struct irq_op out;
    put(S_EMPTY - 1, (struct cap){.type = CAP_IRQ_CONTROL});
    struct invocation inv = inv_of(S_EMPTY - 1, 999, 5, S_EMPTY, 0, 0, 0);
    expect_error(irq_control_decode(&inv, &out), &inv, ERR_INVALID_LABEL);
    inv = inv_of(S_EMPTY - 1, IRQ_CONTROL_GET, 24, S_EMPTY, 0, 0, 0);
    expect_bad(irq_control_decode(&inv, &out), &inv, IRQ_CONTROL_GET_ARG_GSI, 0, 23);
    /* No timer started on the host: its line is GSI 0, which is never issued. */
    inv = inv_of(S_EMPTY - 1, IRQ_CONTROL_GET, 0, S_EMPTY, 0, 0, 0);
    expect_bad(irq_control_decode(&inv, &out), &inv, IRQ_CONTROL_GET_ARG_GSI, 0, 23);
    inv = inv_of(S_EMPTY - 1, IRQ_CONTROL_GET, 5, 0, 0, 0, 0);
    expect_bad(irq_control_decode(&inv, &out), &inv, IRQ_CONTROL_GET_ARG_DEST, 1, LAST_SLOT);
    inv = inv_of(S_EMPTY - 1, IRQ_CONTROL_GET, 5, SLOTS, 0, 0, 0);
    expect_bad(irq_control_decode(&inv, &out), &inv, IRQ_CONTROL_GET_ARG_DEST, 1, LAST_SLOT);
    inv = inv_of(S_EMPTY - 1, IRQ_CONTROL_GET, 5, S_EP, 0, 0, 0);
    expect_error(irq_control_decode(&inv, &out), &inv, ERR_SLOT_OCCUPIED);
    inv = inv_of(S_EMPTY - 1, IRQ_CONTROL_GET, 5, S_EMPTY, 4, 0, 0);
    expect_bad(irq_control_decode(&inv, &out), &inv, IRQ_CONTROL_GET_ARG_MODE, 0, 3);
    inv = inv_of(S_EMPTY - 1, IRQ_CONTROL_GET, 5, S_EMPTY, IRQ_MODE_LEVEL, 0, 0);
    assert_int_equal(irq_control_decode(&inv, &out), ERR_OK);
    assert_int_equal(out.gsi, 5);
    assert_int_equal(out.mode, IRQ_MODE_LEVEL);
    assert_ptr_equal(out.cap, slot(S_EMPTY));

    /* Once issued (perform, with the I/O APIC stubbed), the line is taken. */
    assert_int_equal(irq_control_invoke(&inv), ERR_OK);
    assert_int_equal(slot(S_EMPTY)->cap.type, CAP_IRQ_HANDLER);
    assert_int_equal(slot(S_EMPTY)->cap.irq_handler.gsi, 5);
    stub_calls = 0;
    inv = inv_of(S_EMPTY - 1, IRQ_CONTROL_GET, 5, S_EP - 1, 0, 0, 0);
    cte_delete(slot(S_EP - 1));
    expect_error(irq_control_decode(&inv, &out), &inv, ERR_NOT_PERMITTED);
    irq_handler_deleted(&slot(S_EMPTY)->cap); /* frees the line again */
    stub_calls = 0;
}

/* MSI: a CPU in range, an empty slot; each handler gets its own vector above the I/O APIC's,
   its address names the CPU's local APIC, and deleting it frees the vector. */
static void test_irq_msi(void **state)
{
    (void)state;
    struct irq_op out;
    put(S_EMPTY - 1, (struct cap){.type = CAP_IRQ_CONTROL});
    struct invocation inv = inv_of(S_EMPTY - 1, IRQ_CONTROL_GET_MSI, 2, S_EMPTY, 0, 0, 0);
    expect_bad(irq_control_decode(&inv, &out), &inv, IRQ_CONTROL_GET_MSI_ARG_CPU, 0, 1);
    inv = inv_of(S_EMPTY - 1, IRQ_CONTROL_GET_MSI, 1, 0, 0, 0, 0);
    expect_bad(irq_control_decode(&inv, &out), &inv, IRQ_CONTROL_GET_MSI_ARG_DEST, 1, LAST_SLOT);
    inv = inv_of(S_EMPTY - 1, IRQ_CONTROL_GET_MSI, 1, S_EP, 0, 0, 0);
    expect_error(irq_control_decode(&inv, &out), &inv, ERR_SLOT_OCCUPIED);
    cpus[1].apic_id = 3;
    inv = inv_of(S_EMPTY - 1, IRQ_CONTROL_GET_MSI, 1, S_EMPTY, 0, 0, 0);
    assert_int_equal(irq_control_invoke(&inv), ERR_OK);
    assert_int_equal(slot(S_EMPTY)->cap.type, CAP_IRQ_HANDLER);
    assert_int_equal(inv.reply[IRQ_CONTROL_GET_MSI_ANSWER_ADDRESS], 0xfee03000);
    uint64_t first = inv.reply[IRQ_CONTROL_GET_MSI_ANSWER_DATA];
    assert_int_equal(first, 32 + 24); /* the first vector past the GSIs' */
    cte_delete(slot(S_EP_NOSEND));
    inv = inv_of(S_EMPTY - 1, IRQ_CONTROL_GET_MSI, 0, S_EP_NOSEND, 0, 0, 0);
    assert_int_equal(irq_control_invoke(&inv), ERR_OK);
    assert_int_equal(inv.reply[IRQ_CONTROL_GET_MSI_ANSWER_DATA], first + 1);
    /* Acknowledging an MSI handler touches no I/O APIC line. */
    stub_calls = 0;
    inv = inv_of(S_EMPTY, IRQ_HANDLER_ACK, 0, 0, 0, 0, 0);
    assert_int_equal(irq_handler_invoke(&inv), ERR_OK);
    assert_int_equal(stub_calls, 0);
    irq_handler_deleted(&slot(S_EMPTY)->cap);
    cte_delete(slot(S_EMPTY));
    inv = inv_of(S_EMPTY - 1, IRQ_CONTROL_GET_MSI, 0, S_EMPTY, 0, 0, 0);
    assert_int_equal(irq_control_invoke(&inv), ERR_OK);
    assert_int_equal(inv.reply[IRQ_CONTROL_GET_MSI_ANSWER_DATA], first); /* freed, reused */
    irq_handler_deleted(&slot(S_EMPTY)->cap);
    cte_delete(slot(S_EMPTY));
    irq_handler_deleted(&slot(S_EP_NOSEND)->cap);
    cte_delete(slot(S_EP_NOSEND));
}

static void test_irq_handler(void **state)
{
    (void)state;
    struct irq_op out;
    struct cap handler = {.type = CAP_IRQ_HANDLER};
    handler.irq_handler.gsi = 7;
    put(S_EMPTY, handler);
    struct invocation inv = inv_of(S_EMPTY, 999, S_NTFN, 0, 0, 0, 0);
    expect_error(irq_handler_decode(&inv, &out), &inv, ERR_INVALID_LABEL);
    inv = inv_of(S_EMPTY, IRQ_HANDLER_SET_NOTIFICATION, SLOTS, 0, 0, 0, 0);
    expect_error(irq_handler_decode(&inv, &out), &inv, ERR_INVALID_SLOT);
    cte_delete(slot(S_EP_NOSEND));
    inv = inv_of(S_EMPTY, IRQ_HANDLER_SET_NOTIFICATION, S_EP_NOSEND, 0, 0, 0, 0);
    expect_error(irq_handler_decode(&inv, &out), &inv, ERR_EMPTY_SLOT);
    inv = inv_of(S_EMPTY, IRQ_HANDLER_SET_NOTIFICATION, S_EP, 0, 0, 0, 0);
    expect_error(irq_handler_decode(&inv, &out), &inv, ERR_WRONG_TYPE);
    slot(S_NTFN)->cap.rights = CAP_RIGHT_RECEIVE;
    inv = inv_of(S_EMPTY, IRQ_HANDLER_SET_NOTIFICATION, S_NTFN, 0, 0, 0, 0);
    expect_error(irq_handler_decode(&inv, &out), &inv, ERR_MISSING_RIGHT);
    inv = inv_of(S_EMPTY, IRQ_HANDLER_SET_NOTIFICATION, S_NTFN_NORECV, 0, 0, 0, 0);
    assert_int_equal(irq_handler_decode(&inv, &out), ERR_OK);
    assert_int_equal(out.gsi, 7);
    assert_ptr_equal(out.cap, slot(S_NTFN_NORECV));
    inv = inv_of(S_EMPTY, IRQ_HANDLER_ACK, 0, 0, 0, 0, 0);
    assert_int_equal(irq_handler_decode(&inv, &out), ERR_OK);
    assert_int_equal(out.gsi, 7);
}

static void test_io_port_control(void **state)
{
    (void)state;
    struct io_port_op out;
    put(S_EMPTY - 1, (struct cap){.type = CAP_IO_PORT_CONTROL});
    unsigned c = S_EMPTY - 1;
    struct invocation inv = inv_of(c, 999, 0x70, 0x71, S_EMPTY, 0, 0);
    expect_error(io_port_control_decode(&inv, &out), &inv, ERR_INVALID_LABEL);
    inv = inv_of(c, IO_PORT_CONTROL_ISSUE, 0x10000, 0x10000, S_EMPTY, 0, 0);
    expect_bad(io_port_control_decode(&inv, &out), &inv, IO_PORT_CONTROL_ISSUE_ARG_FIRST, 0,
               0xffff);
    inv = inv_of(c, IO_PORT_CONTROL_ISSUE, 0x80, 0x7f, S_EMPTY, 0, 0);
    expect_bad(io_port_control_decode(&inv, &out), &inv, IO_PORT_CONTROL_ISSUE_ARG_LAST, 0x80,
               0xffff);
    inv = inv_of(c, IO_PORT_CONTROL_ISSUE, 0x80, 0x10000, S_EMPTY, 0, 0);
    expect_bad(io_port_control_decode(&inv, &out), &inv, IO_PORT_CONTROL_ISSUE_ARG_LAST, 0x80,
               0xffff);
    inv = inv_of(c, IO_PORT_CONTROL_ISSUE, 0x3f, 0x40, S_EMPTY, 0, 0); /* the PIT's first port */
    expect_error(io_port_control_decode(&inv, &out), &inv, ERR_NOT_PERMITTED);
    inv = inv_of(c, IO_PORT_CONTROL_ISSUE, 0x70, 0x71, 0, 0, 0);
    expect_bad(io_port_control_decode(&inv, &out), &inv, IO_PORT_CONTROL_ISSUE_ARG_DEST, 1,
               LAST_SLOT);
    inv = inv_of(c, IO_PORT_CONTROL_ISSUE, 0x70, 0x71, S_EP, 0, 0);
    expect_error(io_port_control_decode(&inv, &out), &inv, ERR_SLOT_OCCUPIED);
    inv = inv_of(c, IO_PORT_CONTROL_ISSUE, 0x70, 0x71, S_EMPTY, 0, 0);
    assert_int_equal(io_port_control_decode(&inv, &out), ERR_OK);
    assert_int_equal(out.first, 0x70);
    assert_int_equal(out.last, 0x71);
    assert_ptr_equal(out.dest, slot(S_EMPTY));
}

static void test_io_port(void **state)
{
    (void)state;
    struct io_port_op out;
    struct cap ports = {.type = CAP_IO_PORT};
    ports.io_port.first = 0x70;
    ports.io_port.last = 0x71;
    put(S_EMPTY, ports);
    struct invocation inv = inv_of(S_EMPTY, 999, 0x70, 1, 0, 0, 0);
    expect_error(io_port_decode(&inv, &out), &inv, ERR_INVALID_LABEL);
    inv = inv_of(S_EMPTY, IO_PORT_IN, 0x70, 3, 0, 0, 0);
    expect_bad(io_port_decode(&inv, &out), &inv, IO_PORT_OUT_ARG_WIDTH, 1, 4);
    inv = inv_of(S_EMPTY, IO_PORT_OUT, 0x72, 1, 0, 0, 0);
    expect_bad(io_port_decode(&inv, &out), &inv, IO_PORT_OUT_ARG_PORT, 0x70, 0x71);
    inv = inv_of(S_EMPTY, IO_PORT_OUT, 0x6f, 1, 0, 0, 0);
    expect_bad(io_port_decode(&inv, &out), &inv, IO_PORT_OUT_ARG_PORT, 0x70, 0x71);
    inv = inv_of(S_EMPTY, IO_PORT_IN, 0x71, 2, 0, 0, 0);
    expect_bad(io_port_decode(&inv, &out), &inv, IO_PORT_OUT_ARG_PORT, 0x70, 0x70);
    inv = inv_of(S_EMPTY, IO_PORT_IN, 0x70, 4, 0, 0, 0);
    expect_bad(io_port_decode(&inv, &out), &inv, IO_PORT_OUT_ARG_PORT, 0x70,
               0x6e); /* no room for 4 bytes */
    inv = inv_of(S_EMPTY, IO_PORT_OUT, 0x70, 2, 0x1234, 0, 0);
    assert_int_equal(io_port_decode(&inv, &out), ERR_OK);
    assert_int_equal(out.port, 0x70);
    assert_int_equal(out.width, 2);
    assert_int_equal(out.value, 0x1234);
}

/* ---- debug and the trace ------------------------------------------------------------------ */

static long debug_op(uint64_t label, uint64_t mr0, uint64_t mr1, uint64_t mr2,
                     struct invocation *inv, struct debug_op *out)
{
    *inv = inv_of(S_EMPTY, label, mr0, mr1, mr2, 0, 0);
    return debug_decode(inv, out);
}

static void test_debug(void **state)
{
    (void)state;
    struct invocation inv;
    struct debug_op out;
    put(S_EMPTY, (struct cap){.type = CAP_DEBUG});
    expect_error(debug_op(999, 0, 0, 0, &inv, &out), &inv, ERR_INVALID_LABEL);
    expect_bad(debug_op(DEBUG_WRITE, 73, 0, 0, &inv, &out), &inv, DEBUG_WRITE_ARG_LENGTH, 0, 72);
    assert_int_equal(debug_op(DEBUG_WRITE, 10, 0x6f77206f6c6c6568, 0x0a64, &inv, &out), ERR_OK);
    assert_int_equal(out.value, 10);
    assert_memory_equal(out.text, "hello wod\n", 10);
    assert_int_equal(debug_op(DEBUG_EXIT, (uint64_t)-3, 0, 0, &inv, &out), ERR_OK);
    assert_int_equal((long)out.value, -3);
    expect_bad(debug_op(DEBUG_CPU_STATS, cpu_count, 0, 0, &inv, &out), &inv,
               DEBUG_CPU_STATS_ARG_CPU, 0, cpu_count - 1);
    assert_int_equal(debug_op(DEBUG_CPU_STATS, 1, 0, 0, &inv, &out), ERR_OK);
}

static void test_trace(void **state)
{
    (void)state;
    struct invocation inv;
    struct debug_op out;
    uint64_t l = DEBUG_TRACE_SET_BUFFER;
    put(S_EMPTY, (struct cap){.type = CAP_DEBUG});
    expect_bad(debug_op(l, cpu_count, S_BIG_FRAME, 0, &inv, &out), &inv,
               DEBUG_TRACE_SET_BUFFER_ARG_CPU, 0, cpu_count - 1);
    expect_bad(debug_op(l, 0, SLOTS, 0, &inv, &out), &inv, DEBUG_TRACE_SET_BUFFER_ARG_FRAME, 0,
               LAST_SLOT);
    cte_delete(slot(S_NTFN));
    expect_bad(debug_op(l, 0, S_NTFN, 0, &inv, &out), &inv, DEBUG_TRACE_SET_BUFFER_ARG_FRAME, 0,
               LAST_SLOT);
    expect_error(debug_op(l, 0, S_EP, 0, &inv, &out), &inv, ERR_WRONG_TYPE);
    expect_bad(debug_op(l, 0, S_FRAME, 0, &inv, &out), &inv, DEBUG_TRACE_SET_BUFFER_ARG_FRAME,
               TRACE_BUFFER_BITS, TRACE_BUFFER_BITS);
    slot(S_BIG_FRAME)->cap.rights = CAP_RIGHT_READ;
    expect_error(debug_op(l, 0, S_BIG_FRAME, 0, &inv, &out), &inv, ERR_MISSING_RIGHT);
    slot(S_BIG_FRAME)->cap.flags = CAP_FLAG_DEVICE;
    expect_error(debug_op(l, 0, S_BIG_FRAME, 0, &inv, &out), &inv, ERR_WRONG_TYPE);
    slot(S_BIG_FRAME)->cap.flags = 0;
    slot(S_BIG_FRAME)->cap.rights = CAP_RIGHTS_ALL;
    assert_int_equal(debug_op(l, 1, S_BIG_FRAME, 0, &inv, &out), ERR_OK);
    assert_int_equal(out.value, 1);
    assert_ptr_equal(out.frame, slot(S_BIG_FRAME));
    assert_int_equal(debug_op(l, 1, 0, 0, &inv, &out), ERR_OK);
    assert_null(out.frame);
    /* No CPU has a buffer: tracing cannot start, nor stop before it started. */
    expect_error(debug_op(DEBUG_TRACE_START, 0, 0, 0, &inv, &out), &inv, ERR_NOT_PERMITTED);
    expect_error(debug_op(DEBUG_TRACE_STOP, 0, 0, 0, &inv, &out), &inv, ERR_NOT_PERMITTED);
    trace_on = 1;
    expect_error(debug_op(l, 1, 0, 0, &inv, &out), &inv, ERR_NOT_PERMITTED);
    expect_error(debug_op(DEBUG_TRACE_START, 0, 0, 0, &inv, &out), &inv, ERR_NOT_PERMITTED);
    assert_int_equal(debug_op(DEBUG_TRACE_STOP, 0, 0, 0, &inv, &out), ERR_OK);
    trace_on = 0;
}

/* ---- cte_derive --------------------------------------------------------------------------- */

static void test_derive(void **state)
{
    (void)state;
    /* A copy of a mapped frame starts unmapped, with the rights cut. */
    slot(S_FRAME)->cap.mapping = (struct cap_mapping){0x400000, vspace.id, 0, 0};
    cte_derive(slot(S_EMPTY), slot(S_FRAME), CAP_RIGHT_READ | CAP_RIGHT_GRANT, 0);
    struct cap *copy = &slot(S_EMPTY)->cap;
    assert_int_equal(copy->type, CAP_FRAME);
    assert_int_equal(copy->rights, CAP_RIGHT_READ | CAP_RIGHT_GRANT);
    assert_int_equal(copy->object, 0x200000);
    assert_int_equal(copy->size, 12);
    assert_int_equal(copy->mapping.vaddr, 0);
    assert_int_equal(copy->mapping.vspace_id, 0);
    assert_ptr_equal(slot(S_EMPTY)->parent, slot(S_FRAME));
    assert_int_equal(slot(S_FRAME)->cap.mapping.vaddr, 0x400000); /* the original keeps it */
    cte_delete(slot(S_EMPTY));
    /* A table too. */
    slot(S_TABLE)->cap.mapping = (struct cap_mapping){0x40000000, vspace.id, 1, 0};
    cte_derive(slot(S_EMPTY), slot(S_TABLE), CAP_RIGHTS_ALL, 0);
    assert_int_equal(slot(S_EMPTY)->cap.mapping.vspace_id, 0);
    assert_int_equal(slot(S_EMPTY)->cap.mapping.level, 0);
    cte_delete(slot(S_EMPTY));
    /* A copy of a badged endpoint keeps the badge; a mint sets one; both count. */
    uint32_t before = endpoint.header.cap_count;
    cte_derive(slot(S_EMPTY), slot(S_EP_BADGED), CAP_RIGHTS_ALL, 0);
    assert_int_equal(slot(S_EMPTY)->cap.badge, 7);
    cte_delete(slot(S_EMPTY));
    cte_derive(slot(S_EMPTY), slot(S_EP), CAP_RIGHT_SEND, 42);
    assert_int_equal(slot(S_EMPTY)->cap.badge, 42);
    assert_int_equal(slot(S_EMPTY)->cap.rights, CAP_RIGHT_SEND);
    assert_int_equal(endpoint.header.cap_count, before + 1);
}

/* CSPACE_IDENTIFY's MR2 and MR3 keep their meaning across the per-type union: the I/O port
   range as first | last << 16, an IRQ handler's line as its size, a frame's mapped address. */
static void test_identify(void **state)
{
    (void)state;
    put(S_EMPTY - 1, (struct cap){.type = CAP_IO_PORT_CONTROL});
    struct invocation inv = inv_of(S_EMPTY - 1, IO_PORT_CONTROL_ISSUE, 0x70, 0x71, S_EMPTY, 0, 0);
    assert_int_equal(io_port_control_invoke(&inv), ERR_OK);
    inv = inv_of(S_CSPACE, CSPACE_IDENTIFY, S_EMPTY, 0, 0, 0, 0);
    assert_int_equal(cspace_invoke(&inv), ERR_OK);
    assert_int_equal(inv.reply_length, 5);
    assert_int_equal(inv.reply[CSPACE_IDENTIFY_ANSWER_TYPE], CAP_IO_PORT);
    assert_int_equal(inv.reply[CSPACE_IDENTIFY_ANSWER_BADGE], 0x710070);
    cte_delete(slot(S_EMPTY));

    struct cap handler = {.type = CAP_IRQ_HANDLER};
    handler.irq_handler.gsi = 9;
    put(S_EMPTY, handler);
    assert_int_equal(cspace_invoke(&inv), ERR_OK);
    assert_int_equal(inv.reply[CSPACE_IDENTIFY_ANSWER_SIZE], 9);

    slot(S_FRAME)->cap.mapping = (struct cap_mapping){0x401000, vspace.id, 0, 0};
    inv = inv_of(S_CSPACE, CSPACE_IDENTIFY, S_FRAME, 0, 0, 0, 0);
    assert_int_equal(cspace_invoke(&inv), ERR_OK);
    assert_int_equal(inv.reply[CSPACE_IDENTIFY_ANSWER_BADGE], 0x401000);
    assert_int_equal(inv.reply[CSPACE_IDENTIFY_ANSWER_SIZE], 12);
    assert_int_equal(inv.reply[CSPACE_IDENTIFY_ANSWER_PHYSICAL], 0); /* only an Untyped's */
}

/* An UNTYPED_RETYPE invocation, from thread me, of the Untyped in slot 2 of space. */
static struct invocation retype_call(struct thread *me, struct cspace *space, uint64_t type,
                                     uint64_t bits, uint64_t dest, uint64_t count)
{
    return (struct invocation){.caller = me,
                               .cspace = space,
                               .slot = cspace_slot(space, 2),
                               .label = UNTYPED_RETYPE,
                               .mr = {type, bits, dest, count}};
}

/* A retype stopped part-way for an interrupt leaves its progress in the Untyped. Another retype
   that starts lower (here after a reset) must zero its own memory, not trust that progress:
   otherwise a thread is made of what a user wrote into a frame there before (a forged
   receive_buffer or CSpace capability). Runs retype itself, on 4 MiB of host memory. */
static void test_untyped_preempted_zeroing(void **state)
{
    (void)state;
    extern bool stub_interrupt_pending;
    static _Alignas(64) struct cte ut_slots[256];
    struct cspace *ut_cs = (struct cspace *)ut_slots;
    memset(ut_slots, 0, sizeof ut_slots);
    struct cap c = object_new(CAP_CSPACE, ut_slots, 8 + CTE_BITS, false);
    cte_insert(cspace_slot(ut_cs, 1), &c, NULL);
    unsigned char *mem = aligned_alloc(1 << 22, 1 << 22);
    assert_non_null(mem);
    memset(mem, 0x11, 1 << 22); /* old objects' bytes */
    struct cap ut = cap_of(CAP_UNTYPED, CAP_RIGHTS_ALL, virt_to_phys(mem), 22);
    cte_insert(cspace_slot(ut_cs, 2), &ut, NULL);
    struct thread *me = new_thread(100);
    /* A frame at 0 that its user fills. */
    struct invocation inv = retype_call(me, ut_cs, CAP_FRAME, 12, 10, 1);
    assert_int_equal(untyped_invoke(&inv), ERR_OK);
    memset(mem, 0xaa, 4096);
    /* 64 CSpaces of 8 KiB from 8 KiB on, stopped after the first 256 KiB. */
    stub_interrupt_pending = true;
    inv = retype_call(me, ut_cs, CAP_CSPACE, 7, 20, 64);
    assert_int_equal(untyped_invoke(&inv), INVOKE_RESTART);
    stub_interrupt_pending = false;
    /* The frame deleted: the Untyped is reset by the next retype, which starts at 0 and covers
       more than the progress recorded (264 KiB). */
    cte_delete(cspace_slot(ut_cs, 10));
    inv = retype_call(me, ut_cs, CAP_THREAD, 0, 100, 80);
    assert_int_equal(untyped_invoke(&inv), ERR_OK);
    for (unsigned i = 0; i < 2; i++) { /* the frame's 4 KiB, then the stopped retype's pad */
        struct thread *t = (struct thread *)cspace_slot(ut_cs, 100 + i)->cap.object;
        assert_true((unsigned char *)t >= mem && (unsigned char *)t < mem + 8192);
        assert_null(t->receive_buffer);
        assert_int_equal(t->cspace_cap.cap.type, CAP_NULL);
    }
    /* A retype that restarts where it stopped still finishes with zeroed objects. */
    stub_interrupt_pending = true;
    inv = retype_call(me, ut_cs, CAP_CSPACE, 7, 20, 64);
    assert_int_equal(untyped_invoke(&inv), INVOKE_RESTART);
    stub_interrupt_pending = false;
    assert_int_equal(untyped_invoke(&inv), ERR_OK);
    struct cte *first = (struct cte *)cspace_slot(ut_cs, 20)->cap.object;
    assert_int_equal(first[5].cap.type, CAP_NULL);
    free(me);
    free(mem);
}

/* Last: it registers every VSpace id there is (vspace_destroy needs a CPU to undo it). */
static void test_untyped_no_vspace_ids(void **state)
{
    (void)state;
    static struct vspace many[4096];
    struct invocation inv;
    struct untyped_retype out;
    assert_int_equal(retype(S_UNTYPED, CAP_VSPACE, 0, S_EMPTY, 1, &inv, &out), ERR_OK);
    for (uint64_t i = 0; vspace_ids_free() > 0; i++)
        vspace_register(&many[i], 0);
    expect_error(retype(S_UNTYPED, CAP_VSPACE, 0, S_EMPTY, 1, &inv, &out), &inv,
                 ERR_NOT_ENOUGH_MEMORY);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_untyped_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_untyped_decodes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cspace_copy_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cspace_copy_decodes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cspace_move, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cspace_slot_ops, setup, teardown),
        cmocka_unit_test_setup_teardown(test_thread_configure, thread_setup, teardown),
        cmocka_unit_test_setup_teardown(test_thread_registers, thread_setup, teardown),
        cmocka_unit_test_setup_teardown(test_thread_values, thread_setup, teardown),
        cmocka_unit_test_setup_teardown(test_thread_name, thread_setup, teardown),
        cmocka_unit_test_setup_teardown(test_thread_ipc_buffer, thread_setup, teardown),
        cmocka_unit_test_setup_teardown(test_thread_bind, thread_setup, teardown),
        cmocka_unit_test_setup_teardown(test_vspace_map_frame, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vspace_map_table, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vspace_walk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_frame, setup, teardown),
        cmocka_unit_test_setup_teardown(test_irq_control, setup, teardown),
        cmocka_unit_test_setup_teardown(test_irq_msi, setup, teardown),
        cmocka_unit_test_setup_teardown(test_irq_msi, setup, teardown),
        cmocka_unit_test_setup_teardown(test_irq_handler, setup, teardown),
        cmocka_unit_test_setup_teardown(test_io_port_control, setup, teardown),
        cmocka_unit_test_setup_teardown(test_io_port, setup, teardown),
        cmocka_unit_test_setup_teardown(test_debug, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trace, setup, teardown),
        cmocka_unit_test_setup_teardown(test_derive, setup, teardown),
        cmocka_unit_test_setup_teardown(test_identify, setup, teardown),
        cmocka_unit_test(test_untyped_preempted_zeroing),
        cmocka_unit_test_setup_teardown(test_untyped_no_vspace_ids, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
