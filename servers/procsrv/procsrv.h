/*
 * procsrv, the root task: the one process the kernel starts. It starts
 * memsrv and everything the boot manifest names, loads programs from the
 * initrd, handles every process's faults, restarts servers, keeps the name
 * registry and the clock. Its protocol is lib/proto/proc.h; the design is
 * in docs/userspace.md.
 *
 * Single-threaded: one loop receives requests, faults and clock ticks in
 * turn, so nothing here needs a lock. (Its second thread, the pump of main.c,
 * only signals that loop's notification.)
 */
#ifndef PROCSRV_H
#define PROCSRV_H

#include <stdbool.h>
#include <stdint.h>

#include "ioport/ioport.h"
#include "libsys/invoke.h"
#include "libsys/libsys.h"
#include "libsys/server.h"
#include "manifest/manifest.h"
#include "proto/pci.h"
#include "proto/proc.h"

#define PROCSRV_MAX_PROCESSES 64
#define PROCSRV_HELD_MAX      8 /* ended instances of one PCI driver whose memory is kept */

/* procsrv's own CSpace slots (besides the boot ones of abi.h). */
extern uint64_t procsrv_endpoint;     /* requests and faults come here */
extern uint64_t memsrv_endpoint;      /* memsrv's service endpoint (unbadged) */
extern uint64_t procsrv_memsrv;       /* procsrv's own capability to memsrv (badged 1) */
extern uint64_t procsrv_reserve;      /* procsrv's Untyped for endpoints and its own tables */
extern uint64_t procsrv_notification; /* bound to procsrv's thread: the badges below */

/* The badges of procsrv's bound notification: the clock's interrupt, and the acpi server's
   power button (PROC_GRANT_ACPI_ROOT). */
#define PROCSRV_BADGE_CLOCK        1
#define PROCSRV_BADGE_POWER_BUTTON 2
#define PROCSRV_BADGE_BUILD_STEP   4 /* the pump (main.c): build a swap's next stage */

/* main.c: the pump, a thread of procsrv at PROC_PREPARE_PRIORITY that, once woken, signals
   procsrv's notification with PROCSRV_BADGE_BUILD_STEP: so a swap's instance is built a stage
   at a time, each only when no client is ready to run (process_build_step). */
void procsrv_pump_wake(void);
/* Whether the pump runs: without it a swap's instance would never be built, so no swap is
   prepared (process_swap swaps in one go). */
bool procsrv_pump_running(void);

/* The PCI function a driver was started for (PROC_PCI_DEVICE's words), kept across its
   restarts: each start grants it again. */
struct proc_device {
    bool present;
    uint64_t address, ids, class_word, irq_word;
    struct {
        uint64_t base, size, flags;
    } bars[PCI_BARS];
};

struct process {
    uint64_t pid; /* 0: a free entry */
    uint64_t parent;
    unsigned state;              /* enum proc_state */
    struct manifest_entry entry; /* what it was started as (name, program, options, args) */
    bool from_manifest;
    /* procsrv's slots: the Untyped everything of the process is made from
       (lent by memsrv), its CSpace, VSpace and main thread. */
    uint64_t untyped, cspace, vspace, thread;
    unsigned untyped_bits;
    uint64_t service; /* a server's endpoint: made by procsrv, kept across restarts and swaps */
    int64_t status;   /* exit status, once EXITED */
    unsigned restarts;
    unsigned launches;         /* instances of this entry started so far (proc_info.earlier) */
    uint64_t restart_tick;     /* when RESTARTING: the clock tick to start it again at */
    uint64_t waiter;           /* a saved reply of a PROC_WAIT for it (0: none) */
    struct proc_device device; /* a PCI driver's function */
    /* The program a swap replaced, while the swapped-in one has not ended yet: if it ends on
       its own (exits or faults), the swap did not hold and this one is started again. */
    char swapped_from[MANIFEST_PROGRAM_MAX + 1];
    /* A PCI driver's earlier instances whose memory memsrv has not got back yet: their device
       may still write into it until the next instance reset it (PROC_DEVICE_RESET). */
    uint64_t held[PROCSRV_HELD_MAX];
    unsigned held_count;
    /* A swap prepared before the handover (process_swap): in the old instance's entry, the new
       instance's (prepared) and the swap's caller's saved reply; in the new instance's, the
       entry it replaces. The new instance runs at PROC_PREPARE_PRIORITY without its device
       until PROC_TAKE_OVER (process_take_over). */
    struct process *prepared;
    uint64_t swap_reply;
    struct process *replaces;
    /* In the new instance's: the clock tick by which it must have sent PROC_TAKE_OVER, or it
       is killed (process_restart_due): so neither the swap's caller nor the next swap waits
       for ever on an instance that never takes over or never gets to run. */
    uint64_t take_over_tick;
};

