/*
 * Host unit tests for lib/diskbench: the rows, the offsets each request goes to, the stamps
 * and their check, and diskbench_run against a fake disk in memory that completes requests
 * out of order, fails on demand, loses data or names slots that are not in flight.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "diskbench/diskbench.h"

static const struct diskbench_size check_size = {4ull << 20, 64};

static void test_rows(void **state)
{
    (void)state;
    for (int i = 0; i < DISKBENCH_ROW_COUNT; i++) {
        const struct diskbench_row *r = &diskbench_rows[i];
        assert_int_equal(r->request_bytes % DISKBENCH_BLOCK, 0);
        assert_true(r->request_bytes <= DISKBENCH_MAX_REQUEST);
        assert_true(r->depth >= 1 && r->depth <= DISKBENCH_MAX_DEPTH);
        for (int j = 0; j < i; j++)
            assert_string_not_equal(r->name, diskbench_rows[j].name);
    }
    /* Writes come first, so every block a read checks has been stamped. */
    assert_int_equal(diskbench_rows[0].op, DISKBENCH_WRITE);
    assert_false(diskbench_rows[0].random);
}

static void test_sizes_and_counts(void **state)
{
    (void)state;
    struct diskbench_size full, check;
    assert_true(diskbench_size_named("full", &full));
    assert_true(diskbench_size_named("check", &check));
    assert_false(diskbench_size_named("huge", &check));
    assert_int_equal(full.area_bytes, 256ull << 20);
    for (int i = 0; i < DISKBENCH_ROW_COUNT; i++) {
        const struct diskbench_row *r = &diskbench_rows[i];
        uint64_t n = diskbench_requests(r, &full);
        if (!r->random)
            assert_int_equal(n, 2048); /* 256 MiB in 128 KiB requests */
        else
            assert_int_equal(n, r->depth > 1 ? 4 * 4096 : 4096);
    }
}

static void test_offsets(void **state)
{
    (void)state;
    struct diskbench_size full;
    diskbench_size_named("full", &full);
    const struct diskbench_row *seq = &diskbench_rows[0], *rnd1 = NULL, *rnd32 = NULL;
    for (int i = 0; i < DISKBENCH_ROW_COUNT; i++)
        if (diskbench_rows[i].random)
            *(diskbench_rows[i].depth == 1 ? &rnd1 : &rnd32) = &diskbench_rows[i];
    assert_non_null(rnd1);
    assert_non_null(rnd32);
    assert_int_equal(diskbench_offset(seq, &full, 0), 0);
    assert_int_equal(diskbench_offset(seq, &full, 5), 5 * 128 * 1024);
    /* Random offsets: aligned, inside the area, the same every time, spread over it, and
       different for the two random rows. */
    uint64_t low = 0, same = 0, distinct_first = 0;
    for (uint64_t i = 0; i < 4096; i++) {
        uint64_t o = diskbench_offset(rnd1, &full, i);
        assert_int_equal(o % DISKBENCH_BLOCK, 0);
        assert_true(o + rnd1->request_bytes <= full.area_bytes);
        assert_int_equal(o, diskbench_offset(rnd1, &full, i));
        low += o < full.area_bytes / 2;
        same += o == diskbench_offset(rnd32, &full, i);
        distinct_first += o != diskbench_offset(rnd1, &full, 0);
    }
    assert_true(low > 1800 && low < 2300); /* about half in the lower half */
    assert_true(same < 10);
    assert_true(distinct_first > 4090);
}

static void test_stamp_and_check(void **state)
{
    (void)state;
    size_t bytes = 8 * DISKBENCH_BLOCK;
    uint8_t *b = calloc(1, bytes);
    assert_int_equal(diskbench_check(b, 0, bytes), 8); /* zeros never pass */
    diskbench_stamp(b, 3 * DISKBENCH_BLOCK, bytes);
    assert_int_equal(diskbench_check(b, 3 * DISKBENCH_BLOCK, bytes), 0);
    assert_int_equal(diskbench_check(b, 4 * DISKBENCH_BLOCK, bytes), 8); /* misplaced */
    b[5 * DISKBENCH_BLOCK + 2] ^= 1;
    assert_int_equal(diskbench_check(b, 3 * DISKBENCH_BLOCK, bytes), 1);
    free(b);
}

/* The fake disk: check_size's area in memory; requests queue, then complete in reverse order
   of queueing, up to `per_call` at a time. */
struct fake {
    uint8_t *disk, *buffer;
    struct {
        unsigned slot;
        enum diskbench_op op;
        uint64_t offset;
        uint32_t bytes;
    } pending[64];
    unsigned pending_count, max_pending, per_call;
    uint64_t queued_total, completed_total;
    int fail_queue_at, fail_complete_at; /* a call number that fails (-5), or -1 */
    int bad_slot_at;                     /* a complete call that names slot 31, or -1 */
    int lose_write_at;                   /* a write (by number) that is not stored, or -1 */
    int repeat_at;                       /* a complete call that repeats the last slot, or -1 */
    unsigned last_slot;
    unsigned calls;
};

static int fake_queue(void *context, unsigned slot, enum diskbench_op op, uint64_t offset,
                      uint32_t bytes)
{
    struct fake *f = context;
    if (f->fail_queue_at >= 0 && f->queued_total == (uint64_t)f->fail_queue_at)
        return -5;
    f->pending[f->pending_count].slot = slot;
    f->pending[f->pending_count].op = op;
    f->pending[f->pending_count].offset = offset;
    f->pending[f->pending_count].bytes = bytes;
    f->pending_count++;
    f->queued_total++;
    if (f->pending_count > f->max_pending)
        f->max_pending = f->pending_count;
    return 0;
}

