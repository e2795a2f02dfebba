#!/usr/bin/env bash
# Host test of tools/usb.sh's refusals (USB_CHECK_ONLY=1: nothing is ever
# written). Each case must be refused with exit status 1 and a message saying why.
set -uo pipefail
usb=tools/usb.sh
scratch=$(mktemp -d "${TMPDIR:-/tmp}/missive-usb.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
iso=$scratch/missive.iso
head -c 4096 /dev/zero > "$iso"
failed=0 passed=0

# expect_refusal DEV REASON: usb.sh must exit 1 and print REASON.
expect_refusal() {
    local out status
    out=$(USB_CHECK_ONLY=1 bash "$usb" "$iso" "$1" 2>&1 < /dev/null)
    status=$?
    if [ $status -eq 1 ] && grep -q -- "$2" <<< "$out"; then
        passed=$((passed + 1))
    else
        echo "test_usb: FAIL: $1: expected exit 1 and '$2', got $status: $out"
        failed=$((failed + 1))
    fi
}

expect_refusal "$scratch/nothing" "no such device"
expect_refusal "$iso" "not a block device"
expect_refusal /dev/null "not a block device"
# The disk the host runs from (the root file system's disk, as lsblk sees it).
root_source=$(findmnt -n -o SOURCE /)
if [ -b "$root_source" ]; then
    root_disk=$(lsblk -n -s -o NAME,TYPE "$root_source" | awk '$2 == "disk" {print $1}' |
        sed 's/^[^[:alnum:]]*//' | head -n 1)
    expect_refusal "/dev/$root_disk" "root file system\|mounted\|held by"
    if [ "/dev/$root_disk" != "$root_source" ] && [ -e "/sys/class/block/$(basename "$root_source")/partition" ]; then
        expect_refusal "$root_source" "partition"
    fi
else
    echo "test_usb: the root file system ($root_source) is not on a block device here:" \
        "the root-disk refusal is not exercised on this machine"
fi
# Usage errors: exit 2.
USB_CHECK_ONLY=1 bash "$usb" "$iso" "" > /dev/null 2>&1
[ $? -eq 2 ] && passed=$((passed + 1)) || { echo "test_usb: FAIL: empty DEV"; failed=$((failed + 1)); }
echo "test_usb: $passed passed, $failed failed"
[ $failed -eq 0 ]
