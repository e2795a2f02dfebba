/*
 * Field units (Field, IndexField, BankField over an OperationRegion) and buffer fields
 * (Create*Field): reading and writing their bits. Region accesses go to the host's callbacks,
 * one access-width unit at a time, following the field's update rule for the bits of a unit
 * that lie outside it. The Lock rule asks for the Global Lock: one thread runs AML and the
 * firmware here takes no lock, so it is not taken (docs/platform.md).
 */
#include <string.h>

#include "aml/internal.h"

#define FIELD_MAX_NESTING 8 /* index fields through index fields, bank fields... */

static void put_bits(uint8_t *data, uint64_t at, unsigned count, uint64_t bits)
{
    for (unsigned i = 0; i < count; i++, at++) {
        uint8_t mask = (uint8_t)(1u << (at % 8));
        if (bits >> i & 1)
            data[at / 8] |= mask;
        else
            data[at / 8] &= (uint8_t)~mask;
    }
}

static uint64_t get_bits(const uint8_t *data, uint64_t at, unsigned count)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < count; i++, at++)
        v |= (uint64_t)(data[at / 8] >> (at % 8) & 1) << i;
    return v;
}

static enum aml_status count_access(struct aml *aml)
{
    return ++aml->operations > aml->limits.max_operations ? AML_ERR_LIMIT : AML_OK;
}

/* The PCI function a PCI_Config region belongs to: device and function from the _ADR of the
   nearest device above it, bus from the nearest _BBN, segment from the nearest _SEG. */
static enum aml_status region_pci(struct aml *aml, struct aml_node *region)
{
    struct aml_region *r = &region->object.region;
    if (r->pci_known)
        return AML_OK;
    if (aml->resolving_pci)
        return AML_ERR_DEPTH; /* an _ADR that itself reads a PCI region */
    aml->resolving_pci = true;
    bool have_adr = false, have_bbn = false, have_seg = false;
    enum aml_status s = AML_OK;
    struct aml_pci_address pci = {0};
    for (struct aml_node *n = region->parent; n && s == AML_OK; n = n->parent) {
        uint64_t v;
        if (!have_adr && aml_node_lookup_child(n, "_ADR")) {
            if ((s = aml_evaluate_integer(aml, n, "_ADR", &v, NULL)) == AML_OK) {
                pci.device = (uint8_t)(v >> 16);
                pci.function = (uint8_t)v;
                have_adr = true;
            }
        }
        if (s == AML_OK && !have_bbn && aml_node_lookup_child(n, "_BBN")) {
            if ((s = aml_evaluate_integer(aml, n, "_BBN", &v, NULL)) == AML_OK) {
                pci.bus = (uint8_t)v;
                have_bbn = true;
            }
        }
        if (s == AML_OK && !have_seg && aml_node_lookup_child(n, "_SEG")) {
            if ((s = aml_evaluate_integer(aml, n, "_SEG", &v, NULL)) == AML_OK) {
                pci.segment = (uint16_t)v;
                have_seg = true;
            }
        }
    }
    aml->resolving_pci = false;
    if (s == AML_OK) {
        r->pci = pci;
        r->pci_known = true;
    }
    return s;
}

/* One access of width bytes at byte offset within the region. */
static enum aml_status region_access(struct aml *aml, struct aml_node *region, uint64_t offset,
                                     unsigned width, bool write, uint64_t *value)
{
    if (region->type != AML_TYPE_REGION)
        return AML_ERR_NOT_FOUND; /* deleted with the method that made it */
    struct aml_region *r = &region->object.region;
    if (offset > r->length || width > r->length - offset)
        return AML_ERR_INDEX;
    enum aml_status s = count_access(aml);
    if (s != AML_OK)
        return s;
    const struct aml_host *h = &aml->host;
    uint64_t address = r->offset + offset;
    unsigned bits = width * 8;
    int failed = 1;
    switch (r->space) {
    case AML_SPACE_MEMORY:
        if (write ? !h->mem_write : !h->mem_read)
            return AML_ERR_HOST;
        failed = write ? h->mem_write(h->context, address, bits, *value)
                       : h->mem_read(h->context, address, bits, value);
        break;
    case AML_SPACE_IO:
        if (address > 0xFFFFu - (width - 1) || width > 4)
            return AML_ERR_INDEX;
        if (write ? !h->io_write : !h->io_read)
            return AML_ERR_HOST;
        failed = write ? h->io_write(h->context, (uint16_t)address, bits, *value)
                       : h->io_read(h->context, (uint16_t)address, bits, value);
        break;
    case AML_SPACE_PCI:
        if (address > 0xFFFu - (width - 1) || width > 4)
            return AML_ERR_INDEX;
        if ((s = region_pci(aml, region)) != AML_OK)
            return s;
        if (write ? !h->pci_write : !h->pci_read)
            return AML_ERR_HOST;
        failed = write ? h->pci_write(h->context, r->pci, (uint16_t)address, bits, *value)
                       : h->pci_read(h->context, r->pci, (uint16_t)address, bits, value);
        break;
    default:
        return AML_ERR_UNSUPPORTED;
    }
    if (failed)
        return AML_ERR_HOST;
    if (!write && bits < 64)
        *value &= (UINT64_C(1) << bits) - 1;
    return AML_OK;
}

