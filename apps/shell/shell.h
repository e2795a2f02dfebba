/*
 * The shell's command table and the commands, split by what they talk to:
 * commands.c (the table, dispatch and the built-ins), proc_cmds.c (procsrv:
 * processes), info_cmds.c (memsrv's statistics, time), file_cmds.c (files and the file
 * server), power_cmds.c (the acpi server, shutdown and reboot).
 */
#ifndef MISSIVE_SHELL_H
#define MISSIVE_SHELL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "result/result.h"

/* A command: argv[0] is its name, argc >= 1. background is true if the line ended in a lone
   & (only run accepts that). */
struct shell_command {
    const char *name;
    const char *usage;      /* arguments, for help */
    const char *help;       /* one line */
    int min_args, max_args; /* words after the name; max -1: any number */
    bool background_ok;
    void (*run)(int argc, char **argv, bool background);
};

/* Runs the command line in line (modified in place). Prints errors as one line each. */
void shell_execute(char *line);

/* Prints "name: what: why" for a failed libsys call's result e (result_format's words). */
void shell_report(const char *name, const char *what, struct result e);

/* Parses a process id argument; prints "name: not a process id: 'arg'" and returns false if
   it is not one. */
bool shell_parse_pid(const char *name, const char *arg, uint64_t *pid);

/* Commands in proc_cmds.c. */
void cmd_ps(int argc, char **argv, bool background);
void cmd_kill(int argc, char **argv, bool background);
void cmd_stop(int argc, char **argv, bool background);
void cmd_run(int argc, char **argv, bool background);
void cmd_wait(int argc, char **argv, bool background);
void cmd_swap(int argc, char **argv, bool background);

/* Commands in info_cmds.c. */
void cmd_mem(int argc, char **argv, bool background);
void cmd_uptime(int argc, char **argv, bool background);
void cmd_cpus(int argc, char **argv, bool background);
void cmd_trace(int argc, char **argv, bool background);
void cmd_sleep(int argc, char **argv, bool background);
/* Commands in file_cmds.c (files through the POSIX calls; df, snap, fsck through the file
   client). */
void cmd_ls(int argc, char **argv, bool background);
void cmd_cat(int argc, char **argv, bool background);
void cmd_cd(int argc, char **argv, bool background);
void cmd_pwd(int argc, char **argv, bool background);
void cmd_mkdir(int argc, char **argv, bool background);
void cmd_rm(int argc, char **argv, bool background);
void cmd_rmdir(int argc, char **argv, bool background);
void cmd_mv(int argc, char **argv, bool background);
void cmd_cp(int argc, char **argv, bool background);
void cmd_df(int argc, char **argv, bool background);
void cmd_fsmove(int argc, char **argv, bool background);
void cmd_snap(int argc, char **argv, bool background);
void cmd_fsck(int argc, char **argv, bool background);
/* echo's words (argv[1..argc-1]) as one line into path, opened with fopen's mode ("w" for >,
   "a" for >>). */
void shell_echo_to_file(int argc, char **argv, const char *mode, const char *path);
/* Prints "name: what: why" for a failed file client call (the file protocol's names). */
void file_result(const char *name, const char *what, struct result r);

/* pci_cmds.c */
void cmd_lspci(int argc, char **argv, bool background);
/* blk_cmds.c: the block servers' disks */
void cmd_disks(int argc, char **argv, bool background);
void cmd_blk(int argc, char **argv, bool background);

/* Commands in power_cmds.c. */
void cmd_acpi(int argc, char **argv, bool background);
void cmd_shutdown(int argc, char **argv, bool background);
void cmd_reboot(int argc, char **argv, bool background);

#endif
