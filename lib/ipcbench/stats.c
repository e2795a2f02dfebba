/*
 * ipcbench's statistics: overhead subtraction, sorting, the summary figures and the CSV line.
 * Integer arithmetic throughout (tenths of a tick where a figure can be fractional), so the
 * guest's figures do not depend on the FPU and the host tests can expect exact values.
 */
#include "ipcbench/stats.h"

#include <stdio.h>
#include <stdlib.h>

int64_t ibstat_min(const int64_t *v, size_t n)
{
    int64_t m = v[0];
    for (size_t i = 1; i < n; i++)
        if (v[i] < m)
            m = v[i];
    return m;
}

/* qsort's comparison of two int64_t, without the overflow of a subtraction. */
static int ibstat_compare(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* num / den rounded to the nearest integer, halves away from zero; den > 0. */
static int64_t ibstat_div_round(__int128 num, int64_t den)
{
    /* __int128 (a GCC extension): sums of 10^7 squared 40-bit samples overflow 64 bits. */
    __int128 half = den / 2;
    return (int64_t)(num >= 0 ? (num + half) / den : -((-num + half) / den));
}

uint64_t ibstat_isqrt(uint64_t x)
{
    /* Bit by bit from the top: exact for every 64-bit x, no floating point. */
    uint64_t r = 0, bit = 1ull << 62;
    while (bit > x)
        bit >>= 2;
    while (bit) {
        if (x >= r + bit) {
            x -= r + bit;
            r = (r >> 1) + bit;
        } else {
            r >>= 1;
        }
        bit >>= 2;
    }
    return r;
}

void ibstat_summarize(int64_t *samples, size_t n, int64_t overhead, struct ibstat *out)
{
    __int128 sum = 0;
    for (size_t i = 0; i < n; i++) {
        samples[i] -= overhead;
        sum += samples[i];
    }
    qsort(samples, n, sizeof samples[0], ibstat_compare);
    out->count = n;
    out->overhead = overhead;
    out->min = samples[0];
    out->median10 = n % 2 ? samples[n / 2] * 10 : (samples[n / 2 - 1] + samples[n / 2]) * 5;
    size_t rank = (99 * n + 99) / 100; /* ceil(0.99 n), at least 1 */
    out->p99 = samples[rank - 1];
    out->mean10 = ibstat_div_round(sum * 10, (int64_t)n);
    /* Variance in hundredths: sum((10 x - 10 mean)^2) / n, from the exact mean sum / n. */
    __int128 sq = 0;
    for (size_t i = 0; i < n; i++) {
        __int128 d = (__int128)samples[i] * (int64_t)n - sum; /* n (x - mean) */
        sq += d * d;
    }
    /* stddev10 = sqrt(100 sq / n^3); samples are far below 2^40, so this fits 64 bits */
    __int128 var100 = sq * 100 / ((__int128)n * n * n);
    uint64_t root = ibstat_isqrt((uint64_t)var100);
    /* round to nearest: the root of var100 lies in [root, root + 1) */
    if ((__int128)root * root + root < var100)
        root++;
    out->stddev10 = (int64_t)root;
}

/* Writes tenths as "I.F" into buf (size at least 24). */
static void ibstat_tenths(char *buf, size_t size, int64_t tenths)
{
    const char *sign = tenths < 0 ? "-" : "";
    uint64_t t = tenths < 0 ? (uint64_t)-tenths : (uint64_t)tenths;
    snprintf(buf, size, "%s%llu.%llu", sign, (unsigned long long)(t / 10),
             (unsigned long long)(t % 10));
}

int ibstat_csv(char *buf, size_t size, const char *name, const struct ibstat *s)
{
    char median[24], mean[24], stddev[24];
    ibstat_tenths(median, sizeof median, s->median10);
    ibstat_tenths(mean, sizeof mean, s->mean10);
    ibstat_tenths(stddev, sizeof stddev, s->stddev10);
    return snprintf(buf, size, "CSV,%s,%llu,%lld,%s,%s,%lld,%s,%lld", name,
                    (unsigned long long)s->count, (long long)s->min, median, mean,
                    (long long)s->p99, stddev, (long long)s->overhead);
}
