/*
 * The IPC trace's text form on the serial console, written by whoever
 * holds the trace buffers (procsrv, usertest) and read back on the host by
 * tools/trace/trace2json.py. Defined once here; docs/ipc-performance.md
 * ("IPC trace") documents it. Lines:
 *
 *   TRACE-BEGIN <cpus>
 *   TRACE-CPU <cpu> <written> <capacity> <tsc_start>     (decimal)
 *   TRACE-REC <128 hex digits: the 64 bytes of a struct trace_record>
 *   ...                                                   (oldest first)
 *   TRACE-END <records>
 *
 * A CPU block follows each TRACE-CPU line; written above capacity means
 * the oldest written - capacity records of that CPU were overwritten.
 * Pure code: host-tested (tests/unit/test_tracedump.c).
 */
#ifndef MISSIVE_TRACEDUMP_H
#define MISSIVE_TRACEDUMP_H

#include <stddef.h>
#include <stdint.h>

#include "missive/abi.h"

/* Longest line tracedump writes, with its newline and NUL. */
#define TRACEDUMP_LINE_MAX 144

/* Receives each line (NUL-ended, with its newline). */
typedef void (*tracedump_emit_fn)(const char *line, void *context);

/* Writes "TRACE-BEGIN <cpus>". */
void tracedump_begin(unsigned cpus, tracedump_emit_fn emit, void *context);

/* Writes b's TRACE-CPU line and its records still in the ring, oldest
   first. Needs: b a buffer the kernel set up (magic, capacity > 0), not
   being written (tracing stopped). Returns the records written out. */
uint64_t tracedump_buffer(const struct trace_buffer *b, tracedump_emit_fn emit, void *context);

/* Writes "TRACE-END <records>". */
void tracedump_end(uint64_t records, tracedump_emit_fn emit, void *context);

/* The record line for r into line (TRACEDUMP_LINE_MAX bytes). */
void tracedump_record_line(const struct trace_record *r, char line[TRACEDUMP_LINE_MAX]);

#endif
