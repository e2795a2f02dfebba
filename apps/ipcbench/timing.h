/*
 * ipcbench's timed system calls (timing.asm): the TSC read right before the `syscall`
 * instruction and right after it returns, with the message registers loaded from and stored
 * back into a struct ibt_msg. The _nop twins run the same code with a 2-byte nop in place of
 * `syscall`: what they measure is the overhead subtracted from every figure.
 */
#ifndef IPCBENCH_TIMING_H
#define IPCBENCH_TIMING_H

#include <stdint.h>

#include "missive/abi.h"

struct ibt_msg {
    uint64_t mr[MSG_REGISTERS]; /* in: MR0-MR9 to send; out: those received */
    uint64_t number;            /* the system call (SYS_*) */
    uint64_t t_before;          /* out: the TSC right before the syscall */
    uint64_t t_after;           /* out: the TSC right after it returned */
    uint64_t badge, tag;        /* out: RDI and RSI as the kernel left them */
};

/* System call m->number on slot with tag and MR0-MR9 from m; returns RAX (0 or ERR_*). */
long ibt_syscall(uint64_t slot, uint64_t tag, struct ibt_msg *m);
/* The same, but MR1 carries the TSC read before the syscall instead of m->mr[1]: a server
   sends its "before reply_recv" time in the reply itself. */
long ibt_stamped(uint64_t slot, uint64_t tag, struct ibt_msg *m);
/* The twins with a nop for the syscall: they return m->number. */
long ibt_syscall_nop(uint64_t slot, uint64_t tag, struct ibt_msg *m);
long ibt_stamped_nop(uint64_t slot, uint64_t tag, struct ibt_msg *m);

#endif
