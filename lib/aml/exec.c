/*
 * The executor's core: decoding (bytes, package lengths, names), the dispatch of one term,
 * term lists and control flow, data objects, targets and Store, method calls.
 */
#include <string.h>

#include "aml/exec.h"

enum aml_status aml_fail_at(struct aml_exec *ex, uint16_t op, uint32_t start, enum aml_status s,
                            const char *message)
{
    if (s == AML_OK || ex->error.status != AML_OK)
        return s;
    struct aml_error *e = &ex->error;
    e->status = s;
    e->opcode = op;
    e->offset = start;
    if (ex->table)
        memcpy(e->table, ex->table->signature, 5);
    if (ex->frame && ex->frame->method)
        aml_node_path(ex->frame->method, e->method, sizeof(e->method));
    const char *text = message ? message : aml_status_name(s);
    size_t n = strlen(text);
    if (n >= sizeof(e->message))
        n = sizeof(e->message) - 1;
    memcpy(e->message, text, n);
    e->message[n] = '\0';
    return s;
}

enum aml_status aml_read_byte(struct aml_exec *ex, uint32_t end, uint8_t *out)
{
    if (ex->pos >= end)
        return aml_fail_at(ex, AML_NO_OPCODE, ex->pos, AML_ERR_TRUNCATED,
                           "the term runs past the end of its scope or table");
    *out = ex->table->data[ex->pos++];
    return AML_OK;
}

enum aml_status aml_read_le(struct aml_exec *ex, uint32_t end, unsigned bytes, uint64_t *out)
{
    if (end - ex->pos < bytes || ex->pos > end)
        return aml_fail_at(ex, AML_NO_OPCODE, ex->pos, AML_ERR_TRUNCATED,
                           "an integer runs past the end of its scope or table");
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes; i++)
        v |= (uint64_t)ex->table->data[ex->pos + i] << (8 * i);
    ex->pos += bytes;
    *out = v;
    return AML_OK;
}

/* PkgLength (20.2.4): the first byte's top two bits count the bytes that follow; the length
   counts from the PkgLength's own first byte and must end within end. */
enum aml_status aml_read_pkg_length(struct aml_exec *ex, uint32_t end, uint32_t *pkg_end)
{
    uint32_t start = ex->pos;
    uint8_t lead;
    enum aml_status s = aml_read_byte(ex, end, &lead);
    if (s != AML_OK)
        return s;
    unsigned follow = lead >> 6;
    uint64_t length = follow ? (lead & 0x0F) : (lead & 0x3F);
    for (unsigned i = 0; i < follow; i++) {
        uint8_t b;
        if ((s = aml_read_byte(ex, end, &b)) != AML_OK)
            return s;
        length |= (uint64_t)b << (4 + 8 * i);
    }
    if (length < ex->pos - start || length > end - start)
        return aml_fail_at(ex, AML_NO_OPCODE, start, AML_ERR_TRUNCATED,
                           "a package length runs past the end of its scope or table");
    *pkg_end = start + (uint32_t)length;
    return AML_OK;
}

static bool lead_name_char(uint8_t c)
{
    return (c >= 'A' && c <= 'Z') || c == '_';
}

static bool name_char(uint8_t c)
{
    return lead_name_char(c) || (c >= '0' && c <= '9');
}

/* Whether byte starts a NameString. */
static bool name_start(uint8_t c)
{
    return lead_name_char(c) || c == OP_ROOT || c == OP_PARENT || c == OP_DUAL_NAME ||
           c == OP_MULTI_NAME;
}

