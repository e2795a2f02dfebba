/*
 * linuxbench: the Linux side of Missive's IPC comparison (docs/ipc-performance.md,
 * "Linux side by side"). Built with gcc -static and run as /init of a small
 * initramfs under QEMU, or as a plain program on any Linux host.
 *
 * It times, in rdtsc ticks (guest instructions under QEMU's -icount shift=0):
 *   null-syscall          getppid() through the raw `syscall` instruction
 *   null-syscall-enosys   an unassigned system call number (the -ENOSYS path)
 *   pipe/unix/futex-rtt-1cpu, -2cpu     a ping-pong round trip between two
 *                         processes: over two pipes, over a UNIX stream
 *                         socketpair, or through a futex word in shared memory
 *   pipe/unix/futex-oneway-1cpu, -2cpu  the first half of it: the sender's
 *                         rdtsc before sending to the receiver's rdtsc after
 *                         its receive returned
 * with both processes pinned to CPU 0 (-1cpu) or to CPUs 0 and 1 (-2cpu).
 * Each benchmark prints one line in the format tools/bench/benchcsv.py parses:
 *   CSV,<name>,<iterations>,<min>,<median>,<mean>,<p99>,<stddev>,<overhead>
 * Run as process 1, it ends the machine when done (guest_finish()).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest.h"

const char guest_program[] = "linuxbench";

/* A system call number no Linux x86_64 kernel assigns: the kernel's entry
 * code checks it against the table's size and returns -ENOSYS. */
#define ENOSYS_NR 1000

enum transport { PIPE, UNIX_SOCKET, FUTEX };
static const char *const transport_names[] = {"pipe", "unix", "futex"};

/* What one ping-pong run needs, shared by both processes through fork. */
struct pingpong {
    enum transport transport;
    int to_child[2];   /* pipe: parent -> child */
    int to_parent[2];  /* pipe: child -> parent */
    int sock[2];       /* socketpair: [0] parent's end, [1] child's end */
    atomic_int *futex; /* in MAP_SHARED memory: 1 = the child's turn, 0 = the parent's */
    uint64_t *stamps;  /* in MAP_SHARED memory: the child's rdtsc after each receive */
    long rounds;       /* warm-up plus measured rounds the child answers */
};

/* Writes exactly one byte to fd or dies. */
static void send_byte(int fd)
{
    char c = 'x';
    if (write(fd, &c, 1) != 1)
        guest_die("write");
}

/* Reads exactly one byte from fd or dies (end of file included). */
static void recv_byte(int fd)
{
    char c;
    if (read(fd, &c, 1) != 1)
        guest_die("read");
}

/* futex(2) on a word in shared (not process-private) memory: the two
 * processes have different address spaces, so FUTEX_PRIVATE_FLAG is not used. */
static long futex_op(atomic_int *word, int op, int val)
{
    return syscall(SYS_futex, word, op, val, NULL, NULL, 0);
}

/* Blocks until *word differs from val. A wait that finds the word already
 * changed returns EAGAIN at once; a signal or spurious wake-up loops. */
static void futex_wait_while(atomic_int *word, int val)
{
    while (atomic_load(word) == val)
        if (futex_op(word, FUTEX_WAIT, val) != 0 && errno != EAGAIN && errno != EINTR)
            guest_die("futex wait");
}

/* Stores val in *word and wakes one waiter on it (there may be none: the
 * wake is made unconditionally, as a simple futex ping-pong does). */
static void futex_set_and_wake(atomic_int *word, int val)
{
    atomic_store(word, val);
    if (futex_op(word, FUTEX_WAKE, 1) < 0)
        guest_die("futex wake");
}

/* The parent's send half of one round. */
static void parent_send(struct pingpong *pp)
{
    switch (pp->transport) {
    case PIPE:
        send_byte(pp->to_child[1]);
        break;
    case UNIX_SOCKET:
        send_byte(pp->sock[0]);
        break;
    case FUTEX:
        futex_set_and_wake(pp->futex, 1);
        break;
    }
}

