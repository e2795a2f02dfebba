/*
 * The executor's core: the dispatch of one term, term lists and control flow (If, While,
 * Break, Continue, Return), data objects (integers, strings, buffers, packages), the
 * definitions of Name, Alias, Scope, Method and External, and method calls by name.
 */
#include <string.h>

#include "aml/exec.h"

enum aml_status aml_exec_term_list(struct aml_exec *ex, uint32_t end)
{
    while (ex->pos < end && ex->frame->flow == FLOW_NEXT) {
        struct aml_value discard = {0};
        enum aml_status s = aml_exec_term(ex, end, &discard);
        aml_value_free(ex->aml, &discard);
        if (s != AML_OK)
            return s;
    }
    return AML_OK;
}

enum aml_status aml_exec_operand(struct aml_exec *ex, uint32_t end, struct aml_value *out)
{
    uint32_t start = ex->pos;
    enum aml_status s = aml_exec_term(ex, end, out);
    if (s == AML_OK && out->type == AML_TYPE_UNINITIALIZED && ex->frame->flow == FLOW_NEXT) {
        /* Only a statement or an empty local gives nothing; an operand needs a value. */
        uint16_t op = ex->table->data[start];
        return aml_fail_at(ex, op, start, AML_ERR_TYPE, "an operand has no value");
    }
    return s;
}

enum aml_status aml_exec_integer(struct aml_exec *ex, uint32_t end, uint64_t *out)
{
    uint32_t start = ex->pos;
    struct aml_value v = {0};
    enum aml_status s = aml_exec_operand(ex, end, &v);
    if (s == AML_OK) {
        s = aml_to_integer(ex->aml, &v, out);
        if (s != AML_OK)
            aml_fail_at(ex, ex->table->data[start], start, s, "an operand is not an integer");
    }
    aml_value_free(ex->aml, &v);
    return s;
}

/* Counts one opcode (or one step of a field access) against max_operations. */
static enum aml_status count_operation(struct aml_exec *ex, uint16_t op, uint32_t start)
{
    if (++ex->aml->operations > ex->aml->limits.max_operations)
        return aml_fail_at(ex, op, start, AML_ERR_LIMIT,
                           "the evaluation executed more opcodes than max_operations");
    return AML_OK;
}

/* Buffer := BufferOp PkgLength BufferSize ByteList: the list fills the start of a buffer of
   BufferSize bytes (or its own length if longer). */
static enum aml_status exec_buffer(struct aml_exec *ex, uint32_t start, uint32_t end,
                                   struct aml_value *out)
{
    uint32_t pkg_end;
    uint64_t size;
    enum aml_status s = aml_read_pkg_length(ex, end, &pkg_end);
    if (s != AML_OK || (s = aml_exec_integer(ex, pkg_end, &size)) != AML_OK)
        return s;
    uint32_t initial = pkg_end - ex->pos;
    if (size < initial)
        size = initial;
    struct aml_bytes *b = size <= SIZE_MAX ? aml_bytes_new(ex->aml, (size_t)size) : NULL;
    if (!b)
        return aml_fail_at(ex, OP_BUFFER, start, AML_ERR_NO_MEMORY,
                           "Buffer: the size is past the memory budget");
    memcpy(b->data, ex->table->data + ex->pos, initial);
    ex->pos = pkg_end;
    out->type = AML_TYPE_BUFFER;
    out->u.bytes = b;
    return AML_OK;
}

/* Package and VarPackage: elements are data objects or names; a name that resolves becomes a
   reference to its node, one that does not stays a string (as ACPICA keeps it). */
