/*
 * memsrv's start-up and loop. procsrv moved the Untyped memory into this
 * CSpace before memsrv first ran (MEM_UNTYPED_SLOT_FIRST on); the pool
 * takes it over, and from then on every request is answered from it.
 */
#include <stdio.h>

#include "memsrv.h"
#include "proto/mem.h"
#include "proto/proc.h"

/* memsrv has no heap: it cannot ask itself for memory. Its bookkeeping is
   sized once, at start (pool.c). */
struct result libsys_heap_map(uint64_t address, uint64_t bytes)
{
    (void)address;
    (void)bytes;
    return result_from_reply(ERR_OK, SERVICE_NO_MEMORY, 0);
}

/* memsrv cannot give up: a receive that failed is tried again. */
static bool keep_serving(struct server *s, long error)
{
    (void)s, (void)error;
    return true;
}

static uint64_t slot_alloc_one(void)
{
    return slots_alloc(1);
}

static void slot_free_one(uint64_t slot)
{
    slots_free(slot, 1);
}

int main(void)
{
    const struct proc_info *info = libsys_proc_info();
    if (!info || !pool_init(info->free_slot, (unsigned)info->cspace_bits)) {
        printf("memsrv: error: no memory to manage; stopping\n");
        return 1;
    }
    clients_init();
    static struct server server = {
        .name = "memsrv",
        .endpoint = PROC_SLOT_SERVICE,
        .cspace = PROC_SLOT_CSPACE,
        .find_client = clients_find,
        .receive_failed = keep_serving,
        .slot_alloc = slot_alloc_one,
        .slot_free = slot_free_one,
    };
    server.ops = clients_table;
    server.op_count = clients_count;
    server_run(&server);
}
