"""The NVMe driver's system tests (docs/disks.md, "NVMe"): QEMU's NVMe controller (NVMe 1.4,
MSI-X), with the host writing blocktest's pattern into raw images before QEMU starts and checking
what the guest wrote after QEMU ended, as ahci_cases.py does for AHCI; two namespaces and two
controllers; the block protocol's bad input against the real device; the driver killed and
swapped in the middle of a stream; HMFS on NVMe across a reboot; make run DISK=nvme's machine;
and one image on AHCI and NVMe at once (share-rw=on)."""
from common import LATE_INTERRUPT_OK, PROMPT, SHELL_TROUBLE, SHELL_UP, Case, untangle
from disk_cases import (MIB64, READ_ERROR_AT_1000, all_of, driver_case, fill_pattern,
                        image_has_pattern, ok, text_file)
from hmfs_cases import FORBID, fsck_clean, run_disk

# The first line is typed once both the shell's prompt and the driver's serving line have come
# (in either order): the pci server may start the driver after the shell (seen at -smp 2 on a
# loaded host: blocktest found no nvme server and failed).
DRIVER_UP = r"(?s)missive> .*nvme: serving|nvme: serving.*missive> "


def nvme_disk(image, controller="nvme0", serial="nvme-serial-0", extra=""):
    """One NVMe controller with image as its namespace 1."""
    return ["-drive", f"if=none,id={controller}d,file={{dir}}/{image},format=raw",
            "-device", f"nvme,id={controller},serial={serial},drive={controller}d{extra}"]


def nvme_namespaces(*images, controller="nvme0", serial="nvme-ns"):
    """One controller with each image as a namespace (nvme-ns, nsid 1, 2, ...)."""
    args = ["-device", f"nvme,id={controller},serial={serial}"]
    for i, image in enumerate(images):
        args += ["-drive", f"if=none,id={controller}n{i},file={{dir}}/{image},format=raw",
                 "-device", f"nvme-ns,drive={controller}n{i},bus={controller},nsid={i + 1}"]
    return args


def nvme_case(name, qemu, lines, expect, manifest="nvme", **kw):
    """Boots the nvme manifest (None: the boot manifest) with the disks and types lines at the
    shell (disk_cases.driver_case)."""
    return driver_case("nvme", name, qemu, lines, expect, manifest=manifest, first=DRIVER_UP,
                       **kw)


