"""The system-test cases: the kernel's, user space's, the shell's and the SMP
ones, and which run again at -smp 4. harness.py runs them."""
import os
import re
import sys
from dataclasses import replace

from acpi_cases import acpi_cases

from common import (BOOTED, NO_TROUBLE, check_boot_trace, check_trace_script, OVMF_CODE, PANIC, PROMPT, REPO, SHELL_TROUBLE, SHELL_UP,
                    Case, boot_figure, check_ticks, check_usable, garbage, motd_size, panic_case,
                    proc_case, shell_case, smptest_case, user_fault_case)

from pci_cases import pci_cases  # noqa: E402  (the PCI cases, docs/platform.md)
from ahci_cases import ahci_cases  # noqa: E402  (the AHCI driver's, docs/disks.md)
from nvme_cases import nvme_cases  # noqa: E402  (the NVMe driver's, docs/disks.md)
from block_cases import block_cases  # noqa: E402  (the block protocol, docs/protocols.md)
from diskbench_cases import diskbench_cases  # noqa: E402  (docs/disk-performance.md)

sys.path.insert(0, os.path.join(REPO, "tools", "bench"))
from input_cases import input_cases  # noqa: E402
from gfx_cases import gfx_cases  # noqa: E402
from posix_cases import posix_cases  # noqa: E402  (the POSIX file calls, docs/userspace.md)
from hmfs_cases import hmfs_cases  # noqa: E402  (the file server's, docs/hmfs.md)
from swap_cases import swap_cases  # noqa: E402  (driver replacement, docs/processes.md)
import benchcsv  # noqa: E402  (tools/bench: the result format and the plausibility checks)
import plausible  # noqa: E402


def ipcbench_plausible(log):
    """The figures of a full ipcbench run pass tools/bench/plausible.py's checks."""
    rows = benchcsv.parse_serial(log)
    issues = plausible.problems(rows)
    if issues:
        return "implausible: " + "; ".join(issues)
    med = {r["benchmark"]: r["median"] for r in rows}
    print(f"     ipcbench: {len(rows)} benchmarks plausible; call-rtt-inter-as "
          f"{med['call-rtt-inter-as']:.0f}, one-way {med['call-oneway-inter-as']:.0f} + "
          f"{med['replyrecv-oneway-inter-as']:.0f} instructions")
    return None


def ipcbench_cases():
    usage = r"usage: ipcbench \[--iterations 10-1000000\] .*irq-handler-ack$"
    return [
        # Every benchmark under -icount shift=0 with 1,000 iterations, two CPUs and COM2; the
        # figures are checked on the host (tools/bench/plausible.py, docs/ipc-performance.md).
        Case("ipcbench-plausible", initrd="test", smp=2, exit_status=None, timeout=180,
             cmdline="init=bin/procsrv -- manifest=etc/tests/ipcbench.manifest",
             qemu=["-icount", "shift=0", "-serial", "null"], check=ipcbench_plausible,
             forbid=NO_TROUBLE + [r"FAIL", r"^fault:", r"killed$"],
             expect=BOOTED + [r"^CSV,call-rtt-inter-as,1000,\d+,",
                              r"^ipcbench: done, 37 benchmarks, 0 failed$"]),
        # From the shell (lines of at most 69 characters): a short run, then bad options and sizes beyond the maximum, each
        # one usage line and status 2.
        shell_case("ipcbench-shell", [
            "run ipcbench --iterations 10 --bench yield,call-rtt-len-64\r",
            "run ipcbench --frobnicate\r", "run ipcbench --sizes 0,65\r",
            "run ipcbench --bench call-rtt-len-100\r", "run ipcbench --iterations 5\r",
            "echo done\r"], [
            r"^CSV,yield,10,\d+,", r"^CSV,call-rtt-len-64,10,\d+,", r"^CSV,call-oneway-len-64,10,\d+,",
            r"^ipcbench: 10 iterations after 1000 of warm-up", r"^ipcbench: done, 3 benchmarks, 0 failed$",
            r"^\[pid \d+ exited with status 0\]$",
            r"^ipcbench: unknown option: --frobnicate; " + usage,
            r"^ipcbench: message length beyond 0-64 words: 65; " + usage,
            r"^ipcbench: message length beyond 0-64 words: call-rtt-len-100; " + usage,
            r"^ipcbench: iterations must be 10-1000000, not 5; " + usage, r"^done$"],
            check=lambda log: None if len(re.findall(r"^\[pid \d+ exited with status 2\]$", log,
                                                     re.M)) == 4
            else "expected four usage errors with status 2"),
    ]


