/*
 * The process table: starting processes (borrowing their memory from
 * memsrv), ending them (one revoke ends every object, one request to
 * memsrv returns every page), faults, restarts with back-off, and waiting.
 */
#include <stdio.h>
#include <string.h>

#include "procsrv.h"

static struct process table[PROCSRV_MAX_PROCESSES];
static uint64_t next_pid = PROC_PID_MEMSRV + 1;
uint64_t procsrv_memsrv; /* procsrv's own capability to memsrv (badge PROC_PID_PROCSRV) */

struct process *process_find(uint64_t pid)
{
    for (int i = 0; pid && i < PROCSRV_MAX_PROCESSES; i++)
        if (table[i].pid == pid)
            return &table[i];
    return 0;
}

struct process *process_at(uint64_t index)
{
    for (int i = 0; i < PROCSRV_MAX_PROCESSES; i++)
        if (table[i].pid && index-- == 0)
            return &table[i];
    return 0;
}

/* A request to memsrv on behalf of procsrv. */
static struct result memsrv_call(uint64_t label, uint64_t a0, uint64_t a1, uint64_t cap,
                                 uint64_t receive)
{
    struct request r = {.label = label};
    request_set_word(&r, 0, a0);
    request_set_word(&r, 1, a1);
    long e = request_call(procsrv_memsrv, &r, cap ? &cap : 0, cap ? 1 : 0, receive);
    if (e == ERR_OK && receive && r.label == SERVICE_OK && MSG_CAPS(r.msg.tag) != 1)
        return result_from_reply(ERR_OK, SERVICE_NO_MEMORY, 0);
    return request_result(e, &r);
}

/* A PCI driver's memory after it ended: its device may still be writing into it (the
   commands it had in flight, its received-FIS area), and nothing can stop the device before
   the next driver resets it (procsrv never calls the pci server, which owns the command
   register), so memsrv gets the memory back only then (process_device_reset). Past
   PROCSRV_HELD_MAX instances that never reset it, the memory is kept for good. */
static void hold_memory(struct process *p)
{
    if (p->held_count < PROCSRV_HELD_MAX) {
        p->held[p->held_count++] = p->pid;
        return;
    }
    printf("procsrv: %s: the memory of process %lu is kept for good: its device was not reset\n",
           p->entry.name, (unsigned long)p->pid);
}

void process_device_reset(struct process *p)
{
    for (unsigned i = 0; i < p->held_count; i++)
        memsrv_call(MEM_CLIENT_REMOVE, p->held[i], 0, 0, 0);
    p->held_count = 0;
}

/* Deletes every object of p and gives its memory back (a PCI driver's: once its device is
   reset, hold_memory); p's entry stays. */
static void destroy(struct process *p)
{
    if (p->untyped) {
        cspace_revoke(ROOT_SLOT_CSPACE, p->untyped, 0);
        if (p->device.present && !p->replaces) /* a swap's new instance never had the device */
            hold_memory(p);
        else if (p->pid != PROC_PID_MEMSRV)
            memsrv_call(MEM_CLIENT_REMOVE, p->pid, 0, 0, 0);
    }
    slot_free(p->cspace);
    slot_free(p->vspace);
    slot_free(p->thread);
    if (p->pid != PROC_PID_MEMSRV)
        slot_release(p->untyped);
    p->untyped = p->cspace = p->vspace = p->thread = 0;
    names_drop_owner(p->pid);
}

/* launch's first half: checks p's program and borrows its memory (a new pid each time). On
   failure everything is undone; returns 0 or -(SERVICE_*). */
