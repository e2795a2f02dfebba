/*
 * The Missive shell: reads raw bytes from the console (stdin), edits the
 * line with lib/lineedit (echo, cursor keys, a history of HISTORY_ENTRIES
 * lines) and runs each line as a command (commands.c). docs/userspace.md.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libsys/service.h"
#include "lineedit/lineedit.h"
#include "shell.h"

#define PROMPT "missive> "
/* Prompt and line must fit one 80-column row (lineedit.h): 9 + 69 characters. */
#define LINE_CAP        70
#define HISTORY_ENTRIES 16
/* How long to wait before reading again while another program holds the console. */
#define BUSY_RETRY_MS 100

static char line[LINE_CAP];
static char history[LINEEDIT_HISTORY_BYTES(HISTORY_ENTRIES, LINE_CAP)];

/* The line editor's output: straight to the console, after whatever printf holds. */
static void emit(void *ctx, const char *bytes, size_t n)
{
    (void)ctx;
    fflush(stdout);
    if (write(1, bytes, n) < 0)
        return; /* nowhere to echo to: keep editing blind */
}

/* Reads up to n bytes of input; returns the count, 0 at the end of input, -1 on an error.
   While another program reads the console (a foreground program started by run returned,
   but one in the background reads), waits its turn. */
static ssize_t read_input(char *buf, size_t n)
{
    for (;;) {
        ssize_t got = read(0, buf, n);
        if (got >= 0 || errno != EBUSY)
            return got;
        if (!result_is_ok(proc_sleep_ms(BUSY_RETRY_MS)))
            return -1;
    }
}

/* The time-stamp counter: under QEMU's -icount shift=0, instructions since
   reset (the boot figure in docs/userspace.md). */
static uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)); /* GNU inline asm: no C for it */
    return ((uint64_t)hi << 32) | lo;
}

int main(int argc, char **argv)
{
    struct lineedit le;
    printf("Missive shell; type help\n");
    if (argc > 1 && strcmp(argv[1], "--tsc") == 0)
        printf("shell: first prompt at tsc %llu\n", (unsigned long long)rdtsc());
    lineedit_init(&le, line, sizeof line, history, HISTORY_ENTRIES, emit, NULL);
    lineedit_start(&le, PROMPT);
    for (;;) {
        char input[64];
        ssize_t n = read_input(input, sizeof input);
        if (n == 0)
            exit(0); /* end of input: leave quietly */
        if (n < 0) {
            printf("shell: cannot read the console\n");
            exit(1);
        }
        for (ssize_t i = 0; i < n; i++) {
            enum lineedit_result r = lineedit_feed(&le, (uint8_t)input[i]);
            if (r == LINEEDIT_CONTINUE)
                continue;
            if (r == LINEEDIT_DONE)
                shell_execute(line);
            fflush(stdout);
            lineedit_start(&le, PROMPT);
        }
    }
}
