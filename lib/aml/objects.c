/*
 * The extended opcodes (0x5B prefix): named objects with state (OperationRegion, Field and its
 * kinds, Device, Processor, PowerResource, ThermalZone, Mutex, Event), synchronization (Acquire,
 * Release, Signal, Wait, Reset), and the host's services (Sleep, Stall, Timer, Fatal, Debug).
 */
#include <stdio.h>
#include <string.h>

#include "aml/exec.h"

/* A PkgLength-encoded number that is not a range (the bit counts of a field list). */
static enum aml_status read_encoded_length(struct aml_exec *ex, uint32_t end, uint64_t *out)
{
    uint8_t lead, b;
    enum aml_status s = aml_read_byte(ex, end, &lead);
    if (s != AML_OK)
        return s;
    unsigned follow = lead >> 6;
    uint64_t v = follow ? (lead & 0x0F) : (lead & 0x3F);
    for (unsigned i = 0; i < follow; i++) {
        if ((s = aml_read_byte(ex, end, &b)) != AML_OK)
            return s;
        v |= (uint64_t)b << (4 + 8 * i);
    }
    *out = v;
    return AML_OK;
}

/* Resolves a name to a node of type type (AML_ERR_NOT_FOUND, AML_ERR_TYPE otherwise). */
static enum aml_status read_node(struct aml_exec *ex, uint32_t end, enum aml_type type,
                                 struct aml_node **out)
{
    struct aml_name name;
    enum aml_status s = aml_read_name(ex, end, &name);
    if (s != AML_OK)
        return s;
    *out = aml_resolve(ex, &name);
    if (!*out)
        return AML_ERR_NOT_FOUND;
    return (*out)->type == type ? AML_OK : AML_ERR_TYPE;
}

/* FieldList (19.6.48): named fields, reserved gaps and access changes, laid out from bit 0;
   template holds the field's kind and the nodes it goes through. */
static enum aml_status exec_field_list(struct aml_exec *ex, uint16_t op, uint32_t start,
                                       uint32_t end, const struct aml_field *template)
{
    uint64_t bit = 0;
    uint8_t flags = template->flags;
    enum aml_status s = AML_OK;
    while (ex->pos < end && s == AML_OK) {
        uint8_t c = ex->table->data[ex->pos];
        uint64_t length, ignored;
        if (c == 0x00) { /* ReservedField: skip bits */
            ex->pos++;
            if ((s = read_encoded_length(ex, end, &length)) == AML_OK)
                bit += length;
        } else if (c == 0x01 || c == 0x03) { /* AccessField, ExtendedAccessField */
            ex->pos++;
            uint8_t type;
            if ((s = aml_read_byte(ex, end, &type)) != AML_OK)
                break;
            s = aml_read_le(ex, end, c == 0x01 ? 1 : 2, &ignored);
            flags = (uint8_t)((flags & 0xF0) | (type & 0x0F));
        } else if (c == 0x02) {
            return aml_fail_at(ex, op, start, AML_ERR_UNSUPPORTED,
                               "ConnectField (GenericSerialBus) is not supported");
        } else {
            struct aml_name name = {.count = 1, .segments = ex->table->data + ex->pos};
            uint64_t seg;
            if ((s = aml_read_le(ex, end, 4, &seg)) != AML_OK)
                break;
            for (int i = 0; i < 4; i++)
                if (!(name.segments[i] == '_' ||
                      (name.segments[i] >= 'A' && name.segments[i] <= 'Z') ||
                      (i && name.segments[i] >= '0' && name.segments[i] <= '9')))
                    return aml_fail_at(ex, op, ex->pos - 4, AML_ERR_BAD_OPCODE,
                                       "a field list entry is not a name");
            if ((s = read_encoded_length(ex, end, &length)) != AML_OK)
                break;
            if (bit + length > UINT32_MAX)
                return aml_fail_at(ex, op, start, AML_ERR_INDEX, "a field lies past 4 Gbit");
            struct aml_node *node;
            if ((s = aml_define(ex, &name, AML_TYPE_FIELD_UNIT, &node)) != AML_OK)
                return aml_fail_at(ex, op, start, s, "Field: cannot define a field name");
            node->object.field = *template;
            node->object.field.flags = flags;
            node->object.field.bit_offset = (uint32_t)bit;
            node->object.field.bit_length = (uint32_t)length;
            struct aml_node *named[] = {template->region, template->index, template->data,
                                        template->bank};
            for (size_t i = 0; i < 4; i++)
                if (named[i])
                    named[i]->refs++;
            bit += length;
        }
    }
    return s;
}

