; Multiboot2 header and the 32-bit entry point.
;
; GRUB enters boot_entry32 in 32-bit protected mode with paging off, EAX = the Multiboot2 magic and
; EBX = the physical address of the boot information. This file checks both that we were loaded by
; Multiboot2 and that the CPU can run 64-bit code, builds boot page tables, enters long mode and
; jumps to the higher-half C kernel (kmain). Everything here runs at its physical address (the
; .boot* sections are linked at 1 MiB); see docs/boot.md.
;
; Boot page tables map the first 4 GiB three times with 2 MiB pages:
;   identity (needed while RIP is still low), the direct map at
;   0xffff800000000000 (so C code can reach the boot information and the
;   early frames by phys_to_virt before vm_init builds the real map), and the
;   kernel image window at 0xffffffff80000000.

; The C constants used here (the bootloader's magic, control-register bits,
; page-table entry bits and slots, COM1) come from asm_offsets.inc, generated
; from their C definitions at build time (asm_offsets.c).
%include "asm_offsets.inc"

MB2_HEADER_MAGIC   equ 0xe85250d6
VGA_TEXT           equ 0xb8000
BOOT_TABLE_ENTRY   equ PTE_PRESENT | PTE_WRITABLE

section .multiboot2 progbits alloc noexec nowrite align=8
mb2_header:
    dd MB2_HEADER_MAGIC
    dd 0                                        ; architecture: i386 protected mode
    dd mb2_header_end - mb2_header
    dd -(MB2_HEADER_MAGIC + 0 + (mb2_header_end - mb2_header))
    align 8
    dw 3, 0                                     ; entry address tag: enter at the physical
    dd 12                                       ; address, whatever the ELF entry says
    dd boot_entry32
    align 8
    dw 4, 0                                     ; console flags: EGA text is fine
    dd 12
    dd 2
    align 8
    dw 5, 1                                     ; framebuffer tag, optional (flag 1): any
    dd 20                                       ; size, 32 bpp. grub.cfg's text entry keeps
    dd 0, 0, 32                                 ; VGA text (gfxpayload=text; docs/boot.md)
    align 8
    dw 6, 0                                     ; module alignment: page-aligned modules
    dd 8
    align 8
    dw 0, 0                                     ; end tag
    dd 8
mb2_header_end:

section .boot.text progbits alloc exec nowrite align=16
bits 32
global boot_entry32
boot_entry32:
    cli
    cld
    mov esp, boot_stack_top
    mov edi, eax                                ; keep magic and boot info for kmain
    mov esi, ebx

    cmp eax, MB2_BOOTLOADER_MAGIC
    jne .not_multiboot2

    ; CPUID exists iff EFLAGS.ID (bit 21) can be flipped.
    pushfd
    pop eax
    mov ecx, eax
    xor eax, 1 << 21
    push eax
    popfd
    pushfd
    pop eax
    push ecx
    popfd
    xor eax, ecx
    jz .no_long_mode

    mov eax, 0x80000000
    cpuid
    cmp eax, 0x80000001
    jb .no_long_mode
    mov eax, 0x80000001
    cpuid
    test edx, 1 << 29                           ; LM
    jz .no_long_mode
    mov ebp, edx                                ; bit 20 = NX, used below

    ; Zero the page-table area: GRUB zeroes bss, but the tables must be right
    ; even if a loader does not.
    push edi
    mov edi, boot_page_tables
    mov ecx, (boot_page_tables_end - boot_page_tables) / 4
    xor eax, eax
    rep stosd
    pop edi

    mov dword [boot_pml4], boot_pdpt_low + BOOT_TABLE_ENTRY
    mov dword [boot_pml4 + DIRECT_MAP_PML4_INDEX * 8], boot_pdpt_low + BOOT_TABLE_ENTRY
    mov dword [boot_pml4 + KERNEL_VMA_PML4_INDEX * 8], boot_pdpt_high + BOOT_TABLE_ENTRY
    mov dword [boot_pdpt_high + KERNEL_VMA_PDPT_INDEX * 8], boot_pd + BOOT_TABLE_ENTRY ; KERNEL_VMA -> 0
    xor ecx, ecx
.fill_pdpt:
    mov eax, ecx
    shl eax, 12
    add eax, boot_pd + BOOT_TABLE_ENTRY
    mov [boot_pdpt_low + ecx * 8], eax
    inc ecx
    cmp ecx, 4
    jb .fill_pdpt
    xor ecx, ecx
