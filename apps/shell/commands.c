/*
 * The command table, dispatch, error reporting and the built-in commands
 * (help, echo, exit). See shell.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "libsys/service.h"
#include "shell.h"

static void cmd_help(int argc, char **argv, bool background);
static void cmd_echo(int argc, char **argv, bool background);
static void cmd_exit(int argc, char **argv, bool background);

static const struct shell_command commands[] = {
    {"help", "", "list the commands", 0, 0, false, cmd_help},
    {"echo", "[WORD...] [> FILE]", "print the words (> or >> FILE: into FILE)", 0, -1, false,
     cmd_echo},
    {"ps", "", "list the processes", 0, 0, false, cmd_ps},
    {"kill", "PID", "end a process (one with a restart policy comes back)", 1, 1, false, cmd_kill},
    {"stop", "[-f] NAME|PID", "end a process for good (-f: even the console)", 1, 2, false,
     cmd_stop},
    {"run", "PROGRAM [ARG...] [&]", "start bin/PROGRAM; wait unless &", 1, -1, true, cmd_run},
    {"wait", "PID", "wait for a process started with run ... &", 1, 1, false, cmd_wait},
    {"swap", "NAME PROGRAM", "replace the server NAME by PROGRAM", 2, 2, false, cmd_swap},
    {"mem", "", "memory statistics and each client's use", 0, 0, false, cmd_mem},
    {"ls", "[-l] [PATH...]", "list a directory (/ the disk, /initrd the initrd)", 0, -1, false,
     cmd_ls},
    {"cat", "FILE...", "print files", 1, -1, false, cmd_cat},
    {"cd", "[DIR]", "change the current directory (default /)", 0, 1, false, cmd_cd},
    {"pwd", "", "print the current directory", 0, 0, false, cmd_pwd},
    {"mkdir", "DIR...", "make directories", 1, -1, false, cmd_mkdir},
    {"rm", "FILE...", "remove files", 1, -1, false, cmd_rm},
    {"rmdir", "DIR...", "remove empty directories", 1, -1, false, cmd_rmdir},
    {"mv", "FROM TO", "rename or move a file or directory", 2, 2, false, cmd_mv},
    {"cp", "FROM TO", "copy a file", 2, 2, false, cmd_cp},
    {"df", "", "the disk's size and use", 0, 0, false, cmd_df},
    {"fsmove", "SERVER DISK", "the file server goes on with its volume on another controller", 2, 2,
     false, cmd_fsmove},
    {"snap", "create|list|delete|mount [NAME]", "snapshots of the disk (at /.snap/NAME)", 1, 2,
     false, cmd_snap},
    {"fsck", "", "check the disk (read-only)", 0, 0, false, cmd_fsck},
    {"uptime", "", "time since the clock started", 0, 0, false, cmd_uptime},
    {"cpus", "", "each CPU's load", 0, 0, false, cmd_cpus},
    {"sleep", "MS", "wait MS milliseconds", 1, 1, false, cmd_sleep},
    {"trace", "", "print the IPC trace (booted with trace)", 0, 0, false, cmd_trace},
    {"lspci", "", "list the PCI functions and their drivers", 0, 0, false, cmd_lspci},
    {"disks", "", "list the disks of every block server", 0, 0, false, cmd_disks},
    {"blk", "read|write|cmp|stats SERVER ...", "read sectors as hex, copy or compare a file", 2, 5,
     false, cmd_blk},
    {"acpi", "[route BUS DEV PIN]", "the ACPI tables and devices; a PCI interrupt's route", 0, 4,
     false, cmd_acpi},
    {"shutdown", "", "power the machine off", 0, 0, false, cmd_shutdown},
    {"reboot", "", "reset the machine", 0, 0, false, cmd_reboot},
    {"exit", "", "leave the shell", 0, 0, false, cmd_exit},
};
#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

/* help: one line per command. */
static void cmd_help(int argc, char **argv, bool background)
{
    (void)argc, (void)argv, (void)background;
    printf("commands:\n");
    for (size_t i = 0; i < COMMAND_COUNT; i++) {
        char left[40];
        snprintf(left, sizeof left, "%s %s", commands[i].name, commands[i].usage);
        printf("  %-28s %s\n", left, commands[i].help);
    }
    printf("quote words with spaces: \"like this\"; keys: arrows, Ctrl-A/E/U/K/W, Ctrl-C\n");
}

/* echo: the words, separated by one space; with "> FILE" or ">> FILE" as its last two words,
   into FILE (emptied first, or appended to). */
static void cmd_echo(int argc, char **argv, bool background)
{
    (void)background;
    if (argc >= 3 && (strcmp(argv[argc - 2], ">") == 0 || strcmp(argv[argc - 2], ">>") == 0)) {
        shell_echo_to_file(argc - 2, argv, argv[argc - 2][1] ? "a" : "w", argv[argc - 1]);
        return;
    }
    for (int i = 1; i < argc; i++)
        printf("%s%s", argv[i], i + 1 < argc ? " " : "");
    printf("\n");
}

/* exit: ends the shell with status 0. */
static void cmd_exit(int argc, char **argv, bool background)
{
    (void)argc, (void)argv, (void)background;
    fflush(stdout);
    exit(0);
}

void shell_report(const char *name, const char *what, struct result e)
{
    char line[120];
    printf("%s: %s\n", name, result_format(line, sizeof line, what, e));
}

bool shell_parse_pid(const char *name, const char *arg, uint64_t *pid)
{
    if (args_parse_u64(arg, pid) && *pid != 0)
        return true;
    printf("%s: not a process id: '%s'\n", name, arg);
    return false;
}

/* The table entry for name, or NULL. */
static const struct shell_command *find_command(const char *name)
{
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

void shell_execute(char *line)
{
    char *argv[ARGS_MAX + 1];
    size_t count;
    bool background;
    switch (args_split(line, argv, ARGS_MAX, &count, &background)) {
    case ARGS_OK:
        break;
    case ARGS_TOO_MANY:
        printf("shell: too many words (at most %d)\n", ARGS_MAX);
        return;
    case ARGS_OPEN_QUOTE:
        printf("shell: missing closing quote\n");
        return;
    }
    if (count == 0) {
        if (background)
            printf("shell: & needs a command before it\n");
        return;
    }
    argv[count] = NULL;
    const struct shell_command *c = find_command(argv[0]);
    if (!c) {
        printf("shell: unknown command '%s' (try help)\n", argv[0]);
        return;
    }
    int args = (int)count - 1;
    if (args < c->min_args || (c->max_args >= 0 && args > c->max_args)) {
        printf("%s: usage: %s %s\n", c->name, c->name, c->usage);
        return;
    }
    if (background && !c->background_ok) {
        printf("%s: cannot run in the background (only run can)\n", c->name);
        return;
    }
    c->run((int)count, argv, background);
}
