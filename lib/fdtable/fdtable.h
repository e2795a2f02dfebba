/*
 * The file descriptor table behind libsys's POSIX calls (lib/libsys/files.c): which descriptor
 * is free, what each open one is (the console, an initrd file, an HMFS file or directory), how
 * it was opened and where it stands. Descriptors 0-2 start as the console. The lowest free
 * number is handed out first, as POSIX requires. Pure (no system calls, no C library's open
 * flags): host unit tests compile it unchanged.
 */
#ifndef MISSIVE_FDTABLE_H
#define MISSIVE_FDTABLE_H

#include <stdbool.h>
#include <stdint.h>

#define FDTABLE_SIZE 64 /* descriptors a process may have open at once (OPEN_MAX) */

enum fdtable_kind {
    FDTABLE_FREE = 0,
    FDTABLE_CONSOLE, /* the console server: 0 reads, 1 and 2 write */
    FDTABLE_INITRD,  /* a file of the initrd, read through procsrv */
    FDTABLE_HMFS,    /* a file or directory on the HMFS volume: handle is the server's */
};

/* How a descriptor was opened. */
#define FDTABLE_READ   1u
#define FDTABLE_WRITE  2u
#define FDTABLE_APPEND 4u /* every write goes to the end */

struct fdtable_entry {
    enum fdtable_kind kind;
    unsigned mode;   /* FDTABLE_READ | FDTABLE_WRITE | FDTABLE_APPEND */
    uint64_t offset; /* where the next read or write starts */
    uint64_t handle; /* HMFS: the server's handle; initrd: the file's index in its list */
    uint64_t size;   /* initrd: the file's size (it never changes) */
};

struct fdtable {
    struct fdtable_entry entries[FDTABLE_SIZE];
};

/* Empties t but for descriptors 0 (console, read) and 1, 2 (console, write). */
void fdtable_init(struct fdtable *t);

/* Takes the lowest free descriptor for kind and mode (offset, handle and size 0): returns it,
   or -1 when all FDTABLE_SIZE are open (EMFILE). */
int fdtable_alloc(struct fdtable *t, enum fdtable_kind kind, unsigned mode);

/* The open descriptor fd, or NULL when fd is out of range or free (EBADF). */
struct fdtable_entry *fdtable_get(struct fdtable *t, int fd);

/* Frees fd (which must be open). */
void fdtable_free(struct fdtable *t, int fd);

/* The offset lseek(offset, whence) gives a descriptor now at current on a file of size bytes
   (whence 0 SEEK_SET, 1 SEEK_CUR, 2 SEEK_END, as every C library numbers them): true with
   *result, or false if whence is none of those or the result would be negative or past
   INT64_MAX (EINVAL). A result past the end is allowed (a later write leaves a hole). */
bool fdtable_seek(uint64_t current, uint64_t size, int64_t offset, int whence, uint64_t *result);

#endif
