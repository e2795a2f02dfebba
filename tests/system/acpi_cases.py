"""The platform's system-test cases (docs/platform.md): the acpi server on pc and q35, power
off from the shell and from QEMU's power button (QMP system_powerdown), reboot, hostile SSDTs
added with -acpitable, and a machine without ACPI."""
import re
from dataclasses import replace

from common import OVMF_CODE, PROMPT, SHELL_TROUBLE, SHELL_UP, Case, shell_case

Q35 = ["-machine", "q35"]
POWERED_OFF = 0  # QEMU's own exit status after an ACPI power off (isa-debug-exit gives odd ones)
# The acpi server's start-up lines. The link devices' _STA read the PIRQ routing registers of
# the ISA bridge (pc: 00:01.0) or LPC bridge (q35: 00:1f.0) through PCI_Config, which the acpi
# server serves only while it answers a route (docs/platform.md): they are counted apart.
LINKS = {"pc": 4, "q35": 8}


def acpi_up(machine):
    return [r"^acpi: \d+ tables through the (RSDT|XSDT) \(0 skipped\); FADT revision \d+, "
            r"PM1a_CNT 0x604, SCI 9$",
            r"^acpi: ACPI mode on; power button on SCI \(GSI 9\)$",
            rf"^acpi: namespace: \d+ devices \({LINKS[machine]} whose _STA needs PCI "
            r"configuration space\), 0 AML errors, \d+ KiB; \\_S5 found$"]


# Any AML error, any port or memory the AML touched that was not granted.
ACPI_TROUBLE = SHELL_TROUBLE + [r"^acpi: AML error", r"^acpi: warning", r"is not granted",
                                r"refused: not firmware memory",
                                r"refused: the acpi server maps no memory",
                                r"refused: outside what mechanism #1 reaches"]


def devices_at_least(count, *required):
    """A check: the namespace has at least count devices, and `acpi` listed each of the
    (path regex, HID) pairs in required."""
    def check(log):
        m = re.search(r"^acpi: namespace: (\d+) devices", log, re.M)
        if not m or int(m.group(1)) < count:
            return f"expected at least {count} devices in the namespace"
        for path, hid in required:
            if not re.search(rf"^{path} +{hid} ", log, re.M):
                return f"`acpi` did not list {path} with _HID {hid}"
        return None
    return check


def power_off_case(name, machine, lines=(), qmp=(), expect=()):
    """Boots to the shell; a shutdown (typed, or the power button through QMP) must end QEMU
    on its own, with its normal exit status, through the acpi server's S5."""
    return Case(name, qemu=list(machine), exit_status=POWERED_OFF, timeout=90,
                typing=[(PROMPT, line) for line in lines],
                qmp_commands=[{"execute": c} for c in qmp], after_line=PROMPT,
                # The last two lines come while the shell prints its next prompt, byte by
                # byte: they may start in the middle of its line.
                expect=SHELL_UP + acpi_up("q35" if machine else "pc") + list(expect) + [
                    r"procsrv: asking the acpi server to power off$",
                    r"acpi: entering S5 \(SLP_TYPa 0, SLP_TYPb 0\)$"],
                forbid=ACPI_TROUBLE + [r"could not power off", r"still running"])