enum aml_status aml_read_name(struct aml_exec *ex, uint32_t end, struct aml_name *name)
{
    memset(name, 0, sizeof(*name));
    uint32_t start = ex->pos;
    uint8_t c;
    enum aml_status s = aml_read_byte(ex, end, &c);
    if (s != AML_OK)
        return s;
    if (c == OP_ROOT) {
        name->root = true;
        if ((s = aml_read_byte(ex, end, &c)) != AML_OK)
            return s;
    } else {
        while (c == OP_PARENT) {
            name->parents++;
            if ((s = aml_read_byte(ex, end, &c)) != AML_OK)
                return s;
        }
    }
    if (c == 0x00) { /* NullName */
        return AML_OK;
    } else if (c == OP_DUAL_NAME) {
        name->count = 2;
    } else if (c == OP_MULTI_NAME) {
        if ((s = aml_read_byte(ex, end, &c)) != AML_OK)
            return s;
        name->count = c;
    } else {
        name->count = 1;
        ex->pos--; /* c is the segment's first character */
    }
    if ((uint64_t)name->count * 4 > end - ex->pos)
        return aml_fail_at(ex, AML_NO_OPCODE, start, AML_ERR_TRUNCATED,
                           "a name runs past the end of its scope or table");
    name->segments = ex->table->data + ex->pos;
    for (uint32_t i = 0; i < name->count * 4; i++)
        if (!(i % 4 == 0 ? lead_name_char(name->segments[i]) : name_char(name->segments[i])))
            return aml_fail_at(ex, AML_NO_OPCODE, ex->pos + i, AML_ERR_BAD_OPCODE,
                               "a name segment holds a character names may not have");
    ex->pos += name->count * 4;
    return AML_OK;
}

/* The node that name's last segment goes into (or is looked up in), without search rules. */
static struct aml_node *name_parent(struct aml_exec *ex, const struct aml_name *name)
{
    struct aml_node *n = name->root ? ex->aml->root : ex->frame->scope;
    for (uint32_t i = 0; i < name->parents; i++) {
        if (!n->parent)
            return NULL;
        n = n->parent;
    }
    for (uint32_t i = 0; i + 1 < name->count; i++) {
        n = aml_node_resolve(aml_node_lookup_child(n, (const char *)name->segments + 4 * i));
        if (!n)
            return NULL;
    }
    return n;
}

struct aml_node *aml_resolve(struct aml_exec *ex, const struct aml_name *name)
{
    if (name->count == 0)
        return name->root ? ex->aml->root : NULL;
    const char *last = (const char *)name->segments + 4 * (name->count - 1);
    if (name->count == 1 && !name->root && name->parents == 0) {
        /* A lone segment searches the scope and then each scope above it (5.3). */
        for (struct aml_node *n = ex->frame->scope; n; n = n->parent) {
            struct aml_node *found = aml_node_lookup_child(n, last);
            if (found)
                return aml_node_resolve(found);
        }
        return NULL;
    }
    struct aml_node *parent = name_parent(ex, name);
    return parent ? aml_node_resolve(aml_node_lookup_child(parent, last)) : NULL;
}

enum aml_status aml_define(struct aml_exec *ex, const struct aml_name *name, enum aml_type type,
                           struct aml_node **out)
{
    if (name->count == 0)
        return AML_ERR_ARGUMENT;
    struct aml_node *parent = name_parent(ex, name);
    if (!parent)
        return AML_ERR_NOT_FOUND;
    enum aml_status s = aml_node_new(
        ex->aml, parent, (const char *)name->segments + 4 * (name->count - 1), type, out);
    if (s != AML_OK)
        return s;
    if (ex->frame->method) {
        (*out)->temporary_next = ex->frame->temporaries;
        ex->frame->temporaries = *out;
    }
    return AML_OK;
}

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
        if (name_start(ex->table->data[ex->pos])) {
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
            return aml_fail_at(ex, op, start, AML_ERR_NOT_FOUND, "Alias: no such source object");
        if ((s = aml_define(ex, &alias, target->type, &node)) != AML_OK)
            return aml_fail_at(ex, op, start, s, "Alias: cannot define the name");
        node->alias_of = target;
        target->refs++;
        return AML_OK;
    }
    case OP_SCOPE:
        node = aml_resolve(ex, &name);
        if (!node)
            return aml_fail_at(ex, op, start, AML_ERR_NOT_FOUND, "Scope: no such object");
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
        return aml_fail_at(ex, ex->table->data[start], start, AML_ERR_NOT_FOUND,
                           "no object by that name");
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
    if (name_start((uint8_t)op) && op < 0x100) {
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
    if (name_start(c)) {
        struct aml_name name;
        if ((s = aml_read_name(ex, end, &name)) != AML_OK)
            return s;
        struct aml_node *node = aml_resolve(ex, &name);
        if (!node)
            return aml_fail_at(ex, c, start, AML_ERR_NOT_FOUND, "the target does not exist");
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
