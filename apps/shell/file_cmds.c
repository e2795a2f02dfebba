/*
 * The file commands: ls, cat, cd, pwd, mkdir, rm, rmdir, mv, cp and echo's "> FILE" over the
 * POSIX calls (so they work alike on the HMFS volume at / and the initrd under /initrd), and
 * df, snap and fsck over the file client (lib/libsys/fs_client.h). See shell.h.
 */
#define _DEFAULT_SOURCE /* getcwd, fsync under -std=c11 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fspath/fspath.h"
#include "libsys/fs_client.h"
#include "shell.h"

/* Prints "name: what: strerror(errno)". */
static void file_report(const char *name, const char *what)
{
    printf("%s: %s: %s\n", name, what, strerror(errno));
}

/* One line of ls -l: type, size, name ('/' after a directory's). */
static void ls_long(const char *dir, const char *name)
{
    char path[FSPATH_MAX];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (stat(path, &st) != 0) {
        printf("?  %10s  %s\n", "?", name);
        return;
    }
    bool is_dir = S_ISDIR(st.st_mode);
    printf("%c  %10llu  %s%s\n", is_dir ? 'd' : '-', (unsigned long long)st.st_size, name,
           is_dir ? "/" : "");
}

/* ls [-l] [PATH...]: a directory's entries (in the order the file system keeps them), or a
   file's name. */
void cmd_ls(int argc, char **argv, bool background)
{
    (void)background;
    bool long_format = argc > 1 && strcmp(argv[1], "-l") == 0;
    int first = long_format ? 2 : 1;
    int count = argc - first;
    for (int i = first; i < argc || (count == 0 && i == first); i++) {
        const char *path = count == 0 ? "." : argv[i];
        struct stat st;
        if (stat(path, &st) != 0) {
            file_report("ls", path);
            continue;
        }
        if (!S_ISDIR(st.st_mode)) {
            if (long_format)
                printf("-  %10llu  %s\n", (unsigned long long)st.st_size, path);
            else
                printf("%s\n", path);
            continue;
        }
        if (count > 1)
            printf("%s:\n", path);
        DIR *d = opendir(path);
        if (!d) {
            file_report("ls", path);
            continue;
        }
        struct dirent *entry;
        errno = 0;
        while ((entry = readdir(d)) != NULL) {
            if (long_format)
                ls_long(path, entry->d_name);
            else
                printf("%s%s\n", entry->d_name, entry->d_type == DT_DIR ? "/" : "");
        }
        if (errno != 0)
            file_report("ls", path);
        closedir(d);
    }
}

/* Copies everything from in to out (descriptors): 0, or -1 with errno. */
static int copy_fd(int in, int out)
{
    static char buffer[16384];
    for (;;) {
        ssize_t got = read(in, buffer, sizeof buffer);
        if (got <= 0)
            return got < 0 ? -1 : 0;
        for (ssize_t done = 0; done < got;) {
            ssize_t n = write(out, buffer + done, (size_t)(got - done));
            if (n <= 0)
                return -1;
            done += n;
        }
    }
}

/* cat FILE...: the files' bytes as they are (a newline added if the last does not end in
   one, so the prompt starts a line of its own). */
void cmd_cat(int argc, char **argv, bool background)
{
    (void)background;
    fflush(stdout);
    for (int i = 1; i < argc; i++) {
        int fd = open(argv[i], O_RDONLY);
        if (fd < 0) {
            file_report("cat", argv[i]);
            continue;
        }
        char last = '\n';
        static char buffer[4096];
        for (;;) {
            ssize_t got = read(fd, buffer, sizeof buffer);
            if (got < 0)
                file_report("cat", argv[i]);
            if (got <= 0)
                break;
            if (write(1, buffer, (size_t)got) < 0)
                break;
            last = buffer[got - 1];
        }
        close(fd);
        if (last != '\n')
            printf("\n");
    }
}

void cmd_cd(int argc, char **argv, bool background)
{
    (void)background;
    const char *path = argc > 1 ? argv[1] : "/";
    if (chdir(path) != 0)
        file_report("cd", path);
}

void cmd_pwd(int argc, char **argv, bool background)
{
    (void)argc, (void)argv, (void)background;
    char path[FSPATH_MAX];
    if (getcwd(path, sizeof path))
        printf("%s\n", path);
    else
        file_report("pwd", "cannot tell");
}

