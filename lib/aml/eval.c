/*
 * The entry points: loading a table, evaluating an object, and the error texts.
 */
#include <stdio.h>
#include <string.h>

#include "aml/exec.h"

#define TABLE_HEADER_LENGTH 36

const char *aml_status_name(enum aml_status status)
{
    switch (status) {
    case AML_OK:
        return "ok";
    case AML_ERR_NO_MEMORY:
        return "out of memory";
    case AML_ERR_BAD_TABLE:
        return "not a definition block";
    case AML_ERR_TRUNCATED:
        return "truncated";
    case AML_ERR_BAD_OPCODE:
        return "unknown opcode";
    case AML_ERR_UNSUPPORTED:
        return "not supported";
    case AML_ERR_NOT_FOUND:
        return "not found";
    case AML_ERR_EXISTS:
        return "already defined";
    case AML_ERR_TYPE:
        return "wrong type";
    case AML_ERR_INDEX:
        return "index out of range";
    case AML_ERR_DIVIDE_BY_ZERO:
        return "divide by zero";
    case AML_ERR_DEPTH:
        return "nesting too deep";
    case AML_ERR_LIMIT:
        return "limit reached";
    case AML_ERR_ARGUMENT:
        return "bad argument";
    case AML_ERR_HOST:
        return "host access failed";
    case AML_ERR_MUTEX:
        return "mutex misuse";
    case AML_ERR_FATAL:
        return "Fatal executed";
    case AML_ERR_BAD_RESOURCE:
        return "bad resource template";
    }
    return "unknown status";
}

size_t aml_error_format(const struct aml_error *error, char *out, size_t size)
{
    char where[48] = "";
    if (error->table[0])
        snprintf(where, sizeof(where), "%s+0x%x: ", error->table, (unsigned)error->offset);
    char opcode[32] = "";
    if (error->opcode != AML_NO_OPCODE)
        snprintf(opcode, sizeof(opcode), " (opcode 0x%x)", (unsigned)error->opcode);
    char method[AML_ERROR_PATH_MAX + 8] = "";
    if (error->method[0])
        snprintf(method, sizeof(method), " in %s", error->method);
    int n = snprintf(out, size, "%s%s%s%s: %s", where, aml_status_name(error->status), opcode,
                     method, error->message);
    return n < 0 ? 0 : (size_t)n;
}

/* Starts an evaluation (nested ones share the outermost's counts). */
static void exec_begin(struct aml *aml, struct aml_exec *ex, struct aml_frame *frame)
{
    memset(ex, 0, sizeof(*ex));
    ex->aml = aml;
    ex->frame = frame;
    ex->error.opcode = AML_NO_OPCODE;
    if (aml->active++ == 0) {
        aml->operations = 0;
        aml->slept_us = 0;
    }
}

/* Ends it: releases the mutexes it still holds, hands its error out. */
static enum aml_status exec_end(struct aml_exec *ex, enum aml_status s, struct aml_error *error)
{
    for (unsigned i = 0; i < ex->held_count; i++) {
        ex->held[i]->object.mutex.depth = 0;
        aml_node_unref(ex->aml, ex->held[i]);
    }
    ex->aml->active--;
    if (s != AML_OK && ex->error.status == AML_OK) {
        ex->error.status = s;
        snprintf(ex->error.message, sizeof(ex->error.message), "%s", aml_status_name(s));
    }
    if (error) {
        *error = ex->error;
        if (s == AML_OK) {
            memset(error, 0, sizeof(*error));
            error->opcode = AML_NO_OPCODE;
        }
    }
    return s;
}

