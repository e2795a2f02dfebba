/*
 * procsrv's start-up and loop: split the boot memory (a little for
 * procsrv, a block to build memsrv from, the rest to memsrv), start memsrv
 * and then everything the boot manifest names, and serve.
 */
#include <stdio.h>
#include <string.h>

#include "procsrv.h"

uint64_t procsrv_endpoint, memsrv_endpoint, procsrv_reserve, procsrv_notification;

#define RESERVE_BITS 20 /* procsrv's own: endpoints, notification, window tables */

static const struct boot_info *const boot = (const struct boot_info *)USER_BOOT_INFO;

/* An Untyped child of bits from parent into a new slot (0 on failure). */
static uint64_t split(uint64_t parent, unsigned bits)
{
    uint64_t slot = slot_alloc();
    if (slot && untyped_retype(parent, CAP_UNTYPED, bits, slot, 1) == ERR_OK)
        return slot;
    slot_free(slot);
    return 0;
}

/* The largest RAM Untyped's slot, and its size. */
static uint64_t largest_untyped(unsigned *bits)
{
    uint64_t best = 0;
    *bits = 0;
    for (uint64_t i = 0; i < boot->untyped_count; i++) {
        if (!boot->untyped[i].device && boot->untyped[i].size_bits > *bits) {
            *bits = boot->untyped[i].size_bits;
            best = boot->untyped_first + i;
        }
    }
    return best;
}

static bool start_pump(void);
static bool pump_running; /* procsrv_pump_running */

/* procsrv's endpoint and its clock, from its reserve. */
static bool make_own_objects(void)
{
    procsrv_endpoint = slot_alloc();
    uint64_t notification = slot_alloc();
    if (untyped_retype(procsrv_reserve, CAP_ENDPOINT, 0, procsrv_endpoint, 1) ||
        untyped_retype(procsrv_reserve, CAP_NOTIFICATION, 0, notification, 1) ||
        thread_bind_notification(ROOT_SLOT_THREAD, notification))
        return false;
    procsrv_notification = notification;
    clock_init(notification);
    pump_running = start_pump();
    if (!pump_running)
        printf("procsrv: error: no pump thread: a PCI driver's swap is made in one go\n");
    return true;
}

/* Moves slot into memsrv's CSpace at the next of its Untyped slots. */
static void give_to_memsrv(uint64_t memsrv_cspace, uint64_t slot, uint64_t *next, uint64_t *bytes,
                           unsigned bits)
{
    if (cspace_move(memsrv_cspace, (*next)++, slot, ROOT_SLOT_CSPACE) == ERR_OK) {
        *bytes += 1ull << bits;
        slot_free(slot);
    }
}

/* Builds memsrv from a block of the largest Untyped, then gives memsrv all
   other RAM: the rest of that Untyped in aligned pieces, and every other
   RAM Untyped. Returns false if memsrv could not start. */
static bool start_memsrv(struct manifest_entry *entry)
{
    unsigned top_bits;
    uint64_t top = largest_untyped(&top_bits);
    /* memsrv's CSpace holds a slot per page it maps: sized to the RAM. */
    uint64_t pages = 0;
    for (uint64_t i = 0; i < boot->untyped_count; i++)
        if (!boot->untyped[i].device)
            pages += (1ull << boot->untyped[i].size_bits) >> 12;
    unsigned bits = 13;
    while (bits < 16 && (1ull << bits) < pages + MEM_UNTYPED_SLOT_FIRST)
        bits++;
    entry->cspace_bits = bits;
    struct load_result check = loader_check(entry);
    if (check.error) {
        printf("procsrv: cannot start memsrv (%s): %s\n", entry->program, check.why);
        return false;
    }
    unsigned block_bits = (unsigned)check.memory_bits;
    if (!top || top_bits < block_bits + 1 || top_bits <= RESERVE_BITS) {
        printf("procsrv: not enough memory to start memsrv\n");
        return false;
    }
    /* [0, 2^block) memsrv's block, then procsrv's reserve, then pieces
       doubling in size, each aligned where the last ended. */
    uint64_t block = split(top, block_bits);
    procsrv_reserve = split(top, RESERVE_BITS);
    if (!block || !procsrv_reserve)
        return false;
    loader_init(procsrv_reserve);
    if (!make_own_objects())
        return false;
    memsrv_endpoint = slot_alloc();
    procsrv_memsrv = slot_alloc();
    if (untyped_retype(procsrv_reserve, CAP_ENDPOINT, 0, memsrv_endpoint, 1) ||
        cspace_mint(ROOT_SLOT_CSPACE, procsrv_memsrv, memsrv_endpoint,
                    CAP_RIGHT_SEND | CAP_RIGHT_GRANT, PROC_PID_PROCSRV, 0))
        return false;
    names_set_service("memsrv", memsrv_endpoint, 0);
    long error;
    struct process *p = process_start(entry, 0, block, block_bits, &error);
    if (!p)
        return false;

    uint64_t next = MEM_UNTYPED_SLOT_FIRST, bytes = 0;
    for (unsigned piece = RESERVE_BITS; piece < block_bits; piece++) {
        uint64_t s = split(top, piece);
        if (s)
            give_to_memsrv(p->cspace, s, &next, &bytes, piece);
    }
    for (unsigned piece = block_bits + 1; piece < top_bits; piece++) {
        uint64_t s = split(top, piece);
        if (s)
            give_to_memsrv(p->cspace, s, &next, &bytes, piece);
    }
    for (uint64_t i = 0; i < boot->untyped_count; i++) {
        uint64_t slot = boot->untyped_first + i;
        if (!boot->untyped[i].device && slot != top && slot != trace_untyped)
            give_to_memsrv(p->cspace, slot, &next, &bytes, boot->untyped[i].size_bits);
    }
    printf("procsrv: %lu Untyped (%lu KiB) given to memsrv\n",
           (unsigned long)(next - MEM_UNTYPED_SLOT_FIRST), (unsigned long)(bytes >> 10));
    /* Only now may it run: on another CPU it would find its memory half given. */
    return thread_resume(p->thread) == ERR_OK;
}

