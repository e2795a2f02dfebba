; The application processors' way from real mode to the kernel.
;
; An AP woken by INIT-SIPI-SIPI starts in 16-bit real mode at the start of the page the start-up IPI
; names. mp.c copies this blob to MP_TRAMPOLINE (a page below 1 MiB), fills in the words at its end
; and wakes one AP at a time. The AP loads the blob's GDT, enters protected mode, turns on PAE, the
; boot CPU's EFER bits (long mode, NX, syscall) and paging with a page table that maps the blob
; where it is as well as the kernel, far-jumps into 64-bit code and calls mp_ap_main(cpu) in the
; higher half on its own stack.
;
; The blob runs at MP_TRAMPOLINE, not where it is linked, so every address
; in it is computed by AT().

%include "asm_offsets.inc"              ; MP_TRAMPOLINE, MSR_EFER, CR0_* (asm_offsets.c)
%define AT(label) (MP_TRAMPOLINE + (label) - smp_trampoline_start)

section .rodata
bits 16
global smp_trampoline_start
smp_trampoline_start:
    cli
    cld
    xor ax, ax
    mov ds, ax
    lgdt [AT(tr_gdt_pointer)]
    mov eax, cr0
    or eax, 1                           ; PE
    mov cr0, eax
    jmp dword 0x08:AT(tr_protected)

bits 32
tr_protected:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov eax, [AT(smp_trampoline_cr4)]   ; PAE (and PGE)
    mov cr4, eax
    mov eax, [AT(smp_trampoline_cr3)]
    mov cr3, eax
    mov ecx, MSR_EFER
    mov eax, [AT(smp_trampoline_efer)]
    mov edx, [AT(smp_trampoline_efer) + 4]
    wrmsr
    mov eax, cr0
    or eax, CR0_PG | CR0_WP | CR0_PE
    mov cr0, eax
    jmp 0x18:AT(tr_long)

bits 64
tr_long:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov rsp, [AT(smp_trampoline_stack)]
    mov rdi, [AT(smp_trampoline_cpu)]
    mov rax, [AT(smp_trampoline_entry)]
    xor ebp, ebp                        ; backtraces end here
    call rax                            ; mp_ap_main never returns
.halt:
    cli
    hlt
    jmp .halt

align 8
tr_gdt:
    dq 0
    dq 0x00cf9a000000ffff               ; 0x08: 32-bit code
    dq 0x00cf92000000ffff               ; 0x10: data
    dq 0x00af9a000000ffff               ; 0x18: 64-bit code
tr_gdt_pointer:
    dw tr_gdt_pointer - tr_gdt - 1
    dd AT(tr_gdt)

; Filled in by mp.c in the copy, before each start-up IPI.
align 8
global smp_trampoline_cr3, smp_trampoline_cr4, smp_trampoline_efer
global smp_trampoline_stack, smp_trampoline_cpu, smp_trampoline_entry
smp_trampoline_cr3:   dq 0              ; below 4 GiB: loaded in 32-bit mode
smp_trampoline_cr4:   dq 0
smp_trampoline_efer:  dq 0
smp_trampoline_stack: dq 0              ; the AP's kernel stack top
smp_trampoline_cpu:   dq 0              ; its struct cpu_local
smp_trampoline_entry: dq 0              ; mp_ap_main
global smp_trampoline_end
smp_trampoline_end:
