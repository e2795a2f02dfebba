/*
 * NVMe, the pure parts (lib/nvme; NVM Express base specification 1.4): the controller's
 * registers and CAP decoding, the submission and completion entries, IDENTIFY controller and
 * namespace parsing, building read/write/flush commands with their PRPs from a request's
 * physical pieces, the completion queue's phase-tag arithmetic and status codes. No system
 * calls and no register access: servers/nvme uses it on the hardware, tests/unit/test_nvme.c on
 * made-up data (docs/disks.md, "NVMe").
 *
 * Trust: everything the controller writes (IDENTIFY data, completions) is checked before it is
 * used; a field that makes no sense refuses the controller or namespace with a reason.
 */
#ifndef MISSIVE_NVME_H
#define MISSIVE_NVME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "block/block_check.h"

/* --- the controller's registers (byte offsets into BAR 0) ----------------------------------- */

#define NVME_REG_CAP   0x00 /* 64-bit */
#define NVME_REG_VS    0x08
#define NVME_REG_INTMS 0x0c
#define NVME_REG_INTMC 0x10
#define NVME_REG_CC    0x14
#define NVME_REG_CSTS  0x1c
#define NVME_REG_AQA   0x24
#define NVME_REG_ASQ   0x28 /* 64-bit */
#define NVME_REG_ACQ   0x30 /* 64-bit */
#define NVME_DOORBELLS 0x1000

#define NVME_CC_EN         (1u << 0)
#define NVME_CC_SHN_NORMAL (1u << 14)
#define NVME_CC_SHN_MASK   (3u << 14)
#define NVME_CSTS_RDY      (1u << 0)
#define NVME_CSTS_CFS      (1u << 1) /* controller fatal status */
#define NVME_CSTS_SHST(c)  (((c) >> 2) & 3)
#define NVME_SHST_COMPLETE 2
#define NVME_PAGE          4096u /* the memory page size the driver sets (CC.MPS = 0) */
#define NVME_SQE_BYTES     64
#define NVME_CQE_BYTES     16
#define NVME_SQES_LOG      6
#define NVME_CQES_LOG      4

/* CAP, decoded. */
struct nvme_cap {
    uint32_t max_entries;        /* MQES + 1: the most entries an I/O queue may have (2..65536) */
    bool contiguous;             /* CQR: queues must be physically contiguous */
    uint32_t timeout_ms;         /* TO: how long CSTS.RDY may take to change (500 ms units) */
    uint32_t doorbell_stride;    /* bytes between doorbells: 4 << DSTRD */
    bool nvm;                    /* CSS: the NVM command set */
    uint32_t page_min, page_max; /* MPSMIN and MPSMAX in bytes */
};

enum nvme_cap_error {
    NVME_CAP_OK = 0,
    NVME_CAP_NO_NVM,    /* CSS lacks the NVM command set */
    NVME_CAP_PAGE_SIZE, /* 4 KiB pages outside [MPSMIN, MPSMAX] */
    NVME_CAP_TIMEOUT,   /* TO of 0: no bound to wait by */
    NVME_CAP_QUEUE,     /* MQES of 0: a queue of 1 entry cannot hold a command */
};

/* Decodes CAP into out; NVME_CAP_OK when the driver can run the controller (NVM command set,
   4 KiB pages), or why not. */
enum nvme_cap_error nvme_cap_decode(uint64_t cap, struct nvme_cap *out);
const char *nvme_cap_error_text(enum nvme_cap_error e);

/* CC to enable the controller: NVM command set, 4 KiB pages, round robin, 64-byte submission
   and 16-byte completion entries. */
uint32_t nvme_cc_enable(void);

/* The byte offset of queue qid's submission-tail (completion false) or completion-head
   (completion true) doorbell. */
static inline uint32_t nvme_doorbell(const struct nvme_cap *cap, unsigned qid, bool completion)
{
    return NVME_DOORBELLS + (2 * qid + (completion ? 1 : 0)) * cap->doorbell_stride;
}

