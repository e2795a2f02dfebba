/*
 * The Missive kernel ABI shared by the kernel and user space: system calls,
 * the message layout, invocation labels, error codes, the user address-space
 * layout and the root task's boot capabilities. Documented in docs/abi.md.
 * Defined here once; neither side re-declares any of it.
 *
 * Register convention (`syscall`): RAX = system call number; RDI = the
 * capability slot invoked (or a badge, on return); RSI = the message tag;
 * message registers MR0-MR9 in RDX, R8, R9, R10, R12, R13, R14, R15, RBX,
 * RBP. On return RAX holds 0 or a negative error code, the other registers
 * the reply. RCX and R11 are clobbered, as by any x86_64 syscall.
 */
#ifndef MISSIVE_ABI_H
#define MISSIVE_ABI_H

enum missive_syscall {
    SYS_CALL = 0,       /* send to a capability and wait for the answer: an invocation
                           of a kernel object, or IPC call on an endpoint */
    SYS_SEND = 1,       /* endpoint send (blocks until received); notification signal */
    SYS_NB_SEND = 2,    /* as SYS_SEND, but never blocks (dropped if nobody waits) */
    SYS_RECV = 3,       /* endpoint receive; notification wait */
    SYS_NB_RECV = 4,    /* as SYS_RECV, but never blocks (notification poll) */
    SYS_REPLY = 5,      /* answer the last call received, through the one-shot reply */
    SYS_REPLY_RECV = 6, /* SYS_REPLY then SYS_RECV: the server loop's one call */
    SYS_YIELD = 7,      /* to the back of the caller's priority queue */
    SYS_COUNT
};

/* Message tag (RSI): label, length in words, capabilities transferred. */
#define MSG_TAG(label, length, caps)                                                               \
    (((unsigned long)(label) << 16) | ((unsigned long)(caps) << 8) | (unsigned long)(length))
#define MSG_LABEL(tag)  ((unsigned long)(tag) >> 16)
#define MSG_CAPS(tag)   (((unsigned long)(tag) >> 8) & 0x3)
#define MSG_LENGTH(tag) ((unsigned long)(tag)&0x7f)
#define MSG_REGISTERS   10 /* MR0-MR9 travel in registers */
#define MSG_MAX_LENGTH  64 /* MR10-MR63 travel in the IPC buffer */
#define MSG_MAX_CAPS    3

/* Invocation labels (enum missive_label), grouped by the object type they
   are invoked on, and the message registers of each one's arguments and
   answer: generated from lib/missive/invocations.txt (docs/abi.md). */
#include "missive/labels.h"

enum missive_error {
    ERR_OK = 0,
    ERR_INVALID_SYSCALL = -1,   /* no system call with that number */
    ERR_INVALID_SLOT = -2,      /* slot number outside the CSpace */
    ERR_EMPTY_SLOT = -3,        /* no capability in the slot */
    ERR_WRONG_TYPE = -4,        /* the capability is not of the type the call needs */
    ERR_MISSING_RIGHT = -5,     /* the capability lacks a right the call needs */
    ERR_INVALID_LABEL = -6,     /* the object type has no such invocation */
    ERR_INVALID_ARGUMENT = -7,  /* MR0 says which argument, MR1-MR2 the allowed range */
    ERR_SLOT_OCCUPIED = -8,     /* a destination slot is not empty */
    ERR_NOT_ENOUGH_MEMORY = -9, /* the Untyped has not that much room left */
    ERR_NOT_PERMITTED = -10,    /* not for this kind of capability (copying an Untyped), or not
                                   in this state (tracing already on) */
    ERR_NO_REPLY = -11,         /* nothing to reply to (or the reply was used already) */
    ERR_OBJECT_DELETED = -12,   /* the endpoint went away while the caller waited */
    ERR_WOULD_BLOCK = -13,      /* a non-blocking call found nobody to rendezvous with */
    ERR_ALREADY_MAPPED = -14,   /* the address (or the capability) is mapped already */
    ERR_MISSING_TABLE = -15,    /* no page table reaches the address: map one first */
    ERR_NOT_MAPPED = -16,       /* the frame is not mapped (or the receiver's IPC buffer is not) */
    ERR_INTERRUPTED = -17,      /* the thread was suspended while it waited */
};

/* The IPC buffer: a 4 KiB frame a thread registers with
   THREAD_SET_IPC_BUFFER. Words MR10 and up of a long message travel here
   (the kernel copies them only if both sides have a buffer; otherwise the
   message is cut to MSG_REGISTERS words). A sender with the grant right
   lists up to MSG_MAX_CAPS slots of its CSpace in caps[] and says how many
   in the tag; the receiver names where they go: receive_slot and the slots
   after it, which must be empty. The tag received says how many came. */
