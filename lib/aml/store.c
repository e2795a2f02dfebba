/*
 * Where values go and come from: targets (SuperName, Target), Store and CopyObject with their
 * conversions, the value of a named object, DerefOf, and running a method in its frame.
 */
#include <string.h>

#include "aml/exec.h"

enum aml_status aml_exec_target(struct aml_exec *ex, uint32_t end, struct aml_target *out)
{
    memset(out, 0, sizeof(*out));
    uint32_t start = ex->pos;
    if (ex->pos >= end)
        return aml_fail_at(ex, AML_NO_OPCODE, ex->pos, AML_ERR_TRUNCATED, "a target is missing");
    uint8_t c = ex->table->data[ex->pos];
    if (c == 0x00) {
        ex->pos++;
        out->kind = TARGET_NONE;
        return AML_OK;
    }
    if (c >= OP_LOCAL0 && c <= OP_LOCAL7) {
        ex->pos++;
        out->kind = TARGET_LOCAL;
        out->index = c - OP_LOCAL0;
        return AML_OK;
    }
    if (c >= OP_ARG0 && c <= OP_ARG6) {
        ex->pos++;
        out->kind = TARGET_ARG;
        out->index = c - OP_ARG0;
        return AML_OK;
    }
    if (c == OP_EXT && end - ex->pos >= 2 && ex->table->data[ex->pos + 1] == 0x31) {
        ex->pos += 2;
        out->kind = TARGET_DEBUG;
        return AML_OK;
    }
    enum aml_status s;
    if (aml_name_start(c)) {
        struct aml_name name;
        if ((s = aml_read_name(ex, end, &name)) != AML_OK)
            return s;
        struct aml_node *node = aml_resolve(ex, &name);
        if (!node)
            return aml_fail_name(ex, c, start, "no target ", &name);
        /* A method here is the object itself (ObjectType, RefOf), never a call. */
        out->kind = TARGET_NODE;
        out->node = node;
        return AML_OK;
    }
    if (c == OP_DEREF_OF) { /* DerefOf(ref) as a target is the object ref designates */
        ex->pos++;
        s = aml_exec_operand(ex, end, &out->reference);
    } else {
        s = aml_exec_operand(ex, end, &out->reference);
    }
    if (s != AML_OK)
        return s;
    if (out->reference.type == AML_TYPE_STRING) { /* a path, as DerefOf accepts */
        struct aml_node *node =
            aml_find(ex->aml, ex->frame->scope, (const char *)out->reference.u.bytes->data);
        aml_value_free(ex->aml, &out->reference);
        if (!node)
            return aml_fail_at(ex, c, start, AML_ERR_NOT_FOUND, "the target path does not exist");
        out->kind = TARGET_NODE;
        out->node = node;
        return AML_OK;
    }
    if (out->reference.type != AML_TYPE_REFERENCE) {
        aml_value_free(ex->aml, &out->reference);
        return aml_fail_at(ex, c, start, AML_ERR_TYPE, "the target is not a reference");
    }
    out->kind = TARGET_REFERENCE;
    return AML_OK;
}

void aml_target_free(struct aml_exec *ex, struct aml_target *target)
{
    aml_value_free(ex->aml, &target->reference);
}

/* Store into a named object: converted to the type it holds (19.3.5.8); a Buffer keeps its
   length when the source fits (the rest zeroed), a field unit or buffer field is written. */
