/*
 * Host unit tests for lib/ioport, against a fake kernel: a capability in slot 5 covering ports
 * 0x60-0x64, whose registers are an array; anything else fails as the kernel would.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ioport/ioport.h"
#include "libsys/libsys.h"

#define SLOT  5
#define FIRST 0x60
#define LAST  0x64

static uint8_t ports[LAST - FIRST + 1];
static uint64_t last_label, last_width, calls;

/* The fake kernel: IO_PORT_IN and IO_PORT_OUT on SLOT's range only. */
long invoke_call(uint64_t slot, uint64_t label, unsigned length, struct missive_msg *msg)
{
    calls++;
    last_label = label;
    last_width = msg->mr[1];
    if (slot != SLOT)
        return ERR_EMPTY_SLOT;
    uint64_t port = msg->mr[0];
    if (port < FIRST || port > LAST || msg->mr[1] != 1)
        return ERR_INVALID_ARGUMENT;
    if (label == IO_PORT_IN && length == 2) {
        msg->mr[0] = 0xffffff00u | ports[port - FIRST]; /* upper bits the helper must drop */
        return ERR_OK;
    }
    if (label == IO_PORT_OUT && length == 3) {
        ports[port - FIRST] = (uint8_t)msg->mr[2];
        return ERR_OK;
    }
    return ERR_INVALID_LABEL;
}

static void test_in_and_out(void **state)
{
    (void)state;
    assert_int_equal(ioport_out8(SLOT, 0x64, 0xae), ERR_OK);
    assert_int_equal(last_label, IO_PORT_OUT);
    assert_int_equal(last_width, 1);
    assert_int_equal(ports[4], 0xae);
    assert_int_equal(ioport_in8(SLOT, 0x64), 0xae);
    assert_int_equal(last_label, IO_PORT_IN);
    ports[0] = 0xff;
    assert_int_equal(ioport_in8(SLOT, 0x60), 0xff); /* a byte of all ones is not an error */
}

static void test_failures(void **state)
{
    (void)state;
    assert_int_equal(ioport_in8(SLOT, 0x65), -1);
    assert_int_equal(ioport_in8(SLOT + 1, 0x60), -1);
    assert_int_equal(ioport_out8(SLOT, 0x5f, 1), ERR_INVALID_ARGUMENT);
    assert_int_equal(ioport_out8(0, 0x60, 1), ERR_EMPTY_SLOT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in_and_out),
        cmocka_unit_test(test_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