def shell_cases():
    motd = open(os.path.join(REPO, "initrd", "files", "motd")).readline().rstrip("\n")
    return [
        shell_case("shell-commands", [
            "help\r", 'echo hello "big  world" x""y\r', "frobnicate\r", "kill abc\r",
            "kill\r", "echo a &\r", 'echo "open\r', "ps\r", "ls -l /initrd/etc\r", "ls /initrd\r",
            "cat /initrd/etc/motd\r",
            "sleep 200\r", "uptime\r", "mem\r", "cpus\r", "run nothing\r", "run /etc/motd\r",
            "wait 999\r", "swap nothing shell\r", "echo done\r"], [
            r"^  run PROGRAM \[ARG\.\.\.\] \[&\] +start bin/PROGRAM", r"^  exit +leave the shell$",
            r"^hello big  world xy$",
            r"^shell: unknown command 'frobnicate' \(try help\)$",
            r"^kill: not a process id: 'abc'$", r"^kill: usage: kill PID$",
            r"^echo: cannot run in the background", r"^shell: missing closing quote$",
            r"^  PID  STATE +MEMORY RESTARTS  NAME$", r"^ +\d+  running +\d+K +0  console$",
            r"^ +\d+  running +\d+K +0  kbd$", r"^ +\d+  running +\d+K +0  shell$",
            r"^bin/$", r"^etc/$", r"^-  +\d+  motd$", "^" + re.escape(motd) + "$",
            r"^up \d+\.\d{3} s$", r"^memory: \d+ KiB total, \d+ KiB free, \d+ clients$",
            r"^  4K:\d+ 8K:\d+ .* 4M:\d+$", r"^  CLIENT +QUOTA +USED$",
            r"^  CPU  BUSY  HALTED  RUNNABLE$", r"^ +0 +\d+% +\d+% +\d+$",
            r"^run: bin/nothing: not found$", r"^run: etc/motd: bad program$",
            r"^wait: pid 999: ", r"^swap: nothing: not found$", r"^done$"]),
        # An idle system halts its CPUs: after 4 s with nothing to do, each of the two has spent
        # at least half its uptime halted (an idle CPU polls for a thread only briefly first,
        # docs/smp.md; with an endless poll, idlepoll=10^12, the share is near 0 % and this fails).
        shell_case("shell-idle-halted", ["sleep 4000\r", "cpus\r"], [
            r"^  CPU  BUSY  HALTED  RUNNABLE$", r"^ +0 +\d+% +([5-9]\d|100)% +\d+$",
            r"^ +1 +\d+% +([5-9]\d|100)% +\d+$"], smp=2),
        # Editing keys over the serial line, history, Ctrl-C, an overlong line, then 3000
        # random bytes: the shell must still run the next line.
        # The random bytes (about 2,250 once UTF-8 encoded) stay below the console's 4 KiB
        # input queue: beyond it the newest bytes are dropped, as documented, and with them
        # the final Ctrl-C that resets the line.
        shell_case("shell-editing", [
            "echo abc\x7f\x7fxyz\r", "echo one\x1b[D\x1b[Dtw\r", "\x1b[A\x1b[A\r",
            "garbage\x03", "x" * 100 + "\r", garbage(5, 1500) + "\x03echo alive\r"], [
            r"^axyz$", r"^otwne$", r"^missive> garbage\^C$",
            r"^shell: unknown command '" + "x" * 69 + r"' \(try help\)$", r"^alive$"],
            check=lambda log: None if len(re.findall(r"^axyz$", log, re.M)) == 2
            else "the history did not bring back 'echo axyz'"),
        # The console protocol from a client (tests/user/consoletest), run from the shell.
        shell_case("console-protocol", ["run consoletest\r", "echo after\r"], [
            r"^consoletest: [4-9]\d passed, 0 failed$", r"^\[pid \d+ exited with status 0\]$",
            r"^after$"], initrd="test"),
        # Swapping the console keeps everyone's endpoint: the shell's waiting read is
        # retried on the new console.
        shell_case("console-swap", ["swap console console\r", "echo still here\r"], [
            r"^console is now bin/console, pid \d+$", r"^still here$"],
            check=lambda log: None if len(re.findall(r"^console: serving COM1$", log, re.M)) == 2
            else "expected a second console"),
        # Killing the console the shell runs on (as a new user would try) leaves a working
        # terminal: the manifest's restart=5 brings it back on the same endpoint, and the
        # shell's read, lost with it, is retried on the new one.
        shell_case("console-kill", ["kill 3\r", "echo back again\r", "ps\r"], [
            r"^procsrv: process 3 \(console\) killed by process \d+$",
            r"^procsrv: restarting console in 100 ms \(restart 1 of 5\)$",
            r"^back again$", r"^ +\d+  running +\d+K +1  console$"],
            check=lambda log: None if len(re.findall(r"^console: serving COM1$", log, re.M)) == 2
            else "expected the console to come back"),
        # stop ends a process for good; the shell warns instead of stopping its own console
        # unless forced; a stopped console stays stopped.
        shell_case("shell-stop", ["stop console\r", "stop nobody\r", "stop kbd\r", "ps\r",
                                  "echo still here\r", "stop -f console\r"], [
            r"^stop: warning: process 3 is the console this shell runs on; stopped, it stays "
            r"stopped and this terminal goes dead$",
            r"^stop: not stopped; 'stop -f console' stops it anyway \('kill 3' restarts it\)$",
            r"^stop: no process 'nobody'$",
            r"^procsrv: process \d+ \(kbd\) stopped by process \d+$", r"^stopped kbd \(pid \d+\)$",
            r"^still here$", r"^procsrv: process 3 \(console\) stopped by process \d+$"],
            check=lambda log: "kbd restarted" if re.search(r"restarting kbd", log)
            else "the stopped console came back" if re.search(r"restarting console", log)
            else "ps still lists kbd" if re.search(r"^ +\d+  running .*  kbd$", log, re.M)
            else None),
        # Without a console the shell's first read is the end of input: it exits with 0.
        Case("shell-eof", initrd="test", exit_status=None, timeout=90, forbid=SHELL_TROUBLE,
             cmdline="init=bin/procsrv -- manifest=etc/tests/noconsole.manifest",
             expect=BOOTED + [r"^consoletest: eof: shell exited with status 0$",
                              r"^consoletest: eof: 3 passed, 0 failed$"]),
        # The boot and a few commands traced by procsrv (its argument trace), dumped by the
        # shell's trace command, turned into JSON by tools/trace: `make trace` runs this.
        shell_case("trace-boot", ["ps\r", "ls /initrd\r", "cat /initrd/etc/motd\r", "echo traced\r", "trace\r"], [
            r"^procsrv: tracing IPC into \d+ buffer\(s\) of 32767 records$", r"^traced$",
            r"^TRACE-BEGIN \d+$", r"^TRACE-END [1-9]\d*$", r"^trace: [1-9]\d* records$"],
            cmdline="qemu-exit -- trace", check=check_boot_trace),
        # Keys pressed on the PS/2 keyboard (QMP send-key) reach the shell through kbd.
        shell_case("kbd-keys", [], [r"^missive> echo Hi \"a b\"$", r"^Hi a b$"],
                   after_line=PROMPT, qmp_keys=[
                       "e", "c", "h", "o", "spc", "shift-h", "i", "spc", "shift-apostrophe", "a",
                       "spc", "b", "shift-apostrophe", "ret"]),
    ]