static long launch_begin(struct process *p, uint64_t memory, unsigned memory_bits)
{
    struct load_result check = loader_check(&p->entry);
    if (check.error) {
        printf("procsrv: cannot start %s (%s): %s\n", p->entry.name, p->entry.program, check.why);
        return check.error;
    }
    p->pid = memory ? PROC_PID_MEMSRV : next_pid++;
    p->state = PROC_STATE_RUNNING;
    if (memory) {
        p->untyped = memory;
        p->untyped_bits = memory_bits;
    } else {
        struct result e = memsrv_call(MEM_CLIENT_ADD, p->pid, p->entry.quota, 0, 0);
        p->untyped = slot_alloc();
        p->untyped_bits = (unsigned)check.memory_bits;
        if (result_is_ok(e))
            e = memsrv_call(MEM_UNTYPED, check.memory_bits, p->pid, 0, p->untyped);
        if (!result_is_ok(e)) {
            char why[80];
            printf("procsrv: cannot start %s (%s): %s\n", p->entry.name, p->entry.program,
                   result_format(why, sizeof why, "memsrv", e));
            destroy(p);
            return result_is_service(e, SERVICE_QUOTA) ? -SERVICE_QUOTA : -SERVICE_NO_MEMORY;
        }
    }
    return 0;
}

/* launch's second half, once p is built (r: how that went): memsrv learns its address space
   and it is resumed. On failure everything is undone; returns 0 or -(SERVICE_*). swap:
   process_swap says the one line (a console line costs the swap pause about 0.1 ms of TCG;
   docs/disk-performance.md). */
static long launch_end(struct process *p, struct load_result r, bool swap)
{
    if (!r.error && p->pid != PROC_PID_MEMSRV &&
        !result_is_ok(memsrv_call(MEM_CLIENT_VSPACE, p->pid, 0, p->vspace, 0)))
        r = (struct load_result){-SERVICE_NO_MEMORY, "memsrv refused its address space", 0};
    if (r.error) {
        printf("procsrv: cannot start %s (%s): %s\n", p->entry.name, p->entry.program, r.why);
        destroy(p);
        return r.error;
    }
    /* Said before it runs: on another CPU its own first lines would
       otherwise mix with this one on the shared serial line. Only for what the
       manifest starts (servers, drivers, their restarts): a program a client
       spawns (the shell's run) is the client's to report. procsrv writes through
       the kernel, not the console server, so on several CPUs its lines land
       inside other programs' lines character by character; a line per spawn
       did that to test programs' results running in the background. */
    if (!swap && p->from_manifest)
        printf("procsrv: started %s (%s) as process %lu (%lu KiB to start)\n", p->entry.name,
               p->entry.program, (unsigned long)p->pid,
               (unsigned long)(1ul << p->untyped_bits) >> 10);
    /* memsrv waits for its memory (start_memsrv resumes it). */
    if (p->pid != PROC_PID_MEMSRV && thread_resume(p->thread) != ERR_OK) {
        printf("procsrv: cannot start %s: its thread would not start\n", p->entry.name);
        destroy(p);
        return -SERVICE_INTERNAL; /* procsrv's own failure, not the request's */
    }
    p->launches++;
    return 0;
}

/* Borrows memory for p (a new pid each time) and builds it. On failure
   everything is undone; returns 0 or -(SERVICE_*). */
static long launch(struct process *p, const char *extra, uint64_t extra_length, uint64_t memory,
                   unsigned memory_bits, bool swap)
{
    long e = launch_begin(p, memory, memory_bits);
    return e ? e : launch_end(p, loader_start(p, extra, extra_length), swap);
}

static struct process *staging; /* a swap's instance being built in stages, or NULL */

/* A free entry of the table, or NULL. */
static struct process *free_entry(void)
{
    for (int i = 0; i < PROCSRV_MAX_PROCESSES; i++)
        if (!table[i].pid && !table[i].state)
            return &table[i];
    return 0;
}

