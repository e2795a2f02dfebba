/*
 * The POSIX calls' edges, before fsx's random run (fsx.c): descriptors (the console's, bad
 * ones, closed ones, reuse of the lowest), access modes, lseek's limits, directories opened and
 * read, the initrd under /initrd (read-only: EROFS; renames out of it: EXDEV; stdio on it),
 * relative paths with chdir/getcwd, and the file server's refusals as errno (a name too long, a
 * path through a file, a directory renamed into itself, rmdir of "/").
 */
#define _DEFAULT_SOURCE /* fsync, ftruncate, getcwd under -std=c11 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsx.h"
#include "testlib.h"

/* Checks that r is -1 with errno want (or, want 0, that r is not -1). */
static void expect_errno(const char *what, long r, int want)
{
    check(what, r == -1 ? errno : 0, want);
}

static void posix_descriptors(const char *top)
{
    char path[256], buffer[64];
    struct stat st;
    check("fstat(1) is the console", fstat(1, &st) == 0 && S_ISCHR(st.st_mode), 1);
    check("isatty(1)", isatty(1), 1);
    expect_errno("lseek on the console", lseek(1, 0, SEEK_SET), ESPIPE);
    expect_errno("read of fd 64", read(64, buffer, 1), EBADF);
    expect_errno("read of fd -1", read(-1, buffer, 1), EBADF);
    expect_errno("close of fd 40", close(40), EBADF);
    snprintf(path, sizeof path, "%s/edge", top);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    check("open a new file: lowest free descriptor", fd, 3);
    expect_errno("read of a write-only descriptor", read(fd, buffer, 1), EBADF);
    check("write", write(fd, "0123456789", 10), 10);
    check("lseek past the end", lseek(fd, 20, SEEK_SET), 20);
    check("write after a hole", write(fd, "x", 1), 1);
    check("lseek SEEK_END", lseek(fd, -1, SEEK_END), 20);
    expect_errno("lseek before the start", lseek(fd, -22, SEEK_END), EINVAL);
    expect_errno("lseek with a bad whence", lseek(fd, 0, 7), EINVAL);
    expect_errno("ftruncate to a negative size", ftruncate(fd, -1), EINVAL);
    expect_errno("fsync", fsync(fd), 0);
    expect_errno("close", close(fd), 0);
    expect_errno("write after close", write(fd, "x", 1), EBADF);
    expect_errno("close twice", close(fd), EBADF);
    fd = open(path, O_RDONLY);
    check("reopen gets the same lowest descriptor", fd, 3);
    memset(buffer, 0x55, sizeof buffer);
    check("read the file with its hole", read(fd, buffer, sizeof buffer), 21);
    check("the hole reads as zeros", buffer[10] == 0 && buffer[19] == 0 && buffer[20] == 'x', 1);
    expect_errno("write to a read-only descriptor", write(fd, "x", 1), EBADF);
    expect_errno("ftruncate of a read-only descriptor", ftruncate(fd, 0), EINVAL);
    close(fd);
    expect_errno("open with O_EXCL of an existing file",
                 open(path, O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST);
    fd = open(path, O_WRONLY | O_APPEND);
    check("append", write(fd, "yz", 2), 2);
    check("append moved the offset to the end", lseek(fd, 0, SEEK_CUR), 23);
    close(fd);
    check("stat after append", stat(path, &st) == 0 ? st.st_size : -1, 23);
    int fds[70], opened = 0;
    for (; opened < 70; opened++)
        if ((fds[opened] = open(path, O_RDONLY)) < 0)
            break;
    check("descriptors a process may open (64 less the console's 3)", opened, 61);
    expect_errno("the 62nd open", opened < 70 ? -1 : 0, EMFILE);
    for (int i = 0; i < opened; i++)
        close(fds[i]);
    expect_errno("unlink", unlink(path), 0);
    expect_errno("unlink again", unlink(path), ENOENT);
}

static void posix_directories(const char *top)
{
    char path[256], cwd[256], buffer[8];
    struct stat st;
    snprintf(path, sizeof path, "%s/dir", top);
    expect_errno("mkdir", mkdir(path, 0755), 0);
    expect_errno("mkdir again", mkdir(path, 0755), EEXIST);
    int fd = open(path, O_RDONLY);
    check("open a directory read-only", fd >= 0, 1);
    check("fstat says directory", fstat(fd, &st) == 0 && S_ISDIR(st.st_mode), 1);
    expect_errno("read of a directory", read(fd, buffer, 1), EISDIR);
    close(fd);
    expect_errno("open a directory for writing", open(path, O_WRONLY), EISDIR);
    expect_errno("unlink a directory", unlink(path), EISDIR);
    expect_errno("chdir", chdir(path), 0);
    check_string("getcwd", getcwd(cwd, sizeof cwd) ? cwd : "(error)", path);
    expect_errno("getcwd into a short buffer", getcwd(cwd, 3) ? 0 : -1, ERANGE);
    char *allocated = getcwd(NULL, 0);
    check_string("getcwd(NULL, 0)", allocated ? allocated : "(error)", path);
    free(allocated);
    struct stat a, b;
    check("one file by two paths: same st_dev and st_ino",
          stat(path, &a) == 0 && stat(".", &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino,
          1);
    check("/initrd is another device", stat("/initrd", &b) == 0 && a.st_dev != b.st_dev, 1);
    fd = open("rel", O_WRONLY | O_CREAT, 0644);
    check("create by a relative path", fd >= 0, 1);
    close(fd);
    snprintf(cwd, sizeof cwd, "%s/dir/rel", top);
    expect_errno("the relative file is in the directory", stat(cwd, &st), 0);
    expect_errno("a path through a file", open("rel/x", O_WRONLY | O_CREAT, 0644), ENOTDIR);
    expect_errno("mkdir through a file", mkdir("rel/x", 0755), ENOTDIR);
    expect_errno("rename a directory into itself", rename("../dir", "sub"), EINVAL);
    char name[300];
    memset(name, 'n', 256);
    name[256] = '\0';
    expect_errno("a name of 256 bytes", open(name, O_WRONLY | O_CREAT, 0644), ENAMETOOLONG);
    name[255] = '\0';
    fd = open(name, O_WRONLY | O_CREAT, 0644);
    check("a name of 255 bytes", fd >= 0, 1);
    close(fd);
    expect_errno("unlink it", unlink(name), 0);
    expect_errno("chdir to a file", chdir("rel"), ENOTDIR);
    expect_errno("chdir to nothing", chdir("nothing"), ENOENT);
    expect_errno("chdir ..", chdir(".."), 0);
    check_string("getcwd after ..", getcwd(cwd, sizeof cwd) ? cwd : "(error)", top);
    expect_errno("open of \"\"", open("", O_RDONLY), ENOENT);
    expect_errno("rmdir of a non-empty directory", rmdir("dir"), ENOTEMPTY);
    expect_errno("unlink dir/rel", unlink("dir/rel"), 0);
    expect_errno("rmdir dir", rmdir("dir"), 0);
    expect_errno("rmdir of /", rmdir("/"), EBUSY);
    expect_errno("chdir /", chdir("/"), 0);
}

static void posix_initrd(const char *top)
{
    char line[128], path[256];
    struct stat st;
    FILE *f = fopen("/initrd/etc/motd", "r");
    check("fopen an initrd file", f != NULL, 1);
    if (f) {
        check("fgets its first line", fgets(line, sizeof line, f) != NULL, 1);
        check("the motd's first words", strncmp(line, "Welcome to Missive", 18), 0);
        fclose(f);
    }
    check("stat /initrd", stat("/initrd", &st) == 0 && S_ISDIR(st.st_mode), 1);
    check("stat /initrd/bin/fsx", stat("/initrd/bin/fsx", &st) == 0 && S_ISREG(st.st_mode), 1);
    check("stat /initrd/bin/../etc/./motd", stat("/initrd/bin/../etc/./motd", &st), 0);
    int fd = open("/initrd/etc/motd", O_RDONLY);
    check("lseek to an initrd file's end", lseek(fd, 0, SEEK_END), (long)st.st_size);
    check("read at the end", read(fd, line, sizeof line), 0);
    check("lseek back and read",
          lseek(fd, 8, SEEK_SET) == 8 && read(fd, line, 7) == 7 && memcmp(line, "to Miss", 7) == 0,
          1);
    close(fd);
    expect_errno("open an initrd file for writing", open("/initrd/etc/motd", O_WRONLY), EROFS);
    expect_errno("create in the initrd", open("/initrd/new", O_WRONLY | O_CREAT, 0644), EROFS);
    expect_errno("unlink in the initrd", unlink("/initrd/etc/motd"), EROFS);
    expect_errno("mkdir of an initrd directory", mkdir("/initrd/etc", 0755), EEXIST);
    expect_errno("missing initrd file", open("/initrd/nothing", O_RDONLY), ENOENT);
    snprintf(path, sizeof path, "%s/motd", top);
    expect_errno("rename out of the initrd", rename("/initrd/etc/motd", path), EXDEV);
    DIR *d = opendir("/initrd");
    unsigned found = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL)
        found +=
            (strcmp(e->d_name, "bin") == 0 || strcmp(e->d_name, "etc") == 0) && e->d_type == DT_DIR;
    if (d)
        closedir(d);
    check("/initrd lists bin and etc as directories", found, 2);
    d = opendir("/");
    found = 0;
    while (d && (e = readdir(d)) != NULL)
        found += strcmp(e->d_name, "initrd") == 0;
    if (d)
        closedir(d);
    check("/ lists initrd", found, 1);
    expect_errno("opendir of a file", opendir("/initrd/etc/motd") ? 0 : -1, ENOTDIR);
}

void posix_checks(const char *top)
{
    posix_descriptors(top);
    posix_directories(top);
    posix_initrd(top);
    check_report("posix");
}
