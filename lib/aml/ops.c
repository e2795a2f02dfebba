/*
 * The operators (Type 2 opcodes and the statements that go with them): Store, CopyObject,
 * arithmetic and logic, conversions, Concatenate, Mid, Match, Index, DerefOf, RefOf, SizeOf,
 * ObjectType, Notify and the Create*Field family.
 */
#include <string.h>

#include "aml/exec.h"

/* The value a target currently designates (Increment, SizeOf, ObjectType, RefOf read it). */
static enum aml_status target_value(struct aml_exec *ex, struct aml_target *target,
                                    struct aml_value *out)
{
    struct aml_value *slot;
    switch (target->kind) {
    case TARGET_NODE:
        return aml_node_value(ex, target->node, out);
    case TARGET_REFERENCE:
        return aml_deref(ex, &target->reference, out);
    case TARGET_LOCAL:
        slot = &ex->frame->locals[target->index];
        break;
    case TARGET_ARG:
        slot = &ex->frame->args[target->index];
        if (slot->type == AML_TYPE_REFERENCE)
            return aml_deref(ex, slot, out);
        break;
    default:
        return AML_ERR_TYPE;
    }
    if (slot->type == AML_TYPE_UNINITIALIZED)
        return AML_ERR_TYPE;
    *out = aml_value_share(slot);
    return AML_OK;
}

/* Stores result (already in *out) into a target decoded next: the common tail of operators
   with a Target operand. */
static enum aml_status store_result(struct aml_exec *ex, uint32_t end, struct aml_value *out)
{
    struct aml_target target;
    enum aml_status s = aml_exec_target(ex, end, &target);
    if (s != AML_OK)
        return s;
    s = aml_store(ex, &target, out);
    aml_target_free(ex, &target);
    return s;
}

/* The integer binary operators: a op b, masked to the integer width. */
static enum aml_status integer_binary(struct aml_exec *ex, uint16_t op, uint64_t a, uint64_t b,
                                      uint64_t *out)
{
    unsigned width = aml_integer_width(ex->aml);
    switch (op) {
    case OP_ADD:
        *out = a + b;
        break;
    case OP_SUBTRACT:
        *out = a - b;
        break;
    case OP_MULTIPLY:
        *out = a * b;
        break;
    case OP_SHIFT_LEFT:
        *out = b >= width ? 0 : a << b;
        break;
    case OP_SHIFT_RIGHT:
        *out = b >= width ? 0 : a >> b;
        break;
    case OP_AND:
        *out = a & b;
        break;
    case OP_NAND:
        *out = ~(a & b);
        break;
    case OP_OR:
        *out = a | b;
        break;
    case OP_NOR:
        *out = ~(a | b);
        break;
    case OP_XOR:
        *out = a ^ b;
        break;
    case OP_MOD:
        if (b == 0)
            return AML_ERR_DIVIDE_BY_ZERO;
        *out = a % b;
        break;
    case OP_LAND:
        *out = (a && b) ? ex->aml->integer_mask : 0;
        break;
    default:
        *out = (a || b) ? ex->aml->integer_mask : 0;
        break; /* OP_LOR */
    }
    *out &= ex->aml->integer_mask;
    return AML_OK;
}

static enum aml_status exec_divide(struct aml_exec *ex, uint32_t end, struct aml_value *out)
{
    uint64_t a, b;
    enum aml_status s;
    if ((s = aml_exec_integer(ex, end, &a)) != AML_OK ||
        (s = aml_exec_integer(ex, end, &b)) != AML_OK)
        return s;
    if (b == 0)
        return AML_ERR_DIVIDE_BY_ZERO;
    struct aml_value remainder = aml_integer(a % b);
    if ((s = store_result(ex, end, &remainder)) != AML_OK)
        return s;
    *out = aml_integer(a / b);
    return store_result(ex, end, out);
}

static unsigned find_set_bit(uint64_t v, bool left, unsigned width)
{
    if (v == 0)
        return 0;
    if (left) {
        for (unsigned i = width; i > 0; i--)
            if (v >> (i - 1) & 1)
                return i;
    }
    for (unsigned i = 0; i < width; i++)
        if (v >> i & 1)
            return i + 1;
    return 0;
}