/* process_start's and process_start_driver's work. */
static struct process *start(const struct manifest_entry *entry, uint64_t parent, uint64_t memory,
                             unsigned memory_bits, const struct proc_device *device, long *error)
{
    struct process *p = free_entry();
    if (!p) {
        *error = -SERVICE_TOO_MANY;
        printf("procsrv: cannot start %s: the process table is full\n", entry->name);
        return 0;
    }
    memset(p, 0, sizeof *p);
    p->entry = *entry;
    p->parent = parent;
    p->from_manifest = parent == 0;
    if (device)
        p->device = *device;
    if (entry->server) {
        p->service = names_lookup(entry->name);
        if (!p->service) {
            p->service = slot_alloc();
            if (untyped_retype(procsrv_reserve, CAP_ENDPOINT, 0, p->service, 1) != ERR_OK) {
                slot_free(p->service);
                *error = -SERVICE_NO_MEMORY;
                return 0;
            }
            names_set_service(entry->name, p->service, 0);
        }
    }
    *error = launch(p, "", 0, memory, memory_bits, false);
    if (*error) {
        memset(p, 0, sizeof *p);
        return 0;
    }
    return p;
}

struct process *process_start(const struct manifest_entry *entry, uint64_t parent, uint64_t memory,
                              unsigned memory_bits, long *error)
{
    return start(entry, parent, memory, memory_bits, 0, error);
}

struct process *process_start_driver(const struct manifest_entry *entry,
                                     const struct proc_device *device, long *error)
{
    return start(entry, 0, 0, 0, device, error);
}

/* Frees p's entry; a server's endpoint goes too, waking its waiting clients. */
static void release(struct process *p)
{
    if (p->service) {
        char name[sizeof p->entry.name];
        memcpy(name, p->entry.name, sizeof name);
        cspace_revoke(ROOT_SLOT_CSPACE, p->service, 0);
        names_set_service(name, 0, 0);
        slot_release(p->service);
    }
    memset(p, 0, sizeof *p);
}

/* A server swapped in that ended on its own (an exit, a fault: not a kill or a stop) before
   it was swapped again: the swap did not hold, so the program it replaced comes back at the
   next clock tick (the block clients wait meanwhile; docs/processes.md). True if so. */
static bool undo_swap(struct process *p)
{
    if (!p->swapped_from[0] || !p->from_manifest)
        return false;
    printf("procsrv: %s (%s) ended after a swap; starting %s again\n", p->entry.name,
           p->entry.program, p->swapped_from);
    memcpy(p->entry.program, p->swapped_from, sizeof p->entry.program);
    p->swapped_from[0] = 0;
    p->state = PROC_STATE_RESTARTING;
    p->restart_tick = clock_ticks();
    return true;
}

/* Answers the saved reply of p's swap (if any): status, and MR0 the new pid on success. */
static void answer_swap(struct process *p, uint64_t status, uint64_t pid)
{
    if (!p->swap_reply)
        return;
    struct missive_msg m = {.mr = {pid}};
    missive_syscall(SYS_SEND, p->swap_reply, MSG_TAG(status, status == SERVICE_OK, 0), &m);
    slot_free(p->swap_reply);
    p->swap_reply = 0;
}

/* q, a swap's new instance, ended before PROC_TAKE_OVER (it exited or faulted, was killed, or
   the old one ended first): the swap did not happen. The old instance was never touched and
   serves on (if it still runs); the swap's caller hears SERVICE_BAD_PROGRAM. q never had the
   device, so its memory goes back to memsrv at once (destroy). */
static void prepared_failed(struct process *q, const char *why)
{
    struct process *p = q->replaces;
    uint64_t pid = q->pid;
    if (staging == q)
        staging = 0;
    printf("procsrv: cannot swap %s for %s: process %lu %s; %s serves on\n", p->entry.name,
           q->entry.program, (unsigned long)pid, why, p->entry.program);
    destroy(q);
    clock_forget(pid);
    shutdown_forget(pid);
    p->prepared = 0;
    answer_swap(p, SERVICE_BAD_PROGRAM, 0);
    memset(q, 0, sizeof *q); /* not release: the endpoint is the old instance's */
}

