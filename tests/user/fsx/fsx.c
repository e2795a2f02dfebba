/*
 * fsx inside Missive (docs/testing.md): a seeded, reproducible random mix of file operations
 * through libsys's POSIX calls and picolibc's stdio (create, write at random offsets with
 * holes, append, truncate, read, stat, rename of files and directories, unlink, mkdir, rmdir,
 * readdir, fsync, fopen/fprintf/fgets), each answer checked against a model in memory: every
 * byte read, every size, every errno the model says the call must give.
 *
 * The files are 12 slots: f0..f3 in the test directory and in its two subdirectories d0 and
 * d1, which come and go. A run prints the first failures (at most FSX_SHOWN) and the count line
 * of tests/user/lib.
 */
#define _DEFAULT_SOURCE /* fsync, ftruncate under -std=c11 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsx.h"
#include "testlib.h"

#define FSX_DIRS     3 /* the top directory, d0, d1 */
#define FSX_NAMES    4 /* f0..f3 in each */
#define FSX_SLOTS    (FSX_DIRS * FSX_NAMES)
#define FSX_MAX_SIZE (48u * 1024) /* a file spans a dozen HMFS data blocks at most */
#define FSX_MAX_IO   8192u

struct fsx_file {
    bool exists;
    size_t size;
    unsigned char *data; /* FSX_MAX_SIZE bytes */
};

static struct fsx_model {
    const char *top;
    bool dir_exists[FSX_DIRS]; /* [0], the top, always */
    struct fsx_file files[FSX_SLOTS];
} model;

static uint64_t fsx_state;
static unsigned long fsx_op;
static unsigned char io_buffer[FSX_MAX_IO + FSX_MAX_SIZE];

uint64_t fsx_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* A number in 0..n-1. */
static unsigned fsx_below(unsigned n)
{
    return (unsigned)(fsx_random(&fsx_state) % n);
}

static void fsx_dir_path(unsigned dir, char *out, size_t cap)
{
    if (dir == 0)
        snprintf(out, cap, "%s", model.top);
    else
        snprintf(out, cap, "%s/d%u", model.top, dir - 1);
}

static void fsx_slot_path(unsigned slot, char *out, size_t cap)
{
    char dir[256];
    fsx_dir_path(slot / FSX_NAMES, dir, sizeof dir);
    snprintf(out, cap, "%s/f%u", dir, slot % FSX_NAMES);
}

/* Checks that a call's result r (0 or -1 with errno) is what the model wants: want_errno 0 for
   success. */
static void fsx_expect(const char *what, const char *path, long r, int want_errno)
{
    char label[320];
    snprintf(label, sizeof label, "op %lu %s %s: errno", fsx_op, what, path);
    check(label, r < 0 ? errno : 0, want_errno);
}

/* The errno opening an existing-or-not file in slot must give: ENOENT when its directory is
   gone or (without create) the file is. */
static int fsx_missing_errno(unsigned slot, bool create)
{
    if (!model.dir_exists[slot / FSX_NAMES])
        return ENOENT;
    return !create && !model.files[slot].exists ? ENOENT : 0;
}

static void fsx_fill_random(unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)fsx_random(&fsx_state);
}

/* Writes n model bytes at offset into the model (the gap before it reads as zeros). */
static void fsx_model_write(struct fsx_file *f, size_t offset, const unsigned char *p, size_t n)
{
    if (offset > f->size)
        memset(f->data + f->size, 0, offset - f->size);
    memcpy(f->data + offset, p, n);
    if (offset + n > f->size)
        f->size = offset + n;
}

static void fsx_create(unsigned slot)
{
    char path[320];
    fsx_slot_path(slot, path, sizeof path);
    int want = fsx_missing_errno(slot, true);
    if (!want && model.files[slot].exists)
        want = EEXIST;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
    fsx_expect("create", path, fd, want);
    if (fd >= 0) {
        close(fd);
        model.files[slot].exists = true;
        model.files[slot].size = 0;
    }
}