/* Field, IndexField, BankField. */
static enum aml_status exec_field(struct aml_exec *ex, uint16_t op, uint32_t start, uint32_t end)
{
    uint32_t pkg_end;
    enum aml_status s = aml_read_pkg_length(ex, end, &pkg_end);
    if (s != AML_OK)
        return s;
    struct aml_field field = {0};
    if (op == OP_FIELD) {
        field.kind = AML_FIELD_PLAIN;
        s = read_node(ex, pkg_end, AML_TYPE_REGION, &field.region);
    } else if (op == OP_INDEX_FIELD) {
        field.kind = AML_FIELD_INDEX;
        if ((s = read_node(ex, pkg_end, AML_TYPE_FIELD_UNIT, &field.index)) == AML_OK)
            s = read_node(ex, pkg_end, AML_TYPE_FIELD_UNIT, &field.data);
    } else {
        field.kind = AML_FIELD_BANK;
        if ((s = read_node(ex, pkg_end, AML_TYPE_REGION, &field.region)) == AML_OK &&
            (s = read_node(ex, pkg_end, AML_TYPE_FIELD_UNIT, &field.bank)) == AML_OK)
            s = aml_exec_integer(ex, pkg_end, &field.bank_value);
    }
    if (s != AML_OK)
        return aml_fail_at(ex, op, start, s, "a field's region, index, data or bank is not one");
    if ((s = aml_read_byte(ex, pkg_end, &field.flags)) != AML_OK)
        return s;
    if ((s = exec_field_list(ex, op, start, pkg_end, &field)) != AML_OK)
        return s;
    ex->pos = pkg_end;
    return AML_OK;
}

/* Device, Processor, PowerResource, ThermalZone: a node and a body run in its scope. */
static enum aml_status exec_scoped_object(struct aml_exec *ex, uint16_t op, uint32_t start,
                                          uint32_t end)
{
    uint32_t pkg_end;
    struct aml_name name;
    enum aml_status s = aml_read_pkg_length(ex, end, &pkg_end);
    if (s != AML_OK || (s = aml_read_name(ex, pkg_end, &name)) != AML_OK)
        return s;
    uint64_t ignored;
    enum aml_type type = AML_TYPE_DEVICE;
    if (op == OP_PROCESSOR) {
        type = AML_TYPE_PROCESSOR;
        s = aml_read_le(ex, pkg_end, 6, &ignored); /* ProcID, PblkAddr, PblkLen */
    } else if (op == OP_POWER_RES) {
        type = AML_TYPE_POWER_RESOURCE;
        s = aml_read_le(ex, pkg_end, 3, &ignored); /* SystemLevel, ResourceOrder */
    } else if (op == OP_THERMAL_ZONE) {
        type = AML_TYPE_THERMAL_ZONE;
    }
    if (s != AML_OK)
        return s;
    struct aml_node *node;
    if ((s = aml_define(ex, &name, type, &node)) != AML_OK)
        return aml_fail_at(ex, op, start, s, "cannot define the object's name");
    struct aml_node *saved = ex->frame->scope;
    ex->frame->scope = node;
    s = aml_exec_term_list(ex, pkg_end);
    ex->frame->scope = saved;
    ex->pos = pkg_end;
    return s;
}

static enum aml_status exec_region(struct aml_exec *ex, uint32_t start, uint32_t end)
{
    struct aml_name name;
    uint8_t space;
    uint64_t offset, length;
    enum aml_status s;
    if ((s = aml_read_name(ex, end, &name)) != AML_OK ||
        (s = aml_read_byte(ex, end, &space)) != AML_OK ||
        (s = aml_exec_integer(ex, end, &offset)) != AML_OK ||
        (s = aml_exec_integer(ex, end, &length)) != AML_OK)
        return s;
    struct aml_node *node;
    if ((s = aml_define(ex, &name, AML_TYPE_REGION, &node)) != AML_OK)
        return aml_fail_at(ex, OP_REGION, start, s, "OperationRegion: cannot define the name");
    node->object.region.space = space;
    node->object.region.offset = offset;
    node->object.region.length = length;
    return AML_OK;
}

/* The mutex or event a SuperName names. */
static enum aml_status read_sync_object(struct aml_exec *ex, uint32_t end, enum aml_type type,
                                        struct aml_node **out)
{
    struct aml_target target;
    enum aml_status s = aml_exec_target(ex, end, &target);
    if (s != AML_OK)
        return s;
    struct aml_node *node = target.kind == TARGET_NODE ? target.node : NULL;
    if (target.kind == TARGET_REFERENCE && target.reference.u.ref->kind == AML_REFERENCE_NODE)
        node = target.reference.u.ref->node;
    aml_target_free(ex, &target);
    if (!node || node->type != type)
        return AML_ERR_TYPE;
    *out = node;
    return AML_OK;
}