/* Index(source, i, target): a reference to element i of a package or byte i of a buffer or
   string; AML_ERR_INDEX past the end. */
static enum aml_status exec_index(struct aml_exec *ex, uint32_t end, struct aml_value *out)
{
    struct aml_value source = {0};
    uint64_t index;
    enum aml_status s = aml_exec_operand(ex, end, &source);
    if (s != AML_OK)
        return s;
    if ((s = aml_exec_integer(ex, end, &index)) != AML_OK) {
        aml_value_free(ex->aml, &source);
        return s;
    }
    struct aml_reference *r = NULL;
    if (source.type == AML_TYPE_PACKAGE) {
        s = index < source.u.package->count ? AML_OK : AML_ERR_INDEX;
        if (s == AML_OK && (r = aml_reference_new(ex->aml, AML_REFERENCE_PACKAGE))) {
            r->package = source.u.package;
            source.u.package->refs++;
        }
    } else if (source.type == AML_TYPE_BUFFER || source.type == AML_TYPE_STRING) {
        s = index < source.u.bytes->length ? AML_OK : AML_ERR_INDEX;
        if (s == AML_OK && (r = aml_reference_new(ex->aml, AML_REFERENCE_BYTES))) {
            r->bytes = source.u.bytes;
            r->is_string = source.type == AML_TYPE_STRING;
            source.u.bytes->refs++;
        }
    } else {
        s = AML_ERR_TYPE;
    }
    aml_value_free(ex->aml, &source);
    if (s != AML_OK)
        return aml_fail_at(ex, OP_INDEX, ex->pos, s,
                           s == AML_ERR_INDEX ? "Index: past the end of the object"
                                              : "Index: not a package, buffer or string");
    if (!r)
        return AML_ERR_NO_MEMORY;
    r->index = (size_t)index;
    out->type = AML_TYPE_REFERENCE;
    out->u.ref = r;
    return store_result(ex, end, out);
}

/* Match(package, op1, object1, op2, object2, start): the index of the first element from start
   that satisfies both comparisons, or Ones. */
static bool match_one(struct aml_exec *ex, uint8_t op, const struct aml_value *element,
                      const struct aml_value *object)
{
    if (op == 0) /* MTR: always */
        return true;
    int order;
    if (aml_compare(ex->aml, element, object, &order) != AML_OK)
        return false;
    switch (op) {
    case 1:
        return order == 0; /* MEQ */
    case 2:
        return order <= 0; /* MLE */
    case 3:
        return order < 0; /* MLT */
    case 4:
        return order >= 0; /* MGE */
    default:
        return order > 0; /* MGT */
    }
}

static enum aml_status exec_match(struct aml_exec *ex, uint32_t end, struct aml_value *out)
{
    struct aml_value package = {0}, objects[2] = {{0}};
    uint8_t ops[2];
    uint64_t start = 0;
    enum aml_status s = aml_exec_operand(ex, end, &package);
    for (int i = 0; i < 2 && s == AML_OK; i++)
        if ((s = aml_read_byte(ex, end, &ops[i])) == AML_OK)
            s = aml_exec_operand(ex, end, &objects[i]);
    if (s == AML_OK)
        s = aml_exec_integer(ex, end, &start);
    if (s == AML_OK && (package.type != AML_TYPE_PACKAGE || ops[0] > 5 || ops[1] > 5))
        s = AML_ERR_ARGUMENT;
    if (s == AML_OK) {
        *out = aml_integer(ex->aml->integer_mask);
        for (uint64_t i = start; i < package.u.package->count; i++) {
            const struct aml_value *e = &package.u.package->elements[i];
            aml_charge(ex->aml, 64);
            if (e->type != AML_TYPE_INTEGER && e->type != AML_TYPE_STRING &&
                e->type != AML_TYPE_BUFFER)
                continue;
            if (match_one(ex, ops[0], e, &objects[0]) && match_one(ex, ops[1], e, &objects[1])) {
                *out = aml_integer(i);
                break;
            }
        }
    }
    aml_value_free(ex->aml, &package);
    aml_value_free(ex->aml, &objects[0]);
    aml_value_free(ex->aml, &objects[1]);
    return s;
}

