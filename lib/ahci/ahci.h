/*
 * AHCI and ATA, the pure parts (lib/ahci): the HBA's registers (AHCI 1.3.1), the command
 * list, FIS and PRD layouts, IDENTIFY DEVICE parsing (ATA/ATAPI-8 ACS) and building command
 * FISes and scatter lists. No system calls and no register access: servers/ahci uses it on the
 * hardware, tests/unit/test_ahci.c on made-up data (docs/disks.md).
 */
#ifndef MISSIVE_AHCI_H
#define MISSIVE_AHCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "block/block_check.h"

/* --- the HBA's generic registers (byte offsets into ABAR, BAR 5) -------------------------- */

#define AHCI_CAP  0x00
#define AHCI_GHC  0x04
#define AHCI_IS   0x08
#define AHCI_PI   0x0c
#define AHCI_VS   0x10
#define AHCI_CAP2 0x24
#define AHCI_BOHC 0x28

#define AHCI_CAP_NP(cap)  ((cap)&0x1f)                /* ports - 1 */
#define AHCI_CAP_NCS(cap) ((((cap) >> 8) & 0x1f) + 1) /* command slots */
#define AHCI_CAP_SSS      (1u << 27)                  /* staggered spin-up */
#define AHCI_CAP_SAM      (1u << 18)                  /* AHCI only */
#define AHCI_CAP_SCLO     (1u << 24)
#define AHCI_CAP_SNCQ     (1u << 30)
#define AHCI_CAP_S64A     (1u << 31)

#define AHCI_GHC_HR (1u << 0)
#define AHCI_GHC_IE (1u << 1)
#define AHCI_GHC_AE (1u << 31)

#define AHCI_CAP2_BOH (1u << 0)
#define AHCI_BOHC_BOS (1u << 0)
#define AHCI_BOHC_OOS (1u << 1)
#define AHCI_BOHC_BB  (1u << 4)

/* --- a port's registers (offsets from AHCI_PORT(n)) --------------------------------------- */

#define AHCI_PORT(n)   (0x100u + (unsigned)(n)*0x80u)
#define AHCI_MAX_PORTS 32
#define AHCI_PX_CLB    0x00
#define AHCI_PX_CLBU   0x04
#define AHCI_PX_FB     0x08
#define AHCI_PX_FBU    0x0c
#define AHCI_PX_IS     0x10
#define AHCI_PX_IE     0x14
#define AHCI_PX_CMD    0x18
#define AHCI_PX_TFD    0x20
#define AHCI_PX_SIG    0x24
#define AHCI_PX_SSTS   0x28
#define AHCI_PX_SCTL   0x2c
#define AHCI_PX_SERR   0x30
#define AHCI_PX_SACT   0x34
#define AHCI_PX_CI     0x38

#define AHCI_PX_CMD_ST  (1u << 0)
#define AHCI_PX_CMD_SUD (1u << 1)
#define AHCI_PX_CMD_POD (1u << 2)
#define AHCI_PX_CMD_CLO (1u << 3)
#define AHCI_PX_CMD_FRE (1u << 4)
#define AHCI_PX_CMD_FR  (1u << 14)
#define AHCI_PX_CMD_CR  (1u << 15)

