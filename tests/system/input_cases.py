"""The system-test cases of the input driver, the terminal window and the demo client
(docs/input.md, docs/terminal.md): mouse and key events from QMP through kbd, and the
terminal window and the clock on screendumps, read back by the host (terminal_reference)."""
import os
from dataclasses import replace

import common
from common import BOOTED, OVMF_CODE, Case
import terminal_reference as ref


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


def sleep(seconds):
    """A pause between two QMP commands of a step (the harness's own, not QMP)."""
    return {"sleep": seconds}


def screendump(name):
    return {"execute": "screendump", "arguments": {"filename": f"{{dir}}/{name}.ppm"}}


def typed(text):
    """send-key commands typing text (lower-case letters, digits, space, '-', Enter), at a
    typist's pace: QEMU's PS/2 keyboard queues 16 bytes and drops what comes beyond, so keys
    sent faster than a busy guest (two vCPUs under TCG on a loaded host) drains them could be
    lost before any of Missive's code sees them."""
    names = {" ": "spc", "-": "minus", "\r": "ret"}
    steps = []
    for c in text:
        steps += [key(names.get(c, c)), sleep(0.1)]
    return steps


def dump(name):
    return os.path.join(common.OUTDIR, f"{name}.ppm")


def check_terminal_window(log):
    """term-1: the terminal shows the shell's greeting under the clock, which is blended over
    it and moves (term-1b differs there); term-2: after a click on the terminal's title (it is
    raised and focused), the keys typed reached the shell through it, and a drag of the title
    moved it by (60, 40): every row read back exactly there; term-3a/3: the scrollback."""
    build = os.path.dirname(common.OUTDIR)
    err = ref.check_terminal(build, dump("term-1"), ["Missive shell; type help"])
    if err:
        return "term-1: " + err
    err, counts = ref.check_clock(dump("term-1"))
    if err:
        return "term-1: " + err
    _, _, a = ref.read_ppm(dump("term-1"))
    _, _, b = ref.read_ppm(dump("term-1b"))
    region = [(x, y) for y in range(ref.CLOCK_Y, ref.CLOCK_Y + ref.CLOCK_H)
              for x in range(ref.CLOCK_X, ref.CLOCK_X + ref.CLOCK_W)]
    changed = sum(1 for x, y in region if a[y][x] != b[y][x])
    if changed == 0:
        return "the clock did not change between two screendumps 1.2 s apart"
    print(f"     clock: {counts[0]} panel pixels over the terminal exactly the panel's colour, "
          f"{counts[1]} digit pixels; {changed} pixels changed in 1.2 s")
    err = ref.check_terminal(build, dump("term-2"),
                             ["missive> echo typed-in-window", "typed-in-window", "missive>"],
                             x0=ref.TERM_X + 60, y0=ref.TERM_Y + 40)
    if err:
        return "term-2: " + err
    # The pointer: clamped to (0, 0), moved by (400, 38) and dragged by (60, 40), its tip (the
    # top-left pixel of the compositor's arrow, outlined in black) is at (460, 78) and nothing
    # of it is left of or above the tip.
    _, _, c = ref.read_ppm(dump("term-2"))
    tip = (460, 78)
    if c[tip[1]][tip[0]] != (0, 0, 0) or (0, 0, 0) in (c[tip[1]][tip[0] - 1],
                                                      c[tip[1] - 1][tip[0]]):
        return f"term-2: the pointer's tip is not at {tip}"
    # The scrollback (the pointer moved out of the way, to the screen's corner): help's lines
    # scrolled the greeting off the screen (term-3a); Shift-PageUp, three times (half a screen
    # each; help is longer than a screen), brings it back into view, and the cursor is not
    # drawn while the view is back.
    moved = (ref.TERM_X + 60, ref.TERM_Y + 40)
    greeting = "Missive shell; type help"
    before, _ = ref.read_terminal(build, dump("term-3a"), *moved)
    if greeting in before or "  exit                         leave the shell" not in before:
        return f"term-3a: expected help's lines and the greeting scrolled off: {before}"
    after, cursor = ref.read_terminal(build, dump("term-3"), *moved)
    if greeting not in after or cursor is not None:
        return f"term-3: Shift-PageUp did not show the greeting without the cursor: {after}"
    print(f"     scrollback: the greeting back at row {after.index(greeting)} after Shift-PageUp")
    return None


def input_cases():
    listed = [
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
        # The graphics boot (etc/gui.manifest): the shell in the terminal window, the clock
        # over it. The pointer is sent to the corner (the compositor clamps it there), then to
        # the terminal's title bar (x 400, y 38: the surface is at y 48 under a 20-pixel
        # title); a click raises and focuses the terminal, keys typed reach the shell, a drag
        # moves the window, Shift-PageUp scrolls its view back.
        Case("terminal-window", graphics=True, exit_status=None, timeout=120,
             cmdline="-- manifest=etc/gui.manifest",
             qmp=[(r"clock: window at 664,440$",
                   [sleep(1.5), screendump("term-1"), sleep(1.2), screendump("term-1b"),
                    rel(-500, -500), rel(-500, -500), sleep(0.3), rel(400, 38), sleep(0.3),
                    button("left", True), button("left", False), sleep(0.3),
                    *typed("\recho typed-in-window\r")]),
                  (r"^typed-in-window$",
                   [sleep(0.5), button("left", True), rel(60, 40), sleep(0.3),
                    button("left", False), sleep(1.0), screendump("term-2"),
                    rel(700, 700), *typed("help\r")]),
                  (r"^quote words with spaces",
                   [sleep(1.0), screendump("term-3a"), key("shift-pgup"), sleep(0.3),
                    key("shift-pgup"), sleep(0.3), key("shift-pgup"), sleep(1.0),
                    screendump("term-3")])],
             expect=[r"^console: terminal window on \(waiting for the compositor\)$",
                     r"compositor: 1024x768 framebuffer", r"clock: window at 664,440$",
                     r"^missive> echo typed-in-window$", r"^typed-in-window$"],
             forbid=[r"KERNEL PANIC", r"FAIL", r"^warning:", r"^error:", r"^fault:",
                     r"no terminal window", r"no mouse"],
             check=check_terminal_window),
    ]
    # The same under UEFI (q35, OVMF's GOP framebuffer).
    terminal = [c for c in listed if c.name == "terminal-window"][0]
    return listed + [replace(terminal, name="terminal-window-uefi", timeout=180, qemu=[
        "-machine", "q35", "-drive", f"if=pflash,format=raw,readonly=on,file={OVMF_CODE}"])]
