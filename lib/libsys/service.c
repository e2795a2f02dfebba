/*
 * The client side of the server protocols: packing requests, calling with
 * retries, and one function per request. See service.h.
 */
#include "libsys/service.h"

#include <stdlib.h>
#include <string.h>

#include "libsys/invoke.h"

#define CALL_RETRIES 8

long request_call(uint64_t slot, struct request *r, const uint64_t *caps, unsigned cap_count,
                  uint64_t receive_slot)
{
    struct ipc_buffer *buffer = libsys_ipc_buffer;
    /* The words in the IPC buffer are lost if the call must be repeated
       (the kernel copied them already); keep them. */
    uint64_t saved[MSG_MAX_LENGTH - MSG_REGISTERS];
    unsigned extra = r->length > MSG_REGISTERS ? (unsigned)r->length - MSG_REGISTERS : 0;
    memcpy(saved, &buffer->mr[MSG_REGISTERS], extra * 8);
    struct missive_msg sent = r->msg;
    long result = ERR_OK;
    for (int attempt = 0; attempt < CALL_RETRIES; attempt++) {
        memcpy(&buffer->mr[MSG_REGISTERS], saved, extra * 8);
        for (unsigned i = 0; i < cap_count && i < MSG_MAX_CAPS; i++)
            buffer->caps[i] = caps[i];
        buffer->receive_slot = receive_slot;
        r->msg = sent;
        result = missive_syscall(SYS_CALL, slot, MSG_TAG(r->label, r->length, cap_count), &r->msg);
        if (!SERVICE_CALL_LOST(result))
            break;
    }
    buffer->receive_slot = 0;
    if (result == ERR_OK) {
        r->label = MSG_LABEL(r->msg.tag);
        r->length = MSG_LENGTH(r->msg.tag);
    }
    return result;
}

/* Calls slot with r; on return r holds the reply. */
static struct result service_call(uint64_t slot, struct request *r, const uint64_t *caps,
                                  unsigned count, uint64_t receive_slot)
{
    return request_result(request_call(slot, r, caps, count, receive_slot), r);
}

static struct request new_request(uint64_t label)
{
    struct request r = {.label = label};
    return r;
}

/* Puts "a\0b\0..." (count strings) from word 1 on with the byte count in MR0. */
static bool put_strings(struct request *r, const char *const *strings, unsigned count)
{
    char bytes[PROC_ARGUMENTS_BYTES];
    size_t n = 0;
    for (unsigned i = 0; i < count; i++) {
        size_t len = strlen(strings[i]) + 1;
        if (n + len > sizeof bytes)
            return false;
        memcpy(bytes + n, strings[i], len);
        n += len;
    }
    request_set_word(r, 0, n);
    return request_put_bytes(r, 1, bytes, n);
}

struct result proc_spawn(const char *path, const char *const argv[], uint64_t *pid)
{
    return proc_spawn_env(path, argv, 0, pid);
}

struct result proc_spawn_env(const char *path, const char *const argv[], const char *const envp[],
                             uint64_t *pid)
{
    const char *strings[48];
    unsigned count = 0;
    strings[count++] = path;
    for (unsigned i = 0; argv && argv[i]; i++) {
        if (count == sizeof strings / sizeof strings[0] - 1)
            return result_bad_argument(0, 1, PROC_ARGUMENTS_BYTES);
        strings[count++] = argv[i];
    }
    if (envp && envp[0])
        strings[count++] = ""; /* arguments end, the environment begins */
    for (unsigned i = 0; envp && envp[i]; i++) {
        if (count == sizeof strings / sizeof strings[0])
            return result_bad_argument(0, 1, PROC_ARGUMENTS_BYTES);
        strings[count++] = envp[i];
    }
    struct request r = new_request(PROC_SPAWN);
    if (!put_strings(&r, strings, count))
        return result_bad_argument(0, 1, PROC_ARGUMENTS_BYTES);
    struct result e = service_call(PROC_SLOT_PROCSRV, &r, 0, 0, 0);
    if (result_is_ok(e) && pid)
        *pid = r.msg.mr[0];
    return e;
}

/* A procsrv request of one word; *result (if not NULL) gets MR0 of the answer. */
static struct result proc_call1(uint64_t label, uint64_t word, uint64_t *result)
{
    struct request r = new_request(label);
    request_set_word(&r, 0, word);
    struct result e = service_call(PROC_SLOT_PROCSRV, &r, 0, 0, 0);
    if (result_is_ok(e) && result)
        *result = r.msg.mr[0];
    return e;
}

struct result proc_wait(uint64_t pid, int64_t *status)
{
    return proc_call1(PROC_WAIT, pid, (uint64_t *)status);
}

struct result proc_kill(uint64_t pid)
{
    return proc_call1(PROC_KILL, pid, 0);
}

struct result proc_stop(uint64_t pid)
{
    return proc_call1(PROC_STOP, pid, 0);
}

