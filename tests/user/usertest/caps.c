/*
 * usertest's capability and IPC suite: every system call and invocation
 * the kernel has, on its success path and its error paths, from the root
 * task (which holds the boot capabilities in the slots of abi.h). Each check
 * prints nothing unless it fails; the last line counts them.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "libsys/libsys.h"
#include "usertest.h"

/* Free slots this suite uses. */
enum {
    S_EMPTY = 1099, /* never filled */
    S_SPARE = 1098, /* destination of calls that must fail */
    S_EP = 1100,
    S_EP_BADGED,
    S_NTFN,
    S_NTFN_A,
    S_NTFN_B,
    S_COPY1,
    S_COPY2,
    S_MOVED,
    S_SMALL_UT = 1110,
    S_MANY = 1120, /* 120-183 */
    S_THREAD = 1200,
    S_SERVER_EP,
    S_CLIENT_EP,
    S_SPIN_A,
    S_SPIN_B,
    S_CHILD,
    S_CHILD_CSPACE,
    S_FRAME = 1300,
    S_TABLE,
    S_TABLE2,
    S_VSPACE,
    S_FRAME_COPY,
    S_FRAME_RO,
    S_FRAME2,
    S_PROBE,
    S_FAULT_EP = 1320,
    S_FAULT_EP_BADGED,
    S_FAULTER,
    S_PAGER_FRAME,
    S_RTC_PORTS = 1330,
    S_RTC_IRQ,
    S_RTC_NTFN,
    S_BAD_PORTS,
    S_IRQ_COPY,
    S_EP2 = 1340,
    S_EP2_NO_GRANT,
    S_EP2_GRANT,
    S_SERVER2,
    S_SERVER2_BUFFER,
    S_RECEIVED = 1400,
    S_AVX = 1410, /* 1410-1411 */
    S_EP3 = 1420,
    S_BOUND_NTFN,
    S_BOUND_SIGNAL,
    S_SERVER3,
    S_BOUND_COPY,
    S_BIG_FRAMES = 1440, /* 1440-1455 */
};

/* Yields to wait at most for another thread to get somewhere: with SMP it
   may run on another CPU, so one yield does not mean it has run. */
#define SETTLE 1000000

static void test_syscall_and_slot_errors(void)
{
    struct missive_msg m = {0};
    check("unknown syscall", missive_syscall(SYS_COUNT, 1, 0, &m), ERR_INVALID_SYSCALL);
    check("negative syscall", missive_syscall(-1, 1, 0, &m), ERR_INVALID_SYSCALL);
    check("slot 0", missive_syscall(SYS_CALL, 0, 0, &m), ERR_INVALID_SLOT);
    check("slot past the CSpace", missive_syscall(SYS_CALL, 4096, 0, &m), ERR_INVALID_SLOT);
    check("slot -1", missive_syscall(SYS_CALL, UINT64_MAX, 0, &m), ERR_INVALID_SLOT);
    check("empty slot", missive_syscall(SYS_CALL, S_EMPTY, 0, &m), ERR_EMPTY_SLOT);
    check("send to the debug cap", missive_syscall(SYS_SEND, ROOT_SLOT_DEBUG, 0, &m),
          ERR_WRONG_TYPE);
    check("recv on a thread cap", missive_syscall(SYS_RECV, ROOT_SLOT_THREAD, 0, &m),
          ERR_WRONG_TYPE);
    check("unknown label", invoke(ROOT_SLOT_DEBUG, 999, 0, 0, 0, 0, 0), ERR_INVALID_LABEL);
    check("reply with nothing to reply to", missive_syscall(SYS_REPLY, 0, 0, &m), ERR_NO_REPLY);
    long r = invoke(ROOT_SLOT_DEBUG, DEBUG_WRITE, 73, 0, 0, 0, &m);
    check_bad_argument("debug write too long", r, &m, 0, 0, 72);
    check("yield", missive_syscall(SYS_YIELD, 0, 0, &m), ERR_OK);
}

/* The boot info page, the initrd frames and device memory. */
static void test_boot_info(void)
{
    struct missive_msg m;
    check("boot info magic", setup_boot->magic == BOOT_INFO_MAGIC, 1);
    check("one to 16 CPUs", setup_boot->cpu_count >= 1 && setup_boot->cpu_count <= 16, 1);
    check("the tick rate", (long)setup_boot->tick_hz, 1000);
    check("the initrd is mapped", setup_boot->initrd_size > 0 && setup_boot->initrd_count > 0, 1);
    check("and starts with the newc magic", !memcmp((const void *)USER_INITRD, "070701", 6), 1);
    check("initrd frames are read-only",
          invoke(ROOT_SLOT_CSPACE, CSPACE_IDENTIFY, setup_boot->initrd_first, 0, 0, 0, &m) ==
                  ERR_OK &&
              m.mr[0] == CAP_FRAME && m.mr[1] == CAP_RIGHT_READ,
          1);
    check("the boot info frame is read-only",
          invoke(ROOT_SLOT_CSPACE, CSPACE_IDENTIFY, ROOT_SLOT_BOOT_INFO, 0, 0, 0, &m) == ERR_OK &&
              m.mr[1] == CAP_RIGHT_READ,
          1);
    check("the memory map", setup_boot->memory_count >= 3 && setup_boot->memory[0].type == 1, 1);
    check("an RSDP copy", setup_boot->rsdp_size >= 20 && !memcmp(setup_boot->rsdp, "RSD PTR ", 8),
          1);
    uint64_t ram = 0;
    for (uint64_t i = 0; i < setup_boot->untyped_count; i++)
        if (!setup_boot->untyped[i].device)
            ram += 1ul << setup_boot->untyped[i].size_bits;
    check("hundreds of MiB of RAM as Untyped", ram > (400ul << 20), 1);
    uint64_t dev = setup_find_untyped(12, true);
    check("device memory as Untyped", dev != 0, 1);
    if (dev) {
        long r = invoke(dev, UNTYPED_RETYPE, CAP_ENDPOINT, 0, S_SPARE, 1, &m);
        check_bad_argument("no kernel objects from device memory", r, &m, 0, CAP_UNTYPED,
                           CAP_FRAME);
    }
}

