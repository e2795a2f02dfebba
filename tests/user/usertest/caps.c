/*
 * usertest's capability and IPC suite: every system call and invocation
 * the kernel has, on its success path and its error paths, from the root
 * task (which holds the boot capabilities in the slots of abi.h). Each check
 * prints nothing unless it fails; the last line counts them. This file has
 * the order of the parts (caps.h), the system calls and slot lookup every
 * invocation goes through, and the boot info page; each kind of object has
 * a file of its own.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "caps.h"

static void test_syscall_and_slot_errors(void)
{
    struct missive_msg m = {0};
    check("unknown syscall", missive_syscall(SYS_COUNT, 1, 0, &m), ERR_INVALID_SYSCALL);
    check("negative syscall", missive_syscall(-1, 1, 0, &m), ERR_INVALID_SYSCALL);
    check("slot 0", missive_syscall(SYS_CALL, 0, 0, &m), ERR_INVALID_SLOT);
    check("slot past the CSpace", missive_syscall(SYS_CALL, SETUP_ROOT_SLOTS, 0, &m),
          ERR_INVALID_SLOT);
    check("slot -1", missive_syscall(SYS_CALL, UINT64_MAX, 0, &m), ERR_INVALID_SLOT);
    check("empty slot", missive_syscall(SYS_CALL, S_EMPTY, 0, &m), ERR_EMPTY_SLOT);
    check("send to the debug cap", missive_syscall(SYS_SEND, ROOT_SLOT_DEBUG, 0, &m),
          ERR_WRONG_TYPE);
    check("recv on a thread cap", missive_syscall(SYS_RECV, ROOT_SLOT_THREAD, 0, &m),
          ERR_WRONG_TYPE);
    check("unknown label", invoke_call(ROOT_SLOT_DEBUG, 999, 0, &m), ERR_INVALID_LABEL);
    check("reply with nothing to reply to", missive_syscall(SYS_REPLY, 0, 0, &m), ERR_NO_REPLY);
    long r = debug_write(ROOT_SLOT_DEBUG, 73, (const uint64_t[9]){0});
    check_bad_argument("debug write too long", r, DEBUG_WRITE_ARG_LENGTH, 0, 72);
    check("yield", missive_syscall(SYS_YIELD, 0, 0, &m), ERR_OK);
}

/* The boot info page, the initrd frames and device memory. */
static void test_boot_info(void)
{
    struct cspace_identity id = {0};
    check("boot info magic", setup_boot->magic == BOOT_INFO_MAGIC, 1);
    check("one to 16 CPUs", setup_boot->cpu_count >= 1 && setup_boot->cpu_count <= 16, 1);
    check("the tick rate", (long)setup_boot->tick_hz, 1000);
    check("the initrd is mapped", setup_boot->initrd_size > 0 && setup_boot->initrd_count > 0, 1);
    check("and starts with the newc magic", !memcmp((const void *)USER_INITRD, "070701", 6), 1);
    check("initrd frames are read-only",
          cspace_identify(ROOT_SLOT_CSPACE, setup_boot->initrd_first, &id) == ERR_OK &&
              id.type == CAP_FRAME && id.rights == CAP_RIGHT_READ,
          1);
    check("the boot info frame is read-only",
          cspace_identify(ROOT_SLOT_CSPACE, ROOT_SLOT_BOOT_INFO, &id) == ERR_OK &&
              id.rights == CAP_RIGHT_READ,
          1);
    check("the memory map", setup_boot->memory_count >= 3 && setup_boot->memory[0].type == 1, 1);
    check("an RSDP copy", setup_boot->rsdp_size >= 20 && !memcmp(setup_boot->rsdp, "RSD PTR ", 8),
          1);
    uint64_t ram = 0;
    for (uint64_t i = 0; i < setup_boot->untyped_count; i++)
        if (!setup_boot->untyped[i].device)
            ram += 1ul << setup_boot->untyped[i].size_bits;
    check("hundreds of MiB of RAM as Untyped", ram > (400ul << 20), 1);
    uint64_t dev = setup_find_untyped(UNTYPED_MIN_BITS, true);
    check("device memory as Untyped", dev != 0, 1);
    if (dev) {
        long r = untyped_retype(dev, CAP_ENDPOINT, 0, S_SPARE, 1);
        check_bad_argument("no kernel objects from device memory", r, UNTYPED_RETYPE_ARG_TYPE,
                           CAP_UNTYPED, CAP_FRAME);
    }
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
    test_derivation();
    test_notification_signals(ut);
    test_cspace_move();
    printf("usertest: caps: threads\n");
    test_thread_configuration(ut);
    test_endpoint_calls(ut);
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