struct ipc_buffer {
    unsigned long mr[MSG_MAX_LENGTH]; /* mr[0]-mr[9] unused: they are in registers */
    unsigned long caps[MSG_MAX_CAPS];
    unsigned long receive_slot; /* 0: accept no capabilities */
};

/* The tag label of a receive ended by the thread's bound notification (the
   notification's word is in the badge). */
#define NOTIFICATION_LABEL 0xb17d

/* A fault message, sent by the kernel on behalf of a thread that took an
   exception, to the fault endpoint configured for it (as a call: replying
   with label 0 resumes the thread, any other label leaves it stopped). */
#define FAULT_LABEL 0xfa17
enum fault_mr {
    FAULT_MR_VECTOR = 0, /* the exception vector (14 page fault, 13 GP, 0 divide, ...) */
    FAULT_MR_RIP = 1,
    FAULT_MR_ADDRESS = 2, /* CR2 for page faults, else 0 */
    FAULT_MR_ERROR = 3,   /* the CPU's error code */
    FAULT_MR_RSP = 4,
    FAULT_MR_COUNT = 5,
};

/* The IPC trace. A buffer is one 2 MiB frame per CPU, given with
   DEBUG_TRACE_SET_BUFFER; its holder maps it (read-only will do) to read
   it. The kernel writes a header, then one record per IPC message
   delivered on that CPU, as a ring: record n (counting from 0 since
   DEBUG_TRACE_START) is records[n % capacity]; once written exceeds
   capacity the oldest are overwritten. */
#define TRACE_BUFFER_MAGIC 0x656361725476734dul /* "MsvTrace" */
#define TRACE_BUFFER_BITS  FRAME_LARGE_BITS     /* the frame's size: 2 MiB */

/* trace_record.kind: what was delivered, and by which path. */
enum trace_kind {
    TRACE_CALL = 1,  /* a call: the sender now waits for the reply */
    TRACE_SEND = 2,  /* a send (or a fault message: label FAULT_LABEL) */
    TRACE_REPLY = 3, /* a reply (directly or through a saved reply capability) */
};
#define TRACE_KIND_MASK 0x7f
#define TRACE_FAST      0x80 /* delivered by the fast path */
#define TRACE_NAME_MAX  15   /* a name has 0-15 bytes, NUL-padded, not always NUL-ended */

struct trace_record {              /* 64 bytes */
    unsigned long tsc;             /* rdtsc when delivered (instructions under -icount shift=0) */
    unsigned long tag;             /* as the receiver got it: MSG_LABEL, MSG_CAPS, MSG_LENGTH */
    unsigned long badge;           /* the receiver's badge (0 for a reply) */
    unsigned int sender, receiver; /* thread ids: unique since boot, given at creation */
    unsigned char kind;            /* enum trace_kind | TRACE_FAST */
    unsigned char cpu;
    char sender_name[TRACE_NAME_MAX], receiver_name[TRACE_NAME_MAX]; /* THREAD_SET_NAME's */
};

struct trace_buffer {
    unsigned long magic;     /* TRACE_BUFFER_MAGIC once given */
    unsigned long cpu;       /* the CPU it records */
    unsigned long capacity;  /* records it holds */
    unsigned long written;   /* records written since DEBUG_TRACE_START */
    unsigned long tsc_start; /* rdtsc at DEBUG_TRACE_START */
    unsigned long reserved[3];
    struct trace_record records[]; /* from byte 64 to the end of the frame */
};

/* Sizes of the objects retype makes (docs/abi.md, section 8.1), as log2 of
   their bytes: what a caller of UNTYPED_RETYPE needs to know to carve an
   Untyped, and what the kernel lays its objects out by. */
#define PAGE_BITS         12 /* the page: the small frame, the unit of every mapping */
#define PAGE_SIZE         (1ul << PAGE_BITS)
#define FRAME_SMALL_BITS  PAGE_BITS
#define FRAME_LARGE_BITS  21 /* 2 MiB */
#define CTE_BITS          6  /* a capability slot: a CSpace of n slot bits is n + 6 bits */
#define THREAD_BITS       12 /* a thread: its context, FPU state and links */
#define ENDPOINT_BITS     6
#define NOTIFICATION_BITS 6
#define VSPACE_BITS       13 /* the top-level page table, then a page of bookkeeping */
#define PAGE_TABLE_BITS   12
#define CSPACE_MIN_BITS   2 /* slot bits: 4 slots (one unusable) */
#define CSPACE_MAX_BITS   16
#define UNTYPED_MIN_BITS  12
#define UNTYPED_MAX_BITS  47
#define RETYPE_MAX_COUNT  256 /* objects one UNTYPED_RETYPE makes at most */

