/*
 * procsrv's requests (lib/proto/proc.h): each decoded and checked here,
 * argument by argument, before anything changes.
 */
#include <stdio.h>
#include <string.h>

#include "procsrv.h"

/* Words a request needs at least. */
static const unsigned min_length[] = {
    [PROC_SPAWN] = 1,     [PROC_EXIT] = 1,       [PROC_WAIT] = 1,      [PROC_KILL] = 1,
    [PROC_LIST] = 1,      [PROC_REGISTER] = 4,   [PROC_LOOKUP] = 4,    [PROC_SWAP] = 1,
    [PROC_SLEEP] = 1,     [PROC_UPTIME] = 0,     [PROC_FILE_LIST] = 1, [PROC_FILE_READ] = 3,
    [PROC_CPU_STATS] = 1, [PROC_TRACE_DUMP] = 0,
};

/* Copies the n bytes of strings after MR0 into out (n <= max) and checks
   they end in a NUL and fit the message; returns false if not. */
static bool get_strings(const struct request *r, char *out, uint64_t max, uint64_t *n)
{
    *n = request_word(r, 0);
    if (*n == 0 || *n > max || 1 + (*n + 7) / 8 > r->length)
        return false;
    request_get_bytes(r, 1, out, *n);
    return out[*n - 1] == 0;
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

static long spawn(uint64_t badge, struct request *r)
{
    char strings[PROC_ARGUMENTS_BYTES];
    uint64_t n;
    if (!get_strings(r, strings, sizeof strings, &n))
        return SERVICE_BAD_ARGUMENT;
    struct manifest_entry e;
    memset(&e, 0, sizeof e);
    size_t path_length = strlen(strings);
    if (path_length == 0 || path_length > MANIFEST_PROGRAM_MAX)
        return SERVICE_BAD_ARGUMENT;
    memcpy(e.program, strings, path_length);
    const char *base = strrchr(strings, '/') ? strrchr(strings, '/') + 1 : strings;
    strncpy(e.name, base, MANIFEST_NAME_MAX);
    e.priority = 100;
    e.quota = 16ull << 20;
    e.cspace_bits = 8;
    uint64_t at = path_length + 1;
    if (n - at > MANIFEST_ARGS_MAX)
        return SERVICE_BAD_ARGUMENT;
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
    struct process *p = process_start(&e, badge, 0, 0, &error);
    if (!p)
        return -error;
    request_set_word(r, 0, p->pid);
    return SERVICE_OK;
}

static long wait_for(uint64_t badge, struct request *r)
{
    struct process *p = process_find(request_word(r, 0));
    if (!p || p->parent != badge)
        return SERVICE_NOT_FOUND;
    if (p->state == PROC_STATE_EXITED) {
        request_set_word(r, 0, (uint64_t)p->status);
        process_collect(p);
        return SERVICE_OK;
    }
    if (p->waiter)
        return SERVICE_BUSY;
    uint64_t slot = slot_alloc();
    if (!slot || sys_invoke5(ROOT_SLOT_CSPACE, CSPACE_SAVE_REPLY, slot, 0, 0, 0, 0, 0) != ERR_OK) {
        slot_free(slot);
        return SERVICE_TOO_MANY;
    }
    p->waiter = slot;
    return -1;
}

static long kill(uint64_t badge, struct request *r)
{
    uint64_t pid = request_word(r, 0);
    if (pid == PROC_PID_PROCSRV || pid == PROC_PID_MEMSRV)
        return SERVICE_DENIED;
    struct process *p = process_find(pid);
    if (!p)
        return SERVICE_NOT_FOUND;
    printf("procsrv: process %lu (%s) killed by process %lu\n", (unsigned long)pid, p->entry.name,
           (unsigned long)badge);
    p->from_manifest = false; /* killed on request: not restarted */
    process_end(p, -9, false);
    return pid == badge ? -1 : SERVICE_OK;
}

static long list(struct request *r)
{
    struct process *p = process_at(request_word(r, 0));
    if (!p)
        return SERVICE_NOT_FOUND;
    request_set_word(r, 0, p->pid);
    request_set_word(r, 1, p->state);
    /* memsrv is built from procsrv's own block, not lent by itself. */
    uint64_t memory = p->pid == PROC_PID_MEMSRV        ? 1ull << p->untyped_bits
                      : p->state == PROC_STATE_RUNNING ? process_memory(p->pid)
                                                       : 0;
    request_set_word(r, 2, memory);
    request_set_word(r, 3, p->restarts);
    request_set_word(r, 4, p->parent);
    char name[PROTO_NAME_WORDS * 8] = {0};
    memcpy(name, p->entry.name, strlen(p->entry.name));
    request_put_bytes(r, 5, name, sizeof name);
    return SERVICE_OK;
}

static long register_name(uint64_t badge, struct request *r, uint64_t received)
{
    char name[PROTO_NAME_MAX + 1];
    struct missive_msg m = {0};
    if (!received)
        return SERVICE_BAD_ARGUMENT;
    sys_invoke5(ROOT_SLOT_CSPACE, CSPACE_IDENTIFY, received, 0, 0, 0, 0, &m);
    long e = !get_name(r, name)                        ? SERVICE_BAD_ARGUMENT
             : m.mr[0] != CAP_ENDPOINT || m.mr[2] != 0 ? SERVICE_BAD_ARGUMENT
                                                       : names_register(name, received, badge);
    if (e != SERVICE_OK)
        slot_release(received);
    return e;
}

static long lookup(uint64_t badge, struct request *r, uint64_t *reply_cap)
{
    char name[PROTO_NAME_MAX + 1];
    if (!get_name(r, name))
        return SERVICE_BAD_ARGUMENT;
    uint64_t endpoint = names_lookup(name);
    if (!endpoint)
        return SERVICE_NOT_FOUND;
    uint64_t slot = slot_alloc();
    if (!slot || sys_invoke5(ROOT_SLOT_CSPACE, CSPACE_MINT, slot, endpoint,
                             CAP_RIGHT_SEND | CAP_RIGHT_GRANT, badge, 0, 0) != ERR_OK) {
        slot_free(slot);
        return SERVICE_TOO_MANY;
    }
    *reply_cap = slot;
    r->length = 0;
    return SERVICE_OK;
}

static long swap(struct request *r)
{
    char strings[PROC_ARGUMENTS_BYTES];
    uint64_t n;
    if (!get_strings(r, strings, sizeof strings, &n))
        return SERVICE_BAD_ARGUMENT;
    const char *name = strings, *program = strings + strlen(strings) + 1;
    if (program >= strings + n || strlen(program) == 0 || strlen(program) > MANIFEST_PROGRAM_MAX)
        return SERVICE_BAD_ARGUMENT;
    for (uint64_t i = 0;; i++) {
        struct process *p = process_at(i);
        if (!p)
            return SERVICE_NOT_FOUND;
        if (p->service && p->entry.server && strcmp(p->entry.name, name) == 0) {
            if (p->pid == PROC_PID_MEMSRV)
                return SERVICE_DENIED;
            uint64_t pid;
            long e = process_swap(p, program, &pid);
            if (e)
                return -e;
            request_set_word(r, 0, pid);
            return SERVICE_OK;
        }
    }
}

static long file_list(struct request *r)
{
    const char *path;
    uint64_t length, size;
    if (!files_at(request_word(r, 0), &path, &length, &size))
        return SERVICE_NOT_FOUND;
    if (length > (MSG_MAX_LENGTH - 2) * 8)
        length = (MSG_MAX_LENGTH - 2) * 8;
    request_set_word(r, 0, size);
    request_set_word(r, 1, length);
    request_put_bytes(r, 2, path, length);
    return SERVICE_OK;
}

static long file_read(struct request *r)
{
    uint64_t offset = request_word(r, 0), want = request_word(r, 1);
    uint64_t length = request_word(r, 2);
    char path[PROC_PATH_MAX + 1];
    if (length == 0 || length > PROC_PATH_MAX || 3 + (length + 7) / 8 > r->length)
        return SERVICE_BAD_ARGUMENT;
    request_get_bytes(r, 3, path, length);
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
    r->length = 0;
    request_set_word(r, 0, count);
    request_put_bytes(r, 1, (const char *)data + offset, count);
    return SERVICE_OK;
}

/* One CPU's load, from the kernel's debug capability (procsrv's alone). */
static long cpu_stats(struct request *r)
{
    const struct boot_info *boot = (const struct boot_info *)USER_BOOT_INFO;
    uint64_t cpu = request_word(r, 0);
    struct missive_msg m = {0};
    if (cpu >= boot->cpu_count)
        return SERVICE_NOT_FOUND;
    if (sys_invoke5(ROOT_SLOT_DEBUG, DEBUG_CPU_STATS, cpu, 0, 0, 0, 0, &m) != ERR_OK)
        return SERVICE_NOT_FOUND;
    r->length = 0;
    for (unsigned i = 0; i < 4; i++)
        request_set_word(r, i, m.mr[i]);
    return SERVICE_OK;
}

long requests_handle(uint64_t badge, struct request *r, uint64_t received, uint64_t *reply_cap)
{
    uint64_t label = r->label;
    struct process *caller = process_find(badge);
    if (!caller || caller->state != PROC_STATE_RUNNING) {
        slot_release(received);
        return SERVICE_DENIED;
    }
    if (label == 0 || label >= sizeof min_length / sizeof min_length[0]) {
        slot_release(received);
        return SERVICE_BAD_LABEL;
    }
    if (r->length < min_length[label]) {
        slot_release(received);
        return SERVICE_BAD_LENGTH;
    }
    if (label != PROC_REGISTER)
        slot_release(received);
    switch (label) {
    case PROC_SPAWN:
        return spawn(badge, r);
    case PROC_EXIT:
        process_end(caller, (int64_t)request_word(r, 0), false);
        return -1;
    case PROC_WAIT:
        return wait_for(badge, r);
    case PROC_KILL:
        return kill(badge, r);
    case PROC_LIST:
        return list(r);
    case PROC_REGISTER:
        return register_name(badge, r, received);
    case PROC_LOOKUP:
        return lookup(badge, r, reply_cap);
    case PROC_SWAP:
        return swap(r);
    case PROC_SLEEP:
        return clock_sleep(request_word(r, 0));
    case PROC_UPTIME:
        request_set_word(r, 0, clock_ms());
        return SERVICE_OK;
    case PROC_FILE_LIST:
        return file_list(r);
    case PROC_CPU_STATS:
        return cpu_stats(r);
    case PROC_TRACE_DUMP:
        return trace_dump(r);
    default:
        return file_read(r);
    }
}