void process_end(struct process *p, int64_t status, bool restart)
{
    if (p->replaces) {
        prepared_failed(p, status == -9 ? "was killed before it took its device over"
                                        : "ended before it took its device over");
        return;
    }
    if (p->prepared)
        prepared_failed(p->prepared, "was ended: the instance it was to replace ended first");
    uint64_t pid = p->pid;
    destroy(p);
    clock_forget(pid); /* a sleep it was killed in */
    shutdown_forget(pid);
    p->status = status;
    /* Orphans: nobody will wait for them. */
    for (int i = 0; i < PROCSRV_MAX_PROCESSES; i++) {
        if (table[i].pid && table[i].parent == pid) {
            table[i].parent = 0;
            if (table[i].state == PROC_STATE_EXITED)
                release(&table[i]);
        }
    }
    if (undo_swap(p))
        return;
    if (restart && p->from_manifest && p->entry.restart) {
        if (p->restarts < p->entry.restart) {
            uint64_t delay_ms = 100ull << (p->restarts < 5 ? p->restarts : 5);
            p->state = PROC_STATE_RESTARTING;
            p->restart_tick = clock_ticks() + delay_ms * PROC_CLOCK_HZ / 1000;
            printf("procsrv: restarting %s in %lu ms (restart %u of %u)\n", p->entry.name,
                   (unsigned long)delay_ms, p->restarts + 1, p->entry.restart);
        } else {
            p->state = PROC_STATE_FAILED;
            printf("procsrv: %s ended %u times; not restarting it\n", p->entry.name,
                   p->restarts + 1);
        }
        return;
    }
    p->state = PROC_STATE_EXITED;
    if (p->waiter) {
        struct missive_msg m = {.mr = {(uint64_t)status}};
        missive_syscall(SYS_SEND, p->waiter, MSG_TAG(SERVICE_OK, 1, 0), &m);
        slot_free(p->waiter);
        release(p);
    } else if (!p->parent) {
        release(p);
    }
}

static const char *vector_name(uint64_t vector)
{
    static const char *const names[] = {[0] = "divide error",         [1] = "debug",
                                        [3] = "breakpoint",           [4] = "overflow",
                                        [5] = "bound range",          [6] = "invalid opcode",
                                        [7] = "device not available", [10] = "invalid TSS",
                                        [11] = "segment not present", [12] = "stack fault",
                                        [13] = "general protection",  [14] = "page fault",
                                        [16] = "x87 error",           [17] = "alignment check",
                                        [19] = "SIMD error"};
    return vector < sizeof names / sizeof names[0] && names[vector] ? names[vector] : "exception";
}

void process_fault(uint64_t pid, const struct missive_msg *fault)
{
    struct process *p = process_find(pid);
    if (!p || p->state != PROC_STATE_RUNNING)
        return;
    uint64_t vector = fault->mr[FAULT_MR_VECTOR];
    printf("procsrv: process %lu (%s) thread main: %s (vector %lu) at rip 0x%lx, address 0x%lx; "
           "killed\n",
           (unsigned long)pid, p->entry.name, vector_name(vector), (unsigned long)vector,
           (unsigned long)fault->mr[FAULT_MR_RIP], (unsigned long)fault->mr[FAULT_MR_ADDRESS]);
    process_end(p, -(int64_t)(128 + vector), true);
}

void process_restart_due(void)
{
    for (int i = 0; i < PROCSRV_MAX_PROCESSES; i++) {
        struct process *p = &table[i];
        if (p->replaces && p->take_over_tick <= clock_ticks()) { /* prepare_swap's bound */
            char why[80];
            snprintf(why, sizeof why, "was killed: no PROC_TAKE_OVER in %u ms",
                     (unsigned)PROC_TAKE_OVER_WAIT_MS);
            prepared_failed(p, why);
            continue;
        }
        if (p->state != PROC_STATE_RESTARTING || p->restart_tick > clock_ticks())
            continue;
        p->restarts++;
        if (launch(p, "", 0, 0, 0, false) != 0)
            process_end(p, -1, true); /* counts as another crash: back off further */
    }
}