/* slots.c: procsrv's CSpace. */
void slots_init(uint64_t first_free);
uint64_t slot_alloc(void); /* 0 if full */
void slot_free(uint64_t slot);
/* Deletes whatever is in slot and frees it (slot 0 is ignored). */
void slot_release(uint64_t slot);
/* Saves the reply owed to the caller being served into a fresh slot, to answer later: returns
   SERVICE_OK with the slot in *slot, or SERVICE_TOO_MANY (no slot free) or SERVICE_INTERNAL
   with *slot 0. */
long slot_save_reply(uint64_t *slot);

/* files.c: the initrd. */
void files_init(const void *archive, uint64_t size);
/* Finds path; returns false if it is not a file there. */
bool files_find(const char *path, const void **data, uint64_t *size);
/* The index-th regular file. */
bool files_at(uint64_t index, const char **path, uint64_t *path_length, uint64_t *size);

/* devices.c: device memory, from the kernel's device Untyped. */
/* procsrv's frame capability for the device page at phys (4 KiB aligned),
   made on first use and kept; 0 if phys is not device memory. */
uint64_t devices_frame(uint64_t phys);

/* firmware.c: the firmware memory holding the ACPI tables (the manifest's acpi). */
struct firmware_range {
    uint64_t first, end; /* page aligned, end exclusive */
};
/* The ranges to grant, at most max; each between 1 MiB and 4 GiB (device Untyped). */
unsigned firmware_acpi_ranges(struct firmware_range *out, unsigned max);
/* Their pages in all. */
uint64_t firmware_acpi_pages(void);

/* shutdown.c: the shutdown sequence (PROC_SHUTDOWN, PROC_REBOOT, the power button). */
/* PROC_SHUTDOWN and PROC_REBOOT (by label), PROC_SHUTDOWN_NOTIFY, PROC_SHUTDOWN_READY. */
long shutdown_request(struct server_call *call);
long shutdown_notify(struct server_call *call);
long shutdown_ready(struct server_call *call);
/* The power button was pressed (the acpi server signalled): starts a shutdown. */
void shutdown_power_button(void);
/* On each clock tick: powers off (or resets) once every registered server is ready or the
   wait is over. */
void shutdown_poll(void);
/* Process pid ended: it is not waited for. */
void shutdown_forget(uint64_t pid);

/* clock.c: the RTC's periodic interrupt, counted. */
bool clock_init(uint64_t notification);
void clock_tick(void);
uint64_t clock_ticks(void);
uint64_t clock_ms(void);
/* Saves the caller's reply and answers it once ms have passed. */
long clock_sleep(uint64_t pid, uint64_t ms);
/* Drops the sleeps of process pid, which ended: their saved replies go. */
void clock_forget(uint64_t pid);

/* loader.c: building a process. */
struct load_result {
    long error;           /* 0 or -(SERVICE_*) */
    const char *why;      /* for the log line on failure */
    uint64_t memory_bits; /* size of the Untyped it needs */
};
/* Checks the program and works out the memory it needs. */
struct load_result loader_check(const struct manifest_entry *entry);
/* Makes p's objects from p->untyped, ready to run but not resumed. On
   failure everything made so far is left for the caller to revoke with
   p->untyped. */