enum aml_status aml_load_table(struct aml *aml, const void *table, size_t available,
                               struct aml_error *error)
{
    struct aml_exec ex;
    struct aml_frame frame = {.scope = aml->root};
    exec_begin(aml, &ex, &frame);
    const uint8_t *bytes = table;
    enum aml_status s = AML_OK;
    if (!table || available < TABLE_HEADER_LENGTH) {
        s = aml_fail_at(&ex, AML_NO_OPCODE, 0, AML_ERR_TRUNCATED,
                        "the table is shorter than its header");
        return exec_end(&ex, s, error);
    }
    memcpy(ex.error.table, bytes, 4);
    if (memcmp(bytes, "DSDT", 4) != 0 && memcmp(bytes, "SSDT", 4) != 0) {
        s = aml_fail_at(&ex, AML_NO_OPCODE, 0, AML_ERR_BAD_TABLE,
                        "the signature is neither DSDT nor SSDT");
        return exec_end(&ex, s, error);
    }
    uint32_t length = (uint32_t)bytes[4] | (uint32_t)bytes[5] << 8 | (uint32_t)bytes[6] << 16 |
                      (uint32_t)bytes[7] << 24;
    if (length < TABLE_HEADER_LENGTH) {
        s = aml_fail_at(&ex, AML_NO_OPCODE, 4, AML_ERR_BAD_TABLE,
                        "the header's length is shorter than the header");
        return exec_end(&ex, s, error);
    }
    if (length > available) {
        s = aml_fail_at(&ex, AML_NO_OPCODE, (uint32_t)available, AML_ERR_TRUNCATED,
                        "the header's length runs past the end of the table");
        return exec_end(&ex, s, error);
    }
    struct aml_table *t = aml_alloc(aml, sizeof(*t));
    uint8_t *copy = t ? aml_alloc(aml, length) : NULL;
    if (!copy) {
        aml_free(aml, t);
        s = aml_fail_at(&ex, AML_NO_OPCODE, 0, AML_ERR_NO_MEMORY,
                        "no memory for a copy of the table");
        return exec_end(&ex, s, error);
    }
    memcpy(copy, bytes, length);
    memcpy(t->signature, bytes, 4);
    t->revision = bytes[8];
    t->length = length;
    t->data = copy;
    t->next = aml->tables;
    aml->tables = t;
    if (!aml->width_fixed) {
        /* ACPI 6.4, 5.2.11.1: a DSDT of revision 1 has 32-bit integers, and it rules every
           table loaded after it. */
        aml->integer_mask = t->revision < 2 ? UINT32_MAX : UINT64_MAX;
        aml->width_fixed = true;
    }
    ex.table = t;
    ex.pos = TABLE_HEADER_LENGTH;
    s = aml_exec_term_list(&ex, length);
    /* Locals the top level may have used go with it. */
    for (unsigned i = 0; i < AML_MAX_LOCALS; i++)
        aml_value_free(aml, &frame.locals[i]);
    aml_value_free(aml, &frame.return_value);
    return exec_end(&ex, s, error);
}

enum aml_status aml_evaluate(struct aml *aml, struct aml_node *scope, const char *path,
                             const struct aml_value *args, unsigned count, struct aml_value *result,
                             struct aml_error *error)
{
    struct aml_exec ex;
    struct aml_frame frame = {.scope = scope ? scope : aml->root};
    exec_begin(aml, &ex, &frame);
    struct aml_value value = {0}, copy = {0};
    if (result)
        memset(result, 0, sizeof(*result));
    struct aml_node *node = path ? aml_find(aml, scope, path) : aml_node_resolve(scope);
    enum aml_status s = AML_OK;
    if (!node) {
        s = aml_fail_at(&ex, AML_NO_OPCODE, 0, AML_ERR_NOT_FOUND, "no object at that path");
    } else if (count > AML_MAX_ARGS || (count && !args)) {
        s = aml_fail_at(&ex, AML_NO_OPCODE, 0, AML_ERR_ARGUMENT, "more than 7 arguments");
    } else if (node->type == AML_TYPE_METHOD) {
        struct aml_frame *call = aml_alloc(aml, sizeof(*call));
        s = call ? AML_OK : AML_ERR_NO_MEMORY;
        for (unsigned i = 0; i < count && s == AML_OK; i++)
            s = aml_value_copy(aml, &args[i], &call->args[i]);
        if (s == AML_OK && node->object.method.builtin && count < node->object.method.arg_count)
            s = AML_ERR_ARGUMENT;
        if (s == AML_OK) {
            s = aml_call(&ex, node, call, &value);
        } else if (call) {
            for (unsigned i = 0; i < count; i++)
                aml_value_free(aml, &call->args[i]);
            aml_free(aml, call);
        }
    } else {
        s = aml_node_value(&ex, node, &value);
    }
    /* The caller gets its own copy: later AML cannot change what it holds. */
    if (s == AML_OK && (s = aml_value_copy(aml, &value, &copy)) == AML_OK && result)
        *result = copy;
    else
        aml_value_free(aml, &copy);
    aml_value_free(aml, &value);
    return exec_end(&ex, s, error);
}

enum aml_status aml_evaluate_integer(struct aml *aml, struct aml_node *scope, const char *path,
                                     uint64_t *out, struct aml_error *error)
{
    struct aml_value v;
    enum aml_status s = aml_evaluate(aml, scope, path, NULL, 0, &v, error);
    if (s != AML_OK)
        return s;
    s = aml_to_integer(aml, &v, out);
    aml_value_free(aml, &v);
    if (s != AML_OK && error) {
        memset(error, 0, sizeof(*error));
        error->status = s;
        error->opcode = AML_NO_OPCODE;
        snprintf(error->message, sizeof(error->message), "the result is not an integer");
    }
    return s;
}
