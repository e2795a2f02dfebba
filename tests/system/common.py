"""What the system-test cases are made of: the Case record, the lines every
boot prints, and the builders the case lists (cases.py) use."""
import json
import os
import random
import re
import sys
from dataclasses import dataclass, field

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
    # Keys pressed through QMP send-key once a line matches after_line ("shift-h").
    qmp_keys: list = field(default_factory=list)
    # QMP commands (without arguments, e.g. "query-pci") run once a line matches after_line;
    # each answer is appended to the log as a line "QMP <command> <JSON of its return>".
    qmp_queries: list = field(default_factory=list)
    after_line: str = r"^Missive: boot complete"
    # QMP commands in steps: (regex, [{"execute": ..., "arguments": ...}, ...]) in order; each
    # step's commands are sent once its regex matches the output after the previous step
    # (input-send-event, screendump; a screendump's "filename" may hold {dir}, the case's
    # work directory).
    qmp: list = field(default_factory=list)
    # Typing on the serial console: (regex, text) steps in order; each text is sent once its
    # regex matches the output that came after the previous step's text was sent.
    typing: list = field(default_factory=list)
    smp: int = None  # CPUs (-smp); None: the --smp option's (default 1)
    # QMP commands ({"execute": ..., "arguments": ...}) sent once a line matches after_line.
    qmp_commands: list = field(default_factory=list)
    reboot: bool = False  # a guest reset restarts the machine (no -no-reboot)
    # Extra ACPI tables (names of acpi_table_bytes) added with -acpitable, made in the case's directory.
    acpi_tables: list = field(default_factory=list)
    # Boot grub.cfg's graphics entry (MISSIVE_GRAPHICS=1 for tools/mkiso.sh: a 1024x768x32
    # framebuffer) instead of the text one.
    graphics: bool = False
    # Disk images made in the case's directory before QEMU starts (its path is {dir} in the
    # qemu arguments): (file name, size in bytes, fill), fill None (zeros) or a function(path)
    # that writes the file after it was made at that size.
    disks: list = field(default_factory=list)
    # A function(directory, log) -> error string or None, run after QEMU ended when every other
    # check passed (to read the disk images back).
    after: object = None
    # A power cut: (regex, seconds): QEMU is killed (SIGKILL) that many seconds after a line
    # matches; set exit_status None.
    kill_after: tuple = None
    # Run with no other case beside it (harness.py --jobs): its checks depend on timing.
    alone: bool = False


# Where the harness writes each case's log (and screendumps): set by harness.py.
OUTDIR = None


sys.path.insert(0, os.path.join(REPO, "tools", "trace"))
import trace2json  # noqa: E402  (the host tool, tools/trace/trace2json.py)

# usertest trace's scripted exchange (tests/user/usertest/trace.c): kind, path, label,
# length, sender and receiver of each message, in order.
TRACE_SCRIPT = [("call", "fast", 0x7101, 1, "tr-client", "tr-server"),
                ("reply", "fast", 0x7201, 2, "tr-server", "tr-client"),
                ("call", "fast", 0x7102, 10, "tr-client", "tr-server"),
                ("reply", "fast", 0x7202, 2, "tr-server", "tr-client"),
                ("send", "slow", 0x7103, 3, "tr-client", "tr-server")]


def trace_json(log):
    """The log's last trace dump as Chrome trace JSON, through the host tool and back
    through json.loads: (trace dict, None) or (None, error)."""
    try:
        records, info = trace2json.parse_log(log)
    except trace2json.TraceError as e:
        return None, str(e)
    try:
        return json.loads(json.dumps(trace2json.to_chrome(records, info))), None
    except ValueError as e:
        return None, f"the trace is not valid JSON: {e}"


def check_trace_script(log):
    """The scripted exchange, as JSON: exactly the messages of TRACE_SCRIPT between the two
    named threads, in order; thread-name metadata for both."""
    trace, error = trace_json(log)
    if error:
        return error
    names = {e["args"]["name"] for e in trace["traceEvents"] if e.get("name") == "thread_name"}
    if not any(n.startswith("tr-client #") for n in names) or \
            not any(n.startswith("tr-server #") for n in names):
        return f"no thread names for tr-client and tr-server in {sorted(names)}"
    got = [(m["kind"], m["path"], m["label"], m["length"], m["from"], m["to"])
           for m in trace2json.messages(trace) if {m["from"], m["to"]} & {"tr-client", "tr-server"}]
    if got != TRACE_SCRIPT:
        return f"traced messages {got} differ from the script {TRACE_SCRIPT}"
    ids = {(m["from"], m["from_id"]) for m in trace2json.messages(trace)}
    if len(ids) != 2:
        return f"expected two stable thread ids, got {sorted(ids)}"
    return None


def check_boot_trace(log):
    """A boot traced by procsrv (make trace): valid JSON in which the servers are named and
    talk as they must: procsrv to memsrv, the shell to the console and procsrv, replies back."""
    trace, error = trace_json(log)
    if error:
        return error
    pairs = {(m["from"], m["to"], m["kind"]) for m in trace2json.messages(trace)}
    for want in [("procsrv", "memsrv", "call"), ("memsrv", "procsrv", "reply"),
                 ("shell", "console", "call"), ("console", "shell", "reply"),
                 ("shell", "procsrv", "call")]:
        if want not in pairs:
            return f"no {want[2]} from {want[0]} to {want[1]} in the trace"
    if any("thread" in (m["from"], m["to"]) for m in trace2json.messages(trace)):
        return "a thread without a name in the trace"
    return None


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


