/*
 * What every decoder shares (invoke.h): looking up slot arguments and
 * recording the answer. Pure C: the host unit tests compile it as is.
 */
#include "invoke.h"

#include "missive/abi.h"

struct cte *invoke_lookup(struct cspace *cs, uint64_t index, long *error)
{
    struct cte *slot = cs ? invoke_slot(cs, index) : 0;
    if (!slot) {
        *error = ERR_INVALID_SLOT;
        return 0;
    }
    if (slot->cap.type == CAP_NULL) {
        *error = ERR_EMPTY_SLOT;
        return 0;
    }
    return slot;
}

long invoke_cap_argument(struct invocation *inv, unsigned arg, uint64_t min, struct cte **cap)
{
    long error;
    *cap = 0;
    if (min == 0 && inv->mr[arg] == 0)
        return ERR_OK;
    *cap = invoke_lookup(inv->cspace, inv->mr[arg], &error);
    return *cap ? ERR_OK : invoke_bad_argument(inv, arg, min, invoke_last_slot(inv->cspace));
}

long invoke_typed_argument(struct invocation *inv, unsigned arg, uint64_t min, unsigned type,
                           unsigned rights, struct cte **cap)
{
    long error = invoke_cap_argument(inv, arg, min, cap);
    if (error || !*cap)
        return error;
    if ((*cap)->cap.type != type || ((*cap)->cap.flags & CAP_FLAG_DEVICE))
        return ERR_WRONG_TYPE;
    return ((*cap)->cap.rights & rights) == rights ? ERR_OK : ERR_MISSING_RIGHT;
}

long invoke_empty_argument(struct invocation *inv, unsigned arg, struct cte **slot)
{
    *slot = invoke_slot(inv->cspace, inv->mr[arg]);
    if (!*slot)
        return invoke_bad_argument(inv, arg, 1, invoke_last_slot(inv->cspace));
    return (*slot)->cap.type == CAP_NULL ? ERR_OK : ERR_SLOT_OCCUPIED;
}

long invoke_value_argument(struct invocation *inv, unsigned arg, uint64_t max, uint64_t *value)
{
    *value = inv->mr[arg];
    return *value <= max ? ERR_OK : invoke_bad_argument(inv, arg, 0, max);
}

long invoke_bad_argument(struct invocation *inv, unsigned argument, uint64_t min, uint64_t max)
{
    invoke_reply(inv, 0, argument);
    invoke_reply(inv, 1, min);
    invoke_reply(inv, 2, max);
    return ERR_INVALID_ARGUMENT;
}

void invoke_reply(struct invocation *inv, unsigned i, uint64_t value)
{
    inv->reply[i] = value;
    if (inv->reply_length <= i)
        inv->reply_length = i + 1;
}