void cmd_mkdir(int argc, char **argv, bool background)
{
    (void)background;
    for (int i = 1; i < argc; i++)
        if (mkdir(argv[i], 0755) != 0)
            file_report("mkdir", argv[i]);
}

/* rm FILE...: files; rm -r is not offered (rmdir removes an empty directory). */
void cmd_rm(int argc, char **argv, bool background)
{
    (void)background;
    for (int i = 1; i < argc; i++)
        if (unlink(argv[i]) != 0)
            file_report("rm", argv[i]);
}

void cmd_rmdir(int argc, char **argv, bool background)
{
    (void)background;
    for (int i = 1; i < argc; i++)
        if (rmdir(argv[i]) != 0)
            file_report("rmdir", argv[i]);
}

/* The path a file named source gets in target when target is a directory ("mv a dir" is
   "dir/a"); else target itself. */
static const char *into_directory(const char *source, const char *target, char *out, size_t cap)
{
    struct stat st;
    if (stat(target, &st) != 0 || !S_ISDIR(st.st_mode))
        return target;
    const char *base = strrchr(source, '/');
    snprintf(out, cap, "%s/%s", target, base ? base + 1 : source);
    return out;
}

void cmd_mv(int argc, char **argv, bool background)
{
    (void)argc, (void)background;
    char path[FSPATH_MAX];
    const char *target = into_directory(argv[1], argv[2], path, sizeof path);
    if (rename(argv[1], target) != 0)
        file_report("mv", argv[1]);
}

/* cp SOURCE TARGET: a file's bytes into a new or emptied file (or into a directory). */
void cmd_cp(int argc, char **argv, bool background)
{
    (void)argc, (void)background;
    char path[FSPATH_MAX];
    const char *target = into_directory(argv[1], argv[2], path, sizeof path);
    struct stat from, to;
    if (stat(argv[1], &from) == 0 && stat(target, &to) == 0 && from.st_dev == to.st_dev &&
        from.st_ino == to.st_ino) {
        printf("cp: %s and %s are the same file\n", argv[1], target);
        return; /* opening the target would empty the source */
    }
    int in = open(argv[1], O_RDONLY);
    if (in < 0) {
        file_report("cp", argv[1]);
        return;
    }
    int out = open(target, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out < 0) {
        file_report("cp", target);
        close(in);
        return;
    }
    if (copy_fd(in, out) != 0)
        file_report("cp", target);
    close(in);
    if (close(out) != 0)
        file_report("cp", target);
}

/* echo WORD... > FILE (or >> FILE): the words as a line into FILE, through stdio's fopen and
   fprintf, so the line is made and flushed as any program's would be. */
void shell_echo_to_file(int argc, char **argv, const char *mode, const char *path)
{
    FILE *f = fopen(path, mode);
    if (!f) {
        file_report("echo", path);
        return;
    }
    for (int i = 1; i < argc; i++)
        fprintf(f, "%s%s", argv[i], i + 1 < argc ? " " : "");
    fprintf(f, "\n");
    if (fclose(f) != 0)
        file_report("echo", path);
}

/* The shell's connection to the file server: NULL after printing why not. */
static struct fs_client *file_client(const char *name)
{
    struct fs_client *c;
    struct result r = fs_default(&c);
    if (result_is_ok(r))
        return c;
    if (result_is_service(r, SERVICE_NOT_FOUND))
        printf("%s: no file server running (%s)\n", name, FS_SERVER_NAME);
    else
        file_result(name, "connect", r);
    return NULL;
}

void file_result(const char *name, const char *what, struct result r)
{
    if (r.source == RESULT_SERVICE)
        printf("%s: %s: %s\n", name, what, fs_error_name((unsigned long)r.code));
    else
        shell_report(name, what, r);
}

/* df: the volume's size, use and state. */
/* fsmove SERVER DISK: FS_MOVE (the same image attached to another controller). */
void cmd_fsmove(int argc, char **argv, bool background)
{
    (void)argc, (void)background;
    char *end;
    unsigned long disk = strtoul(argv[2], &end, 10);
    if (!argv[2][0] || *end || disk > 31) {
        printf("fsmove: not a disk number (0-31): '%s'\n", argv[2]);
        return;
    }
    struct fs_client *c = file_client("fsmove");
    if (!c)
        return;
    struct result r = fs_move(c, argv[1], (unsigned)disk);
    if (!result_is_ok(r)) {
        file_result("fsmove", argv[1], r);
        return;
    }
    printf("fsmove: the volume is on %s disk %lu now\n", argv[1], disk);
}

