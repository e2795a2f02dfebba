/*
 * The filesystem benchmark's workload (docs/fs-performance.md, `make bench-fs`), written once
 * over POSIX calls so that Missive's apps/diskbench (libsys's POSIX calls to HMFS) and Linux's
 * linuxdisk (glibc to ext4) do exactly the same operations: a 64 MiB file written and fsynced,
 * then read back and checked; 10,000 empty files created in one directory, each stat'ed, the
 * directory listed, each deleted. Tested on the host in a temporary directory
 * (tests/unit/test_fsbench.c).
 *
 * Each row prints one line the host parses (tools/bench/fs.py), the disk rows' format
 * (lib/diskbench/diskbench.h) with another prefix:
 *   FS,<row>,<operations>,<bytes>,<ticks>,<spin ticks>
 */
#ifndef MISSIVE_FSBENCH_H
#define MISSIVE_FSBENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FSBENCH_CHUNK     (128u * 1024u) /* each write and read of the big file */
#define FSBENCH_LINE_MAX  160u
#define FSBENCH_PATH_MAX  200u
#define FSBENCH_ERROR_MAX (FSBENCH_PATH_MAX + 120u) /* a path and what went wrong */

enum fsbench_row {
    FSBENCH_WRITE_FSYNC, /* the big file: create, write in chunks, fsync, close */
    FSBENCH_READ,        /* the big file: open, read in chunks (checked), close */
    FSBENCH_CREATE,      /* files empty files in the directory: open(O_CREAT|O_EXCL), close */
    FSBENCH_STAT,        /* stat of each */
    FSBENCH_LIST,        /* opendir, readdir to the end (every name counted), closedir */
    FSBENCH_DELETE,      /* unlink of each */
    FSBENCH_ROW_COUNT
};

extern const char *const fsbench_row_names[FSBENCH_ROW_COUNT];

struct fsbench_size {
    uint64_t file_bytes; /* the big file: a multiple of FSBENCH_CHUNK */
    unsigned files;      /* in the directory */
};

/* "full" (64 MiB, 10,000 files) or "check" (1 MiB, 100 files: a run of a few seconds for
   make test); false for another word. */
bool fsbench_size_named(const char *word, struct fsbench_size *out);

/* What a row did. */
struct fsbench_outcome {
    uint64_t operations; /* chunks written or read, files created, stat'ed, listed, deleted */
    uint64_t bytes;      /* of file data */
    char error[FSBENCH_ERROR_MAX]; /* empty, or what failed (the call, the path, errno's text) */
};

/* Runs row under root (an existing, writable directory; the rows make root/big and
   root/dir/NNNNN): the rows depend on each other and run in order (the read reads what the
   write wrote, the stat what the create made, ...). buffer: FSBENCH_CHUNK bytes. Returns
   false with out->error set at the first failure: a call that failed, a short transfer, data
   read back wrong, a listing without every name. */
bool fsbench_run(enum fsbench_row row, const char *root, const struct fsbench_size *size,
                 uint8_t *buffer, struct fsbench_outcome *out);

/* Writes a row's result line (no newline) into line (FSBENCH_LINE_MAX bytes). */
void fsbench_format(char *line, const char *row, uint64_t operations, uint64_t bytes,
                    uint64_t ticks, uint64_t spin_ticks);

#endif
