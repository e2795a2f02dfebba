/*
 * What the root-task tests set up again and again (testlib.h): Untyped to
 * retype from, fresh slots, objects, threads. Only for a program that
 * holds the root task's capabilities.
 */
#include <stdbool.h>
#include <stdint.h>

#include "testlib.h"

const struct boot_info *const setup_boot = (const struct boot_info *)USER_BOOT_INFO;

static uint64_t next_slot = SETUP_FIRST_SLOT;
static _Alignas(16) uint8_t stacks[SETUP_STACKS][SETUP_STACK_BYTES];
static unsigned stacks_used;

uint64_t setup_find_untyped(unsigned bits, bool device)
{
    for (uint64_t i = 0; i < setup_boot->untyped_count && i < BOOT_INFO_MAX_UNTYPED; i++)
        if (setup_boot->untyped[i].size_bits >= bits && setup_boot->untyped[i].device == device)
            return setup_boot->untyped_first + i;
    return 0;
}

uint64_t setup_slots(uint64_t count)
{
    uint64_t first = next_slot;
    next_slot += count;
    return first;
}

uint64_t setup_objects(uint64_t type, uint64_t size_bits, uint64_t count)
{
    uint64_t first = setup_slots(count);
    /* Untyped of 1 MiB and more: the small ones below 1 MiB are left for
       the suites that want exactly those. */
    for (uint64_t i = 0; i < setup_boot->untyped_count; i++) {
        if (setup_boot->untyped[i].device || setup_boot->untyped[i].size_bits < 20)
            continue;
        if (untyped_retype(setup_boot->untyped_first + i, type, size_bits, first, count) == ERR_OK)
            return first;
    }
    check_fail("no memory for %lu objects of type %lu", (unsigned long)count, (unsigned long)type);
    return first;
}

long setup_thread_start(uint64_t slot, struct setup_thread how, void (*entry)(uint64_t),
                        uint64_t arg)
{
    uint8_t *stack_top = how.stack_top;
    if (!stack_top) {
        if (stacks_used == SETUP_STACKS)
            return ERR_NOT_ENOUGH_MEMORY;
        stack_top = stacks[stacks_used++] + SETUP_STACK_BYTES;
    }
    long r = thread_configure(slot, how.cspace ? how.cspace : ROOT_SLOT_CSPACE, ROOT_SLOT_VSPACE,
                              how.priority, how.fault_endpoint);
    if (r == ERR_OK && how.pinned)
        r = thread_set_affinity(slot, how.cpu);
    /* rsp 8 below the top: as after a call, so entry's frame is aligned */
    if (r == ERR_OK)
        r = thread_write_registers(slot, (uint64_t)entry, (uint64_t)(stack_top - 8), arg, 0, 0);
    return r != ERR_OK ? r : thread_resume(slot);
}

long sys(long number, uint64_t slot, struct missive_msg *msg)
{
    return missive_syscall(number, slot, msg->tag, msg);
}

uint64_t setup_rtc_read(uint64_t ports, uint64_t reg)
{
    uint64_t value = 0;
    io_port_out(ports, 0x70, 1, reg);
    io_port_in(ports, 0x71, 1, &value);
    return value & 0xff;
}

void setup_rtc_write(uint64_t ports, uint64_t reg, uint64_t value)
{
    io_port_out(ports, 0x70, 1, reg);
    io_port_out(ports, 0x71, 1, value);
}

long setup_map_with_tables(uint64_t frame, uint64_t address, uint64_t ut, uint64_t table_first)
{
    for (uint64_t table = table_first;; table++) {
        long r =
            vspace_map_frame(ROOT_SLOT_VSPACE, frame, address, CAP_RIGHT_READ | CAP_RIGHT_WRITE);
        if (r != ERR_MISSING_TABLE || table > table_first + 2)
            return r;
        r = untyped_retype(ut, CAP_PAGE_TABLE, 0, table, 1);
        if (r == ERR_OK)
            r = vspace_map_table(ROOT_SLOT_VSPACE, table, address, NULL);
        if (r != ERR_OK)
            return r;
    }
}
