/*
 * Mapping frames a process holds into its own address space, making the page tables on the
 * way from memory memsrv lends (libsys/vmap.h). The compositor maps its clients' surfaces
 * and the client library its own this way.
 */
#include "libsys/vmap.h"
#include "libsys/invoke.h"
#include "libsys/service.h"

/* One page table from memsrv into a fresh slot; 0 if there is no memory or slot. */
static uint64_t vmap_new_table(void)
{
    uint64_t untyped = libsys_alloc_slot(), table = libsys_alloc_slot();
    if (!untyped || !table || !result_is_ok(mem_untyped(PAGE_BITS, untyped)))
        return 0;
    if (untyped_retype(untyped, CAP_PAGE_TABLE, 0, table, 1) != ERR_OK)
        return 0;
    return table;
}

long vmap_frame(uint64_t frame, uint64_t address, uint64_t rights)
{
    /* At most three tables are missing on the way (PDPT, PD, PT). */
    for (int level = 0; level < 4; level++) {
        long r = vspace_map_frame(PROC_SLOT_VSPACE, frame, address, rights);
        if (r != ERR_MISSING_TABLE)
            return r;
        uint64_t table = vmap_new_table();
        if (!table)
            return ERR_NOT_ENOUGH_MEMORY;
        r = vspace_map_table(PROC_SLOT_VSPACE, table, address, 0);
        if (r != ERR_OK)
            return r;
    }
    return ERR_MISSING_TABLE;
}

long vmap_tables(uint64_t address)
{
    for (int i = 0; i < 3; i++) {
        uint64_t table = vmap_new_table(), level = 0;
        if (!table)
            return ERR_NOT_ENOUGH_MEMORY;
        long r = vspace_map_table(PROC_SLOT_VSPACE, table, address, &level);
        if (r != ERR_OK || level == 0)
            return r;
    }
    return ERR_OK;
}