static void test_retype(uint64_t ut)
{
    struct missive_msg m;
    check("retype an endpoint", retype(ut, CAP_ENDPOINT, 0, S_EP, 1), ERR_OK);
    check("identify it", invoke(ROOT_SLOT_CSPACE, CSPACE_IDENTIFY, S_EP, 0, 0, 0, &m), ERR_OK);
    check("identified type", (long)m.mr[0], CAP_ENDPOINT);
    check("identified rights", (long)m.mr[1], CAP_RIGHTS_ALL);
    check("retype into an occupied slot", retype(ut, CAP_ENDPOINT, 0, S_EP, 1), ERR_SLOT_OCCUPIED);
    check_bad_argument("retype type 0", invoke(ut, UNTYPED_RETYPE, CAP_NULL, 0, S_SPARE, 1, &m), &m,
                       0, 1, 14);
    check_bad_argument("retype type 99", invoke(ut, UNTYPED_RETYPE, 99, 0, S_SPARE, 1, &m), &m, 0,
                       1, 14);
    check_bad_argument("retype a debug cap",
                       invoke(ut, UNTYPED_RETYPE, CAP_DEBUG, 0, S_SPARE, 1, &m), &m, 0, 1, 14);
    check_bad_argument("retype a 8 KiB frame",
                       invoke(ut, UNTYPED_RETYPE, CAP_FRAME, 13, S_SPARE, 1, &m), &m, 1, 12, 21);
    check_bad_argument("retype a 1-slot CSpace",
                       invoke(ut, UNTYPED_RETYPE, CAP_CSPACE, 0, S_SPARE, 1, &m), &m, 1, 2, 16);
    check_bad_argument("retype 0 objects",
                       invoke(ut, UNTYPED_RETYPE, CAP_ENDPOINT, 0, S_SPARE, 0, &m), &m, 3, 1, 256);
    check_bad_argument("retype 257 objects",
                       invoke(ut, UNTYPED_RETYPE, CAP_ENDPOINT, 0, S_SPARE, 257, &m), &m, 3, 1,
                       256);
    check_bad_argument("retype past the last slot",
                       invoke(ut, UNTYPED_RETYPE, CAP_ENDPOINT, 0, 4095, 2, &m), &m, 2, 1, 4094);
    check_bad_argument("retype into slot 0", invoke(ut, UNTYPED_RETYPE, CAP_ENDPOINT, 0, 0, 1, &m),
                       &m, 2, 1, 4095);
    check("retype through a non-Untyped", retype(ROOT_SLOT_DEBUG, CAP_ENDPOINT, 0, S_SPARE, 1),
          ERR_INVALID_LABEL);

    /* A 4 KiB Untyped holds 64 endpoints, not 65; revoking it frees it. */
    check("retype a 4 KiB Untyped", retype(ut, CAP_UNTYPED, 12, S_SMALL_UT, 1), ERR_OK);
    check("64 endpoints fit", retype(S_SMALL_UT, CAP_ENDPOINT, 0, S_MANY, 64), ERR_OK);
    check("the 65th does not", retype(S_SMALL_UT, CAP_ENDPOINT, 0, S_MANY + 64, 1),
          ERR_NOT_ENOUGH_MEMORY);
    check("a thread does not fit either", retype(S_SMALL_UT, CAP_THREAD, 0, S_MANY + 64, 1),
          ERR_NOT_ENOUGH_MEMORY);
    check("retype a 2^13-byte Untyped from 2^12", retype(S_SMALL_UT, CAP_UNTYPED, 13, S_SPARE, 1),
          ERR_NOT_ENOUGH_MEMORY);
    check("revoke the small Untyped", cs(CSPACE_REVOKE, S_SMALL_UT, 0, 0, 0), ERR_OK);
    check("its children are gone",
          invoke(ROOT_SLOT_CSPACE, CSPACE_IDENTIFY, S_MANY + 63, 0, 0, 0, &m) == ERR_OK &&
              m.mr[0] == CAP_NULL,
          1);
    check("after the reset 64 fit again", retype(S_SMALL_UT, CAP_ENDPOINT, 0, S_MANY, 64), ERR_OK);
    check("and a revoke counts them",
          invoke(ROOT_SLOT_CSPACE, CSPACE_REVOKE, S_SMALL_UT, 0, 0, 0, &m) == ERR_OK &&
              m.mr[0] == 64,
          1);
    check("copying an Untyped is refused", cs(CSPACE_COPY, S_SPARE, ut, CAP_RIGHTS_ALL, 0),
          ERR_NOT_PERMITTED);
}

static void test_derivation(uint64_t ut)
{
    struct missive_msg m = {0};
    check("mint a send-only badged copy", cs(CSPACE_MINT, S_EP_BADGED, S_EP, CAP_RIGHT_SEND, 0x42),
          ERR_OK);
    check("no re-badging", cs(CSPACE_MINT, S_COPY1, S_EP_BADGED, CAP_RIGHT_SEND, 0x43),
          ERR_NOT_PERMITTED);
    long r = invoke(ROOT_SLOT_CSPACE, CSPACE_MINT, S_COPY1, S_EP, CAP_RIGHT_SEND, 0, &m);
    check_bad_argument("mint with badge 0", r, &m, 3, 1, UINT64_MAX);
    r = invoke(ROOT_SLOT_CSPACE, CSPACE_COPY, S_COPY1, S_EP, 0x20, 0, &m);
    check_bad_argument("copy with unknown rights", r, &m, 2, 0, CAP_RIGHTS_ALL);
    r = invoke(ROOT_SLOT_CSPACE, CSPACE_COPY, 4096, S_EP, CAP_RIGHTS_ALL, 0, &m);
    check_bad_argument("copy to slot 4096", r, &m, 0, 1, 4095);
    check("copy from an empty slot", cs(CSPACE_COPY, S_COPY1, S_EMPTY, CAP_RIGHTS_ALL, 0),
          ERR_EMPTY_SLOT);
    check("copy onto a capability", cs(CSPACE_COPY, S_EP_BADGED, S_EP, CAP_RIGHTS_ALL, 0),
          ERR_SLOT_OCCUPIED);
    check("mint of a non-endpoint", cs(CSPACE_MINT, S_COPY1, ROOT_SLOT_DEBUG, 1, 5),
          ERR_NOT_PERMITTED);
    check("receive without the right", sys(SYS_NB_RECV, S_EP_BADGED, &m), ERR_MISSING_RIGHT);
    check("send with nobody waiting", sys(SYS_NB_SEND, S_EP_BADGED, &m), ERR_WOULD_BLOCK);
    check("receive with nobody sending", sys(SYS_NB_RECV, S_EP, &m), ERR_WOULD_BLOCK);

    /* A revoke removes the whole subtree; the original stays. */
    check("copy", cs(CSPACE_COPY, S_COPY1, S_EP, CAP_RIGHTS_ALL, 0), ERR_OK);
    check("copy of the copy", cs(CSPACE_COPY, S_COPY2, S_COPY1, CAP_RIGHT_SEND, 0), ERR_OK);
    check("copy keeps only rights asked for",
          invoke(ROOT_SLOT_CSPACE, CSPACE_IDENTIFY, S_COPY2, 0, 0, 0, &m) == ERR_OK &&
              m.mr[1] == CAP_RIGHT_SEND,
          1);
    check("revoke the original",
          invoke(ROOT_SLOT_CSPACE, CSPACE_REVOKE, S_EP, 0, 0, 0, &m) == ERR_OK && m.mr[0] == 3, 1);
    check("the copies are gone",
          invoke(ROOT_SLOT_CSPACE, CSPACE_IDENTIFY, S_COPY2, 0, 0, 0, &m) == ERR_OK &&
              m.mr[0] == CAP_NULL,
          1);
    check("the original stays", sys(SYS_NB_RECV, S_EP, &m), ERR_WOULD_BLOCK);
    check("delete it", cs(CSPACE_DELETE, S_EP, 0, 0, 0), ERR_OK);
    check("delete an empty slot", cs(CSPACE_DELETE, S_EP, 0, 0, 0), ERR_EMPTY_SLOT);

    /* Notifications: badges OR together; a wait takes and clears the word. */
    check("retype a notification", retype(ut, CAP_NOTIFICATION, 0, S_NTFN, 1), ERR_OK);
    check("mint badge 1", cs(CSPACE_MINT, S_NTFN_A, S_NTFN, CAP_RIGHT_SEND, 0x1), ERR_OK);
    check("mint badge 4", cs(CSPACE_MINT, S_NTFN_B, S_NTFN, CAP_RIGHT_SEND, 0x4), ERR_OK);
    check("poll an empty notification", sys(SYS_NB_RECV, S_NTFN, &m), ERR_WOULD_BLOCK);
    check("signal 1", sys(SYS_SEND, S_NTFN_A, &m), ERR_OK);
    check("signal 4", sys(SYS_SEND, S_NTFN_B, &m), ERR_OK);
    check("signal 4 again", sys(SYS_NB_SEND, S_NTFN_B, &m), ERR_OK);
    check("wait takes the word", sys(SYS_RECV, S_NTFN, &m), ERR_OK);
    check("the word is 1|4", (long)m.badge, 5);
    check("then it is clear", sys(SYS_NB_RECV, S_NTFN, &m), ERR_WOULD_BLOCK);
    check("an unbadged signal", sys(SYS_SEND, S_NTFN, &m), ERR_OK);
    check("still counts", sys(SYS_NB_RECV, S_NTFN, &m), ERR_OK);
    check("with word 0", (long)m.badge, 0);
    check("waiting needs the receive right", sys(SYS_NB_RECV, S_NTFN_A, &m), ERR_MISSING_RIGHT);
    check("move a capability", cs(CSPACE_MOVE, S_MOVED, S_NTFN, 0, 0), ERR_OK);
    check("the old slot is empty", sys(SYS_NB_RECV, S_NTFN, &m), ERR_EMPTY_SLOT);
    check("the new slot works", sys(SYS_NB_RECV, S_MOVED, &m), ERR_WOULD_BLOCK);
    check("move onto a capability", cs(CSPACE_MOVE, S_MOVED, S_NTFN_A, 0, 0), ERR_SLOT_OCCUPIED);
}

