/*
 * What every Missive server protocol shares (docs/protocols.md): how a reply
 * says whether the request worked, and how a client tells that a server went
 * away in the middle of a call.
 *
 * A request is a call on the server's endpoint: the label names the
 * operation, MR0.. its arguments. The reply's label is 0 for success or one
 * of enum service_error; its registers hold the results. The badge the
 * server sees is the caller's process id (procsrv mints every client's
 * capability so).
 *
 * A kernel error and a server status are different types on the client side
 * (lib/result/result.h: struct result says which), never told apart by value.
 */
#ifndef MISSIVE_PROTO_SERVICE_H
#define MISSIVE_PROTO_SERVICE_H

#include "missive/abi.h"

enum service_error {
    SERVICE_OK = 0,
    SERVICE_BAD_LABEL = 1,    /* no such request */
    SERVICE_BAD_LENGTH = 2,   /* the message is shorter than the request needs */
    SERVICE_BAD_ARGUMENT = 3, /* an argument is out of range: MR0-MR2 as below */
    SERVICE_NO_MEMORY = 4,    /* the system is out of memory */
    SERVICE_QUOTA = 5,        /* the client's quota does not allow it */
    SERVICE_NOT_FOUND = 6,    /* no such name, process, file or mapping */
    SERVICE_EXISTS = 7,       /* the name or address is taken */
    SERVICE_DENIED = 8,       /* only procsrv (or the owner) may do that */
    SERVICE_BAD_PROGRAM = 9,  /* the program is not a valid ELF for Missive */
    SERVICE_BUSY = 10,        /* another client holds it (a second reader) */
    SERVICE_TOO_MANY = 11,    /* a table is full */
    SERVICE_INTERNAL = 12,    /* the server itself failed (not the request's fault) */
    SERVICE_COUNT
};

/* A short name for each error, for messages. */
static inline const char *service_error_name(unsigned long error)
{
    static const char *const names[SERVICE_COUNT] = {"ok",
                                                     "unknown request",
                                                     "message too short",
                                                     "bad argument",
                                                     "out of memory",
                                                     "quota exceeded",
                                                     "not found",
                                                     "already exists",
                                                     "not permitted",
                                                     "bad program",
                                                     "busy",
                                                     "table full",
                                                     "internal error"};
    return error < SERVICE_COUNT ? names[error] : "unknown error";
}

/* A SERVICE_BAD_ARGUMENT reply says which argument was wrong and what it may
   be, in the layout of the kernel's ERR_INVALID_ARGUMENT answer: MR0 the
   argument's message register (from 0), MR1-MR2 the allowed range (inclusive;
   for a string or a set of bits, the lengths or values that would pass). */
enum service_bad_argument_mr {
    SERVICE_MR_ARGUMENT = 0,
    SERVICE_MR_MIN = 1,
    SERVICE_MR_MAX = 2,
    SERVICE_BAD_ARGUMENT_LENGTH = 3,
};
/* The argument a string is named by is the word it starts at, and its range the lengths in
   bytes it may have. A capability sent with the request is argument SERVICE_ARGUMENT_CAP + i
   (i: its place among the message's capabilities), with the range 0..0. */
#define SERVICE_ARGUMENT_CAP 64

/* The kernel errors a call returns when the server went away while the call
   was in progress (it was killed, crashed, or is being swapped): the thread
   that owed the reply died (ERR_OBJECT_DELETED) or a saved reply was
   dropped (ERR_NO_REPLY). The request may or may not have been carried out;
   the client libraries retry idempotent requests on these. */
#define SERVICE_CALL_LOST(err) ((err) == ERR_OBJECT_DELETED || (err) == ERR_NO_REPLY)

/* Strings travel as bytes packed into message words, little-endian, from a
   given word on: word i of a message is MR i (MR0-MR9 in registers, the rest
   in the IPC buffer). A name fits in PROTO_NAME_WORDS words. */
#define PROTO_NAME_MAX   31 /* bytes, without the terminating NUL */
#define PROTO_NAME_WORDS 4

#endif
