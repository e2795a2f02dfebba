/*
 * Host unit tests for lib/fserrno: every status of the file protocol has the errno POSIX
 * programs expect, and unknown ones are EIO.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>

#include "fserrno/fserrno.h"
#include "proto/fs.h"

static void test_table(void **state)
{
    (void)state;
    static const struct {
        long status;
        int want;
    } cases[] = {
        {FS_ERROR_NO_SPACE, ENOSPC},
        {FS_ERROR_NOT_FOUND, ENOENT},
        {FS_ERROR_EXISTS, EEXIST},
        {FS_ERROR_NOT_DIR, ENOTDIR},
        {FS_ERROR_IS_DIR, EISDIR},
        {FS_ERROR_NOT_EMPTY, ENOTEMPTY},
        {FS_ERROR_NAME_TOO_LONG, ENAMETOOLONG},
        {FS_ERROR_BAD_NAME, EINVAL},
        {FS_ERROR_READ_ONLY, EROFS},
        {FS_ERROR_IO, EIO},
        {FS_ERROR_CORRUPT, EIO},
        {FS_ERROR_INVALID, EINVAL},
        {FS_ERROR_BAD_HANDLE, EBADF},
        {FS_ERROR_ACCESS, EACCES},
        {FS_ERROR_TOO_BIG, EFBIG},
        {FS_ERROR_TOO_MANY, ENFILE},
        {FS_ERROR_COLLISION, EINVAL},
        {FS_ERROR_STOPPED, EIO},
        {FS_ERROR_NO_MEMORY, ENOMEM},
        {SERVICE_NOT_FOUND, ENOENT},
        {SERVICE_BAD_ARGUMENT, EINVAL},
        {SERVICE_BUSY, EBUSY},
        {SERVICE_TOO_MANY, ENFILE},
        {SERVICE_DENIED, EACCES},
        {SERVICE_INTERNAL, EIO},
        {SERVICE_BAD_LABEL, ENOSYS},
        {FS_ERROR_END, EIO},
        {12345, EIO},
        {-1, EIO},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(fserrno_from_status(cases[i].status), cases[i].want);
    /* Every status the protocol names maps to something other than success. */
    for (long s = 1; s < FS_ERROR_END; s++)
        assert_true(fserrno_from_status(s) > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
