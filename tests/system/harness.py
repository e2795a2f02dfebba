#!/usr/bin/env python3
"""System tests: boot Missive in QEMU (TCG, headless) once per case, capture
the serial console, bound every boot with a timeout, and check what the
kernel printed and how QEMU ended.

Each case names the kernel command line, the initrd (the real one, a damaged
copy, or none), extra QEMU arguments, the lines that must and must not
appear, and the expected QEMU exit status (33 = boot complete, 35 = panic,
via isa-debug-exit; None = the machine halts and the harness stops it once
every expected line is there). The last line printed is `N passed, N failed`.

    python3 tests/system/harness.py --build build [--cases a,b] [--list] [--smp N]

--smp N boots every case that does not fix its own CPU count with -smp N.
"""
import argparse
import hashlib
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace

BOOT_OK = 33  # kernel wrote EXIT_CODE_BOOT_OK (0x10) to isa-debug-exit
PANIC = 35  # kernel wrote EXIT_CODE_PANIC (0x11)
OVMF_CODE = "/usr/share/OVMF/OVMF_CODE.fd"
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@dataclass
class Case:
    name: str
    cmdline: str = "qemu-exit"
    initrd: str = "good"  # good | none | bad-magic | truncated | garbage | no-trailer
    qemu: list = field(default_factory=list)
    memory: str = "512M"
    expect: list = field(default_factory=list)  # regexes that must match a line
    forbid: list = field(default_factory=list)  # regexes no line may match
    exit_status: int = BOOT_OK
    timeout: float = 60.0
    check: object = None  # optional function(log) -> error string or None
    # QEMU monitor commands sent once a line matches after_line (e.g. "nmi").
    monitor: list = field(default_factory=list)
    after_line: str = r"^Missive: boot complete"
    smp: int = None  # CPUs (-smp); None: the --smp option's (default 1)


def motd_size():
    return os.path.getsize(os.path.join(REPO, "initrd", "files", "motd"))


def usable_kib(log):
    m = re.search(r"^memory: (\d+) KiB usable", log, re.M)
    return int(m.group(1)) if m else None


def check_usable(low_kib, high_kib):
    def check(log):
        kib = usable_kib(log)
        if kib is None:
            return "no 'memory: N KiB usable' line"
        if not low_kib <= kib <= high_kib:
            return f"usable memory {kib} KiB outside [{low_kib}, {high_kib}]"
        return None
    return check


NO_TROUBLE = [r"KERNEL PANIC", r"^warning:", r"^error:"]
BOOTED = [r"^Missive \S+ booting$", r"^Missive: boot complete \(tsc \d+, \d+ in the kernel\)$"]


def panic_case(name, crash, title, vector, extra=()):
    return Case(
        name=f"crash-{name}", cmdline=f"qemu-exit crash={crash}", exit_status=PANIC,
        expect=[re.escape(f"KERNEL PANIC: {title}, vector {vector}, in kernel mode"),
                r"^  error code 0x[0-9a-f]{16}  cr2 0x[0-9a-f]{16}$",
                r"^  rip 0xffffffff8[0-9a-f]{7}  cs  0x0008",
                r"^  rax 0x[0-9a-f]{16}  rbx 0x[0-9a-f]{16}  rcx 0x[0-9a-f]{16}$",
                r"^  r13 0x[0-9a-f]{16}  r14 0x[0-9a-f]{16}  r15 0x[0-9a-f]{16}$",
                r"^  cr0 0x[0-9a-f]{16}  cr3 0x[0-9a-f]{16}  cr4 0x[0-9a-f]{16}$",
                r"^System halted\.$", *extra],
        forbid=[r"boot complete"])


def check_ticks(at_least):
    def check(log):
        m = re.search(r"exited with status \d+ \(uptime (\d+) ticks\)", log)
        if not m or int(m.group(1)) < at_least:
            return f"expected at least {at_least} timer ticks before the exit"
        return None
    return check


def user_fault_case(mode, name, vector, detail):
    """usertest faults on purpose; the kernel reports it, suspends the
    thread and carries on (here: idles, then ends QEMU normally)."""
    return Case(
        f"user-{mode}", initrd="test", cmdline=f"qemu-exit init=bin/usertest -- {mode}",
        expect=BOOTED + [
            rf"^usertest: mode '{mode}'$",
            rf"^fault: thread 'usertest': {re.escape(name)}, vector {vector}, "
            rf"rip 0x[0-9a-f]+, {detail}; no fault handler, thread suspended$",
            r"^kernel: no runnable threads; idle"],
        forbid=[r"KERNEL PANIC", r"usertest: FAIL", r"exited with status"])