/* The parent's receive half of one round: returns when the child answered. */
static void parent_recv(struct pingpong *pp)
{
    switch (pp->transport) {
    case PIPE:
        recv_byte(pp->to_parent[0]);
        break;
    case UNIX_SOCKET:
        recv_byte(pp->sock[0]);
        break;
    case FUTEX:
        futex_wait_while(pp->futex, 1);
        break;
    }
}

/* The child: answers pp->rounds pings on the given CPU, writing its rdtsc
 * after each receive into pp->stamps when stamping (the one-way runs), then
 * exits. It never returns. */
static void child_loop(struct pingpong *pp, int cpu, int stamping)
{
    guest_pin_to_cpu(cpu);
    for (long i = 0; i < pp->rounds; i++) {
        switch (pp->transport) {
        case PIPE:
            recv_byte(pp->to_child[0]);
            break;
        case UNIX_SOCKET:
            recv_byte(pp->sock[1]);
            break;
        case FUTEX:
            futex_wait_while(pp->futex, 0);
            break;
        }
        if (stamping)
            pp->stamps[i] = guest_ticks();
        switch (pp->transport) {
        case PIPE:
            send_byte(pp->to_parent[1]);
            break;
        case UNIX_SOCKET:
            send_byte(pp->sock[1]);
            break;
        case FUTEX:
            futex_set_and_wake(pp->futex, 0);
            break;
        }
    }
    _exit(0);
}

/* Orders two tick counts for qsort. */
static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* The smallest of n > 0 samples. */
static uint64_t min_of(const uint64_t *s, long n)
{
    uint64_t m = s[0];
    for (long i = 1; i < n; i++)
        if (s[i] < m)
            m = s[i];
    return m;
}

/* Prints the benchmark's CSV line from n > 0 samples in ticks: each sample
 * less the overhead (saturating at 0), then min, median, mean, p99 (the
 * smallest value at or above 99 % of the samples) and the population
 * standard deviation. Sorts samples in place. */
static void report(const char *name, uint64_t *s, long n, uint64_t overhead)
{
    for (long i = 0; i < n; i++)
        s[i] = s[i] > overhead ? s[i] - overhead : 0;
    qsort(s, (size_t)n, sizeof *s, compare_u64);
    double sum = 0, sq = 0;
    for (long i = 0; i < n; i++)
        sum += (double)s[i];
    double mean = sum / (double)n;
    for (long i = 0; i < n; i++)
        sq += ((double)s[i] - mean) * ((double)s[i] - mean);
    double median = n % 2 ? (double)s[n / 2] : ((double)s[n / 2 - 1] + (double)s[n / 2]) / 2;
    long p99 = (long)ceil(0.99 * (double)n) - 1;
    printf("CSV,%s,%ld,%llu,%.1f,%.1f,%llu,%.1f,%llu\n", name, n, (unsigned long long)s[0], median,
           mean, (unsigned long long)s[p99], sqrt(sq / (double)n), (unsigned long long)overhead);
    fflush(stdout);
}

/* An empty operation, kept out of line so that the overhead loop calls a
 * function exactly as the measured loops do. */
static __attribute__((noinline)) void nop_op(void)
{
    __asm__ volatile("" ::: "memory");
}

/* Measures the timing code alone: rdtsc, a call of an empty function,
 * rdtsc; warmup rounds, then n into s. Returns the smallest sample: under
 * icount all are equal, in wall-clock time the smallest is the one least
 * disturbed by interrupts. */
static uint64_t loop_overhead(uint64_t *s, long n, long warmup)
{
    void (*volatile op)(void) = nop_op;
    for (long i = 0; i < warmup + n; i++) {
        uint64_t t0 = guest_ticks();
        op();
        uint64_t t1 = guest_ticks();
        if (i >= warmup)
            s[i - warmup] = t1 - t0;
    }
    return min_of(s, n);
}

/* getppid() by the raw syscall instruction, or (nop) the same code with
 * `syscall` replaced by the 2-byte nop 66 90, as sel4bench measures its
 * overhead. The number is in rax; rcx and r11 are what syscall clobbers. */
