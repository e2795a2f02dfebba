/*
 * Command FISes and PRD tables (AHCI 1.3.1 section 4.2; SATA 3.x 10.5.5; ATA8-ACS 7). See ahci.h.
 */
#include "ahci/ahci.h"

#include <string.h>

#define FIS_TYPE_H2D  0x27
#define FIS_COMMAND   0x80 /* the C bit: the FIS carries a command */
#define DEVICE_LBA    0x40
#define DEVICE_FUA    0x80 /* WRITE FPDMA QUEUED's FUA bit, in the device register */
#define LBA28_SECTORS 256u
#define LBA48_SECTORS 65536u
#define NCQ_TAG_SHIFT 3

uint32_t ahci_max_sectors(const struct ahci_io_mode *mode)
{
    return mode->lba48 || mode->ncq ? LBA48_SECTORS : LBA28_SECTORS;
}

/* The opcode for kind in mode; *queued says whether it is an NCQ command. */
static uint8_t choose_command(const struct ahci_io_mode *mode, enum ahci_io_kind kind, bool fua,
                              bool *queued)
{
    *queued = false;
    switch (kind) {
    case AHCI_IO_READ:
    case AHCI_IO_WRITE:
        if (mode->ncq) {
            *queued = true;
            return kind == AHCI_IO_READ ? ATA_READ_FPDMA_QUEUED : ATA_WRITE_FPDMA_QUEUED;
        }
        if (kind == AHCI_IO_READ)
            return mode->lba48 ? ATA_READ_DMA_EXT : ATA_READ_DMA;
        if (fua && mode->fua)
            return ATA_WRITE_DMA_FUA_EXT;
        return mode->lba48 ? ATA_WRITE_DMA_EXT : ATA_WRITE_DMA;
    case AHCI_IO_FLUSH:
        return mode->lba48 ? ATA_FLUSH_CACHE_EXT : ATA_FLUSH_CACHE;
    case AHCI_IO_IDENTIFY:
        return ATA_IDENTIFY_DEVICE;
    }
    return 0;
}

bool ahci_fis_build(uint8_t fis[64], const struct ahci_io_mode *mode, enum ahci_io_kind kind,
                    uint64_t lba, uint32_t count, unsigned tag, bool fua, uint8_t *command)
{
    bool queued;
    uint8_t op = choose_command(mode, kind, fua, &queued);
    /* The builtin: freestanding builds call the library for every memset, this one is four
       stores (it runs for every command). */
    __builtin_memset(fis, 0, 64);
    fis[0] = FIS_TYPE_H2D;
    fis[1] = FIS_COMMAND;
    fis[2] = op;
    *command = op;
    if (kind == AHCI_IO_FLUSH || kind == AHCI_IO_IDENTIFY)
        return false;
    /* A count of 65536 (or 256 for the 28-bit commands) is written as 0. */
    uint16_t n = (uint16_t)count;
    fis[4] = (uint8_t)lba;
    fis[5] = (uint8_t)(lba >> 8);
    fis[6] = (uint8_t)(lba >> 16);
    if (queued) {
        /* FPDMA QUEUED: the sector count in the features registers, the tag in the count
           register's bits 7:3, FUA in the device register. */
        fis[3] = (uint8_t)n;
        fis[11] = (uint8_t)(n >> 8);
        fis[12] = (uint8_t)(tag << NCQ_TAG_SHIFT);
        fis[7] = DEVICE_LBA | (kind == AHCI_IO_WRITE && fua ? DEVICE_FUA : 0);
    } else {
        fis[12] = (uint8_t)n;
        if (mode->lba48) {
            fis[13] = (uint8_t)(n >> 8);
            fis[7] = DEVICE_LBA;
        } else {
            fis[7] = (uint8_t)(DEVICE_LBA | ((lba >> 24) & 0x0f));
        }
    }
    if (mode->lba48 || queued) {
        fis[8] = (uint8_t)(lba >> 24);
        fis[9] = (uint8_t)(lba >> 32);
        fis[10] = (uint8_t)(lba >> 40);
    }
    return queued;
}

unsigned ahci_prd_build(struct ahci_prd *prd, unsigned max, const struct block_segment *segments,
                        unsigned count)
{
    unsigned used = 0;
    for (unsigned i = 0; i < count; i++) {
        uint64_t address = segments[i].physical, bytes = segments[i].bytes;
        if (bytes == 0 || (bytes & 1) || (address & 1))
            return 0;
        while (bytes > 0) {
            uint64_t piece = bytes < AHCI_PRD_MAX_BYTES ? bytes : AHCI_PRD_MAX_BYTES;
            if (used == max)
                return 0;
            prd[used].address = address;
            prd[used].zero = 0;
            prd[used].count = (uint32_t)(piece - 1);
            used++;
            address += piece;
            bytes -= piece;
        }
    }
    return used;
}