static enum aml_status exec_package(struct aml_exec *ex, uint16_t op, uint32_t start, uint32_t end,
                                    struct aml_value *out)
{
    uint32_t pkg_end;
    uint64_t count;
    enum aml_status s = aml_read_pkg_length(ex, end, &pkg_end);
    if (s != AML_OK)
        return s;
    if (op == OP_PACKAGE) {
        uint8_t n;
        s = aml_read_byte(ex, pkg_end, &n);
        count = n;
    } else {
        s = aml_exec_integer(ex, pkg_end, &count);
    }
    if (s != AML_OK)
        return s;
    struct aml_package *p = count <= SIZE_MAX ? aml_package_new(ex->aml, (size_t)count) : NULL;
    if (!p)
        return aml_fail_at(ex, op, start, AML_ERR_NO_MEMORY,
                           "Package: the element count is past the memory budget");
    out->type = AML_TYPE_PACKAGE;
    out->u.package = p;
    for (size_t i = 0; ex->pos < pkg_end; i++) {
        if (i >= p->count)
            return aml_fail_at(ex, op, start, AML_ERR_INDEX,
                               "Package: more elements than its count");
        struct aml_value *e = &p->elements[i];
        if (aml_name_start(ex->table->data[ex->pos])) {
            struct aml_name name;
            uint32_t name_at = ex->pos;
            if ((s = aml_read_name(ex, pkg_end, &name)) != AML_OK)
                return s;
            struct aml_node *node = aml_resolve(ex, &name);
            if (node)
                s = aml_node_reference(ex->aml, node, e);
            else
                s = aml_string_new(ex->aml, (const char *)ex->table->data + name_at,
                                   ex->pos - name_at, e);
        } else {
            s = aml_exec_operand(ex, pkg_end, e);
        }
        if (s != AML_OK)
            return aml_fail_at(ex, op, start, s, "Package: an element failed");
    }
    return AML_OK;
}

/* String := StringPrefix AsciiCharList NullChar. */
static enum aml_status exec_string(struct aml_exec *ex, uint32_t start, uint32_t end,
                                   struct aml_value *out)
{
    const uint8_t *text = ex->table->data + ex->pos;
    const uint8_t *nul = memchr(text, 0, end - ex->pos);
    if (!nul)
        return aml_fail_at(ex, OP_STRING, start, AML_ERR_TRUNCATED,
                           "a string has no NUL before the end of its scope");
    size_t length = (size_t)(nul - text);
    ex->pos += (uint32_t)length + 1;
    enum aml_status s = aml_string_new(ex->aml, (const char *)text, length, out);
    return s == AML_OK ? s : aml_fail_at(ex, OP_STRING, start, s, NULL);
}

/* If := IfOp PkgLength Predicate TermList, optionally followed by Else := ElseOp PkgLength
   TermList. */
static enum aml_status exec_if(struct aml_exec *ex, uint32_t end)
{
    uint32_t pkg_end;
    uint64_t predicate;
    enum aml_status s = aml_read_pkg_length(ex, end, &pkg_end);
    if (s != AML_OK || (s = aml_exec_integer(ex, pkg_end, &predicate)) != AML_OK)
        return s;
    if (predicate) {
        if ((s = aml_exec_term_list(ex, pkg_end)) != AML_OK)
            return s;
    }
    ex->pos = pkg_end;
    if (ex->pos < end && ex->table->data[ex->pos] == OP_ELSE) {
        ex->pos++;
        uint32_t else_end;
        if ((s = aml_read_pkg_length(ex, end, &else_end)) != AML_OK)
            return s;
        if (!predicate && ex->frame->flow == FLOW_NEXT &&
            (s = aml_exec_term_list(ex, else_end)) != AML_OK)
            return s;
        ex->pos = else_end;
    }
    return AML_OK;
}

/* While := WhileOp PkgLength Predicate TermList, bounded by max_loop_iterations. */
static enum aml_status exec_while(struct aml_exec *ex, uint32_t start, uint32_t end)
{
    uint32_t pkg_end;
    enum aml_status s = aml_read_pkg_length(ex, end, &pkg_end);
    if (s != AML_OK)
        return s;
    uint32_t predicate_at = ex->pos;
    for (uint64_t iterations = 0;; iterations++) {
        if (iterations >= ex->aml->limits.max_loop_iterations)
            return aml_fail_at(ex, OP_WHILE, start, AML_ERR_LIMIT,
                               "While: more iterations than max_loop_iterations");
        if ((s = count_operation(ex, OP_WHILE, start)) != AML_OK)
            return s;
        ex->pos = predicate_at;
        uint64_t predicate;
        if ((s = aml_exec_integer(ex, pkg_end, &predicate)) != AML_OK)
            return s;
        if (!predicate)
            break;
        ex->frame->loops++;
        s = aml_exec_term_list(ex, pkg_end);
        ex->frame->loops--;
        if (s != AML_OK)
            return s;
        if (ex->frame->flow == FLOW_BREAK) {
            ex->frame->flow = FLOW_NEXT;
            break;
        }
        if (ex->frame->flow == FLOW_RETURN)
            break;
        ex->frame->flow = FLOW_NEXT; /* Continue, or the end of the body */
    }
    ex->pos = pkg_end;
    return AML_OK;
}

