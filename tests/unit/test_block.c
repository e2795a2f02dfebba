/*
 * Host unit tests for lib/block: the checks every block request passes before it reaches a
 * disk (each error, each boundary, overflowing values), the ring indices' arithmetic across
 * the wrap of 32 bits, and the split of a request into physical pieces.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "block/block_check.h"

static const struct block_check_disk disk = {
    .sector_size = 512, .sectors = 1000, .max_bytes = 64 * 1024, .read_only = false};

static struct block_submission request(uint8_t op, uint32_t count, uint64_t lba, uint64_t offset)
{
    return (struct block_submission){.op = op, .count = count, .lba = lba, .offset = offset};
}

static uint32_t check(struct block_submission s)
{
    return block_check_request(&s, &disk, 8192);
}

static void good_requests_pass(void **state)
{
    (void)state;
    assert_int_equal(check(request(BLOCK_OP_READ, 1, 0, 0)), BLOCK_OK);
    assert_int_equal(check(request(BLOCK_OP_WRITE, 16, 984, 0)), BLOCK_OK); /* the last ones */
    assert_int_equal(check(request(BLOCK_OP_READ, 1, 999, 8192 - 512)), BLOCK_OK);
    assert_int_equal(check(request(BLOCK_OP_FLUSH, 0, 0, 0)), BLOCK_OK);
    struct block_submission fua = request(BLOCK_OP_WRITE, 1, 5, 512);
    fua.flags = BLOCK_FLAG_FUA;
    assert_int_equal(check(fua), BLOCK_OK);
}

static void unknown_requests_fail(void **state)
{
    (void)state;
    assert_int_equal(check(request(0, 1, 0, 0)), BLOCK_ERROR_OP);
    assert_int_equal(check(request(4, 1, 0, 0)), BLOCK_ERROR_OP);
    struct block_submission s = request(BLOCK_OP_READ, 1, 0, 0);
    s.flags = BLOCK_FLAG_FUA; /* FUA only on a write */
    assert_int_equal(check(s), BLOCK_ERROR_OP);
    s = request(BLOCK_OP_WRITE, 1, 0, 0);
    s.flags = 2;
    assert_int_equal(check(s), BLOCK_ERROR_OP);
    s = request(BLOCK_OP_READ, 1, 0, 0);
    s.zero = 1;
    assert_int_equal(check(s), BLOCK_ERROR_OP);
    assert_int_equal(check(request(BLOCK_OP_FLUSH, 1, 0, 0)), BLOCK_ERROR_OP);
    assert_int_equal(check(request(BLOCK_OP_FLUSH, 0, 3, 0)), BLOCK_ERROR_OP);
    assert_int_equal(check(request(BLOCK_OP_FLUSH, 0, 0, 512)), BLOCK_ERROR_OP);
}

static void ranges_are_checked(void **state)
{
    (void)state;
    assert_int_equal(check(request(BLOCK_OP_READ, 0, 0, 0)), BLOCK_ERROR_RANGE);
    assert_int_equal(check(request(BLOCK_OP_READ, 1, 1000, 0)), BLOCK_ERROR_RANGE);
    assert_int_equal(check(request(BLOCK_OP_READ, 2, 999, 0)), BLOCK_ERROR_RANGE);
    assert_int_equal(check(request(BLOCK_OP_READ, 1, UINT64_MAX, 0)), BLOCK_ERROR_RANGE);
    assert_int_equal(check(request(BLOCK_OP_READ, 129, 0, 0)), BLOCK_ERROR_RANGE); /* > max */
    assert_int_equal(check(request(BLOCK_OP_READ, UINT32_MAX, 0, 0)), BLOCK_ERROR_RANGE);
    assert_int_equal(check(request(BLOCK_OP_READ, 128, 0, 0)), BLOCK_ERROR_REGION);
}

static void alignment_and_region_are_checked(void **state)
{
    (void)state;
    assert_int_equal(check(request(BLOCK_OP_READ, 1, 0, 1)), BLOCK_ERROR_ALIGNMENT);
    assert_int_equal(check(request(BLOCK_OP_READ, 1, 0, 4096 + 256)), BLOCK_ERROR_ALIGNMENT);
    assert_int_equal(check(request(BLOCK_OP_READ, 1, 0, 8192)), BLOCK_ERROR_REGION);
    assert_int_equal(check(request(BLOCK_OP_READ, 2, 0, 8192 - 512)), BLOCK_ERROR_REGION);
    /* An offset so large that offset + bytes wraps must not pass. */
    assert_int_equal(check(request(BLOCK_OP_READ, 2, 0, UINT64_MAX - 511)), BLOCK_ERROR_REGION);
}

