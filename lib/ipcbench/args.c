/*
 * ipcbench's command line: options, benchmark names and message sizes, with one error line
 * for anything not allowed.
 */
#include "ipcbench/args.h"

#include <stdio.h>
#include <string.h>

const char *const ibargs_names[IB_COUNT] = {
    [IB_NULL_SYSCALL] = "null-syscall",
    [IB_YIELD] = "yield",
    [IB_CALL_ONEWAY_INTER_AS] = "call-oneway-inter-as",
    [IB_REPLYRECV_ONEWAY_INTER_AS] = "replyrecv-oneway-inter-as",
    [IB_CALL_RTT_INTER_AS] = "call-rtt-inter-as",
    [IB_CALL_ONEWAY_INTRA_AS] = "call-oneway-intra-as",
    [IB_REPLYRECV_ONEWAY_INTRA_AS] = "replyrecv-oneway-intra-as",
    [IB_CALL_RTT_INTRA_AS] = "call-rtt-intra-as",
    [IB_CALL_ONEWAY_INTER_AS_FPU] = "call-oneway-inter-as-fpu",
    [IB_REPLYRECV_ONEWAY_INTER_AS_FPU] = "replyrecv-oneway-inter-as-fpu",
    [IB_CALL_RTT_INTER_AS_FPU] = "call-rtt-inter-as-fpu",
    [IB_CALL_ONEWAY_CROSS_CPU] = "call-oneway-cross-cpu",
    [IB_CALL_RTT_CROSS_CPU] = "call-rtt-cross-cpu",
    [IB_CALL_RTT_LEN] = "call-rtt-len",
    [IB_CALL_RTT_CAP1] = "call-rtt-cap1",
    [IB_NOTIFY_WAKE] = "notify-wake",
    [IB_IRQ_LATENCY] = "irq-latency",
    [IB_NOTIFICATION_SIGNAL] = "notification-signal",
    [IB_CSPACE_IDENTIFY] = "cspace-identify",
    [IB_FRAME_MAP] = "frame-map",
    [IB_UNTYPED_RETYPE_FRAME] = "untyped-retype-frame",
    [IB_IRQ_HANDLER_ACK] = "irq-handler-ack",
};

const char ibargs_usage[] =
    "usage: ipcbench [--iterations 10-1000000] [--warmup 0-1000000] [--bench NAME,...] "
    "[--sizes N,... (0-64 words)]; NAME: null-syscall yield call-oneway-inter-as "
    "replyrecv-oneway-inter-as call-rtt-inter-as (and -intra-as, -inter-as-fpu) "
    "call-oneway-cross-cpu call-rtt-cross-cpu call-rtt-len-N call-rtt-cap1 notify-wake "
    "irq-latency notification-signal cspace-identify frame-map untyped-retype-frame "
    "irq-handler-ack";

static const unsigned ibargs_default_sizes[] = {0, 1, 2, 4, 8, 10, 16, 32, 64};

/* The length of the list item at p: up to the next comma or the end. (No strchr: host tests
   build with kernel/string.h first on the include path, which has the subset used here.) */
static size_t ibargs_item(const char *p)
{
    size_t n = 0;
    while (p[n] && p[n] != ',')
        n++;
    return n;
}

/* Parses the len characters at s as a decimal number of at most 9 digits into *out. */
static bool ibargs_number(const char *s, size_t len, uint64_t *out)
{
    if (len == 0 || len > 9)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *out = v;
    return true;
}

/* Adds size to the ascending, duplicate-free list of *a. */
static void ibargs_add_size(struct ibargs *a, unsigned size)
{
    unsigned i = 0;
    while (i < a->size_count && a->sizes[i] < size)
        i++;
    if (i < a->size_count && a->sizes[i] == size)
        return;
    memmove(&a->sizes[i + 1], &a->sizes[i], (a->size_count - i) * sizeof a->sizes[0]);
    a->sizes[i] = size;
    a->size_count++;
}

/* Writes "what; usage" into err. Returns false, for the caller to return. */
static bool ibargs_fail(char *err, size_t size, const char *what, const char *detail)
{
    snprintf(err, size, "%s%s; %s", what, detail, ibargs_usage);
    return false;
}

/* Parses one size (len characters at s) into *size; false if it is no number or above 64. */
static bool ibargs_size(const char *s, size_t len, unsigned *size)
{
    uint64_t v;
    if (!ibargs_number(s, len, &v) || v > IBARGS_MAX_LENGTH)
        return false;
    *size = (unsigned)v;
    return true;
}

