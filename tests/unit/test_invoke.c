/*
 * Host unit tests for the typed invocation stubs generated from
 * lib/missive/invocations.txt (lib/libsys/invoke.h): each sends its label,
 * its arguments in the message registers the description names, the right
 * length, and hands the answer back only on ERR_OK; invoke_call
 * (lib/libsys/invoke.c) keeps the range of a refused argument. The system
 * call itself is replaced here by a recorder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "libsys/invoke.h"

/* What the last stub sent, and what the fake kernel answers. */
static struct {
    long number;
    uint64_t slot, label, length, caps;
    struct missive_msg sent;
    long result;
    uint64_t answer[MSG_REGISTERS];
} fake;

long missive_syscall(long number, uint64_t slot, uint64_t tag, struct missive_msg *msg)
{
    fake.number = number;
    fake.slot = slot;
    fake.label = MSG_LABEL(tag);
    fake.length = MSG_LENGTH(tag);
    fake.caps = MSG_CAPS(tag);
    fake.sent = *msg;
    memcpy(msg->mr, fake.answer, sizeof msg->mr);
    return fake.result;
}

static int reset(void **state)
{
    (void)state;
    memset(&fake, 0, sizeof fake);
    return 0;
}

static void test_labels_are_grouped_by_type(void **state)
{
    (void)state;
    assert_int_equal(MISSIVE_LABEL_TYPE(UNTYPED_RETYPE), CAP_UNTYPED);
    assert_int_equal(MISSIVE_LABEL_TYPE(CSPACE_SAVE_REPLY), CAP_CSPACE);
    assert_int_equal(MISSIVE_LABEL_TYPE(THREAD_SET_NAME), CAP_THREAD);
    assert_int_equal(MISSIVE_LABEL_TYPE(FRAME_PHYSICAL_ADDRESS), CAP_FRAME);
    assert_int_equal(MISSIVE_LABEL_TYPE(VSPACE_MAP_FRAME), CAP_VSPACE);
    assert_int_equal(MISSIVE_LABEL_TYPE(PAGE_TABLE_UNMAP), CAP_PAGE_TABLE);
    assert_int_equal(MISSIVE_LABEL_TYPE(IRQ_CONTROL_GET), CAP_IRQ_CONTROL);
    assert_int_equal(MISSIVE_LABEL_TYPE(IRQ_HANDLER_ACK), CAP_IRQ_HANDLER);
    assert_int_equal(MISSIVE_LABEL_TYPE(IO_PORT_CONTROL_ISSUE), CAP_IO_PORT_CONTROL);
    assert_int_equal(MISSIVE_LABEL_TYPE(IO_PORT_OUT), CAP_IO_PORT);
    assert_int_equal(MISSIVE_LABEL_TYPE(DEBUG_TRACE_STOP), CAP_DEBUG);
    /* Every label fits the tag's label field and is no IPC label the kernel sends. */
    assert_true(DEBUG_TRACE_STOP < NOTIFICATION_LABEL && DEBUG_TRACE_STOP < FAULT_LABEL);
}

static void test_retype_sends_four_words_in_order(void **state)
{
    (void)state;
    assert_int_equal(untyped_retype(20, CAP_FRAME, FRAME_SMALL_BITS, 100, RETYPE_MAX_COUNT),
                     ERR_OK);
    assert_int_equal(fake.number, SYS_CALL);
    assert_int_equal(fake.slot, 20);
    assert_int_equal(fake.label, UNTYPED_RETYPE);
    assert_int_equal(fake.caps, 0);
    assert_int_equal(fake.length, 4);
    assert_int_equal(fake.sent.mr[UNTYPED_RETYPE_ARG_TYPE], CAP_FRAME);
    assert_int_equal(fake.sent.mr[UNTYPED_RETYPE_ARG_SIZE_BITS], 12);
    assert_int_equal(fake.sent.mr[UNTYPED_RETYPE_ARG_DEST], 100);
    assert_int_equal(fake.sent.mr[UNTYPED_RETYPE_ARG_COUNT], 256);
}

static void test_copy_leaves_the_badge_gap_zero(void **state)
{
    (void)state;
    cspace_copy(1, 30, 31, CAP_RIGHT_READ, 7);
    assert_int_equal(fake.label, CSPACE_COPY);
    assert_int_equal(fake.length, 5);
    assert_int_equal(fake.sent.mr[CSPACE_COPY_ARG_DEST], 30);
    assert_int_equal(fake.sent.mr[CSPACE_COPY_ARG_SRC], 31);
    assert_int_equal(fake.sent.mr[CSPACE_COPY_ARG_RIGHTS], CAP_RIGHT_READ);
    assert_int_equal(fake.sent.mr[3], 0);
    assert_int_equal(fake.sent.mr[CSPACE_COPY_ARG_SOURCE_CSPACE], 7);
    cspace_mint(1, 30, 31, CAP_RIGHTS_ALL, 0xbad6e, 0);
    assert_int_equal(fake.label, CSPACE_MINT);
    assert_int_equal(fake.sent.mr[CSPACE_MINT_ARG_BADGE], 0xbad6e);
}

