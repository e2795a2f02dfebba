/*
 * diskbench (apps/diskbench): Missive's side of `make bench-disk` and `make bench-fs`
 * (docs/disk-performance.md, docs/fs-performance.md). What its files share.
 */
#ifndef MISSIVE_APPS_DISKBENCH_H
#define MISSIVE_APPS_DISKBENCH_H

#include <stdbool.h>
#include <stdint.h>

#include "diskbench/diskbench.h"
#include "fsbench/fsbench.h"

#define DB_MAX_TARGETS 4

/* A disk to run the rows on: a block server's name and its disk index. */
struct db_target {
    const char *server;
    unsigned disk;
};

struct db_options {
    bool fs;     /* -m fs: the filesystem rows in root; else the disk rows on each target */
    bool spin;   /* -s: the idle spinner runs (icount runs) */
    int repeats; /* -r: passes over the rows */
    struct diskbench_size size;
    struct fsbench_size fs_size;
    struct db_target targets[DB_MAX_TARGETS];
    unsigned target_count;
    const char *root; /* -p: the directory the filesystem rows run in */
};

/* rdtsc after every earlier instruction finished (guest instructions under -icount). */
uint64_t db_ticks(void);
/* The idle spinner's turns so far (0 while it does not run). */
uint64_t db_spins(void);

/* Runs the disk rows on every target: the number of failures (each printed as
   "diskbench: FAIL ..."). */
unsigned db_run_disks(const struct db_options *o);
/* fsbench_size_named where the filesystem rows can run. */
void db_fs_size(const char *word, struct fsbench_size *out);
/* Runs the filesystem rows in o->root: the number of failures. */
unsigned db_run_fs(const struct db_options *o);

#endif
