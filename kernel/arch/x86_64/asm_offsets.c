/*
 * The constants and structure offsets the assembly files use, taken from their C definitions at
 * build time, as Linux's asm-offsets does. The Makefile compiles this file to assembly text only
 * (-S; it is never assembled, linked or run) and tools/asm_offsets.sh turns each marker line into a
 * NASM %define in $(BUILD)/kernel-obj/asm_offsets.inc, which the .asm files include. So a change to
 * struct trap_frame or struct cpu_local changes what entry.asm reads, and no .asm file repeats a C
 * constant.
 */
#include <stddef.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/cpu_local.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/mp.h"
#include "arch/x86_64/trap.h"
#include "arch/x86_64/vm.h"
#include "lock.h"
#include "mb2/mb2.h"
#include "serial.h"

/* Puts "#asm-constant NAME $VALUE" into the compiler's assembly output. GNU inline assembly (an
   extension) because nothing in plain C makes the compiler print the value of a constant
   expression; "i" makes a value that is not a compile-time constant an error. */
#define ASM_CONSTANT(name, value)                                                                  \
    __asm__ volatile("\n#asm-constant " #name " %0" : : "i"((unsigned long)(value)))
#define ASM_OFFSET(name, type, field) ASM_CONSTANT(name, offsetof(struct type, field))

void asm_offsets(void)
{
    /* entry.asm: the per-CPU fields it reaches through GS. */
    ASM_OFFSET(CPU_LOCAL_KERNEL_STACK_TOP, cpu_local, kernel_stack_top);
    ASM_OFFSET(CPU_LOCAL_CONTEXT_END, cpu_local, context_end);
    ASM_OFFSET(CPU_LOCAL_USER_RSP, cpu_local, user_rsp);

    /* entry.asm: the saved user context. */
    ASM_OFFSET(TRAP_FRAME_R15, trap_frame, r15);
    ASM_OFFSET(TRAP_FRAME_R14, trap_frame, r14);
    ASM_OFFSET(TRAP_FRAME_R13, trap_frame, r13);
    ASM_OFFSET(TRAP_FRAME_R12, trap_frame, r12);
    ASM_OFFSET(TRAP_FRAME_R11, trap_frame, r11);
    ASM_OFFSET(TRAP_FRAME_R10, trap_frame, r10);
    ASM_OFFSET(TRAP_FRAME_R9, trap_frame, r9);
    ASM_OFFSET(TRAP_FRAME_R8, trap_frame, r8);
    ASM_OFFSET(TRAP_FRAME_RBP, trap_frame, rbp);
    ASM_OFFSET(TRAP_FRAME_RDI, trap_frame, rdi);
    ASM_OFFSET(TRAP_FRAME_RSI, trap_frame, rsi);
    ASM_OFFSET(TRAP_FRAME_RDX, trap_frame, rdx);
    ASM_OFFSET(TRAP_FRAME_RCX, trap_frame, rcx);
    ASM_OFFSET(TRAP_FRAME_RBX, trap_frame, rbx);
    ASM_OFFSET(TRAP_FRAME_RAX, trap_frame, rax);
    ASM_OFFSET(TRAP_FRAME_VECTOR, trap_frame, vector);
    ASM_OFFSET(TRAP_FRAME_RIP, trap_frame, rip);
    ASM_OFFSET(TRAP_FRAME_CS, trap_frame, cs);
    ASM_OFFSET(TRAP_FRAME_RFLAGS, trap_frame, rflags);
    ASM_OFFSET(TRAP_FRAME_RSP, trap_frame, rsp);
    ASM_CONSTANT(TRAP_VECTOR_SYSCALL, TRAP_VECTOR_SYSCALL);
    ASM_CONSTANT(SYS_REPLY_RECV, SYS_REPLY_RECV);
    ASM_CONSTANT(SEL_USER_DATA, SEL_USER_DATA);
    ASM_CONSTANT(SEL_USER_CODE, SEL_USER_CODE);
    ASM_OFFSET(KERNEL_LOCK_HELD, kernel_lock_word, held); /* fastpath_exit's release */
    ASM_OFFSET(KERNEL_LOCK_OWNER, kernel_lock_word, owner);

    /* boot.asm and trampoline.asm: entering long mode. */
    ASM_CONSTANT(MB2_BOOTLOADER_MAGIC, MB2_BOOTLOADER_MAGIC);
    ASM_CONSTANT(MSR_EFER, MSR_EFER);
    ASM_CONSTANT(EFER_LME, EFER_LME);
    ASM_CONSTANT(EFER_NXE, EFER_NXE);
    ASM_CONSTANT(CR0_PE, CR0_PE);
    ASM_CONSTANT(CR0_WP, CR0_WP);
    ASM_CONSTANT(CR0_PG, CR0_PG);
    ASM_CONSTANT(CR4_PAE, CR4_PAE);
    ASM_CONSTANT(PTE_PRESENT, PTE_PRESENT);
    ASM_CONSTANT(PTE_WRITABLE, PTE_WRITABLE);
    ASM_CONSTANT(PTE_HUGE, PTE_HUGE);
    /* The PML4 slot of the direct map, and the PML4 and PDPT slots of the kernel image's window. */
    ASM_CONSTANT(DIRECT_MAP_PML4_INDEX, (DIRECT_MAP_BASE >> 39) & 511);
    ASM_CONSTANT(KERNEL_VMA_PML4_INDEX, (KERNEL_VMA >> 39) & 511);
    ASM_CONSTANT(KERNEL_VMA_PDPT_INDEX, (KERNEL_VMA >> 30) & 511);
    ASM_CONSTANT(COM1, COM1);
    ASM_CONSTANT(MP_TRAMPOLINE, MP_TRAMPOLINE);
}