static void test_no_argument_stub_sends_nothing(void **state)
{
    (void)state;
    fake.answer[0] = 99;
    assert_int_equal(thread_resume(3), ERR_OK);
    assert_int_equal(fake.label, THREAD_RESUME);
    assert_int_equal(fake.length, 0);
}

static void test_array_arguments_fill_consecutive_registers(void **state)
{
    (void)state;
    const uint64_t name[2] = {0x1111, 0x2222};
    thread_set_name(3, 12, name);
    assert_int_equal(fake.length, 3);
    assert_int_equal(fake.sent.mr[THREAD_SET_NAME_ARG_LENGTH], 12);
    assert_int_equal(fake.sent.mr[THREAD_SET_NAME_ARG_BYTES], 0x1111);
    assert_int_equal(fake.sent.mr[THREAD_SET_NAME_ARG_BYTES + 1], 0x2222);
    uint64_t bytes[MSG_REGISTERS - 1];
    for (unsigned i = 0; i < MSG_REGISTERS - 1; i++)
        bytes[i] = i + 1;
    debug_write(4, 72, bytes);
    assert_int_equal(fake.length, MSG_REGISTERS);
    assert_int_equal(fake.sent.mr[DEBUG_WRITE_ARG_BYTES + 8], 9);
}

static void test_answers_only_on_success(void **state)
{
    (void)state;
    for (unsigned i = 0; i < MSG_REGISTERS; i++)
        fake.answer[i] = 0x100 + i;
    struct thread_registers regs = {0};
    assert_int_equal(thread_read_registers(3, &regs), ERR_OK);
    assert_int_equal(regs.rip, 0x100 + THREAD_READ_REGISTERS_ANSWER_RIP);
    assert_int_equal(regs.rsp, 0x101);
    assert_int_equal(regs.rflags, 0x102);
    assert_int_equal(regs.rax, 0x103);
    assert_int_equal(regs.rdi, 0x104);
    uint64_t level = 77;
    fake.result = ERR_MISSING_TABLE;
    assert_int_equal(vspace_map_table(2, 40, 0x400000, &level), ERR_MISSING_TABLE);
    assert_int_equal(level, 77);
    struct cspace_identity id = {0};
    fake.result = ERR_INVALID_SLOT;
    assert_int_equal(cspace_identify(1, 5000, &id), ERR_INVALID_SLOT);
    assert_int_equal(id.type, 0);
}

static void test_a_refused_argument_is_kept(void **state)
{
    (void)state;
    fake.result = ERR_INVALID_ARGUMENT;
    fake.answer[0] = UNTYPED_RETYPE_ARG_COUNT;
    fake.answer[1] = 1;
    fake.answer[2] = RETYPE_MAX_COUNT;
    assert_int_equal(untyped_retype(20, CAP_ENDPOINT, 0, 100, 1000), ERR_INVALID_ARGUMENT);
    assert_int_equal(invoke_last_bad_argument.argument, UNTYPED_RETYPE_ARG_COUNT);
    assert_int_equal(invoke_last_bad_argument.min, 1);
    assert_int_equal(invoke_last_bad_argument.max, RETYPE_MAX_COUNT);
    /* Another error leaves the record alone. */
    fake.result = ERR_EMPTY_SLOT;
    fake.answer[0] = 0;
    assert_int_equal(cspace_delete(1, 40), ERR_EMPTY_SLOT);
    assert_int_equal(invoke_last_bad_argument.argument, UNTYPED_RETYPE_ARG_COUNT);
}

static void test_null_answer_pointers_are_allowed(void **state)
{
    (void)state;
    fake.answer[0] = 5;
    assert_int_equal(cspace_revoke(1, 20, NULL), ERR_OK);
    assert_int_equal(cspace_identify(1, 20, NULL), ERR_OK);
    assert_int_equal(debug_cpu_stats(4, 0, NULL), ERR_OK);
    uint64_t value = 0;
    assert_int_equal(io_port_in(9, 0x60, 1, &value), ERR_OK);
    assert_int_equal(value, 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_labels_are_grouped_by_type, reset),
        cmocka_unit_test_setup(test_retype_sends_four_words_in_order, reset),
        cmocka_unit_test_setup(test_copy_leaves_the_badge_gap_zero, reset),
        cmocka_unit_test_setup(test_no_argument_stub_sends_nothing, reset),
        cmocka_unit_test_setup(test_array_arguments_fill_consecutive_registers, reset),
        cmocka_unit_test_setup(test_answers_only_on_success, reset),
        cmocka_unit_test_setup(test_a_refused_argument_is_kept, reset),
        cmocka_unit_test_setup(test_null_answer_pointers_are_allowed, reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
