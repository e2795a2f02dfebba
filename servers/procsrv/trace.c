/*
 * procsrv's part of the IPC trace (docs/ipc-performance.md, "IPC trace").
 * With the argument `trace` procsrv sets up a 2 MiB buffer per CPU from a
 * RAM Untyped it keeps back from memsrv, maps them read-only in its own
 * address space and starts tracing before it starts anything, so the trace
 * covers the whole boot. PROC_TRACE_DUMP stops it and prints the records on
 * the console in lib/tracedump's form, for tools/trace/trace2json.py.
 */
#include <stdio.h>

#include "procsrv.h"
#include "tracedump/tracedump.h"

#define TRACE_AT 0x7ffc00000000ul /* the buffers, one after the other */

static const struct boot_info *const boot = (const struct boot_info *)USER_BOOT_INFO;

/* The Untyped the buffers are made from (0: not tracing); memsrv never gets it. */
uint64_t trace_untyped;

static const struct trace_buffer *mapped(unsigned cpu)
{
    return (const struct trace_buffer *)(TRACE_AT + ((uint64_t)cpu << TRACE_BUFFER_BITS));
}

/* Maps frame at address read-only, adding page tables from untyped as they
   are missing. */
static bool map_read_only(uint64_t untyped, uint64_t frame, uint64_t address)
{
    for (int level = 0; level < 4; level++) {
        long r = vspace_map_frame(ROOT_SLOT_VSPACE, frame, address, CAP_RIGHT_READ);
        if (r != ERR_MISSING_TABLE)
            return r == ERR_OK;
        uint64_t table = slot_alloc();
        if (!table || untyped_retype(untyped, CAP_PAGE_TABLE, 0, table, 1) != ERR_OK ||
            vspace_map_table(ROOT_SLOT_VSPACE, table, address, 0) != ERR_OK)
            return false;
    }
    return false;
}

bool trace_boot_start(uint64_t exclude)
{
    unsigned cpus = (unsigned)boot->cpu_count;
    /* The frames first (2 MiB aligned from the start), then up to three tables. */
    uint64_t need = ((uint64_t)cpus << TRACE_BUFFER_BITS) + 3 * 4096;
    uint64_t best = 0;
    unsigned best_bits = 64;
    for (uint64_t i = 0; i < boot->untyped_count; i++) {
        uint64_t slot = boot->untyped_first + i;
        unsigned bits = boot->untyped[i].size_bits;
        if (!boot->untyped[i].device && slot != exclude && (1ull << bits) >= need &&
            bits < best_bits) {
            best = slot;
            best_bits = bits;
        }
    }
    if (!best) {
        printf("procsrv: trace: no spare Untyped of %lu KiB for the buffers; not tracing\n",
               (unsigned long)(need >> 10));
        return false;
    }
    for (unsigned cpu = 0; cpu < cpus; cpu++) {
        uint64_t frame = slot_alloc();
        if (!frame || untyped_retype(best, CAP_FRAME, TRACE_BUFFER_BITS, frame, 1) ||
            debug_trace_set_buffer(ROOT_SLOT_DEBUG, cpu, frame) ||
            !map_read_only(best, frame, (uint64_t)mapped(cpu))) {
            printf("procsrv: trace: the buffer for CPU %u would not set up; not tracing\n", cpu);
            return false;
        }
    }
    long e = debug_trace_start(ROOT_SLOT_DEBUG);
    if (e != ERR_OK) {
        printf("procsrv: trace: the kernel would not start tracing (%ld)\n", e);
        return false;
    }
    trace_untyped = best;
    printf("procsrv: tracing IPC into %u buffer(s) of %lu records\n", cpus,
           (unsigned long)mapped(0)->capacity);
    return true;
}

static void emit(const char *line, void *context)
{
    (void)context;
    fputs(line, stdout);
}

long trace_dump(struct request *r)
{
    if (!trace_untyped)
        return SERVICE_NOT_FOUND; /* booted without `trace` */
    /* Already stopped by an earlier dump: the records are still there. */
    debug_trace_stop(ROOT_SLOT_DEBUG, 0);
    unsigned cpus = (unsigned)boot->cpu_count;
    uint64_t total = 0;
    tracedump_begin(cpus, emit, 0);
    for (unsigned cpu = 0; cpu < cpus; cpu++)
        total += tracedump_buffer(mapped(cpu), emit, 0);
    tracedump_end(total, emit, 0);
    fflush(stdout);
    r->length = 0;
    request_set_word(r, 0, total);
    return SERVICE_OK;
}