/* The manifest's path: "manifest=PATH" among procsrv's arguments. */
static const char *manifest_path(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strncmp(argv[i], "manifest=", 9) == 0)
            return argv[i] + 9;
    return "etc/boot.manifest";
}

/* Starts every entry of the manifest; memsrv first, wherever it is listed.
   Bad lines are reported and skipped. */
static void start_manifest(const char *path)
{
    const void *data;
    uint64_t size;
    static struct manifest_entry entries[PROCSRV_MAX_PROCESSES];
    unsigned count = 0;
    if (!files_find(path, &data, &size)) {
        printf("procsrv: error: no manifest %s in the initrd; starting memsrv alone\n", path);
        size = 0;
    }
    size_t pos = 0, length;
    const char *line;
    char error[MANIFEST_ERROR_MAX + 1];
    for (unsigned number = 1; manifest_next_line(data, size, &pos, &line, &length); number++) {
        if (count == PROCSRV_MAX_PROCESSES) {
            printf("procsrv: error: %s:%u: too many entries; the rest are ignored\n", path, number);
            break;
        }
        enum manifest_result r = manifest_parse_line(line, length, &entries[count], error);
        if (r == MANIFEST_ERROR)
            printf("procsrv: error: %s:%u: %s; line skipped\n", path, number, error);
        else if (r == MANIFEST_ENTRY)
            count++;
    }
    struct manifest_entry *memsrv = 0, fallback;
    for (unsigned i = 0; i < count && !memsrv; i++)
        if (strcmp(entries[i].name, "memsrv") == 0)
            memsrv = &entries[i];
    if (!memsrv) {
        char error2[MANIFEST_ERROR_MAX + 1];
        static const char line2[] = "server memsrv bin/memsrv priority=200";
        manifest_parse_line(line2, sizeof line2 - 1, &fallback, error2);
        memsrv = &fallback;
    }
    memsrv->server = true;
    if (!start_memsrv(memsrv)) {
        printf("procsrv: error: without memsrv nothing else can start\n");
        return;
    }
    for (unsigned i = 0; i < count; i++) {
        if (&entries[i] == memsrv)
            continue;
        if (entries[i].pci) { /* started when the pci server finds its function */
            if (!pcidrivers_add(&entries[i]))
                printf("procsrv: error: too many PCI drivers; %s is not started\n",
                       entries[i].name);
            continue;
        }
        long e;
        process_start(&entries[i], 0, 0, 0, &e);
    }
}

/* The sender of a request: a running process, or NULL (requests are refused then). */
static void *find_caller(struct server *s, uint64_t badge)
{
    (void)s;
    struct process *p = process_find(badge);
    return p && p->state == PROC_STATE_RUNNING ? p : 0;
}

/* The pump (procsrv.h): its own notification, and its send capability to procsrv's. */
#define PUMP_STACK 4096
static _Alignas(16) uint8_t pump_stack[PUMP_STACK];
static uint64_t pump_wake, pump_signal;

