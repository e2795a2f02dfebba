/*
 * The Missive kernel ABI shared by the kernel and user space: system call
 * numbers, error codes and the user address-space layout. Documented in
 * docs/abi.md. Defined here once; neither side re-declares any of it.
 *
 * System call convention: `syscall` with the number in RAX and arguments in
 * RDI, RSI, RDX, R10, R8, R9; the result comes back in RAX (negative: an
 * error code below). RCX and R11 are clobbered, as by any x86_64 syscall.
 *
 * The calls below are the first, provisional set that lets the root task
 * run: the capability issue replaces them with invocations of capabilities
 * (the debug console behind a debug capability).
 */
#ifndef MISSIVE_ABI_H
#define MISSIVE_ABI_H

enum missive_syscall {
    SYS_DEBUG_WRITE = 0,  /* (const char *buf, size_t len) -> bytes written, at most 4096 */
    SYS_EXIT = 1,         /* (int status) -> does not return */
    SYS_SET_TLS_BASE = 2, /* (void *thread_pointer) -> 0; sets the FS base */
    SYS_YIELD = 3,        /* () -> 0 */
    SYS_COUNT
};

enum missive_error {
    ERR_INVALID_SYSCALL = -1,  /* no system call with that number */
    ERR_INVALID_ARGUMENT = -2, /* an argument outside its documented range */
    ERR_BAD_ADDRESS = -3,      /* a user buffer not mapped readable in the caller's space */
};

/* User address-space layout. */
#define USER_BASE 0x400000ul /* programs are linked here */
#define USER_END                                                                                   \
    0x7ffffffff000ul                     /* exclusive; the last page below the canonical hole      \
                                             stays unmapped so sysret never returns to it */
#define USER_STACK_TOP  0x7ffff0000000ul /* the initial thread's stack grows down from here */
#define USER_STACK_SIZE (64ul * 1024)

#endif
