/*
 * Host unit tests for lib/nvme: CAP as QEMU 7.2's controller reports it and every refusal,
 * IDENTIFY controller and namespace data (QEMU's, every bad field, every byte flipped), the
 * commands' fields, PRPs from a region's pieces, the completion queue's phase tag across wraps,
 * and status codes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "nvme/nvme.h"

/* QEMU 7.2's CAP (hw/nvme/ctrl.c): MQES 0x7ff, CQR, TO 15, DSTRD 0, CSS NVM, MPSMAX 4. */
static const uint64_t qemu_cap = 0x7ffull | 1ull << 16 | 0xfull << 24 | 1ull << 37 | 4ull << 52;

static void test_cap_qemu(void **state)
{
    (void)state;
    struct nvme_cap c;
    assert_int_equal(nvme_cap_decode(qemu_cap, &c), NVME_CAP_OK);
    assert_int_equal(c.max_entries, 2048);
    assert_true(c.contiguous);
    assert_int_equal(c.timeout_ms, 7500);
    assert_int_equal(c.doorbell_stride, 4);
    assert_int_equal(c.page_min, 4096);
    assert_int_equal(c.page_max, 65536);
    assert_int_equal(nvme_doorbell(&c, 0, false), 0x1000);
    assert_int_equal(nvme_doorbell(&c, 0, true), 0x1004);
    assert_int_equal(nvme_doorbell(&c, 1, false), 0x1008);
    assert_int_equal(nvme_doorbell(&c, 1, true), 0x100c);
    /* DSTRD 2: 16 bytes between doorbells */
    assert_int_equal(nvme_cap_decode(qemu_cap | 2ull << 32, &c), NVME_CAP_OK);
    assert_int_equal(nvme_doorbell(&c, 1, true), 0x1000 + 3 * 16);
}

static void test_cap_refused(void **state)
{
    (void)state;
    struct nvme_cap c;
    assert_int_equal(nvme_cap_decode(qemu_cap & ~(1ull << 37), &c), NVME_CAP_NO_NVM);
    assert_int_equal(nvme_cap_decode(qemu_cap | 1ull << 48, &c), NVME_CAP_PAGE_SIZE);
    assert_int_equal(nvme_cap_decode(qemu_cap & ~(0xffull << 24), &c), NVME_CAP_TIMEOUT);
    assert_int_equal(nvme_cap_decode(qemu_cap & ~0xffffull, &c), NVME_CAP_QUEUE);
    assert_string_equal(nvme_cap_error_text(NVME_CAP_NO_NVM), "CAP.CSS lacks the NVM command set");
    /* every CAP there is: never a crash, and an accepted one keeps its promises */
    for (unsigned bit = 0; bit < 64; bit++) {
        if (nvme_cap_decode(qemu_cap ^ 1ull << bit, &c) == NVME_CAP_OK) {
            assert_true(c.page_min <= NVME_PAGE && c.page_max >= NVME_PAGE);
            assert_true(c.timeout_ms > 0 && c.max_entries >= 2);
        }
    }
    uint32_t cc = nvme_cc_enable();
    assert_int_equal(cc & 1, 1);
    assert_int_equal((cc >> 16) & 0xf, 6);
    assert_int_equal((cc >> 20) & 0xf, 4);
    assert_int_equal((cc >> 7) & 0xf, 0); /* 4 KiB pages */
}

static void put_ascii(uint8_t *data, unsigned at, unsigned bytes, const char *s)
{
    memset(data + at, ' ', bytes);
    memcpy(data + at, s, strlen(s));
}