/* Runs a scope-like body (Scope, Device...) with node as the scope. */
static enum aml_status exec_in_scope(struct aml_exec *ex, struct aml_node *node, uint32_t end)
{
    struct aml_node *saved = ex->frame->scope;
    ex->frame->scope = node;
    enum aml_status s = aml_exec_term_list(ex, end);
    ex->frame->scope = saved;
    ex->pos = end;
    return s;
}

/* The named-object definitions of single-byte opcodes: Name, Alias, Scope, Method, External. */
static enum aml_status exec_namespace_op(struct aml_exec *ex, uint16_t op, uint32_t start,
                                         uint32_t end)
{
    struct aml_name name;
    struct aml_node *node;
    uint32_t pkg_end = end;
    enum aml_status s;
    if (op == OP_SCOPE || op == OP_METHOD)
        if ((s = aml_read_pkg_length(ex, end, &pkg_end)) != AML_OK)
            return s;
    if ((s = aml_read_name(ex, pkg_end, &name)) != AML_OK)
        return s;
    switch (op) {
    case OP_NAME: {
        struct aml_value v = {0};
        if ((s = aml_exec_operand(ex, end, &v)) != AML_OK)
            return s;
        if ((s = aml_define(ex, &name, v.type, &node)) != AML_OK) {
            aml_value_free(ex->aml, &v);
            return aml_fail_at(ex, op, start, s, "Name: cannot define the name");
        }
        node->value = v;
        return AML_OK;
    }
    case OP_ALIAS: {
        struct aml_name alias;
        if ((s = aml_read_name(ex, end, &alias)) != AML_OK)
            return s;
        struct aml_node *target = aml_resolve(ex, &name);
        if (!target)
            return aml_fail_name(ex, op, start, "Alias: no object ", &name);
        if ((s = aml_define(ex, &alias, target->type, &node)) != AML_OK)
            return aml_fail_at(ex, op, start, s, "Alias: cannot define the name");
        node->alias_of = target;
        target->refs++;
        return AML_OK;
    }
    case OP_SCOPE:
        node = aml_resolve(ex, &name);
        if (!node)
            return aml_fail_name(ex, op, start, "Scope: no object ", &name);
        return exec_in_scope(ex, node, pkg_end);
    case OP_METHOD: {
        uint8_t flags;
        if ((s = aml_read_byte(ex, pkg_end, &flags)) != AML_OK)
            return s;
        if ((s = aml_define(ex, &name, AML_TYPE_METHOD, &node)) != AML_OK)
            return aml_fail_at(ex, op, start, s, "Method: cannot define the name");
        node->object.method.table = ex->table;
        node->object.method.start = ex->pos;
        node->object.method.end = pkg_end;
        node->object.method.arg_count = flags & 7;
        node->object.method.serialized = flags & 8;
        ex->pos = pkg_end;
        return AML_OK;
    }
    default: { /* External: ObjectType ArgumentCount, nothing to define */
        uint64_t ignored;
        return aml_read_le(ex, end, 2, &ignored);
    }
    }
}

/* A NameString in term position: a method call (its arguments follow) or an object's value. */
static enum aml_status exec_name_term(struct aml_exec *ex, uint32_t start, uint32_t end,
                                      struct aml_value *out)
{
    struct aml_name name;
    enum aml_status s = aml_read_name(ex, end, &name);
    if (s != AML_OK)
        return s;
    if (name.count == 0)
        return AML_OK; /* NullName */
    struct aml_node *node = aml_resolve(ex, &name);
    if (!node)
        return aml_fail_name(ex, ex->table->data[start], start, "no object ", &name);
    if (node->type != AML_TYPE_METHOD)
        return aml_node_value(ex, node, out);
    struct aml_frame *frame = aml_alloc(ex->aml, sizeof(*frame));
    if (!frame)
        return AML_ERR_NO_MEMORY;
    unsigned count = node->object.method.arg_count;
    for (unsigned i = 0; i < count && s == AML_OK; i++)
        s = aml_exec_operand(ex, end, &frame->args[i]);
    if (s != AML_OK) {
        for (unsigned i = 0; i < count; i++)
            aml_value_free(ex->aml, &frame->args[i]);
        aml_free(ex->aml, frame);
        return s;
    }
    return aml_call(ex, node, frame, out);
}

