/*
 * Directory entries for picolibc's <dirent.h>, which declares opendir, readdir and closedir
 * with POSIX's names and includes this header for the types (picolibc's own copy of it is an
 * #error: a system provides it). lib/libsys/dir.c implements the calls. USER_CFLAGS puts
 * lib/libsys/include before picolibc's headers.
 */
#ifndef MISSIVE_LIBSYS_SYS_DIRENT_H
#define MISSIVE_LIBSYS_SYS_DIRENT_H

#include <sys/types.h>

#define MAXNAMLEN 255 /* HMFS's longest name (docs/hmfs.md) */

/* d_type's values, as BSD and Linux number them. */
#define DT_UNKNOWN 0
#define DT_DIR     4
#define DT_REG     8

struct dirent {
    ino_t d_ino;                /* the inode number (initrd: the file's index + 1) */
    unsigned char d_type;       /* DT_REG or DT_DIR */
    char d_name[MAXNAMLEN + 1]; /* NUL-terminated */
};

typedef struct libsys_dir DIR; /* opaque: lib/libsys/dir.c */

#endif
