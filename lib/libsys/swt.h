/* TEMPORARY swap-pause instrumentation (not to be committed). */
#pragma once
#include <stdint.h>
#include <stdio.h>
static inline uint64_t swt_tsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}
#define SWT_MAX 24
struct swt { unsigned n; const char *what[SWT_MAX]; uint64_t at[SWT_MAX]; };
static inline void swt_mark(struct swt *t, const char *what)
{
    if (t->n < SWT_MAX) { t->what[t->n] = what; t->at[t->n++] = swt_tsc(); }
}
static inline void swt_print(struct swt *t, const char *who)
{
    for (unsigned i = 0; i < t->n; i++)
        printf("SWT %s %s %llu\n", who, t->what[i], (unsigned long long)t->at[i]);
    t->n = 0;
}
