/*
 * linuxdisk: the Linux side of Missive's disk comparison (docs/disk-performance.md). Built with
 * gcc -static and run as /init of a small initramfs (tools/bench/linux/mkinitramfs.sh, with the
 * kernel modules the disk needs) under QEMU, beside linuxbench.
 *
 * It loads the modules in /modules (in name order), waits for the disk, and runs the rows of
 * lib/diskbench (the same requests, data and checks as Missive's apps/diskbench) on the raw
 * device with O_DIRECT through io_uring: one ring of 32 entries, the 4 MiB buffer and the
 * device registered with the ring (IORING_OP_READ_FIXED/WRITE_FIXED on a fixed file), the
 * device's I/O scheduler set to "none": Linux's leanest way to a raw disk, at queue depth 1 as
 * at 32. Each row prints a DISK line (diskbench.h); -s runs the idle spinner of diskbench.h
 * (for -icount runs).
 *
 *   linuxdisk [-d DEVICE] [-z full|check] [-s] [-r REPEATS]
 *
 * Run as process 1 it ends the machine when done (guest_finish(), guest.h): powered off on
 * success, a failure code through isa-debug-exit otherwise.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "diskbench/diskbench.h"
#include "fsbench/fsbench.h"
#include "guest.h"

const char guest_program[] = "linuxdisk";

#define MODULE_DIR   "/modules"
#define DISK_WAIT_MS 30000 /* how long the disk may take to appear after the modules */

/* Opens the console on fds 0-2 if they are not open (as /init they are not): devtmpfs is
   mounted on /dev, which the disk's node needs too. Mounts proc and sysfs for the module and
   device state. */
static void set_up_process_one(void)
{
    if (getpid() != 1)
        return;
    mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
    mount("proc", "/proc", "proc", 0, NULL);
    mount("sysfs", "/sys", "sysfs", 0, NULL);
    if (fcntl(1, F_GETFD) != -1)
        return;
    guest_open_console();
}

/* Orders directory entries by name for scandir. */
static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

/* Loads every *.ko of MODULE_DIR in name order (the initramfs names them NN-name.ko in
   dependency order). A module already there is fine, and so is one for hardware this machine
   lacks (ENODEV: crc32c-intel on a CPU without SSE4.2, where crc32c_generic serves); any other
   failure ends the run. */
static void load_modules(void)
{
    struct dirent **names;
    int n = scandir(MODULE_DIR, &names, NULL, by_name);
    if (n < 0)
        return; /* no modules: everything is built in (or a host run) */
    for (int i = 0; i < n; i++) {
        const char *name = names[i]->d_name;
        size_t len = strlen(name);
        if (len > 3 && strcmp(name + len - 3, ".ko") == 0) {
            char path[300];
            snprintf(path, sizeof path, "%s/%s", MODULE_DIR, name);
            int fd = open(path, O_RDONLY | O_CLOEXEC);
            if (fd < 0)
                guest_die(path);
            if (syscall(SYS_finit_module, fd, "", 0) != 0 && errno != EEXIST && errno != ENODEV) {
                fprintf(stderr, "linuxdisk: loading %s: %s\n", path, strerror(errno));
                guest_finish(1);
            }
            close(fd);
        }
        free(names[i]);
    }
    free(names);
}

/* Waits until path exists (the disk appears asynchronously after its driver loaded), for at
   most DISK_WAIT_MS. */
static void wait_for(const char *path)
{
    struct timespec tick = {0, 10 * 1000 * 1000};
    for (int waited = 0; access(path, F_OK) != 0; waited += 10) {
        if (waited >= DISK_WAIT_MS) {
            fprintf(stderr, "linuxdisk: %s did not appear within %d ms\n", path, DISK_WAIT_MS);
            guest_finish(1);
        }
        nanosleep(&tick, NULL);
    }
}

