#!/usr/bin/env python3
"""System tests: boot Missive in QEMU (TCG, headless) once per case, capture
the serial console, bound every boot with a timeout, and check what the
kernel printed and how QEMU ended.

Each case names the kernel command line, the initrd (the real one, a damaged
copy, or none), extra QEMU arguments, the lines that must and must not
appear, and the expected QEMU exit status (33 = boot complete, 35 = panic,
via isa-debug-exit; None = the machine halts and the harness stops it once
every expected line is there). The last line printed is `N passed, N failed`.
The cases are listed in cases.py, built from the pieces in common.py; this
file runs them.

    python3 tests/system/harness.py --build build [--cases a,b] [--list] [--smp N] [--jobs N]

--smp N boots every case that does not fix its own CPU count with -smp N.
--jobs N runs up to N cases at once (default: the CPUs, at most 2), each with its own log,
directory, sockets and ISO; a case with more than one CPU, or marked Case.alone, runs after
them, alone. Each case's lines are printed together when it ends. --jobs 1 runs the cases one
at a time in the listed order, as before.
"""
import argparse
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback

import common
from cases import all_cases
from common import ACPI_TABLES, PROMPT, REPO


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
        data = data[:data.rfind(b"TRAILER!!!") - 110]  # the last: binaries may hold the string
    elif kind == "garbage":
        data = bytearray(hashlib.sha256(str(i).encode()).digest()[j]
                         for i in range(128) for j in range(32))
    else:
        raise ValueError(kind)
    path = os.path.join(workdir, f"initrd-{kind}.cpio")
    with open(path, "wb") as f:
        f.write(data)
    return path


ISO_CACHE = {}  # (initrd, cmdline, graphics) -> an ISO already made this run
ISO_LOCKS = {}  # the same key -> the lock its maker holds (cases run in threads, --jobs)
ISO_LOCK = threading.Lock()  # guards ISO_LOCKS


def make_iso(case, kernel, good_initrd, workdir):
    """The ISO that boots case's initrd with its command line: made once per run for each
    (initrd, cmdline, graphics), whichever thread asks first; the others wait for it."""
    key = (case.initrd, case.cmdline, case.graphics)
    with ISO_LOCK:
        lock = ISO_LOCKS.setdefault(key, threading.Lock())
    with lock:
        if key in ISO_CACHE:  # many cases boot the same image (the power cuts): made once
            return ISO_CACHE[key]
        initrd = make_initrd(case.initrd, good_initrd, workdir)
        iso = os.path.join(workdir, f"{case.name}.iso")
        env = dict(os.environ, MISSIVE_GRAPHICS="1" if case.graphics else "0")
        made = subprocess.run(["bash", os.path.join(REPO, "tools", "mkiso.sh"), iso, kernel,
                               initrd or "-", *case.cmdline.split(" ")], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if made.returncode != 0:  # its output in the case's lines, not between other cases'
            raise RuntimeError(f"mkiso.sh failed ({made.returncode}): "
                               + made.stdout.decode(errors="replace").strip())
        ISO_CACHE[key] = iso
        return iso


def case_directory(case, log_path):
    """The case's own directory beside its log ({dir} in its qemu arguments), made afresh with
    the case's disk images in it."""
    directory = os.path.join(os.path.dirname(log_path), case.name)
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)
    for name, size, fill in case.disks:
        path = os.path.join(directory, name)
        with open(path, "wb") as f:
            f.truncate(size)
        if fill:
            fill(path)
    return directory