/* Acquire := AcquireOp MutexObject Timeout. One thread runs AML, so a mutex is free or held
   by this very evaluation (which may take it again); every mutex an evaluation still holds at
   its end is released then. Gives 0 (acquired). */
static enum aml_status exec_acquire(struct aml_exec *ex, uint32_t end, struct aml_value *out)
{
    struct aml_node *mutex;
    uint64_t timeout;
    enum aml_status s = read_sync_object(ex, end, AML_TYPE_MUTEX, &mutex);
    if (s != AML_OK || (s = aml_read_le(ex, end, 2, &timeout)) != AML_OK)
        return s;
    if (mutex->object.mutex.depth == 0) {
        if (ex->held_count >= AML_MAX_HELD_MUTEXES)
            return AML_ERR_MUTEX;
        ex->held[ex->held_count++] = mutex;
        mutex->refs++;
    }
    if (mutex->object.mutex.depth == UINT32_MAX)
        return AML_ERR_MUTEX;
    mutex->object.mutex.depth++;
    *out = aml_integer(0);
    return AML_OK;
}

static enum aml_status exec_release(struct aml_exec *ex, uint32_t end)
{
    struct aml_node *mutex;
    enum aml_status s = read_sync_object(ex, end, AML_TYPE_MUTEX, &mutex);
    if (s != AML_OK)
        return s;
    if (mutex->object.mutex.depth == 0)
        return AML_ERR_MUTEX;
    mutex->object.mutex.depth--;
    return AML_OK;
}

/* Signal, Wait, Reset on an Event: a count. Wait never blocks (nothing else could signal):
   it takes a signal if there is one (giving 0) or times out at once (giving Ones). */
static enum aml_status exec_event(struct aml_exec *ex, uint16_t op, uint32_t end,
                                  struct aml_value *out)
{
    struct aml_node *event;
    enum aml_status s = read_sync_object(ex, end, AML_TYPE_EVENT, &event);
    if (s != AML_OK)
        return s;
    uint64_t *count = &event->object.event_count;
    if (op == OP_SIGNAL) {
        if (*count < UINT64_MAX)
            (*count)++;
    } else if (op == OP_RESET) {
        *count = 0;
    } else {
        uint64_t timeout;
        if ((s = aml_exec_integer(ex, end, &timeout)) != AML_OK)
            return s;
        *out = aml_integer(*count ? 0 : ex->aml->integer_mask);
        if (*count)
            (*count)--;
    }
    return AML_OK;
}

/* FromBCD, ToBCD := op Operand Target. */
static enum aml_status exec_bcd(struct aml_exec *ex, uint16_t op, uint32_t end,
                                struct aml_value *out)
{
    uint64_t in, result = 0, scale = 1;
    struct aml_target target;
    enum aml_status s = aml_exec_integer(ex, end, &in);
    if (s != AML_OK || (s = aml_exec_target(ex, end, &target)) != AML_OK)
        return s;
    if (op == OP_FROM_BCD) {
        for (unsigned i = 0; i < 16 && in; i++, in >>= 4, scale *= 10) {
            if ((in & 0xF) > 9) {
                aml_target_free(ex, &target);
                return AML_ERR_ARGUMENT;
            }
            result += (in & 0xF) * scale;
        }
    } else {
        for (unsigned shift = 0; in && shift < 64; in /= 10, shift += 4)
            result |= (in % 10) << shift;
    }
    *out = aml_integer(result & ex->aml->integer_mask);
    s = aml_store(ex, &target, out);
    aml_target_free(ex, &target);
    return s;
}