/* What QEMU 7.2 answers to IDENTIFY controller (serial=nvme-serial-1). */
static void qemu_controller(uint8_t *d)
{
    memset(d, 0, NVME_IDENTIFY_BYTES);
    d[0] = 0x36;
    d[1] = 0x1b; /* 1b36, Red Hat */
    put_ascii(d, 4, 20, "nvme-serial-1");
    put_ascii(d, 24, 40, "QEMU NVMe Ctrl");
    put_ascii(d, 64, 8, "7.2.0");
    d[77] = 7;
    d[78] = 0;
    d[512] = 0x66;
    d[513] = 0x44;
    d[516] = 0; /* NN 256 */
    d[517] = 1;
    d[525] = 1;
    d[536] = 1; /* SGLS: SGLs, no alignment required */
}

static void test_identify_controller(void **state)
{
    (void)state;
    uint8_t d[NVME_IDENTIFY_BYTES];
    struct nvme_controller_id id;
    qemu_controller(d);
    assert_int_equal(nvme_identify_controller(d, 4096, &id), NVME_IDENTIFY_OK);
    assert_string_equal(id.serial, "nvme-serial-1");
    assert_string_equal(id.model, "QEMU NVMe Ctrl");
    assert_string_equal(id.firmware, "7.2.0");
    assert_int_equal(id.vendor, 0x1b36);
    assert_int_equal(id.namespaces, 256);
    assert_int_equal(id.max_transfer, 4096u << 7);
    assert_true(id.write_cache);
    assert_true(id.sgl);
    d[536] = 0;
    assert_int_equal(nvme_identify_controller(d, 4096, &id), NVME_IDENTIFY_OK);
    assert_false(id.sgl);
    d[536] = 2; /* dword alignment and granularity: ours are */
    assert_int_equal(nvme_identify_controller(d, 4096, &id), NVME_IDENTIFY_OK);
    assert_true(id.sgl);
    d[77] = 0;
    assert_int_equal(nvme_identify_controller(d, 4096, &id), NVME_IDENTIFY_OK);
    assert_int_equal(id.max_transfer, 0);
    /* unprintable bytes never reach a log line */
    qemu_controller(d);
    d[5] = 0x07;
    d[30] = 0xff;
    assert_int_equal(nvme_identify_controller(d, 4096, &id), NVME_IDENTIFY_OK);
    assert_string_equal(id.serial, "n?me-serial-1");
    assert_int_equal(id.model[6], '?');
}

static void test_identify_controller_refused(void **state)
{
    (void)state;
    uint8_t d[NVME_IDENTIFY_BYTES];
    struct nvme_controller_id id;
    qemu_controller(d);
    d[512] = 0x77; /* 128-byte entries required */
    assert_int_equal(nvme_identify_controller(d, 4096, &id), NVME_IDENTIFY_ENTRY_SIZE);
    qemu_controller(d);
    d[513] = 0x33; /* 8-byte completions at most */
    assert_int_equal(nvme_identify_controller(d, 4096, &id), NVME_IDENTIFY_ENTRY_SIZE);
    qemu_controller(d);
    d[516] = d[517] = 0;
    assert_int_equal(nvme_identify_controller(d, 4096, &id), NVME_IDENTIFY_NAMESPACES);
    memset(d + 516, 0xff, 4);
    assert_int_equal(nvme_identify_controller(d, 4096, &id), NVME_IDENTIFY_NAMESPACES);
    qemu_controller(d);
    d[77] = 0xff;
    assert_int_equal(nvme_identify_controller(d, 4096, &id), NVME_IDENTIFY_MDTS);
    assert_string_equal(nvme_identify_error_text(NVME_IDENTIFY_MDTS),
                        "an absurd maximum transfer size (MDTS above 20)");
    /* all ones: refused */
    memset(d, 0xff, sizeof d);
    assert_int_not_equal(nvme_identify_controller(d, 4096, &id), NVME_IDENTIFY_OK);
}

/* Every byte of the controller's data flipped, one at a time: a result that is accepted still
   keeps the promises the driver relies on. */