static __attribute__((noinline)) void getppid_op(void)
{
    long nr = SYS_getppid;
    __asm__ volatile("syscall" : "+a"(nr) : : "rcx", "r11", "memory");
}
static __attribute__((noinline)) void getppid_nop(void)
{
    long nr = SYS_getppid;
    __asm__ volatile(".byte 0x66, 0x90" : "+a"(nr) : : "rcx", "r11", "memory");
}
static __attribute__((noinline)) void enosys_op(void)
{
    long nr = ENOSYS_NR;
    __asm__ volatile("syscall" : "+a"(nr) : : "rcx", "r11", "memory");
}
static __attribute__((noinline)) void enosys_nop(void)
{
    long nr = ENOSYS_NR;
    __asm__ volatile(".byte 0x66, 0x90" : "+a"(nr) : : "rcx", "r11", "memory");
}

/* Times op (warmup rounds, then n into s) and its nop twin, and reports
 * op less the twin's smallest sample. */
static void bench_syscall(const char *name, void (*op)(void), void (*twin)(void), uint64_t *s,
                          long n, long warmup)
{
    void (*volatile f)(void) = twin;
    for (long i = 0; i < warmup + n; i++) {
        uint64_t t0 = guest_ticks();
        f();
        uint64_t t1 = guest_ticks();
        if (i >= warmup)
            s[i - warmup] = t1 - t0;
    }
    uint64_t overhead = min_of(s, n);
    f = op;
    for (long i = 0; i < warmup + n; i++) {
        uint64_t t0 = guest_ticks();
        f();
        uint64_t t1 = guest_ticks();
        if (i >= warmup)
            s[i - warmup] = t1 - t0;
    }
    report(name, s, n, overhead);
}

/* Sets up the transport's channel in pp (fresh pipes, socketpair, or a
 * zeroed futex word); dies on failure. */
static void open_channel(struct pingpong *pp)
{
    switch (pp->transport) {
    case PIPE:
        if (pipe(pp->to_child) != 0 || pipe(pp->to_parent) != 0)
            guest_die("pipe");
        break;
    case UNIX_SOCKET:
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, pp->sock) != 0)
            guest_die("socketpair");
        break;
    case FUTEX:
        atomic_store(pp->futex, 0);
        break;
    }
}

/* Closes what open_channel opened (in the parent, after the child ended). */
static void close_channel(struct pingpong *pp)
{
    switch (pp->transport) {
    case PIPE:
        close(pp->to_child[0]);
        close(pp->to_child[1]);
        close(pp->to_parent[0]);
        close(pp->to_parent[1]);
        break;
    case UNIX_SOCKET:
        close(pp->sock[0]);
        close(pp->sock[1]);
        break;
    case FUTEX:
        break;
    }
}

/* One ping-pong benchmark: the parent on CPU 0, a forked child on
 * child_cpu; warmup rounds, then n measured into s. Round trip (oneway 0):
 * the parent's rdtsc before sending to its rdtsc after the answer came.
 * One way (oneway 1): the parent's rdtsc before sending to the child's
 * rdtsc after its receive returned. Reports less the loop's overhead. */
static void bench_pingpong(struct pingpong *pp, enum transport t, int child_cpu, int oneway,
                           uint64_t *s, long n, long warmup)
{
    char name[64];
    snprintf(name, sizeof name, "%s-%s-%dcpu", transport_names[t], oneway ? "oneway" : "rtt",
             child_cpu == 0 ? 1 : 2);
    pp->transport = t;
    pp->rounds = warmup + n;
    open_channel(pp);
    guest_pin_to_cpu(0);
    uint64_t overhead = loop_overhead(s, n, warmup);

    fflush(stdout); /* so the child does not inherit unwritten output */
    pid_t child = fork();
    if (child < 0)
        guest_die("fork");
    if (child == 0)
        child_loop(pp, child_cpu, oneway);
    for (long i = 0; i < warmup + n; i++) {
        uint64_t t0 = guest_ticks();
        parent_send(pp);
        parent_recv(pp);
        uint64_t t1 = guest_ticks();
        if (i >= warmup)
            s[i - warmup] = oneway ? pp->stamps[i] - t0 : t1 - t0;
    }
    int status;
    if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        guest_die("the ping-pong partner failed");
    close_channel(pp);
    report(name, s, n, overhead);
}

