/*
 * Host unit tests for lib/ahci: IDENTIFY DEVICE data as QEMU's and real disks answer it
 * (strings, capacity, sector size, NCQ, write cache, FUA, the checksum), every bad word, the
 * command FISes for each mode, and PRD tables made from a buffer region's frames.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "ahci/ahci.h"

/* Puts s into IDENTIFY's string words [first, first + bytes/2), space-padded, two characters
   a word with the first in the high byte. */
static void put_string(uint16_t *w, unsigned first, unsigned bytes, const char *s)
{
    char padded[64];
    memset(padded, ' ', sizeof padded);
    memcpy(padded, s, strlen(s));
    for (unsigned i = 0; i < bytes / 2; i++)
        w[first + i] = (uint16_t)((uint8_t)padded[2 * i] << 8 | (uint8_t)padded[2 * i + 1]);
}

/* What QEMU 7.2's ide-hd answers for a 64 MiB image (hw/ide/core.c ide_identify). */
static void qemu_disk(uint16_t *w, uint64_t sectors)
{
    memset(w, 0, 512);
    w[0] = 0x0040;
    put_string(w, 10, 20, "QM00001");
    put_string(w, 27, 40, "QEMU HARDDISK");
    w[49] = (1u << 11) | (1u << 9) | (1u << 8);
    w[60] = (uint16_t)sectors;
    w[61] = (uint16_t)(sectors >> 16);
    w[75] = 31;
    w[76] = 1u << 8;
    w[82] = (1u << 14) | (1u << 5) | 1u;
    w[83] = (1u << 14) | (1u << 13) | (1u << 12) | (1u << 10);
    w[84] = (1u << 14) | (1u << 6);
    w[85] = (1u << 14) | (1u << 5) | 1u;
    w[86] = (1u << 13) | (1u << 12) | (1u << 10);
    w[87] = (1u << 14) | (1u << 6);
    w[100] = (uint16_t)sectors;
    w[101] = (uint16_t)(sectors >> 16);
    w[102] = (uint16_t)(sectors >> 32);
    w[103] = (uint16_t)(sectors >> 48);
}

/* Sets word 255's integrity byte so the 512 bytes sum to 0. */
static void checksum(uint16_t *w)
{
    w[255] = 0xa5;
    uint8_t sum = 0;
    for (unsigned i = 0; i < 256; i++)
        sum = (uint8_t)(sum + (w[i] & 0xff) + (w[i] >> 8));
    w[255] = (uint16_t)((uint8_t)(-sum) << 8 | 0xa5);
}

static void test_identify_qemu(void **state)
{
    (void)state;
    uint16_t w[256];
    struct ahci_identity id;
    qemu_disk(w, 131072);
    assert_int_equal(ahci_identify_parse(w, &id), AHCI_IDENTIFY_OK);
    assert_string_equal(id.model, "QEMU HARDDISK");
    assert_string_equal(id.serial, "QM00001");
    assert_int_equal(id.sectors, 131072);
    assert_int_equal(id.sector_size, 512);
    assert_true(id.lba48);
    assert_true(id.ncq);
    assert_int_equal(id.queue_depth, 32);
    assert_true(id.write_cache);
    assert_true(id.fua);
    checksum(w);
    assert_int_equal(ahci_identify_parse(w, &id), AHCI_IDENTIFY_OK);
}

static void test_identify_big_and_4k(void **state)
{
    (void)state;
    uint16_t w[256];
    struct ahci_identity id;
    /* 8 TiB of 4 KiB logical sectors: beyond 32 bits, words 100-103 and 117-118. */
    qemu_disk(w, 1ull << 31);
    w[60] = w[61] = 0xffff; /* LBA28's field saturates */
    w[106] = (1u << 14) | (1u << 12);
    w[117] = 2048;
    w[118] = 0;
    assert_int_equal(ahci_identify_parse(w, &id), AHCI_IDENTIFY_OK);
    assert_int_equal(id.sectors, 1ull << 31);
    assert_int_equal(id.sector_size, 4096);
    /* Word 106 not valid (bit 15 set): 512 bytes, whatever 117-118 say. */
    w[106] = 0xffff;
    assert_int_equal(ahci_identify_parse(w, &id), AHCI_IDENTIFY_OK);
    assert_int_equal(id.sector_size, 512);
    /* A logical sector of 100 words is no sector size; 520 (a valid ATA size) and 1024 and
       8192 bytes are not ones the block protocol carries: the port fails. */
    w[106] = (1u << 14) | (1u << 12);
    static const uint16_t refused[] = {100, 260, 512, 4096, 0};
    for (unsigned i = 0; i < sizeof refused / sizeof *refused; i++) {
        w[117] = refused[i];
        assert_int_equal(ahci_identify_parse(w, &id), AHCI_IDENTIFY_SECTOR_SIZE);
    }
    w[117] = 256;
    assert_int_equal(ahci_identify_parse(w, &id), AHCI_IDENTIFY_OK);
    assert_int_equal(id.sector_size, 512);
}