static void read_only_disks_refuse_writes(void **state)
{
    (void)state;
    struct block_check_disk ro = disk;
    ro.read_only = true;
    struct block_submission w = request(BLOCK_OP_WRITE, 1, 0, 0);
    struct block_submission r = request(BLOCK_OP_READ, 1, 0, 0);
    assert_int_equal(block_check_request(&w, &ro, 8192), BLOCK_ERROR_READ_ONLY);
    assert_int_equal(block_check_request(&r, &ro, 8192), BLOCK_OK);
}

static void ring_indices_wrap(void **state)
{
    (void)state;
    assert_int_equal(block_ring_count(10, 10), 0);
    assert_int_equal(block_ring_count(UINT32_MAX - 1, 3), 5);
    assert_true(block_ring_sane(UINT32_MAX - 10, UINT32_MAX - 10 + BLOCK_RING_ENTRIES));
    assert_false(block_ring_sane(0, BLOCK_RING_ENTRIES + 1));
    assert_false(block_ring_sane(5, 4)); /* the producer behind the consumer: garbage */
    assert_int_equal(block_ring_slot(BLOCK_RING_ENTRIES + 3), 3);
    assert_int_equal(block_ring_slot(UINT32_MAX), BLOCK_RING_ENTRIES - 1);
}

static void segments_split_at_frames_and_merge(void **state)
{
    (void)state;
    const uint64_t frames[] = {0x10000, 0x11000, 0x40000, 0x41000};
    struct block_segment out[8];
    /* Within one frame. */
    assert_int_equal(block_segments(frames, 4, 12, 512, 1024, out, 8), 1);
    assert_int_equal(out[0].physical, 0x10200);
    assert_int_equal(out[0].bytes, 1024);
    /* Up to a frame's end is still one piece; no room at all is no answer. */
    assert_int_equal(block_segments(frames, 4, 12, 3 * 4096 + 512, 4096 - 512, out, 8), 1);
    assert_int_equal(out[0].physical, 0x41200);
    assert_int_equal(out[0].bytes, 4096 - 512);
    assert_int_equal(block_segments(frames, 4, 12, 512, 1024, out, 0), 0);
    /* Across all four: frames 0-1 and 2-3 are adjacent. */
    assert_int_equal(block_segments(frames, 4, 12, 512, 4 * 4096 - 512, out, 8), 2);
    assert_int_equal(out[0].physical, 0x10200);
    assert_int_equal(out[0].bytes, 2 * 4096 - 512);
    assert_int_equal(out[1].physical, 0x40000);
    assert_int_equal(out[1].bytes, 2 * 4096);
    /* Too many pieces for the room given, and ranges outside the region. */
    const uint64_t scattered[] = {0x10000, 0x30000, 0x50000};
    assert_int_equal(block_segments(scattered, 3, 12, 0, 3 * 4096, out, 2), 0);
    assert_int_equal(block_segments(scattered, 3, 12, 0, 3 * 4096, out, 3), 3);
    assert_int_equal(out[2].physical, 0x50000);
    assert_int_equal(block_segments(frames, 4, 12, 4 * 4096, 512, out, 8), 0);
    assert_int_equal(block_segments(frames, 4, 12, 4096, 4 * 4096, out, 8), 0);
    assert_int_equal(block_segments(frames, 4, 12, 0, 0, out, 8), 0);
    /* 2 MiB frames. */
    const uint64_t large[] = {0x200000, 0x800000};
    assert_int_equal(block_segments(large, 2, 21, (2u << 20) - 4096, 8192, out, 8), 2);
    assert_int_equal(out[0].physical, 0x400000 - 4096);
    assert_int_equal(out[1].physical, 0x800000);
    assert_int_equal(out[1].bytes, 4096);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(good_requests_pass),
        cmocka_unit_test(unknown_requests_fail),
        cmocka_unit_test(ranges_are_checked),
        cmocka_unit_test(alignment_and_region_are_checked),
        cmocka_unit_test(read_only_disks_refuse_writes),
        cmocka_unit_test(ring_indices_wrap),
        cmocka_unit_test(segments_split_at_frames_and_merge),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