/* The benchmark named by the len characters at name, or IB_COUNT if none is. */
static enum ib_bench ibargs_lookup(const char *name, size_t len)
{
    for (unsigned b = 0; b < IB_COUNT; b++)
        if (strlen(ibargs_names[b]) == len && !memcmp(ibargs_names[b], name, len))
            return (enum ib_bench)b;
    return IB_COUNT;
}

/* Handles the list of --bench; *len_sizes says whether call-rtt-len-N items set sizes. */
static bool ibargs_bench_list(struct ibargs *a, const char *list, bool *len_sizes, char *err,
                              size_t size)
{
    static const char len_prefix[] = "call-rtt-len-";
    const char *p = list;
    for (;;) {
        size_t n = ibargs_item(p);
        char item[48];
        snprintf(item, sizeof item, "%.*s", (int)(n < 40 ? n : 40), p);
        enum ib_bench b = ibargs_lookup(p, n);
        if (b != IB_COUNT) {
            a->selected[b] = true;
        } else if (n > sizeof len_prefix - 1 && !memcmp(p, len_prefix, sizeof len_prefix - 1)) {
            unsigned s;
            const char *digits = p + sizeof len_prefix - 1;
            if (!ibargs_size(digits, n - (sizeof len_prefix - 1), &s))
                return ibargs_fail(err, size, "message length beyond 0-64 words: ", item);
            a->selected[IB_CALL_RTT_LEN] = true;
            ibargs_add_size(a, s);
            *len_sizes = true;
        } else {
            return ibargs_fail(err, size, "unknown benchmark: ", item);
        }
        if (!p[n])
            return true;
        p += n + 1;
    }
}

/* Handles the list of --sizes. */
static bool ibargs_size_list(struct ibargs *a, const char *list, char *err, size_t size)
{
    const char *p = list;
    for (;;) {
        size_t n = ibargs_item(p);
        char item[48];
        snprintf(item, sizeof item, "%.*s", (int)(n < 40 ? n : 40), p);
        unsigned s;
        if (!ibargs_size(p, n, &s))
            return ibargs_fail(err, size, "message length beyond 0-64 words: ", item);
        ibargs_add_size(a, s);
        if (!p[n])
            return true;
        p += n + 1;
    }
}

bool ibargs_parse(int argc, char *const argv[], struct ibargs *out, char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    out->iterations = IBARGS_DEFAULT_ITERS;
    out->warmup = IBARGS_DEFAULT_WARMUP;
    bool any_bench = false, len_sizes = false, sizes_given = false;
    struct ibargs sized = {0}; /* the --sizes list, merged at the end */
    for (int i = 1; i < argc; i++) {
        const char *opt = argv[i];
        if (!strcmp(opt, "--serve")) {
            out->serve = true;
            continue;
        }
        if (!strcmp(opt, "--help")) {
            out->help = true;
            snprintf(err, err_size, "%s", ibargs_usage);
            return false;
        }
        bool takes_value = !strcmp(opt, "--iterations") || !strcmp(opt, "--warmup") ||
                           !strcmp(opt, "--bench") || !strcmp(opt, "--sizes");
        if (!takes_value)
            return ibargs_fail(err, err_size, "unknown option: ", opt);
        if (i + 1 >= argc)
            return ibargs_fail(err, err_size, "a value is missing after ", opt);
        const char *value = argv[++i];
        uint64_t v;
        if (!strcmp(opt, "--iterations")) {
            if (!ibargs_number(value, strlen(value), &v) || v < IBARGS_MIN_ITERATIONS ||
                v > IBARGS_MAX_ITERATIONS)
                return ibargs_fail(err, err_size, "iterations must be 10-1000000, not ", value);
            out->iterations = v;
        } else if (!strcmp(opt, "--warmup")) {
            if (!ibargs_number(value, strlen(value), &v) || v > IBARGS_MAX_WARMUP)
                return ibargs_fail(err, err_size, "warm-up must be 0-1000000, not ", value);
            out->warmup = v;
        } else if (!strcmp(opt, "--bench")) {
            any_bench = true;
            if (!ibargs_bench_list(out, value, &len_sizes, err, err_size))
                return false;
        } else {
            sizes_given = true;
            if (!ibargs_size_list(&sized, value, err, err_size))
                return false;
        }
    }
    if (!any_bench)
        for (unsigned b = 0; b < IB_COUNT; b++)
            out->selected[b] = true;
    if (sizes_given)
        for (unsigned i = 0; i < sized.size_count; i++)
            ibargs_add_size(out, sized.sizes[i]);
    if (!sizes_given && !len_sizes)
        for (unsigned i = 0; i < sizeof ibargs_default_sizes / sizeof ibargs_default_sizes[0]; i++)
            ibargs_add_size(out, ibargs_default_sizes[i]);
    return true;
}
