/*
 * diskbench's filesystem rows: lib/fsbench's workload through libsys's POSIX calls (to the
 * HMFS server) in o->root.
 */
#include <stdio.h>

#include "diskbench.h"

void db_fs_size(const char *word, struct fsbench_size *out)
{
    (void)word;
    *out = (struct fsbench_size){0};
}

unsigned db_run_fs(const struct db_options *o)
{
    (void)o;
    printf("diskbench: FAIL the filesystem rows need the POSIX file calls\n");
    return 1;
}
