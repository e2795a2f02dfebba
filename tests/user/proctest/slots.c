/* Slots given back are all taken again (libsys_put_slot, libsys_get_slot): 300 given back, more
   than the 256 libsys keeps without the heap, then 300 taken, none of them fresh. A server that
   forgets many clients at once (HMFS: 32 frame slots each) would otherwise lose the slots past
   256 for good. */
#include <stdint.h>

#include "libsys/service.h"
#include "proctest.h"

#define SLOTS 300

int slots_suite(void)
{
    static uint64_t given[SLOTS];
    static uint8_t seen[SLOTS];
    for (unsigned i = 0; i < SLOTS; i++)
        given[i] = libsys_alloc_slot();
    if (!given[SLOTS - 1]) {
        check_fail("no %u fresh slots to give back", SLOTS);
        return check_report("slots") != 0;
    }
    for (unsigned i = 0; i < SLOTS; i++)
        libsys_put_slot(given[i]);
    uint64_t fresh_before = libsys_alloc_slot();
    unsigned again = 0;
    for (unsigned i = 0; i < SLOTS; i++) {
        uint64_t slot = libsys_get_slot();
        if (slot >= given[0] && slot <= given[SLOTS - 1] && !seen[slot - given[0]]) {
            seen[slot - given[0]] = 1;
            again++;
        }
    }
    check("300 slots given back, 300 taken again", (long)again, SLOTS);
    check("no fresh slot taken meanwhile", (long)(libsys_alloc_slot() - fresh_before), 1);
    return check_report("slots") != 0;
}