.fill_pd:                                       ; 2048 entries of 2 MiB = 4 GiB
    mov eax, ecx
    shl eax, 21
    or eax, BOOT_TABLE_ENTRY | PTE_HUGE
    mov [boot_pd + ecx * 8], eax
    inc ecx
    cmp ecx, 2048
    jb .fill_pd

    mov eax, boot_pml4
    mov cr3, eax
    mov eax, cr4
    or eax, CR4_PAE
    mov cr4, eax
    mov ecx, MSR_EFER
    rdmsr
    or eax, EFER_LME
    test ebp, 1 << 20
    jz .no_nx
    or eax, EFER_NXE
.no_nx:
    wrmsr
    mov eax, cr0
    or eax, CR0_PG | CR0_WP | CR0_PE
    mov cr0, eax

    lgdt [boot_gdt_pointer]
    jmp 0x08:.long_mode

bits 64
.long_mode:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    xor eax, eax
    mov fs, ax
    mov gs, ax
    mov rax, boot_entry64                       ; now jump to the higher half
    jmp rax

bits 32
.not_multiboot2:
    mov ebx, msg_not_multiboot2
    jmp boot_fail
.no_long_mode:
    mov ebx, msg_no_long_mode
    jmp boot_fail

; boot_fail: print the NUL-terminated string at EBX on COM1 and on the VGA text
; screen (white on red), then halt forever. Runs without a stack of its own.
boot_fail:
    mov dx, COM1 + 1
    xor al, al
    out dx, al                                  ; no UART interrupts
    mov dx, COM1 + 3
    mov al, 0x80
    out dx, al                                  ; DLAB on
    mov dx, COM1
    mov al, 1
    out dx, al                                  ; divisor 1: 115200 baud
    mov dx, COM1 + 1
    xor al, al
    out dx, al
    mov dx, COM1 + 3
    mov al, 0x03
    out dx, al                                  ; 8N1, DLAB off
    mov edi, VGA_TEXT
.next_char:
    mov al, [ebx]
    test al, al
    jz .halt
    mov ah, al
    mov dx, COM1 + 5
.wait_uart:
    in al, dx
    test al, 0x20                               ; transmit holding register empty
    jz .wait_uart
    mov dx, COM1
    mov al, ah
    out dx, al
    cmp ah, 10
    je .skip_vga                                ; newlines only go to the serial port
    mov al, ah
    mov ah, 0x4f
    mov [edi], ax
    add edi, 2
.skip_vga:
    inc ebx
    jmp .next_char
.halt:
    cli
    hlt
    jmp .halt

section .boot.data progbits alloc noexec write align=16
msg_not_multiboot2:
    db 10, "Missive: not started by a Multiboot2 boot loader; boot Missive through GRUB (multiboot2). Halting.", 10, 0
msg_no_long_mode:
    db 10, "Missive: this CPU does not support 64-bit long mode (x86_64); Missive needs an x86_64 CPU. Halting.", 10, 0

align 16
boot_gdt:
    dq 0
    dq 0x00af9a000000ffff                       ; 0x08: 64-bit code, ring 0
    dq 0x00cf92000000ffff                       ; 0x10: data, ring 0
boot_gdt_end:
boot_gdt_pointer:
    dw boot_gdt_end - boot_gdt - 1
    dd boot_gdt

section .boot.bss nobits alloc noexec write align=4096
boot_page_tables:
boot_pml4:      resb 4096
boot_pdpt_low:  resb 4096
boot_pdpt_high: resb 4096
boot_pd:        resb 4 * 4096
boot_page_tables_end:
                resb 4096
boot_stack_top:

; The 64-bit half of the entry, linked in the higher half.
section .text
bits 64
extern kmain
boot_entry64:
    mov rsp, boot_stack_high_top
    xor ebp, ebp                                ; terminates backtraces
    ; kmain(magic, boot information physical address); EDI and ESI still hold
    ; them (their upper halves were cleared by the 32-bit moves).
    mov edi, edi
    mov esi, esi
    call kmain
.halt:
    cli
    hlt
    jmp .halt

; The boot CPU's kernel stack from kmain on, and then its one kernel stack
; for every entry from user mode (entry.asm).
section .bss nobits alloc noexec write align=16
    resb 16384
global boot_stack_high_top
boot_stack_high_top:
