#!/usr/bin/env bash
# mkinitramfs.sh PROGRAM OUT [MODULE.ko...]: makes the Linux benchmark's initramfs, a newc
# cpio archive (GNU cpio) holding PROGRAM as /init and the empty directories
# it mounts on (/dev, /proc, /sys, /mnt). The kernel's built-in initramfs supplies
# /dev/console. Kernel modules given go into /modules as NN-NAME.ko, numbered in the
# order given, which is the order the program loads them in (linuxdisk). Reproducible:
# sorted names, owner root, mtime 0.
set -euo pipefail
program=$1 out=$2
shift 2
stage="$out.root"
rm -rf "$stage"
mkdir -p "$stage/dev" "$stage/proc" "$stage/sys" "$stage/mnt"
n=10
for module in "$@"; do
    mkdir -p "$stage/modules"
    cp "$module" "$stage/modules/$n-$(basename "$module")"
    n=$((n + 1))
done
cp "$program" "$stage/init"
chmod 755 "$stage/init"
find "$stage" -exec touch -h -d @0 {} +
(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0 --reproducible) > "$out.tmp"
mv "$out.tmp" "$out"
rm -rf "$stage"