/* Writes random bytes at a random offset (or at the end with append). */
static void fsx_write(unsigned slot, bool append)
{
    char path[320];
    fsx_slot_path(slot, path, sizeof path);
    struct fsx_file *f = &model.files[slot];
    int fd = open(path, O_WRONLY | (append ? O_APPEND : 0));
    fsx_expect(append ? "open to append" : "open to write", path, fd,
               fsx_missing_errno(slot, false));
    if (fd < 0)
        return;
    if (append && f->size >= FSX_MAX_SIZE) { /* full: the model holds no more */
        fsx_expect("close", path, close(fd), 0);
        return;
    }
    size_t offset = append ? f->size : fsx_below((unsigned)(f->size + 4096 + 1));
    if (offset >= FSX_MAX_SIZE)
        offset = FSX_MAX_SIZE - 1;
    size_t n = 1 + fsx_below(FSX_MAX_IO);
    if (offset + n > FSX_MAX_SIZE)
        n = FSX_MAX_SIZE - offset;
    fsx_fill_random(io_buffer, n);
    if (!append) {
        off_t at = lseek(fd, (off_t)offset, SEEK_SET);
        fsx_expect("lseek", path, at == (off_t)offset ? 0 : -1, 0);
    }
    ssize_t wrote = write(fd, io_buffer, n);
    char label[320];
    snprintf(label, sizeof label, "op %lu write %s at %zu: bytes", fsx_op, path, offset);
    check(label, wrote, (long)n);
    if (wrote == (ssize_t)n)
        fsx_model_write(f, offset, io_buffer, n);
    fsx_expect("close", path, close(fd), 0);
}

static void fsx_truncate(unsigned slot)
{
    char path[320];
    fsx_slot_path(slot, path, sizeof path);
    struct fsx_file *f = &model.files[slot];
    bool by_open = fsx_below(4) == 0; /* O_TRUNC instead of ftruncate */
    int fd = open(path, O_WRONLY | (by_open ? O_TRUNC : 0));
    fsx_expect("open to truncate", path, fd, fsx_missing_errno(slot, false));
    if (fd < 0)
        return;
    size_t size = by_open ? 0 : fsx_below(FSX_MAX_SIZE + 1);
    if (!by_open)
        fsx_expect("ftruncate", path, ftruncate(fd, (off_t)size), 0);
    if (size > f->size)
        memset(f->data + f->size, 0, size - f->size);
    f->size = size;
    fsx_expect("close", path, close(fd), 0);
}

/* Reads a random range (sometimes the whole file and past its end) and compares it. */
static void fsx_read(unsigned slot)
{
    char path[320], label[320];
    fsx_slot_path(slot, path, sizeof path);
    struct fsx_file *f = &model.files[slot];
    int fd = open(path, fsx_below(2) ? O_RDONLY : O_RDWR);
    fsx_expect("open to read", path, fd, fsx_missing_errno(slot, false));
    if (fd < 0)
        return;
    struct stat st;
    fsx_expect("fstat", path, fstat(fd, &st), 0);
    snprintf(label, sizeof label, "op %lu fstat %s: size", fsx_op, path);
    check(label, (long)st.st_size, (long)f->size);
    bool whole = fsx_below(4) == 0;
    size_t offset = whole ? 0 : fsx_below((unsigned)(f->size + 100));
    size_t n = whole ? f->size + 10 : 1 + fsx_below(FSX_MAX_IO);
    if (lseek(fd, (off_t)offset, SEEK_SET) != (off_t)offset)
        fsx_expect("lseek", path, -1, 0);
    size_t want = offset >= f->size ? 0 : (f->size - offset < n ? f->size - offset : n);
    size_t got = 0;
    for (;;) { /* read may return fewer: go on until the end or n */
        ssize_t r = read(fd, io_buffer + got, n - got);
        if (r < 0)
            fsx_expect("read", path, -1, 0);
        if (r <= 0)
            break;
        got += (size_t)r;
        if (got == n)
            break;
    }
    snprintf(label, sizeof label, "op %lu read %s at %zu: bytes", fsx_op, path, offset);
    check(label, (long)got, (long)want);
    if (got == want && want > 0 && memcmp(io_buffer, f->data + offset, want) != 0) {
        size_t i = 0;
        while (io_buffer[i] == f->data[offset + i])
            i++;
        check_fail("op %lu read %s: byte %zu is 0x%02x, want 0x%02x", fsx_op, path, offset + i,
                   io_buffer[i], f->data[offset + i]);
    } else {
        check(label, 0, 0);
    }
    fsx_expect("close", path, close(fd), 0);
}