/* Writes value into a sysfs file; false if it cannot. */
static int write_sysfs(const char *path, const char *value)
{
    int fd = open(path, O_WRONLY);
    if (fd < 0)
        return 0;
    int ok = write(fd, value, strlen(value)) == (ssize_t)strlen(value);
    close(fd);
    return ok;
}

/* --- io_uring by its raw system calls ------------------------------------------------- */

struct uring {
    int fd;
    unsigned *sq_head, *sq_tail, *sq_mask, *sq_array;
    unsigned *cq_head, *cq_tail, *cq_mask;
    struct io_uring_sqe *sqes;
    struct io_uring_cqe *cqes;
    uint8_t *buffer;                          /* registered as fixed buffer 0 */
    uint32_t slot_bytes[DISKBENCH_MAX_DEPTH]; /* each slot's request, for the length check */
};

/* Sets up ring with DISKBENCH_MAX_DEPTH entries and registers buffer (DISKBENCH_BUFFER_BYTES)
   and the device disk_fd (as fixed file 0) with it; dies on failure. */
static void uring_init(struct uring *ring, int disk_fd, uint8_t *buffer)
{
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    ring->fd = (int)syscall(__NR_io_uring_setup, DISKBENCH_MAX_DEPTH, &p);
    if (ring->fd < 0)
        guest_die("io_uring_setup");
    size_t sq_bytes = p.sq_off.array + p.sq_entries * sizeof(unsigned);
    size_t cq_bytes = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
    int single = (p.features & IORING_FEAT_SINGLE_MMAP) != 0;
    if (single && cq_bytes > sq_bytes)
        sq_bytes = cq_bytes;
    uint8_t *sq = mmap(NULL, sq_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring->fd,
                       IORING_OFF_SQ_RING);
    uint8_t *cq = single ? sq
                         : mmap(NULL, cq_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
                                ring->fd, IORING_OFF_CQ_RING);
    ring->sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
                      MAP_SHARED | MAP_POPULATE, ring->fd, IORING_OFF_SQES);
    if (sq == MAP_FAILED || cq == MAP_FAILED || ring->sqes == MAP_FAILED)
        guest_die("mapping the io_uring");
    ring->sq_head = (unsigned *)(sq + p.sq_off.head);
    ring->sq_tail = (unsigned *)(sq + p.sq_off.tail);
    ring->sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);
    ring->sq_array = (unsigned *)(sq + p.sq_off.array);
    ring->cq_head = (unsigned *)(cq + p.cq_off.head);
    ring->cq_tail = (unsigned *)(cq + p.cq_off.tail);
    ring->cq_mask = (unsigned *)(cq + p.cq_off.ring_mask);
    ring->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
    ring->buffer = buffer;
    struct iovec iov = {buffer, DISKBENCH_BUFFER_BYTES};
    if (syscall(__NR_io_uring_register, ring->fd, IORING_REGISTER_BUFFERS, &iov, 1) != 0)
        guest_die("io_uring_register buffers");
    if (syscall(__NR_io_uring_register, ring->fd, IORING_REGISTER_FILES, &disk_fd, 1) != 0)
        guest_die("io_uring_register files");
}

/* diskbench_io's queue: one fixed-buffer read or write on the fixed file, in the next
   submission entry (the ring has as many entries as requests can be in flight). */
static int uring_queue(void *context, unsigned slot, enum diskbench_op op, uint64_t offset,
                       uint32_t bytes)
{
    struct uring *ring = context;
    unsigned tail = *ring->sq_tail, index = tail & *ring->sq_mask;
    struct io_uring_sqe *sqe = &ring->sqes[index];
    memset(sqe, 0, sizeof *sqe);
    sqe->opcode = op == DISKBENCH_WRITE ? IORING_OP_WRITE_FIXED : IORING_OP_READ_FIXED;
    sqe->flags = IOSQE_FIXED_FILE;
    sqe->fd = 0;
    sqe->addr = (uint64_t)(uintptr_t)(ring->buffer + (size_t)slot * DISKBENCH_MAX_REQUEST);
    sqe->len = bytes;
    sqe->off = offset;
    sqe->buf_index = 0;
    sqe->user_data = slot;
    ring->sq_array[index] = index;
    ring->slot_bytes[slot] = bytes;
    __atomic_store_n(ring->sq_tail, tail + 1, __ATOMIC_RELEASE);
    return 0;
}

