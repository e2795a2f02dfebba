/*
 * The commands that talk to procsrv about processes: ps, kill, run, wait,
 * swap. See shell.h.
 */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "libsys/service.h"
#include "shell.h"

/* A word for a process state of PROC_LIST. */
static const char *state_name(uint64_t state)
{
    switch (state) {
    case PROC_STATE_RUNNING:
        return "running";
    case PROC_STATE_EXITED:
        return "exited";
    case PROC_STATE_RESTARTING:
        return "restarting";
    case PROC_STATE_FAILED:
        return "failed";
    default:
        return "?";
    }
}

/* ps: one line per process. */
void cmd_ps(int argc, char **argv, bool background)
{
    (void)argc, (void)argv, (void)background;
    printf("%5s  %-10s %10s %8s  %s\n", "PID", "STATE", "MEMORY", "RESTARTS", "NAME");
    for (uint64_t i = 0;; i++) {
        struct proc_entry p;
        struct result e = proc_list(i, &p);
        if (result_is_service(e, SERVICE_NOT_FOUND))
            break;
        if (!result_is_ok(e)) {
            shell_report("ps", "cannot list", e);
            return;
        }
        printf("%5llu  %-10s %9lluK %8llu  %s\n", (unsigned long long)p.pid, state_name(p.state),
               (unsigned long long)(p.memory / 1024), (unsigned long long)p.restarts, p.name);
    }
}

/* kill PID */
void cmd_kill(int argc, char **argv, bool background)
{
    (void)argc, (void)background;
    uint64_t pid;
    if (!shell_parse_pid("kill", argv[1], &pid))
        return;
    struct result e = proc_kill(pid);
    if (!result_is_ok(e))
        shell_report("kill", argv[1], e);
}

/* The process a word names: a pid, or the name of a running (or restarting) process. Fills
 *entry; prints why and returns false if there is none. */
static bool find_process(const char *command, const char *word, struct proc_entry *entry)
{
    uint64_t pid = 0;
    bool by_pid = args_parse_u64(word, &pid);
    for (uint64_t i = 0;; i++) {
        struct result e = proc_list(i, entry);
        if (result_is_service(e, SERVICE_NOT_FOUND))
            break;
        if (!result_is_ok(e)) {
            shell_report(command, "cannot list", e);
            return false;
        }
        bool live = entry->state == PROC_STATE_RUNNING || entry->state == PROC_STATE_RESTARTING;
        if (live && (by_pid ? entry->pid == pid : strcmp(entry->name, word) == 0))
            return true;
    }
    printf("%s: no process '%s'\n", command, word);
    return false;
}

/* stop [-f] NAME|PID: ends it for good. The console this shell talks through is not stopped
   without -f: with it gone the terminal is dead until the next boot. */
void cmd_stop(int argc, char **argv, bool background)
{
    (void)background;
    bool force = argc == 3 && strcmp(argv[1], "-f") == 0;
    if (argc == 3 && !force) {
        printf("stop: usage: stop [-f] NAME|PID\n");
        return;
    }
    const char *word = argv[argc - 1];
    struct proc_entry p;
    if (!find_process("stop", word, &p))
        return;
    if (strcmp(p.name, "console") == 0 && !force) {
        printf("stop: warning: process %llu is the console this shell runs on; stopped, it "
               "stays stopped and this terminal goes dead\n"
               "stop: not stopped; 'stop -f %s' stops it anyway ('kill %llu' restarts it)\n",
               (unsigned long long)p.pid, word, (unsigned long long)p.pid);
        return;
    }
    struct result e = proc_stop(p.pid);
    if (!result_is_ok(e)) {
        shell_report("stop", word, e);
        return;
    }
    printf("stopped %s (pid %llu)\n", p.name, (unsigned long long)p.pid);
}

/* Waits for pid and prints how it ended. */
static void wait_and_report(const char *name, uint64_t pid)
{
    int64_t status;
    fflush(stdout);
    struct result e = proc_wait(pid, &status);
    if (!result_is_ok(e)) {
        char what[32];
        snprintf(what, sizeof what, "pid %llu", (unsigned long long)pid);
        shell_report(name, what, e);
        return;
    }
    printf("[pid %llu exited with status %lld]\n", (unsigned long long)pid, (long long)status);
}

/* run PROGRAM [ARG...] [&]: the program gets the ARGs as argv[1..] (procsrv makes argv[0] its
   path). */
void cmd_run(int argc, char **argv, bool background)
{
    (void)argc;
    char path[PROC_PATH_MAX + 1];
    if (!args_program_path(argv[1], path, sizeof path)) {
        printf("run: not a program name: '%s'\n", argv[1]);
        return;
    }
    uint64_t pid;
    fflush(stdout); /* what we printed comes before what it prints */
    struct result e = proc_spawn(path, (const char *const *)&argv[2], &pid);
    if (!result_is_ok(e)) {
        shell_report("run", path, e);
        return;
    }
    if (background)
        printf("[pid %llu]\n", (unsigned long long)pid);
    else
        wait_and_report("run", pid);
}

/* wait PID: collects a process started in the background. */
void cmd_wait(int argc, char **argv, bool background)
{
    (void)argc, (void)background;
    uint64_t pid;
    if (shell_parse_pid("wait", argv[1], &pid))
        wait_and_report("wait", pid);
}

/* swap NAME PROGRAM */
void cmd_swap(int argc, char **argv, bool background)
{
    (void)argc, (void)background;
    char path[PROC_PATH_MAX + 1];
    if (!args_program_path(argv[2], path, sizeof path)) {
        printf("swap: not a program name: '%s'\n", argv[2]);
        return;
    }
    uint64_t pid;
    struct result e = proc_swap(argv[1], path, &pid);
    if (!result_is_ok(e)) {
        shell_report("swap", argv[1], e);
        return;
    }
    printf("%s is now %s, pid %llu\n", argv[1], path, (unsigned long long)pid);
}
