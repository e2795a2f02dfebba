/*
 * Host unit tests for lib/fsbench: every row at the check size in a temporary directory of
 * the host's filesystem, in order, and the failures each row must notice: a file damaged or
 * cut short between the write and the read, a stranger in the listed directory, a root that
 * is not there, a create over an existing name, a stat or delete of a missing file.
 */
#define _POSIX_C_SOURCE 200809L

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsbench/fsbench.h"

static struct fsbench_size size;
static uint8_t buffer[FSBENCH_CHUNK];
static char root[64];
static struct fsbench_outcome out;

static int make_root(void **state)
{
    (void)state;
    assert_true(fsbench_size_named("check", &size));
    strcpy(root, "/tmp/fsbench-test.XXXXXX");
    assert_non_null(mkdtemp(root));
    return 0;
}

/* Removes what the rows may have left under root, then root. */
static int remove_root(void **state)
{
    (void)state;
    char path[FSBENCH_PATH_MAX];
    for (unsigned i = 0; i < size.files + 1; i++) {
        snprintf(path, sizeof path, "%s/dir/f%05u", root, i);
        unlink(path);
    }
    snprintf(path, sizeof path, "%s/dir/stranger", root);
    unlink(path);
    snprintf(path, sizeof path, "%s/dir", root);
    rmdir(path);
    snprintf(path, sizeof path, "%s/big", root);
    unlink(path);
    assert_int_equal(rmdir(root), 0);
    return 0;
}

static bool run(enum fsbench_row row)
{
    return fsbench_run(row, root, &size, buffer, &out);
}

/* True if the error line holds word. */
static bool error_holds(const char *word)
{
    return strstr(out.error, word) != NULL;
}

static void test_sizes(void **state)
{
    (void)state;
    struct fsbench_size s;
    assert_true(fsbench_size_named("full", &s));
    assert_int_equal(s.file_bytes, 64ull << 20);
    assert_int_equal(s.files, 10000);
    assert_int_equal(s.file_bytes % FSBENCH_CHUNK, 0);
    assert_false(fsbench_size_named("tiny", &s));
}

static void test_all_rows_in_order(void **state)
{
    (void)state;
    for (int row = 0; row < FSBENCH_ROW_COUNT; row++) {
        assert_true(run((enum fsbench_row)row));
        assert_string_equal(out.error, "");
    }
    /* The last row left the directory empty, and the big file has its size. */
    struct stat st;
    char path[FSBENCH_PATH_MAX];
    snprintf(path, sizeof path, "%s/big", root);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, size.file_bytes);
    snprintf(path, sizeof path, "%s/dir/f00000", root);
    assert_int_not_equal(stat(path, &st), 0);
}

static void test_counts(void **state)
{
    (void)state;
    assert_true(run(FSBENCH_WRITE_FSYNC));
    assert_int_equal(out.operations, size.file_bytes / FSBENCH_CHUNK);
    assert_int_equal(out.bytes, size.file_bytes);
    assert_true(run(FSBENCH_READ));
    assert_int_equal(out.bytes, size.file_bytes);
    assert_true(run(FSBENCH_CREATE));
    assert_int_equal(out.operations, size.files);
    assert_int_equal(out.bytes, 0);
    assert_true(run(FSBENCH_STAT));
    assert_int_equal(out.operations, size.files);
    assert_true(run(FSBENCH_LIST));
    assert_int_equal(out.operations, size.files);
    assert_true(run(FSBENCH_DELETE));
    assert_int_equal(out.operations, size.files);
}

static void test_damaged_file(void **state)
{
    (void)state;
    assert_true(run(FSBENCH_WRITE_FSYNC));
    char path[FSBENCH_PATH_MAX];
    snprintf(path, sizeof path, "%s/big", root);
    int fd = open(path, O_WRONLY);
    assert_true(fd >= 0);
    assert_int_equal(pwrite(fd, "x", 1, 3 * 4096 + 2), 1); /* a stamp's byte */
    close(fd);
    assert_false(run(FSBENCH_READ));
    assert_true(error_holds("1 blocks wrong at offset 0"));
    assert_int_equal(truncate(path, size.file_bytes - 4096), 0);
    assert_false(run(FSBENCH_READ));
    assert_true(error_holds("read"));
    assert_int_equal(truncate(path, size.file_bytes + 1), 0); /* longer than written */
    assert_true(run(FSBENCH_WRITE_FSYNC));                    /* truncates it again */
    assert_true(run(FSBENCH_READ));
    assert_int_equal(truncate(path, size.file_bytes + 1), 0);
    assert_false(run(FSBENCH_READ));
    assert_true(error_holds("past its"));
}

static void test_directory_failures(void **state)
{
    (void)state;
    assert_false(run(FSBENCH_STAT)); /* nothing created yet */
    assert_true(error_holds("stat"));
    assert_true(error_holds("/dir/f00000"));
    assert_true(run(FSBENCH_CREATE));
    assert_false(run(FSBENCH_CREATE)); /* O_EXCL: they are there */
    assert_true(error_holds("File exists"));
    char path[FSBENCH_PATH_MAX];
    snprintf(path, sizeof path, "%s/dir/stranger", root);
    int fd = open(path, O_WRONLY | O_CREAT, 0644);
    assert_true(fd >= 0);
    close(fd);
    assert_false(run(FSBENCH_LIST));
    assert_true(error_holds("101 names, 100 of them ours"));
    unlink(path);
    assert_true(run(FSBENCH_LIST));
    assert_true(run(FSBENCH_DELETE));
    assert_false(run(FSBENCH_DELETE));
    assert_true(error_holds("unlink"));
}

static void test_missing_root(void **state)
{
    (void)state;
    struct fsbench_size s = size;
    assert_false(fsbench_run(FSBENCH_WRITE_FSYNC, "/nonexistent-fsbench", &s, buffer, &out));
    assert_true(error_holds("open /nonexistent-fsbench/big"));
    assert_false(fsbench_run(FSBENCH_CREATE, "/nonexistent-fsbench", &s, buffer, &out));
    assert_true(error_holds("mkdir"));
    assert_false(fsbench_run(FSBENCH_ROW_COUNT, root, &s, buffer, &out));
    assert_true(error_holds("no row"));
}

static void test_format(void **state)
{
    (void)state;
    char line[FSBENCH_LINE_MAX];
    fsbench_format(line, fsbench_row_names[FSBENCH_LIST], 10000, 0, 5000000, 12);
    assert_string_equal(line, "FS,list-10k,10000,0,5000000,12");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizes),
        cmocka_unit_test_setup_teardown(test_all_rows_in_order, make_root, remove_root),
        cmocka_unit_test_setup_teardown(test_counts, make_root, remove_root),
        cmocka_unit_test_setup_teardown(test_damaged_file, make_root, remove_root),
        cmocka_unit_test_setup_teardown(test_directory_failures, make_root, remove_root),
        cmocka_unit_test_setup_teardown(test_missing_root, make_root, remove_root),
        cmocka_unit_test(test_format),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
