/*
 * libsys's client side of the server protocols (lib/proto/): a request
 * builder that packs words and bytes across the message registers and the
 * IPC buffer, and one call per request of procsrv, memsrv and the console.
 * Calls lost because the server went away (SERVICE_CALL_LOST) are retried.
 */
#ifndef MISSIVE_LIBSYS_SERVICE_H
#define MISSIVE_LIBSYS_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "libsys/libsys.h"
#include "proto/console.h"
#include "proto/mem.h"
#include "proto/proc.h"
#include "result/result.h"

/* This thread's IPC buffer, where words past MR9 and capabilities travel (request.c defines
   it). Thread-local rather than the one address USER_IPC_BUFFER, so that each thread libsys
   starts (libsys/thread.h) has a frame of its own and several can call or serve at once:
   every thread libsys serves from has thread-local storage (start.c's main thread, thread.c's,
   the console's helper), and reading it is one instruction, as loading the constant was
   (local-exec: an %fs-relative load). The template's value is USER_IPC_BUFFER, the main
   thread's; thread.c sets a started thread's own (the console's helper: USER_IPC_BUFFER). Threads
   without TLS (FS base 0: the watchdog, hmfs's ticker) must make only register-only system calls,
   as before. */
#ifdef __PICOLIBC__
extern _Thread_local struct ipc_buffer *libsys_ipc_buffer __attribute__((tls_model("local-exec")));
#else
extern _Thread_local struct ipc_buffer *libsys_ipc_buffer; /* host unit tests */
#endif

/* A request or reply of up to MSG_MAX_LENGTH words: words 0-9 travel in
   registers, the rest in this thread's IPC buffer (libsys_ipc_buffer). */
struct request {
    uint64_t label;
    uint64_t length; /* words */
    struct missive_msg msg;
};

/* Word i of a received or prepared message (MR i); 0 past MSG_MAX_LENGTH. Inline: servers and
   clients read and write a few words per request, and a call each cost more than the access. */
static inline uint64_t request_word(const struct request *r, unsigned i)
{
    if (i < MSG_REGISTERS)
        return r->msg.mr[i];
    return i < MSG_MAX_LENGTH ? libsys_ipc_buffer->mr[i] : 0;
}

/* Sets word i (MR i; nothing past MSG_MAX_LENGTH) and makes the request at least i + 1 long. */
static inline void request_set_word(struct request *r, unsigned i, uint64_t value)
{
    if (i < MSG_REGISTERS)
        r->msg.mr[i] = value;
    else if (i < MSG_MAX_LENGTH)
        libsys_ipc_buffer->mr[i] = value;
    if (i < MSG_MAX_LENGTH && i + 1 > r->length)
        r->length = i + 1;
}

/* Packs n bytes from word `first` on; returns false if they do not fit. */
bool request_put_bytes(struct request *r, unsigned first, const void *bytes, size_t n);
/* Unpacks n bytes from word `first` on into out (n must fit). */
void request_get_bytes(const struct request *r, unsigned first, void *out, size_t n);

/* Calls slot with the request; on return r holds the reply (label = its
   status). Returns the kernel's result (0 or ERR_*); retries up to a few
   times while the call is lost to a server going away. caps/receive: up to
   MSG_MAX_CAPS slots to send, and where to receive capabilities (0: none). */
long request_call(uint64_t slot, struct request *r, const uint64_t *caps, unsigned cap_count,
                  uint64_t receive_slot);

/* The result of a request_call that returned kernel_error, with r the reply: the kernel's
   error, or the server's status with a bad argument's index and range (result.h). */
struct result request_result(long kernel_error, const struct request *r);

/* Each call below returns a struct result (lib/result/result.h): success, the kernel's error
   (the call itself failed) or the server's status; outputs are written only on success. */

/* argv: the arguments after the program (NULL-terminated; NULL for none);
   envp: "KEY=VALUE" strings (NULL-terminated; NULL for none). */
struct result proc_spawn(const char *path, const char *const argv[], uint64_t *pid);
struct result proc_spawn_env(const char *path, const char *const argv[], const char *const envp[],
                             uint64_t *pid);
