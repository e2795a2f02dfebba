/*
 * Host unit tests for lib/fspath: normalising paths against a current directory ("." and "..",
 * slashes, the length limit), which file system a path is on, the initrd's flat names listed
 * as directories, and random paths against a simple model.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fspath/fspath.h"

static void check_normalize(const char *cwd, const char *path, const char *want)
{
    char out[FSPATH_MAX];
    assert_int_equal(fspath_normalize(cwd, path, out), FSPATH_OK);
    assert_string_equal(out, want);
}

static void test_normalize(void **state)
{
    (void)state;
    check_normalize("/", "/", "/");
    check_normalize("/", "a", "/a");
    check_normalize("/x/y", "a/b", "/x/y/a/b");
    check_normalize("/x/y", "/a//b/", "/a/b");
    check_normalize("/x/y", ".", "/x/y");
    check_normalize("/x/y", "..", "/x");
    check_normalize("/x/y", "../..", "/");
    check_normalize("/x/y", "../../../..", "/"); /* "/.." is "/" */
    check_normalize("/", "/a/./b/../c", "/a/c");
    check_normalize("/", "a/..", "/");
    check_normalize("//x//", "y", "/x/y"); /* the cwd is normalised too */
    check_normalize("/", "...", "/...");   /* only "." and ".." are special */
    check_normalize("/", ".a/..b", "/.a/..b");
    check_normalize("/initrd", "etc/motd", "/initrd/etc/motd");
    char out[FSPATH_MAX];
    assert_int_equal(fspath_normalize("/", "", out), FSPATH_EMPTY);
    assert_int_equal(fspath_normalize("x", "a", out), FSPATH_RELATIVE);
    check_normalize("x", "/a", "/a"); /* an absolute path needs no cwd */
}

static void test_too_long(void **state)
{
    (void)state;
    char path[FSPATH_MAX + 10], out[FSPATH_MAX];
    /* "/" + 1022 x's is 1023 bytes and fits with its NUL; one more does not. */
    path[0] = '/';
    memset(path + 1, 'x', FSPATH_MAX - 2);
    path[FSPATH_MAX - 1] = '\0';
    assert_int_equal(fspath_normalize("/", path, out), FSPATH_OK);
    assert_int_equal(strlen(out), FSPATH_MAX - 1);
    path[FSPATH_MAX - 1] = 'x';
    path[FSPATH_MAX] = '\0';
    assert_int_equal(fspath_normalize("/", path, out), FSPATH_TOO_LONG);
    /* A long path that ".." brings back into the limit is fine when it is resolved in order
       only if every step fits: this one does not at its longest. */
    memcpy(path + FSPATH_MAX, "/..", 4);
    assert_int_equal(fspath_normalize("/", path, out), FSPATH_TOO_LONG);
    /* A long cwd with a relative path. */
    path[FSPATH_MAX - 1] = '\0';
    assert_int_equal(fspath_normalize(path, "y", out), FSPATH_TOO_LONG);
    assert_int_equal(fspath_normalize(path, "..", out), FSPATH_OK);
    assert_string_equal(out, "/");
}

static void test_where(void **state)
{
    (void)state;
    const char *rest;
    assert_int_equal(fspath_where("/initrd", &rest), FSPATH_INITRD);
    assert_string_equal(rest, "");
    assert_int_equal(fspath_where("/initrd/etc/motd", &rest), FSPATH_INITRD);
    assert_string_equal(rest, "etc/motd");
    assert_int_equal(fspath_where("/initrdx", &rest), FSPATH_HMFS);
    assert_string_equal(rest, "/initrdx");
    assert_int_equal(fspath_where("/", &rest), FSPATH_HMFS);
    assert_string_equal(rest, "/");
    assert_int_equal(fspath_where("/a/initrd", &rest), FSPATH_HMFS);
}