enum aml_status aml_exec_term(struct aml_exec *ex, uint32_t end, struct aml_value *out)
{
    uint32_t start = ex->pos;
    uint8_t byte;
    enum aml_status s = aml_read_byte(ex, end, &byte);
    if (s != AML_OK)
        return s;
    uint16_t op = byte;
    if (byte == OP_EXT) {
        if ((s = aml_read_byte(ex, end, &byte)) != AML_OK)
            return s;
        op = (uint16_t)(0x5B00 | byte);
    }
    if ((s = count_operation(ex, op, start)) != AML_OK)
        return s;
    if (ex->depth >= ex->aml->limits.max_depth)
        return aml_fail_at(ex, op, start, AML_ERR_DEPTH, "terms nest deeper than max_depth");
    ex->depth++;
    uint64_t v;
    if (aml_name_start((uint8_t)op) && op < 0x100) {
        ex->pos = start;
        s = exec_name_term(ex, start, end, out);
        ex->depth--;
        return s;
    }
    switch (op) {
    case OP_ZERO:
    case OP_ONE:
        *out = aml_integer(op);
        break;
    case OP_ONES:
        *out = aml_integer(ex->aml->integer_mask);
        break;
    case OP_BYTE:
    case OP_WORD:
    case OP_DWORD:
    case OP_QWORD:
        s = aml_read_le(ex, end,
                        op == OP_BYTE    ? 1
                        : op == OP_WORD  ? 2
                        : op == OP_DWORD ? 4
                                         : 8,
                        &v);
        *out = aml_integer(v & ex->aml->integer_mask);
        break;
    case OP_STRING:
        s = exec_string(ex, start, end, out);
        break;
    case OP_BUFFER:
        s = exec_buffer(ex, start, end, out);
        break;
    case OP_PACKAGE:
    case OP_VAR_PACKAGE:
        s = exec_package(ex, op, start, end, out);
        break;
    case OP_NAME:
    case OP_ALIAS:
    case OP_SCOPE:
    case OP_METHOD:
    case OP_EXTERNAL:
        s = exec_namespace_op(ex, op, start, end);
        break;
    case OP_IF:
        s = exec_if(ex, end);
        break;
    case OP_ELSE: { /* an Else whose If was not just run (it skipped): nothing to do */
        uint32_t pkg_end;
        if ((s = aml_read_pkg_length(ex, end, &pkg_end)) == AML_OK)
            ex->pos = pkg_end;
        break;
    }
    case OP_WHILE:
        s = exec_while(ex, start, end);
        break;
    case OP_BREAK:
    case OP_CONTINUE:
        if (ex->frame->loops == 0)
            s = aml_fail_at(ex, op, start, AML_ERR_BAD_OPCODE, "Break or Continue outside a While");
        else
            ex->frame->flow = op == OP_BREAK ? FLOW_BREAK : FLOW_CONTINUE;
        break;
    case OP_RETURN: {
        struct aml_value r = {0};
        if (ex->pos < end && ex->table->data[ex->pos] == 0x00) {
            ex->pos++; /* Return with no value gives 0 */
            r = aml_integer(0);
        } else if ((s = aml_exec_operand(ex, end, &r)) != AML_OK) {
            break;
        }
        aml_value_replace(ex->aml, &ex->frame->return_value, r);
        ex->frame->flow = FLOW_RETURN;
        break;
    }
    case OP_NOOP:
    case OP_BREAKPOINT:
        break;
    default:
        if (op >= OP_LOCAL0 && op <= OP_LOCAL7) {
            *out = aml_value_share(&ex->frame->locals[op - OP_LOCAL0]);
        } else if (op >= OP_ARG0 && op <= OP_ARG6) {
            *out = aml_value_share(&ex->frame->args[op - OP_ARG0]);
        } else if (op > 0xFF) {
            s = aml_exec_object(ex, op, start, end, out);
        } else {
            s = aml_exec_operator(ex, op, start, end, out);
        }
        break;
    }
    ex->depth--;
    return s == AML_OK ? s : aml_fail_at(ex, op, start, s, NULL);
}