void process_kill(struct process *p, bool stop)
{
    if (stop)
        p->from_manifest = false; /* no restart; and with no parent, its entry goes */
    p->swapped_from[0] = 0;       /* killed on purpose: it comes back as it is */
    process_end(p, -9, !stop);
}

struct process *process_server(const char *name)
{
    for (int i = 0; i < PROCSRV_MAX_PROCESSES; i++) {
        struct process *p = &table[i];
        if (p->pid && p->service && p->entry.server && !p->replaces &&
            strcmp(p->entry.name, name) == 0)
            return p;
    }
    return 0;
}

/* Whether p's swap is prepared before the handover: a PCI driver (it takes its device over
   with PROC_TAKE_OVER before it touches it) whose interrupt is not an INTx line (the old
   instance holds the line until it ends; an MSI vector is the new instance's own). */
static bool swap_prepared(const struct process *p)
{
    const struct proc_device *d = &p->device;
    bool msi = (d->irq_word & (PCI_IRQ_MSI | PCI_IRQ_MSIX)) && !p->entry.no_msi;
    /* Without the pump the new instance would never be built: the swap is made in one go. */
    return procsrv_pump_running() && p->state == PROC_STATE_RUNNING && d->present &&
           (msi || !(d->irq_word & PCI_IRQ_ROUTED));
}

/* A swap prepared before the handover (docs/processes.md, "Swapping a block driver"): the new
   instance is built a stage at a time (process_build_step, as the pump wakes procsrv: only
   while no client is ready to run) and started at PROC_PREPARE_PRIORITY while p still serves;
   it ends p itself with PROC_TAKE_OVER once it has prepared what does not need the device. The
   caller's reply is saved for then. */
static long prepare_swap(struct process *p, const struct manifest_entry *next)
{
    struct process *q = free_entry();
    if (!q) {
        printf("procsrv: cannot swap %s: the process table is full\n", p->entry.name);
        return -SERVICE_TOO_MANY;
    }
    memset(q, 0, sizeof *q);
    q->entry = *next;
    q->entry.priority = PROC_PREPARE_PRIORITY;
    q->device = p->device;
    q->service = p->service;
    q->launches = p->launches;
    q->replaces = p;
    /* A bound on the whole swap, build included: if the pump never runs (clients busy above
       PROC_PREPARE_PRIORITY) or the program never sends PROC_TAKE_OVER, the instance is killed
       then (process_restart_due), the caller hears so and p serves on. */
    q->take_over_tick =
        clock_ticks() + ((uint64_t)PROC_TAKE_OVER_WAIT_MS * PROC_CLOCK_HZ + 999) / 1000;
    long e = launch_begin(q, 0, 0);
    if (e) {
        memset(q, 0, sizeof *q);
        return e;
    }
    p->prepared = q;
    if (slot_save_reply(&p->swap_reply) != SERVICE_OK) {
        prepared_failed(q, "was ended: procsrv could not keep the request's reply");
        return -SERVICE_TOO_MANY;
    }
    staging = q;
    loader_begin(q);
    procsrv_pump_wake();
    return PROCSRV_SWAP_PREPARED;
}

void process_build_step(void)
{
    struct process *q = staging;
    if (!q)
        return;
    struct load_result r = {0, 0, 0};
    int more = loader_step(&r);
    if (more > 0) {
        procsrv_pump_wake();
        return;
    }
    staging = 0;
    if (more == 0)
        r = (struct load_result){0, 0, 0};
    if (launch_end(q, r, true) != 0) { /* said why; undone */
        prepared_failed(q, "could not be built");
        return;
    }
    q->entry.priority = q->replaces->entry.priority; /* its own from PROC_TAKE_OVER on */
}

