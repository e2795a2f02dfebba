/* Kernel log and panic; see log.h. */
#include "log.h"

#include "arch/x86_64/cpu.h"
#include "fmt/fmt.h"
#include "serial.h"

enum log_level log_threshold = LOG_INFO;
int qemu_exit_enabled;

static void serial_sink(void *ctx, char c)
{
    (void)ctx;
    serial_putc(c);
}

void kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fmt_vformat(serial_sink, 0, fmt, ap);
    va_end(ap);
}

void klog(enum log_level level, const char *fmt, ...)
{
    if (level > log_threshold)
        return;
    if (level == LOG_ERROR)
        kprintf("error: ");
    else if (level == LOG_WARN)
        kprintf("warning: ");
    va_list ap;
    va_start(ap, fmt);
    fmt_vformat(serial_sink, 0, fmt, ap);
    va_end(ap);
}

/* Walks saved frame pointers (the kernel is built with them) while they stay inside the kernel
   image window; a bad chain ends the walk rather than faulting inside the panic path. */
void log_backtrace(unsigned long rbp)
{
    kprintf("  backtrace:");
    for (int depth = 0; depth < 16; depth++) {
        if (rbp < 0xffffffff80000000ul || rbp > 0xfffffffffffffff0ul || (rbp & 7))
            break;
        const unsigned long *frame = (const unsigned long *)rbp;
        if (!frame[1])
            break;
        kprintf(" %p", (void *)frame[1]);
        rbp = frame[0];
    }
    kprintf("\n");
}

_Noreturn void machine_stop(unsigned code)
{
    if (qemu_exit_enabled)
        outb(0xf4, (uint8_t)code);
    cpu_halt_forever();
}

_Noreturn void panic(const char *fmt, ...)
{
    serial_init();
    kprintf("\nKERNEL PANIC: ");
    va_list ap;
    va_start(ap, fmt);
    fmt_vformat(serial_sink, 0, fmt, ap);
    va_end(ap);
    kprintf("\n");
    log_backtrace(read_rbp());
    kprintf("System halted.\n");
    machine_stop(EXIT_CODE_PANIC);
}
