/*
 * The namespace: a tree of nodes with four-character names, the interpreter's life cycle, and
 * lookups by path for the interpreter's users.
 */
#include <stdlib.h>
#include <string.h>

#include "aml/internal.h"

void aml_limits_default(struct aml_limits *limits)
{
    limits->max_depth = 48;
    limits->max_call_depth = 16;
    limits->max_operations = 1000000;
    limits->max_loop_iterations = 100000;
    limits->max_memory = 4u << 20;
    limits->max_sleep_ms = 100;
    limits->max_stall_us = 100;
    limits->max_total_sleep_ms = 1000;
}

/* Zero fields of the caller's limits take the defaults. */
static void limits_fill(struct aml_limits *limits, const struct aml_limits *given)
{
    aml_limits_default(limits);
    if (!given)
        return;
    if (given->max_depth)
        limits->max_depth = given->max_depth;
    if (given->max_call_depth)
        limits->max_call_depth = given->max_call_depth;
    if (given->max_operations)
        limits->max_operations = given->max_operations;
    if (given->max_loop_iterations)
        limits->max_loop_iterations = given->max_loop_iterations;
    if (given->max_memory)
        limits->max_memory = given->max_memory;
    if (given->max_sleep_ms)
        limits->max_sleep_ms = given->max_sleep_ms;
    if (given->max_stall_us)
        limits->max_stall_us = given->max_stall_us;
    if (given->max_total_sleep_ms)
        limits->max_total_sleep_ms = given->max_total_sleep_ms;
}

struct aml_node *aml_node_lookup_child(const struct aml_node *parent, const char name[4])
{
    for (struct aml_node *n = parent->child; n; n = n->next)
        if (memcmp(n->name, name, 4) == 0)
            return n;
    return NULL;
}

struct aml_node *aml_node_resolve(struct aml_node *node)
{
    return node && node->alias_of ? node->alias_of : node;
}

enum aml_status aml_node_new(struct aml *aml, struct aml_node *parent, const char name[4],
                             enum aml_type type, struct aml_node **out)
{
    if (aml_node_lookup_child(parent, name))
        return AML_ERR_EXISTS;
    struct aml_node *n = aml_alloc(aml, sizeof(*n));
    if (!n)
        return AML_ERR_NO_MEMORY;
    memcpy(n->name, name, 4);
    n->type = type;
    n->parent = parent;
    if (parent->last_child)
        parent->last_child->next = n;
    else
        parent->child = n;
    parent->last_child = n;
    *out = n;
    return AML_OK;
}

/* Drops what a node holds (its value, its object's counted parts) and makes it Uninitialized. */
static void node_clear(struct aml *aml, struct aml_node *node)
{
    aml_value_free(aml, &node->value);
    if (node->type == AML_TYPE_BUFFER_FIELD && node->object.buffer_field.buffer) {
        struct aml_value holder = {.type = AML_TYPE_BUFFER,
                                   .u = {.bytes = node->object.buffer_field.buffer}};
        aml_value_free(aml, &holder);
    }
    if (node->type == AML_TYPE_FIELD_UNIT) {
        struct aml_field *f = &node->object.field;
        struct aml_node *named[] = {f->region, f->index, f->data, f->bank};
        for (size_t i = 0; i < 4; i++)
            if (named[i])
                aml_node_unref(aml, named[i]);
    }
    memset(&node->object, 0, sizeof(node->object));
    node->type = AML_TYPE_UNINITIALIZED;
    if (node->alias_of)
        aml_node_unref(aml, node->alias_of);
    node->alias_of = NULL;
}

void aml_node_unref(struct aml *aml, struct aml_node *node)
{
    if (--node->refs == 0 && node->detached)
        aml_free(aml, node);
}