static enum aml_status store_node(struct aml_exec *ex, struct aml_node *node,
                                  const struct aml_value *value)
{
    struct aml *aml = ex->aml;
    struct aml_value converted = {0};
    enum aml_status s;
    switch (node->type) {
    case AML_TYPE_INTEGER:
    case AML_TYPE_STRING:
        if ((s = aml_convert(aml, value, node->type, &converted)) != AML_OK)
            return s;
        if (converted.type == AML_TYPE_STRING && value->type == AML_TYPE_STRING) {
            struct aml_value copy;
            s = aml_value_copy(aml, &converted, &copy);
            aml_value_free(aml, &converted);
            if (s != AML_OK)
                return s;
            converted = copy;
        }
        aml_value_replace(aml, &node->value, converted);
        return AML_OK;
    case AML_TYPE_BUFFER: {
        if ((s = aml_convert(aml, value, AML_TYPE_BUFFER, &converted)) != AML_OK)
            return s;
        struct aml_bytes *to = node->value.u.bytes, *from = converted.u.bytes;
        if (from->length <= to->length) {
            aml_charge(aml, to->length);
            memmove(to->data, from->data, from->length);
            memset(to->data + from->length, 0, to->length - from->length);
            aml_value_free(aml, &converted);
            return AML_OK;
        }
        struct aml_value copy;
        s = aml_value_copy(aml, &converted, &copy);
        aml_value_free(aml, &converted);
        if (s == AML_OK)
            aml_value_replace(aml, &node->value, copy);
        return s;
    }
    case AML_TYPE_FIELD_UNIT:
    case AML_TYPE_BUFFER_FIELD:
        return aml_field_write(aml, node, value);
    case AML_TYPE_PACKAGE:
    case AML_TYPE_REFERENCE:
    case AML_TYPE_UNINITIALIZED:
        if ((s = aml_value_copy(aml, value, &converted)) != AML_OK)
            return s;
        aml_value_replace(aml, &node->value, converted);
        node->type = converted.type;
        return AML_OK;
    default:
        return AML_ERR_TYPE;
    }
}

/* Store through a reference: to the node, the package element (which takes the value's type)
   or the byte of a buffer or string. */
static enum aml_status store_reference(struct aml_exec *ex, struct aml_reference *r,
                                       const struct aml_value *value)
{
    struct aml_value copy;
    uint64_t integer;
    enum aml_status s;
    switch (r->kind) {
    case AML_REFERENCE_NODE:
        return store_node(ex, r->node, value);
    case AML_REFERENCE_PACKAGE:
        if (r->index >= r->package->count)
            return AML_ERR_INDEX;
        if ((s = aml_value_copy(ex->aml, value, &copy)) != AML_OK)
            return s;
        aml_value_replace(ex->aml, &r->package->elements[r->index], copy);
        return AML_OK;
    default:
        if (r->index >= r->bytes->length)
            return AML_ERR_INDEX;
        if ((s = aml_to_integer(ex->aml, value, &integer)) != AML_OK)
            return s;
        r->bytes->data[r->index] = (uint8_t)integer;
        return AML_OK;
    }
}

enum aml_status aml_store(struct aml_exec *ex, struct aml_target *target,
                          const struct aml_value *value)
{
    struct aml_value copy;
    enum aml_status s;
    struct aml_value *slot;
    switch (target->kind) {
    case TARGET_NONE:
        return AML_OK;
    case TARGET_DEBUG: {
        char line[160];
        aml_value_describe(ex->aml, value, line, sizeof(line));
        if (ex->aml->host.log)
            ex->aml->host.log(ex->aml->host.context, AML_LOG_DEBUG, line);
        return AML_OK;
    }
    case TARGET_NODE:
        return store_node(ex, target->node, value);
    case TARGET_REFERENCE:
        return store_reference(ex, target->reference.u.ref, value);
    case TARGET_ARG:
        slot = &ex->frame->args[target->index];
        if (slot->type == AML_TYPE_REFERENCE) /* an argument passed by RefOf: store through */
            return store_reference(ex, slot->u.ref, value);
        break;
    default:
        slot = &ex->frame->locals[target->index];
        break;
    }
    if ((s = aml_value_copy(ex->aml, value, &copy)) != AML_OK)
        return s;
    aml_value_replace(ex->aml, slot, copy);
    return AML_OK;
}

enum aml_status aml_copy_object(struct aml_exec *ex, struct aml_target *target,
                                const struct aml_value *value)
{
    struct aml_value copy;
    enum aml_status s;
    struct aml_node *node = target->kind == TARGET_NODE ? target->node : NULL;
    if (target->kind == TARGET_REFERENCE && target->reference.u.ref->kind == AML_REFERENCE_NODE)
        node = target->reference.u.ref->node;
    if (!node)
        return target->kind == TARGET_ARG || target->kind == TARGET_LOCAL ||
                       target->kind == TARGET_NONE || target->kind == TARGET_DEBUG ||
                       target->kind == TARGET_REFERENCE
                   ? aml_store(ex, target, value)
                   : AML_ERR_TYPE;
    switch (node->type) {
    case AML_TYPE_INTEGER:
    case AML_TYPE_STRING:
    case AML_TYPE_BUFFER:
    case AML_TYPE_PACKAGE:
    case AML_TYPE_REFERENCE:
    case AML_TYPE_UNINITIALIZED:
        if ((s = aml_value_copy(ex->aml, value, &copy)) != AML_OK)
            return s;
        aml_value_replace(ex->aml, &node->value, copy);
        node->type = copy.type;
        return AML_OK;
    default:
        return store_node(ex, node, value);
    }
}

