; crt0: where every user program starts.
;
; On entry RSP points at argc, then argv[0..argc-1], NULL, envp[...], NULL
; (the System V layout; docs/abi.md). The stack is realigned to 16 bytes as
; the ABI requires at a call, and libsys_start never returns.

bits 64
section .text
global _start
extern libsys_start

_start:
    xor ebp, ebp                ; marks the outermost frame for backtraces
    mov rdi, rsp
    and rsp, -16
    call libsys_start
    ud2