/* User address-space layout. */
#define USER_BASE 0x400000ul /* programs are linked here */
#define USER_END                                                                                   \
    0x7ffffffff000ul                     /* exclusive; the last page below the canonical hole      \
                                            stays unmapped so sysret never returns to it */
#define USER_STACK_TOP  0x7ffff0000000ul /* the root task's stack grows down from here */
#define USER_STACK_SIZE (64ul * 1024)
#define USER_IPC_BUFFER 0x7ffff0010000ul /* the root task's IPC buffer */
#define USER_BOOT_INFO  0x7ffff0020000ul /* the root task's struct boot_info, read-only */
#define USER_INITRD     0x7ffe00000000ul /* the initrd archive, read-only */

/* IRQ_CONTROL_GET's mode: how the line signals, as the MADT or a PCI route (_PRT) gives it.
   ISA lines are 0 (edge, active-high); a PCI INTx line is usually level-triggered and
   active-low, but the route says. */
enum irq_mode {
    IRQ_MODE_LEVEL = 1,      /* level-triggered (else edge) */
    IRQ_MODE_ACTIVE_LOW = 2, /* active-low (else active-high) */
};
#define IRQ_MSI_ADDRESS 0xfee00000ul /* MSI address: this, the destination APIC id << 12 */
/* The vectors IRQ_CONTROL_GET_MSI hands out (above the I/O APIC's 32-55, below the local
   timer's): the MSI data the pci server accepts. */
#define IRQ_MSI_VECTOR_FIRST 56
#define IRQ_MSI_VECTOR_LAST  0xee

/* The root task's CSpace at start (slot 0 is always empty). */
enum root_slot {
    ROOT_SLOT_CSPACE = 1,
    ROOT_SLOT_VSPACE = 2,
    ROOT_SLOT_THREAD = 3,
    ROOT_SLOT_DEBUG = 4,
    ROOT_SLOT_IRQ_CONTROL = 5,
    ROOT_SLOT_IO_PORT_CONTROL = 6,
    ROOT_SLOT_IPC_BUFFER = 7,  /* the frame mapped at USER_IPC_BUFFER */
    ROOT_SLOT_BOOT_INFO = 8,   /* the frame of struct boot_info */
    ROOT_SLOT_FIRST_FREE = 16, /* then: initrd frames, Untyped, device Untyped,
                                  framebuffer frames, as struct boot_info says */
};
#define ROOT_CSPACE_BITS 12 /* 4096 slots */

/* What the kernel tells the root task at start, in a read-only page at
   USER_BOOT_INFO. Slot ranges are in the root task's CSpace. */
#define BOOT_INFO_MAGIC       0x746f6f4273736d4dul /* "MmssBoot" */
#define BOOT_INFO_MAX_UNTYPED 192
#define BOOT_INFO_MAX_MEMORY  32

struct boot_info_memory {
    unsigned long base, length;
    unsigned long type; /* Multiboot2's: 1 RAM, 2 reserved, 3 ACPI reclaimable, 4 ACPI NVS, 5 bad */
};

struct boot_info_untyped {
    unsigned long phys;      /* physical address */
    unsigned char size_bits; /* 2^size_bits bytes */
    unsigned char device;    /* 1: device memory (frames only, never kernel objects) */
    unsigned char padding[6];
};

struct boot_info {
    unsigned long magic;
    unsigned long cpu_count;
    unsigned long tick_hz;
    unsigned long initrd_first, initrd_count;           /* read-only frames of the initrd */
    unsigned long initrd_size;                          /* bytes, mapped at USER_INITRD */
    unsigned long untyped_first, untyped_count;         /* untyped[i] is slot untyped_first + i */
    unsigned long framebuffer_first, framebuffer_count; /* frames of the framebuffer */
    unsigned long framebuffer_addr;
    unsigned int framebuffer_width, framebuffer_height, framebuffer_pitch;
    unsigned char framebuffer_bpp, framebuffer_type; /* type 1: RGB; 0 count: none */
    unsigned char padding[2];
    unsigned int rsdp_size;     /* bytes of rsdp (20 or 36); 0: none */
    unsigned char rsdp[36];     /* a copy of the ACPI root pointer */
    unsigned long memory_count; /* the firmware's memory map (the first BOOT_INFO_MAX_MEMORY) */
    struct boot_info_memory memory[BOOT_INFO_MAX_MEMORY];
    struct boot_info_untyped untyped[BOOT_INFO_MAX_UNTYPED];
};

#endif
