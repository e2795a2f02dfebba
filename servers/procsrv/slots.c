/* procsrv's CSpace slots: a bitmap over the root CSpace. */
#include "procsrv.h"

#define SLOTS (1u << ROOT_CSPACE_BITS)

static uint64_t used[SLOTS / 64];
static uint64_t search_from;

void slots_init(uint64_t first_free)
{
    for (uint64_t s = 0; s < first_free && s < SLOTS; s++)
        used[s / 64] |= 1ull << (s % 64);
    search_from = first_free;
}

uint64_t slot_alloc(void)
{
    for (uint64_t n = 0; n < SLOTS; n++) {
        uint64_t s = (search_from + n) % SLOTS;
        if (s != 0 && !(used[s / 64] & (1ull << (s % 64)))) {
            used[s / 64] |= 1ull << (s % 64);
            search_from = s + 1;
            return s;
        }
    }
    return 0;
}

void slot_free(uint64_t slot)
{
    if (slot && slot < SLOTS)
        used[slot / 64] &= ~(1ull << (slot % 64));
}

void slot_release(uint64_t slot)
{
    if (!slot)
        return;
    cspace_delete(ROOT_SLOT_CSPACE, slot);
    slot_free(slot);
}

long slot_save_reply(uint64_t *slot)
{
    *slot = slot_alloc();
    if (!*slot)
        return SERVICE_TOO_MANY;
    if (cspace_save_reply(ROOT_SLOT_CSPACE, *slot) != ERR_OK) {
        slot_free(*slot);
        *slot = 0;
        return SERVICE_INTERNAL;
    }
    return SERVICE_OK;
}