static void test_identify_controller_flipped(void **state)
{
    (void)state;
    uint8_t d[NVME_IDENTIFY_BYTES];
    struct nvme_controller_id id;
    unsigned refused = 0;
    for (unsigned i = 0; i < NVME_IDENTIFY_BYTES; i++) {
        qemu_controller(d);
        d[i] ^= 0xff;
        if (nvme_identify_controller(d, 4096, &id) != NVME_IDENTIFY_OK) {
            refused++;
            continue;
        }
        assert_true(id.namespaces >= 1 && id.namespaces <= NVME_MAX_NAMESPACES);
        assert_true(id.max_transfer <= (4096ull << NVME_MAX_MDTS));
        for (const char *c = id.model; *c; c++)
            assert_true(*c >= 0x20 && *c <= 0x7e);
        for (const char *c = id.serial; *c; c++)
            assert_true(*c >= 0x20 && *c <= 0x7e);
    }
    /* MDTS, SQES, CQES and NN's bytes: flipping each is refused */
    assert_true(refused >= 5);
}

/* QEMU's namespace: blocks of 512 bytes (format 0), a 4096-byte format listed as 1. */
static void qemu_namespace(uint8_t *d, uint64_t blocks)
{
    memset(d, 0, NVME_IDENTIFY_BYTES);
    for (unsigned i = 0; i < 8; i++) {
        d[i] = (uint8_t)(blocks >> 8 * i);
        d[8 + i] = (uint8_t)(blocks >> 8 * i);
        d[16 + i] = (uint8_t)(blocks >> 8 * i);
    }
    d[25] = 7; /* 8 formats */
    d[26] = 0;
    d[128 + 2] = 9; /* format 0: 512 bytes */
    d[132 + 2] = 9; /* format 1: 512 bytes + 8 metadata */
    d[132] = 8;
    d[144 + 2] = 12; /* format 4: 4096 bytes */
    d[148 + 2] = 12; /* format 5: 4096 + 8 */
    d[148] = 8;
}

static void test_identify_namespace(void **state)
{
    (void)state;
    uint8_t d[NVME_IDENTIFY_BYTES];
    struct nvme_namespace_id ns;
    qemu_namespace(d, 131072);
    assert_int_equal(nvme_identify_namespace(d, &ns), NVME_IDENTIFY_OK);
    assert_int_equal(ns.blocks, 131072);
    assert_int_equal(ns.block_size, 512);
    d[26] = 4;
    assert_int_equal(nvme_identify_namespace(d, &ns), NVME_IDENTIFY_OK);
    assert_int_equal(ns.block_size, 4096);
    /* the refusals, one by one */
    d[26] = 1;
    assert_int_equal(nvme_identify_namespace(d, &ns), NVME_IDENTIFY_METADATA);
    d[26] = 5;
    assert_int_equal(nvme_identify_namespace(d, &ns), NVME_IDENTIFY_METADATA);
    d[26] = 9; /* past NLBAF */
    assert_int_equal(nvme_identify_namespace(d, &ns), NVME_IDENTIFY_FORMAT);
    qemu_namespace(d, 131072);
    d[128 + 2] = 10; /* 1024-byte blocks */
    assert_int_equal(nvme_identify_namespace(d, &ns), NVME_IDENTIFY_BLOCK_SIZE);
    d[128 + 2] = 0;
    assert_int_equal(nvme_identify_namespace(d, &ns), NVME_IDENTIFY_BLOCK_SIZE);
    qemu_namespace(d, 0);
    assert_int_equal(nvme_identify_namespace(d, &ns), NVME_IDENTIFY_INACTIVE);
    qemu_namespace(d, 1000);
    d[9] = 0x10; /* NCAP above NSZE */
    assert_int_equal(nvme_identify_namespace(d, &ns), NVME_IDENTIFY_CAPACITY);
    qemu_namespace(d, UINT64_MAX);
    assert_int_equal(nvme_identify_namespace(d, &ns), NVME_IDENTIFY_CAPACITY);
    qemu_namespace(d, 1000);
    d[25] = 16; /* 17 formats */
    assert_int_equal(nvme_identify_namespace(d, &ns), NVME_IDENTIFY_FORMAT);
    assert_string_equal(nvme_identify_error_text(NVME_IDENTIFY_BLOCK_SIZE),
                        "a block size other than 512 or 4096 bytes");
}