enum aml_status aml_exec_object(struct aml_exec *ex, uint16_t op, uint32_t start, uint32_t end,
                                struct aml_value *out)
{
    struct aml *aml = ex->aml;
    struct aml_name name;
    struct aml_node *node;
    uint64_t v, code;
    enum aml_status s;
    switch (op) {
    case OP_MUTEX:
    case OP_EVENT: {
        uint8_t flags = 0;
        if ((s = aml_read_name(ex, end, &name)) != AML_OK)
            return s;
        if (op == OP_MUTEX && (s = aml_read_byte(ex, end, &flags)) != AML_OK)
            return s;
        if ((s = aml_define(ex, &name, op == OP_MUTEX ? AML_TYPE_MUTEX : AML_TYPE_EVENT, &node)) !=
            AML_OK)
            return s;
        node->object.mutex.sync_level = flags & 0x0F;
        return AML_OK;
    }
    case OP_REGION:
        return exec_region(ex, start, end);
    case OP_FIELD:
    case OP_INDEX_FIELD:
    case OP_BANK_FIELD:
        return exec_field(ex, op, start, end);
    case OP_DEVICE:
    case OP_PROCESSOR:
    case OP_POWER_RES:
    case OP_THERMAL_ZONE:
        return exec_scoped_object(ex, op, start, end);
    case OP_COND_REF_OF: {
        /* CondRefOf(name, target): Ones and the reference stored if name exists, else 0. */
        uint8_t c = ex->pos < end ? ex->table->data[ex->pos] : 0;
        if (!((c >= 'A' && c <= 'Z') || c == '_' || c == OP_ROOT || c == OP_PARENT ||
              c == OP_DUAL_NAME || c == OP_MULTI_NAME))
            return aml_fail_at(ex, op, start, AML_ERR_UNSUPPORTED,
                               "CondRefOf of something other than a name");
        if ((s = aml_read_name(ex, end, &name)) != AML_OK)
            return s;
        node = aml_resolve(ex, &name);
        struct aml_target target;
        if ((s = aml_exec_target(ex, end, &target)) != AML_OK)
            return s;
        *out = aml_integer(node ? aml->integer_mask : 0);
        if (node) {
            struct aml_value reference;
            if ((s = aml_node_reference(aml, node, &reference)) == AML_OK)
                s = aml_store(ex, &target, &reference);
            aml_value_free(aml, &reference);
        }
        aml_target_free(ex, &target);
        return s;
    }
    case OP_STALL:
    case OP_SLEEP:
        /* Each is cut to its cap, and all of an evaluation's waiting together is bounded, so
           that a loop of Sleeps cannot hold the server for long. */
        if ((s = aml_exec_integer(ex, end, &v)) != AML_OK)
            return s;
        if (op == OP_SLEEP && v > aml->limits.max_sleep_ms)
            v = aml->limits.max_sleep_ms;
        if (op == OP_STALL && v > aml->limits.max_stall_us)
            v = aml->limits.max_stall_us;
        aml->slept_us += op == OP_SLEEP ? v * 1000 : v;
        if (aml->slept_us > (uint64_t)aml->limits.max_total_sleep_ms * 1000)
            return aml_fail_at(ex, op, start, AML_ERR_LIMIT,
                               "Sleep and Stall took longer than max_total_sleep_ms");
        if (op == OP_SLEEP && aml->host.sleep)
            aml->host.sleep(aml->host.context, v);
        if (op == OP_STALL && aml->host.stall)
            aml->host.stall(aml->host.context, v);
        return AML_OK;
    case OP_ACQUIRE:
        return exec_acquire(ex, end, out);
    case OP_RELEASE:
        return exec_release(ex, end);
    case OP_SIGNAL:
    case OP_WAIT:
    case OP_RESET:
        return exec_event(ex, op, end, out);
    case OP_FROM_BCD:
    case OP_TO_BCD:
        return exec_bcd(ex, op, end, out);
    case OP_REVISION:
        *out = aml_integer(1);
        return AML_OK;
    case OP_DEBUG:
        return aml_node_reference(aml, aml->debug_node, out);
    case OP_TIMER:
        *out = aml_integer(aml->host.timer ? aml->host.timer(aml->host.context) : 0);
        return AML_OK;
    case OP_FATAL: {
        uint8_t type;
        if ((s = aml_read_byte(ex, end, &type)) != AML_OK ||
            (s = aml_read_le(ex, end, 4, &code)) != AML_OK ||
            (s = aml_exec_integer(ex, end, &v)) != AML_OK)
            return s;
        char message[AML_ERROR_MESSAGE_MAX];
        snprintf(message, sizeof(message), "Fatal(type 0x%x, code 0x%llx, argument 0x%llx)", type,
                 (unsigned long long)code, (unsigned long long)v);
        return aml_fail_at(ex, op, start, AML_ERR_FATAL, message);
    }
    case OP_CREATE_FIELD:
        return aml_exec_create_field(ex, op, end);
    case OP_LOAD:
    case OP_LOAD_TABLE:
    case OP_UNLOAD:
    case OP_DATA_REGION:
        return aml_fail_at(ex, op, start, AML_ERR_UNSUPPORTED,
                           "Load, LoadTable, Unload and DataTableRegion are not supported");
    default:
        return aml_fail_at(ex, op, start, AML_ERR_BAD_OPCODE,
                           "no such opcode in ACPI 6.4 (or outside the supported subset)");
    }
}