static int fake_complete(void *context, unsigned queued, unsigned *slots, unsigned max)
{
    struct fake *f = context;
    (void)queued;
    unsigned call = f->calls++;
    if (f->fail_complete_at >= 0 && call == (unsigned)f->fail_complete_at)
        return -7;
    if (f->bad_slot_at >= 0 && call == (unsigned)f->bad_slot_at) {
        slots[0] = 31;
        return 1;
    }
    if (f->repeat_at >= 0 && call == (unsigned)f->repeat_at) {
        slots[0] = f->last_slot;
        return 1;
    }
    int n = 0;
    while (f->pending_count > 0 && (unsigned)n < max && (unsigned)n < f->per_call) {
        f->pending_count--;
        unsigned slot = f->pending[f->pending_count].slot;
        uint8_t *data = f->buffer + (size_t)slot * DISKBENCH_MAX_REQUEST;
        uint64_t offset = f->pending[f->pending_count].offset;
        uint32_t bytes = f->pending[f->pending_count].bytes;
        assert_true(offset + bytes <= check_size.area_bytes);
        if (f->pending[f->pending_count].op == DISKBENCH_WRITE) {
            if (f->lose_write_at < 0 || f->completed_total != (uint64_t)f->lose_write_at)
                memcpy(f->disk + offset, data, bytes);
        } else {
            memcpy(data, f->disk + offset, bytes);
        }
        f->completed_total++;
        f->last_slot = slot;
        slots[n++] = slot;
    }
    return n;
}

static struct fake *fake_new(unsigned per_call)
{
    struct fake *f = calloc(1, sizeof *f);
    f->disk = calloc(1, check_size.area_bytes);
    f->buffer = calloc(1, DISKBENCH_BUFFER_BYTES);
    f->per_call = per_call;
    f->fail_queue_at = f->fail_complete_at = f->bad_slot_at = f->lose_write_at = -1;
    f->repeat_at = -1;
    return f;
}

static void fake_free(struct fake *f)
{
    free(f->disk);
    free(f->buffer);
    free(f);
}

static struct diskbench_outcome run(struct fake *f, int row)
{
    struct diskbench_io io = {f, f->buffer, fake_queue, fake_complete};
    return diskbench_run(&diskbench_rows[row], &check_size, &io);
}

static void test_run_all_rows(void **state)
{
    (void)state;
    struct fake *f = fake_new(3);
    for (int i = 0; i < DISKBENCH_ROW_COUNT; i++) {
        f->max_pending = 0;
        struct diskbench_outcome o = run(f, i);
        const struct diskbench_row *r = &diskbench_rows[i];
        assert_int_equal(o.error, 0);
        assert_int_equal(o.bad_blocks, 0);
        assert_int_equal(o.requests, diskbench_requests(r, &check_size));
        assert_int_equal(o.bytes, o.requests * r->request_bytes);
        assert_int_equal(f->max_pending, r->depth); /* the queue is kept full */
        assert_int_equal(f->pending_count, 0);
    }
    /* The writes left every block of the area stamped. */
    assert_int_equal(diskbench_check(f->disk, 0, check_size.area_bytes), 0);
    fake_free(f);
}

static void test_run_detects_lost_data(void **state)
{
    (void)state;
    struct fake *f = fake_new(32);
    f->lose_write_at = 7; /* the 8th 128 KiB write never reaches the disk */
    assert_int_equal(run(f, 0).bad_blocks, 0);
    struct diskbench_outcome o = run(f, 1); /* the sequential read finds its 32 blocks */
    assert_int_equal(o.error, 0);
    assert_int_equal(o.bad_blocks, 32);
    fake_free(f);
}

static void test_run_stops_on_errors(void **state)
{
    (void)state;
    struct fake *f = fake_new(1);
    f->fail_queue_at = 10;
    struct diskbench_outcome o = run(f, 0);
    assert_int_equal(o.error, -5);
    assert_true(o.requests <= 10);
    fake_free(f);

    f = fake_new(1);
    f->fail_complete_at = 4;
    o = run(f, 2);
    assert_int_equal(o.error, -7);
    assert_int_equal(o.requests, 4);
    fake_free(f);

    f = fake_new(1);
    f->bad_slot_at = 2; /* slot 31 of a depth-1 row */
    o = run(f, 0);
    assert_int_equal(o.error, DISKBENCH_BAD_COMPLETION);
    fake_free(f);

    /* A slot completed twice: the check size's depth-32 row has 32 requests, all queued at
       once, so the slot the first call completed is not in flight at the second. */
    f = fake_new(1);
    f->repeat_at = 1;
    o = run(f, 2);
    assert_int_equal(o.error, DISKBENCH_BAD_COMPLETION);
    assert_int_equal(o.requests, 1);
    fake_free(f);
}

static void test_format(void **state)
{
    (void)state;
    char line[DISKBENCH_LINE_MAX];
    diskbench_format(line, "rand-read-4k-qd1", 4096, 16777216, 123456789, 42);
    assert_string_equal(line, "DISK,rand-read-4k-qd1,4096,16777216,123456789,42");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows),
        cmocka_unit_test(test_sizes_and_counts),
        cmocka_unit_test(test_offsets),
        cmocka_unit_test(test_stamp_and_check),
        cmocka_unit_test(test_run_all_rows),
        cmocka_unit_test(test_run_detects_lost_data),
        cmocka_unit_test(test_run_stops_on_errors),
        cmocka_unit_test(test_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