/* --- submission and completion entries ------------------------------------------------------ */

struct nvme_sqe {
    uint8_t opcode;
    uint8_t flags; /* FUSE, PSDT (0: PRPs) */
    uint16_t cid;
    uint32_t nsid;
    uint64_t reserved;
    uint64_t mptr;
    uint64_t prp1, prp2;
    uint32_t cdw10, cdw11, cdw12, cdw13, cdw14, cdw15;
};

struct nvme_cqe {
    uint32_t result; /* DW0, command specific */
    uint32_t reserved;
    uint16_t sq_head;
    uint16_t sq_id;
    uint16_t cid;
    uint16_t status; /* bit 0 the phase tag, bits 1-15 the status field */
};

_Static_assert(sizeof(struct nvme_sqe) == NVME_SQE_BYTES, "submission entry layout");
_Static_assert(sizeof(struct nvme_cqe) == NVME_CQE_BYTES, "completion entry layout");

enum nvme_admin_opcode {
    NVME_ADMIN_DELETE_SQ = 0x00,
    NVME_ADMIN_CREATE_SQ = 0x01,
    NVME_ADMIN_DELETE_CQ = 0x04,
    NVME_ADMIN_CREATE_CQ = 0x05,
    NVME_ADMIN_IDENTIFY = 0x06,
    NVME_ADMIN_ABORT = 0x08,
    NVME_ADMIN_SET_FEATURES = 0x09,
};

enum nvme_io_opcode {
    NVME_IO_FLUSH = 0x00,
    NVME_IO_WRITE = 0x01,
    NVME_IO_READ = 0x02,
};

#define NVME_IDENTIFY_NAMESPACE  0x00
#define NVME_IDENTIFY_CONTROLLER 0x01
#define NVME_IDENTIFY_ACTIVE_NS  0x02
#define NVME_FEATURE_QUEUES      0x07
#define NVME_RW_FUA              (1u << 30) /* CDW12 */

/* Admin commands (cid is the caller's). */
void nvme_build_identify(struct nvme_sqe *e, uint16_t cid, uint32_t nsid, uint32_t cns,
                         uint64_t buffer);
/* Creates I/O completion queue qid of entries (physically contiguous at phys) with interrupt
   vector vector enabled. */
void nvme_build_create_cq(struct nvme_sqe *e, uint16_t cid, uint16_t qid, uint32_t entries,
                          uint64_t phys, uint16_t vector);
/* Creates I/O submission queue qid of entries at phys, completing into cqid. */
void nvme_build_create_sq(struct nvme_sqe *e, uint16_t cid, uint16_t qid, uint32_t entries,
                          uint64_t phys, uint16_t cqid);
/* Asks for sq submission and cq completion queues (Number of Queues, 1-based counts). */
void nvme_build_set_queues(struct nvme_sqe *e, uint16_t cid, uint16_t sq, uint16_t cq);
/* The I/O queue pairs to use after Set Features (Number of Queues) answered result (its DW0:
   NSQA in bits 0-15, NCQA in 16-31, both 0-based): the smaller of the two granted counts and
   asked. */
unsigned nvme_queues_granted(uint32_t result, unsigned asked);
/* Abort (NVMe 1.4 section 5.1) of command command_cid in submission queue sqid. */
void nvme_build_abort(struct nvme_sqe *e, uint16_t cid, uint16_t sqid, uint16_t command_cid);
/* Whether an Abort that succeeded with result (its DW0) aborted the command: bit 0 clear (the
   command then completes with NVME_SC_ABORT_REQUESTED); set: it was not aborted. */
static inline bool nvme_abort_done(uint32_t result)
{
    return (result & 1u) == 0;
}

/* A read or write of count (1..65536) blocks at lba of namespace nsid, with its PRPs. */
void nvme_build_rw(struct nvme_sqe *e, bool write, uint16_t cid, uint32_t nsid, uint64_t lba,
                   uint32_t count, bool fua, uint64_t prp1, uint64_t prp2);
