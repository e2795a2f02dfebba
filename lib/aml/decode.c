/*
 * Decoding AML: bytes, little-endian integers, package lengths and names; resolving names in
 * the namespace and defining new ones; recording the first error of an evaluation.
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
bool aml_name_start(uint8_t c)
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

enum aml_status aml_fail_name(struct aml_exec *ex, uint16_t op, uint32_t start, const char *what,
                              const struct aml_name *name)
{
    char text[AML_ERROR_MESSAGE_MAX];
    size_t n = 0, room = sizeof(text);
    for (size_t i = 0; what[i] && n < room - 1; i++)
        text[n++] = what[i];
    if (name->root && n < room - 1)
        text[n++] = '\\';
    for (uint32_t i = 0; i < name->parents && n < room - 1; i++)
        text[n++] = '^';
    for (uint32_t i = 0; i < name->count && n + 5 < room; i++) {
        if (i)
            text[n++] = '.';
        memcpy(text + n, name->segments + 4 * i, 4);
        n += 4;
    }
    text[n] = '\0';
    return aml_fail_at(ex, op, start, AML_ERR_NOT_FOUND, text);
}