def run_qemu(case, iso, log_path, smp):
    """Boots iso; returns (exit status or None if stopped, seconds)."""
    directory = case_directory(case, log_path)
    cmd = ["qemu-system-x86_64", "-machine", "pc", "-accel", "tcg", "-cpu", "qemu64",
           "-m", case.memory, "-smp", str(case.smp or smp), "-display", "none",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
           "-serial", f"file:{log_path}", "-cdrom", iso,
           *(a.replace("{dir}", directory) for a in case.qemu)]
    if not case.reboot:
        cmd.append("-no-reboot")
    for name in case.acpi_tables:  # in the case's own directory: no other case rewrites them
        path = os.path.join(directory, f"{name}.aml")
        with open(path, "wb") as f:
            f.write(ACPI_TABLES[name])
        cmd += ["-acpitable", f"file={path}"]
    # Unix socket paths are limited to 107 bytes: keep it short, in /tmp.
    monitor_path = os.path.join(tempfile.gettempdir(), f"missive-{os.getpid()}-{case.name}.mon")
    if os.path.exists(monitor_path):
        os.remove(monitor_path)
    cmd += ["-monitor", f"unix:{monitor_path},server=on,wait=off" if case.monitor else "none"]
    qmp_path = monitor_path[:-4] + ".qmp"
    if case.qmp_keys or case.qmp_commands or case.qmp_queries or case.qmp:
        if os.path.exists(qmp_path):
            os.remove(qmp_path)
        cmd += ["-qmp", f"unix:{qmp_path},server=on,wait=off"]
    serial_path = None
    if case.typing:
        # The serial line is a socket the harness both reads (into the log) and types into;
        # QEMU waits for the harness to connect before it starts the machine.
        serial_path = os.path.join(tempfile.gettempdir(), f"missive-{os.getpid()}-{case.name}.ser")
        if os.path.exists(serial_path):
            os.remove(serial_path)
        i = cmd.index(f"file:{log_path}")
        cmd[i - 1:i + 1] = ["-chardev", f"socket,id=ser0,path={serial_path},server=on,wait=on",
                            "-serial", "chardev:ser0"]
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    status = None
    pending = list(case.monitor)
    keys = list(case.qmp_keys)
    queries, answers = list(case.qmp_queries), []
    # qmp_commands is the one step sent once after_line matches.
    qmp_steps = ([(case.after_line, case.qmp_commands)] if case.qmp_commands else []) + list(case.qmp)
    qmp_at = 0  # log length when the last QMP step was sent
    serial = connect_serial(serial_path, proc) if serial_path else None
    typing = list(case.typing)
    typed_at = 0  # log length when the last text was typed
    seen, still_since = 0, time.monotonic()  # the log's length, and since when it is that
    kill_at = None  # when to cut the power (case.kill_after)
    while True:
        try:
            status = proc.wait(timeout=min(0.2, max(0.0, kill_at - time.monotonic()))
                               if kill_at else 0.2)
            break
        except subprocess.TimeoutExpired:
            pass
        elapsed = time.monotonic() - start
        if case.kill_after and kill_at is None and re.search(case.kill_after[0],
                                                             read_log(log_path), re.M):
            kill_at = time.monotonic() + case.kill_after[1]
        if kill_at and time.monotonic() >= kill_at:
            break  # killed below, as a timeout is
        if serial:
            drain_serial(serial, log_path)
            if len(read_log(log_path)) != seen:
                seen, still_since = len(read_log(log_path)), time.monotonic()
            while typing and typing_due(typing[0][0], read_log(log_path)[typed_at:],
                                        time.monotonic() - still_since > 1.0):
                typed_at = len(read_log(log_path))
                serial.sendall(typing.pop(0)[1].encode())
        if pending and re.search(case.after_line, read_log(log_path), re.M):
            send_monitor(monitor_path, pending)
            pending = []
        if keys and re.search(case.after_line, read_log(log_path), re.M):
            send_qmp_keys(qmp_path, keys)
            keys = []
        if queries and re.search(case.after_line, read_log(log_path), re.M):
            returns = send_qmp(qmp_path, [{"execute": q} for q in queries])
            answers = [f"QMP {q} {json.dumps(a)}" for q, a in zip(queries, returns)]
            queries = []
        while qmp_steps and re.search(qmp_steps[0][0], read_log(log_path)[qmp_at:], re.M):
            qmp_at = len(read_log(log_path))
            send_qmp(qmp_path, [fill_dir(c, os.path.dirname(log_path)) for c in qmp_steps.pop(0)[1]])
        if (case.exit_status is None and not queries and not qmp_steps and not case.kill_after
                and all_expected(case, read_log(log_path))):
            break
        if elapsed > case.timeout:
            break
    if status is None:
        proc.kill()
        proc.wait()
    if serial:
        drain_serial(serial, log_path)
        serial.close()
        if os.path.exists(serial_path):
            os.remove(serial_path)
    for path in (monitor_path, qmp_path):
        if os.path.exists(path):
            os.remove(path)
    if answers:  # after the serial output, on lines of their own
        with open(log_path, "a") as f:
            f.write("".join("\n" + a for a in answers) + "\n")
    return status, time.monotonic() - start, proc.stderr.read().decode(errors="replace")