/* PxIS and PxIE bits. */
#define AHCI_PX_IS_DHRS (1u << 0)  /* a D2H register FIS: a non-queued command ended */
#define AHCI_PX_IS_PSS  (1u << 1)  /* a PIO setup FIS (IDENTIFY) */
#define AHCI_PX_IS_DSS  (1u << 2)  /* a DMA setup FIS */
#define AHCI_PX_IS_SDBS (1u << 3)  /* a set device bits FIS: queued commands ended */
#define AHCI_PX_IS_DPS  (1u << 5)  /* a PRD with its I bit done */
#define AHCI_PX_IS_PCS  (1u << 6)  /* port connect change */
#define AHCI_PX_IS_PRCS (1u << 22) /* PhyRdy change */
#define AHCI_PX_IS_IFS  (1u << 27) /* interface fatal error */
#define AHCI_PX_IS_HBDS (1u << 28) /* host bus data error */
#define AHCI_PX_IS_HBFS (1u << 29) /* host bus fatal error */
#define AHCI_PX_IS_TFES (1u << 30) /* task file error: the device failed a command */
/* The errors after which the port must be restarted (AHCI 6.2.2), as MINIX 3 does. */
#define AHCI_PX_IS_ERRORS (AHCI_PX_IS_TFES | AHCI_PX_IS_HBFS | AHCI_PX_IS_HBDS | AHCI_PX_IS_IFS)
#define AHCI_PX_IE_USED                                                                            \
    (AHCI_PX_IS_DHRS | AHCI_PX_IS_PSS | AHCI_PX_IS_DSS | AHCI_PX_IS_SDBS | AHCI_PX_IS_DPS |        \
     AHCI_PX_IS_PCS | AHCI_PX_IS_PRCS | AHCI_PX_IS_ERRORS)

#define AHCI_TFD_ERR 0x01u
#define AHCI_TFD_DRQ 0x08u
#define AHCI_TFD_BSY 0x80u

#define AHCI_SSTS_DET(s)    ((s)&0xf)
#define AHCI_SSTS_DET_READY 3 /* a device is there and the link is up */
#define AHCI_SCTL_DET_RESET 1 /* COMRESET while set */
#define AHCI_SIG_ATA        0x00000101u
#define AHCI_SIG_ATAPI      0xeb140101u
#define AHCI_SIG_SEMB       0xc33c0101u
#define AHCI_SIG_PORT_MUL   0x96690101u

/* --- memory the HBA reads and writes -------------------------------------------------------- */

/* A command header: 32 per port in the command list (1 KiB, 1 KiB aligned). */
struct ahci_command_header {
    uint16_t flags; /* bits 0-4 the FIS length in dwords, 6 write, 7 prefetchable */
    uint16_t prdtl; /* PRD entries */
    uint32_t prdbc; /* bytes transferred (the HBA writes it) */
    uint64_t ctba;  /* the command table, 128-byte aligned */
    uint32_t zero[4];
};
#define AHCI_HEADER_WRITE (1u << 6)

/* A PRD entry: one physically contiguous piece of the transfer. */
struct ahci_prd {
    uint64_t address; /* even */
    uint32_t zero;
    uint32_t count; /* bits 0-21 bytes - 1 (odd: the count is even), bit 31 interrupt */
};
#define AHCI_PRD_MAX_BYTES (4u << 20)

/* A command table: the command FIS, the ATAPI command, then the PRD entries. */
#define AHCI_TABLE_PRDS  80 /* PRDs per command: 256 KiB of 4 KiB pages, misaligned, and more */
#define AHCI_TABLE_BYTES (0x80 + 16 * AHCI_TABLE_PRDS)
struct ahci_command_table {
    uint8_t cfis[64];
    uint8_t acmd[16];
    uint8_t zero[48];
    struct ahci_prd prd[AHCI_TABLE_PRDS];
};

/* Received FISes: 256 bytes, 256-byte aligned. */
#define AHCI_RFIS_BYTES 256
#define AHCI_RFIS_D2H   0x40 /* the D2H register FIS's offset */

_Static_assert(sizeof(struct ahci_command_header) == 32, "command header layout");
_Static_assert(sizeof(struct ahci_prd) == 16, "PRD layout");
_Static_assert(sizeof(struct ahci_command_table) == AHCI_TABLE_BYTES, "command table layout");
_Static_assert(AHCI_TABLE_BYTES % 128 == 0, "command tables stay 128-byte aligned");

/* --- ATA commands --------------------------------------------------------------------------- */