static void fsx_stat(unsigned slot)
{
    char path[320], label[320];
    fsx_slot_path(slot, path, sizeof path);
    struct stat st;
    int r = stat(path, &st);
    fsx_expect("stat", path, r, fsx_missing_errno(slot, false));
    if (r == 0) {
        snprintf(label, sizeof label, "op %lu stat %s: size", fsx_op, path);
        check(label, (long)st.st_size, (long)model.files[slot].size);
        snprintf(label, sizeof label, "op %lu stat %s: regular file", fsx_op, path);
        check(label, S_ISREG(st.st_mode), 1);
    }
}

static void fsx_unlink(unsigned slot)
{
    char path[320];
    fsx_slot_path(slot, path, sizeof path);
    fsx_expect("unlink", path, unlink(path), fsx_missing_errno(slot, false));
    model.files[slot].exists = false;
}

/* Renames a file slot onto another: it replaces what is there. */
static void fsx_rename_file(unsigned from, unsigned to)
{
    char a[320], b[320];
    fsx_slot_path(from, a, sizeof a);
    fsx_slot_path(to, b, sizeof b);
    int want = fsx_missing_errno(from, false);
    if (!want && !model.dir_exists[to / FSX_NAMES])
        want = ENOENT;
    fsx_expect("rename to", a, rename(a, b), want);
    if (want || from == to)
        return;
    struct fsx_file moved = model.files[from];
    model.files[from].exists = false;
    unsigned char *spare = model.files[to].data;
    model.files[to] = moved;
    model.files[from].data = spare; /* the buffers swap: each slot keeps one */
}

static bool fsx_dir_empty(unsigned dir)
{
    for (unsigned i = 0; i < FSX_NAMES; i++)
        if (model.files[dir * FSX_NAMES + i].exists)
            return false;
    return true;
}

static void fsx_mkdir(unsigned dir)
{
    char path[256];
    fsx_dir_path(dir, path, sizeof path);
    fsx_expect("mkdir", path, mkdir(path, 0755), model.dir_exists[dir] ? EEXIST : 0);
    model.dir_exists[dir] = true;
}

static void fsx_rmdir(unsigned dir)
{
    char path[256];
    fsx_dir_path(dir, path, sizeof path);
    int want = !model.dir_exists[dir] ? ENOENT : !fsx_dir_empty(dir) ? ENOTEMPTY : 0;
    fsx_expect("rmdir", path, rmdir(path), want);
    if (!want)
        model.dir_exists[dir] = false;
}

/* Renames subdirectory from to the missing to: its files move along. */
static void fsx_rename_dir(unsigned from, unsigned to)
{
    char a[256], b[256];
    if (from == to || model.dir_exists[to])
        return; /* replacing a directory is the server's EEXIST, not POSIX's: not exercised */
    fsx_dir_path(from, a, sizeof a);
    fsx_dir_path(to, b, sizeof b);
    int want = model.dir_exists[from] ? 0 : ENOENT;
    fsx_expect("rename directory to", a, rename(a, b), want);
    if (want)
        return;
    model.dir_exists[from] = false;
    model.dir_exists[to] = true;
    for (unsigned i = 0; i < FSX_NAMES; i++) {
        struct fsx_file t = model.files[to * FSX_NAMES + i];
        model.files[to * FSX_NAMES + i] = model.files[from * FSX_NAMES + i];
        model.files[from * FSX_NAMES + i] = t;
        model.files[from * FSX_NAMES + i].exists = false;
    }
}

