"""The system-test cases of the input driver, the terminal window and the demo client
(docs/input.md, docs/terminal.md): mouse and key events from QMP through kbd."""
from common import BOOTED, Case


def rel(x, y):
    """A QMP input-send-event command moving the PS/2 mouse by x, y (screen: y down)."""
    return {"execute": "input-send-event", "arguments": {"events": [
        {"type": "rel", "data": {"axis": "x", "value": x}},
        {"type": "rel", "data": {"axis": "y", "value": y}}]}}


def button(name, down):
    return {"execute": "input-send-event", "arguments": {"events": [
        {"type": "btn", "data": {"button": name, "down": down}}]}}


def key(keys):
    """A QMP send-key command pressing keys ("a", "shift-z") together."""
    return {"execute": "send-key", "arguments": {"keys": [
        {"type": "qcode", "data": k} for k in keys.split("-")]}}


def input_cases():
    return [
        # kbd with a compositor's endpoint turns the mouse on and sends every event there;
        # inputtest stands in for the compositor and prints them (tests/user/inputtest). QEMU
        # splits a motion beyond 127 counts into several packets: the sums must come out
        # exact. Then a click, a small move with the button up, and a key, which goes to the
        # compositor too (not to the console: nothing reads it there).
        Case("input-events", initrd="test", exit_status=None, timeout=90,
             cmdline="init=bin/procsrv -- manifest=etc/tests/input.manifest",
             qmp=[(r"^kbd: PS/2 mouse on, events to the compositor$", [rel(300, -200)]),
                  (r"-> 300,-200$", [button("left", True)]),
                  (r"^inputtest: mouse dx 0 dy 0 buttons 1 -> 300,-200$",
                   [button("left", False), rel(-7, 5)]),
                  (r"buttons 0 -> 293,-195$", [key("a"), key("shift-z")])],
             expect=BOOTED + [
                 r"^inputtest: ready$", r"^kbd: PS/2 mouse on, events to the compositor$",
                 r"^inputtest: mouse dx 0 dy 0 buttons 1 -> 300,-200$",
                 r"^inputtest: mouse dx -7 dy 5 buttons 0 -> 293,-195$",
                 r"^inputtest: key 1 pressed ascii 97 mods 0$",
                 r"^inputtest: key 1 released ascii 0 mods 0$",
                 r"^inputtest: key 26 pressed ascii 90 mods 1$"],
             forbid=[r"KERNEL PANIC", r"FAIL", r"^warning:", r"overflow", r"no mouse",
                     r"^fault:"]),
    ]