struct result proc_wait(uint64_t pid, int64_t *status);
struct result proc_kill(uint64_t pid);
/* PROC_STOP: ends pid for good (no restart; a server's endpoint and name go too). */
struct result proc_stop(uint64_t pid);
struct result proc_swap(const char *name, const char *path, uint64_t *pid);
struct result proc_sleep_ms(uint64_t ms);
struct result proc_uptime_ms(uint64_t *ms);
/* PROC_SHUTDOWN (or PROC_REBOOT): procsrv starts the shutdown sequence and answers at once. */
struct result proc_shutdown(bool reboot);
/* PROC_SHUTDOWN_NOTIFY: procsrv signals notification (a slot of the caller's) when a shutdown
   starts; the caller then answers proc_shutdown_ready(). */
struct result proc_shutdown_notify(uint64_t notification);
struct result proc_shutdown_ready(void);
/* PROC_DEVICE_RESET: a PCI driver tells procsrv its device is reset (no DMA for an earlier
   driver of it is under way), so the memory of earlier drivers may be reused. */
struct result proc_device_reset(void);
/* PROC_TAKE_OVER: a PCI driver is about to touch its device; a swap's new instance waits here
   until procsrv has ended the old one (pci_driver_enable_bus_master sends it). */
struct result proc_take_over(void);
/* One CPU's load: scheduler ticks since boot, busy and idle ticks, threads runnable. */
struct proc_cpu {
    uint64_t uptime, busy, idle, runnable;
};
struct result proc_cpu_stats(uint64_t cpu, struct proc_cpu *out);
/* PROC_TRACE_DUMP: procsrv prints its IPC trace; *records says how many. */
struct result proc_trace_dump(uint64_t *records);
/* Fills info for the index-th process (0, 1, ...); SERVICE_NOT_FOUND past the end. */
struct proc_entry {
    uint64_t pid, state, memory, restarts, parent;
    uint64_t flags; /* PROC_FLAG_* */
    char name[PROTO_NAME_MAX + 1];
};
struct result proc_list(uint64_t index, struct proc_entry *out);
/* Registers the endpoint in slot under name; looks one up into slot. */
struct result proc_register(const char *name, uint64_t slot);
struct result proc_lookup(const char *name, uint64_t slot);
/* initrd files: the index-th file's path and size; read up to n bytes at offset. */
struct result proc_file_list(uint64_t index, char *path, size_t path_size, uint64_t *size);
struct result proc_file_read(const char *path, uint64_t offset, void *buf, size_t n, size_t *got);

struct result mem_map(uint64_t address, uint64_t bytes, uint64_t rights);
struct result mem_unmap(uint64_t address);
struct result mem_dma(uint64_t address, uint64_t bytes, uint64_t *physical);
struct result mem_untyped(unsigned size_bits, uint64_t slot);
struct mem_stats {
    uint64_t total, free, clients;
    uint64_t free_blocks[MEM_MAX_ORDER + 1];
};
struct result mem_stats(struct mem_stats *out);
struct result mem_client_info(uint64_t index, uint64_t *client, uint64_t *quota, uint64_t *used);

/* Maps bytes of fresh memory at address for the heap (memsrv's MEM_MAP). memsrv replaces
   it. */
struct result libsys_heap_map(uint64_t address, uint64_t bytes);

/* POSIX clocks, which picolibc declares only for RTEMS: both count from
   boot at procsrv's clock's resolution (PROC_CLOCK_HZ). (Host unit tests,
   which build the pure parts of libsys against the host's C library, have
   their own.) */
#ifdef __PICOLIBC__
#ifndef CLOCK_MONOTONIC
#define CLOCK_MONOTONIC ((clockid_t)4) /* picolibc's value */
#endif
int clock_gettime(clockid_t clock, struct timespec *ts);
#endif

/* A fresh slot of this process's CSpace (from proc_info's free_slot up). */
uint64_t libsys_alloc_slot(void);
/* A slot for one capability: one given back by libsys_put_slot if any, else a fresh one (0:
   none left). Never for a run of consecutive slots (libsys_make_frames counts fresh ones). */
uint64_t libsys_get_slot(void);
/* Deletes the capability in slot (0: nothing) and keeps the slot for libsys_get_slot (past
   256 kept, in memory from the heap: without any, the slot is lost). */
void libsys_put_slot(uint64_t slot);

/* This process's proc_info, or NULL in the root task. */
const struct proc_info *libsys_proc_info(void);

#endif
