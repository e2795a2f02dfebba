/*
 * CAP and CC, the commands the driver sends, PRPs and status codes (NVMe 1.4 sections 3.1, 4.2,
 * 4.3, 4.6, 5 and 6). See nvme.h.
 */
#include "nvme/nvme.h"

#include <string.h>

enum nvme_cap_error nvme_cap_decode(uint64_t cap, struct nvme_cap *out)
{
    memset(out, 0, sizeof *out);
    out->max_entries = (uint32_t)(cap & 0xffff) + 1;
    out->contiguous = (cap >> 16) & 1;
    out->timeout_ms = (uint32_t)((cap >> 24) & 0xff) * 500;
    out->doorbell_stride = 4u << ((cap >> 32) & 0xf);
    out->nvm = (cap >> 37) & 1;
    out->page_min = 4096u << ((cap >> 48) & 0xf);
    out->page_max = 4096u << ((cap >> 52) & 0xf);
    if (!out->nvm)
        return NVME_CAP_NO_NVM;
    if (out->page_min > NVME_PAGE || out->page_max < NVME_PAGE)
        return NVME_CAP_PAGE_SIZE;
    if (out->timeout_ms == 0)
        return NVME_CAP_TIMEOUT;
    if (out->max_entries < 2)
        return NVME_CAP_QUEUE;
    return NVME_CAP_OK;
}

const char *nvme_cap_error_text(enum nvme_cap_error e)
{
    switch (e) {
    case NVME_CAP_OK:
        return "ok";
    case NVME_CAP_NO_NVM:
        return "CAP.CSS lacks the NVM command set";
    case NVME_CAP_PAGE_SIZE:
        return "CAP.MPSMIN/MPSMAX do not allow 4 KiB pages";
    case NVME_CAP_TIMEOUT:
        return "CAP.TO is 0 (no time-out to wait for CSTS.RDY by)";
    case NVME_CAP_QUEUE:
        return "CAP.MQES allows no usable queue";
    }
    return "unknown CAP error";
}

uint32_t nvme_cc_enable(void)
{
    /* CSS 0 (NVM), MPS 0 (4 KiB), AMS 0 (round robin), IOSQES 6, IOCQES 4. */
    return NVME_CC_EN | (uint32_t)NVME_SQES_LOG << 16 | (uint32_t)NVME_CQES_LOG << 20;
}

/* An entry with opcode, cid and nsid, the rest zero. */
static void begin(struct nvme_sqe *e, uint8_t opcode, uint16_t cid, uint32_t nsid)
{
    memset(e, 0, sizeof *e);
    e->opcode = opcode;
    e->cid = cid;
    e->nsid = nsid;
}

void nvme_build_identify(struct nvme_sqe *e, uint16_t cid, uint32_t nsid, uint32_t cns,
                         uint64_t buffer)
{
    begin(e, NVME_ADMIN_IDENTIFY, cid, nsid);
    e->prp1 = buffer;
    e->cdw10 = cns;
}

void nvme_build_create_cq(struct nvme_sqe *e, uint16_t cid, uint16_t qid, uint32_t entries,
                          uint64_t phys, uint16_t vector)
{
    begin(e, NVME_ADMIN_CREATE_CQ, cid, 0);
    e->prp1 = phys;
    e->cdw10 = (entries - 1) << 16 | qid;
    e->cdw11 = (uint32_t)vector << 16 | 1u << 1 /* IEN */ | 1u /* PC */;
}

void nvme_build_create_sq(struct nvme_sqe *e, uint16_t cid, uint16_t qid, uint32_t entries,
                          uint64_t phys, uint16_t cqid)
{
    begin(e, NVME_ADMIN_CREATE_SQ, cid, 0);
    e->prp1 = phys;
    e->cdw10 = (entries - 1) << 16 | qid;
    e->cdw11 = (uint32_t)cqid << 16 | 1u /* PC */;
}

void nvme_build_set_queues(struct nvme_sqe *e, uint16_t cid, uint16_t sq, uint16_t cq)
{
    begin(e, NVME_ADMIN_SET_FEATURES, cid, 0);
    e->cdw10 = NVME_FEATURE_QUEUES;
    e->cdw11 = (uint32_t)(cq - 1) << 16 | (uint32_t)(sq - 1);
}

unsigned nvme_queues_granted(uint32_t result, unsigned asked)
{
    unsigned sq = (result & 0xffffu) + 1, cq = (result >> 16) + 1;
    unsigned granted = sq < cq ? sq : cq;
    return granted < asked ? granted : asked;
}

void nvme_build_abort(struct nvme_sqe *e, uint16_t cid, uint16_t sqid, uint16_t command_cid)
{
    begin(e, NVME_ADMIN_ABORT, cid, 0);
    e->cdw10 = (uint32_t)command_cid << 16 | sqid;
}

void nvme_build_rw(struct nvme_sqe *e, bool write, uint16_t cid, uint32_t nsid, uint64_t lba,
                   uint32_t count, bool fua, uint64_t prp1, uint64_t prp2)
{
    begin(e, write ? NVME_IO_WRITE : NVME_IO_READ, cid, nsid);
    e->prp1 = prp1;
    e->prp2 = prp2;
    e->cdw10 = (uint32_t)lba;
    e->cdw11 = (uint32_t)(lba >> 32);
    e->cdw12 = ((count - 1) & 0xffff) | (fua && write ? NVME_RW_FUA : 0);
}

void nvme_build_flush(struct nvme_sqe *e, uint16_t cid, uint32_t nsid)
{
    begin(e, NVME_IO_FLUSH, cid, nsid);
}

/* One SGL descriptor's second half: length (bytes 8-11), reserved, identifier (byte 15). */
static uint64_t sgl_tail(uint64_t length, uint8_t identifier)
{
    return length | (uint64_t)identifier << 56;
}

unsigned nvme_sgl_build(const struct block_segment *segments, unsigned count, uint8_t *list,
                        unsigned list_bytes, uint64_t list_phys, uint64_t *dptr1, uint64_t *dptr2)
{
    if (count == 0)
        return 0;
    for (unsigned i = 0; i < count; i++)
        if (segments[i].bytes == 0 || segments[i].bytes > UINT32_MAX || segments[i].physical % 4 ||
            segments[i].bytes % 4 ||
            segments[i].physical + segments[i].bytes < segments[i].physical)
            return 0;
    if (count == 1) {
        *dptr1 = segments[0].physical;
        *dptr2 = sgl_tail(segments[0].bytes, NVME_SGL_DATA_BLOCK);
        return 1;
    }
    if ((uint64_t)count * NVME_SGL_BYTES > list_bytes || list_phys % 8) /* a segment: qword */
        return 0;
    for (unsigned i = 0; i < count; i++) { /* little-endian, as the controller reads it */
        uint64_t words[2] = {segments[i].physical,
                             sgl_tail(segments[i].bytes, NVME_SGL_DATA_BLOCK)};
        memcpy(list + (size_t)i * NVME_SGL_BYTES, words, sizeof words);
    }
    *dptr1 = list_phys;
    *dptr2 = sgl_tail((uint64_t)count * NVME_SGL_BYTES, NVME_SGL_LAST_SEGMENT);
    return count;
}

unsigned nvme_prp_build(const struct block_segment *segments, unsigned count, uint64_t *list,
                        unsigned list_max, uint64_t list_phys, uint64_t *prp1, uint64_t *prp2)
{
    const uint64_t page = NVME_PAGE;
    if (count == 0 || segments[0].bytes == 0 || segments[0].physical % 4)
        return 0;
    /* Every piece must join the next on page boundaries: PRPs name whole pages after the
       first's offset. */
    for (unsigned i = 0; i < count; i++) {
        const struct block_segment *s = &segments[i];
        if (s->bytes == 0 || s->physical + s->bytes < s->physical)
            return 0;
        if (i > 0 && s->physical % page)
            return 0;
        if (i + 1 < count && (s->physical + s->bytes) % page)
            return 0;
    }
    *prp1 = segments[0].physical;
    *prp2 = 0;
    unsigned pages = 0, listed = 0;
    uint64_t second = 0;
    for (unsigned i = 0; i < count; i++) {
        uint64_t at = segments[i].physical & ~(page - 1);
        uint64_t end = segments[i].physical + segments[i].bytes;
        for (; at < end; at += page) {
            pages++;
            if (pages == 1)
                continue;
            if (pages == 2) {
                second = at;
                continue;
            }
            if (pages == 3) {
                if (list_max < 2)
                    return 0;
                list[listed++] = second;
            }
            if (listed == list_max)
                return 0;
            list[listed++] = at;
        }
    }
    if (pages == 2)
        *prp2 = second;
    else if (pages > 2)
        *prp2 = list_phys;
    return pages;
}

