/*
 * The process ABI (what every process finds when it starts) and procsrv's
 * protocol: spawn, exit, wait, kill, list, the name registry, swapping a
 * server, and sleeping. docs/protocols.md.
 */
#ifndef MISSIVE_PROTO_PROC_H
#define MISSIVE_PROTO_PROC_H

#include "missive/abi.h"
#include "proto/service.h"

/* --- a process at start ------------------------------------------------------------------ */

/* Its CSpace. Slots 1-3 and 7 are as the root task's (abi.h). */
enum proc_slot {
    PROC_SLOT_CSPACE = 1,
    PROC_SLOT_VSPACE = 2,
    PROC_SLOT_THREAD = 3,
    PROC_SLOT_DEBUG = 4,      /* the kernel debug console, only if the manifest grants it */
    PROC_SLOT_IPC_BUFFER = 7, /* the frame at USER_IPC_BUFFER */
    PROC_SLOT_INFO = 8,       /* the frame of struct proc_info (read-only) */
    PROC_SLOT_PROCSRV = 9,    /* procsrv, badged with this process's id */
    PROC_SLOT_MEMSRV = 10,    /* memsrv, badged likewise */
    PROC_SLOT_CONSOLE = 11,   /* the console server, badged likewise (empty before it runs) */
    PROC_SLOT_SERVICE = 12,   /* a server's own endpoint (receive, grant): clients reach it by
                                 its name; it outlives the server, so a swap keeps it */
    PROC_SLOT_GRANTS = 16,    /* then: what the manifest grants, as proc_info.grants lists */
    PROC_SLOT_GRANTS_END = 48,
    PROC_SLOT_MEMORY = 48, /* then: the process's own frames and page tables (image, stack) */
};

/* Its address space, besides the program at USER_BASE (abi.h): the stack
   below USER_STACK_TOP, the IPC buffer at USER_IPC_BUFFER, struct proc_info
   at USER_PROC_INFO, and the heap growing up from USER_HEAP_BASE (mapped by
   memsrv on request). */
#define USER_PROC_INFO       USER_BOOT_INFO
#define USER_HEAP_BASE       0x10000000000ul /* 1 TiB */
#define USER_HEAP_END        0x20000000000ul
#define PROC_STACK_SIZE      (64ul * 1024)
#define PROC_INFO_MAGIC      0x6f666e49636f7250ul /* "ProcInfo" */
#define PROC_MAX_GRANTS      (PROC_SLOT_GRANTS_END - PROC_SLOT_GRANTS)
#define PROC_ARGUMENTS_BYTES 448 /* argument and environment strings a spawn carries */

enum proc_grant_kind {
    PROC_GRANT_IO_PORTS = 1,     /* an I/O port capability: arg first port, arg2 last */
    PROC_GRANT_IRQ = 2,          /* an IRQ handler: arg the line (GSI); its notification is the
                                    next grant */
    PROC_GRANT_NOTIFICATION = 3, /* the notification the IRQ handler signals (badge 1) */
    /* device memory: slot the first of its frames (one per page), arg its physical address,
       arg2 where it is mapped in the process (read-write) */
    PROC_GRANT_MMIO = 4,
    /* another server's endpoint, badged with this process's id: arg and arg2 hold the first
       16 bytes of its name (NUL-padded) */
    PROC_GRANT_ENDPOINT = 5,
    /* The boot framebuffer (manifest option framebuffer): slot the first of its frames (one
       per page), arg its physical address, arg2 where its first page is mapped in
       the process (read-write; the first pixel is at arg2 + arg % 4096); the next grant is its
       mode */
    PROC_GRANT_FRAMEBUFFER = 12,
    /* arg width | height << 32 (pixels), arg2 pitch (bytes) | bits per pixel << 32 */
    PROC_GRANT_FRAMEBUFFER_MODE = 13,
};

/* Where a process finds the device memory the manifest grants it, one range after the
   other. */
#define PROC_MMIO_BASE 0x600000000000ul

struct proc_grant {
    unsigned long kind, slot, arg, arg2;
};