/* --- threads and endpoint IPC --------------------------------------------- */

static volatile uint64_t server_badge, server_second_reply, server_woke_with;
static volatile uint64_t spin_count[2];
static volatile long child_results[8];
static volatile int child_done;

/* The server: answers MR0 + 1 to each call, checks that a second reply is
   refused, and stops when its endpoint is deleted under it. Uses no libc:
   it shares the root task's TLS block. */
static void server(void)
{
    struct missive_msg m = {0};
    long r = missive_syscall(SYS_RECV, S_SERVER_EP, 0, &m);
    for (;;) {
        if (r != ERR_OK) {
            server_woke_with = (uint64_t)r;
            for (;;)
                missive_syscall(SYS_RECV, S_NTFN_A, 0, &m); /* no receive right: returns */
        }
        server_badge = m.badge;
        uint64_t in = m.mr[0];
        m.mr[0] = in + 1;
        m.tag = MSG_TAG(0, 1, 0);
        if (in == 1000) { /* the client's probe of a double reply */
            missive_syscall(SYS_REPLY, 0, m.tag, &m);
            server_second_reply = (uint64_t)missive_syscall(SYS_REPLY, 0, m.tag, &m);
            r = missive_syscall(SYS_RECV, S_SERVER_EP, 0, &m);
            continue;
        }
        r = missive_syscall(SYS_REPLY_RECV, S_SERVER_EP, m.tag, &m);
    }
}

static void spinner(uint64_t index)
{
    for (;;)
        spin_count[index]++;
}

/* A thread with a CSpace of its own holding nothing: every slot it names is
   empty, whatever the root task holds. */
static void confined_child(void)
{
    struct missive_msg m = {0};
    for (int slot = 0; slot < 8; slot++)
        child_results[slot] = missive_syscall(SYS_CALL, (uint64_t)slot + 1, 0, &m);
    child_done = 1;
    for (;;) {
        child_results[0] = missive_syscall(SYS_CALL, 1, 0, &m);
        missive_syscall(SYS_YIELD, 0, 0, &m);
    }
}

