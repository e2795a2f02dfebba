"""The system-test cases of the compositor (docs/graphics.md): the known scene compared pixel
for pixel with the host's reference on BIOS and UEFI, the isolation and fault checks, the blend
versions against each other in the guest with AVX2."""
import os

import common
from common import BOOTED, OVMF_CODE, Case
import gfx_reference
from input_cases import button, key, rel

GFX_TROUBLE = [r"KERNEL PANIC", r"FAIL", r"^warning:", r"^error:", r"^fault:",
               r"cannot start"]


def screendump(name):
    return {"execute": "screendump", "arguments": {"filename": f"{{dir}}/{name}.ppm"}}


def check_scene(name):
    def check(log):
        return gfx_reference.compare(os.path.join(common.OUTDIR, f"{name}.ppm"),
                                     gfx_reference.gfxtest_scene(1024, 768))
    return check


def scene_case(name, qemu=()):
    return Case(name, initrd="test", graphics=True, exit_status=None, timeout=120,
                cmdline="init=bin/procsrv -- manifest=etc/tests/gfx-scene.manifest",
                qemu=list(qemu),
                qmp=[(r"^gfxtest: scene ready$", [screendump(name)])],
                expect=BOOTED + [r"^compositor: 1024x768 framebuffer, blending with (SSE2|AVX2)$",
                                 r"^gfxtest: scene ready$"],
                forbid=GFX_TROUBLE, check=check_scene(name))


def check_dragged(log):
    return gfx_reference.compare(os.path.join(common.OUTDIR, "gfx-input.ppm"),
                                 gfx_reference.gfxtest_input_dragged(1024, 768))


def input_case():
    """Two windows of gfxtest input: a (1) at 100,100 and b (2) over it at 200,160, b focused.
    The pointer starts at the screen's centre (512, 384)."""
    line = r"^gfxtest: {} window {} at {},{} code {} flags {} text {}$"
    clicked = line.format("button", 1, 50, 30, 1, 0, 0)
    typed_b = line.format("key", 1, 0, 0, 2, 0, 0)
    return Case(
        "gfx-input", initrd="test", graphics=True, exit_status=None, timeout=120,
        cmdline="init=bin/procsrv -- manifest=etc/tests/gfx-input.manifest",
        qmp=[(r"^gfxtest: input ready$",  # a click on a's uncovered part, at (150, 130)
              [rel(-362, -254), button("left", True), button("left", False)]),
             (clicked, [key("a")]),  # keys go to the focused window: a
             # a's title bar at (150, 90): drag it by (100, 50), then a key to know it is done
             (line.format("key", 1, 0, 0, 1, 0, 0),
              [rel(0, -40), button("left", True), rel(100, 50), button("left", False),
               key("b")]),
             # the picture, then the compositor's key: b comes up
             (typed_b, [screendump("gfx-input"), key("alt-tab")]),
             (line.format("focus", 2, 0, 0, 1, 0, 0), [key("c")]),
             # b's close button (b at 200,160: the button at 383-396, 143-156) from (250, 140)
             (line.format("key", 2, 0, 0, 3, 0, 0),
              [rel(140, 10), button("left", True), button("left", False)])],
        expect=BOOTED + [
            r"^kbd: PS/2 mouse on, events to the compositor$",
            line.format("focus", 1, 0, 0, 1, 0, 0), line.format("focus", 2, 0, 0, 0, 0, 0),
            line.format("button", 1, 50, 30, 1, 1, 0), clicked,
            line.format("key", 1, 0, 0, 1, 1, 97), line.format("key", 1, 0, 0, 1, 0, 0),
            line.format("key", 1, 0, 0, 2, 1, 98),
            line.format("focus", 2, 0, 0, 1, 0, 0), line.format("focus", 1, 0, 0, 0, 0, 0),
            line.format("key", 2, 0, 0, 3, 1, 99), line.format("close", 2, 0, 0, 0, 0, 0)],
        forbid=GFX_TROUBLE + [r"^gfxtest: key window 2 .* text 9[78]$",
                              # a click on the focused window's title does not move the focus
                              r"^gfxtest: focus window 1 at 0,0 code 1 .*\n"
                              r"gfxtest: key window 1 at 0,0 code 1 flags 0 text 0\n"
                              r"gfxtest: focus",
                              r"^gfxtest: key window 1 .* text 99$",
                              r"^gfxtest: key .* code 52 "],  # Tab never reaches a client
        check=check_dragged)


def gfx_cases():
    return [
        # The mouse moves the pointer, a click raises and focuses, keys reach the focused
        # window only, dragging a title moves the window, Alt-Tab is the compositor's, the
        # close button tells the client.
        input_case(),
        # gfxtest draws three windows (opaque, translucent, a hole, a gradient of alpha,
        # a block changed but not damaged); the screendump must equal the host's picture.
        scene_case("gfx-scene"),
        scene_case("gfx-scene-uefi", qemu=["-machine", "q35", "-drive",
                                           f"if=pflash,format=raw,readonly=on,file={OVMF_CODE}"]),
        # Absurd surfaces, capabilities that are not frames or too small, a window far off
        # screen, one never committed, a flood of damage, a client that crashes, the
        # compositor killed: all refused or contained (tests/user/gfxtest faults).
        Case("gfx-faults", initrd="test", graphics=True, exit_status=None, timeout=120,
             cmdline="init=bin/procsrv -- manifest=etc/tests/gfx-faults.manifest",
             expect=BOOTED + [r"^gfxtest: crasher shown; crashing$",
                              r"^procsrv: process \d+ \(gfxtest\) thread main: page fault",
                              r"^gfxtest: faults: [1-9]\d+ passed, 0 failed$"],
             forbid=[r"KERNEL PANIC", r"FAIL", r"^warning:", r"^error:"]),
        # The SIMD blends equal the scalar one in the guest, with AVX2 (-cpu max; the kernel
        # saves the YMM state by xsave).
        Case("gfx-blend", initrd="test", exit_status=None, timeout=90, qemu=["-cpu", "max"],
             cmdline="init=bin/procsrv -- manifest=etc/tests/gfx-blend.manifest",
             expect=BOOTED + [r"^gfxtest: blend: AVX2 used$",
                              r"^gfxtest: blend: [1-9]\d+ passed, 0 failed$"],
             forbid=GFX_TROUBLE),
    ]