static void test_identify_old_disk(void **state)
{
    (void)state;
    uint16_t w[256];
    struct ahci_identity id;
    /* No LBA48, no NCQ (word 76 0xffff: not reported), no cache, no FUA. */
    qemu_disk(w, 1000);
    w[83] = (1u << 14);
    w[86] = 0;
    w[76] = 0xffff;
    w[82] = w[85] = (1u << 14);
    w[84] = w[87] = (1u << 14);
    w[100] = 0;
    assert_int_equal(ahci_identify_parse(w, &id), AHCI_IDENTIFY_OK);
    assert_false(id.lba48);
    assert_int_equal(id.sectors, 1000);
    assert_false(id.ncq);
    assert_int_equal(id.queue_depth, 1);
    assert_false(id.write_cache);
    assert_false(id.fua);
    /* A cache supported but switched off is no write cache. */
    w[82] |= 1u << 5;
    assert_int_equal(ahci_identify_parse(w, &id), AHCI_IDENTIFY_OK);
    assert_false(id.write_cache);
}

static void test_identify_bad(void **state)
{
    (void)state;
    uint16_t w[256];
    struct ahci_identity id;
    qemu_disk(w, 4096);
    checksum(w);
    w[20] ^= 1; /* a byte changed after the checksum */
    assert_int_equal(ahci_identify_parse(w, &id), AHCI_IDENTIFY_BAD_CHECKSUM);
    qemu_disk(w, 4096);
    w[0] = 0x8000; /* ATAPI */
    assert_int_equal(ahci_identify_parse(w, &id), AHCI_IDENTIFY_NOT_ATA);
    qemu_disk(w, 4096);
    w[49] = 0;
    assert_int_equal(ahci_identify_parse(w, &id), AHCI_IDENTIFY_NO_LBA);
    qemu_disk(w, 0); /* an image smaller than a sector: QEMU says 0 sectors */
    assert_int_equal(ahci_identify_parse(w, &id), AHCI_IDENTIFY_NO_SECTORS);
    assert_string_equal(ahci_identify_error_text(AHCI_IDENTIFY_NO_SECTORS),
                        "a capacity of 0 sectors");
    /* Strings: control bytes become '?', leading spaces go, all-space is empty. */
    qemu_disk(w, 4096);
    put_string(w, 27, 40,
               "  A\x01"
               "B");
    put_string(w, 10, 20, "");
    assert_int_equal(ahci_identify_parse(w, &id), AHCI_IDENTIFY_OK);
    assert_string_equal(id.model, "A?B");
    assert_string_equal(id.serial, "");
    /* Every single bit of every word flipped: never a crash, a sector size always sane. */
    for (unsigned i = 0; i < 256; i++) {
        for (unsigned bit = 0; bit < 16; bit++) {
            qemu_disk(w, 4096);
            w[i] ^= (uint16_t)(1u << bit);
            if (ahci_identify_parse(w, &id) == AHCI_IDENTIFY_OK) {
                assert_true(id.sector_size == 512 || id.sector_size == 4096);
                assert_true(id.queue_depth >= 1 && id.queue_depth <= 32);
                assert_true(id.sectors > 0);
            }
        }
    }
}

static const struct ahci_io_mode NCQ = {.ncq = true, .lba48 = true, .fua = true};
static const struct ahci_io_mode EXT = {.ncq = false, .lba48 = true, .fua = true};
static const struct ahci_io_mode EXT_NO_FUA = {.ncq = false, .lba48 = true, .fua = false};
static const struct ahci_io_mode OLD = {.ncq = false, .lba48 = false, .fua = false};

static void test_fis_ncq(void **state)
{
    (void)state;
    uint8_t fis[64], op;
    memset(fis, 0xee, sizeof fis);
    assert_true(ahci_fis_build(fis, &NCQ, AHCI_IO_WRITE, 0x123456789abcull, 65536, 31, true, &op));
    assert_int_equal(op, ATA_WRITE_FPDMA_QUEUED);
    const uint8_t want[20] = {0x27, 0x80, 0x61,    0x00, 0xbc, 0x9a, 0x78, 0xc0, 0x56, 0x34,
                              0x12, 0x00, 31 << 3, 0,    0,    0,    0,    0,    0,    0};
    assert_memory_equal(fis, want, 20);
    for (unsigned i = 20; i < 64; i++)
        assert_int_equal(fis[i], 0);
    assert_true(ahci_fis_build(fis, &NCQ, AHCI_IO_READ, 7, 8, 5, false, &op));
    assert_int_equal(op, ATA_READ_FPDMA_QUEUED);
    assert_int_equal(fis[3], 8);
    assert_int_equal(fis[11], 0);
    assert_int_equal(fis[12], 5 << 3);
    assert_int_equal(fis[7], 0x40);
    assert_int_equal(fis[4], 7);
    assert_int_equal(ahci_max_sectors(&NCQ), 65536);
    /* A flush is never queued. */
    assert_false(ahci_fis_build(fis, &NCQ, AHCI_IO_FLUSH, 0, 0, 0, false, &op));
    assert_int_equal(op, ATA_FLUSH_CACHE_EXT);
}