static void test_threads_and_ipc(uint64_t ut)
{
    struct missive_msg m = {0};
    check("retype a thread", retype(ut, CAP_THREAD, 0, S_THREAD, 1), ERR_OK);
    check("retype an endpoint", retype(ut, CAP_ENDPOINT, 0, S_SERVER_EP, 1), ERR_OK);
    check("resume before configure", invoke(S_THREAD, THREAD_RESUME, 0, 0, 0, 0, 0),
          ERR_NOT_PERMITTED);
    long r = invoke(S_THREAD, THREAD_CONFIGURE, ROOT_SLOT_CSPACE, ROOT_SLOT_VSPACE, 256, 0, &m);
    check_bad_argument("priority above the caller's", r, &m, 2, 0, 255);
    check("configure with a non-CSpace",
          invoke(S_THREAD, THREAD_CONFIGURE, ROOT_SLOT_DEBUG, ROOT_SLOT_VSPACE, 1, 0, 0),
          ERR_WRONG_TYPE);
    uint64_t bad_rip[5] = {0xffffffff80100000ul, 0, 0, 0, 0};
    r = sys_invoke(S_THREAD, THREAD_WRITE_REGISTERS, 5, bad_rip, &m);
    check_bad_argument("kernel rip", r, &m, 0, 0, USER_END - 1);
    uint64_t bad_rsp[5] = {USER_BASE, 0x800000000000ul, 0, 0, 0};
    r = sys_invoke(S_THREAD, THREAD_WRITE_REGISTERS, 5, bad_rsp, &m);
    check_bad_argument("non-canonical rsp", r, &m, 1, 0, 0x7fffffffffff);

    check("start the server",
          setup_thread_start(S_THREAD, (struct setup_thread){.priority = 255},
                             (void (*)(uint64_t))server, 0),
          ERR_OK);
    uint64_t regs[5] = {USER_BASE, 0, 0, 0, 0};
    check("write registers of a running thread",
          sys_invoke(S_THREAD, THREAD_WRITE_REGISTERS, 5, regs, 0), ERR_NOT_PERMITTED);
    check("mint the client's badged capability",
          cs(CSPACE_MINT, S_CLIENT_EP, S_SERVER_EP, CAP_RIGHT_SEND, 7), ERR_OK);
    int bad = 0;
    for (uint64_t i = 0; i < 500; i++) {
        m.tag = MSG_TAG(3, 1, 0);
        m.mr[0] = i;
        if (missive_syscall(SYS_CALL, S_CLIENT_EP, m.tag, &m) != ERR_OK || m.mr[0] != i + 1 ||
            MSG_LENGTH(m.tag) != 1)
            bad++;
    }
    check("500 calls answered MR0 + 1", bad, 0);
    check("the server saw the client's badge", (long)server_badge, 7);
    m.mr[0] = 1000;
    m.tag = MSG_TAG(3, 1, 0);
    check("call for the double reply", missive_syscall(SYS_CALL, S_CLIENT_EP, m.tag, &m), ERR_OK);
    check("the answer", (long)m.mr[0], 1001);
    for (int i = 0; i < SETTLE && !server_second_reply; i++)
        missive_syscall(SYS_YIELD, 0, 0, &m); /* the server may run on another CPU */
    check("a second reply is refused", (long)server_second_reply, ERR_NO_REPLY);
    check("call on a send-only cap works, recv does not", sys(SYS_NB_RECV, S_CLIENT_EP, &m),
          ERR_MISSING_RIGHT);
    r = invoke(S_THREAD, THREAD_READ_REGISTERS, 0, 0, 0, 0, &m);
    check("read the server's registers", r, ERR_OK);
    check("its rip is in the program", m.mr[0] >= USER_BASE && m.mr[0] < 0x1000000, 1);

    /* Deleting the endpoint wakes the server blocked on it with an error. */
    check("revoke the endpoint", cs(CSPACE_REVOKE, S_SERVER_EP, 0, 0, 0), ERR_OK);
    check("delete the endpoint", cs(CSPACE_DELETE, S_SERVER_EP, 0, 0, 0), ERR_OK);
    for (int i = 0; i < SETTLE && !server_woke_with; i++)
        missive_syscall(SYS_YIELD, 0, 0, &m);
    check("the server woke with ERR_OBJECT_DELETED", (long)server_woke_with, ERR_OBJECT_DELETED);
    check("suspend it", invoke(S_THREAD, THREAD_SUSPEND, 0, 0, 0, 0, 0), ERR_OK);
    check("delete the thread", cs(CSPACE_DELETE, S_THREAD, 0, 0, 0), ERR_OK);
}

/* Two threads spinning at one priority, and this one: all three progress. */
static void test_fairness(uint64_t ut)
{
    check("retype two spinners", retype(ut, CAP_THREAD, 0, S_SPIN_A, 2), ERR_OK);
    for (uint64_t i = 0; i < 2; i++)
        check("start a spinner",
              setup_thread_start(S_SPIN_A + i, (struct setup_thread){.priority = 10}, spinner, i),
              ERR_OK);
    check("lower my priority to theirs",
          invoke(ROOT_SLOT_THREAD, THREAD_SET_PRIORITY, 10, 0, 0, 0, 0), ERR_OK);
    struct missive_msg m;
    long r = invoke(ROOT_SLOT_THREAD, THREAD_SET_PRIORITY, 11, 0, 0, 0, &m);
    check_bad_argument("and no way back up", r, &m, 0, 0, 10);
    uint64_t a0 = spin_count[0], b0 = spin_count[1];
    for (volatile uint64_t i = 0; i < 20000000; i++)
        ;
    int progressed = spin_count[0] > a0 && spin_count[1] > b0;
    check("both spinners ran while I spun", progressed, 1);
    printf("usertest: fairness: spinners counted %llu and %llu\n",
           (unsigned long long)spin_count[0], (unsigned long long)spin_count[1]);
    for (uint64_t i = 0; i < 2; i++)
        check("suspend a spinner", invoke(S_SPIN_A + i, THREAD_SUSPEND, 0, 0, 0, 0, 0), ERR_OK);
}

static void test_confinement(uint64_t ut)
{
    check("retype a child thread", retype(ut, CAP_THREAD, 0, S_CHILD, 1), ERR_OK);
    check("retype an empty 16-slot CSpace", retype(ut, CAP_CSPACE, 4, S_CHILD_CSPACE, 1), ERR_OK);
    check("start the confined child",
          setup_thread_start(S_CHILD,
                             (struct setup_thread){.cspace = S_CHILD_CSPACE, .priority = 10},
                             (void (*)(uint64_t))confined_child, 0),
          ERR_OK);
    struct missive_msg m;
    for (int i = 0; i < SETTLE && !child_done; i++)
        missive_syscall(SYS_YIELD, 0, 0, &m);
    check("the child ran", child_done, 1);
    for (int slot = 0; slot < 8; slot++)
        check("the child reaches nothing", child_results[slot], ERR_EMPTY_SLOT);
    /* Revoking the CSpace capability it was configured with takes the
       CSpace from it at once; deleting the last capability destroys it. */
    check("revoke the child's CSpace", cs(CSPACE_REVOKE, S_CHILD_CSPACE, 0, 0, 0), ERR_OK);
    check("delete it", cs(CSPACE_DELETE, S_CHILD_CSPACE, 0, 0, 0), ERR_OK);
    for (int i = 0; i < SETTLE && child_results[0] != ERR_INVALID_SLOT; i++)
        missive_syscall(SYS_YIELD, 0, 0, &m);
    check("the child has no CSpace now", child_results[0], ERR_INVALID_SLOT);
    check("suspend the child", invoke(S_CHILD, THREAD_SUSPEND, 0, 0, 0, 0, 0), ERR_OK);
}

/* --- address spaces -------------------------------------------------------- */

#define MAP_AT 0x10000000ul /* no table reaches it at start: the root task is at 4 MiB */

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

static void test_vspace(uint64_t ut)
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

/* --- faults to a handler, device interrupts ---------------------------------- */

static volatile uint64_t faulter_value;
static volatile int faulter_done;
static _Alignas(16) uint8_t faulter_stack[4096];

/* Reads a page nobody mapped yet: the root task, its pager, maps it. */
static void faulter(void)
{
    faulter_value = *(volatile uint64_t *)(MAP_AT + 0x5000);
    faulter_done = 1;
    for (;;)
        ;
}

