/*
 * fsx: `fsx [SEED [OPS [DIR [UNTIL]]]]` runs the exerciser (fsx.c; defaults 1, 2000, /fsx; with
 * UNTIL, a path, it goes on past OPS until that file exists);
 * `fsx powercut SEED [DIR]` runs the power-cut workload (powercut.c; default /pc) until the
 * machine is cut off; `fsx bigfile SEED MIB ROUNDS [PATH [UNTIL]]` the big-file workload
 * (bigfile.c; default /big).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsx.h"
#include "testlib.h"

/* argv[i] as a number, or fallback when it is absent; exits with status 2 when it is not
   one. */
static unsigned long long arg_number(int argc, char **argv, int i, unsigned long long fallback)
{
    if (i >= argc)
        return fallback;
    char *end;
    unsigned long long n = strtoull(argv[i], &end, 10);
    if (!argv[i][0] || *end) {
        printf("fsx: not a number: '%s'\n", argv[i]);
        exit(2);
    }
    return n;
}

int main(int argc, char **argv)
{
    check_init("fsx");
    if (argc > 1 && strcmp(argv[1], "powercut") == 0) {
        uint64_t seed = arg_number(argc, argv, 2, 1);
        return powercut_run(seed, argc > 3 ? argv[3] : "/pc") ? 1 : 0;
    }
    if (argc > 1 && strcmp(argv[1], "bigfile") == 0) {
        uint64_t seed = arg_number(argc, argv, 2, 1);
        unsigned mib = (unsigned)arg_number(argc, argv, 3, 12);
        unsigned rounds = (unsigned)arg_number(argc, argv, 4, 4);
        return bigfile_run(seed, mib, rounds, argc > 5 ? argv[5] : "/big", argc > 6 ? argv[6] : 0)
                   ? 1
                   : 0;
    }
    uint64_t seed = arg_number(argc, argv, 1, 1);
    unsigned long ops = (unsigned long)arg_number(argc, argv, 2, 2000);
    return fsx_run(seed, ops, argc > 3 ? argv[3] : "/fsx", argc > 4 ? argv[4] : 0) ? 1 : 0;
}