/* Mounts proc and sysfs if they are not there (as /init they are not), so
 * that the CPU count and the mitigations can be read; quietly does nothing
 * when it cannot (a host run). */
static void mount_pseudo_filesystems(void)
{
    if (access("/proc/self", F_OK) != 0)
        mount("proc", "/proc", "proc", 0, NULL);
    if (access("/sys/devices", F_OK) != 0)
        mount("sysfs", "/sys", "sysfs", 0, NULL);
}

/* Brings CPU cpu online through sysfs if it is offline and this is process
 * 1 (the benchmark machine; a host's CPUs are left alone), and returns 1 when
 * it is online afterwards. The kernel is booted with maxcpus=1 for this: under
 * QEMU's -icount with several vCPUs, a vCPU keeps the turn until it executes
 * `pause` or `hlt` (QEMU-NOTES), and Linux's boot CPU waits for a starting CPU
 * in a loop that calls schedule() without `pause`, so at boot the new CPU
 * never runs again and the boot hangs. Here, a child pinned to the boot CPU
 * spins with `pause` beside the waiting loop: schedule() switches to it, each
 * of its `pause` instructions hands the turn over, and the new CPU comes up.
 * Without icount the child is merely harmless. */
static int bring_cpu_online(int cpu)
{
    char path[64];
    snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%d/online", cpu);
    FILE *f = fopen(path, "r+");
    if (!f) /* no hot-plug control (or not root): count the online CPUs */
        return sysconf(_SC_NPROCESSORS_ONLN) > cpu;
    int c = fgetc(f);
    if (c == '1' || getpid() != 1) { /* a host's CPUs are left as they are */
        fclose(f);
        return c == '1';
    }
    fflush(stdout);
    pid_t spinner = fork();
    if (spinner < 0)
        guest_die("fork");
    if (spinner == 0) {
        guest_pin_to_cpu(0);
        for (;;)
            __asm__ volatile("pause");
    }
    rewind(f);
    int ok = fputs("1\n", f) >= 0 && fflush(f) == 0;
    fclose(f);
    kill(spinner, SIGKILL);
    waitpid(spinner, NULL, 0);
    printf("# CPU %d brought online through sysfs: %s\n", cpu, ok ? "done" : strerror(errno));
    return ok;
}

/* Prints, as '#' comment lines the CSV parser skips, what the figures
 * depend on: the kernel, the CPUs, and the state of each speculation
 * mitigation (page-table isolation among them). */