/* Takes the exception numbered kind (the fault handler gets each). */
static void fault_kind(uint64_t kind)
{
    volatile int zero = 0, one = 1;
    if (kind == 0)
        zero = one / zero;
    else if (kind == 3)
        __asm__ volatile("int3"); /* GNU inline asm: C has no breakpoint */
    else if (kind == 6)
        __builtin_trap(); /* ud2 */
    else if (kind == 13)
        zero = *(volatile int *)0x8000000000000000ul;
    else if (kind == 16) { /* x87: unmask divide-by-zero, divide by zero, wait */
        uint16_t cw = 0x037b;
        static const int32_t zero_int = 0;
        __asm__ volatile("fninit; fldcw %0; fld1; fidivl %1; fwait" : : "m"(cw), "m"(zero_int));
    } else {
        zero = *(volatile int *)(uintptr_t)(zero + 16); /* 14: a null page read */
    }
    for (;;)
        ;
}

static void test_fault_handler(uint64_t ut)
{
    struct missive_msg m = {0};
    check("retype a fault endpoint", retype(ut, CAP_ENDPOINT, 0, S_FAULT_EP, 1), ERR_OK);
    check("badge it", cs(CSPACE_MINT, S_FAULT_EP_BADGED, S_FAULT_EP, CAP_RIGHT_SEND, 0x99), ERR_OK);
    check("retype the faulting thread", retype(ut, CAP_THREAD, 0, S_FAULTER, 1), ERR_OK);
    check("a fault endpoint must be an endpoint",
          invoke(S_FAULTER, THREAD_CONFIGURE, ROOT_SLOT_CSPACE, ROOT_SLOT_VSPACE, 10,
                 ROOT_SLOT_DEBUG, 0),
          ERR_WRONG_TYPE);
    check("configure with the fault endpoint",
          invoke(S_FAULTER, THREAD_CONFIGURE, ROOT_SLOT_CSPACE, ROOT_SLOT_VSPACE, 255,
                 S_FAULT_EP_BADGED, 0),
          ERR_OK);
    uint64_t regs[5] = {(uint64_t)faulter, (uint64_t)(faulter_stack + sizeof faulter_stack - 8), 0,
                        0, 0};
    check("its registers", sys_invoke(S_FAULTER, THREAD_WRITE_REGISTERS, 5, regs, 0), ERR_OK);
    check("start it", invoke(S_FAULTER, THREAD_RESUME, 0, 0, 0, 0, 0), ERR_OK);
    check("receive its fault", missive_syscall(SYS_RECV, S_FAULT_EP, 0, &m), ERR_OK);
    check("a fault message", (long)MSG_LABEL(m.tag), FAULT_LABEL);
    check("from the badged endpoint", (long)m.badge, 0x99);
    check("a page fault", (long)m.mr[FAULT_MR_VECTOR], 14);
    check("at the address", (long)m.mr[FAULT_MR_ADDRESS], (long)(MAP_AT + 0x5000));
    check("a user read of a missing page", (long)m.mr[FAULT_MR_ERROR], 4);
    /* Be its pager: map a frame there, fill it, resume it. */
    check("a page table for it",
          invoke(ROOT_SLOT_VSPACE, VSPACE_MAP_TABLE, S_TABLE, MAP_AT, 0, 0, 0), ERR_OK);
    check("a frame for it", retype(ut, CAP_FRAME, 12, S_PAGER_FRAME, 1), ERR_OK);
    check("map it",
          invoke(ROOT_SLOT_VSPACE, VSPACE_MAP_FRAME, S_PAGER_FRAME, MAP_AT + 0x5000,
                 CAP_RIGHT_READ | CAP_RIGHT_WRITE, 0, 0),
          ERR_OK);
    *(volatile uint64_t *)(MAP_AT + 0x5000) = 0xfeedf00d;
    m.tag = MSG_TAG(0, 0, 0);
    check("reply: resume it", missive_syscall(SYS_REPLY, 0, m.tag, &m), ERR_OK);
    for (int i = 0; i < SETTLE && !faulter_done; i++)
        missive_syscall(SYS_YIELD, 0, 0, &m);
    check("it retried the read and went on", faulter_done, 1);
    check("and read what the pager wrote", (long)faulter_value, 0xfeedf00d);
    check("suspend it", invoke(S_FAULTER, THREAD_SUSPEND, 0, 0, 0, 0, 0), ERR_OK);

    /* Each kind of exception reaches the handler with its vector; a reply
       with a non-zero label leaves the thread stopped. */
    /* Alignment checks (#AC, 17) and SIMD exceptions (#XM, 19) take the same
       path, but QEMU's TCG raises neither, so they cannot be tested here. */
    static const uint64_t kinds[] = {0, 3, 6, 13, 14, 16};
    for (unsigned k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        uint64_t regs2[5] = {(uint64_t)fault_kind,
                             (uint64_t)(faulter_stack + sizeof faulter_stack - 8), kinds[k], 0, 0};
        check("aim it at the next exception",
              sys_invoke(S_FAULTER, THREAD_WRITE_REGISTERS, 5, regs2, 0), ERR_OK);
        check("resume it", invoke(S_FAULTER, THREAD_RESUME, 0, 0, 0, 0, 0), ERR_OK);
        long got = ERR_WOULD_BLOCK;
        for (int i = 0; i < SETTLE && got == ERR_WOULD_BLOCK; i++) {
            got = missive_syscall(SYS_NB_RECV, S_FAULT_EP, 0, &m);
            if (got == ERR_WOULD_BLOCK)
                missive_syscall(SYS_YIELD, 0, 0, &(struct missive_msg){0});
        }
        check("receive the fault", got, ERR_OK);
        if (got != ERR_OK) {
            printf("usertest: FAIL: exception %lu did not happen\n", (unsigned long)kinds[k]);
            invoke(S_FAULTER, THREAD_SUSPEND, 0, 0, 0, 0, 0);
            continue;
        }
        check("its vector", (long)m.mr[FAULT_MR_VECTOR], (long)kinds[k]);
        check("its rip is in the program", m.mr[FAULT_MR_RIP] >= USER_BASE, 1);
        check("leave it stopped", missive_syscall(SYS_REPLY, 0, MSG_TAG(1, 0, 0), &m), ERR_OK);
    }
}

/* The CMOS real-time clock raises IRQ 8 periodically once told to: a
   device interrupt QEMU delivers, through ports the root task is issued. */
static uint64_t rtc_read(uint64_t reg)
{
    struct missive_msg m;
    invoke(S_RTC_PORTS, IO_PORT_OUT, 0x70, 1, reg, 0, 0);
    invoke(S_RTC_PORTS, IO_PORT_IN, 0x71, 1, 0, 0, &m);
    return m.mr[0] & 0xff;
}

static void rtc_write(uint64_t reg, uint64_t value)
{
    invoke(S_RTC_PORTS, IO_PORT_OUT, 0x70, 1, reg, 0, 0);
    invoke(S_RTC_PORTS, IO_PORT_OUT, 0x71, 1, value, 0, 0);
}

