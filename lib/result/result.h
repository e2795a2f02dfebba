/*
 * The one error model of Missive's user space (docs/protocols.md, "Errors"): every libsys
 * client call returns a struct result, which says by its source, not by a numeric range,
 * whether the kernel refused the call (a negative ERR_* of lib/missive/abi.h) or the server
 * answered with a status (a SERVICE_* of lib/proto/service.h). A bad argument carries which
 * argument (its message register) and the range allowed, from the kernel (ERR_INVALID_ARGUMENT)
 * and from a server (SERVICE_BAD_ARGUMENT) alike: both put them in MR0-MR2 of the answer.
 *
 * Pure: no system calls, so host unit tests compile it unchanged.
 */
#ifndef MISSIVE_RESULT_H
#define MISSIVE_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/service.h"

enum result_source {
    RESULT_OK = 0,      /* it worked */
    RESULT_KERNEL = 1,  /* the kernel refused the call or invocation: code is an ERR_* (< 0) */
    RESULT_SERVICE = 2, /* the server answered with an error: code is a SERVICE_* (> 0) */
};

struct result {
    enum result_source source;
    long code;         /* 0, an ERR_* or a SERVICE_*, as source says */
    unsigned argument; /* a bad argument: its message register (MR index, from 0) */
    uint64_t min, max; /* ... and the range it must lie in */
};

/* Success. */
static inline struct result result_ok(void)
{
    return (struct result){RESULT_OK, 0, 0, 0, 0};
}

/* Whether r is success. */
static inline bool result_is_ok(struct result r)
{
    return r.source == RESULT_OK;
}

/* Whether the server answered r with status (a SERVICE_* other than SERVICE_OK). */
static inline bool result_is_service(struct result r, enum service_error status)
{
    return r.source == RESULT_SERVICE && r.code == (long)status;
}

/* Whether r is what a protocol says a call answers: success for SERVICE_OK, else the server's
   status. */
static inline bool result_has_status(struct result r, enum service_error status)
{
    return status == SERVICE_OK ? result_is_ok(r) : result_is_service(r, status);
}

/* Whether the kernel answered r with error (an ERR_*, below 0). */
static inline bool result_is_kernel(struct result r, long error)
{
    return r.source == RESULT_KERNEL && r.code == error;
}

/* The result of a system call or kernel invocation that returned error (0 or an ERR_*);
   answer: MR0-MR2 of the kernel's answer (read only for ERR_INVALID_ARGUMENT; may be NULL). */
struct result result_from_kernel(long error, const uint64_t *answer);

/* The result of a call to a server: kernel_error is what the call returned; if that is 0,
   status is the reply's label and answer its MR0-MR2 (read only for SERVICE_BAD_ARGUMENT;
   may be NULL, and words the reply did not carry must read as 0). */
struct result result_from_reply(long kernel_error, uint64_t status, const uint64_t *answer);

/* A bad argument found before anything was sent (libsys checks some itself): reported as the
   server would report it. */
struct result result_bad_argument(unsigned argument, uint64_t min, uint64_t max);

/* A short name of a kernel error ("empty slot"); "unknown error" for a value it does not know. */
const char *result_kernel_error_name(long error);

/* Writes "who: what went wrong" into out (size bytes, NUL-terminated, cut to fit):
   "procsrv: bad argument 2 (allowed 1..16)", "procsrv: not found", "kernel: empty slot
   (error -3)". who may be NULL (then no prefix). Returns out. */
char *result_format(char *out, size_t size, const char *who, struct result r);

#endif
