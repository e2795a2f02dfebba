#!/usr/bin/env bash
# usb.sh ISO DEV: writes Missive's ISO (a hybrid image: it boots from a USB
# stick as from a CD) to the whole disk DEV, after refusing anything that
# could be a mistake: a path that is not a whole-disk block device, a disk
# with a mounted partition or swap, and the disk the running system lives on.
# It asks for the word "yes" unless YES=1.
#
# USB_CHECK_ONLY=1 runs the checks and stops before writing (the tests use it,
# docs/platform.md). Exit status 0: written (or, checking only, it would be);
# 1: refused; 2: usage.
set -euo pipefail

usage() {
    echo "usage: make usb DEV=/dev/sdX   (the whole disk, not a partition)" >&2
    exit 2
}
refuse() {
    echo "usb: refusing $dev: $*" >&2
    exit 1
}

[ $# -eq 2 ] || usage
iso=$1 dev=$2
[ -n "$dev" ] || usage
[ -f "$iso" ] || { echo "usb: no image at $iso (make builds it)" >&2; exit 2; }

[ -e "$dev" ] || refuse "no such device"
[ -b "$dev" ] || refuse "not a block device"
real=$(readlink -f "$dev")
name=$(basename "$real")
sys=/sys/class/block/$name
[ -d "$sys" ] || refuse "the kernel does not list it in /sys/class/block"
# A partition has a "partition" attribute; writing an ISO into one leaves the
# stick unbootable, so the whole disk is asked for.
[ -e "$sys/partition" ] && refuse "it is a partition; name the whole disk"
case "$name" in
loop* | ram* | zram* | dm-* | md* | sr*) refuse "not a removable disk ($name)" ;;
esac

# Every block device that is this disk or one of its partitions.
members() {
    echo "/dev/$name"
    for p in "$sys"/"$name"*; do
        [ -e "$p/partition" ] && echo "/dev/$(basename "$p")"
    done
    return 0
}

# Mounted anywhere (mounts, swap), or holding the running system's root (also
# through a device mapper or RAID holder: /sys/.../holders).
root_source=$(findmnt -n -o SOURCE / 2>/dev/null || true)
root_disk=""
if [ -n "$root_source" ] && [ -b "$root_source" ]; then
    root_disk=$(lsblk -n -s -o NAME,TYPE "$root_source" 2>/dev/null | awk '$2 == "disk" {print $1}' |
        sed 's/^[^[:alnum:]]*//' | head -n 1)
fi
[ "$root_disk" = "$name" ] && refuse "the running system's root file system is on it"
while read -r member; do
    if grep -q "^$member " /proc/mounts; then
        refuse "$member is mounted (unmount it first)"
    fi
    if grep -q "^$member " /proc/swaps 2>/dev/null; then
        refuse "$member is used as swap"
    fi
    part=$(basename "$member")
    for holder in /sys/class/block/"$part"/holders/*; do
        [ -e "$holder" ] && refuse "$member is held by $(basename "$holder") (LVM, RAID or dm-crypt)"
    done
done < <(members)

size=$(($(cat "$sys/size") * 512))
iso_size=$(stat -c %s "$iso")
[ "$size" -ge "$iso_size" ] || refuse "it holds $size bytes, the image needs $iso_size"
removable=$(cat "$sys/removable" 2>/dev/null || echo 0)
model=$(cat "$sys/device/model" 2>/dev/null | tr -s ' ' || true)

echo "usb: $dev: ${model:-unknown model}, $((size / 1000000)) MB, removable=$removable"
if [ "${USB_CHECK_ONLY:-0}" = 1 ]; then
    echo "usb: checks passed; not writing (USB_CHECK_ONLY=1)"
    exit 0
fi
if [ "${YES:-0}" != 1 ]; then
    [ "$removable" = 1 ] || echo "usb: warning: the kernel does not mark $dev removable"
    read -r -p "usb: everything on $dev will be lost. Type yes to write $iso: " answer
    [ "$answer" = yes ] || { echo "usb: nothing written"; exit 1; }
fi
dd if="$iso" of="$dev" bs=4M conv=fsync oflag=direct status=progress
sync
echo "usb: written; boot the machine from $dev (BIOS or UEFI)"