static void test_irq(uint64_t ut)
{
    struct missive_msg m = {0};
    check("the PICs' ports are not issued",
          invoke(ROOT_SLOT_IO_PORT_CONTROL, IO_PORT_CONTROL_ISSUE, 0x20, 0x21, S_BAD_PORTS, 0, 0),
          ERR_NOT_PERMITTED);
    check("nor the QEMU exit port",
          invoke(ROOT_SLOT_IO_PORT_CONTROL, IO_PORT_CONTROL_ISSUE, 0xf4, 0xf4, S_BAD_PORTS, 0, 0),
          ERR_NOT_PERMITTED);
    check("COM1 is, for the console server",
          invoke(ROOT_SLOT_IO_PORT_CONTROL, IO_PORT_CONTROL_ISSUE, 0x3f8, 0x3ff, S_BAD_PORTS, 0, 0),
          ERR_OK);
    cs(CSPACE_DELETE, S_BAD_PORTS, 0, 0, 0);
    check("nor the PIT's",
          invoke(ROOT_SLOT_IO_PORT_CONTROL, IO_PORT_CONTROL_ISSUE, 0x30, 0x50, S_BAD_PORTS, 0, 0),
          ERR_NOT_PERMITTED);
    long r =
        invoke(ROOT_SLOT_IO_PORT_CONTROL, IO_PORT_CONTROL_ISSUE, 0x80, 0x70, S_BAD_PORTS, 0, &m);
    check_bad_argument("a backwards range", r, &m, 1, 0x80, 0xffff);
    check("issue the RTC's ports",
          invoke(ROOT_SLOT_IO_PORT_CONTROL, IO_PORT_CONTROL_ISSUE, 0x70, 0x71, S_RTC_PORTS, 0, 0),
          ERR_OK);
    r = invoke(S_RTC_PORTS, IO_PORT_IN, 0x72, 1, 0, 0, &m);
    check_bad_argument("a port outside the range", r, &m, 0, 0x70, 0x71);
    r = invoke(S_RTC_PORTS, IO_PORT_IN, 0x71, 2, 0, 0, &m);
    check_bad_argument("a word running past it", r, &m, 0, 0x70, 0x70);
    r = invoke(S_RTC_PORTS, IO_PORT_IN, 0x70, 3, 0, 0, &m);
    check_bad_argument("width 3", r, &m, 1, 1, 4);

    r = invoke(ROOT_SLOT_IRQ_CONTROL, IRQ_CONTROL_GET, 2, S_RTC_IRQ, 0, 0, &m);
    check_bad_argument("the timer's line is the kernel's", r, &m, 0, 0, 23);
    r = invoke(ROOT_SLOT_IRQ_CONTROL, IRQ_CONTROL_GET, 24, S_RTC_IRQ, 0, 0, &m);
    check_bad_argument("GSI 24", r, &m, 0, 0, 23);
    check("a handler for IRQ 8",
          invoke(ROOT_SLOT_IRQ_CONTROL, IRQ_CONTROL_GET, 8, S_RTC_IRQ, 0, 0, 0), ERR_OK);
    check("only one per line",
          invoke(ROOT_SLOT_IRQ_CONTROL, IRQ_CONTROL_GET, 8, S_BAD_PORTS, 0, 0, 0),
          ERR_NOT_PERMITTED);
    check("handlers cannot be copied", cs(CSPACE_COPY, S_IRQ_COPY, S_RTC_IRQ, CAP_RIGHTS_ALL, 0),
          ERR_NOT_PERMITTED);
    check("a notification for it", retype(ut, CAP_NOTIFICATION, 0, S_RTC_NTFN, 1), ERR_OK);
    check("bind it", invoke(S_RTC_IRQ, IRQ_HANDLER_SET_NOTIFICATION, S_RTC_NTFN, 0, 0, 0, 0),
          ERR_OK);
    rtc_write(0x8a, (rtc_read(0x8a) & 0xf0) | 0x0f); /* rate 15: 2 Hz would be slow; */
    rtc_write(0x8a, (rtc_read(0x8a) & 0xf0) | 0x06); /* rate 6: 1024 Hz */
    rtc_write(0x8b, rtc_read(0x8b) | 0x40);          /* periodic interrupt on */
    int delivered = 0;
    for (int i = 0; i < 3; i++) {
        if (missive_syscall(SYS_RECV, S_RTC_NTFN, 0, &m) == ERR_OK && m.badge == 0)
            delivered++;
        rtc_read(0x0c); /* reading register C lets the RTC interrupt again */
        invoke(S_RTC_IRQ, IRQ_HANDLER_ACK, 0, 0, 0, 0, 0);
    }
    check("three RTC interrupts arrived through the notification", delivered, 3);
    rtc_write(0x8b, rtc_read(0x8b) & ~0x40ul);
    rtc_read(0x0c);
    check("delete the handler", cs(CSPACE_DELETE, S_RTC_IRQ, 0, 0, 0), ERR_OK);
    check("the line can be issued again",
          invoke(ROOT_SLOT_IRQ_CONTROL, IRQ_CONTROL_GET, 8, S_RTC_IRQ, 0, 0, 0), ERR_OK);
    check("and deleted", cs(CSPACE_DELETE, S_RTC_IRQ, 0, 0, 0), ERR_OK);
}

/* --- long messages and capability transfer ------------------------------------ */

/* Answers each call with the sum of its words, its length and the number
   of capabilities it carried; signals a received notification. */
static void server2(uint64_t buffer_address)
{
    struct ipc_buffer *buffer = (struct ipc_buffer *)buffer_address;
    struct missive_msg m = {0};
    buffer->receive_slot = S_RECEIVED;
    long r = missive_syscall(SYS_RECV, S_EP2, 0, &m);
    for (;;) {
        uint64_t length = MSG_LENGTH(m.tag), caps = MSG_CAPS(m.tag), sum = 0;
        for (uint64_t i = 0; i < length; i++)
            sum += i < MSG_REGISTERS ? m.mr[i] : buffer->mr[i];
        if (caps) {
            struct missive_msg s = {0};
            missive_syscall(SYS_SEND, S_RECEIVED, 0, &s);
            missive_syscall(SYS_CALL, ROOT_SLOT_CSPACE, MSG_TAG(CSPACE_DELETE, 1, 0),
                            &(struct missive_msg){.mr = {S_RECEIVED}});
        }
        m.mr[0] = r == ERR_OK ? sum : (uint64_t)r;
        m.mr[1] = length;
        m.mr[2] = caps;
        r = missive_syscall(SYS_REPLY_RECV, S_EP2, MSG_TAG(0, 3, 0), &m);
    }
}

/* Calls server2 with length words (i + 1 each): it answers their sum. */
static long long_call(uint64_t slot, uint64_t length, uint64_t caps, struct missive_msg *m)
{
    struct ipc_buffer *mine = (struct ipc_buffer *)USER_IPC_BUFFER;
    for (uint64_t i = 0; i < MSG_MAX_LENGTH; i++) {
        if (i < MSG_REGISTERS)
            m->mr[i] = i + 1;
        else
            mine->mr[i] = i + 1;
    }
    return missive_syscall(SYS_CALL, slot, MSG_TAG(7, length, caps), m);
}