/* Lists a directory: exactly the model's names, each once. */
static void fsx_readdir(unsigned dir)
{
    char path[256], label[320];
    fsx_dir_path(dir, path, sizeof path);
    DIR *d = opendir(path);
    fsx_expect("opendir", path, d ? 0 : -1, model.dir_exists[dir] ? 0 : ENOENT);
    if (!d)
        return;
    unsigned seen[FSX_DIRS + FSX_NAMES] = {0}, others = 0;
    struct dirent *e;
    errno = 0;
    while ((e = readdir(d)) != NULL) {
        unsigned k;
        if (e->d_name[0] == 'f' && e->d_name[1] >= '0' && e->d_name[1] < '0' + FSX_NAMES &&
            !e->d_name[2] && e->d_type == DT_REG)
            seen[e->d_name[1] - '0']++;
        else if (dir == 0 && e->d_name[0] == 'd' && (k = (unsigned)(e->d_name[1] - '0')) < 2 &&
                 !e->d_name[2] && e->d_type == DT_DIR)
            seen[FSX_NAMES + k]++;
        else
            others++;
    }
    fsx_expect("readdir", path, errno ? -1 : 0, 0);
    for (unsigned i = 0; i < FSX_NAMES; i++) {
        snprintf(label, sizeof label, "op %lu readdir %s: f%u listed", fsx_op, path, i);
        check(label, seen[i], model.files[dir * FSX_NAMES + i].exists);
    }
    if (dir == 0)
        for (unsigned k = 0; k < 2; k++) {
            snprintf(label, sizeof label, "op %lu readdir %s: d%u listed", fsx_op, path, k);
            check(label, seen[FSX_NAMES + k], model.dir_exists[1 + k]);
        }
    snprintf(label, sizeof label, "op %lu readdir %s: other names", fsx_op, path);
    check(label, others, 0);
    closedir(d);
}

static void fsx_fsync(unsigned slot)
{
    char path[320];
    fsx_slot_path(slot, path, sizeof path);
    int fd = open(path, O_RDONLY);
    fsx_expect("open to fsync", path, fd, fsx_missing_errno(slot, false));
    if (fd < 0)
        return;
    fsx_expect("fsync", path, fsync(fd), 0);
    close(fd);
}

/* Lines written with fopen/fprintf and read back with fgets. */
static void fsx_stdio(unsigned slot)
{
    char path[320], line[64], label[320];
    fsx_slot_path(slot, path, sizeof path);
    FILE *f = fopen(path, "w");
    fsx_expect("fopen to write", path, f ? 0 : -1, fsx_missing_errno(slot, true));
    if (!f)
        return;
    unsigned lines = 1 + fsx_below(20);
    uint64_t tag = fsx_random(&fsx_state);
    struct fsx_file *m = &model.files[slot];
    m->exists = true;
    m->size = 0;
    for (unsigned i = 0; i < lines; i++) {
        int n = snprintf(line, sizeof line, "line %u of %u: %llx\n", i, lines,
                         (unsigned long long)(tag + i));
        fprintf(f, "%s", line);
        fsx_model_write(m, m->size, (const unsigned char *)line, (size_t)n);
    }
    fsx_expect("fclose", path, fclose(f), 0);
    f = fopen(path, "r");
    fsx_expect("fopen to read", path, f ? 0 : -1, 0);
    if (!f)
        return;
    unsigned got = 0;
    while (fgets(line, sizeof line, f)) {
        char want[64];
        snprintf(want, sizeof want, "line %u of %u: %llx\n", got, lines,
                 (unsigned long long)(tag + got));
        snprintf(label, sizeof label, "op %lu fgets %s line %u", fsx_op, path, got);
        check_string(label, line, want);
        got++;
    }
    snprintf(label, sizeof label, "op %lu fgets %s: lines", fsx_op, path);
    check(label, got, lines);
    fclose(f);
}

/* One random operation. */
static void fsx_step(void)
{
    unsigned slot = fsx_below(FSX_SLOTS), dir = 1 + fsx_below(2);
    unsigned what = fsx_below(100);
    if (what < 10)
        fsx_create(slot);
    else if (what < 32)
        fsx_write(slot, false);
    else if (what < 38)
        fsx_write(slot, true);
    else if (what < 44)
        fsx_truncate(slot);
    else if (what < 62)
        fsx_read(slot);
    else if (what < 66)
        fsx_stat(slot);
    else if (what < 71)
        fsx_unlink(slot);
    else if (what < 78)
        fsx_rename_file(slot, fsx_below(FSX_SLOTS));
    else if (what < 82)
        fsx_mkdir(dir);
    else if (what < 85)
        fsx_rmdir(dir);
    else if (what < 87)
        fsx_rename_dir(dir, 3 - dir);
    else if (what < 92)
        fsx_readdir(fsx_below(FSX_DIRS));
    else if (what < 95)
        fsx_fsync(slot);
    else
        fsx_stdio(slot);
}