long process_take_over(struct process *q)
{
    if (!q->device.present)
        return SERVICE_DENIED;
    struct process *p = q->replaces;
    if (!p)
        return SERVICE_OK; /* a first start or a restart: the device is its own already */
    /* Its endpoint only now (the loader left PROC_SLOT_SERVICE empty): before, it could have
       taken clients' calls alongside p. It waits for this request's answer, so it serves
       nothing until p has ended below. */
    if (cspace_copy(q->cspace, PROC_SLOT_SERVICE, q->service, CAP_RIGHTS_ALL, ROOT_SLOT_CSPACE) !=
        ERR_OK) {
        prepared_failed(q, "could not be given its endpoint");
        return SERVER_NO_REPLY; /* it is gone, and its reply with it */
    }
    uint64_t old = p->pid;
    destroy(p); /* its memory is held until the device is reset (PROC_DEVICE_RESET) */
    clock_forget(old);
    shutdown_forget(old);
    memcpy(p->swapped_from, p->entry.program, sizeof p->swapped_from);
    p->entry = q->entry;
    p->pid = q->pid;
    p->untyped = q->untyped;
    p->untyped_bits = q->untyped_bits;
    p->cspace = q->cspace;
    p->vspace = q->vspace;
    p->thread = q->thread;
    p->launches = q->launches;
    p->restarts = 0;
    p->prepared = 0;
    memset(q, 0, sizeof *q);
    /* A priority the kernel refuses leaves it at PROC_PREPARE_PRIORITY: slower, not wrong. */
    thread_set_priority(p->thread, p->entry.priority);
    printf("procsrv: swapped %s: process %lu replaced by %lu running %s\n", p->entry.name,
           (unsigned long)old, (unsigned long)p->pid, p->entry.program);
    answer_swap(p, SERVICE_OK, p->pid);
    return SERVICE_OK;
}

/* PROC_SWAP's work: p's program replaced by program, on the same endpoint. */
long process_swap(struct process *p, const char *program, uint64_t *new_pid)
{
    struct manifest_entry next = p->entry;
    strncpy(next.program, program, sizeof next.program - 1);
    struct load_result check = loader_check(&next);
    if (check.error) {
        printf("procsrv: cannot swap %s for %s: %s\n", p->entry.name, program, check.why);
        return check.error;
    }
    if (p->prepared)
        return -SERVICE_BUSY; /* one swap of a server at a time */
    if (swap_prepared(p))
        return staging ? -SERVICE_BUSY : prepare_swap(p, &next); /* one built at a time */
    uint64_t old = p->pid;
    if (p->state == PROC_STATE_RUNNING)
        destroy(p);
    memcpy(p->swapped_from, p->entry.program, sizeof p->swapped_from);
    p->entry = next;
    p->restarts = 0;
    long e = launch(p, "", 0, 0, 0, true);
    if (e) {
        if (!undo_swap(p)) /* the old program comes back if it can */
            p->state = PROC_STATE_FAILED;
        return e;
    }
    printf("procsrv: swapped %s: process %lu replaced by %lu running %s\n", p->entry.name,
           (unsigned long)old, (unsigned long)p->pid, program);
    *new_pid = p->pid;
    return 0;
}

/* The bytes memsrv has lent pid (0 if it cannot say). */
uint64_t process_memory(uint64_t pid)
{
    for (uint64_t i = 0; i < PROCSRV_MAX_PROCESSES * 2; i++) {
        struct request r = {.label = MEM_CLIENT_INFO};
        request_set_word(&r, 0, i);
        if (request_call(procsrv_memsrv, &r, 0, 0, 0) != ERR_OK || r.label != SERVICE_OK)
            return 0;
        if (r.msg.mr[0] == pid)
            return r.msg.mr[2];
    }
    return 0;
}

/* Releases an exited child once its parent has its status. */
void process_collect(struct process *p)
{
    release(p);
}