bool procsrv_pump_running(void)
{
    return pump_running;
}

static _Noreturn void pump_main(void)
{
    for (;;) {
        struct missive_msg m = {0};
        missive_syscall(SYS_RECV, pump_wake, 0, &m);
        m = (struct missive_msg){0};
        missive_syscall(SYS_SEND, pump_signal, 0, &m);
    }
}

void procsrv_pump_wake(void)
{
    struct missive_msg m = {0};
    missive_syscall(SYS_SEND, pump_wake, 0, &m);
}

/* The pump's thread and notifications, from procsrv's reserve; false if they cannot be had
   (a swap's instance is then never built: procsrv says so at start). */
static bool start_pump(void)
{
    uint64_t thread = slot_alloc();
    pump_wake = slot_alloc();
    pump_signal = slot_alloc();
    /* rsp 8 below the top: as after a call, so the entry's frame is aligned */
    return thread && pump_wake && pump_signal &&
           untyped_retype(procsrv_reserve, CAP_NOTIFICATION, 0, pump_wake, 1) == ERR_OK &&
           untyped_retype(procsrv_reserve, CAP_THREAD, 0, thread, 1) == ERR_OK &&
           cspace_mint(ROOT_SLOT_CSPACE, pump_signal, procsrv_notification, CAP_RIGHT_SEND,
                       PROCSRV_BADGE_BUILD_STEP, 0) == ERR_OK &&
           thread_configure(thread, ROOT_SLOT_CSPACE, ROOT_SLOT_VSPACE, PROC_PREPARE_PRIORITY, 0) ==
               ERR_OK &&
           thread_set_ipc_buffer(thread, ROOT_SLOT_IPC_BUFFER) == ERR_OK &&
           thread_write_registers(thread, (uint64_t)pump_main,
                                  (uint64_t)(pump_stack + PUMP_STACK - 8), 0, 0, 0) == ERR_OK &&
           sys_thread_set_name(thread, "procsrv-pump") == ERR_OK && thread_resume(thread) == ERR_OK;
}

/* The clock's tick, the power button and the pump share procsrv's notification, told apart by
   badge. */
static void notified(struct server *s, uint64_t word)
{
    (void)s;
    if (word & PROCSRV_BADGE_BUILD_STEP)
        process_build_step();
    if (word & PROCSRV_BADGE_POWER_BUTTON)
        shutdown_power_button();
    if (word & PROCSRV_BADGE_CLOCK) {
        clock_tick();
        shutdown_poll();
    }
}

/* A thread's fault: the process ends (and is restarted if its manifest says so); the thread
   is gone, so nothing answers the fault message. */
static long fault(struct server_call *call)
{
    process_fault(call->badge, &call->in.msg);
    return SERVER_NO_REPLY;
}

/* procsrv cannot give up: a receive that failed is tried again. */
static bool receive_failed(struct server *s, long error)
{
    (void)s, (void)error;
    return true;
}

/* The loop: requests, faults and clock ticks, one at a time. */
static _Noreturn void serve(void)
{
    static struct server server = {
        .name = "procsrv",
        .cspace = ROOT_SLOT_CSPACE,
        .find_client = find_caller,
        .notification = notified,
        .fault = fault,
        .receive_failed = receive_failed,
        .slot_alloc = slot_alloc,
        .slot_free = slot_free,
    };
    server.endpoint = procsrv_endpoint;
    server.ops = requests_table;
    server.op_count = requests_count;
    server_run(&server);
}

int main(int argc, char **argv)
{
    if (boot->magic != BOOT_INFO_MAGIC) {
        printf("procsrv: no boot info; stopping\n");
        return 1;
    }
    uint64_t end = ROOT_SLOT_FIRST_FREE;
    if (boot->untyped_first + boot->untyped_count > end)
        end = boot->untyped_first + boot->untyped_count;
    if (boot->initrd_first + boot->initrd_count > end)
        end = boot->initrd_first + boot->initrd_count;
    if (boot->framebuffer_first + boot->framebuffer_count > end)
        end = boot->framebuffer_first + boot->framebuffer_count;
    slots_init(end);
    files_init((const void *)USER_INITRD, boot->initrd_size);
    for (int i = 1; i < argc; i++)
        printf("procsrv: argument %d: '%s'\n", i, argv[i]);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "trace") == 0) {
            unsigned bits;
            trace_boot_start(largest_untyped(&bits));
        }
    }
    start_manifest(manifest_path(argc, argv));
    serve();
}
