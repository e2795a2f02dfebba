/*
 * Host unit tests for the server library's checks and dispatch (lib/libsys/server_dispatch.c):
 * the order of the checks, the shape of replies, bad-argument answers and capabilities.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "libsys/server.h"

enum {
    OP_ECHO = 1,
    OP_CLIENT = 2,
    OP_ONLY_ONE = 3,
    OP_BAD = 4,
    OP_LATER = 5,
    OP_CAP = 6,
    OP_CAPS = 7,
    OP_CAPS_FAIL = 8
};

static int handled;

/* MR0 + 1 in MR0. */
static long echo(struct server_call *call)
{
    handled++;
    request_set_word(&call->out, 0, request_word(&call->in, 0) + 1);
    return SERVICE_OK;
}

/* Writes words, then fails: the words must not go out. */
static long fails_after_writing(struct server_call *call)
{
    handled++;
    request_set_word(&call->out, 0, 42);
    request_set_word(&call->out, 5, 43);
    call->reply_cap = 9;
    call->reply_cap2 = 10;
    return SERVICE_NOT_FOUND;
}

static long bad(struct server_call *call)
{
    handled++;
    request_set_word(&call->out, 6, 1); /* words set before the error go */
    return server_bad_argument(call, 2, 1, 16);
}

static long later(struct server_call *call)
{
    (void)call;
    handled++;
    return SERVER_NO_REPLY;
}

static long cap(struct server_call *call)
{
    handled++;
    return server_reply_cap(call, 77);
}

/* Two capabilities with the reply (BLOCK_OPEN's doorbell and its thread's endpoint). */
static long caps(struct server_call *call)
{
    handled++;
    return server_reply_caps(call, 77, 78);
}

/* Two capabilities set, then a failure: neither goes. */
static long caps_fail(struct server_call *call)
{
    handled++;
    server_reply_caps(call, 77, 78);
    return SERVICE_BUSY;
}

static const struct server_op ops[] = {
    {OP_ECHO, 1, 0, 0, echo},     {OP_CLIENT, 0, 0, SERVER_CLIENT_ONLY, fails_after_writing},
    {OP_ONLY_ONE, 2, 1, 0, echo}, {OP_BAD, 0, 0, 0, bad},
    {OP_LATER, 0, 0, 0, later},   {OP_CAP, 0, 0, 0, cap},
    {OP_CAPS, 0, 0, 0, caps},     {OP_CAPS_FAIL, 0, 0, 0, caps_fail},
};

static int known_client = 1;

/* Badge 7 is the one client known. */
static void *find_client(struct server *s, uint64_t badge)
{
    (void)s;
    return badge == 7 ? &known_client : NULL;
}

static struct server server = {
    .name = "test",
    .ops = ops,
    .op_count = sizeof ops / sizeof ops[0],
    .find_client = find_client,
};

/* Dispatches a request of label from badge with n words (MR i = 100 + i). */
static long call(struct server_call *c, uint64_t label, unsigned n, uint64_t badge)
{
    *c = (struct server_call){.badge = badge};
    c->in.label = label;
    for (unsigned i = 0; i < n; i++)
        request_set_word(&c->in, i, 100 + i);
    handled = 0;
    return server_dispatch(&server, c);
}

static void test_dispatch(void **state)
{
    (void)state;
    struct server_call c;
    assert_int_equal(call(&c, OP_ECHO, 1, 3), SERVICE_OK);
    assert_int_equal(handled, 1);
    assert_int_equal(c.out.length, 1);
    assert_int_equal(request_word(&c.out, 0), 101);
    assert_ptr_equal(c.server, &server);
    assert_null(c.client);
}

/* Label, then length, then who may call; none reaches the handler. */
static void test_check_order(void **state)
{
    (void)state;
    struct server_call c;
    assert_int_equal(call(&c, 99, 0, 7), SERVICE_BAD_LABEL);
    assert_int_equal(call(&c, 0, 0, 7), SERVICE_BAD_LABEL);
    assert_int_equal(call(&c, OP_ECHO, 0, 7), SERVICE_BAD_LENGTH);
    assert_int_equal(call(&c, OP_ONLY_ONE, 1, 2), SERVICE_BAD_LENGTH); /* length before badge */
    assert_int_equal(call(&c, OP_ONLY_ONE, 2, 2), SERVICE_DENIED);
    assert_int_equal(call(&c, OP_CLIENT, 0, 3), SERVICE_DENIED);
    assert_int_equal(handled, 0);
    assert_int_equal(c.out.length, 0);
    assert_int_equal(call(&c, OP_ONLY_ONE, 2, 1), SERVICE_OK);
    assert_int_equal(handled, 1);
}