/* A directory of FSX_MANY names, listed (twice, with rewinddir between) in the batches readdir
   fetches: each name exactly once; then emptied and removed. */
#define FSX_MANY 200
static void fsx_many_names(void)
{
    char dir[256], path[320], label[320];
    snprintf(dir, sizeof dir, "%s/many", model.top);
    fsx_expect("mkdir", dir, mkdir(dir, 0755), 0);
    for (unsigned i = 0; i < FSX_MANY; i++) {
        snprintf(path, sizeof path, "%s/name-%03u", dir, i);
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
        fsx_expect("create", path, fd, 0);
        if (fd >= 0)
            close(fd);
    }
    DIR *d = opendir(dir);
    fsx_expect("opendir", dir, d ? 0 : -1, 0);
    if (!d)
        return;
    for (int round = 0; round < 2; round++) {
        static unsigned char seen[FSX_MANY];
        unsigned others = 0;
        memset(seen, 0, sizeof seen);
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            char *end;
            unsigned long i = strtoul(e->d_name + 5, &end, 10);
            if (strncmp(e->d_name, "name-", 5) == 0 && !*end && i < FSX_MANY)
                seen[i]++;
            else
                others++;
        }
        unsigned once = 0;
        for (unsigned i = 0; i < FSX_MANY; i++)
            once += seen[i] == 1;
        snprintf(label, sizeof label, "readdir %s (round %d): names listed once", dir, round);
        check(label, once, FSX_MANY);
        snprintf(label, sizeof label, "readdir %s (round %d): other names", dir, round);
        check(label, others, 0);
        rewinddir(d);
    }
    closedir(d);
    for (unsigned i = 0; i < FSX_MANY; i++) {
        snprintf(path, sizeof path, "%s/name-%03u", dir, i);
        fsx_expect("unlink", path, unlink(path), 0);
    }
    fsx_expect("rmdir", dir, rmdir(dir), 0);
}

/* At the end: every slot read whole and every directory listed. */
static void fsx_final_check(void)
{
    for (unsigned dir = 0; dir < FSX_DIRS; dir++)
        fsx_readdir(dir);
    for (unsigned slot = 0; slot < FSX_SLOTS; slot++) {
        char path[320], label[320];
        struct fsx_file *f = &model.files[slot];
        fsx_slot_path(slot, path, sizeof path);
        int fd = open(path, O_RDONLY);
        fsx_expect("final open", path, fd, fsx_missing_errno(slot, false));
        if (fd < 0)
            continue;
        ssize_t got = read(fd, io_buffer, sizeof io_buffer);
        snprintf(label, sizeof label, "final read %s: bytes", path);
        check(label, got, (long)f->size);
        snprintf(label, sizeof label, "final read %s: contents", path);
        check(label, got == (ssize_t)f->size && memcmp(io_buffer, f->data, f->size) == 0, 1);
        close(fd);
    }
}

int fsx_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

int fsx_run(uint64_t seed, unsigned long ops, const char *top, const char *until)
{
    fsx_state = seed;
    model.top = top;
    model.dir_exists[0] = true;
    for (unsigned i = 0; i < FSX_SLOTS; i++) {
        model.files[i].data = malloc(FSX_MAX_SIZE);
        if (!model.files[i].data) {
            check_fail("out of memory for the model");
            return check_report("run");
        }
    }
    if (mkdir(top, 0755) != 0 && errno != EEXIST) {
        check_fail("mkdir %s: %s", top, strerror(errno));
        return check_report("run");
    }
    posix_checks(top);
    fsx_many_names();
    for (fsx_op = 1; fsx_op <= ops || (until && (fsx_op % FSX_UNTIL_EVERY || !fsx_exists(until)));
         fsx_op++) {
        fsx_step();
        if (check_failures() >= FSX_SHOWN) {
            printf("fsx: stopping at operation %lu after %d failures\n", fsx_op, check_failures());
            break;
        }
    }
    fsx_final_check();
    printf("fsx: seed %llu: %lu operations on %s\n", (unsigned long long)seed, fsx_op - 1, top);
    return check_report("run");
}
