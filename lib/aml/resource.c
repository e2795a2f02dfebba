/*
 * Resource descriptors (ACPI 6.4, 6.4.2 small and 6.4.3 large): strict decoding of _CRS/_PRS
 * buffers and the encoding of an _SRS buffer choosing one interrupt.
 */
#include <string.h>

#include "aml/resource.h"

#define TAG_IRQ          0x04 /* small item names */
#define TAG_DMA          0x05
#define TAG_IO           0x08
#define TAG_FIXED_IO     0x09
#define TAG_END          0x0F
#define TAG_MEMORY32     0x85 /* large items, the whole first byte */
#define TAG_FIXED_MEM32  0x86
#define TAG_DWORD_ADDR   0x87
#define TAG_WORD_ADDR    0x88
#define TAG_EXTENDED_IRQ 0x89
#define TAG_QWORD_ADDR   0x8A

static uint64_t le(const uint8_t *p, unsigned bytes)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* The interrupts of a small IRQ descriptor (body: its bytes after the tag, length 2 or 3). */
static void decode_small_irq(const uint8_t *body, size_t length, struct aml_resource_irq *irq)
{
    uint16_t mask = (uint16_t)le(body, 2);
    for (uint32_t i = 0; i < 16; i++)
        if (mask >> i & 1)
            irq->interrupts[irq->count++] = i;
    irq->total = irq->count;
    irq->consumer = true;
    irq->small_length = (uint8_t)length;
    if (length == 3) {
        irq->level = !(body[2] & 0x01);
        irq->active_low = body[2] & 0x08;
        irq->shared = body[2] & 0x10;
        irq->wake = body[2] & 0x20;
    }
}

/* Decodes one small descriptor (tag byte t, body of length bytes). */
static enum aml_status decode_small(uint8_t t, const uint8_t *body, size_t length,
                                    struct aml_resource *r)
{
    switch (t >> 3 & 0x0F) {
    case TAG_IRQ:
        if (length != 2 && length != 3)
            return AML_ERR_BAD_RESOURCE;
        r->type = AML_RESOURCE_IRQ;
        decode_small_irq(body, length, &r->u.irq);
        return AML_OK;
    case TAG_DMA:
        if (length != 2)
            return AML_ERR_BAD_RESOURCE;
        r->type = AML_RESOURCE_DMA;
        r->u.dma_channels = body[0];
        return AML_OK;
    case TAG_IO:
        if (length != 7)
            return AML_ERR_BAD_RESOURCE;
        r->type = AML_RESOURCE_IO;
        r->u.range.decode16 = body[0] & 1;
        r->u.range.minimum = le(body + 1, 2);
        r->u.range.maximum = le(body + 3, 2);
        r->u.range.alignment = body[5];
        r->u.range.length = body[6];
        return AML_OK;
    case TAG_FIXED_IO:
        if (length != 3)
            return AML_ERR_BAD_RESOURCE;
        r->type = AML_RESOURCE_FIXED_IO;
        r->u.range.minimum = r->u.range.maximum = le(body, 2) & 0x3FF;
        r->u.range.length = body[2];
        return AML_OK;
    default:
        r->type = AML_RESOURCE_OTHER;
        return AML_OK;
    }
}

/* An address space descriptor of bits 16, 32 or 64 (body of length bytes). */
static enum aml_status decode_address(const uint8_t *body, size_t length, unsigned bits,
                                      struct aml_resource *r)
{
    unsigned size = bits / 8;
    if (length < 3 + 5 * (size_t)size)
        return AML_ERR_BAD_RESOURCE;
    struct aml_resource_address *a = &r->u.address;
    r->type = AML_RESOURCE_ADDRESS;
    a->bits = (uint8_t)bits;
    a->space = body[0];
    a->flags = body[1];
    a->type_flags = body[2];
    a->granularity = le(body + 3, size);
    a->minimum = le(body + 3 + size, size);
    a->maximum = le(body + 3 + 2 * size, size);
    a->translation = le(body + 3 + 3 * size, size);
    a->length = le(body + 3 + 4 * size, size);
    return AML_OK;
}

