/*
 * The AHCI driver's hardware layer (docs/disks.md): the controller (hba.c: BIOS/OS handoff,
 * reset, AHCI mode, the ports found), each port's state machine and command slots (port.c:
 * issuing, completing, errors, time-outs, restarts), and the watchdog thread that gives the
 * driver its ticks (lib/libsys/watchdog.c). The block protocol's side (sessions, rings) is the
 * block server library's (lib/libsys/block_server.h), plugged in by main.c; the pure parts
 * (registers, IDENTIFY, FISes, PRDs) in lib/ahci.
 *
 * One thread serves everything: requests, doorbells, interrupts and ticks arrive through the
 * server library's loop (main.c), so no state here needs a lock. Nothing waits while the
 * driver serves: a port that must wait (a restart, a COMRESET) changes state and looks again
 * on the next tick, so one bad disk never holds up the others.
 */
#ifndef AHCI_DRIVER_H
#define AHCI_DRIVER_H

#include <stdbool.h>
#include <stdint.h>

#include "ahci/ahci.h"
#include "proto/block.h"

#define AHCI_SLOTS       32
#define AHCI_TICK_MS     100 /* the watchdog's period while anything is in flight */
#define AHCI_RETRIES     3   /* a failed command is tried again this often after a restart */
#define AHCI_MAX_REQUEST (256u * 1024) /* bytes, advertised in BLOCK_INFO */
#define AHCI_PORT_DMA    (64u * 1024)  /* per port: command list, FISes, tables, IDENTIFY */

/* Time-outs in milliseconds (MINIX 3's: 30 s for I/O, 60 s for a flush, 10 s for the rest),
   changeable from the manifest for tests (main.c's arguments). */
struct ahci_timeouts {
    uint32_t io_ms, flush_ms, other_ms;
};
extern struct ahci_timeouts ahci_timeouts;
/* The manifest's ncq=off (tests): READ/WRITE DMA EXT even where NCQ is there. */
extern bool ahci_no_ncq;

enum slot_state {
    SLOT_FREE = 0,
    SLOT_WAITING, /* built in its table, not yet handed to the HBA */
    SLOT_ISSUED,  /* in PxCI (and PxSACT if queued) */
};

struct ahci_slot {
    uint8_t state;     /* enum slot_state */
    uint8_t kind;      /* enum ahci_io_kind */
    bool queued;       /* NCQ: ends when its PxSACT bit clears */
    bool flush_after;  /* a FUA write the device cannot do: a flush follows in this slot */
    bool suspect;      /* in flight at an error: tried again alone (port.c) */
    uint8_t retries;   /* restarts this command has been through alone */
    uint64_t lba;      /* for the log line naming a failure */
    uint32_t count;    /* sectors */
    uint64_t seq;      /* submission order */
    uint64_t deadline; /* the tick it times out at */
    uint64_t cookie;   /* the block server library's request id */
};

enum port_state {
    PORT_RUNNING = 1,
    PORT_STOPPING,   /* PxCMD.ST cleared: waiting for PxCMD.CR to clear */
    PORT_RESET_HOLD, /* COMRESET asserted (PxSCTL.DET = 1) */
    PORT_RESET_WAIT, /* COMRESET released: waiting for the link and BSY to clear */
    PORT_FAILED,     /* gave up: every request fails with BLOCK_ERROR_NO_DEVICE */
};

struct ahci_port {
    unsigned index; /* the HBA's port number */
    unsigned disk;  /* the disk's index in BLOCK_INFO */
    volatile uint32_t *regs;
    uint8_t *dma;
    uint64_t dma_phys;
    struct ahci_command_header *list;
    struct ahci_command_table *tables;
    uint16_t *identify; /* 512 bytes of DMA memory */
    struct ahci_identity id;
    struct ahci_io_mode mode;
    unsigned depth;         /* slots used: min(HBA slots, device queue depth) */
    uint32_t free_mask;     /* slots free */
    uint32_t waiting_mask;  /* SLOT_WAITING */
    uint32_t issued_queued; /* SLOT_ISSUED, NCQ */
    uint32_t issued_plain;  /* SLOT_ISSUED, not queued */
    uint32_t suspect_mask;  /* slots to try again one at a time */
    uint32_t seen_sig;      /* PxSIG as hba_prepare read it (0: not read) */
    enum port_state state;
    uint64_t state_deadline; /* tick */
    bool reset_wanted;       /* the restart must COMRESET (a time-out, BSY stuck) */
    uint64_t seq;
    struct ahci_slot slots[AHCI_SLOTS];
    /* for BLOCK_STATS */
    uint64_t completed, failed, retries, resets;
};