void nvme_build_flush(struct nvme_sqe *e, uint16_t cid, uint32_t nsid);

/* --- PRPs and SGLs --------------------------------------------------------------------------- */

/* A command's flags (CDW0 bits 15:14, PSDT) when its data pointer is an SGL (NVMe 1.4 section
   4.4), its metadata pointer (unused) a plain address. */
#define NVME_PSDT_SGL         0x40
#define NVME_SGL_DATA_BLOCK   0x00 /* SGL identifier: a data block, an address */
#define NVME_SGL_LAST_SEGMENT 0x30 /* SGL identifier: the last segment, a list of descriptors */
#define NVME_SGL_BYTES        16   /* one descriptor */

/* The SGL of a transfer made of segments[0..count), in order: one data block descriptor in the
   command's data pointer (*dptr1 the address, *dptr2 the length and identifier; they go where
   nvme_build_rw puts PRP1 and PRP2) when there is one piece, else a last-segment descriptor
   naming list (at list_phys, list_bytes long) with a data block descriptor per piece. Unlike
   PRPs, a piece may start and end anywhere dword-aligned, and a physically contiguous piece of
   any length is one descriptor (PRPs name every page). Returns the descriptors written (1 for a
   lone piece), or 0 when a piece is empty, misaligned, 4 GiB or more or past the end of the
   address space, or the list is too small or not qword-aligned (NVMe 1.4, 4.4: an SGL segment
   is qword aligned): the caller then uses PRPs. */
unsigned nvme_sgl_build(const struct block_segment *segments, unsigned count, uint8_t *list,
                        unsigned list_bytes, uint64_t list_phys, uint64_t *dptr1, uint64_t *dptr2);

/* The PRPs of a transfer made of the physically contiguous pieces segments[0..count), in order
   (lib/block's segments): PRP1 the first byte; PRP2 0 (one page), the second page (two), or
   list_phys, with list[] (list_max entries, one page-aligned page at most) naming the pages
   after the first. Returns the pages, or 0 when the pieces cannot be described by PRPs (the
   first may start anywhere dword-aligned, every later one must start on a page, every one
   but the last must end on a page) or need more than list_max list entries. */
unsigned nvme_prp_build(const struct block_segment *segments, unsigned count, uint64_t *list,
                        unsigned list_max, uint64_t list_phys, uint64_t *prp1, uint64_t *prp2);

/* Appends the pieces add[0..add_count) to segments[0..count) (room for max), the first joined
   to the last when it starts where that one ends: two requests for adjacent blocks become one
   command's pieces (servers/nvme merges them, as Linux's block layer does). Returns the new
   count, or 0 (segments untouched) when count or add_count is 0 or the pieces do not fit. */
unsigned nvme_segments_append(struct block_segment *segments, unsigned count, unsigned max,
                              const struct block_segment *add, unsigned add_count);

/* --- the completion queue --------------------------------------------------------------------- */

/* Where the host is in a completion queue: the next entry to look at and the phase tag that
   entry has when the controller has written it (1 on the first pass, flipped on each wrap). */
struct nvme_cq_cursor {
    uint32_t head, entries;
    uint8_t phase;
};

static inline void nvme_cq_start(struct nvme_cq_cursor *c, uint32_t entries)
{
    c->head = 0;
    c->entries = entries;
    c->phase = 1;
}

/* Whether the entry at the head is new (its phase tag is the expected one). */
static inline bool nvme_cq_ready(const struct nvme_cq_cursor *c, uint16_t status)
{
    return (status & 1u) == c->phase;
}

/* Moves past the head entry, flipping the phase on a wrap. */
static inline void nvme_cq_advance(struct nvme_cq_cursor *c)
{
    if (++c->head == c->entries) {
        c->head = 0;
        c->phase ^= 1u;
    }
}

/* --- status codes ----------------------------------------------------------------------------- */

/* A completion's status field (the CQE's status >> 1). */
#define NVME_STATUS_SC(s)  ((s)&0xffu)
#define NVME_STATUS_SCT(s) (((s) >> 8) & 7u)
#define NVME_STATUS_DNR(s) (((s) >> 14) & 1u)

#define NVME_SC_ABORT_REQUESTED 0x07 /* generic: the command was aborted by an Abort */

enum nvme_sct { NVME_SCT_GENERIC = 0, NVME_SCT_COMMAND = 1, NVME_SCT_MEDIA = 2, NVME_SCT_PATH = 3 };

/* The block protocol's status (enum block_status) for a completion's status field. */
uint32_t nvme_status_block(uint16_t status);
/* Whether trying the command again may help: Do Not Retry clear and not an error in the
   command itself (a bad field, LBA out of range, read-only). */
bool nvme_status_retryable(uint16_t status);
/* A readable name for the status ("LBA out of range", "unrecovered read error", ...). */
const char *nvme_status_name(uint16_t status);

/* --- IDENTIFY --------------------------------------------------------------------------------- */

#define NVME_IDENTIFY_BYTES 4096
#define NVME_SERIAL_BYTES   20
#define NVME_MODEL_BYTES    40
#define NVME_FIRMWARE_BYTES 8
#define NVME_MAX_NAMESPACES 1024u /* more than any real controller's NN: larger is refused */
#define NVME_MAX_MDTS       20    /* 2^20 pages (4 GiB): larger is absurd and refused */

struct nvme_controller_id {
    uint16_t vendor;
    char serial[NVME_SERIAL_BYTES + 1]; /* spaces trimmed, unprintable bytes '?' */
    char model[NVME_MODEL_BYTES + 1];
    char firmware[NVME_FIRMWARE_BYTES + 1];
    uint64_t max_transfer; /* bytes per command (from MDTS and MPSMIN); 0: no limit */
    uint32_t namespaces;   /* NN: the highest namespace id */
    bool write_cache;      /* VWC: a volatile write cache (FLUSH matters) */
    bool sgl;              /* SGLS bits 1:0 not 0: NVM commands take SGLs (nvme_sgl_build) */
    uint16_t controller;   /* CNTLID */
};

enum nvme_identify_error {
    NVME_IDENTIFY_OK = 0,
    NVME_IDENTIFY_ENTRY_SIZE, /* SQES/CQES do not allow 64/16-byte entries */
    NVME_IDENTIFY_NAMESPACES, /* NN of 0 or above NVME_MAX_NAMESPACES */
    NVME_IDENTIFY_MDTS,       /* MDTS above NVME_MAX_MDTS */
    NVME_IDENTIFY_INACTIVE,   /* a namespace of 0 blocks (not active) */
    NVME_IDENTIFY_CAPACITY,   /* NCAP above NSZE, or a size in bytes past 2^64 */
    NVME_IDENTIFY_FORMAT,     /* FLBAS names a format past NLBAF, or NLBAF above 15 */
    NVME_IDENTIFY_METADATA,   /* the format has metadata */
    NVME_IDENTIFY_BLOCK_SIZE, /* a block size other than 512 or 4096 bytes */
};

/* Decodes IDENTIFY controller data (4096 bytes) with CAP's smallest page (for MDTS). */
enum nvme_identify_error nvme_identify_controller(const uint8_t *data, uint32_t page_min,
                                                  struct nvme_controller_id *out);

struct nvme_namespace_id {
    uint64_t blocks;     /* NSZE */
    uint32_t block_size; /* 512 or 4096 */
};

/* Decodes IDENTIFY namespace data (4096 bytes): only 512- and 4096-byte blocks without
   metadata are accepted. */
enum nvme_identify_error nvme_identify_namespace(const uint8_t *data,
                                                 struct nvme_namespace_id *out);
const char *nvme_identify_error_text(enum nvme_identify_error e);

/* Reads the active namespace list (IDENTIFY CNS 2: ascending ids, 0 ends it) into ids (at most
   max), keeping only ids in 1..nn that ascend; returns the count. */
unsigned nvme_active_namespaces(const uint8_t *data, uint32_t nn, uint32_t *ids, unsigned max);

#endif