def nvme_cases():
    return [
        # One controller on pc: IDENTIFY, lspci and disks name it; the host's pattern read at
        # depths 1 and 32, the guest's written at depth 32 (and with FUA at depth 8) and
        # checked by the host after QEMU ends, the sectors around them untouched; blk's write
        # (which flushes after it) and compare.
        nvme_case("nvme-pc", nvme_disk("a.img"), [
            "lspci\r",
            "disks\r",
            "run blocktest verify nvme 0 7 1 0 2048\r",
            "run blocktest verify nvme 0 7 32 0 8192\r",
            "run blocktest write nvme 0 9 32 20000 4096\r",
            "run blocktest write-fua nvme 0 10 8 30000 1024\r",
            "run blocktest verify nvme 0 10 8 30000 1024\r",
            "blk write nvme 0 40000 etc/motd\r",
            "blk cmp nvme 0 40000 etc/motd\r",
            "blk stats nvme\r",
        ], [
            r"^nvme: NVMe 1\.4, QEMU NVMe Ctrl, serial nvme-serial-0, firmware [\d.]+, "
            r"256 namespaces, 65-entry I/O queue, largest transfer 512 KiB, write cache, SGLs$",
            r"^nvme: namespace 1: 131072 blocks of 512 bytes \(disk 0\)$",
            r"^nvme: serving 1 namespace, interrupts through MSI-X \(1 vector\)$",
            r"Non-Volatile memory controller.*QEMU NVM Express Controller",
            r"^nvme +0  QEMU NVMe Ctrl +nvme-serial-0 +64 MiB  131072 x 512 cache fua$",
            ok("nvme", 0, 0, 2048, 1, " verified"),
            ok("nvme", 0, 0, 8192, 32, " verified"),
            ok("nvme", 0, 20000, 4096, 32, " written"),
            ok("nvme", 0, 30000, 1024, 8, r" written \(FUA\)"),
            ok("nvme", 0, 30000, 1024, 8, " verified"),
            r"^blk: wrote \d+ bytes of etc/motd at sector 40000$",
            r"^blk: same \d+ bytes of etc/motd at sector 40000$",
            r"^blk: nvme: 1 disks, 0 sessions, \d+ requests done, 0 failed, 0 retries, "
            r"0 resets, 0 sessions cut off$",
        ], disks=[("a.img", MIB64, fill_pattern(7, 0, 8192))],
            after=all_of(image_has_pattern("a.img", 9, 20000, 4096,
                                           untouched=[(19990, 10), (24096, 10)]),
                         image_has_pattern("a.img", 10, 30000, 1024))),
        # Two namespaces on one controller and a second controller (driver nvme-2) of
        # 4096-byte blocks, on q35 with INTx (msi=off; GSI 16-23 through _PRT): the host's
        # pattern read on all three at once, the guest's written on all three and checked by
        # the host after QEMU ends.
        nvme_case("nvme-q35-two",
                  ["-machine", "q35"] + nvme_namespaces("a.img", "b.img") +
                  ["-drive", "if=none,id=big,file={dir}/c.img,format=raw",
                   "-device", "nvme,id=nvme1,serial=second,drive=big,logical_block_size=4096,"
                   "physical_block_size=4096"], [
                      "disks\r",
                      "run blocktest verify nvme 0 71 32 0 4096 &\r",
                      "run blocktest verify nvme 1 72 32 0 4096 &\r",
                      "run blocktest verify nvme-2 0 73 32 0 512\r",
                      "run blocktest write nvme 0 74 32 8192 2048 &\r",
                      "run blocktest write nvme 1 75 16 8192 2048 &\r",
                      "run blocktest write nvme-2 0 76 32 1024 256\r",
                      "echo wait\r",
                  ], [
                      r"^nvme: serving 2 namespaces, interrupts through INTx \(1 vector\)$",
                      r"^procsrv: started nvme-2 \(bin/nvme\) as process \d+",
                      r"^nvme: namespace 2: 131072 blocks of 512 bytes \(disk 1\)$",
                      r"^nvme: namespace 1: 16384 blocks of 4096 bytes \(disk 0\)$",
                      r"^nvme-2 +0  QEMU NVMe Ctrl +second +64 MiB  16384 x 4096 cache fua$",
                      ok("nvme", 0, 0, 4096, 32, " verified"),
                      ok("nvme", 1, 0, 4096, 32, " verified"),
                      ok("nvme-2", 0, 0, 512, 32, " verified"),
                      ok("nvme", 0, 8192, 2048, 32, " written"),
                      ok("nvme", 1, 8192, 2048, 16, " written"),
                      ok("nvme-2", 0, 1024, 256, 32, " written"),
                  ], disks=[("a.img", MIB64, fill_pattern(71, 0, 4096)),
                            ("b.img", MIB64, fill_pattern(72, 0, 4096)),
                            ("c.img", MIB64, fill_4k(73, 0, 512))],
                  after=all_of(image_has_pattern("a.img", 74, 8192, 2048),
                               image_has_pattern("b.img", 75, 8192, 2048),
                               image_has_4k("c.img", 76, 1024, 256)), timeout=200,
                  manifest="nvme-intx"),
        # The block protocol's bad input against the real device, clients that leave with
        # requests in flight; then the driver killed, and swapped for another binary, in the
        # middle of a stream of writes: procsrv starts it again, the client library opens the
        # disk again and submits again what was in flight, every request completes once and
        # what was acknowledged reads back.
        nvme_case("nvme-bad-kill", nvme_disk("a.img"), [
            "run blocktest bad nvme 0\r",
            "run blocktest orphans nvme 0 3\r",
            "run blocktest stream nvme 0 1500 kill\r",
            "run blocktest stream nvme 0 1500 swap=bin/nvme-v2\r",
        ], [
            r"^blocktest: bad input on nvme disk 0: each refused, the server goes on$",
            r"^blocktest: bad: [1-9]\d* passed, 0 failed$",
            r"^blocktest: 3 clients left with requests in flight; their sessions were "
            r"reclaimed, the server goes on$",
            r"^procsrv: process \d+ \(nvme\) killed by process \d+$",
            r"^blocktest: stream: 1500 writes, 1500 completed exactly once, 0 failed, "
            r"[1-9]\d* reopens$",
            r"^procsrv: swapped nvme: process \d+ replaced by \d+ running bin/nvme-v2$",
            r"^blocktest: stream: every acknowledged write read back$",
        ], disks=[("a.img", MIB64, None)], timeout=200, trouble=LATE_INTERRUPT_OK,
            check=lambda log: None if log.count("every acknowledged write read back") == 2
            else "expected both streams (kill and swap) to read back what was acknowledged"),
        # A block that cannot be read (blkdebug): QEMU answers "unrecovered read error", the
        # command is sent again NVME_RETRIES times, then fails alone with an I/O error and a
        # line naming the namespace and the LBA; the blocks around it read, a batch at depth 32
        # goes on, writes too, and the stats count the retries.
        nvme_case("nvme-read-error", [
            "-drive", "if=none,id=bad,driver=raw,file.driver=blkdebug,"
                      "file.config={dir}/errors.conf,file.image.filename={dir}/a.img",
            "-device", "nvme,serial=bad-blocks,drive=bad"], [
                "blk read nvme 0 1000\r",
                "blk read nvme 0 999\r",
                "run blocktest verify nvme 0 41 32 1001 3000\r",
                "run blocktest pattern nvme 0 42 32 900\r",
                "blk stats nvme\r",
            ], [
                r"^nvme: disk 0 \(namespace 1\): unrecovered read error at LBA 1000 \(1 block\) "
                r"after retries$",
                r"^blk: sector 1000: I/O error$",
                r"^0007ce00  ",
                ok("nvme", 0, 1001, 3000, 32, " verified"),
                ok("nvme", 0, 0, 900, 32, " written verified"),
                r"^blk: nvme: 1 disks, 0 sessions, \d+ requests done, 1 failed, 3 retries, "
                r"0 resets, 0 sessions cut off$",
            ], disks=[("a.img", MIB64, fill_pattern(41, 0, 4096)),
                      ("errors.conf", 0, text_file(READ_ERROR_AT_1000))]),
        # The read error again, now inside a run of small sequential reads 32 deep, which the
        # driver merges into commands of many requests: the merged command that covers LBA 1000
        # fails after its retries, its requests go again one by one, and only the one holding
        # LBA 1000 (at most 16 sectors) fails, its neighbours read well (blocktest says FAIL for
        # that one request, which this case wants).
        nvme_case("nvme-read-error-merged", [
            "-drive", "if=none,id=bad,driver=raw,file.driver=blkdebug,"
                      "file.config={dir}/errors.conf,file.image.filename={dir}/a.img",
            "-device", "nvme,serial=bad-blocks,drive=bad"], [
                "run blocktest verify nvme 0 41 32 960 80\r",
            ], [
                r"^nvme: disk 0 \(namespace 1\): a merged command failed at LBA \d+ \(\d+ "
                r"blocks\); its \d+ requests go again one by one$",
                r"^nvme: disk 0 \(namespace 1\): unrecovered read error at LBA "
                r"(98[5-9]|99\d|1000) \(([1-9]|1[0-6]) blocks?\) after retries$",
                r"^blocktest: FAIL sectors read back wrong: got ([1-9]|1[0-6]), want 0$",
                r"^blocktest: FAILED nvme disk 0: sectors 960\+80 at depth 32 verified$",
            ], disks=[("a.img", MIB64, fill_pattern(41, 0, 4096)),
                      ("errors.conf", 0, text_file(READ_ERROR_AT_1000))],
            trouble=[p for p in SHELL_TROUBLE if p != r"FAIL"]),
        # A disk too slow for the time-out (QEMU throttles it to 4 requests a second; the test
        # manifest's I/O time-out is 3 s): commands queued 32 deep time out, the controller is
        # reset (CC.EN off and on, its queues made again), the commands go again one at a time,
        # and every one completes well. Merging off (no-merge): merged, the sequential reads
        # would go as one command at a time, none of them waiting 3 s behind the throttle.
        nvme_case("nvme-timeout", [
            "-drive", "if=none,id=slow,file={dir}/a.img,format=raw,throttling.iops-total=4",
            "-device", "nvme,serial=slow,drive=slow"], [
                "run blocktest verify nvme 0 61 32 0 256\r",
                "blk stats nvme\r",
            ], [
                r"^nvme: time-out of command \d+ on queue 1; Abort answered: not aborted$",
                r"^nvme: time-out with \d+ commands in flight; resetting the controller$",
                ok("nvme", 0, 0, 256, 32, " verified"),
                r"^blk: nvme: 1 disks, 0 sessions, \d+ requests done, 0 failed, \d+ retries, "
                r"[1-9]\d* resets, 0 sessions cut off$",
            ], disks=[("a.img", MIB64, fill_pattern(61, 0, 256))], timeout=120,
            manifest="nvme-nomerge"),
        # Two CPUs: one I/O queue pair each (Set Features grants QEMU's 64; two are made), each
        # pair's completion queue on its own MSI-X vector (procsrv grants one per CPU, routed to
        # that CPU), a client on each CPU (blocktest cpu=N, which names its CPU in BLOCK_OPEN)
        # writing, then verifying, 32 deep at once; each session's requests go to its CPU's
        # pair (the driver logs each session's CPU and pair once), and the driver's count lines
        # show both pairs completed commands and both vectors interrupted; a service thread per
        # pair on its CPU, each CPU's client's requests started by its pair's thread and
        # completed by it (the per-thread counts, and none off their pair's thread in any count
        # line: not by timing); the host checks both ranges after QEMU ends.
        nvme_case("nvme-smp2-queues", nvme_disk("a.img"), [
            "run blocktest write nvme 0 91 32 0 32768 cpu=0 &\r",
            "run blocktest write nvme 0 92 32 32768 32768 cpu=1\r",
            "run blocktest verify nvme 0 93 32 65536 16384 cpu=1 &\r",
            "run blocktest verify nvme 0 94 32 81920 16384 cpu=0\r",
            "echo wait\r",
        ], [
            r"nvme: 2 I/O queue pairs \(2 wanted\)$",
            r"^nvme: serving 1 namespace, interrupts through MSI-X \(2 vectors\)$",
            r"^blocktest: on CPU 0$",
            r"^blocktest: on CPU 1$",
            r"nvme: session \d+ from CPU 0: queue pair 1$",
            r"nvme: session \d+ from CPU 1: queue pair 2$",
            r"nvme: completed by queue pair: 1: [1-9]\d* 2: [1-9]\d*$",
            # sequential requests in flight at once join one command (queue.c's merge)
            r"nvme: merged by queue pair: 1: [1-9]\d* 2: [1-9]\d*$",
            r"nvme: interrupts by vector: 0: [1-9]\d* 1: [1-9]\d*$",
            r"^nvme: 2 service threads, one per queue pair on its CPU$",
            r"nvme: requests started/commands completed by thread: "
            r"0: [1-9]\d*/[1-9]\d* 1: [1-9]\d*/[1-9]\d*; off their pair's thread: 0/0; "
            r"waits on another thread: 0$",
        ], disks=[("a.img", MIB64, all_fill(fill_pattern(93, 65536, 16384),
                                             fill_pattern(94, 81920, 16384)))],
            smp=2, timeout=300,
            # A count above zero (a line cut by another writer must not look like one).
            forbid=[r"off their pair's thread: (?:\d*[1-9]\d*/\d+|\d+/\d*[1-9])",
                    r"waits on another thread: \d*[1-9]"],
            check=both_ok([("0+32768", "written"), ("32768+32768", "written"),
                           ("65536+16384", "verified"), ("81920+16384", "verified")]),
            after=all_of(image_has_pattern("a.img", 91, 0, 32768),
                         image_has_pattern("a.img", 92, 32768, 32768))),
        # Two CPUs, a service thread per pair: a stream of writes from CPU 1 (its session on
        # thread 1, whose endpoint BLOCK_OPEN handed over) while the driver is killed, then
        # swapped: the calls on the dead instance's thread endpoint fail, and the client
        # library reopens through the named endpoint; each write completes once and reads back.
        nvme_case("nvme-smp2-kill", nvme_disk("a.img"), [
            "run blocktest stream nvme 0 1500 kill cpu=1\r",
            "run blocktest stream nvme 0 1500 swap=bin/nvme-v2 cpu=1\r",
        ], [
            r"^nvme: 2 service threads, one per queue pair on its CPU$",
            r"nvme: session \d+ from CPU 1: queue pair 2$",
            r"^procsrv: process \d+ \(nvme\) killed by process \d+$",
            r"^blocktest: stream: 1500 writes, 1500 completed exactly once, 0 failed, "
            r"[1-9]\d* reopens$",
            r"^procsrv: swapped nvme: process \d+ replaced by \d+ running bin/nvme-v2$",
            r"^blocktest: stream: every acknowledged write read back$",
        ], disks=[("a.img", MIB64, None)], smp=2, timeout=200, trouble=LATE_INTERRUPT_OK,
            check=lambda log: None if max(log.count("every acknowledged write read back"),
                                          untangle(log).count("every acknowledged write read back")) == 2
            else "expected both streams (kill and swap) to read back what was acknowledged"),
        # One image on an AHCI disk and an NVMe namespace at once (QEMU needs share-rw=on on
        # both devices; without it the second device fails to take the image's write lock):
        # written through AHCI with FUA, read back through NVMe, and the other way round.
        nvme_case("nvme-ahci-shared", ["-device", "ahci,id=ahci0",
                                       "-drive", "if=none,id=s0,file={dir}/a.img,format=raw",
                                       "-device", "ide-hd,drive=s0,bus=ahci0.0,share-rw=on"] +
                  nvme_disk("a.img", extra=",share-rw=on"), [
                      "run blocktest write-fua ahci 0 81 32 0 2048\r",
                      "run blocktest verify nvme 0 81 32 0 2048\r",
                      "run blocktest write-fua nvme 0 82 32 4096 2048\r",
                      "run blocktest verify ahci 0 82 32 4096 2048\r",
                  ], [
                      ok("ahci", 0, 0, 2048, 32, r" written \(FUA\)"),
                      ok("nvme", 0, 0, 2048, 32, " verified"),
                      ok("nvme", 0, 4096, 2048, 32, r" written \(FUA\)"),
                      ok("ahci", 0, 4096, 2048, 32, " verified"),
                  ], disks=[("a.img", MIB64, None)],
            after=all_of(image_has_pattern("a.img", 81, 0, 2048),
                         image_has_pattern("a.img", 82, 4096, 2048))),
        # Two boots on one NVMe namespace: HMFS formatted, written, shut down (a reboot through
        # procsrv's sequence: hmfs commits, the driver sets CC.SHN), read back; the host's
        # fsck.hmfs on the image is clean.
        Case("nvme-hmfs-persist", initrd="test", exit_status=0, timeout=180, reboot=True,
             cmdline="qemu-exit init=bin/procsrv -- manifest=etc/tests/hmfs-nvme.manifest",
             qemu=nvme_disk("disk.img"), disks=[("disk.img", 64 << 20, None)],
             expect=[r"^hmfs: nvme 0 \(16384 blocks\) holds no HMFS: formatting it",
                     r"^fstest: persist-write: [1-9]\d* passed, 0 failed$",
                     r"^hmfs: shutdown: committed and unmounted",
                     r"^nvme: shutdown complete$",
                     r"^hmfs: mounted nvme 0 \(16384 blocks\): generation [1-9]",
                     r"^fstest: persist-read: [1-9]\d* passed, 0 failed$"],
             forbid=FORBID, after=fsck_clean("disk.img")),
        # make run DISK=nvme's machine: the boot manifest, make run's disk on an NVMe
        # controller; hmfs mounts it (no AHCI disk answers), a file written in the shell.
        Case("nvme-run-disk", exit_status=None, timeout=120,
             qemu=nvme_disk("disk.img", serial="missive-disk"),
             disks=[("disk.img", 0, run_disk)],
             typing=[(PROMPT, "echo on nvme > /nvme.txt\r"), (PROMPT, "cat /nvme.txt\r"),
                     (PROMPT, "echo run-disk-up\r")],
             expect=SHELL_UP + [r"hmfs: mounted nvme 0 \(16384 blocks\): generation [1-9]\d*, ",
                                r"^on nvme$", r"^run-disk-up$"],
             forbid=SHELL_TROUBLE + [r"hmfs: error"]),
    ]


def both_ok(runs):
    """A log check: blocktest's ok line for each (sectors, what) of runs on nvme disk 0 at depth
    32, in any order (two clients at once interleave their lines), in the log as it came or
    untangled (on two CPUs procsrv's line may land inside one of blocktest's)."""
    def check(log):
        untangled = untangle(log)
        for sectors, what in runs:
            line = f"blocktest: ok nvme disk 0: sectors {sectors} at depth 32 {what}"
            if line not in log and line not in untangled:
                return f"no ok line for sectors {sectors} {what}"
        return None
    return check


def all_fill(*fills):
    """A disk fill (Case.disks) doing each of fills in turn."""
    def fill(path):
        for f in fills:
            f(path)
    return fill


def fill_4k(seed, first, count):
    """fill_pattern for a disk of 4096-byte sectors: blocktest's pattern is per 8-byte word
    from sector 0, so sector n of 4096 bytes holds 512-byte sectors 8n..8n+7's words."""
    return fill_pattern(seed, first * 8, count * 8)


def image_has_4k(image, seed, first, count):
    return image_has_pattern(image, seed, first * 8, count * 8)