struct load_result loader_start(struct process *p, const char *extra_args, uint64_t extra_length);
/* procsrv's page window for filling frames. */
void loader_init(uint64_t table_untyped);
/* The build made in stages (one at a time), for p, whose memory is lent: loader_begin, then
   loader_step until it returns 0 (built, ready to run but not resumed) or -1 (failed:
   *failure says why; the rest is for the caller to revoke with p->untyped). 1: more to do. */
void loader_begin(struct process *p);
int loader_step(struct load_result *failure);

/* process.c */
struct process *process_find(uint64_t pid);
struct process *process_at(uint64_t index);
/* Starts a process for entry (with extra NUL-separated arguments).
   memory: an Untyped slot to build it from (memsrv's own), or 0 to borrow
   one from memsrv. Returns it, or NULL with *error set. */
struct process *process_start(const struct manifest_entry *entry, uint64_t parent, uint64_t memory,
                              unsigned memory_bits, long *error);
/* Starts a PCI driver for entry with the resources of device (granted at each start). */
struct process *process_start_driver(const struct manifest_entry *entry,
                                     const struct proc_device *device, long *error);
/* Ends p: its objects and memory go; names it registered go. A process the manifest started
   with a restart policy (restart=N) comes back after a crash or a kill (restart), at most N
   times. */
void process_end(struct process *p, int64_t status, bool restart);
/* PROC_KILL (stop false: restarted as after a crash, if its manifest entry says so) and
   PROC_STOP (stop true: ended for good, and a server's endpoint and name with it). */
void process_kill(struct process *p, bool stop);
/* PROC_DEVICE_RESET's work: the memory of p's earlier instances goes back to memsrv. */
void process_device_reset(struct process *p);
/* The running or restarting server the manifest named name, or NULL. */
struct process *process_server(const char *name);
void process_fault(uint64_t pid, const struct missive_msg *fault);
/* Replaces the server p runs by program, on the same endpoint: 0 (done, *new_pid set),
   PROCSRV_SWAP_PREPARED (the caller's reply is saved: answered at the handover, or when the
   new instance ends before it) or -(SERVICE_*). */
#define PROCSRV_SWAP_PREPARED 1
long process_swap(struct process *p, const char *program, uint64_t *new_pid);
/* PROC_TAKE_OVER from p: SERVICE_OK (at once for a process that replaces none; for a swap's
   new instance, once the old one has ended) or SERVICE_DENIED (not a PCI driver). */
long process_take_over(struct process *p);
/* The pump's signal: the next stage of the swap's instance being built, if any. */
void process_build_step(void);
/* Bytes memsrv has lent pid. */
uint64_t process_memory(uint64_t pid);
/* Frees an exited process's entry once its status was collected. */
void process_collect(struct process *p);
void process_restart_due(void);
/* pcidrivers.c: the manifest's PCI drivers (pci=), started as the pci server finds their
   functions. */
/* Keeps entry (a manifest line with pci=) to match functions against; false if full. */
bool pcidrivers_add(const struct manifest_entry *entry);
/* PROC_PCI_DEVICE. */
long pcidrivers_offered(struct server_call *call);
/* PROC_PCI_ECAM. */
long pcidrivers_map_ecam(struct server_call *call);

/* requests.c: procsrv's operations, for libsys's server library (server.h). */
extern const struct server_op requests_table[];
extern const unsigned requests_count;

/* trace.c: the IPC trace, with the argument `trace`. */
extern uint64_t trace_untyped; /* kept back from memsrv (0: none) */
/* Sets up the buffers from a RAM Untyped other than exclude and starts
   tracing; false (with a line saying why) if it cannot. */
bool trace_boot_start(uint64_t exclude);
/* PROC_TRACE_DUMP: stops tracing and prints the records. */
long trace_dump(struct request *r);

/* names.c */
long names_register(const char *name, uint64_t endpoint_slot, uint64_t owner);
uint64_t names_lookup(const char *name);
void names_drop_owner(uint64_t owner);
/* Registers (or replaces) a server's persistent endpoint. */
void names_set_service(const char *name, uint64_t endpoint_slot, uint64_t owner);

#endif