/* Mid(source, index, length, target): a string or buffer of the bytes from index on. */
static enum aml_status exec_mid(struct aml_exec *ex, uint32_t end, struct aml_value *out)
{
    struct aml_value source = {0};
    uint64_t index, length;
    enum aml_status s = aml_exec_operand(ex, end, &source);
    if (s == AML_OK && (s = aml_exec_integer(ex, end, &index)) == AML_OK)
        s = aml_exec_integer(ex, end, &length);
    if (s == AML_OK && source.type != AML_TYPE_STRING && source.type != AML_TYPE_BUFFER)
        s = AML_ERR_TYPE;
    if (s == AML_OK) {
        size_t have = source.u.bytes->length;
        size_t from = index < have ? (size_t)index : have;
        size_t n = length < have - from ? (size_t)length : have - from;
        const uint8_t *data = source.u.bytes->data + from;
        s = source.type == AML_TYPE_STRING ? aml_string_new(ex->aml, (const char *)data, n, out)
                                           : aml_buffer_new(ex->aml, data, n, out);
    }
    aml_value_free(ex->aml, &source);
    return s == AML_OK ? store_result(ex, end, out) : s;
}

/* ToString(buffer, length, target): the buffer's bytes up to a NUL or length. */
static enum aml_status exec_to_string(struct aml_exec *ex, uint32_t end, struct aml_value *out)
{
    struct aml_value source = {0}, buffer = {0};
    uint64_t length;
    enum aml_status s = aml_exec_operand(ex, end, &source);
    if (s == AML_OK && (s = aml_exec_integer(ex, end, &length)) == AML_OK)
        s = aml_convert(ex->aml, &source, AML_TYPE_BUFFER, &buffer);
    if (s == AML_OK) {
        const uint8_t *data = buffer.u.bytes->data;
        size_t n = 0, max = buffer.u.bytes->length;
        if (length < max)
            max = (size_t)length;
        while (n < max && data[n])
            n++;
        s = aml_string_new(ex->aml, (const char *)data, n, out);
    }
    aml_value_free(ex->aml, &source);
    aml_value_free(ex->aml, &buffer);
    return s == AML_OK ? store_result(ex, end, out) : s;
}

/* ConcatenateResTemplate(a, b, target): both resource templates without their End tags, then
   one End tag (checksum 0). */
static enum aml_status concat_resources(struct aml *aml, const struct aml_value *a,
                                        const struct aml_value *b, struct aml_value *out)
{
    const struct aml_value *in[2] = {a, b};
    size_t lengths[2];
    for (int i = 0; i < 2; i++) {
        if (in[i]->type != AML_TYPE_BUFFER)
            return AML_ERR_TYPE;
        size_t n = in[i]->u.bytes->length;
        const uint8_t *d = in[i]->u.bytes->data;
        if (n < 2 || d[n - 2] != 0x79)
            return AML_ERR_BAD_RESOURCE;
        lengths[i] = n - 2;
    }
    enum aml_status s = aml_buffer_new(aml, NULL, lengths[0] + lengths[1] + 2, out);
    if (s != AML_OK)
        return s;
    uint8_t *d = out->u.bytes->data;
    memcpy(d, a->u.bytes->data, lengths[0]);
    memcpy(d + lengths[0], b->u.bytes->data, lengths[1]);
    d[lengths[0] + lengths[1]] = 0x79;
    return AML_OK;
}

/* Operators with two operands and a target whose operands are not all integers. */
static enum aml_status exec_concat(struct aml_exec *ex, uint16_t op, uint32_t end,
                                   struct aml_value *out)
{
    struct aml_value a = {0}, b = {0};
    enum aml_status s = aml_exec_operand(ex, end, &a);
    if (s == AML_OK)
        s = aml_exec_operand(ex, end, &b);
    if (s == AML_OK)
        s = op == OP_CONCAT ? aml_concatenate(ex->aml, &a, &b, out)
                            : concat_resources(ex->aml, &a, &b, out);
    aml_value_free(ex->aml, &a);
    aml_value_free(ex->aml, &b);
    return s == AML_OK ? store_result(ex, end, out) : s;
}