def cases():
    listing = [r"^initrd: \d+ bytes at 0x[0-9a-f]+$", r"^ +0  etc/$",
               rf"^ +{motd_size()}  etc/motd$", r"^ +\d+  etc/manifest$", r"^ +\d+  bin/procsrv$",
               r"^initrd: 3 files, \d+ bytes$"]
    procsrv = [r"^root task: bin/procsrv, \d+ bytes, entry 0x4[0-9a-f]{5}, \d segments$",
               r"^procsrv: running in user space as 'bin/procsrv' with 0 argument\(s\)$",
               r"^procsrv: errno ERANGE, heap, pi 3\.142$",
               r"^thread 'procsrv' exited with status 0 \(uptime \d+ ticks\)$", r"^kernel: no runnable threads; idle"]
    memory_map = [r"^memory map \(\d+ entries\):$",
                  r"^  0x0000000000100000-0x[0-9a-f]{16} available$",
                  r"^memory: \d+ KiB usable, \d+ KiB reserved \(kernel, boot data\), "
                  r"\d+ KiB used by the boot allocator, \d+ KiB free$",
                  r"^direct map: \d+ ranges up to 0x[0-9a-f]+ at 0xffff800000000000; checked"]
    damaged = [r"^initrd: \d+ bytes at", r"^Missive: boot complete"]
    return [
        Case("boot", expect=BOOTED + memory_map + listing + procsrv + [
                 r"^boot loader: GRUB", r"^command line: 'qemu-exit'$",
                 r"^ACPI: RSDP revision 0 \(old tag\), OEM 'BOCHS '$", r"^firmware: BIOS$",
                 r"^framebuffer: 80x25, 16 bpp, pitch 160, type EGA text, at 0xb8000$"],
             forbid=NO_TROUBLE, check=check_usable(500 * 1024, 512 * 1024)),
        Case("ram-32m", memory="32M", expect=BOOTED + memory_map + listing, forbid=NO_TROUBLE,
             check=check_usable(28 * 1024, 32 * 1024)),
        Case("ram-4g", memory="4G", expect=BOOTED + memory_map + listing + [
                 r"^direct map: .*checked 0x[0-9a-f]+ and 0x100000000 \(above 4 GiB\)$",
                 r"^  0x0000000100000000-0x000000013fffffff available$"],
             forbid=NO_TROUBLE, check=check_usable(4000 * 1024, 4096 * 1024)),
        Case("ram-6g-q35", memory="6G", qemu=["-machine", "q35"], expect=BOOTED + listing + [
                 r"above 4 GiB"], forbid=NO_TROUBLE, check=check_usable(6000 * 1024, 6144 * 1024)),
        Case("cpu-max", qemu=["-cpu", "max"], forbid=NO_TROUBLE,
             expect=BOOTED + listing + procsrv + [r"^cpu 0: syscall at 0x[0-9a-f]+, SMEP on, SMAP on, FPU state by xsave "
                              r"\(x87, SSE, AVX\)$"]),
        Case("uefi", qemu=["-machine", "q35", "-drive",
                           f"if=pflash,format=raw,readonly=on,file={OVMF_CODE}"],
             expect=BOOTED + memory_map + listing + [
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
        Case("cmdline-malformed",
             cmdline='qemu-exit loglevel=loud frobnicate=1 crash=nothing =x qemu-exit=3 '
                     'loglevel "quoted=a b" crash tick=5 tick=0x10000000000000000 init=',
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
                 r"^warning: cmdline: ignoring option 'tick=0x10000000000000000': expected a tick",
                 r"^warning: cmdline: ignoring option 'init=': expected a path",
                 r"^timer: PIT at 1000 Hz"],
             forbid=[r"KERNEL PANIC"]),
        Case("loglevel-error", cmdline="qemu-exit loglevel=error",
             expect=BOOTED + [r"^initrd: 3 files"],
             forbid=NO_TROUBLE + [r"^memory map", r"^boot loader:"]),
        Case("loglevel-debug", cmdline="loglevel=3 qemu-exit", expect=BOOTED + memory_map,
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
        Case("init-args", cmdline="qemu-exit -- one two=2  three", forbid=NO_TROUBLE,
             expect=BOOTED + [r"^procsrv: running in user space as 'bin/procsrv' with 3 argument",
                              r"^procsrv: argv\[1\] = 'one'$", r"^procsrv: argv\[2\] = 'two=2'$",
                              r"^procsrv: argv\[3\] = 'three'$"]),
        Case("init-missing", cmdline="qemu-exit init=bin/nothing",
             expect=BOOTED + [r"^error: root task: no bin/nothing in the initrd; nothing to run$",
                              r"^kernel: no runnable threads; idle"], forbid=[r"KERNEL PANIC"]),
        Case("init-not-elf", cmdline="qemu-exit init=etc/motd",
             expect=BOOTED + [r"^error: root task: etc/motd is not a valid program: ",
                              r"^kernel: no runnable threads; idle"], forbid=[r"KERNEL PANIC"]),
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
        Case("user-fuzz", initrd="test", cmdline="qemu-exit init=bin/fuzz -- seed=1",
             timeout=240, forbid=NO_TROUBLE + [r"FAIL", r"KERNEL PANIC"],
             expect=BOOTED + [r"^fuzz: seed 1, \d+ calls, canary ok, healthy [1-9]\d* round trips",
                              r"^fuzz: 1 passed, 0 failed$",
                              r"^thread 'fuzz' exited with status 0"]),
        Case("tick-rate", cmdline="qemu-exit tick=100", forbid=NO_TROUBLE,
             expect=BOOTED + [r"^timer: PIT at 100 Hz \(divisor 11932\)"]),
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
        # An NMI (from the QEMU monitor) is handled on its IST stack.
        Case("nmi", cmdline="loglevel=error", monitor=["nmi"], exit_status=None, timeout=30,
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
    ]


def smptest_case(mode, cpus, expect=(), qemu=(), timeout=120.0):
    """smptest (tests/user/smptest) as the root task on cpus CPUs."""
    return Case(
        f"smp-{mode}-{cpus}", initrd="test", smp=cpus, qemu=list(qemu), timeout=timeout,
        cmdline=f"qemu-exit init=bin/smptest -- {mode}",
        expect=BOOTED + [rf"^smp: {cpus} CPUs? online \(APIC IDs( \d+){{{cpus}}}\), all up \d+",
                         rf"^smptest: mode '{mode}' on {cpus} CPUs$",
                         rf"^smptest: {mode}: [1-9]\d* passed, 0 failed$",
                         r"^thread 'smptest' exited with status 0", *expect],
        forbid=NO_TROUBLE + [r"FAIL"])


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
        Case("acpi-missing", smp=2, qemu=["-no-acpi"], expect=BOOTED + [
                 r"^warning: smp: no ACPI tables; one CPU, I/O APIC at 0xfec00000, timer on GSI 2$",
                 r"^smp: 1 CPU online \(APIC IDs 0\)", r"^procsrv: errno ERANGE"],
             forbid=[r"KERNEL PANIC"]),
    ]


# The earlier cases that must also pass with four CPUs: make test runs them at -smp 4.
SMP4_CASES = ["boot", "uefi", "cpu-max", "user-caps", "user-spin", "user-fuzz",
              "user-null-write", "crash-page-fault", "nmi"]


def all_cases():
    base = cases()
    return (base + [replace(c, name=f"{c.name}-smp4", smp=4) for c in base if c.name in SMP4_CASES]
            + smp_cases())


def make_initrd(kind, good, workdir):
    """Returns the path of the initrd for kind (None for no module)."""
    if kind == "good":
        return good
    if kind == "test":
        return os.path.join(os.path.dirname(good), "initrd-test.cpio")
    if kind == "none":
        return None
    data = bytearray(open(good, "rb").read())
    if kind == "bad-magic":
        data[0:6] = b"070707"  # the old binary-ASCII format's magic, not newc
    elif kind == "truncated":
        motd = data.find(b"etc/motd")
        data = data[:motd + 40]  # inside the file's data
    elif kind == "no-trailer":
        data = data[:data.find(b"TRAILER!!!") - 110]
    elif kind == "garbage":
        data = bytearray(hashlib.sha256(str(i).encode()).digest()[j]
                         for i in range(128) for j in range(32))
    else:
        raise ValueError(kind)
    path = os.path.join(workdir, f"initrd-{kind}.cpio")
    with open(path, "wb") as f:
        f.write(data)
    return path


def make_iso(case, kernel, good_initrd, workdir):
    initrd = make_initrd(case.initrd, good_initrd, workdir)
    iso = os.path.join(workdir, f"{case.name}.iso")
    subprocess.run(["bash", os.path.join(REPO, "tools", "mkiso.sh"), iso, kernel,
                    initrd or "-", *case.cmdline.split(" ")], check=True)
    return iso


def run_qemu(case, iso, log_path, smp):
    """Boots iso; returns (exit status or None if stopped, seconds)."""
    cmd = ["qemu-system-x86_64", "-machine", "pc", "-accel", "tcg", "-cpu", "qemu64",
           "-m", case.memory, "-smp", str(case.smp or smp), "-no-reboot", "-display", "none",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
           "-serial", f"file:{log_path}", "-cdrom", iso, *case.qemu]
    # Unix socket paths are limited to 107 bytes: keep it short, in /tmp.
    monitor_path = os.path.join(tempfile.gettempdir(), f"missive-{os.getpid()}-{case.name}.mon")
    if os.path.exists(monitor_path):
        os.remove(monitor_path)
    cmd += ["-monitor", f"unix:{monitor_path},server=on,wait=off" if case.monitor else "none"]
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    status = None
    pending = list(case.monitor)
    while True:
        try:
            status = proc.wait(timeout=0.2)
            break
        except subprocess.TimeoutExpired:
            pass
        elapsed = time.monotonic() - start
        if pending and re.search(case.after_line, read_log(log_path), re.M):
            send_monitor(monitor_path, pending)
            pending = []
        if case.exit_status is None and all_expected(case, read_log(log_path)):
            break
        if elapsed > case.timeout:
            break
    if status is None:
        proc.kill()
        proc.wait()
    if os.path.exists(monitor_path):
        os.remove(monitor_path)
    return status, time.monotonic() - start, proc.stderr.read().decode(errors="replace")


def send_monitor(path, commands):
    """Types commands into the QEMU human monitor on the unix socket path."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.connect(path)
        sock.settimeout(5)
        for command in commands:
            sock.sendall(command.encode() + b"\n")
            time.sleep(0.2)


def read_log(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode(errors="replace").replace("\r\n", "\n")
    except FileNotFoundError:
        return ""


def all_expected(case, log):
    return all(re.search(p, log, re.M) for p in case.expect)


def judge(case, status, elapsed, log):
    problems = []
    for p in case.expect:
        if not re.search(p, log, re.M):
            problems.append(f"missing line matching /{p}/")
    for p in case.forbid:
        m = re.search(p, log, re.M)
        if m:
            problems.append(f"unexpected line matching /{p}/: {m.group(0)!r}")
    if case.exit_status is not None and status != case.exit_status:
        what = "timed out" if status is None else f"exited with status {status}"
        problems.append(f"QEMU {what} after {elapsed:.1f} s; expected status {case.exit_status}")
    if case.exit_status is None and status is not None:
        problems.append(f"QEMU exited (status {status}); expected the machine to halt")
    if case.check and not problems:
        err = case.check(log)
        if err:
            problems.append(err)
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--cases", help="comma-separated case names (default: all)")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--smp", type=int, default=1, help="CPUs for cases that fix none")
    args = ap.parse_args()

    all_cases_ = all_cases()
    if args.list:
        for c in all_cases_:
            print(c.name)
        return 0
    selected = all_cases_
    if args.cases:
        wanted = args.cases.split(",")
        unknown = set(wanted) - {c.name for c in all_cases_}
        if unknown:
            print(f"unknown case(s): {', '.join(sorted(unknown))}", file=sys.stderr)
            return 2
        selected = [c for c in all_cases_ if c.name in wanted]

    build = os.path.abspath(args.build)
    kernel = os.path.join(build, "kernel.elf")
    initrd = os.path.join(build, "initrd.cpio")
    outdir = os.path.join(build, "system-test")
    os.makedirs(outdir, exist_ok=True)
    passed = failed = 0
    with tempfile.TemporaryDirectory() as workdir:
        for case in selected:
            log_path = os.path.join(outdir, f"{case.name}.log")
            if os.path.exists(log_path):
                os.remove(log_path)
            iso = make_iso(case, kernel, initrd, workdir)
            status, elapsed, stderr = run_qemu(case, iso, log_path, args.smp)
            log = read_log(log_path)
            problems = judge(case, status, elapsed, log)
            if problems:
                failed += 1
                print(f"FAIL {case.name} ({elapsed:.1f} s, log: {log_path})")
                for p in problems:
                    print(f"     {p}")
                if stderr.strip():
                    print("     qemu: " + stderr.strip().replace("\n", "\n     qemu: "))
                print("     --- last lines of the serial log ---")
                for line in log.strip().splitlines()[-15:]:
                    print(f"     | {line}")
            else:
                passed += 1
                print(f"PASS {case.name} ({elapsed:.1f} s)")
            sys.stdout.flush()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