/* Every bit of the namespace's first 256 bytes flipped: an accepted one is still sane. */
static void test_identify_namespace_flipped(void **state)
{
    (void)state;
    uint8_t d[NVME_IDENTIFY_BYTES];
    struct nvme_namespace_id ns;
    unsigned refused = 0;
    for (unsigned bit = 0; bit < 256 * 8; bit++) {
        qemu_namespace(d, 1u << 20);
        d[bit / 8] ^= (uint8_t)(1u << bit % 8);
        if (nvme_identify_namespace(d, &ns) != NVME_IDENTIFY_OK) {
            refused++;
            continue;
        }
        assert_true(ns.block_size == 512 || ns.block_size == 4096);
        assert_true(ns.blocks > 0 && ns.blocks <= UINT64_MAX / ns.block_size);
    }
    assert_true(refused > 10);
}

static void test_active_namespaces(void **state)
{
    (void)state;
    uint8_t d[NVME_IDENTIFY_BYTES] = {0};
    uint32_t ids[8];
    uint32_t list[] = {1, 2, 5, 4, 300, 7, 0, 9};
    memcpy(d, list, sizeof list);
    unsigned n = nvme_active_namespaces(d, 256, ids, 8);
    assert_int_equal(n, 4); /* 4 out of order and 300 past NN dropped; 0 ends it */
    assert_int_equal(ids[0], 1);
    assert_int_equal(ids[1], 2);
    assert_int_equal(ids[2], 5);
    assert_int_equal(ids[3], 7);
    assert_int_equal(nvme_active_namespaces(d, 256, ids, 2), 2);
}

static void test_commands(void **state)
{
    (void)state;
    struct nvme_sqe e;
    nvme_build_rw(&e, true, 17, 1, 0x123456789ull, 8, true, 0x1000, 0x2000);
    assert_int_equal(e.opcode, NVME_IO_WRITE);
    assert_int_equal(e.cid, 17);
    assert_int_equal(e.nsid, 1);
    assert_int_equal(e.cdw10, 0x23456789);
    assert_int_equal(e.cdw11, 0x1);
    assert_int_equal(e.cdw12, 7u | NVME_RW_FUA);
    assert_int_equal(e.prp1, 0x1000);
    assert_int_equal(e.prp2, 0x2000);
    nvme_build_rw(&e, false, 3, 2, 5, 65536, true, 0x1000, 0);
    assert_int_equal(e.opcode, NVME_IO_READ);
    assert_int_equal(e.cdw12, 0xffff); /* FUA only on writes here */
    nvme_build_flush(&e, 9, 1);
    assert_int_equal(e.opcode, NVME_IO_FLUSH);
    assert_int_equal(e.prp1, 0);
    nvme_build_create_cq(&e, 1, 1, 64, 0x5000, 0);
    assert_int_equal(e.opcode, NVME_ADMIN_CREATE_CQ);
    assert_int_equal(e.cdw10, 63u << 16 | 1);
    assert_int_equal(e.cdw11, 3);
    nvme_build_create_sq(&e, 2, 1, 64, 0x6000, 1);
    assert_int_equal(e.cdw10, 63u << 16 | 1);
    assert_int_equal(e.cdw11, 1u << 16 | 1);
    nvme_build_identify(&e, 4, 0, NVME_IDENTIFY_CONTROLLER, 0x7000);
    assert_int_equal(e.cdw10, 1);
    assert_int_equal(e.prp1, 0x7000);
    nvme_build_set_queues(&e, 5, 1, 1);
    assert_int_equal(e.cdw10, NVME_FEATURE_QUEUES);
    assert_int_equal(e.cdw11, 0);
    nvme_build_set_queues(&e, 5, 2, 2);
    assert_int_equal(e.cdw11, 1u << 16 | 1);
    nvme_build_abort(&e, 6, 2, 37);
    assert_int_equal(e.opcode, NVME_ADMIN_ABORT);
    assert_int_equal(e.cid, 6);
    assert_int_equal(e.nsid, 0);
    assert_int_equal(e.cdw10, 37u << 16 | 2);
    assert_true(nvme_abort_done(0));
    assert_false(nvme_abort_done(1)); /* QEMU 7.2's answer: not aborted */
}

