; linux_syscall(number, a, b, c): one Linux system call, for the host-side
; picolibc check only (tests/picolibc). Missive's own stubs live in lib/libsys.
bits 64
section .text
global linux_syscall
linux_syscall:
    mov rax, rdi
    mov rdi, rsi
    mov rsi, rdx
    mov rdx, rcx
    syscall
    ret
