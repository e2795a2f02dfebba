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

/* A request or reply of up to MSG_MAX_LENGTH words: words 0-9 travel in
   registers, the rest in this thread's IPC buffer. */
struct request {
    uint64_t label;
    uint64_t length; /* words */
    struct missive_msg msg;
};

/* Word i of a received or prepared message (MR i). */
uint64_t request_word(const struct request *r, unsigned i);
void request_set_word(struct request *r, unsigned i, uint64_t value);
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

/* Each returns 0 or a negative number: -(SERVICE_* error) from the server,
   or a kernel ERR_* below -100 (ERR_x - 100) if the call itself failed. */
#define LIBSYS_KERNEL_ERROR(e) ((e)-100)

/* argv: the arguments after the program (NULL-terminated; NULL for none);
   envp: "KEY=VALUE" strings (NULL-terminated; NULL for none). */
long proc_spawn(const char *path, const char *const argv[], uint64_t *pid);
long proc_spawn_env(const char *path, const char *const argv[], const char *const envp[],
                    uint64_t *pid);
long proc_wait(uint64_t pid, int64_t *status);
long proc_kill(uint64_t pid);
long proc_swap(const char *name, const char *path, uint64_t *pid);
long proc_sleep_ms(uint64_t ms);
long proc_uptime_ms(uint64_t *ms);
/* One CPU's load: scheduler ticks since boot, busy and idle ticks, threads runnable. */
struct proc_cpu {
    uint64_t uptime, busy, idle, runnable;
};
long proc_cpu_stats(uint64_t cpu, struct proc_cpu *out);
/* PROC_TRACE_DUMP: procsrv prints its IPC trace; *records says how many. */
long proc_trace_dump(uint64_t *records);
/* Fills info for the index-th process (0, 1, ...); -SERVICE_NOT_FOUND past the end. */
struct proc_entry {
    uint64_t pid, state, memory, restarts, parent;
    char name[PROTO_NAME_MAX + 1];
};
long proc_list(uint64_t index, struct proc_entry *out);
/* Registers the endpoint in slot under name; looks one up into slot. */
long proc_register(const char *name, uint64_t slot);
long proc_lookup(const char *name, uint64_t slot);
/* initrd files: the index-th file's path and size; read up to n bytes at offset. */
long proc_file_list(uint64_t index, char *path, size_t path_size, uint64_t *size);
long proc_file_read(const char *path, uint64_t offset, void *buf, size_t n, size_t *got);

long mem_map(uint64_t address, uint64_t bytes, uint64_t rights);
long mem_unmap(uint64_t address);
long mem_dma(uint64_t address, uint64_t bytes, uint64_t *physical);
long mem_untyped(unsigned size_bits, uint64_t slot);
struct mem_stats {
    uint64_t total, free, clients;
    uint64_t free_blocks[MEM_MAX_ORDER + 1];
};
long mem_stats(struct mem_stats *out);
long mem_client_info(uint64_t index, uint64_t *client, uint64_t *quota, uint64_t *used);

/* Maps bytes of fresh memory at address for the heap (memsrv's MEM_MAP);
   0 or an error. memsrv replaces it. */
long libsys_heap_map(uint64_t address, uint64_t bytes);

/* POSIX clocks, which picolibc declares only for RTEMS: both count from
   boot at procsrv's clock's resolution (PROC_CLOCK_HZ). */
#ifndef CLOCK_MONOTONIC
#define CLOCK_MONOTONIC ((clockid_t)4) /* picolibc's value */
#endif
int clock_gettime(clockid_t clock, struct timespec *ts);

/* A fresh slot of this process's CSpace (from proc_info's free_slot up). */
uint64_t libsys_alloc_slot(void);

/* This process's proc_info, or NULL in the root task. */
const struct proc_info *libsys_proc_info(void);

#endif