static void test_long_messages(uint64_t ut)
{
    struct missive_msg m = {0};
    check("retype an endpoint", retype(ut, CAP_ENDPOINT, 0, S_EP2, 1), ERR_OK);
    check("a send-only copy", cs(CSPACE_MINT, S_EP2_NO_GRANT, S_EP2, CAP_RIGHT_SEND, 1), ERR_OK);
    check("a send+grant copy",
          cs(CSPACE_MINT, S_EP2_GRANT, S_EP2, CAP_RIGHT_SEND | CAP_RIGHT_GRANT, 2), ERR_OK);
    check("retype server2", retype(ut, CAP_THREAD, 0, S_SERVER2, 1), ERR_OK);
    check("and its IPC buffer", retype(ut, CAP_FRAME, 12, S_SERVER2_BUFFER, 1), ERR_OK);
    check("map the buffer",
          invoke(ROOT_SLOT_VSPACE, VSPACE_MAP_FRAME, S_SERVER2_BUFFER, MAP_AT + 0x7000,
                 CAP_RIGHT_READ | CAP_RIGHT_WRITE, 0, 0),
          ERR_OK);
    check("an IPC buffer must be a frame",
          invoke(S_SERVER2, THREAD_SET_IPC_BUFFER, S_EP2, 0, 0, 0, 0), ERR_WRONG_TYPE);
    check("register it", invoke(S_SERVER2, THREAD_SET_IPC_BUFFER, S_SERVER2_BUFFER, 0, 0, 0, 0),
          ERR_OK);
    check("start server2",
          setup_thread_start(S_SERVER2, (struct setup_thread){.priority = 255}, server2,
                             MAP_AT + 0x7000),
          ERR_OK);
    check("a 10-word call", long_call(S_EP2_NO_GRANT, 10, 0, &m), ERR_OK);
    check("summed in registers", (long)m.mr[0], 55);
    check("a 40-word call", long_call(S_EP2_NO_GRANT, 40, 0, &m), ERR_OK);
    check("summed through the IPC buffers", (long)m.mr[0], 40 * 41 / 2);
    check("all 40 words went", (long)m.mr[1], 40);
    check("a 64-word call", long_call(S_EP2_NO_GRANT, 64, 0, &m), ERR_OK);
    check("64 words went", (long)m.mr[1], 64);
    check("a 100-word call", long_call(S_EP2_NO_GRANT, 100, 0, &m), ERR_OK);
    check("is cut to 64", (long)m.mr[1], 64);

    struct ipc_buffer *mine = (struct ipc_buffer *)USER_IPC_BUFFER;
    mine->caps[0] = S_NTFN_A; /* send-only notification, badge 1 */
    check("capabilities without the grant right", long_call(S_EP2_NO_GRANT, 1, 1, &m),
          ERR_MISSING_RIGHT);
    check("nothing was signalled", sys(SYS_NB_RECV, S_MOVED, &m), ERR_WOULD_BLOCK);
    check("with the grant right", long_call(S_EP2_GRANT, 1, 1, &m), ERR_OK);
    check("one capability went", (long)m.mr[2], 1);
    check("the server signalled through it", sys(SYS_NB_RECV, S_MOVED, &m), ERR_OK);
    check("with its badge", (long)m.badge, 1);
    mine->caps[0] = S_EMPTY; /* an empty slot: nothing to send */
    check("an empty slot is skipped", long_call(S_EP2_GRANT, 1, 1, &m), ERR_OK);
    check("so none went", (long)m.mr[2], 0);
    check("suspend server2", invoke(S_SERVER2, THREAD_SUSPEND, 0, 0, 0, 0, 0), ERR_OK);
}

/* --- FPU/AVX state across preemption ------------------------------------------ */

static volatile uint64_t avx_result[2]; /* 1 kept, 2 lost, 0 not done */

/* Fills all four lanes of ymm1 with seed, spins long enough to be preempted
   many times by the other AVX thread doing the same with another seed, then
   checks the upper lane. GNU inline assembly: C cannot pin a value in ymm1. */
static void avx_thread(uint64_t index)
{
    uint64_t seed = 0x1111111111111111ull * (index + 1), upper;
    __asm__ volatile("vmovq %1, %%xmm1\n\t"
                     "vpunpcklqdq %%xmm1, %%xmm1, %%xmm1\n\t"
                     "vinsertf128 $1, %%xmm1, %%ymm1, %%ymm1\n\t"
                     "mov $60000000, %%ecx\n"
                     "1:\n\t"
                     "dec %%ecx\n\t"
                     "jnz 1b\n\t"
                     "vextractf128 $1, %%ymm1, %%xmm2\n\t"
                     "vmovq %%xmm2, %0"
                     : "=r"(upper)
                     : "r"(seed)
                     : "rcx", "xmm1", "xmm2", "cc");
    avx_result[index] = upper == seed ? 1 : 2;
    for (;;)
        missive_syscall(SYS_YIELD, 0, 0, &(struct missive_msg){0});
}

static void test_avx(uint64_t ut)
{
    uint32_t a, b, c, d;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
    if (!(c & (1u << 28)) || !(c & (1u << 27))) {
        printf("usertest: caps: no AVX on this CPU; AVX state test skipped\n");
        return;
    }
    check("retype two AVX threads", retype(ut, CAP_THREAD, 0, S_AVX, 2), ERR_OK);
    for (uint64_t i = 0; i < 2; i++)
        check("start an AVX thread",
              setup_thread_start(S_AVX + i, (struct setup_thread){.priority = 10}, avx_thread, i),
              ERR_OK);
    /* Bounded by time, not by yields: with several CPUs on a loaded host the
       CPU running this loop may race far ahead of the ones running the AVX
       threads (about 30 s at 2 GHz; GCC builtin for rdtsc). */
    struct missive_msg m;
    uint64_t start = __builtin_ia32_rdtsc();
    while (!(avx_result[0] && avx_result[1]) && __builtin_ia32_rdtsc() - start < 60000000000ull)
        missive_syscall(SYS_YIELD, 0, 0, &m);
    check("thread 1 kept its ymm1 across preemption", (long)avx_result[0], 1);
    check("thread 2 kept its ymm1 across preemption", (long)avx_result[1], 1);
    for (uint64_t i = 0; i < 2; i++)
        check("suspend it", invoke(S_AVX + i, THREAD_SUSPEND, 0, 0, 0, 0, 0), ERR_OK);
}

/* --- a thread bound to a notification ------------------------------------------ */

static volatile uint64_t server3_label, server3_badge, server3_events;
static volatile long server3_error;