struct ahci_hba {
    volatile uint32_t *regs;
    uint32_t cap;
    unsigned slots; /* command slots per port (CAP.NCS) */
    struct ahci_port *ports[AHCI_MAX_PORTS];
    unsigned port_count; /* disks found, in ports[0..port_count) */
    uint64_t tick;       /* watchdog ticks seen */
    uint64_t resets;     /* controller resets */
};

extern struct ahci_hba ahci_hba;

static inline uint32_t hba_read(unsigned offset)
{
    return ahci_hba.regs[offset / 4];
}

static inline void hba_write(unsigned offset, uint32_t value)
{
    ahci_hba.regs[offset / 4] = value;
}

static inline uint32_t port_read(const struct ahci_port *p, unsigned offset)
{
    return p->regs[offset / 4];
}

static inline void port_write(struct ahci_port *p, unsigned offset, uint32_t value)
{
    p->regs[offset / 4] = value;
}

/* hba.c: takes the controller from the firmware, resets it, enables AHCI mode and interrupts,
   and brings up every implemented port with an ATA disk behind it (IDENTIFY included).
   Waits (bounded, with PROC_SLEEP) only here, before serving. quiet (a restart or a swap):
   the controller's line and each disk's are not said again, failures are. Returns an error
   text or NULL. */
const char *hba_start(volatile uint32_t *abar, bool quiet);
/* Before the device is the driver's (a swap's new instance runs this while the old one still
   drives it, docs/processes.md): DMA memory for each port where a disk is seen, so that
   hba_start does not wait for memsrv; it only reads registers (PI, PxSSTS, PxSIG), which
   changes nothing for the driver that has the device. A port seen to hold an ATAPI drive is
   passed over by a quiet hba_start (the first start said so). */
void hba_prepare(volatile uint32_t *abar);

/* port.c */
/* Sets up a port's DMA memory and starts it (start-up only: waits are PROC_SLEEPs). Returns
   NULL, or why the port has no usable disk. */
const char *port_bring_up(struct ahci_port *p);
/* p's DMA memory (command list, FISes, tables, IDENTIFY's buffer), mapped and laid out; no
   register is touched, so hba_prepare calls it before the device is the driver's. False if
   memsrv gave none. */
bool port_dma(struct ahci_port *p);
/* p's DMA memory (if any) unmapped, for a port skipped: only while the port's CLB and FB do
   not point at it (never written, or its FIS receive stopped). */
void port_dma_drop(struct ahci_port *p);

/* A request for port_submit: the block server library's, checked already. */
struct port_io {
    uint8_t op; /* BLOCK_OP_* */
    bool fua;
    uint64_t lba;
    uint32_t count;                       /* sectors */
    const struct block_segment *segments; /* the buffer's physical pieces, in order */
    unsigned segment_count;
    uint64_t cookie; /* the library's request id */
};

#define PORT_SUBMIT_FULL (-1) /* no free slot: try again after a completion */
/* Builds io's command in a free slot (its FIS and its PRDs straight from the region's frames);
   it goes to the HBA at the next port_kick. Returns BLOCK_OK, PORT_SUBMIT_FULL, or a
   BLOCK_ERROR_* status for a request that fails at once (the port failed, or more pieces
   than a command table holds). */
int port_submit(struct ahci_port *p, const struct port_io *io);
/* Hands the commands built since the last kick to the HBA, as the rules allow (queued and
   unqueued commands never mixed, a flush alone, one at a time after an error). */
void port_kick(struct ahci_port *p);
/* The port's interrupt: completions, errors and restarts; what it readies goes to the HBA at
   the next port_kick (the block server library kicks after every interrupt). */
void port_interrupt(struct ahci_port *p);
/* A watchdog tick: time-outs and restart steps. */
void port_tick(struct ahci_port *p);
/* Whether anything is in flight or a restart is under way (the watchdog must tick). */
bool port_busy(const struct ahci_port *p);

/* main.c: the block server (lib/libsys/block_server.h) the completions go to; a port gave
   up (its disk is marked BLOCK_INFO_FAILED). */
extern struct block_server *ahci_server;
void disk_failed(const struct ahci_port *p);

/* The driver's bits on the block server's notification. */
#define AHCI_BIT_IRQ  0
#define AHCI_BIT_TICK 1

/* The lowest set bit's index and the number of set bits of a non-zero mask: the bit scans C11
   has no words for (GCC's builtins compile to one instruction each). */
static inline unsigned lowest_bit(uint32_t mask)
{
    return (unsigned)__builtin_ctz(mask);
}

static inline unsigned bit_count(uint32_t mask)
{
    return (unsigned)__builtin_popcount(mask);
}

#endif