/* Read-only, at USER_PROC_INFO. */
struct proc_info {
    unsigned long magic;
    unsigned long pid;
    unsigned long tick_hz; /* the kernel's scheduler tick */
    unsigned long cpu_count;
    unsigned long free_slot;   /* the first slot of its CSpace the program may use */
    unsigned long cspace_bits; /* its CSpace has 2^cspace_bits slots */
    unsigned long grant_count;
    struct proc_grant grants[PROC_MAX_GRANTS];
    char name[PROTO_NAME_MAX + 1];
};

/* Process ids: procsrv is 1, memsrv 2; 0 is never a process. */
#define PROC_PID_PROCSRV 1
#define PROC_PID_MEMSRV  2

#define PROC_CLOCK_HZ   128
#define PROC_FILE_CHUNK 440 /* bytes a PROC_FILE_READ answers at most */
#define PROC_PATH_MAX   100

/* --- requests to procsrv --------------------------------------------------------------- */

enum proc_label {
    /* Strings: MR0 byte count n, then n bytes from word 1 on: the program's
       path in the initrd, NUL, each argument NUL-terminated (procsrv makes
       argv[0] the path), then optionally an empty string and the environment
       ("KEY=VALUE", each NUL-terminated) -> MR0 the new process's id. */
    PROC_SPAWN = 1,
    PROC_EXIT = 2,     /* MR0 status. No reply: the process ends. */
    PROC_WAIT = 3,     /* MR0 pid (a process the caller spawned) -> MR0 its exit status; waits */
    PROC_KILL = 4,     /* MR0 pid: ends it; its memory returns to memsrv (see PROC_STOP) */
    PROC_LIST = 5,     /* MR0 index (0, 1, ...) -> MR0 pid, MR1 state, MR2 memory bytes, MR3
                          restarts, MR4 parent pid, MR5-MR8 name; SERVICE_NOT_FOUND past the end */
    PROC_REGISTER = 6, /* MR0-MR3 name, capability 0 an endpoint: clients may now look it up */
    PROC_LOOKUP = 7,   /* MR0-MR3 name -> capability 0: the endpoint, badged with the caller's
                          id; SERVICE_NOT_FOUND (try again later: servers start in order) */
    /* MR0 byte count, then "name\0path\0": stop the server registered as name and start the
       program at path in its place, on the same endpoint -> MR0 the new pid */
    PROC_SWAP = 8,
    /* The monotonic clock: procsrv counts the RTC's periodic interrupt
       (PROC_CLOCK_HZ), so it has that resolution. */
    PROC_SLEEP = 9,   /* MR0 milliseconds: answers when they have passed */
    PROC_UPTIME = 10, /* -> MR0 milliseconds since procsrv started its clock */
    /* The files of the initrd (read-only). */
    PROC_FILE_LIST = 11, /* MR0 index -> MR0 size, MR1 path length n, path from MR2 on */
    /* MR0 offset, MR1 at most n bytes (up to PROC_FILE_CHUNK), MR2 path length, the path from
       MR3 on -> MR0 count (0 at the end), the bytes from MR1 on */
    PROC_FILE_READ = 12,
    /* MR0 CPU -> MR0 uptime in scheduler ticks, MR1 that CPU's busy ticks, MR2 its idle ticks,
       MR3 threads runnable on it; SERVICE_NOT_FOUND past the last CPU (the kernel's
       DEBUG_CPU_STATS, which only procsrv may call) */
    PROC_CPU_STATS = 13,
    /* Stops the IPC trace procsrv started (booted with its argument `trace`) and prints the
       records on the console (lib/tracedump) -> MR0 records printed; SERVICE_NOT_FOUND if it
       was not tracing. Repeatable: the records stay until the next boot. */
    PROC_TRACE_DUMP = 14,
    /* MR0 pid: ends it for good. PROC_KILL ends a process too, but a server or program the
       boot manifest gave a restart policy (restart=N) comes back from a kill as from a crash;
       a stopped one does not, and a stopped server's endpoint and name go with it. */
    PROC_STOP = 15,
};

enum proc_state {
    PROC_STATE_RUNNING = 1,
    PROC_STATE_EXITED = 2, /* waiting for its parent to collect the status */
    PROC_STATE_RESTARTING = 3,
    PROC_STATE_FAILED = 4, /* a server that crashed too often: not restarted */
};

#endif