/* The ObjectType of what a SuperName designates, without reading a field. */
static enum aml_status exec_object_type(struct aml_exec *ex, uint32_t end, struct aml_value *out)
{
    struct aml_target target;
    enum aml_status s = aml_exec_target(ex, end, &target);
    if (s != AML_OK)
        return s;
    enum aml_type type = AML_TYPE_UNINITIALIZED;
    const struct aml_value *v = NULL;
    if (target.kind == TARGET_NODE) {
        type = target.node->type;
    } else if (target.kind == TARGET_DEBUG) {
        type = AML_TYPE_DEBUG;
    } else if (target.kind == TARGET_LOCAL) {
        v = &ex->frame->locals[target.index];
    } else if (target.kind == TARGET_ARG) {
        v = &ex->frame->args[target.index];
    } else if (target.kind == TARGET_REFERENCE) {
        v = &target.reference;
    }
    if (v && v->type == AML_TYPE_REFERENCE) {
        const struct aml_reference *r = v->u.ref;
        type = r->kind == AML_REFERENCE_NODE      ? r->node->type
               : r->kind == AML_REFERENCE_PACKAGE ? r->package->elements[r->index].type
                                                  : AML_TYPE_BUFFER_FIELD;
    } else if (v) {
        type = v->type;
    }
    if (type == AML_TYPE_REFERENCE)
        type = AML_TYPE_UNINITIALIZED; /* a Name holding a reference: no ObjectType for it */
    aml_target_free(ex, &target);
    *out = aml_integer((uint64_t)type);
    return AML_OK;
}

/* CreateBitField ... CreateQWordField, CreateField(source, bit index, bits, name). */
enum aml_status aml_exec_create_field(struct aml_exec *ex, uint16_t op, uint32_t end)
{
    struct aml_value source = {0};
    uint64_t index = 0, bits = 0;
    struct aml_name name;
    enum aml_status s = aml_exec_operand(ex, end, &source);
    if (s == AML_OK)
        s = aml_exec_integer(ex, end, &index);
    if (s == AML_OK && op == OP_CREATE_FIELD)
        s = aml_exec_integer(ex, end, &bits);
    if (s == AML_OK)
        s = aml_read_name(ex, end, &name);
    if (s == AML_OK && source.type != AML_TYPE_BUFFER)
        s = AML_ERR_TYPE;
    uint64_t bit_offset = index;
    switch (op) {
    case OP_CREATE_BIT_FIELD:
        bits = 1;
        break;
    case OP_CREATE_BYTE_FIELD:
        bits = 8;
        bit_offset = index * 8;
        break;
    case OP_CREATE_WORD_FIELD:
        bits = 16;
        bit_offset = index * 8;
        break;
    case OP_CREATE_DWORD_FIELD:
        bits = 32;
        bit_offset = index * 8;
        break;
    case OP_CREATE_QWORD_FIELD:
        bits = 64;
        bit_offset = index * 8;
        break;
    default:
        break;
    }
    if (s == AML_OK && (index > UINT32_MAX || bits == 0 || bits > UINT32_MAX ||
                        bit_offset + bits > (uint64_t)source.u.bytes->length * 8))
        s = AML_ERR_INDEX;
    struct aml_node *node;
    if (s == AML_OK && (s = aml_define(ex, &name, AML_TYPE_BUFFER_FIELD, &node)) == AML_OK) {
        node->object.buffer_field.buffer = source.u.bytes;
        source.u.bytes->refs++;
        node->object.buffer_field.bit_offset = bit_offset;
        node->object.buffer_field.bit_length = bits;
    }
    aml_value_free(ex->aml, &source);
    return s;
}

/* RefOf(SuperName): a reference to a named object, or the reference a local or argument
   already holds (references to locals themselves are not supported). */