void aml_node_delete(struct aml *aml, struct aml_node *node)
{
    /* Unlink from the parent first, then free the subtree iteratively (children before their
       parent) so that a deep tree does not recurse. */
    struct aml_node *parent = node->parent;
    if (parent) {
        struct aml_node **link = &parent->child, *previous = NULL;
        while (*link && *link != node) {
            previous = *link;
            link = &(*link)->next;
        }
        if (*link)
            *link = node->next;
        if (parent->last_child == node)
            parent->last_child = previous;
    }
    node->parent = NULL;
    node->next = NULL;
    struct aml_node *n = node;
    while (n) {
        if (n->child) {
            struct aml_node *c = n->child;
            n->child = c->next;
            c->next = NULL;
            c->parent = n; /* to climb back */
            n = c;
            continue;
        }
        struct aml_node *up = n == node ? NULL : n->parent;
        node_clear(aml, n);
        n->detached = true;
        n->parent = NULL;
        n->last_child = NULL;
        if (n->refs == 0)
            aml_free(aml, n);
        n = up;
    }
}

enum aml_status aml_node_reference(struct aml *aml, struct aml_node *node, struct aml_value *out)
{
    memset(out, 0, sizeof(*out));
    struct aml_reference *r = aml_reference_new(aml, AML_REFERENCE_NODE);
    if (!r)
        return AML_ERR_NO_MEMORY;
    r->node = node;
    node->refs++;
    out->type = AML_TYPE_REFERENCE;
    out->u.ref = r;
    return AML_OK;
}

static const char *const osi_names[] = {
    "Windows 2000",  "Windows 2001",     "Windows 2001 SP1",  "Windows 2001.1",
    "Windows 2006",  "Windows 2009",     "Windows 2012",      "Windows 2015",
    "Module Device", "Processor Device", "3.0 Thermal Model", "Extended Address Space Descriptor",
};

/* \_OSI(String): Ones for the interfaces above (those Windows versions and features), else 0. */
static enum aml_status builtin_osi(struct aml *aml, const struct aml_value *args,
                                   struct aml_value *result)
{
    if (args[0].type != AML_TYPE_STRING)
        return AML_ERR_TYPE;
    uint64_t answer = 0;
    for (size_t i = 0; i < sizeof(osi_names) / sizeof(osi_names[0]); i++)
        if (strcmp((const char *)args[0].u.bytes->data, osi_names[i]) == 0)
            answer = aml->integer_mask;
    *result = aml_integer(answer);
    return AML_OK;
}

enum aml_status aml_namespace_init(struct aml *aml)
{
    static const char *const scopes[] = {"_GPE", "_PR_", "_SB_", "_SI_", "_TZ_"};
    struct aml_node *n;
    enum aml_status s;
    for (size_t i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++)
        if ((s = aml_node_new(aml, aml->root, scopes[i], AML_TYPE_DEVICE, &n)) != AML_OK)
            return s;
    if ((s = aml_node_new(aml, aml->root, "_OS_", AML_TYPE_STRING, &n)) != AML_OK)
        return s;
    static const char os[] = "Microsoft Windows NT";
    if ((s = aml_string_new(aml, os, sizeof(os) - 1, &n->value)) != AML_OK)
        return s;
    if ((s = aml_node_new(aml, aml->root, "_REV", AML_TYPE_INTEGER, &n)) != AML_OK)
        return s;
    n->value = aml_integer(2);
    if ((s = aml_node_new(aml, aml->root, "_GL_", AML_TYPE_MUTEX, &n)) != AML_OK)
        return s;
    if ((s = aml_node_new(aml, aml->root, "_OSI", AML_TYPE_METHOD, &n)) != AML_OK)
        return s;
    n->object.method.arg_count = 1;
    n->object.method.builtin = builtin_osi;
    return AML_OK;
}

enum aml_status aml_create(const struct aml_host *host, const struct aml_limits *limits,
                           struct aml **out)
{
    *out = NULL;
    struct aml_host h = {0};
    if (host)
        h = *host;
    struct aml *aml = h.alloc ? h.alloc(h.context, sizeof(*aml)) : malloc(sizeof(*aml));
    if (!aml)
        return AML_ERR_NO_MEMORY;
    memset(aml, 0, sizeof(*aml));
    aml->host = h;
    limits_fill(&aml->limits, limits);
    aml->integer_mask = UINT64_MAX;
    aml->root = aml_alloc(aml, sizeof(*aml->root));
    aml->debug_node = aml_alloc(aml, sizeof(*aml->debug_node));
    enum aml_status s = AML_ERR_NO_MEMORY;
    if (aml->root && aml->debug_node) {
        strcpy(aml->root->name, "\\");
        aml->root->type = AML_TYPE_DEVICE;
        aml->debug_node->type = AML_TYPE_DEBUG;
        strcpy(aml->debug_node->name, "DBG_");
        s = aml_namespace_init(aml);
    }
    if (s != AML_OK) {
        aml_destroy(aml);
        return s;
    }
    *out = aml;
    return AML_OK;
}