def boot_figure(log):
    """Prints the instructions from the kernel's entry to the shell's first prompt."""
    boot = re.search(r"^Missive: boot complete \(tsc (\d+), (\d+) in the kernel\)$", log, re.M)
    prompt = re.search(r"^shell: first prompt at tsc (\d+)$", log, re.M)
    if not boot or not prompt:
        return "no boot or prompt figure"
    entry = int(boot.group(1)) - int(boot.group(2))
    print(f"     boot figure: {int(prompt.group(1)) - entry} instructions from kernel entry "
          f"to the shell's first prompt ({boot.group(2)} in the kernel)")
    return None


def proc_case(name, manifest, expect):
    """procsrv as init with a test manifest; the machine keeps running (the
    clock's interrupt is bound), so the harness stops it once every line is there."""
    return Case(name=name, initrd="test",
                cmdline=f"init=bin/procsrv -- manifest=etc/tests/{manifest}.manifest",
                exit_status=None, timeout=90, expect=BOOTED + expect,
                forbid=[r"KERNEL PANIC", r"FAIL", r"^warning:"])


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


# The shell waits for a line. Not anchored at the end of the output: servers that are still
# starting (acpi, pci) may print after the prompt; a typing step looks only at the output that
# came after the previous step's text, so any prompt there is a new one.
PROMPT = r"missive> "
# The console's own first line is not waited for: it writes COM1 byte by byte, so with
# several CPUs procsrv's lines (through the kernel) may land in the middle of it.
SHELL_UP = [r"^Missive shell; type help$"]
SHELL_TROUBLE = NO_TROUBLE + [r"FAIL", r"^fault:", r"no fault handler"]

# A disk driver killed or swapped with commands in flight: the controller's interrupt for one of
# them can arrive after the driver's handler went with it; the kernel says so and drops it (an
# MSI or MSI-X) or masks the line until the next driver takes it (INTx) (docs/platform.md, "A
# driver's death"). Every other warning is trouble.
LATE_INTERRUPT_OK = [p for p in SHELL_TROUBLE if p != r"^warning:"] + [
    r"^warning:(?! irq: (unexpected vector \d+|interrupt on GSI \d+ with no handler; masked)$)"]


def shell_case(name, lines, expect, initrd="good", timeout=120, **kw):
    """Boots to the shell, types each of lines at a fresh prompt, and expects the lines in
    expect (besides the console and shell coming up); the machine is stopped after that."""
    kw.setdefault("forbid", SHELL_TROUBLE)
    return Case(name, initrd=initrd, exit_status=None, timeout=timeout,
                typing=[(PROMPT, line) for line in lines], expect=SHELL_UP + expect, **kw)


def garbage(seed, n):
    """n random bytes, without CR and LF (which would end the line), as a str of code points
    0-255 (the harness sends str.encode(): code points above 127 become two bytes)."""
    rnd = random.Random(seed)
    return "".join(chr(b) for b in (rnd.randrange(256) for _ in range(n)) if b not in (10, 13))



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




def sdt(signature, aml, oem_table_id):
    """An ACPI table: header (checksummed; QEMU recomputes length and checksum of -acpitable
    tables anyway) and body."""
    length = 36 + len(aml)
    header = bytearray(signature.encode() + length.to_bytes(4, "little") + bytes([2, 0]) +
                       b"MISSIV" + oem_table_id.encode().ljust(8) + (1).to_bytes(4, "little") +
                       b"MSVE" + (1).to_bytes(4, "little"))
    table = header + aml
    table[9] = (-sum(table)) & 0xff
    return bytes(table)


# Hostile SSDTs for -acpitable, written by hand in AML (ACPI 6.4, chapter 20):
ACPI_TABLES = {
    # Name (\LPCN, 0); While (One) { Increment (\LPCN) } at the table's top level.
    "loop": sdt("SSDT", bytes([0x08]) + b"\\LPCN" + bytes([0x00, 0xa2, 0x08, 0x01, 0x75]) +
                b"\\LPCN", "LOOP"),
    # Scope (\) whose package length (63 bytes) runs past the end of the table.
    "past-end": sdt("SSDT", bytes([0x10, 0x3f]) + b"\\" + bytes([0x08]) + b"XXXX" + bytes([0]),
                    "PASTEND"),
    # Bytes that are no AML opcode.
    "garbage": sdt("SSDT", bytes([0xff, 0xfe, 0xfd, 0x02, 0x03]), "GARBAGE"),
}


def untangle(log):
    """The log with lines that two writers interleaved taken apart again.

    The kernel (its own log and DEBUG_WRITE) and the console server write to
    COM1 independently; on several CPUs a whole kernel line can land inside
    one of the console's: "console: procsrv: started kbd" then "serving COM1".
    A line holding, after its start, "NAME: " for a NAME that starts other
    lines of the log is split there, and its head joined to the next line
    (the rest of the interrupted one). The joined line is looked at again: a
    line may be interrupted more than once, as the shell's echo of a typed line
    is by a program in the background printing two lines ("missive> " + a line,
    then "run blocktest o" + a line, then "rphans ahci 0 3": ahci-three-disks
    failed in CI so). Only expected lines are looked for in this copy as well;
    forbidden ones are judged on the log as it came."""
    writers = set(re.findall(r"^([A-Za-z][\w-]*): ", log, re.M))
    if not writers:
        return log
    inner = re.compile(r"(?<=.)(?:%s): " % "|".join(re.escape(w) for w in sorted(writers)))
    lines, out = log.split("\n"), []
    for i, line in enumerate(lines):
        m = inner.search(line)
        if m and i + 1 < len(lines):
            out.append(line[m.start():])
            lines[i + 1] = line[:m.start()] + lines[i + 1]
        else:
            out.append(line)
    return "\n".join(out)
