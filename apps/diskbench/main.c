/*
 * diskbench: Missive's side of `make bench-disk` (the raw disk rows of lib/diskbench over the
 * block protocol, lib/libsys/block.h) and `make bench-fs` (the file rows of lib/fsbench over
 * libsys's POSIX calls). Started by a bench manifest (etc/diskbench*.manifest,
 * etc/fsbench*.manifest); tools/bench/disk.py and fs.py read its lines:
 *   DISK,<server>:<row>,<requests>,<bytes>,<ticks>,<spin ticks>
 *   FS,hmfs:<row>,<operations>,<bytes>,<ticks>,<spin ticks>
 * then "diskbench: done, N failed". Each failure is a line "diskbench: FAIL ...".
 *
 *   diskbench [-m disk|fs] [-z full|check] [-s] [-r N] [-t SERVER[:DISK]]... [-p DIR]
 *
 * -s starts the idle spinner of lib/diskbench/diskbench.h: a thread of this process at
 * priority 1 (below every server) that counts its turns of three instructions, so that the
 * CPU never halts and an icount run's ticks less the spinner's are the instructions spent.
 */
#include "diskbench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libsys/invoke.h"
#include "libsys/libsys.h"
#include "libsys/service.h"
#include "proto/proc.h"

#define DB_SPINNER_PRIORITY 1
#define DB_SPINNER_STACK    4096

static volatile uint64_t spinner_turns;
static _Alignas(16) uint8_t spinner_stack[DB_SPINNER_STACK];

uint64_t db_ticks(void)
{
    uint32_t lo, hi;
    __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory"); /* no C for it */
    return ((uint64_t)hi << 32) | lo;
}

uint64_t db_spins(void)
{
    return spinner_turns;
}

/* The spinner's body: exactly DISKBENCH_SPIN_INSTRUCTIONS instructions a turn (pause, the
   count, the jump back), forever. The address of the count comes in rdi. */
static void db_spinner(uint64_t counter)
{
    __asm__ volatile("1: pause\n\t"
                     "addq $1, (%0)\n\t"
                     "jmp 1b" ::"r"(counter)
                     : "memory");
}

/* Makes the spinner thread from 64 KiB of memsrv's memory and starts it on CPU 0 at priority
   DB_SPINNER_PRIORITY: true, or false with the reason printed. */
static bool db_start_spinner(void)
{
    uint64_t untyped = libsys_alloc_slot(), thread = libsys_alloc_slot();
    struct result r = mem_untyped(16, untyped);
    long e = result_is_ok(r) ? untyped_retype(untyped, CAP_THREAD, 0, thread, 1) : 0;
    if (result_is_ok(r) && e == ERR_OK)
        e = thread_configure(thread, PROC_SLOT_CSPACE, PROC_SLOT_VSPACE, DB_SPINNER_PRIORITY, 0);
    if (result_is_ok(r) && e == ERR_OK)
        e = thread_set_affinity(thread, 0);
    /* The stack's top less 8, as if the body had been called; FS base 0: no thread-local
       storage is touched. */
    if (result_is_ok(r) && e == ERR_OK)
        e = thread_write_registers(thread, (uint64_t)db_spinner,
                                   (uint64_t)(spinner_stack + DB_SPINNER_STACK - 8),
                                   (uint64_t)&spinner_turns, 0, 0);
    if (result_is_ok(r) && e == ERR_OK)
        e = thread_resume(thread);
    if (!result_is_ok(r) || e != ERR_OK) {
        char line[120];
        printf("diskbench: FAIL %s\n",
               result_format(line, sizeof line, "starting the idle spinner",
                             result_is_ok(r) ? result_from_kernel(e, 0) : r));
        return false;
    }
    return true;
}

static const char usage[] =
    "usage: diskbench [-m disk|fs] [-z full|check] [-s] [-r N] [-t SERVER[:DISK]]... [-p DIR]";

/* Parses a count 1..10 or a disk index 0..63 in text: true with *out. */
static bool db_number(const char *text, unsigned lo, unsigned hi, unsigned *out)
{
    char *end;
    unsigned long v = strtoul(text, &end, 10);
    if (end == text || *end != '\0' || v < lo || v > hi)
        return false;
    *out = (unsigned)v;
    return true;
}

/* Parses argv into *o; false with the reason and the usage printed. */
static bool db_parse(int argc, char **argv, struct db_options *o)
{
    *o = (struct db_options){.repeats = 1, .root = "/bench"};
    diskbench_size_named("full", &o->size);
    db_fs_size("full", &o->fs_size);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        unsigned n;
        if (strcmp(a, "-s") == 0) {
            o->spin = true;
            continue;
        }
        if (!v) {
            printf("diskbench: %s needs a value\n%s\n", a, usage);
            return false;
        }
        i++;
        if (strcmp(a, "-m") == 0 && (strcmp(v, "disk") == 0 || strcmp(v, "fs") == 0)) {
            o->fs = strcmp(v, "fs") == 0;
        } else if (strcmp(a, "-z") == 0 && diskbench_size_named(v, &o->size)) {
            db_fs_size(v, &o->fs_size);
        } else if (strcmp(a, "-r") == 0 && db_number(v, 1, 10, &n)) {
            o->repeats = (int)n;
        } else if (strcmp(a, "-p") == 0 && v[0] == '/') {
            o->root = v;
        } else if (strcmp(a, "-t") == 0 && o->target_count < DB_MAX_TARGETS) {
            struct db_target *t = &o->targets[o->target_count++];
            char *colon = strchr(argv[i], ':');
            t->server = argv[i];
            t->disk = 0;
            if (colon) {
                *colon = '\0';
                if (!db_number(colon + 1, 0, 63, &t->disk)) {
                    printf("diskbench: bad disk index in -t %s:%s (0..63)\n%s\n", argv[i],
                           colon + 1, usage);
                    return false;
                }
            }
        } else {
            printf("diskbench: bad option %s %s (-m disk|fs, -z full|check, -r 1..10, "
                   "-t at most %d targets, -p an absolute path)\n%s\n",
                   a, v, DB_MAX_TARGETS, usage);
            return false;
        }
    }
    if (!o->fs && o->target_count == 0) {
        printf("diskbench: no disk to run on (-t SERVER[:DISK])\n%s\n", usage);
        return false;
    }
    return true;
}

int main(int argc, char **argv)
{
    struct db_options o;
    if (!db_parse(argc, argv, &o)) {
        printf("diskbench: done, 1 failed\n");
        return 2;
    }
    unsigned failed = 0;
    if (o.spin && !db_start_spinner())
        failed++;
    printf("# diskbench: %s, %s, %d pass%s\n", o.fs ? "filesystem rows" : "disk rows",
           o.spin ? "idle spinner" : "no spinner", o.repeats, o.repeats == 1 ? "" : "es");
    if (failed == 0)
        failed += o.fs ? db_run_fs(&o) : db_run_disks(&o);
    printf("diskbench: done, %u failed\n", failed);
    fflush(stdout);
    return failed ? 1 : 0;
}