/* diskbench_io's complete: one io_uring_enter submits what was queued and waits for a
   completion; then the completion queue is drained. A request that failed or moved fewer
   bytes than asked gives -EIO (its error printed). */
static int uring_complete(void *context, unsigned queued, unsigned *slots, unsigned max)
{
    struct uring *ring = context;
    int n = 0;
    while (n == 0) {
        long r = syscall(__NR_io_uring_enter, ring->fd, queued, 1, IORING_ENTER_GETEVENTS, NULL, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 || (unsigned)r != queued) {
            fprintf(stderr, "linuxdisk: io_uring_enter submitted %ld of %u: %s\n", r, queued,
                    r < 0 ? strerror(errno) : "short");
            return -EIO;
        }
        queued = 0;
        unsigned head = *ring->cq_head;
        unsigned tail = __atomic_load_n(ring->cq_tail, __ATOMIC_ACQUIRE);
        for (; head != tail && (unsigned)n < max; head++) {
            struct io_uring_cqe *cqe = &ring->cqes[head & *ring->cq_mask];
            unsigned slot = (unsigned)cqe->user_data;
            if (slot >= DISKBENCH_MAX_DEPTH || cqe->res != (int)ring->slot_bytes[slot]) {
                fprintf(stderr, "linuxdisk: request on slot %u: %s\n", slot,
                        cqe->res < 0 ? strerror(-cqe->res) : "short transfer");
                return -EIO;
            }
            slots[n++] = slot;
        }
        __atomic_store_n(ring->cq_head, head, __ATOMIC_RELEASE);
    }
    return n;
}

/* --- the idle spinner (diskbench.h) --------------------------------------------------- */

/* The spinner: a child of the lowest scheduling class (SCHED_IDLE) on CPU 0 that counts its
   turns of exactly DISKBENCH_SPIN_INSTRUCTIONS instructions in *counter (shared memory).
   Returns its pid. */
static pid_t start_spinner(volatile uint64_t *counter)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        guest_die("fork");
    if (pid > 0)
        return pid;
    /* It ends with its parent, however that ends (a host run cut short included). */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    struct sched_param none = {0};
    if (sched_setscheduler(0, SCHED_IDLE, &none) != 0)
        guest_die("sched_setscheduler SCHED_IDLE");
    __asm__ volatile("1: pause\n\t"
                     "addq $1, (%0)\n\t"
                     "jmp 1b" ::"r"(counter)
                     : "memory");
    _exit(0); /* not reached */
}

/* Ends the spinner (pid 0: none runs). */
static void stop_spinner(pid_t spinner)
{
    if (spinner > 0) {
        kill(spinner, SIGKILL);
        waitpid(spinner, NULL, 0);
    }
}

/* --- the rows ------------------------------------------------------------------------- */

/* Runs every row repeats times through ring, printing a DISK line each; the spinner's count
   (NULL: none) is read around each. A failed request or a wrong block ends the run. */