struct result proc_swap(const char *name, const char *path, uint64_t *pid)
{
    const char *strings[2] = {name, path};
    struct request r = new_request(PROC_SWAP);
    if (!put_strings(&r, strings, 2))
        return result_bad_argument(0, 1, PROC_ARGUMENTS_BYTES);
    struct result e = service_call(PROC_SLOT_PROCSRV, &r, 0, 0, 0);
    if (result_is_ok(e) && pid)
        *pid = r.msg.mr[0];
    return e;
}

struct result proc_sleep_ms(uint64_t ms)
{
    return proc_call1(PROC_SLEEP, ms, 0);
}

struct result proc_shutdown(bool reboot)
{
    return proc_call1(reboot ? PROC_REBOOT : PROC_SHUTDOWN, 0, 0);
}

struct result proc_shutdown_notify(uint64_t notification)
{
    struct request r = new_request(PROC_SHUTDOWN_NOTIFY);
    return service_call(PROC_SLOT_PROCSRV, &r, &notification, 1, 0);
}

struct result proc_shutdown_ready(void)
{
    return proc_call1(PROC_SHUTDOWN_READY, 0, 0);
}

struct result proc_device_reset(void)
{
    return proc_call1(PROC_DEVICE_RESET, 0, 0);
}

struct result proc_take_over(void)
{
    return proc_call1(PROC_TAKE_OVER, 0, 0);
}

struct result proc_uptime_ms(uint64_t *ms)
{
    return proc_call1(PROC_UPTIME, 0, ms);
}

struct result proc_cpu_stats(uint64_t cpu, struct proc_cpu *out)
{
    struct request r = new_request(PROC_CPU_STATS);
    request_set_word(&r, 0, cpu);
    struct result e = service_call(PROC_SLOT_PROCSRV, &r, 0, 0, 0);
    if (result_is_ok(e))
        *out = (struct proc_cpu){r.msg.mr[0], r.msg.mr[1], r.msg.mr[2], r.msg.mr[3]};
    return e;
}

struct result proc_trace_dump(uint64_t *records)
{
    return proc_call1(PROC_TRACE_DUMP, 0, records);
}

struct result proc_list(uint64_t index, struct proc_entry *out)
{
    struct request r = new_request(PROC_LIST);
    request_set_word(&r, 0, index);
    struct result e = service_call(PROC_SLOT_PROCSRV, &r, 0, 0, 0);
    if (result_is_ok(e)) {
        out->pid = r.msg.mr[0];
        out->state = r.msg.mr[1];
        out->memory = r.msg.mr[2];
        out->restarts = r.msg.mr[3];
        out->parent = r.msg.mr[4];
        request_get_bytes(&r, 5, out->name, PROTO_NAME_WORDS * 8);
        out->name[PROTO_NAME_MAX] = 0;
        out->flags = r.length > 9 ? r.msg.mr[9] : 0;
    }
    return e;
}

/* Puts a name (at most PROTO_NAME_MAX bytes) in MR0-MR3. */
static bool put_name(struct request *r, const char *name)
{
    char words[PROTO_NAME_WORDS * 8] = {0};
    size_t n = strlen(name);
    if (n == 0 || n > PROTO_NAME_MAX)
        return false;
    memcpy(words, name, n);
    return request_put_bytes(r, 0, words, sizeof words);
}

struct result proc_register(const char *name, uint64_t slot)
{
    struct request r = new_request(PROC_REGISTER);
    if (!put_name(&r, name))
        return result_bad_argument(0, 1, PROTO_NAME_MAX);
    return service_call(PROC_SLOT_PROCSRV, &r, &slot, 1, 0);
}

struct result proc_lookup(const char *name, uint64_t slot)
{
    struct request r = new_request(PROC_LOOKUP);
    if (!put_name(&r, name))
        return result_bad_argument(0, 1, PROTO_NAME_MAX);
    struct result e = service_call(PROC_SLOT_PROCSRV, &r, 0, 0, slot);
    if (result_is_ok(e) && MSG_CAPS(r.msg.tag) != 1)
        return result_from_reply(ERR_OK, SERVICE_NOT_FOUND, 0); /* the slot was not free */
    return e;
}

struct result proc_file_list(uint64_t index, char *path, size_t path_size, uint64_t *size)
{
    struct request r = new_request(PROC_FILE_LIST);
    request_set_word(&r, 0, index);
    struct result e = service_call(PROC_SLOT_PROCSRV, &r, 0, 0, 0);
    if (!result_is_ok(e))
        return e;
    uint64_t n = r.msg.mr[1];
    if (n >= path_size || n > (MSG_MAX_LENGTH - 2) * 8)
        return result_bad_argument(1, 0, path_size - 1); /* the path would not fit */
    request_get_bytes(&r, 2, path, n);
    path[n] = 0;
    *size = r.msg.mr[0];
    return result_ok();
}