/* Set Features (Number of Queues): the pairs granted are the smaller of NSQA and NCQA (0-based),
   and never more than asked. */
static void test_queues_granted(void **state)
{
    (void)state;
    assert_int_equal(nvme_queues_granted(63u << 16 | 63, 2), 2); /* QEMU: 64 each */
    assert_int_equal(nvme_queues_granted(0, 2), 1);
    assert_int_equal(nvme_queues_granted(3u << 16 | 1, 8), 2); /* fewer SQs than CQs */
    assert_int_equal(nvme_queues_granted(0u << 16 | 5, 8), 1); /* fewer CQs */
    assert_int_equal(nvme_queues_granted(0xffffu << 16 | 0xffff, 8), 8);
    assert_int_equal(nvme_status_block(NVME_SC_ABORT_REQUESTED), BLOCK_ERROR_IO);
}

static void test_prp(void **state)
{
    (void)state;
    uint64_t list[512], prp1, prp2;
    const uint64_t lp = 0x900000;
    /* one page, misaligned inside it */
    struct block_segment one[] = {{0x10200, 0x200}};
    assert_int_equal(nvme_prp_build(one, 1, list, 512, lp, &prp1, &prp2), 1);
    assert_int_equal(prp1, 0x10200);
    assert_int_equal(prp2, 0);
    /* two pages: a misaligned start crossing into the next */
    struct block_segment two[] = {{0x10e00, 0x400}};
    assert_int_equal(nvme_prp_build(two, 1, list, 512, lp, &prp1, &prp2), 2);
    assert_int_equal(prp2, 0x11000);
    /* two frames far apart, three pages: a list */
    struct block_segment three[] = {{0x20000, 0x2000}, {0x80000, 0x1000}};
    assert_int_equal(nvme_prp_build(three, 2, list, 512, lp, &prp1, &prp2), 3);
    assert_int_equal(prp1, 0x20000);
    assert_int_equal(prp2, lp);
    assert_int_equal(list[0], 0x21000);
    assert_int_equal(list[1], 0x80000);
    /* 1 MiB, misaligned by 512: 257 pages, 256 in the list */
    struct block_segment big[] = {{0x100200, 1u << 20}};
    assert_int_equal(nvme_prp_build(big, 1, list, 512, lp, &prp1, &prp2), 257);
    assert_int_equal(list[255], 0x200000);
    /* refusals: a hole inside a page, a later piece off a page, too many pages, odd start */
    struct block_segment hole[] = {{0x20000, 0x800}, {0x30000, 0x1000}};
    assert_int_equal(nvme_prp_build(hole, 2, list, 512, lp, &prp1, &prp2), 0);
    struct block_segment off[] = {{0x20000, 0x1000}, {0x30200, 0x1000}};
    assert_int_equal(nvme_prp_build(off, 2, list, 512, lp, &prp1, &prp2), 0);
    assert_int_equal(nvme_prp_build(big, 1, list, 255, lp, &prp1, &prp2), 0);
    assert_int_equal(nvme_prp_build(three, 2, list, 1, lp, &prp1, &prp2), 0);
    struct block_segment odd[] = {{0x10001, 0x200}};
    assert_int_equal(nvme_prp_build(odd, 1, list, 512, lp, &prp1, &prp2), 0);
    struct block_segment empty[] = {{0x10000, 0}};
    assert_int_equal(nvme_prp_build(empty, 1, list, 512, lp, &prp1, &prp2), 0);
    assert_int_equal(nvme_prp_build(one, 0, list, 512, lp, &prp1, &prp2), 0);
    struct block_segment wraps[] = {{UINT64_MAX - 0xfff, 0x2000}};
    assert_int_equal(nvme_prp_build(wraps, 1, list, 512, lp, &prp1, &prp2), 0);
}

