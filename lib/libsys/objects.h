/*
 * Making kernel objects in this process from memory memsrv lends (libsys/objects.c): the one
 * place that asks for a fresh Untyped and retypes it, for the libraries that need a
 * notification, a ring frame or a region of frames of their own (the block client and server,
 * the file client, the gfx client).
 */
#ifndef MISSIVE_LIBSYS_OBJECTS_H
#define MISSIVE_LIBSYS_OBJECTS_H

#include <stdint.h>

#include "result/result.h"

/* Makes one kernel object of type (bits: its size argument, as untyped_retype takes it) of
   4 KiB or less, from a fresh 4 KiB Untyped, into a fresh slot stored in *slot. Returns the
   failure (memsrv's, the kernel's, or SERVICE_TOO_MANY without slots); *slot is 0 then. */
struct result libsys_make_object(unsigned type, unsigned bits, uint64_t *slot);

/* Makes count frames of 2^bits bytes (PAGE_BITS or FRAME_LARGE_BITS) in consecutive fresh
   slots, the first stored in *first: 4 KiB frames from one Untyped large enough for all of
   them, larger frames from one Untyped each. If address is not 0, maps them read-write one
   after the other from there. Returns the failure (memsrv's, the kernel's, or
   SERVICE_TOO_MANY without consecutive slots); what was made stays with the process then. */
struct result libsys_make_frames(unsigned bits, unsigned count, uint64_t address, uint64_t *first);

#endif