static enum aml_status decode_large(uint8_t t, const uint8_t *body, size_t length,
                                    struct aml_resource *r)
{
    switch (t) {
    case TAG_MEMORY32:
        if (length != 17)
            return AML_ERR_BAD_RESOURCE;
        r->type = AML_RESOURCE_MEMORY32;
        r->u.range.writable = body[0] & 1;
        r->u.range.minimum = le(body + 1, 4);
        r->u.range.maximum = le(body + 5, 4);
        r->u.range.alignment = le(body + 9, 4);
        r->u.range.length = le(body + 13, 4);
        return AML_OK;
    case TAG_FIXED_MEM32:
        if (length != 9)
            return AML_ERR_BAD_RESOURCE;
        r->type = AML_RESOURCE_FIXED_MEMORY32;
        r->u.range.writable = body[0] & 1;
        r->u.range.minimum = r->u.range.maximum = le(body + 1, 4);
        r->u.range.length = le(body + 5, 4);
        return AML_OK;
    case TAG_WORD_ADDR:
        return decode_address(body, length, 16, r);
    case TAG_DWORD_ADDR:
        return decode_address(body, length, 32, r);
    case TAG_QWORD_ADDR:
        return decode_address(body, length, 64, r);
    case TAG_EXTENDED_IRQ: {
        if (length < 2 || body[1] == 0 || length < 2 + 4 * (size_t)body[1])
            return AML_ERR_BAD_RESOURCE;
        struct aml_resource_irq *irq = &r->u.irq;
        r->type = AML_RESOURCE_EXTENDED_IRQ;
        irq->consumer = body[0] & 0x01;
        irq->level = !(body[0] & 0x02);
        irq->active_low = body[0] & 0x04;
        irq->shared = body[0] & 0x08;
        irq->wake = body[0] & 0x10;
        irq->total = body[1];
        for (unsigned i = 0; i < body[1] && i < AML_RESOURCE_MAX_INTERRUPTS; i++)
            irq->interrupts[irq->count++] = (uint32_t)le(body + 2 + 4 * i, 4);
        return AML_OK;
    }
    default:
        r->type = AML_RESOURCE_OTHER;
        return AML_OK;
    }
}

enum aml_status aml_resource_decode(const uint8_t *buffer, size_t length, struct aml_resource *out,
                                    size_t max, size_t *count, size_t *bad_offset)
{
    size_t at = 0;
    *count = 0;
    enum aml_status s = AML_ERR_BAD_RESOURCE; /* until an End tag is seen */
    while (at < length) {
        uint8_t t = buffer[at];
        size_t header, body_length;
        if (t & 0x80) {
            if (length - at < 3)
                break;
            header = 3;
            body_length = (size_t)le(buffer + at + 1, 2);
        } else {
            header = 1;
            body_length = t & 0x07;
        }
        if (body_length > length - at - header)
            break;
        if (!(t & 0x80) && (t >> 3 & 0x0F) == TAG_END) {
            s = body_length == 1 ? AML_OK : AML_ERR_BAD_RESOURCE;
            break;
        }
        if (*count >= max) {
            s = AML_ERR_INDEX;
            break;
        }
        struct aml_resource *r = &out[*count];
        memset(r, 0, sizeof(*r));
        r->offset = (uint32_t)at;
        r->tag = t;
        const uint8_t *body = buffer + at + header;
        enum aml_status d = t & 0x80 ? decode_large(t, body, body_length, r)
                                     : decode_small(t, body, body_length, r);
        if (d != AML_OK)
            break;
        (*count)++;
        at += header + body_length;
    }
    if (s != AML_OK && bad_offset)
        *bad_offset = at;
    return s;
}

enum aml_status aml_resource_encode_irq(const struct aml_resource *possible, uint32_t interrupt,
                                        uint8_t *out, size_t size, size_t *length)
{
    if (possible->type != AML_RESOURCE_IRQ && possible->type != AML_RESOURCE_EXTENDED_IRQ)
        return AML_ERR_ARGUMENT;
    const struct aml_resource_irq *irq = &possible->u.irq;
    bool offered = false;
    for (unsigned i = 0; i < irq->count; i++)
        offered = offered || irq->interrupts[i] == interrupt;
    if (!offered)
        return AML_ERR_ARGUMENT;
    uint8_t d[16];
    size_t n = 0;
    if (possible->type == AML_RESOURCE_IRQ) {
        unsigned body = irq->small_length == 3 ? 3 : 2;
        d[n++] = (uint8_t)(TAG_IRQ << 3 | body);
        d[n++] = (uint8_t)(interrupt < 8 ? 1u << interrupt : 0);
        d[n++] = (uint8_t)(interrupt >= 8 ? 1u << (interrupt - 8) : 0);
        if (body == 3)
            d[n++] = (uint8_t)((irq->level ? 0 : 0x01) | (irq->active_low ? 0x08 : 0) |
                               (irq->shared ? 0x10 : 0) | (irq->wake ? 0x20 : 0));
    } else {
        d[n++] = TAG_EXTENDED_IRQ;
        d[n++] = 6;
        d[n++] = 0;
        d[n++] = (uint8_t)((irq->consumer ? 0x01 : 0) | (irq->level ? 0 : 0x02) |
                           (irq->active_low ? 0x04 : 0) | (irq->shared ? 0x08 : 0) |
                           (irq->wake ? 0x10 : 0));
        d[n++] = 1;
        for (int i = 0; i < 4; i++)
            d[n++] = (uint8_t)(interrupt >> (8 * i));
    }
    d[n++] = TAG_END << 3 | 1;
    d[n++] = 0; /* checksum 0: "treat as correct" */
    if (n > size)
        return AML_ERR_ARGUMENT;
    memcpy(out, d, n);
    *length = n;
    return AML_OK;
}
