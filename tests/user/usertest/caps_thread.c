/*
 * usertest caps: threads. Configuration and its errors; faults delivered
 * to a fault endpoint, with the root task as a pager and every exception
 * kind; fairness between spinning threads; AVX state kept across
 * preemption.
 */
#include <stdint.h>
#include <stdio.h>

#include "caps.h"

/* Configuring a thread: each bad argument; S_THREAD stays unconfigured
   (test_endpoint_calls starts it). */
void test_thread_configuration(uint64_t ut)
{
    check("retype a thread", untyped_retype(ut, CAP_THREAD, 0, S_THREAD, 1), ERR_OK);
    check("resume before configure", thread_resume(S_THREAD), ERR_NOT_PERMITTED);
    long r = thread_configure(S_THREAD, ROOT_SLOT_CSPACE, ROOT_SLOT_VSPACE, 256, 0);
    check_bad_argument("priority above the caller's", r, THREAD_CONFIGURE_ARG_PRIORITY, 0, 255);
    check("configure with a non-CSpace",
          thread_configure(S_THREAD, ROOT_SLOT_DEBUG, ROOT_SLOT_VSPACE, 1, 0), ERR_WRONG_TYPE);
    r = thread_write_registers(S_THREAD, 0xffffffff80100000ul, 0, 0, 0, 0);
    check_bad_argument("kernel rip", r, THREAD_WRITE_REGISTERS_ARG_RIP, 0, USER_END - 1);
    r = thread_write_registers(S_THREAD, USER_BASE, 0x800000000000ul, 0, 0, 0);
    check_bad_argument("non-canonical rsp", r, THREAD_WRITE_REGISTERS_ARG_RSP, 0, 0x7fffffffffff);
}

/* --- faults to a handler ------------------------------------------------------- */

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

void test_fault_handler(uint64_t ut)
{
    struct missive_msg m = {0};
    check("retype a fault endpoint", untyped_retype(ut, CAP_ENDPOINT, 0, S_FAULT_EP, 1), ERR_OK);
    check("badge it",
          cspace_mint(ROOT_SLOT_CSPACE, S_FAULT_EP_BADGED, S_FAULT_EP, CAP_RIGHT_SEND, 0x99, 0),
          ERR_OK);
    check("retype the faulting thread", untyped_retype(ut, CAP_THREAD, 0, S_FAULTER, 1), ERR_OK);
    check("a fault endpoint must be an endpoint",
          thread_configure(S_FAULTER, ROOT_SLOT_CSPACE, ROOT_SLOT_VSPACE, 10, ROOT_SLOT_DEBUG),
          ERR_WRONG_TYPE);
    check("configure with the fault endpoint",
          thread_configure(S_FAULTER, ROOT_SLOT_CSPACE, ROOT_SLOT_VSPACE, 255, S_FAULT_EP_BADGED),
          ERR_OK);
    uint64_t stack_top = (uint64_t)(faulter_stack + sizeof faulter_stack - 8);
    check("its registers", thread_write_registers(S_FAULTER, (uint64_t)faulter, stack_top, 0, 0, 0),
          ERR_OK);
    check("start it", thread_resume(S_FAULTER), ERR_OK);
    check("receive its fault", missive_syscall(SYS_RECV, S_FAULT_EP, 0, &m), ERR_OK);
    check("a fault message", (long)MSG_LABEL(m.tag), FAULT_LABEL);
    check("from the badged endpoint", (long)m.badge, 0x99);
    check("a page fault", (long)m.mr[FAULT_MR_VECTOR], 14);
    check("at the address", (long)m.mr[FAULT_MR_ADDRESS], (long)(MAP_AT + 0x5000));
    check("a user read of a missing page", (long)m.mr[FAULT_MR_ERROR], 4);
    /* Be its pager: map a frame there, fill it, resume it. */
    check("a page table for it", vspace_map_table(ROOT_SLOT_VSPACE, S_TABLE, MAP_AT, NULL), ERR_OK);
    check("a frame for it", untyped_retype(ut, CAP_FRAME, PAGE_BITS, S_PAGER_FRAME, 1), ERR_OK);
    check("map it",
          vspace_map_frame(ROOT_SLOT_VSPACE, S_PAGER_FRAME, MAP_AT + 0x5000,
                           CAP_RIGHT_READ | CAP_RIGHT_WRITE),
          ERR_OK);
    *(volatile uint64_t *)(MAP_AT + 0x5000) = 0xfeedf00d;
    m.tag = MSG_TAG(0, 0, 0);
    check("reply: resume it", missive_syscall(SYS_REPLY, 0, m.tag, &m), ERR_OK);
    for (int i = 0; i < SETTLE && !faulter_done; i++)
        missive_syscall(SYS_YIELD, 0, 0, &m);
    check("it retried the read and went on", faulter_done, 1);
    check("and read what the pager wrote", (long)faulter_value, 0xfeedf00d);
    check("suspend it", thread_suspend(S_FAULTER), ERR_OK);

    /* Each kind of exception reaches the handler with its vector; a reply
       with a non-zero label leaves the thread stopped. */
    /* Alignment checks (#AC, 17) and SIMD exceptions (#XM, 19) take the same
       path, but QEMU's TCG raises neither, so they cannot be tested here. */
    static const uint64_t kinds[] = {0, 3, 6, 13, 14, 16};
    for (unsigned k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        check("aim it at the next exception",
              thread_write_registers(S_FAULTER, (uint64_t)fault_kind, stack_top, kinds[k], 0, 0),
              ERR_OK);
        check("resume it", thread_resume(S_FAULTER), ERR_OK);
        long got = ERR_WOULD_BLOCK;
        for (int i = 0; i < SETTLE && got == ERR_WOULD_BLOCK; i++) {
            got = missive_syscall(SYS_NB_RECV, S_FAULT_EP, 0, &m);
            if (got == ERR_WOULD_BLOCK)
                missive_syscall(SYS_YIELD, 0, 0, &(struct missive_msg){0});
        }
        check("receive the fault", got, ERR_OK);
        if (got != ERR_OK) {
            printf("usertest: FAIL: exception %lu did not happen\n", (unsigned long)kinds[k]);
            thread_suspend(S_FAULTER);
            continue;
        }
        check("its vector", (long)m.mr[FAULT_MR_VECTOR], (long)kinds[k]);
        check("its rip is in the program", m.mr[FAULT_MR_RIP] >= USER_BASE, 1);
        check("leave it stopped", missive_syscall(SYS_REPLY, 0, MSG_TAG(1, 0, 0), &m), ERR_OK);
    }
}