static void run_rows(struct uring *ring, const struct diskbench_size *size, int repeats,
                     volatile uint64_t *spins)
{
    struct diskbench_io io = {ring, ring->buffer, uring_queue, uring_complete};
    for (int r = 0; r < repeats; r++) {
        for (int i = 0; i < DISKBENCH_ROW_COUNT; i++) {
            const struct diskbench_row *row = &diskbench_rows[i];
            uint64_t s0 = spins ? *spins : 0;
            uint64_t t0 = guest_ticks();
            struct diskbench_outcome out = diskbench_run(row, size, &io);
            uint64_t t1 = guest_ticks();
            uint64_t s1 = spins ? *spins : 0;
            if (out.error != 0) {
                fprintf(stderr, "linuxdisk: %s: failed after %llu requests\n", row->name,
                        (unsigned long long)out.requests);
                guest_finish(1);
            }
            if (out.bad_blocks != 0) {
                fprintf(stderr, "linuxdisk: %s: %llu blocks read back wrong\n", row->name,
                        (unsigned long long)out.bad_blocks);
                guest_finish(1);
            }
            char line[DISKBENCH_LINE_MAX];
            diskbench_format(line, row->name, out.requests, out.bytes, t1 - t0,
                             (s1 - s0) * DISKBENCH_SPIN_INSTRUCTIONS);
            printf("%s\n", line);
            fflush(stdout);
        }
    }
}

/* --- the filesystem rows ------------------------------------------------------------- */

#define FS_MOUNT "/mnt"

/* Mounts device (ext4) on FS_MOUNT, runs every fsbench row repeats times in FS_MOUNT/bench
   (each pass leaves the directory empty and the big file to be replaced by the next),
   printing an FS line each, and unmounts. The page cache is dropped before each read of the
   big file. A device that is a directory (a host run) is used as it is, without mounting or
   dropping anything. A failed row ends the run. */
static void run_fs_rows(const char *device, const struct fsbench_size *size, int repeats,
                        volatile uint64_t *spins, uint8_t *buffer)
{
    struct stat st;
    int directory = stat(device, &st) == 0 && S_ISDIR(st.st_mode);
    char root[FSBENCH_PATH_MAX - 20];
    snprintf(root, sizeof root, "%s/bench", directory ? device : FS_MOUNT);
    if (!directory && mount(device, FS_MOUNT, "ext4", 0, NULL) != 0)
        guest_die("mount ext4");
    if (mkdir(root, 0755) != 0 && errno != EEXIST)
        guest_die(root);
    for (int r = 0; r < repeats; r++) {
        for (int row = 0; row < FSBENCH_ROW_COUNT; row++) {
            if (row == FSBENCH_READ && !directory) {
                sync();
                if (!write_sysfs("/proc/sys/vm/drop_caches", "3"))
                    guest_die("drop_caches");
            }
            struct fsbench_outcome out;
            uint64_t s0 = spins ? *spins : 0;
            uint64_t t0 = guest_ticks();
            bool ok = fsbench_run((enum fsbench_row)row, root, size, buffer, &out);
            uint64_t t1 = guest_ticks();
            uint64_t s1 = spins ? *spins : 0;
            if (!ok) {
                fprintf(stderr, "linuxdisk: %s: %s\n", fsbench_row_names[row], out.error);
                guest_finish(1);
            }
            char line[FSBENCH_LINE_MAX];
            fsbench_format(line, fsbench_row_names[row], out.operations, out.bytes, t1 - t0,
                           (s1 - s0) * DISKBENCH_SPIN_INSTRUCTIONS);
            printf("%s\n", line);
            fflush(stdout);
        }
    }
    if (!directory && umount(FS_MOUNT) != 0)
        guest_die("umount");
}

static void usage(void)
{
    fprintf(stderr, "usage: linuxdisk [-m disk|fs] [-d DEVICE] [-z full|check] [-s] [-r N]\n"
                    "  -m  disk: the raw disk's rows (default); fs: the ext4 rows on it\n"
                    "  -d  the disk (default /dev/sda); with -m fs a directory is used as it is\n"
                    "  -z  full: 256 MiB sequential, 4096 random reads, 64 MiB file, 10,000\n"
                    "      files; check: 4 MiB, 64, 1 MiB, 100\n"
                    "  -s  run the idle spinner (for -icount runs: diskbench.h)\n"
                    "  -r  run all rows this many times (1..10, default 1)\n");
    guest_finish(2);
}

