/*
 * IDENTIFY DEVICE data (ATA8-ACS, 7.16): the strings, the capacity, the logical sector size and
 * the features the driver uses. See ahci.h.
 */
#include "ahci/ahci.h"

#include <string.h>

/* IDENTIFY's strings hold two characters a word, the first in the high byte. Copies words
   [first, first + bytes/2) into out (bytes + 1), then drops trailing and leading spaces and
   NULs; a byte outside printable ASCII becomes '?', so the string is safe to print. */
static void identify_string(const uint16_t *words, unsigned first, unsigned bytes, char *out)
{
    for (unsigned i = 0; i < bytes / 2; i++) {
        out[2 * i] = (char)(words[first + i] >> 8);
        out[2 * i + 1] = (char)(words[first + i] & 0xff);
    }
    out[bytes] = 0;
    size_t end = bytes;
    while (end > 0 && (out[end - 1] == ' ' || out[end - 1] == 0))
        end--;
    out[end] = 0;
    size_t start = 0;
    while (out[start] == ' ')
        start++;
    memmove(out, out + start, end - start + 1);
    for (char *c = out; *c; c++)
        if (*c < 0x20 || *c > 0x7e)
            *c = '?';
}

/* A feature word is valid when it is neither 0 nor 0xffff (ATA8-ACS's "not supported"). */
static bool word_valid(uint16_t w)
{
    return w != 0 && w != 0xffff;
}

enum ahci_identify_error ahci_identify_parse(const uint16_t words[256], struct ahci_identity *out)
{
    memset(out, 0, sizeof *out);
    identify_string(words, 10, AHCI_SERIAL_BYTES, out->serial);
    identify_string(words, 27, AHCI_MODEL_BYTES, out->model);
    if (words[0] & 0x8000)
        return AHCI_IDENTIFY_NOT_ATA;
    if ((words[255] & 0xff) == 0xa5) {
        uint8_t sum = 0;
        for (unsigned i = 0; i < 256; i++)
            sum = (uint8_t)(sum + (words[i] & 0xff) + (words[i] >> 8));
        if (sum != 0)
            return AHCI_IDENTIFY_BAD_CHECKSUM;
    }
    if (!(words[49] & (1u << 9)))
        return AHCI_IDENTIFY_NO_LBA;
    out->lba48 = word_valid(words[83]) && (words[83] & (1u << 10)) && (words[86] & (1u << 10));
    if (out->lba48)
        out->sectors = (uint64_t)words[100] | (uint64_t)words[101] << 16 |
                       (uint64_t)words[102] << 32 | (uint64_t)words[103] << 48;
    else
        out->sectors = (uint64_t)words[60] | (uint64_t)words[61] << 16;
    out->sector_size = 512;
    /* Word 106: valid when bit 14 is set and bit 15 clear; bit 12: words 117-118 give the
       logical sector's size in words. The block protocol promises its clients 512 or 4096
       (lib/proto/block.h), and they refuse others: any other size fails the port here. */
    if ((words[106] & 0xc000) == 0x4000 && (words[106] & (1u << 12))) {
        uint32_t size_words = (uint32_t)words[117] | (uint32_t)words[118] << 16;
        if (size_words != 256 && size_words != 2048)
            return AHCI_IDENTIFY_SECTOR_SIZE;
        out->sector_size = size_words * 2;
    }
    if (out->sectors == 0)
        return AHCI_IDENTIFY_NO_SECTORS;
    out->ncq = word_valid(words[76]) && (words[76] & (1u << 8));
    out->queue_depth = out->ncq ? (words[75] & 0x1f) + 1u : 1;
    out->write_cache = word_valid(words[82]) && (words[82] & (1u << 5)) && (words[85] & (1u << 5));
    out->fua = out->lba48 && word_valid(words[84]) && (words[84] & (1u << 6)) &&
               (words[87] & 0xc000) == 0x4000 && (words[87] & (1u << 6));
    return AHCI_IDENTIFY_OK;
}

const char *ahci_identify_error_text(enum ahci_identify_error e)
{
    switch (e) {
    case AHCI_IDENTIFY_OK:
        return "ok";
    case AHCI_IDENTIFY_NOT_ATA:
        return "not an ATA device";
    case AHCI_IDENTIFY_NO_LBA:
        return "no LBA addressing";
    case AHCI_IDENTIFY_BAD_CHECKSUM:
        return "IDENTIFY data fail their checksum";
    case AHCI_IDENTIFY_NO_SECTORS:
        return "a capacity of 0 sectors";
    case AHCI_IDENTIFY_SECTOR_SIZE:
        return "a logical sector size other than 512 or 4096 bytes";
    }
    return "unknown error";
}
