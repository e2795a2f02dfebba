#ifndef MISSIVE_ARCH_TRAP_H
#define MISSIVE_ARCH_TRAP_H

#include <stddef.h>
#include <stdint.h>

/* What trap_common (entry.asm) leaves on the stack, lowest address first.
   entry.asm reads it at offsets generated from this struct (asm_offsets.c)
   and checks that its pushes of the general registers land on their fields. */
/* The vector field of a context saved by syscall (entry.asm: it may leave
   by sysret); any other value means a trap saved it. */
#define TRAP_VECTOR_SYSCALL 256

struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error_code;
    uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

/* From error_code on, the layout is the CPU's interrupt frame (which
   syscall_entry builds the same), with the trap stubs' vector below it. */
#define TRAP_FRAME_NEXT(a, b) (offsetof(struct trap_frame, b) == offsetof(struct trap_frame, a) + 8)
_Static_assert(TRAP_FRAME_NEXT(vector, error_code) && TRAP_FRAME_NEXT(error_code, rip) &&
                   TRAP_FRAME_NEXT(rip, cs) && TRAP_FRAME_NEXT(cs, rflags) &&
                   TRAP_FRAME_NEXT(rflags, rsp) && TRAP_FRAME_NEXT(rsp, ss) &&
                   sizeof(struct trap_frame) == offsetof(struct trap_frame, ss) + 8,
               "struct trap_frame ends with the hardware's interrupt frame");

/* Fills the IDT with the stubs of entry.asm and loads it. Needs
   gdt_init first (the IST slots live in its TSS). */
void trap_init(void);

/* Loads the IDT trap_init built on this CPU (application processors). */
void trap_load_idt(void);

void trap_dispatch(struct trap_frame *frame);

/* In entry.asm: loads a user context and leaves the kernel (sysret or iretq). */
_Noreturn void context_restore(struct trap_frame *context);

#endif