def cases():
    listing = [r"^initrd: \d+ bytes at 0x[0-9a-f]+$", r"^ +0  etc/$",
               rf"^ +{motd_size()}  etc/motd$", r"^ +\d+  etc/boot.manifest$",
               r"^ +\d+  bin/procsrv$", r"^ +\d+  bin/memsrv$", r"^ +\d+  bin/console$",
               r"^ +\d+  bin/kbd$", r"^ +\d+  bin/shell$", r"^initrd: \d+ files, \d+ bytes$"]
    # The system the real initrd starts: procsrv, then memsrv. It keeps
    # running (procsrv's clock is an interrupt), so these cases stop QEMU
    # once every line is there.
    procsrv = [r"^root task: bin/procsrv, \d+ bytes, entry 0x4[0-9a-f]{5}, \d segments$",
               r"^procsrv: started memsrv \(bin/memsrv\) as process 2 \(\d+ KiB to start\)$",
               r"^memsrv: \d+ regions, \d+ KiB; bookkeeping \d+ KiB$",
               # then the console, the keyboard and the shell (docs/userspace.md)
               r"^procsrv: started console \(bin/console\) as process 3 ",
               r"^procsrv: started acpi \(bin/acpi\) as process 4 ",
               # (the pid after the servers the manifest starts before them: pci, 5)
               r"^procsrv: started kbd \(bin/kbd\) as process \d+ ",
               r"^procsrv: started shell \(bin/shell\) as process \d+ ", *SHELL_UP]
    memory_map = [r"^memory map \(\d+ entries\):$",
                  r"^  0x0000000000100000-0x[0-9a-f]{16} available$",
                  r"^memory: \d+ KiB usable, \d+ KiB reserved \(kernel, boot data\), "
                  r"\d+ KiB used by the boot allocator, \d+ KiB free$",
                  r"^direct map: \d+ ranges up to 0x[0-9a-f]+ at 0xffff800000000000; checked"]
    damaged = [r"^initrd: \d+ bytes at", r"^Missive: boot complete"]
    return [
        Case("boot", exit_status=None, expect=BOOTED + memory_map + listing + procsrv + [
                 r"^boot loader: GRUB", r"^command line: 'qemu-exit'$",
                 r"^ACPI: RSDP revision 0 \(old tag\), OEM 'BOCHS '$", r"^firmware: BIOS$",
                 r"^framebuffer: 80x25, 16 bpp, pitch 160, type EGA text, at 0xb8000$"],
             forbid=NO_TROUBLE, check=check_usable(500 * 1024, 512 * 1024)),
        Case("ram-32m", exit_status=None, memory="32M", expect=BOOTED + memory_map + listing + procsrv,
             forbid=NO_TROUBLE,
             check=check_usable(28 * 1024, 32 * 1024)),
        Case("ram-4g", exit_status=None, memory="4G", expect=BOOTED + memory_map + listing + procsrv + [
                 r"^direct map: .*checked 0x[0-9a-f]+ and 0x100000000 \(above 4 GiB\)$",
                 r"^  0x0000000100000000-0x000000013fffffff available$"],
             forbid=NO_TROUBLE, check=check_usable(4000 * 1024, 4096 * 1024)),
        Case("ram-6g-q35", exit_status=None, memory="6G", qemu=["-machine", "q35"], expect=BOOTED + listing + procsrv + [
                 r"above 4 GiB"], forbid=NO_TROUBLE, check=check_usable(6000 * 1024, 6144 * 1024)),
        Case("cpu-max", exit_status=None, qemu=["-cpu", "max"], forbid=NO_TROUBLE,
             expect=BOOTED + listing + procsrv + [r"^cpu 0: syscall at 0x[0-9a-f]+, SMEP on, SMAP on, FPU state by xsave "
                              r"\(x87, SSE, AVX\)$"]),
        Case("uefi", exit_status=None, qemu=["-machine", "q35", "-drive",
                           f"if=pflash,format=raw,readonly=on,file={OVMF_CODE}"],
             expect=BOOTED + memory_map + listing + procsrv + [
                 r"^ACPI: RSDP revision 2 \(new tag\), OEM 'BOCHS '$",
                 r"^firmware: UEFI \(system table at 0x[0-9a-f]+\)$"],
             forbid=NO_TROUBLE, timeout=120),
        Case("initrd-missing", initrd="none", expect=BOOTED + [
                 r"^warning: initrd: no boot module: GRUB loaded no initrd.cpio; continuing",
                 r"^error: root task: no bin/procsrv in the initrd; nothing to run$",
                 r"^kernel: no runnable threads; idle"],
             forbid=[r"KERNEL PANIC", r"^initrd: \d+ files"]),
        Case("initrd-bad-magic", initrd="bad-magic", expect=damaged + [
                 r"^error: initrd: malformed archive: .*magic.* at offset 0; the initrd is not used$"],
             forbid=[r"KERNEL PANIC", r"etc/motd"]),
        Case("initrd-truncated", initrd="truncated", expect=damaged + [
                 r"^error: initrd: malformed archive: .* at offset \d+; the initrd is not used$"],
             forbid=[r"KERNEL PANIC", r"^initrd: \d+ files"]),
        Case("initrd-no-trailer", initrd="no-trailer", expect=damaged + [
                 r"^error: initrd: malformed archive: .*(trailer|TRAILER).*; the initrd is not used$"],
             forbid=[r"KERNEL PANIC", r"^initrd: \d+ files"]),
        Case("initrd-garbage", initrd="garbage", expect=damaged + [
                 r"^error: initrd: malformed archive: "],
             forbid=[r"KERNEL PANIC", r"^initrd: \d+ files"]),
        Case("no-long-mode", qemu=["-cpu", "qemu32"], exit_status=None, timeout=30, expect=[
                 r"^Missive: this CPU does not support 64-bit long mode \(x86_64\); "
                 r"Missive needs an x86_64 CPU\. Halting\.$"],
             forbid=[r"booting"]),
        Case("cmdline-malformed", exit_status=None,
             cmdline='qemu-exit loglevel=loud frobnicate=1 crash=nothing =x qemu-exit=3 '
                     'loglevel "quoted=a b" crash tick=5 tick=0x10000000000000000 idlepoll=-1 init=',
             expect=BOOTED + listing + [
                 r"^warning: cmdline: ignoring option 'loglevel=loud': expected error, warn, "
                 r"info, debug or 0-3$",
                 r"^warning: cmdline: ignoring option 'frobnicate=1': unknown option$",
                 r"^warning: cmdline: ignoring option 'crash=nothing': expected page-fault, .*, "
                 r"write-text, execute-data or lock-twice$",
                 r"^warning: cmdline: ignoring option '=x': unknown option$",
                 r"^warning: cmdline: ignoring option 'qemu-exit=3': takes no value$",
                 r"^warning: cmdline: ignoring option 'loglevel': needs a value$",
                 r"^warning: cmdline: ignoring option 'crash': expected page-fault",
                 r"^warning: cmdline: ignoring option 'tick=5': expected a tick rate from 20 to "
                 r"10000 Hz$",
                 r"^warning: cmdline: ignoring option 'idlepoll=-1': expected a number of TSC "
                 r"ticks$",
                 r"^warning: cmdline: ignoring option 'tick=0x10000000000000000': expected a tick",
                 r"^warning: cmdline: ignoring option 'init=': expected a path",
                 r"^timer: PIT at 1000 Hz"] + procsrv,
             forbid=[r"KERNEL PANIC"]),
        Case("loglevel-error", exit_status=None, cmdline="qemu-exit loglevel=error",
             expect=BOOTED + procsrv + [r"^initrd: \d+ files"],
             forbid=NO_TROUBLE + [r"^memory map", r"^boot loader:"]),
        Case("loglevel-debug", exit_status=None, cmdline="loglevel=3 qemu-exit",
             expect=BOOTED + memory_map + procsrv,
             forbid=NO_TROUBLE),
        panic_case("page-fault", "page-fault", "page fault (#PF)", 14, [
            r"^  error code 0x0000000000000002  cr2 0x000000000dead000$",
            r"^  page fault: not present, write, kernel mode$"]),
        # The handler runs on its IST stack, so it can report the bad stack pointer.
        panic_case("double-fault", "double-fault", "double fault (#DF)", 8,
                   [r"^  rsp 0x00000000dead0000  ss  0x0010$",
                    r"^  error code 0x0000000000000000  cr2 0x00000000deacfff8$"]),
        panic_case("divide", "divide", "divide error (#DE)", 0),
        panic_case("invalid-opcode", "invalid-opcode", "invalid opcode (#UD)", 6),
        panic_case("general-protection", "general-protection",
                   "general protection fault (#GP)", 13),
        panic_case("breakpoint", "breakpoint", "breakpoint (#BP)", 3),
        Case("init-args", exit_status=None, cmdline="qemu-exit -- one two=2  three", forbid=NO_TROUBLE,
             expect=BOOTED + procsrv + [r"^procsrv: argument 1: 'one'$",
                                        r"^procsrv: argument 2: 'two=2'$",
                                        r"^procsrv: argument 3: 'three'$"]),
        Case("init-missing", cmdline="qemu-exit init=bin/nothing",
             expect=BOOTED + [r"^error: root task: no bin/nothing in the initrd; nothing to run$",
                              r"^kernel: no runnable threads; idle"], forbid=[r"KERNEL PANIC"]),
        Case("init-not-elf", cmdline="qemu-exit init=etc/motd",
             expect=BOOTED + [r"^error: root task: etc/motd is not a valid program: ",
                              r"^kernel: no runnable threads; idle"], forbid=[r"KERNEL PANIC"]),
        # User space: procsrv starts memsrv and a test manifest (initrd/tests/).
        proc_case("proc-libc", "libc",
                  [r"^procsrv: started memsrv \(bin/memsrv\) as process 2 \(\d+ KiB to start\)$",
                   r"^memsrv: \d+ regions, \d+ KiB; bookkeeping \d+ KiB$",
                   r"^procsrv: \d+ Untyped \(\d+ KiB\) given to memsrv$",
                   r"^proctest: files: 3000 opens and 100 refused connections kept \d+ slots$",
                   r"^proctest: libc: [1-9]\d* passed, 0 failed$",
                   r"^proctest: slots: [1-9]\d* passed, 0 failed$",
                   r"^proctest: clock: [1-9]\d* passed, 0 failed$"]),
        # Figures under -icount shift=0: rdtsc counts instructions.
        Case("proc-figures", initrd="test", exit_status=None, timeout=120,
             cmdline="init=bin/procsrv -- manifest=etc/tests/figures.manifest",
             qemu=["-icount", "shift=0"], forbid=[r"KERNEL PANIC", r"FAIL"],
             expect=BOOTED + [r"^proctest: figures: at tsc \d+; spawn \d+, run to exit and wait \d+, "
                              r"memsrv map\+unmap of one frame \d+ instructions",
                              r"^proctest: figures: [1-9]\d* passed, 0 failed$"]),
        # The round trip of docs/kernel.md section 9 (usertest ipc), under icount; the IPC
        # trace compiled in but off must not change it (docs/ipc-performance.md).
        Case("user-slowpath", initrd="test", cmdline="qemu-exit init=bin/usertest -- slowpath",
             forbid=NO_TROUBLE + [r"FAIL"],
             expect=BOOTED + [r"^usertest: slowpath: 300 rounds, 0 failed$",
                              r"^thread 'usertest' exited with status 0"]),
        Case("user-ipc-figure", initrd="test", cmdline="qemu-exit init=bin/usertest -- ipc",
             qemu=["-icount", "shift=0"], forbid=NO_TROUBLE + [r"FAIL"], timeout=120,
             expect=BOOTED + [r"^usertest: ipc: 10000 call/reply_recv round trips, \d+ TSC each",
                              r"^usertest: ipc: with the IPC trace on, \d+ TSC each$",
                              r"^thread 'usertest' exited with status 0"]),
        # The interrupt-to-wake latency while a lower-priority thread revokes 65,536
        # capabilities and the kernel reaps a 2^16-slot CSpace (docs/kernel.md section 4):
        # under -icount shift=0 with the RTC on the same clock; the bound is asserted in usertest.
        Case("user-preempt", initrd="test", cmdline="qemu-exit init=bin/usertest -- preempt",
             qemu=["-icount", "shift=0", "-rtc", "clock=vm"], smp=1, forbid=NO_TROUBLE + [r"FAIL"],
             timeout=180,
             expect=BOOTED + [r"^usertest: preempt: revoke of 65536 capabilities: \d+ instructions, "
                              r"\d+ interrupts, worst latency \d+ instructions$",
                              r"^usertest: preempt: reaping a 65536-slot CSpace: \d+ instructions, "
                              r"\d+ interrupts, worst latency \d+ instructions$",
                              r"^usertest: preempt: \d+ passed, 0 failed$",
                              r"^thread 'usertest' exited with status 0"]),
        # The boot figure: instructions from the kernel's entry to the shell's first prompt.
        Case("boot-figure", initrd="test", exit_status=None, timeout=120,
             cmdline="init=bin/procsrv -- manifest=etc/tests/boot-figure.manifest",
             qemu=["-icount", "shift=0"], forbid=[r"KERNEL PANIC", r"FAIL"],
             expect=BOOTED + [r"^shell: first prompt at tsc \d+$"], check=boot_figure),
        proc_case("proc-spawn", "spawn",
                  [r"^proctest: spawn: [1-9]\d* passed, 0 failed$",
                   r"^procsrv: cannot start nothing \(bin/nothing\): no such program in the initrd$",
                   r"^procsrv: cannot start corrupt \(bin/corrupt\): ",
                   r"^procsrv: process \d+ \(proctest\) thread main: page fault \(vector 14\) "
                   r"at rip 0x[0-9a-f]+, address 0x0; killed$"]),
        proc_case("proc-bad", "bad",
                  [r"^procsrv: error: etc/tests/bad.manifest:5: expected a name and a program after 'program'; line skipped$",
                   r"^procsrv: error: etc/tests/bad.manifest:6: expected 'server' or 'program', not 'progam'; line skipped$",
                   r"^procsrv: error: etc/tests/bad.manifest:7: quota must be 64K-64G, not '12'; line skipped$",
                   r"^procsrv: error: etc/tests/bad.manifest:8: priority must be 1-254, not '300'; line skipped$",
                   r"^procsrv: error: etc/tests/bad.manifest:9: unknown option 'colour'; line skipped$",
                   r"^procsrv: cannot start nothing \(bin/nothing\): no such program in the initrd$",
                   r"^procsrv: cannot start corrupt \(bin/corrupt\): ",
                   r"^procsrv: cannot start ports \(bin/proctest\): an I/O port range it asks for is the kernel's$",
                   r"^procsrv: cannot start mmio \(bin/proctest\): a device memory range it asks for is not device memory$",
                   r"^procsrv: cannot start eps \(bin/proctest\): an endpoint it asks for is not registered$",
                   r"^proctest: grants: [1-9]\d* passed, 0 failed$",
                   r"^proctest: bad-messages: [1-9]\d* passed, 0 failed$",
                   r"^proctest: fuzz-servers: (\d+) of \1 random requests answered$",
                   r"^proctest: fuzz-servers: [1-9]\d* passed, 0 failed$"]),
        proc_case("proc-crash", "crash",
                  [r"^procsrv: process \d+ \(null\) thread main: page fault \(vector 14\) at rip 0x[0-9a-f]+, address 0x0; killed$",
                   r"^procsrv: process \d+ \(divide\) thread main: divide error \(vector 0\) at rip 0x[0-9a-f]+, address 0x0; killed$",
                   r"^procsrv: process \d+ \(stack\) thread main: page fault \(vector 14\) at rip 0x[0-9a-f]+, address 0x7fffeff[0-9a-f]{5}; killed$",
                   r"^procsrv: process \d+ \(echo\) thread main: page fault \(vector 14\) at rip 0x[0-9a-f]+, address 0x0; killed$",
                   r"^procsrv: restarting echo in 100 ms \(restart 1 of 3\)$",
                   r"^proctest: echo-crash: [1-9]\d* passed, 0 failed$",
                   r"^proctest: libc: [1-9]\d* passed, 0 failed$"]),
        proc_case("proc-greedy", "greedy",
                  [r"^proctest: greedy: allocated (3\d{3}|4\d{3}) KiB before the quota stopped it$",
                   r"^procsrv: process \d+ \(greedy\) killed by process \d+$",
                   r"^proctest: reaper: [1-9]\d* passed, 0 failed$"]),
        proc_case("proc-swap", "swap",
                  [r"^procsrv: swapped echo: process \d+ replaced by \d+ running bin/proctest-v2$",
                   r"^proctest: swapper: [1-9]\d* passed, 0 failed$",
                   r"^proctest: echo-client: 3000 calls, answered by 2 server process\(es\): \d+ \d+$",
                   r"^proctest: echo-client: [1-9]\d* passed, 0 failed$"]),
        # Capabilities across CSpaces, Untyped lent by IPC, replies with capabilities (transfer.c).
        Case("user-transfer", initrd="test", cmdline="qemu-exit init=bin/usertest -- transfer",
             forbid=NO_TROUBLE + [r"FAIL"],
             expect=BOOTED + [r"^usertest: transfer: [3-9]\d passed, 0 failed$",
                              r"^thread 'usertest' exited with status 0"]),
        # Messages that need the receiver's IPC buffer: every length 0-64 with 0-3 capabilities,
        # and a receiver whose buffer is read-only, unmapped or revoked (ipcbuf.c).
        Case("user-ipcbuf", initrd="test", cmdline="qemu-exit init=bin/usertest -- ipcbuf",
             forbid=NO_TROUBLE + [r"FAIL"],
             expect=BOOTED + [r"^usertest: ipcbuf: [5-9]\d passed, 0 failed$",
                              r"^thread 'usertest' exited with status 0"]),
        # Every system call and invocation, success and error paths (caps.c).
        Case("user-caps", initrd="test", cmdline="qemu-exit init=bin/usertest -- caps",
             qemu=["-cpu", "max"], forbid=NO_TROUBLE + [r"FAIL"],
             expect=BOOTED + [r"^root task: \d+ initrd frames, \d+ Untyped \(\d+ device\), 0 framebuffer frames, "
                              r"slots 16-\d+$",
                              r"^usertest: fairness: spinners counted [1-9]\d* and [1-9]\d*$",
                              r"^usertest: caps: [3-9]\d\d passed, 0 failed$",
                              # 500 calls and their replies at least
                              r"^kernel: no runnable threads; idle \(IPC fast path taken "
                              r"(1\d\d\d|[2-9]\d\d\d|\d{5,}) times, [1-9]\d* long invocations "
                              r"preempted, \d+ IPIs\)$",
                              r"^thread 'usertest' exited with status 0"]),
        # The IPC trace: bad arguments, a scripted exchange dumped and turned into JSON by
        # tools/trace/trace2json.py, the ring wrapping, a buffer revoked under the tracer.
        Case("user-trace", initrd="test", cmdline="qemu-exit init=bin/usertest -- trace",
             forbid=NO_TROUBLE + [r"FAIL"], check=check_trace_script,
             expect=BOOTED + [r"^TRACE-BEGIN \d+$", r"^TRACE-END 5$",
                              r"^usertest: trace: \d{3} passed, 0 failed$",
                              r"^thread 'tr-client' exited with status 0"]),
        Case("user-fuzz", initrd="test", cmdline="qemu-exit init=bin/fuzz -- seed=1",
             timeout=240, forbid=NO_TROUBLE + [r"FAIL", r"KERNEL PANIC"],
             expect=BOOTED + [r"^fuzz: seed 1, \d+ calls, canary ok, healthy [1-9]\d* round trips",
                              r"^fuzz: 1 passed, 0 failed$",
                              r"^thread 'fuzz' exited with status 0"]),
        Case("tick-rate", exit_status=None, cmdline="qemu-exit tick=100", forbid=NO_TROUBLE,
             expect=BOOTED + procsrv + [r"^timer: PIT at 100 Hz \(divisor 11932\)"]),
        Case("user-spin", initrd="test", cmdline="qemu-exit init=bin/usertest -- spin",
             forbid=NO_TROUBLE, check=check_ticks(50),
             expect=BOOTED + [r"^timer: PIT at 1000 Hz", r"^usertest: spin consistent",
                              r"^thread 'usertest' exited with status 0"]),
        *[user_fault_case(mode, name, vector, detail) for mode, name, vector, detail in [
            ("null-write", "page fault (#PF)", 14, r"address 0x0, error 0x6"),
            ("divide", "divide error (#DE)", 0, r"address 0x0, error 0x0"),
            ("invalid-opcode", "invalid opcode (#UD)", 6, r"address 0x0, error 0x0"),
            ("breakpoint", "breakpoint (#BP)", 3, r"address 0x0, error 0x0"),
            ("general-protection", "general protection fault (#GP)", 13, r"address 0x0, error 0x0"),
            ("kernel-read", "page fault (#PF)", 14, r"address 0xffffffff80100000, error 0x4"),
            ("write-text", "page fault (#PF)", 14, r"address 0x4[0-9a-f]{5}, error 0x7"),
            ("execute-stack", "page fault (#PF)", 14, r"address 0x7fffefff[0-9a-f]{4}, error 0x15"),
            ("privileged", "general protection fault (#GP)", 13, r"address 0x0, error 0x0"),
        ]],
        # An NMI (from the QEMU monitor) is handled on its IST stack. It is sent once the shell
        # prompts: earlier, servers still printing (through their own port grants) would mix
        # their characters into the panic's lines.
        Case("nmi", cmdline="loglevel=error", monitor=["nmi"], exit_status=None, timeout=30,
             after_line=PROMPT,
             expect=[r"^Missive: boot complete",
                     r"^KERNEL PANIC: non-maskable interrupt \(NMI\), vector 2, in (kernel|user) mode$",
                     r"^  rip 0x[0-9a-f]{16}  cs  0x00(08|23)", r"^System halted\.$"]),
        # The debug build's lock check catches a recursive acquisition.
        Case("crash-lock-twice", cmdline="qemu-exit crash=lock-twice", exit_status=PANIC,
             expect=[r"^crash: taking the kernel lock again$",
                     r"^KERNEL PANIC: lock: CPU 0 takes the kernel lock it already holds$",
                     r"^System halted\.$"], forbid=[r"boot complete"]),
        # Section permissions: text is read-only, data is no-execute.
        panic_case("write-text", "write-text", "page fault (#PF)", 14, [
            r"^  page fault: protection violation, write, kernel mode$"]),
        panic_case("execute-data", "execute-data", "page fault (#PF)", 14, [
            r"^  page fault: protection violation, read, kernel mode, instruction fetch$"]),
        *shell_cases(),
        *acpi_cases(),
        *ipcbench_cases(),
        *pci_cases(),
        *ahci_cases(),
        *nvme_cases(),
        *block_cases(),
        *diskbench_cases(),
        *input_cases(),
        *gfx_cases(),
        *hmfs_cases(),
        *posix_cases(),
        *swap_cases(),
    ]