static unsigned access_width(uint8_t flags)
{
    switch (flags & 0x0F) {
    case 2:
        return 2; /* WordAcc */
    case 3:
        return 4; /* DWordAcc */
    case 4:
        return 8; /* QWordAcc */
    case 0:
    case 1:
    case 5:
        return 1; /* AnyAcc, ByteAcc, BufferAcc */
    default:
        return 0;
    }
}

static enum aml_status field_io(struct aml *aml, struct aml_node *node, bool write, uint8_t *data,
                                unsigned nesting);

/* One unit of a field: through its region (Field, BankField) or its index and data fields. */
static enum aml_status unit_access(struct aml *aml, const struct aml_field *f, uint64_t offset,
                                   unsigned width, bool write, uint64_t *value, unsigned nesting)
{
    if (f->kind != AML_FIELD_INDEX)
        return region_access(aml, f->region, offset, width, write, value);
    uint8_t bytes[8] = {0};
    put_bits(bytes, 0, 64, offset);
    enum aml_status s = field_io(aml, f->index, true, bytes, nesting + 1);
    if (s != AML_OK)
        return s;
    memset(bytes, 0, sizeof(bytes));
    if (write)
        put_bits(bytes, 0, 64, *value);
    if ((s = field_io(aml, f->data, write, bytes, nesting + 1)) == AML_OK && !write)
        *value = get_bits(bytes, 0, 64);
    return s;
}

/*
 * Reads or writes the bits of a field unit from or into data ((bit_length + 7) / 8 bytes,
 * bit 0 first). A unit the field covers only in part is read first and written back with its
 * other bits preserved, or set to ones or zeros, as the update rule says.
 */
static enum aml_status field_io(struct aml *aml, struct aml_node *node, bool write, uint8_t *data,
                                unsigned nesting)
{
    if (nesting > FIELD_MAX_NESTING)
        return AML_ERR_DEPTH;
    if (node->type != AML_TYPE_FIELD_UNIT)
        return AML_ERR_NOT_FOUND;
    const struct aml_field *f = &node->object.field;
    unsigned width = access_width(f->flags);
    if (width == 0)
        return AML_ERR_UNSUPPORTED;
    if (f->bit_length == 0)
        return AML_OK;
    enum aml_status s;
    if (f->kind == AML_FIELD_BANK) {
        uint8_t bank[8] = {0};
        put_bits(bank, 0, 64, f->bank_value);
        if ((s = field_io(aml, f->bank, true, bank, nesting + 1)) != AML_OK)
            return s;
    }
    unsigned unit_bits = width * 8;
    uint64_t first = f->bit_offset / unit_bits;
    uint64_t last = ((uint64_t)f->bit_offset + f->bit_length - 1) / unit_bits;
    uint64_t unit_mask = unit_bits == 64 ? UINT64_MAX : (UINT64_C(1) << unit_bits) - 1;
    for (uint64_t unit = first; unit <= last; unit++) {
        uint64_t unit_bit = unit * unit_bits;
        uint64_t lo = f->bit_offset > unit_bit ? f->bit_offset : unit_bit;
        uint64_t field_end = (uint64_t)f->bit_offset + f->bit_length;
        uint64_t hi = field_end < unit_bit + unit_bits ? field_end : unit_bit + unit_bits;
        unsigned count = (unsigned)(hi - lo), shift = (unsigned)(lo - unit_bit);
        uint64_t mask = (count == 64 ? UINT64_MAX : (UINT64_C(1) << count) - 1) << shift;
        uint64_t v = 0;
        if (!write) {
            if ((s = unit_access(aml, f, unit * width, width, false, &v, nesting)) != AML_OK)
                return s;
            put_bits(data, lo - f->bit_offset, count, (v & mask) >> shift);
            continue;
        }
        uint64_t bits = get_bits(data, lo - f->bit_offset, count) << shift;
        if (mask != unit_mask) {
            switch ((f->flags >> 5) & 3) {
            case 0: /* Preserve */
                if ((s = unit_access(aml, f, unit * width, width, false, &v, nesting)) != AML_OK)
                    return s;
                v &= ~mask;
                break;
            case 1: /* WriteAsOnes */
                v = ~mask & unit_mask;
                break;
            default: /* WriteAsZeros */
                v = 0;
                break;
            }
        }
        v |= bits;
        if ((s = unit_access(aml, f, unit * width, width, true, &v, nesting)) != AML_OK)
            return s;
    }
    return AML_OK;
}