static void test_sgl(void **state)
{
    (void)state;
    uint8_t list[2048];
    uint64_t d1, d2, w[2];
    const uint64_t lp = 0x900000;
    /* one contiguous piece, 1 MiB, misaligned by 512: one data block descriptor inline */
    struct block_segment big[] = {{0x100200, 1u << 20}};
    assert_int_equal(nvme_sgl_build(big, 1, list, sizeof list, lp, &d1, &d2), 1);
    assert_int_equal(d1, 0x100200);
    assert_int_equal(d2, (uint64_t)(1u << 20)); /* length; identifier 0: data block */
    /* pieces anywhere (no page rules): a last segment naming a list of data blocks */
    struct block_segment three[] = {{0x20000, 0x800}, {0x30200, 0x1000}, {0x80000, 0x200}};
    assert_int_equal(nvme_sgl_build(three, 3, list, sizeof list, lp, &d1, &d2), 3);
    assert_int_equal(d1, lp);
    assert_int_equal(d2, 48 | (uint64_t)NVME_SGL_LAST_SEGMENT << 56);
    memcpy(w, list + 16, sizeof w);
    assert_int_equal(w[0], 0x30200);
    assert_int_equal(w[1], 0x1000);
    memcpy(w, list + 32, sizeof w);
    assert_int_equal(w[0], 0x80000);
    assert_int_equal(w[1], 0x200);
    /* refusals: no list room, empty, odd, none, past the end of the address space, a list
       not qword-aligned */
    assert_int_equal(nvme_sgl_build(three, 3, list, 32, lp, &d1, &d2), 0);
    struct block_segment empty[] = {{0x10000, 0}};
    assert_int_equal(nvme_sgl_build(empty, 1, list, sizeof list, lp, &d1, &d2), 0);
    struct block_segment odd[] = {{0x10001, 0x200}};
    assert_int_equal(nvme_sgl_build(odd, 1, list, sizeof list, lp, &d1, &d2), 0);
    assert_int_equal(nvme_sgl_build(big, 0, list, sizeof list, lp, &d1, &d2), 0);
    struct block_segment wraps[] = {{UINT64_MAX - 0xfff, 0x2000}};
    assert_int_equal(nvme_sgl_build(wraps, 1, list, sizeof list, lp, &d1, &d2), 0);
    /* a list only dword-aligned: the segment must be qword-aligned */
    assert_int_equal(nvme_sgl_build(three, 3, list, sizeof list, lp + 4, &d1, &d2), 0);
}

static void test_cq_phase(void **state)
{
    (void)state;
    struct nvme_cq_cursor c;
    nvme_cq_start(&c, 3);
    assert_true(nvme_cq_ready(&c, 1));
    assert_false(nvme_cq_ready(&c, 0)); /* a zeroed queue: nothing yet */
    nvme_cq_advance(&c);
    nvme_cq_advance(&c);
    assert_int_equal(c.head, 2);
    nvme_cq_advance(&c);
    assert_int_equal(c.head, 0);
    assert_int_equal(c.phase, 0); /* the second pass: old entries (phase 1) are stale */
    assert_false(nvme_cq_ready(&c, 1));
    assert_true(nvme_cq_ready(&c, 0 | 0x2 << 1));
    for (unsigned i = 0; i < 3; i++)
        nvme_cq_advance(&c);
    assert_int_equal(c.phase, 1);
}

