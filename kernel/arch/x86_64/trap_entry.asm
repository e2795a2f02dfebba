; Interrupt and exception entry stubs.
;
; Every one of the 256 vectors gets a stub that makes the stack look the
; same (a vector number and an error code, zero where the CPU pushes none),
; then trap_common saves the general registers as a struct trap_frame
; (arch/x86_64/trap.h) and calls trap_dispatch(frame).

bits 64
section .text

extern trap_dispatch

%macro TRAP_STUB 1
trap_stub_%1:
%if (%1 == 8) || (%1 == 10) || (%1 == 11) || (%1 == 12) || (%1 == 13) || (%1 == 14) || (%1 == 17) || (%1 == 21) || (%1 == 29) || (%1 == 30)
    push %1                     ; the CPU pushed an error code
%else
    push 0
    push %1
%endif
    jmp trap_common
%endmacro

%assign vector 0
%rep 256
    TRAP_STUB vector
%assign vector vector + 1
%endrep

; The CPU aligned RSP to 16 before pushing SS, RSP, RFLAGS, CS, RIP; with the
; vector, error code and 15 registers that is 22 words, so RSP is 16-byte
; aligned again at the call, as the SysV ABI wants.
trap_common:
    push rax
    push rbx
    push rcx
    push rdx
    push rsi
    push rdi
    push rbp
    push r8
    push r9
    push r10
    push r11
    push r12
    push r13
    push r14
    push r15
    cld
    mov rdi, rsp
    call trap_dispatch
    pop r15
    pop r14
    pop r13
    pop r12
    pop r11
    pop r10
    pop r9
    pop r8
    pop rbp
    pop rdi
    pop rsi
    pop rdx
    pop rcx
    pop rbx
    pop rax
    add rsp, 16                 ; vector and error code
    iretq

; gdt_reload_segments(code selector, data selector): loads the data
; selector into DS, ES, SS (FS and GS get the null selector) and the code
; selector into CS with a far return, the only way to reload CS in long mode.
global gdt_reload_segments
gdt_reload_segments:
    mov ds, si
    mov es, si
    mov ss, si
    xor eax, eax
    mov fs, ax
    mov gs, ax
    pop rax                     ; our return address
    push rdi
    push rax
    retfq

section .rodata
global trap_stub_table
trap_stub_table:
%assign vector 0
%rep 256
    dq trap_stub_ %+ vector
%assign vector vector + 1
%endrep
