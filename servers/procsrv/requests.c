/*
 * procsrv's requests (lib/proto/proc.h), served by libsys's server library: the table at the
 * end says which words each needs; each handler checks its arguments, one by one and naming
 * the one that is wrong, before anything changes.
 */
#include <stdio.h>
#include <string.h>

#include "initstack/initstack.h"
#include "procsrv.h"

/* The strings after MR0 (n bytes from MR1 on) into out (n <= max): SERVICE_OK, or a bad
   argument: MR0 if n is 0, over max or past the message; MR1 (the strings) if they do not
   end in a NUL. */
static long get_strings(struct server_call *call, char *out, uint64_t max, uint64_t *n)
{
    uint64_t room = (call->in.length - 1) * 8;
    *n = request_word(&call->in, 0);
    if (*n == 0 || *n > max || *n > room)
        return server_bad_argument(call, 0, 1, max < room ? max : room);
    request_get_bytes(&call->in, 1, out, *n);
    if (out[*n - 1] != 0)
        return server_bad_argument(call, 1, 1, *n - 1); /* no NUL within its bytes */
    return SERVICE_OK;
}

/* A name from MR0-MR3: 1-31 bytes of a-z 0-9 _ -. */
static bool get_name(const struct request *r, char name[PROTO_NAME_MAX + 1])
{
    request_get_bytes(r, 0, name, PROTO_NAME_MAX + 1);
    name[PROTO_NAME_MAX] = 0;
    size_t n = strlen(name);
    for (size_t i = 0; i < n; i++)
        if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
              name[i] == '_' || name[i] == '-'))
            return false;
    return n > 0;
}

static long spawn(struct server_call *call)
{
    char strings[PROC_ARGUMENTS_BYTES];
    uint64_t n;
    long status = get_strings(call, strings, sizeof strings, &n);
    if (status != SERVICE_OK)
        return status;
    struct manifest_entry e;
    memset(&e, 0, sizeof e);
    size_t path_length = strlen(strings);
    if (path_length == 0 || path_length > MANIFEST_PROGRAM_MAX)
        return server_bad_argument(call, 1, 1, MANIFEST_PROGRAM_MAX);
    memcpy(e.program, strings, path_length);
    const char *base = strrchr(strings, '/') ? strrchr(strings, '/') + 1 : strings;
    strncpy(e.name, base, MANIFEST_NAME_MAX);
    e.priority = 100;
    e.quota = 16ull << 20;
    e.cspace_bits = 8;
    uint64_t at = path_length + 1;
    if (n - at > MANIFEST_ARGS_MAX)
        return server_bad_argument(call, 0, 1, at + MANIFEST_ARGS_MAX);
    memcpy(e.args, strings + at, n - at);
    /* Arguments, then (after an empty string) the environment. */
    bool environment = false;
    for (uint64_t i = at; i < n; i += strlen(strings + i) + 1) {
        if (!environment && strings[i] == 0)
            environment = true;
        else if (environment)
            e.envc++;
        else
            e.argc++;
    }
    long error;
    struct process *p = process_start(&e, call->badge, 0, 0, &error);
    if (!p && error == -SERVICE_BAD_ARGUMENT) /* the strings do not fit its stack */
        return server_bad_argument(call, 1, 1, INITSTACK_MAX_STRINGS);
    if (!p)
        return -error;
    request_set_word(&call->out, 0, p->pid);
    return SERVICE_OK;
}

static long exit_process(struct server_call *call)
{
    process_end(call->client, (int64_t)request_word(&call->in, 0), false);
    return SERVER_NO_REPLY; /* the caller is gone */
}

static long wait_for(struct server_call *call)
{
    struct process *p = process_find(request_word(&call->in, 0));
    if (!p || p->parent != call->badge)
        return SERVICE_NOT_FOUND;
    if (p->state == PROC_STATE_EXITED) {
        request_set_word(&call->out, 0, (uint64_t)p->status);
        process_collect(p);
        return SERVICE_OK;
    }
    if (p->waiter)
        return SERVICE_BUSY;
    long status = slot_save_reply(&p->waiter);
    return status == SERVICE_OK ? SERVER_NO_REPLY : status;
}

/* PROC_KILL and PROC_STOP: ends process MR0; a killed server with a restart policy comes
   back, a stopped one does not. */
static long end_process(struct server_call *call, bool stop)
{
    uint64_t pid = request_word(&call->in, 0);
    if (pid == PROC_PID_PROCSRV || pid == PROC_PID_MEMSRV)
        return SERVICE_DENIED;
    struct process *p = process_find(pid);
    if (!p || (p->state != PROC_STATE_RUNNING && !(stop && p->state == PROC_STATE_RESTARTING)))
        return SERVICE_NOT_FOUND;
    printf("procsrv: process %lu (%s) %s by process %lu\n", (unsigned long)pid, p->entry.name,
           stop ? "stopped" : "killed", (unsigned long)call->badge);
    process_kill(p, stop);
    return pid == call->badge ? SERVER_NO_REPLY : SERVICE_OK;
}

static long kill(struct server_call *call)
{
    return end_process(call, false);
}

static long stop(struct server_call *call)
{
    return end_process(call, true);
}

static long list(struct server_call *call)
{
    struct process *p = process_at(request_word(&call->in, 0));
    if (!p)
        return SERVICE_NOT_FOUND;
    struct request *out = &call->out;
    request_set_word(out, 0, p->pid);
    request_set_word(out, 1, p->state);
    /* memsrv is built from procsrv's own block, not lent by itself. */
    uint64_t memory = p->pid == PROC_PID_MEMSRV        ? 1ull << p->untyped_bits
                      : p->state == PROC_STATE_RUNNING ? process_memory(p->pid)
                                                       : 0;
    request_set_word(out, 2, memory);
    request_set_word(out, 3, p->restarts);
    request_set_word(out, 4, p->parent);
    char name[PROTO_NAME_WORDS * 8] = {0};
    memcpy(name, p->entry.name, strlen(p->entry.name));
    request_put_bytes(out, 5, name, sizeof name);
    request_set_word(out, 9, p->entry.block ? PROC_FLAG_BLOCK : 0);
    return SERVICE_OK;
}

static long register_name(struct server_call *call)
{
    char name[PROTO_NAME_MAX + 1];
    struct cspace_identity id;
    if (!get_name(&call->in, name))
        return server_bad_argument(call, 0, 1, PROTO_NAME_MAX);
    if (!call->received || cspace_identify(ROOT_SLOT_CSPACE, call->received, &id) != ERR_OK ||
        id.type != CAP_ENDPOINT || id.badge != 0)
        return server_bad_argument(call, SERVICE_ARGUMENT_CAP, 0, 0); /* an unbadged endpoint */
    long status = names_register(name, call->received, call->badge);
    if (status == SERVICE_OK)
        call->received = 0; /* the registry keeps it */
    return status;
}

static long lookup(struct server_call *call)
{
    char name[PROTO_NAME_MAX + 1];
    if (!get_name(&call->in, name))
        return server_bad_argument(call, 0, 1, PROTO_NAME_MAX);
    uint64_t endpoint = names_lookup(name);
    if (!endpoint)
        return SERVICE_NOT_FOUND;
    uint64_t slot = slot_alloc();
    if (!slot)
        return SERVICE_TOO_MANY;
    if (cspace_mint(ROOT_SLOT_CSPACE, slot, endpoint, CAP_RIGHT_SEND | CAP_RIGHT_GRANT, call->badge,
                    0) != ERR_OK) {
        slot_free(slot);
        return SERVICE_INTERNAL;
    }
    return server_reply_cap(call, slot);
}

static long swap(struct server_call *call)
{
    char strings[PROC_ARGUMENTS_BYTES];
    uint64_t n;
    long status = get_strings(call, strings, sizeof strings, &n);
    if (status != SERVICE_OK)
        return status;
    const char *name = strings, *program = strings + strlen(strings) + 1;
    if (program >= strings + n || strlen(program) == 0 || strlen(program) > MANIFEST_PROGRAM_MAX)
        return server_bad_argument(call, 1, 1, MANIFEST_PROGRAM_MAX); /* no program after it */
    struct process *p = process_server(name);
    if (!p)
        return SERVICE_NOT_FOUND;
    if (p->pid == PROC_PID_MEMSRV)
        return SERVICE_DENIED;
    uint64_t pid;
    long e = process_swap(p, program, &pid);
    if (e == PROCSRV_SWAP_PREPARED)
        return SERVER_NO_REPLY; /* answered at the handover */
    if (e)
        return -e;
    request_set_word(&call->out, 0, pid);
    return SERVICE_OK;
}

/* PROC_DEVICE_RESET: the caller, a PCI driver, reset its device. */
static long device_reset(struct server_call *call)
{
    struct process *p = process_find(call->badge);
    if (!p || !p->device.present || p->state != PROC_STATE_RUNNING)
        return SERVICE_DENIED;
    process_device_reset(p);
    return SERVICE_OK;
}

/* PROC_TAKE_OVER: the caller, a PCI driver, is about to touch its device. */
static long take_over(struct server_call *call)
{
    return process_take_over(call->client);
}

static long sleep_ms(struct server_call *call)
{
    uint64_t ms = request_word(&call->in, 0);
    const uint64_t max = (UINT64_MAX - 999) / PROC_CLOCK_HZ; /* ms * hz + 999 must not wrap */
    if (ms > max)
        return server_bad_argument(call, 0, 0, max);
    return clock_sleep(call->badge, ms);
}

static long uptime(struct server_call *call)
{
    request_set_word(&call->out, 0, clock_ms());
    return SERVICE_OK;
}

