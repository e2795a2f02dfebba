/*
 * The IDT and exception handling. An exception in the kernel is a kernel bug: it is reported with
 * everything needed to find it (vector, error code, CR2, all registers, a backtrace) and the
 * machine stops. An exception in user mode is the thread's: it goes to the thread's fault endpoint
 * as a message, or (with none) the thread is stopped with one log line. Device interrupts go to
 * irq.c. See docs/kernel.md.
 */
#include "arch/x86_64/trap.h"

#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/cpu_local.h"
#include "arch/x86_64/gdt.h"
#include "endpoint.h"
#include "irq.h"
#include "lock.h"
#include "log.h"
#include "sched.h"
#include "thread.h"

struct idt_gate {
    uint16_t offset_low;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attr;
    uint16_t offset_mid;
    uint32_t offset_high;
    uint32_t reserved;
};

static struct idt_gate idt[256];
extern const uint64_t trap_stub_table[256];

static const char *const exception_names[32] = {
    "divide error (#DE)",
    "debug (#DB)",
    "non-maskable interrupt (NMI)",
    "breakpoint (#BP)",
    "overflow (#OF)",
    "bound range exceeded (#BR)",
    "invalid opcode (#UD)",
    "device not available (#NM)",
    "double fault (#DF)",
    "coprocessor segment overrun",
    "invalid TSS (#TS)",
    "segment not present (#NP)",
    "stack-segment fault (#SS)",
    "general protection fault (#GP)",
    "page fault (#PF)",
    "reserved vector 15",
    "x87 floating-point error (#MF)",
    "alignment check (#AC)",
    "machine check (#MC)",
    "SIMD floating-point error (#XM)",
    "virtualization exception (#VE)",
    "control protection exception (#CP)",
};

void trap_init(void)
{
    for (int v = 0; v < 256; v++) {
        uint64_t handler = trap_stub_table[v];
        idt[v] = (struct idt_gate){.offset_low = handler & 0xffff,
                                   .selector = SEL_KERNEL_CODE,
                                   .type_attr = 0x8e, /* present, ring 0, 64-bit interrupt gate */
                                   .offset_mid = (handler >> 16) & 0xffff,
                                   .offset_high = (uint32_t)(handler >> 32)};
    }
    /* int3 and into are meant to be used from user mode: let ring 3 raise them. */
    idt[3].type_attr = idt[4].type_attr = 0xee;
    idt[8].ist = IST_DOUBLE_FAULT;
    idt[2].ist = IST_NMI;
    idt[18].ist = IST_MACHINE_CHECK;
    trap_load_idt();
}

/* Every CPU shares the one IDT (the IST numbers select each CPU's own stacks through its TSS). */
void trap_load_idt(void)
{
    struct descriptor_pointer pointer = {sizeof idt - 1, (uint64_t)idt};
    lidt(&pointer);
}

/* Decodes a page-fault error code into words a reader does not have to look up. */
static void describe_page_fault(uint64_t error)
{
    kprintf("  page fault: %s, %s, %s mode%s%s\n",
            error & 1 ? "protection violation" : "not present", error & 2 ? "write" : "read",
            error & 4 ? "user" : "kernel", error & 16 ? ", instruction fetch" : "",
            error & 8 ? ", reserved bit set" : "");
}