/* Waits on its endpoint; a signal on its bound notification also wakes it. */
static void server3(void)
{
    struct missive_msg m = {0};
    for (;;) {
        long r = missive_syscall(SYS_RECV, S_EP3, 0, &m);
        if (r != ERR_OK) {
            server3_error = r;
            continue;
        }
        server3_label = MSG_LABEL(m.tag);
        server3_badge = m.badge;
        server3_events++;
        if (server3_label != NOTIFICATION_LABEL) {
            m.mr[0] += 1;
            missive_syscall(SYS_REPLY, 0, MSG_TAG(0, 1, 0), &m);
        }
    }
}

static void test_bound_notification(uint64_t ut)
{
    struct missive_msg m = {0};
    check("retype an endpoint", retype(ut, CAP_ENDPOINT, 0, S_EP3, 1), ERR_OK);
    check("and a notification", retype(ut, CAP_NOTIFICATION, 0, S_BOUND_NTFN, 1), ERR_OK);
    check("a signalling copy", cs(CSPACE_MINT, S_BOUND_SIGNAL, S_BOUND_NTFN, CAP_RIGHT_SEND, 0x10),
          ERR_OK);
    check("retype server3", retype(ut, CAP_THREAD, 0, S_SERVER3, 1), ERR_OK);
    check("binding needs a notification",
          invoke(S_SERVER3, THREAD_BIND_NOTIFICATION, S_EP3, 0, 0, 0, 0), ERR_WRONG_TYPE);
    check("binding needs the receive right",
          invoke(S_SERVER3, THREAD_BIND_NOTIFICATION, S_BOUND_SIGNAL, 0, 0, 0, 0),
          ERR_MISSING_RIGHT);
    check("bind it", invoke(S_SERVER3, THREAD_BIND_NOTIFICATION, S_BOUND_NTFN, 0, 0, 0, 0), ERR_OK);
    check("not twice", invoke(ROOT_SLOT_THREAD, THREAD_BIND_NOTIFICATION, S_BOUND_NTFN, 0, 0, 0, 0),
          ERR_NOT_PERMITTED);
    check("start server3",
          setup_thread_start(S_SERVER3, (struct setup_thread){.priority = 10},
                             (void (*)(uint64_t))server3, 0),
          ERR_OK);
    for (int i = 0; i < 10; i++)
        missive_syscall(SYS_YIELD, 0, 0, &m); /* it now waits on its endpoint */
    check("signal its notification", sys(SYS_SEND, S_BOUND_SIGNAL, &m), ERR_OK);
    for (int i = 0; i < SETTLE && !server3_events; i++)
        missive_syscall(SYS_YIELD, 0, 0, &m);
    check("the signal ended its endpoint wait", (long)server3_events, 1);
    check("labelled as a notification", (long)server3_label, NOTIFICATION_LABEL);
    check("with the badge as the word", (long)server3_badge, 0x10);
    m.mr[0] = 5;
    check("a call still works", missive_syscall(SYS_CALL, S_EP3, MSG_TAG(1, 1, 0), &m), ERR_OK);
    check("and is answered", (long)m.mr[0], 6);
    for (int i = 0; i < 10; i++)
        missive_syscall(SYS_YIELD, 0, 0, &m); /* back to waiting */
    check("suspend server3 in its wait", invoke(S_SERVER3, THREAD_SUSPEND, 0, 0, 0, 0, 0), ERR_OK);
    check("resume it", invoke(S_SERVER3, THREAD_RESUME, 0, 0, 0, 0, 0), ERR_OK);
    for (int i = 0; i < SETTLE && !server3_error; i++)
        missive_syscall(SYS_YIELD, 0, 0, &m);
    check("its wait ended with ERR_INTERRUPTED", server3_error, ERR_INTERRUPTED);
    check("suspend server3", invoke(S_SERVER3, THREAD_SUSPEND, 0, 0, 0, 0, 0), ERR_OK);
    check("unbind", invoke(S_SERVER3, THREAD_BIND_NOTIFICATION, 0, 0, 0, 0, 0), ERR_OK);
    check("a copy to bind with", cs(CSPACE_COPY, S_BOUND_COPY, S_BOUND_NTFN, CAP_RIGHTS_ALL, 0),
          ERR_OK);
    check("bind through the copy",
          invoke(S_SERVER3, THREAD_BIND_NOTIFICATION, S_BOUND_COPY, 0, 0, 0, 0), ERR_OK);
    check("revoking the copy's source ends the binding", cs(CSPACE_REVOKE, S_BOUND_COPY, 0, 0, 0),
          ERR_OK);
    check("now another thread may bind it",
          invoke(ROOT_SLOT_THREAD, THREAD_BIND_NOTIFICATION, S_BOUND_NTFN, 0, 0, 0, 0), ERR_OK);
    check("and unbind", invoke(ROOT_SLOT_THREAD, THREAD_BIND_NOTIFICATION, 0, 0, 0, 0, 0), ERR_OK);
}

/* Retyping 32 MiB of frames zeroes 32 MiB: the kernel stops for pending
   interrupts and the call restarts where it left off (the idle line counts
   the restarts; the harness checks there were some). */
static void test_long_retype(void)
{
    uint64_t big = setup_find_untyped(26, false);
    check("an Untyped of 64 MiB", big != 0, 1);
    if (!big)
        return;
    check("retype 16 2 MiB frames", retype(big, CAP_FRAME, 21, S_BIG_FRAMES, 16), ERR_OK);
    struct missive_msg m;
    check("the last one is there",
          invoke(ROOT_SLOT_CSPACE, CSPACE_IDENTIFY, S_BIG_FRAMES + 15, 0, 0, 0, &m) == ERR_OK &&
              m.mr[0] == CAP_FRAME && m.mr[3] == 21,
          1);
    check("revoke them", cs(CSPACE_REVOKE, big, 0, 0, 0), ERR_OK);
}

int caps_suite(void)
{
    test_boot_info();
    uint64_t ut = setup_find_untyped(22, false);
    check("an Untyped of 4 MiB or more", ut != 0, 1);
    if (!ut)
        return 1;
    printf("usertest: caps: slot errors\n");
    test_syscall_and_slot_errors();
    printf("usertest: caps: retype\n");
    test_retype(ut);
    printf("usertest: caps: derivation\n");
    test_derivation(ut);
    printf("usertest: caps: threads\n");
    test_threads_and_ipc(ut);
    printf("usertest: caps: address spaces\n");
    test_vspace(ut);
    printf("usertest: caps: faults and interrupts\n");
    test_fault_handler(ut);
    test_irq(ut);
    printf("usertest: caps: long messages\n");
    test_long_messages(ut);
    test_fairness(ut); /* leaves this thread at priority 10 */
    printf("usertest: caps: AVX state\n");
    test_avx(ut);
    printf("usertest: caps: bound notification\n");
    test_bound_notification(ut);
    printf("usertest: caps: a long retype\n");
    test_long_retype();
    test_confinement(ut);
    return check_report("caps");
}