void aml_destroy(struct aml *aml)
{
    if (!aml)
        return;
    aml_free_all(aml);
    if (aml->host.free)
        aml->host.free(aml->host.context, aml, sizeof(*aml));
    else
        free(aml);
}

unsigned aml_integer_width(const struct aml *aml)
{
    return aml->integer_mask == UINT32_MAX ? 32 : 64;
}

struct aml_node *aml_root(struct aml *aml)
{
    return aml->root;
}

enum aml_type aml_node_type(const struct aml_node *node)
{
    const struct aml_node *n = node->alias_of ? node->alias_of : node;
    return n->type;
}

const char *aml_node_name(const struct aml_node *node)
{
    return node->name;
}

struct aml_node *aml_node_parent(const struct aml_node *node)
{
    return node->parent;
}

struct aml_node *aml_node_child(const struct aml_node *node)
{
    return node->child;
}

struct aml_node *aml_node_next(const struct aml_node *node)
{
    return node->next;
}

size_t aml_node_path(const struct aml_node *node, char *out, size_t size)
{
    /* Measured first, then written from its end back to the root: no buffer on the stack (this
       runs on the error path, at the deepest point of an evaluation). */
    size_t length = 1;
    for (const struct aml_node *n = node; n && n->parent; n = n->parent)
        length += n->parent->parent ? 5 : 4;
    if (size == 0)
        return length;
    size_t at = length;
    out[length < size ? length : size - 1] = '\0';
    for (const struct aml_node *n = node; n && n->parent; n = n->parent) {
        at -= 4;
        for (size_t i = 0; i < 4; i++)
            if (at + i < size - 1)
                out[at + i] = n->name[i];
        if (n->parent->parent && --at < size - 1)
            out[at] = '.';
    }
    if (size > 1)
        out[0] = '\\';
    return length;
}

static bool segment_char(char c, bool first)
{
    return (c >= 'A' && c <= 'Z') || c == '_' || (!first && c >= '0' && c <= '9');
}

struct aml_node *aml_find(struct aml *aml, struct aml_node *scope, const char *path)
{
    struct aml_node *n = scope ? scope : aml->root;
    if (!path)
        return NULL;
    if (*path == '\\') {
        n = aml->root;
        path++;
    }
    while (*path == '^') {
        if (!n->parent)
            return NULL;
        n = n->parent;
        path++;
    }
    while (*path) {
        char segment[4] = {'_', '_', '_', '_'};
        size_t i = 0;
        for (; path[i] && path[i] != '.'; i++) {
            if (i >= 4 || !segment_char(path[i], i == 0))
                return NULL;
            segment[i] = path[i];
        }
        if (i == 0)
            return NULL;
        n = aml_node_resolve(aml_node_lookup_child(aml_node_resolve(n), segment));
        if (!n)
            return NULL;
        path += i;
        if (*path == '.' && !*++path)
            return NULL;
    }
    return n;
}

size_t aml_walk(struct aml *aml, struct aml_node *start, enum aml_type type,
                bool (*visit)(struct aml_node *node, void *context), void *context)
{
    size_t visited = 0;
    struct aml_node *top = start ? start : aml->root;
    struct aml_node *n = top->child;
    while (n) {
        if (type == AML_TYPE_UNINITIALIZED || aml_node_type(n) == type) {
            visited++;
            if (!visit(n, context))
                return visited;
        }
        if (n->child) {
            n = n->child;
            continue;
        }
        while (n != top && !n->next)
            n = n->parent;
        n = n == top ? NULL : n->next;
    }
    return visited;
}
