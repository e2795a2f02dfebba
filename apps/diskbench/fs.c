/*
 * diskbench's filesystem rows: lib/fsbench's workload through libsys's POSIX calls (to the
 * HMFS server, FS_SERVER_NAME) in o->root. Nothing is dropped before the read of the big file:
 * the only cache is HMFS's own block cache in its server, which a client cannot empty
 * (docs/fs-performance.md says what that means for the read row).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "diskbench.h"

void db_fs_size(const char *word, struct fsbench_size *out)
{
    fsbench_size_named(word, out);
}

unsigned db_run_fs(const struct db_options *o)
{
    static uint8_t buffer[FSBENCH_CHUNK];
    if (mkdir(o->root, 0755) != 0 && errno != EEXIST) {
        printf("diskbench: FAIL mkdir %s: %s\n", o->root, strerror(errno));
        return 1;
    }
    for (int pass = 0; pass < o->repeats; pass++) {
        for (int row = 0; row < FSBENCH_ROW_COUNT; row++) {
            struct fsbench_outcome out;
            uint64_t s0 = db_spins(), t0 = db_ticks();
            bool ok = fsbench_run((enum fsbench_row)row, o->root, &o->fs_size, buffer, &out);
            uint64_t t1 = db_ticks(), s1 = db_spins();
            if (!ok) {
                printf("diskbench: FAIL %s: %s\n", fsbench_row_names[row], out.error);
                return 1;
            }
            char name[64], line[FSBENCH_LINE_MAX];
            snprintf(name, sizeof name, "hmfs:%s", fsbench_row_names[row]);
            fsbench_format(line, name, out.operations, out.bytes, t1 - t0,
                           (s1 - s0) * DISKBENCH_SPIN_INSTRUCTIONS);
            printf("%s\n", line);
            fflush(stdout);
        }
    }
    return 0;
}