/* Prints the full register state of a trap and stops the machine. Never returns. */
static _Noreturn void trap_report_and_stop(struct trap_frame *f)
{
    const char *name = f->vector < 32 && exception_names[f->vector] ? exception_names[f->vector]
                                                                    : "unexpected interrupt";
    kprintf("\nKERNEL PANIC: %s, vector %lu, in %s mode\n", name, f->vector,
            (f->cs & 3) ? "user" : "kernel");
    kprintf("  error code 0x%016lx  cr2 0x%016lx\n", f->error_code, read_cr2());
    if (f->vector == 14)
        describe_page_fault(f->error_code);
    kprintf("  rip 0x%016lx  cs  0x%04lx  rflags 0x%016lx\n", f->rip, f->cs, f->rflags);
    kprintf("  rsp 0x%016lx  ss  0x%04lx\n", f->rsp, f->ss);
    kprintf("  rax 0x%016lx  rbx 0x%016lx  rcx 0x%016lx\n", f->rax, f->rbx, f->rcx);
    kprintf("  rdx 0x%016lx  rsi 0x%016lx  rdi 0x%016lx\n", f->rdx, f->rsi, f->rdi);
    kprintf("  rbp 0x%016lx  r8  0x%016lx  r9  0x%016lx\n", f->rbp, f->r8, f->r9);
    kprintf("  r10 0x%016lx  r11 0x%016lx  r12 0x%016lx\n", f->r10, f->r11, f->r12);
    kprintf("  r13 0x%016lx  r14 0x%016lx  r15 0x%016lx\n", f->r13, f->r14, f->r15);
    kprintf("  cr0 0x%016lx  cr3 0x%016lx  cr4 0x%016lx\n", read_cr0(), read_cr3(), read_cr4());
    log_backtrace(f->rbp);
    kprintf("System halted.\n");
    machine_stop(EXIT_CODE_PANIC);
}

/* Called by trap_common for traps in kernel mode, interrupts off. The only interrupts the kernel
   takes are while idle, without the kernel lock; anything else is a bug. */
void trap_dispatch(struct trap_frame *frame)
{
    if (frame->vector < IRQ_VECTOR_BASE)
        trap_report_and_stop(frame);
    kernel_lock();
    irq_handle(frame->vector);
    kernel_unlock();
}

/* Called by trap_common for traps in user mode, on the CPU's kernel stack; frame is the current
   thread's saved context. A user exception is the thread's own business: it never stops the kernel.
   It becomes a fault message to the thread's fault endpoint; without one the thread is suspended
   with one log line. */
void trap_dispatch_user(struct trap_frame *frame)
{
    /* NMI, double fault and machine check arrive on IST stacks and are never
       a user program's doing. */
    if (frame->vector == 2 || frame->vector == 8 || frame->vector == 18)
        trap_report_and_stop(frame);
    if (frame->vector == LAPIC_TIMER_VECTOR && sched_tick_quick()) {
        lapic_eoi();
        context_restore(frame); /* straight back: most ticks need no lock */
    }
    /* Read before waiting for the lock: the frame is the thread's context,
       which the lock holder may hand to another CPU meanwhile (smp_evict). */
    uint64_t vector = frame->vector;
    kernel_lock(); /* the way out (kernel_return_to_user) releases it */
    if (vector >= IRQ_VECTOR_BASE) {
        irq_handle(vector);
        return;
    }
    struct thread *t = this_cpu()->current;
    if (!t)
        return; /* taken from this CPU meanwhile (smp_evict): it faults again when it runs */
    if (t->fault_cap.cap.type == CAP_ENDPOINT) {
        t->fault_mr[FAULT_MR_VECTOR] = frame->vector;
        t->fault_mr[FAULT_MR_RIP] = frame->rip;
        t->fault_mr[FAULT_MR_ADDRESS] = frame->vector == 14 ? read_cr2() : 0;
        t->fault_mr[FAULT_MR_ERROR] = frame->error_code;
        t->fault_mr[FAULT_MR_RSP] = frame->rsp;
        t->fault_pending = 1;
        endpoint_send(t, (struct endpoint *)t->fault_cap.cap.object, t->fault_cap.cap.badge, true,
                      true, false);
        return;
    }
    kprintf("fault: thread '%s': %s, vector %lu, rip 0x%lx, address 0x%lx, error 0x%lx; "
            "no fault handler, thread suspended\n",
            t->name, exception_names[frame->vector] ? exception_names[frame->vector] : "reserved",
            frame->vector, frame->rip, frame->vector == 14 ? read_cr2() : 0, frame->error_code);
    thread_set_state(t, THREAD_SUSPENDED);
}