/* The bits of a field as an Integer (if they fit) or a Buffer. */
enum aml_status aml_field_read(struct aml *aml, struct aml_node *field, struct aml_value *out)
{
    uint64_t bit_length = field->type == AML_TYPE_BUFFER_FIELD
                              ? field->object.buffer_field.bit_length
                              : field->object.field.bit_length;
    size_t bytes = (size_t)((bit_length + 7) / 8);
    enum aml_status s = aml_buffer_new(aml, NULL, bytes, out);
    if (s != AML_OK)
        return s;
    uint8_t *data = out->u.bytes->data;
    if (field->type == AML_TYPE_BUFFER_FIELD) {
        const struct aml_buffer_field *b = &field->object.buffer_field;
        if (b->bit_offset + b->bit_length > (uint64_t)b->buffer->length * 8) {
            s = AML_ERR_INDEX;
        } else {
            aml_charge(aml, b->bit_length);
            for (uint64_t i = 0; i < b->bit_length; i++)
                put_bits(data, i, 1, get_bits(b->buffer->data, b->bit_offset + i, 1));
        }
    } else {
        s = field_io(aml, field, false, data, 0);
    }
    if (s == AML_OK && bit_length <= aml_integer_width(aml)) {
        uint64_t v = get_bits(data, 0, (unsigned)bit_length);
        aml_value_free(aml, out);
        *out = aml_integer(v);
    }
    if (s != AML_OK)
        aml_value_free(aml, out);
    return s;
}

enum aml_status aml_field_write(struct aml *aml, struct aml_node *field,
                                const struct aml_value *value)
{
    uint64_t bit_length = field->type == AML_TYPE_BUFFER_FIELD
                              ? field->object.buffer_field.bit_length
                              : field->object.field.bit_length;
    size_t bytes = (size_t)((bit_length + 7) / 8);
    struct aml_value source = {0}, data = {0};
    enum aml_status s;
    if (value->type == AML_TYPE_INTEGER)
        s = aml_to_buffer(aml, value, &source);
    else if (value->type == AML_TYPE_BUFFER || value->type == AML_TYPE_STRING)
        s = aml_buffer_new(aml, value->u.bytes->data, value->u.bytes->length, &source);
    else
        s = AML_ERR_TYPE;
    if (s == AML_OK)
        s = aml_buffer_new(aml, NULL, bytes, &data);
    if (s == AML_OK) {
        size_t n = source.u.bytes->length < bytes ? source.u.bytes->length : bytes;
        memcpy(data.u.bytes->data, source.u.bytes->data, n);
        if (field->type == AML_TYPE_BUFFER_FIELD) {
            const struct aml_buffer_field *b = &field->object.buffer_field;
            if (b->bit_offset + b->bit_length > (uint64_t)b->buffer->length * 8) {
                s = AML_ERR_INDEX;
            } else {
                aml_charge(aml, b->bit_length);
                for (uint64_t i = 0; i < b->bit_length; i++)
                    put_bits(b->buffer->data, b->bit_offset + i, 1,
                             get_bits(data.u.bytes->data, i, 1));
            }
        } else {
            s = field_io(aml, field, true, data.u.bytes->data, 0);
        }
    }
    aml_value_free(aml, &source);
    aml_value_free(aml, &data);
    return s;
}