def typing_due(pattern, text, still):
    """Whether to type the next text: its pattern matches what came since the last text was
    typed; or, for the shell's prompt, the prompt came but other servers' lines, printed on
    other CPUs while the shell started, followed it on its line, and the output has been still
    for a second (still): the shell waits for a line all the same."""
    if re.search(pattern, text, re.M):
        return True
    return pattern == PROMPT and still and "missive> " in text


def connect_serial(path, proc):
    """Connects to QEMU's serial socket at path (retrying while QEMU starts); None if QEMU
    ended or never listened."""
    for _ in range(100):
        if proc.poll() is not None:
            return None
        try:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.connect(path)
            sock.setblocking(False)
            return sock
        except OSError:
            sock.close()
            time.sleep(0.1)
    return None


def drain_serial(sock, log_path):
    """Appends what the machine wrote to the serial socket to the log (reading keeps QEMU's
    UART from stalling on a full socket)."""
    chunks = []
    while True:
        try:
            data = sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            break
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    if chunks:
        with open(log_path, "ab") as f:
            f.write(b"".join(chunks))


def send_monitor(path, commands):
    """Types commands into the QEMU human monitor on the unix socket path."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.connect(path)
        sock.settimeout(5)
        for command in commands:
            sock.sendall(command.encode() + b"\n")
            time.sleep(0.2)


def fill_dir(command, directory):
    """command (a QMP command dict) with {dir} in its string arguments replaced."""
    args = {k: v.replace("{dir}", directory) if isinstance(v, str) else v
            for k, v in command.get("arguments", {}).items()}
    return dict(command, arguments=args) if "arguments" in command else command


def send_qmp_keys(path, keys):
    """Presses keys ("h", "shift-h", "ret") through QMP send-key on the unix socket path."""
    send_qmp(path, [{"execute": "send-key",
                     "arguments": {"keys": [{"type": "qcode", "data": k} for k in key.split("-")]}}
                    for key in keys], pause=0.1)


def send_qmp(path, commands, pause=0.05):
    """Sends QMP commands ({"execute": ..., "arguments": ...}) on the unix socket path, one
    after the other's answer, pause seconds apart; {"sleep": seconds} in the list is not a
    command but a longer pause. Returns the commands' return values."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.connect(path)
        sock.settimeout(5)
        stream = sock.makefile("rwb")

        def command(execute, arguments=None):
            message = {"execute": execute}
            if arguments is not None:
                message["arguments"] = arguments
            stream.write(json.dumps(message).encode() + b"\n")
            stream.flush()
            while True:  # skip events until the answer
                answer = json.loads(stream.readline())
                if "return" in answer or "error" in answer:
                    if "error" in answer:
                        raise RuntimeError(f"QMP {execute}: {answer['error']}")
                    return answer

        json.loads(stream.readline())  # the greeting
        command("qmp_capabilities")
        returns = []
        for c in commands:
            if "sleep" in c:
                time.sleep(c["sleep"])
                continue
            returns.append(command(c["execute"], c.get("arguments"))["return"])
            time.sleep(pause)
        return returns