/* --- fairness ------------------------------------------------------------------ */

static volatile uint64_t spin_count[2];

static void spinner(uint64_t index)
{
    for (;;)
        spin_count[index]++;
}

/* Two threads spinning at one priority, and this one: all three progress. */
void test_fairness(uint64_t ut)
{
    check("retype two spinners", untyped_retype(ut, CAP_THREAD, 0, S_SPIN_A, 2), ERR_OK);
    for (uint64_t i = 0; i < 2; i++)
        check("start a spinner",
              setup_thread_start(S_SPIN_A + i, (struct setup_thread){.priority = 10}, spinner, i),
              ERR_OK);
    check("lower my priority to theirs", thread_set_priority(ROOT_SLOT_THREAD, 10), ERR_OK);
    long r = thread_set_priority(ROOT_SLOT_THREAD, 11);
    check_bad_argument("and no way back up", r, THREAD_SET_PRIORITY_ARG_PRIORITY, 0, 10);
    uint64_t a0 = spin_count[0], b0 = spin_count[1];
    for (volatile uint64_t i = 0; i < 20000000; i++)
        ;
    int progressed = spin_count[0] > a0 && spin_count[1] > b0;
    check("both spinners ran while I spun", progressed, 1);
    printf("usertest: fairness: spinners counted %llu and %llu\n",
           (unsigned long long)spin_count[0], (unsigned long long)spin_count[1]);
    for (uint64_t i = 0; i < 2; i++)
        check("suspend a spinner", thread_suspend(S_SPIN_A + i), ERR_OK);
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

void test_avx(uint64_t ut)
{
    uint32_t a, b, c, d;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
    if (!(c & (1u << 28)) || !(c & (1u << 27))) {
        printf("usertest: caps: no AVX on this CPU; AVX state test skipped\n");
        return;
    }
    check("retype two AVX threads", untyped_retype(ut, CAP_THREAD, 0, S_AVX, 2), ERR_OK);
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
        check("suspend it", thread_suspend(S_AVX + i), ERR_OK);
}
