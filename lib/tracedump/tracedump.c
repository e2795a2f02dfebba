/*
 * The IPC trace's text form (tracedump.h). Formats by hand rather than with
 * snprintf so the host test and every user of it see the same bytes, and so
 * it needs nothing but the buffer.
 */
#include "tracedump.h"

/* Appends the decimal digits of v at p; returns the new end. */
static char *put_decimal(char *p, uint64_t v)
{
    char digits[20];
    int n = 0;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *p++ = digits[--n];
    return p;
}

/* Appends s (NUL-ended) at p; returns the new end. */
static char *put_text(char *p, const char *s)
{
    while (*s)
        *p++ = *s++;
    return p;
}

void tracedump_begin(unsigned cpus, tracedump_emit_fn emit, void *context)
{
    char line[TRACEDUMP_LINE_MAX];
    char *p = put_decimal(put_text(line, "TRACE-BEGIN "), cpus);
    p = put_text(p, "\n");
    *p = 0;
    emit(line, context);
}

void tracedump_end(uint64_t records, tracedump_emit_fn emit, void *context)
{
    char line[TRACEDUMP_LINE_MAX];
    char *p = put_decimal(put_text(line, "TRACE-END "), records);
    p = put_text(p, "\n");
    *p = 0;
    emit(line, context);
}

void tracedump_record_line(const struct trace_record *r, char line[TRACEDUMP_LINE_MAX])
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *bytes = (const unsigned char *)r;
    char *p = put_text(line, "TRACE-REC ");
    for (size_t i = 0; i < sizeof *r; i++) {
        *p++ = hex[bytes[i] >> 4];
        *p++ = hex[bytes[i] & 0xf];
    }
    p = put_text(p, "\n");
    *p = 0;
}

uint64_t tracedump_buffer(const struct trace_buffer *b, tracedump_emit_fn emit, void *context)
{
    char line[TRACEDUMP_LINE_MAX];
    char *p = put_text(line, "TRACE-CPU ");
    p = put_decimal(p, b->cpu);
    p = put_text(p, " ");
    p = put_decimal(p, b->written);
    p = put_text(p, " ");
    p = put_decimal(p, b->capacity);
    p = put_text(p, " ");
    p = put_decimal(p, b->tsc_start);
    p = put_text(p, "\n");
    *p = 0;
    emit(line, context);
    /* The ring holds the last min(written, capacity) records; the oldest
       of them is at written % capacity once it has wrapped. */
    uint64_t kept = b->written < b->capacity ? b->written : b->capacity;
    uint64_t first = b->written - kept;
    for (uint64_t n = first; n < b->written; n++) {
        tracedump_record_line(&b->records[n % b->capacity], line);
        emit(line, context);
    }
    return kept;
}