int main(int argc, char **argv)
{
    set_up_process_one();
    const char *device = "/dev/sda";
    struct diskbench_size size;
    struct fsbench_size fs_size;
    diskbench_size_named("full", &size);
    fsbench_size_named("full", &fs_size);
    int spin = 0, repeats = 1, fs = 0, opt;
    while ((opt = getopt(argc, argv, "m:d:z:sr:")) != -1) {
        switch (opt) {
        case 'm':
            if (strcmp(optarg, "disk") != 0 && strcmp(optarg, "fs") != 0) {
                fprintf(stderr, "linuxdisk: unknown set '%s' (disk, fs)\n", optarg);
                usage();
            }
            fs = strcmp(optarg, "fs") == 0;
            break;
        case 'd':
            device = optarg;
            break;
        case 'z':
            if (!diskbench_size_named(optarg, &size) || !fsbench_size_named(optarg, &fs_size)) {
                fprintf(stderr, "linuxdisk: unknown size '%s' (full, check)\n", optarg);
                usage();
            }
            break;
        case 's':
            spin = 1;
            break;
        case 'r':
            repeats = atoi(optarg);
            if (repeats < 1 || repeats > 10) {
                fprintf(stderr, "linuxdisk: bad repeat count '%s' (1..10)\n", optarg);
                usage();
            }
            break;
        default:
            usage();
        }
    }
    if (optind != argc) {
        fprintf(stderr, "linuxdisk: unexpected argument '%s'\n", argv[optind]);
        usage();
    }

    load_modules();
    wait_for(device);
    const char *base = strrchr(device, '/') ? strrchr(device, '/') + 1 : device;
    char sysdir[128], path[192];
    snprintf(sysdir, sizeof sysdir, "/sys/block/%s", base);
    snprintf(path, sizeof path, "%s/queue/scheduler", sysdir);
    if (getpid() == 1 && !write_sysfs(path, "none"))
        printf("# could not set %s to none\n", path);
    guest_print_kernel();
    guest_print_file(sysdir, "size");
    guest_print_file(sysdir, "device/model");
    guest_print_file(sysdir, "device/queue_depth");
    guest_print_file(sysdir, "queue/scheduler");
    guest_print_file(sysdir, "queue/max_sectors_kb");

    uint8_t *buffer = mmap(NULL, DISKBENCH_BUFFER_BYTES, PROT_READ | PROT_WRITE,
                           MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    volatile uint64_t *spins =
        mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (buffer == MAP_FAILED || spins == MAP_FAILED)
        guest_die("memory for the buffers");
    guest_pin_to_cpu(0);
    if (fs) {
        pid_t spinner = spin ? start_spinner(spins) : 0;
        printf("# linuxdisk: ext4 on %s, %s\n", device, spin ? "idle spinner" : "no spinner");
        run_fs_rows(device, &fs_size, repeats, spin ? spins : NULL, buffer);
        stop_spinner(spinner);
    } else {
        int fd = open(device, O_RDWR | O_DIRECT | O_CLOEXEC);
        if (fd < 0)
            guest_die(device);
        off_t disk_bytes = lseek(fd, 0, SEEK_END);
        if (disk_bytes < (off_t)size.area_bytes) {
            fprintf(stderr, "linuxdisk: %s has %lld bytes, the rows need %llu\n", device,
                    (long long)disk_bytes, (unsigned long long)size.area_bytes);
            guest_finish(1);
        }
        struct uring ring;
        uring_init(&ring, fd, buffer);
        pid_t spinner = spin ? start_spinner(spins) : 0;
        printf("# linuxdisk: %s, io_uring, %s\n", device, spin ? "idle spinner" : "no spinner");
        run_rows(&ring, &size, repeats, spin ? spins : NULL);
        stop_spinner(spinner);
    }
    printf("# linuxdisk: done\n");
    guest_finish(0);
    return 0;
}