static long file_list(struct server_call *call)
{
    const char *path;
    uint64_t length, size;
    if (!files_at(request_word(&call->in, 0), &path, &length, &size))
        return SERVICE_NOT_FOUND;
    if (length > (MSG_MAX_LENGTH - 2) * 8)
        length = (MSG_MAX_LENGTH - 2) * 8;
    request_set_word(&call->out, 0, size);
    request_set_word(&call->out, 1, length);
    request_put_bytes(&call->out, 2, path, length);
    return SERVICE_OK;
}

static long file_read(struct server_call *call)
{
    const struct request *in = &call->in;
    uint64_t offset = request_word(in, 0), want = request_word(in, 1);
    uint64_t length = request_word(in, 2), room = (in->length - 3) * 8;
    char path[PROC_PATH_MAX + 1];
    if (length == 0 || length > PROC_PATH_MAX || length > room)
        return server_bad_argument(call, 2, 1, room < PROC_PATH_MAX ? room : PROC_PATH_MAX);
    request_get_bytes(in, 3, path, length);
    path[length] = 0;
    const void *data;
    uint64_t size;
    if (!files_find(path, &data, &size))
        return SERVICE_NOT_FOUND;
    uint64_t count = offset >= size ? 0 : size - offset;
    if (count > want)
        count = want;
    if (count > PROC_FILE_CHUNK)
        count = PROC_FILE_CHUNK;
    request_set_word(&call->out, 0, count);
    request_put_bytes(&call->out, 1, (const char *)data + offset, count);
    return SERVICE_OK;
}

/* One CPU's load, from the kernel's debug capability (procsrv's alone). */
static long cpu_stats(struct server_call *call)
{
    const struct boot_info *boot = (const struct boot_info *)USER_BOOT_INFO;
    uint64_t cpu = request_word(&call->in, 0);
    struct debug_cpu_stats stats;
    if (cpu >= boot->cpu_count)
        return SERVICE_NOT_FOUND;
    if (debug_cpu_stats(ROOT_SLOT_DEBUG, cpu, &stats) != ERR_OK)
        return SERVICE_INTERNAL;
    request_set_word(&call->out, 0, stats.uptime);
    request_set_word(&call->out, 1, stats.busy);
    request_set_word(&call->out, 2, stats.idle);
    request_set_word(&call->out, 3, stats.runnable);
    return SERVICE_OK;
}

static long dump_trace(struct server_call *call)
{
    return trace_dump(&call->out);
}

/* Every request needs a caller that is a running process (SERVER_CLIENT_ONLY). */
const struct server_op requests_table[] = {
    {PROC_SPAWN, 1, 0, SERVER_CLIENT_ONLY, spawn},
    {PROC_EXIT, 1, 0, SERVER_CLIENT_ONLY, exit_process},
    {PROC_WAIT, 1, 0, SERVER_CLIENT_ONLY, wait_for},
    {PROC_KILL, 1, 0, SERVER_CLIENT_ONLY, kill},
    {PROC_STOP, 1, 0, SERVER_CLIENT_ONLY, stop},
    {PROC_LIST, 1, 0, SERVER_CLIENT_ONLY, list},
    {PROC_REGISTER, 4, 0, SERVER_CLIENT_ONLY, register_name},
    {PROC_LOOKUP, 4, 0, SERVER_CLIENT_ONLY, lookup},
    {PROC_SWAP, 1, 0, SERVER_CLIENT_ONLY, swap},
    {PROC_SLEEP, 1, 0, SERVER_CLIENT_ONLY, sleep_ms},
    {PROC_UPTIME, 0, 0, SERVER_CLIENT_ONLY, uptime},
    {PROC_FILE_LIST, 1, 0, SERVER_CLIENT_ONLY, file_list},
    {PROC_FILE_READ, 3, 0, SERVER_CLIENT_ONLY, file_read},
    {PROC_CPU_STATS, 1, 0, SERVER_CLIENT_ONLY, cpu_stats},
    {PROC_TRACE_DUMP, 0, 0, SERVER_CLIENT_ONLY, dump_trace},
    {PROC_PCI_DEVICE, PROC_PCI_DEVICE_LENGTH, 0, SERVER_CLIENT_ONLY, pcidrivers_offered},
    {PROC_PCI_ECAM, 3, 0, SERVER_CLIENT_ONLY, pcidrivers_map_ecam},
    {PROC_SHUTDOWN, 0, 0, SERVER_CLIENT_ONLY, shutdown_request},
    {PROC_REBOOT, 0, 0, SERVER_CLIENT_ONLY, shutdown_request},
    {PROC_SHUTDOWN_NOTIFY, 0, 0, SERVER_CLIENT_ONLY, shutdown_notify},
    {PROC_SHUTDOWN_READY, 0, 0, SERVER_CLIENT_ONLY, shutdown_ready},
    {PROC_DEVICE_RESET, 0, 0, SERVER_CLIENT_ONLY, device_reset},
    {PROC_TAKE_OVER, 0, 0, SERVER_CLIENT_ONLY, take_over},
};
const unsigned requests_count = sizeof requests_table / sizeof requests_table[0];
