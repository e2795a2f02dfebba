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
long libsys_heap_map(uint64_t address, uint64_t bytes)
{
    (void)address;
    (void)bytes;
    return -SERVICE_NO_MEMORY;
}

int main(void)
{
    const struct proc_info *info = libsys_proc_info();
    if (!info || !pool_init(info->free_slot, (unsigned)info->cspace_bits)) {
        printf("memsrv: error: no memory to manage; stopping\n");
        return 1;
    }
    clients_init();
    struct ipc_buffer *buffer = (struct ipc_buffer *)USER_IPC_BUFFER;
    uint64_t receive = slots_alloc(1), reply_cap = 0;
    struct request r = {0};
    buffer->receive_slot = receive;
    long e = missive_syscall(SYS_RECV, PROC_SLOT_SERVICE, 0, &r.msg);
    for (;;) {
        if (reply_cap) { /* moved to the caller: the slot is empty again */
            slots_free(reply_cap, 1);
            reply_cap = 0;
        }
        uint64_t received = 0;
        if (e == ERR_OK && MSG_CAPS(r.msg.tag)) {
            received = receive;
            receive = slots_alloc(1);
        }
        if (e != ERR_OK) {
            buffer->receive_slot = receive;
            e = missive_syscall(SYS_RECV, PROC_SLOT_SERVICE, 0, &r.msg);
            continue;
        }
        r.label = MSG_LABEL(r.msg.tag);
        r.length = MSG_LENGTH(r.msg.tag);
        long status = clients_request(r.msg.badge, &r, received, &reply_cap);
        buffer->receive_slot = receive;
        buffer->caps[0] = reply_cap;
        uint64_t length = r.length < MSG_MAX_LENGTH ? r.length : MSG_MAX_LENGTH;
        e = missive_syscall(SYS_REPLY_RECV, PROC_SLOT_SERVICE,
                            MSG_TAG(status, length, reply_cap ? 1 : 0), &r.msg);
    }
}
