/*
 * The server library's checks and dispatch, kept apart from its loop (server.c) so host
 * tests compile them unchanged. See server.h.
 */
#include "libsys/server.h"

long server_bad_argument(struct server_call *call, unsigned argument, uint64_t min, uint64_t max)
{
    call->out.length = 0;
    request_set_word(&call->out, SERVICE_MR_ARGUMENT, argument);
    request_set_word(&call->out, SERVICE_MR_MIN, min);
    request_set_word(&call->out, SERVICE_MR_MAX, max);
    return SERVICE_BAD_ARGUMENT;
}

long server_reply_cap(struct server_call *call, uint64_t slot)
{
    call->reply_cap = slot;
    return SERVICE_OK;
}

long server_reply_caps(struct server_call *call, uint64_t first, uint64_t second)
{
    call->reply_cap = first;
    call->reply_cap2 = second;
    return SERVICE_OK;
}

/* The table's entry for label, or NULL. */
static const struct server_op *find_op(const struct server *s, uint64_t label)
{
    for (unsigned i = 0; i < s->op_count; i++)
        if (s->ops[i].label == label)
            return &s->ops[i];
    return 0;
}

long server_dispatch(struct server *s, struct server_call *call)
{
    call->server = s;
    call->out = (struct request){0};
    call->reply_cap = 0; /* reply_cap2 goes only with it (the loop empties both after use) */
    if (s->call_arrived) /* before any check: a refused call ended the owed reply too */
        s->call_arrived(s);
    call->client = s->find_client ? s->find_client(s, call->badge) : 0;
    const struct server_op *op = find_op(s, call->in.label);
    long status;
    if (!op)
        status = SERVICE_BAD_LABEL;
    else if (call->in.length < op->min_length)
        status = SERVICE_BAD_LENGTH;
    else if ((op->only_badge && call->badge != op->only_badge) ||
             ((op->flags & SERVER_CLIENT_ONLY) && !call->client))
        status = SERVICE_DENIED;
    else
        status = op->handle(call);
    /* An error says nothing more, except which argument was bad. */
    if (status != SERVICE_OK && status != SERVER_NO_REPLY) {
        if (status != SERVICE_BAD_ARGUMENT)
            call->out.length = 0;
        call->reply_cap = 0;
        call->reply_cap2 = 0;
    }
    return status;
}