struct result proc_file_read(const char *path, uint64_t offset, void *buf, size_t n, size_t *got)
{
    struct request r = new_request(PROC_FILE_READ);
    size_t len = strlen(path);
    request_set_word(&r, 0, offset);
    request_set_word(&r, 1, n < PROC_FILE_CHUNK ? n : PROC_FILE_CHUNK);
    request_set_word(&r, 2, len);
    if (!request_put_bytes(&r, 3, path, len))
        return result_bad_argument(2, 1, PROC_PATH_MAX);
    struct result e = service_call(PROC_SLOT_PROCSRV, &r, 0, 0, 0);
    if (!result_is_ok(e))
        return e;
    size_t count = r.msg.mr[0];
    if (count > n || count > PROC_FILE_CHUNK)
        return result_from_reply(ERR_OK, SERVICE_INTERNAL, 0); /* procsrv broke its protocol */
    request_get_bytes(&r, 1, buf, count);
    *got = count;
    return result_ok();
}

struct result mem_map(uint64_t address, uint64_t bytes, uint64_t rights)
{
    struct request r = new_request(MEM_MAP);
    request_set_word(&r, 0, address);
    request_set_word(&r, 1, bytes);
    request_set_word(&r, 2, rights);
    return service_call(PROC_SLOT_MEMSRV, &r, 0, 0, 0);
}

struct result mem_unmap(uint64_t address)
{
    struct request r = new_request(MEM_UNMAP);
    request_set_word(&r, 0, address);
    return service_call(PROC_SLOT_MEMSRV, &r, 0, 0, 0);
}

struct result mem_dma(uint64_t address, uint64_t bytes, uint64_t *physical)
{
    struct request r = new_request(MEM_DMA);
    request_set_word(&r, 0, address);
    request_set_word(&r, 1, bytes);
    struct result e = service_call(PROC_SLOT_MEMSRV, &r, 0, 0, 0);
    if (result_is_ok(e))
        *physical = r.msg.mr[0];
    return e;
}

struct result mem_untyped(unsigned size_bits, uint64_t slot)
{
    struct request r = new_request(MEM_UNTYPED);
    request_set_word(&r, 0, size_bits);
    request_set_word(&r, 1, 0);
    struct result e = service_call(PROC_SLOT_MEMSRV, &r, 0, 0, slot);
    if (result_is_ok(e) && MSG_CAPS(r.msg.tag) != 1)
        return result_from_reply(ERR_OK, SERVICE_NO_MEMORY, 0); /* the slot was not free */
    return e;
}

struct result mem_stats(struct mem_stats *out)
{
    struct request r = new_request(MEM_STATS);
    struct result e = service_call(PROC_SLOT_MEMSRV, &r, 0, 0, 0);
    if (!result_is_ok(e))
        return e;
    out->total = r.msg.mr[0];
    out->free = r.msg.mr[1];
    out->clients = r.msg.mr[2];
    for (unsigned order = 0; order <= MEM_MAX_ORDER; order++) {
        struct request o = new_request(MEM_STATS_ORDER);
        request_set_word(&o, 0, order);
        e = service_call(PROC_SLOT_MEMSRV, &o, 0, 0, 0);
        if (!result_is_ok(e))
            return e;
        out->free_blocks[order] = o.msg.mr[0];
    }
    return result_ok();
}

struct result mem_client_info(uint64_t index, uint64_t *client, uint64_t *quota, uint64_t *used)
{
    struct request r = new_request(MEM_CLIENT_INFO);
    request_set_word(&r, 0, index);
    struct result e = service_call(PROC_SLOT_MEMSRV, &r, 0, 0, 0);
    if (result_is_ok(e)) {
        *client = r.msg.mr[0];
        *quota = r.msg.mr[1];
        *used = r.msg.mr[2];
    }
    return e;
}

const struct proc_info *libsys_proc_info(void)
{
    const struct proc_info *info = (const struct proc_info *)USER_PROC_INFO;
    return info->magic == PROC_INFO_MAGIC ? info : 0;
}

/* Slots given back (a server forgetting a client's frames), taken again before fresh ones:
   a long-running server would otherwise run out of CSpace. The first 256 are kept here; past
   them the list grows on the heap (a file server forgetting a dozen dead clients at once gives
   back 32 slots each), so a slot is lost only when the heap has no room to remember it. */
static uint64_t returned_first[256];
static uint64_t *returned_slots = returned_first;
static size_t returned_count, returned_room = sizeof returned_first / sizeof returned_first[0];

uint64_t libsys_get_slot(void)
{
    return returned_count ? returned_slots[--returned_count] : libsys_alloc_slot();
}

/* Room for twice as many given-back slots; false (the list as it was) without memory. */
static bool returned_grow(void)
{
    uint64_t *grown = malloc(2 * returned_room * sizeof *grown);
    if (!grown)
        return false;
    memcpy(grown, returned_slots, returned_count * sizeof *grown);
    if (returned_slots != returned_first)
        free(returned_slots);
    returned_slots = grown;
    returned_room *= 2;
    return true;
}

void libsys_put_slot(uint64_t slot)
{
    if (!slot)
        return;
    cspace_delete(PROC_SLOT_CSPACE, slot);
    if (returned_count < returned_room || returned_grow())
        returned_slots[returned_count++] = slot;
}

uint64_t libsys_alloc_slot(void)
{
    static uint64_t next;
    const struct proc_info *info = libsys_proc_info();
    if (!info)
        return 0;
    if (next == 0)
        next = info->free_slot;
    if (next >= (1ul << info->cspace_bits))
        return 0;
    return next++;
}