enum ata_command {
    ATA_READ_DMA = 0xc8,
    ATA_WRITE_DMA = 0xca,
    ATA_READ_DMA_EXT = 0x25,
    ATA_WRITE_DMA_EXT = 0x35,
    ATA_WRITE_DMA_FUA_EXT = 0x3d,
    ATA_READ_FPDMA_QUEUED = 0x60,
    ATA_WRITE_FPDMA_QUEUED = 0x61,
    ATA_FLUSH_CACHE = 0xe7,
    ATA_FLUSH_CACHE_EXT = 0xea,
    ATA_IDENTIFY_DEVICE = 0xec,
};

/* --- IDENTIFY DEVICE -------------------------------------------------------------------------- */

#define AHCI_MODEL_BYTES  40
#define AHCI_SERIAL_BYTES 20

struct ahci_identity {
    char model[AHCI_MODEL_BYTES + 1];   /* trailing spaces removed */
    char serial[AHCI_SERIAL_BYTES + 1]; /* leading and trailing spaces removed */
    uint64_t sectors;                   /* logical sectors */
    uint32_t sector_size;               /* bytes in a logical sector */
    bool lba48;
    bool ncq;
    unsigned queue_depth; /* 1-32 (1 without NCQ) */
    bool write_cache;     /* supported and enabled */
    bool fua;             /* WRITE DMA FUA EXT */
};

enum ahci_identify_error {
    AHCI_IDENTIFY_OK = 0,
    AHCI_IDENTIFY_NOT_ATA,      /* word 0 bit 15: not an ATA device */
    AHCI_IDENTIFY_NO_LBA,       /* no LBA addressing */
    AHCI_IDENTIFY_BAD_CHECKSUM, /* word 255's integrity byte does not sum to 0 */
    AHCI_IDENTIFY_NO_SECTORS,   /* a capacity of 0 */
    AHCI_IDENTIFY_SECTOR_SIZE,  /* a logical sector size other than 512 or 4096 */
};

/* Decodes the 256 words of IDENTIFY DEVICE data; returns AHCI_IDENTIFY_OK with out filled,
   or why the device cannot be used (out is then partly filled). */
enum ahci_identify_error ahci_identify_parse(const uint16_t words[256], struct ahci_identity *out);
const char *ahci_identify_error_text(enum ahci_identify_error e);

/* --- commands -----------------------------------------------------------------------------------
 */

enum ahci_io_kind {
    AHCI_IO_READ,
    AHCI_IO_WRITE,
    AHCI_IO_FLUSH,
    AHCI_IO_IDENTIFY,
};

/* How a device is driven: from its identity and the HBA's NCQ support. */
struct ahci_io_mode {
    bool ncq;   /* READ/WRITE FPDMA QUEUED */
    bool lba48; /* the EXT commands (else the 28-bit ones) */
    bool fua;   /* WRITE DMA FUA EXT (queued writes carry their own FUA bit) */
};

/* The most sectors one command moves in the mode. */
uint32_t ahci_max_sectors(const struct ahci_io_mode *mode);

/* Writes the 20-byte H2D register FIS (fis[0..19], the rest of 64 zeroed) for kind at lba,
   count sectors (1..ahci_max_sectors; 0 for flush and identify), tag (the command slot, for
   NCQ), fua for a write. Returns whether the command is queued (NCQ: its completion comes as
   its bit in PxSACT clearing) and sets *command to the ATA opcode. A FUA write in a mode
   without FUA is a plain write: the caller flushes after it. */
bool ahci_fis_build(uint8_t fis[64], const struct ahci_io_mode *mode, enum ahci_io_kind kind,
                    uint64_t lba, uint32_t count, unsigned tag, bool fua, uint8_t *command);

/* Fills prd with a request's physically contiguous pieces (lib/block's segments, in order),
   each split into entries of at most AHCI_PRD_MAX_BYTES. Returns the entries used, or 0 if
   there are none, a piece is empty or odd in address or length, or more than max are needed. */
unsigned ahci_prd_build(struct ahci_prd *prd, unsigned max, const struct block_segment *segments,
                        unsigned count);

#endif