void cmd_df(int argc, char **argv, bool background)
{
    (void)argc, (void)argv, (void)background;
    struct fs_client *c = file_client("df");
    if (!c)
        return;
    struct fs_statfs s;
    struct result r = fs_statfs(c, &s);
    if (!result_is_ok(r)) {
        file_result("df", "statfs", r);
        return;
    }
    unsigned long long kib = s.block_size / 1024;
    printf("%12s %12s %12s %5s  %s\n", "SIZE(K)", "USED(K)", "FREE(K)", "USE%", "MOUNTED");
    printf("%12llu %12llu %12llu %4llu%%  /%s%s\n", (unsigned long long)s.blocks * kib,
           (unsigned long long)s.used * kib, (unsigned long long)s.free * kib,
           (unsigned long long)(s.blocks ? s.used * 100 / s.blocks : 0),
           s.flags & FS_STATFS_DEGRADED ? " (degraded: read-only)" : "",
           s.flags & FS_STATFS_STOPPED ? " (stopped after an I/O error)" : "");
    printf("generation %llu, %llu trees\n", (unsigned long long)s.generation,
           (unsigned long long)s.trees);
}

/* snap create|list|delete|mount [NAME]: the main tree's snapshots; mount shows where a
   snapshot is read (/.snap/NAME). */
void cmd_snap(int argc, char **argv, bool background)
{
    (void)background;
    const char *verb = argv[1];
    bool list = strcmp(verb, "list") == 0;
    if (!list && strcmp(verb, "create") != 0 && strcmp(verb, "delete") != 0 &&
        strcmp(verb, "mount") != 0) {
        printf("snap: unknown action '%s' (create, list, delete, mount)\n", verb);
        return;
    }
    if (list != (argc == 2)) {
        printf("snap: usage: snap create|delete|mount NAME, snap list\n");
        return;
    }
    struct fs_client *c = file_client("snap");
    if (!c)
        return;
    struct result r = result_ok();
    unsigned index = 0, flags = 0;
    if (list) {
        printf("%5s  %10s  %-4s  %s\n", "TREE", "CREATED", "MODE", "NAME");
        struct fs_tree t;
        for (unsigned i = 0; result_is_ok(r = fs_snapshot_list(c, i, &t)); i = t.index + 1)
            printf("%5u  %10llu  %-4s  %s\n", t.index, (unsigned long long)t.created_generation,
                   t.flags & FS_TREE_READ_ONLY ? "ro" : "rw", t.index == 0 ? "(main)" : t.name);
        if (r.source == RESULT_SERVICE && r.code == FS_ERROR_NOT_FOUND)
            r = result_ok();
    } else if (strcmp(verb, "create") == 0) {
        r = fs_snapshot_create(c, 0, argv[2], &index);
        if (result_is_ok(r))
            printf("snap: %s is tree %u, read-only at %s/%s\n", argv[2], index, "/.snap", argv[2]);
    } else if (strcmp(verb, "delete") == 0) {
        r = fs_snapshot_delete(c, argv[2]);
    } else {
        r = fs_snapshot_mount(c, argv[2], &index, &flags);
        if (result_is_ok(r))
            printf("snap: %s (tree %u) is at /.snap/%s, %s\n", argv[2], index, argv[2],
                   flags & FS_TREE_READ_ONLY ? "read-only" : "writable");
    }
    if (!result_is_ok(r))
        file_result("snap", list ? "list" : argv[2], r);
}

/* fsck: the server checks the committed volume without repairing (fsck.hmfs -n). */
void cmd_fsck(int argc, char **argv, bool background)
{
    (void)argc, (void)argv, (void)background;
    struct fs_client *c = file_client("fsck");
    if (!c)
        return;
    static char report[4096];
    struct fs_fsck_result f;
    struct result r = fs_fsck(c, report, sizeof report, &f);
    if (!result_is_ok(r)) {
        file_result("fsck", "check", r);
        return;
    }
    if (report[0])
        printf("%s%s", report, report[strlen(report) - 1] == '\n' ? "" : "\n");
    printf("fsck: %llu blocks, %llu inodes checked: %s (%llu errors)\n",
           (unsigned long long)f.blocks, (unsigned long long)f.inodes,
           f.errors ? "ERRORS" : "clean", (unsigned long long)f.errors);
}