static void test_tree(void **state)
{
    (void)state;
    const char *name = NULL, *inner;
    size_t length = 0;
    assert_int_equal(fspath_tree("/a/b", &name, &length, &inner), FSPATH_MAIN);
    assert_string_equal(inner, "/a/b");
    assert_int_equal(fspath_tree("/.snapx", &name, &length, &inner), FSPATH_MAIN);
    assert_int_equal(fspath_tree("/.snap", &name, &length, &inner), FSPATH_SNAP_TOP);
    assert_int_equal(fspath_tree("/.snap/monday", &name, &length, &inner), FSPATH_SNAP_TREE);
    assert_int_equal(length, 6);
    assert_memory_equal(name, "monday", 6);
    assert_string_equal(inner, "");
    assert_int_equal(fspath_tree("/.snap/m/x/y", &name, &length, &inner), FSPATH_SNAP_TREE);
    assert_int_equal(length, 1);
    assert_string_equal(inner, "/x/y");
}

static void test_child(void **state)
{
    (void)state;
    const char *name;
    size_t length;
    bool is_dir;
    assert_true(fspath_child("", "etc/motd", &name, &length, &is_dir));
    assert_int_equal(length, 3);
    assert_memory_equal(name, "etc", 3);
    assert_true(is_dir);
    assert_true(fspath_child("", "README", &name, &length, &is_dir));
    assert_int_equal(length, 6);
    assert_false(is_dir);
    assert_true(fspath_child("etc", "etc/motd", &name, &length, &is_dir));
    assert_int_equal(length, 4);
    assert_memory_equal(name, "motd", 4);
    assert_false(is_dir);
    assert_true(fspath_child("bin", "bin/x/y", &name, &length, &is_dir));
    assert_int_equal(length, 1);
    assert_true(is_dir);
    assert_false(fspath_child("etc", "etcetera/x", &name, &length, &is_dir));
    assert_false(fspath_child("etc", "etc", &name, &length, &is_dir)); /* itself: no child */
    assert_false(fspath_child("bin", "etc/motd", &name, &length, &is_dir));
    assert_false(fspath_child("etc", "etc//x", &name, &length, &is_dir));
    assert_false(fspath_child("", "/x", &name, &length, &is_dir));
}

static void test_last(void **state)
{
    (void)state;
    size_t parent;
    assert_string_equal(fspath_last("/a", &parent), "a");
    assert_int_equal(parent, 1);
    assert_string_equal(fspath_last("/a/bc", &parent), "bc");
    assert_int_equal(parent, 2);
}

/* Random paths of "a", "b", ".", ".." and empty components against a stack model. */
static void test_random(void **state)
{
    (void)state;
    static const char *const parts[] = {"a", "bb", ".", "..", ""};
    srand(14);
    for (int round = 0; round < 100000; round++) {
        char path[256] = "", model[256][4];
        size_t depth = 0, used = 0;
        bool absolute = rand() % 2;
        if (absolute)
            path[used++] = '/';
        int count = rand() % 8;
        for (int i = 0; i < count; i++) {
            const char *p = parts[rand() % 5];
            used += (size_t)snprintf(path + used, sizeof path - used, "%s%s", p,
                                     i + 1 < count ? "/" : "");
            if (strcmp(p, "..") == 0)
                depth -= depth > 0;
            else if (p[0] && strcmp(p, ".") != 0)
                strcpy(model[depth++], p);
        }
        if (used == 0)
            continue;
        char want[1024] = "", got[FSPATH_MAX];
        size_t w = 0;
        for (size_t i = 0; i < depth; i++)
            w += (size_t)snprintf(want + w, sizeof want - w, "/%s", model[i]);
        if (w == 0)
            strcpy(want, "/");
        assert_int_equal(fspath_normalize("/", path, got), FSPATH_OK);
        assert_string_equal(got, want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normalize), cmocka_unit_test(test_too_long),
        cmocka_unit_test(test_where),     cmocka_unit_test(test_child),
        cmocka_unit_test(test_last),      cmocka_unit_test(test_tree),
        cmocka_unit_test(test_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
