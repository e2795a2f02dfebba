/*
 * C start-up for user programs: sets up thread-local storage (picolibc keeps
 * errno and its other per-thread state there), the environment, then runs
 * main and exits with its status.
 */
#include <picolibc.h> /* defines PICOLIBC_TLS, which picotls.h tests */
#include <picotls.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "libsys/libsys.h"

extern char **environ;
int main(int argc, char **argv, char **envp);
void __libc_init_array(void); /* picolibc: runs constructors */

/* Defined by lib/libsys/user.ld. */
extern char __tdata_size[], __tbss_size[], __tls_align[];

#define INITIAL_TLS_SIZE 4096

/* The main thread's TLS block; later threads get theirs from their creator.
   The x86_64 layout (variant II) puts the block just below the thread
   pointer, which points at itself (%fs:0 holds its own address). */
static _Alignas(64) unsigned char initial_tls[INITIAL_TLS_SIZE + sizeof(void *)];

static void setup_tls(void)
{
    uintptr_t align = (uintptr_t)__tls_align ? (uintptr_t)__tls_align : 1;
    uintptr_t size = ((uintptr_t)__tdata_size + (uintptr_t)__tbss_size + align - 1) & ~(align - 1);
    if (size > INITIAL_TLS_SIZE || align > 64)
        libsys_abort("libsys: thread-local storage larger than the initial block");
    /* The thread pointer must be aligned like the block, so that
       tp - size (where the linker placed every variable) is too. */
    uintptr_t tp = ((uintptr_t)initial_tls + size + align - 1) & ~(align - 1);
    _init_tls((void *)(tp - size));
    *(uintptr_t *)tp = tp;
    libsys_set_thread_pointer((void *)tp);
}

_Noreturn void libsys_abort(const char *message)
{
    size_t n = 0;
    while (message[n])
        n++;
    write(2, message, n);
    write(2, "\n", 1);
    _exit(127);
}

/* Called by crt0 with the initial stack pointer. */
_Noreturn void libsys_start(uintptr_t *initial_sp)
{
    int argc = (int)initial_sp[0];
    char **argv = (char **)(initial_sp + 1);
    char **envp = argv + argc + 1;
    environ = envp;
    setup_tls();
    __libc_init_array();
    exit(main(argc, argv, envp));
}
