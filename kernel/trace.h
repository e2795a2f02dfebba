/*
 * The IPC trace: a record per IPC message delivered, written into a ring buffer per CPU that user
 * space provides as a 2 MiB Frame (struct trace_buffer, lib/missive/abi.h) and controls through the
 * Debug capability (DEBUG_TRACE_*). docs/ipc-performance.md, "IPC trace".
 *
 * The hooks in the IPC paths are one line each,
 *     if (trace_on) trace_ipc(sender, receiver, kind);
 * so that with tracing off they cost one load and a branch not taken.
 */
#ifndef MISSIVE_TRACE_H
#define MISSIVE_TRACE_H

#include <stdint.h>

#include "missive/abi.h"

struct thread;
struct invocation;

/* Non-zero while tracing: every online CPU then has a buffer. Written
   only under the kernel lock, read by the hooks (which hold it too). */
extern uint8_t trace_on;

/* Appends a record to this CPU's buffer: from just delivered a message to to, whose context holds
   it as transfer left it (the tag in RSI, the badge in RDI); kind is TRACE_CALL, _SEND or _REPLY,
   or'ed with TRACE_FAST on the fast path, which leaves them in from's context. The answer to a
   fault, which leaves to's registers alone, is called while to->fault_pending is still set: then
   the label comes from from's tag. Few arguments, so that the hook costs the fast path no
   registers. Needs: the kernel lock held, trace_on. Does nothing if this CPU's buffer was deleted
   meanwhile (revoked under the tracer). */
void trace_ipc(const struct thread *from, const struct thread *to, unsigned kind);

/* DEBUG_TRACE_SET_BUFFER, _START and _STOP, which the Debug capability's decoder and perform step
   (debug.c) hand over: trace_decode checks them (returns ERR_OK or the error), trace_perform, after
   it, cannot fail. Needs: the kernel lock. */
struct debug_op;
long trace_decode(struct invocation *inv, struct debug_op *out);
void trace_perform(struct invocation *inv, const struct debug_op *a);

#endif