def acpi_cases():
    return [
        shell_case("acpi-pc", ["acpi\r", "acpi route 0 3 0\r", "echo done\r"], acpi_up("pc") + [
            r"^FACP +116 +1  BOCHS   0x[0-9a-f]+$", r"^DSDT +\d+ +1  BOCHS   0x[0-9a-f]+$",
            r"^APIC ", r"^\d+ tables kept, 0 skipped; \d+ devices, 0 AML errors; "
                       r"power off possible$", r"^\\_SB_\.LNKA +PNP0C0F +- +- +error$",
            # pc's device 3 (the NIC) INTA: LNKD, whose _CRS reads the PIIX's PIRQD register
            # (SeaBIOS routes it to IRQ 11), level-triggered, active high.
            r"^acpi: 00:03 INTA -> GSI 11, level, active high \(through a link device\)$",
            r"^done$"],
            check=devices_at_least(10, (r"\\_SB_\.PCI0", "PNP0A03"), (r"\\_SB_\.LNKA", "PNP0C0F"),
                                   (r"\\_SB_\.LNKD", "PNP0C0F")),
            forbid=ACPI_TROUBLE),
        shell_case("acpi-q35", ["acpi\r", "acpi route 0 2 0\r", "acpi route 0 2 3\r",
                                "echo done\r"], acpi_up("q35") + [
            r"^FACP +244 +\d+  BOCHS   0x[0-9a-f]+$", r"^MCFG ", r"^done$",
            # q35's _PRT in APIC mode (after \_PIC(1)): device 2 INTA on GSIG (22), INTD on
            # GSIF (21), each a link whose _CRS gives the GSI, level-triggered, active high.
            r"^acpi: 00:02 INTA -> GSI 22, level, active high \(through a link device\)$",
            r"^acpi: 00:02 INTD -> GSI 21, level, active high \(through a link device\)$"],
            check=devices_at_least(10, (r"\\_SB_\.PCI0", "PNP0A08")),
            qemu=Q35, forbid=ACPI_TROUBLE),
        power_off_case("power-shutdown", [], ["shutdown\r"],
                       expect=[r"^shutdown: asking procsrv to power off$",
                               r"^procsrv: shutting down \(asked by process\): telling 0 "
                               r"servers, waiting up to 2000 ms$"]),
        power_off_case("power-shutdown-q35", Q35, ["shutdown\r"]),
        # Under UEFI (OVMF) the tables are in ACPI reclaimable memory, through the XSDT.
        power_off_case("power-shutdown-uefi",
                       Q35 + ["-drive", f"if=pflash,format=raw,readonly=on,file={OVMF_CODE}"],
                       ["shutdown\r"], expect=[r"^acpi: \d+ tables through the XSDT "]),
        power_off_case("power-button", [], qmp=["system_powerdown"],
                       expect=[r"^acpi: power button pressed; telling procsrv$",
                               r"^procsrv: shutting down \(the power button\)"]),
        power_off_case("power-button-q35", Q35, qmp=["system_powerdown"],
                       expect=[r"^acpi: power button pressed; telling procsrv$"]),
        # The graphics boot (etc/gui.manifest) has the acpi server too: the power button ends
        # QEMU from the desktop.
        replace(power_off_case("power-button-gui", [], qmp=["system_powerdown"],
                               expect=[r"^acpi: power button pressed; telling procsrv$"]),
                graphics=True, cmdline="-- manifest=etc/gui.manifest",
                after_line=r"clock: window at \d+,\d+$"),
        # Two servers asked to hear of a shutdown: procsrv tells both, waits for the one that
        # answers and at most 2 s for the one that does not, then powers off.
        replace(power_off_case("power-listeners", [], ["shutdown\r"], expect=[
            r"^proctest: shutdown-listener: registered \(ready\)$",
            r"^proctest: shutdown-listener: registered \(silent\)$",
            r"^procsrv: shutting down \(asked by process\): telling 2 servers, waiting up to "
            r"2000 ms$",
            r"^proctest: shutdown-listener: ready$",
            r"procsrv: 1 server not ready after 2000 ms; going on$"]),
            initrd="test", cmdline="init=bin/procsrv -- manifest=etc/tests/shutdown.manifest",
            check=lambda log: None if len(re.findall(
                r"^proctest: shutdown-listener: told of the shutdown", log, re.M)) == 2
            else "expected both listeners to be told"),
        # reboot: the prompt comes a second time after the reset.
        Case("power-reboot", reboot=True, exit_status=None, timeout=120,
             typing=[(PROMPT, "reboot\r")],
             expect=SHELL_UP + [r"^reboot: asking procsrv to reset the machine$",
                                r"acpi: reset through port 0xcf9$",
                                r"acpi: reset through(?s:.*)^Missive shell; type help$"],
             forbid=ACPI_TROUBLE + [r"did not reset"]),
        Case("power-reboot-q35", reboot=True, exit_status=None, timeout=120, qemu=Q35,
             typing=[(PROMPT, "reboot\r")],
             expect=SHELL_UP + [r"acpi: reset through the FADT's reset register "
                                r"\(0xcf9 <- 0x[0-9a-f]+\)$",
                                r"acpi: reset through(?s:.*)^Missive shell; type help$"],
             forbid=ACPI_TROUBLE + [r"did not reset"]),
        # Hostile SSDTs: each is reported by name and the system still boots to the shell.
        shell_case("acpi-bad-ssdt", ["acpi\r", "echo done\r"], [
            r"^acpi: AML error in SSDT #0: .*(loop|limit|iteration|operation)",
            r"^acpi: warning: table SSDT #0 \(OEM table id LOOP    \) not fully loaded",
            r"^acpi: AML error in SSDT #1: ",
            r"^acpi: warning: table SSDT #1 \(OEM table id PASTEND \) not fully loaded",
            r"^acpi: AML error in SSDT #2: .*opcode",
            r"^acpi: warning: table SSDT #2 \(OEM table id GARBAGE \) not fully loaded",
            r"^acpi: namespace: \d+ devices \(4 whose _STA needs PCI configuration space\), 3 AML "
            r"errors, \d+ KiB; \\_S5 found$",
            r"^done$"], acpi_tables=["loop", "past-end", "garbage"], timeout=150),
        # No ACPI at all: the system boots; shutdown says it cannot.
        shell_case("acpi-none", ["acpi\r", "shutdown\r", "echo done\r"], [
            r"^acpi: the boot loader found no ACPI RSDP \(booted with -no-acpi\?\): no tables, "
            r"no power off$",
            r"^acpi: no ACPI tables \(booted without ACPI\?\)$",
            r"^shutdown: cannot power off: no ACPI", r"^done$",
            r"^warning: ACPI: the boot loader passed no RSDP$"], qemu=["-no-acpi"],
            forbid=[p for p in SHELL_TROUBLE if p != r"^warning:"]),
    ]
