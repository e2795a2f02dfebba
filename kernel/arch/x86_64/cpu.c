/*
 * Per-CPU set-up: the GS base, the syscall MSRs, and the CPU features the kernel turns on when they
 * exist (SSE and XSAVE for user programs, SMEP, SMAP).
 */
#include "arch/x86_64/cpu_local.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/gdt.h"
#include "log.h"

#define MSR_STAR           0xc0000081u
#define MSR_LSTAR          0xc0000082u
#define MSR_FMASK          0xc0000084u
#define MSR_GS_BASE        0xc0000101u
#define MSR_KERNEL_GS_BASE 0xc0000102u
#define EFER_SCE           (1u << 0)
#define CR4_OSXSAVE        (1u << 18)
#define CR0_MP             (1u << 1)
#define CR0_EM             (1u << 2)
#define CR0_NE             (1u << 5)  /* x87 errors as #MF, not the legacy IRQ 13 */
#define CR0_AM             (1u << 18) /* ring 3 may ask for alignment checks (RFLAGS.AC) */
#define CR0_NW             (1u << 29)
#define CR0_CD             (1u << 30)
#define CR4_OSXMMEXCPT     (1u << 10)
#define RFLAGS_TF          (1u << 8)
#define RFLAGS_DF          (1u << 10)
#define RFLAGS_AC          (1u << 18)

struct cpu_local cpus[SMP_MAX_CPUS];
unsigned cpu_count = 1;
uint64_t cpu_fpu_features;

extern char syscall_entry[];

/* Needs: nothing; interrupts off. */
void cpu_local_attach(struct cpu_local *cpu, unsigned id)
{
    cpu->self = cpu;
    cpu->id = id;
    cpu->fpu_save_area = cpu->fpu_scratch;
    /* In the kernel GS points at the CPU's data; entry and exit swap it with
       the user's (zero) value held in KERNEL_GS_BASE meanwhile. */
    wrmsr(MSR_GS_BASE, (uint64_t)cpu);
    wrmsr(MSR_KERNEL_GS_BASE, 0);
}

/* Needs: cpu_local_attach and gdt_init done on this CPU. Interrupts off.
   The boot CPU decides cpu_fpu_features; the others set the same. */
void cpu_local_init(struct cpu_local *cpu, uint64_t kernel_stack_top)
{
    cpu->kernel_stack_top = kernel_stack_top;
    cpu->loaded_root = read_cr3();

    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
    /* sysret loads CS from STAR[63:48] + 16 and SS from + 8 (user code and
       data); syscall loads CS from STAR[47:32] and SS from + 8. */
    wrmsr(MSR_STAR, ((uint64_t)(SEL_USER_DATA - 8 - 3) << 48) | ((uint64_t)SEL_KERNEL_CODE << 32));
    wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
    /* Entering the kernel with interrupts, single-stepping, a reversed string
       direction or SMAP's override on would each be a hole. */
    wrmsr(MSR_FMASK, RFLAGS_IF | RFLAGS_TF | RFLAGS_DF | RFLAGS_AC);

    /* SSE for user programs (the kernel itself is built without it). */
    uint64_t cr0 = read_cr0();
    /* APs come out of INIT with caching off (CD, NW): turn it on. */
    write_cr0((cr0 | CR0_MP | CR0_NE | CR0_AM) & ~(uint64_t)(CR0_EM | CR0_CD | CR0_NW));
    uint64_t cr4 = read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT;

    /* XSAVE, when the CPU has it, saves AVX state too: enable x87, SSE and,
       if present, AVX in XCR0, as long as the save area fits a thread's. */
    uint32_t leaf1[4];
    cpuid(1, 0, leaf1);
    if (leaf1[2] & (1u << 26)) {
        cr4 |= CR4_OSXSAVE;
        write_cr4(cr4); /* xsetbv needs OSXSAVE on */
        uint64_t features = 0x3 | ((leaf1[2] & (1u << 28)) ? 0x4 : 0);
        cpu_xsetbv(0, features);
        uint32_t leafd[4];
        cpuid(0xd, 0, leafd);
        if (leafd[1] > THREAD_FPU_AREA) {
            features = 0x3;
            cpu_xsetbv(0, features);
        }
        cpu_fpu_features = features;
    }

    /* The kernel never dereferences user pointers (it copies through the
       direct map), so it can forbid itself both user code and user data. */
    uint32_t regs[4];
    cpuid(7, 0, regs);
    int smep = (regs[1] >> 7) & 1, smap = (regs[1] >> 20) & 1;
    write_cr4(cr4 | (smep ? CR4_SMEP : 0) | (smap ? CR4_SMAP : 0));
    log_info("cpu %u: syscall at %p, SMEP %s, SMAP %s, FPU state by %s\n", cpu->id,
             (void *)syscall_entry, smep ? "on" : "absent", smap ? "on" : "absent",
             cpu_fpu_features & 0x4 ? "xsave (x87, SSE, AVX)"
             : cpu_fpu_features     ? "xsave (x87, SSE)"
                                    : "fxsave (x87, SSE)");
}
