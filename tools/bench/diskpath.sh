#!/usr/bin/env bash
# diskpath.sh [MANIFEST [SERVERS [SKIP [STEPS]]]]: counts where the instructions of Missive's
# disk path go (docs/disk-performance.md). Builds the release kernel and initrd in build/bench,
# boots etc/MANIFEST.manifest (default diskbench-check: the rows at the check size on the AHCI
# disk, then a ramdisk) in the benchmark's QEMU configuration under -icount shift=0 with a
# 512 MiB disk image, single-steps STEPS instructions (default 30000) with gdb from the SKIP-th
# call of diskbench's FUNCTION (default db_queue, SKIP 140: the check size's 128 sequential
# requests, then into the 4 KiB random reads at queue depth 1 on the AHCI disk), and prints the
# instructions per request by program and function (tools/bench/diskpath.py). SERVERS (default
# ahci) names the other programs the path runs through, comma-separated (ahci,hmfs for the
# file rows: MANIFEST fsbench-check, FUNCTION=read; MANIFEST fsbench with MKFS=1 for the full
# size, SKIP 300 for a read of the big file from the disk; CPU=Nehalem as bench-fs runs).
# With one server (the disk rows) any third program runs unstepped to the next interrupt
# (diskpath-gdb.py): MANIFEST diskbench, SKIP 12000 steps through the full-size rows' 4 KiB
# reads at queue depth 1 (docs/disk-performance.md, "The path instruction by instruction").
set -euo pipefail
cd "$(dirname "$0")/../.."
manifest=${1:-diskbench-check} servers=${2:-ahci}
function=${FUNCTION:-db_queue}
build=build/bench
# picolibc as make bench-disk and bench-fs build it (build/picolibc), not a second copy.
make -s BUILD=$build DEBUG=0 PICOLIBC=build/picolibc/install $build/kernel.elf $build/initrd.cpio
work=$(mktemp -d "${TMPDIR:-/tmp}/diskpath.XXXXXX")
[ -n "${KEEP:-}" ] || trap 'rm -rf "$work"' EXIT
bash tools/mkiso.sh "$work/trace.iso" $build/kernel.elf $build/initrd.cpio \
    loglevel=warn init=bin/procsrv -- manifest=etc/$manifest.manifest >/dev/null
truncate -s 512M "$work/disk.img"
# MKFS=1: the disk made by the host's mkfs.hmfs (for manifests whose hmfs does not format, as
# fsbench's at the full size: MANIFEST fsbench, SERVERS ahci,hmfs, FUNCTION=read).
[ -z "${MKFS:-}" ] || { make -s build/tools/mkfs.hmfs && rm -f "$work/disk.img" &&
    build/tools/mkfs.hmfs "$work/disk.img" 512M >/dev/null; }
address=$(nm $build/bin/diskbench | awk -v f="$function" '$3 == f {print $1}')
[ -n "$address" ] || { echo "diskpath: diskbench has no function $function" >&2; exit 1; }
# The first 8 bytes of the code at address $2 of program $1 (the breakpoints' condition: every
# program is linked at the same address).
code_at() {
    python3 - "$1" "$2" <<'PY'
import subprocess, sys
elf, address = sys.argv[1], int(sys.argv[2], 16)
out = subprocess.run(["objdump", "-s", "--start-address=%#x" % address,
                      "--stop-address=%#x" % (address + 8), elf], capture_output=True,
                     text=True, check=True).stdout.splitlines()[-1].split()
print("%#x" % int.from_bytes(bytes.fromhex(out[1] + out[2]), "little"))
PY
}
code=$(code_at $build/bin/diskbench $address)
# One server: its SERVER_FUNCTION (default block_server_complete) tells its address space, the
# other one the path runs in; any third is run freely (diskpath-gdb.py). Several (the file
# rows): every program is stepped, as before.
server_address= server_code=
[ "$servers" != "${servers%%,*}" ] || server_address=$(nm $build/bin/$servers |
    awk -v f="${SERVER_FUNCTION:-block_server_complete}" '$3 == f {print $1}')
[ -z "$server_address" ] || server_code=$(code_at $build/bin/$servers $server_address)
spinner=($(nm -S $build/bin/diskbench | awk '$4 == "db_spinner" {print $1, $2}'))
spin_start=${spinner[0]}
spin_end=$(printf '%x' $((0x${spinner[0]} + 0x${spinner[1]})))
trap_entry=$(nm $build/kernel.elf | awk '$3 == "trap_common" {print $1}')
port=$((20000 + RANDOM % 20000))
qemu-system-x86_64 -machine q35 -accel tcg -cpu ${CPU:-qemu64} -m 512M -smp 1 -no-reboot -display none \
    -monitor none -icount shift=0 -serial "file:$work/serial.log" \
    -drive if=none,id=benchdisk,file="$work/disk.img",format=raw,cache=writeback,aio=threads \
    -device ide-hd,drive=benchdisk,bus=ide.0 -cdrom "$work/trace.iso" -gdb tcp::$port -S &
qemu=$!
OUT="$work/trace.txt" PORT=$port ADDRESS=$address CODE=$code SPIN_START=$spin_start \
    SPIN_END=$spin_end SERVER_ADDRESS=$server_address SERVER_CODE=$server_code TRAP=$trap_entry SKIP=${3:-140} STEPS=${4:-30000} \
    timeout 900 gdb -batch -nx -x tools/bench/diskpath-gdb.py > "$work/gdb.log" 2>&1 ||
    { cat "$work/gdb.log"; kill $qemu 2>/dev/null; exit 1; }
wait $qemu 2>/dev/null || true
python3 tools/bench/diskpath.py "$work/trace.txt" $build/kernel.elf $build/bin/diskbench \
    $(echo "$servers" | sed "s|[^,]*|$build/bin/&|g")