def read_log(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode(errors="replace").replace("\r\n", "\n")
    except FileNotFoundError:
        return ""


def expected(pattern, log):
    return re.search(pattern, log, re.M) or re.search(pattern, common.untangle(log), re.M)


def all_expected(case, log):
    return all(expected(p, log) for p in case.expect)


def judge(case, status, elapsed, log):
    problems = []
    for p in case.expect:
        if not expected(p, log):
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
    if case.after and not problems:
        err = case.after(os.path.join(common.OUTDIR, case.name), log)
        if err:
            problems.append(err)
    return problems


class CaseOutput:
    """sys.stdout while cases run in threads: what a case's thread prints (its PASS or FAIL
    line and what its checks print) goes to that case's buffer, printed whole when the case
    ends, so two cases' lines never interleave; other threads write through."""

    def __init__(self, real):
        self.real = real
        self.local = threading.local()

    def write(self, text):
        buffer = getattr(self.local, "buffer", None)
        return buffer.append(text) if buffer is not None else self.real.write(text)

    def flush(self):
        if getattr(self.local, "buffer", None) is None:
            self.real.flush()


def run_case(case, kernel, initrd, outdir, workdir, smp):
    """Boots and judges one case, printing its PASS or FAIL line (and its checks' lines);
    returns whether it passed."""
    log_path = os.path.join(outdir, f"{case.name}.log")
    if os.path.exists(log_path):
        os.remove(log_path)
    iso = make_iso(case, kernel, initrd, workdir)
    status, elapsed, stderr = run_qemu(case, iso, log_path, smp)
    log = read_log(log_path)
    problems = judge(case, status, elapsed, log)
    if problems:
        print(f"FAIL {case.name} ({elapsed:.1f} s, log: {log_path})")
        for p in problems:
            print(f"     {p}")
        if stderr.strip():
            print("     qemu: " + stderr.strip().replace("\n", "\n     qemu: "))
        print("     --- last lines of the serial log ---")
        for line in log.strip().splitlines()[-15:]:
            print(f"     | {line}")
        return False
    print(f"PASS {case.name} ({elapsed:.1f} s)")
    return True


def runs_alone(case, smp):
    """Whether case must have the machine to itself: it asks to (Case.alone: its figures or
    timing), or it boots more than one CPU (MTTCG gives each vCPU a host thread, and with
    another QEMU beside them they would share cores)."""
    return case.alone or (case.smp or smp) > 1


def run_cases(cases, jobs, kernel, initrd, outdir, workdir, smp):
    """Runs cases, up to jobs at once; those that run alone (runs_alone) after the others, one
    at a time. Each case's lines are printed together when it ends (CaseOutput). Returns
    (passed, failed)."""
    output = CaseOutput(sys.stdout)
    results = []  # True or False for each case ended
    results_lock = threading.Lock()

    def run(case):
        output.local.buffer = []
        try:
            ok = run_case(case, kernel, initrd, outdir, workdir, smp)
        # A harness error (a case's sys.exit too) is the case's failure, not every case's; on a
        # worker thread an exception not caught here would vanish with the case's lines.
        except (Exception, SystemExit) as e:
            print(f"FAIL {case.name} (harness error: {e!r})")
            print("     " + traceback.format_exc().strip().replace("\n", "\n     "))
            ok = False
        text, output.local.buffer = "".join(output.local.buffer), None
        with results_lock:
            results.append(ok)
            output.real.write(text)
            output.real.flush()

    shared = [c for c in cases if jobs > 1 and not runs_alone(c, smp)]
    alone = [c for c in cases if c not in shared]
    pending = list(shared)
    pending_lock = threading.Lock()

    def worker():
        while True:
            with pending_lock:
                if not pending:
                    return
                case = pending.pop(0)
            run(case)

    old_stdout, sys.stdout = sys.stdout, output
    try:
        threads = [threading.Thread(target=worker) for _ in range(min(jobs, len(shared)))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for case in alone:
            run(case)
    finally:
        sys.stdout = old_stdout
    passed = results.count(True)
    return passed, len(cases) - passed  # a case that never ended is a failure too


def default_jobs():
    """Cases at once by default: the CPUs this process may use, at most 2 (more QEMUs than
    cores would stretch every case towards its time-out)."""
    return max(1, min(2, len(os.sched_getaffinity(0))))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--cases", help="comma-separated case names (default: all)")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--smp", type=int, default=1, help="CPUs for cases that fix none")
    ap.add_argument("--jobs", type=int, default=default_jobs(),
                    help="cases run at once (default: the CPUs, at most 2; 1: one at a time, "
                         "in the listed order)")
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
    common.OUTDIR = outdir
    start = time.monotonic()
    with tempfile.TemporaryDirectory() as workdir:
        passed, failed = run_cases(selected, max(1, args.jobs), kernel, initrd, outdir, workdir,
                                   args.smp)
    print(f"system tests: {time.monotonic() - start:.0f} s, up to {max(1, args.jobs)} cases at once")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
