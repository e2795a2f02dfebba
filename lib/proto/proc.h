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
    /* The manifest's `acpi` (the acpi server): firmware memory holding ACPI tables, read-only,
       mapped at PROC_ACPI_BASE + its physical address: slot the first of its frames (one per
       page), arg the first physical address, arg2 the end (exclusive), both page aligned. */
    PROC_GRANT_ACPI_MEMORY = 6,
    /* The manifest's `acpi`: slot a notification that tells procsrv the power button was
       pressed (signal it: procsrv starts the shutdown sequence); arg the length of the RSDP
       (20 or 36; 0: the boot loader found none), arg2 where its copy is mapped (read-only). */
    PROC_GRANT_ACPI_ROOT = 7,
    /* A PCI driver's function (manifest pci=; docs/platform.md). Its INTx, when it has no MSI
       or the manifest says msi=off, is a PROC_GRANT_IRQ (arg the GSI) with its notification. */
    /* a memory BAR: slot its first frame (one per page, uncached), arg where it is mapped
       (read-write), arg2 its size (page aligned) | the BAR's index */
    PROC_GRANT_PCI_MEMORY = 8,
    /* an I/O BAR: slot its I/O port capability, arg the first port, arg2 the last port | the
       BAR's index << 16 */
    PROC_GRANT_PCI_PORTS = 9,
    /* an MSI handler: arg the MSI address and arg2 the data to give PCI_MSI_ENABLE; its
       notification is the next grant */
    PROC_GRANT_MSI = 10,
    /* the pci server's endpoint, badged for this function alone (lib/proto/pci.h): arg the
       function's address, arg2 vendor | device << 16 */
    PROC_GRANT_PCI = 11,
    /* The boot framebuffer (manifest option framebuffer): slot the first of its frames (one
       per page), arg its physical address, arg2 where its first page is mapped in
       the process (read-write; the first pixel is at arg2 + arg % 4096); the next grant is its
       mode */
    PROC_GRANT_FRAMEBUFFER = 12,
    /* arg width | height << 32 (pixels), arg2 pitch (bytes) | bits per pixel << 32 */
    PROC_GRANT_FRAMEBUFFER_MODE = 13,
    /* An MSI-X function's further vectors, after its PROC_GRANT_MSI (which interrupts CPU 0):
       the n-th of these interrupts CPU n (one per CPU, PROC_MSIX_VECTORS in all at most, fewer
       when the kernel has no vector left): slot its MSI handler (no notification comes with it:
       the driver binds one), arg the MSI address and arg2 the data for its MSI-X table entry
       n. A driver that uses one vector ignores them. */
    PROC_GRANT_MSIX_VECTOR = 14,
};
#define PROC_MSIX_VECTORS 8

/* Where the acpi server finds the firmware memory of PROC_GRANT_ACPI_MEMORY (physical
   address + PROC_ACPI_BASE) and the page holding the RSDP's copy. */
#define PROC_ACPI_BASE 0x500000000000ul
#define PROC_ACPI_RSDP (PROC_ACPI_BASE - 0x1000ul)

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
    /* Instances of the same entry that ran before this one (it was restarted or swapped in):
       0 at its first start. A driver says less on the console when it is not 0. */
    unsigned long earlier;
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
                          restarts, MR4 parent pid, MR5-MR8 name, MR9 flags (PROC_FLAG_*);
                          SERVICE_NOT_FOUND past the end */
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
    /* The pci server only, once per function it found: MR0 the function's address
       (lib/proto/pci.h), MR1 vendor | device << 16, MR2 class << 16 | subclass << 8 | prog-if,
       MR3 its interrupt word (PCI_IRQ_*), MR4-MR21 its six BARs (base, size, flags each) ->
       MR0 the pid of the driver procsrv started for it (0: the manifest names none), MR1-MR4
       the driver's name. procsrv answers without calling the pci server. */
    PROC_PCI_DEVICE = 16,
    /* The pci server only: MR0 the physical address of one bus's ECAM window (1 MiB, 1 MiB
       aligned, below 2^40, device memory), MR1 the first of MR2 empty slots of the caller's
       CSpace (at least PROC_PCI_ECAM_SLOTS) -> -: the window is mapped uncached, read-write,
       at PROC_ECAM_BASE + its physical address; its frames and page tables go into those
       slots. */
    PROC_PCI_ECAM = 17,
    /* The shutdown sequence (docs/platform.md): procsrv signals every server that asked to
       hear of it (PROC_SHUTDOWN_NOTIFY), waits for each to answer PROC_SHUTDOWN_READY, at most
       PROC_SHUTDOWN_WAIT_MS, then asks the acpi server to power off (or reset). The reply comes
       at once (SERVICE_OK: the sequence started); SERVICE_NOT_FOUND: no acpi server, or it
       found no way to power off (no ACPI); SERVICE_BUSY: a sequence is under way already. */
    PROC_SHUTDOWN = 20,
    PROC_REBOOT = 21,
    /* Capability 0 a notification: procsrv signals it (its badge) when the shutdown
       sequence starts; the caller then answers PROC_SHUTDOWN_READY once it is ready. */
    PROC_SHUTDOWN_NOTIFY = 22,
    PROC_SHUTDOWN_READY = 23, /* the caller is ready for the power to go */
    /* A PCI driver only (procsrv started it for a function): it has reset its device, which
       no longer writes into memory by DMA for an earlier driver of that function -> -: the
       memory of those drivers, which procsrv kept from memsrv since they ended, goes back
       (docs/platform.md, "A driver's death"). SERVICE_DENIED from any other process. */
    PROC_DEVICE_RESET = 24,
    /* A PCI driver only, before it touches its device (libsys's pci_driver_enable_bus_master
       sends it): answers at once, unless the caller is the new instance of a swap that is
       being prepared (docs/processes.md, "Swapping a block driver"). Such an instance runs at
       PROC_PREPARE_PRIORITY while the old one still serves, with PROC_SLOT_SERVICE empty; this
       request ends the old one, puts the endpoint in the caller's PROC_SLOT_SERVICE, gives the
       caller its manifest priority and answers -: the device and the endpoint are the caller's
       from then on. An instance that has not sent it PROC_TAKE_OVER_WAIT_MS after the swap
       began is killed and the swap fails (the old instance serves on). SERVICE_DENIED from any
       other process. */
    PROC_TAKE_OVER = 25,
};
/* The priority of a swap's new instance until PROC_TAKE_OVER: below every client's, so what it
   prepares (memory, its server's state) runs only while they wait. */
#define PROC_PREPARE_PRIORITY 10
/* How long a prepared swap waits for its new instance's PROC_TAKE_OVER (its build included). */
#define PROC_TAKE_OVER_WAIT_MS 10000
#define PROC_PCI_DEVICE_LENGTH 22
#define PROC_PCI_ECAM_SLOTS    (256 + 3) /* a bus's frames and up to three page tables */
#define PROC_ECAM_BASE         0x680000000000ul

#define PROC_SHUTDOWN_WAIT_MS 2000 /* how long procsrv waits for PROC_SHUTDOWN_READY */

/* PROC_LIST's flags: what the manifest says a process serves. */
#define PROC_FLAG_BLOCK 1ul /* a block server (manifest option block; lib/proto/block.h) */

enum proc_state {
    PROC_STATE_RUNNING = 1,
    PROC_STATE_EXITED = 2, /* waiting for its parent to collect the status */
    PROC_STATE_RESTARTING = 3,
    PROC_STATE_FAILED = 4, /* a server that crashed too often: not restarted */
};

#endif
