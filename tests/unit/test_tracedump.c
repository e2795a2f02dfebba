/*
 * Host unit tests for the IPC trace's text form (lib/tracedump): the header
 * lines, a record's exact bytes in hex, and the ring read back oldest first
 * before and after it wrapped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tracedump/tracedump.h"

#define MAX_LINES 16

struct lines {
    unsigned count;
    char text[MAX_LINES][TRACEDUMP_LINE_MAX];
};

static void collect(const char *line, void *context)
{
    struct lines *l = context;
    assert_true(l->count < MAX_LINES);
    assert_true(strlen(line) < TRACEDUMP_LINE_MAX);
    memcpy(l->text[l->count++], line, strlen(line) + 1);
}

/* A buffer of capacity records in exact-size heap memory (ASan sees overruns). */
static struct trace_buffer *new_buffer(uint64_t capacity)
{
    struct trace_buffer *b = calloc(1, sizeof *b + capacity * sizeof(struct trace_record));
    assert_non_null(b);
    b->magic = TRACE_BUFFER_MAGIC;
    b->cpu = 3;
    b->capacity = capacity;
    b->tsc_start = 1000;
    return b;
}

/* Appends a record as the kernel does: label n, sender n, at written % capacity. */
static void add(struct trace_buffer *b, unsigned n)
{
    struct trace_record *r = &b->records[b->written % b->capacity];
    memset(r, 0, sizeof *r);
    r->tsc = 1000 + n;
    r->tag = MSG_TAG(n, 1, 0);
    r->sender = n;
    b->written++;
}

static void test_header_lines(void **state)
{
    (void)state;
    struct lines l = {0};
    tracedump_begin(2, collect, &l);
    tracedump_end(12345678901ull, collect, &l);
    assert_int_equal(l.count, 2);
    assert_string_equal(l.text[0], "TRACE-BEGIN 2\n");
    assert_string_equal(l.text[1], "TRACE-END 12345678901\n");
}

static void test_record_bytes(void **state)
{
    (void)state;
    struct trace_record r;
    memset(&r, 0, sizeof r);
    r.tsc = 0x0102030405060708ull;
    r.tag = MSG_TAG(0x7101, 2, 0);
    r.badge = 0xff;
    r.sender = 7;
    r.receiver = 0x01020304;
    r.kind = TRACE_FAST | TRACE_CALL;
    r.cpu = 1;
    memcpy(r.sender_name, "tr-client", 9);
    memcpy(r.receiver_name, "fifteen-bytes-x", 15); /* no NUL: all 15 bytes are the name */
    char line[TRACEDUMP_LINE_MAX];
    tracedump_record_line(&r, line);
    assert_string_equal(line, "TRACE-REC "
                              "0807060504030201"               /* tsc, little-endian */
                              "0200017100000000"               /* tag */
                              "ff00000000000000"               /* badge */
                              "07000000"                       /* sender */
                              "04030201"                       /* receiver */
                              "81"                             /* kind */
                              "01"                             /* cpu */
                              "74722d636c69656e74000000000000" /* "tr-client" */
                              "6669667465656e2d62797465732d78\n" /* "fifteen-bytes-x" */);
}

static void test_ring_not_wrapped(void **state)
{
    (void)state;
    struct trace_buffer *b = new_buffer(4);
    add(b, 1);
    add(b, 2);
    struct lines l = {0};
    assert_int_equal(tracedump_buffer(b, collect, &l), 2);
    assert_int_equal(l.count, 3);
    assert_string_equal(l.text[0], "TRACE-CPU 3 2 4 1000\n");
    char expect[TRACEDUMP_LINE_MAX];
    tracedump_record_line(&b->records[0], expect);
    assert_string_equal(l.text[1], expect);
    tracedump_record_line(&b->records[1], expect);
    assert_string_equal(l.text[2], expect);
    free(b);
}

static void test_ring_wrapped(void **state)
{
    (void)state;
    struct trace_buffer *b = new_buffer(3);
    for (unsigned n = 1; n <= 7; n++)
        add(b, n);
    struct lines l = {0};
    assert_int_equal(tracedump_buffer(b, collect, &l), 3);
    assert_int_equal(l.count, 4);
    assert_string_equal(l.text[0], "TRACE-CPU 3 7 3 1000\n");
    /* records 5, 6, 7 survive, in that order: at slots 1, 2, 0 */
    unsigned slots[3] = {1, 2, 0};
    for (unsigned i = 0; i < 3; i++) {
        char expect[TRACEDUMP_LINE_MAX];
        assert_int_equal(b->records[slots[i]].sender, 5 + i);
        tracedump_record_line(&b->records[slots[i]], expect);
        assert_string_equal(l.text[1 + i], expect);
    }
    free(b);
}

static void test_ring_empty(void **state)
{
    (void)state;
    struct trace_buffer *b = new_buffer(2);
    struct lines l = {0};
    assert_int_equal(tracedump_buffer(b, collect, &l), 0);
    assert_int_equal(l.count, 1);
    assert_string_equal(l.text[0], "TRACE-CPU 3 0 2 1000\n");
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_lines),     cmocka_unit_test(test_record_bytes),
        cmocka_unit_test(test_ring_not_wrapped), cmocka_unit_test(test_ring_wrapped),
        cmocka_unit_test(test_ring_empty),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
