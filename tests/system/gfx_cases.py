"""The system-test cases of the compositor (docs/graphics.md): the known scene compared pixel
for pixel with the host's reference on BIOS and UEFI, the isolation and fault checks, the blend
versions against each other in the guest with AVX2."""
import os

import common
from common import BOOTED, OVMF_CODE, Case
import gfx_reference

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


def gfx_cases():
    return [
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