def smp_cases():
    listed = []
    for cpus in (1, 2, 4, 8):
        listed += [
            smptest_case("stress", cpus, [
                rf"^smptest: stress: {min(2 * cpus, 16)} pairs over {cpus} CPUs, "
                rf"{400 * min(2 * cpus, 16)} calls answered, {400 * min(2 * cpus, 16)} served, "
                r"0 corrupt"]),
            smptest_case("tlb", cpus, [
                r"^smptest: tlb: reader on CPU \d: 12 unmaps, 12 faults, 0 stale rounds; "
                r"writer: 12 protects, 12 faults, 0 late writes$"]),
            smptest_case("fairness", cpus, [r"^smptest: fairness: 40 calls beside \d+ busy"]),
            smptest_case("wake", cpus, [
                rf"^smptest: wake: 50 signals to each of {cpus} CPUs answered, 10 clock "
                rf"interrupts to a thread on CPU {cpus - 1}$"]),
            smptest_case("bad", cpus, [
                rf"^smptest: bad: {2 * cpus} of {2 * cpus} moves seen, {min(2 * cpus, 32)} of "
                rf"{min(2 * cpus, 32)} blocked threads woken by the deletes$"]),
        ]
    return listed + [
        # The figures of docs/smp.md, under icount (a smoke test: the numbers are not judged).
        smptest_case("figures", 2, [r"^smptest: figures: cross-core round trip \d+, call to "
                                    r"wake-up \d+; same core round trip \d+"],
                     qemu=["-icount", "shift=0"], timeout=120),
        # No ACPI tables at all: a warning, one CPU, and the boot goes on.
        Case("acpi-missing", smp=2, qemu=["-no-acpi"], exit_status=None, expect=BOOTED + [
                 r"^warning: smp: no ACPI tables; one CPU, I/O APIC at 0xfec00000, timer on GSI 2$",
                 r"^smp: 1 CPU online \(APIC IDs 0\)", r"^missive> "],
             forbid=[r"KERNEL PANIC"]),
    ]


# The earlier cases that must also pass with four CPUs: make test runs them at -smp 4.
SMP4_CASES = ["boot", "uefi", "cpu-max", "user-caps", "user-spin", "user-null-write",
              "crash-page-fault", "nmi", "user-transfer", "user-fuzz", "proc-libc", "proc-spawn",
              "proc-crash", "proc-greedy", "proc-swap", "shell-commands"]


def all_cases():
    base = cases()
    return (base + [replace(c, name=f"{c.name}-smp4", smp=4) for c in base if c.name in SMP4_CASES]
            + smp_cases())