uint32_t nvme_status_block(uint16_t status)
{
    unsigned sct = NVME_STATUS_SCT(status), sc = NVME_STATUS_SC(status);
    if (sct == NVME_SCT_GENERIC) {
        switch (sc) {
        case 0x00:
            return BLOCK_OK;
        case 0x0b: /* invalid namespace or format */
            return BLOCK_ERROR_NO_DEVICE;
        case 0x80: /* LBA out of range */
        case 0x81: /* capacity exceeded */
            return BLOCK_ERROR_RANGE;
        default:
            return BLOCK_ERROR_IO;
        }
    }
    if (sct == NVME_SCT_COMMAND && sc == 0x82) /* attempted write to a read-only range */
        return BLOCK_ERROR_READ_ONLY;
    return BLOCK_ERROR_IO;
}

bool nvme_status_retryable(uint16_t status)
{
    if (NVME_STATUS_DNR(status))
        return false;
    unsigned sct = NVME_STATUS_SCT(status), sc = NVME_STATUS_SC(status);
    switch (sct) {
    case NVME_SCT_GENERIC:
        /* transfer error, power loss, internal error, aborted, SQ deleted, not ready */
        return sc == 0x04 || sc == 0x05 || sc == 0x06 || sc == 0x07 || sc == 0x08 || sc == 0x82;
    case NVME_SCT_MEDIA:
        return sc == 0x80 || sc == 0x81; /* write fault, unrecovered read error */
    case NVME_SCT_PATH:
        return true;
    default:
        return false;
    }
}

const char *nvme_status_name(uint16_t status)
{
    unsigned sct = NVME_STATUS_SCT(status), sc = NVME_STATUS_SC(status);
    static const char *const generic[] = {
        "success",
        "invalid command opcode",
        "invalid field in command",
        "command id conflict",
        "data transfer error",
        "aborted: power loss",
        "internal error",
        "aborted on request",
        "aborted: submission queue deleted",
        "failed fused command",
        "missing fused command",
        "invalid namespace or format",
        "command sequence error",
    };
    switch (sct) {
    case NVME_SCT_GENERIC:
        if (sc < sizeof generic / sizeof generic[0])
            return generic[sc];
        if (sc == 0x13)
            return "invalid PRP offset";
        if (sc == 0x80)
            return "LBA out of range";
        if (sc == 0x81)
            return "capacity exceeded";
        if (sc == 0x82)
            return "namespace not ready";
        return "generic error";
    case NVME_SCT_COMMAND:
        if (sc == 0x80)
            return "conflicting attributes";
        if (sc == 0x82)
            return "write to a read-only range";
        return "command specific error";
    case NVME_SCT_MEDIA:
        if (sc == 0x80)
            return "write fault";
        if (sc == 0x81)
            return "unrecovered read error";
        if (sc == 0x86)
            return "access denied";
        return "media or data integrity error";
    case NVME_SCT_PATH:
        return "path error";
    default:
        return "vendor specific or unknown error";
    }
}

unsigned nvme_segments_append(struct block_segment *segments, unsigned count, unsigned max,
                              const struct block_segment *add, unsigned add_count)
{
    if (!count || !add_count)
        return 0;
    struct block_segment *last = &segments[count - 1];
    bool join = last->physical + last->bytes == add[0].physical;
    unsigned needed = count + add_count - (join ? 1 : 0);
    if (needed > max || needed < count) /* the second: add_count so large it wrapped */
        return 0;
    unsigned from = 0;
    if (join)
        last->bytes += add[from++].bytes;
    for (; from < add_count; from++)
        segments[count++] = add[from];
    return count;
}