static void test_fis_dma(void **state)
{
    (void)state;
    uint8_t fis[64], op;
    assert_false(ahci_fis_build(fis, &EXT, AHCI_IO_READ, 0x10000000001ull, 300, 3, false, &op));
    assert_int_equal(op, ATA_READ_DMA_EXT);
    assert_int_equal(fis[12], 300 & 0xff);
    assert_int_equal(fis[13], 300 >> 8);
    assert_int_equal(fis[7], 0x40);
    assert_int_equal(fis[4], 1);
    assert_int_equal(fis[10], 0x01);
    assert_int_equal(fis[3], 0);
    assert_false(ahci_fis_build(fis, &EXT, AHCI_IO_WRITE, 1, 1, 0, true, &op));
    assert_int_equal(op, ATA_WRITE_DMA_FUA_EXT);
    assert_false(ahci_fis_build(fis, &EXT_NO_FUA, AHCI_IO_WRITE, 1, 1, 0, true, &op));
    assert_int_equal(op, ATA_WRITE_DMA_EXT);
    assert_false(ahci_fis_build(fis, &EXT, AHCI_IO_WRITE, 1, 1, 0, false, &op));
    assert_int_equal(op, ATA_WRITE_DMA_EXT);
    /* 28-bit: LBA bits 24-27 in the device register, 256 sectors as 0. */
    assert_false(ahci_fis_build(fis, &OLD, AHCI_IO_WRITE, 0x0abcdef1, 256, 0, false, &op));
    assert_int_equal(op, ATA_WRITE_DMA);
    assert_int_equal(fis[7], 0x4a);
    assert_int_equal(fis[6], 0xbc);
    assert_int_equal(fis[8], 0);
    assert_int_equal(fis[12], 0);
    assert_int_equal(ahci_max_sectors(&OLD), 256);
    assert_false(ahci_fis_build(fis, &OLD, AHCI_IO_FLUSH, 0, 0, 0, false, &op));
    assert_int_equal(op, ATA_FLUSH_CACHE);
    assert_false(ahci_fis_build(fis, &OLD, AHCI_IO_IDENTIFY, 0, 0, 0, false, &op));
    assert_int_equal(op, ATA_IDENTIFY_DEVICE);
}

static void test_prd(void **state)
{
    (void)state;
    struct ahci_prd prd[8];
    const struct block_segment two[] = {{0x100200, 8192 - 512}, {0x500000, 4096 + 512}};
    assert_int_equal(ahci_prd_build(prd, 8, two, 2), 2);
    assert_int_equal(prd[0].address, 0x100200);
    assert_int_equal(prd[0].count, 8192 - 512 - 1);
    assert_int_equal(prd[0].zero, 0);
    assert_int_equal(prd[1].address, 0x500000);
    assert_int_equal(prd[1].count, 4096 + 512 - 1);
    /* A piece over 4 MiB takes several entries. */
    const struct block_segment big[] = {{0x40000000, 9u << 20}};
    assert_int_equal(ahci_prd_build(prd, 8, big, 1), 3);
    assert_int_equal(prd[0].count, (4u << 20) - 1);
    assert_int_equal(prd[1].address, 0x40400000);
    assert_int_equal(prd[2].address, 0x40800000);
    assert_int_equal(prd[2].count, (1u << 20) - 1);
    assert_int_equal(ahci_prd_build(prd, 2, big, 1), 0); /* more entries than there is room */
    /* Nothing, an empty piece, odd lengths and addresses. */
    assert_int_equal(ahci_prd_build(prd, 8, two, 0), 0);
    const struct block_segment empty[] = {{0x1000, 0}};
    assert_int_equal(ahci_prd_build(prd, 8, empty, 1), 0);
    const struct block_segment odd[] = {{0x1000, 511}};
    assert_int_equal(ahci_prd_build(prd, 8, odd, 1), 0);
    const struct block_segment odd_address[] = {{0x1001, 512}};
    assert_int_equal(ahci_prd_build(prd, 8, odd_address, 1), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identify_qemu),
        cmocka_unit_test(test_identify_big_and_4k),
        cmocka_unit_test(test_identify_old_disk),
        cmocka_unit_test(test_identify_bad),
        cmocka_unit_test(test_fis_ncq),
        cmocka_unit_test(test_fis_dma),
        cmocka_unit_test(test_prd),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
