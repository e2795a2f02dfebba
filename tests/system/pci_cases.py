"""The PCI system tests (docs/platform.md, "PCI"): lspci against QMP's query-pci on pc and
q35, with and without a bridge; the edu test driver's interrupts through MSI and through INTx;
a driver refused another function's configuration space and device."""
import json
import re

from common import PROMPT, SHELL_TROUBLE, SHELL_UP, Case

LSPCI_LINE = re.compile(r"^([0-9a-f]{2}):([0-9a-f]{2})\.(\d) ([0-9a-f]{4}):([0-9a-f]{4}) "
                        r"([0-9a-f]{2})\.([0-9a-f]{2})\.([0-9a-f]{2}) ", re.M)


def query_pci_functions(answer):
    """(bus, device, function, vendor, device id, class << 8 | subclass) of every function in
    query-pci's answer, bridges' buses included."""
    found = set()

    def walk(devices):
        for d in devices:
            found.add((d["bus"], d["slot"], d["function"], d["id"]["vendor"], d["id"]["device"],
                       d["class_info"]["class"]))
            walk(d.get("pci_bridge", {}).get("devices", []))

    for bus in answer:
        walk(bus["devices"])
    return found


def lspci_matches_qmp(want_edu):
    """A check: the functions lspci printed are exactly those query-pci reports."""
    def check(log):
        m = re.search(r"^QMP query-pci (.*)$", log, re.M)
        if not m:
            return "no query-pci answer in the log"
        qmp = query_pci_functions(json.loads(m.group(1)))
        listed = {(int(b, 16), int(d, 16), int(f), int(v, 16), int(i, 16), int(c, 16) << 8 | int(s, 16))
                  for b, d, f, v, i, c, s, _ in LSPCI_LINE.findall(log)}
        if listed != qmp:
            return (f"lspci and query-pci differ: only lspci {sorted(listed - qmp)}, "
                    f"only QMP {sorted(qmp - listed)}")
        if want_edu and not any(v == 0x1234 and i == 0x11e8 and b > 0 for b, _, _, v, i, _ in listed):
            return "no edu device behind the bridge"
        print(f"     lspci: {len(listed)} functions, as query-pci reports")
        return None
    return check


def lspci_case(name, machine, extra=()):
    return Case(name, exit_status=None, timeout=120, qemu=["-machine", machine, *extra],
                typing=[(PROMPT, "lspci\r"), (PROMPT, "echo lspci-done\r")],
                expect=SHELL_UP + [r"^pci: \d+ functions on \d+ buses, through ",
                                   r"^00:00\.0 8086:[0-9a-f]{4} 06\.00\.00 Host bridge: Intel Corporation "
                                   + ("440FX - 82441FX PMC \\[Natoma\\]$" if machine == "pc"
                                      else "82G33/G31/P35/P31 Express DRAM Controller$"),
                                   r"^lspci-done$"],
                forbid=SHELL_TROUBLE, qmp_queries=["query-pci"],
                check=lspci_matches_qmp(bool(extra)))


BRIDGE = ["-device", "pci-bridge,id=br1,chassis_nr=1", "-device", "edu,bus=br1,addr=0x3"]


def edu_case(name, machine, manifest, how, extra=("-device", "edu")):
    """edutest, started for the edu device by its manifest, counts its interrupts (how: "MSI"
    or "INTx") and is refused what is not its own."""
    return Case(name, initrd="test", exit_status=None, timeout=60,
                cmdline=f"qemu-exit init=bin/procsrv -- manifest=etc/tests/{manifest}.manifest",
                qemu=["-machine", machine, *extra],
                expect=[r"^procsrv: started edutest \(bin/edutest\) as process \d+",
                        r"^edutest: function [0-9a-f]{2}:[0-9a-f]{2}\.\d, BAR 0 at ",
                        rf"^edutest: 8 of 8 interrupts through {how} ",
                        r"^edutest: [1-9]\d* passed, 0 failed$"],
                forbid=[r"FAIL", r"KERNEL PANIC", r"killed$"])


def two_edu_case():
    """Two edu devices: the one manifest line starts a driver for each (edutest, edutest-2),
    each with its own function and MSI vector."""
    return Case("pci-edu-two", initrd="test", exit_status=None, timeout=60,
                cmdline="qemu-exit init=bin/procsrv -- manifest=etc/tests/edu.manifest",
                qemu=["-device", "edu", "-device", "edu"],
                expect=[r"^procsrv: started edutest \(bin/edutest\) as process \d+",
                        r"^procsrv: started edutest-2 \(bin/edutest\) as process \d+",
                        r"^edutest: 8 of 8 interrupts through MSI ",
                        r"^edutest-2: 8 of 8 interrupts through MSI ",
                        r"^edutest: [1-9]\d* passed, 0 failed$",
                        r"^edutest-2: [1-9]\d* passed, 0 failed$"],
                forbid=[r"FAIL", r"KERNEL PANIC", r"killed$"],
                check=lambda log: None if len(set(re.findall(
                    r"through MSI \(vector (\d+)\)", log))) == 2
                else "expected each driver's interrupts on a vector of its own")


def pci_cases():
    return [
        Case("pci-restart", initrd="test", exit_status=None, timeout=60,
             cmdline="qemu-exit init=bin/procsrv -- manifest=etc/tests/edu-restart.manifest",
             qemu=["-device", "edu"],
             expect=[r"^procsrv: restarting pci in 100 ms \(restart 1 of 1\)$",
                     r"^edutest: 8 of 8 interrupts through MSI ",
                     r"^edutest: [1-9]\d* passed, 0 failed$"],
             forbid=[r"FAIL", r"KERNEL PANIC", r"started edutest-2"],
             check=lambda log: None if len(re.findall(r"^pci: \d+ functions", log, re.M)) == 2
             else "expected the pci server to walk the buses twice"),
        two_edu_case(),
        edu_case("pci-edu-msi", "pc", "edu", "MSI"),
        edu_case("pci-edu-msi-q35", "q35", "edu", "MSI"),
        edu_case("pci-edu-msi-bridge", "pc", "edu", "MSI", BRIDGE),
        edu_case("pci-edu-intx", "pc", "edu-intx", "INTx"),
        edu_case("pci-edu-intx-q35", "q35", "edu-intx", "INTx"),
        edu_case("pci-edu-intx-bridge", "pc", "edu-intx", "INTx", BRIDGE),
        edu_case("pci-edu-intx-bridge-q35", "q35", "edu-intx", "INTx", BRIDGE),
        lspci_case("pci-lspci", "pc"),
        lspci_case("pci-lspci-q35", "q35"),
        lspci_case("pci-lspci-bridge", "pc", BRIDGE),
        lspci_case("pci-lspci-bridge-q35", "q35", BRIDGE),
    ]
