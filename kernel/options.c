/* Kernel command line options; see options.h. */
#include "options.h"

#include "cmdline/cmdline.h"
#include "log.h"
#include "sched.h"
#include "string.h"

static const char *const level_names[] = {"error", "warn", "info", "debug"};

static const char *const crash_names[] = {
    [CRASH_PAGE_FAULT] = "page-fault",
    [CRASH_DOUBLE_FAULT] = "double-fault",
    [CRASH_DIVIDE] = "divide",
    [CRASH_INVALID_OPCODE] = "invalid-opcode",
    [CRASH_GENERAL_PROTECTION] = "general-protection",
    [CRASH_BREAKPOINT] = "breakpoint",
    [CRASH_WRITE_TEXT] = "write-text",
    [CRASH_EXECUTE_DATA] = "execute-data",
    [CRASH_LOCK_TWICE] = "lock-twice",
};

static void warn_option(const struct cmdline_option *opt, const char *why)
{
    log_warn("cmdline: ignoring option '%.*s%s%.*s': %s\n", (int)opt->key_len, opt->key,
             opt->value ? "=" : "", opt->value ? (int)opt->value_len : 0,
             opt->value ? opt->value : "", why);
}

static void parse_loglevel(const struct cmdline_option *opt)
{
    for (unsigned i = 0; i < 4; i++) {
        if (cmdline_value_is(opt, level_names[i])) {
            log_threshold = (enum log_level)i;
            return;
        }
    }
    uint64_t n;
    if (opt->value && cmdline_parse_u64(opt->value, opt->value_len, &n) && n <= 3) {
        log_threshold = (enum log_level)n;
        return;
    }
    warn_option(opt, "expected error, warn, info, debug or 0-3");
}

static void parse_crash(const struct cmdline_option *opt, struct boot_options *out)
{
    for (unsigned i = CRASH_NONE + 1; i < sizeof crash_names / sizeof crash_names[0]; i++) {
        if (cmdline_value_is(opt, crash_names[i])) {
            out->crash = (enum crash_kind)i;
            return;
        }
    }
    warn_option(opt, "expected page-fault, double-fault, divide, invalid-opcode, "
                     "general-protection, breakpoint, write-text, execute-data or lock-twice");
}

static void parse_init(const struct cmdline_option *opt, struct boot_options *out)
{
    if (!opt->value || opt->value_len == 0 || opt->value_len >= INIT_PATH_MAX) {
        warn_option(opt, "expected a path in the initrd of 1 to 63 characters");
        return;
    }
    memcpy(out->init, opt->value, opt->value_len);
    out->init[opt->value_len] = '\0';
}

void options_parse(const char *cmdline, struct boot_options *out)
{
    out->crash = CRASH_NONE;
    memcpy(out->init, "bin/procsrv", sizeof "bin/procsrv");
    out->init_args = "";
    if (!cmdline)
        return;
    /* Warnings go out in order as they are found, but loglevel may come
       after a bad option: apply loglevel first so it governs them all. */
    struct cmdline_option opt;
    const char *cursor = cmdline;
    while (cmdline_next(&cursor, &opt) && !cmdline_key_is(&opt, "--"))
        if (cmdline_key_is(&opt, "loglevel") && opt.value)
            parse_loglevel(&opt);

    cursor = cmdline;
    while (cmdline_next(&cursor, &opt)) {
        if (cmdline_key_is(&opt, "--") && !opt.value) {
            out->init_args = cursor;
            break;
        } else if (cmdline_key_is(&opt, "loglevel")) {
            if (!opt.value)
                warn_option(&opt, "needs a value");
        } else if (cmdline_key_is(&opt, "qemu-exit")) {
            if (opt.value)
                warn_option(&opt, "takes no value");
            else
                qemu_exit_enabled = 1;
        } else if (cmdline_key_is(&opt, "crash")) {
            parse_crash(&opt, out);
        } else if (cmdline_key_is(&opt, "init")) {
            parse_init(&opt, out);
        } else if (cmdline_key_is(&opt, "tick")) {
            uint64_t hz;
            if (opt.value && cmdline_parse_u64(opt.value, opt.value_len, &hz) && hz >= 20 &&
                hz <= 10000)
                sched_hz = (unsigned)hz;
            else
                warn_option(&opt, "expected a tick rate from 20 to 10000 Hz");
        } else if (cmdline_key_is(&opt, "idlepoll")) {
            if (!opt.value || !cmdline_parse_u64(opt.value, opt.value_len, &sched_idle_poll))
                warn_option(&opt, "expected a number of TSC ticks");
        } else {
            warn_option(&opt, "unknown option");
        }
    }
}