static enum aml_status exec_ref_of(struct aml_exec *ex, uint32_t end, struct aml_value *out)
{
    struct aml_target target;
    enum aml_status s = aml_exec_target(ex, end, &target);
    if (s != AML_OK)
        return s;
    if (target.kind == TARGET_NODE) {
        s = aml_node_reference(ex->aml, target.node, out);
    } else if (target.kind == TARGET_REFERENCE) {
        *out = aml_value_share(&target.reference);
    } else if ((target.kind == TARGET_LOCAL || target.kind == TARGET_ARG) &&
               (target.kind == TARGET_LOCAL ? ex->frame->locals : ex->frame->args)[target.index]
                       .type == AML_TYPE_REFERENCE) {
        *out = aml_value_share(
            &(target.kind == TARGET_LOCAL ? ex->frame->locals : ex->frame->args)[target.index]);
    } else {
        s = AML_ERR_UNSUPPORTED;
    }
    aml_target_free(ex, &target);
    return s;
}

enum aml_status aml_exec_operator(struct aml_exec *ex, uint16_t op, uint32_t start, uint32_t end,
                                  struct aml_value *out)
{
    struct aml *aml = ex->aml;
    struct aml_value v = {0};
    struct aml_target target;
    uint64_t a, b;
    enum aml_status s;
    switch (op) {
    case OP_STORE:
    case OP_COPY_OBJECT:
        if ((s = aml_exec_operand(ex, end, out)) != AML_OK ||
            (s = aml_exec_target(ex, end, &target)) != AML_OK)
            return s;
        s = op == OP_STORE ? aml_store(ex, &target, out) : aml_copy_object(ex, &target, out);
        aml_target_free(ex, &target);
        return s;
    case OP_ADD:
    case OP_SUBTRACT:
    case OP_MULTIPLY:
    case OP_SHIFT_LEFT:
    case OP_SHIFT_RIGHT:
    case OP_AND:
    case OP_NAND:
    case OP_OR:
    case OP_NOR:
    case OP_XOR:
    case OP_MOD:
        if ((s = aml_exec_integer(ex, end, &a)) != AML_OK ||
            (s = aml_exec_integer(ex, end, &b)) != AML_OK ||
            (s = integer_binary(ex, op, a, b, &a)) != AML_OK)
            return s;
        *out = aml_integer(a);
        return store_result(ex, end, out);
    case OP_LAND:
    case OP_LOR:
        if ((s = aml_exec_integer(ex, end, &a)) != AML_OK ||
            (s = aml_exec_integer(ex, end, &b)) != AML_OK ||
            (s = integer_binary(ex, op, a, b, &a)) != AML_OK)
            return s;
        *out = aml_integer(a);
        return AML_OK;
    case OP_LNOT:
        if ((s = aml_exec_integer(ex, end, &a)) != AML_OK)
            return s;
        *out = aml_integer(a ? 0 : aml->integer_mask);
        return AML_OK;
    case OP_LEQUAL:
    case OP_LGREATER:
    case OP_LLESS: {
        struct aml_value x = {0};
        int order = 0;
        if ((s = aml_exec_operand(ex, end, &x)) == AML_OK &&
            (s = aml_exec_operand(ex, end, &v)) == AML_OK)
            s = aml_compare(aml, &x, &v, &order);
        aml_value_free(aml, &x);
        aml_value_free(aml, &v);
        bool truth = op == OP_LEQUAL ? order == 0 : op == OP_LGREATER ? order > 0 : order < 0;
        *out = aml_integer(truth ? aml->integer_mask : 0);
        return s;
    }
    case OP_DIVIDE:
        return exec_divide(ex, end, out);
    case OP_NOT:
    case OP_FIND_SET_LEFT_BIT:
    case OP_FIND_SET_RIGHT_BIT:
        if ((s = aml_exec_integer(ex, end, &a)) != AML_OK)
            return s;
        a = op == OP_NOT ? ~a & aml->integer_mask
                         : find_set_bit(a, op == OP_FIND_SET_LEFT_BIT, aml_integer_width(aml));
        *out = aml_integer(a);
        return store_result(ex, end, out);
    case OP_INCREMENT:
    case OP_DECREMENT:
        if ((s = aml_exec_target(ex, end, &target)) != AML_OK)
            return s;
        if ((s = target_value(ex, &target, &v)) == AML_OK &&
            (s = aml_to_integer(aml, &v, &a)) == AML_OK) {
            *out = aml_integer((op == OP_INCREMENT ? a + 1 : a - 1) & aml->integer_mask);
            s = aml_store(ex, &target, out);
        }
        aml_value_free(aml, &v);
        aml_target_free(ex, &target);
        return s;
    case OP_CONCAT:
    case OP_CONCAT_RES:
        return exec_concat(ex, op, end, out);
    case OP_TO_BUFFER:
    case OP_TO_DECIMAL_STRING:
    case OP_TO_HEX_STRING:
    case OP_TO_INTEGER:
        if ((s = aml_exec_operand(ex, end, &v)) != AML_OK)
            return s;
        if (op == OP_TO_BUFFER)
            s = aml_to_buffer(aml, &v, out);
        else if (op == OP_TO_DECIMAL_STRING)
            s = aml_to_decimal_string(aml, &v, out);
        else if (op == OP_TO_HEX_STRING)
            s = aml_to_hex_string(aml, &v, out);
        else if ((s = aml_to_integer_explicit(aml, &v, &a)) == AML_OK)
            *out = aml_integer(a);
        aml_value_free(aml, &v);
        return s == AML_OK ? store_result(ex, end, out) : s;
    case OP_TO_STRING:
        return exec_to_string(ex, end, out);
    case OP_MID:
        return exec_mid(ex, end, out);
    case OP_MATCH:
        return exec_match(ex, end, out);
    case OP_INDEX:
        return exec_index(ex, end, out);
    case OP_DEREF_OF:
        if ((s = aml_exec_operand(ex, end, &v)) != AML_OK)
            return s;
        s = aml_deref(ex, &v, out);
        aml_value_free(aml, &v);
        return s == AML_ERR_TYPE ? aml_fail_at(ex, op, start, s, "DerefOf: not a reference") : s;
    case OP_REF_OF:
        return exec_ref_of(ex, end, out);
    case OP_SIZE_OF:
        if ((s = aml_exec_target(ex, end, &target)) != AML_OK)
            return s;
        if ((s = target_value(ex, &target, &v)) == AML_OK) {
            if (v.type == AML_TYPE_STRING || v.type == AML_TYPE_BUFFER)
                *out = aml_integer(v.u.bytes->length);
            else if (v.type == AML_TYPE_PACKAGE)
                *out = aml_integer(v.u.package->count);
            else
                s = AML_ERR_TYPE;
        }
        aml_value_free(aml, &v);
        aml_target_free(ex, &target);
        return s;
    case OP_OBJECT_TYPE:
        return exec_object_type(ex, end, out);
    case OP_NOTIFY: {
        if ((s = aml_exec_target(ex, end, &target)) != AML_OK)
            return s;
        struct aml_node *node = target.kind == TARGET_NODE ? target.node : NULL;
        if (target.kind == TARGET_REFERENCE && target.reference.u.ref->kind == AML_REFERENCE_NODE)
            node = target.reference.u.ref->node;
        if ((s = aml_exec_integer(ex, end, &a)) == AML_OK && !node)
            s = AML_ERR_TYPE;
        if (s == AML_OK && aml->host.notify)
            aml->host.notify(aml->host.context, node, a);
        aml_target_free(ex, &target);
        return s;
    }
    case OP_CREATE_BIT_FIELD:
    case OP_CREATE_BYTE_FIELD:
    case OP_CREATE_WORD_FIELD:
    case OP_CREATE_DWORD_FIELD:
    case OP_CREATE_QWORD_FIELD:
        return aml_exec_create_field(ex, op, end);
    default:
        return aml_fail_at(ex, op, start, AML_ERR_BAD_OPCODE,
                           "no such opcode in ACPI 6.4 (or outside the supported subset)");
    }
}
