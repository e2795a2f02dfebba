#!/usr/bin/env bash
# pathtrace.sh [INIT ARGS...]: counts where the IPC fast path's instructions
# go (docs/ipc-performance.md). Builds a release kernel (DEBUG=0) in
# build/bench, boots it under QEMU's -icount shift=0 with the test initrd
# and init=INIT (default: bin/usertest -- ipc, a call/reply_recv loop),
# single-steps 1000 instructions from the 400th system call with gdb, and
# prints the instructions of four kernel entries (ENTRIES=N: N) by part of
# the path. SKIP and STEPS (environment) move and widen the window.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=build/bench
make -s BUILD=$build DEBUG=0 $build/kernel.elf $build/initrd-test.cpio
work=$(mktemp -d "${TMPDIR:-/tmp}/pathtrace.XXXXXX")
trap 'rm -rf "$work"' EXIT
init=("${@:-bin/usertest -- ipc}")
bash tools/mkiso.sh "$work/trace.iso" $build/kernel.elf $build/initrd-test.cpio \
    qemu-exit loglevel=error init=${init[*]}
port=$((20000 + RANDOM % 20000))
qemu-system-x86_64 -machine pc -accel tcg -cpu qemu64 -m 512M -smp 1 -no-reboot -display none \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 -icount shift=0 -serial "file:$work/serial.log" \
    -cdrom "$work/trace.iso" -gdb tcp::$port -S &
qemu=$!
OUT="$work/pcs.txt" PORT=$port timeout 300 gdb -batch -nx -x tools/bench/pathtrace-gdb.py \
    $build/kernel.elf > "$work/gdb.log" 2>&1 || { cat "$work/gdb.log"; kill $qemu 2>/dev/null; exit 1; }
wait $qemu 2>/dev/null || true
python3 tools/bench/pathtrace.py "$work/pcs.txt" $build/kernel.elf