static int arrivals;

/* Counts the calls server_dispatch saw arrive. */
static void count_arrival(struct server *s)
{
    assert_ptr_equal(s, &server);
    arrivals++;
}

/* call_arrived runs for every call, refused ones too (each ended a reply the thread owed),
   and before the handler. */
static void test_call_arrived(void **state)
{
    (void)state;
    struct server_call c;
    server.call_arrived = count_arrival;
    arrivals = 0;
    assert_int_equal(call(&c, 99, 0, 7), SERVICE_BAD_LABEL);
    assert_int_equal(arrivals, 1);
    assert_int_equal(call(&c, OP_ECHO, 0, 7), SERVICE_BAD_LENGTH);
    assert_int_equal(arrivals, 2);
    assert_int_equal(call(&c, OP_CLIENT, 0, 3), SERVICE_DENIED);
    assert_int_equal(arrivals, 3);
    assert_int_equal(call(&c, OP_ECHO, 1, 3), SERVICE_OK);
    assert_int_equal(arrivals, 4);
    assert_int_equal(handled, 1);
    server.call_arrived = NULL;
}

/* An error carries no words and no capability. */
static void test_error_has_no_words(void **state)
{
    (void)state;
    struct server_call c;
    assert_int_equal(call(&c, OP_CLIENT, 0, 7), SERVICE_NOT_FOUND);
    assert_int_equal(handled, 1);
    assert_ptr_equal(c.client, &known_client);
    assert_int_equal(c.out.length, 0);
    assert_int_equal(c.reply_cap, 0);
    assert_int_equal(c.reply_cap2, 0);
}

/* A bad argument says which and the range, in MR0-MR2 only. */
static void test_bad_argument(void **state)
{
    (void)state;
    struct server_call c;
    assert_int_equal(call(&c, OP_BAD, 0, 7), SERVICE_BAD_ARGUMENT);
    assert_int_equal(c.out.length, SERVICE_BAD_ARGUMENT_LENGTH);
    assert_int_equal(request_word(&c.out, SERVICE_MR_ARGUMENT), 2);
    assert_int_equal(request_word(&c.out, SERVICE_MR_MIN), 1);
    assert_int_equal(request_word(&c.out, SERVICE_MR_MAX), 16);
    /* What the client makes of it. */
    struct result r = request_result(
        ERR_OK,
        &(struct request){.label = SERVICE_BAD_ARGUMENT, .length = c.out.length, .msg = c.out.msg});
    assert_true(result_is_service(r, SERVICE_BAD_ARGUMENT));
    assert_int_equal(r.argument, 2);
    assert_int_equal(r.min, 1);
    assert_int_equal(r.max, 16);
}

static void test_no_reply_and_capability(void **state)
{
    (void)state;
    struct server_call c;
    assert_int_equal(call(&c, OP_LATER, 0, 7), SERVER_NO_REPLY);
    assert_int_equal(call(&c, OP_CAP, 0, 7), SERVICE_OK);
    assert_int_equal(c.reply_cap, 77);
    assert_int_equal(c.reply_cap2, 0);
    assert_int_equal(call(&c, OP_CAPS, 0, 7), SERVICE_OK);
    assert_int_equal(c.reply_cap, 77);
    assert_int_equal(c.reply_cap2, 78);
    /* A previous call's capabilities do not leak into the next reply (reply_cap2 goes only
       with reply_cap). */
    assert_int_equal(call(&c, OP_ECHO, 1, 7), SERVICE_OK);
    assert_int_equal(c.reply_cap, 0);
    /* A failure sends neither. */
    assert_int_equal(call(&c, OP_CAPS_FAIL, 0, 7), SERVICE_BUSY);
    assert_int_equal(c.reply_cap, 0);
    assert_int_equal(c.reply_cap2, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dispatch),     cmocka_unit_test(test_check_order),
        cmocka_unit_test(test_call_arrived), cmocka_unit_test(test_error_has_no_words),
        cmocka_unit_test(test_bad_argument), cmocka_unit_test(test_no_reply_and_capability),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
