; ipcbench's timed system calls (timing.h). Each stub loads the message registers of the ABI
; (lib/missive/abi.h) from a struct ibt_msg, reads the TSC, makes the system call, reads the
; TSC again and stores both readings and the answer back. The code between the two readings
; is the same in every stub, so an interval that starts in one stub and ends in another
; (a call's TSC before, the server's TSC after its receive returned) holds exactly the timing
; code of one stub; the _nop twins, whose `syscall` is the 2-byte nop 66 90, measure it
; (sel4bench's overhead measurement). Under QEMU's -icount shift=0 it is 10 instructions.
;
; struct ibt_msg { uint64_t mr[10]; uint64_t number, t_before, t_after, badge, tag; }

bits 64
section .text

%define M_MR      0
%define M_NUMBER  80
%define M_BEFORE  88
%define M_AFTER   96
%define M_BADGE   104
%define M_TAG     112

; TIMED name, stamp register, trap instruction(s)
; long name(uint64_t slot, uint64_t tag, struct ibt_msg *m): RDI slot, RSI tag, RDX m.
; The stamp register gets the TSC read before the trap: R8 (MR1) sends it to the receiver;
; RCX (destroyed by syscall anyway) keeps the instruction count the same for the others.
%macro TIMED 3
global %1
%1:
    push rbx
    push rbp
    push r12
    push r13
    push r14
    push r15
    push rdx                        ; m: R11 and RCX do not survive syscall
    mov r11, rdx
    mov r8,  [r11 + M_MR + 8]
    mov r9,  [r11 + M_MR + 16]
    mov r10, [r11 + M_MR + 24]
    mov r12, [r11 + M_MR + 32]
    mov r13, [r11 + M_MR + 40]
    mov r14, [r11 + M_MR + 48]
    mov r15, [r11 + M_MR + 56]
    mov rbx, [r11 + M_MR + 64]
    mov rbp, [r11 + M_MR + 72]
    rdtsc                           ; --- timed from here
    shl rdx, 32
    or rax, rdx
    mov [r11 + M_BEFORE], rax
    mov %2, rax
    mov rdx, [r11 + M_MR]           ; MR0 (rdtsc used RDX)
    mov rax, [r11 + M_NUMBER]
    %3
    mov r11, rax                    ; the result; R11 held RFLAGS
    mov rcx, rdx                    ; MR0; RCX held the return address
    rdtsc
    shl rdx, 32
    or rax, rdx
    mov rdx, [rsp]
    mov [rdx + M_AFTER], rax        ; --- timed to here
    mov [rdx + M_MR], rcx
    mov [rdx + M_MR + 8], r8
    mov [rdx + M_MR + 16], r9
    mov [rdx + M_MR + 24], r10
    mov [rdx + M_MR + 32], r12
    mov [rdx + M_MR + 40], r13
    mov [rdx + M_MR + 48], r14
    mov [rdx + M_MR + 56], r15
    mov [rdx + M_MR + 64], rbx
    mov [rdx + M_MR + 72], rbp
    mov [rdx + M_BADGE], rdi
    mov [rdx + M_TAG], rsi
    mov rax, r11
    pop rdx
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbp
    pop rbx
    ret
%endmacro

; {db 0x66, 0x90} is xchg ax, ax: the 2-byte nop in place of syscall
TIMED ibt_syscall, rcx, syscall
TIMED ibt_syscall_nop, rcx, {db 0x66, 0x90}
TIMED ibt_stamped, r8, syscall
TIMED ibt_stamped_nop, r8, {db 0x66, 0x90}
