/*
 * Invocations: operations on kernel objects, requested by SYS_CALL on their capabilities
 * (docs/abi.md). Each object type handles its own labels in its own file in two steps. Its decoder
 * checks every argument in order and writes them, checked, into a struct; on a failed check it
 * returns the error and, for ERR_INVALID_ARGUMENT, records which argument failed and the range
 * allowed (invoke_bad_argument). Decoders read the invocation and the objects it names, and call
 * nothing that needs the scheduler or the hardware, so the host unit tests run them as they are
 * (tests/unit/test_decode.c). Then the perform step does the work and cannot fail. Answers (MR0...)
 * go into the invocation; syscall.c copies them to the caller. All of it runs with the kernel lock
 * held.
 */
#ifndef MISSIVE_INVOKE_H
#define MISSIVE_INVOKE_H

#include <stdbool.h>
#include <stdint.h>

#include "cap.h"
#include "missive/abi.h"
#include "object.h"

struct thread;

#define INVOKE_REPLY_MAX 5 /* answers carry at most MR0-MR4 */

struct invocation {
    struct thread *caller;
    struct cspace *cspace; /* the caller's: slot arguments name its slots */
    struct cte *slot;      /* the capability invoked */
    uint64_t label;
    uint64_t mr[MSG_REGISTERS]; /* MR0-MR9 as sent; 0 past the message's length */
    uint64_t reply[INVOKE_REPLY_MAX];
    unsigned reply_length; /* the answer is reply[0 .. reply_length) */
};

/* Returned by an invocation that stopped part-way to let a pending
   interrupt in: the system call is re-executed later, and the operation
   continues from the progress it recorded. Never seen by user space. */
#define INVOKE_RESTART 1

/* How often that has happened since boot, with the stops of CSpace reaping
   (thread.c's preemption point; reported when idle). */
extern uint64_t preempted_invocations;

/* The highest slot number of cs. */
static inline uint64_t invoke_last_slot(const struct cspace *cs)
{
    return (1ull << cs->slot_bits) - 1;
}

/* Slot index of cs, empty or not: NULL if outside it (slot 0 is never usable). */
static inline struct cte *invoke_slot(struct cspace *cs, uint64_t index)
{
    return index == 0 || index > invoke_last_slot(cs) ? 0 : cspace_slot(cs, index);
}

/* Returns the occupied slot numbered index in cs, or NULL with *error
   ERR_INVALID_SLOT (cs NULL, index 0 or past the end) or ERR_EMPTY_SLOT. */
struct cte *invoke_lookup(struct cspace *cs, uint64_t index, long *error);

/* Decodes argument arg as a capability in the caller's CSpace into *cap.
   With min 0 the argument may be 0, for none (*cap NULL). Returns ERR_OK,
   or the bad argument (arg, min, last slot) if it names no capability. */
long invoke_cap_argument(struct invocation *inv, unsigned arg, uint64_t min, struct cte **cap);

/* Decodes argument arg as invoke_cap_argument does, then checks the capability given, if any: of
   type and not device memory (the kernel reaches what it is given through the direct map), else
   ERR_WRONG_TYPE; with every right in rights, else ERR_MISSING_RIGHT. */
long invoke_typed_argument(struct invocation *inv, unsigned arg, uint64_t min, unsigned type,
                           unsigned rights, struct cte **cap);

/* Decodes argument arg as an empty slot of the caller's CSpace into *slot:
   else the bad argument (arg, 1, last slot), or ERR_SLOT_OCCUPIED. */
long invoke_empty_argument(struct invocation *inv, unsigned arg, struct cte **slot);

/* Decodes argument arg, a number from 0 to max, into *value: else the bad
   argument (arg, 0, max). */
long invoke_value_argument(struct invocation *inv, unsigned arg, uint64_t max, uint64_t *value);

/* Records that argument failed, with the range allowed; returns ERR_INVALID_ARGUMENT. */
long invoke_bad_argument(struct invocation *inv, unsigned argument, uint64_t min, uint64_t max);

/* Sets answer register i (below INVOKE_REPLY_MAX). */
void invoke_reply(struct invocation *inv, unsigned i, uint64_t value);

/* The decoded arguments of each type's invocations (the labels' MRs are in
   docs/abi.md section 8), filled only by its decoder. */
struct untyped_retype {
    unsigned type, bits; /* of each object */
    uint64_t count;
    struct cte *dest; /* the first of count empty slots in a row */
    uint64_t start;   /* the first object's offset in the Untyped */
};
struct cspace_op {
    struct cte *slot; /* MR0's: the destination of copy, mint, move and save */
    struct cte *src;  /* copy, mint, move */
    uint64_t rights;  /* copy, mint: the mask */
    uint64_t badge;   /* mint */
};
struct thread_op {
    struct cte *cspace, *vspace; /* CONFIGURE */
    struct cte *cap;             /* the fault endpoint, IPC buffer or notification; NULL: none */
    union {
        uint64_t value; /* the priority, TLS base or CPU */
        struct {
            uint64_t rip, rsp, rdi, rsi, fs_base;
        } registers;   /* WRITE_REGISTERS */
        char name[16]; /* SET_NAME: NUL-padded */
    };
};
struct vspace_op {     /* VSpace and Frame invocations */
    struct cte *cap;   /* MAP_*: the Frame or PageTable */
    struct vspace *vs; /* where it is, or is to be, mapped */
    uint64_t *entry;   /* the page-table entry to write */
    uint64_t vaddr;    /* MAP_*: where */
    uint64_t rights;   /* MAP_FRAME, PROTECT */
    int level;         /* MAP_TABLE: the level the table becomes */
};
struct irq_op {
    struct cte *cap; /* CONTROL_GET: the empty slot; SET_NOTIFICATION: the notification */
    unsigned gsi;    /* the line: a GSI, or IOAPIC_MAX_GSIS and up for MSI vectors */
    unsigned mode;   /* CONTROL_GET: IRQ_MODE_* bits */
    unsigned cpu;    /* CONTROL_GET_MSI: the CPU it interrupts */
};
struct io_port_op {
    uint16_t first, last; /* ISSUE: the range */
    struct cte *dest;     /* ISSUE: the empty slot */
    uint16_t port;        /* IN, OUT */
    unsigned width;
    uint32_t value; /* OUT */
};
struct debug_op {
    uint64_t value;    /* WRITE: the length; EXIT: the status; the CPU */
    struct cte *frame; /* TRACE_SET_BUFFER: the buffer; NULL: none */
    char text[72];     /* WRITE: 8 bytes in each of MR1-MR9 */
};

/* Each type's decoder: ERR_OK with *out filled, or the error (and for
   ERR_INVALID_ARGUMENT which argument, in inv->reply). Changes nothing. */
long untyped_decode(struct invocation *inv, struct untyped_retype *out);
long cspace_decode(struct invocation *inv, struct cspace_op *out);
long thread_decode(struct invocation *inv, struct thread_op *out);
long vspace_decode(struct invocation *inv, struct vspace_op *out);
long frame_decode(struct invocation *inv, struct vspace_op *out);
long irq_control_decode(struct invocation *inv, struct irq_op *out);
long irq_handler_decode(struct invocation *inv, struct irq_op *out);
long io_port_control_decode(struct invocation *inv, struct io_port_op *out);
long io_port_decode(struct invocation *inv, struct io_port_op *out);
long debug_decode(struct invocation *inv, struct debug_op *out);

/* Each type's handler: decodes, then performs (which cannot fail, but may
   stop for an interrupt: INVOKE_RESTART); returns the error for RAX. */
long untyped_invoke(struct invocation *inv);
long cspace_invoke(struct invocation *inv);
long thread_invoke(struct invocation *inv);
long debug_invoke(struct invocation *inv);
long io_port_control_invoke(struct invocation *inv);
long io_port_invoke(struct invocation *inv);

#endif