enum aml_status aml_node_value(struct aml_exec *ex, struct aml_node *node, struct aml_value *out)
{
    switch (node->type) {
    case AML_TYPE_INTEGER:
    case AML_TYPE_STRING:
    case AML_TYPE_BUFFER:
    case AML_TYPE_PACKAGE:
    case AML_TYPE_REFERENCE:
        *out = aml_value_share(&node->value);
        return AML_OK;
    case AML_TYPE_FIELD_UNIT:
    case AML_TYPE_BUFFER_FIELD:
        return aml_field_read(ex->aml, node, out);
    case AML_TYPE_UNINITIALIZED:
        return AML_ERR_NOT_FOUND; /* a deleted object */
    default:
        return aml_node_reference(ex->aml, node, out);
    }
}

enum aml_status aml_deref(struct aml_exec *ex, const struct aml_value *reference,
                          struct aml_value *out)
{
    if (reference->type == AML_TYPE_STRING) {
        struct aml_node *node =
            aml_find(ex->aml, ex->frame->scope, (const char *)reference->u.bytes->data);
        return node ? aml_node_value(ex, node, out) : AML_ERR_NOT_FOUND;
    }
    if (reference->type != AML_TYPE_REFERENCE)
        return AML_ERR_TYPE;
    const struct aml_reference *r = reference->u.ref;
    switch (r->kind) {
    case AML_REFERENCE_NODE:
        return aml_node_value(ex, r->node, out);
    case AML_REFERENCE_PACKAGE: {
        if (r->index >= r->package->count)
            return AML_ERR_INDEX;
        /* An element that names an object (a name in the package) gives that object. */
        const struct aml_value *e = &r->package->elements[r->index];
        if (e->type == AML_TYPE_REFERENCE && e->u.ref->kind == AML_REFERENCE_NODE)
            return aml_node_value(ex, e->u.ref->node, out);
        *out = aml_value_share(e);
        return AML_OK;
    }
    default:
        if (r->index >= r->bytes->length)
            return AML_ERR_INDEX;
        *out = aml_integer(r->bytes->data[r->index]);
        return AML_OK;
    }
}

enum aml_status aml_call(struct aml_exec *ex, struct aml_node *method, struct aml_frame *frame,
                         struct aml_value *out)
{
    struct aml *aml = ex->aml;
    const struct aml_method *m = &method->object.method;
    enum aml_status s = AML_OK;
    if (m->builtin) {
        s = m->builtin(aml, frame->args, out);
    } else if (ex->call_depth >= aml->limits.max_call_depth) {
        s = aml_fail_at(ex, AML_NO_OPCODE, ex->pos, AML_ERR_DEPTH,
                        "method calls nest deeper than max_call_depth");
    } else {
        frame->scope = method;
        frame->method = method;
        struct aml_frame *saved_frame = ex->frame;
        struct aml_table *saved_table = ex->table;
        uint32_t saved_pos = ex->pos;
        ex->frame = frame;
        ex->table = m->table;
        ex->pos = m->start;
        ex->call_depth++;
        s = aml_exec_term_list(ex, m->end);
        ex->call_depth--;
        if (s == AML_OK)
            *out =
                frame->flow == FLOW_RETURN ? aml_value_share(&frame->return_value) : aml_integer(0);
        ex->frame = saved_frame;
        ex->table = saved_table;
        ex->pos = saved_pos;
    }
    /* The method's own objects go when it returns, newest first (a child before its
       parent). */
    while (frame->temporaries) {
        struct aml_node *n = frame->temporaries;
        frame->temporaries = n->temporary_next;
        aml_node_delete(aml, n);
    }
    for (unsigned i = 0; i < AML_MAX_ARGS; i++)
        aml_value_free(aml, &frame->args[i]);
    for (unsigned i = 0; i < AML_MAX_LOCALS; i++)
        aml_value_free(aml, &frame->locals[i]);
    aml_value_free(aml, &frame->return_value);
    aml_free(aml, frame);
    return s;
}