static void test_status(void **state)
{
    (void)state;
    assert_int_equal(nvme_status_block(0), BLOCK_OK);
    assert_int_equal(nvme_status_block(0x80), BLOCK_ERROR_RANGE);
    assert_string_equal(nvme_status_name(0x80), "LBA out of range");
    assert_int_equal(nvme_status_block(0x0b), BLOCK_ERROR_NO_DEVICE);
    assert_int_equal(nvme_status_block(1u << 8 | 0x82), BLOCK_ERROR_READ_ONLY);
    assert_string_equal(nvme_status_name(1u << 8 | 0x82), "write to a read-only range");
    assert_int_equal(nvme_status_block(2u << 8 | 0x81), BLOCK_ERROR_IO);
    assert_string_equal(nvme_status_name(2u << 8 | 0x81), "unrecovered read error");
    assert_string_equal(nvme_status_name(0x02), "invalid field in command");
    assert_string_equal(nvme_status_name(7u << 8), "vendor specific or unknown error");
    assert_true(nvme_status_retryable(2u << 8 | 0x81));
    assert_false(nvme_status_retryable(1u << 14 | 2u << 8 | 0x81)); /* DNR */
    assert_false(nvme_status_retryable(0x80));
    assert_false(nvme_status_retryable(0x02));
    assert_true(nvme_status_retryable(0x06));
    /* every status field: a name and a block status in range */
    for (uint32_t s = 0; s < 0x8000; s++) {
        assert_non_null(nvme_status_name((uint16_t)s));
        assert_true(nvme_status_block((uint16_t)s) < BLOCK_STATUS_COUNT);
    }
}

/* Two requests' pieces become one command's: joined where they touch, refused when they do
   not fit (nothing changed then). */
static void test_segments_append(void **state)
{
    (void)state;
    struct block_segment s[3] = {{0x100000, 0x20000}};
    struct block_segment next[] = {{0x120000, 0x20000}};
    assert_int_equal(nvme_segments_append(s, 1, 3, next, 1), 1); /* adjacent: joined */
    assert_int_equal(s[0].physical, 0x100000);
    assert_int_equal(s[0].bytes, 0x40000);
    struct block_segment apart[] = {{0x300000, 0x1000}, {0x400000, 0x1000}};
    assert_int_equal(nvme_segments_append(s, 1, 3, apart, 2), 3);
    assert_int_equal(s[1].physical, 0x300000);
    assert_int_equal(s[2].physical, 0x400000);
    assert_int_equal(s[2].bytes, 0x1000);
    /* full: a piece that does not join is refused, one that joins still fits */
    struct block_segment far[] = {{0x800000, 0x1000}};
    assert_int_equal(nvme_segments_append(s, 3, 3, far, 1), 0);
    assert_int_equal(s[2].bytes, 0x1000); /* untouched */
    struct block_segment touching[] = {{0x401000, 0x1000}};
    assert_int_equal(nvme_segments_append(s, 3, 3, touching, 1), 3);
    assert_int_equal(s[2].bytes, 0x2000);
    /* nothing to append to, or nothing to append */
    assert_int_equal(nvme_segments_append(s, 0, 3, far, 1), 0);
    assert_int_equal(nvme_segments_append(s, 3, 3, far, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cap_qemu),
        cmocka_unit_test(test_cap_refused),
        cmocka_unit_test(test_identify_controller),
        cmocka_unit_test(test_identify_controller_refused),
        cmocka_unit_test(test_identify_controller_flipped),
        cmocka_unit_test(test_identify_namespace),
        cmocka_unit_test(test_identify_namespace_flipped),
        cmocka_unit_test(test_active_namespaces),
        cmocka_unit_test(test_commands),
        cmocka_unit_test(test_queues_granted),
        cmocka_unit_test(test_prp),
        cmocka_unit_test(test_sgl),
        cmocka_unit_test(test_segments_append),
        cmocka_unit_test(test_cq_phase),
        cmocka_unit_test(test_status),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