static void print_environment(void)
{
    guest_print_kernel();
    printf("# CPUs: %ld configured, %ld online\n", sysconf(_SC_NPROCESSORS_CONF),
           sysconf(_SC_NPROCESSORS_ONLN));
    static const char *const names[] = {"meltdown", "spectre_v1", "spectre_v2",
                                        "mds",      "retbleed",   "spec_store_bypass"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        guest_print_file("/sys/devices/system/cpu/vulnerabilities", names[i]);
    fflush(stdout);
}

/* Prints how to call the program on stderr and finishes with status 2. */
static void usage(void)
{
    fprintf(stderr, "usage: linuxbench [-n ITERATIONS] [-w WARMUP] [-s 1cpu|2cpu|all]\n"
                    "  -n  measured iterations per benchmark (default 10000)\n"
                    "  -w  warm-up iterations before them (default 1000)\n"
                    "  -s  the 1-CPU set (null system calls and the *-1cpu ping-pongs),\n"
                    "      the 2-CPU set (*-2cpu), or both (default all: the 2-CPU set\n"
                    "      only if CPU 1 is there); CPU 1 is brought online if offline\n");
    guest_finish(2);
}

/* Parses a count between lo and hi or gives the usage error. */
static long parse_count(const char *arg, long lo, long hi)
{
    char *end;
    errno = 0;
    long v = strtol(arg, &end, 10);
    if (errno != 0 || end == arg || *end != '\0' || v < lo || v > hi) {
        fprintf(stderr, "linuxbench: bad count '%s' (expected %ld..%ld)\n", arg, lo, hi);
        usage();
    }
    return v;
}

/* Makes sure fds 0-2 are open: as /init without a console node they are
 * not, so devtmpfs is mounted and /dev/console opened. */
static void ensure_console(void)
{
    if (fcntl(1, F_GETFD) != -1)
        return;
    mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
    guest_open_console();
}

/* Parses the options (the kernel passes the words after "--" on its
 * command line to /init), runs the chosen set and finishes. */
int main(int argc, char **argv)
{
    ensure_console();
    long n = 10000, warmup = 1000;
    int want1 = 1, want2 = 1, demand2 = 0;
    int opt;
    while ((opt = getopt(argc, argv, "n:w:s:")) != -1) {
        switch (opt) {
        case 'n':
            n = parse_count(optarg, 1, 10000000);
            break;
        case 'w':
            warmup = parse_count(optarg, 0, 10000000);
            break;
        case 's':
            if (strcmp(optarg, "1cpu") == 0) {
                want1 = 1, want2 = 0;
            } else if (strcmp(optarg, "2cpu") == 0) {
                want1 = 0, want2 = 1, demand2 = 1;
            } else if (strcmp(optarg, "all") == 0) {
                want1 = want2 = 1;
            } else {
                fprintf(stderr, "linuxbench: unknown set '%s'\n", optarg);
                usage();
            }
            break;
        default:
            usage();
        }
    }
    if (optind != argc) {
        fprintf(stderr, "linuxbench: unexpected argument '%s'\n", argv[optind]);
        usage();
    }

    mount_pseudo_filesystems();
    print_environment();

    uint64_t *samples = malloc((size_t)n * sizeof *samples);
    struct pingpong pp = {0};
    size_t shared_size = sizeof(atomic_int) + (size_t)(warmup + n) * sizeof(uint64_t);
    void *shared =
        mmap(NULL, shared_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (!samples || shared == MAP_FAILED)
        guest_die("memory for the samples");
    pp.stamps = (uint64_t *)shared;
    pp.futex = (atomic_int *)(pp.stamps + warmup + n);

    /* Every CPU QEMU gives is online for both sets, as in Missive's benchmark
     * boot; the 1-CPU set leaves CPU 1 idle. */
    guest_pin_to_cpu(0);
    int two = sysconf(_SC_NPROCESSORS_CONF) > 1 && bring_cpu_online(1) &&
              sysconf(_SC_NPROCESSORS_ONLN) > 1;
    printf("# online CPUs: %ld\n", sysconf(_SC_NPROCESSORS_ONLN));
    if (want2 && !two) {
        if (demand2) {
            fprintf(stderr, "linuxbench: the 2-CPU set needs CPU 1 online\n");
            guest_finish(1);
        }
        printf("# CPU 1 is not there: the 2-CPU set is skipped\n");
        want2 = 0;
    }
    if (want1) {
        bench_syscall("null-syscall", getppid_op, getppid_nop, samples, n, warmup);
        bench_syscall("null-syscall-enosys", enosys_op, enosys_nop, samples, n, warmup);
    }
    for (int cpu = 0; cpu < 2; cpu++) {
        if ((cpu == 0 && !want1) || (cpu == 1 && !want2))
            continue;
        for (int t = PIPE; t <= FUTEX; t++)
            for (int oneway = 0; oneway < 2; oneway++)
                bench_pingpong(&pp, (enum transport)t, cpu, oneway, samples, n, warmup);
    }
    printf("# linuxbench: done\n");
    guest_finish(0);
    return 0;
}
