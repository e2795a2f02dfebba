/*
 * ipcbench's statistics (apps/ipcbench, docs/ipc-performance.md): a benchmark's samples, in
 * rdtsc ticks, less the overhead of the timing code, summarized as min, median, mean, p99 and
 * standard deviation, and formatted as the CSV line of tools/bench/benchcsv.py. Pure C with
 * no floating point and no libc beyond qsort and snprintf, so host tests check it exactly.
 */
#ifndef MISSIVE_IPCBENCH_STATS_H
#define MISSIVE_IPCBENCH_STATS_H

#include <stddef.h>
#include <stdint.h>

/* Figures in tenths of a tick (mean, median and stddev may be fractional). */
struct ibstat {
    uint64_t count;
    int64_t min, p99, overhead; /* whole ticks */
    int64_t median10, mean10;   /* tenths, rounded to nearest */
    int64_t stddev10;           /* tenths, population standard deviation, rounded */
};

/* The smallest of n (>= 1) values: the overhead of a benchmark is the least its timing code
   took with the system call replaced by a nop. */
int64_t ibstat_min(const int64_t *v, size_t n);

/* Subtracts overhead from each of the n (>= 1) samples, sorts them ascending in place and
   fills *out. The median of an even count is the mean of the middle two; p99 is the
   nearest-rank percentile (the ceil(0.99 n)-th smallest). */
void ibstat_summarize(int64_t *samples, size_t n, int64_t overhead, struct ibstat *out);

/* The integer square root: the largest r with r * r <= x. */
uint64_t ibstat_isqrt(uint64_t x);

/* Writes "CSV,name,count,min,median,mean,p99,stddev,overhead" (no newline) into buf of size
   bytes; returns what snprintf returns. */
int ibstat_csv(char *buf, size_t size, const char *name, const struct ibstat *s);

#endif
