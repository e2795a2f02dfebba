/*
 * The block protocol's pure checks and arithmetic. See block_check.h.
 */
#include "block/block_check.h"

/* Whether s asks for something the protocol knows (its op, flags and reserved fields). */
static bool known_request(const struct block_submission *s)
{
    if (s->zero != 0)
        return false;
    switch (s->op) {
    case BLOCK_OP_READ:
        return s->flags == 0;
    case BLOCK_OP_WRITE:
        return (s->flags & ~BLOCK_FLAG_FUA) == 0;
    case BLOCK_OP_FLUSH:
        return s->flags == 0 && s->count == 0 && s->lba == 0 && s->offset == 0;
    default:
        return false;
    }
}

uint32_t block_check_request(const struct block_submission *s, const struct block_check_disk *d,
                             uint64_t region_bytes)
{
    if (!known_request(s))
        return BLOCK_ERROR_OP;
    if (s->op == BLOCK_OP_WRITE && d->read_only)
        return BLOCK_ERROR_READ_ONLY;
    if (s->op == BLOCK_OP_FLUSH)
        return BLOCK_OK;
    uint64_t bytes = (uint64_t)s->count * d->sector_size; /* count is 32 bits: no overflow */
    if (s->count == 0 || bytes > d->max_bytes)
        return BLOCK_ERROR_RANGE;
    if (s->lba >= d->sectors || s->count > d->sectors - s->lba)
        return BLOCK_ERROR_RANGE;
    if (s->offset % d->sector_size != 0)
        return BLOCK_ERROR_ALIGNMENT;
    if (s->offset >= region_bytes || bytes > region_bytes - s->offset)
        return BLOCK_ERROR_REGION;
    return BLOCK_OK;
}

unsigned block_segments(const uint64_t *frame_physical, unsigned frame_count, unsigned frame_bits,
                        uint64_t offset, uint64_t bytes, struct block_segment *out, unsigned max)
{
    uint64_t frame_bytes = 1ull << frame_bits;
    uint64_t region_bytes = (uint64_t)frame_count << frame_bits;
    if (bytes == 0 || offset >= region_bytes || bytes > region_bytes - offset)
        return 0;
    uint64_t first_inside = offset & (frame_bytes - 1);
    if (bytes <= frame_bytes - first_inside && max > 0) { /* inside one frame: most requests */
        out[0] = (struct block_segment){frame_physical[offset >> frame_bits] + first_inside, bytes};
        return 1;
    }
    unsigned n = 0;
    while (bytes > 0) {
        uint64_t inside = offset & (frame_bytes - 1);
        uint64_t piece = frame_bytes - inside < bytes ? frame_bytes - inside : bytes;
        uint64_t physical = frame_physical[offset >> frame_bits] + inside;
        if (n > 0 && out[n - 1].physical + out[n - 1].bytes == physical) {
            out[n - 1].bytes += piece;
        } else {
            if (n == max)
                return 0;
            out[n++] = (struct block_segment){physical, piece};
        }
        offset += piece;
        bytes -= piece;
    }
    return n;
}
