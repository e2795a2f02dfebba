/*
 * The system-call fuzzer's pieces shared between the generator and loop
 * (gen.c), which run in fuzzing threads that are not the root task, and the
 * root task's set-up and report (main.c). The fuzzing threads use no libc:
 * they share the root task's TLS block, so only plain memory and
 * missive_syscall.
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stdint.h>

#include "libsys/libsys.h"

#define FUZZ_RESULT_KINDS     19 /* ERR_OK .. ERR_INTERRUPTED (0 .. -17), then "unknown" */
#define FUZZ_RESULT_UNKNOWN   18
#define FUZZ_CHECK_EVERY      100000 /* calls between canary checks */
#define FUZZ_REFILL_EVERY     1000
#define FUZZ_CANARY_WORDS     8192 /* 64 KiB */
#define FUZZ_MAX_PREPARED     16
#define FUZZ_MAX_FORBIDDEN    4
#define FUZZ_CSPACE_LABEL_MIN CSPACE_COPY
#define FUZZ_CSPACE_LABEL_MAX CSPACE_SAVE_REPLY

/* One generated system call, as made. */
struct fuzz_call {
    int64_t number;
    uint64_t slot;
    uint64_t tag;
    uint64_t mr[MSG_REGISTERS];
};

/* Why a fuzzing thread stopped early. */
enum fuzz_failure_kind {
    FUZZ_FAILURE_NONE = 0,
    FUZZ_FAILURE_RESULT,    /* the kernel answered with no known error code */
    FUZZ_FAILURE_REGISTERS, /* a failed lookup changed the caller's registers */
    FUZZ_FAILURE_CANARY,    /* the canary region changed */
    FUZZ_FAILURE_BLOCKING,  /* a receive it thought could not block received */
};

/* A range of slots [first, end) the fuzzer must never name. */
struct fuzz_range {
    uint64_t first, end;
};

/* What one fuzzing phase may use and what it found. Filled by the root task
   before the phase's thread starts; written by that thread only after. */
struct fuzz_env {
    int phase;              /* 1: a confined CSpace; 2: the root CSpace, filtered */
    uint64_t cspace_slots;  /* the size of the fuzzing thread's CSpace */
    uint64_t identify_slot; /* a CSpace cap on that CSpace, for the harness's own lookups */
    uint64_t proxy_slot;    /* 0, or the CSpace cap CSpace ops may go through, filtered */
    uint64_t prepared[FUZZ_MAX_PREPARED];     /* slots holding the capabilities to abuse */
    uint8_t prepared_type[FUZZ_MAX_PREPARED]; /* the type each holds at first (and on refill) */
    unsigned prepared_count;
    uint64_t region_first, region_end; /* free slots new capabilities are aimed at */
    struct fuzz_range forbidden[FUZZ_MAX_FORBIDDEN];
    unsigned forbidden_count;
    uint64_t first_index, calls; /* its calls are numbers first_index .. + calls - 1 */
    /* Harness code the fuzzing thread runs before its first call and every
       FUZZ_REFILL_EVERY calls: puts capabilities back into the prepared
       slots the fuzzer emptied. */
    void (*refill)(struct fuzz_env *env);
    /* The fuzzing thread's IPC buffer (NULL: none): its receive slot and the
       capabilities it offers are drawn, filtered, for every call. */
    struct ipc_buffer *buffer;

    /* Results. */
    uint64_t results[FUZZ_RESULT_KINDS]; /* per error code: results[-error] */
    uint64_t converted;                  /* blocking IPC made non-blocking */
    uint64_t proxied;                    /* CSpace ops sent through proxy_slot */
    uint64_t filtered;                   /* forbidden slot numbers replaced */
    uint64_t refilled;                   /* capabilities the refills put back */
    uint64_t resets;                     /* times the refill started over */
    uint64_t refill_errors;
    volatile uint64_t progress; /* calls made so far */
    volatile int done;
    struct fuzz_call current; /* the call being made (the last, once done) */
    enum fuzz_failure_kind failure;
    uint64_t failure_index; /* the failing call's number */
    long failure_result;
    struct missive_msg failure_answer;
};

/* The canary region and its checksum (gen.c). */
extern uint64_t fuzz_canary[FUZZ_CANARY_WORDS];

/* Seeds the generator and fills the canary region; returns its checksum. */
uint64_t fuzz_seed(uint64_t seed);

/* Checksum of the canary region now. */
uint64_t fuzz_canary_sum(void);

/* The generator's state folded into one word. */
uint64_t fuzz_prng_digest(void);

/* Makes env->calls fuzzed system calls; stops early on a failed check. */
void fuzz_run(struct fuzz_env *env);

/* A short name for a result index (0 .. FUZZ_RESULT_KINDS - 1). */
const char *fuzz_result_name(unsigned index);

#endif
