#!/bin/bash
# Changing a server means rebuilding the initrd only. This rebuilds user
# space (memsrv among it) as a different variant, rebuilds the initrd, and
# checks that the kernel binary is byte-identical (same SHA-256, and make
# sees nothing to do for it), that the initrd did change, and that the same
# kernel boots the new initrd and runs the changed memsrv. Then it rebuilds
# the normal user space again.
#   tests/system/rebuild_check.sh BUILD
set -euo pipefail
BUILD=${1:-build}
REPO=$(cd "$(dirname "$0")/../.." && pwd)
cd "$REPO"
fail() { echo "rebuild-check: FAIL: $*"; exit 1; }
sum() { sha256sum "$1" | cut -d' ' -f1; }

kernel_before=$(sum "$BUILD/kernel.elf")
initrd_before=$(sum "$BUILD/initrd.cpio")
variant="rebuild-check-$$"
make -s --no-print-directory BUILD="$BUILD" USER_VARIANT="$variant" "$BUILD/initrd.cpio" >/dev/null
trap 'make -s --no-print-directory BUILD="$BUILD" "$BUILD/initrd.cpio" >/dev/null' EXIT
make -q --no-print-directory BUILD="$BUILD" USER_VARIANT="$variant" "$BUILD/kernel.elf" ||
    fail "make wants to rebuild the kernel after a server changed"
kernel_after=$(sum "$BUILD/kernel.elf")
initrd_after=$(sum "$BUILD/initrd.cpio")
[ "$kernel_before" = "$kernel_after" ] || fail "the kernel changed: $kernel_before -> $kernel_after"
[ "$initrd_before" != "$initrd_after" ] || fail "the initrd did not change"

work=$(mktemp -d)
trap 'rm -rf "$work"; make -s --no-print-directory BUILD="$BUILD" "$BUILD/initrd.cpio" >/dev/null' EXIT
bash tools/mkiso.sh "$work/variant.iso" "$BUILD/kernel.elf" "$BUILD/initrd.cpio" loglevel=info \
    >/dev/null 2>&1
timeout 60 qemu-system-x86_64 -machine pc -accel tcg -cpu qemu64 -m 256M -display none \
    -no-reboot -serial "file:$work/serial.log" -cdrom "$work/variant.iso" 2>/dev/null &
qemu=$!
for _ in $(seq 1 120); do
    grep -q "^memsrv: built as variant '$variant'" "$work/serial.log" 2>/dev/null && break
    sleep 0.5
done
kill $qemu 2>/dev/null || true
wait $qemu 2>/dev/null || true
grep -q "^memsrv: built as variant '$variant'" "$work/serial.log" ||
    fail "the rebuilt memsrv did not run (serial log: $(tail -3 "$work/serial.log"))"
echo "rebuild-check: kernel unchanged (sha256 ${kernel_after:0:16}...), initrd rebuilt" \
    "(${initrd_before:0:16}... -> ${initrd_after:0:16}...), the new memsrv ran: ok"
