; missive_syscall(number, a1, a2, a3, a4, a5): the one system-call stub.
; Moves the C arguments into the kernel's registers (lib/missive/abi.h):
; number in RAX, arguments in RDI, RSI, RDX, R10, R8; result in RAX.
bits 64
section .text
global missive_syscall
missive_syscall:
    mov rax, rdi
    mov rdi, rsi
    mov rsi, rdx
    mov rdx, rcx
    mov r10, r8
    mov r8, r9
    syscall
    ret
