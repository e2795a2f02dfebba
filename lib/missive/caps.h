/*
 * Capability types and rights as user space sees them (docs/abi.md).
 * Shared by the kernel and libsys; defined here once.
 */
#ifndef MISSIVE_CAPS_H
#define MISSIVE_CAPS_H

enum cap_type {
    CAP_NULL = 0,
    CAP_UNTYPED = 1,
    CAP_FRAME = 2,
    CAP_VSPACE = 3,     /* an address space: its top-level page table */
    CAP_PAGE_TABLE = 4, /* a lower-level page table (PDPT, PD or PT once mapped) */
    CAP_THREAD = 5,
    CAP_ENDPOINT = 6,
    CAP_NOTIFICATION = 7,
    CAP_CSPACE = 8,
    CAP_IRQ_CONTROL = 9,
    CAP_IRQ_HANDLER = 10,
    CAP_IO_PORT_CONTROL = 11,
    CAP_IO_PORT = 12,
    CAP_REPLY = 13, /* one-shot reply right, made by call */
    CAP_DEBUG = 14, /* the kernel debug console */
    CAP_TYPE_COUNT
};

/* Rights. Frames use READ, WRITE, EXEC and PHYS (may learn the physical
   address, for DMA); endpoints SEND (= WRITE), RECEIVE (= READ) and GRANT
   (may transfer capabilities); notifications SEND (signal) and RECEIVE
   (wait). The other types ignore rights: holding the capability is what
   counts. */
#define CAP_RIGHT_READ    0x01u
#define CAP_RIGHT_WRITE   0x02u
#define CAP_RIGHT_EXEC    0x04u
#define CAP_RIGHT_GRANT   0x08u
#define CAP_RIGHT_PHYS    0x10u
#define CAP_RIGHT_RECEIVE CAP_RIGHT_READ
#define CAP_RIGHT_SEND    CAP_RIGHT_WRITE
#define CAP_RIGHTS_ALL    0x1fu

/* cap.flags */
#define CAP_FLAG_DEVICE 0x1u /* Untyped or Frame of device memory: never kernel objects */

#endif
